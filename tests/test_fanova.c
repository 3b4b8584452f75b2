/* test_fanova.c -- variance-based importance (hpt_study_importance_sobol)
 * against functions whose Sobol indices are known in closed form. */
#include <math.h>
#include <pthread.h>

#include "testutil.h"

/* Ishigami & Homma (1990) with a = 7, b = 0.1 on [-pi, pi]^3; exact
 * indices (Sobol' & Levitan 1999): S = 0.3139, 0.4424, 0; ST = 0.5576,
 * 0.4424, 0.2437. */
static double ishigami(const double *x)
{
    double s2 = sin(x[1]);
    return sin(x[0]) + 7.0 * s2 * s2 + 0.1 * pow(x[2], 4) * sin(x[0]);
}

static hpt_study *told_study(hpt_space *sp, const char *strategy, int n,
                             double (*f)(const double *), size_t dim)
{
    hpt_study *st;
    assert_ok(hpt_study_create(sp, strategy, HPT_MINIMIZE, 7, &st));
    double x[8];
    for (int k = 0; k < n; k++) {
        int64_t id;
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, dim));
        assert_ok(hpt_study_tell(st, id, f(x)));
    }
    return st;
}

/* Tolerance (documented in hpt.h): 0.05 on first-order indices from 200
 * Sobol trials; total indices, which need the interaction x0 x2 modelled,
 * within 0.08. */
