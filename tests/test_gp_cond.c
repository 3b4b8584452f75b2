/* test_gp_cond.c -- the conditional kernel of gp.h: values against the arc
 * embedding written out here, positive definiteness where the naive
 * "compare on the coordinates active in both" kernel is not, gradients
 * (hyperparameters and inputs) against finite differences, append against
 * a full factorization, and the unconditional path unchanged. */
#include <math.h>

#include "testutil.h"

#include "gp.h"
#include "gp_check.h"
#include "linalg.h"

/* Test space, 4 coordinates: u0 ordered switch, u1 always active,
 * u2 ordered active when u0 < 1/2, u3 categorical (3 cells) active when
 * u0 >= 1/2. */
static void act4(const void *ctx, const double *u, unsigned char *a)
{
    (void)ctx;
    a[0] = a[1] = 1;
    a[2] = u[0] < 0.5;
    a[3] = u[0] >= 0.5;
}

static const unsigned char CAT4[4] = {0, 0, 0, 1}, COND4[4] = {0, 0, 1, 1};

static void make_gp(hpti_gp *gp)
{
    assert_ok(hpti_gp_init(gp, 4, CAT4));
    assert_ok(hpti_gp_set_conditional(gp, COND4, act4, NULL));
}

static void set_hyper(hpti_gp *gp, const double *ls, double sf2, double sn2, double m)
{
    double th[8];
    for (size_t j = 0; j < gp->dim; j++)
        th[j] = log(ls[j]);
    th[gp->dim] = log(sf2);
    th[gp->dim + 1] = log(sn2);
    th[gp->dim + 2] = m;
    hpti_gp_set_theta(gp, th);
}

/* The embedding of one point, written out independently of gp.c: u0, u1
 * as they are, u2 on the unit circle or at its centre, u3 one-hot / sqrt 2
 * with a fourth vertex for "inactive" -- every map scaled by 1 / ls_j. */
static void embed(const double *u, const double *ls, double *e)
{
    unsigned char a[4];
    act4(NULL, u, a);
    e[0] = u[0] / ls[0];
    e[1] = u[1] / ls[1];
    e[2] = a[2] ? cos(u[2]) / ls[2] : 0.0;
    e[3] = a[2] ? sin(u[2]) / ls[2] : 0.0;
    int cell = a[3] ? (int)floor(u[3] * 3.0) : 3;
    for (int k = 0; k < 4; k++)
        e[4 + k] = (k == cell ? M_SQRT1_2 : 0.0) / ls[3];
}

static double matern_embedded(const double *a, const double *b, const double *ls, double sf2)
{
    double ea[8], eb[8], r2 = 0;
    embed(a, ls, ea);
    embed(b, ls, eb);
    for (int k = 0; k < 8; k++)
        r2 += (ea[k] - eb[k]) * (ea[k] - eb[k]);
    double s = sqrt(5.0 * r2);
    return sf2 * (1.0 + s + s * s / 3.0) * exp(-s);
}

static void random_points(hpti_rng *r, size_t n, double *X, double *y)
{
    for (size_t i = 0; i < n; i++) {
        double *x = X + i * 4;
        for (int j = 0; j < 4; j++)
            x[j] = hpti_rng_uniform(r);
        x[3] = (floor(x[3] * 3.0) + 0.5) / 3.0;
        /* inactive coordinates at the canonical centre, as studies store them */
        if (x[0] >= 0.5)
            x[2] = 0.5;
        else
            x[3] = 0.5;
        y[i] = x[0] < 0.5 ? sin(6 * x[2]) + x[1] : (x[3] > 0.5 ? 1.0 : -1.0) * x[1];
    }
}

static void test_kernel_values(void **state)
{
    (void)state;
    hpti_gp gp;
    make_gp(&gp);
    double ls[4] = {0.4, 0.7, 0.3, 0.5};
    set_hyper(&gp, ls, 1.3, 1e-6, 0.0);
    hpti_rng r;
    hpti_rng_seed(&r, 3, 0);
    double X[40], y[10];
    random_points(&r, 10, X, y);
    for (size_t i = 0; i < 10; i++)
        for (size_t k = 0; k < 10; k++) {
            double want = matern_embedded(X + i * 4, X + k * 4, ls, 1.3);
            double got = hpti_gp_kernel(&gp, X + i * 4, X + k * 4);
            if (!(fabs(got - want) < 1e-12))
                fail_msg("k(x%zu, x%zu) = %.17g, embedding gives %.17g", i, k, got, want);
        }
    /* The inactive value is not read: any u2 of a point whose u2 is
     * inactive gives the same kernel values. */
    double a[4] = {0.7, 0.2, 0.1, 0.5}, b[4] = {0.7, 0.2, 0.9, 0.5}, c[4] = {0.2, 0.6, 0.3, 0.5};
    assert_true(hpti_gp_kernel(&gp, a, c) == hpti_gp_kernel(&gp, b, c));
    assert_true(hpti_gp_kernel(&gp, a, b) == hpti_gp_kernel(&gp, a, a));
    hpti_gp_free(&gp);
}

