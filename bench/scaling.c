/* scaling.c -- build/hpt-bench-scaling: ask latency and peak memory of a
 * strategy against the number of observations and the dimension.
 *
 *   hpt-bench-scaling [--strategy NAME] [--obs 50,100,...] [--dims 2,5,...]
 *                     [--asks K] [--time-limit S] [--startup-option NAME]
 *                     [--option NAME=VALUE]
 *                     [--seed S] [--json FILE] [--clock wall|cpu]
 *                     [--dpotrf-max N]
 *   hpt-bench-scaling --running 0,100,1000 [--strategy NAME] [--base N]
 *                     [--tell-every K]
 *   hpt-bench-scaling --linalg 100,1000,2000,5000
 *   hpt-bench-scaling --fail-at 5[,50,...] [--strategy A,B] [--trials N]
 *
 * Default strategy "bayes" (an error naming the strategies this libhpt has
 * when it is missing), observations 50,100,200,500,1000,2000,5000, dims
 * 2,5,10,20,50. Every (dim, n) point runs in a child process of its own, so
 * that its peak resident set (getrusage ru_maxrss) is its own: the child
 * makes a study over [0,1]^dim, fills it with n told observations of a cheap
 * smooth function, then times K more asks (each told at once). Filling uses the strategy's own asks; to keep
 * that cheap the strategy's initial-design option is set to n when it has
 * one (--startup-option NAME, else the first of bayes.n_initial,
 * bayes.n_startup, bayes.initial_trials, bayes.n_init that the study
 * accepts), so the timed asks are the first model-based ones at n
 * observations. Reported: the first timed ask (it fits the model from
 * scratch), the median of the K-1 later ones (incremental updates) and
 * their mean, which includes the refits that fall among them (bayes refits
 * each time n grew by 10%: K = n/10 asks span one refit cycle, so the mean
 * is the amortized cost). A
 * point over --time-limit seconds (default 60) is killed and
 * reported as such, and larger n of that dim are skipped. --clock cpu
 * times the asks by the child's CPU time instead of the wall clock: on a
 * shared machine the wall clock counts the time other processes ran.
 * Each point also reports its peak memory as the kernel's high-water mark
 * (VmHWM, which getrusage may round) and, in the same child after the
 * asks, the CPU time of one LAPACKE_dpotrf of the same size on a kernel
 * matrix (the cost floor of one exact refit; skipped past --dpotrf-max,
 * default 20000, where 8 n^2 bytes and n^3/3 flops stop being a
 * measurement) with the ratio of the mean ask to it.
 *
 * --running LIST: instead, the cost of asks while trials run: a child per
 * strategy fills --base (default 100) finished observations, then asks
 * max(LIST) + 20 times without telling; reported for each r of LIST, the
 * mean and median of the 20 asks made with r trials running, and the mean
 * of the first max(LIST) asks (the cost of that many asks in a row). For
 * "hyperband" the fill is its own asks told at their budget (its model
 * sampler then sees the running trials). With --tell-every K, asks with
 * tells in between instead: for each r of LIST in turn, the child asks (or
 * tells the oldest running trials) untimed until r trials run, then makes
 * 20 timed asks, telling the oldest running trial before every K-th (K =
 * 1: one tell per ask, r stays constant); reported, the mean and median of
 * those 20 asks. The finished observations grow by the tells (base + 20
 * per r before it, for K = 1).
 *
 * --fail-at LIST: instead, what failed trials cost later asks: per
 * strategy (default hyperband,bayes), two children each make --trials
 * (default 1000) trials ask-and-tell in [0,1]^dim (dims default 6), one
 * telling every trial its value, the other telling the trials of LIST (ask
 * indices from 0) failed; reported: the process CPU time of each run's
 * asks, and their ratio. A failed trial brings the engine's feasibility
 * model into every later proposal (bayes.h, step 4), so this ratio is that
 * model's cost.
 *
 * --linalg LIST: instead, the GP's own kernels (lib/linalg.h, linked from
 * libhpt.a: the one internal header a bench program includes) against
 * OpenBLAS/LAPACK in this one process, alternating, on the Matern-5/2
 * kernel matrix of n random 6-D points: Cholesky (hpti_la_potrf against
 * LAPACKE_dpotrf) and the solve of a 64-column block (hpti_la_trsm against
 * cblas_dtrsm, the prediction's O(n^2 m) step). Median CPU time of this
 * thread (robust to a shared machine), and the ratio. Run it with
 * OPENBLAS_NUM_THREADS=1 for the single-threaded baseline. */
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cblas.h>
#include <lapacke.h>

