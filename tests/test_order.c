/* test_order.c -- issue 15, item 2: between two asks, the next proposals
 * depend on the set of results told (and of trials running), not on the
 * order of the tells, nor on how the reports of different trials
 * interleave. For every registered strategy (hyperband in both modes and
 * with each sampler), four pending trials are finished -- two told, one
 * failed, one pruned after its reports -- in all 24 orders, and the 16
 * trials asked after them must print the same "%a" parameters, budgets
 * and parents; likewise for two interleavings of the four trials' reports
 * under the median pruner, whose answers must agree too. */
#include <math.h>

#include "testutil.h"

#define DIM 3
#define WARM 36  /* sequential trials first: past bayes' design and hyperband's
                  * model threshold (4 (dim + 1) at a budget) */
#define BATCH 4
#define AFTER 16 /* trials compared after the permuted batch */
#define LINE 160

typedef struct {
    const char *strategy;
    const char *str_opt, *str_val; /* may be NULL */
    const char *opt;               /* may be NULL */
    double val;
} spec;

static const spec specs[] = {
    {"grid", NULL, NULL, "grid.points", 8},
    {"random", NULL, NULL, NULL, 0},
    {"sobol", NULL, NULL, NULL, 0},
    {"bayes", NULL, NULL, NULL, 0},
    {"hyperband", "hyperband.sampler", "bayes", NULL, 0},
    {"hyperband", "hyperband.sampler", "bayes", "hyperband.async", 0},
    {"hyperband", "hyperband.sampler", "random", NULL, 0},
    {"hyperband", "hyperband.sampler", "sobol", NULL, 0},
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

static double objective(const hpt_study *st, int64_t id)
{
    double p[DIM], budget;
    assert_ok(hpt_trial_params(st, id, p, DIM));
    assert_ok(hpt_trial_budget(st, id, &budget, NULL));
    return (p[0] - 0.4) * (p[0] - 0.4) + 0.3 * sin(5 * p[0]) +
           0.2 * (log10(p[1]) + 2) * (log10(p[1]) + 2) + (p[2] == 1 ? 0.0 : 0.3) +
           1.0 / (1.0 + budget);
}

static hpt_study *make(const spec *sp, int pruner)
{
    hpt_space *s = space3();
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(s, sp->strategy, HPT_MINIMIZE, 777, &st));
    hpt_space_destroy(s);
    if (sp->str_opt)
        assert_ok(hpt_study_set_str(st, sp->str_opt, sp->str_val));
    if (sp->opt)
        assert_ok(hpt_study_set(st, sp->opt, sp->val));
    if (pruner) {
        assert_ok(hpt_study_set_str(st, "pruner", "median"));
        assert_ok(hpt_study_set(st, "pruner.warmup_trials", 2));
    }
    return st;
}

/* Ask one trial: 1 and its line ("%a" of every parameter, budget and
 * parent) appended to out, or 0 for HPT_WAIT / HPT_DONE (noted too). */
static int ask(hpt_study *st, int64_t *id, char *out)
{
    int rc = hpt_study_ask(st, id);
    char line[LINE];
    if (rc == HPT_WAIT || rc == HPT_DONE) {
        snprintf(line, sizeof line, "%s\n", rc == HPT_WAIT ? "wait" : "done");
        strcat(out, line);
        return 0;
    }
    assert_ok(rc);
    double p[DIM], budget;
    int64_t parent;
    assert_ok(hpt_trial_params(st, *id, p, DIM));
    assert_ok(hpt_trial_budget(st, *id, &budget, &parent));
    snprintf(line, sizeof line, "%lld: %a %a %a b=%a p=%lld\n", (long long)*id, p[0], p[1],
             p[2], budget, (long long)parent);
    strcat(out, line);
    return 1;
}

/* Ask up to n trials one at a time, each told at once. */
static void sequential(hpt_study *st, size_t n, char *out)
{
    for (size_t k = 0; k < n; k++) {
        int64_t id;
        if (ask(st, &id, out))
            assert_ok(hpt_study_tell(st, id, objective(st, id)));
    }
}

/* Finish pending trial slot k of the batch: 0 and 3 told, 1 failed, 2
 * pruned (its reports were made before). */
static void finish(hpt_study *st, int64_t id, int k)
{
    if (k == 1)
        assert_ok(hpt_study_tell_failed(st, id, "boom"));
    else if (k == 2)
        assert_ok(hpt_study_prune(st, id));
    else
        assert_ok(hpt_study_tell(st, id, objective(st, id)));
}

/* The i-th of the 24 permutations of 0..3 (Lehmer code). */
static void permutation(int i, int perm[BATCH])
{
    int left[BATCH] = {0, 1, 2, 3}, n = BATCH;
    for (int k = 0; k < BATCH; k++) {
        int f = 1;
        for (int j = 2; j < n; j++)
            f *= j;
        int pick = i / f;
        i %= f;
        perm[k] = left[pick];
        for (int j = pick; j < n - 1; j++)
            left[j] = left[j + 1];
        n--;
    }
}

