/* test_bayes_mo_local.c -- the local model of a study with several
 * objectives or constraints (lib/bayes_mo.c, bayes_scale.h): every model
 * holds all the shared rows up to bayes.local_above and the same bounded
 * subset past it (the switch point and the bound), the subset only grows
 * at its end between prefix steps, equal
 * data give equal proposals, and a study crossing the switch gives the
 * same trials straight and reopened from its journal. */
#include <math.h>
#include <stdlib.h>

#include "testutil.h"
#include "bayes.h"

#define D 3
#define A 100 /* local_above */
#define K 40  /* local_rows */

/* two objectives and one constraint of a unit point */
static void values(const double *u, double *v)
{
    v[0] = (u[0] - 0.2) * (u[0] - 0.2) + 0.3 * u[1] + 0.1 * u[2];
    v[1] = (u[0] - 0.8) * (u[0] - 0.8) + 0.3 * (1 - u[1]) + 0.1 * u[2];
    v[2] = u[2] - 0.7; /* feasible below 0 */
}

/* The engine given n rows (every 17th failed) and three running points:
 * each model's factor (running points gone) holds every finite row up to
 * A, then the same subset of at most K + K/2; the rows of the factor are
 * the same in every model; the fits come per prefix step. */
static void test_switch_and_bound(void **state)
{
    (void)state;
    enum { N = 330, S = 3 };
    hpt_space *sp = tu_cube_space(D);
    hpti_bayes_opts o;
    hpti_bayes_defaults(&o);
    o.candidates = 64;
    o.local_above = A;
    o.local_rows = K;
    hpti_bayes b[2];
    assert_ok(hpti_bayes_init(&b[0], sp, &o));
    assert_ok(hpti_bayes_init(&b[1], sp, &o));
    double *u = malloc((N + S) * D * sizeof *u), *v = malloc(N * S * sizeof *v);
    uint64_t seed = 21;
    for (size_t i = 0; i < (N + S) * D; i++)
        u[i] = tu_frand(&seed);
    size_t finite = 0;
    for (size_t i = 0; i < N; i++) {
        values(u + i * D, v + i * S);
        if (i % 17 == 5)
            v[i * S] = v[i * S + 1] = v[i * S + 2] = NAN;
    }
    char msg[256];
    size_t last_m = 0, last_rows = 0, same_step = 0;
    double prev[(K + K / 2) * D];
    for (size_t n = 30; n <= N; n += n < A - 3 || n > N - 40 ? 7 : 1) {
        finite = 0;
        for (size_t i = 0; i < n; i++)
            finite += !isnan(v[i * S]);
        hpti_bayes_data dt = {u, v, S, n, u + N * D, S, 2, 1, NULL};
        double x[2][D];
        for (int e = 0; e < 2; e++) {
            hpti_rng r;
            hpti_rng_seed(&r, 31 + n, HPTI_STREAM_MODEL);
            assert_ok(hpti_bayes_propose(&b[e], &dt, &r, x[e], msg));
        }
        if (memcmp(x[0], x[1], sizeof x[0]) != 0)
            fail_msg("n = %zu: equal data, different proposals", n);
        for (size_t j = 0; j < D; j++)
            assert_true(x[0][j] >= 0.0 && x[0][j] <= 1.0);
        const hpti_bayes *e = &b[0];
        assert_int_equal(e->n_models, 2);
        size_t rows = e->n_real;
        if (finite <= A)
            assert_int_equal(rows, finite);
        else if (finite == A + 1)
            assert_int_equal(rows, K + 1);
        else
            assert_true(rows <= K + K / 2 && rows > K);
        for (size_t i = 0; i < e->n_models; i++) {
            assert_int_equal(e->models[i].n_real, rows);
            assert_true(memcmp(e->models[i].gp.X, e->gp.X, rows * D * sizeof(double)) == 0);
        }
        /* the feasibility model: every finished point, or bayes.c's bounded
         * rows past HPTI_BAYES_FEAS_ROWS */
        if (n <= HPTI_BAYES_FEAS_ROWS)
            assert_int_equal(e->f_real, n);
        else
            assert_true(e->feas.n <= HPTI_BAYES_FEAS_ROWS);
        /* between prefix steps (m = A + T floor((rows - A - 1) / T), T =
         * K/2) the subset only grows at its end */
        if (finite == A + 1) /* the switch: the first subset, fitted */
            for (size_t i = 0; i < e->n_models; i++)
                assert_true(e->fit_n == rows && e->models[i].fit_n == rows);
        if (finite > A + 1) {
            size_t m = A + (K / 2) * ((finite - A - 1) / (K / 2));
            if (m == last_m) {
                assert_true(rows >= last_rows);
                if (memcmp(prev, e->gp.X, last_rows * D * sizeof *prev) != 0)
                    fail_msg("n = %zu: the subset changed within a prefix step", n);
                same_step++;
            } else if (last_m) {
                /* a new subset: every model fitted on it (the growth rule
                 * alone would keep the last exact fit's hyperparameters) */
                if (e->fit_n != rows)
                    fail_msg("n = %zu: model 0 fitted on %zu rows, subset %zu", n, e->fit_n,
                             rows);
                for (size_t i = 0; i < e->n_models; i++)
                    if (e->models[i].fit_n != rows)
                        fail_msg("n = %zu: model %zu fitted on %zu rows, subset %zu", n, i + 1,
                                 e->models[i].fit_n, rows);
            }
            last_m = m;
            last_rows = rows;
            memcpy(prev, e->gp.X, rows * D * sizeof *prev);
        }
    }
    assert_true(finite > A + 2 * K);
    assert_true(same_step > K / 2); /* calls within a step were seen */
    /* bounded memory: the factors did not grow with n */
    assert_true(b[0].gp.cap <= 2 * (K + K / 2 + S) + 64);
    for (size_t i = 0; i < b[0].n_models; i++)
        assert_true(b[0].models[i].gp.cap <= 2 * (K + K / 2 + S) + 64);
    hpti_bayes_free(&b[0]);
    hpti_bayes_free(&b[1]);
    hpt_space_destroy(sp);
    free(u);
    free(v);
}

