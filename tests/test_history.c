/* test_history.c -- the study's history view (lib/history.h): rows in
 * finish order after the priors, running rows in id order, curves,
 * counters, the generation, and the rule that keeps observations
 * append-only (no prior after the first trial). */
#include <math.h>

#include "testutil.h"
#include "study.h"

static hpt_study *unit_study(const char *strategy)
{
    hpt_space *sp;
    hpt_study *st;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "a", 0.0, 1.0, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "b", 0.0, 1.0, HPT_SCALE_LINEAR));
    assert_ok(hpt_study_create(sp, strategy, HPT_MAXIMIZE, 7, &st));
    hpt_space_destroy(sp);
    return st;
}

static void test_rows_follow_events(void **state)
{
    (void)state;
    hpt_study *st = unit_study("random");
    const hpti_history *h = &st->hist;
    int64_t id[4];
    for (int k = 0; k < 4; k++)
        assert_ok(hpt_study_ask(st, &id[k]));
    assert_int_equal(h->n_trials, 4);
    assert_int_equal(h->n_running, 4);
    for (int k = 0; k < 4; k++)
        assert_int_equal(h->root[id[k]], id[k]); /* random: no continuations */
    for (int k = 0; k < 4; k++) {
        double x[2];
        assert_ok(hpt_trial_params(st, id[k], x, 2));
        /* unit coordinates of a [0,1] linear range are the values */
        assert_true(hpti_history_u(h, id[k])[0] == x[0]);
        assert_true(hpti_history_u(h, id[k])[1] == x[1]);
        assert_true(isnan(hpti_history_loss(h, id[k])));
        assert_int_equal(h->state[id[k]], HPT_TRIAL_RUNNING);
    }
    uint64_t g = h->generation;
    assert_ok(hpt_study_tell(st, id[2], 5.0));
    assert_true(h->generation > g);
    assert_ok(hpt_study_report(st, id[0], 1.0, 2.0, NULL));
    assert_ok(hpt_study_report(st, id[0], 3.0, 4.0, NULL));
    assert_ok(hpt_study_prune(st, id[0]));
    assert_ok(hpt_study_tell_failed(st, id[3], "boom"));

    /* id order (not finish order), losses (maximized: negated), NaN for
     * the failure */
    assert_int_equal(h->n_obs, 3);
    assert_int_equal(h->obs_trial[0], id[0]);
    assert_int_equal(h->obs_trial[1], id[2]);
    assert_int_equal(h->obs_trial[2], id[3]);
    assert_true(h->obs_value[0] == -4.0); /* pruned: its last report */
    assert_true(h->obs_value[1] == -5.0);
    assert_true(isnan(h->obs_value[2]));
    assert_memory_equal(h->obs_u, hpti_history_u(h, id[0]), 2 * sizeof(double));
    assert_memory_equal(h->obs_u + 2, hpti_history_u(h, id[2]), 2 * sizeof(double));
    assert_int_equal(h->n_complete, 1);
    assert_int_equal(h->n_pruned, 1);
    assert_int_equal(h->n_failed, 1);

    /* the one left running, its row contiguous */
    assert_int_equal(h->n_running, 1);
    assert_int_equal(h->run_id[0], id[1]);
    assert_memory_equal(h->run_u, hpti_history_u(h, id[1]), 2 * sizeof(double));

    /* curves */
    assert_int_equal(h->curve[id[0]].n, 2);
    assert_true(h->curve[id[0]].step[1] == 3.0 && h->curve[id[0]].loss[1] == -4.0);
    assert_int_equal(h->curve[id[1]].n, 0);
    hpt_study_destroy(st);
}

/* Running rows stay in id order whatever order trials finish in. */
static void test_running_in_id_order(void **state)
{
    (void)state;
    hpt_study *st = unit_study("sobol");
    const hpti_history *h = &st->hist;
    int64_t id;
    for (int k = 0; k < 6; k++)
        assert_ok(hpt_study_ask(st, &id));
    assert_ok(hpt_study_tell(st, 4, 1.0));
    assert_ok(hpt_study_tell(st, 1, 1.0));
    assert_ok(hpt_study_tell_failed(st, 0, NULL));
    static const int64_t left[] = {2, 3, 5};
    assert_int_equal(h->n_running, 3);
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(h->run_id[k], left[k]);
        assert_memory_equal(h->run_u + 2 * k, hpti_history_u(h, left[k]), 2 * sizeof(double));
    }
    assert_ok(hpt_study_ask(st, &id));
    assert_int_equal(h->run_id[3], id);
    hpt_study_destroy(st);
}

