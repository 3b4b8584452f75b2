/* test_errors.c -- a table of bad inputs, each with the status it must
 * return, a non-empty message, and no change to what was recorded. */
#include <math.h>

#include "testutil.h"

typedef struct {
    hpt_space *sp;   /* mixed space: lr, layers, act */
    hpt_study *st;   /* random study over it, trial 0 running, trial 1 told */
    int64_t running, told;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->sp = tu_mixed_space();
    assert_ok(hpt_study_create(f->sp, "random", HPT_MINIMIZE, 7, &f->st));
    assert_ok(hpt_study_ask(f->st, &f->running));
    assert_ok(hpt_study_ask(f->st, &f->told));
    assert_ok(hpt_study_tell(f->st, f->told, 1.5));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    hpt_study_destroy(f->st);
    hpt_space_destroy(f->sp);
    free(f);
    return 0;
}

static const char *const two[] = {"x", "y"};
static const char *const dup_choices[] = {"x", "x"};
static const char *const empty_choice[] = {"x", ""};
static const char *const null_choice[] = {"x", NULL};

/* One row per bad input: a call on the fixture and the status it returns. */
typedef int (*bad_call)(fixture *f);
typedef struct {
    const char *what;
    bad_call call;
    int want;
} row;


static int b01(fixture *f) { return hpt_space_add_float(f->sp, "n", NAN, 1, 0); }
static int b02(fixture *f) { return hpt_space_add_float(f->sp, "n", 0, INFINITY, 0); }
static int b03(fixture *f) { return hpt_space_add_float(f->sp, "n", 2, 1, 0); }
static int b04(fixture *f) { return hpt_space_add_float(f->sp, "n", 0, 1, HPT_SCALE_LOG); }
static int b05(fixture *f) { return hpt_space_add_float(f->sp, "n", -1, 1, HPT_SCALE_LOG); }
static int b06(fixture *f) { return hpt_space_add_float(f->sp, "n", 0.5, 1.0, HPT_SCALE_REVERSE_LOG); }
static int b07(fixture *f) { return hpt_space_add_float(f->sp, "n", -0.1, 0.5, HPT_SCALE_REVERSE_LOG); }
static int b08(fixture *f) { return hpt_space_add_float(f->sp, "n", 0, 1, 9); }
static int b09(fixture *f) { return hpt_space_add_float(f->sp, "", 0, 1, 0); }
static int b10(fixture *f) { return hpt_space_add_float(f->sp, NULL, 0, 1, 0); }
static int b11(fixture *f) { return hpt_space_add_float(f->sp, "lr", 0, 1, 0); }
static int b12(fixture *f) { return hpt_space_add_float(f->sp, "a b", 0, 1, 0); }
static int b13(fixture *f) { (void)f; return hpt_space_add_float(NULL, "n", 0, 1, 0); }
static int b14(fixture *f) { return hpt_space_add_int(f->sp, "n", 5, 4, 0); }
static int b15(fixture *f) { return hpt_space_add_int(f->sp, "n", 0, 10, HPT_SCALE_LOG); }
static int b16(fixture *f) { return hpt_space_add_int(f->sp, "n", 0, 1, HPT_SCALE_REVERSE_LOG); }
static int b17(fixture *f) { return hpt_space_add_int(f->sp, "n", 0, INT64_MAX, 0); }
static int b18(fixture *f) { return hpt_space_add_categorical(f->sp, "n", two, 0); }
static int b19(fixture *f) { return hpt_space_add_categorical(f->sp, "n", dup_choices, 2); }
static int b20(fixture *f) { return hpt_space_add_categorical(f->sp, "n", empty_choice, 2); }
static int b21(fixture *f) { return hpt_space_add_categorical(f->sp, "n", null_choice, 2); }
static int b22(fixture *f) { return hpt_space_add_categorical(f->sp, "n", NULL, 2); }
static int b23(fixture *f) { return hpt_study_tell(f->st, f->running, NAN); }
static int b24(fixture *f) { return hpt_study_tell(f->st, f->running, -INFINITY); }
static int b25(fixture *f) { return hpt_study_tell(f->st, 99, 1.0); }
static int b26(fixture *f) { return hpt_study_tell(f->st, -1, 1.0); }
static int b27(fixture *f) { return hpt_study_tell(f->st, f->told, 0.5); }
static int b28(fixture *f) { return hpt_study_tell_failed(f->st, f->told, "oom"); }
static int b29(fixture *f) { return hpt_study_set(f->st, "max_trials", 10); }
static int b30(fixture *f) { return hpt_study_set_str(f->st, "pruner", "none"); }
static int b31(fixture *f) { return hpt_study_report(f->st, f->running, NAN, 1.0, NULL); }
static int b32(fixture *f) { return hpt_study_report(f->st, f->running, 1.0, INFINITY, NULL); }
static int b33(fixture *f) { return hpt_study_report(f->st, f->told, 1.0, 1.0, NULL); }
static int b34(fixture *f) { double v; return hpt_trial_float(f->st, f->told, "nope", &v); }
static int b35(fixture *f) { double v; return hpt_trial_float(f->st, f->told, "layers", &v); }
static int b36(fixture *f) { int64_t v; return hpt_trial_int(f->st, 1000, "layers", &v); }
static int b37(fixture *f) { double v; return hpt_trial_value(f->st, f->running, &v); }
static int b38(fixture *f) { double v[2]; return hpt_trial_params(f->st, f->told, v, 2); }
static int b39(fixture *f) { hpt_study *s; return hpt_study_create(f->sp, "nope", 0, 0, &s); }
static int b40(fixture *f) { hpt_study *s; return hpt_study_create(f->sp, "random", 2, 0, &s); }
static int b41(fixture *f) { (void)f; return hpt_study_create(NULL, "random", 0, 0, NULL); }
static int b42(fixture *f) { int64_t id; (void)f; return hpt_study_ask(NULL, &id); }
static int b43(fixture *f) { return hpt_study_prune(f->st, f->told); }
static int b44(fixture *f) { double u[3] = {0.5, 1.5, 0.5}, x[3]; return hpt_space_decode(f->sp, u, x, 3); }
static int b45(fixture *f) { double x[3] = {1e-3, 2.5, 0}, u[3]; return hpt_space_encode(f->sp, x, u, 3); }

