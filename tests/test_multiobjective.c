/* test_multiobjective.c -- several objectives and constraints through the
 * public API: shape and tell errors, values and feasibility, the best
 * feasible trial, the front and its hypervolume by hand, and every
 * strategy with n = 1..3 objectives and m = 0..2 constraints through a
 * journal that is reopened and loaded. */
#include <math.h>

#include "testutil.h"

#include "study.h" /* the history rows a warm start adds */

static hpt_study *make(const char *strategy, size_t n, size_t m)
{
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, strategy, HPT_MINIMIZE, 7, &st));
    hpt_space_destroy(sp);
    int32_t dir[8] = {HPT_MINIMIZE, HPT_MAXIMIZE, HPT_MINIMIZE, HPT_MAXIMIZE};
    assert_ok(hpt_study_set_objectives(st, dir, n));
    assert_ok(hpt_study_set_constraints(st, m));
    return st;
}

static int64_t ask(hpt_study *st)
{
    int64_t id = -1;
    assert_ok(hpt_study_ask(st, &id));
    return id;
}

static void test_shape_errors(void **state)
{
    (void)state;
    hpt_study *st = make("random", 1, 0);
    int32_t dir[9] = {0}, bad[2] = {HPT_MINIMIZE, 7};
    assert_status(hpt_study_set_objectives(st, dir, 0), HPT_E_INVALID);
    assert_status(hpt_study_set_objectives(st, dir, 9), HPT_E_INVALID);
    assert_status(hpt_study_set_objectives(st, bad, 2), HPT_E_INVALID);
    assert_status(hpt_study_set_objectives(st, NULL, 2), HPT_E_INVALID);
    assert_status(hpt_study_set_objectives(NULL, dir, 2), HPT_E_INVALID);
    assert_status(hpt_study_set_constraints(st, 17), HPT_E_INVALID);
    assert_status(hpt_study_set_constraints(NULL, 1), HPT_E_INVALID);
    /* a pruner compares reports of one objective */
    assert_ok(hpt_study_set_str(st, "pruner", "median"));
    assert_status(hpt_study_set_objectives(st, dir, 2), HPT_E_MULTI);
    assert_ok(hpt_study_set_str(st, "pruner", "none"));
    assert_ok(hpt_study_set_objectives(st, dir, 2));
    assert_status(hpt_study_set_str(st, "pruner", "median"), HPT_E_MULTI);
    assert_status(hpt_study_set(st, "target_value", 1.0), HPT_E_MULTI);
    assert_ok(hpt_study_set_constraints(st, 2));
    int32_t got[2] = {-1, -1};
    size_t gn = 0, gm = 0;
    assert_status(hpt_study_objectives(st, got, 1, &gn, &gm), HPT_E_RANGE);
    assert_int_equal(gn, 2);
    assert_int_equal(gm, 2);
    assert_ok(hpt_study_objectives(st, got, 2, &gn, NULL));
    assert_int_equal(got[0], dir[0]);
    assert_int_equal(got[1], dir[1]);
    int64_t id = ask(st);
    /* the shape is fixed after the first ask; the same shape is a no-op */
    assert_status(hpt_study_set_objectives(st, dir, 3), HPT_E_STAGE);
    assert_status(hpt_study_set_constraints(st, 1), HPT_E_STAGE);
    assert_ok(hpt_study_set_objectives(st, dir, 2));
    assert_ok(hpt_study_set_constraints(st, 2));
    /* tells of another shape, non-finite values: refused, nothing changes */
    double v[3] = {1, 2, 3}, c[3] = {-1, -1, -1}, nan_c[2] = {-1, NAN};
    assert_status(hpt_study_tell(st, id, 1.0), HPT_E_INVALID);
    assert_status(hpt_study_tell_values(st, id, v, 2), HPT_E_INVALID); /* m = 2 */
    assert_status(hpt_study_tell_constrained(st, id, v, 1, c, 2), HPT_E_INVALID);
    assert_status(hpt_study_tell_constrained(st, id, v, 3, c, 2), HPT_E_INVALID);
    assert_status(hpt_study_tell_constrained(st, id, v, 2, c, 1), HPT_E_INVALID);
    assert_status(hpt_study_tell_constrained(st, id, v, 2, c, 3), HPT_E_INVALID);
    assert_status(hpt_study_tell_constrained(st, id, v, 2, nan_c, 2), HPT_E_INVALID);
    assert_non_null(strstr(hpt_study_errmsg(st), "constraint 1"));
    double inf_v[2] = {1, INFINITY};
    assert_status(hpt_study_tell_constrained(st, id, inf_v, 2, c, 2), HPT_E_INVALID);
    assert_status(hpt_study_tell_constrained(st, id, v, 2, NULL, 2), HPT_E_INVALID);
    int32_t s;
    assert_ok(hpt_trial_state(st, id, &s));
    assert_int_equal(s, HPT_TRIAL_RUNNING);
    double out[3];
    assert_status(hpt_trial_values(st, id, out, 2), HPT_E_STATE);
    int32_t f;
    assert_status(hpt_trial_feasible(st, id, &f), HPT_E_STATE);
    assert_ok(hpt_study_tell_constrained(st, id, v, 2, c, 2));
    assert_status(hpt_study_tell_constrained(st, id, v, 2, c, 2), HPT_E_STATE);
    assert_status(hpt_trial_values(st, id, out, 3), HPT_E_INVALID);
    assert_status(hpt_trial_constraints(st, id, out, 1), HPT_E_INVALID);
    assert_status(hpt_trial_values(st, 5, out, 2), HPT_E_TRIAL);
    hpt_study_destroy(st);

    /* one objective: hpt_study_tell_values with n = 1 is hpt_study_tell */
    st = make("random", 1, 0);
    id = ask(st);
    assert_status(hpt_study_tell_values(st, id, v, 2), HPT_E_INVALID);
    assert_ok(hpt_study_tell_values(st, id, v, 1));
    double best;
    assert_ok(hpt_study_best(st, NULL, &best));
    assert_true(best == 1.0);
    hpt_study_destroy(st);
}