#include "hpt.h"
#include "linalg.h"
#include "util.h"

#define MAX_LIST 64

static const char *const startup_names[] = {"bayes.n_initial", "bayes.n_startup",
                                            "bayes.initial_trials", "bayes.n_init"};

typedef struct {
    double first, later;   /* first timed ask; median of the others (NaN if none) */
    double mean;           /* mean of the others: the amortized cost */
    long rss_kib;
    long hwm_kib;          /* VmHWM before the dpotrf, -1 if unknown */
    double dpotrf;         /* CPU seconds of one dpotrf(n), NaN if skipped */
    int ok;                /* 1 measured, 0 killed (time limit), -1 error */
    char startup[64];      /* option used, or "" */
} point;

static double objective(const double *x, size_t d)
{
    double s = 0;
    for (size_t i = 0; i < d; i++)
        s += (x[i] - 0.3) * (x[i] - 0.3) + 0.1 * sin(10 * x[i]);
    return s;
}

static double process_cpu_now(void);
static void kernel_matrix(size_t n, double *A, uint64_t seed);

/* Peak resident set from /proc (KiB), -1 where there is none. */
static long vm_hwm_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6)) {
            v = strtol(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

static size_t dpotrf_max = 20000;

/* CPU time of one LAPACK Cholesky of an n x n kernel matrix, NaN when
 * skipped or out of memory. Up to n = 2000 the median of 5 (after one
 * untimed call: the first pays for OpenBLAS's buffers, 0.1 ms, which is
 * more than the whole factorization at n = 100). */
static double time_dpotrf(size_t n)
{
    if (n > dpotrf_max)
        return NAN;
    size_t reps = n <= 2000 ? 5 : 1;
    double *A0 = malloc(n * n * sizeof *A0), *A = reps > 1 ? malloc(n * n * sizeof *A) : A0;
    double t[5];
    lapack_int info = 0;
    if (!A0 || !A) {
        free(A0);
        if (A != A0)
            free(A);
        return NAN;
    }
    kernel_matrix(n, A0, 1 + n);
    for (size_t r = 0; r <= reps && reps > 1; r++) {
        memcpy(A, A0, n * n * sizeof *A);
        double t0 = process_cpu_now();
        info |= LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', (lapack_int)n, A, (lapack_int)n);
        if (r > 0)
            t[r - 1] = process_cpu_now() - t0;
    }
    if (reps == 1) {
        double t0 = process_cpu_now();
        info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', (lapack_int)n, A0, (lapack_int)n);
        t[0] = process_cpu_now() - t0;
    }
    if (A != A0)
        free(A);
    free(A0);
    return info == 0 ? hptb_quantile(t, reps, 0.5) : NAN;
}

/* The clock of the timed asks (--clock). */
/* --option NAME=VALUE: one strategy option set on every cube study */
static const char *extra_name;
static double extra_value;

/* A study of strategy on [0,1]^d (floats x1..xd) into *st. */
static int cube_study(const char *strategy, size_t d, uint64_t seed, hpt_study **st)
{
    hpt_space *sp = NULL;
    char name[32];
    int rc = hpt_space_create(&sp);
    for (size_t i = 0; rc == HPT_OK && i < d; i++) {
        snprintf(name, sizeof name, "x%zu", i + 1);
        rc = hpt_space_add_float(sp, name, 0, 1, HPT_SCALE_LINEAR);
    }
    if (rc == HPT_OK)
        rc = hpt_study_create(sp, strategy, HPT_MINIMIZE, seed, st);
    hpt_space_destroy(sp);
    if (rc == HPT_OK && extra_name)
        rc = hpt_study_set(*st, extra_name, extra_value);
    return rc;
}

static double (*ask_clock)(void) = hptb_now;

/* In the child: measure one point; write it to fd. */
static void measure(const char *strategy, size_t d, size_t n, size_t asks, uint64_t seed,
                    const char *startup, int fd)
{
    point pt = {0};
    pt.ok = -1;
    hpt_study *st = NULL;
    double x[64], t[1000];
    pt.dpotrf = NAN;
    int rc = cube_study(strategy, d, seed, &st);
    if (rc == HPT_OK) {
        if (startup) {
            if (hpt_study_set(st, startup, (double)n) == HPT_OK)
                snprintf(pt.startup, sizeof pt.startup, "%s", startup);
        } else {
            for (size_t i = 0; i < sizeof startup_names / sizeof *startup_names; i++)
                if (hpt_study_set(st, startup_names[i], (double)n) == HPT_OK) {
                    snprintf(pt.startup, sizeof pt.startup, "%s", startup_names[i]);
                    break;
                }
        }
    }
    for (size_t i = 0; rc == HPT_OK && i < n + asks; i++) {
        int64_t id;
        double t0 = ask_clock();
        rc = hpt_study_ask(st, &id);
        double dt = ask_clock() - t0;
        if (rc != HPT_OK)
            break;
        if (i >= n)
            t[i - n] = dt;
        rc = hpt_trial_params(st, id, x, d);
        if (rc == HPT_OK)
            rc = hpt_study_tell(st, id, objective(x, d));
    }
    if (rc == HPT_OK) {
        /* The first ask after the fill pays for fitting the model from
         * scratch; the later ones show the incremental cost. */
        pt.first = t[0];
        pt.later = asks > 1 ? hptb_quantile(t + 1, asks - 1, 0.5) : NAN;
        pt.mean = 0;
        for (size_t i = 1; i < asks; i++)
            pt.mean += t[i] / (double)(asks - 1);
        if (asks < 2)
            pt.mean = NAN;
        pt.ok = 1;
    } else {
        fprintf(stderr, "hpt-bench-scaling: dim %zu, %zu observations: %s\n", d, n,
                st ? hpt_study_errmsg(st) : hpt_last_errmsg());
    }
    hpt_study_destroy(st);
    pt.rss_kib = hptb_peak_rss_kib();
    pt.hwm_kib = vm_hwm_kib();
    if (pt.ok == 1)
        pt.dpotrf = time_dpotrf(n);
    if (write(fd, &pt, sizeof pt) != (ssize_t)sizeof pt)
        _exit(1);
}

static point run_point(const char *strategy, size_t d, size_t n, size_t asks, uint64_t seed,
                       const char *startup, double limit)
{
    point pt = {0};
    pt.ok = -1;
    int fds[2];
    if (pipe(fds) != 0)
        return pt;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return pt;
    }
    if (pid == 0) {
        close(fds[0]);
        alarm((unsigned)ceil(limit)); /* the default action ends the child */
        measure(strategy, d, n, asks, seed, startup, fds[1]);
        _exit(0);
    }
    close(fds[1]);
    ssize_t got = read(fds[0], &pt, sizeof pt);
    close(fds[0]);
    int wst = 0;
    waitpid(pid, &wst, 0);
    if (WIFSIGNALED(wst) && WTERMSIG(wst) == SIGALRM) {
        memset(&pt, 0, sizeof pt);
        pt.ok = 0;
    } else if (got != (ssize_t)sizeof pt) {
        memset(&pt, 0, sizeof pt);
        pt.ok = -1;
    }
    return pt;
}

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double process_cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Row-major lower triangle of a GP kernel matrix (n points in [0,1]^6,
 * lengthscale 0.3, nugget 1e-6), as the GP factors it. */
static void kernel_matrix(size_t n, double *A, uint64_t seed)
{
    double *X = malloc(n * 6 * sizeof *X);
    if (!X)
        exit(1);
    for (size_t i = 0; i < n * 6; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        X[i] = (double)(seed >> 11) / 9007199254740992.0;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            double r2 = 0;
            for (size_t k = 0; k < 6; k++)
                r2 += (X[i * 6 + k] - X[j * 6 + k]) * (X[i * 6 + k] - X[j * 6 + k]) / 0.09;
            double s = sqrt(5 * r2);
            A[i * n + j] = (1 + s + s * s / 3) * exp(-s) + (i == j ? 1e-6 : 0.0);
        }
    free(X);
}

static int run_linalg(const size_t *ns, size_t count)
{
    enum { COLS = 64 };
    printf("GP kernels against OpenBLAS %s (%d threads), CPU time of one thread, median\n\n",
           openblas_get_corename(), openblas_get_num_threads());
    printf("| n | dpotrf (ms) | hpti_la_potrf (ms) | ratio | dtrsm %d cols (ms) | "
           "hpti_la_trsm (ms) | ratio |\n|---|---|---|---|---|---|---|\n",
           COLS);
    for (size_t c = 0; c < count; c++) {
        size_t n = ns[c], reps = n <= 500 ? 21 : n <= 1000 ? 9 : n <= 2000 ? 5 : 3;
        double *A0 = malloc(n * n * sizeof *A0), *A = malloc(n * n * sizeof *A);
        double *B0 = malloc(n * COLS * sizeof *B0), *B = malloc(n * COLS * sizeof *B);
        double t[4][21];
        if (!A0 || !A || !B0 || !B)
            return 1;
        kernel_matrix(n, A0, 1 + n);
        for (size_t i = 0; i < n * COLS; i++)
            B0[i] = sin((double)i);
        for (size_t r = 0; r < reps; r++) {
            for (int which = 0; which < 2; which++) {
                memcpy(A, A0, n * n * sizeof *A);
                double t0 = cpu_now();
                int info = which ? hpti_la_potrf(n, A, n)
                                 : (int)LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', (lapack_int)n, A,
                                                       (lapack_int)n);
                t[which][r] = cpu_now() - t0;
                if (info != 0) {
                    fprintf(stderr, "hpt-bench-scaling: n = %zu: not positive definite\n", n);
                    return 1;
                }
                memcpy(B, B0, n * COLS * sizeof *B);
                t0 = cpu_now();
                if (which)
                    hpti_la_trsm(n, COLS, A, n, B, COLS);
                else
                    cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans,
                                CblasNonUnit, (int)n, COLS, 1.0, A, (int)n, B, COLS);
                t[2 + which][r] = cpu_now() - t0;
            }
        }
        double m[4];
        for (int k = 0; k < 4; k++)
            m[k] = hptb_quantile(t[k], reps, 0.5);
        printf("| %zu | %.4g | %.4g | %.2f | %.4g | %.4g | %.2f |\n", n, 1e3 * m[0], 1e3 * m[1],
               m[1] / m[0], 1e3 * m[2], 1e3 * m[3], m[3] / m[2]);
        fflush(stdout);
        free(A0);
        free(A);
        free(B0);
        free(B);
    }
    return 0;
}

