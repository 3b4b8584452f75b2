/* cond_bench.c -- build/hpt-bench-cond: libhpt's strategies on the
 * conditional benchmark "net" (netfn.h).
 *
 *   hpt-bench-cond [--strategies bayes,random] [--budget N] [--seeds K]
 *
 * Seeds 0 .. K-1, N evaluations each, through the public API only. Prints
 * one JSON object per run on stdout:
 *
 *   {"strategy":..,"seed":..,"best_so_far":[N],"ask_seconds":[N]}
 *
 * best_so_far is the loss of the incumbent after each evaluation (the
 * function is deterministic). Exit status 0, 2 for bad usage, 1 for a
 * library error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hpt.h"
#include "netfn.h"

#define CHECK(call)                                                                        \
    do {                                                                                   \
        int rc_ = (call);                                                                  \
        if (rc_ < 0) {                                                                     \
            fprintf(stderr, "hpt-bench-cond: %s: %s\n", #call, hpt_last_errmsg());          \
            exit(1);                                                                       \
        }                                                                                  \
    } while (0)

static hpt_space *net_space(void)
{
    hpt_space *sp;
    static const char *opt[] = {"sgd", "adam", "rmsprop"}, *sched[] = {"constant", "cosine"};
    CHECK(hpt_space_create(&sp));
    CHECK(hpt_space_add_categorical(sp, "optimizer", opt, 3));
    CHECK(hpt_space_add_float(sp, "lr", 1e-5, 1, HPT_SCALE_LOG));
    CHECK(hpt_space_add_float(sp, "momentum", 0, 0.99, HPT_SCALE_LINEAR));
    CHECK(hpt_space_add_categorical(sp, "schedule", sched, 2));
    CHECK(hpt_space_add_float(sp, "warmup", 0, 0.3, HPT_SCALE_LINEAR));
    CHECK(hpt_space_add_float(sp, "beta1", 0.5, 0.999, HPT_SCALE_LINEAR));
    CHECK(hpt_space_add_float(sp, "beta2", 0.9, 0.9999, HPT_SCALE_LOGIT));
    CHECK(hpt_space_add_float(sp, "rho", 0.5, 0.999, HPT_SCALE_LINEAR));
    CHECK(hpt_space_add_int(sp, "layers", 1, 4, HPT_SCALE_LINEAR));
    CHECK(hpt_space_add_int(sp, "units3", 16, 512, HPT_SCALE_LOG));
    CHECK(hpt_space_add_int(sp, "batch", 16, 256, HPT_SCALE_LINEAR));
    CHECK(hpt_space_set_step(sp, "batch", 16));
    CHECK(hpt_space_add_condition(sp, "momentum", "optimizer", opt, 1));
    CHECK(hpt_space_add_condition(sp, "schedule", "optimizer", opt, 1));
    CHECK(hpt_space_add_condition(sp, "warmup", "schedule", sched + 1, 1));
    CHECK(hpt_space_add_condition(sp, "beta1", "optimizer", opt + 1, 1));
    CHECK(hpt_space_add_condition(sp, "beta2", "optimizer", opt + 1, 1));
    CHECK(hpt_space_add_condition(sp, "rho", "optimizer", opt + 2, 1));
    CHECK(hpt_space_add_condition_range(sp, "units3", "layers", 3, 4));
    return sp;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void run(const hpt_space *sp, const char *strategy, uint64_t seed, int budget)
{
    hpt_study *st;
    CHECK(hpt_study_create(sp, strategy, HPT_MINIMIZE, seed, &st));
    double best = INFINITY, x[NET_DIM];
    printf("{\"strategy\":\"%s\",\"seed\":%llu,\"best_so_far\":[", strategy,
           (unsigned long long)seed);
    double *ask = malloc((size_t)budget * sizeof *ask);
    for (int k = 0; k < budget; k++) {
        int64_t id;
        double t0 = now();
        CHECK(hpt_study_ask(st, &id));
        ask[k] = now() - t0;
        CHECK(hpt_trial_params(st, id, x, NET_DIM));
        double f = netfn_loss(x);
        CHECK(hpt_study_tell(st, id, f));
        best = f < best ? f : best;
        printf("%s%.17g", k ? "," : "", best);
    }
    printf("],\"ask_seconds\":[");
    for (int k = 0; k < budget; k++)
        printf("%s%.6g", k ? "," : "", ask[k]);
    printf("]}\n");
    fflush(stdout);
    free(ask);
    hpt_study_destroy(st);
}

int main(int argc, char **argv)
{
    char strategies[256] = "bayes,random";
    int budget = 100, seeds = 10;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--strategies") == 0 && i + 1 < argc)
            snprintf(strategies, sizeof strategies, "%s", argv[++i]);
        else if (strcmp(argv[i], "--budget") == 0 && i + 1 < argc)
            budget = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seeds") == 0 && i + 1 < argc)
            seeds = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: hpt-bench-cond [--strategies a,b] [--budget N] "
                            "[--seeds K]\n");
            return 2;
        }
    }
    if (budget < 1 || seeds < 1)
        return 2;
    hpt_space *sp = net_space();
    for (char *s = strtok(strategies, ","); s; s = strtok(NULL, ","))
        for (int seed = 0; seed < seeds; seed++)
            run(sp, s, (uint64_t)seed, budget);
    hpt_space_destroy(sp);
    return 0;
}
