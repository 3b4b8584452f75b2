/* test_reproducible.c -- issue 15, item 3: option "parallel.reproducible"
 * = q (hpt.h, "Reproducibility"; lib/horizon.h).
 *
 *  - threads: 1, 2, 4 and 8 host threads sharing one study at q = 8, each
 *    trial sleeping a random time (seeded from the clock, so every run
 *    finishes in another order) and reporting to the median pruner, give
 *    identical trial lists -- parameters, budget, parent ("%a"), final
 *    state and value -- for random, bayes and hyperband (bayes sampler,
 *    both modes);
 *  - lockstep: the proposals are exactly those of a default-mode study
 *    driven so that ask k sees trials below k - q finished and k - q .. k-1
 *    running, with 3 and 6 threads at q = 4 (fewer and more workers than
 *    q; no pruner there: the default mode's pruner sees what is finished);
 *  - wait: ask k answers HPT_WAIT while a trial below k - q runs;
 *  - journal: the option is journaled; a study run by 4 threads, reopened
 *    and extended by 2 threads, has the trials of one run by 1 thread. */
#include <math.h>
#include <pthread.h>
#include <time.h>

#include "testutil.h"

#define DIM 3
#define LINE 192

typedef struct {
    const char *strategy;
    const char *str_opt, *str_val; /* may be NULL */
    const char *opt;               /* may be NULL */
    double val;
    int64_t trials;
} spec;

static const spec specs[] = {
    {"random", NULL, NULL, NULL, 0, 40},
    {"bayes", NULL, NULL, NULL, 0, 40},
    {"hyperband", "hyperband.sampler", "bayes", NULL, 0, 80},
    {"hyperband", "hyperband.sampler", "bayes", "hyperband.async", 0, 60},
};
#define N_SPECS (sizeof specs / sizeof specs[0])

static hpt_space *space3(void)
{
    static const char *const kinds[] = {"a", "b", "c"};
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", -1, 2, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "lr", 1e-4, 1, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_categorical(sp, "kind", kinds, 3));
    return sp;
}

/* 0 = failed (a corner), else 1 and *v. */
static int objective(const double *p, double budget, double *v)
{
    if (p[0] > 1.7 && p[1] > 0.3)
        return 0;
    *v = (p[0] - 0.4) * (p[0] - 0.4) + 0.3 * sin(5 * p[0]) +
         0.2 * (log10(p[1]) + 2) * (log10(p[1]) + 2) + (p[2] == 1 ? 0.0 : 0.3) +
         1.0 / (1.0 + budget);
    return 1;
}

static hpt_study *make(const spec *sp, int64_t q, int pruner, const char *journal)
{
    hpt_space *s = space3();
    hpt_study *st = NULL;
    if (journal)
        assert_ok(hpt_study_open(journal, s, sp->strategy, HPT_MINIMIZE, 4242, &st));
    else
        assert_ok(hpt_study_create(s, sp->strategy, HPT_MINIMIZE, 4242, &st));
    hpt_space_destroy(s);
    if (sp->str_opt)
        assert_ok(hpt_study_set_str(st, sp->str_opt, sp->str_val));
    if (sp->opt)
        assert_ok(hpt_study_set(st, sp->opt, sp->val));
    if (q)
        assert_ok(hpt_study_set(st, "parallel.reproducible", (double)q));
    if (pruner) {
        assert_ok(hpt_study_set_str(st, "pruner", "median"));
        assert_ok(hpt_study_set(st, "pruner.warmup_trials", 3));
    }
    return st;
}

/* ---- workers ----------------------------------------------------------------- */

typedef struct {
    hpt_study *st;
    unsigned seed;
    int errors;
} worker_arg;

static void nap(unsigned *seed, long max_us)
{
    struct timespec t = {0, (long)(rand_r(seed) % (unsigned)max_us) * 1000};
    nanosleep(&t, NULL);
}

