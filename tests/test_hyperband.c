/* test_hyperband.c -- strategy "hyperband": the bracket table of Li et al.
 * (JMLR 2018), promotions (parent, budget, configuration), the synchronous
 * schedule's rung barrier, ASHA's promotion rule and work for every worker,
 * failed/pruned/running trials, determinism and the best trial; the
 * samplers: "bayes" (the default; the schedule tests use "random", which
 * is cheaper) against "random", with threads, workers and both modes. */
#include <math.h>
#include <pthread.h>

#include "testutil.h"

/* cmocka 1.1.5 (Debian 12) has no assert_double_equal. */
#define assert_near(a, b, eps)                                                      \
    do {                                                                            \
        double a_ = (a), b_ = (b);                                                  \
        if (!(fabs(a_ - b_) <= (eps)))                                              \
            fail_msg("%s = %.17g, want %.17g", #a, a_, b_);                         \
    } while (0)

/* ---- helpers ------------------------------------------------------------- */

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

static hpt_space *xy_space(void)
{
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "y", 0, 1, HPT_SCALE_LINEAR));
    return sp;
}

static hpt_study *hb_study(double r_max, double eta, int async, uint64_t seed)
{
    hpt_space *sp = xy_space();
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "hyperband", HPT_MINIMIZE, seed, &st));
    hpt_space_destroy(sp);
    assert_ok(hpt_study_set(st, "hyperband.min_resource", 1));
    assert_ok(hpt_study_set(st, "hyperband.max_resource", r_max));
    assert_ok(hpt_study_set(st, "hyperband.eta", eta));
    assert_ok(hpt_study_set(st, "hyperband.async", async));
    /* The schedule tests use the cheap uniform sampler; the "bayes" tests
     * below set theirs. */
    assert_ok(hpt_study_set_str(st, "hyperband.sampler", "random"));
    return st;
}

/* A learning curve: distance to an optimum plus a budget term; no ties. */
static double loss_of(const hpt_study *st, int64_t id)
{
    double v[2], b;
    assert_ok(hpt_trial_params(st, id, v, 2));
    assert_ok(hpt_trial_budget(st, id, &b, NULL));
    return (v[0] - 0.3) * (v[0] - 0.3) + (v[1] - 0.7) * (v[1] - 0.7) + 1.0 / b;
}

static double budget_of(const hpt_study *st, int64_t id)
{
    double b;
    assert_ok(hpt_trial_budget(st, id, &b, NULL));
    return b;
}

static int64_t parent_of(const hpt_study *st, int64_t id)
{
    int64_t p;
    assert_ok(hpt_trial_budget(st, id, NULL, &p));
    return p;
}

static int32_t state_of(const hpt_study *st, int64_t id)
{
    int32_t s;
    assert_ok(hpt_trial_state(st, id, &s));
    return s;
}

static int64_t count_of(const hpt_study *st)
{
    int64_t n;
    assert_ok(hpt_study_trial_count(st, &n));
    return n;
}

/* A promotion continues its parent: same configuration, parent complete and
 * trained on budget / eta. */
static void check_promotion(const hpt_study *st, int64_t id, double eta)
{
    int64_t p = parent_of(st, id);
    if (p < 0)
        return;
    assert_true(p < id);
    assert_int_equal(state_of(st, p), HPT_TRIAL_COMPLETE);
    assert_near(budget_of(st, p) * eta, budget_of(st, id), 1e-9 * budget_of(st, id));
    double a[2], b[2];
    assert_ok(hpt_trial_params(st, p, a, 2));
    assert_ok(hpt_trial_params(st, id, b, 2));
    assert_memory_equal(a, b, sizeof a);
}

/* ---- the paper's table ------------------------------------------------------ */

typedef struct {
    int s;
    int n[5];
} bracket_row;

/* JMLR 2018, Table 1 (R = 81, eta = 3) and the same rule for R = 27. */
static const bracket_row table81[] = {
    {4, {81, 27, 9, 3, 1}}, {3, {34, 11, 3, 1}}, {2, {15, 5, 1}}, {1, {8, 2}}, {0, {5}}};
static const bracket_row table27[] = {
    {3, {27, 9, 3, 1}}, {2, {12, 4, 1}}, {1, {6, 2}}, {0, {4}}};

