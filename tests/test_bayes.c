/* test_bayes.c -- strategy "bayes" through the public API: options,
 * pending trials, determinism, failures, discrete spaces, constant and
 * noisy objectives, warm-start observations, and a Branin run against
 * random search. */
#include <math.h>

#include "testutil.h"

#include "bayes.h"
#include "study.h"

static double branin(const double *x)
{
    double b = 5.1 / (4 * M_PI * M_PI), c = 5 / M_PI, t = 1 / (8 * M_PI);
    double x1 = x[0], x2 = x[1];
    return pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * cos(x1) + 10;
}

static hpt_study *make_study(const char *strategy, uint64_t seed, int branin_space)
{
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    assert_ok(hpt_space_create(&sp));
    if (branin_space) {
        assert_ok(hpt_space_add_float(sp, "x1", -5, 10, HPT_SCALE_LINEAR));
        assert_ok(hpt_space_add_float(sp, "x2", 0, 15, HPT_SCALE_LINEAR));
    } else {
        assert_ok(hpt_space_add_float(sp, "a", 0, 1, HPT_SCALE_LINEAR));
        assert_ok(hpt_space_add_float(sp, "b", 0, 1, HPT_SCALE_LINEAR));
    }
    assert_ok(hpt_study_create(sp, strategy, HPT_MINIMIZE, seed, &st));
    hpt_space_destroy(sp);
    return st;
}

static double bowl(const double *x) { return pow(x[0] - 0.3, 2) + pow(x[1] - 0.4, 2); }

static void test_options(void **state)
{
    (void)state;
    hpt_study *st = make_study("bayes", 1, 0);
    double v;
    assert_ok(hpt_study_get(st, "bayes.candidates", &v));
    assert_true(v == 1024);
    assert_ok(hpt_study_get(st, "bayes.initial_trials", &v));
    assert_true(v == 0);
    assert_ok(hpt_study_get(st, "bayes.refit_every", &v));
    assert_true(v == 0);
    assert_status(hpt_study_set(st, "bayes.candidates", 8), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "bayes.candidates", 100.5), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "bayes.nope", 1), HPT_E_NAME);
    assert_ok(hpt_study_set(st, "bayes.candidates", 256));
    assert_ok(hpt_study_set(st, "bayes.initial_trials", 4));
    assert_ok(hpt_study_set(st, "bayes.refit_every", 3));
    assert_ok(hpt_study_set(st, "bayes.blas_threads", 1));
    int64_t id;
    assert_ok(hpt_study_ask(st, &id));
    assert_status(hpt_study_set(st, "bayes.candidates", 512), HPT_E_STAGE);
    hpt_study_destroy(st);
}

/* Run n trials of f, telling each before the next ask. */
static void run(hpt_study *st, int n, double (*f)(const double *))
{
    int64_t id;
    double x[2];
    for (int i = 0; i < n; i++) {
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, 2));
        assert_ok(hpt_study_tell(st, id, f(x)));
    }
}

/* k asks without tells give k distinct, spread-out points (while the model
 * is still uncertain: kriging believer shrinks the variance only where the
 * model is unsure), and the same event sequence gives the same points bit
 * for bit. */
static void test_pending_distinct(void **state)
{
    (void)state;
    enum { K = 6 };
    double pts[2][K][2];
    for (int rep = 0; rep < 2; rep++) {
        hpt_study *st = make_study("bayes", 11, 0);
        run(st, 8, bowl);
        int64_t id;
        for (int k = 0; k < K; k++) {
            assert_ok(hpt_study_ask(st, &id));
            assert_ok(hpt_trial_params(st, id, pts[rep][k], 2));
        }
        hpt_study_destroy(st);
    }
    for (int a = 0; a < K; a++) {
        assert_memory_equal(pts[0][a], pts[1][a], sizeof pts[0][a]);
        for (int b = 0; b < a; b++) {
            double d = hypot(pts[0][a][0] - pts[0][b][0], pts[0][a][1] - pts[0][b][1]);
            if (!(d > 1e-2))
                fail_msg("pending asks %d and %d are %g apart", a, b, d);
        }
    }
}

/* Failures for a > 0.6 (40% of the square), optimum at (0.3, 0.4): after
 * the initial design, fewer than 20% of proposals land in the region, over
 * seeds 0-4 together (one seed alone ranges from 0 to 10 of its 35: how
 * far a run explores before it settles varies). */
