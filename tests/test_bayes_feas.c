/* test_bayes_feas.c -- the feasibility model's cost (issue 19): its bounded
 * rows past HPTI_BAYES_FEAS_ROWS finished points (lib/bayes_feas.h), its
 * refit schedule, and the acquisition predicting it only where it can
 * change the ranking (lib/acq.c), which must rank as scoring every
 * candidate does. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "acq.h"
#include "bayes.h"
#include "bayes_feas.h"

#define D 3
#define M HPTI_BAYES_FEAS_ROWS

static double bowl(const double *u)
{
    double s = 0;
    for (size_t j = 0; j < D; j++)
        s += (u[j] - 0.3) * (u[j] - 0.3) + 0.05 * sin(9 * u[j]);
    return s;
}

static double dist2(const double *a, const double *b)
{
    double s = 0;
    for (size_t j = 0; j < D; j++)
        s += (a[j] - b[j]) * (a[j] - b[j]);
    return s;
}

/* The row of u (n rows) equal to x, or SIZE_MAX. */
static size_t find_row(const double *u, size_t n, const double *x)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(u + i * D, x, D * sizeof *x) == 0)
            return i;
    return SIZE_MAX;
}

/* Up to the size every row; past it at most M rows of the data, in index
 * order with their labels, holding the newest failures (M / 2 of them when
 * there are more), the finished row nearest to one of those and the finished
 * row of lowest loss; the same rows for the same data. */
static void test_rows(void **state)
{
    (void)state;
    enum { N = 400 };
    double *u = malloc(N * D * sizeof *u), loss[N], lbl[N];
    uint64_t seed = 11;
    for (size_t i = 0; i < N * D; i++)
        u[i] = tu_frand(&seed);
    hpti_bayes_feas s = {0};
    for (int many = 0; many < 2; many++) {
        for (size_t i = 0; i < N; i++) {
            int failed = many ? i % 3 == 1 : i == 7 || i == 150 || i == 151;
            loss[i] = failed ? NAN : bowl(u + i * D);
            lbl[i] = failed ? -1.0 : 1.0;
        }
        for (size_t n = 10; n <= N; n += 13) {
            const double *X, *L;
            size_t c;
            assert_ok(hpti_bayes_feas_rows(&s, u, loss, 1, lbl, n, D, &X, &L, &c));
            if (n <= M) {
                assert_ptr_equal(X, u);
                assert_ptr_equal(L, lbl);
                assert_int_equal(c, n);
                continue;
            }
            assert_true(c <= M && c >= M / 2);
            size_t rows[M], nf = 0, nfail = 0;
            for (size_t k = 0; k < c; k++) {
                rows[k] = find_row(u, n, X + k * D);
                assert_true(rows[k] < n);
                assert_true(k == 0 || rows[k - 1] < rows[k]);
                assert_true(L[k] == lbl[rows[k]]);
                nf += L[k] < 0;
            }
            /* the newest failures */
            size_t want = 0, best = SIZE_MAX, near = SIZE_MAX;
            double bd = INFINITY;
            for (size_t i = n; i-- > 0;) {
                if (lbl[i] > 0)
                    continue;
                nfail++;
                if (want < M / 2) {
                    want++;
                    int in = 0;
                    for (size_t k = 0; k < c; k++)
                        in |= rows[k] == i;
                    if (!in)
                        fail_msg("n %zu: failed row %zu left out", n, i);
                }
            }
            assert_int_equal(nf, want);
            /* the finished row nearest to a kept failure, and the best one */
            for (size_t i = 0; i < n; i++) {
                if (lbl[i] < 0)
                    continue;
                if (best == SIZE_MAX || loss[i] < loss[best])
                    best = i;
                for (size_t k = 0; k < c; k++)
                    if (L[k] < 0 && dist2(u + i * D, X + k * D) < bd) {
                        bd = dist2(u + i * D, X + k * D);
                        near = i;
                    }
            }
            int has_best = 0, has_near = 0;
            for (size_t k = 0; k < c; k++) {
                has_best |= rows[k] == best;
                has_near |= rows[k] == near;
            }
            if (!has_best || !has_near)
                fail_msg("n %zu (%zu failed): best row in %d, nearest row in %d", n, nfail,
                         has_best, has_near);
            /* a function of the data: a second engine's scratch agrees */
            hpti_bayes_feas t = {0};
            const double *X2, *L2;
            size_t c2;
            assert_ok(hpti_bayes_feas_rows(&t, u, loss, 1, lbl, n, D, &X2, &L2, &c2));
            assert_int_equal(c2, c);
            assert_memory_equal(X2, X, c * D * sizeof *X);
            hpti_bayes_feas_free(&t);
        }
    }
    hpti_bayes_feas_free(&s);
    free(u);
}

