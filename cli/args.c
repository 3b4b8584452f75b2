/* args.c -- hpt-tune's flags and spec files, both feeding one table of
 * settings, so every flag has a spec-file line and the other way round.
 *
 * Spec file grammar (documented in cli/README.md):
 *
 *     file    = { line }
 *     line    = blank | "#" comment | key [ blanks value ]
 *     key     = a flag name without its leading "--" (e.g. "float", "max-trials")
 *     value   = the rest of the line, blanks around it removed
 *
 * `command` and `launcher` values are split into words like a shell would
 * (quotes, backslash), without any expansion. Lines apply in order, exactly
 * as the same flags would; flags given after --spec override its scalars. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hpt_tune.h"

/* ---- small utilities ------------------------------------------------------- */

static void oom(void)
{
    fputs("hpt-tune: out of memory\n", stderr);
    exit(CLI_EXIT_FAIL);
}

void *cli_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *cli_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom();
    return q;
}

char *cli_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(cli_xmalloc(n), s, n);
}

char *cli_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        oom();
    char *p = cli_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void cli_push(char ***arr, size_t *n, char *p)
{
    *arr = cli_xrealloc(*arr, (*n + 2) * sizeof **arr);
    (*arr)[(*n)++] = p;
    (*arr)[*n] = NULL;
}

