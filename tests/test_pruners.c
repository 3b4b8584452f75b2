/* test_pruners.c -- early stopping: pruner "median" against hand-made
 * curves (best and running-average summaries, warm-up, interval, maximize,
 * mismatched steps, which trials count) and pruner "asha" (hand-made rungs,
 * and a randomized run checked against a direct reading of the rule). */
#include <math.h>

#include "testutil.h"

static hpt_study *pstudy(const char *pruner, int32_t direction)
{
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_study_create(sp, "random", direction, 1, &st));
    hpt_space_destroy(sp);
    assert_ok(hpt_study_set_str(st, "pruner", pruner));
    return st;
}

static int64_t ask(hpt_study *st)
{
    int64_t id;
    assert_ok(hpt_study_ask(st, &id));
    return id;
}

static int report(hpt_study *st, int64_t id, double step, double value)
{
    int32_t stop = -1;
    assert_ok(hpt_study_report(st, id, step, value, &stop));
    assert_true(stop == 0 || stop == 1);
    return stop;
}

/* A complete trial with the curve v[0..n-1] at steps 1..n. */
static int64_t complete(hpt_study *st, const double *v, int n)
{
    int64_t id = ask(st);
    for (int i = 0; i < n; i++)
        report(st, id, i + 1, v[i]);
    assert_ok(hpt_study_tell(st, id, v[n - 1]));
    return id;
}

static const double A[] = {10, 8, 6, 4}, B[] = {9, 7, 5, 3}, C[] = {12, 11, 10, 9};

/* ---- median ----------------------------------------------------------------- */

static void median_hand_curves(void **state)
{
    (void)state;
    hpt_study *st = pstudy("median", HPT_MINIMIZE);
    assert_ok(hpt_study_set(st, "pruner.warmup_trials", 3));
    complete(st, A, 4);
    complete(st, B, 4);
    int64_t x = ask(st);
    assert_int_equal(report(st, x, 1, 100), 0); /* 2 complete < 3: warm-up */
    complete(st, C, 4);
    /* Step 2: bests so far A 8, B 7, C 11 -> median 8. */
    assert_int_equal(report(st, x, 2, 100), 1);
    assert_ok(hpt_study_prune(st, x));
    int32_t s;
    assert_ok(hpt_trial_state(st, x, &s));
    assert_int_equal(s, HPT_TRIAL_PRUNED);

    /* Step 1: A 10, B 9, C 12 -> median 10; the pruned trial (100) does not
     * count (with it the median would be 11). */
    int64_t y = ask(st);
    assert_int_equal(report(st, y, 1, 10.5), 1);
    int64_t e = ask(st);
    assert_int_equal(report(st, e, 1, 10), 0);  /* equal is not worse */
    assert_int_equal(report(st, e, 2, 8.5), 1); /* best 8.5 > 8 */
    hpt_study_destroy(st);
}

/* The same curves, one decision per line, with the medians worked out by
 * hand (bests so far, minimizing). */
static void median_hand_table(void **state)
{
    (void)state;
    static const struct {
        double step, value;
        int stop;
    } rows[] = {
        {1, 10.01, 1}, /* median(10, 9, 12) = 10 */
        {1, 9.99, 0},
        {2, 8.01, 1},  /* median(8, 7, 11) = 8 */
        {2, 7.99, 0},
        {3, 6.01, 1},  /* median(6, 5, 10) = 6 */
        {3, 5.99, 0},
        {4, 4.01, 1},  /* median(4, 3, 9) = 4 */
        {4, 3.99, 0},
        {9, 3.99, 0},  /* past the curves' end: their last bests, median 4 */
        {0.5, 0, 0},   /* before every curve: no trial contributes */
    };
    hpt_study *st = pstudy("median", HPT_MINIMIZE);
    assert_ok(hpt_study_set(st, "pruner.warmup_trials", 3));
    complete(st, A, 4);
    complete(st, B, 4);
    complete(st, C, 4);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int64_t id = ask(st); /* a fresh trial: its best is this value */
        int got = report(st, id, rows[i].step, rows[i].value);
        if (got != rows[i].stop)
            fail_msg("row %zu: step %g value %g: stop %d, want %d", i, rows[i].step,
                     rows[i].value, got, rows[i].stop);
        assert_ok(hpt_study_tell_failed(st, id, NULL)); /* failed: never counts */
    }
    hpt_study_destroy(st);
}

