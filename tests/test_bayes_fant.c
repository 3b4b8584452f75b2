/* test_bayes_fant.c -- running trials with tells in between
 * (lib/bayes_fant.h): a row appended from a kept real part is the row a
 * full append gives, bit for bit; an engine that keeps the fantasies'
 * rows and real parts across asks and tells builds the factor and
 * proposes exactly what an engine rebuilding every fantasy builds and
 * proposes; and the counters show what was kept (an ask without a tell,
 * p running points: the p - 1 older rows taken back whole; a tell: p - 1
 * rows resumed, one new real-part entry each); the same for every model
 * of a study with several objectives and a constraint. The fantasy rows
 * are noise-free (gp.h): test_believer_noise_free. */
#include <math.h>
#include <stdlib.h>

#include "testutil.h"
#include "bayes.h"
#include "gp.h"

#define D 3

static double bowl(const double *u)
{
    double s = 0;
    for (size_t j = 0; j < D; j++)
        s += (u[j] - 0.3) * (u[j] - 0.3) + 0.05 * sin(9 * u[j]);
    return s;
}

/* A row's real part solved on the first n rows, then resumed on n + 3
 * rows: the same row as a full append on those n + 3 rows. */
static void test_append_solved_exact(void **state)
{
    (void)state;
    enum { N = 150, M = N + 3 };
    double X[M * D], x[D], th[HPTI_GP_NP(D)];
    uint64_t s = 5;
    for (size_t i = 0; i < M * D; i++)
        X[i] = tu_frand(&s);
    for (size_t j = 0; j < D; j++)
        x[j] = tu_frand(&s);
    hpti_gp a, b, c;
    assert_ok(hpti_gp_init(&a, D, NULL));
    assert_ok(hpti_gp_init(&b, D, NULL));
    assert_ok(hpti_gp_init(&c, D, NULL));
    hpti_gp_default_theta(&a, th);
    th[0] = -1.5; /* a shorter lengthscale: entries far from 0 */
    hpti_gp *g[3] = {&a, &b, &c};
    for (int k = 0; k < 3; k++) {
        hpti_gp_set_theta(g[k], th);
        assert_ok(hpti_gp_factor(g[k], X, 100));
        for (size_t i = 100; i < (k == 0 ? N : M); i++)
            assert_ok(hpti_gp_append(g[k], X + i * D));
    }
    assert_ok(hpti_gp_append(&a, x));
    double pre[N];
    memcpy(pre, a.L + N * a.cap, sizeof pre);
    assert_ok(hpti_gp_append(&b, x));
    assert_ok(hpti_gp_append_solved(&c, x, pre, N));
    if (memcmp(b.L + M * b.cap, c.L + M * c.cap, (M + 1) * sizeof(double)) != 0)
        fail_msg("the resumed row differs from the full append");
    assert_true(memcmp(a.L + N * a.cap, b.L + M * b.cap, N * sizeof(double)) == 0);
    hpti_gp_free(&a);
    hpti_gp_free(&b);
    hpti_gp_free(&c);
}

/* Rows of the two engines' factors past their real rows (left there by
 * the truncation that ends a proposal): the fantasy rows, with targets. */
static void assert_same_fantasies(const hpti_bayes *a, const hpti_bayes *b, size_t np,
                                  int call)
{
    assert_int_equal(a->n_real, b->n_real);
    for (size_t i = 0; i < np; i++) {
        size_t r = a->n_real + i;
        if (memcmp(a->gp.L + r * a->gp.cap, b->gp.L + r * b->gp.cap,
                   (r + 1) * sizeof(double)) != 0 ||
            memcmp(&a->gp.y[r], &b->gp.y[r], sizeof(double)) != 0)
            fail_msg("call %d: fantasy row %zu differs from the rebuild's", call, i);
    }
}

/* The job: N0 finished points, P running; each call the oldest running
 * point finishes and a new one starts, except every fifth call from call
 * 2 on, which only asks (a new running point, no tell); at call 9 one
 * from the middle fails (it leaves the running points, no real row); at
 * call 14 one finishes out of order (its row goes before the last real
 * rows, as the history orders them by id); the refit schedule fits again
 * once on the way (refit_every). */