static void test_values_and_feasibility(void **state)
{
    (void)state;
    hpt_study *st = make("sobol", 2, 1);
    int64_t a = ask(st), b = ask(st), c = ask(st);
    double va[2] = {0.25, -3.5}, ca = -0.5, vb[2] = {1, 2}, cb = 0.125, out[2], oc;
    int32_t f;
    assert_ok(hpt_study_tell_constrained(st, a, va, 2, &ca, 1));
    assert_ok(hpt_study_tell_constrained(st, b, vb, 2, &cb, 1));
    assert_ok(hpt_study_tell_failed(st, c, "oom"));
    assert_ok(hpt_trial_values(st, a, out, 2));
    assert_memory_equal(out, va, sizeof va);
    assert_ok(hpt_trial_constraints(st, a, &oc, 1));
    assert_true(oc == ca);
    assert_ok(hpt_trial_value(st, a, out));
    assert_true(out[0] == va[0]);
    assert_ok(hpt_trial_feasible(st, a, &f));
    assert_int_equal(f, 1);
    assert_ok(hpt_trial_feasible(st, b, &f));
    assert_int_equal(f, 0);
    assert_ok(hpt_trial_feasible(st, c, &f));
    assert_int_equal(f, 0);
    assert_status(hpt_trial_values(st, c, out, 2), HPT_E_STATE);
    assert_status(hpt_trial_constraints(st, c, &oc, 1), HPT_E_STATE);
    /* several objectives: no single best */
    int64_t id;
    assert_status(hpt_study_best(st, &id, NULL), HPT_E_MULTI);
    assert_non_null(strstr(hpt_study_errmsg(st), "hpt_study_pareto"));
    assert_non_null(strstr(hpt_strerror(HPT_E_MULTI), "hpt_study_pareto"));
    hpt_study_destroy(st);
}

/* n = 1 with a constraint: the best is the best feasible trial. */
static void test_best_feasible(void **state)
{
    (void)state;
    hpt_study *st = make("random", 1, 1);
    int64_t a = ask(st), b = ask(st), c = ask(st), id;
    double v, x;
    x = 1.0, v = 0.1; /* the lowest value, infeasible */
    assert_ok(hpt_study_tell_constrained(st, a, &v, 1, &x, 1));
    assert_status(hpt_study_best(st, &id, &v), HPT_E_EMPTY);
    assert_non_null(strstr(hpt_study_errmsg(st), "feasible"));
    x = 0.0, v = 0.5; /* 0 is feasible (<= 0) */
    assert_ok(hpt_study_tell_constrained(st, b, &v, 1, &x, 1));
    x = -2.0, v = 0.7;
    assert_ok(hpt_study_tell_constrained(st, c, &v, 1, &x, 1));
    assert_ok(hpt_study_best(st, &id, &v));
    assert_int_equal(id, b);
    assert_true(v == 0.5);
    size_t needed;
    int64_t ids[4];
    assert_ok(hpt_study_pareto(st, ids, 4, &needed));
    assert_int_equal(needed, 1);
    assert_int_equal(ids[0], b);
    hpt_study_destroy(st);
}

/* The front and its hypervolume, in the user's directions (objective 0
 * minimized, objective 1 maximized), by hand. */