static void test_failure_region(void **state)
{
    (void)state;
    int n_init = 5, in_region = 0, total = 0;
    for (uint64_t seed = 0; seed < 5; seed++) {
        hpt_study *st = make_study("bayes", seed, 0);
        int64_t id;
        double x[2];
        for (int i = 0; i < 40; i++) {
            assert_ok(hpt_study_ask(st, &id));
            assert_ok(hpt_trial_params(st, id, x, 2));
            if (x[0] > 0.6) {
                if (i >= n_init) /* a = 0.6 exactly is feasible */
                    in_region++;
                assert_ok(hpt_study_tell_failed(st, id, "out of memory"));
            } else
                assert_ok(hpt_study_tell(st, id, bowl(x)));
            total += i >= n_init;
        }
        double best;
        assert_ok(hpt_study_best(st, NULL, &best));
        if (!(best < 1e-2))
            fail_msg("seed %d: best %g", (int)seed, best);
        hpt_study_destroy(st);
    }
    if (!(in_region * 5 < total))
        fail_msg("%d of %d proposals after the initial design failed", in_region, total);
}

/* Failures must keep steering: the unexplored part of a failure region
 * keeps a high expected improvement (failed trials tell the objective's
 * model nothing), so the feasibility model has to make repeated failures
 * there ever less likely. With a floor on p(x), seeds 0 and 13 stopped
 * at the same failing point for 80 trials (regret 1.55). */
static void test_failure_no_stall(void **state)
{
    (void)state;
    const uint64_t seeds[] = {0, 13, 1, 2};
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        hpt_study *st = make_study("bayes", seeds[k], 1);
        int64_t id;
        double x[2];
        int failed = 0, run = 0, longest = 0;
        for (int i = 0; i < 60; i++) {
            assert_ok(hpt_study_ask(st, &id));
            assert_ok(hpt_trial_params(st, id, x, 2));
            if (x[0] > 0.0 && x[1] > 7.5) {
                assert_ok(hpt_study_tell_failed(st, id, "out of memory"));
                failed++;
                run++;
                longest = run > longest ? run : longest;
            } else {
                assert_ok(hpt_study_tell(st, id, branin(x)));
                run = 0;
            }
        }
        double best;
        assert_ok(hpt_study_best(st, NULL, &best));
        if (!(longest < 20 && failed < 30 && best - 0.397887 < 0.05))
            fail_msg("seed %d: %d of 60 failed, %d in a row, regret %g", (int)seeds[k], failed,
                     longest, best - 0.397887);
        hpt_study_destroy(st);
    }
}

static double run_best(const char *strategy, uint64_t seed, int n)
{
    hpt_study *st = make_study(strategy, seed, 1);
    run(st, n, branin);
    double best;
    assert_ok(hpt_study_best(st, NULL, &best));
    hpt_study_destroy(st);
    return best;
}

static void test_branin_beats_random(void **state)
{
    (void)state;
    double b = run_best("bayes", 42, 30), r = run_best("random", 42, 30);
    if (!(b < r))
        fail_msg("bayes %g, random %g after 30 evaluations", b, r);
    /* and it is close to the optimum 0.397887 */
    assert_true(b - 0.397887 < 0.05);
}

static double constant(const double *x)
{
    (void)x;
    return 3.0;
}

/* A constant objective: no failure, no repeated configuration. */
static void test_constant_objective(void **state)
{
    (void)state;
    hpt_study *st = make_study("bayes", 5, 0);
    run(st, 25, constant);
    double a[2], b[2];
    for (int64_t i = 0; i < 25; i++)
        for (int64_t j = 0; j < i; j++) {
            assert_ok(hpt_trial_params(st, i, a, 2));
            assert_ok(hpt_trial_params(st, j, b, 2));
            assert_false(a[0] == b[0] && a[1] == b[1]);
        }
    hpt_study_destroy(st);
}

/* 3 integers x 2 choices: six distinct configurations, then HPT_DONE. */
static void test_discrete_exhausted(void **state)
{
    (void)state;
    static const char *const ch[] = {"x", "y"};
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_int(sp, "n", 1, 3, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(sp, "c", ch, 2));
    assert_ok(hpt_study_create(sp, "bayes", HPT_MINIMIZE, 9, &st));
    hpt_space_destroy(sp);
    int seen[3][2] = {{0}};
    int64_t id;
    double x[2];
    for (int i = 0; i < 6; i++) {
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, 2));
        int n = (int)x[0] - 1, c = (int)x[1];
        assert_int_equal(seen[n][c], 0);
        seen[n][c] = 1;
        assert_ok(hpt_study_tell(st, id, x[0] + 0.5 * x[1]));
    }
    assert_status(hpt_study_ask(st, &id), HPT_DONE);
    hpt_study_destroy(st);
}

