/* test_space.c -- search spaces: the codec's round trips, scales, cells. */
#include <float.h>
#include <math.h>

#include "space.h"
#include "testutil.h"

static void round_trip_floats(void **state)
{
    (void)state;
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "lin", -3.0, 7.0, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "log", 1e-6, 1e2, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_float(sp, "rev", 0.5, 0.9999, HPT_SCALE_REVERSE_LOG));
    assert_ok(hpt_space_add_float(sp, "fixed", 2.5, 2.5, HPT_SCALE_LINEAR));
    double x[4], u[4], y[4];
    for (int k = 0; k <= 100; k++) {
        double t = k / 100.0;
        u[0] = u[1] = u[2] = u[3] = t;
        assert_ok(hpt_space_decode(sp, u, x, 4));
        assert_ok(hpt_space_encode(sp, x, y, 4));
        for (int i = 0; i < 3; i++)
            assert_true(fabs(y[i] - t) < 1e-9);
        assert_true(x[3] == 2.5);
        assert_true(x[0] >= -3 && x[0] <= 7);
        assert_true(x[1] >= 1e-6 && x[1] <= 1e2);
        assert_true(x[2] >= 0.5 && x[2] <= 0.9999);
    }
    /* the ends are exact */
    u[0] = u[1] = u[2] = u[3] = 0;
    assert_ok(hpt_space_decode(sp, u, x, 4));
    assert_true(x[0] == -3.0 && x[1] == 1e-6 && x[2] == 0.5);
    u[0] = u[1] = u[2] = u[3] = 1;
    assert_ok(hpt_space_decode(sp, u, x, 4));
    assert_true(x[0] == 7.0 && x[1] == 1e2 && x[2] == 0.9999);
    hpt_space_destroy(sp);
}

/* Reverse-log puts half the unit interval between the geometric middle of
 * 1 - lo and 1 - hi: for [0.9, 0.999] the middle is 0.99. */
static void reverse_log_middle(void **state)
{
    (void)state;
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "m", 0.9, 0.999, HPT_SCALE_REVERSE_LOG));
    double u = 0.5, x;
    assert_ok(hpt_space_decode(sp, &u, &x, 1));
    assert_true(fabs(x - 0.99) < 1e-12);
    hpt_space_destroy(sp);
}

static void round_trip_ints_and_choices(void **state)
{
    (void)state;
    static const char *const ch[] = {"a", "b", "c", "d", "e"};
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_int(sp, "lin", -7, 12, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_int(sp, "log", 1, 1000, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_categorical(sp, "cat", ch, 5));
    double x[3], u[3], y[3];
    for (int k = 0; k < 1000; k++) {
        x[0] = -7 + k % 20;
        x[1] = 1 + k;
        x[2] = k % 5;
        assert_ok(hpt_space_encode(sp, x, u, 3));
        assert_ok(hpt_space_decode(sp, u, y, 3));
        assert_true(y[0] == x[0] && y[1] == x[1] && y[2] == x[2]);
    }
    /* every decoded value is a valid integer / index */
    for (int k = 0; k <= 1000; k++) {
        u[0] = u[1] = u[2] = k / 1000.0;
        assert_ok(hpt_space_decode(sp, u, y, 3));
        assert_true(y[0] == floor(y[0]) && y[0] >= -7 && y[0] <= 12);
        assert_true(y[1] == floor(y[1]) && y[1] >= 1 && y[1] <= 1000);
        assert_true(y[2] == floor(y[2]) && y[2] >= 0 && y[2] <= 4);
    }
    hpt_space_destroy(sp);
}

/* Fair shares: the fraction of [0,1] that decodes to integer k is the
 * measure of its cell [k-1/2, k+1/2] under the scale. */
static void integer_cells_are_fair(void **state)
{
    (void)state;
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_int(sp, "lin", 0, 9, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_int(sp, "log", 1, 16, HPT_SCALE_LOG));
    int lin[10] = {0}, lg[17] = {0};
    const int N = 160000;
    for (int k = 0; k < N; k++) {
        double u[2] = {(k + 0.5) / N, (k + 0.5) / N}, x[2];
        assert_ok(hpt_space_decode(sp, u, x, 2));
        lin[(int)x[0]]++;
        lg[(int)x[1]]++;
    }
    for (int k = 0; k < 10; k++)
        assert_true(abs(lin[k] - N / 10) <= 1);
    double total = log(16.5) - log(0.5);
    for (int k = 1; k <= 16; k++) {
        double share = (log(k + 0.5) - log(k - 0.5)) / total;
        assert_true(fabs(lg[k] / (double)N - share) < 1e-4);
    }
    hpt_space_destroy(sp);
}

static void auto_scale_rule(void **state)
{
    (void)state;
    hpt_space *sp = NULL;
    int32_t scale;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "a", 1e-4, 1e-2, HPT_SCALE_AUTO)); /* ratio 100 */
    assert_ok(hpt_space_add_float(sp, "b", 1.0, 99.0, HPT_SCALE_AUTO));  /* ratio 99 */
    assert_ok(hpt_space_add_float(sp, "c", 0.0, 1e6, HPT_SCALE_AUTO));   /* lo = 0 */
    assert_ok(hpt_space_add_int(sp, "d", 1, 1024, HPT_SCALE_AUTO));
    assert_ok(hpt_space_param_info(sp, 0, NULL, &scale, NULL, NULL, NULL));
    assert_int_equal(scale, HPT_SCALE_LOG);
    assert_ok(hpt_space_param_info(sp, 1, NULL, &scale, NULL, NULL, NULL));
    assert_int_equal(scale, HPT_SCALE_LINEAR);
    assert_ok(hpt_space_param_info(sp, 2, NULL, &scale, NULL, NULL, NULL));
    assert_int_equal(scale, HPT_SCALE_LINEAR);
    assert_ok(hpt_space_param_info(sp, 3, NULL, &scale, NULL, NULL, NULL));
    assert_int_equal(scale, HPT_SCALE_LOG);
    hpt_space_destroy(sp);
}

