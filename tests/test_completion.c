/* test_completion.c -- every completion criterion fires exactly when it
 * should, says why, and survives a resume. */
#include <math.h>
#include <unistd.h>

#include "testutil.h"
#include "study.h"

static hpt_study *make(const char *strategy, int32_t dir)
{
    hpt_space *sp = tu_mixed_space();
    hpt_study *st;
    assert_ok(hpt_study_create(sp, strategy, dir, 3, &st));
    hpt_space_destroy(sp);
    return st;
}

static void test_options(void **state)
{
    (void)state;
    hpt_study *st = make("random", HPT_MINIMIZE);
    double v;
    assert_ok(hpt_study_get(st, "target_value", &v));
    assert_true(isnan(v));
    assert_ok(hpt_study_get(st, "patience", &v));
    assert_true(v == 0);
    assert_ok(hpt_study_get(st, "max_seconds", &v));
    assert_true(v == 0);
    assert_status(hpt_study_set(st, "patience", -1), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "patience", 1.5), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "max_seconds", -1), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "max_seconds", INFINITY), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "target_value", INFINITY), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "target_value", NAN), HPT_E_INVALID);
    assert_ok(hpt_study_set(st, "target_value", -2.5));
    assert_ok(hpt_study_get(st, "target_value", &v));
    assert_true(v == -2.5);
    assert_string_equal(hpt_study_done_reason(st), "");
    int64_t id;
    assert_ok(hpt_study_ask(st, &id));
    assert_status(hpt_study_set(st, "patience", 3), HPT_E_STAGE);
    assert_status(hpt_study_set(st, "target_value", 1), HPT_E_STAGE);
    assert_status(hpt_study_set(st, "max_seconds", 1), HPT_E_STAGE);
    hpt_study_destroy(st);
    assert_string_equal(hpt_study_done_reason(NULL), "");
}

static void test_max_trials(void **state)
{
    (void)state;
    hpt_study *st = make("random", HPT_MINIMIZE);
    assert_ok(hpt_study_set(st, "max_trials", 5));
    int64_t id;
    for (int k = 0; k < 5; k++) {
        assert_ok(hpt_study_ask(st, &id));
        assert_string_equal(hpt_study_done_reason(st), "");
    }
    assert_status(hpt_study_ask(st, &id), HPT_DONE);
    assert_int_equal(id, -1);
    assert_string_equal(hpt_study_done_reason(st), "max_trials");
    hpt_study_destroy(st);
}

/* Minimizing: values 5, 4, 3, 2, 1, target 2: done at the ask after the
 * tell of 2, not before. Maximizing mirrored. Running trials may still be
 * told after it fired. */
static void test_target(void **state)
{
    (void)state;
    for (int dir = 0; dir < 2; dir++) {
        double sign = dir == HPT_MAXIMIZE ? -1 : 1;
        hpt_study *st = make("sobol", dir);
        assert_ok(hpt_study_set(st, "target_value", sign * 2));
        int64_t id, extra;
        for (int k = 5; k >= 2; k--) {
            assert_ok(hpt_study_ask(st, &id));
            assert_ok(hpt_study_tell(st, id, sign * k));
        }
        /* a failed trial and a worse one do not undo it */
        assert_status(hpt_study_ask(st, &extra), HPT_DONE);
        assert_string_equal(hpt_study_done_reason(st), "target_value");
        assert_non_null(strstr(hpt_study_errmsg(st), "target_value"));
        hpt_study_destroy(st);

        st = make("sobol", dir);
        assert_ok(hpt_study_set(st, "target_value", sign * 2));
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_study_ask(st, &extra)); /* still running when it fires */
        assert_ok(hpt_study_tell(st, id, sign * 2.0000001));
        assert_ok(hpt_study_ask(st, &id)); /* not yet */
        assert_ok(hpt_study_tell(st, id, sign * 2)); /* reached, exactly */
        assert_status(hpt_study_ask(st, &id), HPT_DONE);
        assert_ok(hpt_study_tell(st, extra, 0));
        hpt_study_destroy(st);
    }
}