static int by_loss(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

/* One synchronous iteration with a single worker: trials come bracket by
 * bracket, rung by rung, with the table's counts and budgets, and each rung
 * holds exactly the best n_k of the rung before. */
static void check_table(double R, const bracket_row *rows, size_t n_rows)
{
    hpt_study *st = hb_study(R, 3, 0, 7);
    assert_ok(hpt_study_set(st, "hyperband.iterations", 1));
    int64_t id;
    int rc;
    while ((rc = hpt_study_ask(st, &id)) == HPT_OK)
        assert_ok(hpt_study_tell(st, id, loss_of(st, id)));
    assert_int_equal(rc, HPT_DONE);
    int64_t total = count_of(st), pos = 0;
    for (size_t b = 0; b < n_rows; b++) {
        int64_t prev = -1, prev_n = 0;
        for (int k = 0; k <= rows[b].s; k++) {
            int64_t n = rows[b].n[k];
            double r = R * pow(3, k - rows[b].s);
            assert_true(pos + n <= total);
            for (int64_t j = pos; j < pos + n; j++) {
                assert_near(budget_of(st, j), r, 1e-12 * r);
                int64_t p = parent_of(st, j);
                if (k == 0)
                    assert_int_equal(p, -1);
                else {
                    assert_true(p >= prev && p < prev + prev_n);
                    check_promotion(st, j, 3);
                }
            }
            if (k > 0) {
                /* The parents are exactly the n best of the previous rung. */
                double(*v)[2] = calloc((size_t)prev_n, sizeof *v);
                for (int64_t j = 0; j < prev_n; j++) {
                    assert_ok(hpt_trial_value(st, prev + j, &v[j][0]));
                    v[j][1] = (double)(prev + j);
                }
                qsort(v, (size_t)prev_n, sizeof *v, by_loss);
                for (int64_t j = 0; j < n; j++) {
                    int found = 0;
                    for (int64_t c = pos; c < pos + n; c++)
                        found += parent_of(st, c) == (int64_t)v[j][1];
                    assert_int_equal(found, 1);
                }
                free(v);
            }
            prev = pos;
            prev_n = n;
            pos += n;
        }
    }
    assert_int_equal(pos, total);
    hpt_study_destroy(st);
}

static void table_r81_eta3(void **state)
{
    (void)state;
    check_table(81, table81, 5);
}

static void table_r27_eta3(void **state)
{
    (void)state;
    check_table(27, table27, 4);
}

/* Non-integer ratio: R = 80 gives s_max = 3 (3^4 = 81 > 80) and budgets
 * 80/27, 80/9, 80/3, 80; the second iteration repeats the first's shape. */
static void table_r80_and_repeat(void **state)
{
    (void)state;
    hpt_study *st = hb_study(80, 3, 0, 3);
    int64_t id;
    /* One iteration of s_max = 3 has 27+9+3+1 + 12+4+1 + 6+2 + 4 = 69 trials. */
    for (int i = 0; i < 2 * 69; i++) {
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_study_tell(st, id, loss_of(st, id)));
    }
    for (int64_t i = 0; i < 69; i++)
        assert_near(budget_of(st, i), budget_of(st, i + 69), 0);
    assert_near(budget_of(st, 0), 80.0 / 27, 1e-12);
    assert_near(budget_of(st, 39), 80.0, 0);
    hpt_study_destroy(st);
}

/* ---- parallel workers ------------------------------------------------------- */

/* W workers; each round every idle worker asks, then one random running
 * trial finishes (complete, or sometimes failed / pruned). Checks every
 * promotion and the mode's own rule at the moment of the ask. */