static int empty_space_study(fixture *f)
{
    (void)f;
    hpt_space *e = NULL;
    hpt_study *s = NULL;
    assert_ok(hpt_space_create(&e));
    int rc = hpt_study_create(e, "random", HPT_MINIMIZE, 0, &s);
    assert_null(s);
    hpt_space_destroy(e);
    return rc;
}

static int too_many_choices(fixture *f)
{
    static const char *names[HPT_MAX_CHOICES + 1];
    static char buf[HPT_MAX_CHOICES + 1][16];
    for (int i = 0; i <= HPT_MAX_CHOICES; i++) {
        snprintf(buf[i], sizeof buf[i], "c%d", i);
        names[i] = buf[i];
    }
    return hpt_space_add_categorical(f->sp, "n", names, HPT_MAX_CHOICES + 1);
}

static int too_many_params(fixture *f)
{
    (void)f;
    hpt_space *s = NULL;
    char name[16];
    assert_ok(hpt_space_create(&s));
    for (int i = 0; i < HPT_MAX_PARAMS; i++) {
        snprintf(name, sizeof name, "p%d", i);
        assert_ok(hpt_space_add_float(s, name, 0, 1, 0));
    }
    int rc = hpt_space_add_float(s, "one_more", 0, 1, 0);
    hpt_space_destroy(s);
    return rc;
}

static int long_name(fixture *f)
{
    char name[HPT_MAX_NAME + 2];
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    return hpt_space_add_float(f->sp, name, 0, 1, 0);
}

static int unknown_option(fixture *f)
{
    hpt_study *s = NULL;
    assert_ok(hpt_study_create(f->sp, "random", 0, 0, &s));
    int rc = hpt_study_set(s, "max_trails", 10);
    assert_int_equal(rc, HPT_E_NAME);
    rc = hpt_study_set(s, "grid.points", 3); /* another strategy's option */
    hpt_study_destroy(s);
    return rc;
}

static int bad_option_value(fixture *f)
{
    hpt_study *s = NULL;
    assert_ok(hpt_study_create(f->sp, "grid", 0, 0, &s));
    assert_int_equal(hpt_study_set(s, "max_trials", -1), HPT_E_INVALID);
    assert_int_equal(hpt_study_set(s, "max_trials", NAN), HPT_E_INVALID);
    assert_int_equal(hpt_study_set(s, "grid.points", 0), HPT_E_INVALID);
    int rc = hpt_study_set(s, "grid.points", 2.5);
    hpt_study_destroy(s);
    return rc;
}

static int unknown_pruner(fixture *f)
{
    hpt_study *s = NULL;
    assert_ok(hpt_study_create(f->sp, "random", 0, 0, &s));
    int rc = hpt_study_set_str(s, "pruner", "does-not-exist");
    hpt_study_destroy(s);
    return rc;
}

