/* test_study.c -- the ask/tell lifecycle: states, values, best, options,
 * completion by max_trials, reports, failures and pruning. */
#include <math.h>

#include "testutil.h"

static hpt_study *new_study(const char *strategy, int32_t dir, uint64_t seed)
{
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, strategy, dir, seed, &st));
    hpt_space_destroy(sp); /* the study keeps its own copy */
    return st;
}

static void lifecycle_and_accessors(void **state)
{
    (void)state;
    hpt_study *st = new_study("random", HPT_MINIMIZE, 1);
    int64_t id, count, parent;
    double lr, budget, p[3], v;
    int64_t layers;
    const char *act, *reason;
    int32_t s;
    assert_ok(hpt_study_ask(st, &id));
    assert_int_equal(id, 0);
    assert_ok(hpt_trial_float(st, id, "lr", &lr));
    assert_ok(hpt_trial_int(st, id, "layers", &layers));
    assert_ok(hpt_trial_categorical(st, id, "act", &act));
    assert_ok(hpt_trial_params(st, id, p, 3));
    assert_true(p[0] == lr && p[1] == (double)layers);
    assert_true(strcmp(act, (const char *[]){"relu", "tanh", "sigmoid"}[(int)p[2]]) == 0);
    assert_ok(hpt_trial_state(st, id, &s));
    assert_int_equal(s, HPT_TRIAL_RUNNING);
    assert_ok(hpt_trial_budget(st, id, &budget, &parent));
    assert_true(budget == 0 && parent == -1);
    assert_status(hpt_study_best(st, NULL, NULL), HPT_E_EMPTY);
    assert_ok(hpt_study_tell(st, id, 0.75));
    assert_ok(hpt_trial_state(st, id, &s));
    assert_int_equal(s, HPT_TRIAL_COMPLETE);
    assert_ok(hpt_trial_value(st, id, &v));
    assert_true(v == 0.75);

    assert_ok(hpt_study_ask(st, &id));
    assert_ok(hpt_study_tell_failed(st, id, "CUDA out of memory"));
    assert_ok(hpt_trial_state(st, id, &s));
    assert_int_equal(s, HPT_TRIAL_FAILED);
    assert_ok(hpt_trial_fail_reason(st, id, &reason));
    assert_string_equal(reason, "CUDA out of memory");
    assert_status(hpt_trial_value(st, id, &v), HPT_E_STATE);

    assert_ok(hpt_study_trial_count(st, &count));
    assert_int_equal(count, 2);
    hpt_study_destroy(st);
}

static void best_follows_direction(void **state)
{
    (void)state;
    const double vals[] = {3, 1, 4, 1, 5, 9, 2, 6};
    for (int dir = 0; dir <= 1; dir++) {
        hpt_study *st = new_study("sobol", dir, 5);
        int64_t id, best;
        double bv;
        for (int k = 0; k < 8; k++) {
            assert_ok(hpt_study_ask(st, &id));
            assert_ok(hpt_study_tell(st, id, vals[k]));
        }
        assert_ok(hpt_study_best(st, &best, &bv));
        if (dir == HPT_MINIMIZE) /* ties go to the earliest trial */
            assert_true(best == 1 && bv == 1);
        else
            assert_true(best == 5 && bv == 9);
        hpt_study_destroy(st);
    }
}

static void max_trials_and_running(void **state)
{
    (void)state;
    hpt_study *st = new_study("random", HPT_MINIMIZE, 2);
    int64_t id;
    double v;
    assert_ok(hpt_study_set(st, "max_trials", 5));
    assert_ok(hpt_study_get(st, "max_trials", &v));
    assert_true(v == 5);
    for (int k = 0; k < 5; k++) /* five trials running at once */
        assert_ok(hpt_study_ask(st, &id));
    assert_status(hpt_study_ask(st, &id), HPT_DONE);
    assert_int_equal(id, -1);
    for (int k = 4; k >= 0; k--) /* told in any order */
        assert_ok(hpt_study_tell(st, k, k));
    assert_status(hpt_study_ask(st, &id), HPT_DONE);
    hpt_study_destroy(st);
}

static void reports_and_prune(void **state)
{
    (void)state;
    hpt_study *st = new_study("random", HPT_MAXIMIZE, 3);
    int64_t id, n;
    int32_t stop = 7, s;
    double step, v;
    assert_ok(hpt_study_ask(st, &id));
    for (int e = 1; e <= 3; e++) {
        assert_ok(hpt_study_report(st, id, e, 0.1 * e, &stop));
        assert_int_equal(stop, 0); /* no pruner: never stop */
    }
    assert_ok(hpt_trial_report_count(st, id, &n));
    assert_int_equal(n, 3);
    assert_ok(hpt_trial_report(st, id, 1, &step, &v));
    assert_true(step == 2 && fabs(v - 0.2) < 1e-15);
    assert_status(hpt_trial_report(st, id, 3, &step, &v), HPT_E_INVALID); /* not a buffer */
    assert_ok(hpt_study_prune(st, id));
    assert_ok(hpt_trial_state(st, id, &s));
    assert_int_equal(s, HPT_TRIAL_PRUNED);
    assert_ok(hpt_trial_value(st, id, &v));
    assert_true(fabs(v - 0.3) < 1e-15);
    /* pruned trials are not the best */
    assert_status(hpt_study_best(st, NULL, NULL), HPT_E_EMPTY);
    /* a trial pruned before any report has no value: it is failed */
    assert_ok(hpt_study_ask(st, &id));
    assert_ok(hpt_study_prune(st, id));
    assert_ok(hpt_trial_state(st, id, &s));
    assert_int_equal(s, HPT_TRIAL_FAILED);
    hpt_study_destroy(st);
}

static void options_frozen_after_first_ask(void **state)
{
    (void)state;
    hpt_study *st = new_study("grid", HPT_MINIMIZE, 0);
    int64_t id;
    double v;
    assert_ok(hpt_study_get(st, "grid.points", &v));
    assert_true(v == 5);
    assert_ok(hpt_study_set(st, "grid.points", 2));
    assert_ok(hpt_study_set_str(st, "pruner", "none"));
    assert_ok(hpt_study_ask(st, &id));
    assert_status(hpt_study_set(st, "grid.points", 3), HPT_E_STAGE);
    assert_ok(hpt_study_get(st, "grid.points", &v));
    assert_true(v == 2);
    assert_status(hpt_study_get(st, "nope", &v), HPT_E_NAME);
    hpt_study_destroy(st);
}

static void version(void **state)
{
    (void)state;
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", HPT_VERSION_MAJOR, HPT_VERSION_MINOR,
             HPT_VERSION_PATCH);
    assert_string_equal(hpt_version_string(), want);
    assert_int_equal(hpt_version_number(), HPT_VERSION_NUMBER);
}

static void destroy_null(void **state)
{
    (void)state;
    hpt_study_destroy(NULL);
    hpt_space_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lifecycle_and_accessors),
        cmocka_unit_test(best_follows_direction),
        cmocka_unit_test(max_trials_and_running),
        cmocka_unit_test(reports_and_prune),
        cmocka_unit_test(options_frozen_after_first_ask),
        cmocka_unit_test(version),
        cmocka_unit_test(destroy_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