/* patience 3: after the best, three complete trials in a row that do not
 * improve it (ties do not improve) end the study; failed and pruned
 * trials do not count. */
static void test_patience(void **state)
{
    (void)state;
    hpt_study *st = make("random", HPT_MINIMIZE);
    assert_ok(hpt_study_set(st, "patience", 3));
    int64_t id;
    const double v[] = {5, 4, 6, 4, 3, 7, 8}; /* best: 5, 4, -, -, 3, -, - */
    for (size_t k = 0; k < sizeof v / sizeof *v; k++) {
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_study_tell(st, id, v[k]));
        if (k == 5) { /* failures in between are not counted */
            assert_ok(hpt_study_ask(st, &id));
            assert_ok(hpt_study_tell_failed(st, id, NULL));
        }
    }
    /* since the 3: 7, 8 -> two without improvement */
    assert_ok(hpt_study_ask(st, &id));
    assert_ok(hpt_study_tell(st, id, 3)); /* a tie: third non-improving */
    assert_status(hpt_study_ask(st, &id), HPT_DONE);
    assert_string_equal(hpt_study_done_reason(st), "patience");
    hpt_study_destroy(st);
}

static void test_max_seconds(void **state)
{
    (void)state;
    hpt_study *st = make("random", HPT_MINIMIZE);
    assert_ok(hpt_study_set(st, "max_seconds", 1000));
    int64_t id;
    assert_ok(hpt_study_ask(st, &id));
    assert_true(st->done.clock_on);
    /* move the study's clock instead of sleeping: 1000 s of active time */
    st->done.base = 999.0;
    st->done.t0.tv_sec -= 2;
    assert_status(hpt_study_ask(st, &id), HPT_DONE);
    assert_string_equal(hpt_study_done_reason(st), "max_seconds");
    hpt_study_destroy(st);
}

static void test_exhausted(void **state)
{
    (void)state;
    hpt_space *sp;
    static const char *const c[] = {"a", "b"};
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_categorical(sp, "c", c, 2));
    hpt_study *st;
    assert_ok(hpt_study_create(sp, "grid", HPT_MINIMIZE, 1, &st));
    int64_t id;
    assert_ok(hpt_study_ask(st, &id));
    assert_ok(hpt_study_ask(st, &id));
    assert_status(hpt_study_ask(st, &id), HPT_DONE);
    assert_string_equal(hpt_study_done_reason(st), "exhausted");
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* A strategy's own stop ("converged" for bayes) through the hook. */
static const char *says_converged(const void *state)
{
    (void)state;
    return "converged";
}

static int done_at_once(void *state, const hpti_env *env, hpti_proposal *out, char *msg)
{
    (void)state, (void)env, (void)out, (void)msg;
    return HPT_DONE;
}

static void test_converged_hook(void **state)
{
    (void)state;
    hpt_study *st = make("random", HPT_MINIMIZE);
    hpti_strategy_type fake = *st->type;
    fake.propose = done_at_once;
    fake.done_reason = says_converged;
    const hpti_strategy_type *real = st->type;
    st->type = &fake;
    int64_t id;
    assert_status(hpt_study_ask(st, &id), HPT_DONE);
    assert_string_equal(hpt_study_done_reason(st), "converged");
    st->type = real;
    hpt_study_destroy(st);
}

/* bayes's own convergence test ("bayes.convergence"): on a smooth bowl,
 * ask returns HPT_DONE with reason "converged" once the expected
 * improvement stayed low, well before the budget and near the optimum;
 * it keeps saying so; the option changes no proposal before that; off
 * (the default), the study runs on. */
static double bowl3(const double *x)
{
    return pow(x[0] - 0.3, 2) + pow(x[1] - 0.6, 2) + pow(x[2] - 0.5, 2);
}

