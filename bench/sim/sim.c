/* sim.c -- hpt-sim: a discrete-event simulation of W workers tuning
 * Hartmann6 through one real libhpt study, to see how far asynchronous
 * tuning scales beyond the cores of this machine.
 *
 *   hpt-sim [--strategy NAME]... [--workers 1,4,16,64,256] [--seeds N]
 *           [--target REGRET] [--max-trials N] [--dist lognormal|pareto]
 *           [--sigma S] [--alpha A] [--unit SECONDS] [--max-resource R]
 *           [--set OPTION=VALUE]... [--coordinator-queue] [--reproducible]
 *           [--csv] [--selftest]
 *
 * Model. W virtual workers share one study (the public API only, as a
 * coordinator would). At simulated time 0 every worker asks; a trial's
 * evaluation takes a random duration; at its completion time the study is
 * told f(x) and the freed worker asks again, while the other trials are
 * still running (they are the pending trials a strategy sees). HPT_WAIT
 * leaves a worker idle until the next completion; HPT_DONE retires it.
 *
 * Durations are heavy-tailed, in units of the median evaluation time:
 *   lognormal (default): exp(sigma N(0,1)), sigma = 1: median 1, mean 1.65,
 *     1 evaluation in 100 takes over 10 units;
 *   pareto: x_m U^(-1/alpha) with x_m = 2^(-1/alpha) (median 1), alpha =
 *     1.5: finite mean 1.89, infinite variance.
 * A multi-fidelity trial (budget b > 0 out of --max-resource R) takes
 * duration * b / R, and a promotion (resume_from = parent) only the
 * difference, duration * (b - b_parent) / R: time is proportional to
 * budget. Its value is Hartmann6 at fidelity z = b / R (hptb_hartmann6_fidelity, bench/functions.h); only
 * full-fidelity trials (budget 0 or R) count towards the regret target.
 *
 * Reported per strategy and W, over seeds 1..N: how many runs reached the
 * target regret f - f* <= --target before --max-trials, the mean simulated
 * time to reach it (in median evaluations), the speedup over the first W
 * listed (T_first / T_W * W_first) and that speedup divided by W, and the
 * coordinator: the measured wall-clock cost of one ask (and one tell) on
 * this machine, and its share of the coordinator's time,
 *   share = (asks * ask cost + tells * tell cost) / (T * unit),
 * where --unit is the real duration of a median evaluation in seconds
 * (default 60: a one-minute training run). The simulated clock itself does
 * not advance during asks (so runs are deterministic); a share near 1 says
 * the coordinator would be the bottleneck and the speedup is not credible.
 * With --coordinator-queue it does: the coordinator serves asks and tells
 * one at a time, each taking its measured wall-clock cost (divided by
 * --unit), a trial starts when its ask is served and counts when its tell
 * is; the figures then include the coordinator's queueing, but depend on
 * this machine's timing (not bit-reproducible).
 *
 * --reproducible runs the study in the reproducible mode with q = W
 * (option "parallel.reproducible", hpt.h "Reproducibility"): a worker
 * whose ask gets HPT_WAIT (a trial more than W asks old still runs) idles
 * until the next completion. Every run also reports "end" (mean simulated
 * time when it stopped) and "busy" (the workers' training time over W x
 * end): with an unreachable --target and a --max-trials, end is the
 * makespan of that many trials and busy the utilization.
 *
 * A strategy that this build does not have (hpt_study_create says
 * HPT_E_NAME) is reported "unavailable", so the same command works before
 * and after the bayes/hyperband strategies are merged. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "functions.h"
#include "hpt.h"

static double hartmann6(const double *x) { return hptb_hartmann6_fidelity(x, 1.0); }

static double hartmann6_fstar(void)
{
    return hptb_function_optimum(hptb_function_find("hartmann6"));
}

#define MAX_LIST 16

typedef struct {
    const char *strategies[MAX_LIST];
    int n_strategies;
    int workers[MAX_LIST];
    int n_workers;
    int seeds;
    double target;
    int64_t max_trials;
    int pareto;
    double sigma, alpha, unit, max_resource;
    const char *sets[64];
    int n_sets;
    int csv;
    int queue; /* --coordinator-queue */
    int reproducible; /* --reproducible: parallel.reproducible = W */
} config;

