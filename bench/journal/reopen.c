/* reopen.c -- reopening a journal: read, not recompute (issue 14 item 1).
 *
 *   make bench-journal-reopen        (journals kept in build/bench/journal/)
 *   build/bench/journal_reopen [DIR]
 *
 * For each journal (bayes and hyperband at 1,000 and 10,000 trials,
 * random at 10,000; 6 parameters) it reports, in one process:
 *   open      hpt_study_open on the journal (parse + restore the states)
 *   next asks the 5 asks after that open, in all (the first rebuilds the
 *             model's factor: one Cholesky factorization, no fit)
 *   run asks  the last 5 asks of the run that wrote the journal, in all
 *             (the same 5 calls without the reopen between)
 *   fit       one model fit at that size, measured here: the MAP fit of
 *             hpti_gp_fit on min(n, 300) rows (bayes.fit_max_points) plus
 *             the factorization of all n rows
 *   re-exec   (random, and bayes/hyperband 1,000 when HPT_BENCH_REEXEC=1)
 *             the open of the same journal with the states stripped, i.e.
 *             as before: every ask proposed again
 *
 * Writing the journals: bayes 1,000 and hyperband 1,000 are real runs
 * (defaults: hyperband's sampler is the GP model); bayes 10,000 runs its
 * Sobol design for 9,990 trials (bayes.initial_trials) and the model for
 * the last 10 (a model over 10,000 points costs seconds an ask: a run of
 * 10,000 model asks takes hours); hyperband 10,000 uses sampler "random"
 * for the same reason. The journals are kept and reused when present. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hpt.h"
#include "crc32.h"
#include "gp.h"

#define DIM 6

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void check(int rc, const char *what)
{
    if (rc != HPT_OK) {
        fprintf(stderr, "%s: %s (%s)\n", what, hpt_strerror(rc), hpt_last_errmsg());
        exit(1);
    }
}

static hpt_space *space(void)
{
    static const char *const acts[] = {"relu", "tanh", "sigmoid"};
    hpt_space *sp;
    check(hpt_space_create(&sp), "space");
    check(hpt_space_add_float(sp, "lr", 1e-5, 1e-1, HPT_SCALE_LOG), "space");
    check(hpt_space_add_float(sp, "wd", 1e-6, 1e-2, HPT_SCALE_LOG), "space");
    check(hpt_space_add_float(sp, "drop", 0, 0.8, HPT_SCALE_LINEAR), "space");
    check(hpt_space_add_float(sp, "mom", 0.5, 0.99, HPT_SCALE_LINEAR), "space");
    check(hpt_space_add_int(sp, "layers", 1, 8, HPT_SCALE_LINEAR), "space");
    check(hpt_space_add_categorical(sp, "act", acts, 3), "space");
    return sp;
}

static double loss(const hpt_study *st, int64_t id)
{
    double x[DIM], b;
    int64_t from;
    check(hpt_trial_params(st, id, x, DIM), "params");
    check(hpt_trial_budget(st, id, &b, &from), "budget");
    double l = pow(log10(x[0]) + 3, 2) + pow(log10(x[1]) + 4, 2) / 4 + pow(x[2] - 0.3, 2) +
               pow(x[3] - 0.9, 2) + 0.05 * fabs(x[4] - 3) + 0.1 * x[5];
    return l + (b > 0 ? 1.0 / b : 0.0);
}

typedef struct {
    const char *strategy;
    int n;
    const char *opt[2][2]; /* name, value (string options) */
    double num[2][2];      /* numeric options: name index into opt_num */
    const char *num_name[2];
} job;


static hpt_study *open_job(const char *path, const job *j)
{
    hpt_space *sp = space();
    hpt_study *st;
    check(hpt_study_open(path, sp, j->strategy, HPT_MINIMIZE, 1, &st), "open");
    hpt_space_destroy(sp);
    return st;
}

