/* test_bayes_scale.c -- the local GP past bayes.local_above observations
 * (lib/bayes_scale.h): the row subset (switch point, size bound, what it
 * keeps, append-only between prefix steps), the engine's bounded memory,
 * and studies crossing the switch (valid, deterministic, resumable). */
#include <math.h>
#include <stdlib.h>

#include "testutil.h"
#include "bayes.h"
#include "bayes_scale.h"

#define D 3

static void random_rows(size_t n, double *X, double *key, uint64_t seed)
{
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < D; j++) {
            X[i * D + j] = tu_frand(&seed);
            s += (X[i * D + j] - 0.3) * (X[i * D + j] - 0.3);
        }
        key[i] = s + 0.01 * tu_frand(&seed);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int contains(const size_t *idx, size_t c, size_t r)
{
    for (size_t i = 0; i < c; i++)
        if (idx[i] == r)
            return 1;
    return 0;
}

/* Below and at the switch every row; one past it, K rows of the prefix
 * and the one new row; never more than K + K/2. */
static void test_switch_point(void **state)
{
    (void)state;
    enum { A = 200, K = 60, N = 600 };
    double *X = malloc(N * D * sizeof *X), key[N];
    size_t idx[N];
    random_rows(N, X, key, 7);
    hpti_bayes_local s = {0};
    for (size_t n = 1; n <= A; n += 37)
        assert_int_equal(hpti_bayes_local_rows(&s, n, D, X, key, 1, key, 1, A, K, idx), n);
    assert_int_equal(hpti_bayes_local_rows(&s, A, D, X, key, 1, key, 1, A, K, idx), A);
    size_t c = hpti_bayes_local_rows(&s, A + 1, D, X, key, 1, key, 1, A, K, idx);
    assert_int_equal(c, K + 1);
    assert_int_equal(idx[K], A);
    for (size_t n = A + 1; n <= N; n++) {
        c = hpti_bayes_local_rows(&s, n, D, X, key, 1, key, 1, A, K, idx);
        assert_true(c > K && c <= K + K / 2);
        for (size_t i = 1; i < c; i++)
            assert_true(idx[i - 1] < idx[i]);
        assert_int_equal(idx[c - 1], n - 1); /* the newest row is always in */
    }
    hpti_bayes_local_free(&s);
    free(X);
}

/* Between prefix steps (every K/2 rows) the subset only grows at its end:
 * the GP appends instead of refactoring. */
static void test_append_only_between_steps(void **state)
{
    (void)state;
    enum { A = 100, K = 40, T = K / 2, N = 400 };
    double *X = malloc(N * D * sizeof *X), key[N];
    size_t prev[N], cur[N], np = 0, steps = 0;
    random_rows(N, X, key, 11);
    hpti_bayes_local s = {0};
    for (size_t n = A + 1; n <= N; n++) {
        size_t c = hpti_bayes_local_rows(&s, n, D, X, key, 1, key, 1, A, K, cur);
        int extends = np && c == np + 1 && memcmp(prev, cur, np * sizeof *cur) == 0;
        /* a new prefix exactly when n - A - 1 is a multiple of T */
        assert_int_equal(!extends, (n - A - 1) % T == 0);
        steps += !extends;
        memcpy(prev, cur, c * sizeof *cur);
        np = c;
    }
    assert_int_equal(steps, (N - A - 1) / T + 1);
    hpti_bayes_local_free(&s);
    free(X);
}

/* What the subset keeps, checked against sorts done here: the K/4 lowest
 * keys of the prefix, the center (lowest center key), and of the others
 * the K/2 nearest to the center. */