static void test_tells_match_rebuild(void **state)
{
    (void)state;
    enum { N0 = 60, P = 25, CALLS = 26, TOTAL = N0 + P + CALLS + 4 };
    hpt_space *sp = tu_cube_space(D);
    hpti_bayes_opts o;
    hpti_bayes_defaults(&o);
    o.candidates = 64;
    o.refit_every = 16; /* one fit at the start, the next at 76 real rows */
    hpti_bayes b[2];
    assert_ok(hpti_bayes_init(&b[0], sp, &o));
    assert_ok(hpti_bayes_init(&b[1], sp, &o));
    /* points by trial id; state: 0 running, 1 finished, 2 failed, -1 not asked */
    static double u[TOTAL * D], lossv[TOTAL], fu[TOTAL * D], floss[TOTAL], pend[TOTAL * D];
    int st[TOTAL];
    uint64_t seed = 11;
    for (size_t i = 0; i < TOTAL * D; i++)
        u[i] = tu_frand(&seed);
    /* believer rows that add nothing new (the pivot floor): a trial asked
     * at a running point, one at a finished point */
    memcpy(u + (N0 + P + 3) * D, u + (N0 + 5) * D, D * sizeof *u);
    memcpy(u + (N0 + P + 6) * D, u + 7 * D, D * sizeof *u);
    for (size_t i = 0; i < TOTAL; i++) {
        lossv[i] = bowl(u + i * D);
        st[i] = i < N0 ? 1 : i < N0 + P ? 0 : -1;
    }
    size_t next = N0 + P, real[TOTAL], run[TOTAL], real_prev[TOTAL], run_prev[TOTAL];
    size_t n_prev = 0, np_prev = 0, reused = 0, resumed = 0, refits = 0;
    char msg[256];
    for (int call = 0; call < CALLS; call++) {
        int burst = call % 5 == 2;
        if (burst)
            st[next++] = 0;
        else if (call > 0) {
            size_t oldest = 0;
            while (st[oldest] != 0)
                oldest++;
            st[oldest] = 1;
            st[next++] = 0;
        }
        if (call == 9)
            st[N0 + 12 + 9] = 2;
        if (call == 14) {
            st[next - 3] = 1; /* out of order */
            st[next++] = 0;
        }
        size_t n = 0, np = 0, nr = 0;
        for (size_t i = 0; i < next; i++) {
            if (st[i] == 1 || st[i] == 2) {
                memcpy(fu + n * D, u + i * D, D * sizeof *u);
                floss[n++] = st[i] == 1 ? lossv[i] : NAN;
                if (st[i] == 1)
                    real[nr++] = i;
            } else if (st[i] == 0) {
                run[np] = i;
                memcpy(pend + np++ * D, u + i * D, D * sizeof *u);
            }
        }
        hpti_bayes_data dt = {fu, floss, 1, n, pend, np, 1, 0, NULL};
        double x[2][D];
        unsigned long fits = b[0].gp.n_fit;
        for (int e = 0; e < 2; e++) {
            if (e == 1)
                b[1].fant.valid = 0; /* the rebuild */
            hpti_rng r;
            hpti_rng_seed(&r, 900 + (uint64_t)call, HPTI_STREAM_MODEL);
            assert_ok(hpti_bayes_propose(&b[e], &dt, &r, x[e], msg));
        }
        assert_int_equal(b[1].fant.resumed, 0);
        assert_int_equal(b[1].fant.solved, np * b[1].n_real);
        assert_same_fantasies(&b[0], &b[1], np, call);
        if (memcmp(x[0], x[1], sizeof x[0]) != 0)
            fail_msg("call %d: the kept real parts changed the proposal", call);
        /* what was kept: when no real row changed (an ask without a
         * tell), the rows of the running points of the last call, whole,
         * in the same order; after a tell every point still running, its
         * real part up to the first real row that changed; the new points
         * in full; after a fit, nothing */
        const hpti_bayes_fantasies *f = &b[0].fant;
        size_t same = 0, still = 0, whole = 0;
        assert_int_equal(b[0].n_real, nr);
        while (same < nr && same < n_prev && real[same] == real_prev[same])
            same++;
        for (size_t i = 0; i < np; i++)
            for (size_t k = 0; k < np_prev; k++)
                still += run[i] == run_prev[k];
        if (same == n_prev && nr == n_prev)
            while (whole < np && whole < np_prev && run[whole] == run_prev[whole])
                whole++;
        if (call == 0 || b[0].gp.n_fit != fits) {
            refits += call > 0;
            assert_int_equal(f->reused, 0);
            assert_int_equal(f->resumed, 0);
            assert_int_equal(f->solved, np * nr);
        } else {
            assert_true(call != 14 || same == n_prev); /* both rows at the end */
            assert_true(call != 15 || same == n_prev - 1);
            if (call != 9 && call != 14) /* all but the new point: whole or resumed */
                assert_int_equal(burst ? whole : still, np - 1);
            assert_true(burst == (whole > 0));
            assert_int_equal(f->reused, whole);
            assert_int_equal(f->resumed, still - whole);
            assert_int_equal(f->solved, (still - whole) * (nr - same) + (np - still) * nr);
        }
        reused += f->reused;
        resumed += f->resumed;
        memcpy(real_prev, real, sizeof real);
        memcpy(run_prev, run, sizeof run);
        n_prev = nr;
        np_prev = np;
    }
    /* both paths ran, many times, and a fit in between */
    assert_true(reused > 3 * P && resumed > 10 * P && refits == 1);
    hpti_bayes_free(&b[0]);
    hpti_bayes_free(&b[1]);
    hpt_space_destroy(sp);
}

