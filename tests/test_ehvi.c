/* test_ehvi.c -- box decomposition and log EHVI (lib/ehvi.c): the boxes
 * tile the non-dominated region (volumes and point improvements against a
 * brute-force grid count), EHVI agrees with a Monte Carlo estimate and
 * with a long-double evaluation, stays finite far in the tail, and its
 * derivatives match finite differences. */
#include <float.h>
#include <math.h>

#include "testutil.h"

#include "ehvi.h"
#include "rng.h"

/* Hypervolume of n points (minimized) below ref by counting the cells of
 * the grid their coordinates span: a cell is dominated when a point is
 * <= its lower corner. Independent of the decomposition; O(n^(d+1)). */
static double hv_grid(const double *p, size_t n, size_t d, const double *ref)
{
    double g[8][64];
    size_t ng[8];
    for (size_t k = 0; k < d; k++) {
        ng[k] = 0;
        for (size_t i = 0; i < n; i++)
            if (p[i * d + k] < ref[k])
                g[k][ng[k]++] = p[i * d + k];
        g[k][ng[k]++] = ref[k];
        /* insertion sort */
        for (size_t i = 1; i < ng[k]; i++)
            for (size_t j = i; j > 0 && g[k][j - 1] > g[k][j]; j--) {
                double t = g[k][j];
                g[k][j] = g[k][j - 1];
                g[k][j - 1] = t;
            }
    }
    size_t idx[8] = {0};
    double hv = 0.0;
    for (;;) {
        int ok = 1;
        for (size_t k = 0; k < d; k++)
            ok = ok && idx[k] + 1 < ng[k];
        if (ok) {
            double vol = 1.0;
            for (size_t k = 0; k < d; k++)
                vol *= g[k][idx[k] + 1] - g[k][idx[k]];
            int dom = 0;
            for (size_t i = 0; i < n && !dom; i++) {
                int le = 1;
                for (size_t k = 0; k < d; k++)
                    le = le && p[i * d + k] <= g[k][idx[k]];
                dom = le;
            }
            if (dom)
                hv += vol;
        }
        size_t k = 0;
        while (k < d && ++idx[k] >= ng[k])
            idx[k++] = 0;
        if (k == d)
            break;
    }
    return hv;
}

/* n random points on a concave front (some dominated, a duplicate). */
static void random_front(hpti_rng *r, double *p, size_t n, size_t d)
{
    for (size_t i = 0; i < n; i++) {
        double norm = 0.0;
        for (size_t k = 0; k < d; k++) {
            p[i * d + k] = fabs(hpti_rng_normal(r)) + 0.05;
            norm += p[i * d + k] * p[i * d + k];
        }
        double scale = (i % 4 == 3 ? 1.3 : 1.0) / sqrt(norm); /* every 4th dominated */
        for (size_t k = 0; k < d; k++)
            p[i * d + k] *= scale;
    }
    if (n >= 2)
        memcpy(p + (n - 1) * d, p, d * sizeof *p);
}

static void test_hand_front_2d(void **state)
{
    (void)state;
    /* (1,3), (2,2), (3,1), ref (4,4): HV = 3 + 2 + 1 = 6; one dominated
     * point, one duplicate and one beyond the reference are ignored */
    double f[] = {1, 3, 2, 2, 3, 1, 3, 3, 2, 2, 5, 0.5};
    double ref[] = {4, 4}, lower[] = {0, 0};
    hpti_ehvi e;
    hpti_ehvi_init(&e);
    assert_ok(hpti_ehvi_build(&e, f, 6, 2, ref));
    assert_int_equal(e.n_front, 3);
    assert_int_equal(e.n_box, 4);
    assert_true(fabs(hpti_ehvi_volume(&e, lower) - (16.0 - 6.0)) < 1e-12);
    /* (1.5, 1.5) adds [1.5,2]x[1.5,3] and [2,3]x[1.5,2] */
    double y[] = {1.5, 1.5};
    assert_true(fabs(hpti_ehvi_hvi(&e, y) - (0.75 + 0.5)) < 1e-12);
    double y2[] = {2.5, 2.5}; /* dominated */
    assert_true(hpti_ehvi_hvi(&e, y2) == 0.0);
    hpti_ehvi_free(&e);
}

