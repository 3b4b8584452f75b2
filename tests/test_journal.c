/* test_journal.c -- the journal format: checksum, number round-trip, the
 * records written, damage (torn, bit-flipped, truncated), mismatch, lock. */
#include <math.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "journal.h"
#include "rng.h"
#include "study.h"

static void spit(const char *path, const char *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    fclose(f);
}

static void test_crc32(void **state)
{
    (void)state;
    /* The CRC-32 check value (catalogue of parametrised CRC algorithms). */
    assert_int_equal(hpti_crc32("123456789", 9), 0xCBF43926u);
    assert_int_equal(hpti_crc32("", 0), 0u);
    /* Against the bitwise definition, on random bytes. */
    unsigned char b[257];
    for (int i = 0; i < 257; i++)
        b[i] = (unsigned char)(i * 131 + 7);
    uint32_t c = 0xFFFFFFFFu;
    for (int i = 0; i < 257; i++) {
        c ^= b[i];
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    assert_int_equal(hpti_crc32(b, 257), c ^ 0xFFFFFFFFu);
}

static void test_double_roundtrip(void **state)
{
    (void)state;
    hpti_rng r;
    hpti_rng_seed(&r, 7, 0);
    char b[32];
    double specials[] = {0.1, -0.0, 0.0, 1e-310, 5e-324, 1.7976931348623157e308,
                         -2.2250738585072014e-308, 1.0 / 3.0, 123456789012345678.0};
    for (size_t i = 0; i < sizeof specials / sizeof *specials; i++) {
        hpti_fmt_double(b, specials[i]);
        double y;
        assert_int_equal(hpti_jparse_double(b, &y), 0);
        assert_memory_equal(&y, &specials[i], sizeof y);
    }
    hpti_fmt_double(b, 0.1);
    assert_string_equal(b, "0.1"); /* shortest form, readable */
    for (int i = 0; i < 100000; i++) {
        uint64_t bits = hpti_rng_next(&r);
        double x;
        memcpy(&x, &bits, sizeof x);
        if (!isfinite(x))
            continue;
        hpti_fmt_double(b, x);
        double y;
        assert_int_equal(hpti_jparse_double(b, &y), 0);
        if (memcmp(&x, &y, sizeof x) != 0)
            fail_msg("%a -> '%s' -> %a", x, b, y);
    }
}

/* A small journaled study with every record type; returns trial count. */
static void make_journal(const char *path, int finish_last)
{
    hpt_space *sp = tu_mixed_space();
    hpt_study *st;
    int64_t id;
    int32_t stop;
    unlink(path);
    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 11, &st));
    assert_ok(hpt_study_set(st, "journal.fsync", 0));
    assert_ok(hpt_study_set(st, "journal.exclusive", 1)); /* no leases: the lines below */
    assert_ok(hpt_study_set(st, "max_trials", 50));
    assert_ok(hpt_study_set_str(st, "pruner", "none"));
    assert_ok(hpt_study_ask(st, &id));                  /* 0 */
    assert_ok(hpt_study_report(st, id, 1, 0.5, &stop));
    assert_ok(hpt_study_tell(st, id, 0.25));
    assert_ok(hpt_study_ask(st, &id));                  /* 1 */
    assert_ok(hpt_study_tell_failed(st, id, "out of memory, 100% \"gone\"\n"));
    assert_ok(hpt_study_ask(st, &id));                  /* 2 */
    assert_ok(hpt_study_report(st, id, 1, 0.75, &stop));
    assert_ok(hpt_study_prune(st, id));
    assert_ok(hpt_study_ask(st, &id));                  /* 3 */
    if (finish_last)
        assert_ok(hpt_study_tell(st, id, 1.0 / 3.0));
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

static hpt_study *reopen(const char *path)
{
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    int rc = hpt_study_open(path, sp, "random", HPT_MINIMIZE, 11, &st);
    hpt_space_destroy(sp);
    if (rc != HPT_OK)
        fail_msg("reopen: %s", hpt_last_errmsg());
    return st;
}

