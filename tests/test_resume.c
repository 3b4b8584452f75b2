/* test_resume.c -- resuming a journaled study: the same next asks as if it
 * had never stopped; running trials; a process killed at random points. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "journal.h"

/* A deterministic objective of a trial's configuration. */
static double objective(const hpt_study *st, int64_t id)
{
    double x[3];
    assert_ok(hpt_trial_params(st, id, x, 3));
    return log10(x[0]) + 0.1 * x[1] + 0.01 * x[2];
}

/* Drive a study for steps [from, to): ask two, report on one, tell one,
 * fail every 7th, prune every 11th; the rest told later (some running). */
static void drive(hpt_study *st, int from, int to)
{
    for (int k = from; k < to; k++) {
        int64_t id;
        int32_t stop;
        int rc = hpt_study_ask(st, &id);
        if (rc == HPT_DONE)
            return;
        assert_int_equal(rc, HPT_OK);
        if (k % 7 == 3)
            assert_ok(hpt_study_tell_failed(st, id, "diverged"));
        else if (k % 11 == 5) {
            assert_ok(hpt_study_report(st, id, 1, objective(st, id) + 1, &stop));
            assert_ok(hpt_study_prune(st, id));
        } else if (k % 5 != 4) { /* every 5th stays running a while */
            assert_ok(hpt_study_report(st, id, 1, objective(st, id) + 0.5, &stop));
            assert_ok(hpt_study_tell(st, id, objective(st, id)));
        }
        if (k % 5 == 0 && k >= 10) /* tell the one left running 6 steps ago */
            if (hpt_study_tell(st, id - 6, objective(st, id - 6)) != HPT_OK)
                assert_int_equal(hpt_study_tell(st, id - 6, 0), HPT_E_STATE);
    }
}

static void assert_same_trials(const hpt_study *a, const hpt_study *b)
{
    int64_t na, nb;
    assert_ok(hpt_study_trial_count(a, &na));
    assert_ok(hpt_study_trial_count(b, &nb));
    assert_int_equal(na, nb);
    for (int64_t id = 0; id < na; id++) {
        double xa[3], xb[3], va = NAN, vb = NAN;
        int32_t sa, sb;
        assert_ok(hpt_trial_params(a, id, xa, 3));
        assert_ok(hpt_trial_params(b, id, xb, 3));
        if (memcmp(xa, xb, sizeof xa) != 0)
            fail_msg("trial %lld differs", (long long)id);
        assert_ok(hpt_trial_state(a, id, &sa));
        assert_ok(hpt_trial_state(b, id, &sb));
        assert_int_equal(sa, sb);
        hpt_trial_value(a, id, &va);
        hpt_trial_value(b, id, &vb);
        assert_true(memcmp(&va, &vb, sizeof va) == 0);
    }
}

/* The next ask of each agrees too. */
static void assert_same_next(hpt_study *a, hpt_study *b)
{
    int64_t ida, idb;
    int rca = hpt_study_ask(a, &ida);
    assert_int_equal(hpt_study_ask(b, &idb), rca);
    assert_int_equal(ida, idb);
    assert_same_trials(a, b);
}

static hpt_study *open_study(const char *path, const char *strategy)
{
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    int rc = hpt_study_open(path, sp, strategy, HPT_MINIMIZE, 99, &st);
    hpt_space_destroy(sp);
    if (rc)
        fail_msg("open %s: %s", path, hpt_last_errmsg());
    assert_ok(hpt_study_set(st, "journal.fsync", 0));
    return st;
}

/* N asks straight vs N/2, destroy, reopen, N/2: identical, for every
 * strategy in the registry (including ones merged later). */
