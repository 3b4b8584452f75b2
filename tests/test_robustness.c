/* test_robustness.c -- numerical corner cases, for every strategy in the
 * registry: constant objectives, objective scales from 1e-12 to 1e12,
 * duplicated configurations, a 50-D space, thousands of categorical trials,
 * studies where every trial fails. Nothing may fail, abort or repeat where
 * the strategy promises distinct configurations; the model-based strategy
 * must still find the optimum at every scale. On failure the message names
 * the strategy, the case and the step. */
#include <math.h>

#include "testutil.h"

static double bowl(const double *x, size_t d)
{
    double s = 0;
    for (size_t i = 0; i < d; i++)
        s += (x[i] - 0.3) * (x[i] - 0.3);
    return s;
}

static hpt_study *floats(const char *strategy, size_t d, uint64_t seed)
{
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    char name[16];
    assert_ok(hpt_space_create(&sp));
    for (size_t i = 0; i < d; i++) {
        snprintf(name, sizeof name, "x%zu", i);
        assert_ok(hpt_space_add_float(sp, name, 0, 1, HPT_SCALE_LINEAR));
    }
    assert_ok(hpt_study_create(sp, strategy, HPT_MINIMIZE, seed, &st));
    hpt_space_destroy(sp);
    if (strcmp(strategy, "hyperband") == 0) /* every trial a full-budget one */
        assert_ok(hpt_study_set(st, "hyperband.max_resource", 1));
    return st;
}

/* Ask/tell n trials of f scaled by `scale` (+ offset); HPT_DONE ends early.
 * Returns the number of trials run. */
static int run(hpt_study *st, const char *strategy, const char *what, int n, size_t d,
               double scale, double offset, int constant)
{
    double x[64];
    int k;
    for (k = 0; k < n; k++) {
        int64_t id;
        int rc = hpt_study_ask(st, &id);
        if (rc == HPT_DONE)
            break;
        if (rc != HPT_OK)
            fail_msg("%s, %s, step %d: ask returned %d: %s", strategy, what, k, rc,
                     hpt_study_errmsg(st));
        assert_ok(hpt_trial_params(st, id, x, d));
        double v = constant ? offset : offset + scale * bowl(x, d);
        rc = hpt_study_tell(st, id, v);
        if (rc != HPT_OK)
            fail_msg("%s, %s, step %d: tell returned %d: %s", strategy, what, k, rc,
                     hpt_study_errmsg(st));
    }
    return k;
}

static const char *strategy_at(size_t i)
{
    const char *name;
    return hpt_strategy_name(i, &name) == HPT_OK ? name : NULL;
}

static void constant_objective(void **state)
{
    (void)state;
    for (size_t i = 0; strategy_at(i); i++) {
        hpt_study *st = floats(strategy_at(i), 3, 1);
        int n = run(st, strategy_at(i), "constant", 40, 3, 0, 0.5, 1);
        assert_true(n >= 40 || strcmp(strategy_at(i), "grid") == 0);
        int64_t best;
        assert_ok(hpt_study_best(st, &best, NULL));
        assert_int_equal(best, 0); /* ties go to the earliest trial */
        hpt_study_destroy(st);
    }
}

static void objective_scales(void **state)
{
    (void)state;
    const double scales[] = {1e-12, 1e-6, 1.0, 1e6, 1e12};
    for (size_t i = 0; strategy_at(i); i++)
        for (size_t k = 0; k < 5; k++) {
            char what[64];
            snprintf(what, sizeof what, "scale %g, offset %g", scales[k], 3 * scales[k]);
            hpt_study *st = floats(strategy_at(i), 2, 3);
            run(st, strategy_at(i), what, 35, 2, scales[k], 3 * scales[k], 0);
            int64_t best;
            double x[2];
            assert_ok(hpt_study_best(st, &best, NULL));
            assert_ok(hpt_trial_params(st, best, x, 2));
            /* the model is invariant to the objective's scale */
            if (strcmp(strategy_at(i), "bayes") == 0 && !(bowl(x, 2) < 1e-3))
                fail_msg("bayes, %s: best at (%g, %g)", what, x[0], x[1]);
            hpt_study_destroy(st);
        }
}

/* A small discrete space asked far past its size: random strategies
 * repeat configurations, the model-based one must not until it is
 * exhausted, and then says HPT_DONE. */
static void duplicated_points(void **state)
{
    (void)state;
    static const char *const ab[] = {"a", "b"};
    for (size_t i = 0; strategy_at(i); i++) {
        hpt_space *sp = NULL;
        hpt_study *st = NULL;
        assert_ok(hpt_space_create(&sp));
        assert_ok(hpt_space_add_int(sp, "n", 1, 3, HPT_SCALE_LINEAR));
        assert_ok(hpt_space_add_categorical(sp, "c", ab, 2));
        assert_ok(hpt_study_create(sp, strategy_at(i), HPT_MINIMIZE, 5, &st));
        hpt_space_destroy(sp);
        if (strcmp(strategy_at(i), "hyperband") == 0)
            assert_ok(hpt_study_set(st, "hyperband.max_resource", 1));
        int seen[4][2] = {{0}}, n = 0;
        for (int k = 0; k < 30; k++) {
            int64_t id;
            double x[2];
            int rc = hpt_study_ask(st, &id);
            if (rc == HPT_DONE)
                break;
            if (rc != HPT_OK)
                fail_msg("%s, duplicates, step %d: %s", strategy_at(i), k,
                         hpt_study_errmsg(st));
            assert_ok(hpt_trial_params(st, id, x, 2));
            seen[(int)x[0]][(int)x[1]]++;
            assert_ok(hpt_study_tell(st, id, x[0] + x[1]));
            n++;
        }
        if (strcmp(strategy_at(i), "bayes") == 0 || strcmp(strategy_at(i), "grid") == 0) {
            assert_int_equal(n, 6);
            for (int a = 1; a <= 3; a++)
                for (int b = 0; b < 2; b++)
                    assert_int_equal(seen[a][b], 1);
        } else
            assert_int_equal(n, 30);
        hpt_study_destroy(st);
    }
}

