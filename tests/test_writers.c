/* test_writers.c -- several writers on one journal (issue 14 item 3):
 * processes and studies of one process that share a study finish a job
 * with unique ids, no lost tells and no repeated proposal; leases show the
 * trials of a writer that died or went silent; exclusivity still refuses
 * other writers; and SIGKILLs of several writers never lose a told trial. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "crc32.h"
#include "testutil.h"

typedef struct {
    int64_t id;
    double value;
} told_rec;

/* The objective: smooth in every parameter, lower with more budget. */
static double objective(hpt_study *st, int64_t id)
{
    double x[3], budget = 0;
    int64_t parent;
    if (hpt_trial_params(st, id, x, 3) != HPT_OK ||
        hpt_trial_budget(st, id, &budget, &parent) != HPT_OK)
        return NAN;
    double l = log10(x[0]) + 3;
    return l * l + 0.1 * (x[1] - 2) * (x[1] - 2) + 0.05 * x[2] + 1.0 / (1.0 + budget);
}

/* A worker: wait for the start, then ask and tell until the job is done,
 * writing each told trial to fd. Exit codes name the call that failed. */
static void worker(const char *path, const char *strategy, int64_t trials, int go, int fd)
{
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    char c;
    if (read(go, &c, 1) != 1)
        _exit(20);
    if (hpt_study_open(path, sp, strategy, HPT_MINIMIZE, 7, &st) != HPT_OK)
        _exit(21);
    if (hpt_study_set(st, "journal.fsync", 0) || hpt_study_set(st, "max_trials", (double)trials))
        _exit(22);
    if (strcmp(strategy, "bayes") == 0 &&
        (hpt_study_set(st, "bayes.initial_trials", 4) ||
         hpt_study_set(st, "bayes.candidates", 128)))
        _exit(23);
    if (strcmp(strategy, "hyperband") == 0 && hpt_study_set(st, "hyperband.max_resource", 9))
        _exit(23);
    long waits = 0;
    for (;;) {
        int64_t id;
        int rc = hpt_study_ask(st, &id);
        if (rc == HPT_DONE)
            break;
        if (rc == HPT_WAIT) {
            if (++waits > 200000)
                _exit(24);
            usleep(200);
            continue;
        }
        if (rc != HPT_OK)
            _exit(25);
        usleep(1000); /* "training": lets the others interleave */
        told_rec r = {id, objective(st, id)};
        if (hpt_study_tell(st, id, r.value) != HPT_OK)
            _exit(26);
        if (write(fd, &r, sizeof r) != sizeof r)
            _exit(27);
    }
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
    _exit(0);
}

/* No two trials of the study are one configuration, promotions (which go
 * on with their parent's) aside. */
static void assert_no_repeat(hpt_study *st, int64_t n, const char *what)
{
    double *x = calloc((size_t)n * 3, sizeof *x);
    int64_t *parent = calloc((size_t)n, sizeof *parent);
    for (int64_t i = 0; i < n; i++) {
        assert_ok(hpt_trial_params(st, i, x + 3 * i, 3));
        assert_ok(hpt_trial_budget(st, i, NULL, &parent[i]));
    }
    for (int64_t i = 0; i < n; i++)
        for (int64_t k = 0; k < i; k++)
            if (parent[i] < 0 && parent[k] < 0 && memcmp(x + 3 * i, x + 3 * k, 3 * sizeof *x) == 0)
                fail_msg("%s: trials %lld and %lld are one configuration", what, (long long)k,
                         (long long)i);
    free(x);
    free(parent);
}