/* ---- random durations: splitmix64 (Steele, Lea & Flood 2014) ----------- */

typedef struct {
    uint64_t s;
} sim_rng;

static uint64_t rng_next(sim_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in (0, 1): never 0, so logs and negative powers stay finite. */
static double rng_uniform(sim_rng *r) { return ((double)(rng_next(r) >> 11) + 0.5) / 9007199254740992.0; }

static double rng_normal(sim_rng *r)
{
    /* Box-Muller; one deviate per call keeps the stream simple. */
    double u = rng_uniform(r), v = rng_uniform(r);
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

static double duration(const config *c, sim_rng *r)
{
    if (c->pareto)
        return pow(2.0, -1.0 / c->alpha) * pow(rng_uniform(r), -1.0 / c->alpha);
    return exp(c->sigma * rng_normal(r));
}

/* ---- event queue: a binary min-heap on completion time ------------------- */

typedef struct {
    double t;
    double start; /* when the trial started (worker busy from then) */
    int64_t id;
    int worker;
} event;

typedef struct {
    event *e;
    size_t n;
} heap;

static void heap_push(heap *h, event ev)
{
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        /* Ties broken by trial id: runs are deterministic. */
        if (h->e[p].t < ev.t || (h->e[p].t == ev.t && h->e[p].id < ev.id))
            break;
        h->e[i] = h->e[p];
        i = p;
    }
    h->e[i] = ev;
}

static event heap_pop(heap *h)
{
    event top = h->e[0], last = h->e[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n &&
            (h->e[c + 1].t < h->e[c].t || (h->e[c + 1].t == h->e[c].t && h->e[c + 1].id < h->e[c].id)))
            c++;
        if (last.t < h->e[c].t || (last.t == h->e[c].t && last.id < h->e[c].id))
            break;
        h->e[i] = h->e[c];
        i = c;
    }
    h->e[i] = last;
    return top;
}

/* ---- one simulated run ------------------------------------------------------ */

typedef struct {
    int status;          /* HPT_OK, or why the strategy could not run */
    char msg[256];
    int reached;
    double t_target;     /* simulated time at which the target was met */
    double t_end;        /* simulated time when the run stopped */
    int64_t asks, tells, trials;
    double ask_wall, tell_wall; /* seconds, measured */
    double best_regret;
    double busy;         /* worker time spent training, until t_end */
} result;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* prefix[0..n) names a strategy other than `strategy`. */
static int other_strategy(const char *prefix, size_t n, const char *strategy)
{
    const char *name;
    for (size_t i = 0; hpt_strategy_name(i, &name) == HPT_OK; i++)
        if (strlen(name) == n && strncmp(prefix, name, n) == 0)
            return strcmp(name, strategy) != 0;
    return 0;
}

/* Apply the --set options that concern this strategy ("name=value"; an
 * option prefixed by another strategy's name is skipped), after the
 * simulator's defaults for ASHA. */
static int configure(hpt_study *st, const char *strategy, const config *c, char *msg)
{
    char buf[256];
    int rc;
    if (strcmp(strategy, "hyperband") == 0) {
        /* ASHA: asynchronous successive halving, budgets 1, 3, 9, 27. */
        static const char *const asha[] = {"hyperband.async", "hyperband.eta",
                                           "hyperband.min_resource",
                                           "hyperband.max_resource"};
        const double v[] = {1, 3, 1, c->max_resource};
        for (int i = 0; i < 4; i++)
            if ((rc = hpt_study_set(st, asha[i], v[i])) != HPT_OK) {
                snprintf(msg, 256, "option %s: %.200s", asha[i], hpt_study_errmsg(st));
                return rc;
            }
    }
    for (int i = 0; i < c->n_sets; i++) {
        snprintf(buf, sizeof buf, "%s", c->sets[i]);
        char *eq = strchr(buf, '='), *dot = strchr(buf, '.'), *end;
        *eq = '\0';
        if (dot && dot < eq && other_strategy(buf, (size_t)(dot - buf), strategy))
            continue;
        errno = 0;
        double v = strtod(eq + 1, &end);
        rc = *end || errno ? hpt_study_set_str(st, buf, eq + 1) : hpt_study_set(st, buf, v);
        if (rc != HPT_OK) {
            snprintf(msg, 256, "option %.40s: %.200s", buf, hpt_study_errmsg(st));
            return rc;
        }
    }
    return HPT_OK;
}

