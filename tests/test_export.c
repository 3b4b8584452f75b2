/* test_export.c -- results: CSV export, top-k, best over warm-start data,
 * parameter importance through the strategy hook. */
#include <math.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "study.h"

static void test_csv(void **state)
{
    (void)state;
    static const char *const opt[] = {"adam", "sgd, \"nesterov\""};
    hpt_space *sp;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "lr", 0.5, 0.5, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_int(sp, "layers", 3, 3, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(sp, "opt", opt, 2));
    hpt_study *st;
    assert_ok(hpt_study_create(sp, "grid", HPT_MINIMIZE, 1, &st));
    int64_t a, b, c;
    int32_t stop;
    assert_ok(hpt_study_set(st, "max_trials", 3));
    assert_ok(hpt_study_ask(st, &a)); /* adam */
    assert_ok(hpt_study_ask(st, &b)); /* sgd, "nesterov" */
    assert_ok(hpt_study_report(st, a, 1, 0.5, &stop));
    assert_ok(hpt_study_report(st, a, 2, 0.25, &stop));
    assert_ok(hpt_study_tell(st, a, 0.1));
    assert_ok(hpt_study_tell_failed(st, b, "CUDA error, \"out of memory\"\nat step 3"));
    assert_status(hpt_study_ask(st, &c), HPT_DONE); /* grid of 2 */
    char path[256];
    snprintf(path, sizeof path, "%s/hpt-export-%d.csv",
             tu_tmpdir(), (int)getpid());
    assert_ok(hpt_study_export_csv(st, path));
    char *csv = tu_slurp(path, NULL), want[1024];
    snprintf(want, sizeof want,
             "id,state,lr,layers,opt,budget,value,reports,fail_reason,asked,finished,"
             "duration\r\n"
             "0,complete,0.5,3,adam,0,0.1,2,%s\r\n"
             "1,failed,0.5,3,\"sgd, \"\"nesterov\"\"\",0,,0,"
             "\"CUDA error, \"\"out of memory\"\"\nat step 3\"%s\r\n",
             tu_times(st, a, 0), tu_times(st, b, 0));
    assert_string_equal(csv, want);
    free(csv);
    /* Python's csv module reads it back */
    if (access("/usr/bin/python3", X_OK) == 0) {
        char cmd[600];
        snprintf(cmd, sizeof cmd,
                 "/usr/bin/python3 -c 'import csv,sys\n"
                 "r=list(csv.DictReader(open(sys.argv[1],newline=\"\")))\n"
                 "assert r[1][\"opt\"]==\"sgd, \\\"nesterov\\\"\", r\n"
                 "assert r[1][\"fail_reason\"].endswith(\"\\nat step 3\")\n"
                 "assert r[0][\"value\"]==\"0.1\"' '%s'",
                 path);
        assert_int_equal(system(cmd), 0);
    }
    unlink(path);
    assert_status(hpt_study_export_csv(st, "/nonexistent-dir/x.csv"), HPT_E_IO);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

static void test_top_k(void **state)
{
    (void)state;
    hpt_space *sp = tu_mixed_space();
    for (int dir = 0; dir < 2; dir++) {
        hpt_study *st;
        assert_ok(hpt_study_create(sp, "random", dir, 1, &st));
        const double v[] = {3, 1, 4, 1, 5, 9, 2, 6};
        int64_t id, ids[10];
        size_t n;
        for (int k = 0; k < 8; k++) {
            assert_ok(hpt_study_ask(st, &id));
            if (k == 5)
                assert_ok(hpt_study_tell_failed(st, id, NULL));
            else
                assert_ok(hpt_study_tell(st, id, v[k]));
        }
        assert_ok(hpt_study_ask(st, &id)); /* running: not ranked */
        assert_ok(hpt_study_top_k(st, 10, ids, &n));
        assert_int_equal(n, 7);
        const int64_t min_order[] = {1, 3, 6, 0, 2, 4, 7}; /* ties: lower id */
        const int64_t max_order[] = {7, 4, 2, 0, 6, 1, 3};
        for (size_t i = 0; i < n; i++)
            assert_int_equal(ids[i], dir == HPT_MINIMIZE ? min_order[i] : max_order[i]);
        assert_ok(hpt_study_top_k(st, 2, ids, &n));
        assert_int_equal(n, 2);
        assert_int_equal(ids[0], dir == HPT_MINIMIZE ? 1 : 7);
        assert_ok(hpt_study_top_k(st, 0, NULL, &n));
        assert_int_equal(n, 0);
        int64_t best;
        assert_ok(hpt_study_best(st, &best, NULL));
        assert_int_equal(best, ids[0]);
        assert_ok(hpt_study_best_overall(st, &best, NULL));
        assert_int_equal(best, ids[0]); /* no warm-start data */
        hpt_study_destroy(st);
    }
    hpt_space_destroy(sp);
}

static int fake_importance(void *state, const hpti_env *env, double *out, char *msg)
{
    (void)state, (void)msg;
    for (size_t i = 0; i < env->dim; i++)
        out[i] = 1.0 / (double)(i + 1); /* lengthscales 1, 2, 3 */
    return HPT_OK;
}

static void test_importance(void **state)
{
    (void)state;
    hpt_space *sp = tu_mixed_space();
    hpt_study *st;
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &st));
    double w[3];
    assert_status(hpt_study_importance_lengthscale(st, w, 3), HPT_E_NOMODEL);
    assert_non_null(strstr(hpt_study_errmsg(st), "no model"));
    hpti_strategy_type fake = *st->type;
    const hpti_strategy_type *real = st->type;
    fake.importance = fake_importance;
    st->type = &fake;
    assert_status(hpt_study_importance_lengthscale(st, w, 2), HPT_E_INVALID);
    assert_ok(hpt_study_importance_lengthscale(st, w, 3));
    assert_true(fabs(w[0] - 6.0 / 11) < 1e-15);
    assert_true(fabs(w[1] - 3.0 / 11) < 1e-15);
    assert_true(fabs(w[2] - 2.0 / 11) < 1e-15);
    st->type = real;
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* Exporting to something that is not a regular file (a FIFO here, as
 * /dev/stdout would be) writes through it and leaves the node in place:
 * the write-beside-and-rename path once replaced /dev/stdout when run as
 * root. */
static void test_export_to_fifo(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/hpt_export_fifo_%ld", tu_tmpdir(), (long)getpid());
    unlink(path);
    assert_int_equal(mkfifo(path, 0600), 0);
    hpt_space *sp = tu_mixed_space();
    hpt_study *st;
    int64_t id;
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &st));
    assert_ok(hpt_study_ask(st, &id));
    assert_ok(hpt_study_tell(st, id, 2.0));
    pid_t pid = fork();
    if (pid == 0) { /* the reader end: drain the FIFO and count lines */
        FILE *f = fopen(path, "r");
        int c, lines = 0;
        while (f && (c = fgetc(f)) != EOF)
            lines += c == '\n';
        _exit(lines == 2 ? 0 : 1);
    }
    assert_ok(hpt_study_export_csv(st, path));
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(S_ISFIFO(sb.st_mode));
    unlink(path);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_top_k),
        cmocka_unit_test(test_importance),
        cmocka_unit_test(test_export_to_fifo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