static int count_lines(const char *path, const char *type)
{
    size_t n;
    char *b = tu_slurp(path, &n);
    int k = 0;
    size_t len = strlen(type);
    for (char *p = b; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        k += strncmp(p, type, len) == 0 && p[len] == ' ';
    free(b);
    return k;
}

static void run_job(const char *strategy, int procs, int64_t trials)
{
    char name[64];
    snprintf(name, sizeof name, "job-%s-%d.jnl", strategy, procs);
    char path[512];
    snprintf(path, sizeof path, "%s", tmp(name));
    unlink(path);
    int go[2], out[8][2];
    pid_t pid[8];
    assert_int_equal(pipe(go), 0);
    for (int w = 0; w < procs; w++) {
        assert_int_equal(pipe(out[w]), 0);
        fflush(NULL);
        pid[w] = fork();
        assert_true(pid[w] >= 0);
        if (pid[w] == 0) {
            close(go[1]);
            close(out[w][0]);
            worker(path, strategy, trials, go[0], out[w][1]);
        }
        close(out[w][1]);
    }
    close(go[0]);
    char start[8] = {0};
    assert_int_equal(write(go[1], start, (size_t)procs), procs); /* all at once */
    close(go[1]);
    told_rec *told = calloc((size_t)trials, sizeof *told);
    int *seen = calloc((size_t)trials, sizeof *seen);
    int64_t n_told = 0;
    int active = 0;
    for (int w = 0; w < procs; w++) {
        told_rec r;
        int mine = 0;
        while (read(out[w][0], &r, sizeof r) == sizeof r) {
            if (r.id < 0 || r.id >= trials)
                fail_msg("%s x%d: worker %d told trial %lld", strategy, procs, w,
                         (long long)r.id);
            if (seen[r.id]++)
                fail_msg("%s x%d: trial %lld told twice", strategy, procs, (long long)r.id);
            told[r.id] = r;
            n_told++;
            mine++;
        }
        close(out[w][0]);
        int status;
        assert_int_equal(waitpid(pid[w], &status, 0), pid[w]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("%s x%d: worker %d ended with status %d", strategy, procs, w, status);
        active += mine > 0;
    }
    /* every trial was asked once and told once, by one of the writers */
    assert_int_equal(n_told, trials);
    assert_true(active >= 2); /* they did share the work */
    assert_true(count_lines(path, "owner") >= 2);
    hpt_study *st = NULL;
    assert_ok(hpt_study_load(path, &st));
    int64_t count;
    assert_ok(hpt_study_trial_count(st, &count));
    assert_int_equal(count, trials);
    for (int64_t i = 0; i < trials; i++) {
        int32_t s;
        double v;
        assert_ok(hpt_trial_state(st, i, &s));
        assert_int_equal(s, HPT_TRIAL_COMPLETE);
        assert_ok(hpt_trial_value(st, i, &v));
        assert_true(v == told[i].value);
    }
    assert_no_repeat(st, trials, strategy);
    /* Random proposals depend only on how many were asked: the writers'
     * trials are those of one study asking alone, in the journal's order
     * (the strategy followed the one sequence of calls). */
    if (strcmp(strategy, "random") == 0) {
        hpt_space *sp = tu_mixed_space();
        hpt_study *alone = NULL;
        assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 7, &alone));
        for (int64_t i = 0; i < trials; i++) {
            int64_t id;
            double a[3], b[3];
            assert_ok(hpt_study_ask(alone, &id));
            assert_ok(hpt_trial_params(alone, id, a, 3));
            assert_ok(hpt_trial_params(st, id, b, 3));
            assert_memory_equal(a, b, sizeof a);
        }
        hpt_study_destroy(alone);
        hpt_space_destroy(sp);
    }
    hpt_study_destroy(st);
    /* and the journal reopens as a writer */
    hpt_space *sp = tu_mixed_space();
    assert_ok(hpt_study_open(path, sp, strategy, HPT_MINIMIZE, 7, &st));
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
    free(told);
    free(seen);
}

static void test_random_2(void **state) { (void)state; run_job("random", 2, 60); }
static void test_random_4(void **state) { (void)state; run_job("random", 4, 80); }
static void test_bayes_2(void **state) { (void)state; run_job("bayes", 2, 14); }
static void test_bayes_4(void **state) { (void)state; run_job("bayes", 4, 16); }
static void test_hyperband_2(void **state) { (void)state; run_job("hyperband", 2, 60); }
static void test_hyperband_4(void **state) { (void)state; run_job("hyperband", 4, 80); }

/* ---- studies of one process ------------------------------------------------ */

static hpt_study *open_random(const char *path)
{
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 3, &st));
    hpt_space_destroy(sp);
    assert_ok(hpt_study_set(st, "journal.fsync", 0));
    return st;
}