static void simulate(hpt_study *st, int async, int workers, int64_t n_trials, int with_bad,
                     uint64_t seed)
{
    int64_t *running = calloc((size_t)workers, sizeof *running);
    int n_run = 0;
    uint64_t rs = seed;
    double eta;
    assert_ok(hpt_study_get(st, "hyperband.eta", &eta));
    while (count_of(st) < n_trials) {
        while (n_run < workers) {
            int64_t id;
            int rc = hpt_study_ask(st, &id);
            if (rc == HPT_WAIT) {
                assert_false(async);
                assert_true(n_run > 0); /* never a deadlock */
                break;
            }
            assert_ok(rc);
            check_promotion(st, id, eta);
            int64_t p = parent_of(st, id);
            if (p >= 0 && !async) {
                /* Synchronous: the parent's rung has no running trial. */
                for (int64_t j = 0; j < id; j++)
                    if (state_of(st, j) == HPT_TRIAL_RUNNING)
                        assert_true(budget_of(st, j) != budget_of(st, p));
            }
            if (p >= 0 && async) {
                /* ASHA: the parent is in the top floor(m / eta) of the m
                 * complete trials at its budget. */
                double vp, v;
                int64_t m = 0, better = 0;
                assert_ok(hpt_trial_value(st, p, &vp));
                for (int64_t j = 0; j < id; j++) {
                    if (state_of(st, j) != HPT_TRIAL_COMPLETE ||
                        budget_of(st, j) != budget_of(st, p))
                        continue;
                    m++;
                    assert_ok(hpt_trial_value(st, j, &v));
                    better += v < vp || (v == vp && j < p);
                }
                assert_true((double)better < floor((double)m / eta + 1e-9));
            }
            running[n_run++] = id;
        }
        assert_true(async ? n_run == workers : n_run > 0);
        int w = (int)(lcg(&rs) % (uint64_t)n_run);
        int64_t id = running[w];
        running[w] = running[--n_run];
        uint64_t what = with_bad ? lcg(&rs) % 10 : 9;
        if (what == 0)
            assert_ok(hpt_study_tell_failed(st, id, "diverged"));
        else if (what == 1) {
            assert_ok(hpt_study_report(st, id, 1, loss_of(st, id) - 1, NULL));
            assert_ok(hpt_study_prune(st, id));
        } else
            assert_ok(hpt_study_tell(st, id, loss_of(st, id)));
    }
    /* A trial is promoted again only after its promotion failed, at most
     * twice (HB_MAX_RETURNS); failed and pruned ones never are. */
    int64_t n = count_of(st);
    int *kids = calloc((size_t)n, sizeof *kids);
    int64_t *last = calloc((size_t)n, sizeof *last);
    for (int64_t i = 0; i < n; i++) {
        int64_t p = parent_of(st, i);
        if (p >= 0) {
            if (kids[p])
                assert_int_equal(state_of(st, last[p]), HPT_TRIAL_FAILED);
            assert_true(++kids[p] <= 3);
            last[p] = i;
            assert_int_equal(state_of(st, p), HPT_TRIAL_COMPLETE);
        }
    }
    free(last);
    free(kids);
    free(running);
}

static void sync_barrier(void **state)
{
    (void)state;
    hpt_study *st = hb_study(27, 3, 0, 11);
    simulate(st, 0, 7, 300, 0, 1);
    hpt_study_destroy(st);
}

static void async_always_work(void **state)
{
    (void)state;
    hpt_study *st = hb_study(81, 3, 1, 12);
    simulate(st, 1, 8, 600, 0, 2);
    /* Promotions happened all the way up. */
    int top = 0;
    for (int64_t i = 0; i < count_of(st); i++)
        top += budget_of(st, i) == 81;
    assert_true(top > 0);
    hpt_study_destroy(st);
}

/* Failed, pruned and running trials mixed in: never promoted, never block. */
static void mixed_states(void **state)
{
    (void)state;
    for (int async = 0; async <= 1; async++) {
        hpt_study *st = hb_study(27, 3, async, 13);
        simulate(st, async, 5, 400, 1, 3 + (uint64_t)async);
        int32_t seen[4] = {0};
        for (int64_t i = 0; i < count_of(st); i++)
            seen[state_of(st, i)]++;
        for (int k = 0; k < 4; k++)
            assert_true(seen[k] > 0); /* every state occurred */
        hpt_study_destroy(st);
    }
}

/* A rung whose trials all fail ends its bracket: the next bracket starts. */
static void all_failed_rung(void **state)
{
    (void)state;
    hpt_study *st = hb_study(9, 3, 0, 14); /* brackets (9,3,1 @1,3,9), (5,1), (3) */
    int64_t id;
    for (int i = 0; i < 9; i++) {
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_study_tell_failed(st, id, NULL));
    }
    assert_ok(hpt_study_ask(st, &id));
    assert_int_equal(parent_of(st, id), -1);
    assert_near(budget_of(st, id), 3, 0);
    hpt_study_destroy(st);
}