static int run_bowl(double conv, int budget, double *xs, double *best)
{
    hpt_space *sp;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "a", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "b", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "c", 0, 1, HPT_SCALE_LINEAR));
    hpt_study *st;
    assert_ok(hpt_study_create(sp, "bayes", HPT_MINIMIZE, 4, &st));
    hpt_space_destroy(sp);
    assert_status(hpt_study_set(st, "bayes.convergence", -1), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "bayes.convergence_asks", 0.5), HPT_E_INVALID);
    if (conv > 0) {
        assert_ok(hpt_study_set(st, "bayes.convergence", conv));
        assert_ok(hpt_study_set(st, "bayes.convergence_asks", 3));
    }
    int k, rc = HPT_OK;
    int64_t id;
    for (k = 0; k < budget; k++) {
        rc = hpt_study_ask(st, &id);
        if (rc == HPT_DONE)
            break;
        assert_ok(rc);
        assert_ok(hpt_trial_params(st, id, xs + 3 * k, 3));
        assert_ok(hpt_study_tell(st, id, bowl3(xs + 3 * k)));
    }
    if (rc == HPT_DONE) {
        assert_string_equal(hpt_study_done_reason(st), "converged");
        assert_status(hpt_study_ask(st, &id), HPT_DONE); /* and stays so */
        assert_string_equal(hpt_study_done_reason(st), "converged");
    } else
        assert_string_equal(hpt_study_done_reason(st), "");
    assert_ok(hpt_study_best(st, NULL, best));
    hpt_study_destroy(st);
    return k;
}

static void test_bayes_converged(void **state)
{
    (void)state;
    enum { BUDGET = 60 };
    double xa[3 * BUDGET], xb[3 * BUDGET], ba, bb;
    int na = run_bowl(1e-4, BUDGET, xa, &ba);
    int nb = run_bowl(0, BUDGET, xb, &bb);
    print_message("converged after %d trials, best %g\n", na, ba);
    assert_true(na < BUDGET && na > 7); /* past the initial design */
    assert_true(ba < 1e-3);
    assert_int_equal(nb, BUDGET);
    assert_memory_equal(xa, xb, (size_t)na * 3 * sizeof *xa);
}

/* Criteria and their state come back with a resume: patience counted
 * before the stop still counts, active time carries over. */
static void test_resume_keeps_state(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/hpt-completion-%d.jnl",
             tu_tmpdir(), (int)getpid());
    unlink(path);
    hpt_space *sp = tu_mixed_space();
    hpt_study *st;
    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 3, &st));
    assert_ok(hpt_study_set(st, "journal.fsync", 0));
    assert_ok(hpt_study_set(st, "patience", 2));
    assert_ok(hpt_study_set(st, "max_seconds", 3600));
    int64_t id;
    assert_ok(hpt_study_ask(st, &id));
    assert_ok(hpt_study_tell(st, id, 1));
    assert_ok(hpt_study_ask(st, &id));
    st->done.base = 42.0; /* as if 42 s had passed */
    assert_ok(hpt_study_tell(st, id, 2)); /* one without improvement */
    hpt_study_destroy(st);
    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 3, &st));
    assert_ok(hpt_study_set(st, "patience", 2)); /* same value: accepted */
    assert_status(hpt_study_set(st, "patience", 5), HPT_E_STAGE);
    assert_true(hpti_clock_elapsed(&st->done) >= 42.0);
    assert_ok(hpt_study_ask(st, &id));
    assert_ok(hpt_study_tell(st, id, 3)); /* the second */
    assert_status(hpt_study_ask(st, &id), HPT_DONE);
    assert_string_equal(hpt_study_done_reason(st), "patience");
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_max_trials),
        cmocka_unit_test(test_target),
        cmocka_unit_test(test_patience),
        cmocka_unit_test(test_max_seconds),
        cmocka_unit_test(test_exhausted),
        cmocka_unit_test(test_converged_hook),
        cmocka_unit_test(test_bayes_converged),
        cmocka_unit_test(test_resume_keeps_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