/* One failure early, a second one later: past the size the failure model
 * keeps at most M rows and is refitted when the finished points grew by
 * half or a failure came in -- at n = 70 (first), 105, 157, 201 (the row
 * 200 failed) and 301 -- where the objective's schedule (10%) would refit
 * it about 18 times over the same range. */
static void test_refit_schedule(void **state)
{
    (void)state;
    enum { N0 = 70, N1 = 400 };
    hpt_space *sp = tu_cube_space(D);
    hpti_bayes_opts o;
    hpti_bayes_defaults(&o);
    o.candidates = 64;
    o.local_starts = 1;
    o.local_iter = 3;
    hpti_bayes b;
    assert_ok(hpti_bayes_init(&b, sp, &o));
    double *u = malloc(N1 * D * sizeof *u), *loss = malloc(N1 * sizeof *loss);
    uint64_t seed = 3;
    for (size_t i = 0; i < N1; i++) {
        for (size_t j = 0; j < D; j++)
            u[i * D + j] = tu_frand(&seed);
        loss[i] = i == 4 || i == 200 ? NAN : bowl(u + i * D);
    }
    static const size_t want[] = {70, 105, 157, 201, 301};
    size_t nw = 0;
    unsigned long fits = b.feas.n_fit;
    char msg[256];
    for (size_t n = N0; n <= N1; n++) {
        hpti_bayes_data dt = {u, loss, 1, n, NULL, 0, 1, 0, NULL};
        hpti_rng r;
        hpti_rng_seed(&r, n, HPTI_STREAM_MODEL);
        double x[D];
        assert_ok(hpti_bayes_propose(&b, &dt, &r, x, msg));
        assert_true(b.feas.n <= M);
        assert_int_equal(b.f_real, 0);
        if (b.feas.n_fit != fits) {
            assert_int_equal(b.feas.n_fit, fits + 1);
            if (nw == sizeof want / sizeof *want || want[nw] != n)
                fail_msg("failure model refitted at n = %zu", n);
            nw++;
            fits = b.feas.n_fit;
        }
    }
    assert_int_equal(nw, sizeof want / sizeof *want);
    hpti_bayes_free(&b);
    hpt_space_destroy(sp);
    free(u);
    free(loss);
}

typedef struct {
    double s;
    size_t i;
} ranked;

static int cmp_ranked(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->s != b->s)
        return a->s > b->s ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* The maximizer predicts the failure model for a few blocks of candidates
 * only: its ranked candidates must be those of scoring every candidate
 * (log EI + log p, both models predicted over all of them here), in the
 * same order, with the same scores, for 8 candidate sets. The failures sit
 * next to the objective's optimum, so that log p reorders the best
 * candidates (checked: ranking by log EI alone gives others) and a stop
 * one block early changes the ranking. No refinement, so the scores are
 * the candidates' own. */