static void test_records_and_reopen(void **state)
{
    (void)state;
    const char *path = tmp("a.jnl");
    make_journal(path, 1);
    size_t n;
    char *b = tu_slurp(path, &n);
    /* Header, then a readable record per event, each with its checksum. */
    assert_memory_equal(b, "hpt-journal 2 libhpt-", 21);
    assert_non_null(strstr(b, "\ncreate random minimize 11 3 "));
    assert_non_null(strstr(b, "\nparam lr float log 1.0000000000000001e-05 0.10000000000000001 ") ||
                    strstr(b, "\nparam lr float log 1e-05 0.1 "));
    assert_non_null(strstr(b, "\nparam act categorical 3 relu tanh sigmoid "));
    assert_non_null(strstr(b, "\noption max_trials 50 "));
    assert_null(strstr(b, "journal.fsync")); /* a setting of the handle */
    assert_non_null(strstr(b, "\noption_str pruner none "));
    assert_non_null(strstr(b, " out%20of%20memory,%20100%25%20\"gone\"%0a "));
    for (char *line = b; *line;) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        char *sp = nl;
        while (sp[-1] != ' ')
            sp--;
        uint32_t crc = (uint32_t)strtoul(sp, NULL, 16);
        assert_int_equal(hpti_crc32(line, (size_t)(sp - 1 - line)), crc);
        line = nl + 1;
    }
    free(b);

    hpt_study *st = reopen(path);
    int64_t count, records, dropped;
    int32_t s;
    double v;
    const char *note, *reason;
    assert_ok(hpt_study_trial_count(st, &count));
    assert_int_equal(count, 4);
    assert_ok(hpt_trial_state(st, 0, &s));
    assert_int_equal(s, HPT_TRIAL_COMPLETE);
    assert_ok(hpt_trial_state(st, 1, &s));
    assert_int_equal(s, HPT_TRIAL_FAILED);
    assert_ok(hpt_trial_fail_reason(st, 1, &reason));
    assert_string_equal(reason, "out of memory, 100% \"gone\"\n");
    assert_ok(hpt_trial_state(st, 2, &s));
    assert_int_equal(s, HPT_TRIAL_PRUNED);
    assert_ok(hpt_trial_value(st, 3, &v));
    assert_true(v == 1.0 / 3.0);
    assert_ok(hpt_study_journal_info(st, &records, &dropped, &note));
    assert_int_equal(dropped, 0);
    assert_true(records > 10);
    assert_non_null(strstr(note, "resumed"));
    /* The options came back, and setting them again is a no-op. */
    assert_ok(hpt_study_get(st, "max_trials", &v));
    assert_true(v == 50);
    assert_ok(hpt_study_set(st, "max_trials", 50));
    assert_ok(hpt_study_set_str(st, "pruner", "none"));
    /* A limit may be raised on a resumed study, not lowered. */
    assert_status(hpt_study_set(st, "max_trials", 40), HPT_E_STAGE);
    assert_ok(hpt_study_set(st, "max_trials", 60));
    hpt_study_destroy(st);
}

/* Python reads it with a few lines (Debian's python3; skipped without). */
static void test_python_reads_it(void **state)
{
    (void)state;
    if (access("/usr/bin/python3", X_OK) != 0)
        skip();
    const char *path = tmp("py.jnl");
    make_journal(path, 1);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import zlib,sys\n"
             "n=0\n"
             "for line in open(sys.argv[1],\"rb\"):\n"
             "    body,crc=line.rstrip(b\"\\n\").rsplit(b\" \",1)\n"
             "    assert zlib.crc32(body)==int(crc,16)\n"
             "    f=body.decode().split(\" \")\n"
             "    n+=f[0]==\"tell\"\n"
             "assert n==2, n' '%s'",
             path);
    assert_int_equal(system(cmd), 0);
}

/* Every line of a journal, by record type: flipping one bit anywhere in a
 * line that is not the last gives HPT_E_CORRUPT naming that line (or
 * "not a libhpt journal" for line 1); in the last line the record is
 * dropped and reported. */
static void test_bit_flips(void **state)
{
    (void)state;
    const char *path = tmp("b.jnl"), *copy = tmp("b2.jnl");
    make_journal(path, 1);
    size_t n;
    char *b = tu_slurp(path, &n);
    size_t nlines = 0;
    for (size_t i = 0; i < n; i++)
        nlines += b[i] == '\n';
    size_t line = 1, start = 0;
    int seen_types = 0;
    for (size_t i = 0; i < n; i++) {
        /* one flipped bit per byte, cycling through the bit positions */
        char *c = malloc(n);
        memcpy(c, b, n);
        c[i] = (char)(c[i] ^ (1 << (i % 8)));
        spit(copy, c, n);
        free(c);
        hpt_study *st = NULL;
        hpt_space *sp = tu_mixed_space();
        int rc = hpt_study_open(copy, sp, "random", HPT_MINIMIZE, 11, &st);
        hpt_space_destroy(sp);
        const char *msg = hpt_last_errmsg();
        /* a flipped newline joins line nlines-1 to the last line, which
         * then reads as torn: dropped too */
        if (line == nlines || (line == nlines - 1 && b[i] == '\n')) {
            /* the last record: dropped, reported, the rest is there */
            if (rc != HPT_OK)
                fail_msg("flip at byte %zu (last line): %s", i, msg);
            int64_t dropped, count;
            const char *note;
            assert_ok(hpt_study_journal_info(st, NULL, &dropped, &note));
            assert_true(dropped == (int64_t)(n - start) || b[i] == '\n');
            assert_non_null(strstr(note, "dropped"));
            assert_ok(hpt_study_trial_count(st, &count));
            assert_int_equal(count, line == nlines ? 4 : 3);
            hpt_study_destroy(st);
        } else {
            if (rc != HPT_E_CORRUPT)
                fail_msg("flip at byte %zu (line %zu): rc %d, %s", i, line, rc, msg);
            char want[32];
            snprintf(want, sizeof want, "line %zu", b[i] == '\n' ? line + 1 : line);
            if (line > 1 && !strstr(msg, want) &&
                !(b[i] == '\n' && strstr(msg, "line")))
                fail_msg("flip at byte %zu: message '%s' lacks '%s'", i, msg, want);
            seen_types++;
        }
        if (b[i] == '\n') {
            line++;
            start = i + 1;
        }
    }
    assert_true(seen_types > 0);
    free(b);
}

