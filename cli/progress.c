/* progress.c -- what a person watching the job sees: one line per finished
 * trial on stdout (stable, grep-able, kept when redirected to a file), and a
 * live status line on stderr, redrawn in place, only when stderr is a
 * terminal (or --live). */
#include <string.h>
#include <unistd.h>

#include "hpt_tune.h"

FILE *cli_human_out;
int cli_digits;

FILE *cli_human(void) { return cli_human_out ? cli_human_out : stdout; }

/* A number for people: round-trip exact by default, --digits N rounds. */
static void fmt_number(char *buf, size_t n, double x)
{
    if (cli_digits > 0)
        snprintf(buf, n, "%.*g", cli_digits, x);
    else
        cli_fmt_double(buf, n, x);
}

static const char *state_name(int32_t st)
{
    switch (st) {
    case HPT_TRIAL_RUNNING: return "running";
    case HPT_TRIAL_COMPLETE: return "complete";
    case HPT_TRIAL_FAILED: return "failed";
    case HPT_TRIAL_PRUNED: return "pruned";
    default: return "?";
    }
}

void cli_format_params(char *buf, size_t n, const cli_job *job, const hpt_study *study,
                       int64_t id)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < job->n_params; i++) {
        const cli_param *p = &job->params[i];
        char val[64] = "?";
        double x;
        int64_t k;
        const char *c;
        if (p->type == HPT_PARAM_FLOAT && hpt_trial_float(study, id, p->name, &x) == HPT_OK)
            fmt_number(val, sizeof val, x);
        else if (p->type == HPT_PARAM_INT && hpt_trial_int(study, id, p->name, &k) == HPT_OK)
            snprintf(val, sizeof val, "%lld", (long long)k);
        else if (p->type == HPT_PARAM_CATEGORICAL &&
                 hpt_trial_categorical(study, id, p->name, &c) == HPT_OK)
            snprintf(val, sizeof val, "%s", c);
        int w = snprintf(buf + len, n - len, "%s%s=%s", i ? " " : "", p->name, val);
        if (w < 0 || (size_t)w >= n - len)
            break; /* truncated: snprintf left it terminated */
        len += (size_t)w;
    }
}

static void fmt_value(char *buf, size_t n, const hpt_study *study, int64_t id)
{
    double v;
    if (hpt_trial_value(study, id, &v) == HPT_OK)
        fmt_number(buf, n, v);
    else
        snprintf(buf, n, "-");
}

static void fmt_best(char *buf, size_t n, const hpt_study *study)
{
    int64_t id;
    double v;
    size_t front = 0;
    int rc = hpt_study_best(study, &id, &v);
    if (rc == HPT_E_MULTI) { /* several objectives: the front's size */
        hpt_study_pareto(study, NULL, 0, &front);
        snprintf(buf, n, "front of %zu", front);
    } else if (rc == HPT_OK) {
        char num[40];
        fmt_number(num, sizeof num, v);
        snprintf(buf, n, "%s (trial %lld)", num, (long long)id);
    } else
        snprintf(buf, n, "-");
}

/* " budget=B" for multi-fidelity trials, plus " resume_from=P" for a promotion
 * (the trial it continues); "" for full-budget trials of other strategies. */
static void fmt_budget(char *buf, size_t n, const hpt_study *study, int64_t id)
{
    double b = 0;
    int64_t from = -1;
    buf[0] = '\0';
    if (hpt_trial_budget(study, id, &b, &from) != HPT_OK || b == 0)
        return;
    char num[40];
    cli_fmt_double(num, sizeof num, b);
    if (from >= 0)
        snprintf(buf, n, " budget=%s resume_from=%lld", num, (long long)from);
    else
        snprintf(buf, n, " budget=%s", num);
}

void cli_progress_init(cli_progress *p, int status_line, int quiet)
{
    memset(p, 0, sizeof *p);
    p->quiet = quiet;
    p->live = status_line < 0 ? isatty(STDERR_FILENO) : status_line;
    p->t0 = cli_now();
}

void cli_progress_clear(cli_progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = 0;
    }
}