static void test_hand_front_3d(void **state)
{
    (void)state;
    /* (0,1,1), (1,0,1), (1,1,0) below ref (2,2,2) each dominate a 2x1x1
     * slab; pairwise and all three meet in [1,2]^3: 6 - 3 + 1 = 4. Equal
     * coordinates make empty slabs. */
    double f[] = {0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1};
    double ref[] = {2, 2, 2}, lower[] = {-1, -1, -1};
    hpti_ehvi e;
    hpti_ehvi_init(&e);
    assert_ok(hpti_ehvi_build(&e, f, 4, 3, ref));
    assert_int_equal(e.n_front, 3); /* (1,1,1) is dominated */
    double hv = hv_grid(f, 4, 3, ref);
    assert_true(fabs(hv - 4.0) < 1e-12); /* 2 + 1 + 1: by hand */
    assert_true(fabs(hpti_ehvi_volume(&e, lower) - (27.0 - hv)) < 1e-12);
    hpti_ehvi_free(&e);
}

static void test_random_fronts_tile(void **state)
{
    (void)state;
    hpti_rng r;
    hpti_rng_seed(&r, 7, 0);
    hpti_ehvi e;
    hpti_ehvi_init(&e);
    for (size_t d = 2; d <= 4; d++)
        for (int rep = 0; rep < 12; rep++) {
            size_t n = (size_t)(d == 4 ? 3 + rep % 6 : 3 + rep * 2);
            double p[64 * 4], q[65 * 4], ref[4], lower[4], y[4];
            random_front(&r, p, n, d);
            double box = 1.0;
            for (size_t k = 0; k < d; k++) {
                ref[k] = 1.1;
                lower[k] = 0.0;
                box *= ref[k] - lower[k];
            }
            assert_ok(hpti_ehvi_build(&e, p, n, d, ref));
            double hv = hv_grid(p, n, d, ref);
            double vol = hpti_ehvi_volume(&e, lower);
            if (fabs(vol - (box - hv)) > 1e-10)
                fail_msg("d %zu n %zu: boxes %g, grid %g", d, n, vol, box - hv);
            for (int t = 0; t < 5; t++) {
                for (size_t k = 0; k < d; k++)
                    y[k] = 1.1 * hpti_rng_uniform(&r);
                memcpy(q, p, n * d * sizeof *q);
                memcpy(q + n * d, y, d * sizeof *q);
                double want = hv_grid(q, n + 1, d, ref) - hv;
                double got = hpti_ehvi_hvi(&e, y);
                if (fabs(got - want) > 1e-10)
                    fail_msg("d %zu n %zu: HVI %g, grid %g", d, n, got, want);
            }
        }
    hpti_ehvi_free(&e);
}

/* EHVI = E[HVI(y)], y ~ N(mu, s^2): a Monte Carlo mean with its standard
 * error. */
static void test_ehvi_monte_carlo(void **state)
{
    (void)state;
    hpti_rng r;
    hpti_rng_seed(&r, 11, 0);
    hpti_ehvi e;
    hpti_ehvi_init(&e);
    for (size_t d = 2; d <= 3; d++) {
        double p[10 * 3], ref[3] = {1.1, 1.1, 1.1};
        random_front(&r, p, 10, d);
        assert_ok(hpti_ehvi_build(&e, p, 10, d, ref));
        double mus[3][3] = {{0.5, 0.5, 0.5}, {0.9, 0.2, 0.6}, {0.8, 0.8, 0.8}};
        double ss[3][3] = {{0.2, 0.3, 0.25}, {0.05, 0.1, 0.4}, {0.1, 0.1, 0.1}};
        for (int c = 0; c < 3; c++) {
            const size_t N = 200000;
            double sum = 0, sum2 = 0, y[3];
            for (size_t i = 0; i < N; i++) {
                for (size_t k = 0; k < d; k++)
                    y[k] = mus[c][k] + ss[c][k] * hpti_rng_normal(&r);
                double h = hpti_ehvi_hvi(&e, y);
                sum += h;
                sum2 += h * h;
            }
            double mean = sum / (double)N;
            double se = sqrt((sum2 / (double)N - mean * mean) / (double)N);
            double got = exp(hpti_ehvi_log(&e, mus[c], ss[c], NULL, NULL));
            if (fabs(got - mean) > 5.0 * se + 1e-9)
                fail_msg("d %zu case %d: EHVI %g, Monte Carlo %g +- %g", d, c, got, mean, se);
        }
    }
    hpti_ehvi_free(&e);
}

/* long-double reference: sum over boxes of prod s (h(z_u) - h(z_l)) */
static long double h_ref(long double z)
{
    long double phi = expl(-0.5L * z * z) / sqrtl(2.0L * 3.14159265358979323846264L);
    return phi + z * 0.5L * erfcl(-z / sqrtl(2.0L));
}