static void test_two_handles(void **state)
{
    (void)state;
    const char *path = tmp("two.jnl");
    unlink(path);
    hpt_study *a = open_random(path), *b = open_random(path);
    int64_t ia, ib, count;
    int32_t s;
    assert_ok(hpt_study_ask(a, &ia));
    assert_ok(hpt_study_ask(b, &ib));
    assert_int_equal(ia, 0);
    assert_int_equal(ib, 1); /* b took in a's ask first */
    assert_ok(hpt_study_tell(b, ib, 2.0));
    assert_ok(hpt_study_trial_count(a, &count)); /* a has not looked since */
    assert_int_equal(count, 1);
    assert_ok(hpt_study_tell(a, ia, 1.0));
    assert_ok(hpt_trial_state(a, 1, &s)); /* its tell took b's in */
    assert_int_equal(s, HPT_TRIAL_COMPLETE);
    /* a trial one writer finished cannot be told again by the other */
    assert_status(hpt_study_tell(b, ia, 5.0), HPT_E_STATE);
    assert_ok(hpt_study_heartbeat(b));
    double v;
    assert_ok(hpt_trial_value(b, 0, &v));
    assert_true(v == 1.0);
    /* options and attributes travel too */
    assert_ok(hpt_study_set_attr(a, "owner", "alice"));
    assert_ok(hpt_study_ask(b, &ib));
    assert_int_equal(ib, 2);
    const char *who;
    assert_ok(hpt_study_attr(b, "owner", &who));
    assert_string_equal(who, "alice");
    assert_ok(hpt_study_trial_count(b, &count));
    assert_int_equal(count, 3);
    hpt_study_destroy(a);
    hpt_study_destroy(b);
}

typedef struct {
    hpt_study *st;
    int64_t ids[200];
    int n;
    int rc;
} thread_job;

static void *thread_worker(void *arg)
{
    thread_job *t = arg;
    int64_t id;
    int rc;
    while ((rc = hpt_study_ask(t->st, &id)) == HPT_OK) {
        if ((rc = hpt_study_tell(t->st, id, objective(t->st, id))) != HPT_OK)
            break;
        t->ids[t->n++] = id;
    }
    t->rc = rc == HPT_DONE ? HPT_OK : rc;
    return NULL;
}

/* Two studies of one process on one journal, each in its own thread: the
 * open-file-description locks keep them apart as they do processes. */
static void test_two_handles_threads(void **state)
{
    (void)state;
    const char *path = tmp("threads.jnl");
    unlink(path);
    thread_job t[2] = {{open_random(path), {0}, 0, 0}, {NULL, {0}, 0, 0}};
    t[1].st = open_random(path);
    assert_ok(hpt_study_set(t[0].st, "max_trials", 150));
    assert_ok(hpt_study_set(t[1].st, "max_trials", 150));
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, thread_worker, &t[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_ok(t[0].rc);
    assert_ok(t[1].rc);
    assert_int_equal(t[0].n + t[1].n, 150);
    unsigned char seen[150] = {0};
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < t[i].n; k++) {
            assert_true(t[i].ids[k] >= 0 && t[i].ids[k] < 150);
            assert_int_equal(seen[t[i].ids[k]]++, 0);
        }
    hpt_study_destroy(t[0].st);
    hpt_study_destroy(t[1].st);
    hpt_study *st = NULL;
    assert_ok(hpt_study_load(path, &st));
    assert_no_repeat(st, 150, "threads");
    hpt_study_destroy(st);
}

/* ---- leases ------------------------------------------------------------------ */

