/* failures.c -- hpt-bench-failures: how a strategy copes with failed trials.
 *
 *   hpt-bench-failures [--strategy bayes] [--budget 100] [--seeds 10]
 *
 * Each scenario is a bench function with a rule that makes some trials
 * fail (hpt_study_tell_failed); the table gives, over the seeds, the
 * regret after the budget (median, 75th percentile, worst), how many
 * seeds end above 0.1, and the median number of failed trials:
 *
 *   region  branin_fail's own failure region (a third of the box, away
 *           from the minimizers);
 *   budget  a failure when the unit coordinates sum above a bound, as a
 *           memory limit that grows with every size parameter: most of
 *           the box fails, and the global minimizer lies just inside the
 *           bound (branin's other two minimizers are outside it);
 *   crash   a failure at random (a hash of the point and the seed) with
 *           probability 0.3, nowhere more likely than elsewhere. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "functions.h"
#include "hpt.h"
#include "util.h"

typedef struct {
    const char *func, *rule;
    double arg;
} scenario;

static const scenario scenarios[] = {
    {"branin_fail", "region", 0.0}, {"branin", "budget", 0.9},  {"hartmann3", "budget", 1.6},
    {"hartmann6", "budget", 2.3},   {"branin", "crash", 0.3},   {"hartmann6", "crash", 0.3},
};
#define N_SCEN (sizeof scenarios / sizeof scenarios[0])

/* a uniform number in [0, 1) from the point's bits and the seed */
static double hash01(const double *x, int32_t d, uint64_t seed)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ seed;
    for (int32_t j = 0; j < d; j++) {
        uint64_t b;
        memcpy(&b, &x[j], sizeof b);
        h = (h ^ b) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 31;
    }
    return (double)(h >> 11) * 0x1p-53;
}

static int fails(const scenario *sc, int32_t f, const double *x, const double *lo,
                 const double *hi, uint64_t seed)
{
    int32_t d = hptb_function_dim(f);
    if (!strcmp(sc->rule, "crash"))
        return hash01(x, d, seed) < sc->arg;
    if (!strcmp(sc->rule, "budget")) {
        double s = 0.0;
        for (int32_t j = 0; j < d; j++)
            s += (x[j] - lo[j]) / (hi[j] - lo[j]);
        return s > sc->arg;
    }
    double y;
    return hptb_function_eval(f, x, &y) == HPTB_FAILED;
}

/* one study; returns 0 and the regret and failure count, or -1 */
static int run(const scenario *sc, const char *strategy, uint64_t seed, int budget,
               double *regret, int *n_failed)
{
    int32_t f = hptb_function_find(sc->func);
    int32_t d = hptb_function_dim(f);
    double lo[16], hi[16], x[16], best = INFINITY;
    hptb_function_bounds(f, lo, hi);
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    int rc = hpt_space_create(&sp);
    for (int32_t j = 0; rc == HPT_OK && j < d; j++) {
        char name[16];
        snprintf(name, sizeof name, "x%d", (int)j);
        rc = hpt_space_add_float(sp, name, lo[j], hi[j], HPT_SCALE_LINEAR);
    }
    if (rc == HPT_OK)
        rc = hpt_study_create(sp, strategy, HPT_MINIMIZE, seed, &st);
    hpt_space_destroy(sp);
    *n_failed = 0;
    for (int i = 0; rc == HPT_OK && i < budget; i++) {
        int64_t id;
        if ((rc = hpt_study_ask(st, &id)) != HPT_OK ||
            (rc = hpt_trial_params(st, id, x, (size_t)d)) != HPT_OK)
            break;
        if (fails(sc, f, x, lo, hi, seed)) {
            ++*n_failed;
            rc = hpt_study_tell_failed(st, id, "scenario");
        } else {
            double y;
            hptb_function_eval(f, x, &y);
            best = y < best ? y : best;
            rc = hpt_study_tell(st, id, y);
        }
    }
    if (rc != HPT_OK && rc != HPT_DONE)
        fprintf(stderr, "hpt-bench-failures: %s/%s seed %llu: %s\n", sc->func, sc->rule,
                (unsigned long long)seed, st ? hpt_study_errmsg(st) : hpt_last_errmsg());
    hpt_study_destroy(st);
    *regret = best - hptb_function_optimum(f);
    return rc == HPT_OK || rc == HPT_DONE ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *strategy = "bayes";
    int budget = 100, seeds = 10;
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--strategy") && a + 1 < argc)
            strategy = argv[++a];
        else if (!strcmp(argv[a], "--budget") && a + 1 < argc)
            budget = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--seeds") && a + 1 < argc)
            seeds = atoi(argv[++a]);
        else {
            fputs("usage: hpt-bench-failures [--strategy S] [--budget N] [--seeds K]\n", stderr);
            return 2;
        }
    }
    if (budget < 1 || seeds < 1) {
        fputs("hpt-bench-failures: --budget and --seeds must be positive\n", stderr);
        return 2;
    }
    double *reg = malloc((size_t)seeds * sizeof *reg), *nf = malloc((size_t)seeds * sizeof *nf);
    if (!reg || !nf)
        return 1;
    printf("%s, %d evaluations, seeds 0..%d\n\n", strategy, budget, seeds - 1);
    printf("| function | rule | regret median | 75%% | worst | seeds > 0.1 | failed (median) |\n");
    printf("|---|---|---|---|---|---|---|\n");
    for (size_t s = 0; s < N_SCEN; s++) {
        const scenario *sc = &scenarios[s];
        int above = 0;
        for (int k = 0; k < seeds; k++) {
            int n;
            if (run(sc, strategy, (uint64_t)k, budget, &reg[k], &n))
                return 1;
            nf[k] = n;
            above += reg[k] > 0.1;
        }
        double worst = reg[0];
        for (int k = 1; k < seeds; k++)
            worst = reg[k] > worst ? reg[k] : worst;
        char rule[32];
        snprintf(rule, sizeof rule, "%s %g", sc->rule, sc->arg);
        printf("| %s | %s | %.3g | %.3g | %.3g | %d | %.0f |\n", sc->func,
               strcmp(sc->rule, "region") ? rule : "region", hptb_quantile(reg, (size_t)seeds, 0.5),
               hptb_quantile(reg, (size_t)seeds, 0.75), worst, above,
               hptb_quantile(nf, (size_t)seeds, 0.5));
        fflush(stdout);
    }
    free(reg);
    free(nf);
    return 0;
}