static void test_resume_equivalence(void **state)
{
    (void)state;
    const char *name;
    for (size_t i = 0; hpt_strategy_name(i, &name) == HPT_OK; i++) {
        const int N = strcmp(name, "bayes") == 0 ? 30 : 120;
        char pa[64], pb[64];
        snprintf(pa, sizeof pa, "straight-%s.jnl", name);
        snprintf(pb, sizeof pb, "split-%s.jnl", name);
        hpt_study *a = open_study(tmp(pa), name);
        if (strcmp(name, "grid") == 0) {
            assert_ok(hpt_study_set(a, "grid.shuffle", 1));
            assert_ok(hpt_study_set(a, "grid.points", 9));
        }
        drive(a, 0, N);
        char pb_full[512];
        snprintf(pb_full, sizeof pb_full, "%s", tmp(pb));
        hpt_study *b = open_study(pb_full, name);
        if (strcmp(name, "grid") == 0) {
            assert_ok(hpt_study_set(b, "grid.shuffle", 1));
            assert_ok(hpt_study_set(b, "grid.points", 9));
        }
        drive(b, 0, N / 2);
        hpt_study_destroy(b);
        b = open_study(pb_full, name);
        if (strcmp(name, "grid") == 0) /* host code repeats its set-up: no-op */
            assert_ok(hpt_study_set(b, "grid.shuffle", 1));
        drive(b, N / 2, N);
        assert_same_trials(a, b);
        /* and a third process reading the finished journal agrees */
        hpt_study_destroy(b);
        b = open_study(pb_full, name);
        assert_same_trials(a, b);
        assert_same_next(a, b);
        hpt_study_destroy(a);
        hpt_study_destroy(b);
    }
}

/* Bayes with input warping (its hyperparameters, two more per ordered
 * parameter, are part of what a record holds): the same equivalence. */
static void test_resume_warp(void **state)
{
    (void)state;
    const int N = 30;
    hpt_study *a = open_study(tmp("straight-warp.jnl"), "bayes");
    assert_ok(hpt_study_set(a, "bayes.warp", 1));
    drive(a, 0, N);
    char pb[512];
    snprintf(pb, sizeof pb, "%s", tmp("split-warp.jnl"));
    hpt_study *b = open_study(pb, "bayes");
    assert_ok(hpt_study_set(b, "bayes.warp", 1));
    drive(b, 0, N / 2);
    hpt_study_destroy(b);
    b = open_study(pb, "bayes");
    drive(b, N / 2, N);
    assert_same_trials(a, b);
    assert_same_next(a, b);
    hpt_study_destroy(a);
    hpt_study_destroy(b);
}

static void test_running_after_resume(void **state)
{
    (void)state;
    const char *path = tmp("running.jnl");
    hpt_study *st = open_study(path, "random");
    int64_t id, ids[8];
    for (int k = 0; k < 5; k++)
        assert_ok(hpt_study_ask(st, &id));
    assert_ok(hpt_study_tell(st, 1, 0.5));
    assert_ok(hpt_study_tell_failed(st, 3, NULL));
    double x2[3], y2[3];
    assert_ok(hpt_trial_params(st, 2, x2, 3));
    hpt_study_destroy(st); /* "crash" with 0, 2, 4 running */

    st = open_study(path, "random");
    size_t needed;
    assert_status(hpt_study_running(st, ids, 2, &needed), HPT_E_RANGE);
    assert_int_equal(needed, 3);
    assert_ok(hpt_study_running(st, NULL, 0, &needed) == HPT_E_RANGE ? HPT_OK : -99);
    assert_ok(hpt_study_running(st, ids, 8, &needed));
    assert_int_equal(needed, 3);
    assert_int_equal(ids[0], 0);
    assert_int_equal(ids[1], 2);
    assert_int_equal(ids[2], 4);
    /* re-run 2 (same id, same configuration), give up 0 and 4 */
    assert_ok(hpt_trial_params(st, 2, y2, 3));
    assert_memory_equal(x2, y2, sizeof x2);
    assert_ok(hpt_study_tell(st, 2, 0.25));
    assert_ok(hpt_study_tell_failed(st, 0, "lost in a crash"));
    assert_ok(hpt_study_tell_failed(st, 4, "lost in a crash"));
    hpt_study_destroy(st);
    st = open_study(path, "random");
    assert_ok(hpt_study_running(st, ids, 8, &needed));
    assert_int_equal(needed, 0);
    int64_t best;
    assert_ok(hpt_study_best(st, &best, NULL));
    assert_int_equal(best, 2);
    hpt_study_destroy(st);
}


