/* test_bayes_lean.c -- the lean cost schedule of bayes from 500 model rows
 * (bayes.h, "Cost control"; issue 19): where it starts, what it plans
 * against the documented budgets, and that a fit made in two stages is
 * one fit to the restart schedule and the engine's counters. */
#include <math.h>
#include <stdlib.h>

#include "testutil.h"
#include "bayes.h"

#define D 3

static double bowl(const double *u)
{
    double s = 0.0;
    for (size_t j = 0; j < D; j++)
        s += (u[j] - 0.3) * (u[j] - 0.3) * (double)(j + 1);
    return s + 0.1 * sin(9.0 * u[0]);
}

/* Below 500 observations one stage on fit_max rows with the restarts of
 * the schedule and every BFGS iteration (the plan the pinned trials were
 * made with); from 500 the restarts on 64 rows with half the iterations,
 * then fit_max rows from the winner alone in fit_iter / 12 steps. */
static void test_fit_plan_switch(void **state)
{
    (void)state;
    hpti_bayes_opts o;
    hpti_bayes_defaults(&o);
    hpti_bayes_fit_plan pl;
    hpti_bayes_plan_fit(&o, 499, 0, &pl);
    assert_int_equal(pl.pre_rows, 0);
    assert_int_equal(pl.rows, 300);
    assert_int_equal(pl.restarts, 2);
    assert_int_equal(pl.iter, 60);
    hpti_bayes_plan_fit(&o, 499, 3, &pl); /* not an 8th fit: no restart */
    assert_int_equal(pl.pre_rows, 0);
    assert_int_equal(pl.restarts, 0);
    assert_int_equal(pl.iter, 60);
    hpti_bayes_plan_fit(&o, 500, 0, &pl);
    assert_int_equal(pl.pre_rows, 64);
    assert_int_equal(pl.pre_restarts, 2);
    assert_int_equal(pl.pre_iter, 30);
    assert_int_equal(pl.rows, 300);
    assert_int_equal(pl.restarts, 0);
    assert_int_equal(pl.iter, 5);
    hpti_bayes_plan_fit(&o, 5000, 16, &pl);
    assert_int_equal(pl.pre_rows, 64);
    hpti_bayes_plan_fit(&o, 5000, 17, &pl);
    assert_int_equal(pl.pre_rows, 0);
    assert_int_equal(pl.restarts, 0);
    assert_int_equal(pl.iter, 5);
    /* a fit subset no larger than the restart stage's: one stage */
    o.fit_max = 64;
    hpti_bayes_plan_fit(&o, 1000, 0, &pl);
    assert_int_equal(pl.pre_rows, 0);
    assert_int_equal(pl.rows, 64);
    assert_int_equal(pl.restarts, 2);
    assert_int_equal(pl.iter, 60);
    /* fit_iter below 12 still polishes */
    hpti_bayes_defaults(&o);
    o.fit_iter = 7;
    hpti_bayes_plan_fit(&o, 800, 0, &pl);
    assert_int_equal(pl.pre_iter, 3);
    assert_int_equal(pl.iter, 1);
}

/* The search budgets as hpt.h states them: candidates x n^2 <= 2.5e8
 * below 500 rows and <= 1.25e8 from 500 (at least 64), the largest such
 * count; local_starts x steps x 2 n^2 <= 2e8, then 1e8 (at least one). */
static void test_search_plan_switch(void **state)
{
    (void)state;
    hpti_bayes_opts o;
    hpti_bayes_defaults(&o);
    size_t c, it;
    hpti_bayes_plan_search(&o, 100, 1, &c, &it);
    assert_int_equal(c, 1024);
    assert_int_equal(it, 30);
    hpti_bayes_plan_search(&o, 499, 1, &c, &it);
    assert_true((double)c * 499.0 * 499.0 <= 2.5e8);
    assert_true((double)(c + 1) * 499.0 * 499.0 > 2.5e8);
    assert_int_equal(it, 30);
    hpti_bayes_plan_search(&o, 500, 1, &c, &it);
    assert_int_equal(c, 500);
    hpti_bayes_plan_search(&o, 1000, 1, &c, &it);
    assert_int_equal(c, 125);
    assert_int_equal(it, 10);
    hpti_bayes_plan_search(&o, 3000, 1, &c, &it);
    assert_int_equal(c, 64);
    assert_int_equal(it, 1);
    o.local_starts = 0;
    hpti_bayes_plan_search(&o, 1000, 1, &c, &it);
    assert_int_equal(it, 30);
}

/* An engine fed 500 .. 800 observations refits on the 10% schedule, the
 * first fit cold (restart stage, then polish): every fit, one stage or
 * two, counts once in the GP's n_fit (which decides the restarts and is
 * journaled) and in the engine's n_fits, and two engines propose the
 * same points from the same hyperparameters. */
static void test_engine_lean_fits(void **state)
{
    (void)state;
    enum { N0 = 500, N1 = 800 };
    hpt_space *sp = tu_cube_space(D);
    hpti_bayes_opts o;
    hpti_bayes_defaults(&o);
    o.candidates = 128;
    hpti_bayes b[2];
    assert_ok(hpti_bayes_init(&b[0], sp, &o));
    assert_ok(hpti_bayes_init(&b[1], sp, &o));
    double *u = malloc(N1 * D * sizeof *u), *loss = malloc(N1 * sizeof *loss);
    uint64_t seed = 11;
    for (size_t i = 0; i < N1 * D; i++)
        u[i] = tu_frand(&seed);
    for (size_t i = 0; i < N1; i++)
        loss[i] = bowl(u + i * D);
    char msg[256];
    unsigned long fits_before = 0, fits = 0;
    for (size_t n = N0; n <= N1; n += 25) {
        hpti_bayes_data dt = {u, loss, 1, n, NULL, 0, 1, 0, NULL};
        double x[2][D];
        for (int e = 0; e < 2; e++) {
            hpti_rng r;
            hpti_rng_seed(&r, n, HPTI_STREAM_MODEL);
            assert_ok(hpti_bayes_propose(&b[e], &dt, &r, x[e], msg));
        }
        assert_memory_equal(x[0], x[1], sizeof x[0]);
        for (size_t j = 0; j < D; j++)
            assert_true(x[0][j] >= 0.0 && x[0][j] <= 1.0);
        assert_int_equal(b[0].gp.n_fit, b[0].n_fits);
        if (b[0].n_fits > fits_before)
            fits++;
        fits_before = b[0].n_fits;
        assert_memory_equal(b[0].gp.theta, b[1].gp.theta, b[0].gp.np * sizeof *b[0].gp.theta);
    }
    assert_int_equal(fits, 5); /* at 500, 550, 625, 700, 775 */
    assert_int_equal(b[0].gp.n_fit, 5);
    hpti_bayes_free(&b[0]);
    hpti_bayes_free(&b[1]);
    hpt_space_destroy(sp);
    free(u);
    free(loss);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_plan_switch),
        cmocka_unit_test(test_search_plan_switch),
        cmocka_unit_test(test_engine_lean_fits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