static long double ehvi_ref(const hpti_ehvi *e, const double *mu, const double *s)
{
    size_t d = e->n_obj;
    long double tot = 0.0L;
    for (size_t c = 0; c < e->n_box; c++) {
        long double v = 1.0L;
        for (size_t k = 0; k < d; k++) {
            double a = e->lo[c * d + k], b = e->hi[c * d + k];
            long double hu = h_ref(((long double)b - mu[k]) / s[k]);
            long double hl = isinf(a) ? 0.0L : h_ref(((long double)a - mu[k]) / s[k]);
            v *= s[k] * (hu - hl);
        }
        tot += v;
    }
    return tot;
}

static void test_ehvi_tail(void **state)
{
    (void)state;
    hpti_rng r;
    hpti_rng_seed(&r, 3, 0);
    hpti_ehvi e;
    hpti_ehvi_init(&e);
    double p[8 * 3], ref[3] = {1.1, 1.1, 1.1};
    random_front(&r, p, 8, 3);
    assert_ok(hpti_ehvi_build(&e, p, 8, 3, ref));
    /* moving the prediction away: equal to the reference while it holds
     * the bits (to z ~ -6), then finite and decreasing */
    double prev = INFINITY;
    for (double t = 0.0; t <= 60.0; t += 0.5) {
        double mu[3] = {1.0 + t * 0.1, 1.0 + t * 0.1, 0.8 + t * 0.1}, s[3] = {0.1, 0.1, 0.1};
        double v = hpti_ehvi_log(&e, mu, s, NULL, NULL);
        if (!isfinite(v))
            fail_msg("log EHVI not finite at shift %g", t);
        assert_true(v < prev);
        prev = v;
        if (t <= 4.0) {
            double ref_v = (double)logl(ehvi_ref(&e, mu, s));
            if (fabs(v - ref_v) > 1e-7 * (1.0 + fabs(ref_v)))
                fail_msg("shift %g: log EHVI %.12g, reference %.12g", t, v, ref_v);
        }
    }
    assert_true(prev < -1000.0); /* where plain EHVI is 0 in double */
    /* a thin box (a near-duplicate front value) next to a wide
     * prediction: the midpoint branch matches the reference */
    double f2[] = {0.2, 0.8, 0.2 + 1e-9, 0.5, 0.6, 0.3};
    double ref2[] = {1.0, 1.0};
    assert_ok(hpti_ehvi_build(&e, f2, 3, 2, ref2));
    double mu[2] = {0.21, 0.6}, s[2] = {0.5, 0.5};
    double v = hpti_ehvi_log(&e, mu, s, NULL, NULL);
    double ref_v = (double)logl(ehvi_ref(&e, mu, s));
    assert_true(fabs(v - ref_v) < 1e-7 * (1.0 + fabs(ref_v)));
    hpti_ehvi_free(&e);
}

static void test_ehvi_gradient(void **state)
{
    (void)state;
    hpti_rng r;
    hpti_rng_seed(&r, 5, 0);
    hpti_ehvi e;
    hpti_ehvi_init(&e);
    for (size_t d = 2; d <= 3; d++) {
        double p[9 * 3], ref[3] = {1.1, 1.1, 1.1};
        random_front(&r, p, 9, d);
        assert_ok(hpti_ehvi_build(&e, p, 9, d, ref));
        for (int c = 0; c < 20; c++) {
            double mu[3], s[3], gm[3], gs[3];
            for (size_t k = 0; k < d; k++) {
                /* from inside the front to far beyond it */
                mu[k] = 0.3 + (c < 10 ? 0.8 : 3.0) * hpti_rng_uniform(&r);
                s[k] = 0.02 + 0.3 * hpti_rng_uniform(&r);
            }
            double v = hpti_ehvi_log(&e, mu, s, gm, gs);
            for (size_t k = 0; k < d; k++) {
                double h = 1e-6, m0 = mu[k], s0 = s[k];
                mu[k] = m0 + h;
                double vp = hpti_ehvi_log(&e, mu, s, NULL, NULL);
                mu[k] = m0 - h;
                double vm = hpti_ehvi_log(&e, mu, s, NULL, NULL);
                mu[k] = m0;
                double fd = (vp - vm) / (2 * h);
                if (fabs(fd - gm[k]) > 1e-4 * (1.0 + fabs(fd)))
                    fail_msg("d %zu case %d: dlogEHVI/dmu_%zu %g, FD %g (value %g)", d, c, k,
                             gm[k], fd, v);
                s[k] = s0 + h;
                vp = hpti_ehvi_log(&e, mu, s, NULL, NULL);
                s[k] = s0 - h;
                vm = hpti_ehvi_log(&e, mu, s, NULL, NULL);
                s[k] = s0;
                fd = (vp - vm) / (2 * h);
                if (fabs(fd - gs[k]) > 1e-4 * (1.0 + fabs(fd)))
                    fail_msg("d %zu case %d: dlogEHVI/ds_%zu %g, FD %g", d, c, k, gs[k], fd);
            }
        }
    }
    hpti_ehvi_free(&e);
}

