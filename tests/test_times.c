/* test_times.c -- hpt_trial_times: Unix times of ask and end, NaN while a
 * trial runs, monotone; the same values after a reopen and a load (also of
 * a running job); journals without "clock" records (older libhpt); the
 * CSV export's columns. Sleeps give lower bounds only, never a timing. */
#include <math.h>
#include <time.h>

#include "testutil.h"
#include "journal.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0)
        ;
}

static hpt_space *space(void)
{
    hpt_space *sp;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", 0, 1, HPT_SCALE_LINEAR));
    return sp;
}

static void times(const hpt_study *st, int64_t id, double *a, double *f)
{
    assert_ok(hpt_trial_times(st, id, a, f));
}

static void errors(void **state)
{
    (void)state;
    hpt_space *sp = space();
    hpt_study *st;
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &st));
    double a, f;
    assert_status(hpt_trial_times(NULL, 0, &a, &f), HPT_E_INVALID);
    assert_status(hpt_trial_times(st, 0, &a, &f), HPT_E_TRIAL);
    int64_t id;
    assert_ok(hpt_study_ask(st, &id));
    assert_status(hpt_trial_times(st, 1, &a, &f), HPT_E_TRIAL);
    assert_status(hpt_trial_times(st, -1, &a, &f), HPT_E_TRIAL);
    assert_non_null(strstr(hpt_study_errmsg(st), "no trial -1"));
    assert_ok(hpt_trial_times(st, 0, NULL, NULL));
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* Asked between the wall clock read before and after the ask (to the
 * millisecond the times have); finished NaN until the tell, then not
 * before the sleep in between ended; later trials never earlier. */
static void live_times(void **state)
{
    (void)state;
    hpt_space *sp = space();
    hpt_study *st;
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &st));
    double prev_end = 0;
    for (int k = 0; k < 3; k++) {
        int64_t id;
        double before = now();
        assert_ok(hpt_study_ask(st, &id));
        double after = now(), a, f;
        times(st, id, &a, &f);
        assert_true(a >= before - 0.002 && a <= after + 0.002);
        assert_true(a >= prev_end);
        assert_true(isnan(f));
        sleep_ms(30);
        if (k == 0)
            assert_ok(hpt_study_tell(st, id, 1));
        else if (k == 1)
            assert_ok(hpt_study_tell_failed(st, id, "x"));
        else {
            int32_t stop;
            assert_ok(hpt_study_report(st, id, 1, 2, &stop));
            assert_ok(hpt_study_prune(st, id));
        }
        double a2;
        times(st, id, &a2, &f);
        assert_true(a2 == a);
        assert_true(f - a >= 0.028); /* 30 ms, to the ms and a rounding */
        assert_true(f <= now() + 0.002);
        prev_end = f;
    }
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

typedef struct {
    int64_t n;
    double a[8], f[8];
} snapshot;

static snapshot snap(const hpt_study *st)
{
    snapshot s;
    assert_ok(hpt_study_trial_count(st, &s.n));
    assert_true(s.n <= 8);
    for (int64_t i = 0; i < s.n; i++)
        times(st, i, &s.a[i], &s.f[i]);
    return s;
}

static void assert_same(const snapshot *x, const snapshot *y)
{
    assert_int_equal(x->n, y->n);
    for (int64_t i = 0; i < x->n; i++)
        if (memcmp(&x->a[i], &y->a[i], sizeof(double)) != 0 ||
            memcmp(&x->f[i], &y->f[i], sizeof(double)) != 0)
            fail_msg("trial %lld: times %.17g %.17g, reopened %.17g %.17g", (long long)i,
                     x->a[i], x->f[i], y->a[i], y->f[i]);
}

static int count_records(const char *path, const char *type)
{
    char *b = tu_slurp(path, NULL);
    int n = 0;
    size_t len = strlen(type);
    for (char *p = b; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, type, len) == 0 && p[len] == ' ')
            n++;
    free(b);
    return n;
}

/* Times survive a reopen (a second session goes on from them), a load of
 * the running job, and appear in the CSV export. */
