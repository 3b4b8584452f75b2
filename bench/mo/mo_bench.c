/* mo_bench.c -- hpt-bench-mo: libhpt's side of bench/mo (compare.py).
 *
 *   hpt-bench-mo run STRATEGY PROBLEM SEED BUDGET
 *       BUDGET evaluations with strategy STRATEGY; prints one JSON line:
 *       the hypervolume of the feasible front at the problem's reference
 *       (several objectives) or the feasible regret, best feasible value
 *       minus the best known (one objective; null when nothing was
 *       feasible), the feasible count and the wall time.
 *   hpt-bench-mo eval PROBLEM X1 .. Xd
 *       the problem's objectives and constraints at X (compare.py checks
 *       its Python definitions against these).
 *   hpt-bench-mo score PROBLEM < values
 *       the same metric for evaluations made elsewhere (Optuna): one line
 *       of objectives then constraints per evaluation; the hypervolume
 *       comes from libhpt (hpt_study_hypervolume) for both sides.
 * Uses include/hpt.h only. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hpt.h"
#include "problems.h"

static int check(int rc, const char *what, hpt_study *st)
{
    if (rc < 0) {
        fprintf(stderr, "hpt-bench-mo: %s: %s (%s)\n", what, hpt_strerror(rc),
                st ? hpt_study_errmsg(st) : hpt_last_errmsg());
        exit(1);
    }
    return rc;
}

static hpt_study *make(const mo_problem *p, const char *strategy, uint64_t seed)
{
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    check(hpt_space_create(&sp), "space", NULL);
    for (size_t j = 0; j < p->dim; j++) {
        char name[24];
        snprintf(name, sizeof name, "x%zu", j);
        check(hpt_space_add_float(sp, name, p->lo[j], p->hi[j], HPT_SCALE_LINEAR), "space",
              NULL);
    }
    check(hpt_study_create(sp, strategy, HPT_MINIMIZE, seed, &st), "create", NULL);
    hpt_space_destroy(sp);
    int32_t dir[3] = {HPT_MINIMIZE, HPT_MINIMIZE, HPT_MINIMIZE};
    check(hpt_study_set_objectives(st, dir, p->n_obj), "objectives", st);
    check(hpt_study_set_constraints(st, p->n_con), "constraints", st);
    return st;
}

typedef struct {
    double best;    /* one objective: best feasible value */
    size_t feasible;
} tally;

static void tell(hpt_study *st, const mo_problem *p, int64_t id, const double *v, tally *t)
{
    check(hpt_study_tell_constrained(st, id, v, p->n_obj, v + p->n_obj, p->n_con), "tell", st);
    int feas = 1;
    for (size_t j = 0; j < p->n_con; j++)
        feas = feas && v[p->n_obj + j] <= 0.0;
    if (feas) {
        t->feasible++;
        if (v[0] < t->best)
            t->best = v[0];
    }
}

static void print_metric(hpt_study *st, const mo_problem *p, const tally *t)
{
    if (p->n_obj > 1) {
        double hv = 0.0;
        check(hpt_study_hypervolume(st, p->ref, p->n_obj, &hv), "hypervolume", st);
        printf("\"metric\": %.10g, ", hv);
    } else if (t->feasible)
        printf("\"metric\": %.10g, ", t->best - p->fstar);
    else
        printf("\"metric\": null, ");
    printf("\"feasible\": %zu", t->feasible);
}

static int run(const char *strategy, const mo_problem *p, uint64_t seed, int budget)
{
    hpt_study *st = make(p, strategy, seed);
    tally t = {INFINITY, 0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < budget; i++) {
        int64_t id;
        double x[6], v[8];
        check(hpt_study_ask(st, &id), "ask", st);
        check(hpt_trial_params(st, id, x, p->dim), "params", st);
        p->f(x, v);
        tell(st, p, id, v, &t);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("{\"problem\": \"%s\", \"sampler\": \"hpt_%s\", \"seed\": %llu, ", p->name, strategy,
           (unsigned long long)seed);
    print_metric(st, p, &t);
    printf(", \"seconds\": %.3f}\n",
           (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    hpt_study_destroy(st);
    return 0;
}

static int score(const mo_problem *p)
{
    hpt_study *st = make(p, "random", 0);
    tally t = {INFINITY, 0};
    size_t nv = p->n_obj + p->n_con;
    double v[8];
    for (;;) {
        size_t k = 0;
        while (k < nv && scanf("%lf", &v[k]) == 1)
            k++;
        if (k == 0)
            break;
        if (k != nv) {
            fprintf(stderr, "hpt-bench-mo score: %zu values on a line, want %zu\n", k, nv);
            return 1;
        }
        int64_t id;
        check(hpt_study_ask(st, &id), "ask", st);
        tell(st, p, id, v, &t);
    }
    printf("{");
    print_metric(st, p, &t);
    printf("}\n");
    hpt_study_destroy(st);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "run") == 0 && mo_problem_find(argv[3]))
        return run(argv[2], mo_problem_find(argv[3]), strtoull(argv[4], NULL, 10),
                   atoi(argv[5]));
    const mo_problem *p = argc >= 3 ? mo_problem_find(argv[2]) : NULL;
    if (argc >= 3 && strcmp(argv[1], "eval") == 0 && p && (size_t)argc == 3 + p->dim) {
        double x[6], v[8];
        for (size_t j = 0; j < p->dim; j++)
            x[j] = strtod(argv[3 + j], NULL);
        p->f(x, v);
        for (size_t k = 0; k < p->n_obj + p->n_con; k++)
            printf("%s%.17g", k ? " " : "", v[k]);
        printf("\n");
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "score") == 0 && p)
        return score(p);
    fprintf(stderr, "usage: hpt-bench-mo run STRATEGY PROBLEM SEED BUDGET\n"
                    "       hpt-bench-mo eval PROBLEM X1 .. Xd\n"
                    "       hpt-bench-mo score PROBLEM < values\n"
                    "problems:");
    for (size_t i = 0; mo_problem_at(i); i++)
        fprintf(stderr, " %s", mo_problem_at(i)->name);
    fprintf(stderr, "\n");
    return 2;
}