/* --running: the asks of one child while trials run (see the top). */
#define RUN_WINDOW 20
#define MAX_RUNNING 5000

typedef struct {
    double mean[MAX_LIST], median[MAX_LIST], all_mean;
    long hwm_kib;
    int ok;
} run_point_t;

/* Tell the oldest running trial of st (as the host would when its
 * first worker finishes). */
static int tell_oldest(hpt_study *st, size_t d)
{
    static int64_t run[MAX_RUNNING + RUN_WINDOW + 1]; /* ids, oldest first */
    size_t needed = 0;
    double x[64];
    int rc = hpt_study_running(st, run, MAX_RUNNING + RUN_WINDOW + 1, &needed);
    if (rc == HPT_OK && needed == 0)
        return HPT_E_STATE;
    if (rc == HPT_OK)
        rc = hpt_trial_params(st, run[0], x, d);
    return rc == HPT_OK ? hpt_study_tell(st, run[0], objective(x, d)) : rc;
}

/* --tell-every K (see the top): for each r in turn, RUN_WINDOW timed asks
 * with r running, a tell of the oldest before every K-th. */
static int running_with_tells(hpt_study *st, size_t d, const size_t *rs, size_t nr,
                              size_t every, run_point_t *rp)
{
    double w[RUN_WINDOW];
    size_t running = 0;
    int rc = HPT_OK;
    for (size_t k = 0; rc == HPT_OK && k < nr; k++) {
        int64_t id;
        for (; rc == HPT_OK && running > rs[k]; running--)
            rc = tell_oldest(st, d);
        for (; rc == HPT_OK && running < rs[k]; running++)
            rc = hpt_study_ask(st, &id);
        rp->mean[k] = 0;
        for (size_t j = 0; rc == HPT_OK && j < RUN_WINDOW; j++) {
            if (j % every == 0 && running > 0) {
                rc = tell_oldest(st, d);
                running--;
            }
            double t0 = ask_clock();
            if (rc == HPT_OK)
                rc = hpt_study_ask(st, &id);
            w[j] = ask_clock() - t0;
            running++;
            rp->mean[k] += w[j] / RUN_WINDOW;
        }
        rp->median[k] = hptb_quantile(w, RUN_WINDOW, 0.5);
    }
    return rc;
}