static void test_pruned_scoring_exact(void **state)
{
    (void)state;
    enum { N = 200, K = 16, CAND = 512 };
    hpt_space *sp = tu_cube_space(D);
    hpti_gp gp, fe;
    assert_ok(hpti_gp_init(&gp, D, NULL));
    assert_ok(hpti_gp_init(&fe, D, NULL));
    double th[HPTI_GP_NP(D)] = {log(0.3), log(0.3), log(0.3), 0.0, log(1e-6), 0.0};
    double tf[HPTI_GP_NP(D)] = {log(0.15), log(0.15), log(0.15), 0.0, log(1e-2), 0.5};
    hpti_gp_set_theta(&gp, th);
    hpti_gp_set_theta(&fe, tf);
    double *X = malloc(N * D * sizeof *X), y[N], lab[N], best = INFINITY;
    uint64_t seed = 9;
    size_t no = 0;
    double *Xo = malloc(N * D * sizeof *Xo);
    for (size_t i = 0; i < N; i++) {
        for (size_t j = 0; j < D; j++)
            X[i * D + j] = tu_frand(&seed);
        int failed = dist2(X + i * D, (double[]){0.36, 0.3, 0.3}) < 0.05;
        lab[i] = failed ? -1.0 : 1.0;
        if (!failed) {
            memcpy(Xo + no * D, X + i * D, D * sizeof *X);
            y[no] = bowl(X + i * D) * 10 - 1;
            best = y[no] < best ? y[no] : best;
            no++;
        }
    }
    assert_true(no + 5 < N); /* some failed */
    assert_ok(hpti_gp_factor(&gp, Xo, no));
    hpti_gp_set_targets(&gp, y);
    assert_ok(hpti_gp_factor(&fe, X, N));
    hpti_gp_set_targets(&fe, lab);
    double centers[2 * D] = {0.3, 0.3, 0.3, 0.32, 0.28, 0.31};
    hpti_acq a;
    assert_ok(hpti_acq_init(&a, sp));
    hpti_acq_problem p = {&gp, &fe, best, centers, 2, CAND, 0, 0, NULL, NULL};
    double out[K * D], sc[K];
    size_t n_out, m = CAND + CAND / 2;
    double *mu = malloc(m * sizeof *mu), *var = malloc(m * sizeof *var);
    double *fm = malloc(m * sizeof *fm), *fv = malloc(m * sizeof *fv);
    ranked *full = malloc(m * sizeof *full), *ei = malloc(m * sizeof *ei);
    int reordered = 0;
    for (uint64_t rs = 0; rs < 8; rs++) {
        hpti_rng r;
        hpti_rng_seed(&r, rs, 0);
        assert_ok(hpti_acq_maximize(&a, &p, &r, K, out, sc, &n_out));
        assert_int_equal(n_out, K);
        hpti_gp_predict(&gp, a.C, m, mu, var);
        hpti_gp_predict(&fe, a.C, m, fm, fv);
        for (size_t i = 0; i < m; i++) {
            double e = hpti_log_ei(mu[i], sqrt(var[i]), best);
            double v = e + hpti_acq_log_pof(fm[i], fv[i], NULL, NULL, NULL);
            full[i] = (ranked){isfinite(v) ? v : -1e308, i};
            ei[i] = (ranked){e, i};
        }
        qsort(full, m, sizeof *full, cmp_ranked);
        qsort(ei, m, sizeof *ei, cmp_ranked);
        for (size_t k = 0; k < K; k++) {
            reordered |= ei[k].i != full[k].i;
            if (memcmp(out + k * D, a.C + full[k].i * D, D * sizeof *out) != 0 ||
                !(fabs(sc[k] - full[k].s) <= 1e-12 * (1 + fabs(full[k].s))))
                fail_msg("seed %d, rank %zu: score %.17g, scoring all gives %.17g", (int)rs, k,
                         sc[k], full[k].s);
        }
    }
    assert_true(reordered);
    free(mu);
    free(var);
    free(fm);
    free(fv);
    free(full);
    free(ei);
    free(X);
    free(Xo);
    hpti_acq_free(&a);
    hpti_gp_free(&gp);
    hpti_gp_free(&fe);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_refit_schedule),
        cmocka_unit_test(test_pruned_scoring_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