/* Three points: p, q with u2 active and 1 / 0.05 lengthscales apart, s
 * with u2 (and u0 >= 1/2: u3 switched on) otherwise next to both. The
 * naive kernel (a coordinate counts only when active in both) puts s at
 * distance ~0 from p and from q, whose Gram matrix [[1, ~0, ~1], [~0, 1,
 * ~1], [~1, ~1, 1]] then has determinant ~ -1; the arc embedding factors
 * it with no jitter. */
static void test_positive_definite(void **state)
{
    (void)state;
    hpti_gp gp;
    make_gp(&gp);
    double ls[4] = {100, 1, 0.05, 1};
    set_hyper(&gp, ls, 1.0, 1e-9, 0.0);
    double Y[12] = {0.49, 0.5, 0.0, 0.5, 0.49, 0.5, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5};
    double naive_ps = matern_embedded(Y, Y + 8, (const double[]){100, 1, INFINITY, INFINITY}, 1);
    double naive_pq = hpti_gp_kernel(&gp, Y, Y + 4); /* both active: the same */
    double det = 1 - naive_pq * naive_pq - 2 * naive_ps * naive_ps * (1 - naive_pq);
    assert_true(naive_pq < 1e-6 && det < -0.9);
    assert_ok(hpti_gp_factor(&gp, Y, 3));
    assert_true(gp.jitter == 0.0);
    /* the distance to the inactive point is the active-set term: the same
     * from p and from q */
    double kps = hpti_gp_kernel(&gp, Y, Y + 8), kqs = hpti_gp_kernel(&gp, Y + 4, Y + 8);
    assert_true(fabs(kps - kqs) < 1e-15 && kps < 1e-6);
    hpti_gp_free(&gp);
}

static void test_lml_gradient(void **state)
{
    (void)state;
    hpti_gp gp;
    make_gp(&gp);
    hpti_rng r;
    hpti_rng_seed(&r, 11, 0);
    size_t n = 30;
    double X[120], y[30];
    random_points(&r, n, X, y);
    assert_ok(hpti_gp_fit_reserve(&gp, n));
    double th[7] = {log(0.5), log(0.8), log(0.3), log(1.2), log(1.1), log(0.01), 0.05};
    gpc_nlp_gradient(&gp, X, y, n, th);
    double t0[7];
    hpti_gp_default_theta(&gp, t0);
    double f0 = hpti_gp_nlp(&gp, X, y, n, t0, NULL);
    assert_ok(hpti_gp_fit(&gp, X, y, n, &r, 2, 60));
    assert_true(hpti_gp_nlp(&gp, X, y, n, gp.theta, NULL) < f0);
    hpti_gp_free(&gp);
}

/* Input gradients of mean and variance (single, batched, and the prior
 * mean's) at points of both branches, away from the switch. */