static void measure_running(const char *strategy, size_t d, size_t base, const size_t *rs,
                            size_t nr, uint64_t seed, size_t tell_every, int fd)
{
    run_point_t rp;
    memset(&rp, 0, sizeof rp);
    rp.ok = -1;
    size_t rmax = 0;
    for (size_t k = 0; k < nr; k++)
        rmax = rs[k] > rmax ? rs[k] : rmax;
    size_t total = rmax + RUN_WINDOW;
    double *t = malloc(total * sizeof *t), x[64], w[RUN_WINDOW];
    hpt_study *st = NULL;
    int rc = t ? cube_study(strategy, d, seed, &st) : HPT_E_NOMEM;
    if (rc == HPT_OK && !strcmp(strategy, "bayes"))
        rc = hpt_study_set(st, "bayes.initial_trials", (double)base);
    for (size_t i = 0; rc == HPT_OK && i < base; i++) {
        int64_t id;
        rc = hpt_study_ask(st, &id);
        if (rc == HPT_OK)
            rc = hpt_trial_params(st, id, x, d);
        if (rc == HPT_OK)
            rc = hpt_study_tell(st, id, objective(x, d));
    }
    if (tell_every) {
        rc = rc == HPT_OK ? running_with_tells(st, d, rs, nr, tell_every, &rp) : rc;
        goto done;
    }
    for (size_t i = 0; rc == HPT_OK && i < total; i++) {
        int64_t id;
        double t0 = ask_clock();
        rc = hpt_study_ask(st, &id);
        t[i] = ask_clock() - t0;
    }
done:
    if (rc == HPT_OK && tell_every)
        rp.ok = 1;
    else if (rc == HPT_OK) {
        for (size_t k = 0; k < nr; k++) {
            rp.mean[k] = 0;
            for (size_t j = 0; j < RUN_WINDOW; j++) {
                w[j] = t[rs[k] + j];
                rp.mean[k] += w[j] / RUN_WINDOW;
            }
            rp.median[k] = hptb_quantile(w, RUN_WINDOW, 0.5);
        }
        rp.all_mean = 0;
        for (size_t i = 0; i < rmax; i++)
            rp.all_mean += t[i] / (double)rmax;
        rp.ok = 1;
    } else {
        fprintf(stderr, "hpt-bench-scaling: --running %s: %s\n", strategy,
                st ? hpt_study_errmsg(st) : hpt_last_errmsg());
    }
    hpt_study_destroy(st);
    free(t);
    rp.hwm_kib = vm_hwm_kib();
    if (write(fd, &rp, sizeof rp) != (ssize_t)sizeof rp)
        _exit(1);
}

