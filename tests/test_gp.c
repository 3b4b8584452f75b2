/* test_gp.c -- Gaussian-process regression (lib/gp.c): posterior against a
 * hand-computed case, marginal-likelihood gradient against finite
 * differences, rank-one append against a full factorization, robustness on
 * duplicated points and constant targets, fantasies, a GP's prior mean
 * from another GP (stacked GPs), and every result the same bits under 1,
 * 2 and 4 OpenBLAS threads. */
#include <cblas.h>
#include <math.h>

#include "testutil.h"

#include "gp.h"
#include "gp_check.h"

/* Matern-5/2 written out independently of gp.c */
static double matern52(double sf2, double r)
{
    double s = sqrt(5.0) * r;
    return sf2 * (1.0 + s + 5.0 * r * r / 3.0) * exp(-s);
}

static void set_hyper(hpti_gp *gp, const double *ls, double sf2, double sn2, double m)
{
    double th[16];
    for (size_t j = 0; j < gp->dim; j++)
        th[j] = log(ls[j]);
    th[gp->dim] = log(sf2);
    th[gp->dim + 1] = log(sn2);
    th[gp->dim + 2] = m;
    hpti_gp_set_theta(gp, th);
}

/* Two observations in 1-D: the posterior by the 2x2 inverse by hand. */
static void test_posterior_hand(void **state)
{
    (void)state;
    hpti_gp gp;
    assert_ok(hpti_gp_init(&gp, 1, NULL));
    double ls = 0.4, sf2 = 1.5, sn2 = 0.01, m = 0.2;
    set_hyper(&gp, &ls, sf2, sn2, m);
    double X[2] = {0.1, 0.7}, y[2] = {1.0, -0.5}, xs = 0.3;
    assert_ok(hpti_gp_factor(&gp, X, 2));
    hpti_gp_set_targets(&gp, y);

    double k12 = matern52(sf2, 0.6 / ls);
    double a = sf2 + sn2, b = k12, c = sf2 + sn2, det = a * c - b * b;
    double Ki[2][2] = {{c / det, -b / det}, {-b / det, a / det}};
    double ks[2] = {matern52(sf2, 0.2 / ls), matern52(sf2, 0.4 / ls)};
    double r[2] = {y[0] - m, y[1] - m};
    double al[2] = {Ki[0][0] * r[0] + Ki[0][1] * r[1], Ki[1][0] * r[0] + Ki[1][1] * r[1]};
    double mu_ref = m + ks[0] * al[0] + ks[1] * al[1];
    double var_ref = sf2 - (ks[0] * (Ki[0][0] * ks[0] + Ki[0][1] * ks[1]) +
                            ks[1] * (Ki[1][0] * ks[0] + Ki[1][1] * ks[1]));

    double mu, var, dmu, dvar;
    hpti_gp_predict(&gp, &xs, 1, &mu, &var);
    assert_true(fabs(mu - mu_ref) < 1e-12);
    assert_true(fabs(var - var_ref) < 1e-12);
    hpti_gp_predict_grad(&gp, &xs, &mu, &var, &dmu, &dvar);
    assert_true(fabs(mu - mu_ref) < 1e-12);
    assert_true(fabs(var - var_ref) < 1e-12);

    /* gradients of the single-point prediction by central differences */
    double h = 1e-6, mp, vp, mm, vm, t1, t2;
    double xp = xs + h, xm = xs - h;
    hpti_gp_predict_grad(&gp, &xp, &mp, &vp, &t1, &t2);
    hpti_gp_predict_grad(&gp, &xm, &mm, &vm, &t1, &t2);
    assert_true(fabs((mp - mm) / (2 * h) - dmu) < 1e-6 * (1 + fabs(dmu)));
    assert_true(fabs((vp - vm) / (2 * h) - dvar) < 1e-6 * (1 + fabs(dvar)));

    /* posterior mean at the training points: y - sn2 alpha */
    double tm[2];
    hpti_gp_train_mean(&gp, tm);
    double mu0;
    hpti_gp_predict(&gp, &X[0], 1, &mu0, &var);
    assert_true(fabs(tm[0] - mu0) < 1e-10);
    hpti_gp_free(&gp);
}

