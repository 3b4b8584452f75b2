/* test_blas_threads.c -- issue 15, item 1: every strategy's trials are the
 * same bits whatever OpenBLAS's thread count (the one this process started
 * with, then 1, 2 and 4, all set inside this one process) and whether the
 * host drives its studies from one thread or several at once. Compared:
 * every parameter of every trial printed with "%a", for 60-trial studies
 * on a mixed 6-D space (with pending asks and failed trials, so that the
 * fantasies and the feasibility model are exercised) and for a bayes
 * study at 1,500 observations. */
#include <cblas.h>
#include <math.h>
#include <pthread.h>

#include "testutil.h"

#define DIM 6

typedef struct {
    const char *strategy;
    const char *opt[3];
    double val[3];
    size_t trials;   /* trials asked */
    size_t batch;    /* asks made before their tells */
} spec;

static hpt_space *space6(void)
{
    static const char *const kinds[] = {"a", "b", "c"};
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x1", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "x2", -2, 2, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "lr", 1e-4, 1, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_float(sp, "x4", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_int(sp, "n", 1, 8, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(sp, "kind", kinds, 3));
    return sp;
}

/* Smooth, several local minima; fails in one corner. */
static int objective(const double *p, double budget, double *value)
{
    if (p[0] > 0.85 && p[1] > 1.2)
        return 0;
    double v = (p[0] - 0.3) * (p[0] - 0.3) + 0.25 * sin(3 * p[1]) + 0.1 * p[1] * p[1] +
               0.2 * (log10(p[2]) + 2) * (log10(p[2]) + 2) + 0.3 * cos(7 * p[3]) +
               0.05 * fabs(p[4] - 5) + (p[5] == 1 ? 0.0 : 0.2);
    *value = v + 1.0 / (1.0 + budget);
    return 1;
}

/* The study's trials, one line each: every parameter with %a (malloc'd). */
static char *run(const spec *sp)
{
    hpt_space *s = space6();
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(s, sp->strategy, HPT_MINIMIZE, 12345, &st));
    hpt_space_destroy(s);
    for (size_t i = 0; i < 3 && sp->opt[i]; i++)
        assert_ok(hpt_study_set(st, sp->opt[i], sp->val[i]));
    size_t cap = sp->trials * DIM * 32 + 1, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = 0;
    int64_t ids[16];
    size_t asked = 0;
    while (asked < sp->trials) {
        size_t k = 0;
        for (; k < sp->batch && asked < sp->trials; k++, asked++) {
            int rc = hpt_study_ask(st, &ids[k]);
            if (rc == HPT_DONE)
                break;
            assert_ok(rc);
            double p[DIM];
            assert_ok(hpt_trial_params(st, ids[k], p, DIM));
            for (size_t j = 0; j < DIM; j++)
                len += (size_t)snprintf(out + len, cap - len, "%a%c", p[j],
                                        j + 1 < DIM ? ' ' : '\n');
        }
        if (k == 0)
            break;
        for (size_t i = 0; i < k; i++) {
            double p[DIM], b = 1, v;
            assert_ok(hpt_trial_params(st, ids[i], p, DIM));
            assert_ok(hpt_trial_budget(st, ids[i], &b, NULL));
            if (objective(p, b, &v))
                assert_ok(hpt_study_tell(st, ids[i], v));
            else
                assert_ok(hpt_study_tell_failed(st, ids[i], "corner"));
        }
    }
    hpt_study_destroy(st);
    return out;
}

static void same_trials(const char *want, const char *got, const spec *sp, const char *how)
{
    if (strcmp(want, got) == 0)
        return;
    size_t line = 0, i = 0;
    while (want[i] && want[i] == got[i])
        line += want[i++] == '\n';
    fail_msg("%s: trial %zu differs %s", sp->strategy, line, how);
}

/* Reference under the starting thread count, then 1, 2, 4 threads. */
static void check_thread_counts(const spec *sp)
{
    static const int threads[] = {1, 2, 4};
    int old = openblas_get_num_threads();
    char *ref = run(sp);
    for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
        openblas_set_num_threads(threads[t]);
        assert_int_equal(openblas_get_num_threads(), threads[t]);
        char *got = run(sp);
        char how[64];
        snprintf(how, sizeof how, "under %d OpenBLAS threads", threads[t]);
        same_trials(ref, got, sp, how);
        free(got);
    }
    openblas_set_num_threads(old);
    free(ref);
}

static const spec specs60[] = {
    {"bayes", {NULL}, {0}, 60, 1},
    {"bayes", {"bayes.initial_trials"}, {8}, 60, 4},
    {"hyperband", {"hyperband.max_resource", "hyperband.eta"}, {9, 3}, 60, 1},
    {"hyperband", {"hyperband.max_resource", "hyperband.eta"}, {9, 3}, 60, 4},
    {"random", {NULL}, {0}, 60, 4},
    {"sobol", {NULL}, {0}, 60, 4},
    {"grid", {NULL}, {0}, 60, 4},
};

static void test_60_trials(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof specs60 / sizeof *specs60; i++)
        check_thread_counts(&specs60[i]);
}

/* 1,500 observations. bayes: 1,494 cheap trials of its initial design,
 * then 6 model-based asks (in batches of 2, so that pending trials are
 * fantasized) on a GP of 1,494 and more rows: the full factorization, the
 * appends and the batched predictions all run past the kernels' block
 * size. hyperband: 1,500 trials of which 1% come from its model (kept
 * cheap; the model sees every finished configuration). */
static const spec specs1500[] = {
    {"bayes", {"bayes.initial_trials"}, {1494}, 1500, 2},
    {"hyperband", {"hyperband.max_resource", "hyperband.random_fraction"}, {9, 0.99}, 1500, 4},
    {"random", {NULL}, {0}, 1500, 4},
    {"sobol", {NULL}, {0}, 1500, 4},
    {"grid", {NULL}, {0}, 1500, 4},
};

static void test_1500_observations(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof specs1500 / sizeof *specs1500; i++)
        check_thread_counts(&specs1500[i]);
}

/* Several host threads at once, each driving its own study while OpenBLAS
 * has 2 threads: the same trials as one study alone. */
typedef struct {
    const spec *sp;
    char *out;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    j->out = run(j->sp);
    return NULL;
}

static void test_host_threads(void **state)
{
    (void)state;
    enum { WORKERS = 3 };
    int old = openblas_get_num_threads();
    openblas_set_num_threads(1);
    const spec *sp = &specs60[1];
    char *ref = run(sp);
    openblas_set_num_threads(2);
    job jobs[WORKERS];
    pthread_t th[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        jobs[i].sp = sp;
        jobs[i].out = NULL;
        assert_int_equal(pthread_create(&th[i], NULL, worker, &jobs[i]), 0);
    }
    for (int i = 0; i < WORKERS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_non_null(jobs[i].out);
        same_trials(ref, jobs[i].out, sp, "in a concurrent host thread");
        free(jobs[i].out);
    }
    openblas_set_num_threads(old);
    free(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_60_trials),
        cmocka_unit_test(test_host_threads),
        cmocka_unit_test(test_1500_observations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