static int make_space(hpt_space **sp)
{
    static const char *const names[6] = {"x1", "x2", "x3", "x4", "x5", "x6"};
    int rc = hpt_space_create(sp);
    for (int i = 0; !rc && i < 6; i++)
        rc = hpt_space_add_float(*sp, names[i], 0.0, 1.0, HPT_SCALE_LINEAR);
    return rc;
}

static void run_one(const config *c, const char *strategy, int W, uint64_t seed, result *r)
{
    memset(r, 0, sizeof *r);
    r->best_regret = INFINITY;
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    heap q = {calloc((size_t)W, sizeof(event)), 0};
    int *idle = calloc((size_t)W, sizeof *idle), n_idle = W;
    sim_rng rng = {seed * 0x100000001B3ull + (uint64_t)W};
    if (!q.e || !idle) {
        r->status = HPT_E_NOMEM;
        snprintf(r->msg, sizeof r->msg, "out of memory");
        goto out;
    }
    for (int w = 0; w < W; w++)
        idle[w] = w;
    if ((r->status = make_space(&sp)) != HPT_OK) {
        snprintf(r->msg, sizeof r->msg, "space: %s", hpt_last_errmsg());
        goto out;
    }
    if ((r->status = hpt_study_create(sp, strategy, HPT_MINIMIZE, seed, &st)) != HPT_OK) {
        snprintf(r->msg, sizeof r->msg, "%s", hpt_last_errmsg());
        goto out;
    }
    if ((r->status = hpt_study_set(st, "max_trials", (double)c->max_trials)) != HPT_OK ||
        (r->status = configure(st, strategy, c, r->msg)) != HPT_OK ||
        (c->reproducible &&
         (r->status = hpt_study_set(st, "parallel.reproducible", W)) != HPT_OK))
        goto out;

    double t = 0, cfree = 0; /* cfree: when the coordinator is next free */
    for (;;) {
        /* Every idle worker asks, in worker order. */
        int still = 0;
        for (int k = 0; k < n_idle; k++) {
            int w = idle[k];
            int64_t id, parent;
            double t0 = now(), budget, pb = 0;
            int rc = hpt_study_ask(st, &id);
            double cost = now() - t0;
            r->ask_wall += cost;
            r->asks++;
            if (c->queue) /* asks wait for the coordinator, one at a time */
                cfree = fmax(t, cfree) + cost / c->unit;
            if (rc == HPT_WAIT) {
                idle[still++] = w;
                continue;
            }
            if (rc == HPT_DONE)
                continue; /* the worker retires */
            if (rc != HPT_OK) {
                r->status = rc;
                snprintf(r->msg, sizeof r->msg, "ask: %s", hpt_study_errmsg(st));
                goto out;
            }
            hpt_trial_budget(st, id, &budget, &parent);
            if (parent >= 0)
                hpt_trial_budget(st, parent, &pb, NULL);
            double share = budget > 0 ? (budget - pb) / c->max_resource : 1.0;
            double start = c->queue ? cfree : t;
            heap_push(&q, (event){start + duration(c, &rng) * fmax(share, 0.0), start, id, w});
        }
        n_idle = still;
        if (q.n == 0)
            break; /* all retired (or waiting with nothing running) */
        event ev = heap_pop(&q);
        t = ev.t;
        r->busy += ev.t - ev.start;
        double x[6], budget;
        hpt_trial_params(st, ev.id, x, 6);
        hpt_trial_budget(st, ev.id, &budget, NULL);
        double z = budget > 0 ? fmin(budget / c->max_resource, 1.0) : 1.0;
        double t0 = now();
        int rc = hpt_study_tell(st, ev.id, hptb_hartmann6_fidelity(x, z));
        double cost = now() - t0;
        r->tell_wall += cost;
        r->tells++;
        if (c->queue) {
            cfree = fmax(t, cfree) + cost / c->unit;
            t = cfree; /* the result counts once the coordinator has it */
        }
        if (rc != HPT_OK) {
            r->status = rc;
            snprintf(r->msg, sizeof r->msg, "tell: %s", hpt_study_errmsg(st));
            goto out;
        }
        idle[n_idle++] = ev.worker;
        if (z >= 1.0 - 1e-12) {
            double regret = hartmann6(x) - hartmann6_fstar();
            if (regret < r->best_regret)
                r->best_regret = regret;
            if (regret <= c->target) {
                r->reached = 1;
                r->t_target = t;
                break;
            }
        }
    }
    r->t_end = t;
    for (size_t i = 0; i < q.n; i++) /* still training when the run stopped */
        r->busy += fmax(0.0, t - q.e[i].start);
    hpt_study_trial_count(st, &r->trials);
out:
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
    free(q.e);
    free(idle);
}

