/* test_gp_warp.c -- input warping of the GP (gp.h, hpti_gp_set_warp):
 * the identity warp leaves every prediction as the plain GP's, the warp's
 * inverse inverts it, the marginal likelihood's gradient in every
 * hyperparameter (the warp's included) and the predictions' gradients in
 * x match finite differences, and a fit on a function that varies near
 * one end of its range stretches that end. */
#include <math.h>
#include <string.h>

#include "testutil.h"

#include "gp.h"
#include "gp_check.h"

#define D 3

static void data(uint64_t seed, size_t n, double *X, double *y)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < D; j++)
            X[i * D + j] = tu_frand(&seed);
        /* steep near x0 = 0, smooth in the others */
        y[i] = log(X[i * D] + 0.01) + sin(3.0 * X[i * D + 1]) + 0.3 * X[i * D + 2];
    }
}

static void warp_gp(hpti_gp *gp, const unsigned char *cat)
{
    unsigned char all[D] = {1, 1, 1};
    assert_ok(hpti_gp_init(gp, D, cat));
    assert_ok(hpti_gp_set_warp(gp, all));
}

/* The plain GP and the warped one fitted to the same rows, from the same
 * seed. */
static void fit_both(hpti_gp *plain, hpti_gp *gp, const double *X, const double *y, size_t n,
                     uint64_t seed, int restarts, int iters)
{
    hpti_rng r1, r2;
    hpti_rng_seed(&r1, seed, 0);
    hpti_rng_seed(&r2, seed, 0);
    assert_ok(hpti_gp_init(plain, D, NULL));
    warp_gp(gp, NULL);
    assert_ok(hpti_gp_fit(plain, X, y, n, &r1, restarts, iters));
    assert_ok(hpti_gp_fit(gp, X, y, n, &r2, restarts, iters));
}

/* With a = b = 1 on every coordinate the warp is the identity itself:
 * the plain GP's posterior, bit for bit. */
static void test_identity(void **state)
{
    (void)state;
    double X[20 * D], y[20], xs[5 * D], mu[2][5], var[2][5];
    data(3, 20, X, y);
    uint64_t s = 9;
    for (size_t i = 0; i < 5 * D; i++)
        xs[i] = tu_frand(&s);
    hpti_gp g[2];
    assert_ok(hpti_gp_init(&g[0], D, NULL));
    warp_gp(&g[1], NULL);
    assert_int_equal(g[1].np, HPTI_GP_NP(D) + 2 * D);
    for (int k = 0; k < 2; k++) {
        double th[HPTI_GP_NP(D) + 2 * D];
        hpti_gp_default_theta(&g[k], th);
        th[0] = log(0.3);
        th[D + 1] = log(1e-4);
        hpti_gp_set_theta(&g[k], th);
        assert_ok(hpti_gp_factor(&g[k], X, 20));
        hpti_gp_set_targets(&g[k], y);
        hpti_gp_predict(&g[k], xs, 5, mu[k], var[k]);
    }
    assert_memory_equal(mu[0], mu[1], sizeof mu[0]);
    assert_memory_equal(var[0], var[1], sizeof var[0]);
    hpti_gp_free(&g[0]);
    hpti_gp_free(&g[1]);
}