static void test_input_gradient(void **state)
{
    (void)state;
    hpti_gp gp, pr;
    make_gp(&gp);
    make_gp(&pr);
    double ls[4] = {0.4, 0.6, 0.25, 0.5};
    set_hyper(&gp, ls, 1.0, 1e-4, 0.0);
    set_hyper(&pr, ls, 0.7, 1e-4, 0.1);
    hpti_rng r;
    hpti_rng_seed(&r, 5, 0);
    double X[100], y[25];
    random_points(&r, 25, X, y);
    assert_ok(hpti_gp_factor(&pr, X + 40, 15));
    hpti_gp_set_targets(&pr, y + 10);
    hpti_gp_finalize(&pr);
    hpti_gp_set_prior(&gp, &pr);
    assert_ok(hpti_gp_factor(&gp, X, 10));
    hpti_gp_set_targets(&gp, y);
    static const double pts[3][4] = {
        {0.2, 0.3, 0.7, 0.5}, {0.8, 0.6, 0.5, 0.2}, {0.35, 0.9, 0.05, 0.5}};
    for (int q = 0; q < 3; q++) {
        const double *x = pts[q];
        double m1, v1, dm[4], dv[4], m2, v2, dm2[4], dv2[4];
        hpti_gp_predict_grad(&gp, x, &m1, &v1, dm, dv);
        hpti_gp_predict_grad_batch(&gp, x, 1, &m2, &v2, dm2, dv2);
        assert_true(fabs(m1 - m2) < 1e-10 && fabs(v1 - v2) < 1e-10);
        unsigned char a[4];
        act4(NULL, x, a);
        for (int j = 0; j < 3; j++) { /* ordered coordinates */
            double h = 1e-6, xp[4], xm[4], mp, mm, vp, vm;
            memcpy(xp, x, sizeof xp);
            memcpy(xm, x, sizeof xm);
            xp[j] += h;
            xm[j] -= h;
            hpti_gp_predict(&gp, xp, 1, &mp, &vp);
            hpti_gp_predict(&gp, xm, 1, &mm, &vm);
            double fm = (mp - mm) / (2 * h), fv = (vp - vm) / (2 * h);
            if (!(fabs(fm - dm[j]) < 1e-5 * (1 + fabs(fm))) ||
                !(fabs(fv - dv[j]) < 1e-5 * (1 + fabs(fv))))
                fail_msg("point %d, x_%d: dmu %g (fd %g), dvar %g (fd %g)", q, j, dm[j], fm,
                         dv[j], fv);
            if (fabs(dm2[j] - dm[j]) > 1e-8 || fabs(dv2[j] - dv[j]) > 1e-8)
                fail_msg("point %d, x_%d: batched gradient differs", q, j);
            if (j == 2 && !a[2])
                assert_true(dm[j] == 0.0 && dv[j] == 0.0); /* inactive: never moves */
        }
    }
    hpti_gp_free(&gp);
    hpti_gp_free(&pr);
}

static void test_append_equals_factor(void **state)
{
    (void)state;
    hpti_gp a, b;
    make_gp(&a);
    make_gp(&b);
    double ls[4] = {0.4, 0.6, 0.25, 0.5};
    set_hyper(&a, ls, 1.0, 1e-4, 0.0);
    set_hyper(&b, ls, 1.0, 1e-4, 0.0);
    hpti_rng r;
    hpti_rng_seed(&r, 9, 0);
    double X[80], y[20];
    random_points(&r, 20, X, y);
    assert_ok(hpti_gp_factor(&a, X, 20));
    hpti_gp_set_targets(&a, y);
    assert_ok(hpti_gp_factor(&b, X, 5));
    for (size_t i = 5; i < 20; i++)
        assert_ok(hpti_gp_append(&b, X + i * 4));
    hpti_gp_set_targets(&b, y);
    double xs[8] = {0.3, 0.4, 0.6, 0.5, 0.7, 0.1, 0.5, 0.8}, ma[2], va[2], mb[2], vb[2];
    hpti_gp_predict(&a, xs, 2, ma, va);
    hpti_gp_predict(&b, xs, 2, mb, vb);
    for (int k = 0; k < 2; k++)
        assert_true(fabs(ma[k] - mb[k]) < 1e-9 && fabs(va[k] - vb[k]) < 1e-9);
    hpti_gp_free(&a);
    hpti_gp_free(&b);
}

/* No flag set: hpti_gp_set_conditional leaves the plain kernel. */
static void test_no_flags(void **state)
{
    (void)state;
    hpti_gp gp;
    assert_ok(hpti_gp_init(&gp, 4, CAT4));
    unsigned char none[4] = {0, 0, 0, 0};
    assert_ok(hpti_gp_set_conditional(&gp, none, act4, NULL));
    assert_null(gp.cond);
    double a[4] = {0.7, 0.2, 0.1, 0.5}, b[4] = {0.7, 0.2, 0.9, 0.5};
    assert_true(hpti_gp_kernel(&gp, a, b) < hpti_gp_kernel(&gp, a, a));
    hpti_gp_free(&gp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_values),       cmocka_unit_test(test_positive_definite),
        cmocka_unit_test(test_lml_gradient),        cmocka_unit_test(test_input_gradient),
        cmocka_unit_test(test_append_equals_factor), cmocka_unit_test(test_no_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