/* The fallback of a failed factorization (hpti_gp_factor_appended, the
 * route of bayes.c's sync_model and of a restore) builds every real row
 * again by appends, under the same fit and jitter: its rows may differ
 * from the factored ones in the last bits, the pivots possibly not. A
 * tell after it keeps nothing (no row taken back, no real part resumed)
 * and gives the fantasies and the proposal a rebuild gives, bit for bit;
 * the same tell without the fallback resumes every still-running point. */
static void test_reroute_keeps_nothing(void **state)
{
    (void)state;
    enum { N0 = 40, P = 6, TOTAL = N0 + P + 1 };
    hpt_space *sp = tu_cube_space(D);
    hpti_bayes_opts o;
    hpti_bayes_defaults(&o);
    o.candidates = 64;
    o.refit_every = 1000; /* the one fit is the first proposal's */
    hpti_bayes b[3];
    for (int e = 0; e < 3; e++)
        assert_ok(hpti_bayes_init(&b[e], sp, &o));
    static double u[TOTAL * D], loss[TOTAL], pend[TOTAL * D];
    uint64_t seed = 23;
    for (size_t i = 0; i < TOTAL * D; i++)
        u[i] = tu_frand(&seed);
    for (size_t i = 0; i < TOTAL; i++)
        loss[i] = bowl(u + i * D);
    char msg[256];
    for (int call = 0; call < 2; call++) {
        /* call 0: N0 finished, P running; call 1: the oldest running
         * point finished, one more running */
        size_t n = N0 + (size_t)call, np = P;
        memcpy(pend, u + n * D, np * D * sizeof *u);
        hpti_bayes_data dt = {u, loss, 1, n, pend, np, 1, 0, NULL};
        double x[3][D];
        for (int e = 0; e < 3; e++) {
            if (call == 1 && e < 2) /* engines 0 and 1 take the fallback */
                assert_ok(hpti_gp_factor_appended(&b[e].gp, b[e].gp.X, b[e].n_real,
                                                  b[e].gp.jitter));
            if (e == 1)
                b[1].fant.valid = 0; /* the rebuild */
            hpti_rng r;
            hpti_rng_seed(&r, 700 + (uint64_t)call, HPTI_STREAM_MODEL);
            assert_ok(hpti_bayes_propose(&b[e], &dt, &r, x[e], msg));
        }
        assert_int_equal(b[0].gp.n_fit, 1);
        if (call == 0)
            continue;
        assert_int_equal(b[0].gp.n_reroute, 1);
        assert_int_equal(b[2].gp.n_reroute, 0);
        /* without the fallback, P - 1 points resumed on N0 kept rows */
        assert_int_equal(b[2].fant.resumed, P - 1);
        assert_int_equal(b[2].fant.solved, (P - 1) * 1 + 1 * (N0 + 1));
        /* with it, nothing kept: every real part solved in full */
        assert_int_equal(b[0].fant.reused, 0);
        assert_int_equal(b[0].fant.resumed, 0);
        assert_int_equal(b[0].fant.solved, P * (N0 + 1));
        assert_same_fantasies(&b[0], &b[1], P, call);
        if (memcmp(x[0], x[1], sizeof x[0]) != 0)
            fail_msg("a real part kept across the fallback changed the proposal");
    }
    for (int e = 0; e < 3; e++)
        hpti_bayes_free(&b[e]);
    hpt_space_destroy(sp);
}