static void random_data(hpti_rng *r, size_t n, size_t d, double *X, double *y)
{
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < d; j++) {
            X[i * d + j] = hpti_rng_uniform(r);
            s += sin(3.0 * X[i * d + j] + (double)j);
        }
        y[i] = s + 0.1 * hpti_rng_normal(r);
    }
}

/* d(-log posterior)/d theta against central differences, with one
 * categorical coordinate. */
static void test_lml_gradient(void **state)
{
    (void)state;
    size_t d = 3, n = 25;
    unsigned char cat[3] = {0, 0, 1};
    hpti_gp gp;
    assert_ok(hpti_gp_init(&gp, d, cat));
    hpti_rng r;
    hpti_rng_seed(&r, 7, 0);
    double X[75], y[25];
    random_data(&r, n, d, X, y);
    for (size_t i = 0; i < n; i++) /* categorical coordinate: 3 cells */
        X[i * d + 2] = (floor(X[i * d + 2] * 3.0) + 0.5) / 3.0;
    assert_ok(hpti_gp_fit_reserve(&gp, n));
    double th[6] = {log(0.3), log(0.8), log(1.7), log(1.3), log(0.02), 0.1};
    gpc_nlp_gradient(&gp, X, y, n, th);
    /* the fit lowers the objective from the default start */
    double t0[6];
    hpti_gp_default_theta(&gp, t0);
    double f0 = hpti_gp_nlp(&gp, X, y, n, t0, NULL);
    assert_ok(hpti_gp_fit(&gp, X, y, n, &r, 2, 60));
    double f1 = hpti_gp_nlp(&gp, X, y, n, gp.theta, NULL);
    assert_true(f1 < f0);
    hpti_gp_free(&gp);
}

/* Appending rows one at a time gives the factor (and predictions) of a full
 * refactorization. */
static void test_append_equals_factor(void **state)
{
    (void)state;
    size_t d = 2, n = 40, n0 = 12;
    hpti_gp a, b;
    assert_ok(hpti_gp_init(&a, d, NULL));
    assert_ok(hpti_gp_init(&b, d, NULL));
    double ls[2] = {0.3, 0.5};
    set_hyper(&a, ls, 1.2, 1e-3, 0.0);
    set_hyper(&b, ls, 1.2, 1e-3, 0.0);
    hpti_rng r;
    hpti_rng_seed(&r, 3, 0);
    double X[80], y[40];
    random_data(&r, n, d, X, y);
    assert_ok(hpti_gp_factor(&a, X, n0));
    for (size_t i = n0; i < n; i++) /* crosses a capacity growth too */
        assert_ok(hpti_gp_append(&a, X + i * d));
    assert_ok(hpti_gp_factor(&b, X, n));
    assert_int_equal(a.n, n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++)
            if (fabs(a.L[i * a.cap + j] - b.L[i * b.cap + j]) > 1e-10)
                fail_msg("L[%zu][%zu]: append %.15g, full %.15g", i, j, a.L[i * a.cap + j],
                         b.L[i * b.cap + j]);
    hpti_gp_set_targets(&a, y);
    hpti_gp_set_targets(&b, y);
    double xs[4] = {0.5, 0.5, 0.1, 0.9}, ma[2], va[2], mb[2], vb[2];
    hpti_gp_predict(&a, xs, 2, ma, va);
    hpti_gp_predict(&b, xs, 2, mb, vb);
    for (int k = 0; k < 2; k++) {
        assert_true(fabs(ma[k] - mb[k]) < 1e-9);
        assert_true(fabs(va[k] - vb[k]) < 1e-9);
    }
    /* truncating back and appending again reproduces the same rows */
    hpti_gp_truncate(&a, n0);
    for (size_t i = n0; i < n; i++)
        assert_ok(hpti_gp_append(&a, X + i * d));
    hpti_gp_set_targets(&a, y);
    hpti_gp_predict(&a, xs, 2, ma, va);
    assert_true(fabs(ma[0] - mb[0]) < 1e-9);
    hpti_gp_free(&a);
    hpti_gp_free(&b);
}