static void test_front_by_hand(void **state)
{
    (void)state;
    hpt_study *st = make("random", 2, 1);
    /* losses (x, -y): the staircase (1,3) (2,2) (3,1) of test_pareto, a
     * duplicate of (2,2), one dominated, and an infeasible one that would
     * dominate them all */
    double pts[][2] = {{1, -3}, {2, -2}, {3, -1}, {2, -2}, {2.5, -2}, {0, -9}};
    double feas[] = {-1, 0, -0.5, -1, -1, 0.01};
    for (int i = 0; i < 6; i++)
        assert_ok(hpt_study_tell_constrained(st, ask(st), pts[i], 2, &feas[i], 1));
    int64_t f = ask(st);
    assert_ok(hpt_study_tell_failed(st, f, NULL));
    ask(st); /* running */
    size_t needed = 0;
    int64_t ids[8];
    assert_status(hpt_study_pareto(st, ids, 2, &needed), HPT_E_RANGE);
    assert_int_equal(needed, 4);
    assert_status(hpt_study_pareto(st, NULL, 0, &needed), HPT_E_RANGE);
    assert_ok(hpt_study_pareto(st, ids, 8, &needed));
    int64_t want[] = {0, 1, 2, 3};
    assert_int_equal(needed, 4);
    assert_memory_equal(ids, want, sizeof want);
    double ref[2] = {4, -4}, hv = -1;
    assert_ok(hpt_study_hypervolume(st, ref, 2, &hv));
    assert_true(fabs(hv - 6.0) < 1e-12);
    /* a reference the front does not dominate: nothing */
    double far[2] = {0.5, -4};
    assert_ok(hpt_study_hypervolume(st, far, 2, &hv));
    assert_true(hv == 0.0);
    double bad[2] = {4, NAN};
    assert_status(hpt_study_hypervolume(st, bad, 2, &hv), HPT_E_INVALID);
    assert_status(hpt_study_hypervolume(st, ref, 3, &hv), HPT_E_INVALID);
    hpt_study_destroy(st);

    /* three objectives, the hand case of test_pareto in user directions */
    st = make("random", 3, 0);
    double p3[][3] = {{1, -1, 2}, {2, -2, 1}, {0, -2, 2}, {2, -2, 2}};
    for (int i = 0; i < 4; i++)
        assert_ok(hpt_study_tell_values(st, ask(st), p3[i], 3));
    double ref3[3] = {3, -3, 3};
    assert_ok(hpt_study_hypervolume(st, ref3, 3, &hv));
    assert_true(fabs(hv - 6.0) < 1e-12);
    assert_ok(hpt_study_pareto(st, ids, 8, &needed));
    assert_int_equal(needed, 3);
    hpt_study_destroy(st);
}

/* ---- every strategy, n = 1..3 objectives, m = 0..2 constraints, through
 * a journal ---- */

static void objective(const hpt_study *st, int64_t id, size_t n, size_t m, double *v,
                      double *c)
{
    double x[3];
    assert_ok(hpt_trial_params(st, id, x, 3));
    double lr = log10(x[0]) + 5, layers = x[1], act = x[2];
    for (size_t k = 0; k < n; k++)
        v[k] = (k % 2 ? -1 : 1) * (pow(lr - 1.0 - (double)k, 2) + layers * 0.1 + act);
    for (size_t j = 0; j < m; j++)
        c[j] = lr - 2.5 - (double)j * 0.5 + layers * 0.05;
}

static hpt_study *open_shaped(const char *path, const char *strategy, size_t n, size_t m)
{
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    int rc = hpt_study_open(path, sp, strategy, HPT_MINIMIZE, 11, &st);
    hpt_space_destroy(sp);
    if (rc)
        fail_msg("open %s: %s", path, hpt_last_errmsg());
    assert_ok(hpt_study_set(st, "journal.fsync", 0));
    if (strcmp(strategy, "grid") == 0)
        assert_ok(hpt_study_set(st, "grid.points", 4));
    if (strcmp(strategy, "bayes") == 0) /* the model's rounds, failures included */
        assert_ok(hpt_study_set(st, "bayes.initial_trials", 5));
    int32_t dir[3] = {HPT_MINIMIZE, HPT_MAXIMIZE, HPT_MINIMIZE};
    assert_ok(hpt_study_set_objectives(st, dir, n));
    assert_ok(hpt_study_set_constraints(st, m));
    return st;
}

/* Trials [from, to): every 7th fails, the rest are told all values. */
static void drive(hpt_study *st, int from, int to, size_t n, size_t m)
{
    for (int i = from; i < to; i++) {
        int64_t id;
        int rc = hpt_study_ask(st, &id);
        if (rc != HPT_OK)
            fail_msg("ask %d: %s (%s)", i, hpt_strerror(rc), hpt_study_errmsg(st));
        assert_int_equal(id, i);
        double v[3], c[2];
        objective(st, id, n, m, v, c);
        if (i % 7 == 6)
            assert_ok(hpt_study_tell_failed(st, id, "crash"));
        else
            assert_ok(hpt_study_tell_constrained(st, id, v, n, c, m));
    }
}