static void forget(hpti_bayes *b)
{
    b->fant.valid = 0;
    for (size_t i = 0; i < b->n_models; i++)
        b->models[i].fant.valid = 0;
}

/* Several objectives and a constraint: every model keeps its fantasies
 * (rows taken back across the ask without a tell of call 4, real parts
 * after the tells) and builds what the rebuild builds, bit for bit. */
static void test_several_objectives(void **state)
{
    (void)state;
    enum { N0 = 40, P = 12, CALLS = 14, S = 3, TOTAL = N0 + P + CALLS };
    hpt_space *sp = tu_cube_space(D);
    hpti_bayes_opts o;
    hpti_bayes_defaults(&o);
    o.candidates = 64;
    o.refit_every = 1000; /* no fit after the first: the kept rows stay usable */
    hpti_bayes b[2];
    assert_ok(hpti_bayes_init(&b[0], sp, &o));
    assert_ok(hpti_bayes_init(&b[1], sp, &o));
    static double u[TOTAL * D], v[TOTAL * S], fu[TOTAL * D], fv[TOTAL * S], pend[TOTAL * D];
    uint64_t seed = 3;
    for (size_t i = 0; i < TOTAL * D; i++)
        u[i] = tu_frand(&seed);
    for (size_t i = 0; i < TOTAL; i++) {
        const double *x = u + i * D;
        v[i * S] = bowl(x);
        v[i * S + 1] = (x[0] - 0.8) * (x[0] - 0.8) + x[1];
        v[i * S + 2] = x[2] - 0.6;
    }
    size_t reused[3] = {0}, resumed[3] = {0};
    char msg[256];
    for (int call = 0; call < CALLS; call++) {
        /* finished: the first N0 + call, except trial N0 + 3 (asked early,
         * finishing last: from call 4 on the oldest running point) */
        size_t n = 0, np = 0, fin = N0 + (size_t)call;
        for (size_t i = 0; i < fin + P; i++) {
            int done = i < fin && !(i == N0 + 3 && call < CALLS - 1);
            if (done) {
                memcpy(fu + n * D, u + i * D, D * sizeof *u);
                memcpy(fv + n++ * S, v + i * S, S * sizeof *v);
            } else
                memcpy(pend + np++ * D, u + i * D, D * sizeof *u);
        }
        hpti_bayes_data dt = {fu, fv, S, n, pend, np, 2, 1, NULL};
        double x[2][D];
        for (int e = 0; e < 2; e++) {
            if (e == 1)
                forget(&b[1]);
            hpti_rng r;
            hpti_rng_seed(&r, 500 + (uint64_t)call, HPTI_STREAM_MODEL);
            assert_ok(hpti_bayes_propose(&b[e], &dt, &r, x[e], msg));
        }
        if (memcmp(x[0], x[1], sizeof x[0]) != 0)
            fail_msg("call %d: the kept fantasies changed the proposal", call);
        assert_int_equal(b[0].n_models, 2);
        for (size_t m = 0; m < 3; m++) {
            const hpti_gp *ga = m ? &b[0].models[m - 1].gp : &b[0].gp;
            const hpti_gp *gb = m ? &b[1].models[m - 1].gp : &b[1].gp;
            const hpti_bayes_fantasies *f = m ? &b[0].models[m - 1].fant : &b[0].fant;
            size_t nr = m ? b[0].models[m - 1].n_real : b[0].n_real;
            for (size_t i = 0; i < np; i++) {
                size_t r = nr + i;
                if (memcmp(ga->L + r * ga->cap, gb->L + r * gb->cap, (r + 1) * sizeof(double)) ||
                    memcmp(&ga->y[r], &gb->y[r], sizeof(double)))
                    fail_msg("call %d, model %zu: fantasy row %zu differs", call, m, i);
            }
            reused[m] += f->reused;
            resumed[m] += f->resumed;
        }
    }
    for (size_t m = 0; m < 3; m++)
        assert_true(reused[m] > 0 && resumed[m] > 0);
    hpti_bayes_free(&b[0]);
    hpti_bayes_free(&b[1]);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_solved_exact),
        cmocka_unit_test(test_tells_match_rebuild),
        cmocka_unit_test(test_reroute_keeps_nothing),
        cmocka_unit_test(test_several_objectives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
