/* test_bayes_discrete.c -- bayes on small discrete spaces: every
 * configuration is evaluated before HPT_DONE "exhausted" (sequential and
 * parallel asks, conditional spaces counted by active sets), none is asked
 * twice unless "bayes.repeats" allows it, and that option's limit and
 * exhaustion rule. */
#include <math.h>
#include <string.h>

#include "testutil.h"

#define NI 25
#define NC 4

static const char *const choices[NC] = {"a", "b", "c", "d"};

/* 25 integers x 4 choices = 100 configurations. */
static hpt_study *grid_study(uint64_t seed, double repeats)
{
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_int(sp, "n", 1, NI, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(sp, "c", choices, NC));
    assert_ok(hpt_study_create(sp, "bayes", HPT_MINIMIZE, seed, &st));
    hpt_space_destroy(sp);
    if (repeats > 0)
        assert_ok(hpt_study_set(st, "bayes.repeats", repeats));
    return st;
}

/* Smooth in n, one clearly best choice; noise from a hash of the trial id. */
static double loss(const double *x, int64_t id, double noise)
{
    static const double off[NC] = {0.3, 0.0, 0.5, 0.8};
    uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15ULL;
    h ^= h >> 29;
    double e = (double)(h % 1000) / 1000.0 - 0.5;
    return pow((x[0] - 9.0) / 8.0, 2) + off[(int)x[1]] + noise * e;
}

/* Ask in rounds of `batch` (all running at once), tell them; until
 * HPT_DONE. Returns the number of asks; counts[n][c] the evaluations. */
static int run_rounds(hpt_study *st, int batch, double noise, int counts[NI][NC], int limit)
{
    int asks = 0, done = 0;
    memset(counts, 0, sizeof(int[NI][NC]));
    while (!done && asks < limit) {
        int64_t ids[8];
        double xs[8][2];
        int k = 0;
        for (; k < batch; k++) {
            int rc = hpt_study_ask(st, &ids[k]);
            if (rc == HPT_DONE) {
                done = 1;
                break;
            }
            assert_ok(rc);
            assert_ok(hpt_trial_params(st, ids[k], xs[k], 2));
            counts[(int)xs[k][0] - 1][(int)xs[k][1]]++;
            asks++;
        }
        for (int i = 0; i < k; i++)
            assert_ok(hpt_study_tell(st, ids[i], loss(xs[i], ids[i], noise)));
    }
    return asks;
}

/* The case: 100 configurations, 6 seeds, sequential and 4
 * parallel asks: exactly 100 asks, each configuration once, then done
 * (and still done at the next ask). */
static void every_configuration_before_done(void **state)
{
    (void)state;
    static int counts[NI][NC];
    for (uint64_t seed = 0; seed < 6; seed++)
        for (int batch = 1; batch <= 4; batch += 3) {
            hpt_study *st = grid_study(seed, 0);
            int asks = run_rounds(st, batch, 0.0, counts, 150);
            for (int n = 0; n < NI; n++)
                for (int c = 0; c < NC; c++)
                    if (counts[n][c] != 1)
                        fail_msg("seed %d, batch %d: (n=%d, %s) evaluated %d times",
                                 (int)seed, batch, n + 1, choices[c], counts[n][c]);
            assert_int_equal(asks, NI * NC);
            int64_t id;
            assert_status(hpt_study_ask(st, &id), HPT_DONE);
            assert_string_equal(hpt_study_done_reason(st), "exhausted");
            hpt_study_destroy(st);
        }
}

/* Conditional: "c" in {a, b, c}; "n" in 1..10 only under a, "m" in 1..5
 * only under b: 10 + 5 + 1 = 16 configurations (not 3 x 10 x 5), each
 * asked once with 3 asks running at a time. */
static void conditional_active_sets(void **state)
{
    (void)state;
    static const char *const abc[] = {"a", "b", "c"};
    const char *a[] = {"a"}, *b[] = {"b"};
    for (uint64_t seed = 0; seed < 3; seed++) {
        hpt_space *sp = NULL;
        hpt_study *st = NULL;
        assert_ok(hpt_space_create(&sp));
        assert_ok(hpt_space_add_categorical(sp, "c", abc, 3));
        assert_ok(hpt_space_add_int(sp, "n", 1, 10, HPT_SCALE_LINEAR));
        assert_ok(hpt_space_add_int(sp, "m", 1, 5, HPT_SCALE_LINEAR));
        assert_ok(hpt_space_add_condition(sp, "n", "c", a, 1));
        assert_ok(hpt_space_add_condition(sp, "m", "c", b, 1));
        assert_ok(hpt_study_create(sp, "bayes", HPT_MINIMIZE, seed, &st));
        hpt_space_destroy(sp);
        int seen_a[10] = {0}, seen_b[5] = {0}, seen_c = 0, asks = 0, done = 0;
        while (!done && asks < 40) {
            int64_t ids[3];
            double xs[3][3];
            int k = 0;
            for (; k < 3; k++) {
                int rc = hpt_study_ask(st, &ids[k]);
                if (rc == HPT_DONE) {
                    done = 1;
                    break;
                }
                assert_ok(rc);
                assert_ok(hpt_trial_params(st, ids[k], xs[k], 3));
                asks++;
                int c = (int)xs[k][0];
                int *slot = c == 0 ? &seen_a[(int)xs[k][1] - 1]
                                   : c == 1 ? &seen_b[(int)xs[k][2] - 1] : &seen_c;
                if ((*slot)++)
                    fail_msg("seed %d: configuration of ask %d repeated", (int)seed, asks);
            }
            for (int i = 0; i < k; i++) {
                double v = xs[i][0] == 0 ? fabs(xs[i][1] - 4)
                                         : xs[i][0] == 1 ? 2 + xs[i][2] : 1.5;
                assert_ok(hpt_study_tell(st, ids[i], v));
            }
        }
        assert_true(done);
        assert_int_equal(asks, 16);
        hpt_study_destroy(st);
    }
}