static const row rows[] = {
    {"float NaN lo", b01, HPT_E_INVALID},
    {"float infinite hi", b02, HPT_E_INVALID},
    {"float inverted range", b03, HPT_E_INVALID},
    {"float log with lo = 0", b04, HPT_E_INVALID},
    {"float log with lo < 0", b05, HPT_E_INVALID},
    {"float reverse-log with hi = 1", b06, HPT_E_INVALID},
    {"float reverse-log with lo < 0", b07, HPT_E_INVALID},
    {"float unknown scale", b08, HPT_E_INVALID},
    {"empty name", b09, HPT_E_INVALID},
    {"NULL name", b10, HPT_E_INVALID},
    {"duplicate name", b11, HPT_E_INVALID},
    {"name with a space", b12, HPT_E_INVALID},
    {"NULL space", b13, HPT_E_INVALID},
    {"int inverted range", b14, HPT_E_INVALID},
    {"int log with lo = 0", b15, HPT_E_INVALID},
    {"int reverse-log", b16, HPT_E_INVALID},
    {"int beyond 2^51", b17, HPT_E_INVALID},
    {"categorical with no choices", b18, HPT_E_INVALID},
    {"categorical duplicate choice", b19, HPT_E_INVALID},
    {"categorical empty choice", b20, HPT_E_INVALID},
    {"categorical NULL choice", b21, HPT_E_INVALID},
    {"categorical NULL choices", b22, HPT_E_INVALID},
    {"tell NaN", b23, HPT_E_INVALID},
    {"tell -inf", b24, HPT_E_INVALID},
    {"tell unknown id", b25, HPT_E_TRIAL},
    {"tell negative id", b26, HPT_E_TRIAL},
    {"tell twice", b27, HPT_E_STATE},
    {"fail a told trial", b28, HPT_E_STATE},
    {"option after first ask", b29, HPT_E_STAGE},
    {"string option after first ask", b30, HPT_E_STAGE},
    {"report NaN step", b31, HPT_E_INVALID},
    {"report infinite value", b32, HPT_E_INVALID},
    {"report on a finished trial", b33, HPT_E_STATE},
    {"unknown parameter name", b34, HPT_E_NAME},
    {"parameter of another type", b35, HPT_E_TYPE},
    {"unknown trial in getter", b36, HPT_E_TRIAL},
    {"value of a running trial", b37, HPT_E_STATE},
    {"params with wrong n", b38, HPT_E_INVALID},
    {"unknown strategy", b39, HPT_E_NAME},
    {"bad direction", b40, HPT_E_INVALID},
    {"create with NULL out", b41, HPT_E_INVALID},
    {"ask NULL study", b42, HPT_E_INVALID},
    {"prune a told trial", b43, HPT_E_STATE},
    {"decode outside [0,1]", b44, HPT_E_INVALID},
    {"encode non-integer int", b45, HPT_E_INVALID},
    {"study over an empty space", empty_space_study, HPT_E_INVALID},
    {"too many choices", too_many_choices, HPT_E_INVALID},
    {"too many parameters", too_many_params, HPT_E_INVALID},
    {"name longer than HPT_MAX_NAME", long_name, HPT_E_INVALID},
    {"unknown or foreign option", unknown_option, HPT_E_NAME},
    {"option value out of bounds", bad_option_value, HPT_E_INVALID},
    {"unknown pruner", unknown_pruner, HPT_E_NAME},
};

/* What the fixture recorded, to prove a failed call changed nothing. */
static void snapshot(fixture *f, char *out, size_t n)
{
    int64_t count, best;
    double bv, p[3];
    int32_t st;
    assert_ok(hpt_study_trial_count(f->st, &count));
    assert_ok(hpt_study_best(f->st, &best, &bv));
    size_t off = (size_t)snprintf(out, n, "n=%lld best=%lld/%a sp=%zu", (long long)count,
                                  (long long)best, bv, hpt_space_size(f->sp));
    for (int64_t i = 0; i < count; i++) {
        assert_ok(hpt_trial_state(f->st, i, &st));
        assert_ok(hpt_trial_params(f->st, i, p, 3));
        off += (size_t)snprintf(out + off, n - off, " [%d %a %a %a]", st, p[0], p[1], p[2]);
    }
}