/* Cutting the file anywhere leaves a prefix: it always reopens, with at
 * most the last (torn) record missing, or as a fresh study when the cut
 * falls inside the creation. */
static void test_truncation(void **state)
{
    (void)state;
    const char *path = tmp("c.jnl"), *copy = tmp("c2.jnl");
    make_journal(path, 1);
    size_t n;
    char *b = tu_slurp(path, &n);
    size_t complete_lines = 0, line_end = 0;
    for (size_t cut = 0; cut <= n; cut++) {
        spit(copy, b, cut);
        hpt_study *st = NULL;
        hpt_space *sp = tu_mixed_space();
        int rc = hpt_study_open(copy, sp, "random", HPT_MINIMIZE, 11, &st);
        hpt_space_destroy(sp);
        if (rc != HPT_OK)
            fail_msg("cut at %zu: %s", cut, hpt_last_errmsg());
        int64_t records, dropped;
        assert_ok(hpt_study_journal_info(st, &records, &dropped, NULL));
        if (cut > 0 && b[cut - 1] == '\n') {
            complete_lines++;
            line_end = cut;
        }
        /* 6 lines of creation: a cut inside them gives a fresh study */
        assert_int_equal(records, complete_lines < 6 ? 6 : (int64_t)complete_lines);
        if (dropped != (complete_lines < 6 ? 0 : (int64_t)cut - (int64_t)line_end))
            fail_msg("cut %zu: dropped %lld", cut, (long long)dropped);
        hpt_study_destroy(st);
        /* the file was cut back to its complete records */
        size_t m;
        char *c = tu_slurp(copy, &m);
        assert_true(m == 0 || c[m - 1] == '\n');
        free(c);
    }
    free(b);
    /* Resuming with NULL space from a file without a study fails cleanly. */
    spit(copy, "", 0);
    hpt_study *st = NULL;
    assert_status(hpt_study_open(copy, NULL, NULL, 0, 0, &st), HPT_E_CORRUPT);
    assert_status(hpt_study_load(copy, &st), HPT_E_CORRUPT);
    assert_status(hpt_study_load(tmp("absent.jnl"), &st), HPT_E_IO);
    /* load ignores a torn end and leaves it in place */
    make_journal(copy, 1);
    size_t m;
    char *c = tu_slurp(copy, &m);
    spit(copy, c, m - 3);
    assert_ok(hpt_study_load(copy, &st));
    int64_t count;
    assert_ok(hpt_study_trial_count(st, &count));
    assert_int_equal(count, 4); /* the torn tell of trial 3 is not there */
    int32_t state3;
    assert_ok(hpt_trial_state(st, 3, &state3));
    assert_int_equal(state3, HPT_TRIAL_RUNNING);
    hpt_study_destroy(st);
    free(c);
    c = tu_slurp(copy, &n);
    assert_int_equal(n, m - 3);
    free(c);
}

static void test_not_a_journal(void **state)
{
    (void)state;
    const char *path = tmp("d.txt");
    spit(path, "model weights\n\x01\x02\x03", 17);
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    assert_status(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 1, &st), HPT_E_CORRUPT);
    assert_non_null(strstr(hpt_last_errmsg(), "not a libhpt journal"));
    spit(path, "\x7f" "ELF", 4); /* no newline: still not a torn header */
    assert_status(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 1, &st), HPT_E_CORRUPT);
    size_t n;
    char *b = tu_slurp(path, &n);
    assert_int_equal(n, 4); /* untouched */
    free(b);
    hpt_space_destroy(sp);
}