/* Priors come first and only before the first trial, so the observation
 * rows are append-only; a failed warm start drops what it added. */
static void test_priors_first(void **state)
{
    (void)state;
    hpt_study *st = unit_study("random");
    hpti_history *h = &st->hist;
    const double p0[2] = {0.25, 1.5}, p1[2] = {0.5, 0.5};
    assert_ok(hpti_history_add_prior(h, p0, 3.0));
    assert_ok(hpti_history_add_prior(h, p1, 2.0));
    assert_ok(hpti_history_add_transfer(h, p1, 9.0, 0));
    hpti_history_truncate_warm(h, 1, 0);
    assert_int_equal(h->n_prior, 1);
    assert_int_equal(h->n_obs, 1);
    assert_int_equal(h->n_transfer, 0);
    assert_ok(hpti_history_add_prior(h, p1, 2.0));
    int64_t id;
    assert_ok(hpt_study_ask(st, &id));
    assert_status(hpti_history_add_prior(h, p0, 1.0), HPT_E_STAGE);
    assert_ok(hpt_study_tell(st, id, 1.0));
    assert_int_equal(h->n_obs, 3);
    assert_int_equal(h->obs_trial[0], -1);
    assert_int_equal(h->obs_trial[1], -1);
    assert_int_equal(h->obs_trial[2], id);
    assert_true(h->obs_u[1] == 1.5); /* priors may lie outside the cube */
    assert_true(h->obs_value[0] == 3.0 && h->obs_value[1] == 2.0 && h->obs_value[2] == -1.0);
    double best;
    int64_t bid;
    assert_ok(hpt_study_best_overall(st, &bid, &best));
    assert_int_equal(bid, id); /* loss -1 (maximized 1) beats the priors' 2 and 3 */
    assert_true(best == 1.0);
    hpt_study_destroy(st);
}

/* Rows outgrow the initial capacity and stay in id order whatever the
 * order of the tells (history.h: canonical order). */
static void test_growth(void **state)
{
    (void)state;
    hpt_study *st = unit_study("random");
    const hpti_history *h = &st->hist;
    int64_t id;
    for (int k = 0; k < 100; k++) {
        assert_ok(hpt_study_ask(st, &id));
        if (k % 3 == 0)
            assert_ok(hpt_study_tell(st, id, (double)k));
    }
    for (int64_t k = 99; k >= 0; k--)
        if (k % 3 != 0)
            assert_ok(hpt_study_tell(st, k, (double)k));
    assert_int_equal(h->n_obs, 100);
    assert_int_equal(h->n_running, 0);
    for (size_t k = 0; k < 100; k++) {
        assert_int_equal(h->obs_trial[k], (int64_t)k);
        assert_true(h->obs_value[k] == -(double)k);
        assert_memory_equal(h->obs_u + 2 * k, hpti_history_u(h, (int64_t)k),
                            2 * sizeof(double));
    }
    hpt_study_destroy(st);
}

/* Continuations (hyperband promotions) share their configuration's root:
 * the first trial of the chain. */
static void test_roots(void **state)
{
    (void)state;
    hpt_study *st = unit_study("hyperband");
    assert_ok(hpt_study_set(st, "hyperband.max_resource", 9));
    assert_ok(hpt_study_set_str(st, "hyperband.sampler", "random"));
    const hpti_history *h = &st->hist;
    int64_t id;
    size_t promoted = 0;
    for (int k = 0; k < 40; k++) {
        assert_ok(hpt_study_ask(st, &id));
        double x[2];
        assert_ok(hpt_trial_params(st, id, x, 2));
        assert_ok(hpt_study_tell(st, id, x[0] + x[1]));
    }
    for (size_t i = 0; i < h->n_trials; i++) {
        int64_t r = (int64_t)i;
        while (h->parent[r] >= 0)
            r = h->parent[r];
        assert_int_equal(h->root[i], r);
        promoted += h->parent[i] >= 0;
    }
    assert_true(promoted > 0);
    hpt_study_destroy(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_follow_events),
        cmocka_unit_test(test_running_in_id_order),
        cmocka_unit_test(test_priors_first),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_roots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
