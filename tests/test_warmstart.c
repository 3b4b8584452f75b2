/* test_warmstart.c -- warm start from parent journals: mapping by name,
 * changed ranges, fixed, new and dropped parameters, skipped trials,
 * resume without the parent, and transfer (with bayes, when built). */
#include <math.h>
#include <unistd.h>

#include "testutil.h"
#include "study.h"

static const char *const acts3[] = {"relu", "tanh", "sigmoid"};

/* The parent: lr log [1e-4, 1e-1], layers 1..8, act of 3. */
static hpt_space *parent_space(void)
{
    hpt_space *sp;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "lr", 1e-4, 1e-1, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_int(sp, "layers", 1, 8, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(sp, "act", acts3, 3));
    return sp;
}

static double f(double lr, double layers, double act)
{
    return pow(log10(lr) + 2.5, 2) + 0.1 * fabs(layers - 4) + 0.2 * act;
}

/* Run a parent of n trials; returns its best value. */
static double run_parent(const char *path, int n, int32_t dir_)
{
    hpt_space *sp = parent_space();
    hpt_study *st;
    unlink(path);
    assert_ok(hpt_study_open(path, sp, "random", dir_, 17, &st));
    assert_ok(hpt_study_set(st, "journal.fsync", 0));
    int64_t id;
    double x[3], best;
    for (int k = 0; k < n; k++) {
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, 3));
        if (k == 3)
            assert_ok(hpt_study_tell_failed(st, id, NULL)); /* not used */
        else if (k != 5) /* 5 stays running: not used */
            assert_ok(hpt_study_tell(st, id, (dir_ == HPT_MAXIMIZE ? -1 : 1) * f(x[0], x[1], x[2])));
    }
    assert_ok(hpt_study_best(st, NULL, &best));
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
    return best;
}

static void test_identical_same_space(void **state)
{
    (void)state;
    const char *pp = tmp("p1.jnl");
    double pbest = run_parent(pp, 40, HPT_MINIMIZE);
    hpt_space *sp = parent_space();
    hpt_study *st;
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 5, &st));
    assert_ok(hpt_study_warm_start(st, pp, HPT_WARM_IDENTICAL));
    int64_t used, skipped, id;
    const char *summary;
    assert_ok(hpt_study_warm_info(st, &used, &skipped, &summary));
    assert_int_equal(used, 38); /* 40 - failed - running */
    assert_int_equal(skipped, 0);
    assert_int_equal(st->hist.n_prior, 38);
    assert_int_equal(st->hist.n_transfer, 0);
    assert_non_null(strstr(summary, "38 of 38 complete trials used"));
    /* in the cube, identical to the parent's own encoding */
    for (size_t k = 0; k < st->hist.n_prior; k++)
        for (size_t i = 0; i < 3; i++)
            assert_true(st->hist.obs_u[k * 3 + i] >= 0 && st->hist.obs_u[k * 3 + i] <= 1);
    /* child's best <= parent's best from the first ask on */
    double v;
    assert_status(hpt_study_best(st, NULL, NULL), HPT_E_EMPTY); /* own trials only */
    assert_ok(hpt_study_best_overall(st, &id, &v));
    assert_int_equal(id, -1);
    assert_true(v <= pbest);
    assert_ok(hpt_study_ask(st, &id));
    assert_ok(hpt_study_tell(st, id, 1e9));
    assert_ok(hpt_study_best_overall(st, &id, &v));
    assert_true(v <= pbest && id == -1);
    assert_status(hpt_study_warm_start(st, pp, HPT_WARM_IDENTICAL), HPT_E_STAGE);
    hpt_study_destroy(st);

    /* a maximizing parent into a maximizing child: values keep their sign */
    const char *pm = tmp("pmax.jnl");
    double mbest = run_parent(pm, 20, HPT_MAXIMIZE);
    assert_ok(hpt_study_create(sp, "random", HPT_MAXIMIZE, 5, &st));
    assert_ok(hpt_study_warm_start(st, pm, HPT_WARM_IDENTICAL));
    assert_ok(hpt_study_best_overall(st, &id, &v));
    assert_true(v >= mbest);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