static void sleep_s(double s)
{
    struct timespec t = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

static size_t stale(hpt_study *st, int64_t *ids)
{
    size_t n = 0;
    assert_ok(hpt_study_stale(st, ids, 8, &n));
    return n;
}

/* A writer of this process that stops calling: its trial is stale once
 * its lease ran out, live again after a heartbeat, and can be taken over
 * or failed by another writer only while stale. */
static void test_lease_expires(void **state)
{
    (void)state;
    const char *path = tmp("lease.jnl");
    unlink(path);
    hpt_study *a = open_random(path), *b = open_random(path);
    /* a lease long enough that a loaded machine (sanitizers, tests run
     * side by side) does not let it run out between two checks */
    assert_ok(hpt_study_set(a, "journal.lease_seconds", 1.0));
    assert_ok(hpt_study_set(b, "journal.lease_seconds", 1.0));
    int64_t t0, t1, ids[8];
    assert_ok(hpt_study_ask(a, &t0));
    assert_ok(hpt_study_ask(a, &t1));
    assert_int_equal(stale(b, ids), 0);
    assert_int_equal(stale(a, ids), 0); /* its own are never stale to it */
    assert_status(hpt_study_claim(b, t0), HPT_E_STATE);
    assert_non_null(strstr(hpt_study_errmsg(b), "lease"));
    sleep_s(1.4);
    assert_int_equal(stale(b, ids), 2);
    assert_int_equal(ids[0], t0);
    assert_int_equal(ids[1], t1);
    assert_ok(hpt_study_heartbeat(a)); /* renewed: live again */
    assert_int_equal(stale(b, ids), 0);
    sleep_s(1.4);
    assert_int_equal(stale(b, ids), 2);
    /* b takes t0 over and fails t1 */
    assert_ok(hpt_study_claim(b, t0));
    assert_ok(hpt_study_tell_failed(b, t1, "its writer went silent"));
    assert_int_equal(stale(b, ids), 0);
    assert_int_equal(stale(a, ids), 0); /* t0 is b's now, with a live lease */
    assert_status(hpt_study_tell(a, t1, 1.0), HPT_E_STATE); /* failed meanwhile */
    assert_ok(hpt_study_tell(b, t0, 0.5));
    assert_status(hpt_study_claim(b, t0), HPT_E_STATE); /* finished */
    assert_status(hpt_study_claim(b, 99), HPT_E_TRIAL);
    hpt_study_destroy(a);
    hpt_study_destroy(b);
    /* what the leases said survives in the file: a new writer sees them */
    assert_true(count_lines(path, "lease") == 3 && count_lines(path, "owner") == 2);
    assert_true(count_lines(path, "beat") >= 1);
}

/* A writer killed with SIGKILL: its running trials are stale to the
 * others (at once on this host: its process is gone; anywhere after the
 * lease), and another process takes them over. */
static void test_killed_writer(void **state)
{
    (void)state;
    const char *path = tmp("killed.jnl");
    unlink(path);
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(ready[0]);
        hpt_study *st = open_random(path);
        int64_t id;
        for (int i = 0; i < 3; i++)
            if (hpt_study_ask(st, &id) != HPT_OK)
                _exit(1);
        if (hpt_study_tell(st, 1, 1.0) != HPT_OK || write(ready[1], "r", 1) != 1)
            _exit(2);
        pause();
        _exit(3);
    }
    close(ready[1]);
    char c;
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    hpt_study *b = open_random(path);
    int64_t ids[8];
    assert_int_equal(stale(b, ids), 0); /* alive, lease fresh */
    kill(pid, SIGKILL);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(stale(b, ids), 2);
    assert_int_equal(ids[0], 0);
    assert_int_equal(ids[1], 2);
    assert_ok(hpt_study_claim(b, 0));
    assert_ok(hpt_study_tell(b, 0, 3.0));
    assert_ok(hpt_study_tell_failed(b, 2, NULL));
    assert_int_equal(stale(b, ids), 0);
    hpt_study_destroy(b);
    /* the same after the lease alone, seen from another host's view: a
     * writer on another host cannot be probed, so only time tells */
    hpt_study *st = NULL;
    assert_ok(hpt_study_load(path, &st));
    int32_t s;
    for (int64_t i = 0; i < 3; i++) {
        assert_ok(hpt_trial_state(st, i, &s));
        assert_int_equal(s, i == 2 ? HPT_TRIAL_FAILED : HPT_TRIAL_COMPLETE);
    }
    hpt_study_destroy(st);
}

/* ---- exclusive --------------------------------------------------------------- */

