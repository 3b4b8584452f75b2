/* test_bench_functions.c -- the benchmark's test functions (bench/functions.c):
 * known optima, values at reference points (computed independently with
 * numpy from the published formulas), no sample below f*, the failure
 * region, the noise and argument checking. */
#include <math.h>

#include "functions.h"
#include "testutil.h"

static int32_t find(const char *name)
{
    int32_t f = hptb_function_find(name);
    if (f < 0)
        fail_msg("no function %s", name);
    return f;
}

static double eval(const char *name, const double *x)
{
    double y;
    int32_t rc = hptb_function_eval(find(name), x, &y);
    if (rc != HPTB_OK)
        fail_msg("%s: eval returned %d", name, (int)rc);
    return y;
}

static void test_catalogue(void **state)
{
    (void)state;
    static const char *const names[] = {"branin", "hartmann3", "hartmann6", "rosenbrock4",
                                        "ackley5", "levy10", "styblinski8", "mixed",
                                        "hartmann6_noisy", "branin_fail", "cat_narrow",
                                        "optimizer", "optimizer_irrel"};
    static const int32_t dims[] = {2, 3, 6, 4, 5, 10, 8, 3, 6, 2, 5, 6, 9};
    assert_int_equal(hptb_function_count(), 13);
    for (int32_t i = 0; i < 13; i++) {
        assert_int_equal(find(names[i]), i);
        assert_string_equal(hptb_function_name(i), names[i]);
        assert_int_equal(hptb_function_dim(i), dims[i]);
    }
    assert_null(hptb_function_name(13));
    assert_int_equal(hptb_function_find("nope"), -1);
    assert_int_equal(hptb_function_dim(-1), 0);
    assert_true(isnan(hptb_function_optimum(99)));
}

static void test_optima(void **state)
{
    (void)state;
    for (int32_t f = 0; f < hptb_function_count(); f++) {
        double x[16], y;
        assert_int_equal(hptb_function_argmin(f, x), HPTB_OK);
        assert_int_equal(hptb_function_eval(f, x, &y), HPTB_OK);
        double fs = hptb_function_optimum(f);
        if (fabs(y - fs) > 1e-9 * (1 + fabs(fs)))
            fail_msg("%s: f(x*) = %.17g, f* = %.17g", hptb_function_name(f), y, fs);
    }
    /* The published optima, to their published digits. */
    assert_float_equal(hptb_function_optimum(find("branin")), 0.397887, 1e-6);
    assert_float_equal(hptb_function_optimum(find("hartmann3")), -3.86278, 1e-5);
    assert_float_equal(hptb_function_optimum(find("hartmann6")), -3.32237, 1e-5);
    assert_float_equal(hptb_function_optimum(find("styblinski8")), -39.16599 * 8, 0.01);
    /* Branin's other two minimizers. */
    assert_float_equal(eval("branin", (double[]){-M_PI, 12.275}), 0.3978873577, 1e-9);
    assert_float_equal(eval("branin", (double[]){3 * M_PI, 2.475}), 0.3978873577, 1e-9);
}

/* cmocka's assert_float_equal compares floats (and casts only the first
 * operand of an expression): the new functions are checked in double. */
#define assert_near(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