static void test_mismatch(void **state)
{
    (void)state;
    const char *path = tmp("e.jnl");
    make_journal(path, 1);
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    assert_status(hpt_study_open(path, sp, "sobol", HPT_MINIMIZE, 11, &st), HPT_E_MISMATCH);
    assert_non_null(strstr(hpt_last_errmsg(), "strategy"));
    assert_status(hpt_study_open(path, sp, "random", HPT_MAXIMIZE, 11, &st), HPT_E_MISMATCH);
    assert_status(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 12, &st), HPT_E_MISMATCH);
    assert_non_null(strstr(hpt_last_errmsg(), "seed"));
    hpt_space_destroy(sp);
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "lr", 1e-5, 1e-1, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_int(sp, "layers", 1, 8, HPT_SCALE_LINEAR));
    static const char *const acts[] = {"relu", "tanh", "sigmoid"};
    assert_ok(hpt_space_add_categorical(sp, "act", acts, 3));
    assert_status(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 11, &st), HPT_E_MISMATCH);
    assert_non_null(strstr(hpt_last_errmsg(), "layers"));
    hpt_space_destroy(sp);
    /* NULL space and strategy: whatever the journal holds. */
    assert_ok(hpt_study_open(path, NULL, NULL, 0, 0, &st));
    int64_t count;
    assert_ok(hpt_study_trial_count(st, &count));
    assert_int_equal(count, 4);
    hpt_study_destroy(st);
    /* A newer format version is refused as such. */
    size_t n;
    char *b = tu_slurp(path, &n);
    char head[64];
    snprintf(head, sizeof head, "hpt-journal 3 x 1");
    char line[80];
    snprintf(line, sizeof line, "%s %08x\n", head, (unsigned)hpti_crc32(head, strlen(head)));
    char *nl = strchr(b, '\n');
    FILE *f = fopen(path, "wb");
    fputs(line, f);
    fwrite(nl + 1, 1, n - (size_t)(nl + 1 - b), f);
    fclose(f);
    free(b);
    assert_status(hpt_study_open(path, NULL, NULL, 0, 0, &st), HPT_E_MISMATCH);
    assert_non_null(strstr(hpt_last_errmsg(), "version 3"));
}

static void test_lock(void **state)
{
    (void)state;
    const char *path = tmp("f.jnl");
    make_journal(path, 1);
    hpt_study *a = reopen(path), *b = NULL;
    hpt_space *sp = tu_mixed_space();
    /* several writers are the default; exclusivity is asked for */
    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 11, &b));
    assert_status(hpt_study_set(a, "journal.exclusive", 1), HPT_E_LOCKED);
    hpt_study_destroy(b);
    b = NULL;
    assert_ok(hpt_study_set(a, "journal.exclusive", 1));
    assert_status(hpt_study_set(a, "journal.exclusive", 0), HPT_E_STAGE);
    assert_status(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 11, &b), HPT_E_LOCKED);
    assert_null(b);
    /* a snapshot can be read while the job runs, and appends nothing */
    size_t before, after;
    free(tu_slurp(path, &before));
    assert_ok(hpt_study_load(path, &b));
    int64_t count, id;
    assert_ok(hpt_study_trial_count(b, &count));
    assert_int_equal(count, 4);
    assert_ok(hpt_study_ask(b, &id));
    assert_status(hpt_study_journal_info(b, NULL, NULL, NULL), HPT_E_STATE);
    hpt_study_destroy(b);
    b = NULL;
    free(tu_slurp(path, &after));
    assert_int_equal(before, after);
    /* another process is refused as well */
    pid_t pid = fork();
    if (pid == 0) {
        hpt_study *c = NULL;
        _exit(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 11, &c) == HPT_E_LOCKED ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    hpt_study_destroy(a);
    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 11, &b));
    hpt_study_destroy(b);
    hpt_space_destroy(sp);
}

static void test_fsync_option(void **state)
{
    (void)state;
    hpt_space *sp = tu_mixed_space();
    hpt_study *st;
    double v;
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &st));
    assert_status(hpt_study_set(st, "journal.fsync", 0), HPT_E_NAME);
    hpt_study_destroy(st);
    unlink(tmp("g.jnl"));
    assert_ok(hpt_study_open(tmp("g.jnl"), sp, "random", HPT_MINIMIZE, 1, &st));
    assert_ok(hpt_study_get(st, "journal.fsync", &v));
    assert_true(v == 1); /* durable by default */
    int64_t id;
    assert_ok(hpt_study_ask(st, &id));
    assert_ok(hpt_study_set(st, "journal.fsync", 0)); /* any time */
    assert_status(hpt_study_set(st, "journal.fsync", 2), HPT_E_INVALID);
    assert_ok(hpt_study_tell(st, id, 1));
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}