/* Asynchronous Hyperband over all brackets: new configurations split in
 * Hyperband's proportions n(s) = 81, 34, 15, 8, 5. */
static void async_bracket_shares(void **state)
{
    (void)state;
    hpt_study *st = hb_study(81, 3, 1, 15);
    assert_ok(hpt_study_set(st, "hyperband.brackets", 5));
    int64_t id, fresh = 0;
    double counts[5] = {0};
    while (fresh < 143) { /* 81 + 34 + 15 + 8 + 5 */
        assert_ok(hpt_study_ask(st, &id));
        if (parent_of(st, id) < 0) {
            fresh++;
            double b = budget_of(st, id);
            counts[(int)lround(log(b) / log(3))]++;
        }
        assert_ok(hpt_study_tell(st, id, loss_of(st, id)));
    }
    assert_near(counts[0], 81, 0);
    assert_near(counts[1], 34, 0);
    assert_near(counts[2], 15, 0);
    assert_near(counts[3], 8, 0);
    assert_near(counts[4], 5, 0);
    hpt_study_destroy(st);
}

/* Real threads sharing one asynchronous study: every ask gives work.
 * Workers count problems rather than assert (cmocka's failures longjmp). */
static int worker_asks = 150;

static void *worker(void *arg)
{
    hpt_study *st = arg;
    intptr_t bad = 0;
    for (int i = 0; i < worker_asks; i++) {
        int64_t id;
        double v[2], b;
        if (hpt_study_ask(st, &id) != HPT_OK || hpt_trial_params(st, id, v, 2) ||
            hpt_trial_budget(st, id, &b, NULL) ||
            hpt_study_tell(st, id, (v[0] - 0.3) * (v[0] - 0.3) + 1.0 / b))
            bad++;
    }
    return (void *)bad;
}

static void run_threads(const char *sampler, int asks)
{
    hpt_study *st = hb_study(27, 3, 1, 16);
    assert_ok(hpt_study_set_str(st, "hyperband.sampler", sampler));
    worker_asks = asks;
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, worker, st), 0);
    for (int i = 0; i < 4; i++) {
        void *bad;
        pthread_join(th[i], &bad);
        assert_int_equal((intptr_t)bad, 0);
    }
    assert_int_equal(count_of(st), 4 * asks);
    for (int64_t i = 0; i < 4 * asks; i++)
        check_promotion(st, i, 3);
    hpt_study_destroy(st);
}

static void async_threads(void **state)
{
    (void)state;
    run_threads("random", 150);
    run_threads("bayes", 40); /* the model past its threshold, smaller: slower */
}

/* ---- determinism, samplers, best trial, options ------------------------------- */

static void run_fixed(hpt_study *st, int64_t n, uint64_t seed)
{
    int64_t running[4];
    int n_run = 0;
    uint64_t rs = seed;
    while (count_of(st) < n) {
        int64_t id;
        while (n_run < 4 && hpt_study_ask(st, &id) == HPT_OK)
            running[n_run++] = id;
        int w = (int)(lcg(&rs) % (uint64_t)n_run);
        id = running[w];
        running[w] = running[--n_run];
        assert_ok(hpt_study_tell(st, id, loss_of(st, id)));
    }
}

static void same_trials(const hpt_study *a, const hpt_study *b)
{
    assert_int_equal(count_of(a), count_of(b));
    for (int64_t i = 0; i < count_of(a); i++) {
        double x[2], y[2];
        assert_ok(hpt_trial_params(a, i, x, 2));
        assert_ok(hpt_trial_params(b, i, y, 2));
        assert_memory_equal(x, y, sizeof x);
        assert_true(budget_of(a, i) == budget_of(b, i));
        assert_int_equal(parent_of(a, i), parent_of(b, i));
    }
}