static int run_running(const char *strategies, size_t d, size_t base, const size_t *rs,
                       size_t nr, uint64_t seed, size_t tell_every, double limit)
{
    char buf[256], *names[8];
    snprintf(buf, sizeof buf, "%s", strategies);
    size_t ns = hptb_split(buf, names, 8);
    size_t rmax = 0;
    for (size_t k = 0; k < nr; k++)
        rmax = rs[k] > rmax ? rs[k] : rmax;
    if (tell_every)
        printf("asks with a tell of the oldest running trial before every %zu-th, after %zu "
               "finished observations (more for later rows), dim %zu (%s time); per row the "
               "%d asks made with r trials running\n\n",
               tell_every, base, d, ask_clock == hptb_now ? "wall" : "CPU", RUN_WINDOW);
    else
        printf("asks without tells after %zu finished observations, dim %zu (%s time); per "
               "row the %d asks made with r trials running\n\n",
               base, d, ask_clock == hptb_now ? "wall" : "CPU", RUN_WINDOW);
    printf("| strategy | running r | mean (ms) | median (ms) |\n|---|---|---|---|\n");
    int status = 0;
    for (size_t s = 0; s < ns; s++) {
        run_point_t rp;
        memset(&rp, 0, sizeof rp);
        int fds[2];
        if (pipe(fds) != 0)
            return 1;
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0) {
            close(fds[0]);
            alarm((unsigned)ceil(limit));
            measure_running(names[s], d, base, rs, nr, seed, tell_every, fds[1]);
            _exit(0);
        }
        close(fds[1]);
        ssize_t got = read(fds[0], &rp, sizeof rp);
        close(fds[0]);
        int wst = 0;
        waitpid(pid, &wst, 0);
        if (got != (ssize_t)sizeof rp || rp.ok != 1) {
            printf("| %s | - | - | - | %s |\n", names[s],
                   WIFSIGNALED(wst) ? "over the time limit" : "error");
            status = 1;
            continue;
        }
        for (size_t k = 0; k < nr; k++)
            printf("| %s | %zu | %.4g | %.4g |\n", names[s], rs[k], 1e3 * rp.mean[k],
                   1e3 * rp.median[k]);
        if (tell_every)
            printf("| %s | (VmHWM %.1f MiB) | | |\n", names[s], (double)rp.hwm_kib / 1024.0);
        else
            printf("| %s | mean of the first %zu asks | %.4g | (VmHWM %.1f MiB) |\n",
                   names[s], rmax, 1e3 * rp.all_mean, (double)rp.hwm_kib / 1024.0);
        fflush(stdout);
    }
    return status;
}