static hpt_study *open_mo(const char *path)
{
    hpt_space *sp = tu_cube_space(D);
    hpt_study *st = NULL;
    int rc = path ? hpt_study_open(path, sp, "bayes", HPT_MINIMIZE, 42, &st)
                  : hpt_study_create(sp, "bayes", HPT_MINIMIZE, 42, &st);
    hpt_space_destroy(sp);
    if (rc)
        fail_msg("study: %s", hpt_last_errmsg());
    if (path)
        assert_ok(hpt_study_set(st, "journal.fsync", 0));
    int32_t dir[2] = {HPT_MINIMIZE, HPT_MINIMIZE};
    assert_ok(hpt_study_set_objectives(st, dir, 2));
    assert_ok(hpt_study_set_constraints(st, 1));
    assert_ok(hpt_study_set(st, "bayes.local_above", A));
    assert_ok(hpt_study_set(st, "bayes.local_rows", K));
    assert_ok(hpt_study_set(st, "bayes.candidates", 64));
    return st;
}

/* ask, tell all but every 9th (failed) and leave every 6th running for 4
 * steps */
static void drive(hpt_study *st, int from, int to)
{
    for (int k = from; k < to; k++) {
        int64_t id;
        assert_ok(hpt_study_ask(st, &id));
        double x[D], v[3];
        assert_ok(hpt_trial_params(st, id, x, D));
        values(x, v);
        if (k % 9 == 4)
            assert_ok(hpt_study_tell_failed(st, id, "diverged"));
        else if (k % 6 != 1)
            assert_ok(hpt_study_tell_constrained(st, id, v, 2, v + 2, 1));
        if (k % 6 == 5 && (k - 4) % 9 != 4) {
            assert_ok(hpt_trial_params(st, id - 4, x, D));
            values(x, v);
            assert_ok(hpt_study_tell_constrained(st, id - 4, v, 2, v + 2, 1));
        }
    }
}

static void assert_same_trials(const hpt_study *a, const hpt_study *b)
{
    int64_t na, nb;
    assert_ok(hpt_study_trial_count(a, &na));
    assert_ok(hpt_study_trial_count(b, &nb));
    assert_int_equal(na, nb);
    for (int64_t id = 0; id < na; id++) {
        double xa[D], xb[D];
        assert_ok(hpt_trial_params(a, id, xa, D));
        assert_ok(hpt_trial_params(b, id, xb, D));
        if (memcmp(xa, xb, sizeof xa) != 0)
            fail_msg("trial %lld differs", (long long)id);
    }
}

/* Straight twice, and reopened from its journal past the switch: the
 * same trials. */
static void test_study_crosses_switch(void **state)
{
    (void)state;
    enum { N = 170 };
    hpt_study *a = open_mo(NULL), *b = open_mo(NULL);
    drive(a, 0, N);
    drive(b, 0, N);
    assert_same_trials(a, b);
    hpt_study_destroy(b);
    char full[512];
    snprintf(full, sizeof full, "%s", tmp("mo_local.jnl"));
    remove(full);
    hpt_study *c = open_mo(full);
    drive(c, 0, 130);
    hpt_study_destroy(c);
    c = open_mo(full);
    drive(c, 130, N);
    assert_same_trials(a, c);
    hpt_study_destroy(a);
    hpt_study_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_switch_and_bound),
        cmocka_unit_test(test_study_crosses_switch),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