static void assert_same(const hpt_study *a, const hpt_study *b, size_t n, size_t m)
{
    int64_t na, nb;
    assert_ok(hpt_study_trial_count(a, &na));
    assert_ok(hpt_study_trial_count(b, &nb));
    assert_int_equal(na, nb);
    for (int64_t id = 0; id < na; id++) {
        double xa[3], xb[3], va[3], vb[3], ca[2], cb[2];
        int32_t fa, fb;
        assert_ok(hpt_trial_params(a, id, xa, 3));
        assert_ok(hpt_trial_params(b, id, xb, 3));
        assert_memory_equal(xa, xb, sizeof xa);
        int ra = hpt_trial_values(a, id, va, n), rb = hpt_trial_values(b, id, vb, n);
        assert_int_equal(ra, rb);
        if (!ra)
            assert_memory_equal(va, vb, n * sizeof *va);
        ra = hpt_trial_constraints(a, id, ca, m);
        rb = hpt_trial_constraints(b, id, cb, m);
        assert_int_equal(ra, rb);
        if (!ra && m)
            assert_memory_equal(ca, cb, m * sizeof *ca);
        assert_ok(hpt_trial_feasible(a, id, &fa));
        assert_ok(hpt_trial_feasible(b, id, &fb));
        assert_int_equal(fa, fb);
    }
    int64_t fa[64], fb[64];
    size_t ka, kb;
    assert_ok(hpt_study_pareto(a, fa, 64, &ka));
    assert_ok(hpt_study_pareto(b, fb, 64, &kb));
    assert_int_equal(ka, kb);
    assert_memory_equal(fa, fb, ka * sizeof *fa);
}

static void test_every_strategy_through_the_journal(void **state)
{
    (void)state;
    static const size_t shapes[][2] = {{2, 0}, {2, 1}, {3, 2}, {1, 2}, {3, 1}, {2, 2}};
    const char *name;
    for (size_t i = 0; hpt_strategy_name(i, &name) == HPT_OK; i++) {
        for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
            size_t n = shapes[k][0], m = shapes[k][1];
            const int N = strcmp(name, "bayes") == 0 ? 16 : 24;
            char pa[64], pb[64], full_b[512];
            snprintf(pa, sizeof pa, "mo-straight-%s-%zu.jnl", name, k);
            snprintf(pb, sizeof pb, "mo-split-%s-%zu.jnl", name, k);
            hpt_study *a = open_shaped(tmp(pa), name, n, m);
            drive(a, 0, N, n, m);
            snprintf(full_b, sizeof full_b, "%s", tmp(pb));
            hpt_study *b = open_shaped(full_b, name, n, m);
            drive(b, 0, N / 2, n, m);
            hpt_study_destroy(b);
            b = open_shaped(full_b, name, n, m); /* the same shape again: a no-op */
            drive(b, N / 2, N, n, m);
            assert_same(a, b, n, m);
            hpt_study_destroy(b);
            /* another shape than the journal's is refused */
            hpt_space *sp = tu_mixed_space();
            assert_ok(hpt_study_open(full_b, sp, name, HPT_MINIMIZE, 11, &b));
            hpt_space_destroy(sp);
            int32_t dir[4] = {HPT_MINIMIZE, HPT_MINIMIZE, HPT_MINIMIZE, HPT_MINIMIZE};
            assert_status(hpt_study_set_objectives(b, dir, n + 1), HPT_E_STAGE);
            assert_status(hpt_study_set_constraints(b, m + 1), HPT_E_STAGE);
            hpt_study_destroy(b);
            /* a reader (load) sees the same, shape included */
            assert_ok(hpt_study_load(full_b, &b));
            assert_same(a, b, n, m);
            int32_t ld[3];
            size_t ln, lm;
            assert_ok(hpt_study_objectives(b, ld, 3, &ln, &lm));
            assert_true(ln == n && lm == m && (n < 2 || ld[1] == HPT_MAXIMIZE));
            /* and the next ask after a reopen is the uninterrupted one's */
            hpt_study_destroy(b);
            b = open_shaped(full_b, name, n, m);
            int64_t ida, idb;
            int rca = hpt_study_ask(a, &ida);
            assert_int_equal(hpt_study_ask(b, &idb), rca);
            if (rca == HPT_OK) {
                double xa[3], xb[3];
                assert_ok(hpt_trial_params(a, ida, xa, 3));
                assert_ok(hpt_trial_params(b, idb, xb, 3));
                assert_memory_equal(xa, xb, sizeof xa);
            }
            hpt_study_destroy(a);
            hpt_study_destroy(b);
        }
    }
}