static void deterministic(void **state)
{
    (void)state;
    for (int async = 0; async <= 1; async++) {
        hpt_study *a = hb_study(27, 3, async, 99), *b = hb_study(27, 3, async, 99);
        hpt_study *c = hb_study(27, 3, async, 100);
        run_fixed(a, 150, 5);
        run_fixed(b, 150, 5);
        run_fixed(c, 150, 5);
        same_trials(a, b);
        double x[2], y[2];
        assert_ok(hpt_trial_params(a, 0, x, 2));
        assert_ok(hpt_trial_params(c, 0, y, 2));
        assert_true(x[0] != y[0]); /* another seed, other configurations */
        hpt_study_destroy(a);
        hpt_study_destroy(b);
        hpt_study_destroy(c);
    }
}

static void sobol_sampler(void **state)
{
    (void)state;
    hpt_study *a = hb_study(9, 3, 1, 5), *b = hb_study(9, 3, 1, 5), *r = hb_study(9, 3, 1, 5);
    assert_ok(hpt_study_set_str(a, "hyperband.sampler", "sobol"));
    assert_ok(hpt_study_set_str(b, "hyperband.sampler", "sobol"));
    run_fixed(a, 64, 1);
    run_fixed(b, 64, 1);
    run_fixed(r, 64, 1);
    same_trials(a, b);
    double x[2], y[2];
    assert_ok(hpt_trial_params(a, 0, x, 2));
    assert_ok(hpt_trial_params(r, 0, y, 2));
    assert_true(x[0] != y[0]);
    /* The new configurations are the points strategy "sobol" gives for
     * the same seed, in order (same sequence, same seed-driven shift). */
    hpt_space *sp = xy_space();
    hpt_study *q = NULL;
    assert_ok(hpt_study_create(sp, "sobol", HPT_MINIMIZE, 5, &q));
    hpt_space_destroy(sp);
    int64_t fresh = 0, id;
    for (int64_t i = 0; i < count_of(a); i++)
        if (parent_of(a, i) < 0) {
            assert_ok(hpt_study_ask(q, &id));
            assert_ok(hpt_trial_params(a, i, x, 2));
            assert_ok(hpt_trial_params(q, id, y, 2));
            assert_memory_equal(x, y, sizeof x);
            fresh++;
        }
    assert_true(fresh >= 16);
    hpt_study_destroy(q);
    hpt_study_destroy(a);
    hpt_study_destroy(b);
    hpt_study_destroy(r);
}

/* ---- sampler "bayes" (model-guided Hyperband) -------------------------------- */

static double dist_opt(const hpt_study *st, int64_t id)
{
    double v[2];
    assert_ok(hpt_trial_params(st, id, v, 2));
    return hypot(v[0] - 0.3, v[1] - 0.7);
}

static int same_point(const hpt_study *st, int64_t i, int64_t j)
{
    double x[2], y[2];
    assert_ok(hpt_trial_params(st, i, x, 2));
    assert_ok(hpt_trial_params(st, j, y, 2));
    return x[0] == y[0] && x[1] == y[1];
}

/* Complete trials at the budget that has most of them, among ids < n. */
static int64_t most_complete(const hpt_study *st, int64_t n)
{
    int64_t best = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t c = 0;
        for (int64_t j = 0; j < n; j++)
            c += state_of(st, j) == HPT_TRIAL_COMPLETE && budget_of(st, j) == budget_of(st, i);
        best = c > best ? c : best;
    }
    return best;
}

/* Until some budget has 4 (dim + 1) = 12 complete trials the sampler is
 * the random one (same points for the same seed); from then on, with
 * random_fraction 0, every new configuration comes from the model, which
 * puts them far closer to the optimum than uniform draws. */