void cli_progress_trial(cli_progress *p, const cli_job *job, const hpt_study *study,
                        int64_t id, int32_t state, const char *reason, double seconds)
{
    if (state == HPT_TRIAL_COMPLETE)
        p->n_complete++;
    else if (state == HPT_TRIAL_FAILED)
        p->n_failed++;
    else if (state == HPT_TRIAL_PRUNED)
        p->n_pruned++;
    if (p->quiet)
        return;
    char params[2048], value[1024], best[96], budget[96];
    cli_format_params(params, sizeof params, job, study, id);
    fmt_value(value, sizeof value, study, id);
    fmt_best(best, sizeof best, study);
    fmt_budget(budget, sizeof budget, study, id);
    cli_progress_clear(p);
    FILE *o = cli_human();
    if (cli_job_shaped(job)) { /* every value by name, and where the front is */
        cli_format_measures(value, sizeof value, job, study, id);
        fprintf(o, "trial %lld %s%s %s %s best=%s %.2fs", (long long)id, state_name(state),
                budget, params, value, best, seconds);
    } else
        fprintf(o, "trial %lld %s%s %s value=%s best=%s %.2fs", (long long)id, state_name(state),
                budget, params, value, best, seconds);
    if (state == HPT_TRIAL_FAILED && reason && *reason)
        fprintf(o, " reason: %s", reason);
    fputc('\n', o);
    fflush(o);
}

void cli_progress_status(cli_progress *p, const hpt_study *study, size_t running, int force)
{
    if (!p->live)
        return;
    double now = cli_now();
    if (!force && now - p->last_draw < 0.2)
        return;
    p->last_draw = now;
    char best[96];
    fmt_best(best, sizeof best, study);
    long s = (long)(now - p->t0);
    fprintf(stderr,
            "\r\033[Khpt-tune: %zu running, %lld complete, %lld failed, %lld pruned | best %s "
            "| %02ld:%02ld:%02ld",
            running, (long long)p->n_complete, (long long)p->n_failed, (long long)p->n_pruned,
            best, s / 3600, s / 60 % 60, s % 60);
    fflush(stderr);
    p->drawn = 1;
}

void cli_print_table(FILE *f, const cli_job *job, const hpt_study *study)
{
    int64_t n = 0;
    hpt_study_trial_count(study, &n);
    fprintf(f, "%-6s %-9s %-24s %-8s %-6s %s\n", "id", "state", "value", "budget", "from",
            "parameters");
    for (int64_t id = 0; id < n; id++) {
        int32_t st = -1;
        double budget = 0;
        int64_t from = -1;
        char params[2048], value[1024], b[40], fr[24] = "-";
        hpt_trial_state(study, id, &st);
        hpt_trial_budget(study, id, &budget, &from);
        if (from >= 0)
            snprintf(fr, sizeof fr, "%lld", (long long)from);
        cli_format_params(params, sizeof params, job, study, id);
        size_t no = 1, nc = 0;
        hpt_study_objectives(study, NULL, 0, &no, &nc);
        if (no > 1 || nc) /* every value by name, "-" where there is none */
            cli_format_measures(value, sizeof value, job, study, id);
        else
            fmt_value(value, sizeof value, study, id);
        cli_fmt_double(b, sizeof b, budget);
        fprintf(f, "%-6lld %-9s %-24s %-8s %-6s %s", (long long)id, state_name(st), value, b, fr,
                params);
        const char *reason = "";
        if (st == HPT_TRIAL_FAILED && hpt_trial_fail_reason(study, id, &reason) == HPT_OK &&
            *reason)
            fprintf(f, "  (%s)", reason);
        fputc('\n', f);
    }
}

void cli_print_best(FILE *f, const cli_job *job, const hpt_study *study)
{
    int64_t id;
    double v;
    if (cli_print_front(f, job, study))
        return;
    if (hpt_study_best(study, &id, &v) != HPT_OK) {
        size_t nc = 0, no;
        hpt_study_objectives(study, NULL, 0, &no, &nc);
        fputs(nc ? "best: none (no feasible trial completed)\n" : "best: none (no trial completed)\n", f);
        return;
    }
    char params[2048], val[40], budget[96];
    cli_format_params(params, sizeof params, job, study, id);
    fmt_number(val, sizeof val, v);
    fmt_budget(budget, sizeof budget, study, id);
    fprintf(f, "best: trial %lld value=%s%s %s\n", (long long)id, val, budget, params);
}