void cli_free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_fmt_double(char *buf, size_t n, double x)
{
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

static int usage_err(char *err, size_t errn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int usage_err(char *err, size_t errn, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errn, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- the job --------------------------------------------------------------------- */

#define DEFAULT_METRIC "^objective[=:] *([^ ]+)"

void cli_job_init(cli_job *job)
{
    memset(job, 0, sizeof *job);
    job->mode = CLI_RUN;
    job->strategy = cli_xstrdup("bayes");
    job->direction = HPT_MINIMIZE;
    job->parallel = 1;
    job->grace = 10;
    job->metric = cli_xstrdup(DEFAULT_METRIC);
    job->status_line = -1;
}

void cli_job_free(cli_job *job)
{
    for (size_t i = 0; i < job->n_params; i++) {
        free(job->params[i].name);
        cli_free_strv(job->params[i].choices, job->params[i].n_choices);
    }
    free(job->params);
    cli_free_strv(job->opt_names, job->n_opts);
    cli_free_strv(job->opt_values, job->n_opts);
    free(job->strategy);
    free(job->metric);
    free(job->report_metric);
    cli_free_strv(job->launcher, job->n_launcher);
    cli_free_strv(job->command, job->n_command);
    free(job->job_dir);
    free(job->journal);
    free(job->export_format);
    free(job->output);
    cli_free_strv(job->warm_paths, job->n_warm);
    cli_free_strv(job->warm_default_names, job->n_warm_defaults);
    free(job->warm_default_values);
    free(job->warm_kinds);
    cli_measures_free(job);
    memset(job, 0, sizeof *job);
}

char *cli_spec_path(const char *journal)
{
    return cli_xasprintf("%s.d/job.spec", journal);
}

static void replace(char **slot, const char *value)
{
    free(*slot);
    *slot = cli_xstrdup(value);
}

/* ---- value parsers ---------------------------------------------------------------- */

static int parse_double(const char *s, double *out)
{
    return cli_parse_number(s, out);
}

static int parse_int64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_scale(const char *s, int32_t *scale)
{
    static const struct {
        const char *name;
        int32_t scale;
    } t[] = {{"linear", HPT_SCALE_LINEAR},        {"lin", HPT_SCALE_LINEAR},
             {"log", HPT_SCALE_LOG},              {"reverse-log", HPT_SCALE_REVERSE_LOG},
             {"reverse_log", HPT_SCALE_REVERSE_LOG}, {"rlog", HPT_SCALE_REVERSE_LOG},
             {"auto", HPT_SCALE_AUTO}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (strcmp(s, t[i].name) == 0) {
            *scale = t[i].scale;
            return 0;
        }
    return -1;
}

static const char *scale_name(int32_t scale)
{
    switch (scale) {
    case HPT_SCALE_LOG: return "log";
    case HPT_SCALE_REVERSE_LOG: return "reverse-log";
    case HPT_SCALE_AUTO: return "auto";
    default: return "linear";
    }
}

static int add_param_checked(cli_job *job, cli_param *p, char *err, size_t errn)
{
    for (size_t i = 0; i < job->n_params; i++)
        if (strcmp(job->params[i].name, p->name) == 0) {
            usage_err(err, errn, "parameter '%s' is defined twice", p->name);
            free(p->name);
            cli_free_strv(p->choices, p->n_choices);
            return -1;
        }
    job->params = cli_xrealloc(job->params, (job->n_params + 1) * sizeof *job->params);
    job->params[job->n_params++] = *p;
    return 0;
}

/* NAME=LO:HI[:SCALE] for --float and --int; NAME=A,B,C for --cat. */
static int parse_param(cli_job *job, const char *flag, int32_t type, const char *v, char *err,
                       size_t errn)
{
    const char *eq = strchr(v, '=');
    if (!eq || eq == v || !eq[1])
        return usage_err(err, errn, "--%s wants NAME=%s, not '%s'", flag,
                         type == HPT_PARAM_CATEGORICAL ? "A,B,..." : "LO:HI[:SCALE]", v);
    if ((size_t)(eq - v) > HPT_MAX_NAME)
        return usage_err(err, errn, "--%s: name longer than %d bytes", flag, HPT_MAX_NAME);
    cli_param p = {0};
    p.type = type;
    p.scale = HPT_SCALE_LINEAR;
    char *name = cli_xmalloc((size_t)(eq - v) + 1);
    memcpy(name, v, (size_t)(eq - v));
    name[eq - v] = '\0';
    char *rest = cli_xstrdup(eq + 1);
    int rc = 0;
    if (type == HPT_PARAM_CATEGORICAL) {
        /* Scanned by hand (not strtok) so that empty choices are refused. */
        char *s = rest;
        for (;;) {
            char *c = strchr(s, ',');
            if (c)
                *c = '\0';
            if (!*s) {
                rc = usage_err(err, errn, "--%s %s: empty choice", flag, name);
                break;
            }
            for (size_t j = 0; j < p.n_choices; j++)
                if (strcmp(p.choices[j], s) == 0) {
                    rc = usage_err(err, errn, "--%s %s: choice '%s' given twice", flag, name, s);
                    break;
                }
            if (rc)
                break;
            cli_push(&p.choices, &p.n_choices, cli_xstrdup(s));
            if (!c)
                break;
            s = c + 1;
        }
    } else {
        char *f[3] = {rest, NULL, NULL};
        size_t nf = 1;
        for (char *c = rest; *c && nf <= 3; c++)
            if (*c == ':') {
                *c = '\0';
                if (nf < 3)
                    f[nf] = c + 1;
                nf++;
            }
        if (nf < 2 || nf > 3)
            rc = usage_err(err, errn, "--%s %s: want LO:HI or LO:HI:SCALE, not '%s'", flag, name,
                           eq + 1);
        else if (nf == 3 && parse_scale(f[2], &p.scale))
            rc = usage_err(err, errn,
                           "--%s %s: unknown scale '%s' (linear, log, reverse-log, auto)",
                           flag, name, f[2]);
        else if (type == HPT_PARAM_FLOAT) {
            if (parse_double(f[0], &p.lo) || parse_double(f[1], &p.hi))
                rc = usage_err(err, errn, "--%s %s: bounds must be numbers, not '%s'", flag,
                               name, eq + 1);
        } else {
            int64_t lo, hi;
            const int64_t lim = (int64_t)1 << 52;
            if (parse_int64(f[0], -lim, lim, &lo) || parse_int64(f[1], -lim, lim, &hi))
                rc = usage_err(err, errn, "--%s %s: bounds must be integers within 2^52, not '%s'",
                               flag, name, eq + 1);
            p.lo = (double)lo;
            p.hi = (double)hi;
        }
        if (!rc && p.lo > p.hi)
            rc = usage_err(err, errn, "--%s %s: LO > HI", flag, name);
    }
    free(rest);
    if (rc) {
        free(name);
        cli_free_strv(p.choices, p.n_choices);
        return rc;
    }
    p.name = name;
    return add_param_checked(job, &p, err, errn);
}

static void add_option(cli_job *job, const char *name, const char *value)
{
    cli_push(&job->opt_names, &job->n_opts, cli_xstrdup(name));
    size_t n = job->n_opts - 1;
    cli_push(&job->opt_values, &n, cli_xstrdup(value));
}

/* ---- the settings table -------------------------------------------------------------- */

enum { ARG_NONE, ARG_ONE };
enum { WHERE_ANY, WHERE_FLAG }; /* WHERE_FLAG: not in a spec file */

typedef struct {
    const char *name;
    int arg;
    int where;
    const char *metavar, *help;
} setting;

/* Completion criteria map to study options of the journal issue (issue 5);
 * the library checks them. */
static const struct {
    const char *flag, *option;
} completion[] = {
    {"max-seconds", "max_seconds"},
    {"max-resource", "max_resource_total"},
    {"target", "target_value"},
    {"patience", "patience"},
};

static const setting settings[] = {
    {"spec", ARG_ONE, WHERE_FLAG, "FILE", "read settings from a spec file (see README)"},
    {"float", ARG_ONE, WHERE_ANY, "N=LO:HI[:S]", "real parameter; S = linear|log|reverse-log|auto"},
    {"int", ARG_ONE, WHERE_ANY, "N=LO:HI[:S]", "integer parameter; S = linear|log|auto"},
    {"cat", ARG_ONE, WHERE_ANY, "N=A,B,...", "categorical parameter"},
    {"strategy", ARG_ONE, WHERE_ANY, "NAME", "search strategy (default bayes; names below)"},
    {"direction", ARG_ONE, WHERE_ANY, "min|max", "minimize (default) or maximize the metric"},
    {"seed", ARG_ONE, WHERE_ANY, "N", "seed of the search (default 0)"},
    {"max-trials", ARG_ONE, WHERE_ANY, "N", "stop after N trials (0 = strategy decides)"},
    {"max-seconds", ARG_ONE, WHERE_ANY, "SEC", "completion: active wall-clock limit (max_seconds)"},
    {"max-resource", ARG_ONE, WHERE_ANY, "N",
     "completion: stop once the trials asked used N budget units (max_resource_total)"},
    {"target", ARG_ONE, WHERE_ANY, "VALUE", "completion: stop once the best reaches VALUE"},
    {"patience", ARG_ONE, WHERE_ANY, "N",
     "completion: stop after N complete trials without a new best"},
    {"option", ARG_ONE, WHERE_ANY, "NAME=VALUE",
     "study option (hyperband.eta=3, pruner=median ...)"},
    {"pruner", ARG_ONE, WHERE_ANY, "NAME", "same as --option pruner=NAME"},
    {"parallel", ARG_ONE, WHERE_ANY, "N", "trials run at once (default 1)"},
    {"trial-timeout", ARG_ONE, WHERE_ANY, "SEC", "fail a trial running longer (default 0 = none)"},
    {"grace", ARG_ONE, WHERE_ANY, "SEC", "SIGTERM to SIGKILL delay when stopping (default 10)"},
    {"metric", ARG_ONE, WHERE_ANY, "REGEX",
     "objective line; group 1 = value (default " DEFAULT_METRIC ")"},
    {"report-metric", ARG_ONE, WHERE_ANY, "REGEX",
     "intermediate line; groups = step, value (or value)"},
    {"objective", ARG_ONE, WHERE_ANY, "N=REGEX[:min|max]",
     "an objective (repeat for several; replaces --metric, --direction)"},
    {"constraint", ARG_ONE, WHERE_ANY, "N=REGEX", "a constraint: feasible when its value <= 0"},
    {"max-memory", ARG_ONE, WHERE_ANY, "SIZE",
     "constraint 'memory': peak RSS of the trial's processes - SIZE (MiB)"},
    {"launcher", ARG_ONE, WHERE_ANY, "PREFIX",
     "run each trial as PREFIX COMMAND (srun -N1 -n1 ...)"},
    {"command", ARG_ONE, WHERE_ANY, "CMD", "the trial command (spec files; else after --)"},
    {"job-dir", ARG_ONE, WHERE_ANY, "DIR", "trial logs and folders (default JOURNAL.d)"},
    {"journal", ARG_ONE, WHERE_ANY, "FILE", "durable job: every event is journaled"},
    {"resume", ARG_ONE, WHERE_FLAG, "FILE", "continue the job of a journal"},
    {"status", ARG_ONE, WHERE_FLAG, "FILE", "print a journal's trials table and best"},
    {"export", ARG_ONE, WHERE_FLAG, "csv|json",
     "export the trials (with --journal/--resume/--status)"},
    {"output", ARG_ONE, WHERE_FLAG, "FILE",
     "where --export writes (default stdout, or JOB/trials.csv)"},
    {"warm-start-identical", ARG_ONE, WHERE_ANY, "FILE",
     "parent journal: same task, trials reused"},
    {"warm-start-transfer", ARG_ONE, WHERE_ANY, "FILE",
     "parent journal: related task, used as prior"},
    {"warm-default", ARG_ONE, WHERE_ANY, "N=VALUE",
     "value a parameter new here had in the parents"},
    {"live", ARG_NONE, WHERE_ANY, NULL, "always draw the live status line on stderr"},
    {"no-live", ARG_NONE, WHERE_ANY, NULL, "never draw it (default: when stderr is a terminal)"},
    {"quiet", ARG_NONE, WHERE_ANY, NULL, "no per-trial lines"},
    {"digits", ARG_ONE, WHERE_ANY, "N",
     "significant digits of values in output lines (default 0 = exact)"},
    {"retries", ARG_ONE, WHERE_ANY, "K",
     "re-run a failed trial up to K times before telling it failed (default 0)"},
    {"print-spec", ARG_NONE, WHERE_FLAG, NULL, "print the job as a spec file and exit"},
    {"list-options", ARG_NONE, WHERE_FLAG, NULL,
     "list the options of --strategy (and --pruner) and exit"},
    {"help", ARG_NONE, WHERE_FLAG, NULL, "this text"},
    {"version", ARG_NONE, WHERE_FLAG, NULL, "print the version"},
};

void cli_usage(FILE *f)
{
    fputs("usage: hpt-tune [FLAGS] -- COMMAND [ARG...]\n"
          "       hpt-tune --resume JOURNAL [FLAGS]\n"
          "       hpt-tune --status JOURNAL [--export csv [--output FILE]]\n"
          "       hpt-tune --journal JOURNAL --export csv [--output FILE]\n"
          "Runs COMMAND once per trial. Placeholders {NAME}, {trial_id}, {budget},\n"
          "{resume_from}, {trial_dir}, {resume_dir} and {slot} in COMMAND and the\n"
          "launcher are replaced; the environment gets HPT_PARAM_<NAME>, HPT_TRIAL_ID,\n"
          "HPT_BUDGET, HPT_RESUME_FROM, HPT_TRIAL_DIR, HPT_RESUME_DIR and HPT_SLOT. The\n"
          "objective is the last output line matching --metric. Flags:\n",
          f);
    for (size_t i = 0; i < sizeof settings / sizeof *settings; i++) {
        char left[48];
        snprintf(left, sizeof left, "--%s%s%s", settings[i].name, settings[i].metavar ? " " : "",
                 settings[i].metavar ? settings[i].metavar : "");
        fprintf(f, "  %-30s %s\n", left, settings[i].help);
    }
    fputs("Strategies:", f);
    const char *name;
    for (size_t i = 0; hpt_strategy_name(i, &name) == HPT_OK; i++)
        fprintf(f, " %s", name);
    fputs("\nTheir options: hpt-tune --list-options --strategy NAME [--pruner NAME]\n", f);
}

static const setting *find_setting(const char *name)
{
    for (size_t i = 0; i < sizeof settings / sizeof *settings; i++)
        if (strcmp(settings[i].name, name) == 0)
            return &settings[i];
    return NULL;
}

static int set_mode(cli_job *job, cli_mode mode, const char *path, char *err, size_t errn)
{
    if (job->mode == CLI_RESUME || job->mode == CLI_STATUS)
        if (job->mode != mode)
            return usage_err(err, errn, "--resume and --status exclude each other");
    job->mode = mode;
    if (job->journal && strcmp(job->journal, path) != 0)
        return usage_err(err, errn, "two different journals given ('%s' and '%s')",
                         job->journal, path);
    replace(&job->journal, path);
    return 0;
}

/* The settings, by what they describe; each function returns NOT_MINE for
 * a setting it does not handle, else 0 or -1 (err filled). */
#define NOT_MINE 1

/* The search: space, strategy, direction, seed, limits, study options. */
static int apply_search(cli_job *job, const char *n, const char *v, const char *where, char *err,
                        size_t errn)
{
    double d;
    int64_t i64;
    if (!strcmp(n, "spec"))
        return cli_load_spec(job, v, err, errn);
    if (!strcmp(n, "float"))
        return parse_param(job, n, HPT_PARAM_FLOAT, v, err, errn);
    if (!strcmp(n, "int"))
        return parse_param(job, n, HPT_PARAM_INT, v, err, errn);
    if (!strcmp(n, "cat"))
        return parse_param(job, n, HPT_PARAM_CATEGORICAL, v, err, errn);
    if (!strcmp(n, "strategy")) {
        if (!*v)
            return usage_err(err, errn, "%s: empty strategy name", where);
        replace(&job->strategy, v);
        job->set_mask |= CLI_SET_STRATEGY;
        return 0;
    }
    if (!strcmp(n, "direction")) {
        if (!strcmp(v, "min") || !strcmp(v, "minimize"))
            job->direction = HPT_MINIMIZE;
        else if (!strcmp(v, "max") || !strcmp(v, "maximize"))
            job->direction = HPT_MAXIMIZE;
        else
            return usage_err(err, errn, "%s: --direction wants min or max, not '%s'", where, v);
        job->set_mask |= CLI_SET_DIRECTION;
        return 0;
    }
    if (!strcmp(n, "seed")) {
        char *end;
        errno = 0;
        unsigned long long u = strtoull(v, &end, 0);
        if (errno || end == v || *end || *v == '-')
            return usage_err(err, errn, "%s: --seed wants a non-negative integer, not '%s'",
                             where, v);
        job->seed = u;
        job->set_mask |= CLI_SET_SEED;
        return 0;
    }
    if (!strcmp(n, "max-trials")) {
        if (parse_int64(v, 0, (int64_t)1 << 53, &i64))
            return usage_err(err, errn, "%s: --max-trials wants an integer >= 0, not '%s'",
                             where, v);
        job->max_trials = i64;
        return 0;
    }
    for (size_t k = 0; k < sizeof completion / sizeof *completion; k++)
        if (!strcmp(n, completion[k].flag)) {
            if (parse_double(v, &d))
                return usage_err(err, errn, "%s: --%s wants a number, not '%s'", where, n, v);
            /* A flag given with --resume overrides the spec's (a raised
             * limit), instead of following it as a second setting. */
            for (size_t i = 0; i < job->n_opts; i++)
                if (!strcmp(job->opt_names[i], completion[k].option)) {
                    replace(&job->opt_values[i], v);
                    return 0;
                }
            add_option(job, completion[k].option, v);
            return 0;
        }
    if (!strcmp(n, "option")) {
        const char *eq = strchr(v, '=');
        if (!eq || eq == v)
            return usage_err(err, errn, "%s: --option wants NAME=VALUE, not '%s'", where, v);
        char *name = cli_xstrdup(v);
        name[eq - v] = '\0';
        add_option(job, name, eq + 1);
        free(name);
        return 0;
    }
    if (!strcmp(n, "pruner")) {
        add_option(job, "pruner", v);
        return 0;
    }
    return NOT_MINE;
}

/* How trials run: parallelism, timeouts, retries, metrics, command, folders,
 * digits of values. */
static int apply_run(cli_job *job, const char *n, const char *v, const char *where, char *err,
                     size_t errn)
{
    double d;
    int64_t i64;
    if (!strcmp(n, "parallel")) {
        if (parse_int64(v, 1, 4096, &i64))
            return usage_err(err, errn, "%s: --parallel wants an integer in 1..4096, not '%s'",
                             where, v);
        job->parallel = i64;
        return 0;
    }
    if (!strcmp(n, "trial-timeout") || !strcmp(n, "grace")) {
        if (parse_double(v, &d) || d < 0 || d > 1e9)
            return usage_err(err, errn, "%s: --%s wants seconds >= 0, not '%s'", where, n, v);
        *(!strcmp(n, "grace") ? &job->grace : &job->trial_timeout) = d;
        return 0;
    }
    if (!strcmp(n, "metric") || !strcmp(n, "report-metric")) {
        if (!*v)
            return usage_err(err, errn, "%s: --%s: empty regular expression", where, n);
        replace(!strcmp(n, "metric") ? &job->metric : &job->report_metric, v);
        return 0;
    }
    if (!strcmp(n, "launcher") || !strcmp(n, "command")) {
        char **w = NULL;
        size_t nw = 0;
        if (cli_split_words(v, &w, &nw, err, errn))
            return -1;
        int is_launcher = !strcmp(n, "launcher");
        if (!nw && !is_launcher) {
            free(w);
            return usage_err(err, errn, "%s: empty command", where);
        }
        char ***dst = is_launcher ? &job->launcher : &job->command;
        size_t *dn = is_launcher ? &job->n_launcher : &job->n_command;
        cli_free_strv(*dst, *dn);
        *dst = w;
        *dn = nw;
        return 0;
    }
    if (!strcmp(n, "job-dir") || !strcmp(n, "output")) {
        if (!*v)
            return usage_err(err, errn, "%s: --%s: empty path", where, n);
        replace(!strcmp(n, "job-dir") ? &job->job_dir : &job->output, v);
        return 0;
    }
    if (!strcmp(n, "digits") || !strcmp(n, "retries")) {
        int dig = !strcmp(n, "digits");
        if (parse_int64(v, 0, dig ? 17 : 1000, &i64))
            return usage_err(err, errn, "%s: --%s wants an integer in 0..%d, not '%s'", where, n,
                             dig ? 17 : 1000, v);
        if (dig)
            job->digits = (int)i64;
        else
            job->retries = i64;
        return 0;
    }
    return NOT_MINE;
}

/* Durability: journal, resume, status, export, warm starts. */
static int apply_journal(cli_job *job, const char *n, const char *v, const char *where, char *err,
                         size_t errn)
{
    double d;
    if (!strcmp(n, "journal")) {
        if (!*v)
            return usage_err(err, errn, "%s: --journal: empty path", where);
        if (job->journal && strcmp(job->journal, v) != 0)
            return usage_err(err, errn, "two different journals given ('%s' and '%s')",
                             job->journal, v);
        replace(&job->journal, v);
        return 0;
    }
    if (!strcmp(n, "resume"))
        return set_mode(job, CLI_RESUME, v, err, errn);
    if (!strcmp(n, "status"))
        return set_mode(job, CLI_STATUS, v, err, errn);
    if (!strcmp(n, "export")) {
        if (strcmp(v, "csv") != 0 && strcmp(v, "json") != 0)
            return usage_err(err, errn, "--export: the formats are csv and json, not '%s'", v);
        replace(&job->export_format, v);
        return 0;
    }
    if (!strcmp(n, "warm-start-identical") || !strcmp(n, "warm-start-transfer")) {
        if (job->n_warm >= 5)
            return usage_err(err, errn, "at most 5 warm-start parents");
        size_t k = job->n_warm;
        cli_push(&job->warm_paths, &job->n_warm, cli_xstrdup(v));
        job->warm_kinds = cli_xrealloc(job->warm_kinds, job->n_warm * sizeof *job->warm_kinds);
        job->warm_kinds[k] = !strcmp(n, "warm-start-identical") ? HPT_WARM_IDENTICAL
                                                                 : HPT_WARM_TRANSFER;
        return 0;
    }
    if (!strcmp(n, "warm-default")) {
        const char *eq = strchr(v, '=');
        if (!eq || eq == v || cli_parse_number(eq + 1, &d))
            return usage_err(err, errn,
                             "%s: --warm-default wants NAME=NUMBER (a categorical's choice "
                             "index), not '%s'",
                             where, v);
        char *name = cli_xstrdup(v);
        name[eq - v] = '\0';
        size_t k = job->n_warm_defaults;
        cli_push(&job->warm_default_names, &job->n_warm_defaults, name);
        job->warm_default_values =
            cli_xrealloc(job->warm_default_values, job->n_warm_defaults * sizeof(double));
        job->warm_default_values[k] = d;
        return 0;
    }
    return NOT_MINE;
}

/* Output and the modes that only print (help, version, spec, options). */
static int apply_mode(cli_job *job, const char *n, const char *v, const char *where, char *err,
                      size_t errn)
{
    (void)v, (void)where, (void)err, (void)errn;
    if (!strcmp(n, "live") || !strcmp(n, "no-live")) {
        job->status_line = !strcmp(n, "live");
        return 0;
    }
    if (!strcmp(n, "quiet")) {
        job->quiet = 1;
        return 0;
    }
    if (!strcmp(n, "print-spec")) {
        job->mode = CLI_PRINT_SPEC;
        return 0;
    }
    if (!strcmp(n, "list-options")) {
        job->mode = CLI_LIST_OPTIONS;
        return 0;
    }
    if (!strcmp(n, "help")) {
        job->mode = CLI_HELP;
        return 0;
    }
    if (!strcmp(n, "version")) {
        job->mode = CLI_VERSION;
        return 0;
    }
    return NOT_MINE;
}

/* Apply one setting; `where` names its origin (command line, spec file:line). */
static int apply(cli_job *job, const setting *s, const char *v, const char *where, char *err,
                 size_t errn)
{
    int (*const groups[])(cli_job *, const char *, const char *, const char *, char *,
                          size_t) = {apply_search, apply_run, apply_journal, apply_mode,
                                     cli_apply_measures};
    for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
        int rc = groups[g](job, s->name, v, where, err, errn);
        if (rc != NOT_MINE)
            return rc;
    }
    return usage_err(err, errn, "%s: unhandled setting '%s'", where, s->name);
}

int cli_parse_args(cli_job *job, int argc, char **argv, char *err, size_t errn)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            if (i + 1 >= argc)
                return usage_err(err, errn, "no command after --");
            cli_free_strv(job->command, job->n_command);
            job->command = NULL;
            job->n_command = 0;
            for (int k = i + 1; k < argc; k++)
                cli_push(&job->command, &job->n_command, cli_xstrdup(argv[k]));
            return 0;
        }
        if (!strcmp(a, "-h")) {
            job->mode = CLI_HELP;
            continue;
        }
        if (strncmp(a, "--", 2) != 0)
            return usage_err(err, errn,
                             "unexpected argument '%s' (the command goes after --)", a);
        char key[64];
        const char *eq = strchr(a + 2, '=');
        size_t kl = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        if (kl >= sizeof key)
            return usage_err(err, errn, "unknown flag '%.40s...'", a);
        memcpy(key, a + 2, kl);
        key[kl] = '\0';
        const setting *s = find_setting(key);
        if (!s)
            return usage_err(err, errn, "unknown flag '--%s'", key);
        const char *v = NULL;
        if (s->arg == ARG_ONE) {
            if (eq)
                v = eq + 1;
            else if (i + 1 < argc)
                v = argv[++i];
            else
                return usage_err(err, errn, "--%s needs a value (%s)", key, s->metavar);
        } else if (eq)
            return usage_err(err, errn, "--%s takes no value", key);
        if (apply(job, s, v ? v : "", "command line", err, errn))
            return -1;
    }
    return 0;
}