static void test_exclusive(void **state)
{
    (void)state;
    const char *path = tmp("excl.jnl");
    unlink(path);
    hpt_study *a = open_random(path), *b = open_random(path), *c = NULL;
    int64_t id, ids[8];
    assert_ok(hpt_study_ask(b, &id)); /* b's record, before a is alone */
    assert_status(hpt_study_set(a, "journal.exclusive", 1), HPT_E_LOCKED);
    hpt_study_destroy(b);
    assert_ok(hpt_study_set(a, "journal.exclusive", 1));
    hpt_space *sp = tu_mixed_space();
    assert_status(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 3, &c), HPT_E_LOCKED);
    assert_null(c);
    assert_non_null(strstr(hpt_last_errmsg(), "journal.exclusive"));
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        hpt_study *d = NULL;
        _exit(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 3, &d) == HPT_E_LOCKED ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_ok(hpt_study_ask(a, &id)); /* took in b's ask first */
    assert_int_equal(id, 1);
    assert_int_equal(stale(a, ids), 1); /* b's: alone, a knows b is gone */
    assert_int_equal(ids[0], 0);
    hpt_study_destroy(a);
    /* an exclusive writer's trials carry no lease, and b gave its trial up
     * when it was destroyed ("release"): both stale to the next writer */
    c = open_random(path);
    assert_int_equal(stale(c, ids), 2);
    hpt_study_destroy(c);
    hpt_space_destroy(sp);
    assert_int_equal(count_lines(path, "lease"), 1); /* b's only */
}

/* A lease record that does not parse is damage like any other. */
static void test_bad_lease_record(void **state)
{
    (void)state;
    const char *path = tmp("badlease.jnl");
    unlink(path);
    hpt_study *a = open_random(path);
    int64_t id;
    assert_ok(hpt_study_ask(a, &id));
    hpt_study_destroy(a);
    size_t n;
    char *b = tu_slurp(path, &n);
    char *lease = strstr(b, "\nlease ");
    assert_non_null(lease);
    lease[7] = '7'; /* trial 7 does not exist */
    char *end = strchr(lease + 1, '\n'), *crc = end;
    while (*--crc != ' ')
        ;
    char hex[9];
    snprintf(hex, sizeof hex, "%08x", (unsigned)hpti_crc32(lease + 1, (size_t)(crc - lease - 1)));
    memcpy(crc + 1, hex, 8);
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, n, f);
    fclose(f);
    free(b);
    hpt_space *spc = tu_mixed_space();
    hpt_study *st = NULL;
    assert_status(hpt_study_open(path, spc, "random", HPT_MINIMIZE, 3, &st), HPT_E_CORRUPT);
    assert_non_null(strstr(hpt_last_errmsg(), "lease"));
    hpt_space_destroy(spc);
}

/* ---- SIGKILL with several writers ---------------------------------------------- */

#define KILL_TRIALS 600

static double value_of(int64_t id) { return (double)(id * 7919 % 1000) / 1000.0 + 1.0; }

/* A writer of the kill loop: take over stale trials and ask new ones
 * until the job is done, reporting every trial whose tell returned. */
static void kill_child(const char *path, int fd)
{
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    if (hpt_study_open(path, sp, "sobol", HPT_MINIMIZE, 5, &st) != HPT_OK)
        _exit(2);
    hpt_study_set(st, "journal.fsync", 0); /* kill -9 survives without it */
    if (hpt_study_set(st, "max_trials", KILL_TRIALS) != HPT_OK)
        _exit(3);
    for (;;) {
        int64_t ids[64], id;
        size_t n = 0;
        int rc = hpt_study_stale(st, ids, 64, &n);
        if (rc != HPT_OK && rc != HPT_E_RANGE)
            _exit(4);
        for (size_t i = 0; i < n && i < 64; i++) {
            if (hpt_study_claim(st, ids[i]) != HPT_OK)
                continue; /* another writer was first */
            if (hpt_study_tell(st, ids[i], value_of(ids[i])) != HPT_OK)
                _exit(5);
            if (write(fd, &ids[i], sizeof ids[i]) != sizeof ids[i])
                _exit(6);
        }
        rc = hpt_study_ask(st, &id);
        if (rc == HPT_DONE) {
            size_t running = 0;
            if (hpt_study_stale(st, NULL, 0, &running) == HPT_OK && running == 0)
                break;
            usleep(500);
            continue;
        }
        if (rc != HPT_OK)
            _exit(7);
        usleep(300); /* "training" */
        if (hpt_study_tell(st, id, value_of(id)) != HPT_OK)
            _exit(8);
        if (write(fd, &id, sizeof id) != sizeof id)
            _exit(9);
    }
    _exit(0);
}

