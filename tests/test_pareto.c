/* test_pareto.c -- dominance, non-dominated ranks, hypervolume and its
 * contributions (lib/pareto.c) against hand-computed cases and against a
 * brute-force count of grid cells for 4 and 5 objectives. */
#include "testutil.h"

#include <math.h>

#include "mo_order.h"
#include "pareto.h"

#define assert_near(a, b, tol)                                                       \
    do {                                                                             \
        double a_ = (a), b_ = (b);                                                   \
        if (!(fabs(a_ - b_) <= (tol)))                                               \
            fail_msg("%s = %.17g, want %.17g", #a, a_, b_);                          \
    } while (0)

static double hv(const double *p, size_t N, size_t n, const double *ref)
{
    double v = -1;
    assert_ok(hpti_hypervolume(p, N, n, n, ref, &v));
    return v;
}

static void test_dominance(void **state)
{
    (void)state;
    double a[] = {1, 2}, b[] = {1, 3}, c[] = {1, 2}, d[] = {0, 4};
    assert_true(hpti_dominates(a, b, 2));
    assert_false(hpti_dominates(b, a, 2));
    assert_false(hpti_dominates(a, c, 2)); /* equal: neither */
    assert_false(hpti_dominates(a, d, 2));
    assert_false(hpti_dominates(d, a, 2));
}

static void test_front_and_ranks(void **state)
{
    (void)state;
    /* (2,3) twice, (3,3) behind them, (5,5) behind all, (1,5) and (4,1) */
    double p[] = {1, 5, 2, 3, 3, 3, 2, 3, 4, 1, 5, 5};
    unsigned char f[6];
    hpti_pareto_front(p, 6, 2, 2, f);
    unsigned char want_f[] = {1, 1, 0, 1, 1, 0};
    assert_memory_equal(f, want_f, 6);
    size_t r[6], want_r[] = {0, 0, 1, 0, 0, 2};
    assert_ok(hpti_pareto_rank(p, 6, 2, 2, r));
    assert_memory_equal(r, want_r, sizeof want_r);
    /* a stride wider than n reads rows in place (history rows) */
    double q[] = {1, 5, 9, 2, 3, 9, 3, 3, -9};
    unsigned char g[3];
    hpti_pareto_front(q, 3, 2, 3, g);
    assert_true(g[0] && g[1] && !g[2]);
}

static void test_hv_2d_hand(void **state)
{
    (void)state;
    double ref[] = {4, 4};
    /* the staircase (1,3) (2,2) (3,1): strips 3 + 2 + 1 */
    double p[] = {1, 3, 2, 2, 3, 1};
    assert_near(hv(p, 3, 2, ref), 6.0, 1e-12);
    /* plus a duplicate, a dominated point sharing an x, a point beyond the
     * reference and one on its boundary: the same volume */
    double q[] = {3, 1, 2, 2, 2, 3, 1, 3, 2, 2, 5, 0, 4, 0.5, 0.5, 4};
    assert_near(hv(q, 8, 2, ref), 6.0, 1e-12);
    assert_near(hv(q, 0, 2, ref), 0.0, 0);
    /* one point: its box */
    double one[] = {1.5, 2.5};
    assert_near(hv(one, 1, 2, ref), 2.5 * 1.5, 1e-12);
    double c[3];
    assert_ok(hpti_hv_contributions(p, 3, 2, 2, ref, c));
    /* exclusive parts: (1,3) alone covers x in [1,2) y in [3,4): 1; the
     * middle one [2,3)x[2,3): 1; (3,1) [3,4)x[1,2): 1 */
    for (int i = 0; i < 3; i++)
        assert_near(c[i], 1.0, 1e-12);
    double d[] = {2, 2, 2, 2, 1, 3};
    assert_ok(hpti_hv_contributions(d, 3, 2, 2, ref, c));
    assert_near(c[0], 0.0, 0); /* two equal points share their part */
    assert_near(c[1], 0.0, 0);
    assert_near(c[2], 1.0, 1e-12);
}

static void test_hv_3d_hand(void **state)
{
    (void)state;
    double ref[] = {3, 3, 3};
    /* A (1,1,2): 2*2*1 = 4; B (2,2,1): 1*1*2 = 2; C (0,2,2): 3*1*1 = 3;
     * pairwise A^B at (2,2,2): 1, A^C at (1,2,2): 2, B^C at (2,2,2): 1;
     * A^B^C: 1. Union 4 + 2 + 3 - 1 - 2 - 1 + 1 = 6. */
    double p[] = {1, 1, 2, 2, 2, 1, 0, 2, 2};
    assert_near(hv(p, 3, 3, ref), 6.0, 1e-12);
    /* a duplicate of B, a point B dominates, ties in the sliced objective */
    double q[] = {1, 1, 2, 2, 2, 1, 2, 2, 1, 2, 2, 2, 0, 2, 2, 2.5, 2.5, 1};
    assert_near(hv(q, 6, 3, ref), 6.0, 1e-12);
    double one[] = {0, 0, 0};
    assert_near(hv(one, 1, 3, ref), 27.0, 1e-12);
}

/* ---- brute force on a grid: integer points in {0..K-1}^n, ref K: the
 * volume is the number of unit cells [a, a+1) that some point p <= a
 * dominates, the contribution of p the cells only p dominates ---- */

#define K 5

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

static void brute(const double *p, size_t N, size_t n, double *vol, double *only)
{
    size_t cells = 1;
    for (size_t k = 0; k < n; k++)
        cells *= K;
    *vol = 0;
    for (size_t i = 0; i < N; i++)
        only[i] = 0;
    for (size_t c = 0; c < cells; c++) {
        double a[8];
        size_t r = c, who = 0, count = 0;
        for (size_t k = 0; k < n; k++, r /= K)
            a[k] = (double)(r % K);
        for (size_t i = 0; i < N; i++) {
            int dom = 1;
            for (size_t k = 0; k < n && dom; k++)
                dom = p[i * n + k] <= a[k];
            if (dom) {
                who = i;
                count++;
            }
        }
        if (count)
            *vol += 1;
        if (count == 1)
            only[who] += 1;
    }
}

static void test_hv_brute_4_5(void **state)
{
    (void)state;
    uint64_t seed = 12345;
    for (size_t n = 2; n <= 5; n++)
        for (int rep = 0; rep < 12; rep++) {
            size_t N = 1 + lcg(&seed) % 14;
            double p[14 * 5], ref[5], c[14], vol, only[14];
            for (size_t k = 0; k < n; k++)
                ref[k] = K;
            for (size_t i = 0; i < N * n; i++)
                p[i] = (double)(lcg(&seed) % K);
            brute(p, N, n, &vol, only);
            double got = hv(p, N, n, ref);
            if (got != vol)
                fail_msg("n %zu rep %d N %zu: hypervolume %g, grid count %g", n, rep, N, got,
                         vol);
            assert_ok(hpti_hv_contributions(p, N, n, n, ref, c));
            for (size_t i = 0; i < N; i++)
                if (c[i] != only[i])
                    fail_msg("n %zu rep %d point %zu: contribution %g, grid count %g", n,
                             rep, i, c[i], only[i]);
            /* the front alone (duplicates kept): two objectives take the
             * staircase's shortcut */
            unsigned char f[14];
            size_t m = 0;
            hpti_pareto_front(p, N, n, n, f);
            for (size_t i = 0; i < N; i++)
                if (f[i])
                    memmove(p + m++ * n, p + i * n, n * sizeof *p);
            brute(p, m, n, &vol, only);
            assert_ok(hpti_hv_contributions(p, m, n, n, ref, c));
            for (size_t i = 0; i < m; i++)
                if (c[i] != only[i])
                    fail_msg("front, n %zu rep %d point %zu: contribution %g, grid count %g", n,
                             rep, i, c[i], only[i]);
        }
}

/* Ranks by their definition: a point of rank r > 0 is dominated by one of
 * rank r - 1, and by none of rank >= r. */
static void test_ranks_random(void **state)
{
    (void)state;
    uint64_t seed = 99;
    for (int rep = 0; rep < 20; rep++) {
        size_t N = 2 + lcg(&seed) % 40, n = 2 + lcg(&seed) % 3;
        double p[42 * 4];
        size_t r[42];
        for (size_t i = 0; i < N * n; i++)
            p[i] = (double)(lcg(&seed) % 6);
        assert_ok(hpti_pareto_rank(p, N, n, n, r));
        for (size_t i = 0; i < N; i++) {
            int below = r[i] == 0;
            for (size_t j = 0; j < N; j++) {
                if (!hpti_dominates(p + j * n, p + i * n, n))
                    continue;
                assert_true(r[j] < r[i]);
                below |= r[j] == r[i] - 1;
            }
            assert_true(below);
        }
    }
}

/* Continuous points (no ties) against inclusion-exclusion over every
 * subset: the volume of the union is the alternating sum of the volumes
 * of the intersections, each the box from the subset's componentwise max
 * to the reference. */
static void test_hv_inclusion_exclusion(void **state)
{
    (void)state;
    uint64_t seed = 7;
    for (size_t n = 2; n <= 4; n++)
        for (int rep = 0; rep < 30; rep++) {
            size_t N = 1 + lcg(&seed) % 8;
            double p[8 * 4], ref[4];
            for (size_t k = 0; k < n; k++)
                ref[k] = 1.0;
            for (size_t i = 0; i < N * n; i++)
                p[i] = (double)(lcg(&seed) % 1000003) / 1000003.0 * 1.05; /* some beyond ref */
            double want = 0;
            for (unsigned mask = 1; mask < (1u << N); mask++) {
                double lo[4] = {-1, -1, -1, -1}, vol = 1;
                int bits = 0;
                for (size_t i = 0; i < N; i++)
                    if (mask >> i & 1) {
                        bits++;
                        for (size_t k = 0; k < n; k++)
                            lo[k] = p[i * n + k] > lo[k] ? p[i * n + k] : lo[k];
                    }
                for (size_t k = 0; k < n; k++)
                    vol *= ref[k] > lo[k] ? ref[k] - lo[k] : 0;
                want += bits % 2 ? vol : -vol;
            }
            double got = hv(p, N, n, ref);
            if (!(fabs(got - want) <= 1e-12))
                fail_msg("n %zu rep %d N %zu: %.17g, inclusion-exclusion %.17g", n, rep, N, got,
                         want);
        }
}

/* The front of many points (the two-objective sweep) against dominance
 * tested pair by pair, with many ties and duplicates. */
static void test_front_large(void **state)
{
    (void)state;
    uint64_t seed = 5;
    for (size_t n = 2; n <= 3; n++)
        for (int rep = 0; rep < 10; rep++) {
            size_t N = 65 + lcg(&seed) % 300;
            double *p = malloc(N * 4 * sizeof *p);
            unsigned char *f = malloc(N);
            for (size_t i = 0; i < N; i++)
                for (size_t k = 0; k < 4; k++)
                    p[i * 4 + k] = (double)(lcg(&seed) % 30); /* stride 4: rows in place */
            hpti_pareto_front(p, N, n, 4, f);
            for (size_t i = 0; i < N; i++) {
                int dominated = 0;
                for (size_t j = 0; j < N && !dominated; j++)
                    dominated = hpti_dominates(p + j * 4, p + i * 4, n);
                if (f[i] != !dominated)
                    fail_msg("n %zu N %zu point %zu: front %d, dominated %d", n, N, i, f[i],
                             dominated);
            }
            free(p);
            free(f);
        }
}

/* The promotion order: feasible by rank then contribution, infeasible by
 * violation. Losses (2 objectives) and one constraint per trial. */
static void test_mo_order(void **state)
{
    (void)state;
    hpti_history h;
    hpti_history_init(&h, 1);
    assert_ok(hpti_history_set_shape(&h, 2, 1));
    double rows[][3] = {
        {0, 0, 2},     /* 0: dominates all, violates by 2 */
        {1, 4, -1},    /* 1: front, one end */
        {2, 2, 0},     /* 2: front, the knee */
        {4, 1, -1},    /* 3: front, the other end */
        {3, 3, -1},    /* 4: rank 1 */
        {5, 5, 0.5},   /* 5: violates by 0.5 */
        {2, 2, -3},    /* 6: equal to 2: both on the front, no contribution */
    };
    double u = 0.5;
    for (int i = 0; i < 7; i++) {
        assert_ok(hpti_history_reserve(&h));
        hpti_history_add_trial(&h, &u, 0, -1);
        hpti_history_finish(&h, i, HPT_TRIAL_COMPLETE, rows[i]);
    }
    assert_int_equal(hpti_history_feasible(&h, 0), 0);
    assert_int_equal(hpti_history_feasible(&h, 2), 1); /* 0 is feasible */
    int64_t ids[] = {0, 1, 2, 3, 4, 5, 6};
    size_t pos[7];
    hpti_mo_ws w = {0};
    assert_ok(hpti_mo_order(&h, ids, 7, pos, &w));
    /* reference: worst feasible 4 and 4, range 3 -> 4.3 each. Exclusive
     * parts: 1: [1,2)x[4,4.3) = 0.3; 3: [4,4.3)x[1,2) = 0.3; 2 and 6
     * share theirs: 0. So rank 0 by contribution: 1, 3 (0.3, id order),
     * then 2, 6 (0); rank 1: 4; then 5 (0.5) before 0 (2). */
    size_t want[] = {6, 0, 2, 1, 4, 5, 3};
    assert_memory_equal(pos, want, sizeof want);
    /* The scratch that call grew serves the next ones, whatever they left
     * in it: the same trials in reverse, then the two infeasible ones. */
    int64_t rev[] = {6, 5, 4, 3, 2, 1, 0};
    assert_ok(hpti_mo_order(&h, rev, 7, pos, &w));
    for (int i = 0; i < 7; i++)
        assert_int_equal(pos[i], want[6 - i]);
    int64_t bad[] = {0, 5};
    assert_ok(hpti_mo_order(&h, bad, 2, pos, &w));
    assert_int_equal(pos[0], 1);
    assert_int_equal(pos[1], 0);
    hpti_mo_ws_free(&w);
    hpti_history_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dominance),
        cmocka_unit_test(test_front_and_ranks),
        cmocka_unit_test(test_hv_2d_hand),
        cmocka_unit_test(test_hv_3d_hand),
        cmocka_unit_test(test_hv_brute_4_5),
        cmocka_unit_test(test_ranks_random),
        cmocka_unit_test(test_mo_order),
        cmocka_unit_test(test_hv_inclusion_exclusion),
        cmocka_unit_test(test_front_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
