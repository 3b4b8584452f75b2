/* test_enqueue.c -- hpt_study_enqueue: order, partial fixing on every
 * strategy, validation, the grid keeping its points, the journal. */
#include <math.h>

#include "testutil.h"

/* lr (log float), layers (int 1..4), act (relu, tanh, sigmoid) */
static int64_t ask_ok(hpt_study *st, double *x)
{
    int64_t id;
    assert_ok(hpt_study_ask(st, &id));
    assert_ok(hpt_trial_params(st, id, x, 3));
    return id;
}

static void fifo_order(void **state)
{
    (void)state;
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &st));
    double q[3][3] = {{1e-3, 2, 0}, {0.05, 4, 2}, {1e-5, 1, 1}}, x[3];
    int64_t id;
    assert_ok(hpt_study_ask(st, &id)); /* enqueue works after asks too */
    assert_ok(hpt_study_tell(st, id, 1.0));
    for (int k = 0; k < 3; k++)
        assert_ok(hpt_study_enqueue(st, q[k], 3));
    for (int k = 0; k < 3; k++) {
        id = ask_ok(st, x);
        assert_int_equal(id, k + 1);
        assert_memory_equal(x, q[k], sizeof x);
        const char *act;
        assert_ok(hpt_trial_categorical(st, id, "act", &act));
        assert_string_equal(act, k == 0 ? "relu" : k == 1 ? "sigmoid" : "tanh");
        assert_ok(hpt_study_tell(st, id, 0.5));
    }
    /* then the strategy again */
    ask_ok(st, x);
    assert_false(x[0] == q[2][0]);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* A fully given configuration does not use up a grid point. */
static void grid_keeps_its_points(void **state)
{
    (void)state;
    static const char *const acts[] = {"relu", "tanh", "sigmoid"};
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_int(sp, "layers", 1, 4, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(sp, "act", acts, 3));
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "grid", HPT_MINIMIZE, 1, &st));
    double q[2] = {3, 1};
    assert_ok(hpt_study_enqueue(st, q, 2));
    int seen[4][3] = {{0}}, n = 0, rc;
    int64_t id;
    while ((rc = hpt_study_ask(st, &id)) == HPT_OK) {
        double x[2];
        assert_ok(hpt_trial_params(st, id, x, 2));
        if (n == 0)
            assert_memory_equal(x, q, sizeof x);
        seen[(int)x[0] - 1][(int)x[1]]++;
        n++;
        assert_ok(hpt_study_tell(st, id, 0.0));
    }
    assert_int_equal(rc, HPT_DONE);
    assert_int_equal(n, 13);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 3; j++)
            assert_int_equal(seen[i][j], i == 2 && j == 1 ? 2 : 1);
    /* an exhausted grid still runs what is enqueued, free values in the middle */
    double part[2] = {NAN, 0};
    assert_ok(hpt_study_enqueue(st, part, 2));
    assert_ok(hpt_study_ask(st, &id));
    double x[2];
    assert_ok(hpt_trial_params(st, id, x, 2));
    assert_true(x[1] == 0 && x[0] >= 1 && x[0] <= 4);
    assert_status(hpt_study_ask(st, &id), HPT_DONE);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* NaN = the strategy chooses: layers fixed, lr and act from every strategy. */
