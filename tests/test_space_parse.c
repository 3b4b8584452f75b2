/* test_space_parse.c -- hpt_space_parse: every construct of the grammar
 * against the same space built with the hpt_space_* calls, the text rules
 * (comments, CRLF, blanks in choices, a parent declared after its child),
 * and every error with the line and column it names. */
#include <math.h>

#include "testutil.h"
#include "space.h"

/* a and b hold the same parameters (names, types, scales, bounds,
 * choices, steps) and the same conditions in the same order. */
static void assert_same_space(const hpt_space *a, const hpt_space *b)
{
    assert_int_equal(hpt_space_size(a), hpt_space_size(b));
    for (size_t i = 0; i < hpt_space_size(a); i++) {
        int32_t ta, tb, sa, sb;
        double la, lb, ha, hb;
        size_t na, nb;
        const char *ma, *mb;
        assert_ok(hpt_space_param_info(a, i, &ta, &sa, &la, &ha, &na));
        assert_ok(hpt_space_param_info(b, i, &tb, &sb, &lb, &hb, &nb));
        assert_ok(hpt_space_param_name(a, i, &ma));
        assert_ok(hpt_space_param_name(b, i, &mb));
        assert_string_equal(ma, mb);
        if (ta != tb || sa != sb || la != lb || ha != hb || na != nb)
            fail_msg("parameter %zu '%s' differs", i, ma);
        assert_true(hpt_space_param_step(a, i) == hpt_space_param_step(b, i));
        for (size_t j = 0; j < na; j++) {
            assert_ok(hpt_space_choice_name(a, i, j, &ma));
            assert_ok(hpt_space_choice_name(b, i, j, &mb));
            assert_string_equal(ma, mb);
        }
    }
    assert_true(hpti_space_same_conditions(a, b));
}

static hpt_space *parse_ok(const char *text)
{
    hpt_space *sp = NULL;
    int rc = hpt_space_parse(text, &sp);
    if (rc != HPT_OK)
        fail_msg("parse of <<%s>> returned %d: %s", text, rc, hpt_last_errmsg());
    return sp;
}