/* Ask and tell trial k; @return the ask's seconds when timed. */
static double step(hpt_study *st, int k, int timed)
{
    int64_t id;
    double t0 = now();
    check(hpt_study_ask(st, &id), "ask");
    double dt = timed ? now() - t0 : 0;
    if (k % 13 == 5)
        check(hpt_study_tell_failed(st, id, "diverged"), "fail");
    else
        check(hpt_study_tell(st, id, loss(st, id)), "tell");
    return dt;
}

static void set_job(hpt_study *st, const job *j)
{
    check(hpt_study_set(st, "journal.fsync", 0), "set");
    for (int i = 0; i < 2; i++) {
        if (j->opt[i][0])
            check(hpt_study_set_str(st, j->opt[i][0], j->opt[i][1]), j->opt[i][0]);
        if (j->num_name[i])
            check(hpt_study_set(st, j->num_name[i], j->num[i][0]), j->num_name[i]);
    }
}

#define K 5 /* asks compared */

/* Write the job's journal unless it is there; returns the time of its
 * last K asks (0 when the journal was reused). The journal is cut back
 * to n - K trials: the reopen is then followed by the same K asks. */
static double write_job(const char *path, const job *j)
{
    hpt_study *st;
    struct stat sb;
    if (stat(path, &sb) == 0) {
        st = open_job(path, j);
        int64_t n;
        hpt_study_trial_count(st, &n);
        hpt_study_destroy(st);
        if (n == j->n)
            return 0;
    }
    unlink(path);
    st = open_job(path, j);
    set_job(st, j);
    double t = 0;
    for (int k = 0; k < j->n; k++)
        t += step(st, k, k >= j->n - K);
    hpt_study_destroy(st);
    return t;
}

/* The journal without strategy states: as an earlier version wrote it. */
static void strip(const char *src, const char *dst)
{
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    static char line[1 << 16];
    while (fgets(line, sizeof line, in)) {
        char *at = strncmp(line, "ask ", 4) == 0 ? strstr(line, " @") : NULL;
        if (!at) {
            fputs(line, out);
            continue;
        }
        char *seq = strchr(at + 1, ' '), *crc = strrchr(line, ' ');
        char rec[1 << 16];
        int len = snprintf(rec, sizeof rec, "%.*s%.*s", (int)(at - line), line,
                           (int)(crc - seq), seq);
        fprintf(out, "%s %08x\n", rec, (unsigned)hpti_crc32(rec, (size_t)len));
    }
    fclose(in);
    fclose(out);
}

/* Bytes of the journal's records up to the ask of trial `trial`. */
static off_t records_bytes(const char *path, int trial)
{
    FILE *in = fopen(path, "rb");
    static char line[1 << 16];
    char head[32];
    snprintf(head, sizeof head, "ask %d ", trial);
    off_t at = 0;
    while (fgets(line, sizeof line, in) && strncmp(line, head, strlen(head)) != 0)
        at += (off_t)strlen(line);
    fclose(in);
    return at;
}

static void copy_prefix(const char *src, const char *dst, off_t n)
{
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    static char buf[1 << 16];
    while (n > 0) {
        size_t k = fread(buf, 1, n < (off_t)sizeof buf ? (size_t)n : sizeof buf, in);
        if (k == 0)
            break;
        fwrite(buf, 1, k, out);
        n -= (off_t)k;
    }
    fclose(in);
    fclose(out);
}

static double time_open(const char *path, const job *j, hpt_study **out)
{
    double t0 = now();
    *out = open_job(path, j);
    return now() - t0;
}

/* One model fit at n rows: the MAP fit on min(n, 300) rows and the
 * factorization of all n (random points of the unit cube, a smooth
 * target). */