/* ---- driver ------------------------------------------------------------------ */

static int parse_list(char *s, int *out, int max)
{
    int n = 0;
    for (char *tok = strtok(s, ","); tok && n < max; tok = strtok(NULL, ","))
        if ((out[n++] = atoi(tok)) < 1)
            return -1;
    return n;
}

static int selftest(void)
{
    double xs[6], mid[6] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
    hptb_function_argmin(hptb_function_find("hartmann6"), xs);
    double f = hartmann6(xs), fstar = hartmann6_fstar();
    int ok = fabs(f - fstar) < 1e-4 && hartmann6(mid) > fstar &&
             hptb_hartmann6_fidelity(xs, 0.2) > f;
    printf("hartmann6(x*) = %.6f (f* = %.5f): %s\n", f, fstar, ok ? "ok" : "WRONG");
    return ok ? 0 : 1;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: hpt-sim [--strategy NAME]... [--workers 1,4,16,64,256] [--seeds N]\n"
            "               [--target REGRET] [--max-trials N] [--dist lognormal|pareto]\n"
            "               [--sigma S] [--alpha A] [--unit SECONDS] [--max-resource R]\n"
            "               [--set OPTION=VALUE]... [--coordinator-queue] [--reproducible] [--csv]\n"
            "               [--selftest]\n");
}

