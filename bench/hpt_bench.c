/* hpt_bench.c -- build/hpt-bench: every strategy on every test function.
 *
 *   hpt-bench [--functions a,b|all] [--strategies x,y|all] [--budget N]
 *             [--seeds K] [--seed0 S] [--json FILE] [--option NAME=VALUE]...
 *             [--batch B] [--quiet]
 *
 * For each function x strategy x seed (seeds S .. S+K-1) it runs one study
 * of N evaluations through the public API (include/hpt.h) only, recording
 * after every evaluation the best-so-far value and the time hpt_study_ask
 * took. It prints a Markdown table (median and interquartile range over
 * seeds of the best-so-far regret at 10/25/50/100 evaluations, median ask
 * latency) and, with --json, the raw curves:
 *
 *   {"schema":1,"machine":{...},"runs":[{"function":..,"strategy":..,
 *    "seed":..,"evaluations":N,"best_so_far":[N],"ask_seconds":[N]}]}
 *
 * best_so_far[i] is the exact (noise-free) value of the incumbent after
 * i+1 evaluations, the incumbent being the configuration with the best
 * observed value; null while no evaluation has succeeded yet. Failed
 * evaluations (a function's failure region) are told with
 * hpt_study_tell_failed and count as evaluations. A study that ends early
 * (grid exhausted) has fewer than N evaluations; the table then carries its
 * final value forward. Grid is sized to the budget: grid.points =
 * ceil((N / discrete configurations)^(1 / float parameters)), at least 2,
 * and visited in shuffled order (grid.shuffle = 1), so that every seed is a
 * different sample of the grid.
 *
 * --batch B (default 1) runs the studies in rounds of B parallel
 * suggestions: B asks, then the B evaluations are told in ask order (the
 * scikit-learn protocol's 16 x 8 is --batch 8). The table then adds how
 * diverse the rounds were, over the rounds of the second half of each run
 * (past the initial design): the median of a round's smallest pairwise
 * distance, and the share of a round's pairs closer than 0.01, distances
 * being root-mean-square differences per coordinate in the unit cube
 * (log-scaled parameters in log units, a categorical 0 or 1).
 *
 * Progress goes to stderr only when it is a terminal. Exit status 0, or 2
 * for bad usage (unknown function or strategy), 1 for a library error. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "functions.h"
#include "hpt.h"
#include "util.h"

#define MAX_LIST 64
#define MAX_OPTIONS 32
#define NOISE_KEY_STRIDE 1000003ULL /* key = seed * stride + evaluation */

typedef struct {
    int32_t func;
    const char *strategy;
    uint64_t seed;
    size_t n;             /* evaluations done */
    double *best;         /* n values, NaN = none yet */
    double *ask;          /* n seconds */
    double *round_min;    /* batch mode: per round, smallest pairwise distance */
    size_t n_rounds;
    size_t close_pairs, pairs; /* second half: pairs closer than CLOSE / all */
} run_result;

#define MAX_BATCH 64
#define CLOSE 0.01

typedef struct {
    char *name;
    double value;
} option;

static void usage(FILE *f)
{
    fputs("usage: hpt-bench [--functions a,b|all] [--strategies x,y|all] [--budget N]\n"
          "                 [--seeds K] [--seed0 S] [--json FILE]\n"
          "                 [--option NAME=VALUE]... [--batch B] [--quiet] [--list]\n",
          f);
}

static void list_all(FILE *f)
{
    fputs("functions:", f);
    for (int32_t i = 0; i < hptb_function_count(); i++)
        fprintf(f, " %s", hptb_function_name(i));
    fputs("\nstrategies:", f);
    const char *name;
    for (size_t i = 0; hpt_strategy_name(i, &name) == HPT_OK; i++)
        fprintf(f, " %s", name);
    fputc('\n', f);
}

/* The function's parameters as an hpt space (same order as x). */
static int make_space(int32_t f, hpt_space **out)
{
    hpt_space *sp = NULL;
    int rc = hpt_space_create(&sp);
    for (int32_t j = 0; rc == HPT_OK && j < hptb_function_dim(f); j++) {
        int32_t type, lg;
        double lo, hi;
        hptb_function_param(f, j, &type, &lg, &lo, &hi);
        const char *pname = hptb_function_param_name(f, j);
        if (type == HPTB_FLOAT) {
            rc = hpt_space_add_float(sp, pname, lo, hi, lg ? HPT_SCALE_LOG : HPT_SCALE_LINEAR);
        } else if (type == HPTB_INT) {
            rc = hpt_space_add_int(sp, pname, (int64_t)lo, (int64_t)hi,
                                   lg ? HPT_SCALE_LOG : HPT_SCALE_LINEAR);
        } else {
            const char *choices[16];
            size_t n = (size_t)hi + 1;
            for (size_t k = 0; k < n && k < 16; k++)
                choices[k] = hptb_function_choice_name(f, j, (int32_t)k);
            rc = hpt_space_add_categorical(sp, pname, choices, n);
        }
    }
    if (rc != HPT_OK) {
        hpt_space_destroy(sp);
        return rc;
    }
    *out = sp;
    return HPT_OK;
}