/* Rewrite a journal with line k replaced by `rec` (checksum recomputed);
 * k == -1 appends it. */
/* Write rec as line number seq: "<rec> <seq> <crc>\n". */
static void put_record(FILE *f, const char *rec, int seq)
{
    char line[600];
    snprintf(line, sizeof line, "%s %d", rec, seq);
    fprintf(f, "%s %08x\n", line, (unsigned)hpti_crc32(line, strlen(line)));
}

static void replace_line(const char *path, const char *out, int k, const char *rec)
{
    size_t n;
    char *b = tu_slurp(path, &n);
    FILE *f = fopen(out, "wb");
    int line = 0;
    for (char *p = b; *p; line++) {
        char *nl = strchr(p, '\n');
        if (line == k)
            put_record(f, rec, line + 1);
        else
            fwrite(p, 1, (size_t)(nl + 1 - p), f);
        p = nl + 1;
    }
    if (k < 0)
        put_record(f, rec, line + 1);
    fclose(f);
    free(b);
}

/* Records with a valid checksum but impossible content: HPT_E_CORRUPT
 * naming the line, never a crash. */
static void test_semantic_errors(void **state)
{
    (void)state;
    const char *path = tmp("s.jnl"), *copy = tmp("s2.jnl");
    make_journal(path, 1);
    static const struct {
        int line;
        const char *rec;
        int want;
        const char *says;
    } cases[] = {
        {-1, "tell 99 5 1", HPT_E_CORRUPT, "line 20"}, /* after 19 (one "clock") */
        {-1, "tell 0 5 1", HPT_E_CORRUPT, "already finished"},
        {-1, "frobnicate 1 2", HPT_E_CORRUPT, "unknown record type"},
        {-1, "tell 3", HPT_E_CORRUPT, "malformed"},
        {-1, "clock 5", HPT_E_CORRUPT, "malformed \"clock\""},
        {-1, "clock 5 1.5", HPT_E_CORRUPT, "malformed \"clock\""},
        {-1, "clock -1 1e9", HPT_E_CORRUPT, "malformed \"clock\""},
        {-1, "tell x 5 1", HPT_E_CORRUPT, "malformed"},
        {-1, "ask 4 5 0 -1 0.5 1 0", HPT_E_CORRUPT, "outside the space"},
        {-1, "ask 4 5 0 4 0.05 1 0", HPT_E_CORRUPT, "malformed"},
        {-1, "ask 4 5 -1 -1 0.05 1 0", HPT_E_CORRUPT, "malformed"},
        {-1, "ask 9 5 0 -1 0.05 1 0", HPT_E_CORRUPT, "out of order"},
        {-1, "ask 4 5 0 -1 0.5", HPT_E_CORRUPT, "malformed"},
        {6, "option no_such_option 1", HPT_E_CORRUPT, "unknown option"},
        {-1, "report 3 5 nan 1", HPT_E_CORRUPT, "malformed"},
        {-1, "fail 3 5 bad%zzescape", HPT_E_CORRUPT, "escape"},
        {-1, "prior identical 0 1 0.5 0.5", HPT_E_CORRUPT, "malformed"},
        {-1, "warm identical 0 3 0 x", HPT_E_CORRUPT, "malformed"},
        {7, "option_str pruner no_such_pruner", HPT_E_CORRUPT, "unknown pruner"},
        {1, "create random minimize 11 0", HPT_E_CORRUPT, "line 2"},
        {2, "param lr float log -1 0.1", HPT_E_CORRUPT, "line 3"},
        {2, "param lr float cubic 1 2", HPT_E_CORRUPT, "line 3"},
        {4, "param act categorical 4 relu tanh sigmoid", HPT_E_CORRUPT, "line 5"},
        {5, "end", HPT_E_CORRUPT, "begin"},
        {0, "hpt-journal one x", HPT_E_CORRUPT, "header"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        replace_line(path, copy, cases[i].line, cases[i].rec);
        hpt_study *st = NULL;
        int rc = hpt_study_open(copy, NULL, NULL, 0, 0, &st);
        if (rc != cases[i].want || !strstr(hpt_last_errmsg(), cases[i].says))
            fail_msg("'%s': rc %d, message '%s'", cases[i].rec, rc, hpt_last_errmsg());
        assert_null(st);
    }
}

/* Random changes to one record, checksum recomputed: the reader and the
 * replay must answer with a status, never crash (run under ASan too). */
static void test_fuzz_records(void **state)
{
    (void)state;
    const char *path = tmp("z.jnl"), *copy = tmp("z2.jnl");
    make_journal(path, 1);
    size_t n;
    char *b = tu_slurp(path, &n);
    char *lines[64];
    int nl = 0;
    for (char *p = b; *p && nl < 64;) {
        char *e = strchr(p, '\n');
        *e = '\0';
        *strrchr(p, ' ') = '\0'; /* checksum */
        *strrchr(p, ' ') = '\0'; /* sequence number */
        lines[nl++] = p;
        p = e + 1;
    }
    hpti_rng r;
    hpti_rng_seed(&r, 2024, 0);
    const char alphabet[] = "0123456789 -+.eEnaix%fz";
    int ok = 0, refused = 0;
    for (int it = 0; it < 2000; it++) {
        int k = 1 + (int)hpti_rng_below(&r, (uint64_t)(nl - 1));
        char rec[512];
        snprintf(rec, sizeof rec, "%s", lines[k]);
        size_t len = strlen(rec);
        int edits = 1 + (int)hpti_rng_below(&r, 3);
        for (int e = 0; e < edits; e++) {
            size_t at = hpti_rng_below(&r, len);
            switch (hpti_rng_below(&r, 3)) {
            case 0: /* replace */
                rec[at] = alphabet[hpti_rng_below(&r, sizeof alphabet - 1)];
                break;
            case 1: /* delete */
                memmove(rec + at, rec + at + 1, len - at);
                len--;
                break;
            default: /* insert */
                if (len + 2 < sizeof rec) {
                    memmove(rec + at + 1, rec + at, len - at + 1);
                    rec[at] = alphabet[hpti_rng_below(&r, sizeof alphabet - 1)];
                    len++;
                }
            }
            if (len == 0)
                break;
        }
        replace_line(path, copy, k, rec);
        hpt_study *st = NULL;
        int rc = hpt_study_open(copy, NULL, NULL, 0, 0, &st);
        if (rc == HPT_OK) {
            ok++;
            int64_t id;
            hpt_study_ask(st, &id);
            hpt_study_destroy(st);
        } else {
            refused++;
            assert_true(rc < 0);
            assert_true(strlen(hpt_last_errmsg()) > 0);
        }
    }
    assert_true(refused > 0);
    free(b);
}

/* The journal with line `drop` (0-based) left out, or lines a and b
 * swapped when swap is set. */
static void edit_lines(const char *path, const char *out, int a, int b, int swap)
{
    size_t n;
    char *buf = tu_slurp(path, &n);
    char *line[128];
    int nl = 0;
    for (char *p = buf; *p && nl < 128; nl++) {
        line[nl] = p;
        p = strchr(p, '\n') + 1;
    }
    assert_true(a < nl && b < nl);
    FILE *f = fopen(out, "wb");
    for (int k = 0; k < nl; k++) {
        int src = swap && k == a ? b : swap && k == b ? a : k;
        if (!swap && k == a)
            continue;
        fwrite(line[src], 1, (size_t)(strchr(line[src], '\n') + 1 - line[src]), f);
    }
    fclose(f);
    free(buf);
}

static int line_of(const char *path, const char *prefix)
{
    size_t n;
    char *b = tu_slurp(path, &n);
    int k = 0, found = -1;
    for (char *p = b; *p && found < 0; k++) {
        if (strncmp(p, prefix, strlen(prefix)) == 0)
            found = k;
        p = strchr(p, '\n') + 1;
    }
    free(b);
    assert_true(found >= 0);
    return found;
}

/* The text after "line K: " in msg (what was wrong, the same whichever
 * path read the record). */
static const char *after_line(const char *msg, int k)
{
    char at[32];
    snprintf(at, sizeof at, "line %d: ", k);
    const char *p = strstr(msg, at);
    if (!p)
        fail_msg("no '%s' in '%s'", at, msg);
    return p + strlen(at);
}

/* A study's shape records ("objectives", "constraints") have one parser:
 * a malformed or out-of-range one is refused alike by reopen, load and
 * warm start, with the same reason after the line number, and nothing is
 * lost (the file is untouched, the warm-started study has no trial).
 * Before, reopen read m as i64 and warm start as u64: "constraints -0"
 * reopened and failed the warm start. */
static void test_shape_records_every_path(void **state)
{
    (void)state;
    const char *path = tmp("shape.jnl"), *copy = tmp("shape2.jnl");
    hpt_space *sp = tu_cube_space(2);
    hpt_study *st;
    int64_t id;
    int32_t dir[2] = {HPT_MINIMIZE, HPT_MAXIMIZE};
    unlink(path);
    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 3, &st));
    assert_ok(hpt_study_set(st, "journal.fsync", 0));
    assert_ok(hpt_study_set_objectives(st, dir, 2));
    assert_ok(hpt_study_set_constraints(st, 1));
    for (int i = 0; i < 3; i++) {
        double v[2] = {i, -i}, c = i - 1.0;
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_study_tell_constrained(st, id, v, 2, &c, 1));
    }
    hpt_study_destroy(st);
    int lo = line_of(path, "objectives "), lc = line_of(path, "constraints ");
    static const struct {
        int objectives;
        const char *rec, *says;
    } cases[] = {
        {0, "constraints 17", "count 17 is not in 0 .. 16"},
        {0, "constraints 18446744073709551617", "no count"},
        {0, "constraints -1", "no count"},
        {0, "constraints -0", "no count"},
        {0, "constraints x", "no count"},
        {0, "constraints", "no count"},
        {0, "constraints 1 1", "3 fields"},
        {1, "objectives 0", "count 0 is not in 1 .. 8"},
        {1, "objectives 9 minimize minimize minimize minimize minimize minimize minimize "
            "minimize minimize", "count 9 is not in 1 .. 8"},
        {1, "objectives -2 minimize maximize", "no count"},
        {1, "objectives 2 minimize", "3 fields"},
        {1, "objectives 2 minimize sideways", "direction 2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int k = cases[i].objectives ? lo : lc;
        replace_line(path, copy, k, cases[i].rec);
        size_t n0, n1;
        char *before = tu_slurp(copy, &n0);
        char why[3][HPTI_MSG];
        /* reopen */
        st = NULL;
        assert_status(hpt_study_open(copy, NULL, NULL, 0, 0, &st), HPT_E_CORRUPT);
        assert_null(st);
        snprintf(why[0], HPTI_MSG, "%s", after_line(hpt_last_errmsg(), k + 1));
        /* load */
        assert_status(hpt_study_load(copy, &st), HPT_E_CORRUPT);
        assert_null(st);
        snprintf(why[1], HPTI_MSG, "%s", after_line(hpt_last_errmsg(), k + 1));
        /* warm start: refused, the study unchanged */
        assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 3, &st));
        assert_ok(hpt_study_set_objectives(st, dir, 2));
        assert_ok(hpt_study_set_constraints(st, 1));
        assert_status(hpt_study_warm_start(st, copy, HPT_WARM_IDENTICAL), HPT_E_CORRUPT);
        snprintf(why[2], HPTI_MSG, "%s", after_line(hpt_study_errmsg(st), k + 1));
        int64_t n_trials = -1;
        assert_ok(hpt_study_trial_count(st, &n_trials));
        assert_int_equal(n_trials, 0);
        assert_ok(hpt_study_ask(st, &id)); /* still usable, from trial 0 */
        assert_int_equal(id, 0);
        hpt_study_destroy(st);
        for (int p = 0; p < 3; p++)
            if (!strstr(why[p], cases[i].says) || strcmp(why[p], why[0]) != 0)
                fail_msg("'%s': path %d says '%s' (reopen: '%s'), want '%s'", cases[i].rec, p,
                         why[p], why[0], cases[i].says);
        char *after = tu_slurp(copy, &n1);
        assert_int_equal(n1, n0);
        assert_memory_equal(after, before, n0);
        free(before);
        free(after);
    }
    hpt_space_destroy(sp);
}