/* --fail-at: one ask-and-tell run (see the top); writes the CPU seconds
 * of its asks, or -1 on an error, to fd. */
static void measure_failing(const char *strategy, size_t d, size_t trials, const size_t *fail,
                            size_t nf, uint64_t seed, int fd)
{
    double total = 0, x[64];
    hpt_study *st = NULL;
    int rc = cube_study(strategy, d, seed, &st);
    for (size_t i = 0; rc == HPT_OK && i < trials; i++) {
        int64_t id;
        double t0 = process_cpu_now();
        rc = hpt_study_ask(st, &id);
        total += process_cpu_now() - t0;
        if (rc == HPT_DONE) { /* a strategy that ends early: what it made */
            rc = HPT_OK;
            break;
        }
        int failed = 0;
        for (size_t k = 0; k < nf; k++)
            failed |= fail[k] == i;
        if (rc == HPT_OK)
            rc = hpt_trial_params(st, id, x, d);
        if (rc == HPT_OK)
            rc = failed ? hpt_study_tell_failed(st, id, "bench")
                        : hpt_study_tell(st, id, objective(x, d));
    }
    if (rc != HPT_OK) {
        fprintf(stderr, "hpt-bench-scaling: --fail-at %s: %s\n", strategy,
                st ? hpt_study_errmsg(st) : hpt_last_errmsg());
        total = -1;
    }
    hpt_study_destroy(st);
    if (write(fd, &total, sizeof total) != (ssize_t)sizeof total)
        _exit(1);
}

static double run_failing(const char *strategy, size_t d, size_t trials, const size_t *fail,
                          size_t nf, uint64_t seed, double limit)
{
    double total = -1;
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(fds[0]);
        alarm((unsigned)ceil(limit));
        measure_failing(strategy, d, trials, fail, nf, seed, fds[1]);
        _exit(0);
    }
    close(fds[1]);
    if (read(fds[0], &total, sizeof total) != (ssize_t)sizeof total)
        total = -1;
    close(fds[0]);
    int wst = 0;
    waitpid(pid, &wst, 0);
    return total;
}

static int run_fail_at(const char *strategies, size_t d, size_t trials, const size_t *fail,
                       size_t nf, uint64_t seed, double limit)
{
    char buf[256], *names[8];
    snprintf(buf, sizeof buf, "%s", strategies);
    size_t ns = hptb_split(buf, names, 8);
    printf("%zu trials ask-and-tell, dim %zu, CPU time of the asks; the failing run tells "
           "trial", trials, d);
    for (size_t k = 0; k < nf; k++)
        printf("%s%zu", k ? "," : " ", fail[k]);
    printf(" failed\n\n| strategy | no failure (s) | with failures (s) | ratio |\n"
           "|---|---|---|---|\n");
    int status = 0;
    for (size_t s = 0; s < ns; s++) {
        double t0 = run_failing(names[s], d, trials, NULL, 0, seed, limit);
        double t1 = run_failing(names[s], d, trials, fail, nf, seed, limit);
        if (t0 < 0 || t1 < 0) {
            printf("| %s | %s | %s | - |\n", names[s], t0 < 0 ? "error" : "ok",
                   t1 < 0 ? "error" : "ok");
            status = 1;
            continue;
        }
        printf("| %s | %.3g | %.3g | %.3g |\n", names[s], t0, t1, t1 / t0);
        fflush(stdout);
    }
    return status;
}

static size_t parse_list(char *arg, size_t *out, size_t lo, size_t hi, const char *what)
{
    char *tok[MAX_LIST];
    size_t n = hptb_split(arg, tok, MAX_LIST);
    for (size_t i = 0; i < n; i++) {
        char *end;
        unsigned long v = strtoul(tok[i], &end, 10);
        if (*end || end == tok[i] || v < lo || v > hi) {
            fprintf(stderr, "hpt-bench-scaling: %s: '%s' is not in %zu..%zu\n", what, tok[i],
                    lo, hi);
            return 0;
        }
        out[i] = v;
    }
    return n;
}