static void median_running_average(void **state)
{
    (void)state;
    hpt_study *st = pstudy("median", HPT_MINIMIZE);
    assert_ok(hpt_study_set(st, "pruner.warmup_trials", 3));
    assert_ok(hpt_study_set(st, "pruner.average", 1));
    complete(st, A, 4);
    complete(st, B, 4);
    complete(st, C, 4);
    /* Averages up to step 2: A 9, B 8, C 11.5 -> median 9. */
    int64_t z = ask(st);
    assert_int_equal(report(st, z, 1, 9.9), 0); /* averages at 1: 10, 9, 12 */
    assert_int_equal(report(st, z, 2, 8.5), 0); /* best-mode would stop (8.5 > 8) */
    int64_t w = ask(st);
    assert_int_equal(report(st, w, 2, 9.1), 1);
    hpt_study_destroy(st);
}

static void median_warmup_steps_and_interval(void **state)
{
    (void)state;
    hpt_study *st = pstudy("median", HPT_MINIMIZE);
    assert_ok(hpt_study_set(st, "pruner.warmup_trials", 3));
    assert_ok(hpt_study_set(st, "pruner.warmup_steps", 2));
    assert_ok(hpt_study_set(st, "pruner.interval", 2));
    complete(st, A, 4);
    complete(st, B, 4);
    complete(st, C, 4);
    int64_t id = ask(st);
    /* Step 1 is warm-up; past it, reports 1 and 3 (steps 2 and 4) are
     * judged, report 2 (step 3) is not. */
    assert_int_equal(report(st, id, 1, 100), 0);
    assert_int_equal(report(st, id, 2, 100), 1);
    assert_int_equal(report(st, id, 3, 100), 0);
    assert_int_equal(report(st, id, 4, 100), 1);
    double v;
    assert_ok(hpt_study_get(st, "pruner.interval", &v));
    assert_true(v == 2);
    hpt_study_destroy(st);
}

/* Maximizing: values are accuracies; worse means lower. Steps of the
 * completed trials (0.5, 1.5) differ from the judged trial's. */
static void median_maximize_and_steps(void **state)
{
    (void)state;
    hpt_study *st = pstudy("median", HPT_MAXIMIZE);
    assert_ok(hpt_study_set(st, "pruner.warmup_trials", 1));
    static const double acc[3][2] = {{0.5, 0.6}, {0.55, 0.65}, {0.4, 0.45}};
    for (int i = 0; i < 3; i++) {
        int64_t id = ask(st);
        report(st, id, 0.5, acc[i][0]);
        report(st, id, 1.5, acc[i][1]);
        assert_ok(hpt_study_tell(st, id, acc[i][1]));
    }
    int64_t a = ask(st), b = ask(st);
    /* At step 1 the curves are summarised by their step-0.5 values:
     * median(0.5, 0.55, 0.4) = 0.5. */
    assert_int_equal(report(st, a, 1, 0.45), 1);
    assert_int_equal(report(st, b, 1, 0.52), 0);
    /* At step 2: median(0.6, 0.65, 0.45) = 0.6; b's best is 0.58. */
    assert_int_equal(report(st, b, 2, 0.58), 1);
    hpt_study_destroy(st);
}

/* The median of n values for n = 1..40, odd and even, with ties: a probe
 * is stopped iff it is strictly above the median computed here by sorting. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void median_of_many(void **state)
{
    (void)state;
    uint64_t rs = 99;
    for (int n = 1; n <= 40; n++) {
        hpt_study *st = pstudy("median", HPT_MINIMIZE);
        assert_ok(hpt_study_set(st, "pruner.warmup_trials", 1));
        double v[40];
        for (int i = 0; i < n; i++) {
            rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
            v[i] = (double)((rs >> 33) % 7); /* many ties */
            complete(st, &v[i], 1);
        }
        qsort(v, (size_t)n, sizeof *v, cmp_double);
        double med = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
        static const double probes[] = {-1, 0, 0.5, 1, 2, 2.5, 3, 3.5, 4, 5, 6, 7};
        for (size_t p = 0; p < sizeof probes / sizeof probes[0]; p++) {
            int64_t id = ask(st);
            int got = report(st, id, 1, probes[p]);
            if (got != (probes[p] > med))
                fail_msg("n %d probe %g median %g: stop %d", n, probes[p], med, got);
            assert_ok(hpt_study_tell_failed(st, id, NULL));
        }
        hpt_study_destroy(st);
    }
}

