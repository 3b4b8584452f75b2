/* objectives.c -- several objectives and constraints per trial:
 *
 *   --objective NAME=REGEX[:min|max]   an objective (minimized unless :max),
 *                                      in place of --metric and --direction;
 *                                      repeat for several (at most 8)
 *   --constraint NAME=REGEX            a black-box constraint: the trial is
 *                                      feasible when its value is <= 0
 *   --max-memory SIZE                  measure the peak resident memory of
 *                                      each trial's process tree and tell
 *                                      (peak - SIZE) in MiB as the last
 *                                      constraint, named "memory"
 *
 * Each regex reads like --metric: group 1 is the value (the whole match
 * without a group), the last matching line wins. Giving a name again
 * replaces its earlier definition (a resumed job's spec, then the command
 * line). The values go to the study through hpt_study_tell_constrained;
 * a trial lacking one of them fails with a reason naming it. */
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hpt_tune.h"

#define MIB (1024.0 * 1024.0)
#define MEMORY_NAME "memory"

int cli_job_shaped(const cli_job *job)
{
    return job->n_objectives > 0 || job->n_constraints > 0 || job->max_memory > 0;
}

static int fail(char *err, size_t errn, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errn, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errn, fmt, ap);
    va_end(ap);
    return -1;
}

/* Add or replace (same name) a measure. */
static void put(cli_measure **arr, size_t *n, const char *name, size_t name_len,
                const char *regex, size_t regex_len, int32_t dir)
{
    char *nm = cli_xstrdup(name), *re = cli_xstrdup(regex);
    nm[name_len] = '\0';
    re[regex_len] = '\0';
    size_t i = 0;
    while (i < *n && strcmp((*arr)[i].name, nm) != 0)
        i++;
    if (i == *n) {
        *arr = cli_xrealloc(*arr, (*n + 1) * sizeof **arr);
        (*n)++;
    } else {
        free((*arr)[i].name);
        free((*arr)[i].regex);
    }
    (*arr)[i] = (cli_measure){nm, re, dir};
}

int cli_apply_measures(cli_job *job, const char *n, const char *v, const char *where, char *err,
                       size_t errn)
{
    int is_obj = !strcmp(n, "objective"), is_con = !strcmp(n, "constraint");
    if (!strcmp(n, "max-memory")) {
        double b;
        if (cli_parse_size(v, &b) || !(b > 0))
            return fail(err, errn,
                        "%s: --max-memory wants a size > 0 (bytes, or with K, M, G, T), not "
                        "'%s'",
                        where, v);
        job->max_memory = b;
        return 0;
    }
    if (!is_obj && !is_con)
        return 1;
    const char *eq = strchr(v, '=');
    if (!eq || eq == v || !eq[1])
        return fail(err, errn, "%s: --%s wants NAME=REGEX%s, not '%s'", where, n,
                    is_obj ? "[:min|max]" : "", v);
    const char *re = eq + 1;
    size_t re_len = strlen(re);
    int32_t dir = HPT_MINIMIZE;
    if (is_obj) {
        static const struct {
            const char *suffix;
            int32_t dir;
        } ends[] = {{":min", HPT_MINIMIZE},
                    {":max", HPT_MAXIMIZE},
                    {":minimize", HPT_MINIMIZE},
                    {":maximize", HPT_MAXIMIZE}};
        for (size_t k = 0; k < sizeof ends / sizeof *ends; k++) {
            size_t sl = strlen(ends[k].suffix);
            if (re_len > sl && !strcmp(re + re_len - sl, ends[k].suffix)) {
                dir = ends[k].dir;
                re_len -= sl;
                break;
            }
        }
    }
    if (is_obj)
        put(&job->objectives, &job->n_objectives, v, (size_t)(eq - v), re, re_len, dir);
    else
        put(&job->constraints, &job->n_constraints, v, (size_t)(eq - v), re, re_len, dir);
    return 0;
}

/* "key value", quoted when the spec reader would not give it back as is
 * (blanks at its ends, a leading quote): args.c's rule. */