/* The inverse undoes the warp inside the cube; the warp is increasing. */
static void test_inverse(void **state)
{
    (void)state;
    hpti_gp gp;
    warp_gp(&gp, NULL);
    double th[HPTI_GP_NP(D) + 2 * D];
    hpti_gp_default_theta(&gp, th);
    double ab[3][2] = {{log(0.2), log(1.5)}, {log(3.0), log(0.4)}, {0.0, 0.0}};
    for (size_t j = 0; j < D; j++) {
        th[D + 3 + 2 * j] = ab[j][0];
        th[D + 4 + 2 * j] = ab[j][1];
    }
    hpti_gp_set_theta(&gp, th);
    for (size_t j = 0; j < D; j++) {
        double prev = -1.0;
        for (int k = 0; k <= 100; k++) {
            double x = k / 100.0, dz;
            double z = hpti_gp_warp1(&gp, j, x, &dz);
            assert_true(z > prev);
            prev = z;
            assert_true(fabs(hpti_gp_unwarp1(&gp, j, z) - x) < 1e-6);
            if (k > 0 && k < 100) { /* dz/dx against a central difference */
                double h = 1e-6, fd = (hpti_gp_warp1(&gp, j, x + h, NULL) -
                                       hpti_gp_warp1(&gp, j, x - h, NULL)) / (2 * h);
                assert_true(fabs(fd - dz) < 1e-5 * (1.0 + fabs(dz)));
            }
        }
    }
    /* outside the cube: clamped, never NaN */
    assert_true(hpti_gp_warp1(&gp, 0, -0.5, NULL) == hpti_gp_warp1(&gp, 0, 0.0, NULL));
    assert_true(hpti_gp_warp1(&gp, 0, 1.5, NULL) == hpti_gp_warp1(&gp, 0, 1.0, NULL));
    assert_true(hpti_gp_unwarp1(&gp, 0, -1.0) == 0.0 && hpti_gp_unwarp1(&gp, 0, 2.0) == 1.0);
    hpti_gp_free(&gp);
}

/* d nlp / d theta, with a categorical coordinate (not warped). */
static void test_nlp_gradient(void **state)
{
    (void)state;
    const unsigned char cat[D] = {0, 0, 1};
    hpti_gp gp;
    warp_gp(&gp, cat);
    assert_int_equal(gp.nw, 2);
    size_t n = 25;
    assert_int_equal(gp.np, HPTI_GP_NP(D) + 4);
    double X[25 * D], y[25];
    data(5, n, X, y);
    for (size_t i = 0; i < n; i++)
        X[i * D + 2] = (floor(X[i * D + 2] * 3.0) + 0.5) / 3.0;
    assert_ok(hpti_gp_fit_reserve(&gp, n));
    double th[HPTI_GP_NP(D) + 4] = {log(0.3), log(0.8), log(1.7), log(1.3), log(0.02), 0.1,
                                    log(0.4), log(1.6), log(2.2), log(0.7)};
    gpc_nlp_gradient(&gp, X, y, n, th);
    hpti_gp_free(&gp);
}

/* Posterior gradients in x (one point and a batch), through the warp,
 * against central differences of hpti_gp_predict. */
static void test_predict_gradient(void **state)
{
    (void)state;
    hpti_gp gp;
    warp_gp(&gp, NULL);
    double X[30 * D], y[30];
    data(7, 30, X, y);
    double th[HPTI_GP_NP(D) + 2 * D] = {log(0.3), log(0.5), log(0.9), 0.0, log(1e-4), 0.0,
                                        log(0.3), log(1.4), log(2.0), log(0.6), 0.0, 0.0};
    hpti_gp_set_theta(&gp, th);
    assert_ok(hpti_gp_factor(&gp, X, 30));
    hpti_gp_set_targets(&gp, y);
    double xs[2 * D] = {0.03, 0.4, 0.7, 0.6, 0.9, 0.2};
    double mb[2], vb[2], gmb[2 * D], gvb[2 * D];
    hpti_gp_predict_grad_batch(&gp, xs, 2, mb, vb, gmb, gvb);
    for (int p = 0; p < 2; p++) {
        double mu, var, gm[D], gv[D];
        hpti_gp_predict_grad(&gp, xs + p * D, &mu, &var, gm, gv);
        assert_true(fabs(mu - mb[p]) < 1e-10 && fabs(var - vb[p]) < 1e-10);
        for (size_t j = 0; j < D; j++) {
            double xp[D], xm[D], mp, vp, mm, vm, h = 1e-6;
            memcpy(xp, xs + p * D, sizeof xp);
            memcpy(xm, xs + p * D, sizeof xm);
            xp[j] += h;
            xm[j] -= h;
            hpti_gp_predict(&gp, xp, 1, &mp, &vp);
            hpti_gp_predict(&gp, xm, 1, &mm, &vm);
            double fdm = (mp - mm) / (2 * h), fdv = (vp - vm) / (2 * h);
            assert_true(fabs(fdm - gm[j]) < 1e-4 * (1 + fabs(fdm)));
            assert_true(fabs(fdv - gv[j]) < 1e-4 * (1 + fabs(fdv)));
            assert_true(fabs(gmb[p * D + j] - gm[j]) < 1e-9 * (1 + fabs(gm[j])));
            assert_true(fabs(gvb[p * D + j] - gv[j]) < 1e-9 * (1 + fabs(gv[j])));
        }
    }
    /* a row appended is the factored row: the same prediction */
    hpti_gp g2;
    warp_gp(&g2, NULL);
    hpti_gp_set_theta(&g2, th);
    assert_ok(hpti_gp_factor(&g2, X, 20));
    for (size_t i = 20; i < 30; i++)
        assert_ok(hpti_gp_append(&g2, X + i * D));
    hpti_gp_set_targets(&g2, y);
    double m1, v1, m2, v2;
    hpti_gp_predict(&gp, xs, 1, &m1, &v1);
    hpti_gp_predict(&g2, xs, 1, &m2, &v2);
    assert_true(fabs(m1 - m2) < 1e-8 && fabs(v1 - v2) < 1e-8);
    hpti_gp_free(&g2);
    hpti_gp_free(&gp);
}