static void bad_inputs(void **state)
{
    fixture *f = *state;
    assert_true(sizeof rows / sizeof rows[0] >= 25);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char before[1024], after[1024];
        snapshot(f, before, sizeof before);
        int rc = rows[i].call(f);
        if (rc != rows[i].want)
            fail_msg("row %zu (%s): got %d (%s), want %d; message: %s", i, rows[i].what,
                     rc, hpt_strerror(rc), rows[i].want, hpt_last_errmsg());
        if (hpt_last_errmsg()[0] == '\0')
            fail_msg("row %zu (%s): no error message", i, rows[i].what);
        snapshot(f, after, sizeof after);
        if (strcmp(before, after) != 0)
            fail_msg("row %zu (%s) changed the study:\n%s\n%s", i, rows[i].what, before,
                     after);
    }
    /* the study still works after all of that */
    assert_ok(hpt_study_tell(f->st, f->running, 0.25));
    int64_t best;
    assert_ok(hpt_study_best(f->st, &best, NULL));
    assert_int_equal(best, f->running);
}

static void study_message_names_the_problem(void **state)
{
    fixture *f = *state;
    assert_status(hpt_study_tell(f->st, f->told, 3.0), HPT_E_STATE);
    assert_non_null(strstr(hpt_study_errmsg(f->st), "already finished"));
    assert_non_null(strstr(hpt_last_errmsg(), "already finished"));
    assert_status(hpt_space_add_float(f->sp, "z", 0, 1, HPT_SCALE_LOG), HPT_E_INVALID);
    assert_non_null(strstr(hpt_last_errmsg(), "lo > 0"));
}

static void strerror_never_null(void **state)
{
    (void)state;
    for (int s = -100; s <= 100; s++) {
        const char *m = hpt_strerror(s);
        assert_non_null(m);
        assert_true(m[0] != '\0');
    }
    assert_non_null(hpt_strerror(INT32_MIN));
    assert_string_equal(hpt_study_errmsg(NULL), "");
}

/* Every defined error has its own text (a host may show it), and the
 * add-on range is named as such, not "unknown". */
static void statuses_are_distinct_and_addons_named(void **state)
{
    (void)state;
    static const int errors[] = {HPT_E_INVALID, HPT_E_NOMEM, HPT_E_STAGE, HPT_E_TRIAL,
                                 HPT_E_STATE, HPT_E_NAME, HPT_E_TYPE, HPT_E_NUMERIC,
                                 HPT_E_IO, HPT_E_CORRUPT, HPT_E_MISMATCH, HPT_E_LOCKED,
                                 HPT_E_RANGE, HPT_E_INACTIVE, HPT_E_EMPTY, HPT_E_NOMODEL};
    size_t n = sizeof errors / sizeof errors[0];
    for (size_t i = 0; i < n; i++) {
        assert_true(errors[i] < 0 && errors[i] > HPT_ADDON_STATUS_MAX);
        assert_string_not_equal(hpt_strerror(errors[i]), hpt_strerror(-99));
        for (size_t j = 0; j < i; j++) {
            assert_int_not_equal(errors[i], errors[j]);
            assert_string_not_equal(hpt_strerror(errors[i]), hpt_strerror(errors[j]));
        }
    }
    assert_true(HPT_ADDON_STATUS_MIN < HPT_ADDON_STATUS_MAX);
    for (int s = HPT_ADDON_STATUS_MIN; s <= HPT_ADDON_STATUS_MAX; s++)
        assert_non_null(strstr(hpt_strerror(s), "add-on"));
    assert_null(strstr(hpt_strerror(HPT_ADDON_STATUS_MIN - 1), "add-on"));
    assert_null(strstr(hpt_strerror(HPT_ADDON_STATUS_MAX + 1), "add-on"));

    /* the split codes: no complete trial, no model; a report index is not a buffer */
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &st));
    int64_t id;
    double w[1], step, v;
    assert_status(hpt_study_best(st, &id, NULL), HPT_E_EMPTY);
    assert_status(hpt_study_best_overall(st, &id, NULL), HPT_E_EMPTY);
    assert_status(hpt_study_importance_lengthscale(st, w, 1), HPT_E_NOMODEL);
    assert_status(hpt_study_importance(st, w, 1), HPT_E_STATE); /* too few trials */
    assert_ok(hpt_study_ask(st, &id));
    assert_ok(hpt_study_report(st, id, 1, 0.5, NULL));
    assert_status(hpt_trial_report(st, id, 1, &step, &v), HPT_E_INVALID);
    assert_ok(hpt_study_tell(st, id, 0.5));
    assert_ok(hpt_study_best(st, &id, &v));
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(bad_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(study_message_names_the_problem, setup, teardown),
        cmocka_unit_test(strerror_never_null),
        cmocka_unit_test(statuses_are_distinct_and_addons_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