static void introspection(void **state)
{
    (void)state;
    hpt_space *sp = tu_mixed_space();
    const char *name;
    size_t idx, nc;
    int32_t type;
    double lo, hi;
    assert_int_equal(hpt_space_size(sp), 3);
    assert_int_equal(hpt_space_size(NULL), 0);
    assert_ok(hpt_space_param_name(sp, 1, &name));
    assert_string_equal(name, "layers");
    assert_ok(hpt_space_index(sp, "act", &idx));
    assert_int_equal(idx, 2);
    assert_status(hpt_space_index(sp, "nope", &idx), HPT_E_NAME);
    assert_ok(hpt_space_param_info(sp, 2, &type, NULL, &lo, &hi, &nc));
    assert_int_equal(type, HPT_PARAM_CATEGORICAL);
    assert_true(lo == 0 && hi == 2);
    assert_int_equal(nc, 3);
    assert_ok(hpt_space_choice_name(sp, 2, 1, &name));
    assert_string_equal(name, "tanh");
    assert_status(hpt_space_choice_name(sp, 2, 3, &name), HPT_E_INVALID);
    assert_status(hpt_space_choice_name(sp, 0, 0, &name), HPT_E_INVALID);
    hpt_space_destroy(sp);
}

/* Snapping maps a point to the centre of the cell of its configuration. */
static void snap_is_idempotent(void **state)
{
    (void)state;
    hpt_space *sp = tu_mixed_space();
    double u[3] = {0.3, 0.1, 0.99}, x[3];
    hpti_space_snap(sp, u, x);
    assert_true(u[0] == 0.3);
    assert_true(fabs(u[1] - 0.125) < 1e-15 && x[1] == 1);
    assert_true(fabs(u[2] - 2.5 / 3) < 1e-15 && x[2] == 2);
    double v[3] = {u[0], u[1], u[2]};
    hpti_space_snap(sp, v, NULL);
    assert_memory_equal(u, v, sizeof u);
    hpt_space_destroy(sp);
}

/* Large integer ranges keep every integer representable and round-tripping. */
static void huge_integer_range(void **state)
{
    (void)state;
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_int(sp, "big", -(1LL << 51), 1LL << 51, HPT_SCALE_LINEAR));
    double xs[] = {-2251799813685248.0, -2251799813685247.0, -1, 0, 1, 123456789012345.0,
                   2251799813685247.0, 2251799813685248.0};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double u, y;
        assert_ok(hpt_space_encode(sp, &xs[i], &u, 1));
        assert_ok(hpt_space_decode(sp, &u, &y, 1));
        assert_true(y == xs[i]);
    }
    hpt_space_destroy(sp);
}

