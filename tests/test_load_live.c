/* test_load_live.c -- hpt_study_load on the journal of a running job: it
 * takes no lock, so it neither waits for the writer nor keeps it from
 * opening or appending; it reads whatever whole records are there, and a
 * record half written is left out. */
#include <pthread.h>
#include <signal.h>

#include "testutil.h"

static hpt_space *space2(void)
{
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_int(sp, "n", 1, 9, HPT_SCALE_LINEAR));
    return sp;
}

typedef struct {
    const char *path;
    int stop, loads, failures; /* stop and loads: atomic */
    int64_t last, backwards;
    char why[512];
} reader;

static void *read_loop(void *p)
{
    reader *r = p;
    while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
        hpt_study *st = NULL;
        int rc = hpt_study_load(r->path, &st);
        if (rc != HPT_OK) {
            if (!r->failures++)
                snprintf(r->why, sizeof r->why, "%s", hpt_last_errmsg());
            continue;
        }
        int64_t n = 0;
        hpt_study_trial_count(st, &n);
        if (n < r->last)
            r->backwards++;
        r->last = n;
        __atomic_add_fetch(&r->loads, 1, __ATOMIC_RELEASE);
        hpt_study_destroy(st);
    }
    return NULL;
}

/* A writer appends (and closes and reopens its journal now and then)
 * while another thread loads it in a loop: every load succeeds with a
 * growing number of trials, and every open of the writer succeeds (a
 * lock taken by the reader would make it fail with HPT_E_LOCKED). */
static void test_load_while_writing(void **state)
{
    (void)state;
    const char *path = tmp("live.jnl");
    hpt_space *sp = space2();
    hpt_study *w = NULL;
    int64_t id;
    unlink(path);
    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 3, &w));
    assert_ok(hpt_study_set(w, "journal.fsync", 0));
    reader r = {.path = path};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, read_loop, &r), 0);
    alarm(60);
    for (int i = 0; i < 600; i++) {
        assert_ok(hpt_study_ask(w, &id));
        assert_ok(hpt_study_report(w, id, 1, 0.5, NULL));
        assert_ok(hpt_study_tell(w, id, (double)i));
        if (i % 100 == 99) {
            hpt_study_destroy(w);
            assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 3, &w));
            assert_ok(hpt_study_set(w, "journal.fsync", 0));
        }
    }
    /* Give the reader time to load the finished journal at least once. */
    int seen = __atomic_load_n(&r.loads, __ATOMIC_ACQUIRE);
    while (__atomic_load_n(&r.loads, __ATOMIC_ACQUIRE) < seen + 2)
        usleep(1000);
    __atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    alarm(0);
    if (r.failures)
        fail_msg("%d of %d loads failed, first: %s", r.failures, r.loads + r.failures, r.why);
    print_message("%d loads during 600 trials\n", r.loads);
    assert_true(r.loads > 2);
    assert_int_equal(r.backwards, 0);
    assert_int_equal(r.last, 600);
    hpt_study_destroy(w);
    hpt_space_destroy(sp);
}

/* A record being written (no newline yet) at the end of a journal held by
 * a writer: the load reads the whole records before it, without waiting,
 * and leaves the file as it is. */
static void test_load_torn_end_of_live_journal(void **state)
{
    (void)state;
    const char *path = tmp("torn.jnl");
    hpt_space *sp = space2();
    hpt_study *w = NULL, *st = NULL;
    int64_t id, n = 0;
    unlink(path);
    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 3, &w));
    assert_ok(hpt_study_set(w, "journal.fsync", 0));
    for (int i = 0; i < 5; i++) {
        assert_ok(hpt_study_ask(w, &id));
        assert_ok(hpt_study_tell(w, id, 1.0));
    }
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    fputs("ask 5 0 0 -1 0.5", f);
    fclose(f);
    size_t before = 0, after = 0;
    free(tu_slurp(path, &before));
    alarm(20);
    assert_ok(hpt_study_load(path, &st));
    alarm(0);
    assert_ok(hpt_study_trial_count(st, &n));
    assert_int_equal(n, 5);
    hpt_study_destroy(st);
    free(tu_slurp(path, &after));
    assert_int_equal(after, before);
    hpt_study_destroy(w);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_while_writing),
        cmocka_unit_test(test_load_torn_end_of_live_journal),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