/* The journal's records: the shape once, tells with every value. */
static void test_journal_records(void **state)
{
    (void)state;
    const char *path = tmp("mo-records.jnl");
    hpt_study *st = open_shaped(path, "random", 2, 1);
    double v[2] = {0.5, 1.25}, c = -0.75;
    assert_ok(hpt_study_tell_constrained(st, ask(st), v, 2, &c, 1));
    hpt_study_destroy(st);
    char *text = tu_slurp(path, NULL);
    assert_non_null(strstr(text, "\nobjectives 2 minimize maximize "));
    assert_non_null(strstr(text, "\nconstraints 1 "));
    assert_non_null(strstr(text, " 0.5 1.25 -0.75 "));
    free(text);
}

/* CSV and JSON: a column per objective and constraint, feasible, pareto. */
static void test_exports(void **state)
{
    (void)state;
    hpt_study *st = make("random", 2, 1);
    double v[][2] = {{1, -3}, {2, -2}, {3, -3}}, c[] = {-1, 0, -1};
    for (int i = 0; i < 3; i++)
        assert_ok(hpt_study_tell_constrained(st, ask(st), v[i], 2, &c[i], 1));
    assert_ok(hpt_study_tell_failed(st, ask(st), NULL));
    ask(st);
    const char *csv = tmp("mo.csv"), *json = tmp("mo.json");
    assert_ok(hpt_study_export_csv(st, csv));
    char *text = tu_slurp(csv, NULL);
    assert_non_null(strstr(text, ",budget,value_0,value_1,constraint_0,feasible,pareto,"));
    /* trial 2 is dominated by trial 0 (3 > 1, -3 is worse when maximized) */
    assert_non_null(strstr(text, "\r\n0,complete,"));
    assert_non_null(strstr(text, ",1,-3,-1,1,1,"));
    assert_non_null(strstr(text, ",2,-2,0,1,1,"));
    assert_non_null(strstr(text, ",3,-3,-1,1,0,"));
    assert_non_null(strstr(text, ",,,,0,0,")); /* failed */
    assert_non_null(strstr(text, ",,,,,0,"));  /* running */
    free(text);
    assert_ok(hpt_study_export_json(st, json));
    text = tu_slurp(json, NULL);
    assert_non_null(strstr(text, "\"directions\": [\"minimize\", \"maximize\"], "
                                 "\"n_constraints\": 1"));
    assert_non_null(strstr(text, "\"values\": [1, -3], \"constraints\": [-1], "
                                 "\"feasible\": true, \"pareto\": true"));
    assert_non_null(strstr(text, "\"values\": [3, -3], \"constraints\": [-1], "
                                 "\"feasible\": true, \"pareto\": false"));
    assert_non_null(strstr(text, "\"values\": [null, null], \"constraints\": [null], "
                                 "\"feasible\": false"));
    free(text);
    hpt_study_destroy(st);
}

/* Warm starts: identical needs the parent's shape; transfer maps by
 * position; priors survive a reopen; the shape is fixed after a warm
 * start. */
static void test_warm_start(void **state)
{
    (void)state;
    const char *parent = tmp("mo-parent.jnl");
    hpt_study *p = open_shaped(parent, "random", 2, 1);
    drive(p, 0, 10, 2, 1); /* trials 6 fails: 9 complete */
    hpt_study_destroy(p);
    p = NULL;
    assert_ok(hpt_study_load(parent, &p));

    /* identical, same shape: every complete trial, values as losses */
    char child[512];
    snprintf(child, sizeof child, "%s", tmp("mo-child.jnl"));
    hpt_study *c = open_shaped(child, "random", 2, 1);
    assert_ok(hpt_study_warm_start(c, parent, HPT_WARM_IDENTICAL));
    int64_t used;
    assert_ok(hpt_study_warm_info(c, &used, NULL, NULL));
    assert_int_equal(used, 9);
    const hpti_history *h = &c->hist;
    assert_int_equal(h->n_values, 3);
    assert_int_equal(h->n_prior, 9);
    size_t row = 0;
    for (int64_t id = 0; id < 10; id++) {
        double v[2], k;
        if (hpt_trial_values(p, id, v, 2) != HPT_OK)
            continue;
        assert_ok(hpt_trial_constraints(p, id, &k, 1));
        const double *r = h->obs_value + row++ * 3;
        assert_true(r[0] == v[0] && r[1] == -v[1] && r[2] == k); /* objective 1 maximized */
    }
    int32_t dir[3] = {HPT_MINIMIZE, HPT_MAXIMIZE, HPT_MINIMIZE};
    assert_status(hpt_study_set_objectives(c, dir, 3), HPT_E_STAGE);
    assert_status(hpt_study_set_constraints(c, 2), HPT_E_STAGE);
    double before[27];
    memcpy(before, h->obs_value, sizeof before);
    hpt_study_destroy(c);
    c = open_shaped(child, "random", 2, 1); /* the priors come back from the journal */
    assert_int_equal(c->hist.n_prior, 9);
    assert_memory_equal(c->hist.obs_value, before, sizeof before);
    hpt_study_destroy(c);

    /* identical with another shape: refused */
    hpt_space *sp = tu_mixed_space();
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &c));
    assert_status(hpt_study_warm_start(c, parent, HPT_WARM_IDENTICAL), HPT_E_MISMATCH);
    assert_non_null(strstr(hpt_study_errmsg(c), "2 objectives"));
    hpt_study_destroy(c);

    /* transfer to 3 objectives and no constraint: columns 0 and 1 from the
     * parent (as losses under this study's directions), column 2 unknown;
     * a warm-start default is no warm start: the shape may follow it */
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &c));
    assert_ok(hpt_study_warm_default(c, "layers", 2));
    int32_t mm[3] = {HPT_MINIMIZE, HPT_MINIMIZE, HPT_MINIMIZE};
    assert_ok(hpt_study_set_objectives(c, mm, 3));
    assert_ok(hpt_study_warm_start(c, parent, HPT_WARM_TRANSFER));
    assert_int_equal(c->hist.n_transfer, 9);
    row = 0;
    for (int64_t id = 0; id < 10; id++) {
        double v[2];
        if (hpt_trial_values(p, id, v, 2) != HPT_OK)
            continue;
        const double *r = c->hist.transfer_value + row++ * 3;
        assert_true(r[0] == v[0] && r[1] == v[1] && isnan(r[2]));
    }
    hpt_study_destroy(c);
    hpt_space_destroy(sp);
    hpt_study_destroy(p);
}