/* Steps reported out of order: "reports at steps <= x" is not a prefix. */
static void median_unsorted_steps(void **state)
{
    (void)state;
    hpt_study *st = pstudy("median", HPT_MINIMIZE);
    assert_ok(hpt_study_set(st, "pruner.warmup_trials", 1));
    int64_t c = ask(st);
    report(st, c, 3, 1.0);
    report(st, c, 1, 5.0);
    report(st, c, 2, 4.0);
    assert_ok(hpt_study_tell(st, c, 1.0));
    /* At step 1.5 only the step-1 report (5.0) counts. */
    int64_t a = ask(st), b = ask(st);
    assert_int_equal(report(st, a, 1.5, 5.5), 1);
    assert_int_equal(report(st, b, 1.5, 4.9), 0);
    /* At step 2.5: best of 5.0 and 4.0. */
    assert_int_equal(report(st, b, 2.5, 4.5), 1);
    hpt_study_destroy(st);
}

/* ---- asha ----------------------------------------------------------------------- */

static void asha_hand_rungs(void **state)
{
    (void)state;
    hpt_study *st = pstudy("asha", HPT_MINIMIZE); /* rungs at 1, 3, 9 */
    static const double v[] = {5, 4, 6, 3, 7, 1};
    /* keep max(1, floor(m / 3)): m = 1..5 keep the best only, m = 6 the
     * best two. */
    static const int want[] = {0, 0, 1, 0, 1, 0};
    int64_t id[7];
    for (int i = 0; i < 6; i++) {
        id[i] = ask(st);
        assert_int_equal(report(st, id[i], 1, v[i]), want[i]);
        if (want[i])
            assert_ok(hpt_study_prune(st, id[i]));
    }
    /* Pruned trials stay in their rung: the 7th value 5.5 ranks 5th of 7,
     * keep 2. */
    id[6] = ask(st);
    assert_int_equal(report(st, id[6], 1, 5.5), 1);
    /* Between rungs nothing is judged, however bad. */
    assert_int_equal(report(st, id[1], 2, 50), 0);
    /* Rung 3: trial 1 arrives first (alone: goes on), trial 3 second with a
     * worse value (m = 2, keep 1: stops), trial 5 third with the best. */
    assert_int_equal(report(st, id[1], 3, 2.0), 0);
    assert_int_equal(report(st, id[3], 4, 2.5), 1); /* step 4 crosses rung 3 */
    assert_int_equal(report(st, id[5], 3, 0.5), 0);
    /* A report that jumps from step 1 to 10 crosses rungs 3 and 9 at once. */
    assert_int_equal(report(st, id[0], 10, 0.1), 0);
    int64_t late = ask(st);
    /* Rung 1: 8 values, keep 2, 0.2 is the best: passes. Rung 3: 2.0, 2.5,
     * 0.5, 0.1 then 0.2 -> second of five, keep 1: stops there. */
    assert_int_equal(report(st, late, 10, 0.2), 1);
    hpt_study_destroy(st);
}

/* A randomized interleaving of many trials, checked against the rule read
 * directly: at each rung, a trial is stopped iff its rank among the values
 * that reached the rung so far (itself included) is >= max(1, floor(m/eta)). */