static void write_line(FILE *f, const char *key, const char *value)
{
    size_t n = strlen(value);
    if (n && (value[0] == ' ' || value[0] == '\t' || value[n - 1] == ' ' ||
              value[n - 1] == '\t' || value[0] == '\'' || value[0] == '"')) {
        char *q = cli_quote_word(value);
        fprintf(f, "%s %s\n", key, q);
        free(q);
    } else
        fprintf(f, "%s %s\n", key, value);
}

void cli_print_measures(FILE *f, const cli_job *job)
{
    for (size_t i = 0; i < job->n_objectives; i++) {
        const cli_measure *o = &job->objectives[i];
        char *v = cli_xasprintf("%s=%s:%s", o->name, o->regex,
                                o->direction == HPT_MAXIMIZE ? "max" : "min");
        write_line(f, "objective", v);
        free(v);
    }
    for (size_t i = 0; i < job->n_constraints; i++) {
        char *v = cli_xasprintf("%s=%s", job->constraints[i].name, job->constraints[i].regex);
        write_line(f, "constraint", v);
        free(v);
    }
    if (job->max_memory > 0)
        fprintf(f, "max-memory %.0f\n", job->max_memory);
}

static void free_measures(cli_measure *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(m[i].name);
        free(m[i].regex);
    }
    free(m);
}

void cli_measures_free(cli_job *job)
{
    free_measures(job->objectives, job->n_objectives);
    free_measures(job->constraints, job->n_constraints);
    job->objectives = job->constraints = NULL;
    job->n_objectives = job->n_constraints = 0;
}

/* The study's number of constraints: --constraint, then memory. */
static size_t n_cons(const cli_job *job)
{
    return job->n_constraints + (job->max_memory > 0);
}

int cli_validate_measures(const cli_job *job, char *err, size_t errn)
{
    if (job->n_objectives > HPT_MAX_OBJECTIVES)
        return fail(err, errn, "%zu objectives: at most %d", job->n_objectives,
                    HPT_MAX_OBJECTIVES);
    if (n_cons(job) > HPT_MAX_CONSTRAINTS)
        return fail(err, errn, "%zu constraints%s: at most %d", n_cons(job),
                    job->max_memory > 0 ? " (with --max-memory's)" : "", HPT_MAX_CONSTRAINTS);
    size_t n = job->n_objectives + job->n_constraints;
    for (size_t i = 0; i < n; i++) {
        const char *a = i < job->n_objectives ? job->objectives[i].name
                                              : job->constraints[i - job->n_objectives].name;
        if (job->max_memory > 0 && !strcmp(a, MEMORY_NAME))
            return fail(err, errn, "'%s' is the constraint of --max-memory; name yours otherwise",
                        MEMORY_NAME);
        for (size_t j = 0; j < i; j++) {
            const char *b = j < job->n_objectives ? job->objectives[j].name
                                                  : job->constraints[j - job->n_objectives].name;
            if (!strcmp(a, b))
                return fail(err, errn, "'%s' names an objective and a constraint", a);
        }
    }
    cli_measure_re m;
    if (cli_measures_compile(&m, job, err, errn))
        return -1;
    cli_measures_free_re(&m);
    return 0;
}

int cli_apply_shape(const cli_job *job, hpt_study *study)
{
    if (!cli_job_shaped(job))
        return 0;
    int32_t dir[HPT_MAX_OBJECTIVES];
    size_t n = job->n_objectives ? job->n_objectives : 1;
    for (size_t k = 0; k < n; k++)
        dir[k] = job->n_objectives ? job->objectives[k].direction : job->direction;
    int rc = hpt_study_set_objectives(study, dir, n);
    if (!rc)
        rc = hpt_study_set_constraints(study, n_cons(job));
    if (rc) {
        fprintf(stderr, "hpt-tune: objectives and constraints: %s%s\n", hpt_study_errmsg(study),
                rc == HPT_E_STAGE ? " (a resumed job keeps the objectives and constraints it "
                                    "was started with)"
                                  : "");
        return -1;
    }
    return 0;
}

