/* test_bayes_warp.c -- the output transform of the bayes engine (bayes.h,
 * "Output transform") on heavy-tailed losses: how much it stretches the
 * differences just above the minimum, and the run of issue 18 that a
 * finer warp held in a local minimum. */
#include <math.h>

#include "bayes.h"
#include "testutil.h"

/* Transform the n losses into y; the order must be kept (the warp is
 * rank-preserving). Returns the secant slope of y between losses a and b
 * over that of c and d (a slope at the minimum over one further up). */
static double warp_slopes(const double *loss, size_t n, double *y, double *scratch, int a,
                          int b, int c, int dd)
{
    hpti_bayes_transform(loss, n, y, scratch);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (loss[i] < loss[j])
                assert_true(y[i] < y[j]);
    double lo = (y[b] - y[a]) / (loss[b] - loss[a]);
    double up = (y[dd] - y[c]) / (loss[dd] - loss[c]);
    assert_true(up > 0.0);
    return lo / up;
}

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
    double ratio = warp_slopes(loss, N, y, scratch, 0, 60, 28, 29);
    if (!(ratio <= 101.0 * 1.01))
        fail_msg("slope at the minimum %g times the slope at the median", ratio);
    double at_med = (y[29] - y[28]) / (loss[29] - loss[28]);
    /* and the tail is still compressed: the warp is on */
    double at_top = (y[59] - y[58]) / (loss[59] - loss[58]);
    assert_true(at_top < 1e-3 * at_med);
}

/* A run that gathered in one basin: 16 early losses spread over 3.3..12
 * (a design), then 60 within 1e-3 of the minimum 3.332. The median of all
 * 77 sits in the cluster, and a warp scaled by it alone stretches a
 * difference at the minimum thousands of times more than the same
 * difference at the early median (issue 18, Goldstein-Price); bounded by the earliest
 * quarter's median, the ratio is at most 101 (bayes.h). */
static void test_warp_gathered_run(void **state)
{
    (void)state;
    enum { N = 77 };
    double loss[N], y[N], scratch[N];
    const double d = 1e-7;
    static const double early[16] = {7.9, 3.9, 11.6, 5.4, 6.0, 9.8, 4.4, 12.0,
                                     6.9, 8.4, 3.37, 10.5, 5.0, 7.2, 4.9, 9.1};
    for (int i = 0; i < 16; i++)
        loss[i] = early[i];
    for (int i = 16; i < 76; i++)
        loss[i] = 3.332 + 1e-3 * (i - 16) / 60.0;
    loss[76] = 3.332 + d; /* the pair at the minimum: loss[16], loss[76] */
    /* the early quarter (the first 20 losses: 16 spread, 4 in the cluster)
     * has median 6.0, the 11th of 20 in order; its pair is 5.4, also a
     * loss (the secant below 6.0 is steeper than the slope at 6.0) */
    double ratio = warp_slopes(loss, N, y, scratch, 16, 76, 3, 4);
    if (!(ratio <= 101.0 * 1.01))
        fail_msg("slope at the minimum %g times the slope at the early median", ratio);
}

/* The best loss of 100 bayes evaluations of f (d coordinates) on sp,
 * seed seed; sp is the caller's. */
static double best_of_run(const hpt_space *sp, int d, uint64_t seed,
                          double (*f)(const double *, int))
{
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "bayes", HPT_MINIMIZE, seed, &st));
    double best = INFINITY, x[8];
    assert_true(d <= 8);
    for (int i = 0; i < 100; i++) {
        int64_t id;
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, (size_t)d));
        double v = f(x, d);
        assert_ok(hpt_study_tell(st, id, v));
        best = v < best ? v : best;
    }
    hpt_study_destroy(st);
    return best;
}

/* The run behind it: Goldstein-Price, log form, on the unit square, seed 9
 * (found by trying functions outside bench/). It reached a local minimum
 * (log 84 - log 3 = 3.33 above the global one) by evaluation 20 and spent
 * the next 70 evaluations within 0.005 of it. */
static double goldstein_price_log(const double *u, int d)
{
    (void)d;
    double a = 4.0 * u[0] - 2.0, b = 4.0 * u[1] - 2.0;
    double p = 1.0 + pow(a + b + 1.0, 2) *
                         (19.0 - 14.0 * a + 3.0 * a * a - 14.0 * b + 6.0 * a * b + 3.0 * b * b);
    double q = 30.0 + pow(2.0 * a - 3.0 * b, 2) *
                          (18.0 - 32.0 * a + 12.0 * a * a + 48.0 * b - 36.0 * a * b + 27.0 * b * b);
    return log(p * q) - log(3.0);
}

static void test_goldstein_price_seed9(void **state)
{
    (void)state;
    hpt_space *sp = tu_cube_space(2);
    double best = best_of_run(sp, 2, 9, goldstein_price_log);
    /* the other nine seeds 0-9 end below 1e-5 */
    if (!(best < 1e-3))
        fail_msg("seed 9 ended at %g", best);
    hpt_space_destroy(sp);
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
    double best = best_of_run(sp, D, 8, rosenbrock);
    if (!(best < 380.0))
        fail_msg("seed 8 ended at %g", best);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_warp_slope_bounded),
        cmocka_unit_test(test_rosenbrock_seed8),
        cmocka_unit_test(test_warp_gathered_run),
        cmocka_unit_test(test_goldstein_price_seed9),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
