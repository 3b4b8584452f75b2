/* test_attrs.c -- trial and study attributes: the API, its limits, the
 * journal and the CSV export. */
#include "testutil.h"

static hpt_study *study_with_trials(int n)
{
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &st));
    hpt_space_destroy(sp);
    for (int i = 0; i < n; i++) {
        int64_t id;
        assert_ok(hpt_study_ask(st, &id));
    }
    return st;
}

static void set_get_replace(void **state)
{
    (void)state;
    hpt_study *st = study_with_trials(2);
    const char *v, *k;
    assert_ok(hpt_trial_set_attr(st, 0, "git", "abc123"));
    assert_ok(hpt_trial_set_attr(st, 0, "host", "node-7"));
    assert_ok(hpt_study_set_attr(st, "dataset", "digits v2"));
    assert_ok(hpt_study_tell(st, 1, 0.5)); /* finished trials take attributes too */
    assert_ok(hpt_trial_set_attr(st, 1, "git", "def456"));
    assert_ok(hpt_trial_attr(st, 0, "git", &v));
    assert_string_equal(v, "abc123");
    assert_ok(hpt_trial_attr(st, 1, "git", &v));
    assert_string_equal(v, "def456");
    assert_ok(hpt_study_attr(st, "dataset", &v));
    assert_string_equal(v, "digits v2");
    assert_ok(hpt_trial_set_attr(st, 0, "git", "fff"));
    assert_ok(hpt_trial_attr(st, 0, "git", &v));
    assert_string_equal(v, "fff");
    /* enumeration in the order first set; replacing keeps the place */
    assert_ok(hpt_trial_attr_at(st, 0, 0, &k, &v));
    assert_string_equal(k, "git");
    assert_string_equal(v, "fff");
    assert_ok(hpt_trial_attr_at(st, 0, 1, &k, NULL));
    assert_string_equal(k, "host");
    assert_status(hpt_trial_attr_at(st, 0, 2, &k, &v), HPT_E_RANGE);
    assert_ok(hpt_study_attr_at(st, 0, &k, &v));
    assert_string_equal(k, "dataset");
    assert_status(hpt_study_attr_at(st, 1, &k, &v), HPT_E_RANGE);
    /* a study attribute is not a trial's */
    assert_status(hpt_trial_attr(st, 0, "dataset", &v), HPT_E_NAME);
    assert_status(hpt_study_attr(st, "git", &v), HPT_E_NAME);
    hpt_study_destroy(st);
}

