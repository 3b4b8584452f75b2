/* test_threads.c -- one study shared by worker threads: every ask gets a
 * distinct id, every tell lands, nothing is lost or duplicated. */
#include <pthread.h>

#include "testutil.h"

enum { WORKERS = 4, PER_WORKER = 500 };

typedef struct {
    hpt_study *st;
    int done;
    int errors;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    int64_t id;
    double p[3];
    for (;;) {
        int rc = hpt_study_ask(j->st, &id);
        if (rc == HPT_DONE)
            break;
        if (rc != HPT_OK || hpt_trial_params(j->st, id, p, 3) != HPT_OK) {
            j->errors++;
            break;
        }
        int32_t stop;
        if (hpt_study_report(j->st, id, 1, p[0], &stop) != HPT_OK)
            j->errors++;
        if (id % 7 == 0)
            rc = hpt_study_tell_failed(j->st, id, "simulated crash");
        else
            rc = hpt_study_tell(j->st, id, p[0] * (1 + p[1]));
        if (rc != HPT_OK)
            j->errors++;
        j->done++;
    }
    return NULL;
}

static void shared_study(void **state)
{
    (void)state;
    for (int s = 0; s < 2; s++) {
        hpt_space *sp = tu_mixed_space();
        hpt_study *st = NULL;
        assert_ok(hpt_study_create(sp, s ? "sobol" : "random", HPT_MINIMIZE, 11, &st));
        assert_ok(hpt_study_set(st, "max_trials", WORKERS * PER_WORKER));
        pthread_t th[WORKERS];
        job jobs[WORKERS];
        for (int i = 0; i < WORKERS; i++) {
            jobs[i] = (job){st, 0, 0};
            assert_int_equal(pthread_create(&th[i], NULL, worker, &jobs[i]), 0);
        }
        int total = 0;
        for (int i = 0; i < WORKERS; i++) {
            pthread_join(th[i], NULL);
            assert_int_equal(jobs[i].errors, 0);
            total += jobs[i].done;
        }
        assert_int_equal(total, WORKERS * PER_WORKER);
        int64_t count;
        assert_ok(hpt_study_trial_count(st, &count));
        assert_int_equal(count, WORKERS * PER_WORKER);
        int failed = 0;
        for (int64_t id = 0; id < count; id++) {
            int32_t ts;
            assert_ok(hpt_trial_state(st, id, &ts));
            assert_true(ts == (id % 7 == 0 ? HPT_TRIAL_FAILED : HPT_TRIAL_COMPLETE));
            failed += ts == HPT_TRIAL_FAILED;
        }
        assert_int_equal(failed, (WORKERS * PER_WORKER + 6) / 7);
        /* the best is the minimum over all complete trials */
        int64_t best;
        double bv, v, min = 1e300;
        assert_ok(hpt_study_best(st, &best, &bv));
        for (int64_t id = 0; id < count; id++)
            if (hpt_trial_value(st, id, &v) == HPT_OK && v < min)
                min = v;
        assert_true(bv == min);
        hpt_study_destroy(st);
        hpt_space_destroy(sp);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shared_study),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