int cli_load_spec(cli_job *job, const char *path, char *err, size_t errn)
{
    /* O_NONBLOCK: a FIFO is refused below instead of waiting for a writer. */
    struct stat sb;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0 && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))) {
        close(fd);
        return usage_err(err, errn, "cannot read spec file '%s': not a regular file", path);
    }
    FILE *f = fd < 0 ? NULL : fdopen(fd, "r");
    if (!f) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return usage_err(err, errn, "cannot read spec file '%s': %s", path, strerror(e));
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, rc = 0;
    while (!rc && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && isspace((unsigned char)line[len - 1]))
            line[--len] = '\0';
        char *k = line;
        while (isspace((unsigned char)*k))
            k++;
        if (!*k || *k == '#')
            continue;
        char *v = k;
        while (*v && !isspace((unsigned char)*v))
            v++;
        if (*v)
            *v++ = '\0';
        while (isspace((unsigned char)*v))
            v++;
        char where[300];
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        const setting *s = find_setting(k);
        char *unq = NULL;
        if ((*v == '\'' || *v == '"') && s && strcmp(k, "command") && strcmp(k, "launcher")) {
            /* A quoted value is one word (cli_split_words rules): how the
             * writer keeps blanks at its ends, and leading quotes. */
            char **w = NULL;
            size_t nw = 0;
            if (cli_split_words(v, &w, &nw, err, errn) || nw != 1) {
                if (nw != 1 && !rc)
                    usage_err(err, errn, "%s: a quoted value must be one quoted word", where);
                cli_free_strv(w, nw);
                char tmp[512];
                snprintf(tmp, sizeof tmp, "%s", err);
                if (strncmp(tmp, path, strlen(path)) != 0)
                    snprintf(err, errn, "%s: %s", where, tmp);
                rc = -1;
                break;
            }
            unq = w[0];
            free(w);
            v = unq;
        }
        if (!s || s->where == WHERE_FLAG)
            rc = usage_err(err, errn, "%s: unknown key '%s'", where, k);
        else if (s->arg == ARG_ONE && !*v)
            rc = usage_err(err, errn, "%s: '%s' needs a value", where, k);
        else if (s->arg == ARG_NONE && *v)
            rc = usage_err(err, errn, "%s: '%s' takes no value", where, k);
        else if (apply(job, s, v, where, err, errn)) {
            /* Prefix the location unless apply already did. */
            if (strncmp(err, path, strlen(path)) != 0) {
                char tmp[512];
                snprintf(tmp, sizeof tmp, "%s: %s", where, err);
                snprintf(err, errn, "%s", tmp);
            }
            rc = -1;
        }
        free(unq);
    }
    if (!rc && ferror(f))
        rc = usage_err(err, errn, "reading '%s': %s", path, strerror(errno));
    free(line);
    fclose(f);
    return rc;
}

