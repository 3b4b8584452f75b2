/* test_steps.c -- hpt_space_set_step: the codec's points, the errors, every
 * strategy returning values on the step, the journal keeping the step. */
#include <math.h>

#include "space.h"
#include "testutil.h"

/* [0, 1] in steps of 0.1: eleven points, the decimals a host types, each
 * with an equal share of the unit interval. */
static void float_points(void **state)
{
    (void)state;
    static const double want[] = {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", 0.0, 1.0, HPT_SCALE_LINEAR));
    assert_true(hpt_space_param_step(sp, 0) == 0.0);
    assert_ok(hpt_space_set_step(sp, "x", 0.1));
    assert_true(hpt_space_param_step(sp, 0) == 0.1);
    for (int k = 0; k < 11; k++) {
        double u = (k + 0.5) / 11.0, x, v;
        assert_ok(hpt_space_decode(sp, &u, &x, 1));
        assert_true(x == want[k]);
        assert_ok(hpt_space_encode(sp, &x, &v, 1));
        assert_true(fabs(v - u) < 1e-15);
        /* the cell's edges belong to neighbouring points */
        u = k / 11.0 + 1e-9;
        assert_ok(hpt_space_decode(sp, &u, &x, 1));
        assert_true(x == want[k]);
    }
    double u = 1.0, x;
    assert_ok(hpt_space_decode(sp, &u, &x, 1));
    assert_true(x == 1.0);
    x = 0.35; /* off the step */
    assert_status(hpt_space_encode(sp, &x, &u, 1), HPT_E_INVALID);

    /* hi not on the step: the last point is below it */
    assert_ok(hpt_space_add_float(sp, "y", -1.0, 1.0, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_set_step(sp, "y", 0.75));
    double us[2] = {0.0, 0.999}, xs[2];
    assert_ok(hpt_space_decode(sp, us, xs, 2));
    assert_true(xs[1] == 0.5);
    us[1] = 0.5;
    assert_ok(hpt_space_decode(sp, us, xs, 2));
    assert_true(xs[1] == -0.25);
    hpt_space_destroy(sp);
}

static void int_points(void **state)
{
    (void)state;
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_int(sp, "batch", 32, 256, HPT_SCALE_LINEAR));
    assert_true(hpt_space_param_step(sp, 0) == 1.0);
    assert_ok(hpt_space_set_step(sp, "batch", 32));
    int seen[8] = {0};
    for (int k = 0; k < 800; k++) {
        double u = (k + 0.5) / 800.0, x, v;
        assert_ok(hpt_space_decode(sp, &u, &x, 1));
        assert_true(fmod(x, 32.0) == 0 && x >= 32 && x <= 256);
        seen[(int)x / 32 - 1]++;
        assert_ok(hpt_space_encode(sp, &x, &v, 1));
        assert_ok(hpt_space_decode(sp, &v, &u, 1));
        assert_true(u == x);
    }
    for (int k = 0; k < 8; k++) /* eight points, equal shares */
        assert_int_equal(seen[k], 100);
    double x = 48;
    double u;
    assert_status(hpt_space_encode(sp, &x, &u, 1), HPT_E_INVALID);
    /* step 1 is allowed on an integer LOG: it is what an integer is */
    assert_ok(hpt_space_add_int(sp, "n", 1, 1000, HPT_SCALE_LOG));
    assert_ok(hpt_space_set_step(sp, "n", 1));
    hpt_space_destroy(sp);
}

static void errors_leave_space_unchanged(void **state)
{
    (void)state;
    static const char *const ch[] = {"a", "b"};
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", 0.0, 1.0, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_int(sp, "n", 0, 10, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "lr", 1e-4, 1.0, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_int(sp, "w", 1, 100, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_categorical(sp, "c", ch, 2));
    assert_ok(hpt_space_add_float(sp, "r", 0.5, 0.99, HPT_SCALE_REVERSE_LOG));
    assert_ok(hpt_space_add_float(sp, "g", 0.1, 0.9, HPT_SCALE_LOGIT));
    assert_ok(hpt_space_add_float(sp, "a", 1.0, 1000.0, HPT_SCALE_AUTO)); /* -> LOG */
    assert_ok(hpt_space_set_step(sp, "x", 0.25));
    assert_status(hpt_space_set_step(NULL, "x", 0.1), HPT_E_INVALID);
    assert_status(hpt_space_set_step(sp, NULL, 0.1), HPT_E_INVALID);
    assert_status(hpt_space_set_step(sp, "nope", 0.1), HPT_E_NAME);
    assert_status(hpt_space_set_step(sp, "c", 1), HPT_E_TYPE);
    assert_status(hpt_space_set_step(sp, "x", 0), HPT_E_INVALID);
    assert_status(hpt_space_set_step(sp, "x", -0.1), HPT_E_INVALID);
    assert_status(hpt_space_set_step(sp, "x", NAN), HPT_E_INVALID);
    assert_status(hpt_space_set_step(sp, "x", INFINITY), HPT_E_INVALID);
    assert_status(hpt_space_set_step(sp, "x", 1e-300), HPT_E_INVALID); /* > 2^52 points */
    assert_status(hpt_space_set_step(sp, "n", 2.5), HPT_E_INVALID);
    assert_status(hpt_space_set_step(sp, "n", 0.5), HPT_E_INVALID);
    assert_status(hpt_space_set_step(sp, "lr", 0.1), HPT_E_INVALID);
    assert_status(hpt_space_set_step(sp, "w", 2), HPT_E_INVALID);
    assert_status(hpt_space_set_step(sp, "r", 0.1), HPT_E_INVALID);
    assert_status(hpt_space_set_step(sp, "g", 0.1), HPT_E_INVALID);
    assert_status(hpt_space_set_step(sp, "a", 10), HPT_E_INVALID);
    assert_true(strstr(hpt_last_errmsg(), "log") != NULL);
    assert_true(hpt_space_param_step(sp, 0) == 0.25);
    assert_true(hpt_space_param_step(sp, 1) == 1.0);
    assert_true(hpt_space_param_step(sp, 2) == 0.0);
    assert_true(hpt_space_param_step(sp, 4) == 0.0);
    assert_true(hpt_space_param_step(sp, 99) == 0.0);
    assert_true(hpt_space_param_step(NULL, 0) == 0.0);
    /* a later call replaces the step */
    assert_ok(hpt_space_set_step(sp, "x", 0.5));
    double u[8] = {0.9, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, v[8];
    assert_ok(hpt_space_decode(sp, u, v, 8));
    assert_true(v[0] == 1.0);
    hpt_space_destroy(sp);
}

/* Every strategy returns values on the step and inside the range. */
static void strategies_stay_on_step(void **state)
{
    (void)state;
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "drop", 0.0, 0.5, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_int(sp, "units", 16, 512, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "lr", 1e-4, 1e-1, HPT_SCALE_LOG));
    assert_ok(hpt_space_set_step(sp, "drop", 0.05));
    assert_ok(hpt_space_set_step(sp, "units", 16));
    const char *name;
    for (size_t s = 0; hpt_strategy_name(s, &name) == HPT_OK; s++) {
        hpt_study *st = NULL;
        assert_ok(hpt_study_create(sp, name, HPT_MINIMIZE, 11, &st));
        if (strcmp(name, "grid") == 0) /* else 40 trials never leave drop = 0 */
            assert_ok(hpt_study_set(st, "grid.shuffle", 1));
        int seen_drop[11] = {0};
        for (int i = 0; i < 40; i++) {
            int64_t id;
            int rc = hpt_study_ask(st, &id);
            if (rc == HPT_DONE)
                break;
            assert_ok(rc);
            double x[3];
            assert_ok(hpt_trial_params(st, id, x, 3));
            double k = x[0] / 0.05;
            if (!(x[0] >= 0 && x[0] <= 0.5 && fabs(k - round(k)) < 1e-9 &&
                  fmod(x[1], 16.0) == 0 && x[1] >= 16 && x[1] <= 512))
                fail_msg("strategy %s trial %d: drop %.17g units %g off the step", name,
                         i, x[0], x[1]);
            /* the exact decimal a host would type */
            char b[32];
            snprintf(b, sizeof b, "%.2f", x[0]);
            assert_true(strtod(b, NULL) == x[0]);
            seen_drop[(int)round(k)]++;
            double y = pow(x[0] - 0.2, 2) + pow((x[1] - 128) / 512, 2) +
                       pow(log10(x[2]) + 2, 2);
            assert_ok(hpt_study_tell(st, id, y));
        }
        int distinct = 0;
        for (int k = 0; k < 11; k++)
            distinct += seen_drop[k] > 0;
        if (distinct < 3)
            fail_msg("strategy %s used %d of the 11 points of drop", name, distinct);
        hpt_study_destroy(st);
    }
    hpt_space_destroy(sp);
}

/* The grid visits every point of a stepped float once, whatever grid.points. */
static void grid_uses_step_points(void **state)
{
    (void)state;
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", 1.0, 2.0, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_int(sp, "n", 0, 10, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_set_step(sp, "x", 0.125));
    assert_ok(hpt_space_set_step(sp, "n", 5));
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "grid", HPT_MINIMIZE, 1, &st));
    assert_ok(hpt_study_set(st, "grid.points", 3));
    int seen[9][3] = {{0}};
    int n = 0, rc;
    int64_t id;
    while ((rc = hpt_study_ask(st, &id)) == HPT_OK) {
        double x[2];
        assert_ok(hpt_trial_params(st, id, x, 2));
        int k = (int)((x[0] - 1.0) / 0.125);
        assert_true(x[0] == 1.0 + 0.125 * k);
        assert_true(x[1] == 0 || x[1] == 5 || x[1] == 10);
        seen[k][(int)x[1] / 5]++;
        n++;
        assert_ok(hpt_study_tell(st, id, 0.0));
    }
    assert_int_equal(rc, HPT_DONE);
    assert_int_equal(n, 27);
    for (int k = 0; k < 9; k++)
        for (int j = 0; j < 3; j++)
            assert_int_equal(seen[k][j], 1);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* A journal keeps the step: the reopened study draws on it, and a space with
 * another step is another study. */