/* grid.points such that the grid holds at least `budget` configurations. */
static double grid_points(int32_t f, size_t budget)
{
    double discrete = 1;
    int floats = 0;
    for (int32_t j = 0; j < hptb_function_dim(f); j++) {
        int32_t type;
        double lo, hi;
        hptb_function_param(f, j, &type, NULL, &lo, &hi);
        if (type == HPTB_FLOAT)
            floats++;
        else
            discrete *= hi - lo + 1;
    }
    if (floats == 0)
        return 2;
    double p = ceil(pow((double)budget / discrete, 1.0 / floats) - 1e-9);
    return p < 2 ? 2 : p;
}

/* Apply --option NAME=VALUE: names "<strategy>.<key>" only to that strategy,
 * names without a dot to every study. */
static int apply_options(hpt_study *st, const char *strategy, const option *opt,
                         size_t n_opt)
{
    size_t sl = strlen(strategy);
    for (size_t i = 0; i < n_opt; i++) {
        const char *dot = strchr(opt[i].name, '.');
        if (dot && ((size_t)(dot - opt[i].name) != sl || strncmp(opt[i].name, strategy, sl)))
            continue;
        int rc = hpt_study_set(st, opt[i].name, opt[i].value);
        if (rc != HPT_OK) {
            fprintf(stderr, "hpt-bench: option %s=%g: %s\n", opt[i].name, opt[i].value,
                    hpt_study_errmsg(st));
            return rc;
        }
    }
    return HPT_OK;
}

/* x (the function's parameters) in unit coordinates, for distances. */
static void to_unit(int32_t f, const double *x, double *u)
{
    for (int32_t j = 0; j < hptb_function_dim(f); j++) {
        int32_t type, lg;
        double lo, hi, v = x[j];
        hptb_function_param(f, j, &type, &lg, &lo, &hi);
        if (lg) {
            v = log(v);
            lo = log(lo);
            hi = log(hi);
        }
        u[j] = hi > lo ? (v - lo) / (hi - lo) : 0.0;
    }
}

/* Root-mean-square coordinate difference (categoricals: 0 or 1). */
static double unit_dist(int32_t f, const double *a, const double *b)
{
    size_t d = (size_t)hptb_function_dim(f);
    double s = 0;
    for (size_t j = 0; j < d; j++) {
        int32_t type;
        hptb_function_param(f, (int32_t)j, &type, NULL, NULL, NULL);
        double t = type == HPTB_CATEGORICAL ? (a[j] != b[j]) : a[j] - b[j];
        s += t * t;
    }
    return sqrt(s / (double)d);
}

/* A round's diversity into r (batch mode, header). */
static void record_round(run_result *r, const double *U, size_t k, size_t budget, size_t batch)
{
    if (k < 2)
        return;
    size_t d = (size_t)hptb_function_dim(r->func);
    double lo = INFINITY;
    size_t close = 0;
    for (size_t i = 0; i < k; i++)
        for (size_t j = i + 1; j < k; j++) {
            double t = unit_dist(r->func, U + i * d, U + j * d);
            lo = t < lo ? t : lo;
            close += t < CLOSE;
        }
    /* second half of the run only: the rounds the model proposed */
    if (r->n < budget / 2 || r->n_rounds >= budget / batch + 1)
        return;
    r->round_min[r->n_rounds++] = lo;
    r->close_pairs += close;
    r->pairs += k * (k - 1) / 2;
}