/* best_overall and top_k: the feasible ones; several objectives refuse. */
static void test_rankings(void **state)
{
    (void)state;
    hpt_study *st = make("random", 1, 1);
    double v[] = {0.1, 0.5, 0.3, 0.2}, c[] = {1, -1, -1, 0.5};
    for (int i = 0; i < 4; i++)
        assert_ok(hpt_study_tell_constrained(st, ask(st), &v[i], 1, &c[i], 1));
    int64_t ids[4], id;
    size_t n;
    assert_ok(hpt_study_top_k(st, 4, ids, &n));
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], 2);
    assert_int_equal(ids[1], 1);
    double best;
    assert_ok(hpt_study_best_overall(st, &id, &best));
    assert_int_equal(id, 2);
    hpt_study_destroy(st);
    st = make("random", 2, 0);
    double w[2] = {1, 2};
    assert_ok(hpt_study_tell_values(st, ask(st), w, 2));
    assert_status(hpt_study_top_k(st, 4, ids, &n), HPT_E_MULTI);
    assert_status(hpt_study_best_overall(st, &id, &best), HPT_E_MULTI);
    hpt_study_destroy(st);
}

/* patience with several objectives: a trial improves when it enters the
 * front. */
static void test_patience(void **state)
{
    (void)state;
    hpt_study *st = make("random", 2, 1);
    assert_ok(hpt_study_set(st, "patience", 2));
    double a[2] = {1, -1}, b[2] = {2, 2}, dom[2] = {3, 0}, eq[2] = {1, -1}, ok = -1,
           bad = 1, better[2] = {0, 5};
    assert_ok(hpt_study_tell_constrained(st, ask(st), a, 2, &ok, 1));
    assert_ok(hpt_study_tell_constrained(st, ask(st), b, 2, &ok, 1));      /* enters */
    assert_ok(hpt_study_tell_constrained(st, ask(st), dom, 2, &ok, 1));    /* 1 */
    assert_ok(hpt_study_tell_constrained(st, ask(st), better, 2, &bad, 1)); /* infeasible: 2 */
    int64_t id;
    assert_status(hpt_study_ask(st, &id), HPT_DONE);
    assert_string_equal(hpt_study_done_reason(st), "patience");
    hpt_study_destroy(st);
    st = make("random", 2, 0);
    assert_ok(hpt_study_set(st, "patience", 2));
    assert_ok(hpt_study_tell_values(st, ask(st), a, 2));
    assert_ok(hpt_study_tell_values(st, ask(st), eq, 2)); /* equal: no gain, 1 */
    assert_ok(hpt_study_tell_values(st, ask(st), b, 2));  /* enters: 0 */
    assert_ok(hpt_study_tell_values(st, ask(st), dom, 2)); /* 1 */
    assert_ok(hpt_study_ask(st, &id));
    hpt_study_destroy(st);
}

/* hyperband promotes by the order of mo_order.h: a feasible front trial
 * before an infeasible one that dominates it. */