int cli_measures_compile(cli_measure_re *m, const cli_job *job, char *err, size_t errn)
{
    m->n = 0;
    size_t n = job->n_objectives + job->n_constraints;
    for (size_t i = 0; i < n && i < CLI_MAX_MEASURES; i++) {
        const cli_measure *x = i < job->n_objectives ? &job->objectives[i]
                                                     : &job->constraints[i - job->n_objectives];
        int rc = regcomp(&m->re[i], x->regex, REG_EXTENDED);
        if (rc) {
            char msg[200];
            regerror(rc, &m->re[i], msg, sizeof msg);
            regfree(&m->re[i]);
            cli_measures_free_re(m);
            return fail(err, errn, "bad regular expression of %s '%s' ('%s'): %s",
                        i < job->n_objectives ? "objective" : "constraint", x->name, x->regex,
                        msg);
        }
        m->n = i + 1;
    }
    return 0;
}

void cli_measures_free_re(cli_measure_re *m)
{
    for (size_t i = 0; i < m->n; i++)
        regfree(&m->re[i]);
    m->n = 0;
}

void cli_match_measures(const cli_measure_re *m, cli_trial *t, const char *line)
{
    for (size_t i = 0; i < m->n; i++) {
        regmatch_t g[2];
        if (regexec(&m->re[i], line, 2, g, 0) != 0)
            continue;
        const regmatch_t *w = m->re[i].re_nsub >= 1 && g[1].rm_so >= 0 ? &g[1] : &g[0];
        size_t len = (size_t)(w->rm_eo - w->rm_so);
        if (len >= sizeof t->measured[i])
            len = sizeof t->measured[i] - 1;
        memcpy(t->measured[i], line + w->rm_so, len);
        t->measured[i][len] = '\0';
        t->has_measured[i] = 1;
    }
}

/* Value i of the trial (measure i), or a reason. */
static int value_of(const cli_job *job, const cli_trial *t, size_t i, double *v, char *reason,
                    size_t n)
{
    const cli_measure *x = i < job->n_objectives ? &job->objectives[i]
                                                 : &job->constraints[i - job->n_objectives];
    const char *what = i < job->n_objectives ? "objective" : "constraint";
    if (!t->has_measured[i])
        return fail(reason, n, "no output line matched %s '%s' ('%.150s')", what, x->name,
                    x->regex);
    if (cli_parse_number(t->measured[i], v))
        return fail(reason, n, "%s '%s': '%s' is not a finite number", what, x->name,
                    t->measured[i]);
    return 0;
}

int cli_tell_measures(const cli_job *job, hpt_study *study, const cli_trial *t, char *reason,
                      size_t n)
{
    double v[HPT_MAX_OBJECTIVES], c[HPT_MAX_CONSTRAINTS];
    size_t no = job->n_objectives ? job->n_objectives : 1, nc = n_cons(job);
    /* a missing value is the trial's failure (reason set), not the job's */
    if (!job->n_objectives && !t->has_objective) {
        fail(reason, n, "no output line matched --metric '%.180s'", job->metric);
        return HPT_OK;
    }
    if (!job->n_objectives && cli_parse_number(t->objective, &v[0])) {
        fail(reason, n, "metric '%.100s' is not a finite number", t->objective);
        return HPT_OK;
    }
    for (size_t k = 0; k < job->n_objectives; k++)
        if (value_of(job, t, k, &v[k], reason, n))
            return HPT_OK;
    for (size_t j = 0; j < job->n_constraints; j++)
        if (value_of(job, t, job->n_objectives + j, &c[j], reason, n))
            return HPT_OK;
    if (job->max_memory > 0)
        c[nc - 1] = (t->peak_rss - job->max_memory) / MIB;
    return hpt_study_tell_constrained(study, t->id, v, no, c, nc);
}