static void test_identical_changed_space(void **state)
{
    (void)state;
    const char *pp = tmp("p2.jnl");
    run_parent(pp, 60, HPT_MINIMIZE);
    /* lr narrowed, layers fixed, act without "sigmoid", new "wd", and the
     * child journaled so that a resume is checked too */
    static const char *const acts2[] = {"relu", "tanh"};
    hpt_space *sp;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "wd", 0, 0.1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "lr", 1e-3, 1e-2, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_int(sp, "layers", 4, 4, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(sp, "act", acts2, 2));
    const char *cp = tmp("child.jnl");
    hpt_study *st;
    assert_ok(hpt_study_open(cp, sp, "random", HPT_MINIMIZE, 9, &st));
    assert_status(hpt_study_warm_start(st, pp, HPT_WARM_IDENTICAL), HPT_E_NAME);
    assert_non_null(strstr(hpt_study_errmsg(st), "'wd'"));
    assert_status(hpt_study_warm_default(st, "wd", 0.5), HPT_E_INVALID);
    assert_status(hpt_study_warm_default(st, "nope", 0.5), HPT_E_NAME);
    assert_ok(hpt_study_warm_default(st, "wd", 0.01));
    assert_ok(hpt_study_warm_start(st, pp, HPT_WARM_IDENTICAL));
    int64_t used, skipped;
    const char *summary;
    assert_ok(hpt_study_warm_info(st, &used, &skipped, &summary));
    assert_int_equal(used + skipped, 58);
    assert_true(skipped > 0); /* the sigmoid trials */
    assert_non_null(strstr(summary, "a choice not in this space"));
    assert_non_null(strstr(summary, "'wd' set to its default"));
    assert_int_equal(st->hist.n_prior, (size_t)used);
    int outside = 0;
    double wd_u = 0.01 / 0.1;
    for (size_t k = 0; k < st->hist.n_prior; k++) {
        const double *u = st->hist.obs_u + k * 4;
        assert_true(fabs(u[0] - wd_u) < 1e-15);
        outside += u[1] < 0 || u[1] > 1; /* lr outside the new range */
        assert_true(u[2] == 0.5);        /* fixed */
        assert_true(u[3] == 0.25 || u[3] == 0.75);
    }
    assert_true(outside > 0);
    double *saved = malloc(st->hist.n_prior * 4 * sizeof *saved);
    memcpy(saved, st->hist.obs_u, st->hist.n_prior * 4 * sizeof *saved);
    size_t n_saved = st->hist.n_prior;
    int64_t id;
    assert_ok(hpt_study_ask(st, &id));
    hpt_study_destroy(st);

    /* resume needs no parent: the points are in the child's journal */
    assert_int_equal(unlink(pp), 0);
    assert_ok(hpt_study_open(cp, sp, "random", HPT_MINIMIZE, 9, &st));
    assert_int_equal(st->hist.n_prior, n_saved);
    assert_memory_equal(st->hist.obs_u, saved, n_saved * 4 * sizeof *saved);
    assert_ok(hpt_study_warm_info(st, &used, NULL, &summary));
    assert_int_equal(used, (int64_t)n_saved);
    assert_non_null(strstr(summary, "identical"));
    free(saved);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

static void test_refusals(void **state)
{
    (void)state;
    const char *pp = tmp("p3.jnl");
    run_parent(pp, 10, HPT_MINIMIZE);
    hpt_space *sp;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "layers", 1, 8, HPT_SCALE_LINEAR));
    hpt_study *st;
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &st));
    assert_status(hpt_study_warm_start(st, pp, HPT_WARM_IDENTICAL), HPT_E_TYPE);
    assert_non_null(strstr(hpt_study_errmsg(st), "types may not change"));
    assert_status(hpt_study_warm_start(st, pp, 7), HPT_E_INVALID);
    assert_status(hpt_study_warm_start(st, tmp("absent.jnl"), HPT_WARM_IDENTICAL), HPT_E_IO);
    assert_int_equal(st->hist.n_prior, 0);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
    /* at most 5 parents */
    sp = parent_space();
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &st));
    for (int k = 0; k < 5; k++)
        assert_ok(hpt_study_warm_start(st, pp, k % 2 ? HPT_WARM_TRANSFER : HPT_WARM_IDENTICAL));
    assert_status(hpt_study_warm_start(st, pp, HPT_WARM_IDENTICAL), HPT_E_INVALID);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