static void bayes_sampler_model(void **state)
{
    (void)state;
    hpt_study *a = hb_study(9, 3, 1, 31), *r = hb_study(9, 3, 1, 31);
    assert_ok(hpt_study_set_str(a, "hyperband.sampler", "bayes"));
    assert_ok(hpt_study_set(a, "hyperband.random_fraction", 0));
    assert_ok(hpt_study_set_str(r, "hyperband.sampler", "random"));
    int64_t id, first_model = -1;
    for (int i = 0; i < 160; i++) {
        assert_ok(hpt_study_ask(a, &id));
        check_promotion(a, id, 3);
        if (parent_of(a, id) < 0 && first_model < 0 && most_complete(a, id) >= 12)
            first_model = id;
        assert_ok(hpt_study_tell(a, id, loss_of(a, id)));
        assert_ok(hpt_study_ask(r, &id));
        assert_ok(hpt_study_tell(r, id, loss_of(r, id)));
    }
    assert_true(first_model > 0);
    /* identical up to the first model proposal, different there */
    for (int64_t i = 0; i < first_model; i++) {
        double x[2], y[2];
        assert_ok(hpt_trial_params(a, i, x, 2));
        assert_ok(hpt_trial_params(r, i, y, 2));
        assert_memory_equal(x, y, sizeof x);
    }
    assert_true(dist_opt(a, first_model) != dist_opt(r, first_model));
    /* the new configurations after the threshold: mean distance to the
     * optimum (uniform on the square: about 0.4) */
    double da = 0, dr = 0;
    int na = 0, nr = 0;
    for (int64_t i = 100; i < 160; i++) {
        if (parent_of(a, i) < 0)
            da += dist_opt(a, i), na++;
        if (parent_of(r, i) < 0)
            dr += dist_opt(r, i), nr++;
    }
    assert_true(na >= 20 && nr >= 20);
    da /= na;
    dr /= nr;
    if (!(da < 0.5 * dr))
        fail_msg("model mean distance %g, random %g", da, dr);
    hpt_study_destroy(a);
    hpt_study_destroy(r);
}

/* random_fraction 1: the model is never used, so the configurations do not
 * concentrate; and the option is validated. */
static void bayes_random_fraction(void **state)
{
    (void)state;
    hpt_study *a = hb_study(9, 3, 1, 32);
    double v;
    assert_ok(hpt_study_get(a, "hyperband.random_fraction", &v));
    assert_near(v, 1.0 / 3.0, 1e-15);
    assert_status(hpt_study_set(a, "hyperband.random_fraction", 1.5), HPT_E_INVALID);
    assert_status(hpt_study_set(a, "hyperband.random_fraction", -0.1), HPT_E_INVALID);
    assert_ok(hpt_study_set(a, "hyperband.random_fraction", 1));
    int64_t id;
    double d = 0;
    int n = 0;
    for (int i = 0; i < 160; i++) {
        assert_ok(hpt_study_ask(a, &id));
        if (i >= 40 && parent_of(a, id) < 0)
            d += dist_opt(a, id), n++;
        assert_ok(hpt_study_tell(a, id, loss_of(a, id)));
    }
    assert_true(d / n > 0.25); /* uniform draws: about 0.4 */
    hpt_study_destroy(a);
}

/* Both samplers in both modes, with parallel workers and failed / pruned
 * trials: promotions name complete parents at budget / eta (checked by
 * simulate), and the same seed gives the same trials. With several running
 * trials the model's proposals are distinct (pending points). */
static void bayes_modes(void **state)
{
    (void)state;
    static const char *const names[] = {"bayes", "random"};
    for (int k = 0; k < 2; k++)
        for (int async = 0; async <= 1; async++) {
            hpt_study *a = hb_study(27, 3, async, 33), *b = hb_study(27, 3, async, 33);
            assert_ok(hpt_study_set_str(a, "hyperband.sampler", names[k]));
            assert_ok(hpt_study_set_str(b, "hyperband.sampler", names[k]));
            simulate(a, async, 4, 120, 1, 9);
            simulate(b, async, 4, 120, 1, 9);
            same_trials(a, b);
            for (int64_t i = 0; i < count_of(a); i++)
                for (int64_t j = i + 1; j < count_of(a); j++)
                    if (parent_of(a, i) < 0 && parent_of(a, j) < 0 && same_point(a, i, j))
                        fail_msg("%s async %d: trials %lld and %lld are the same point",
                                 names[k], async, (long long)i, (long long)j);
            hpt_study_destroy(a);
            hpt_study_destroy(b);
        }
}

static void default_sampler(void **state)
{
    (void)state;
    /* "bayes" is the default: same trials as when set explicitly */
    hpt_space *sp = xy_space();
    hpt_study *a = NULL, *b = hb_study(9, 3, 1, 34);
    assert_ok(hpt_study_create(sp, "hyperband", HPT_MINIMIZE, 34, &a));
    hpt_space_destroy(sp);
    assert_ok(hpt_study_set(a, "hyperband.max_resource", 9));
    assert_ok(hpt_study_set_str(b, "hyperband.sampler", "bayes"));
    run_fixed(a, 80, 2);
    run_fixed(b, 80, 2);
    same_trials(a, b);
    hpt_study_destroy(a);
    hpt_study_destroy(b);
}