static void journal_round_trip(void **state)
{
    (void)state;
    const char *path = tmp("t.jnl");
    hpt_space *sp = space();
    hpt_study *st, *ld;
    int64_t a, b, c;
    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 3, &st));
    assert_ok(hpt_study_ask(st, &a));
    assert_ok(hpt_study_ask(st, &b));
    sleep_ms(20);
    assert_ok(hpt_study_tell(st, a, 1));
    snapshot s1 = snap(st);
    assert_true(isnan(s1.f[b]) && isfinite(s1.a[b]) && isfinite(s1.f[a]));

    /* the running job, read from its journal by another handle */
    assert_ok(hpt_study_load(path, &ld));
    snapshot l1 = snap(ld);
    assert_same(&s1, &l1);
    hpt_study_destroy(ld);
    hpt_study_destroy(st);
    assert_int_equal(count_records(path, "clock"), 1);

    sleep_ms(20);
    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 3, &st));
    snapshot s2 = snap(st);
    assert_same(&s1, &s2);
    double before = now();
    assert_ok(hpt_study_tell(st, b, 2)); /* ends in the second session */
    assert_ok(hpt_study_ask(st, &c));
    double after = now(), ab, fb, ac, fc;
    times(st, b, &ab, &fb);
    assert_true(ab == s1.a[b]);
    assert_true(fb >= before - 0.002 && fb <= after + 0.002);
    assert_true(fb - ab >= 0.038); /* the time between the sessions counts */
    times(st, c, &ac, &fc);
    assert_true(ac >= fb && isnan(fc));
    snapshot s3 = snap(st);
    hpt_study_destroy(st);
    assert_int_equal(count_records(path, "clock"), 2);

    assert_ok(hpt_study_load(path, &ld));
    snapshot l3 = snap(ld);
    assert_same(&s3, &l3);

    const char *csv_path = tmp("t.csv");
    assert_ok(hpt_study_export_csv(ld, csv_path));
    char *csv = tu_slurp(csv_path, NULL);
    assert_non_null(strstr(csv, ",fail_reason,asked,finished,duration\r\n"));
    for (int64_t id = 0; id < s3.n; id++) {
        char row[300], dur[40] = "", as[40], fs[40] = "";
        tu_shortest(as, sizeof as, s3.a[id]);
        if (!isnan(s3.f[id])) {
            tu_shortest(fs, sizeof fs, s3.f[id]);
            snprintf(dur, sizeof dur, "%.3f", s3.f[id] - s3.a[id]);
            while (dur[strlen(dur) - 1] == '0') /* the shortest form */
                dur[strlen(dur) - 1] = '\0';
            if (dur[strlen(dur) - 1] == '.')
                dur[strlen(dur) - 1] = '\0';
        }
        snprintf(row, sizeof row, ",%s,%s,%s\r\n", as, fs, dur);
        if (!strstr(csv, row))
            fail_msg("trial %lld: no '%s' in\n%s", (long long)id, row, csv);
    }
    free(csv);
    hpt_study_destroy(ld);
    hpt_space_destroy(sp);
}

/* Copy a journal without its "clock" records, renumbered and checksummed:
 * what a libhpt before hpt_trial_times wrote. */
static void drop_clock(const char *from, const char *to)
{
    char *b = tu_slurp(from, NULL);
    FILE *f = fopen(to, "wb");
    assert_non_null(f);
    int seq = 0;
    for (char *p = b; *p;) {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        if (strncmp(p, "clock ", 6) != 0) {
            /* strip " <seq> <crc>", write it again with the new number */
            char *crc = strrchr(p, ' ');
            *crc = '\0';
            *strrchr(p, ' ') = '\0';
            char line[1200];
            snprintf(line, sizeof line, "%s %d", p, ++seq);
            fprintf(f, "%s %08x\n", line, (unsigned)hpti_crc32(line, strlen(line)));
        }
        p = nl + 1;
    }
    fclose(f);
    free(b);
}

/* A journal without times reopens, its trials' times NaN; trials of the
 * new session have them. */
static void journal_without_clock(void **state)
{
    (void)state;
    const char *path = tmp("c.jnl"), *old = tmp("c-old.jnl");
    hpt_space *sp = space();
    hpt_study *st;
    int64_t a, b, c;
    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 5, &st));
    assert_ok(hpt_study_ask(st, &a));
    assert_ok(hpt_study_ask(st, &b));
    assert_ok(hpt_study_tell(st, a, 1));
    hpt_study_destroy(st);
    drop_clock(path, old);
    assert_int_equal(count_records(old, "clock"), 0);
    assert_int_equal(count_records(old, "ask"), 2);

    assert_ok(hpt_study_open(old, sp, "random", HPT_MINIMIZE, 5, &st));
    double ta, tf;
    times(st, a, &ta, &tf);
    assert_true(isnan(ta) && isnan(tf));
    times(st, b, &ta, &tf);
    assert_true(isnan(ta) && isnan(tf));
    assert_ok(hpt_study_tell(st, b, 2));
    times(st, b, &ta, &tf);
    assert_true(isnan(ta) && isfinite(tf));
    assert_ok(hpt_study_ask(st, &c));
    times(st, c, &ta, &tf);
    assert_true(isfinite(ta) && isnan(tf));
    const char *csv_path = tmp("c.csv");
    assert_ok(hpt_study_export_csv(st, csv_path));
    char *csv = tu_slurp(csv_path, NULL);
    assert_non_null(strstr(csv, "\r\n0,complete,"));
    assert_non_null(strstr(csv, ",0,,,,\r\n1,complete,")); /* trial 0: no times */
    free(csv);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(errors),
        cmocka_unit_test(live_times),
        cmocka_unit_test(journal_round_trip),
        cmocka_unit_test(journal_without_clock),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
