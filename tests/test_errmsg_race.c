/* test_errmsg_race.c -- every failure path that writes a study's message
 * does it under the study's lock: one thread makes NULL-argument calls on a
 * shared study (failures found before any lock is needed) while another
 * makes failing calls that hold the lock. Built and run under
 * ThreadSanitizer by `make tsan` (TSAN_TESTS), where an unlocked write is a
 * reported data race (../shared/repro/reliability/c_errmsg_race_tsan.c);
 * in the plain build it checks each call's status and that the study's
 * message is always one whole message, never a torn mix. */
#include <pthread.h>

#include "testutil.h"

enum { ROUNDS = 2000 };

static hpt_study *shared;

/* One failing call per public function that checks arguments before
 * locking; each must say HPT_E_INVALID. */
static void *null_calls(void *arg)
{
    int *bad = arg;
    size_t n;
    double v;
    for (int i = 0; i < ROUNDS; i++) {
        *bad += hpt_study_ask(shared, NULL) != HPT_E_INVALID;
        *bad += hpt_study_set(shared, NULL, 1.0) != HPT_E_INVALID;
        *bad += hpt_study_set_str(shared, "pruner", NULL) != HPT_E_INVALID;
        *bad += hpt_study_get(shared, "max_trials", NULL) != HPT_E_INVALID;
        *bad += hpt_study_top_k(shared, 1, NULL, &n) != HPT_E_INVALID;
        *bad += hpt_study_importance(shared, NULL, 1) != HPT_E_INVALID;
        *bad += hpt_study_export_csv(shared, NULL) != HPT_E_INVALID;
        *bad += hpt_study_warm_default(shared, NULL, 0.0) != HPT_E_INVALID;
        *bad += hpt_study_warm_start(shared, NULL, HPT_WARM_IDENTICAL) != HPT_E_INVALID;
        *bad += hpt_study_get(shared, "max_trials", &v) != HPT_OK;
    }
    return NULL;
}

static void *locked_calls(void *arg)
{
    int *bad = arg;
    for (int i = 0; i < ROUNDS; i++)
        *bad += hpt_study_tell(shared, 12345, 1.0) != HPT_E_TRIAL;
    return NULL;
}

static void test_null_arguments_race_free(void **state)
{
    (void)state;
    hpt_space *sp = tu_mixed_space();
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &shared));
    int bad_a = 0, bad_b = 0;
    pthread_t a, b;
    assert_int_equal(pthread_create(&a, NULL, null_calls, &bad_a), 0);
    assert_int_equal(pthread_create(&b, NULL, locked_calls, &bad_b), 0);
    assert_int_equal(pthread_join(a, NULL), 0);
    assert_int_equal(pthread_join(b, NULL), 0);
    assert_int_equal(bad_a, 0);
    assert_int_equal(bad_b, 0);
    /* the last message is whole: one of the calls' own */
    const char *m = hpt_study_errmsg(shared);
    assert_true(strncmp(m, "hpt_study_", 10) == 0);
    assert_non_null(strstr(m, "NULL argument") ? m : strstr(m, "no trial 12345"));
    /* and each failure reached the study's message, not only the thread's */
    assert_status(hpt_study_ask(shared, NULL), HPT_E_INVALID);
    assert_string_equal(hpt_study_errmsg(shared), "hpt_study_ask: NULL argument");
    assert_string_equal(hpt_last_errmsg(), "hpt_study_ask: NULL argument");
    hpt_study_destroy(shared);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_arguments_race_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