/* A fit on 40 points of a function steep near x0 = 0 and smooth in x0's
 * upper range stretches x0's lower end (dz/dx at 0.05 above 1) and fits
 * better than without the warp. */
static void test_fit_stretches(void **state)
{
    (void)state;
    size_t n = 40;
    double X[40 * D], y[40];
    data(11, n, X, y);
    double mu = 0, sd = 0;
    for (size_t i = 0; i < n; i++)
        mu += y[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        sd += (y[i] - mu) * (y[i] - mu) / (double)n;
    for (size_t i = 0; i < n; i++)
        y[i] = (y[i] - mu) / sqrt(sd);
    hpti_gp plain, gp;
    fit_both(&plain, &gp, X, y, n, 1, 3, 100);
    double dz;
    hpti_gp_warp1(&gp, 0, 0.05, &dz);
    assert_true(dz > 1.0);
    /* held-out error of the two fits */
    double err[2] = {0, 0};
    uint64_t s = 77;
    assert_ok(hpti_gp_factor(&plain, X, n));
    hpti_gp_set_targets(&plain, y);
    assert_ok(hpti_gp_factor(&gp, X, n));
    hpti_gp_set_targets(&gp, y);
    for (int t = 0; t < 200; t++) {
        double x[D], m, v;
        for (size_t j = 0; j < D; j++)
            x[j] = tu_frand(&s);
        double f = (log(x[0] + 0.01) + sin(3.0 * x[1]) + 0.3 * x[2] - mu) / sqrt(sd);
        hpti_gp_predict(&plain, x, 1, &m, &v);
        err[0] += (m - f) * (m - f);
        hpti_gp_predict(&gp, x, 1, &m, &v);
        err[1] += (m - f) * (m - f);
    }
    assert_true(err[1] < err[0]);
    hpti_gp_free(&plain);
    hpti_gp_free(&gp);
}

/* A smooth bowl with its minimum inside: no warp earns its parameters,
 * the fit keeps the identity on every coordinate and equals the unwarped
 * fit. */
static void test_gate_keeps_identity(void **state)
{
    (void)state;
    size_t n = 40;
    double X[40 * D], y[40];
    uint64_t s = 21;
    for (size_t i = 0; i < n; i++) {
        double v = 0.0;
        for (size_t j = 0; j < D; j++) {
            X[i * D + j] = tu_frand(&s);
            v += (double)(j + 1) * (X[i * D + j] - 0.45) * (X[i * D + j] - 0.45);
        }
        y[i] = 4.0 * v - 1.0;
    }
    hpti_gp plain, gp;
    fit_both(&plain, &gp, X, y, n, 4, 2, 60);
    for (size_t j = HPTI_GP_NP(D); j < gp.np; j++)
        assert_true(gp.theta[j] == 0.0);
    assert_memory_equal(gp.theta, plain.theta, HPTI_GP_NP(D) * sizeof *gp.theta);
    hpti_gp_free(&plain);
    hpti_gp_free(&gp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_inverse),
        cmocka_unit_test(test_nlp_gradient),
        cmocka_unit_test(test_predict_gradient),
        cmocka_unit_test(test_fit_stretches),
        cmocka_unit_test(test_gate_keeps_identity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