static void test_transfer_storage(void **state)
{
    (void)state;
    const char *pa = tmp("t1.jnl"), *pb = tmp("t2.jnl");
    run_parent(pa, 12, HPT_MINIMIZE);
    run_parent(pb, 7, HPT_MINIMIZE);
    hpt_space *sp = parent_space();
    hpt_study *st;
    const char *cp = tmp("tchild.jnl");
    assert_ok(hpt_study_open(cp, sp, "random", HPT_MINIMIZE, 2, &st));
    assert_ok(hpt_study_warm_start(st, pa, HPT_WARM_TRANSFER));
    assert_ok(hpt_study_warm_start(st, pb, HPT_WARM_TRANSFER));
    assert_int_equal(st->hist.n_prior, 0); /* a prior, not observations */
    assert_int_equal(st->hist.n_transfer, 10 + 5);
    assert_int_equal(st->hist.transfer_parent[0], 0);
    assert_int_equal(st->hist.transfer_parent[14], 1);
    assert_status(hpt_study_best_overall(st, NULL, NULL), HPT_E_EMPTY);
    double first = st->hist.transfer_value[3];
    hpt_study_destroy(st);
    assert_ok(hpt_study_open(cp, sp, "random", HPT_MINIMIZE, 2, &st));
    assert_int_equal(st->hist.n_transfer, 15);
    assert_true(st->hist.transfer_value[3] == first);
    assert_int_equal(st->hist.transfer_parent[14], 1);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* An interrupted warm start (its "warm" line missing) is dropped on
 * reopen, all of it. */
static void test_interrupted_warm(void **state)
{
    (void)state;
    const char *pp = tmp("p4.jnl"), *cp = tmp("c4.jnl");
    run_parent(pp, 10, HPT_MINIMIZE);
    hpt_space *sp = parent_space();
    hpt_study *st;
    unlink(cp);
    assert_ok(hpt_study_open(cp, sp, "random", HPT_MINIMIZE, 2, &st));
    assert_ok(hpt_study_warm_start(st, pp, HPT_WARM_IDENTICAL));
    hpt_study_destroy(st);
    /* cut the file inside the warm block: after the 3rd prior line */
    FILE *fp = fopen(cp, "rb");
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    char *p = strstr(buf, "\nprior ");
    for (int k = 0; k < 3; k++)
        p = strchr(p + 1, '\n');
    fp = fopen(cp, "wb");
    fwrite(buf, 1, (size_t)(p + 1 - buf), fp);
    fclose(fp);
    assert_true(n > 0);
    assert_ok(hpt_study_open(cp, sp, "random", HPT_MINIMIZE, 2, &st));
    assert_int_equal(st->hist.n_prior, 0);
    const char *note;
    int64_t dropped;
    assert_ok(hpt_study_journal_info(st, NULL, &dropped, &note));
    assert_non_null(strstr(note, "interrupted warm start"));
    assert_true(dropped > 0);
    /* and it can be done again */
    assert_ok(hpt_study_warm_start(st, pp, HPT_WARM_IDENTICAL));
    assert_int_equal(st->hist.n_prior, 8);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* Bayes fits identical warm-start observations, some outside a narrowed
 * range: the child's best observed value is never worse than the
 * parent's, and its first asks (model proposals: the in-range
 * observations replace the initial design) land near the parent's
 * optimum (lr = 10^-2.5, layers 4, act relu). */
static void test_identical_bayes(void **state)
{
    (void)state;
    const char *pp = tmp("pb.jnl");
    double pbest = run_parent(pp, 60, HPT_MINIMIZE);
    hpt_space *sp;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "lr", 1e-3, 3e-2, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_int(sp, "layers", 1, 8, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(sp, "act", acts3, 3));
    hpt_study *st;
    assert_ok(hpt_study_create(sp, "bayes", HPT_MINIMIZE, 3, &st));
    assert_ok(hpt_study_warm_start(st, pp, HPT_WARM_IDENTICAL));
    int outside = 0;
    for (size_t k = 0; k < st->hist.n_prior; k++)
        outside += st->hist.obs_u[k * 3] < 0 || st->hist.obs_u[k * 3] > 1;
    assert_true(outside > 0);
    double v, x[3], near = 0;
    int64_t id;
    assert_ok(hpt_study_best_overall(st, NULL, &v));
    assert_true(v <= pbest);
    for (int k = 0; k < 8; k++) {
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, 3));
        assert_true(x[0] >= 1e-3 && x[0] <= 3e-2);
        if (k < 3)
            near += fabs(log10(x[0]) + 2.5) < 0.35 && fabs(x[1] - 4) <= 1 && x[2] == 0;
        assert_ok(hpt_study_tell(st, id, f(x[0], x[1], x[2])));
        assert_ok(hpt_study_best_overall(st, NULL, &v));
        assert_true(v <= pbest);
    }
    if (near < 2)
        fail_msg("only %g of the first 3 asks near the parent's optimum", near);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* With bayes: a transfer warm start on a shifted function reaches a regret
 * target in fewer trials than a cold start (fixed seeds); a misleading
 * parent does not stop the child from finding its own optimum (new data
 * dominates). */