/* A whole record deleted or moved in the middle (each line's checksum
 * still right) is HPT_E_CORRUPT naming the first line out of place, for
 * the writer and the reader alike; before sequence numbers, a deleted
 * "tell" reopened cleanly with its trial running again. */
static void test_deleted_and_moved_lines(void **state)
{
    (void)state;
    const char *path = tmp("q.jnl"), *copy = tmp("q2.jnl");
    make_journal(path, 1);
    int tell0 = line_of(path, "tell 0 "), fail1 = line_of(path, "fail 1 ");
    char want[32];
    hpt_study *st = NULL;

    edit_lines(path, copy, tell0, 0, 0);
    snprintf(want, sizeof want, "line %d:", tell0 + 1);
    assert_status(hpt_study_open(copy, NULL, NULL, 0, 0, &st), HPT_E_CORRUPT);
    assert_non_null(strstr(hpt_last_errmsg(), want));
    assert_non_null(strstr(hpt_last_errmsg(), "deleted"));
    assert_status(hpt_study_load(copy, &st), HPT_E_CORRUPT);
    assert_null(st);

    edit_lines(path, copy, tell0, fail1, 1);
    assert_status(hpt_study_open(copy, NULL, NULL, 0, 0, &st), HPT_E_CORRUPT);
    assert_non_null(strstr(hpt_last_errmsg(), want));

    /* The header moved down is found too. */
    edit_lines(path, copy, 0, 1, 1);
    assert_status(hpt_study_load(copy, &st), HPT_E_CORRUPT);
    assert_null(st);

    /* The untouched journal still opens, with trial 0 complete. */
    assert_ok(hpt_study_load(path, &st));
    int32_t s;
    assert_ok(hpt_trial_state(st, 0, &s));
    assert_int_equal(s, HPT_TRIAL_COMPLETE);
    hpt_study_destroy(st);
}