static int run_one(run_result *r, size_t budget, size_t batch, const option *opt,
                   size_t n_opt)
{
    int32_t f = r->func;
    size_t dim = (size_t)hptb_function_dim(f);
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    double x[MAX_BATCH][16], U[MAX_BATCH * 16];
    int64_t ids[MAX_BATCH];
    int rc = make_space(f, &sp);
    if (rc == HPT_OK)
        rc = hpt_study_create(sp, r->strategy, HPT_MINIMIZE, r->seed, &st);
    hpt_space_destroy(sp);
    if (rc != HPT_OK) {
        fprintf(stderr, "hpt-bench: %s on %s: %s\n", r->strategy, hptb_function_name(f),
                hpt_last_errmsg());
        return rc;
    }
    rc = hpt_study_set(st, "max_trials", (double)budget);
    if (rc == HPT_OK && strcmp(r->strategy, "grid") == 0) {
        rc = hpt_study_set(st, "grid.points", grid_points(f, budget));
        if (rc == HPT_OK)
            rc = hpt_study_set(st, "grid.shuffle", 1);
    }
    if (rc == HPT_OK)
        rc = apply_options(st, r->strategy, opt, n_opt);
    r->best = malloc(budget * sizeof *r->best);
    r->ask = malloc(budget * sizeof *r->ask);
    r->round_min = malloc((budget / batch + 1) * sizeof *r->round_min);
    if (!r->best || !r->ask || !r->round_min) {
        fputs("hpt-bench: out of memory\n", stderr);
        rc = HPT_E_NOMEM;
    }
    double best_obs = INFINITY, best_true = NAN;
    int done = 0;
    while (rc == HPT_OK && !done && r->n < budget) {
        size_t k = 0, want = budget - r->n < batch ? budget - r->n : batch;
        double dts[MAX_BATCH];
        while (k < want) {
            double t0 = hptb_now();
            int arc = hpt_study_ask(st, &ids[k]);
            dts[k] = hptb_now() - t0;
            if (arc == HPT_DONE || (arc == HPT_WAIT && k > 0)) {
                done = arc == HPT_DONE;
                break;
            }
            if (arc != HPT_OK) {
                /* HPT_WAIT with nothing running cannot be resolved here */
                fprintf(stderr, "hpt-bench: %s on %s seed %llu: ask returned %d (%s): %s\n",
                        r->strategy, hptb_function_name(f), (unsigned long long)r->seed,
                        arc, hpt_strerror(arc), hpt_study_errmsg(st));
                rc = arc < 0 ? arc : HPT_E_STAGE;
                break;
            }
            rc = hpt_trial_params(st, ids[k], x[k], dim);
            if (rc != HPT_OK)
                break;
            to_unit(f, x[k], U + k * dim);
            k++;
        }
        if (rc == HPT_OK && batch > 1)
            record_round(r, U, k, budget, batch);
        for (size_t b = 0; rc == HPT_OK && b < k; b++) {
            double y;
            int32_t ev = hptb_function_eval_noisy(f, x[b], r->seed * NOISE_KEY_STRIDE + r->n,
                                                  &y);
            if (ev == HPTB_FAILED) {
                rc = hpt_study_tell_failed(st, ids[b], "failure region");
            } else if (ev == HPTB_OK) {
                rc = hpt_study_tell(st, ids[b], y);
                if (y < best_obs) {
                    best_obs = y;
                    hptb_function_eval(f, x[b], &best_true);
                }
            } else {
                fprintf(stderr, "hpt-bench: %s proposed a point outside %s's domain\n",
                        r->strategy, hptb_function_name(f));
                rc = HPT_E_INVALID;
            }
            if (rc != HPT_OK && ev != HPTB_E_INVALID)
                fprintf(stderr, "hpt-bench: tell: %s\n", hpt_study_errmsg(st));
            r->best[r->n] = best_true;
            r->ask[r->n] = dts[b];
            r->n++;
        }
    }
    hpt_study_destroy(st);
    return rc;
}

/* Regret of run r after `k` evaluations (its last value when it ended
 * earlier); +inf while it has no value. */
static double regret_at(const run_result *r, size_t k)
{
    if (r->n == 0)
        return INFINITY;
    size_t i = (k < r->n ? k : r->n) - 1;
    double b = r->best[i];
    return isnan(b) ? INFINITY : b - hptb_function_optimum(r->func);
}

