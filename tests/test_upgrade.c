/* test_upgrade.c -- journals of format 1 (written by libhpt before record
 * sequence numbers, tests/data/journal_v1) reopen with this library: read
 * as they are by hpt_study_load, converted in place by hpt_study_open, and
 * the study goes on as if it had been written by this version. */
#include <sys/stat.h>

#include "testutil.h"

#define V1_DIR "tests/data/journal_v1/"

/* The calls that made the fixtures (see tests/data/journal_v1/README). */
static void v1_space(hpt_space **sp)
{
    static const char *const acts[] = {"relu", "tanh sig"};
    assert_ok(hpt_space_create(sp));
    assert_ok(hpt_space_add_float(*sp, "lr", 1e-4, 1e-1, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_int(*sp, "units", 1, 64, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(*sp, "act", acts, 2));
}

static double objective(const double *x)
{
    return (x[0] - 0.01) * (x[0] - 0.01) * 1e4 + (x[1] - 20) * (x[1] - 20) / 100 + x[2];
}

/* n trials; every 5th fails, every 7th is pruned after a report, the rest
 * are told; the last one is left running. */
static void v1_run(hpt_study *st, int n)
{
    for (int i = 0; i < n; i++) {
        int64_t id;
        double x[3];
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, 3));
        double v = objective(x);
        if (i == n - 1)
            return;
        if (id % 5 == 4)
            assert_ok(hpt_study_tell_failed(st, id, "out of memory"));
        else if (id % 7 == 6) {
            assert_ok(hpt_study_report(st, id, 1, v + 1, NULL));
            assert_ok(hpt_study_prune(st, id));
        } else {
            assert_ok(hpt_study_report(st, id, 1, v + 0.5, NULL));
            assert_ok(hpt_study_tell(st, id, v));
        }
    }
}

typedef struct {
    const char *strategy;
    int n;
} fixture;

static const fixture fixtures[] = {{"random", 40}, {"bayes", 20}, {"hyperband", 40}};

/* The fixture's study made again by this library, in a fresh journal. */
static hpt_study *made_again(const fixture *fx, const char *path)
{
    hpt_space *sp;
    hpt_study *st = NULL;
    v1_space(&sp);
    unlink(path);
    assert_ok(hpt_study_open(path, sp, fx->strategy, HPT_MINIMIZE, 7, &st));
    assert_ok(hpt_study_set(st, "journal.fsync", 0));
    assert_ok(hpt_study_set(st, "max_trials", 200));
    if (strcmp(fx->strategy, "bayes") == 0)
        assert_ok(hpt_study_set(st, "bayes.initial_trials", 6));
    if (strcmp(fx->strategy, "hyperband") == 0)
        assert_ok(hpt_study_warm_start(st, V1_DIR "v1-random.jnl", HPT_WARM_IDENTICAL));
    v1_run(st, fx->n);
    hpt_space_destroy(sp);
    return st;
}

