/* test_bayes_warp.c -- the output transform of the bayes engine (bayes.h,
 * "Output transform") on heavy-tailed losses: how much it stretches the
 * differences just above the minimum, and the run of issue 18 that a
 * finer warp held in a local minimum. */
#include <math.h>

#include "bayes.h"
#include "snap.h"
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

/* The run behind it: Goldstein-Price, log form, on the unit square, seed 9
 * (found by trying functions outside bench/). It reached a local minimum
 * (log 84 - log 3 = 3.33 above the global one) by evaluation 20 and spent
 * the next 70 evaluations within 0.005 of it. */
static double goldstein_price_log(const double *u)
{
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
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x0", 0.0, 1.0, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "x1", 0.0, 1.0, HPT_SCALE_LINEAR));
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "bayes", HPT_MINIMIZE, 9, &st));
    double best = INFINITY;
    for (int i = 0; i < 100; i++) {
        int64_t id;
        double x[2];
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, 2));
        double f = goldstein_price_log(x);
        assert_ok(hpt_study_tell(st, id, f));
        best = f < best ? f : best;
    }
    /* the other nine seeds 0-9 end below 1e-5 */
    if (!(best < 1e-3))
        fail_msg("seed 9 ended at %g", best);
    hpt_study_destroy(st);
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

/* The engine fitted on n points of f (2-D, unit square) whose first
 * proposal follows: whether the warp's test turned the warp off. */
static int warp_turned_off(double (*f)(const double *, uint64_t *), size_t n,
                           uint64_t seed)
{
    hpt_space *sp = tu_cube_space(2);
    hpti_bayes_opts o;
    hpti_bayes_defaults(&o);
    hpti_bayes b;
    assert_ok(hpti_bayes_init(&b, sp, &o));
    double *u = malloc(n * 2 * sizeof *u), *loss = malloc(n * sizeof *loss), x[2];
    assert_non_null(u);
    assert_non_null(loss);
    for (size_t i = 0; i < n; i++) { /* half gathered near x0 = 0.55, as a run */
        u[2 * i] = i % 2 ? 0.5 + 0.1 * tu_frand(&seed) : tu_frand(&seed);
        u[2 * i + 1] = tu_frand(&seed);
        loss[i] = f(u + 2 * i, &seed);
    }
    /* the old rule warps these losses: the transform is not affine */
    double *y = malloc(n * sizeof *y), *scratch = malloc(n * sizeof *scratch);
    assert_non_null(y);
    assert_non_null(scratch);
    hpti_bayes_transform(loss, n, y, scratch);
    size_t lo = 0, hi = 0, mid = 0;
    for (size_t i = 0; i < n; i++) {
        lo = loss[i] < loss[lo] ? i : lo;
        hi = loss[i] > loss[hi] ? i : hi;
    }
    for (size_t i = 0; i < n; i++)
        if (fabs(loss[i] - 0.5 * (loss[lo] + loss[hi])) < fabs(loss[mid] - 0.5 * (loss[lo] + loss[hi])))
            mid = i;
    double t = (loss[mid] - loss[lo]) / (loss[hi] - loss[lo]);
    double ty = (y[mid] - y[lo]) / (y[hi] - y[lo]);
    assert_true(fabs(ty - t) > 0.05);
    hpti_bayes_data dt = {u, loss, 1, n, NULL, 0, 1, 0, NULL};
    hpti_rng r;
    hpti_rng_seed(&r, seed, 0);
    char msg[256];
    assert_ok(hpti_bayes_propose(&b, &dt, &r, x, msg));
    int off = b.warp_off;
    /* the choice is journal state: a restored engine has it; a record
     * written before the test (without its last field) restores 0 */
    hpti_snapw w = {0};
    hpti_bayes_snapshot(&b, &w);
    assert_false(w.oom);
    for (int old = 0; old < 2; old++) {
        hpti_bayes c;
        assert_ok(hpti_bayes_init(&c, sp, &o));
        c.warp_off = !off;
        hpti_snapr rd = {w.p, w.n - (size_t)old, 0, 0};
        assert_ok(hpti_bayes_restore(&c, &rd, 1));
        assert_true(hpti_snapr_ok(&rd));
        assert_int_equal(c.warp_off, old ? 0 : off);
        hpti_bayes_free(&c);
    }
    hpti_snapw_free(&w);
    hpti_bayes_free(&b);
    hpt_space_destroy(sp);
    free(u);
    free(loss);
    free(y);
    free(scratch);
    return off;
}

/* linear/wine in make bench-sklearn (issue 18): a plateau whose values
 * differ by noise (liblinear's, 1e-3) above a valley in x0, and a few
 * poor models up to 0.4: skewness above 1, so the old rule warped, with
 * c near 1e-4. The warp stretched the noise over the model's range, and
 * two of five seeds then spent 100 of 128 evaluations within 1e-3 of the
 * plateau's level, never finding the valley at 0.139 that CMA-ES found. */
static double noisy_plateau(const double *x, uint64_t *seed)
{
    double a = x[0] - 0.55;
    return 0.155 + 0.8 * a * a + 1e-3 * tu_frand(seed);
}

/* Heavy-tailed and smooth, the warp's case: the exponential of a
 * quadratic, which the log makes a quadratic again. */
static double steep_tail(const double *x, uint64_t *seed)
{
    (void)seed;
    double a = x[0] - 0.3, b = x[1] - 0.6;
    return exp(12.0 * (a * a + 2.0 * b * b));
}

static void test_warp_tested_by_evidence(void **state)
{
    (void)state;
    for (uint64_t s = 1; s <= 3; s++) {
        if (!warp_turned_off(noisy_plateau, 40, s))
            fail_msg("noisy plateau, seed %d: the warp stayed", (int)s);
        if (warp_turned_off(steep_tail, 40, s))
            fail_msg("steep tail, seed %d: the warp was turned off", (int)s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_warp_slope_bounded),
        cmocka_unit_test(test_rosenbrock_seed8),
        cmocka_unit_test(test_warp_gathered_run),
        cmocka_unit_test(test_goldstein_price_seed9),
        cmocka_unit_test(test_warp_tested_by_evidence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