/* Mixed space, noisy objective, some failures, parallel asks: every call
 * succeeds and every proposal is a valid configuration. */
static void test_mixed_noisy(void **state)
{
    (void)state;
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "bayes", HPT_MAXIMIZE, 4, &st));
    hpt_space_destroy(sp);
    hpti_rng r;
    hpti_rng_seed(&r, 1, 0);
    int64_t ids[3];
    double x[3];
    for (int round = 0; round < 10; round++) {
        for (int k = 0; k < 3; k++)
            assert_ok(hpt_study_ask(st, &ids[k]));
        for (int k = 0; k < 3; k++) {
            assert_ok(hpt_trial_params(st, ids[k], x, 3));
            assert_true(x[0] >= 1e-5 && x[0] <= 1e-1);
            assert_true(x[1] >= 1 && x[1] <= 4 && x[1] == floor(x[1]));
            assert_true(x[2] >= 0 && x[2] <= 2 && x[2] == floor(x[2]));
            if (x[1] == 4 && x[2] == 2)
                assert_ok(hpt_study_tell_failed(st, ids[k], "crash"));
            else
                assert_ok(hpt_study_tell(st, ids[k],
                                         -pow(log10(x[0]) + 3, 2) - x[1] + x[2] +
                                             0.3 * hpti_rng_normal(&r)));
        }
    }
    hpt_study_destroy(st);
}

static double huge_bowl(const double *x) { return 1e300 * (bowl(x) - 0.05); }
static double tiny_bowl(const double *x) { return 1e-300 * bowl(x); }

/* Values near the ends of the double range: no failure, and the model
 * still finds the bowl. */
static void test_extreme_values(void **state)
{
    (void)state;
    double (*fs[2])(const double *) = {huge_bowl, tiny_bowl};
    for (int k = 0; k < 2; k++) {
        hpt_study *st = make_study("bayes", 12, 0);
        run(st, 20, fs[k]);
        int64_t id;
        double x[2];
        assert_ok(hpt_study_best(st, &id, NULL));
        assert_ok(hpt_trial_params(st, id, x, 2));
        if (!(bowl(x) < 0.01))
            fail_msg("function %d: best at (%g, %g)", k, x[0], x[1]);
        hpt_study_destroy(st);
    }
}

/* Pruned trials count with their last report; a trial pruned without
 * reports is a failure. Nothing breaks and proposals stay distinct. */
static void test_pruned(void **state)
{
    (void)state;
    hpt_study *st = make_study("bayes", 6, 0);
    int64_t id;
    double x[2];
    for (int i = 0; i < 20; i++) {
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, 2));
        if (i % 3 == 1) {
            assert_ok(hpt_study_report(st, id, 1.0, bowl(x) + 1.0, NULL));
            assert_ok(hpt_study_prune(st, id));
        } else if (i % 7 == 3)
            assert_ok(hpt_study_prune(st, id)); /* no report: failed */
        else
            assert_ok(hpt_study_tell(st, id, bowl(x)));
    }
    int32_t state2;
    assert_ok(hpt_trial_state(st, 3, &state2));
    assert_int_equal(state2, HPT_TRIAL_FAILED);
    double best;
    assert_ok(hpt_study_best(st, NULL, &best));
    /* The pruned values (+1) mislead the model on purpose, so this only
     * checks that nothing breaks: over seeds 0-19 the median best is 0.03
     * to 0.04 here, and this seed sits in the upper half. */
    if (!(best < 0.1))
        fail_msg("best %g after 20 trials", best);
    hpt_study_destroy(st);
}

/* Warm-start observations replace the initial design: the first ask is
 * already a model proposal near the observed optimum. */
static void test_warm_start(void **state)
{
    (void)state;
    hpt_study *st = make_study("bayes", 8, 0);
    size_t n = 12;
    hpti_rng r;
    hpti_rng_seed(&r, 2, 0);
    for (size_t i = 0; i < n; i++) {
        double u[2];
        u[0] = hpti_rng_uniform(&r);
        u[1] = hpti_rng_uniform(&r);
        assert_ok(hpti_history_add_prior(&st->hist, u, pow(u[0] - 0.7, 2) + pow(u[1] - 0.7, 2)));
    }
    int64_t id;
    double x[2];
    assert_ok(hpt_study_ask(st, &id));
    assert_ok(hpt_trial_params(st, id, x, 2));
    double d = hypot(x[0] - 0.7, x[1] - 0.7);
    if (!(d < 0.3))
        fail_msg("first ask (%g, %g) is %g from the optimum", x[0], x[1], d);
    hpt_study_destroy(st);
}