static void fifty_dimensions(void **state)
{
    (void)state;
    for (size_t i = 0; strategy_at(i); i++) {
        hpt_study *st = floats(strategy_at(i), 50, 7);
        if (strcmp(strategy_at(i), "grid") == 0)
            assert_ok(hpt_study_set(st, "grid.points", 2)); /* 2^50 configurations */
        int n = run(st, strategy_at(i), "50-D", 45, 50, 1.0, 0.0, 0);
        assert_int_equal(n, 45);
        hpt_study_destroy(st);
    }
}

static void thousands_of_categorical_trials(void **state)
{
    (void)state;
    static const char *names[200];
    static char buf[200][8];
    for (int j = 0; j < 200; j++) {
        snprintf(buf[j], sizeof buf[j], "c%d", j);
        names[j] = buf[j];
    }
    const char *strategies[] = {"random", "sobol", "hyperband", "grid"};
    for (size_t s = 0; s < 4; s++) {
        hpt_space *sp = NULL;
        hpt_study *st = NULL;
        assert_ok(hpt_space_create(&sp));
        assert_ok(hpt_space_add_categorical(sp, "a", names, 200));
        assert_ok(hpt_space_add_categorical(sp, "b", names, 20));
        assert_ok(hpt_study_create(sp, strategies[s], HPT_MINIMIZE, 9, &st));
        hpt_space_destroy(sp);
        if (strcmp(strategies[s], "hyperband") == 0)
            assert_ok(hpt_study_set(st, "hyperband.max_resource", 1));
        /* Hyperband's model sampler is a GP over every configuration, whose
         * ask grows with their number (15 ms at 4000 here): a thousand
         * trials, with the bound below scaled to them. */
        int n_trials = strcmp(strategies[s], "hyperband") == 0 ? 1000 : 4000;
        static int count[200];
        memset(count, 0, sizeof count);
        for (int k = 0; k < n_trials; k++) {
            int64_t id;
            double x[2];
            assert_ok(hpt_study_ask(st, &id));
            assert_ok(hpt_trial_params(st, id, x, 2));
            assert_true(x[0] >= 0 && x[0] < 200 && x[1] >= 0 && x[1] < 20);
            count[(int)x[0]]++;
            assert_ok(hpt_study_tell(st, id, x[0] * 0.01 + x[1]));
        }
        /* every choice of "a" was drawn, none hugely over-represented
         * (3 times the mean of n_trials / 200) */
        for (int j = 0; j < 200; j++)
            if (count[j] == 0 || count[j] > 3 * n_trials / 200)
                fail_msg("%s: choice %d drawn %d times in %d", strategies[s], j, count[j],
                         n_trials);
        hpt_study_destroy(st);
    }
    /* the model on a purely categorical space of 120 configurations: all
     * distinct until exhausted, then HPT_DONE */
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_categorical(sp, "a", names, 40));
    assert_ok(hpt_space_add_categorical(sp, "b", names, 3));
    assert_ok(hpt_study_create(sp, "bayes", HPT_MINIMIZE, 9, &st));
    hpt_space_destroy(sp);
    static int seen[40][3];
    int k = 0;
    int64_t id;
    while (hpt_study_ask(st, &id) == HPT_OK) {
        double x[2];
        assert_ok(hpt_trial_params(st, id, x, 2));
        if (seen[(int)x[0]][(int)x[1]]++)
            fail_msg("bayes, categorical, step %d: (%g, %g) repeated", k, x[0], x[1]);
        assert_ok(hpt_study_tell(st, id, fabs(x[0] - 17) + x[1]));
        k++;
    }
    assert_int_equal(k, 120);
    hpt_study_destroy(st);
}

static void all_failed(void **state)
{
    (void)state;
    for (size_t i = 0; strategy_at(i); i++) {
        hpt_study *st = floats(strategy_at(i), 3, 11);
        for (int k = 0; k < 40; k++) {
            int64_t id;
            int rc = hpt_study_ask(st, &id);
            if (rc == HPT_DONE)
                break;
            if (rc != HPT_OK)
                fail_msg("%s, all failed, step %d: %s", strategy_at(i), k,
                         hpt_study_errmsg(st));
            assert_ok(hpt_study_tell_failed(st, id, "out of memory"));
        }
        assert_status(hpt_study_best(st, NULL, NULL), HPT_E_EMPTY);
        assert_ok(hpt_study_export_csv(st, "/dev/null"));
        hpt_study_destroy(st);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(constant_objective),
        cmocka_unit_test(objective_scales),
        cmocka_unit_test(duplicated_points),
        cmocka_unit_test(fifty_dimensions),
        cmocka_unit_test(thousands_of_categorical_trials),
        cmocka_unit_test(all_failed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
