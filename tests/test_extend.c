/* test_extend.c -- extending a finished study: max_trials,
 * max_resource_total and max_seconds may be raised once trials were
 * asked (never lowered), the raise is journaled, and the extended study
 * continues exactly the sequence of one that had the larger limit from
 * the start. */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define N_SMALL 6
#define N_BIG 16

static double objective(const double *x)
{
    return log10(x[0]) * log10(x[0]) + 0.3 * x[1] + (x[2] == 1 ? 0 : 0.5);
}

/* Ask and tell until HPT_DONE; params of trial i into xs[3 i ..]. */
static int64_t run_out(hpt_study *st, double *xs, int64_t cap)
{
    int64_t id, n = 0;
    int rc;
    while ((rc = hpt_study_ask(st, &id)) == HPT_OK) {
        assert_true(id < cap);
        assert_ok(hpt_trial_params(st, id, xs + 3 * id, 3));
        assert_ok(hpt_study_tell(st, id, objective(xs + 3 * id)));
        n++;
    }
    assert_status(rc, HPT_DONE);
    return n;
}

static hpt_study *open_j(const char *path, const char *strategy)
{
    hpt_space *sp = tu_mixed_space();
    hpt_study *st;
    assert_ok(hpt_study_open(path, sp, strategy, HPT_MINIMIZE, 11, &st));
    hpt_space_destroy(sp);
    return st;
}

static void extend_same_sequence(const char *strategy)
{
    double want[3 * N_BIG], got[3 * N_BIG];
    hpt_space *sp = tu_mixed_space();
    hpt_study *st;
    assert_ok(hpt_study_create(sp, strategy, HPT_MINIMIZE, 11, &st));
    hpt_space_destroy(sp);
    assert_ok(hpt_study_set(st, "max_trials", N_BIG));
    assert_int_equal(run_out(st, want, N_BIG), N_BIG);
    hpt_study_destroy(st);

    const char *path = tmp("extend.hptj");
    unlink(path);
    st = open_j(path, strategy);
    assert_ok(hpt_study_set(st, "max_trials", N_SMALL));
    assert_int_equal(run_out(st, got, N_BIG), N_SMALL);
    assert_string_equal(hpt_study_done_reason(st), "max_trials");
    hpt_study_destroy(st);

    /* The finished job, reopened and extended. */
    st = open_j(path, strategy);
    int64_t id;
    assert_status(hpt_study_ask(st, &id), HPT_DONE);
    assert_ok(hpt_study_set(st, "max_trials", N_SMALL)); /* the same: a no-op */
    assert_status(hpt_study_set(st, "max_trials", N_SMALL - 1), HPT_E_STAGE);
    assert_status(hpt_study_set(st, "max_trials", 0.5), HPT_E_INVALID);
    assert_ok(hpt_study_set(st, "max_trials", N_BIG));
    int64_t n = run_out(st, got, N_BIG);
    assert_int_equal(n, N_BIG - N_SMALL);
    hpt_study_destroy(st);
    assert_memory_equal(got, want, sizeof want);

    /* The raise is in the journal: reopened, the study is done at N_BIG. */
    st = open_j(path, strategy);
    double v;
    assert_ok(hpt_study_get(st, "max_trials", &v));
    assert_true(v == N_BIG);
    int64_t count;
    assert_ok(hpt_study_trial_count(st, &count));
    assert_int_equal(count, N_BIG);
    assert_status(hpt_study_ask(st, &id), HPT_DONE);
    hpt_study_destroy(st);
}

static void test_extend_random(void **state)
{
    (void)state;
    extend_same_sequence("random");
}

static void test_extend_bayes(void **state)
{
    (void)state;
    extend_same_sequence("bayes");
}

/* max_trials 0 (no limit) is the largest: raising to it lifts the limit. */
static void test_unlimited(void **state)
{
    (void)state;
    hpt_space *sp = tu_mixed_space();
    hpt_study *st;
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 2, &st));
    hpt_space_destroy(sp);
    int64_t id;
    assert_ok(hpt_study_ask(st, &id));
    assert_status(hpt_study_set(st, "max_trials", 3), HPT_E_STAGE); /* 0 -> 3 lowers */
    assert_ok(hpt_study_set(st, "max_trials", 0));
    hpt_study_destroy(st);

    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 2, &st));
    hpt_space_destroy(sp);
    assert_ok(hpt_study_set(st, "max_trials", 1));
    assert_ok(hpt_study_ask(st, &id));
    assert_status(hpt_study_ask(st, &id), HPT_DONE);
    assert_ok(hpt_study_set(st, "max_trials", 0));
    for (int k = 0; k < 5; k++)
        assert_ok(hpt_study_ask(st, &id));
    hpt_study_destroy(st);
}

/* max_resource_total and max_seconds: raised, not lowered, journaled. */
static void test_other_limits(void **state)
{
    (void)state;
    const char *path = tmp("limits.hptj");
    unlink(path);
    hpt_study *st = open_j(path, "random");
    double xs[3 * 32];
    assert_ok(hpt_study_set(st, "max_resource_total", 3));
    assert_ok(hpt_study_set(st, "max_seconds", 1000));
    assert_int_equal(run_out(st, xs, 32), 3);
    assert_string_equal(hpt_study_done_reason(st), "max_resource_total");
    assert_status(hpt_study_set(st, "max_resource_total", 2), HPT_E_STAGE);
    assert_status(hpt_study_set(st, "max_seconds", 500), HPT_E_STAGE);
    assert_status(hpt_study_set(st, "patience", 4), HPT_E_STAGE); /* not a limit */
    assert_ok(hpt_study_set(st, "max_resource_total", 5));
    assert_ok(hpt_study_set(st, "max_seconds", 2000));
    assert_int_equal(run_out(st, xs, 32), 2);
    hpt_study_destroy(st);
    st = open_j(path, "random");
    double v;
    assert_ok(hpt_study_get(st, "max_resource_total", &v));
    assert_true(v == 5);
    assert_ok(hpt_study_get(st, "max_seconds", &v));
    assert_true(v == 2000);
    int64_t id;
    assert_status(hpt_study_ask(st, &id), HPT_DONE);
    assert_string_equal(hpt_study_done_reason(st), "max_resource_total");
    hpt_study_destroy(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extend_random),
        cmocka_unit_test(test_extend_bayes),
        cmocka_unit_test(test_unlimited),
        cmocka_unit_test(test_other_limits),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