/* The output transform: heavy tails are warped, ranks kept, result
 * standardized; a constant objective gives zeros. */
static void test_transform(void **state)
{
    (void)state;
    enum { N = 60 };
    double loss[N], y[N], scratch[N];
    hpti_rng r;
    hpti_rng_seed(&r, 4, 0);
    for (int i = 0; i < N; i++) /* Rosenbrock-like: a few huge values */
        loss[i] = exp(8.0 * hpti_rng_uniform(&r)) + (i == 7 ? 1e7 : 0.0);
    hpti_bayes_transform(loss, N, y, scratch);
    double m = 0, v = 0, m3 = 0;
    for (int i = 0; i < N; i++)
        m += y[i] / N;
    for (int i = 0; i < N; i++) {
        v += (y[i] - m) * (y[i] - m) / N;
        m3 += pow(y[i] - m, 3) / N;
        for (int j = 0; j < N; j++)
            if (loss[i] < loss[j])
                assert_true(y[i] < y[j]);
    }
    assert_true(fabs(m) < 1e-12 && fabs(v - 1.0) < 1e-12);
    /* the raw losses' skewness is about 7; the bound on the warp's slope
     * at the minimum (bayes.h, issue 18) leaves about 1 here, with the 1e7
     * outlier still far out */
    assert_true(fabs(m3) < 1.5);
    for (int i = 0; i < N; i++)
        loss[i] = 2.5;
    hpti_bayes_transform(loss, N, y, scratch);
    for (int i = 0; i < N; i++)
        assert_true(y[i] == 0.0);
}

/* Importance from the fitted ARD lengthscales: none before the model is
 * fitted; then a parameter the objective varies fast along outranks one
 * it varies slowly along, which outranks an ignored one; a fixed
 * parameter gets 0, a categorical gets a share (its own lengthscale). */
static double ranked(const double *x)
{
    return 8 * pow(x[0] - 0.3, 2) + sin(3 * x[1]) + (x[4] == 1 ? 1.0 : 0.0);
}

static void test_importance(void **state)
{
    (void)state;
    static const char *const ch[] = {"a", "b", "c"};
    hpt_space *sp;
    hpt_study *st;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "fast", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "slow", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "ignored", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "fixed", 2, 2, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(sp, "cat", ch, 3));
    assert_ok(hpt_study_create(sp, "bayes", HPT_MINIMIZE, 11, &st));
    hpt_space_destroy(sp);
    double w[5], x[5];
    assert_status(hpt_study_importance_lengthscale(st, w, 5), HPT_E_NOMODEL);
    assert_status(hpt_study_importance_lengthscale(st, w, 4), HPT_E_INVALID);
    int64_t id;
    for (int k = 0; k < 40; k++) {
        if (k == 3)
            assert_status(hpt_study_importance_lengthscale(st, w, 5), HPT_E_NOMODEL); /* design */
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, 5));
        assert_ok(hpt_study_tell(st, id, ranked(x)));
    }
    assert_ok(hpt_study_importance_lengthscale(st, w, 5));
    print_message("importance: fast %.3f slow %.3f ignored %.3f fixed %.3f cat %.3f\n", w[0],
                  w[1], w[2], w[3], w[4]);
    double sum = 0;
    for (int j = 0; j < 5; j++) {
        assert_true(w[j] >= 0);
        sum += w[j];
    }
    assert_true(fabs(sum - 1) < 1e-12);
    assert_true(w[0] > w[1] && w[1] > w[2]);
    assert_true(w[3] == 0);
    assert_true(w[4] > 0); /* categoricals have a lengthscale too */
    hpt_study_destroy(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_pending_distinct),
        cmocka_unit_test(test_failure_region),
        cmocka_unit_test(test_failure_no_stall),
        cmocka_unit_test(test_branin_beats_random),
        cmocka_unit_test(test_constant_objective),
        cmocka_unit_test(test_discrete_exhausted),
        cmocka_unit_test(test_mixed_noisy),
        cmocka_unit_test(test_pruned),
        cmocka_unit_test(test_extreme_values),
        cmocka_unit_test(test_warm_start),
        cmocka_unit_test(test_transform),
        cmocka_unit_test(test_importance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