/* Every construct, and the space the calls make. */
static void every_construct(void **state)
{
    (void)state;
    static const char *text =
        "# a network whose optimizer decides which parameters matter\n"
        "cat optimizer=sgd,adam,rmsprop\n"
        "float lr=1e-5:1e-1:log\n"
        "float momentum=0.5:0.99 if optimizer=sgd,rmsprop\n"
        "float beta1=0.8:0.999:logit if optimizer=adam\n"
        "float drop=0:0.5:step=0.1\n"
        "float frac=0.01:0.99:reverse-log\n"
        "float any=0.5:2:auto\n"
        "int layers=1:4\n"
        "int units3=16:256:log if layers>=3\n"
        "int small=1:8:lin if layers<=2\n"
        "int mid=0:9:step=3:linear if layers=2:3\n"
        "int two=0:1 if layers=2\n"
        "float open=0:1 if lr=1e-3:inf\n"
        "cat nesterov=yes,no if optimizer=sgd if momentum>=0.9\n";
    hpt_space *got = parse_ok(text), *want;
    static const char *const opt[] = {"sgd", "adam", "rmsprop"}, *const yn[] = {"yes", "no"};
    static const char *const sgd_rms[] = {"sgd", "rmsprop"}, *const adam[] = {"adam"};
    assert_ok(hpt_space_create(&want));
    assert_ok(hpt_space_add_categorical(want, "optimizer", opt, 3));
    assert_ok(hpt_space_add_float(want, "lr", 1e-5, 1e-1, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_float(want, "momentum", 0.5, 0.99, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(want, "beta1", 0.8, 0.999, HPT_SCALE_LOGIT));
    assert_ok(hpt_space_add_float(want, "drop", 0, 0.5, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_set_step(want, "drop", 0.1));
    assert_ok(hpt_space_add_float(want, "frac", 0.01, 0.99, HPT_SCALE_REVERSE_LOG));
    assert_ok(hpt_space_add_float(want, "any", 0.5, 2, HPT_SCALE_AUTO));
    assert_ok(hpt_space_add_int(want, "layers", 1, 4, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_int(want, "units3", 16, 256, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_int(want, "small", 1, 8, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_int(want, "mid", 0, 9, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_set_step(want, "mid", 3));
    assert_ok(hpt_space_add_int(want, "two", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(want, "open", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(want, "nesterov", yn, 2));
    assert_ok(hpt_space_add_condition(want, "momentum", "optimizer", sgd_rms, 2));
    assert_ok(hpt_space_add_condition(want, "beta1", "optimizer", adam, 1));
    assert_ok(hpt_space_add_condition_range(want, "units3", "layers", 3, INFINITY));
    assert_ok(hpt_space_add_condition_range(want, "small", "layers", -INFINITY, 2));
    assert_ok(hpt_space_add_condition_range(want, "mid", "layers", 2, 3));
    assert_ok(hpt_space_add_condition_range(want, "two", "layers", 2, 2));
    assert_ok(hpt_space_add_condition_range(want, "open", "lr", 1e-3, INFINITY));
    assert_ok(hpt_space_add_condition(want, "nesterov", "optimizer", opt, 1));
    assert_ok(hpt_space_add_condition_range(want, "nesterov", "momentum", 0.9, INFINITY));
    assert_same_space(got, want);

    /* and it behaves so: nesterov is active for sgd with momentum >= 0.9 only */
    double x[15] = {0, 1e-3, 0.95, 0.9, 0.2, 0.5, 1, 3, 100, 1, 3, 0, 0.5, 0};
    unsigned char active[15];
    hpti_space_active(got, x, active);
    assert_true(active[2] && !active[3] && active[8] && !active[9] && active[10] &&
                !active[11] && active[13]);
    x[2] = 0.6;
    hpti_space_active(got, x, active);
    assert_false(active[13]);
    hpt_space_destroy(got);
    hpt_space_destroy(want);
}

/* CRLF, tabs, comments and blank lines; blanks inside choices are kept,
 * also at the end of a line; a parent declared after its child; a
 * condition on a conditional parent. */
static void text_rules(void **state)
{
    (void)state;
    hpt_space *got = parse_ok("\r\n"
                              "  # comment\r\n"
                              "\t\r\n"
                              "float\tm=0:1\t if  o=a b  if n>=2 \r\n"
                              "   cat o=a b, c d ,#e,x=y\r\n"
                              "int n=1:3 if o= c d \n"
                              "cat tail=p,q \n"
                              "float last=0:1"),
              *want;
    static const char *const o[] = {"a b", " c d ", "#e", "x=y"}, *const t[] = {"p", "q "};
    static const char *const ab[] = {"a b"}, *const cd[] = {" c d "};
    assert_ok(hpt_space_create(&want));
    assert_ok(hpt_space_add_float(want, "m", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(want, "o", o, 4));
    assert_ok(hpt_space_add_int(want, "n", 1, 3, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(want, "tail", t, 2));
    assert_ok(hpt_space_add_float(want, "last", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_condition(want, "m", "o", ab, 1));
    assert_ok(hpt_space_add_condition_range(want, "m", "n", 2, INFINITY));
    assert_ok(hpt_space_add_condition(want, "n", "o", cd, 1));
    assert_same_space(got, want);
    hpt_space_destroy(got);
    hpt_space_destroy(want);

    /* nothing to declare: an empty space */
    got = parse_ok("# only a comment\n\n");
    assert_int_equal(hpt_space_size(got), 0);
    hpt_space_destroy(got);
    got = parse_ok("");
    assert_int_equal(hpt_space_size(got), 0);
    hpt_space_destroy(got);
}

/* The error, its line and column, and a word of its reason. */
static void every_error(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int line, column;
        const char *says;
    } cases[] = {
        {"floaty x=0:1", 1, 1, "expected float, int or cat"},
        {"float", 1, 6, "expected NAME="},
        {"float x", 1, 7, "expected NAME="},
        {"float =0:1", 1, 7, "expected NAME="},
        {"float x=", 1, 9, "has no range"},
        {"cat c=", 1, 7, "has no choices"},
        {"float x=1", 1, 9, "wants LO:HI"},
        {"float x=a:1", 1, 9, "not a finite number"},
        {"float x=0:inf", 1, 11, "not a finite number"},
        {"float x=0:1e999", 1, 11, "not a finite number"},
        {"\n\nfloat x=2:1", 3, 9, "lo 2 > hi 1"},
        {"float x=0:1:cubic", 1, 13, "unknown scale 'cubic'"},
        {"float x=0:1:log", 1, 9, "log scale"},
        {"float x=0:1:logit", 1, 9, "logit scale"},
        {"float x=1:2:log:linear", 1, 17, "scale given twice"},
        {"float x=0:1:step=0.1:step=0.2", 1, 22, "step given twice"},
        {"float x=0:1:step=z", 1, 13, "bad step 'z'"},
        {"float x=0:1:step=-1", 1, 13, "step must be"},
        {"float x=1:10:log:step=1", 1, 18, "scale"},
        {"float x=0:1:a:b:c", 1, 17, "too many"},
        {"int n=1.5:3", 1, 7, "not an integer"},
        {"int n=1:99999999999999999999", 1, 9, "not an integer"},
        {"int n=1:3:step=1.5", 1, 11, "whole number"},
        {"int n=1:3:logit", 1, 7, "logit is for floats"},
        {"int n=-4503599627370497:0", 1, 7, "2^51"},
        {"cat c=a,,b", 1, 9, "choice 2 is empty"},
        {"cat c=a,b,", 1, 11, "choice 3 is empty"},
        {"cat c=a,a", 1, 7, "twice"},
        {"float x=0:1\nfloat x=0:2", 2, 7, "already exists"},
        {"float bad name=0:1", 1, 7, "expected NAME="},
        {"float b@d=0:1", 1, 7, "character outside"},
        {"float x=0:1 foo", 1, 13, "expected 'if PARENT"},
        {"float x=0:1 if", 1, 13, "expected 'if PARENT"},
        {"float x=0:1 if y", 1, 16, "wants PARENT="},
        {"float x=0:1 if =3", 1, 16, "names no parent"},
        {"float x=0:1 if y=1", 1, 16, "no parameter 'y'"},
        {"float x=0:1 if x>=0.5", 1, 16, "conditional on itself"},
        {"float x=0:1 if y=1\nfloat y=0:1 if x=0.5", 2, 16, "cycle"},
        {"cat o=a,b\nfloat x=0:1 if o=c", 2, 18, "no choice 'c'"},
        {"cat o=a,b\nfloat x=0:1 if o=a,a", 2, 16, "twice"},
        {"cat o=a,b\nfloat x=0:1 if o>=1", 2, 16, "is categorical"},
        {"float y=0:1\nfloat x=0:1 if y=a", 2, 18, "not a number"},
        {"float y=0:1\nfloat x=0:1 if y=0:b", 2, 20, "not a number"},
        {"float y=0:1\nfloat x=0:1 if y=nan", 2, 18, "not a number"},
        {"float y=0:1\nfloat x=0:1 if y=0.5:0.2", 2, 16, "bad range"},
        {"float y=0:1\nfloat x=0:1 if y>=2", 2, 16, "never be active"},
        {"cat o=a\n\n  float x=0:1 if o=a if z<=1", 3, 25, "no parameter 'z'"},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hpt_space *sp = (hpt_space *)&sp;
        int rc = hpt_space_parse(cases[i].text, &sp);
        char where[64];
        snprintf(where, sizeof where, "hpt_space_parse: line %d, column %d: ", cases[i].line,
                 cases[i].column);
        const char *m = hpt_last_errmsg();
        if (rc != HPT_E_INVALID || sp != NULL || strncmp(m, where, strlen(where)) != 0 ||
            !strstr(m, cases[i].says))
        {
            print_error("<<%s>>: rc %d, message '%s'; want '%s...%s'\n", cases[i].text, rc,
                        m, where, cases[i].says);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
    hpt_space *sp;
    assert_status(hpt_space_parse(NULL, &sp), HPT_E_INVALID);
    assert_null(sp);
    assert_status(hpt_space_parse("float x=0:1", NULL), HPT_E_INVALID);
    /* a good parse clears the last error */
    assert_ok(hpt_space_parse("float x=0:1", &sp));
    assert_string_equal(hpt_last_errmsg(), "");
    hpt_space_destroy(sp);
}

/* A parsed space runs like one made by the calls: same seed, same trials. */
static void same_trials(void **state)
{
    (void)state;
    hpt_space *a = parse_ok("cat o=sgd,adam\nfloat m=0:1:step=0.25 if o=sgd\nint k=1:9:log\n"),
              *b;
    static const char *const o[] = {"sgd", "adam"}, *const sgd[] = {"sgd"};
    assert_ok(hpt_space_create(&b));
    assert_ok(hpt_space_add_categorical(b, "o", o, 2));
    assert_ok(hpt_space_add_float(b, "m", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_set_step(b, "m", 0.25));
    assert_ok(hpt_space_add_int(b, "k", 1, 9, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_condition(b, "m", "o", sgd, 1));
    hpt_study *sa, *sb;
    assert_ok(hpt_study_create(a, "random", HPT_MINIMIZE, 7, &sa));
    assert_ok(hpt_study_create(b, "random", HPT_MINIMIZE, 7, &sb));
    for (int k = 0; k < 20; k++) {
        int64_t ia, ib;
        double xa[3], xb[3];
        assert_ok(hpt_study_ask(sa, &ia));
        assert_ok(hpt_study_ask(sb, &ib));
        assert_ok(hpt_trial_params(sa, ia, xa, 3));
        assert_ok(hpt_trial_params(sb, ib, xb, 3));
        assert_memory_equal(xa, xb, sizeof xa);
        assert_true(isnan(xa[1]) || fmod(xa[1], 0.25) == 0);
    }
    hpt_study_destroy(sa);
    hpt_study_destroy(sb);
    hpt_space_destroy(a);
    hpt_space_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_construct),
        cmocka_unit_test(text_rules),
        cmocka_unit_test(every_error),
        cmocka_unit_test(same_trials),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