static void test_sigkill_writers(void **state)
{
    (void)state;
    const char *path = tmp("kill-writers.jnl");
    static unsigned char told[KILL_TRIALS];
    unsigned seed = 777;
    int rounds = 0, complete = 0, kills = 0;
    memset(told, 0, sizeof told);
    unlink(path);
    signal(SIGPIPE, SIG_IGN);
    while (complete < KILL_TRIALS) {
        assert_true(++rounds < 100);
        enum { W = 3 };
        int p[W][2];
        pid_t pid[W];
        for (int w = 0; w < W; w++) {
            assert_int_equal(pipe(p[w]), 0);
            fflush(NULL);
            pid[w] = fork();
            assert_true(pid[w] >= 0);
            if (pid[w] == 0) {
                close(p[w][0]);
                kill_child(path, p[w][1]);
            }
            close(p[w][1]);
        }
        /* the first rounds kill every writer, later ones some: the others
         * take the victims' trials over and finish the job */
        for (int w = 0; w < W; w++) {
            seed = seed * 1103515245u + 12345u;
            if (rounds > 12 && (seed >> 16) % 2)
                continue;
            usleep((seed >> 4) % 6000);
            kill(pid[w], SIGKILL);
            kills++;
        }
        for (int w = 0; w < W; w++) {
            int status;
            assert_int_equal(waitpid(pid[w], &status, 0), pid[w]);
            int64_t id;
            while (read(p[w][0], &id, sizeof id) == sizeof id) {
                assert_true(id >= 0 && id < KILL_TRIALS);
                if (told[id]++)
                    fail_msg("round %d: trial %lld told twice", rounds, (long long)id);
            }
            close(p[w][0]);
            if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
                fail_msg("round %d: writer %d exited %d", rounds, w, WEXITSTATUS(status));
        }
        /* the journal reopens, and every trial whose tell returned is there */
        hpt_space *sp = tu_mixed_space();
        hpt_study *st = NULL;
        if (hpt_study_open(path, sp, "sobol", HPT_MINIMIZE, 5, &st) != HPT_OK)
            fail_msg("round %d: reopen: %s", rounds, hpt_last_errmsg());
        hpt_space_destroy(sp);
        int64_t count;
        assert_ok(hpt_study_trial_count(st, &count));
        complete = 0;
        for (int64_t i = 0; i < count; i++) {
            int32_t s;
            double v;
            assert_ok(hpt_trial_state(st, i, &s));
            if (told[i] && s != HPT_TRIAL_COMPLETE)
                fail_msg("round %d: trial %lld was told but is %d", rounds, (long long)i, s);
            if (s == HPT_TRIAL_COMPLETE) {
                assert_ok(hpt_trial_value(st, i, &v));
                assert_true(v == value_of(i));
                complete++;
            }
        }
        hpt_study_destroy(st);
    }
    hpt_study *st = NULL;
    assert_ok(hpt_study_load(path, &st));
    assert_no_repeat(st, KILL_TRIALS, "sigkill");
    hpt_study_destroy(st);
    print_message("sigkill, 3 writers: %d rounds, %d kills\n", rounds, kills);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_handles),
        cmocka_unit_test(test_two_handles_threads),
        cmocka_unit_test(test_lease_expires),
        cmocka_unit_test(test_killed_writer),
        cmocka_unit_test(test_exclusive),
        cmocka_unit_test(test_bad_lease_record),
        cmocka_unit_test(test_random_2),
        cmocka_unit_test(test_random_4),
        cmocka_unit_test(test_bayes_2),
        cmocka_unit_test(test_bayes_4),
        cmocka_unit_test(test_hyperband_2),
        cmocka_unit_test(test_hyperband_4),
        cmocka_unit_test(test_sigkill_writers),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