static void test_subset_contents(void **state)
{
    (void)state;
    enum { A = 300, K = 80, N = 333 };
    double *X = malloc(N * D * sizeof *X), key[N], ck[N], sorted[N];
    size_t idx[N];
    random_rows(N, X, key, 3);
    /* a center key that disagrees with the key: the center is row 17 */
    for (size_t i = 0; i < N; i++)
        ck[i] = i == 17 ? -1.0 : (i % 5 == 0 ? NAN : 1.0 + (double)i);
    hpti_bayes_local s = {0};
    size_t c = hpti_bayes_local_rows(&s, N, D, X, key, 1, ck, 1, A, K, idx);
    size_t m = A + (K / 2) * ((N - A - 1) / (K / 2));
    assert_int_equal(c, K + (N - m));
    memcpy(sorted, key, m * sizeof *key);
    qsort(sorted, m, sizeof *sorted, cmp_double);
    for (size_t i = 0; i < m; i++)
        if (key[i] < sorted[K / 4])
            assert_true(contains(idx, c, i));
    assert_true(contains(idx, c, 17));
    /* distances to row 17 of the rows that are not among the best */
    double dist[N];
    size_t nd = 0;
    for (size_t i = 0; i < m; i++) {
        if (key[i] < sorted[K / 4])
            continue;
        double r2 = 0;
        for (size_t j = 0; j < D; j++)
            r2 += (X[i * D + j] - X[17 * D + j]) * (X[i * D + j] - X[17 * D + j]);
        dist[nd++] = r2;
    }
    double ds[N];
    memcpy(ds, dist, nd * sizeof *ds);
    qsort(ds, nd, sizeof *ds, cmp_double);
    nd = 0;
    for (size_t i = 0; i < m; i++) {
        if (key[i] < sorted[K / 4])
            continue;
        if (dist[nd++] < ds[K / 2 - 1])
            assert_true(contains(idx, c, i));
    }
    /* a pure function of the rows: again, and with other tail keys */
    size_t again[N];
    for (size_t i = m; i < N; i++)
        key[i] = -100.0;
    assert_int_equal(hpti_bayes_local_rows(&s, N, D, X, key, 1, ck, 1, A, K, again), c);
    assert_memory_equal(idx, again, c * sizeof *idx);
    hpti_bayes_local_free(&s);
    free(X);
}

static double bowl(const double *u)
{
    double s = 0;
    for (size_t j = 0; j < D; j++)
        s += (u[j] - 0.3) * (u[j] - 0.3) + 0.05 * sin(9 * u[j]);
    return s;
}

/* The engine past the switch: its models hold at most K + K/2 rows (plus
 * running points) and their capacity stays bounded while n grows 4x;
 * proposals are in the cube; two engines fed the same calls agree. */
static void test_engine_memory_bounded(void **state)
{
    (void)state;
    enum { A = 300, K = 100, N0 = 400, N1 = 1600, PEND = 3 };
    hpt_space *sp = tu_cube_space(D);
    hpti_bayes_opts o;
    hpti_bayes_defaults(&o);
    o.local_above = A;
    o.local_rows = K;
    o.candidates = 128;
    hpti_bayes b[2];
    assert_ok(hpti_bayes_init(&b[0], sp, &o));
    assert_ok(hpti_bayes_init(&b[1], sp, &o));
    double *u = malloc((N1 + PEND) * D * sizeof *u), *loss = malloc(N1 * sizeof *loss);
    uint64_t seed = 5;
    for (size_t i = 0; i < N1 + PEND; i++)
        for (size_t j = 0; j < D; j++)
            u[i * D + j] = tu_frand(&seed);
    for (size_t i = 0; i < N1; i++)
        loss[i] = i % 13 == 4 ? NAN : bowl(u + i * D); /* some failed: feasibility model */
    size_t cap_at_n0 = 0;
    char msg[256];
    for (size_t n = N0; n <= N1; n += n < 520 ? 1 : 97) {
        hpti_bayes_data dt = {u, loss, 1, n, u + N1 * D, PEND, 1, 0, NULL};
        double x[2][D];
        for (int e = 0; e < 2; e++) {
            hpti_rng r;
            hpti_rng_seed(&r, n, HPTI_STREAM_MODEL);
            assert_ok(hpti_bayes_propose(&b[e], &dt, &r, x[e], msg));
        }
        assert_memory_equal(x[0], x[1], sizeof x[0]);
        for (size_t j = 0; j < D; j++)
            assert_true(x[0][j] >= 0.0 && x[0][j] <= 1.0);
        assert_true(b[0].n_real <= K + K / 2);
        assert_true(b[0].f_real <= K + K / 2);
        if (!cap_at_n0)
            cap_at_n0 = b[0].gp.cap;
        /* the factor is cap^2 doubles: it must not follow n */
        assert_true(b[0].gp.cap <= K + K / 2 + PEND + 64 + (K + K / 2 + PEND) / 4);
        assert_true(b[0].feas.cap <= K + K / 2 + 64 + (K + K / 2) / 4);
    }
    assert_true(b[0].gp.cap <= cap_at_n0 + cap_at_n0 / 4 + 64);
    hpti_bayes_free(&b[0]);
    hpti_bayes_free(&b[1]);
    hpt_space_destroy(sp);
    free(u);
    free(loss);
}

/* Past the switch every prefix step is a new set of rows and gets a fit
 * of its own. The model's rows fall from K + T to K + 1 there, below the
 * row count of the last fit, which a schedule by growth alone (a refit
 * once the rows grew by a tenth) never saw again: the hyperparameters of
 * the last fit before the switch were kept for the rest of the study. */