void cli_signal_reason(const cli_job *job, const cli_trial *t, char *reason, size_t n)
{
    if (t->code == SIGKILL) {
        /* Nobody here sent it (our kills are timeouts and stops): the
         * kernel's OOM killer, or a job scheduler's memory limit. */
        int len = snprintf(reason, n, "out of memory: killed by SIGKILL (the kernel's OOM "
                                      "killer or a memory limit)");
        if (job->max_memory > 0 && len > 0 && (size_t)len < n)
            snprintf(reason + len, n - (size_t)len, "; peak resident memory %.0f MiB",
                     t->peak_rss / MIB);
        return;
    }
    snprintf(reason, n, "killed by signal %d (%s)", t->code, strsignal(t->code));
}

/* Names of the study's values for people: the job's, or value_K /
 * constraint_J when the job does not say (a journal read on its own). */
static void value_name(char *buf, size_t n, const cli_job *job, size_t no, size_t k, int con)
{
    if (!con && job->n_objectives == no)
        snprintf(buf, n, "%s", job->objectives[k].name);
    else if (!con && no == 1)
        snprintf(buf, n, "value");
    else if (con && k < job->n_constraints)
        snprintf(buf, n, "%s", job->constraints[k].name);
    else if (con && job->max_memory > 0 && k == job->n_constraints)
        snprintf(buf, n, MEMORY_NAME);
    else
        snprintf(buf, n, "%s_%zu", con ? "constraint" : "value", k);
}

static void fmt(char *buf, size_t n, double x)
{
    if (cli_digits > 0)
        snprintf(buf, n, "%.*g", cli_digits, x);
    else
        cli_fmt_double(buf, n, x);
}

void cli_format_measures(char *buf, size_t n, const cli_job *job, const hpt_study *study,
                         int64_t id)
{
    size_t no = 1, nc = 0, len = 0;
    buf[0] = '\0';
    hpt_study_objectives(study, NULL, 0, &no, &nc);
    double v[HPT_MAX_OBJECTIVES], c[HPT_MAX_CONSTRAINTS];
    int have_v = hpt_trial_values(study, id, v, no) == HPT_OK;
    int have_c = nc && hpt_trial_constraints(study, id, c, nc) == HPT_OK;
    for (size_t i = 0; i < no + nc; i++) {
        char name[80], num[40] = "-";
        int con = i >= no;
        value_name(name, sizeof name, job, no, con ? i - no : i, con);
        double x = con ? c[i - no] : v[i];
        if ((con ? have_c : have_v) && !isnan(x))
            fmt(num, sizeof num, x);
        int w = snprintf(buf + len, n - len, "%s%s=%s", len ? " " : "", name, num);
        if (w < 0 || (size_t)w >= n - len)
            return;
        len += (size_t)w;
    }
    int32_t feasible;
    if (nc && hpt_trial_feasible(study, id, &feasible) == HPT_OK)
        snprintf(buf + len, n - len, " %s", feasible ? "feasible" : "infeasible");
}

int cli_print_front(FILE *f, const cli_job *job, const hpt_study *study)
{
    size_t no = 1, k = 0;
    hpt_study_objectives(study, NULL, 0, &no, NULL);
    if (no < 2)
        return 0;
    hpt_study_pareto(study, NULL, 0, &k);
    int64_t *ids = cli_xmalloc((k ? k : 1) * sizeof *ids);
    if (hpt_study_pareto(study, ids, k, &k) != HPT_OK)
        k = 0;
    if (!k)
        fputs("front: none (no feasible trial completed)\n", f);
    else
        fprintf(f, "front: %zu trial%s (feasible, non-dominated)\n", k, k == 1 ? "" : "s");
    for (size_t i = 0; i < k; i++) {
        char values[1024], params[2048];
        cli_format_measures(values, sizeof values, job, study, ids[i]);
        cli_format_params(params, sizeof params, job, study, ids[i]);
        fprintf(f, "front: trial %lld %s %s\n", (long long)ids[i], values, params);
    }
    free(ids);
    return 1;
}