/* "bayes.repeats" = 2 on 6 configurations: each evaluated exactly twice
 * (the limit is reached, never passed), then done. */
static void repeats_limit_and_exhaustion(void **state)
{
    (void)state;
    static const char *const xy[] = {"x", "y"};
    for (uint64_t seed = 0; seed < 3; seed++) {
        hpt_space *sp = NULL;
        hpt_study *st = NULL;
        assert_ok(hpt_space_create(&sp));
        assert_ok(hpt_space_add_int(sp, "n", 1, 3, HPT_SCALE_LINEAR));
        assert_ok(hpt_space_add_categorical(sp, "c", xy, 2));
        assert_ok(hpt_study_create(sp, "bayes", HPT_MINIMIZE, seed, &st));
        hpt_space_destroy(sp);
        assert_ok(hpt_study_set(st, "bayes.repeats", 2));
        int count[3][2] = {{0}}, asks = 0, rc;
        int64_t id;
        while ((rc = hpt_study_ask(st, &id)) == HPT_OK && asks < 20) {
            double x[2];
            assert_ok(hpt_trial_params(st, id, x, 2));
            int *c = &count[(int)x[0] - 1][(int)x[1]];
            if (++*c > 2)
                fail_msg("seed %d, ask %d: (%g, %g) a third time", (int)seed, asks, x[0],
                         x[1]);
            asks++;
            assert_ok(hpt_study_tell(st, id, x[0] + 0.5 * x[1] + 0.01 * (double)(id % 3)));
        }
        assert_status(rc, HPT_DONE);
        assert_string_equal(hpt_study_done_reason(st), "exhausted");
        assert_int_equal(asks, 12);
        hpt_study_destroy(st);
    }
}

/* A noisy objective on the 100 configurations with "bayes.repeats" = 3:
 * the model asks some configuration again before it has seen all of them
 * (the acquisition's best is an evaluated point with room), never one a
 * fourth time; with the default (1) the same run has no repeat at all
 * (every_configuration_before_done). */
static void repeats_for_noise(void **state)
{
    (void)state;
    static int counts[NI][NC];
    for (uint64_t seed = 0; seed < 3; seed++) {
        hpt_study *st = grid_study(seed, 3);
        int asks = run_rounds(st, 2, 0.6, counts, NI * NC);
        assert_int_equal(asks, NI * NC);
        int repeated = 0, unseen = 0;
        for (int n = 0; n < NI; n++)
            for (int c = 0; c < NC; c++) {
                assert_in_range(counts[n][c], 0, 3);
                repeated += counts[n][c] > 1;
                unseen += counts[n][c] == 0;
            }
        if (!(repeated > 0 && unseen > 0))
            fail_msg("seed %d: %d configurations repeated, %d unseen after %d asks",
                     (int)seed, repeated, unseen, asks);
        hpt_study_destroy(st);
    }
}

/* Partial fixing on the 100 configurations: with the choice held at "c"
 * the asks of that slice walk its 25 configurations, each once, until all
 * are taken (the enumeration holds the given value and walks the free
 * one). */
static void slice_is_walked(void **state)
{
    (void)state;
    for (uint64_t seed = 0; seed < 3; seed++) {
        hpt_study *st = grid_study(seed, 0);
        const double held[2] = {NAN, 2};
        int seen[NI] = {0}, left = NI;
        for (int k = 0; left > 0; k++) {
            if (k >= 8)
                assert_ok(hpt_study_enqueue(st, held, 2));
            int64_t id;
            double x[2];
            assert_ok(hpt_study_ask(st, &id));
            assert_ok(hpt_trial_params(st, id, x, 2));
            if (k >= 8)
                assert_true(x[1] == 2);
            if (x[1] == 2) {
                if (seen[(int)x[0] - 1]++)
                    fail_msg("seed %d, ask %d: (n=%g, c) again", (int)seed, k, x[0]);
                left--;
            }
            assert_ok(hpt_study_tell(st, id, loss(x, id, 0.0)));
        }
        hpt_study_destroy(st);
    }
}

static void repeats_option_range(void **state)
{
    (void)state;
    hpt_study *st = grid_study(1, 0);
    assert_status(hpt_study_set(st, "bayes.repeats", 0), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "bayes.repeats", 1.5), HPT_E_INVALID);
    assert_ok(hpt_study_set(st, "bayes.repeats", 4));
    hpt_study_destroy(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_configuration_before_done),
        cmocka_unit_test(conditional_active_sets),
        cmocka_unit_test(repeats_limit_and_exhaustion),
        cmocka_unit_test(repeats_for_noise),
        cmocka_unit_test(slice_is_walked),
        cmocka_unit_test(repeats_option_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