static void test_refit_at_each_step(void **state)
{
    (void)state;
    enum { A = 300, K = 100, T = K / 2, N1 = A + 4 * T + 1 };
    hpt_space *sp = tu_cube_space(D);
    hpti_bayes_opts o;
    hpti_bayes_defaults(&o);
    o.local_above = A;
    o.local_rows = K;
    o.candidates = 64;
    hpti_bayes b;
    assert_ok(hpti_bayes_init(&b, sp, &o));
    double *u = malloc(N1 * D * sizeof *u), *loss = malloc(N1 * sizeof *loss);
    uint64_t seed = 11;
    for (size_t i = 0; i < N1 * D; i++)
        u[i] = tu_frand(&seed);
    for (size_t i = 0; i < N1; i++)
        loss[i] = bowl(u + i * D);
    char msg[256];
    size_t steps = 0;
    for (size_t n = A - 40; n <= N1; n++) {
        hpti_bayes_data dt = {u, loss, 1, n, NULL, 0, 1, 0, NULL};
        hpti_rng r;
        hpti_rng_seed(&r, n, HPTI_STREAM_MODEL);
        unsigned long fits = b.n_fits;
        double x[D];
        assert_ok(hpti_bayes_propose(&b, &dt, &r, x, msg));
        if (n > A && (n - A - 1) % T == 0) {
            if (b.n_fits == fits)
                fail_msg("n = %zu: a new subset of %zu rows without a fit", n, b.n_real);
            assert_int_equal(b.fit_n, K + 1);
            steps++;
        }
        assert_true(b.fit_n <= b.n_real);
    }
    assert_int_equal(steps, 5);
    hpti_bayes_free(&b);
    hpt_space_destroy(sp);
    free(u);
    free(loss);
}

/* Fantasies kept across proposals give the proposals a full rebuild
 * gives, bit for bit: one engine keeps them, the other is made to rebuild
 * every time, through asks without tells (running points added), a
 * running point finishing (the real rows change), one dropped from the
 * middle (a prefix is kept), and a failure (the feasibility model). */
static void test_fantasies_kept_exact(void **state)
{
    (void)state;
    enum { N = 60, P = 70 };
    hpt_space *sp = tu_cube_space(D);
    hpti_bayes_opts o;
    hpti_bayes_defaults(&o);
    o.candidates = 64;
    hpti_bayes b[2];
    assert_ok(hpti_bayes_init(&b[0], sp, &o));
    assert_ok(hpti_bayes_init(&b[1], sp, &o));
    double u[(N + P) * D], loss[N + P], pend[P * D];
    uint64_t seed = 9;
    for (size_t i = 0; i < (N + P) * D; i++)
        u[i] = tu_frand(&seed);
    for (size_t i = 0; i < N + P; i++)
        loss[i] = bowl(u + i * D);
    size_t n = N - 20, np = 0, prev = 0;
    char msg[256];
    for (int call = 0; call < 40; call++) {
        /* the running points: the next unobserved rows, in order */
        if (call == 15 || call == 30) {
            n++; /* the oldest running point finishes */
            if (call == 30)
                loss[n - 1] = NAN;
        }
        np = 0;
        for (size_t i = n; i < n + 5 + (size_t)call && i < N + P; i++)
            if (!(call >= 20 && i == n + 3)) /* one left out from call 20 on */
                memcpy(pend + (np++) * D, u + i * D, D * sizeof *u);
        hpti_bayes_data dt = {u, loss, 1, n, pend, np, 1, 0, NULL};
        double x[2][D];
        for (int e = 0; e < 2; e++) {
            if (e == 1)
                b[1].fant.valid = 0; /* the rebuild */
            hpti_rng r;
            hpti_rng_seed(&r, 77, HPTI_STREAM_MODEL);
            assert_ok(hpti_bayes_propose(&b[e], &dt, &r, x[e], msg));
        }
        if (memcmp(x[0], x[1], sizeof x[0]) != 0)
            fail_msg("call %d: kept fantasies changed the proposal", call);
        /* what was taken back: everything after asks alone, the prefix
         * before the dropped point, nothing after a tell (the oldest
         * finished: its real row has the noise its noise-free fantasy row
         * lacked, so the others resume from their real parts; or failed) */
        size_t want = call == 0 || call == 15 || call == 30 ? 0 : call == 20 ? 3 : prev;
        if (b[0].fant.reused != want)
            fail_msg("call %d: %zu rows taken back, want %zu", call, b[0].fant.reused, want);
        if (call == 15)
            assert_int_equal(b[0].fant.resumed, prev - 1);
        assert_int_equal(b[1].fant.reused, 0);
        prev = np;
    }
    hpti_bayes_free(&b[0]);
    hpti_bayes_free(&b[1]);
    hpt_space_destroy(sp);
}

