/* list_options.c -- `hpt-tune --list-options [--strategy NAME] [--pruner
 * NAME]`: the options a study of that strategy (and pruner) accepts, read
 * from the library's own table, so the list can never drift from what
 * --option NAME=VALUE takes. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hpt_tune.h"

static void fmt(char *buf, size_t n, double x) { snprintf(buf, n, "%.6g", x); }

/* 1 when x is a number of at most 15 significant digits. */
static int short_number(double x)
{
    char b[32];
    if (x != 0 && fabs(x) < DBL_MIN)
        return 0; /* subnormal: the first double above 0 */
    snprintf(b, sizeof b, "%.15g", x);
    return strtod(b, NULL) == x;
}

/* 1 when lo is the first double above a short number (an open range such as
 * (1, 1e6]: the library reports its smallest accepted value). */
static int open_below(double lo, double *edge)
{
    *edge = nextafter(lo, -INFINITY);
    return !short_number(lo) && short_number(*edge);
}

static void range(char *buf, size_t n, int32_t kind, double lo, double hi)
{
    char a[32], b[32];
    double edge;
    int open = open_below(lo, &edge);
    fmt(a, sizeof a, open ? edge : lo);
    fmt(b, sizeof b, hi);
    if (kind == HPT_OPTION_BOOL)
        snprintf(buf, n, "0 or 1");
    else if (kind == HPT_OPTION_INT)
        snprintf(buf, n, "%.16g..%.16g", lo, hi); /* integers: exact */
    else if (lo == -DBL_MAX && hi == DBL_MAX)
        snprintf(buf, n, "finite");
    else if (hi == DBL_MAX)
        snprintf(buf, n, "%s %s", open ? ">" : ">=", a);
    else
        snprintf(buf, n, "%c%s, %s]", open ? '(' : '[', a, b);
}

static void choices(char *buf, size_t n, const hpt_study *st, size_t i)
{
    const char *c;
    size_t len = 0;
    buf[0] = '\0';
    for (size_t j = 0; len < n && hpt_study_option_choice(st, i, j, &c) == HPT_OK; j++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", j ? "|" : "", c);
}

static int print_table(FILE *f, const hpt_study *st)
{
    size_t n;
    if (hpt_study_option_count(st, &n))
        return -1;
    fprintf(f, "%-28s %-7s %-10s %s\n", "option", "kind", "default", "values");
    for (size_t i = 0; i < n; i++) {
        static const char *const kinds[] = {"int", "real", "bool", "string"};
        const char *name, *sdef = NULL;
        int32_t kind;
        double lo, hi, def;
        char vals[256], dflt[32];
        if (hpt_study_option_info(st, i, &name, &kind, &lo, &hi, &def))
            return -1;
        if (kind == HPT_OPTION_STRING) {
            choices(vals, sizeof vals, st, i);
            if (hpt_study_get_str(st, name, &sdef))
                return -1;
            snprintf(dflt, sizeof dflt, "%s", sdef);
        } else {
            range(vals, sizeof vals, kind, lo, hi);
            if (isnan(def))
                snprintf(dflt, sizeof dflt, "unset");
            else
                fmt(dflt, sizeof dflt, def);
        }
        fprintf(f, "%-28s %-7s %-10s %s\n", name,
                kind >= 0 && kind <= HPT_OPTION_STRING ? kinds[kind] : "?", dflt, vals);
    }
    return 0;
}

int cli_list_options(FILE *f, const cli_job *job)
{
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    int rc = hpt_space_create(&sp);
    if (!rc)
        rc = hpt_space_add_float(sp, "x", 0, 1, HPT_SCALE_LINEAR);
    if (!rc)
        rc = hpt_study_create(sp, job->strategy, HPT_MINIMIZE, 0, &st);
    hpt_space_destroy(sp);
    if (rc) {
        fprintf(stderr, "hpt-tune: --list-options: %s\n", hpt_last_errmsg());
        return CLI_EXIT_USAGE;
    }
    /* Only the pruner matters (it adds its options); the last one given wins. */
    for (size_t i = 0; i < job->n_opts && !rc; i++)
        if (strcmp(job->opt_names[i], "pruner") == 0)
            rc = hpt_study_set_str(st, "pruner", job->opt_values[i]);
    if (!rc)
        rc = print_table(f, st);
    if (rc)
        fprintf(stderr, "hpt-tune: --list-options: %s\n", hpt_study_errmsg(st));
    hpt_study_destroy(st);
    return rc ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}