static void test_reference_points(void **state)
{
    (void)state;
    double half[6] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, ones[10], zeros[10] = {0};
    for (int i = 0; i < 10; i++)
        ones[i] = 1;
    assert_float_equal(eval("branin", (double[]){0, 0}), 55.602112642270264, 1e-9);
    assert_float_equal(eval("hartmann3", half), -0.6280220150705937, 1e-12);
    assert_float_equal(eval("hartmann6", half), -0.5053149917022333, 1e-12);
    assert_float_equal(eval("rosenbrock4", (double[]){1, 2, 3, 4}), 2705.0, 1e-9);
    assert_float_equal(eval("rosenbrock4", zeros), 3.0, 1e-12);
    assert_float_equal(eval("ackley5", ones), 3.6253849384403627, 1e-12);
    assert_float_equal(eval("levy10", zeros), 1.4426009870527703, 1e-12);
    assert_float_equal(eval("styblinski8", ones), -40.0, 1e-12);
    /* Mixed: each choice's own best, as documented. */
    assert_float_equal(eval("mixed", (double[]){1e-2, 8, 0}), 0.2, 1e-12);
    assert_float_equal(eval("mixed", (double[]){1e-3, 5, 1}), 0.0, 1e-12);
    assert_float_equal(eval("mixed", (double[]){1e-1, 12, 2}), 0.5, 1e-12);
    /* u = 1, v = 1: 1 + 1 + 1 + 0. */
    assert_float_equal(eval("mixed", (double[]){1e-2, 9, 1}), 3.0, 1e-12);
    /* cat_narrow: the runner-up kind's floor; the best kind's well is 1
     * away from its corner (r2 = 0.5^2: 1 - exp(-0.25 / 0.0288)), plus
     * mode m2's 0.2. */
    assert_near(eval("cat_narrow", (double[]){0.45, 0.5, 10, 1, 1}), 0.12, 1e-12);
    assert_near(eval("cat_narrow", (double[]){0.35, 0.15, 17, 3, 2}),
                       1.2 - exp(-0.25 / 0.0288), 1e-12);
    /* optimizer: plain adam at its own best (lr 10^-2.9 at batch 5, cosine)
     * is 0.06; constant instead of cosine moves the best rate by 0.4
     * decades: 0.1 + 2 * 0.4^2. Nesterov at momentum 0.9 runs at 10 lr. */
    assert_near(eval("optimizer", (double[]){pow(10, -2.9), 0.9, 5, 5, 5, 2}), 0.06,
                       1e-12);
    assert_near(eval("optimizer", (double[]){pow(10, -2.9), 0.9, 5, 5, 5, 0}),
                       0.06 + 0.1 + 2 * 0.16, 1e-12);
    assert_near(eval("optimizer", (double[]){pow(10, -2.4), 0.9, 3, 5, 2, 2}),
                       0.18, 1e-12);
    /* The three extra parameters change nothing. */
    assert_near(eval("optimizer_irrel",
                            (double[]){pow(10, -2.9), 0.9, 5, 5, 5, 2, 0.0, 0, 0}),
                       eval("optimizer_irrel",
                            (double[]){pow(10, -2.9), 0.9, 5, 5, 5, 2, 0.5, 100, 2}),
                       0.0);
}

/* No point of a uniform sample beats f* (a wrong f* would show up here). */
static void test_no_sample_below_optimum(void **state)
{
    (void)state;
    uint64_t s = 12345;
    for (int32_t f = 0; f < hptb_function_count(); f++) {
        int32_t d = hptb_function_dim(f);
        double fs = hptb_function_optimum(f);
        for (int k = 0; k < 3000; k++) {
            double x[16], y;
            for (int32_t j = 0; j < d; j++) {
                int32_t type, lg;
                double lo, hi;
                assert_int_equal(hptb_function_param(f, j, &type, &lg, &lo, &hi), HPTB_OK);
                s = s * 6364136223846793005ULL + 1442695040888963407ULL;
                double u = (double)(s >> 11) * 0x1.0p-53;
                x[j] = lg ? exp(log(lo) + u * (log(hi) - log(lo))) : lo + u * (hi - lo);
                if (type != HPTB_FLOAT)
                    x[j] = floor(lo + u * (hi - lo + 1));
                if (x[j] > hi)
                    x[j] = hi;
            }
            int32_t rc = hptb_function_eval(f, x, &y);
            if (rc == HPTB_FAILED)
                continue;
            assert_int_equal(rc, HPTB_OK);
            if (y < fs - 1e-12)
                fail_msg("%s: f = %.17g below f* = %.17g", hptb_function_name(f), y, fs);
        }
    }
}

static void test_failure_region(void **state)
{
    (void)state;
    int32_t f = find("branin_fail");
    double y = 0;
    assert_int_equal(hptb_function_eval(f, (double[]){5, 10}, &y), HPTB_FAILED);
    assert_true(isnan(y));
    assert_int_equal(hptb_function_eval_noisy(f, (double[]){5, 10}, 7, &y), HPTB_FAILED);
    assert_int_equal(hptb_function_eval(f, (double[]){-5, 10}, &y), HPTB_OK);
    assert_float_equal(y, eval("branin", (double[]){-5, 10}), 0);
    assert_int_equal(hptb_function_eval(find("branin"), (double[]){5, 10}, &y), HPTB_OK);
}

