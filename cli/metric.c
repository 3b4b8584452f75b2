/* metric.c -- metrics read from a trial's output with POSIX extended regular
 * expressions, one line at a time (like the metric definitions of managed
 * tuning services). The objective's regex captures the value in group 1
 * (the whole match when it has no group); the last matching line wins. The
 * report regex captures step and value (groups 1 and 2), or only the value
 * (group 1, the step is then the report's ordinal 1, 2, ...). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hpt_tune.h"

int cli_parse_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int compile(regex_t *re, const char *src, const char *what, char *err, size_t errn)
{
    int rc = regcomp(re, src, REG_EXTENDED);
    if (rc) {
        char msg[200];
        regerror(rc, re, msg, sizeof msg);
        regfree(re);
        snprintf(err, errn, "bad %s regular expression '%s': %s", what, src, msg);
        return -1;
    }
    return 0;
}

int cli_metrics_compile(cli_metrics *m, const char *objective, const char *report, char *err,
                        size_t errn)
{
    memset(m, 0, sizeof *m);
    if (compile(&m->objective, objective, "--metric", err, errn))
        return -1;
    if (report) {
        if (compile(&m->report, report, "--report-metric", err, errn)) {
            regfree(&m->objective);
            return -1;
        }
        if (m->report.re_nsub < 1 || m->report.re_nsub > 2) {
            snprintf(err, errn,
                     "--report-metric '%s' must have 1 group (value) or 2 groups "
                     "(step, value), it has %zu",
                     report, m->report.re_nsub);
            regfree(&m->objective);
            regfree(&m->report);
            return -1;
        }
        m->has_report = 1;
        m->report_groups = (int)m->report.re_nsub;
    }
    return 0;
}

void cli_metrics_free(cli_metrics *m)
{
    regfree(&m->objective);
    if (m->has_report)
        regfree(&m->report);
    memset(m, 0, sizeof *m);
}

static void copy_group(const char *line, const regmatch_t *g, char *out, size_t outn)
{
    size_t n = g->rm_so < 0 ? 0 : (size_t)(g->rm_eo - g->rm_so);
    if (n >= outn)
        n = outn - 1;
    memcpy(out, line + (g->rm_so < 0 ? 0 : g->rm_so), n);
    out[n] = '\0';
}

int cli_match_objective(const cli_metrics *m, const char *line, char *out, size_t outn)
{
    regmatch_t g[2];
    if (regexec(&m->objective, line, 2, g, 0) != 0)
        return 0;
    copy_group(line, m->objective.re_nsub >= 1 ? &g[1] : &g[0], out, outn);
    return 1;
}

int cli_match_report(const cli_metrics *m, const char *line, double *step, double *value)
{
    regmatch_t g[3];
    char a[128], b[128];
    if (!m->has_report || regexec(&m->report, line, 3, g, 0) != 0)
        return 0;
    if (m->report_groups == 2) {
        copy_group(line, &g[1], a, sizeof a);
        copy_group(line, &g[2], b, sizeof b);
        return cli_parse_number(a, step) || cli_parse_number(b, value) ? -1 : 1;
    }
    copy_group(line, &g[1], b, sizeof b);
    *step = NAN; /* the caller numbers it */
    return cli_parse_number(b, value) ? -1 : 1;
}