/* Duplicated points at the smallest noise and constant targets: factor,
 * fit and predictions stay finite; nothing aborts. */
static void test_duplicates_constant(void **state)
{
    (void)state;
    size_t d = 2, n = 30;
    hpti_gp gp;
    assert_ok(hpti_gp_init(&gp, d, NULL));
    double X[60], y[30];
    for (size_t i = 0; i < n; i++) {
        X[i * d] = i < 20 ? 0.5 : 0.25; /* 20 copies of one point */
        X[i * d + 1] = i < 20 ? 0.5 : 0.75;
        y[i] = 0.0;
    }
    double ls[2] = {2.0, 2.0};
    set_hyper(&gp, ls, 1.0, 1e-9, 0.0);
    assert_ok(hpti_gp_factor(&gp, X, n));
    for (size_t i = 0; i < 10; i++)
        assert_ok(hpti_gp_append(&gp, X)); /* more copies through append */
    double yy[40] = {0};
    hpti_gp_set_targets(&gp, yy);
    double mu, var, xs[2] = {0.5, 0.5};
    hpti_gp_predict(&gp, xs, 1, &mu, &var);
    assert_true(isfinite(mu) && isfinite(var) && var > 0);
    hpti_rng r;
    hpti_rng_seed(&r, 1, 0);
    assert_ok(hpti_gp_fit(&gp, X, y, n, &r, 2, 40));
    for (size_t j = 0; j < gp.np; j++)
        assert_true(isfinite(gp.theta[j]));
    assert_ok(hpti_gp_factor(&gp, X, n));
    hpti_gp_set_targets(&gp, y);
    hpti_gp_predict(&gp, xs, 1, &mu, &var);
    assert_true(isfinite(mu) && isfinite(var));
    hpti_gp_free(&gp);
}

/* A kriging-believer fantasy keeps the mean and shrinks the variance. */
static void test_believer(void **state)
{
    (void)state;
    size_t d = 2;
    hpti_gp gp;
    assert_ok(hpti_gp_init(&gp, d, NULL));
    double X[8] = {0.1, 0.1, 0.9, 0.2, 0.4, 0.8, 0.6, 0.5}, y[4] = {1, 0, -1, 0.5};
    double ls[2] = {0.2, 0.2};
    set_hyper(&gp, ls, 1.0, 1e-4, 0.0);
    assert_ok(hpti_gp_factor(&gp, X, 4));
    hpti_gp_set_targets(&gp, y);
    double xs[2] = {0.3, 0.4}, m0, v0, m1, v1;
    hpti_gp_predict(&gp, xs, 1, &m0, &v0);
    assert_ok(hpti_gp_append_believer(&gp, xs));
    hpti_gp_predict(&gp, xs, 1, &m1, &v1);
    assert_true(fabs(m1 - m0) < 1e-9);
    assert_true(v1 < 0.1 * v0);
    hpti_gp_truncate(&gp, 4);
    hpti_gp_predict(&gp, xs, 1, &m1, &v1);
    assert_true(fabs(v1 - v0) < 1e-12);
    hpti_gp_free(&gp);
}

/* A prior mean from another GP (stacked GPs): far from its own data the
 * GP predicts its constant mean plus the prior's mean; at its own data it
 * follows them; the batched gradient of the mean (prior included) matches
 * finite differences; the prior's mean at x equals its own prediction. */
