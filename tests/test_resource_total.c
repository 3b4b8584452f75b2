/* test_resource_total.c -- the completion criterion "max_resource_total":
 * every strategy stops at it, budgets and promotions count as documented
 * (a promotion only its budget over its parent's), and a resumed study
 * stops where an uninterrupted one does. */
#include <math.h>
#include <unistd.h>

#include "testutil.h"

static hpt_study *make(const char *strategy)
{
    hpt_space *sp = tu_mixed_space();
    hpt_study *st;
    assert_ok(hpt_study_create(sp, strategy, HPT_MINIMIZE, 5, &st));
    hpt_space_destroy(sp);
    return st;
}

static void hyperband_options(hpt_study *st)
{
    assert_ok(hpt_study_set(st, "hyperband.min_resource", 1));
    assert_ok(hpt_study_set(st, "hyperband.max_resource", 9));
    assert_ok(hpt_study_set(st, "hyperband.eta", 3));
    assert_ok(hpt_study_set_str(st, "hyperband.sampler", "random"));
    assert_ok(hpt_study_set(st, "max_resource_total", 60));
}

static double budget(const hpt_study *st, int64_t id, int64_t *parent)
{
    double b;
    assert_ok(hpt_trial_budget(st, id, &b, parent));
    return b;
}

/* What trial id costs, from the public API: budget (0 counts 1), minus the
 * parent's for a promotion. *full = the same without the parent rule. */
static double cost(const hpt_study *st, int64_t id, double *full)
{
    int64_t p;
    double b = budget(st, id, &p);
    b = b > 0 ? b : 1;
    *full = b;
    if (p < 0)
        return b;
    double pb = budget(st, p, NULL);
    return b - (pb > 0 ? pb : 1);
}

static double objective(const hpt_study *st, int64_t id)
{
    double x[3];
    assert_ok(hpt_trial_params(st, id, x, 3));
    return x[0] * x[0] + 0.1 * x[1] + 1.0 / (1 + budget(st, id, NULL));
}

static void test_option(void **state)
{
    (void)state;
    hpt_study *st = make("random");
    double v;
    assert_ok(hpt_study_get(st, "max_resource_total", &v));
    assert_true(v == 0);
    assert_status(hpt_study_set(st, "max_resource_total", -1), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "max_resource_total", INFINITY), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "max_resource_total", NAN), HPT_E_INVALID);
    assert_ok(hpt_study_set(st, "max_resource_total", 2.5));
    assert_ok(hpt_study_get(st, "max_resource_total", &v));
    assert_true(v == 2.5);
    hpt_study_destroy(st);
}

/* Without budgets every trial is one full training, cost 1: a limit of 4.5
 * lets 5 trials be asked (the one crossing it is asked in full). */
static void test_every_strategy(void **state)
{
    (void)state;
    const char *names[] = {"random", "sobol", "bayes", "hyperband"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        hpt_study *st = make(names[k]);
        if (k == 3)
            hyperband_options(st);
        else
            assert_ok(hpt_study_set(st, "max_resource_total", 4.5));
        int64_t id, n = 0;
        double used = 0, full;
        int rc;
        while ((rc = hpt_study_ask(st, &id)) == HPT_OK) {
            assert_true(used < (k == 3 ? 60 : 4.5)); /* asked only while below it */
            used += cost(st, id, &full);
            assert_ok(hpt_study_tell(st, id, objective(st, id)));
            assert_true(++n < 1000);
        }
        assert_status(rc, HPT_DONE);
        assert_string_equal(hpt_study_done_reason(st), "max_resource_total");
        assert_true(used >= (k == 3 ? 60 : 4.5));
        if (k < 3)
            assert_int_equal(n, 5);
        /* It stays done. */
        assert_status(hpt_study_ask(st, &id), HPT_DONE);
        hpt_study_destroy(st);
    }
}

/* Asynchronous Hyperband with max_trials 0 ends at the total, counting a
 * promotion's increment only: counting full budgets would have stopped it
 * earlier. */
static void test_async_hyperband_stops(void **state)
{
    (void)state;
    hpt_study *st = make("hyperband");
    hyperband_options(st);
    double v;
    assert_ok(hpt_study_get(st, "max_trials", &v));
    assert_true(v == 0);
    assert_ok(hpt_study_get(st, "hyperband.async", &v));
    assert_true(v == 1);
    int64_t id, n = 0, promotions = 0;
    double used = 0, used_full = 0, full;
    while (hpt_study_ask(st, &id) == HPT_OK) {
        assert_true(used < 60);
        used += cost(st, id, &full);
        used_full += full;
        int64_t p;
        budget(st, id, &p);
        promotions += p >= 0;
        assert_ok(hpt_study_tell(st, id, objective(st, id)));
        assert_true(++n < 1000);
    }
    assert_string_equal(hpt_study_done_reason(st), "max_resource_total");
    assert_true(used >= 60);
    assert_true(promotions > 0);
    assert_true(used_full > used);
    hpt_study_destroy(st);
}

/* A journaled study reopened midway stops at the same trial as one run
 * through, promotions included. */
static void test_resume(void **state)
{
    (void)state;
    hpt_study *st = make("hyperband");
    hyperband_options(st);
    int64_t id, n_through = 0;
    while (hpt_study_ask(st, &id) == HPT_OK) {
        assert_ok(hpt_study_tell(st, id, objective(st, id)));
        n_through++;
    }
    hpt_study_destroy(st);

    const char *path = tmp("resource.hptj");
    unlink(path);
    hpt_space *sp = tu_mixed_space();
    assert_ok(hpt_study_open(path, sp, "hyperband", HPT_MINIMIZE, 5, &st));
    hyperband_options(st);
    for (int k = 0; k < 12; k++) {
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_study_tell(st, id, objective(st, id)));
    }
    hpt_study_destroy(st);
    assert_ok(hpt_study_open(path, sp, "hyperband", HPT_MINIMIZE, 5, &st));
    hpt_space_destroy(sp);
    double v;
    assert_ok(hpt_study_get(st, "max_resource_total", &v));
    assert_true(v == 60);
    while (hpt_study_ask(st, &id) == HPT_OK)
        assert_ok(hpt_study_tell(st, id, objective(st, id)));
    assert_string_equal(hpt_study_done_reason(st), "max_resource_total");
    int64_t count;
    assert_ok(hpt_study_trial_count(st, &count));
    assert_int_equal(count, n_through);
    hpt_study_destroy(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_option),
        cmocka_unit_test(test_every_strategy),
        cmocka_unit_test(test_async_hyperband_stops),
        cmocka_unit_test(test_resume),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
