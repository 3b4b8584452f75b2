/* test_acq.c -- log expected improvement (lib/acq.c): equal to log(EI)
 * where EI is representable, finite and asymptotically right far beyond,
 * continuous across its branches, with correct derivatives; and the
 * maximizer finds the acquisition's maximum on a known model. */
#include <float.h>
#include <math.h>

#include "testutil.h"

#include "acq.h"

/* h(z) = phi(z) + z Phi(z) in long double: a reference where cancellation
 * leaves enough bits (z >= -6). */
static long double h_ref(long double z)
{
    long double phi = expl(-0.5L * z * z) / sqrtl(2.0L * 3.14159265358979323846264L);
    long double Phi = 0.5L * erfcl(-z / sqrtl(2.0L));
    return phi + z * Phi;
}

static void test_log_h_reference(void **state)
{
    (void)state;
    for (double z = -6.0; z <= 8.0; z += 0.01) {
        double ref = (double)logl(h_ref(z));
        double got = hpti_log_h(z);
        if (fabs(got - ref) > 1e-9 * (1.0 + fabs(ref)))
            fail_msg("log h(%g) = %.15g, reference %.15g", z, got, ref);
    }
    /* log EI == log(EI) for a few predictions */
    double mus[3] = {0.0, 1.0, -2.0}, sig[3] = {1.0, 0.3, 2.5};
    for (int k = 0; k < 3; k++) {
        double best = 0.5;
        double z = (best - mus[k]) / sig[k];
        double ei = sig[k] * (double)h_ref(z);
        assert_true(fabs(hpti_log_ei(mus[k], sig[k], best) - log(ei)) < 1e-10);
    }
}

static void test_log_h_tails(void **state)
{
    (void)state;
    /* plain EI underflows to 0 near z = -38.5; log h stays finite and
     * follows the asymptote -z^2/2 - log(2 pi)/2 - 2 log|z| */
    double zs[] = {-39, -50, -1e3, -1e6, -1e10, -1e100, -1e200, -DBL_MAX};
    double prev = hpti_log_h(-38.0);
    for (size_t k = 0; k < sizeof zs / sizeof zs[0]; k++) {
        double z = zs[k], v = hpti_log_h(z);
        assert_true(isfinite(v) || z < -1e150);
        if (!isfinite(v))
            fail_msg("log h(%g) is not finite", z);
        assert_true(v <= prev); /* non-decreasing in z (clamped below -1e150) */
        prev = v;
        if (z > -1e150) {
            double asym = -0.5 * z * z - 0.91893853320467274 - 2.0 * log(-z);
            assert_true(fabs(v - asym) <= 4.0 / (z * z) * fabs(1.0) + 1e-12 * fabs(asym));
        }
    }
    /* large positive z: h(z) -> z */
    assert_true(fabs(hpti_log_h(1e6) - log(1e6)) < 1e-12);
    assert_true(isfinite(hpti_log_ei(0.0, 1e-300, 1e300)));
    assert_true(isfinite(hpti_log_ei(1e300, 1e-300, 0.0)));
}

/* values meet at the branch points z = -1 and z = -40 */
static void test_log_h_continuity(void **state)
{
    (void)state;
    double br[2] = {-1.0, -40.0};
    for (int k = 0; k < 2; k++) {
        double a = hpti_log_h(nextafter(br[k], 0.0)), b = hpti_log_h(br[k]);
        double c = hpti_log_h(nextafter(br[k], -INFINITY));
        assert_true(fabs(a - b) < 1e-9 * fabs(b) + 1e-12);
        assert_true(fabs(b - c) < 1e-9 * fabs(b) + 1e-12);
        double na = hpti_log_ncdf(nextafter(br[k], 0.0)), nc = hpti_log_ncdf(br[k]);
        assert_true(fabs(na - nc) < 1e-9 * fabs(nc) + 1e-12);
    }
}

static void test_derivatives(void **state)
{
    (void)state;
    double zs[] = {-300, -41, -39, -12, -1.5, -0.5, 0.0, 2.0, 9.0};
    for (size_t k = 0; k < sizeof zs / sizeof zs[0]; k++) {
        double z = zs[k], h = 1e-5 * (1.0 + fabs(z));
        double fd = (hpti_log_h(z + h) - hpti_log_h(z - h)) / (2.0 * h);
        double an = hpti_dlog_h(z);
        if (fabs(fd - an) > 1e-5 * (1.0 + fabs(an)))
            fail_msg("d log h(%g): analytic %.10g, finite difference %.10g", z, an, fd);
    }
    /* log Phi against erfc where it is representable */
    for (double z = -30; z < 8; z += 0.37) {
        double ref = log(0.5 * erfc(-z / sqrt(2.0)));
        assert_true(fabs(hpti_log_ncdf(z) - ref) < 1e-10 * (1 + fabs(ref)));
    }
}

/* A 1-D model with a clear optimum: the maximizer returns a point whose
 * acquisition is at least that of a fine grid's best, and the gradient of
 * the acquisition agrees with finite differences. */
static void test_maximizer(void **state)
{
    (void)state;
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", 0, 1, HPT_SCALE_LINEAR));
    hpti_gp gp;
    assert_ok(hpti_gp_init(&gp, 1, NULL));
    double th[4] = {log(0.15), 0.0, log(1e-6), 0.0};
    hpti_gp_set_theta(&gp, th);
    double X[5] = {0.05, 0.3, 0.5, 0.7, 0.95}, y[5] = {1.0, 0.2, -0.8, 0.1, 1.2};
    assert_ok(hpti_gp_factor(&gp, X, 5));
    hpti_gp_set_targets(&gp, y);
    hpti_acq a;
    assert_ok(hpti_acq_init(&a, sp));
    double center = 0.5;
    hpti_acq_problem p = {&gp, NULL, -0.8, &center, 1, 64, 3, 30, NULL, NULL};
    double out[4], sc[4], g, gp1, gm1;
    size_t n_out;
    hpti_rng r;
    hpti_rng_seed(&r, 5, 0);
    assert_ok(hpti_acq_maximize(&a, &p, &r, 4, out, sc, &n_out));
    assert_int_equal(n_out, 4);
    double grid_best = -INFINITY;
    for (int i = 0; i <= 2000; i++) {
        double x = i / 2000.0, v = hpti_acq_value(&a, &p, &x, NULL);
        grid_best = v > grid_best ? v : grid_best;
    }
    assert_true(sc[0] >= grid_best - 1e-3);
    assert_true(sc[0] >= sc[1]);
    double x0 = 0.42, h = 1e-6, xp = x0 + h, xm = x0 - h;
    double v = hpti_acq_value(&a, &p, &x0, &g);
    assert_true(isfinite(v));
    double vp = hpti_acq_value(&a, &p, &xp, &gp1), vm = hpti_acq_value(&a, &p, &xm, &gm1);
    assert_true(fabs((vp - vm) / (2 * h) - g) < 1e-4 * (1 + fabs(g)));
    hpti_acq_free(&a);
    hpti_gp_free(&gp);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_h_reference),
        cmocka_unit_test(test_log_h_tails),
        cmocka_unit_test(test_log_h_continuity),
        cmocka_unit_test(test_derivatives),
        cmocka_unit_test(test_maximizer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