static void test_noise(void **state)
{
    (void)state;
    int32_t f = find("hartmann6_noisy"), g = find("hartmann6");
    double x[6] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, exact, a, b;
    assert_float_equal(hptb_function_noise_sd(f), 0.1, 0);
    assert_float_equal(hptb_function_noise_sd(g), 0.0, 0);
    assert_int_equal(hptb_function_eval(f, x, &exact), HPTB_OK);
    assert_int_equal(hptb_function_eval_noisy(f, x, 42, &a), HPTB_OK);
    assert_int_equal(hptb_function_eval_noisy(f, x, 42, &b), HPTB_OK);
    assert_float_equal(a, b, 0); /* same key, same observation */
    assert_int_equal(hptb_function_eval_noisy(g, x, 42, &b), HPTB_OK);
    assert_float_equal(b, exact, 0); /* exact functions ignore the key */
    double sum = 0, sum2 = 0;
    const int n = 20000;
    for (int k = 0; k < n; k++) {
        assert_int_equal(hptb_function_eval_noisy(f, x, (uint64_t)k, &a), HPTB_OK);
        sum += a - exact;
        sum2 += (a - exact) * (a - exact);
    }
    double mean = sum / n, sd = sqrt(sum2 / n - mean * mean);
    assert_true(fabs(mean) < 0.005);  /* 5 standard errors */
    assert_true(fabs(sd - 0.1) < 0.005);
}

static void test_invalid(void **state)
{
    (void)state;
    double y;
    int32_t br = find("branin"), mx = find("mixed");
    assert_int_equal(hptb_function_eval(br, (double[]){11, 0}, &y), HPTB_E_INVALID);
    assert_int_equal(hptb_function_eval(br, (double[]){NAN, 0}, &y), HPTB_E_INVALID);
    assert_int_equal(hptb_function_eval(br, NULL, &y), HPTB_E_INVALID);
    assert_int_equal(hptb_function_eval(-1, (double[]){0, 0}, &y), HPTB_E_INVALID);
    assert_int_equal(hptb_function_eval(mx, (double[]){1e-3, 5.5, 1}, &y), HPTB_E_INVALID);
    assert_int_equal(hptb_function_eval(mx, (double[]){1e-3, 5, 3}, &y), HPTB_E_INVALID);
    assert_int_equal(hptb_function_eval(mx, (double[]){1e-5, 5, 1}, &y), HPTB_E_INVALID);
    /* One ulp past a bound is clamped, not refused. */
    assert_int_equal(hptb_function_eval(mx, (double[]){nextafter(1.0, 2.0), 5, 1}, &y),
                     HPTB_OK);
}

static void test_metadata(void **state)
{
    (void)state;
    int32_t mx = find("mixed");
    int32_t type, lg;
    double lo, hi, los[3], his[3];
    assert_int_equal(hptb_function_param(mx, 0, &type, &lg, &lo, &hi), HPTB_OK);
    assert_int_equal(type, HPTB_FLOAT);
    assert_int_equal(lg, 1);
    assert_int_equal(hptb_function_param(mx, 1, &type, &lg, &lo, &hi), HPTB_OK);
    assert_int_equal(type, HPTB_INT);
    assert_int_equal(hptb_function_param(mx, 2, &type, &lg, &lo, &hi), HPTB_OK);
    assert_int_equal(type, HPTB_CATEGORICAL);
    assert_float_equal(hi, 2, 0);
    assert_string_equal(hptb_function_choice_name(mx, 2, 1), "tanh");
    assert_null(hptb_function_choice_name(mx, 2, 3));
    assert_null(hptb_function_choice_name(mx, 0, 0));
    assert_string_equal(hptb_function_choice_name(find("optimizer_irrel"), 4, 6), "adamw");
    assert_string_equal(hptb_function_choice_name(find("optimizer_irrel"), 8, 2), "normal");
    assert_string_equal(hptb_function_choice_name(find("cat_narrow"), 4, 0), "m0");
    assert_null(hptb_function_choice_name(find("optimizer"), 8, 0));
    assert_string_equal(hptb_function_param_name(mx, 0), "lr");
    assert_string_equal(hptb_function_param_name(find("levy10"), 9), "x10");
    assert_int_equal(hptb_function_param(mx, 3, NULL, NULL, NULL, NULL), HPTB_E_INVALID);
    assert_int_equal(hptb_function_bounds(find("branin"), los, his), HPTB_OK);
    assert_float_equal(los[0], -5, 0);
    assert_float_equal(his[1], 15, 0);
    /* Types agree with the library's constants. */
    assert_int_equal(HPTB_FLOAT, HPT_PARAM_FLOAT);
    assert_int_equal(HPTB_INT, HPT_PARAM_INT);
    assert_int_equal(HPTB_CATEGORICAL, HPT_PARAM_CATEGORICAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalogue),
        cmocka_unit_test(test_optima),
        cmocka_unit_test(test_reference_points),
        cmocka_unit_test(test_no_sample_below_optimum),
        cmocka_unit_test(test_failure_region),
        cmocka_unit_test(test_noise),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_metadata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