static void test_prior_mean(void **state)
{
    (void)state;
    hpti_gp pr, gp;
    assert_ok(hpti_gp_init(&pr, 2, NULL));
    assert_ok(hpti_gp_init(&gp, 2, NULL));
    double ls[2] = {0.3, 0.5};
    set_hyper(&pr, ls, 1.0, 1e-6, 0.1);
    double lsc[2] = {0.1, 0.1}; /* the child's data do not reach (0.1, 0.1) */
    set_hyper(&gp, lsc, 0.5, 1e-6, -0.2);
    hpti_rng r;
    hpti_rng_seed(&r, 7, 0);
    double X[40], y[20];
    random_data(&r, 20, 2, X, y);
    assert_ok(hpti_gp_factor(&pr, X, 20));
    hpti_gp_set_targets(&pr, y);
    hpti_gp_finalize(&pr);
    double xs[2] = {0.37, 0.61}, mu, var, g0[2] = {0, 0};
    hpti_gp_predict(&pr, xs, 1, &mu, &var);
    assert_true(fabs(hpti_gp_mean_at(&pr, xs, g0) - mu) < 1e-10);

    /* the child: two points near (0.9, 0.9), targets 3 above the prior */
    hpti_gp_set_prior(&gp, &pr);
    double Xc[4] = {0.9, 0.9, 0.85, 0.95}, yc[2];
    for (int k = 0; k < 2; k++)
        yc[k] = hpti_gp_mean_at(&pr, Xc + 2 * k, NULL) + 3.0;
    assert_ok(hpti_gp_factor(&gp, Xc, 2));
    hpti_gp_set_targets(&gp, yc);
    double far[2] = {0.1, 0.1}, mf, vf;
    hpti_gp_predict(&gp, far, 1, &mf, &vf);
    assert_true(fabs(mf - (-0.2 + hpti_gp_mean_at(&pr, far, NULL))) < 1e-3);
    double mt[2];
    hpti_gp_train_mean(&gp, mt);
    assert_true(fabs(mt[0] - yc[0]) < 1e-3 && fabs(mt[1] - yc[1]) < 1e-3);
    hpti_gp_predict(&gp, Xc, 1, &mf, &vf);
    assert_true(fabs(mf - yc[0]) < 1e-3);

    /* gradient of the mean, prior included, against central differences */
    static const double pts[2][2] = {{0.6, 0.8}, {0.88, 0.86}}; /* far, near the data */
    for (int q = 0; q < 2; q++) {
        const double *x = pts[q];
        double m1, v1, dm[2], dv[2];
        hpti_gp_predict_grad_batch(&gp, x, 1, &m1, &v1, dm, dv);
        for (int j = 0; j < 2; j++) {
            double h = 1e-6, xp[2] = {x[0], x[1]}, xm[2] = {x[0], x[1]}, mp, mm, vp;
            xp[j] += h;
            xm[j] -= h;
            hpti_gp_predict(&gp, xp, 1, &mp, &vp);
            hpti_gp_predict(&gp, xm, 1, &mm, &vp);
            double fd = (mp - mm) / (2 * h);
            if (!(fabs(fd - dm[j]) < 1e-5 * (1 + fabs(fd))))
                fail_msg("d mu / d x_%d: analytic %g, finite differences %g", j, dm[j], fd);
        }
        double m2, v2, dm2[2], dv2[2];
        hpti_gp_predict_grad(&gp, x, &m2, &v2, dm2, dv2);
        assert_true(fabs(m2 - m1) < 1e-10);
        assert_true(fabs(dm2[0] - dm[0]) < 1e-8 && fabs(dm2[1] - dm[1]) < 1e-8);
    }
    hpti_gp_free(&gp);
    hpti_gp_free(&pr);
}

/* Fit, factor, appends, fantasies, predictions and the likelihood's
 * gradient, all written to one array, under the starting thread count and
 * under 1, 2 and 4 OpenBLAS threads set in this process: the same bits
 * (issue 15; before, LAPACK's dpotrf made them differ). n = 700 rows and
 * 300 candidates span several of the kernels' blocks. */
