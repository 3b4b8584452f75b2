/* test_bench_matrix.c -- every strategy this build has on every benchmark
 * function (bench/functions.c), one seed run twice, a short budget, through the
 * public API: proposals stay in the domain, the same seed gives the same
 * trials bit for bit, failed evaluations are recorded as failed, and
 * hpt_study_best agrees with the host's own bookkeeping (the lowest value
 * among the complete trials on the largest budget any complete trial
 * reached, ties to the earliest: for single-fidelity strategies every
 * budget is 0, so simply the lowest value). A failure names
 * strategy, function, seed and step. New strategies are covered as soon as
 * they are in the registry. */
#include <math.h>

#include "functions.h"
#include "testutil.h"

#define BUDGET 24
#define MAXD 16

static hpt_space *function_space(int32_t f)
{
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    for (int32_t j = 0; j < hptb_function_dim(f); j++) {
        int32_t type, lg;
        double lo, hi;
        assert_int_equal(hptb_function_param(f, j, &type, &lg, &lo, &hi), HPTB_OK);
        const char *name = hptb_function_param_name(f, j);
        int32_t scale = lg ? HPT_SCALE_LOG : HPT_SCALE_LINEAR;
        if (type == HPTB_FLOAT) {
            assert_ok(hpt_space_add_float(sp, name, lo, hi, scale));
        } else if (type == HPTB_INT) {
            assert_ok(hpt_space_add_int(sp, name, (int64_t)lo, (int64_t)hi, scale));
        } else {
            const char *ch[8];
            size_t n = (size_t)hi + 1;
            for (size_t k = 0; k < n; k++)
                ch[k] = hptb_function_choice_name(f, j, (int32_t)k);
            assert_ok(hpt_space_add_categorical(sp, name, ch, n));
        }
    }
    return sp;
}

/* Run one study; store the proposed points (BUDGET x dim) in xs. @return
 * the number of evaluations. */
static size_t run(const char *strategy, int32_t f, uint64_t seed, double *xs)
{
    const char *fname = hptb_function_name(f);
    size_t dim = (size_t)hptb_function_dim(f);
    hpt_space *sp = function_space(f);
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, strategy, HPT_MINIMIZE, seed, &st));
    hpt_space_destroy(sp);
    assert_ok(hpt_study_set(st, "max_trials", BUDGET));
    double best = INFINITY, best_budget = -INFINITY;
    int64_t best_id = -1;
    size_t n = 0;
    for (size_t step = 0; step < BUDGET; step++) {
        int64_t id;
        int rc = hpt_study_ask(st, &id);
        if (rc == HPT_DONE)
            break;
        if (rc != HPT_OK)
            fail_msg("%s on %s seed %llu step %zu: ask returned %d: %s", strategy, fname,
                     (unsigned long long)seed, step, rc, hpt_study_errmsg(st));
        double *x = &xs[step * dim], y;
        assert_ok(hpt_trial_params(st, id, x, dim));
        int32_t ev = hptb_function_eval_noisy(f, x, seed * 1000003u + step, &y);
        if (ev == HPTB_E_INVALID)
            fail_msg("%s on %s seed %llu step %zu: point outside the domain", strategy, fname,
                     (unsigned long long)seed, step);
        int32_t state;
        if (ev == HPTB_FAILED) {
            assert_ok(hpt_study_tell_failed(st, id, "failure region"));
            assert_ok(hpt_trial_state(st, id, &state));
            assert_int_equal(state, HPT_TRIAL_FAILED);
        } else {
            assert_ok(hpt_study_tell(st, id, y));
            assert_ok(hpt_trial_state(st, id, &state));
            assert_int_equal(state, HPT_TRIAL_COMPLETE);
            double budget;
            assert_ok(hpt_trial_budget(st, id, &budget, NULL));
            if (budget > best_budget || (budget == best_budget && y < best)) {
                best = y;
                best_id = id;
                best_budget = budget;
            }
        }
        n++;
    }
    if (best_id >= 0) {
        int64_t id;
        double v;
        assert_ok(hpt_study_best(st, &id, &v));
        if (id != best_id || v != best)
            fail_msg("%s on %s seed %llu: best is trial %lld (%g), host saw %lld (%g)",
                     strategy, fname, (unsigned long long)seed, (long long)id, v,
                     (long long)best_id, best);
    }
    hpt_study_destroy(st);
    return n;
}

static void test_matrix(void **state)
{
    (void)state;
    static double a[BUDGET * MAXD], b[BUDGET * MAXD];
    const char *strategy;
    for (size_t s = 0; hpt_strategy_name(s, &strategy) == HPT_OK; s++)
        for (int32_t f = 0; f < hptb_function_count(); f++)
            for (uint64_t seed = 1; seed <= 1; seed++) {
                size_t dim = (size_t)hptb_function_dim(f);
                size_t na = run(strategy, f, seed, a);
                size_t nb = run(strategy, f, seed, b);
                if (na != nb || memcmp(a, b, na * dim * sizeof *a) != 0)
                    fail_msg("%s on %s seed %llu: the same seed gave other trials", strategy,
                             hptb_function_name(f), (unsigned long long)seed);
                if (na == 0)
                    fail_msg("%s on %s seed %llu: no trial at all", strategy,
                             hptb_function_name(f), (unsigned long long)seed);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
