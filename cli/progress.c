/* progress.c -- what a person watching the job sees: one line per finished
 * trial on stdout (stable, grep-able, kept when redirected to a file), and a
 * live status line on stderr, redrawn in place, only when stderr is a
 * terminal (or --live). */
#include <string.h>
#include <unistd.h>

#include "hpt_tune.h"

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
            cli_fmt_double(val, sizeof val, x);
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
        snprintf(buf, n, "%.6g", v);
    else
        snprintf(buf, n, "-");
}

static void fmt_best(char *buf, size_t n, const hpt_study *study)
{
    int64_t id;
    double v;
    if (hpt_study_best(study, &id, &v) == HPT_OK)
        snprintf(buf, n, "%.6g (trial %lld)", v, (long long)id);
    else
        snprintf(buf, n, "-");
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
    char params[2048], value[64], best[96];
    cli_format_params(params, sizeof params, job, study, id);
    fmt_value(value, sizeof value, study, id);
    fmt_best(best, sizeof best, study);
    cli_progress_clear(p);
    printf("trial %lld %s %s value=%s best=%s %.2fs", (long long)id, state_name(state), params,
           value, best, seconds);
    if (state == HPT_TRIAL_FAILED && reason && *reason)
        printf(" reason: %s", reason);
    putchar('\n');
    fflush(stdout);
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
    fprintf(f, "%-6s %-9s %-14s %-8s %s\n", "id", "state", "value", "budget", "parameters");
    for (int64_t id = 0; id < n; id++) {
        int32_t st = -1;
        double budget = 0;
        char params[2048], value[64], b[40];
        hpt_trial_state(study, id, &st);
        hpt_trial_budget(study, id, &budget, NULL);
        cli_format_params(params, sizeof params, job, study, id);
        fmt_value(value, sizeof value, study, id);
        cli_fmt_double(b, sizeof b, budget);
        fprintf(f, "%-6lld %-9s %-14s %-8s %s", (long long)id, state_name(st), value, b, params);
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
    if (hpt_study_best(study, &id, &v) != HPT_OK) {
        fputs("best: none (no trial completed)\n", f);
        return;
    }
    char params[2048], val[40];
    cli_format_params(params, sizeof params, job, study, id);
    cli_fmt_double(val, sizeof val, v);
    fprintf(f, "best: trial %lld value=%s %s\n", (long long)id, val, params);
}
