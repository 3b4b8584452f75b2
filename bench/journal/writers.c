/* writers.c -- the cost of a tell with 1, 2 and 4 writer processes on one
 * journal (issue 14): each tell first takes the append lock, takes in the
 * records the other writers appended, then writes its own.
 *
 *   make bench-journal-writers        (scratch files in build/)
 *   build/bench/journal_writers [DIR] [TRIALS_PER_WRITER]
 *
 * Each writer asks and tells TRIALS_PER_WRITER trials of the "random"
 * strategy (its proposals cost nothing, so the figures are the journal's),
 * all writers starting together; ask and tell are timed from the call to
 * its return, lock waits and the others' records taken in included.
 * Without a "training" between ask and tell one writer tends to keep the
 * lock for runs of calls (the one releasing it is running, the others are
 * asleep in fcntl), so a second series sleeps 1 ms there: the writers then
 * interleave call by call, as real trainings make them. "exclusive" is one
 * writer with "journal.exclusive" = 1 (no lock per change): today's
 * single-writer cost. DIR should be on the disk the jobs will use.
 *
 * Measured 2026-12-01, 2 cores shared with other jobs (load 2.7-3.3), ext4
 * (build/), 10000 trials per writer (1000 with fsync or training), median
 * tell:
 *                      fsync=0         fsync=0, 1 ms     fsync=1
 *                                      training
 *   exclusive, 1       1.1 us          3.9 us            163 us
 *   shared, 1          2.0 us          3.7 us            164 us
 *   shared, 2          2.0 us          6.3 us            336 us
 *   shared, 4          2.0 us          8.9 us            172 us (p90 531)
 * The per-change lock and size check cost about 1 us; taking in the
 * others' records a few us more; with fsync the disk's flush dominates
 * and the writers queue for it (fsync figures vary by 2x between runs on
 * this shared disk). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hpt.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static hpt_space *space(void)
{
    static const char *const acts[] = {"relu", "tanh", "sigmoid"};
    hpt_space *sp;
    hpt_space_create(&sp);
    hpt_space_add_float(sp, "lr", 1e-5, 1e-1, HPT_SCALE_LOG);
    hpt_space_add_int(sp, "layers", 1, 4, HPT_SCALE_LINEAR);
    hpt_space_add_categorical(sp, "act", acts, 3);
    return sp;
}

static void check(int rc, const char *what)
{
    if (rc != HPT_OK) {
        fprintf(stderr, "%s: %s (%s)\n", what, hpt_strerror(rc), hpt_last_errmsg());
        exit(1);
    }
}

/* One writer: n ask/tell pairs once the start byte arrives; the tell
 * times (seconds) go to fd. */
static void writer(const char *path, int fsync_on, int exclusive, int n, int train_us,
                   int go, int fd)
{
    hpt_space *sp = space();
    hpt_study *st;
    char c;
    if (read(go, &c, 1) != 1)
        _exit(2);
    check(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 1, &st), "open");
    check(hpt_study_set(st, "journal.fsync", fsync_on), "journal.fsync");
    if (exclusive)
        check(hpt_study_set(st, "journal.exclusive", 1), "journal.exclusive");
    double *t = malloc(2 * (size_t)n * sizeof *t); /* tells, then asks */
    for (int i = 0; i < n; i++) {
        int64_t id;
        double t0 = now();
        check(hpt_study_ask(st, &id), "ask");
        t[n + i] = now() - t0;
        if (train_us)
            usleep((useconds_t)train_us);
        t0 = now();
        check(hpt_study_tell(st, id, (double)i), "tell");
        t[i] = now() - t0;
    }
    size_t bytes = 2 * (size_t)n * sizeof *t;
    if (write(fd, t, bytes) != (ssize_t)bytes)
        _exit(3);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
    _exit(0);
}

/* w writers of n trials each: median and 90th percentile of a tell (us),
 * trials per second over the whole job. */
static void run(const char *dir, int w, int fsync_on, int exclusive, int n, int train_us)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/bench-writers-%d.jnl", dir, w);
    unlink(path);
    {   /* create it first, so that the writers all resume one study */
        hpt_space *sp = space();
        hpt_study *st;
        check(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 1, &st), "create");
        hpt_study_destroy(st);
        hpt_space_destroy(sp);
    }
    int go[2], out[4][2];
    pid_t pid[4];
    if (pipe(go) != 0)
        exit(1);
    for (int k = 0; k < w; k++) {
        if (pipe(out[k]) != 0)
            exit(1);
        fflush(NULL);
        if ((pid[k] = fork()) == 0) {
            close(go[1]);
            close(out[k][0]);
            writer(path, fsync_on, exclusive, n, train_us, go[0], out[k][1]);
        }
        close(out[k][1]);
    }
    close(go[0]);
    double t0 = now();
    if (write(go[1], "xxxx", (size_t)w) != w)
        exit(1);
    close(go[1]);
    size_t total = (size_t)(w * n);
    double *all = malloc(total * sizeof *all), *asks = malloc(total * sizeof *asks);
    double *one = malloc(2 * (size_t)n * sizeof *one);
    size_t got = 0;
    for (int k = 0; k < w; k++) {
        size_t want = 2 * (size_t)n * sizeof *one, have = 0;
        ssize_t r;
        while (have < want && (r = read(out[k][0], (char *)one + have, want - have)) > 0)
            have += (size_t)r;
        if (have != want) {
            fprintf(stderr, "writer %d: short report\n", k);
            exit(1);
        }
        memcpy(all + got, one, (size_t)n * sizeof *one);
        memcpy(asks + got, one + n, (size_t)n * sizeof *one);
        got += (size_t)n;
        close(out[k][0]);
        int status;
        waitpid(pid[k], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "writer %d failed\n", k);
            exit(1);
        }
    }
    double wall = now() - t0;
    qsort(all, got, sizeof *all, cmp);
    qsort(asks, got, sizeof *asks, cmp);
    printf("  %-9s %d writer%s fsync=%d train=%4d us  tell median %7.1f us  p90 %7.1f us"
           "  ask median %7.1f us  %7.0f trials/s\n",
           exclusive ? "exclusive" : "shared", w, w > 1 ? "s" : " ", fsync_on, train_us,
           1e6 * all[got / 2], 1e6 * all[got * 9 / 10], 1e6 * asks[got / 2],
           (double)got / wall);
    free(all);
    free(asks);
    free(one);
    unlink(path);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    int n = argc > 2 ? atoi(argv[2]) : 2000;
    if (n < 10)
        n = 10;
    printf("tell cost with several writers on one journal (%d trials per writer, "
           "\"random\"; %d with fsync=1 or a training)\n",
           n, n / 10);
    for (int fsync_on = 0; fsync_on <= 1; fsync_on++)
        for (int train = 0; train <= 1000; train += 1000) {
            int m = fsync_on || train ? n / 10 : n;
            run(dir, 1, fsync_on, 1, m, train);
            for (int w = 1; w <= 4; w *= 2)
                run(dir, w, fsync_on, 0, m, train);
        }
    return 0;
}