static void partial_fixing_every_strategy(void **state)
{
    (void)state;
    hpt_space *sp = tu_mixed_space();
    const char *name;
    for (size_t s = 0; hpt_strategy_name(s, &name) == HPT_OK; s++) {
        hpt_study *st = NULL;
        assert_ok(hpt_study_create(sp, name, HPT_MINIMIZE, 5, &st));
        if (strcmp(name, "grid") == 0) /* else lr, the slowest, stays put */
            assert_ok(hpt_study_set(st, "grid.shuffle", 1));
        /* some warm-up so that model-based strategies are past their design */
        for (int i = 0; i < 12; i++) {
            double x[3];
            int64_t id = ask_ok(st, x);
            assert_ok(hpt_study_tell(st, id, pow(log10(x[0]) + 3, 2) + x[1] + x[2]));
        }
        double q[3] = {NAN, 3, NAN};
        for (int k = 0; k < 6; k++)
            assert_ok(hpt_study_enqueue(st, q, 3));
        double lr0 = NAN;
        int lr_differ = 0;
        for (int k = 0, asks = 0; k < 6; asks++) {
            double x[3];
            int64_t id = ask_ok(st, x), parent;
            assert_true(asks < 40);
            assert_ok(hpt_trial_budget(st, id, NULL, &parent));
            if (parent >= 0) { /* a hyperband promotion: the entry waits */
                assert_ok(hpt_study_tell(st, id, 1.0));
                continue;
            }
            if (x[1] != 3)
                fail_msg("strategy %s: enqueued layers 3, trial %lld has %g", name,
                         (long long)id, x[1]);
            assert_true(x[0] >= 1e-5 && x[0] <= 1e-1);
            assert_true(x[2] == 0 || x[2] == 1 || x[2] == 2);
            if (k == 0)
                lr0 = x[0];
            lr_differ += x[0] != lr0;
            assert_ok(hpt_study_tell(st, id, pow(log10(x[0]) + 3, 2) + x[2]));
            k++;
        }
        if (!lr_differ)
            fail_msg("strategy %s: the free lr never changed", name);
        hpt_study_destroy(st);
    }
    hpt_space_destroy(sp);
}

static void validation(void **state)
{
    (void)state;
    static const char *const opts[] = {"sgd", "adam"};
    const char *sgd[] = {"sgd"}, *no[] = {"no"};
    static const char *const yn[] = {"no", "yes"};
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_categorical(sp, "opt", opts, 2));
    assert_ok(hpt_space_add_float(sp, "momentum", 0.0, 0.9, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(sp, "nesterov", yn, 2));
    assert_ok(hpt_space_add_int(sp, "batch", 32, 256, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "damp", 0.0, 1.0, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_set_step(sp, "momentum", 0.1));
    assert_ok(hpt_space_set_step(sp, "batch", 32));
    assert_ok(hpt_space_add_condition(sp, "momentum", "opt", sgd, 1));
    assert_ok(hpt_space_add_condition(sp, "nesterov", "opt", sgd, 1));
    assert_ok(hpt_space_add_condition(sp, "damp", "nesterov", no, 1));
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 2, &st));
    double ok[5] = {0, 0.3, 0, 64, 0.5};
    assert_status(hpt_study_enqueue(NULL, ok, 5), HPT_E_INVALID);
    assert_status(hpt_study_enqueue(st, NULL, 5), HPT_E_INVALID);
    assert_status(hpt_study_enqueue(st, ok, 4), HPT_E_INVALID);
    double bad[][5] = {
        {2, 0.3, 0, 64, 0.5},        /* choice index out of range */
        {-1, 0.3, 0, 64, 0.5},       /* negative index */
        {0.5, 0.3, 0, 64, 0.5},      /* fractional index */
        {0, 0.35, 0, 64, 0.5},       /* off the momentum step */
        {0, 1.0, 0, 64, 0.5},        /* above the range */
        {0, 0.3, 0, 48, 0.5},        /* off the batch step */
        {0, 0.3, 0, 64.5, 0.5},      /* not an integer */
        {0, 0.3, 0, 64, INFINITY},   /* not finite */
        {1, 0.3, NAN, 64, NAN},      /* momentum given for adam */
        {1, NAN, 1, 64, NAN},        /* nesterov given for adam */
        {0, NAN, 1, 64, 0.5},        /* damp given with nesterov */
        {1, NAN, NAN, 64, 0.5},      /* damp under an inactive nesterov */
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        int rc = hpt_study_enqueue(st, bad[k], 5);
        if (rc != HPT_E_INVALID)
            fail_msg("bad entry %zu accepted (%d)", k, rc);
    }
    assert_true(strstr(hpt_last_errmsg(), "damp") != NULL);
    /* undecided parents leave the child's value possible */
    double maybe[5] = {NAN, 0.3, NAN, 64, 0.5};
    assert_ok(hpt_study_enqueue(st, maybe, 5));
    assert_ok(hpt_study_enqueue(st, ok, 5));
    /* the refused entries left no trace: the two accepted ones come first */
    int64_t id;
    double x[5];
    for (int k = 0; k < 2; k++) {
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, 5));
        assert_true(x[3] == 64);
        if (k == 1)
            assert_memory_equal(x, ok, sizeof x);
        else if (x[0] == 0) /* sgd drawn: the given momentum applies */
            assert_true(x[1] == 0.3);
        else
            assert_true(isnan(x[1]) && isnan(x[4]));
        assert_ok(hpt_study_tell(st, id, 0.0));
    }
    /* an entry with inactive parameters left NaN is complete */
    double adam[5] = {1, NAN, NAN, 96, NAN};
    assert_ok(hpt_study_enqueue(st, adam, 5));
    assert_ok(hpt_study_ask(st, &id));
    assert_ok(hpt_trial_params(st, id, x, 5));
    assert_true(x[0] == 1 && isnan(x[1]) && isnan(x[2]) && x[3] == 96 && isnan(x[4]));
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