static void copy_file(const char *from, const char *to)
{
    size_t n;
    char *b = tu_slurp(from, &n);
    FILE *f = fopen(to, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    fclose(f);
    free(b);
}

static int same_file(const char *a, const char *b)
{
    size_t na, nb;
    char *x = tu_slurp(a, &na), *y = tu_slurp(b, &nb);
    int same = na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

/* Same trials, bit for bit: states, parameters, budgets, values. */
static void assert_same_trials(hpt_study *a, hpt_study *b)
{
    int64_t na, nb;
    assert_ok(hpt_study_trial_count(a, &na));
    assert_ok(hpt_study_trial_count(b, &nb));
    assert_int_equal(na, nb);
    for (int64_t i = 0; i < na; i++) {
        int32_t sa, sb;
        double xa[3], xb[3], va = 0, vb = 0;
        assert_ok(hpt_trial_state(a, i, &sa));
        assert_ok(hpt_trial_state(b, i, &sb));
        assert_int_equal(sa, sb);
        assert_ok(hpt_trial_params(a, i, xa, 3));
        assert_ok(hpt_trial_params(b, i, xb, 3));
        assert_memory_equal(xa, xb, sizeof xa);
        if (sa == HPT_TRIAL_COMPLETE || sa == HPT_TRIAL_PRUNED) {
            assert_ok(hpt_trial_value(a, i, &va));
            assert_ok(hpt_trial_value(b, i, &vb));
            assert_memory_equal(&va, &vb, sizeof va);
        }
    }
}

/* Open the fixture for writing: it is converted (the original kept beside
 * it), holds the recorded trials, and goes on deterministically. */
static void test_open_converts(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof fixtures / sizeof *fixtures; k++) {
        const fixture *fx = &fixtures[k];
        char src[256], path[512], backup[600];
        snprintf(src, sizeof src, V1_DIR "v1-%s.jnl", fx->strategy);
        snprintf(path, sizeof path, "%s", tmp("up.jnl"));
        snprintf(backup, sizeof backup, "%s.v1", path);
        unlink(backup);
        copy_file(src, path);
        hpt_space *sp;
        v1_space(&sp);
        hpt_study *up = NULL;
        assert_ok(hpt_study_open(path, sp, fx->strategy, HPT_MINIMIZE, 7, &up));
        hpt_space_destroy(sp);
        const char *note;
        assert_ok(hpt_study_journal_info(up, NULL, NULL, &note));
        assert_non_null(strstr(note, "converted from format 1"));
        assert_true(same_file(backup, src));
        char *b = tu_slurp(path, NULL);
        assert_memory_equal(b, "hpt-journal 2 ", 14);
        free(b);

        /* The trials are the recorded ones (as read without conversion). */
        hpt_study *read = NULL;
        assert_ok(hpt_study_load(src, &read));
        assert_same_trials(up, read);
        hpt_study_destroy(read);
        /* The study made again by this version has the same trials where
         * its numbers are those of the version that wrote the fixture
         * (random draws; the model-based strategies' floating point may
         * differ between versions, and then the journal is the truth). */
        hpt_study *again = made_again(fx, tmp("again.jnl"));
        if (strcmp(fx->strategy, "random") == 0)
            assert_same_trials(up, again);
        hpt_study_destroy(again);
        /* A second converted copy goes on exactly like the first: the
         * trial left running is running in both; then both ask on. */
        char path2[512], backup2[600];
        snprintf(path2, sizeof path2, "%s", tmp("up2.jnl"));
        snprintf(backup2, sizeof backup2, "%s.v1", path2);
        unlink(backup2);
        copy_file(src, path2);
        v1_space(&sp);
        assert_ok(hpt_study_open(path2, sp, fx->strategy, HPT_MINIMIZE, 7, &again));
        hpt_space_destroy(sp);
        unlink(backup2);
        for (int i = 0; i < 3; i++) {
            int64_t ia, ib;
            double xa[3], xb[3];
            assert_ok(hpt_study_ask(up, &ia));
            assert_ok(hpt_study_ask(again, &ib));
            assert_int_equal(ia, ib);
            assert_ok(hpt_trial_params(up, ia, xa, 3));
            assert_ok(hpt_trial_params(again, ib, xb, 3));
            assert_memory_equal(xa, xb, sizeof xa);
            assert_ok(hpt_study_tell(up, ia, objective(xa)));
            assert_ok(hpt_study_tell(again, ib, objective(xb)));
        }
        hpt_study_destroy(again);
        hpt_study_destroy(up);

        /* Converted once: it reopens as a current journal, no new copy. */
        v1_space(&sp);
        assert_ok(hpt_study_open(path, sp, fx->strategy, HPT_MINIMIZE, 7, &up));
        hpt_space_destroy(sp);
        assert_ok(hpt_study_journal_info(up, NULL, NULL, &note));
        assert_null(strstr(note, "converted"));
        int64_t n;
        assert_ok(hpt_study_trial_count(up, &n));
        assert_int_equal(n, fx->n + 3);
        hpt_study_destroy(up);
        char second[620];
        snprintf(second, sizeof second, "%s.v1.2", path);
        assert_int_equal(access(second, F_OK), -1);
        unlink(backup);
    }
}

/* Reading (hpt_study_load, warm start) takes format 1 as it is, and
 * writes nothing. */
static void test_read_as_is(void **state)
{
    (void)state;
    const char *path = tmp("ro.jnl");
    char backup[600];
    snprintf(backup, sizeof backup, "%s.v1", path);
    copy_file(V1_DIR "v1-hyperband.jnl", path);
    hpt_study *st = NULL;
    assert_ok(hpt_study_load(path, &st));
    int64_t n = 0, used = 0;
    assert_ok(hpt_study_trial_count(st, &n));
    assert_int_equal(n, 40);
    assert_ok(hpt_study_warm_info(st, &used, NULL, NULL));
    assert_true(used > 0);
    hpt_study_destroy(st);
    assert_true(same_file(path, V1_DIR "v1-hyperband.jnl"));
    assert_int_equal(access(backup, F_OK), -1);
}

/* When the conversion cannot be done (here: every backup name is taken),
 * the open fails with HPT_E_IO saying how to convert, and the journal is
 * as it was and still readable. */
static void test_conversion_refused(void **state)
{
    (void)state;
    const char *path = tmp("no.jnl");
    copy_file(V1_DIR "v1-random.jnl", path);
    char name[620];
    for (int k = 1; k <= 9; k++) {
        if (k == 1)
            snprintf(name, sizeof name, "%s.v1", path);
        else
            snprintf(name, sizeof name, "%s.v1.%d", path, k);
        FILE *f = fopen(name, "w");
        assert_non_null(f);
        fclose(f);
    }
    hpt_study *st = NULL;
    assert_status(hpt_study_open(path, NULL, NULL, 0, 0, &st), HPT_E_IO);
    assert_null(st);
    assert_non_null(strstr(hpt_last_errmsg(), "format version 1"));
    assert_non_null(strstr(hpt_last_errmsg(), "To convert it"));
    assert_true(same_file(path, V1_DIR "v1-random.jnl"));
    char tmpname[620];
    snprintf(tmpname, sizeof tmpname, "%s.upgrade%ld", path, (long)getpid());
    assert_int_equal(access(tmpname, F_OK), -1);
    assert_ok(hpt_study_load(path, &st));
    hpt_study_destroy(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_converts),
        cmocka_unit_test(test_read_as_is),
        cmocka_unit_test(test_conversion_refused),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