static void write_words(FILE *f, const char *key, char **w, size_t n)
{
    fputs(key, f);
    for (size_t i = 0; i < n; i++) {
        char *q = cli_quote_word(w[i]);
        fprintf(f, " %s", q);
        free(q);
    }
    fputc('\n', f);
}

/* "key value\n", with value quoted when the reader would not give it back
 * as it is: blanks at its ends (the reader trims them), a leading quote. */
static void write_value(FILE *f, const char *key, const char *value)
{
    size_t n = strlen(value);
    int quote = n && (isspace((unsigned char)value[0]) || isspace((unsigned char)value[n - 1]) ||
                      value[0] == '\'' || value[0] == '"');
    if (quote) {
        char *q = cli_quote_word(value);
        fprintf(f, "%s %s\n", key, q);
        free(q);
    } else
        fprintf(f, "%s %s\n", key, value);
}

/* Whether a spec line could not hold the text at all (line breaks). */
static int unwritable(const char *s) { return strpbrk(s, "\n\r") != NULL; }

void cli_print_spec(FILE *f, const cli_job *job)
{
    char a[40], b[40];
    fprintf(f, "# hpt-tune job spec, written by hpt-tune %s\n", hpt_version_string());
    for (size_t i = 0; i < job->n_params; i++) {
        const cli_param *p = &job->params[i];
        if (p->type == HPT_PARAM_CATEGORICAL) {
            char *v = cli_xasprintf("%s=", p->name);
            for (size_t j = 0; j < p->n_choices; j++) {
                char *w = cli_xasprintf("%s%s%s", v, j ? "," : "", p->choices[j]);
                free(v);
                v = w;
            }
            write_value(f, "cat", v);
            free(v);
            continue;
        }
        if (p->type == HPT_PARAM_FLOAT) {
            cli_fmt_double(a, sizeof a, p->lo);
            cli_fmt_double(b, sizeof b, p->hi);
        } else {
            snprintf(a, sizeof a, "%lld", (long long)p->lo);
            snprintf(b, sizeof b, "%lld", (long long)p->hi);
        }
        fprintf(f, "%s %s=%s:%s:%s\n", p->type == HPT_PARAM_FLOAT ? "float" : "int", p->name, a,
                b, scale_name(p->scale));
    }
    fprintf(f, "strategy %s\ndirection %s\nseed %llu\n", job->strategy,
            job->direction == HPT_MAXIMIZE ? "max" : "min", (unsigned long long)job->seed);
    fprintf(f, "max-trials %lld\nparallel %lld\n", (long long)job->max_trials,
            (long long)job->parallel);
    cli_fmt_double(a, sizeof a, job->trial_timeout);
    cli_fmt_double(b, sizeof b, job->grace);
    fprintf(f, "trial-timeout %s\ngrace %s\n", a, b);
    if (job->digits)
        fprintf(f, "digits %d\n", job->digits);
    if (job->retries)
        fprintf(f, "retries %lld\n", (long long)job->retries);
    for (size_t i = 0; i < job->n_opts; i++) {
        char *v = cli_xasprintf("%s=%s", job->opt_names[i], job->opt_values[i]);
        write_value(f, "option", v);
        free(v);
    }
    write_value(f, "metric", job->metric);
    if (job->report_metric)
        write_value(f, "report-metric", job->report_metric);
    cli_print_measures(f, job);
    if (job->n_launcher)
        write_words(f, "launcher", job->launcher, job->n_launcher);
    if (job->job_dir)
        write_value(f, "job-dir", job->job_dir);
    for (size_t i = 0; i < job->n_warm; i++)
        write_value(f,
                    job->warm_kinds[i] == HPT_WARM_IDENTICAL ? "warm-start-identical"
                                                             : "warm-start-transfer",
                    job->warm_paths[i]);
    for (size_t i = 0; i < job->n_warm_defaults; i++) {
        cli_fmt_double(a, sizeof a, job->warm_default_values[i]);
        fprintf(f, "warm-default %s=%s\n", job->warm_default_names[i], a);
    }
    if (job->n_command)
        write_words(f, "command", job->command, job->n_command);
}