static void test_hyperband_promotion(void **state)
{
    (void)state;
    hpt_space *sp = tu_mixed_space();
    hpt_study *st;
    assert_ok(hpt_study_create(sp, "hyperband", HPT_MINIMIZE, 3, &st));
    hpt_space_destroy(sp);
    assert_ok(hpt_study_set_str(st, "hyperband.sampler", "random"));
    int32_t dir[2] = {HPT_MINIMIZE, HPT_MINIMIZE};
    assert_ok(hpt_study_set_objectives(st, dir, 2));
    assert_ok(hpt_study_set_constraints(st, 1));
    int64_t a = ask(st), b = ask(st), c = ask(st);
    double va[2] = {0, 0}, vb[2] = {1, 1}, vc[2] = {2, 2}, bad = 1, ok = -1;
    assert_ok(hpt_study_tell_constrained(st, a, va, 2, &bad, 1));
    assert_ok(hpt_study_tell_constrained(st, c, vc, 2, &ok, 1));
    assert_ok(hpt_study_tell_constrained(st, b, vb, 2, &ok, 1));
    int64_t next = ask(st), parent;
    assert_ok(hpt_trial_budget(st, next, NULL, &parent));
    assert_int_equal(parent, b);
    hpt_study_destroy(st);
}

/* Importance per objective and per constraint: each depends on one
 * parameter alone. */
static void test_importance_of(void **state)
{
    (void)state;
    hpt_study *st = make("sobol", 2, 1);
    for (int i = 0; i < 40; i++) {
        int64_t id = ask(st);
        double x[3];
        assert_ok(hpt_trial_params(st, id, x, 3));
        double v[2] = {pow(log10(x[0]) + 3, 2), x[1] * x[1]}, c = x[2] - 0.5;
        assert_ok(hpt_study_tell_constrained(st, id, v, 2, &c, 1));
    }
    double w[3];
    for (size_t k = 0; k < 3; k++) {
        assert_ok(hpt_study_importance_of(st, k, w, 3));
        if (!(w[k] > 0.8))
            fail_msg("column %zu: importance %g %g %g", k, w[0], w[1], w[2]);
    }
    double first[3];
    assert_ok(hpt_study_importance_sobol_of(st, 1, first, NULL, 3));
    assert_true(first[1] > 0.8);
    assert_status(hpt_study_importance_of(st, 3, w, 3), HPT_E_INVALID);
    /* k = 0 is hpt_study_importance */
    double a[3], b[3];
    assert_ok(hpt_study_importance(st, a, 3));
    assert_ok(hpt_study_importance_of(st, 0, b, 3));
    assert_memory_equal(a, b, sizeof a);
    hpt_study_destroy(st);
}

/* The history rows strategies read (history.h): objectives as losses,
 * then constraints; failed and running rows NaN (what bayes's feasibility
 * model labels as failed), a pruned row its last report alone. */
static void test_history_rows(void **state)
{
    (void)state;
    hpt_study *st = make("random", 2, 1);
    int64_t a = ask(st), f = ask(st), p = ask(st), r = ask(st);
    double v[2] = {0.5, 2.0}, c = -1;
    assert_ok(hpt_study_tell_constrained(st, a, v, 2, &c, 1));
    assert_ok(hpt_study_tell_failed(st, f, "oom"));
    assert_ok(hpt_study_report(st, p, 1, 0.75, NULL));
    assert_ok(hpt_study_prune(st, p));
    const hpti_history *h = &st->hist;
    assert_int_equal(h->n_obj, 2);
    assert_int_equal(h->n_con, 1);
    assert_int_equal(h->n_values, 3);
    const double *ra = h->value + a * 3, *rf = h->value + f * 3, *rp = h->value + p * 3,
                 *rr = h->value + r * 3;
    assert_true(ra[0] == 0.5 && ra[1] == -2.0 && ra[2] == -1);
    assert_true(isnan(rf[0]) && isnan(rf[1]) && isnan(rf[2]));
    assert_true(rp[0] == 0.75 && isnan(rp[1]) && isnan(rp[2]));
    assert_true(isnan(rr[0]) && isnan(rr[1]) && isnan(rr[2]));
    /* observations in finish order carry the same rows */
    assert_int_equal(h->n_obs, 3);
    assert_memory_equal(h->obs_value, ra, 3 * sizeof *ra);
    assert_true(isnan(h->obs_value[3]));
    assert_true(h->obs_value[6] == 0.75);
    double pv[2];
    assert_ok(hpt_trial_values(st, p, pv, 2));
    assert_true(pv[0] == 0.75 && isnan(pv[1]));
    int32_t feas;
    assert_ok(hpt_trial_feasible(st, p, &feas));
    assert_int_equal(feas, 0); /* its constraint was never measured */
    assert_status(hpt_trial_constraints(st, p, &c, 1), HPT_E_STATE);
    hpt_study_destroy(st);
}