static void test_empty_and_invalid(void **state)
{
    (void)state;
    hpti_ehvi e;
    hpti_ehvi_init(&e);
    double ref[2] = {1, 1}, lower[2] = {0, 0};
    assert_ok(hpti_ehvi_build(&e, NULL, 0, 2, ref));
    assert_int_equal(e.n_box, 1); /* the whole box */
    assert_true(fabs(hpti_ehvi_volume(&e, lower) - 1.0) < 1e-15);
    /* EHVI of the whole box = E[(1 - y1)+] E[(1 - y2)+] */
    double mu[2] = {0.5, 0.2}, s[2] = {0.3, 0.3};
    double want = log(0.3 * (double)h_ref(0.5 / 0.3)) + log(0.3 * (double)h_ref(0.8 / 0.3));
    assert_true(fabs(hpti_ehvi_log(&e, mu, s, NULL, NULL) - want) < 1e-12);
    double bad[2] = {NAN, 0.5};
    assert_status(hpti_ehvi_build(&e, bad, 1, 2, ref), HPT_E_INVALID);
    assert_status(hpti_ehvi_build(&e, NULL, 0, 0, ref), HPT_E_INVALID);
    assert_status(hpti_ehvi_build(&e, NULL, 0, HPTI_EHVI_MAX_OBJ + 1, ref), HPT_E_INVALID);
    hpti_ehvi_free(&e);
}

/* Many objectives and a large front: thinned to fit, and exact for the
 * sub-front it kept (checked by uniform sampling: the fraction of the box
 * not dominated by the kept points). */
static void test_thinning(void **state)
{
    (void)state;
    hpti_rng r;
    hpti_rng_seed(&r, 9, 0);
    hpti_ehvi e;
    hpti_ehvi_init(&e);
    size_t d = 6, n = 80;
    double *p = malloc(n * d * sizeof *p), ref[6], lower[6], z[6];
    for (size_t k = 0; k < d; k++) {
        ref[k] = 1.1;
        lower[k] = 0.0;
    }
    for (size_t i = 0; i < n; i++) { /* no dominated points: all on the sphere */
        double norm = 0.0;
        for (size_t k = 0; k < d; k++) {
            p[i * d + k] = fabs(hpti_rng_normal(&r)) + 0.05;
            norm += p[i * d + k] * p[i * d + k];
        }
        for (size_t k = 0; k < d; k++)
            p[i * d + k] /= sqrt(norm);
    }
    assert_ok(hpti_ehvi_build(&e, p, n, d, ref));
    assert_int_equal(e.n_front, n);
    assert_true(e.n_box <= HPTI_EHVI_MAX_BOXES);
    assert_true(e.n_used < e.n_front && e.n_used >= 2);
    const size_t N = 100000;
    size_t free_pts = 0;
    for (size_t t = 0; t < N; t++) {
        for (size_t k = 0; k < d; k++)
            z[k] = 1.1 * hpti_rng_uniform(&r);
        int dom = 0;
        for (size_t i = 0; i < e.n_used && !dom; i++) {
            int le = 1;
            for (size_t k = 0; k < d; k++)
                le = le && e.pts[i * d + k] <= z[k];
            dom = le;
        }
        free_pts += !dom;
    }
    double box = pow(1.1, 6.0), f = (double)free_pts / (double)N;
    double se = box * sqrt(f * (1.0 - f) / (double)N);
    double vol = hpti_ehvi_volume(&e, lower);
    if (fabs(vol - box * f) > 5.0 * se)
        fail_msg("boxes %g, sampled %g +- %g", vol, box * f, se);
    free(p);
    hpti_ehvi_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_front_2d),      cmocka_unit_test(test_hand_front_3d),
        cmocka_unit_test(test_random_fronts_tile), cmocka_unit_test(test_ehvi_monte_carlo),
        cmocka_unit_test(test_ehvi_tail),          cmocka_unit_test(test_ehvi_gradient),
        cmocka_unit_test(test_empty_and_invalid),  cmocka_unit_test(test_thinning),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