/* Regression: a float range wider than DBL_MAX (hi - lo overflows) used to
 * decode every coordinate to hi, so every strategy drew 1e308 and the grid
 * repeated one point. */
static void wider_than_dbl_max(void **state)
{
    (void)state;
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", -1e308, 1e308, HPT_SCALE_LINEAR));
    double u = 0.5, x, v;
    assert_ok(hpt_space_decode(sp, &u, &x, 1));
    assert_true(fabs(x) < 1e293);
    u = 0.25;
    assert_ok(hpt_space_decode(sp, &u, &x, 1));
    assert_true(fabs(x + 5e307) < 1e293);
    for (int k = 0; k <= 64; k++) {
        u = k / 64.0;
        assert_ok(hpt_space_decode(sp, &u, &x, 1));
        assert_true(isfinite(x) && x >= -1e308 && x <= 1e308);
        assert_ok(hpt_space_encode(sp, &x, &v, 1));
        assert_true(fabs(v - u) < 1e-12);
    }
    /* the extremes of the double range itself */
    assert_ok(hpt_space_add_float(sp, "y", -DBL_MAX, DBL_MAX, HPT_SCALE_LINEAR));
    double uu[2] = {0.5, 0.75}, xx[2];
    assert_ok(hpt_space_decode(sp, uu, xx, 2));
    assert_true(fabs(xx[1] - DBL_MAX / 2) < DBL_MAX * 1e-12);

    const char *strategies[] = {"random", "sobol", "grid"};
    for (size_t s = 0; s < 3; s++) {
        hpt_study *st = NULL;
        assert_ok(hpt_study_create(sp, strategies[s], HPT_MINIMIZE, 7, &st));
        int neg = 0, pos = 0, distinct = 0;
        double prev = NAN;
        for (int i = 0; i < 25; i++) {
            int64_t id;
            assert_ok(hpt_study_ask(st, &id));
            assert_ok(hpt_trial_float(st, id, "x", &x));
            assert_true(x >= -1e308 && x <= 1e308);
            neg += x < -1e300;
            pos += x > 1e300;
            distinct += x != prev;
            prev = x;
            assert_ok(hpt_study_tell(st, id, 0.0));
        }
        if (s < 2) { /* spread over both halves, not stuck at an end */
            assert_true(neg >= 5 && pos >= 5);
            assert_true(distinct == 25);
        } else { /* 5 x 5 grid: x takes 5 values, -1e308 .. 1e308 */
            assert_true(neg == 10 && pos == 10);
        }
        hpt_study_destroy(st);
    }
    hpt_space_destroy(sp);
}

/* Regression: integer LOG on [2^51 - 1, 2^51] never drew lo and
 * decode(encode(lo)) was lo + 1 (log(lo) and log(hi) differ by less than an
 * ulp). Every documented integer must round-trip and get its share. */
static void int_log_near_2p51(void **state)
{
    (void)state;
    const int64_t top = 1LL << 51;
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_int(sp, "n", top - 1, top, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_int(sp, "w", top - 1000, top, HPT_SCALE_LOG));
    /* log-uniform on [1, 2^51] would give 2^51 a cell of 2^-56: refused */
    assert_status(hpt_space_add_int(sp, "all", 1, top, HPT_SCALE_LOG), HPT_E_INVALID);
    assert_ok(hpt_space_add_int(sp, "all", 1, 10000000000000LL, HPT_SCALE_LOG));
    for (int64_t k = top - 1000; k <= top; k++) {
        double x[3] = {k >= top - 1 ? (double)k : (double)top, (double)k,
                       (double)(k - top + 1001)}, u[3], y[3];
        assert_ok(hpt_space_encode(sp, x, u, 3));
        assert_ok(hpt_space_decode(sp, u, y, 3));
        assert_memory_equal(x, y, sizeof x);
    }
    double big[] = {1, 2, 3, 1e6, 4503599627.0, 9999999999999.0, 1e13};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        double x[3] = {(double)top, (double)top, big[i]}, u[3], y[3];
        assert_ok(hpt_space_encode(sp, x, u, 3));
        assert_ok(hpt_space_decode(sp, u, y, 3));
        assert_true(y[2] == big[i]);
    }
    /* lo and hi each own about half of the unit interval */
    double u = 0.49, y;
    hpt_space *one = NULL;
    assert_ok(hpt_space_create(&one));
    assert_ok(hpt_space_add_int(one, "n", top - 1, top, HPT_SCALE_LOG));
    assert_ok(hpt_space_decode(one, &u, &y, 1));
    assert_true(y == (double)(top - 1));
    u = 0.51;
    assert_ok(hpt_space_decode(one, &u, &y, 1));
    assert_true(y == (double)top);
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(one, "random", HPT_MINIMIZE, 3, &st));
    int hits = 0;
    for (int i = 0; i < 1000; i++) {
        int64_t id, v;
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_int(st, id, "n", &v));
        assert_true(v == top - 1 || v == top);
        hits += v == top - 1;
        assert_ok(hpt_study_tell(st, id, 0.0));
    }
    assert_true(hits > 400 && hits < 600);
    hpt_study_destroy(st);
    hpt_space_destroy(one);
    hpt_space_destroy(sp);
}