static double shifted(const double *x, double shift)
{
    return pow(x[0] - 0.3 - shift, 2) + pow(x[1] - 0.6 + shift, 2);
}

/* optimum far from shifted()'s */
static double elsewhere(const double *x, double shift)
{
    (void)shift;
    return pow(x[0] - 0.9, 2) + pow(x[1] - 0.1, 2);
}

static hpt_space *unit2(void)
{
    hpt_space *sp;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "a", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "b", 0, 1, HPT_SCALE_LINEAR));
    return sp;
}

static void make_parent(const char *path, double (*fn)(const double *, double))
{
    hpt_space *sp = unit2();
    hpt_study *st;
    unlink(path);
    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 4, &st));
    assert_ok(hpt_study_set(st, "journal.fsync", 0));
    for (int k = 0; k < 60; k++) {
        int64_t id;
        double x[2];
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, 2));
        assert_ok(hpt_study_tell(st, id, fn(x, 0)));
    }
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

#define MAX_TRIALS 60

static int trials_to_target(const char *parent, double shift, uint64_t seed)
{
    hpt_space *sp = unit2();
    hpt_study *st;
    assert_ok(hpt_study_create(sp, "bayes", HPT_MINIMIZE, seed, &st));
    if (parent)
        assert_ok(hpt_study_warm_start(st, parent, HPT_WARM_TRANSFER));
    int k;
    for (k = 1; k <= MAX_TRIALS; k++) {
        int64_t id;
        double x[2];
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, 2));
        double v = shifted(x, shift);
        assert_ok(hpt_study_tell(st, id, v));
        if (v < 1e-3)
            break;
    }
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
    return k;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

#define SEEDS 5

static void test_transfer_bayes(void **state)
{
    (void)state;
    const char *pp = tmp("bayes-parent.jnl"), *pm = tmp("bayes-misleading.jnl");
    make_parent(pp, shifted);
    make_parent(pm, elsewhere);
    int warm[SEEDS], cold[SEEDS], mis[SEEDS];
    for (int k = 0; k < SEEDS; k++) {
        warm[k] = trials_to_target(pp, 0.05, (uint64_t)k + 1);
        cold[k] = trials_to_target(NULL, 0.05, (uint64_t)k + 1);
        mis[k] = trials_to_target(pm, 0.05, (uint64_t)k + 1);
    }
    for (int k = 0; k < SEEDS; k++)
        print_message("seed %d: %d trials warm, %d cold, %d from a misleading parent\n",
                      k + 1, warm[k], cold[k], mis[k]);
    qsort(warm, SEEDS, sizeof *warm, cmp_int);
    qsort(cold, SEEDS, sizeof *cold, cmp_int);
    qsort(mis, SEEDS, sizeof *mis, cmp_int);
    /* medians: transfer helps; a wrong prior is overcome by the child's data */
    assert_true(warm[SEEDS / 2] < cold[SEEDS / 2]);
    assert_true(mis[SEEDS - 1] < MAX_TRIALS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical_same_space),
        cmocka_unit_test(test_identical_changed_space),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_transfer_storage),
        cmocka_unit_test(test_interrupted_warm),
        cmocka_unit_test(test_identical_bayes),
        cmocka_unit_test(test_transfer_bayes),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
