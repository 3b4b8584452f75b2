/* test_bayes_warp.c -- the output transform of the bayes engine (bayes.h,
 * "Output transform") on heavy-tailed losses: how much it stretches the
 * differences just above the minimum, and the run of issue 18 that a
 * finer warp held in a local minimum. */
#include <math.h>

#include "bayes.h"
#include "testutil.h"

/* Slope of the warp at two loss levels, measured on the transformed values
 * of pairs of nearby losses: a difference just above the minimum must not
 * count more than 101 times the same difference at the median (bayes.h).
 * Losses: a tight cluster at 1000 (a run gathered in one basin) and a tail
 * up to 1e6, where the least skewed warp of the old rule had a slope ratio
 * of 1e4. */
static void test_warp_slope_bounded(void **state)
{
    (void)state;
    enum { N = 61 };
    double loss[N], y[N], scratch[N];
    const double d = 1e-6;
    for (int i = 0; i < 40; i++)
        loss[i] = 1000.0 + 0.01 * i;
    for (int i = 40; i < 60; i++)
        loss[i] = pow(10.0, 3.5 + 2.5 * (i - 40) / 19.0);
    loss[60] = 1000.0 + d; /* the pair at the minimum: loss[0], loss[60] */
    /* the median of the 61 (index 30 in order) is 1000.29; its pair is
     * 1000.29 - 0.01 = 1000.28, also a loss */
    hpti_bayes_transform(loss, N, y, scratch);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            if (loss[i] < loss[j])
                assert_true(y[i] < y[j]);
    double at_min = (y[60] - y[0]) / d;
    double at_med = (y[29] - y[28]) / (loss[29] - loss[28]);
    assert_true(at_med > 0.0);
    if (!(at_min <= 101.0 * at_med * 1.01))
        fail_msg("slope at the minimum %g, at the median %g", at_min, at_med);
    /* and the tail is still compressed: the warp is on */
    double at_top = (y[59] - y[58]) / (loss[59] - loss[58]);
    assert_true(at_top < 1e-3 * at_med);
}

static double rosenbrock(const double *x, int d)
{
    double f = 0.0;
    for (int i = 0; i + 1 < d; i++)
        f += 100.0 * pow(x[i + 1] - x[i] * x[i], 2) + pow(1.0 - x[i], 2);
    return f;
}

/* Issue 18: Rosenbrock in 4-D on [-5, 10]^4, seed 8, 100 evaluations (the
 * benchmark's run, bench/README.md). With the warp free to stretch the
 * incumbent's basin it reached x4 = 10, x3 = -3.08 (a local minimum on
 * that face, loss near 1000) by evaluation 16 and stayed there (this run
 * 994 at the end, the benchmark's 955); the ceiling is 10 times the median
 * of Optuna's best sampler there (CMA-ES, 38). */
static void test_rosenbrock_seed8(void **state)
{
    (void)state;
    enum { D = 4 };
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    for (int j = 0; j < D; j++) {
        char name[8];
        snprintf(name, sizeof name, "x%d", j);
        assert_ok(hpt_space_add_float(sp, name, -5.0, 10.0, HPT_SCALE_LINEAR));
    }
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "bayes", HPT_MINIMIZE, 8, &st));
    double best = INFINITY;
    for (int i = 0; i < 100; i++) {
        int64_t id;
        double x[D];
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, D));
        double f = rosenbrock(x, D);
        assert_ok(hpt_study_tell(st, id, f));
        best = f < best ? f : best;
    }
    if (!(best < 380.0))
        fail_msg("seed 8 ended at %g", best);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_warp_slope_bounded),
        cmocka_unit_test(test_rosenbrock_seed8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