/* With a pruner: reports replay through it, so its decisions (and state)
 * come back too. Pruners not in this build are skipped. */
static void test_resume_with_pruner(void **state)
{
    (void)state;
    const char *pruners[] = {"median", "asha"};
    int ran = 0;
    for (size_t p = 0; p < 2; p++) {
        char pa[64], pb[64];
        snprintf(pa, sizeof pa, "pruner-a-%s.jnl", pruners[p]);
        snprintf(pb, sizeof pb, "pruner-b-%s.jnl", pruners[p]);
        hpt_study *a = open_study(tmp(pa), "random");
        if (hpt_study_set_str(a, "pruner", pruners[p]) == HPT_E_NAME) {
            hpt_study_destroy(a);
            continue;
        }
        ran++;
        char pbf[512];
        snprintf(pbf, sizeof pbf, "%s", tmp(pb));
        hpt_study *b = open_study(pbf, "random");
        assert_ok(hpt_study_set_str(b, "pruner", pruners[p]));
        int32_t stops_a = 0, stops_b = 0;
        for (int half = 0; half < 2; half++) {
            for (int k = 0; k < 40; k++) {
                int64_t ia, ib;
                int32_t sa, sb;
                assert_ok(hpt_study_ask(a, &ia));
                assert_ok(hpt_study_ask(b, &ib));
                for (int step = 1; step <= 4; step++) {
                    double v = objective(a, ia) + 1.0 / step;
                    assert_ok(hpt_study_report(a, ia, step, v, &sa));
                    assert_ok(hpt_study_report(b, ib, step, objective(b, ib) + 1.0 / step, &sb));
                    assert_int_equal(sa, sb);
                    stops_a += sa;
                    stops_b += sb;
                    if (sa)
                        break;
                }
                if (sa) {
                    assert_ok(hpt_study_prune(a, ia));
                    assert_ok(hpt_study_prune(b, ib));
                } else {
                    assert_ok(hpt_study_tell(a, ia, objective(a, ia)));
                    assert_ok(hpt_study_tell(b, ib, objective(b, ib)));
                }
            }
            if (half == 0) { /* b stops and resumes */
                hpt_study_destroy(b);
                b = open_study(pbf, "random");
                assert_ok(hpt_study_set_str(b, "pruner", pruners[p])); /* no-op */
            }
        }
        assert_int_equal(stops_a, stops_b);
        assert_same_trials(a, b);
        hpt_study_destroy(a);
        hpt_study_destroy(b);
    }
    if (!ran)
        skip();
}


/* Worker threads sharing one journaled study: records are appended in the
 * order the calls ran, so the reopened study is the same as the live one. */
static void *worker(void *arg)
{
    hpt_study *st = arg;
    for (int k = 0; k < 50; k++) {
        int64_t id;
        int32_t stop;
        if (hpt_study_ask(st, &id) != HPT_OK)
            return (void *)1;
        if (hpt_study_report(st, id, 1, objective(st, id) + 1, &stop) != HPT_OK ||
            (k % 9 == 4 ? hpt_study_tell_failed(st, id, "x")
                        : hpt_study_tell(st, id, objective(st, id))) != HPT_OK)
            return (void *)1;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s", tmp("threads.jnl"));
    hpt_study *st = open_study(path, "sobol");
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, worker, st), 0);
    for (int i = 0; i < 4; i++) {
        void *rv;
        assert_int_equal(pthread_join(th[i], &rv), 0);
        assert_null(rv);
    }
    /* the live study holds the lock: replay a copy of its journal */
    char copy[512], cmd[1100];
    snprintf(copy, sizeof copy, "%s", tmp("threads-copy.jnl"));
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path, copy);
    assert_int_equal(system(cmd), 0);
    hpt_study *again = open_study(copy, "sobol");
    assert_same_trials(st, again);
    int64_t a, b;
    assert_ok(hpt_study_ask(st, &a));
    assert_ok(hpt_study_ask(again, &b));
    assert_same_trials(st, again);
    hpt_study_destroy(again);
    hpt_study_destroy(st);
}