static void max_trials_still_applies(void **state)
{
    (void)state;
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "sobol", HPT_MINIMIZE, 1, &st));
    assert_ok(hpt_study_set(st, "max_trials", 1));
    double q[3] = {1e-2, 1, 1};
    assert_ok(hpt_study_enqueue(st, q, 3));
    assert_ok(hpt_study_enqueue(st, q, 3));
    int64_t id;
    assert_ok(hpt_study_ask(st, &id));
    assert_ok(hpt_study_tell(st, id, 0.0));
    assert_status(hpt_study_ask(st, &id), HPT_DONE);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* The queue is journaled: a reopened study asks what was still queued, and
 * replaying the asks that came from the queue matches. */
static void journal_keeps_queue(void **state)
{
    (void)state;
    const char *path = tmp("enqueue.journal");
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    assert_ok(hpt_study_open(path, sp, "bayes", HPT_MINIMIZE, 3, &st));
    double a[3] = {1e-3, 2, 0}, b[3] = {NAN, 4, NAN}, c[3] = {0.05, 1, 2}, x[3];
    assert_ok(hpt_study_enqueue(st, a, 3));
    assert_ok(hpt_study_enqueue(st, b, 3));
    assert_ok(hpt_study_enqueue(st, c, 3));
    int64_t id = ask_ok(st, x);
    assert_memory_equal(x, a, sizeof x);
    assert_ok(hpt_study_tell(st, id, 1.0));
    id = ask_ok(st, x);
    assert_true(x[1] == 4);
    double second[3];
    memcpy(second, x, sizeof x);
    hpt_study_destroy(st); /* trial 1 still running, c still queued */

    assert_ok(hpt_study_open(path, sp, "bayes", HPT_MINIMIZE, 3, &st));
    assert_ok(hpt_trial_params(st, 1, x, 3));
    assert_memory_equal(x, second, sizeof x);
    assert_ok(hpt_study_tell(st, 1, 2.0));
    id = ask_ok(st, x);
    assert_int_equal(id, 2);
    assert_memory_equal(x, c, sizeof x);
    assert_ok(hpt_study_tell(st, id, 3.0));
    hpt_study_destroy(st);

    assert_ok(hpt_study_load(path, &st));
    int64_t n;
    assert_ok(hpt_study_trial_count(st, &n));
    assert_int_equal(n, 3);
    hpt_study_destroy(st);
    char *text = tu_slurp(path, NULL);
    assert_non_null(strstr(text, "\nenqueue nan 4 nan "));
    free(text);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fifo_order),
        cmocka_unit_test(grid_keeps_its_points),
        cmocka_unit_test(partial_fixing_every_strategy),
        cmocka_unit_test(validation),
        cmocka_unit_test(max_trials_still_applies),
        cmocka_unit_test(journal_keeps_queue),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