/* Logit: uniform in log(x / (1 - x)), symmetric about 1/2, refused outside
 * (0, 1) and for integers. */
static void logit_scale(void **state)
{
    (void)state;
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "f", 0.01, 0.99, HPT_SCALE_LOGIT));
    assert_ok(hpt_space_add_float(sp, "b", 0.9, 0.9999, HPT_SCALE_LOGIT));
    assert_ok(hpt_space_add_float(sp, "fixed", 0.3, 0.3, HPT_SCALE_LOGIT));
    double lf = log(0.01 / 0.99), hf = log(0.99 / 0.01);
    double lb = log(0.9 / 0.1), hb = log(0.9999 / 0.0001);
    for (int k = 0; k <= 40; k++) {
        double u[3] = {k / 40.0, k / 40.0, k / 40.0}, x[3], v[3];
        assert_ok(hpt_space_decode(sp, u, x, 3));
        assert_true(x[0] >= 0.01 && x[0] <= 0.99 && x[1] >= 0.9 && x[1] <= 0.9999);
        assert_true(x[2] == 0.3);
        assert_true(fabs(log(x[0] / (1 - x[0])) - (lf + u[0] * (hf - lf))) < 1e-9);
        assert_true(fabs(log(x[1] / (1 - x[1])) - (lb + u[1] * (hb - lb))) < 1e-9);
        assert_ok(hpt_space_encode(sp, x, v, 3));
        assert_true(fabs(v[0] - u[0]) < 1e-12 && fabs(v[1] - u[1]) < 1e-12);
    }
    double u[3] = {0.5, 0, 1}, x[3];
    assert_ok(hpt_space_decode(sp, u, x, 3));
    assert_true(fabs(x[0] - 0.5) < 1e-15 && x[1] == 0.9);
    int32_t scale;
    assert_ok(hpt_space_param_info(sp, 1, NULL, &scale, NULL, NULL, NULL));
    assert_int_equal(scale, HPT_SCALE_LOGIT);
    assert_status(hpt_space_add_float(sp, "z", 0.0, 0.5, HPT_SCALE_LOGIT), HPT_E_INVALID);
    assert_status(hpt_space_add_float(sp, "z", 0.5, 1.0, HPT_SCALE_LOGIT), HPT_E_INVALID);
    assert_status(hpt_space_add_float(sp, "z", -0.5, 0.5, HPT_SCALE_LOGIT), HPT_E_INVALID);
    assert_status(hpt_space_add_int(sp, "z", 1, 5, HPT_SCALE_LOGIT), HPT_E_INVALID);
    assert_status(hpt_space_add_float(sp, "z", 0.1, 0.5, 5), HPT_E_INVALID);
    assert_int_equal(hpt_space_size(sp), 3);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_floats),
        cmocka_unit_test(reverse_log_middle),
        cmocka_unit_test(round_trip_ints_and_choices),
        cmocka_unit_test(integer_cells_are_fair),
        cmocka_unit_test(auto_scale_rule),
        cmocka_unit_test(introspection),
        cmocka_unit_test(snap_is_idempotent),
        cmocka_unit_test(huge_integer_range),
        cmocka_unit_test(wider_than_dbl_max),
        cmocka_unit_test(int_log_near_2p51),
        cmocka_unit_test(logit_scale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