int main(int argc, char **argv)
{
    const char *strategy = "bayes", *startup = NULL, *json = NULL;
    char obs_def[] = "50,100,200,500,1000,2000,5000", dims_def[] = "2,5,10,20,50";
    char *obs_arg = obs_def, *dims_arg = dims_def, *linalg_arg = NULL, *running_arg = NULL,
         *fail_arg = NULL;
    double limit = 60, seed = 0, asks_d = 3, base_d = 100, trials_d = 1000, tell_every_d = 0;
    int strategy_set = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        double x = v ? strtod(v, &end) : 0;
        int num = v && end != v && !*end;
        if (!strcmp(a, "--help") || !strcmp(a, "-h") || !v) {
            fputs("usage: hpt-bench-scaling [--strategy NAME] [--obs LIST] [--dims LIST]\n"
                  "         [--asks K] [--time-limit S] [--startup-option NAME] [--seed S]\n"
                  "         [--option NAME=VALUE]\n"
                  "         [--json FILE] [--clock wall|cpu] [--dpotrf-max N]\n"
                  "       hpt-bench-scaling --running LIST [--strategy A,B] [--base N]\n"
                  "         [--tell-every K]\n"
                  "       hpt-bench-scaling --linalg LIST\n"
                  "       hpt-bench-scaling --fail-at LIST [--strategy A,B] [--trials N]\n",
                  v ? stdout : stderr);
            return v ? 0 : 2;
        }
        if (!strcmp(a, "--strategy")) {
            strategy = v;
            strategy_set = 1;
        }
        else if (!strcmp(a, "--obs"))
            obs_arg = v;
        else if (!strcmp(a, "--dims"))
            dims_arg = v;
        else if (!strcmp(a, "--startup-option"))
            startup = v;
        else if (!strcmp(a, "--option") && strchr(v, '=')) {
            char *eq = strchr(v, '=');
            *eq = '\0';
            extra_name = v;
            extra_value = strtod(eq + 1, NULL);
        }
        else if (!strcmp(a, "--json"))
            json = v;
        else if (!strcmp(a, "--linalg"))
            linalg_arg = v;
        else if (!strcmp(a, "--running"))
            running_arg = v;
        else if (!strcmp(a, "--fail-at"))
            fail_arg = v;
        else if (!strcmp(a, "--trials") && num && x >= 1 && x <= 1e6)
            trials_d = floor(x);
        else if (!strcmp(a, "--tell-every") && num && x >= 1 && x <= 1e6)
            tell_every_d = floor(x);
        else if (!strcmp(a, "--base") && num && x >= 1 && x <= 1e6)
            base_d = floor(x);
        else if (!strcmp(a, "--dpotrf-max") && num && x >= 0 && x <= 1e6)
            dpotrf_max = (size_t)x;
        else if (!strcmp(a, "--clock") && (!strcmp(v, "wall") || !strcmp(v, "cpu")))
            ask_clock = !strcmp(v, "cpu") ? process_cpu_now : hptb_now;
        else if (!strcmp(a, "--asks") && num && x >= 1 && x <= 1000)
            asks_d = floor(x);
        else if (!strcmp(a, "--time-limit") && num && x >= 1 && x <= 86400)
            limit = x;
        else if (!strcmp(a, "--seed") && num && x >= 0 && x <= 1e15)
            seed = floor(x);
        else {
            fprintf(stderr, "hpt-bench-scaling: bad argument %s %s\n", a, v);
            return 2;
        }
        i++;
    }
    if (linalg_arg) {
        size_t ns[MAX_LIST];
        size_t count = parse_list(linalg_arg, ns, 1, 20000, "--linalg");
        return count ? run_linalg(ns, count) : 2;
    }
    if (fail_arg) {
        size_t fs[MAX_LIST], dims1[MAX_LIST];
        size_t nf = parse_list(fail_arg, fs, 0, 1000000, "--fail-at");
        size_t nd = parse_list(dims_arg == dims_def ? (char[]){"6"} : dims_arg, dims1, 1, 64,
                               "--dims");
        const char *sts = strategy_set ? strategy : "hyperband,bayes";
        return nf && nd ? run_fail_at(sts, dims1[0], (size_t)trials_d, fs, nf, (uint64_t)seed,
                                      limit)
                        : 2;
    }
    if (running_arg) {
        size_t rs[MAX_LIST], dims1[MAX_LIST];
        size_t nr = parse_list(running_arg, rs, 0, MAX_RUNNING, "--running");
        size_t nd = parse_list(dims_arg == dims_def ? (char[]){"6"} : dims_arg, dims1, 1, 64,
                               "--dims");
        return nr && nd ? run_running(strategy, dims1[0], (size_t)base_d, rs, nr,
                                      (uint64_t)seed, (size_t)tell_every_d, limit)
                        : 2;
    }
    if (!hptb_strategy_known(strategy)) {
        const char *name;
        fprintf(stderr, "hpt-bench-scaling: this libhpt has no strategy '%s' (it has:", strategy);
        for (size_t i = 0; hpt_strategy_name(i, &name) == HPT_OK; i++)
            fprintf(stderr, " %s", name);
        fputs("); choose one with --strategy\n", stderr);
        return 2;
    }
    size_t obs[MAX_LIST], dims[MAX_LIST];
    size_t n_obs = parse_list(obs_arg, obs, 1, 1000000, "--obs");
    size_t n_dims = parse_list(dims_arg, dims, 1, 64, "--dims");
    if (!n_obs || !n_dims)
        return 2;
    size_t asks = (size_t)asks_d;

    FILE *jf = NULL;
    if (json) {
        jf = fopen(json, "w");
        if (!jf) {
            perror(json);
            return 1;
        }
        fputs("{\"schema\":1,\"machine\":", jf);
        hptb_json_machine(jf);
        fprintf(jf, ",\"strategy\":\"%s\",\"points\":[", strategy);
    }
    printf("strategy %s, %zu timed asks per point (%s time), time limit %g s per point\n\n",
           strategy, asks, ask_clock == hptb_now ? "wall" : "CPU", limit);
    printf("| dim | observations | first ask (ms) | later asks, median (ms) | later asks, "
           "mean (ms) | peak RSS (MiB) | VmHWM (MiB) | dpotrf(n) (ms) | mean / dpotrf | note |\n"
           "|---|---|---|---|---|---|---|---|---|---|\n");
    int status = 0, first = 1;
    for (size_t di = 0; di < n_dims; di++) {
        int skip = 0;
        for (size_t oi = 0; oi < n_obs; oi++) {
            if (skip) {
                printf("| %zu | %zu | - | - | - | - | - | - | - | skipped (smaller n hit the limit) |\n",
                       dims[di], obs[oi]);
                continue;
            }
            point pt = run_point(strategy, dims[di], obs[oi], asks, (uint64_t)seed, startup,
                                 limit);
            if (pt.ok == 1) {
                printf("| %zu | %zu | %.4g | %.4g | %.4g | %.1f | %.1f | %.4g | %.3g | %s%s |\n",
                       dims[di], obs[oi], 1e3 * pt.first, 1e3 * pt.later, 1e3 * pt.mean,
                       (double)pt.rss_kib / 1024.0, (double)pt.hwm_kib / 1024.0,
                       1e3 * pt.dpotrf, pt.mean / pt.dpotrf,
                       pt.startup[0] ? "filled via " : "filled by asking",
                       pt.startup);
                if (jf) {
                    fprintf(jf, "%s\n{\"dim\":%zu,\"observations\":%zu,\"first_ask_seconds\":",
                            first ? "" : ",", dims[di], obs[oi]);
                    hptb_json_number(jf, pt.first);
                    fputs(",\"later_ask_median_seconds\":", jf);
                    hptb_json_number(jf, pt.later);
                    fputs(",\"later_ask_mean_seconds\":", jf);
                    hptb_json_number(jf, pt.mean);
                    fprintf(jf, ",\"peak_rss_kib\":%ld,\"vm_hwm_kib\":%ld,\"dpotrf_seconds\":",
                            pt.rss_kib, pt.hwm_kib);
                    hptb_json_number(jf, pt.dpotrf);
                    fputs("}", jf);
                    first = 0;
                }
            } else if (pt.ok == 0) {
                printf("| %zu | %zu | - | - | - | - | - | - | - | over the time limit |\n", dims[di],
                       obs[oi]);
                skip = 1;
            } else {
                printf("| %zu | %zu | - | - | - | - | - | - | - | error |\n", dims[di], obs[oi]);
                status = 1;
                skip = 1;
            }
            fflush(stdout);
        }
    }
    if (jf) {
        fputs("\n]}\n", jf);
        if (fclose(jf) != 0)
            status = 1;
    }
    return status;
}