static void print_table(const run_result *runs, size_t n_runs, size_t n_seeds, size_t budget,
                        size_t batch)
{
    size_t checks[5], n_checks = 0;
    static const size_t want[] = {10, 25, 50, 100};
    for (size_t i = 0; i < 4; i++)
        if (want[i] <= budget)
            checks[n_checks++] = want[i];
    if (n_checks == 0 || checks[n_checks - 1] != budget)
        checks[n_checks++] = budget;

    printf("| function | strategy |");
    for (size_t c = 0; c < n_checks; c++)
        printf(" regret@%zu |", checks[c]);
    printf(" ask median (µs) |");
    if (batch > 1)
        printf(" round min dist | pairs < %g |", CLOSE);
    printf("\n|---|---|");
    for (size_t c = 0; c < n_checks; c++)
        printf("---|");
    printf(batch > 1 ? "---|---|---|\n" : "---|\n");

    double *v = malloc((n_seeds > 0 ? n_seeds : 1) * sizeof *v);
    double *a = malloc((n_seeds * budget > 0 ? n_seeds * budget : 1) * sizeof *a);
    if (!v || !a) {
        free(v);
        free(a);
        return;
    }
    /* Runs are stored function-major, then strategy, then seed. */
    for (size_t g = 0; g + n_seeds <= n_runs; g += n_seeds) {
        const run_result *grp = &runs[g];
        printf("| %s | %s |", hptb_function_name(grp->func), grp->strategy);
        for (size_t c = 0; c < n_checks; c++) {
            for (size_t s = 0; s < n_seeds; s++)
                v[s] = regret_at(&grp[s], checks[c]);
            double q1 = hptb_quantile(v, n_seeds, 0.25), med = hptb_quantile(v, n_seeds, 0.5),
                   q3 = hptb_quantile(v, n_seeds, 0.75);
            printf(" %.3g [%.3g, %.3g] |", med, q1, q3);
        }
        size_t na = 0;
        for (size_t s = 0; s < n_seeds; s++)
            for (size_t i = 0; i < grp[s].n; i++)
                a[na++] = grp[s].ask[i];
        printf(" %.2f |", 1e6 * hptb_quantile(a, na, 0.5));
        if (batch > 1) {
            size_t nr = 0, close = 0, pairs = 0;
            for (size_t s = 0; s < n_seeds; s++) {
                for (size_t i = 0; i < grp[s].n_rounds && nr < n_seeds * budget; i++)
                    a[nr++] = grp[s].round_min[i];
                close += grp[s].close_pairs;
                pairs += grp[s].pairs;
            }
            printf(" %.3g | %.1f%% |", nr ? hptb_quantile(a, nr, 0.5) : NAN,
                   pairs ? 100.0 * (double)close / (double)pairs : 0.0);
        }
        printf("\n");
    }
    free(v);
    free(a);
}