/* ---- killed at random points ----------------------------------------------- */

#define KILL_TRIALS 1000

static double value_of(int64_t id) { return (double)(id * 7919 % 1000) / 1000.0 + 1.0; }

/* The child: resume, finish the running trials, then ask/tell until
 * max_trials; after each tell returns, write the id to the pipe. */
static void child(const char *path, int fd, int go)
{
    char token;
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    if (hpt_study_open(path, sp, "sobol", HPT_MINIMIZE, 5, &st) != HPT_OK)
        _exit(2);
    hpt_study_set(st, "journal.fsync", 0); /* kill -9 survives without it */
    if (hpt_study_set(st, "max_trials", KILL_TRIALS) != HPT_OK)
        _exit(3);
    int64_t ids[KILL_TRIALS], id = -1;
    size_t n;
    if (write(fd, &id, sizeof id) != sizeof id) /* ready */
        _exit(11);
    if (hpt_study_running(st, ids, KILL_TRIALS, &n) != HPT_OK)
        _exit(4);
    for (size_t i = 0; i < n; i++) {
        if (read(go, &token, 1) != 1)
            _exit(10);
        if (hpt_study_tell(st, ids[i], value_of(ids[i])) != HPT_OK)
            _exit(5);
        if (write(fd, &ids[i], sizeof ids[i]) != sizeof ids[i])
            _exit(6);
    }
    int rc;
    while ((rc = hpt_study_ask(st, &id)) == HPT_OK) {
        if (read(go, &token, 1) != 1)
            _exit(10);
        if (hpt_study_tell(st, id, value_of(id)) != HPT_OK)
            _exit(7);
        if (write(fd, &id, sizeof id) != sizeof id)
            _exit(8);
    }
    _exit(rc == HPT_DONE ? 0 : 9);
}