/* A child made by fork() shares the journal's descriptor (and its OFD
 * lock) but cannot write it: its changes fail with HPT_E_LOCKED and leave
 * the file alone, so the parent goes on and the journal reopens. */
static void test_fork_child_cannot_write(void **state)
{
    (void)state;
    const char *path = tmp("fork.jnl");
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    int64_t id;
    unlink(path);
    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 1, &st));
    assert_ok(hpt_study_set(st, "journal.fsync", 0));
    assert_ok(hpt_study_set(st, "journal.exclusive", 1));
    assert_ok(hpt_study_ask(st, &id));
    assert_ok(hpt_study_tell(st, id, 1.0));
    assert_ok(hpt_study_ask(st, &id)); /* 1, running across the fork */
    size_t before = 0;
    free(tu_slurp(path, &before));
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int code = 0;
        if (hpt_study_ask(st, &id) != HPT_E_LOCKED || !strstr(hpt_last_errmsg(), "fork"))
            code |= 1;
        if (hpt_study_report(st, 1, 1, 2.0, NULL) != HPT_E_LOCKED)
            code |= 2;
        if (hpt_study_tell(st, 1, 2.0) != HPT_E_LOCKED)
            code |= 4;
        hpt_study_destroy(st);
        _exit(code);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    size_t after = 0;
    free(tu_slurp(path, &after));
    assert_int_equal(after, before);
    /* The child's exit did not release the parent's lock. */
    hpt_study *other = NULL;
    assert_status(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 1, &other), HPT_E_LOCKED);
    assert_ok(hpt_study_tell(st, 1, 3.0));
    assert_ok(hpt_study_ask(st, &id));
    assert_int_equal(id, 2);
    hpt_study_destroy(st);
    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 1, &st));
    int64_t count = 0;
    double v = 0;
    assert_ok(hpt_study_trial_count(st, &count));
    assert_int_equal(count, 3);
    assert_ok(hpt_trial_value(st, 1, &v));
    assert_true(v == 3.0);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* A full disk: the call says HPT_E_IO, the journal refuses further
 * changes, and a reopen resumes from what reached the file. */