static void journal_keeps_step(void **state)
{
    (void)state;
    const char *path = tmp("steps.journal");
    hpt_space *sp = NULL, *other = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", 0.0, 1.0, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_int(sp, "n", 0, 100, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_set_step(sp, "x", 0.2));
    assert_ok(hpt_space_set_step(sp, "n", 10));
    hpt_study *st = NULL;
    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 5, &st));
    double first[6];
    for (int i = 0; i < 3; i++) {
        int64_t id;
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, first + 2 * i, 2));
        assert_ok(hpt_study_tell(st, id, first[2 * i]));
    }
    hpt_study_destroy(st);

    assert_ok(hpt_study_load(path, &st)); /* the journal's own space */
    for (int i = 0; i < 3; i++) {
        double x[2];
        assert_ok(hpt_trial_params(st, i, x, 2));
        assert_memory_equal(x, first + 2 * i, sizeof x);
    }
    for (int i = 0; i < 10; i++) {
        int64_t id;
        double x[2];
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, 2));
        double k = x[0] / 0.2;
        assert_true(fabs(k - round(k)) < 1e-12 && fmod(x[1], 10.0) == 0);
        assert_ok(hpt_study_tell(st, id, 0.0));
    }
    hpt_study_destroy(st);

    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 5, &st));
    hpt_study_destroy(st);
    assert_ok(hpt_space_create(&other));
    assert_ok(hpt_space_add_float(other, "x", 0.0, 1.0, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_int(other, "n", 0, 100, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_set_step(other, "x", 0.25));
    assert_ok(hpt_space_set_step(other, "n", 10));
    st = NULL;
    assert_status(hpt_study_open(path, other, "random", HPT_MINIMIZE, 5, &st),
                  HPT_E_MISMATCH);
    assert_true(strstr(hpt_last_errmsg(), "step") != NULL);
    hpt_space_destroy(other);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(float_points),
        cmocka_unit_test(int_points),
        cmocka_unit_test(errors_leave_space_unchanged),
        cmocka_unit_test(strategies_stay_on_step),
        cmocka_unit_test(grid_uses_step_points),
        cmocka_unit_test(journal_keeps_step),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