static void test_ishigami(void **state)
{
    (void)state;
    hpt_space *sp;
    assert_ok(hpt_space_create(&sp));
    const char *names[] = {"x1", "x2", "x3"};
    for (int i = 0; i < 3; i++)
        assert_ok(hpt_space_add_float(sp, names[i], -M_PI, M_PI, HPT_SCALE_LINEAR));
    hpt_study *st = told_study(sp, "sobol", 200, ishigami, 3);
    double s1[3], st1[3];
    assert_ok(hpt_study_importance_sobol(st, s1, st1, 3));
    const double want_s[] = {0.3139, 0.4424, 0.0}, want_t[] = {0.5576, 0.4424, 0.2437};
    for (int i = 0; i < 3; i++) {
        print_message("x%d: first %.4f (exact %.4f), total %.4f (exact %.4f)\n", i + 1,
                      s1[i], want_s[i], st1[i], want_t[i]);
        assert_true(fabs(s1[i] - want_s[i]) < 0.05);
        assert_true(fabs(st1[i] - want_t[i]) < 0.08);
    }
    /* same trials, same figures */
    double again[3];
    assert_ok(hpt_study_importance_sobol(st, again, NULL, 3));
    assert_memory_equal(again, s1, sizeof s1);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* f = x + b(act), additive, with an integer that plays no part. With x
 * uniform on [0, 1] (Var 1/12) and b uniform over {0, 0.5, 1} (Var 1/6):
 * S_x = 1/3, S_act = 2/3, S_units = 0, and ST = S (no interaction). */
static double additive(const double *x)
{
    static const double b[] = {0.0, 0.5, 1.0};
    return x[0] + b[(int)x[2]];
}

static void test_irrelevant_parameter(void **state)
{
    (void)state;
    static const char *const acts[] = {"relu", "tanh", "gelu"};
    hpt_space *sp;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_int(sp, "units", 8, 512, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_categorical(sp, "act", acts, 3));
    hpt_study *st = told_study(sp, "random", 60, additive, 3);
    double s1[3], tot[3];
    assert_ok(hpt_study_importance_sobol(st, s1, tot, 3));
    print_message("first %.4f %.4f %.4f, total %.4f %.4f %.4f\n", s1[0], s1[1], s1[2],
                  tot[0], tot[1], tot[2]);
    assert_true(fabs(s1[0] - 1.0 / 3) < 0.05);
    assert_true(fabs(s1[2] - 2.0 / 3) < 0.05);
    assert_true(s1[1] < 0.02);
    assert_true(tot[1] < 0.02);
    for (int i = 0; i < 3; i++)
        assert_true(tot[i] >= s1[i] - 0.02);
    /* hpt_study_importance: the total indices, normalized, for a strategy
     * without a model of its own (the lengthscale view has none here) */
    double w[3];
    assert_ok(hpt_study_importance(st, w, 3));
    double sum = tot[0] + tot[1] + tot[2];
    for (int i = 0; i < 3; i++)
        assert_true(fabs(w[i] - tot[i] / sum) < 1e-12);
    assert_true(fabs(w[0] + w[1] + w[2] - 1) < 1e-12);
    assert_true(w[1] < 0.02 && w[2] > w[0] && w[0] > 0.2);
    assert_status(hpt_study_importance_lengthscale(st, w, 3), HPT_E_NOMODEL);
    assert_status(hpt_study_importance(st, NULL, 3), HPT_E_INVALID);
    assert_status(hpt_study_importance(st, w, 2), HPT_E_INVALID);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* A conditional parameter counts where it is active: its effect lives in one
 * branch only, the other branch's parameter is irrelevant. */
static double branchy(const double *x)
{
    /* x[0] opt (0 = sgd, 1 = adam), x[1] momentum (sgd only), x[2] beta (adam) */
    return x[0] < 0.5 ? 4 * (x[1] - 0.3) * (x[1] - 0.3) : 0.5;
}

static void test_conditional_parameters(void **state)
{
    (void)state;
    static const char *const opts[] = {"sgd", "adam"};
    hpt_space *sp;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_categorical(sp, "opt", opts, 2));
    assert_ok(hpt_space_add_float(sp, "momentum", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "beta", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_condition(sp, "momentum", "opt", opts, 1));
    assert_ok(hpt_space_add_condition(sp, "beta", "opt", opts + 1, 1));
    hpt_study *st = told_study(sp, "random", 80, branchy, 3);
    double s1[3], tot[3];
    assert_ok(hpt_study_importance_sobol(st, s1, tot, 3));
    print_message("conditional: first %.4f %.4f %.4f, total %.4f %.4f %.4f\n", s1[0], s1[1],
                  s1[2], tot[0], tot[1], tot[2]);
    assert_true(tot[1] > 0.1); /* momentum matters (in the sgd branch) */
    assert_true(tot[2] < 0.02); /* beta never does */
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

static double constant(const double *x)
{
    (void)x;
    return 2.5;
}

static void test_errors(void **state)
{
    (void)state;
    hpt_space *sp = tu_mixed_space();
    double a[3], b[3];
    assert_status(hpt_study_importance_sobol(NULL, a, b, 3), HPT_E_INVALID);
    hpt_study *st = told_study(sp, "random", 7, additive, 3);
    /* 8 complete trials needed for 3 parameters: 7 are too few */
    assert_status(hpt_study_importance_sobol(st, a, b, 3), HPT_E_STATE);
    assert_non_null(strstr(hpt_study_errmsg(st), "at least 8"));
    assert_status(hpt_study_importance_sobol(st, a, b, 2), HPT_E_INVALID);
    assert_status(hpt_study_importance_sobol(st, NULL, NULL, 3), HPT_E_INVALID);
    hpt_study_destroy(st);
    st = told_study(sp, "random", 12, constant, 3);
    assert_status(hpt_study_importance_sobol(st, a, NULL, 3), HPT_E_NUMERIC);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* Multi-fidelity: only the trials of one budget are compared. Here the
 * budget-1 trials depend on x alone and the budget-3 ones on y alone; with
 * enough of both the largest budget decides, with too few of it the
 * smaller one does. */
static void test_budget_choice(void **state)
{
    (void)state;
    hpt_space *sp;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "y", 0, 1, HPT_SCALE_LINEAR));
    hpt_study *st;
    assert_ok(hpt_study_create(sp, "hyperband", HPT_MINIMIZE, 3, &st));
    assert_ok(hpt_study_set_str(st, "hyperband.sampler", "random"));
    assert_ok(hpt_study_set(st, "hyperband.max_resource", 3));
    assert_ok(hpt_study_set(st, "hyperband.eta", 3));
    int n_top = 0, n_low = 0, checked_low = 0;
    double first[2], x[2];
    for (int k = 0; k < 400 && n_top < 12; k++) {
        int64_t id;
        double budget;
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, 2));
        assert_ok(hpt_trial_budget(st, id, &budget, NULL));
        n_top += budget == 3;
        n_low += budget == 1;
        assert_ok(hpt_study_tell(st, id, budget == 3 ? x[1] : x[0]));
        if (n_low >= 12 && n_top >= 1 && n_top < 8 && !checked_low) {
            /* below 8 at budget 3: budget 1 is used */
            assert_ok(hpt_study_importance_sobol(st, first, NULL, 2));
            assert_true(first[0] > 0.9);
            checked_low = 1;
        }
    }
    assert_true(checked_low);
    assert_int_equal(n_top, 12);
    assert_ok(hpt_study_importance_sobol(st, first, NULL, 2));
    assert_true(first[1] > 0.9);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* ---- threads: the study's lock is let go during the computation ---- */

typedef struct {
    hpt_study *st;
    int rc[3];
} imp_job;

static void *importance_thread(void *arg)
{
    imp_job *j = arg;
    double a[3], b[3];
    for (int k = 0; k < 3; k++)
        j->rc[k] = hpt_study_importance_sobol(j->st, a, b, 3);
    return NULL;
}

static void test_workers_go_on(void **state)
{
    (void)state;
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = told_study(sp, "random", 20, additive, 3);
    imp_job j = {st, {0}};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, importance_thread, &j), 0);
    double x[3];
    for (int k = 0; k < 40; k++) { /* asks and tells while it computes */
        int64_t id;
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, 3));
        assert_ok(hpt_study_tell(st, id, additive(x)));
    }
    assert_int_equal(pthread_join(th, NULL), 0);
    for (int k = 0; k < 3; k++)
        assert_int_equal(j.rc[k], HPT_OK);
    int64_t n;
    assert_ok(hpt_study_trial_count(st, &n));
    assert_int_equal(n, 60);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* ---- allocation failures: fail the k-th allocation of the call, for every k ---- */