static int write_json(const char *path, const run_result *runs, size_t n_runs)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return -1;
    }
    fputs("{\"schema\":1,\"machine\":", f);
    hptb_json_machine(f);
    fputs(",\"runs\":[", f);
    for (size_t r = 0; r < n_runs; r++) {
        const run_result *x = &runs[r];
        fprintf(f, "%s\n{\"function\":\"%s\",\"strategy\":\"%s\",\"seed\":%llu,"
                   "\"evaluations\":%zu,\"best_so_far\":[",
                r ? "," : "", hptb_function_name(x->func), x->strategy,
                (unsigned long long)x->seed, x->n);
        for (size_t i = 0; i < x->n; i++) {
            if (i)
                fputc(',', f);
            hptb_json_number(f, x->best[i]);
        }
        fputs("],\"ask_seconds\":[", f);
        for (size_t i = 0; i < x->n; i++) {
            if (i)
                fputc(',', f);
            hptb_json_number(f, x->ask[i]);
        }
        fputs("]}", f);
    }
    fputs("\n]}\n", f);
    if (fclose(f) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

static int parse_count(const char *s, const char *what, unsigned long long max,
                       unsigned long long *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s == '-' || *end || end == s || v > max) {
        fprintf(stderr, "hpt-bench: %s must be an integer in 0..%llu, not '%s'\n", what, max,
                s);
        return -1;
    }
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    char *funcs_arg = NULL, *strats_arg = NULL;
    const char *json = NULL;
    unsigned long long budget = 100, n_seeds = 10, seed0 = 0, batch = 1;
    option opts[MAX_OPTIONS];
    size_t n_opt = 0;
    int quiet = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--list")) {
            list_all(stdout);
            return 0;
        } else if (!strcmp(a, "--quiet")) {
            quiet = 1;
            takes = 0;
        } else if (!val) {
            usage(stderr);
            return 2;
        } else if (!strcmp(a, "--functions")) {
            funcs_arg = argv[i + 1];
        } else if (!strcmp(a, "--strategies")) {
            strats_arg = argv[i + 1];
        } else if (!strcmp(a, "--json")) {
            json = val;
        } else if (!strcmp(a, "--budget")) {
            if (parse_count(val, "--budget", 1000000, &budget) || budget == 0)
                return 2;
        } else if (!strcmp(a, "--seeds")) {
            if (parse_count(val, "--seeds", 100000, &n_seeds) || n_seeds == 0)
                return 2;
        } else if (!strcmp(a, "--batch")) {
            if (parse_count(val, "--batch", MAX_BATCH, &batch) || batch == 0)
                return 2;
        } else if (!strcmp(a, "--seed0")) {
            if (parse_count(val, "--seed0", UINT64_MAX / NOISE_KEY_STRIDE / 2, &seed0))
                return 2;
        } else if (!strcmp(a, "--option")) {
            char *eq = strchr(argv[i + 1], '=');
            char *end = NULL;
            if (!eq || n_opt == MAX_OPTIONS) {
                fprintf(stderr, "hpt-bench: --option wants NAME=VALUE\n");
                return 2;
            }
            *eq = 0;
            opts[n_opt].name = argv[i + 1];
            opts[n_opt].value = strtod(eq + 1, &end);
            if (*end || end == eq + 1) {
                fprintf(stderr, "hpt-bench: --option %s: '%s' is not a number\n",
                        argv[i + 1], eq + 1);
                return 2;
            }
            n_opt++;
        } else {
            fprintf(stderr, "hpt-bench: unknown argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
        i += takes;
    }

    int32_t funcs[MAX_LIST];
    const char *strats[MAX_LIST];
    size_t n_funcs = 0, n_strats = 0;
    char *tok[MAX_LIST];
    if (!funcs_arg || !strcmp(funcs_arg, "all")) {
        for (int32_t i = 0; i < hptb_function_count() && n_funcs < MAX_LIST; i++)
            funcs[n_funcs++] = i;
    } else {
        size_t n = hptb_split(funcs_arg, tok, MAX_LIST);
        for (size_t i = 0; i < n; i++) {
            int32_t f = hptb_function_find(tok[i]);
            if (f < 0) {
                fprintf(stderr, "hpt-bench: unknown function '%s'\n", tok[i]);
                list_all(stderr);
                return 2;
            }
            funcs[n_funcs++] = f;
        }
    }
    if (!strats_arg || !strcmp(strats_arg, "all")) {
        const char *name;
        for (size_t i = 0; hpt_strategy_name(i, &name) == HPT_OK && n_strats < MAX_LIST; i++)
            strats[n_strats++] = name;
    } else {
        size_t n = hptb_split(strats_arg, tok, MAX_LIST);
        for (size_t i = 0; i < n; i++) {
            if (!hptb_strategy_known(tok[i])) {
                fprintf(stderr, "hpt-bench: this libhpt has no strategy '%s'\n", tok[i]);
                list_all(stderr);
                return 2;
            }
            strats[n_strats++] = tok[i];
        }
    }
    if (n_funcs == 0 || n_strats == 0) {
        fputs("hpt-bench: nothing to run\n", stderr);
        return 2;
    }

    size_t n_runs = n_funcs * n_strats * (size_t)n_seeds;
    run_result *runs = calloc(n_runs, sizeof *runs);
    if (!runs) {
        fputs("hpt-bench: out of memory\n", stderr);
        return 1;
    }
    int progress = !quiet && isatty(STDERR_FILENO);
    int status = 0;
    size_t k = 0;
    for (size_t fi = 0; fi < n_funcs; fi++)
        for (size_t si = 0; si < n_strats; si++)
            for (size_t s = 0; s < n_seeds; s++, k++) {
                run_result *r = &runs[k];
                r->func = funcs[fi];
                r->strategy = strats[si];
                r->seed = seed0 + s;
                if (progress)
                    fprintf(stderr, "\r[%zu/%zu] %s %s seed %llu\033[K", k + 1, n_runs,
                            hptb_function_name(r->func), r->strategy,
                            (unsigned long long)r->seed);
                if (run_one(r, (size_t)budget, (size_t)batch, opts, n_opt) != HPT_OK)
                    status = 1;
            }
    if (progress)
        fputs("\r\033[K", stderr);

    if (status == 0) {
        print_table(runs, n_runs, (size_t)n_seeds, (size_t)budget, (size_t)batch);
        if (json && write_json(json, runs, n_runs) != 0)
            status = 1;
    }
    for (size_t i = 0; i < n_runs; i++) {
        free(runs[i].best);
        free(runs[i].ask);
        free(runs[i].round_min);
    }
    free(runs);
    return status;
}