/* Train one trial: three reports (the pruner may stop it), then its end. */
static int train(hpt_study *st, int64_t id, unsigned *seed)
{
    double p[DIM], budget, v;
    if (hpt_trial_params(st, id, p, DIM) || hpt_trial_budget(st, id, &budget, NULL))
        return 1;
    if (!objective(p, budget, &v)) {
        nap(seed, 500);
        return hpt_study_tell_failed(st, id, "corner") != HPT_OK;
    }
    for (int step = 1; step <= 3; step++) {
        int32_t stop = 0;
        nap(seed, 700);
        if (hpt_study_report(st, id, step, v + 1.0 / step, &stop))
            return 1;
        if (stop)
            return hpt_study_prune(st, id) != HPT_OK;
    }
    return hpt_study_tell(st, id, v) != HPT_OK;
}

static void *worker(void *arg)
{
    worker_arg *w = arg;
    for (;;) {
        int64_t id;
        int rc = hpt_study_ask(w->st, &id);
        if (rc == HPT_DONE)
            break;
        if (rc == HPT_WAIT) {
            nap(&w->seed, 200);
            continue;
        }
        if (rc != HPT_OK || train(w->st, id, &w->seed)) {
            w->errors++;
            break;
        }
    }
    return NULL;
}

/* Run the study's remaining trials on n threads. */
static void run_threads(hpt_study *st, int n)
{
    pthread_t th[8];
    worker_arg w[8];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    for (int i = 0; i < n; i++) {
        w[i] = (worker_arg){st, (unsigned)now.tv_nsec ^ (unsigned)(i * 2654435761u), 0};
        assert_int_equal(pthread_create(&th[i], NULL, worker, &w[i]), 0);
    }
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].errors, 0);
    }
}

/* Every trial: parameters, budget, parent, state, value (malloc'd). */
static char *listing(const hpt_study *st)
{
    int64_t n;
    assert_ok(hpt_study_trial_count(st, &n));
    char *out = calloc((size_t)n + 1, LINE);
    for (int64_t id = 0; id < n; id++) {
        double p[DIM], budget, v = NAN;
        int64_t parent;
        int32_t state;
        assert_ok(hpt_trial_params(st, id, p, DIM));
        assert_ok(hpt_trial_budget(st, id, &budget, &parent));
        assert_ok(hpt_trial_state(st, id, &state));
        if (state == HPT_TRIAL_COMPLETE || state == HPT_TRIAL_PRUNED)
            assert_ok(hpt_trial_value(st, id, &v));
        char line[LINE];
        snprintf(line, sizeof line, "%lld: %a %a %a b=%a p=%lld s=%d v=%a\n", (long long)id,
                 p[0], p[1], p[2], budget, (long long)parent, (int)state, v);
        strcat(out, line);
    }
    return out;
}

static char *listing_mo(const hpt_study *st)
{
    int64_t n;
    assert_ok(hpt_study_trial_count(st, &n));
    char *out = calloc((size_t)n + 1, LINE);
    for (int64_t id = 0; id < n; id++) {
        double p[DIM], v[3];
        assert_ok(hpt_trial_params(st, id, p, DIM));
        assert_ok(hpt_trial_values(st, id, v, 2));
        assert_ok(hpt_trial_constraints(st, id, v + 2, 1));
        char line[LINE];
        snprintf(line, sizeof line, "%lld: %a %a %a v=%a %a c=%a\n", (long long)id, p[0], p[1],
                 p[2], v[0], v[1], v[2]);
        strcat(out, line);
    }
    return out;
}

static void same(const char *want, const char *got, const char *what)
{
    if (strcmp(want, got) == 0)
        return;
    size_t line = 0, i = 0;
    while (want[i] && want[i] == got[i])
        line += want[i++] == '\n';
    fail_msg("%s: trial %zu differs\n got:\n%s\nwant:\n%s", what, line, got, want);
}

/* ---- tests ------------------------------------------------------------------- */