static long fail_at, n_alloc, n_live;

static void *t_malloc(size_t n, void *ctx)
{
    (void)ctx;
    if (++n_alloc == fail_at)
        return NULL;
    void *p = malloc(n);
    n_live += p != NULL;
    return p;
}

static void *t_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (++n_alloc == fail_at)
        return NULL;
    void *q = realloc(p, n);
    n_live += q && !p;
    return q;
}

static void t_free(void *p, void *ctx)
{
    (void)ctx;
    n_live -= p != NULL;
    free(p);
}

static void test_allocation_failures(void **state)
{
    (void)state;
    assert_ok(hpt_set_allocator(t_malloc, t_realloc, t_free, NULL));
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = told_study(sp, "random", 12, additive, 3);
    double want[3], got[3];
    long before = n_alloc;
    assert_ok(hpt_study_importance_sobol(st, want, NULL, 3));
    long per_call = n_alloc - before;
    assert_true(per_call > 5);
    for (long k = 1; k <= per_call; k++) {
        long live = n_live;
        fail_at = n_alloc + k;
        int rc = hpt_study_importance_sobol(st, got, NULL, 3);
        fail_at = 0;
        if (rc != HPT_E_NOMEM)
            fail_msg("allocation %ld of %ld failed: status %d (%s)", k, per_call, rc,
                     hpt_study_errmsg(st));
        assert_int_equal(n_live, live); /* nothing leaked */
        assert_ok(hpt_study_importance_sobol(st, got, NULL, 3)); /* still usable */
        assert_memory_equal(got, want, sizeof want);
    }
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
    assert_int_equal(n_live, 0);
    assert_ok(hpt_set_allocator(NULL, NULL, NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ishigami),
        cmocka_unit_test(test_irrelevant_parameter),
        cmocka_unit_test(test_conditional_parameters),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_budget_choice),
        cmocka_unit_test(test_workers_go_on),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
