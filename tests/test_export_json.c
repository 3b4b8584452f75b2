/* test_export_json.c -- hpt_study_export_json: the document's exact text for
 * a small study (escapes, nulls, reports in the user's direction), and its
 * argument checks. */
#include <unistd.h>

#include "testutil.h"

/* Inactive parameters are null. */
static void test_json_inactive(void **state)
{
    (void)state;
    static const char *const opt[] = {"sgd", "adam"};
    hpt_space *sp;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_categorical(sp, "opt", opt, 2));
    assert_ok(hpt_space_add_float(sp, "momentum", 0.5, 0.5, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_condition(sp, "momentum", "opt", opt, 1));
    hpt_study *st;
    assert_ok(hpt_study_create(sp, "grid", HPT_MINIMIZE, 1, &st));
    hpt_space_destroy(sp);
    int64_t a, b;
    assert_ok(hpt_study_ask(st, &a));
    assert_ok(hpt_study_ask(st, &b));
    char path[256];
    snprintf(path, sizeof path, "%s/hpt-export-inactive-%d.json", tu_tmpdir(), (int)getpid());
    assert_ok(hpt_study_export_json(st, path));
    char *text = tu_slurp(path, NULL);
    assert_non_null(strstr(text, "\"params\": {\"opt\": \"sgd\", \"momentum\": 0.5}"));
    assert_non_null(strstr(text, "\"params\": {\"opt\": \"adam\", \"momentum\": null}"));
    free(text);
    unlink(path);
    hpt_study_destroy(st);
}

static void test_json_text(void **state)
{
    (void)state;
    static const char *const opt[] = {"adam", "sgd \"nesterov\"\\"};
    hpt_space *sp;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "lr", 0.5, 0.5, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_int(sp, "layers", 3, 3, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(sp, "opt", opt, 2));
    hpt_study *st;
    assert_ok(hpt_study_create(sp, "grid", HPT_MAXIMIZE, 1, &st));
    hpt_space_destroy(sp);
    int64_t a, b, c;
    int32_t stop;
    assert_ok(hpt_study_ask(st, &a));
    assert_ok(hpt_study_ask(st, &b));
    assert_ok(hpt_study_report(st, a, 1, 0.25, &stop));
    assert_ok(hpt_study_tell(st, a, 0.1));
    assert_ok(hpt_trial_set_attr(st, a, "host", "n\"1"));
    assert_ok(hpt_study_set_attr(st, "git", "abc"));
    assert_ok(hpt_study_tell_failed(st, b, "out of memory\nat step 3\t(\x01)"));
    assert_status(hpt_study_ask(st, &c), HPT_DONE);
    char path[256];
    snprintf(path, sizeof path, "%s/hpt-export-%d.json", tu_tmpdir(), (int)getpid());
    assert_ok(hpt_study_export_json(st, path));
    char *text = tu_slurp(path, NULL), want[2048];
    snprintf(want, sizeof want,
             "{\"direction\": \"maximize\", \"attrs\": {\"git\": \"abc\"}, "
             "\"trials\": [\n"
             "  {\"id\": 0, \"state\": \"complete\", \"params\": {\"lr\": 0.5, "
             "\"layers\": 3, \"opt\": \"adam\"}, \"value\": 0.1, \"budget\": 0, "
             "\"parent\": -1, \"reports\": [[1, 0.25]], \"fail_reason\": null%s, "
             "\"attrs\": {\"host\": \"n\\\"1\"}},\n"
             "  {\"id\": 1, \"state\": \"failed\", \"params\": {\"lr\": 0.5, "
             "\"layers\": 3, \"opt\": \"sgd \\\"nesterov\\\"\\\\\"}, \"value\": null, "
             "\"budget\": 0, \"parent\": -1, \"reports\": [], \"fail_reason\": "
             "\"out of memory\\nat step 3\\t(\\u0001)\"%s, \"attrs\": {}}\n"
             "]}\n",
             tu_times(st, a, 1), tu_times(st, b, 1));
    assert_string_equal(text, want);
    free(text);
    unlink(path);
    assert_status(hpt_study_export_json(st, NULL), HPT_E_INVALID);
    assert_status(hpt_study_export_json(NULL, path), HPT_E_INVALID);
    assert_status(hpt_study_export_json(st, "/nonexistent-dir/x.json"), HPT_E_IO);
    hpt_study_destroy(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_json_text),
                                       cmocka_unit_test(test_json_inactive)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