static void test_threads(void **state)
{
    (void)state;
    static const int counts[] = {1, 2, 4, 8};
    for (size_t s = 0; s < N_SPECS; s++) {
        char *want = NULL;
        for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
            hpt_study *st = make(&specs[s], 8, 1, NULL);
            assert_ok(hpt_study_set(st, "max_trials", (double)specs[s].trials));
            run_threads(st, counts[c]);
            char *got = listing(st);
            hpt_study_destroy(st);
            char what[96];
            snprintf(what, sizeof what, "%s %s, %d threads", specs[s].strategy,
                     specs[s].opt ? "sync" : "", counts[c]);
            if (!want)
                want = got;
            else {
                same(want, got, what);
                free(got);
            }
        }
        /* the pruner had a say (the lists compare its decisions too) */
        assert_non_null(strstr(want, " s=3 ")); /* HPT_TRIAL_PRUNED */
        free(want);
    }
}

/* Default mode in lockstep: finish trial k - q - 1, then ask k. */
static char *lockstep(const spec *sp, int64_t q, int64_t n)
{
    hpt_study *st = make(sp, 0, 0, NULL);
    unsigned seed = 1;
    for (int64_t k = 0; k < n; k++) {
        int64_t id;
        if (k > q)
            assert_int_equal(train(st, k - q - 1, &seed), 0);
        int rc = hpt_study_ask(st, &id);
        if (rc == HPT_WAIT) { /* synchronous hyperband: one more finished */
            assert_true(k > q);
            break;
        }
        assert_ok(rc);
    }
    char *out = listing(st);
    hpt_study_destroy(st);
    return out;
}

static void test_lockstep(void **state)
{
    (void)state;
    for (size_t s = 0; s < 3; s++) { /* not synchronous hyperband: it waits */
        const int64_t q = 4, n = specs[s].trials;
        char *want = lockstep(&specs[s], q, n);
        for (int threads = 3; threads <= 6; threads += 3) { /* fewer and more than q */
            hpt_study *st = make(&specs[s], q, 0, NULL);
            assert_ok(hpt_study_set(st, "max_trials", (double)n));
            run_threads(st, threads);
            char *got = listing(st);
            hpt_study_destroy(st);
            /* the lockstep study left its last q trials running: compare
             * the configurations, budgets and parents only */
            for (char *a = want, *b = got; *a; a++, b++) {
                char *ea = strstr(a, " s="), *eb = strstr(b, " s=");
                assert_non_null(ea);
                assert_non_null(eb);
                if (ea - a != eb - b || memcmp(a, b, (size_t)(ea - a)) != 0)
                    fail_msg("%s, %d threads: lockstep\n%.*s\nreproducible\n%.*s",
                             specs[s].strategy, threads, (int)(ea - a), a, (int)(eb - b), b);
                a = strchr(a, '\n');
                b = strchr(b, '\n');
            }
            free(got);
        }
        free(want);
    }
}

static void test_wait(void **state)
{
    (void)state;
    hpt_study *st = make(&specs[0], 2, 0, NULL);
    int64_t id[4];
    for (int k = 0; k < 3; k++) /* ask 2 needs no trial below 0 finished */
        assert_ok(hpt_study_ask(st, &id[k]));
    assert_status(hpt_study_ask(st, &id[3]), HPT_WAIT);
    assert_non_null(strstr(hpt_study_errmsg(st), "trial 0 is still running"));
    assert_ok(hpt_study_tell(st, id[1], 1.0));
    assert_status(hpt_study_ask(st, &id[3]), HPT_WAIT);
    assert_ok(hpt_study_tell(st, id[0], 2.0));
    assert_ok(hpt_study_ask(st, &id[3]));
    assert_status(hpt_study_ask(st, &id[3]), HPT_OK); /* ask 4: trials 0, 1 done */
    assert_status(hpt_study_ask(st, &id[3]), HPT_WAIT); /* ask 5: trial 2 runs */
    double q;
    assert_ok(hpt_study_get(st, "parallel.reproducible", &q));
    assert_true(q == 2);
    assert_status(hpt_study_set(st, "parallel.reproducible", 3), HPT_E_STAGE);
    hpt_study_destroy(st);
}