static void test_disk_full(void **state)
{
    (void)state;
    int full = open("/dev/full", O_WRONLY);
    if (full < 0)
        skip();
    const char *path = tmp("full.jnl");
    make_journal(path, 1);
    hpt_study *st = reopen(path);
    int64_t id;
    /* exclusive: no look at the file's size, which /dev/full does not keep */
    assert_ok(hpt_study_set(st, "journal.exclusive", 1));
    assert_ok(hpt_study_ask(st, &id)); /* trial 4 */
    assert_true(dup2(full, hpti_journal_of(&st->sink)->fd) >= 0); /* writes now fail: ENOSPC */
    close(full);
    assert_status(hpt_study_tell(st, id, 1.5), HPT_E_IO);
    assert_non_null(strstr(hpt_study_errmsg(st), "reopen"));
    assert_status(hpt_study_ask(st, &id), HPT_E_IO);
    assert_int_equal(id, -1);
    hpt_study_destroy(st);
    st = reopen(path);
    int32_t s4;
    assert_ok(hpt_trial_state(st, 4, &s4));
    assert_int_equal(s4, HPT_TRIAL_RUNNING); /* its tell never reached the file */
    assert_ok(hpt_study_tell(st, 4, 1.5));
    hpt_study_destroy(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32),
        cmocka_unit_test(test_double_roundtrip),
        cmocka_unit_test(test_records_and_reopen),
        cmocka_unit_test(test_python_reads_it),
        cmocka_unit_test(test_bit_flips),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_not_a_journal),
        cmocka_unit_test(test_mismatch),
        cmocka_unit_test(test_lock),
        cmocka_unit_test(test_fsync_option),
        cmocka_unit_test(test_semantic_errors),
        cmocka_unit_test(test_fuzz_records),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_deleted_and_moved_lines),
        cmocka_unit_test(test_shape_records_every_path),
        cmocka_unit_test(test_fork_child_cannot_write),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
