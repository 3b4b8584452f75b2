/* test_encode_free.c -- the one unit-cube encoder (space.c): the unclamped
 * form agrees with hpti_param_encode inside the range, bit for bit,
 * extrapolates outside it, refuses values outside a scale's domain, and
 * puts a fixed parameter (any scale) at exactly 0.5, as warm starts
 * always did. */
#include <math.h>

#include "testutil.h"
#include "space.h"

static hpt_space *space(void)
{
    static const char *const ch[] = {"a", "b", "c"};
    hpt_space *sp;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "lin", -1.0, 3.0, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "log", 1e-4, 1e-1, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_float(sp, "rlog", 0.9, 0.999, HPT_SCALE_REVERSE_LOG));
    assert_ok(hpt_space_add_int(sp, "ilin", 2, 9, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_int(sp, "ilog", 1, 256, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_categorical(sp, "cat", ch, 3));
    assert_ok(hpt_space_add_int(sp, "fixed_ilog", 8, 8, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_float(sp, "fixed_log", 0.5, 0.5, HPT_SCALE_LOG));
    return sp;
}

static void test_agrees_inside(void **state)
{
    (void)state;
    hpt_space *sp = space();
    for (size_t i = 0; i < sp->n; i++) {
        const hpti_param *p = &sp->p[i];
        for (int k = 0; k <= 20; k++) {
            double x = hpti_param_decode(p, k / 20.0), u;
            assert_int_equal(hpti_param_encode_free(p, x, &u), 0);
            assert_true(u == hpti_param_encode(p, x));
            assert_true(u >= 0 && u <= 1);
        }
    }
    double u;
    assert_int_equal(hpti_param_encode_free(&sp->p[6], 8, &u), 0);
    assert_true(u == 0.5 && hpti_param_encode(&sp->p[6], 8) == 0.5);
    assert_int_equal(hpti_param_encode_free(&sp->p[7], 0.5, &u), 0);
    assert_true(u == 0.5);
    hpt_space_destroy(sp);
}

static void test_outside(void **state)
{
    (void)state;
    hpt_space *sp = space();
    double u;
    assert_int_equal(hpti_param_encode_free(&sp->p[0], 7.0, &u), 0);
    assert_true(u == 2.0); /* (7 - -1) / 4 */
    assert_true(hpti_param_encode(&sp->p[0], 7.0) == 1.0);
    assert_int_equal(hpti_param_encode_free(&sp->p[1], 1e-7, &u), 0);
    assert_true(fabs(u - -1.0) < 1e-12); /* one range width below */
    assert_int_equal(hpti_param_encode_free(&sp->p[1], 0.0, &u), -1);
    assert_true(isnan(u));
    assert_int_equal(hpti_param_encode_free(&sp->p[2], 1.0, &u), -1);
    assert_int_equal(hpti_param_encode_free(&sp->p[4], 0.0, &u), -1);
    assert_int_equal(hpti_param_encode_free(&sp->p[3], 13.0, &u), 0);
    assert_true(u == 11.5 / 8); /* the centre of cell 11 of 8: (13 - 2 + 0.5) / 8 */
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agrees_inside),
        cmocka_unit_test(test_outside),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