static void errors_and_limits(void **state)
{
    (void)state;
    hpt_study *st = study_with_trials(1);
    const char *v = "untouched", *k;
    char longkey[HPT_MAX_NAME + 2], longval[HPT_MAX_ATTR_VALUE + 2];
    memset(longkey, 'k', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    memset(longval, 'v', sizeof longval - 1);
    longval[sizeof longval - 1] = '\0';
    assert_status(hpt_trial_set_attr(NULL, 0, "a", "b"), HPT_E_INVALID);
    assert_status(hpt_trial_set_attr(st, 0, NULL, "b"), HPT_E_INVALID);
    assert_status(hpt_trial_set_attr(st, 0, "a", NULL), HPT_E_INVALID);
    assert_status(hpt_trial_set_attr(st, 1, "a", "b"), HPT_E_TRIAL);
    assert_status(hpt_trial_set_attr(st, -1, "a", "b"), HPT_E_TRIAL);
    assert_status(hpt_trial_set_attr(st, 0, "", "b"), HPT_E_INVALID);
    assert_status(hpt_trial_set_attr(st, 0, "a b", "b"), HPT_E_INVALID);
    assert_status(hpt_trial_set_attr(st, 0, "a,b", "b"), HPT_E_INVALID);
    assert_status(hpt_trial_set_attr(st, 0, longkey, "b"), HPT_E_INVALID);
    longkey[HPT_MAX_NAME] = '\0';
    assert_ok(hpt_trial_set_attr(st, 0, longkey, "b"));
    assert_status(hpt_trial_set_attr(st, 0, "a", ""), HPT_E_INVALID);
    assert_status(hpt_trial_set_attr(st, 0, "a", longval), HPT_E_INVALID);
    longval[HPT_MAX_ATTR_VALUE] = '\0';
    assert_ok(hpt_trial_set_attr(st, 0, "a", longval));
    assert_status(hpt_study_set_attr(NULL, "a", "b"), HPT_E_INVALID);
    assert_status(hpt_study_set_attr(st, "a b", "b"), HPT_E_INVALID);
    assert_status(hpt_study_set_attr(st, "a", ""), HPT_E_INVALID);
    assert_status(hpt_trial_attr(NULL, 0, "a", &v), HPT_E_INVALID);
    assert_status(hpt_trial_attr(st, 0, NULL, &v), HPT_E_INVALID);
    assert_status(hpt_trial_attr(st, 0, "a", NULL), HPT_E_INVALID);
    assert_status(hpt_trial_attr(st, 3, "a", &v), HPT_E_TRIAL);
    assert_status(hpt_trial_attr(st, 0, "zz", &v), HPT_E_NAME);
    assert_status(hpt_study_attr(st, "zz", &v), HPT_E_NAME);
    assert_status(hpt_study_attr(NULL, "zz", &v), HPT_E_INVALID);
    assert_string_equal(v, "untouched");
    assert_status(hpt_trial_attr_at(st, 5, 0, &k, &v), HPT_E_TRIAL);
    assert_status(hpt_trial_attr_at(st, 0, 0, NULL, &v), HPT_E_INVALID);
    assert_status(hpt_study_attr_at(NULL, 0, &k, &v), HPT_E_INVALID);
    /* HPT_MAX_ATTRS keys; the next is refused, replacing still works */
    char key[16];
    for (int i = 2; i < HPT_MAX_ATTRS; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_ok(hpt_trial_set_attr(st, 0, key, "x"));
    }
    assert_status(hpt_trial_set_attr(st, 0, "one-more", "x"), HPT_E_INVALID);
    assert_ok(hpt_trial_set_attr(st, 0, "k5", "y"));
    assert_ok(hpt_trial_attr_at(st, 0, HPT_MAX_ATTRS - 1, &k, &v));
    assert_status(hpt_trial_attr_at(st, 0, HPT_MAX_ATTRS, &k, &v), HPT_E_RANGE);
    hpt_study_destroy(st);
}

/* Awkward values survive the journal and appear in the CSV. */
static void journal_and_csv(void **state)
{
    (void)state;
    const char *path = tmp("attrs.journal"), *csv_path = tmp("attrs.csv");
    static const char odd[] = "a b,c \"q\" 100% \xc3\xa9\n\ttab";
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    int64_t id;
    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 1, &st));
    assert_ok(hpt_study_set_attr(st, "dataset", "digits v2"));
    for (int i = 0; i < 3; i++) {
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_study_tell(st, id, i));
    }
    assert_ok(hpt_trial_set_attr(st, 0, "git", "abc"));
    assert_ok(hpt_trial_set_attr(st, 2, "note", odd));
    assert_ok(hpt_trial_set_attr(st, 2, "git", "def"));
    hpt_study_destroy(st);

    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 1, &st));
    const char *v;
    assert_ok(hpt_study_attr(st, "dataset", &v));
    assert_string_equal(v, "digits v2");
    assert_ok(hpt_trial_attr(st, 2, "note", &v));
    assert_string_equal(v, odd);
    assert_ok(hpt_trial_attr(st, 0, "git", &v));
    assert_string_equal(v, "abc");
    assert_status(hpt_trial_attr(st, 1, "git", &v), HPT_E_NAME);
    /* the replayed study goes on journaling */
    assert_ok(hpt_trial_set_attr(st, 1, "git", "xyz"));
    hpt_study_destroy(st);

    assert_ok(hpt_study_load(path, &st));
    assert_ok(hpt_trial_attr(st, 1, "git", &v));
    assert_string_equal(v, "xyz");
    assert_ok(hpt_study_export_csv(st, csv_path));
    char *csv = tu_slurp(csv_path, NULL);
    char *nl = strstr(csv, "\r\n");
    assert_non_null(nl);
    *nl = '\0';
    assert_string_equal(csv, "id,state,lr,layers,act,budget,value,reports,fail_reason,"
                             "asked,finished,duration,attr.git,attr.note");
    char *rows = nl + 2, want[300];
    snprintf(want, sizeof want, ",0,%s,abc,\r\n", tu_times(st, 0, 0));
    assert_non_null(strstr(rows, want));
    snprintf(want, sizeof want, ",0,%s,xyz,\r\n", tu_times(st, 1, 0));
    assert_non_null(strstr(rows, want));
    snprintf(want, sizeof want, ",0,%s,def,\"a b,c \"\"q\"\" 100%% \xc3\xa9\n\ttab\"\r\n",
             tu_times(st, 2, 0));
    assert_non_null(strstr(rows, want));
    free(csv);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(set_get_replace),
        cmocka_unit_test(errors_and_limits),
        cmocka_unit_test(journal_and_csv),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