/* Values at a low budget do not compete with values at a higher one. */
static void best_at_largest_budget(void **state)
{
    (void)state;
    hpt_study *st = hb_study(9, 3, 0, 21);
    int64_t id, best;
    double v, bmax = 0;
    /* Losses that get worse with budget: a naive minimum would pick a
     * budget-1 trial. */
    for (int i = 0; i < 30; i++) {
        assert_ok(hpt_study_ask(st, &id));
        double b = budget_of(st, id);
        assert_ok(hpt_study_tell(st, id, loss_of(st, id) + b));
        bmax = b > bmax ? b : bmax;
        assert_ok(hpt_study_best(st, &best, &v));
        assert_near(budget_of(st, best), bmax, 0);
        for (int64_t j = 0; j <= id; j++) {
            double w;
            if (budget_of(st, j) == bmax && hpt_trial_value(st, j, &w) == HPT_OK)
                assert_true(v <= w);
        }
    }
    assert_near(bmax, 9, 0);
    hpt_study_destroy(st);
}

/* top_k agrees with best: the largest budget first by value, then the next
 * budget down. Losses worsen with budget, so ranking all budgets together
 * would put a budget-1 trial first. */
static void top_k_by_budget(void **state)
{
    (void)state;
    for (int async = 0; async <= 1; async++) {
        hpt_study *st = hb_study(9, 3, async, 22);
        int64_t id, best, n = 0;
        for (int i = 0; i < 40; i++) {
            if (hpt_study_ask(st, &id) != HPT_OK)
                break;
            assert_ok(hpt_study_tell(st, id, loss_of(st, id) + budget_of(st, id)));
            n++;
        }
        int64_t ids[64];
        size_t got;
        assert_ok(hpt_study_top_k(st, 64, ids, &got));
        assert_int_equal(got, n);
        assert_ok(hpt_study_best(st, &best, NULL));
        assert_int_equal(ids[0], best);
        assert_near(budget_of(st, ids[0]), 9, 0);
        int fell = 0;
        for (size_t i = 1; i < got; i++) {
            double b0 = budget_of(st, ids[i - 1]), b1 = budget_of(st, ids[i]), v0, v1;
            assert_true(b1 <= b0);
            fell += b1 < b0;
            assert_ok(hpt_trial_value(st, ids[i - 1], &v0));
            assert_ok(hpt_trial_value(st, ids[i], &v1));
            if (b1 == b0)
                assert_true(v0 <= v1);
            else
                assert_true(v1 < v0); /* what a plain sort by value would have swapped */
        }
        assert_int_equal(fell, 2); /* budgets 9, 3, 1 */
        size_t one;
        assert_ok(hpt_study_top_k(st, 1, ids, &one));
        assert_int_equal(one, 1);
        assert_int_equal(ids[0], best);
        hpt_study_destroy(st);
    }
}

/* Ask until a promotion comes; every new configuration is told at once. */
static int64_t next_promotion(hpt_study *st)
{
    int64_t id;
    for (int i = 0; i < 50; i++) {
        assert_ok(hpt_study_ask(st, &id));
        if (parent_of(st, id) >= 0)
            return id;
        assert_ok(hpt_study_tell(st, id, loss_of(st, id)));
    }
    fail_msg("no promotion in 50 asks");
    return -1;
}

/* A failed promotion gives its parent back to its rung: the next promotion
 * continues the same parent at the same budget, and can succeed; after
 * HB_MAX_RETURNS (2) failures the parent stays promoted. Both modes. */