/* target_value with a constraint: only a feasible trial reaches it. */
static void test_target_feasible(void **state)
{
    (void)state;
    hpt_study *st = make("random", 1, 1);
    assert_ok(hpt_study_set(st, "target_value", 0.5));
    double low = 0.1, high = 0.9, bad = 1, ok = -1;
    assert_ok(hpt_study_tell_constrained(st, ask(st), &low, 1, &bad, 1)); /* infeasible */
    assert_ok(hpt_study_tell_constrained(st, ask(st), &high, 1, &ok, 1));
    int64_t id = ask(st); /* not done: the target was reached by an infeasible trial */
    assert_ok(hpt_study_tell_constrained(st, id, &low, 1, &ok, 1));
    assert_status(hpt_study_ask(st, &id), HPT_DONE);
    assert_string_equal(hpt_study_done_reason(st), "target_value");
    hpt_study_destroy(st);
}

/* bayes with a constraint: failed trials still train its feasibility
 * model (history rows all NaN, as before rows widened), so its proposals
 * after the initial design stay out of the region that fails. */
static void test_bayes_failures_keep_feasibility(void **state)
{
    (void)state;
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "a", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "b", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_study_create(sp, "bayes", HPT_MINIMIZE, 3, &st));
    hpt_space_destroy(sp);
    assert_ok(hpt_study_set_constraints(st, 1));
    assert_ok(hpt_study_set(st, "bayes.initial_trials", 5));
    int in_region = 0, total = 0;
    for (int i = 0; i < 40; i++) {
        int64_t id = ask(st);
        double x[2];
        assert_ok(hpt_trial_params(st, id, x, 2));
        if (x[0] > 0.6) {
            in_region += i >= 5;
            assert_ok(hpt_study_tell_failed(st, id, "out of memory"));
        } else {
            double v = pow(x[0] - 0.3, 2) + pow(x[1] - 0.3, 2), c = -1;
            assert_ok(hpt_study_tell_constrained(st, id, &v, 1, &c, 1));
        }
        total += i >= 5;
    }
    if (!(in_region * 5 < total))
        fail_msg("%d of %d proposals after the initial design failed", in_region, total);
    hpt_study_destroy(st);
}

/* A small discrete space with two objectives is walked to its end: once
 * every ranked candidate is taken, bayes enumerates the untaken
 * configurations, scored by the several-objective acquisition (it was
 * scored through an empty problem and crashed at the 17th or so ask). */
static void test_discrete_exhausted(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        hpt_space *sp = NULL;
        assert_ok(hpt_space_create(&sp));
        assert_ok(hpt_space_add_int(sp, "a", 0, 4, HPT_SCALE_LINEAR));
        assert_ok(hpt_space_add_int(sp, "b", 0, 4, HPT_SCALE_LINEAR));
        hpt_study *st = NULL;
        assert_ok(hpt_study_create(sp, "bayes", HPT_MINIMIZE, seed, &st));
        hpt_space_destroy(sp);
        const int32_t dirs[2] = {HPT_MINIMIZE, HPT_MINIMIZE};
        assert_ok(hpt_study_set_objectives(st, dirs, 2));
        int seen[25] = {0};
        for (int i = 0; i < 25; i++) {
            int64_t id;
            assert_ok(hpt_study_ask(st, &id));
            double x[2];
            assert_ok(hpt_trial_params(st, id, x, 2));
            int k = (int)x[0] * 5 + (int)x[1];
            if (seen[k]++)
                fail_msg("seed %d: (%g, %g) asked twice", (int)seed, x[0], x[1]);
            double v[2] = {(x[0] - 1) * (x[0] - 1) + x[1], (x[0] - 3) * (x[0] - 3) + 4 - x[1]};
            assert_ok(hpt_study_tell_values(st, id, v, 2));
        }
        int64_t id;
        assert_int_equal(hpt_study_ask(st, &id), HPT_DONE);
        hpt_study_destroy(st);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_errors),
        cmocka_unit_test(test_values_and_feasibility),
        cmocka_unit_test(test_best_feasible),
        cmocka_unit_test(test_front_by_hand),
        cmocka_unit_test(test_every_strategy_through_the_journal),
        cmocka_unit_test(test_journal_records),
        cmocka_unit_test(test_exports),
        cmocka_unit_test(test_warm_start),
        cmocka_unit_test(test_rankings),
        cmocka_unit_test(test_patience),
        cmocka_unit_test(test_hyperband_promotion),
        cmocka_unit_test(test_importance_of),
        cmocka_unit_test(test_history_rows),
        cmocka_unit_test(test_target_feasible),
        cmocka_unit_test(test_bayes_failures_keep_feasibility),
        cmocka_unit_test(test_discrete_exhausted),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