static void test_sigkill(void **state)
{
    (void)state;
    const char *path = tmp("kill.jnl");
    static unsigned char told[KILL_TRIALS];
    unsigned seed = 12345;
    int rounds = 0, finished = 0, torn = 0;
    memset(told, 0, sizeof told);
    signal(SIGPIPE, SIG_IGN); /* a child that finished closes its pipe */
    while (!finished) {
        assert_true(++rounds < 200);
        int p[2], g[2];
        assert_int_equal(pipe(p), 0);
        assert_int_equal(pipe(g), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(p[0]);
            close(g[1]);
            child(path, p[1], g[0]);
        }
        close(p[1]);
        close(g[0]);
        /* let it tell up to a random number of trials, and kill it at a
         * random moment while it works through them */
        int64_t id;
        assert_int_equal(read(p[0], &id, sizeof id), sizeof id);
        assert_int_equal(id, -1); /* resumed, ready to work */
        seed = seed * 1103515245u + 12345u;
        int let = 1 + (int)((seed >> 16) % 150);
        char tokens[150];
        memset(tokens, 'g', sizeof tokens);
        /* EPIPE: the child already finished every trial and exited */
        ssize_t w = write(g[1], tokens, (size_t)let);
        assert_true(w == let || (w < 0 && errno == EPIPE));
        usleep((seed >> 4) % 1000);
        kill(pid, SIGKILL);
        close(g[1]);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        /* ids written before the kill were told too */
        while (read(p[0], &id, sizeof id) == sizeof id)
            told[id] = 1;
        close(p[0]);
        if (WIFEXITED(status))
            assert_int_equal(WEXITSTATUS(status), 0), finished = 1;
        else
            assert_true(WIFSIGNALED(status));
        /* every trial whose tell returned is there, with its value */
        hpt_space *sp = tu_mixed_space();
        hpt_study *st = NULL;
        if (hpt_study_open(path, sp, "sobol", HPT_MINIMIZE, 5, &st) != HPT_OK)
            fail_msg("round %d: reopen: %s", rounds, hpt_last_errmsg());
        hpt_space_destroy(sp);
        int64_t count, dropped;
        assert_ok(hpt_study_trial_count(st, &count));
        assert_ok(hpt_study_journal_info(st, NULL, &dropped, NULL));
        torn += dropped > 0;
        for (int64_t i = 0; i < KILL_TRIALS; i++) {
            if (!told[i])
                continue;
            int32_t s;
            double v;
            assert_true(i < count);
            assert_ok(hpt_trial_state(st, i, &s));
            if (s != HPT_TRIAL_COMPLETE)
                fail_msg("round %d: trial %lld was told but is %d", rounds, (long long)i, s);
            assert_ok(hpt_trial_value(st, i, &v));
            assert_true(v == value_of(i));
        }
        /* at most the record being written is missing: nothing beyond
         * the one trial asked but not told can be running */
        size_t running;
        assert_status(hpt_study_running(st, NULL, 0, &running) == HPT_E_RANGE ? HPT_OK : HPT_OK, HPT_OK);
        assert_true(running <= 1);
        hpt_study_destroy(st);
    }
    /* The job finished: all its trials are complete. (A trial may be
     * complete without having been reported on the pipe: killed between
     * its tell and the write.) */
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    assert_ok(hpt_study_open(path, sp, "sobol", HPT_MINIMIZE, 5, &st));
    hpt_space_destroy(sp);
    for (int64_t i = 0; i < KILL_TRIALS; i++) {
        double v;
        assert_ok(hpt_trial_value(st, i, &v));
        assert_true(v == value_of(i));
    }
    hpt_study_destroy(st);
    print_message("sigkill: %d kills, %d left a torn record\n", rounds - 1, torn);
}

/* OpenBLAS (linked by libhpt): the thread count of its calls. */
void openblas_set_num_threads(int n);

/* A bayes journal written with one BLAS thread count reopens under
 * another, with the trials it recorded, and the study goes on; before,
 * the model's last bits differed and reopening failed with
 * HPT_E_MISMATCH (../shared/repro/reliability/c_resume_blas_threads.c). */
static hpt_study *open_square(const char *path)
{
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "y", 0, 1, HPT_SCALE_LINEAR));
    int rc = hpt_study_open(path, sp, "bayes", HPT_MINIMIZE, 1, &st);
    hpt_space_destroy(sp);
    if (rc)
        fail_msg("open %s: %s", path, hpt_last_errmsg());
    assert_ok(hpt_study_set(st, "journal.fsync", 0));
    return st;
}

static void square_trials(hpt_study *st, int n, double (*x)[2])
{
    for (int i = 0; i < n; i++) {
        int64_t id;
        double v[2];
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, v, 2));
        if (x)
            memcpy(x[i], v, sizeof v);
        double y = (v[0] - .3) * (v[0] - .3) + (v[1] - .6) * (v[1] - .6);
        assert_ok(hpt_study_tell(st, id, y + 0.01 * (double)(id % 7)));
    }
}