static void failed_promotion_returns_parent(void **state)
{
    (void)state;
    for (int async = 0; async <= 1; async++) {
        hpt_study *st = hb_study(9, 3, async, 23);
        int64_t c1 = next_promotion(st), parent = parent_of(st, c1);
        double b = budget_of(st, c1);
        assert_ok(hpt_study_tell_failed(st, c1, "node preempted"));
        int64_t c2 = next_promotion(st);
        assert_int_equal(parent_of(st, c2), parent);
        assert_near(budget_of(st, c2), b, 0);
        double p1[2], p2[2];
        assert_ok(hpt_trial_params(st, c1, p1, 2));
        assert_ok(hpt_trial_params(st, c2, p2, 2));
        assert_memory_equal(p1, p2, sizeof p1);
        assert_ok(hpt_study_tell(st, c2, loss_of(st, c2)));
        assert_int_equal(state_of(st, c2), HPT_TRIAL_COMPLETE);
        hpt_study_destroy(st);

        /* Three failures in a row: two returns, then the parent is spent. */
        st = hb_study(9, 3, async, 23);
        for (int k = 0; k < 3; k++) {
            int64_t c = next_promotion(st);
            assert_int_equal(parent_of(st, c), parent);
            assert_ok(hpt_study_tell_failed(st, c, NULL));
        }
        int64_t id;
        for (int i = 0; i < 30 && hpt_study_ask(st, &id) == HPT_OK; i++) {
            assert_true(parent_of(st, id) != parent);
            assert_ok(hpt_study_tell(st, id, loss_of(st, id)));
        }
        hpt_study_destroy(st);
    }
}

static void options(void **state)
{
    (void)state;
    hpt_study *st = hb_study(81, 3, 1, 1);
    double v;
    assert_ok(hpt_study_get(st, "hyperband.max_resource", &v));
    assert_near(v, 81, 0);
    assert_status(hpt_study_set(st, "hyperband.eta", 1), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "hyperband.min_resource", 0), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "hyperband.async", 2), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "hyperband.brackets", 1.5), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "hyperband.nope", 1), HPT_E_NAME);
    assert_status(hpt_study_set_str(st, "hyperband.sampler", "magic"), HPT_E_INVALID);
    assert_status(hpt_study_set_str(st, "hyperband.other", "random"), HPT_E_NAME);
    assert_ok(hpt_study_set_str(st, "hyperband.sampler", "random"));
    hpt_study_destroy(st);

    /* Inconsistent combinations are found at the first ask. */
    int64_t id;
    st = hb_study(81, 3, 1, 1);
    assert_ok(hpt_study_set(st, "hyperband.min_resource", 100));
    assert_status(hpt_study_ask(st, &id), HPT_E_INVALID);
    assert_ok(hpt_study_set(st, "hyperband.min_resource", 1));
    assert_ok(hpt_study_ask(st, &id)); /* a failed start may be retried */
    hpt_study_destroy(st);
    st = hb_study(81, 3, 1, 1);
    assert_ok(hpt_study_set(st, "hyperband.iterations", 1));
    assert_status(hpt_study_ask(st, &id), HPT_E_INVALID);
    hpt_study_destroy(st);
    st = hb_study(1e12, 1.5, 1, 1); /* log_1.5(1e12) > 40 brackets */
    assert_status(hpt_study_ask(st, &id), HPT_E_INVALID);
    hpt_study_destroy(st);

    /* min == max: one bracket of one configuration at full budget. */
    st = hb_study(5, 3, 0, 1);
    assert_ok(hpt_study_set(st, "hyperband.min_resource", 5));
    assert_ok(hpt_study_ask(st, &id));
    assert_near(budget_of(st, id), 5, 0);
    assert_status(hpt_study_ask(st, &id), HPT_WAIT);
    hpt_study_destroy(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_r81_eta3),
        cmocka_unit_test(table_r27_eta3),
        cmocka_unit_test(table_r80_and_repeat),
        cmocka_unit_test(sync_barrier),
        cmocka_unit_test(async_always_work),
        cmocka_unit_test(mixed_states),
        cmocka_unit_test(all_failed_rung),
        cmocka_unit_test(async_bracket_shares),
        cmocka_unit_test(async_threads),
        cmocka_unit_test(deterministic),
        cmocka_unit_test(sobol_sampler),
        cmocka_unit_test(bayes_sampler_model),
        cmocka_unit_test(bayes_random_fraction),
        cmocka_unit_test(bayes_modes),
        cmocka_unit_test(default_sampler),
        cmocka_unit_test(best_at_largest_budget),
        cmocka_unit_test(top_k_by_budget),
        cmocka_unit_test(failed_promotion_returns_parent),
        cmocka_unit_test(options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