int cli_write_spec(const cli_job *job, const char *path, char *err, size_t errn)
{
    for (size_t i = 0; i < job->n_params; i++)
        for (size_t j = 0; j < job->params[i].n_choices; j++)
            if (unwritable(job->params[i].choices[j]))
                return usage_err(err, errn,
                                 "parameter '%s': a choice with a line break cannot be kept "
                                 "in the job spec",
                                 job->params[i].name);
    /* Written aside and renamed, so a crash never leaves half a spec. */
    char *tmp = cli_xasprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        usage_err(err, errn, "cannot write '%s': %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    cli_print_spec(f, job);
    int rc = 0;
    if (fflush(f) || ferror(f))
        rc = usage_err(err, errn, "writing '%s': %s", tmp, strerror(errno));
    if (fclose(f) && !rc)
        rc = usage_err(err, errn, "writing '%s': %s", tmp, strerror(errno));
    if (!rc && rename(tmp, path))
        rc = usage_err(err, errn, "cannot rename '%s': %s", tmp, strerror(errno));
    if (rc)
        remove(tmp);
    free(tmp);
    return rc;
}

/* ---- checks ----------------------------------------------------------------------- */

int cli_validate(const cli_job *job, char *err, size_t errn)
{
    if (!job->n_params)
        return usage_err(err, errn, "no parameters (use --float, --int or --cat)");
    if (!job->n_command)
        return usage_err(err, errn, "no command (give it after --, or 'command' in a spec)");
    for (size_t i = 0; i < job->n_params; i++)
        for (size_t b = 0; cli_builtins[b]; b++)
            if (!strcmp(job->params[i].name, cli_builtins[b]))
                return usage_err(err, errn, "'%s' is a built-in placeholder; name the parameter "
                                 "otherwise", cli_builtins[b]);
    for (size_t i = 0; i < job->n_params; i++)
        for (size_t j = 0; j < i; j++) {
            char *a = cli_env_name(job->params[i].name), *b = cli_env_name(job->params[j].name);
            int same = !strcmp(a, b);
            free(a);
            free(b);
            if (same)
                return usage_err(err, errn,
                                 "parameters '%s' and '%s' give the same environment "
                                 "variable; rename one",
                                 job->params[j].name, job->params[i].name);
        }
    if (cli_check_template(job, job->command, job->n_command, err, errn) ||
        cli_check_template(job, job->launcher, job->n_launcher, err, errn))
        return -1;
    cli_metrics m;
    if (cli_metrics_compile(&m, job->metric, job->report_metric, err, errn))
        return -1;
    cli_metrics_free(&m);
    return cli_validate_measures(job, err, errn);
}

hpt_space *cli_make_space(const cli_job *job, char *err, size_t errn)
{
    hpt_space *sp = NULL;
    if (hpt_space_create(&sp)) {
        usage_err(err, errn, "%s", hpt_last_errmsg());
        return NULL;
    }
    for (size_t i = 0; i < job->n_params; i++) {
        const cli_param *p = &job->params[i];
        int rc;
        if (p->type == HPT_PARAM_FLOAT)
            rc = hpt_space_add_float(sp, p->name, p->lo, p->hi, p->scale);
        else if (p->type == HPT_PARAM_INT)
            rc = hpt_space_add_int(sp, p->name, (int64_t)p->lo, (int64_t)p->hi, p->scale);
        else
            rc = hpt_space_add_categorical(sp, p->name, (const char *const *)p->choices,
                                           p->n_choices);
        if (rc) {
            usage_err(err, errn, "parameter '%s': %s", p->name, hpt_last_errmsg());
            hpt_space_destroy(sp);
            return NULL;
        }
    }
    return sp;
}