static void test_journal(void **state)
{
    (void)state;
    for (size_t s = 1; s < 3; s++) {
        char path[512];
        snprintf(path, sizeof path, "%s/repro%zu.jnl", tu_scratch_dir(), s);
        hpt_study *st = make(&specs[s], 4, 1, path);
        assert_ok(hpt_study_set(st, "max_trials", 24));
        run_threads(st, 4);
        hpt_study_destroy(st);
        /* reopened: the journal holds q (set again: the same value is a
         * no-op on a started journaled study) and the trials */
        st = make(&specs[s], 4, 1, path);
        double q;
        assert_ok(hpt_study_get(st, "parallel.reproducible", &q));
        assert_true(q == 4);
        assert_ok(hpt_study_set(st, "max_trials", 40));
        run_threads(st, 2);
        char *got = listing(st);
        hpt_study_destroy(st);
        st = make(&specs[s], 4, 1, NULL);
        assert_ok(hpt_study_set(st, "max_trials", 40));
        run_threads(st, 1);
        char *want = listing(st);
        hpt_study_destroy(st);
        same(want, got, specs[s].strategy);
        free(want);
        free(got);
    }
}

/* Several objectives and a constraint: the masked history carries whole
 * value rows. Two completion orders in reproducible mode (oldest first;
 * all running, newest first) and the default mode in lockstep (finish
 * k - q - 1, then ask k) give the same trials and values. */
static void mo_tell(hpt_study *st, int64_t id)
{
    double p[DIM];
    assert_ok(hpt_trial_params(st, id, p, DIM));
    double v[2] = {(p[0] - 0.4) * (p[0] - 0.4), log10(p[1]) + (p[2] == 1 ? 0 : 1)};
    double c = p[0] - 1.5;
    assert_ok(hpt_study_tell_constrained(st, id, v, 2, &c, 1));
}

static char *mo_run(int mode) /* 0, 1: reproducible, oldest/newest first; 2: lockstep */
{
    hpt_space *sp = space3();
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "bayes", HPT_MINIMIZE, 77, &st));
    hpt_space_destroy(sp);
    const int32_t dirs[2] = {HPT_MINIMIZE, HPT_MAXIMIZE};
    assert_ok(hpt_study_set_objectives(st, dirs, 2));
    assert_ok(hpt_study_set_constraints(st, 1));
    const int64_t q = 3, n = 24;
    if (mode == 2) {
        int64_t id;
        for (int64_t k = 0; k < n; k++) {
            if (k > q)
                mo_tell(st, k - q - 1);
            assert_ok(hpt_study_ask(st, &id));
        }
        for (int64_t k = n - q - 1 > 0 ? n - q - 1 : 0; k < n; k++)
            mo_tell(st, k);
    } else {
        assert_ok(hpt_study_set(st, "parallel.reproducible", (double)q));
        int64_t run[8], n_run = 0, asked = 0;
        while (asked < n || n_run) {
            int64_t id;
            int rc = asked < n ? hpt_study_ask(st, &id) : HPT_WAIT;
            if (rc == HPT_OK) {
                run[n_run++] = id;
                asked++;
                continue;
            }
            assert_int_equal(rc, HPT_WAIT);
            assert_true(n_run > 0);
            int64_t k = mode ? n_run - 1 : 0;
            mo_tell(st, run[k]);
            memmove(run + k, run + k + 1, (size_t)(n_run - k - 1) * sizeof *run);
            n_run--;
        }
    }
    char *out = listing_mo(st);
    hpt_study_destroy(st);
    return out;
}

static void test_objectives(void **state)
{
    (void)state;
    char *a = mo_run(2), *b = mo_run(0), *c = mo_run(1);
    same(a, b, "2 objectives, 1 constraint, q = 3, oldest first");
    same(a, c, "2 objectives, 1 constraint, q = 3, newest first");
    free(a);
    free(b);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wait),
        cmocka_unit_test(test_lockstep),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_journal),
        cmocka_unit_test(test_objectives),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