static double objective(const hpt_study *st, int64_t id)
{
    double x[3];
    assert_ok(hpt_trial_params(st, id, x, 3));
    return log10(x[0]) * log10(x[0]) / 4 + 0.1 * x[1] + 0.01 * x[2];
}

static hpt_study *open_small_switch(const char *path)
{
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    int rc = path ? hpt_study_open(path, sp, "bayes", HPT_MINIMIZE, 42, &st)
                  : hpt_study_create(sp, "bayes", HPT_MINIMIZE, 42, &st);
    hpt_space_destroy(sp);
    if (rc)
        fail_msg("study: %s", hpt_last_errmsg());
    if (path)
        assert_ok(hpt_study_set(st, "journal.fsync", 0));
    assert_ok(hpt_study_set(st, "bayes.local_above", 100));
    assert_ok(hpt_study_set(st, "bayes.local_rows", 40));
    assert_ok(hpt_study_set(st, "bayes.candidates", 128));
    return st;
}

/* ask, tell all but every 9th (failed) and leave every 6th running for 4
 * steps */
static void drive(hpt_study *st, int from, int to)
{
    for (int k = from; k < to; k++) {
        int64_t id;
        assert_ok(hpt_study_ask(st, &id));
        double x[3];
        assert_ok(hpt_trial_params(st, id, x, 3));
        assert_true(x[0] >= 1e-5 && x[0] <= 1e-1);
        assert_true(x[1] >= 1 && x[1] <= 4 && x[1] == floor(x[1]));
        assert_true(x[2] >= 0 && x[2] <= 2 && x[2] == floor(x[2]));
        if (k % 9 == 4)
            assert_ok(hpt_study_tell_failed(st, id, "diverged"));
        else if (k % 6 != 1)
            assert_ok(hpt_study_tell(st, id, objective(st, id)));
        if (k % 6 == 5 && (k - 4) % 9 != 4)
            assert_ok(hpt_study_tell(st, id - 4, objective(st, id - 4)));
    }
}

static void assert_same_trials(const hpt_study *a, const hpt_study *b)
{
    int64_t na, nb;
    assert_ok(hpt_study_trial_count(a, &na));
    assert_ok(hpt_study_trial_count(b, &nb));
    assert_int_equal(na, nb);
    for (int64_t id = 0; id < na; id++) {
        double xa[3], xb[3];
        assert_ok(hpt_trial_params(a, id, xa, 3));
        assert_ok(hpt_trial_params(b, id, xb, 3));
        if (memcmp(xa, xb, sizeof xa) != 0)
            fail_msg("trial %lld differs", (long long)id);
    }
}

/* A study crossing the switch keeps proposing valid points, the same for
 * the same calls, and a study reopened from its journal halfway agrees. */
static void test_study_crosses_switch(void **state)
{
    (void)state;
    enum { N = 170 };
    hpt_study *a = open_small_switch(NULL), *b = open_small_switch(NULL);
    drive(a, 0, N);
    drive(b, 0, N);
    assert_same_trials(a, b);
    hpt_study_destroy(b);

    const char *path = tmp("local.jnl");
    char full[512];
    snprintf(full, sizeof full, "%s", path);
    remove(full);
    hpt_study *c = open_small_switch(full);
    drive(c, 0, 130);
    hpt_study_destroy(c);
    c = open_small_switch(full);
    drive(c, 130, N);
    assert_same_trials(a, c);
    /* past the switch no configuration repeats (the model's rows are a
     * subset, the points it must avoid are all of them) */
    for (int64_t i = 0; i < N; i++)
        for (int64_t j = 0; j < i; j++) {
            double xi[3], xj[3];
            assert_ok(hpt_trial_params(a, i, xi, 3));
            assert_ok(hpt_trial_params(a, j, xj, 3));
            if (memcmp(xi, xj, sizeof xi) == 0)
                fail_msg("trials %lld and %lld repeat", (long long)j, (long long)i);
        }
    hpt_study_destroy(a);
    hpt_study_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_switch_point),
        cmocka_unit_test(test_append_only_between_steps),
        cmocka_unit_test(test_subset_contents),
        cmocka_unit_test(test_engine_memory_bounded),
        cmocka_unit_test(test_refit_at_each_step),
        cmocka_unit_test(test_study_crosses_switch),
        cmocka_unit_test(test_fantasies_kept_exact),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