static void test_blas_threads(void **state)
{
    (void)state;
    enum { N = 60 };
    const char *path = tmp("blas.jnl");
    double x[N][2];
    unlink(path);
    openblas_set_num_threads(1);
    hpt_study *st = open_square(path);
    square_trials(st, N, x);
    hpt_study_destroy(st);
    openblas_set_num_threads(2);
    st = open_square(path);
    for (int i = 0; i < N; i++) {
        double y[2];
        assert_ok(hpt_trial_params(st, i, y, 2));
        assert_memory_equal(x[i], y, sizeof y);
    }
    square_trials(st, 5, NULL);
    hpt_study_destroy(st);
    openblas_set_num_threads(1);
    st = open_square(path);
    int64_t n;
    assert_ok(hpt_study_trial_count(st, &n));
    assert_int_equal(n, N + 5);
    hpt_study_destroy(st);
}

/* Rewrite the "ask" record of trial id with parameter 0 scaled by factor
 * (checksum and sequence number kept right). */
static void tamper_ask(const char *path, int64_t id, double factor)
{
    size_t n;
    char *b = tu_slurp(path, &n);
    FILE *out = fopen(path, "wb");
    char head[32];
    snprintf(head, sizeof head, "ask %lld ", (long long)id);
    for (char *p = b; *p;) {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        if (strncmp(p, head, strlen(head)) != 0) {
            fprintf(out, "%s\n", p);
            p = nl + 1;
            continue;
        }
        /* ask <id> <ms> <budget> <parent> <x0> <x1> <x2> [@<state>] <seq> <crc> */
        char *f[12] = {0};
        int k = 0;
        for (char *q = strtok(p, " "); q && k < 12; q = strtok(NULL, " "))
            f[k++] = q;
        assert_true(k == 10 || k == 11);
        char rec[4096];
        int len = 0;
        for (int i = 0; i < k - 1; i++) /* all but the old checksum */
            if (i == 5)
                len += snprintf(rec + len, sizeof rec - (size_t)len, " %.17g",
                                strtod(f[i], NULL) * factor);
            else
                len += snprintf(rec + len, sizeof rec - (size_t)len, "%s%s", i ? " " : "",
                                f[i] ? f[i] : "");
        fprintf(out, "%s %08x\n", rec, (unsigned)hpti_crc32(rec, strlen(rec)));
        p = nl + 1;
    }
    fclose(out);
    free(b);
}

/* A recorded parameter value that the strategy would not propose (here
 * changed by a relative 1e-9, as another machine's arithmetic could):
 * the journal reopens with the recorded value, and the study goes on. */
static void test_recorded_value_wins(void **state)
{
    (void)state;
    const char *strategies[] = {"bayes", "random", "hyperband"};
    for (size_t k = 0; k < 3; k++) {
        const char *path = tmp("tamper.jnl");
        unlink(path);
        hpt_study *st = open_study(path, strategies[k]);
        drive(st, 0, 30);
        double before[3];
        assert_ok(hpt_trial_params(st, 12, before, 3));
        hpt_study_destroy(st);
        tamper_ask(path, 12, 1 + 1e-9);
        st = open_study(path, strategies[k]);
        double after[3];
        assert_ok(hpt_trial_params(st, 12, after, 3));
        assert_true(after[0] == before[0] * (1 + 1e-9));
        assert_true(after[0] != before[0]);
        assert_true(after[1] == before[1] && after[2] == before[2]);
        int64_t n0, n1;
        assert_ok(hpt_study_trial_count(st, &n0));
        drive(st, 30, 36);
        assert_ok(hpt_study_trial_count(st, &n1));
        assert_true(n1 > n0);
        hpt_study_destroy(st);
        /* What it wrote after the reopen reopens too. */
        st = open_study(path, strategies[k]);
        assert_ok(hpt_trial_params(st, 12, after, 3));
        assert_true(after[0] == before[0] * (1 + 1e-9));
        hpt_study_destroy(st);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resume_equivalence),
        cmocka_unit_test(test_resume_warp),
        cmocka_unit_test(test_running_after_resume),
        cmocka_unit_test(test_resume_with_pruner),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_sigkill),
        cmocka_unit_test(test_blas_threads),
        cmocka_unit_test(test_recorded_value_wins),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