static double time_fit(size_t n)
{
    unsigned char cat[DIM] = {0, 0, 0, 0, 0, 1};
    hpti_gp gp;
    hpti_rng rng;
    hpti_rng_seed(&rng, 5, 0);
    double *X = malloc(n * DIM * sizeof *X), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        y[i] = 0;
        for (size_t j = 0; j < DIM; j++) {
            X[i * DIM + j] = j == 5 ? floor(3 * hpti_rng_uniform(&rng)) / 2 : hpti_rng_uniform(&rng);
            y[i] += sin(3 * X[i * DIM + j]);
        }
    }
    check(hpti_gp_init(&gp, DIM, cat), "gp");
    size_t m = n < 300 ? n : 300;
    double t0 = now();
    check(hpti_gp_fit(&gp, X, y, m, &rng, 2, 60), "fit");
    check(hpti_gp_factor(&gp, X, n), "factor");
    double dt = now() - t0;
    hpti_gp_free(&gp);
    free(X);
    free(y);
    return dt;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "build/bench/journal";
    int reexec = getenv("HPT_BENCH_REEXEC") && atoi(getenv("HPT_BENCH_REEXEC"));
    mkdir(dir, 0755);
    job jobs[] = {
        {"random", 10000, {{NULL, NULL}, {NULL, NULL}}, {{0}}, {NULL, NULL}},
        {"bayes", 1000, {{NULL, NULL}, {NULL, NULL}}, {{0}}, {NULL, NULL}},
        {"bayes", 10000, {{NULL, NULL}, {NULL, NULL}}, {{9990}}, {"bayes.initial_trials", NULL}},
        {"hyperband", 1000, {{NULL, NULL}, {NULL, NULL}}, {{0}}, {NULL, NULL}},
        {"hyperband", 10000, {{"hyperband.sampler", "random"}, {NULL, NULL}}, {{0}},
         {NULL, NULL}},
    };
    printf("| journal | trials | MB | open | next %d asks | run's last %d asks | one fit at n | "
           "re-exec open |\n|---|---|---|---|---|---|---|---|\n", K, K);
    for (size_t k = 0; k < sizeof jobs / sizeof jobs[0]; k++) {
        const job *j = &jobs[k];
        char path[1024], old[1100];
        snprintf(path, sizeof path, "%s/%s-%d.jnl", dir, j->strategy, j->n);
        snprintf(old, sizeof old, "%s.stripped", path);
        double run_ask = write_job(path, j);
        struct stat sb;
        stat(path, &sb);
        hpt_study *st;
        /* the journal of the first n - K trials, as a job stopped there */
        hpt_study *cut;
        off_t at = records_bytes(path, j->n - K);
        copy_prefix(path, old, at);
        double open = time_open(old, j, &cut);
        set_job(cut, j);
        double next = 0;
        for (int t = j->n - K; t < j->n; t++)
            next += step(cut, t, 1);
        hpt_study_destroy(cut);
        unlink(old);
        int model = strcmp(j->strategy, "random") != 0;
        double fit = model ? time_fit((size_t)j->n) : NAN;
        double re = NAN;
        if (strcmp(j->strategy, "random") == 0 || (reexec && j->n <= 1000)) {
            strip(path, old);
            re = time_open(old, j, &st);
            hpt_study_destroy(st);
            unlink(old);
        }
        char runs[32] = "(reused)", fits[32] = "-", res[32] = "-";
        if (run_ask > 0)
            snprintf(runs, sizeof runs, "%.1f ms", 1e3 * run_ask);
        if (model)
            snprintf(fits, sizeof fits, "%.3f s", fit);
        if (!isnan(re))
            snprintf(res, sizeof res, "%.3f s", re);
        printf("| %s%s | %d | %.1f | %.3f s | %.1f ms | %s | %s | %s |\n", j->strategy,
               strcmp(j->strategy, "bayes") == 0 && j->n > 1000     ? " (design + 10 model)"
               : strcmp(j->strategy, "hyperband") == 0 && j->n > 1000 ? " (sampler random)"
                                                                       : "",
               j->n, (double)sb.st_size / 1e6, open, 1e3 * next, runs, fits, res);
        fflush(stdout);
    }
    return 0;
}