static void asha_exact_rule(void **state)
{
    (void)state;
    enum { N = 60, STEPS = 30, MAXR = 8 };
    const double eta = 2, r0 = 2; /* rungs 2, 4, 8, 16 */
    hpt_study *st = pstudy("asha", HPT_MINIMIZE);
    assert_ok(hpt_study_set(st, "pruner.eta", eta));
    assert_ok(hpt_study_set(st, "pruner.min_resource", r0));
    double rv[MAXR][N];
    int64_t rid[MAXR][N];
    int rn[MAXR] = {0};
    int64_t ids[N];
    int step[N] = {0}, alive[N];
    uint64_t rs = 12345;
    for (int i = 0; i < N; i++) {
        ids[i] = ask(st);
        alive[i] = 1;
    }
    int stops = 0, left = N;
    while (left > 0) {
        rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
        int i = (int)((rs >> 33) % N);
        if (!alive[i])
            continue;
        step[i]++;
        double val = (double)((rs >> 13) % 1000) / 100.0 + 10.0 / step[i];
        /* The reference: rungs r0 * eta^k reached by this report. */
        int want = 0;
        for (int k = 0; k < MAXR; k++) {
            double r = r0 * pow(eta, k);
            if (r > step[i] || r <= step[i] - 1)
                continue; /* not reached now (steps go 1, 2, 3, ...) */
            rv[k][rn[k]] = val;
            rid[k][rn[k]++] = ids[i];
            int rank = 0;
            for (int j = 0; j < rn[k] - 1; j++)
                rank += rv[k][j] < val || (rv[k][j] == val && rid[k][j] < ids[i]);
            int keep = (int)floor(rn[k] / eta);
            want |= rank >= (keep < 1 ? 1 : keep);
        }
        int got = report(st, ids[i], step[i], val);
        if (got != want)
            fail_msg("trial %lld step %d value %g: stop %d, want %d", (long long)ids[i],
                     step[i], val, got, want);
        if (got) {
            stops++;
            assert_ok(hpt_study_prune(st, ids[i]));
        } else if (step[i] < STEPS)
            continue;
        else
            assert_ok(hpt_study_tell(st, ids[i], val));
        alive[i] = 0;
        left--;
    }
    assert_true(stops > N / 2); /* the rule did real work */
    hpt_study_destroy(st);
}

/* ---- both: which trials count, options ------------------------------------------ */

/* Running, complete, failed and pruned trials in one study. The median
 * rule reads complete trials only; ASHA's rungs hold everyone who got there. */
static void mixed_states(void **state)
{
    (void)state;
    for (int p = 0; p < 2; p++) {
        hpt_study *st = pstudy(p ? "asha" : "median", HPT_MINIMIZE);
        if (!p)
            assert_ok(hpt_study_set(st, "pruner.warmup_trials", 1));
        int64_t running = ask(st), failed = ask(st), pruned = ask(st);
        report(st, running, 1, 1);   /* best at rung 1 so far */
        report(st, failed, 1, 2);
        report(st, pruned, 1, 3);
        assert_ok(hpt_study_tell_failed(st, failed, "oom"));
        assert_ok(hpt_study_prune(st, pruned));
        double done[] = {8};
        complete(st, done, 1);
        /* median: only the complete trial counts (8): 7 goes on. asha:
         * values 1, 2, 3, 8 then 7 -> rank 3 of 5, keep 1: stops. */
        int64_t t = ask(st);
        assert_int_equal(report(st, t, 1, 7), p ? 1 : 0);
        /* Both stop a value worse than everything. */
        int64_t u = ask(st);
        assert_int_equal(report(st, u, 1, 9), 1);
        hpt_study_destroy(st);
    }
}

static void options(void **state)
{
    (void)state;
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &st));
    hpt_space_destroy(sp);
    assert_status(hpt_study_set(st, "pruner.eta", 3), HPT_E_NAME); /* no pruner yet */
    assert_status(hpt_study_set_str(st, "pruner", "nope"), HPT_E_NAME);
    assert_ok(hpt_study_set_str(st, "pruner", "asha"));
    assert_status(hpt_study_set(st, "pruner.eta", 1), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "pruner.min_resource", -1), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "pruner.warmup_trials", 1), HPT_E_NAME);
    assert_ok(hpt_study_set(st, "pruner.eta", 4));
    double v;
    assert_ok(hpt_study_get(st, "pruner.eta", &v));
    assert_true(v == 4);
    assert_ok(hpt_study_set_str(st, "pruner", "median"));
    assert_ok(hpt_study_get(st, "pruner.warmup_trials", &v));
    assert_true(v == 5);
    assert_status(hpt_study_set(st, "pruner.interval", 0), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "pruner.average", 0.5), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "pruner.eta", 3), HPT_E_NAME);
    assert_ok(hpt_study_set_str(st, "pruner", "none"));
    int64_t id = ask(st);
    assert_int_equal(report(st, id, 1, 1e9), 0);
    hpt_study_destroy(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(median_hand_curves),
        cmocka_unit_test(median_hand_table),
        cmocka_unit_test(median_running_average),
        cmocka_unit_test(median_warmup_steps_and_interval),
        cmocka_unit_test(median_maximize_and_steps),
        cmocka_unit_test(median_unsorted_steps),
        cmocka_unit_test(median_of_many),
        cmocka_unit_test(asha_hand_rungs),
        cmocka_unit_test(asha_exact_rule),
        cmocka_unit_test(mixed_states),
        cmocka_unit_test(options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