enum { TD = 4, TN = 700, TFIT = 150, TM = 300, TB = 100, TOUT = 3 * TM + 2 * TB * (TD + 1) + 64 };

static void gp_outputs(double *out)
{
    unsigned char cat[TD] = {0, 0, 0, 1};
    static double X[(TN + 8) * TD], y[TN + 8], Xs[TM * TD];
    hpti_rng r;
    hpti_rng_seed(&r, 99, 0);
    random_data(&r, TN + 8, TD, X, y);
    for (size_t i = 0; i < TN + 8; i++)
        X[i * TD + 3] = (floor(X[i * TD + 3] * 3.0) + 0.5) / 3.0;
    for (size_t i = 0; i < TM * TD; i++)
        Xs[i] = hpti_rng_uniform(&r);
    hpti_gp gp;
    assert_ok(hpti_gp_init(&gp, TD, cat));
    assert_ok(hpti_gp_fit(&gp, X, y, TFIT, &r, 1, 25));
    size_t k = 0;
    for (size_t j = 0; j < gp.np; j++)
        out[k++] = gp.theta[j];
    double g[TD + 3];
    out[k++] = hpti_gp_nlp(&gp, X, y, TFIT, gp.theta, g);
    for (size_t j = 0; j < gp.np; j++)
        out[k++] = g[j];
    assert_ok(hpti_gp_factor(&gp, X, TN));
    for (size_t i = 0; i < 5; i++)
        assert_ok(hpti_gp_append(&gp, X + (TN + i) * TD));
    hpti_gp_set_targets(&gp, y);
    assert_ok(hpti_gp_append_believer(&gp, X + (TN + 5) * TD));
    assert_ok(hpti_gp_append_believer(&gp, X + (TN + 6) * TD));
    out[k++] = gp.y[TN + 6];
    double *mu = out + k, *var = mu + TM;
    hpti_gp_predict(&gp, Xs, TM, mu, var);
    k += 2 * TM;
    double *bm = out + k, *bv = bm + TB, *bdm = bv + TB, *bdv = bdm + TB * TD;
    hpti_gp_predict_grad_batch(&gp, Xs, TB, bm, bv, bdm, bdv);
    k += 2 * TB * (TD + 1);
    hpti_gp_predict_grad(&gp, Xs, out + k, out + k + 1, out + k + 2, out + k + 2 + TD);
    k += 2 + 2 * TD;
    static double tmean[TN + 8];
    hpti_gp_train_mean(&gp, tmean); /* all gp.n rows; ten kept */
    memcpy(out + k, tmean, 10 * sizeof *out);
    k += 10;
    assert_true(k <= TOUT);
    hpti_gp_free(&gp);
}

static void test_thread_count_independent(void **state)
{
    (void)state;
    static const int threads[] = {1, 2, 4};
    static double ref[TOUT], got[TOUT];
    int old = openblas_get_num_threads();
    memset(ref, 0, sizeof ref);
    gp_outputs(ref);
    for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
        openblas_set_num_threads(threads[t]);
        assert_int_equal(openblas_get_num_threads(), threads[t]);
        memset(got, 0, sizeof got);
        gp_outputs(got);
        for (size_t i = 0; i < TOUT; i++)
            if (memcmp(&ref[i], &got[i], sizeof *ref) != 0)
                fail_msg("output %zu: %a under %d threads, %a before", i, got[i], threads[t],
                         ref[i]);
    }
    openblas_set_num_threads(old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_posterior_hand),
        cmocka_unit_test(test_lml_gradient),
        cmocka_unit_test(test_append_equals_factor),
        cmocka_unit_test(test_duplicates_constant),
        cmocka_unit_test(test_believer),
        cmocka_unit_test(test_prior_mean),
        cmocka_unit_test(test_thread_count_independent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
