/* test_files.c -- what the library does with files that are not what it
 * expects: a FIFO, a device or a directory given as a journal or a parent
 * journal is refused at once (HPT_E_IO) instead of blocking or reading
 * without end, and CSV export's temporary file is private to one call. */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include "testutil.h"

/* A call that would block is killed by the alarm: the test fails instead
 * of hanging the suite. */
static void guard(void) { alarm(20); }
static void unguard(void) { alarm(0); }

static hpt_space *space1(void)
{
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", 0, 1, HPT_SCALE_LINEAR));
    return sp;
}

/* Every way of opening a journal at path fails with HPT_E_IO and says what
 * the file is. */
static void refused_everywhere(const char *path, const char *what)
{
    hpt_space *sp = space1();
    hpt_study *st = NULL, *w = NULL;
    guard();
    assert_status(hpt_study_load(path, &st), HPT_E_IO);
    assert_non_null(strstr(hpt_last_errmsg(), what));
    assert_status(hpt_study_open(path, NULL, NULL, HPT_MINIMIZE, 0, &st), HPT_E_IO);
    assert_status(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 1, &st), HPT_E_IO);
    assert_null(st);
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &w));
    assert_status(hpt_study_warm_start(w, path, HPT_WARM_IDENTICAL), HPT_E_IO);
    assert_non_null(strstr(hpt_last_errmsg(), what));
    unguard();
    /* The refused warm start left the study as it was. */
    int64_t used = -1;
    assert_ok(hpt_study_warm_info(w, &used, NULL, NULL));
    assert_int_equal(used, 0);
    hpt_study_destroy(w);
    hpt_space_destroy(sp);
}

static void test_fifo(void **state)
{
    (void)state;
    const char *path = tmp("f.jnl");
    unlink(path);
    assert_int_equal(mkfifo(path, 0600), 0);
    refused_everywhere(path, "FIFO");
    unlink(path);
}

static void test_device(void **state)
{
    (void)state;
    if (access("/dev/zero", R_OK) != 0)
        skip();
    refused_everywhere("/dev/zero", "device");
    if (access("/dev/null", R_OK | W_OK) == 0)
        refused_everywhere("/dev/null", "device");
}

static void test_directory(void **state)
{
    (void)state;
    const char *path = tmp("d.jnl");
    assert_int_equal(mkdir(path, 0700), 0);
    hpt_study *st = NULL;
    assert_status(hpt_study_load(path, &st), HPT_E_IO);
    assert_non_null(strstr(hpt_last_errmsg(), "directory"));
    hpt_space *sp = space1();
    hpt_study *w = NULL;
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &w));
    assert_status(hpt_study_warm_start(w, path, HPT_WARM_IDENTICAL), HPT_E_IO);
    assert_status(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 1, &st), HPT_E_IO);
    hpt_study_destroy(w);
    hpt_space_destroy(sp);
    rmdir(path);
}

/* A symbolic link to a regular journal is still a journal. */
static void test_symlink_to_journal(void **state)
{
    (void)state;
    const char *path = tmp("real.jnl"), *link = tmp("link.jnl");
    hpt_space *sp = space1();
    hpt_study *st = NULL;
    int64_t id;
    unlink(path);
    unlink(link);
    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 1, &st));
    assert_ok(hpt_study_ask(st, &id));
    assert_ok(hpt_study_tell(st, id, 0.5));
    hpt_study_destroy(st);
    assert_int_equal(symlink(path, link), 0);
    assert_ok(hpt_study_load(link, &st));
    int64_t n = 0;
    assert_ok(hpt_study_trial_count(st, &n));
    assert_int_equal(n, 1);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* ---- CSV export ---- */

static hpt_study *finished_study(const char *strategy, uint64_t seed, int n, double v)
{
    hpt_space *sp = space1();
    hpt_study *st = NULL;
    int64_t id;
    assert_ok(hpt_study_create(sp, strategy, HPT_MINIMIZE, seed, &st));
    for (int i = 0; i < n; i++) {
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_study_tell(st, id, v));
    }
    hpt_space_destroy(sp);
    return st;
}

static size_t count_lines(const char *path)
{
    size_t n = 0, k = 0;
    char *b = tu_slurp(path, &n);
    for (size_t i = 0; i < n; i++)
        k += b[i] == '\n';
    free(b);
    return k;
}

/* A symbolic link planted where the temporary file used to be named
 * ("<path>.tmp<pid>") is not followed: the file it points to is intact. */
static void test_export_planted_symlink(void **state)
{
    (void)state;
    const char *victim = tmp("victim.txt"), *out = tmp("out.csv");
    char planted[600];
    snprintf(planted, sizeof planted, "%s.tmp%ld", out, (long)getpid());
    FILE *f = fopen(victim, "w");
    assert_non_null(f);
    fputs("precious\n", f);
    fclose(f);
    unlink(planted);
    assert_int_equal(symlink(victim, planted), 0);
    hpt_study *st = finished_study("random", 1, 3, 1.0);
    assert_ok(hpt_study_export_csv(st, out));
    char *v = tu_slurp(victim, NULL);
    assert_string_equal(v, "precious\n");
    free(v);
    assert_int_equal(count_lines(out), 4);
    hpt_study_destroy(st);
    unlink(planted);
}

typedef struct {
    hpt_study *st;
    const char *path;
    int fails;
} exporter;

static void *export_loop(void *p)
{
    exporter *e = p;
    for (int i = 0; i < 200; i++)
        if (hpt_study_export_csv(e->st, e->path) != HPT_OK)
            e->fails++;
    return NULL;
}

/* Two studies of one process exporting to one path at once: every export
 * succeeds, the file is always one study's whole table, and no temporary
 * file is left behind. */
static void test_export_shared_path(void **state)
{
    (void)state;
    char dir[512];
    snprintf(dir, sizeof dir, "%s", tmp("shared"));
    assert_int_equal(mkdir(dir, 0700), 0);
    char out[600];
    snprintf(out, sizeof out, "%s/shared.csv", dir);
    exporter a = {finished_study("random", 1, 500, 1.0), out, 0};
    exporter b = {finished_study("sobol", 2, 700, 2.0), out, 0};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, export_loop, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, export_loop, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_int_equal(a.fails, 0);
    assert_int_equal(b.fails, 0);
    size_t lines = count_lines(out);
    assert_true(lines == 501 || lines == 701);
    DIR *d = opendir(dir);
    assert_non_null(d);
    int entries = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.')
            entries++;
    closedir(d);
    assert_int_equal(entries, 1);
    hpt_study_destroy(a.st);
    hpt_study_destroy(b.st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo),
        cmocka_unit_test(test_device),
        cmocka_unit_test(test_directory),
        cmocka_unit_test(test_symlink_to_journal),
        cmocka_unit_test(test_export_planted_symlink),
        cmocka_unit_test(test_export_shared_path),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