int main(int argc, char **argv)
{
    static char wlist[256] = "1,4,16,64,256";
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress shows in a log file */
    config c = {.seeds = 10, .target = 0.5, .max_trials = 20000, .sigma = 1.0, .alpha = 1.5,
                .unit = 60.0, .max_resource = 27};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (strcmp(a, "--selftest") == 0)
            return selftest();
        else if (strcmp(a, "--coordinator-queue") == 0)
            c.queue = 1, takes = 0;
        else if (strcmp(a, "--csv") == 0)
            c.csv = 1, takes = 0;
        else if (strcmp(a, "--reproducible") == 0)
            c.reproducible = 1, takes = 0;
        else if (!v)
            return usage(), 2;
        else if (strcmp(a, "--strategy") == 0 && c.n_strategies < MAX_LIST)
            c.strategies[c.n_strategies++] = v;
        else if (strcmp(a, "--workers") == 0)
            snprintf(wlist, sizeof wlist, "%s", v);
        else if (strcmp(a, "--seeds") == 0)
            c.seeds = atoi(v);
        else if (strcmp(a, "--target") == 0)
            c.target = atof(v);
        else if (strcmp(a, "--max-trials") == 0)
            c.max_trials = atoll(v);
        else if (strcmp(a, "--dist") == 0 && (!strcmp(v, "pareto") || !strcmp(v, "lognormal")))
            c.pareto = strcmp(v, "pareto") == 0;
        else if (strcmp(a, "--sigma") == 0)
            c.sigma = atof(v);
        else if (strcmp(a, "--alpha") == 0)
            c.alpha = atof(v);
        else if (strcmp(a, "--unit") == 0)
            c.unit = atof(v);
        else if (strcmp(a, "--max-resource") == 0)
            c.max_resource = atof(v);
        else if (strcmp(a, "--set") == 0 && strchr(v, '=') && c.n_sets < 64)
            c.sets[c.n_sets++] = v;
        else
            return usage(), 2;
        i += takes;
    }
    if (c.n_strategies == 0) {
        c.strategies[0] = "random";
        c.strategies[1] = "bayes";
        c.strategies[2] = "hyperband";
        c.n_strategies = 3;
    }
    c.n_workers = parse_list(wlist, c.workers, MAX_LIST);
    if (c.n_workers < 1 || c.seeds < 1 || !(c.target > 0) || c.max_trials < 1 ||
        !(c.sigma > 0) || !(c.alpha > 1) || !(c.unit > 0) || !(c.max_resource > 0))
        return usage(), 2;

    if (c.csv)
        printf("strategy,workers,reached,seeds,mean_time,speedup,efficiency,mean_trials,"
               "ask_ms,tell_ms,coordinator_share,mean_end,busy\n");
    else
        printf("hpt-sim: Hartmann6, target regret %g, %s durations (%s %g), median "
               "evaluation = %g s, %d seeds, at most %lld trials%s%s\n",
               c.target, c.pareto ? "pareto" : "lognormal", c.pareto ? "alpha" : "sigma",
               c.pareto ? c.alpha : c.sigma, c.unit, c.seeds, (long long)c.max_trials,
               c.queue ? ", coordinator queue modelled" : "",
               c.reproducible ? ", reproducible mode (q = W)" : "");
    int failed = 0;
    for (int s = 0; s < c.n_strategies; s++) {
        const char *name = c.strategies[s];
        double base_time = 0;
        int base_w = 0;
        if (!c.csv)
            printf("%-10s %5s %8s %10s %8s %6s %8s %9s %9s %7s %8s %5s\n", "strategy", "W",
                   "reached", "time", "speedup", "/W", "trials", "ask ms", "tell ms", "share",
                   "end", "busy");
        for (int k = 0; k < c.n_workers; k++) {
            int W = c.workers[k], reached = 0;
            double sum_t = 0, sum_trials = 0, ask = 0, tell = 0, share = 0, end = 0, busy = 0;
            int64_t asks = 0, tells = 0;
            result r;
            for (int seed = 1; seed <= c.seeds; seed++) {
                run_one(&c, name, W, (uint64_t)seed, &r);
                if (r.status != HPT_OK)
                    break;
                reached += r.reached;
                sum_t += r.reached ? r.t_target : 0;
                sum_trials += (double)r.trials;
                asks += r.asks;
                tells += r.tells;
                ask += r.ask_wall;
                tell += r.tell_wall;
                if (r.t_end > 0) {
                    share += (r.ask_wall + r.tell_wall) / (r.t_end * c.unit) / c.seeds;
                    busy += r.busy / (r.t_end * W) / c.seeds;
                }
                end += r.t_end / c.seeds;
            }
            if (r.status != HPT_OK) {
                int unavailable = r.status == HPT_E_NAME;
                printf(c.csv ? "%s,%d,unavailable,,,,,,,,,,\n" : "%-10s %5d %s: %s\n", name, W,
                       unavailable ? "unavailable" : "error", r.msg);
                if (c.csv && !unavailable)
                    fprintf(stderr, "hpt-sim: %s: %s\n", name, r.msg);
                failed |= !unavailable;
                break;
            }
            /* Time to target averages the runs that reached it; all of them
             * must have for the speedup to mean anything. */
            double mt = reached ? sum_t / reached : NAN;
            if (k == 0) {
                base_time = reached == c.seeds ? mt : NAN;
                base_w = W;
            }
            double speedup = reached == c.seeds ? base_time / mt * base_w : NAN;
            double ask_ms = asks ? 1e3 * ask / (double)asks : 0;
            double tell_ms = tells ? 1e3 * tell / (double)tells : 0;
            if (c.csv)
                printf("%s,%d,%d,%d,%.6g,%.4g,%.4g,%.1f,%.4g,%.4g,%.3g,%.6g,%.4g\n", name, W,
                       reached, c.seeds, mt, speedup, speedup / W, sum_trials / c.seeds, ask_ms,
                       tell_ms, share, end, busy);
            else
                printf("%-10s %5d %5d/%-2d %10.2f %8.2f %6.2f %8.0f %9.4f %9.4f %7.1e %8.2f %5.3f\n",
                       name, W, reached, c.seeds, mt, speedup, speedup / W, sum_trials / c.seeds,
                       ask_ms, tell_ms, share, end, busy);
        }
    }
    return failed;
}