/* WARM sequential trials, a batch of BATCH asks finished in `order`, then
 * AFTER trials: their lines (malloc'd). */
static char *run_told(const spec *sp, const int order[BATCH])
{
    hpt_study *st = make(sp, 0);
    char *out = calloc(1, (WARM + BATCH + AFTER + 8) * LINE);
    sequential(st, WARM, out);
    int64_t id[BATCH];
    int have[BATCH] = {0};
    for (int k = 0; k < BATCH; k++)
        have[k] = ask(st, &id[k], out);
    for (int k = 0; k < BATCH; k++)
        if (have[k] && k == 2)
            assert_ok(hpt_study_report(st, id[k], 1.0, 5.0, NULL));
    for (int k = 0; k < BATCH; k++)
        if (have[order[k]])
            finish(st, id[order[k]], order[k]);
    /* what the model saw is compared through the trials that follow */
    char *tail = out + strlen(out);
    sequential(st, AFTER, out);
    assert_true(strlen(tail) > 0);
    hpt_study_destroy(st);
    return out;
}

static void test_tell_order(void **state)
{
    (void)state;
    for (size_t s = 0; s < N_SPECS; s++) {
        int perm[BATCH];
        permutation(0, perm);
        char *want = run_told(&specs[s], perm);
        for (int i = 1; i < 24; i++) {
            permutation(i, perm);
            char *got = run_told(&specs[s], perm);
            if (strcmp(got, want) != 0)
                fail_msg("%s %s=%s: tells in order %d%d%d%d give other trials than "
                         "0123:\n%s\nwant\n%s",
                         specs[s].strategy, specs[s].str_opt ? specs[s].str_opt : "",
                         specs[s].str_val ? specs[s].str_val : "", perm[0], perm[1],
                         perm[2], perm[3], got, want);
            free(got);
        }
        free(want);
    }
}

/* The best of equal values is the lower id, whichever was told first. */
static void test_best_ties_to_lower_id(void **state)
{
    (void)state;
    for (int rev = 0; rev < 2; rev++) {
        hpt_study *st = make(&specs[1], 0);
        int64_t id[BATCH], best;
        for (int k = 0; k < BATCH; k++)
            assert_ok(hpt_study_ask(st, &id[k]));
        for (int k = 0; k < BATCH; k++)
            assert_ok(hpt_study_tell(st, id[rev ? BATCH - 1 - k : k], 1.5));
        assert_ok(hpt_study_best(st, &best, NULL));
        assert_int_equal(best, id[0]);
        hpt_study_destroy(st);
    }
}

/* Reports of the batch's trials: trial by trial (mode 0) or round-robin
 * (mode 1), steps 1..3, with the median pruner; its answers and the trials
 * after the batch (told in id order) are the lines compared. */
static char *run_reported(const spec *sp, int mode)
{
    hpt_study *st = make(sp, 1);
    char *out = calloc(1, (WARM + BATCH + AFTER + 8) * LINE + BATCH * 3 * 32);
    for (size_t k = 0; k < WARM; k++) {
        int64_t id;
        if (!ask(st, &id, out))
            continue;
        double v = objective(st, id);
        for (int j = 1; j <= 3; j++)
            assert_ok(hpt_study_report(st, id, j, v + 1.0 / j, NULL));
        assert_ok(hpt_study_tell(st, id, v));
    }
    int64_t id[BATCH];
    int have[BATCH];
    int32_t stop[BATCH][3] = {{0}};
    for (int k = 0; k < BATCH; k++)
        have[k] = ask(st, &id[k], out);
    for (int a = 0; a < BATCH * 3; a++) {
        int k = mode ? a % BATCH : a / 3, j = (mode ? a / BATCH : a % 3) + 1;
        if (have[k])
            assert_ok(hpt_study_report(st, id[k], j, objective(st, id[k]) + 2.0 / j,
                                       &stop[k][j - 1]));
    }
    for (int k = 0; k < BATCH; k++) {
        char line[32];
        snprintf(line, sizeof line, "stop %d%d%d\n", stop[k][0], stop[k][1], stop[k][2]);
        strcat(out, line);
        if (have[k])
            assert_ok(hpt_study_tell(st, id[k], objective(st, id[k])));
    }
    sequential(st, AFTER, out);
    hpt_study_destroy(st);
    return out;
}

static void test_report_interleaving(void **state)
{
    (void)state;
    for (size_t s = 0; s < N_SPECS; s++) {
        char *a = run_reported(&specs[s], 0), *b = run_reported(&specs[s], 1);
        if (strcmp(a, b) != 0)
            fail_msg("%s: interleaved reports give other trials:\n%s\nwant\n%s",
                     specs[s].strategy, b, a);
        free(a);
        free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tell_order),
        cmocka_unit_test(test_best_ties_to_lower_id),
        cmocka_unit_test(test_report_interleaving),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
