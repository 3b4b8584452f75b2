/* test_bayes_fill.c -- a model that has learned nothing fills the space
 * (lib/bayes.h step 2, "bayes.fill_below" in hpt.h): on a recorded run
 * that stayed at chance accuracy the proposal leaves the evaluations'
 * cloud, where the model alone stays inside it; on smooth and multimodal
 * functions the test never fires, so their runs are the model's alone;
 * the option's default (off) and bounds, and that a study's setting
 * reaches the engine, with one objective and with several. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"
#include "bayes.h"

static double bowl(const double *u, int d)
{
    double s = 0.0;
    for (int j = 0; j < d; j++)
        s += (u[j] - 0.3) * (u[j] - 0.3) + 0.05 * sin(9.0 * u[j]);
    return s;
}

/* Rastrigin on [-5.12, 5.12]^d: many basins on a bowl. */
static double rastrigin(const double *u, int d)
{
    double s = 10.0 * d;
    for (int j = 0; j < d; j++) {
        double x = 10.24 * u[j] - 5.12;
        s += x * x - 10.0 * cos(2.0 * M_PI * x);
    }
    return s;
}

/* Branin on its usual box. */
static double branin(const double *u, int d)
{
    (void)d;
    double x = 15.0 * u[0] - 5.0, y = 15.0 * u[1];
    double a = y - 5.1 / (4.0 * M_PI * M_PI) * x * x + 5.0 / M_PI * x - 6.0;
    return a * a + 10.0 * (1.0 - 1.0 / (8.0 * M_PI)) * cos(x) + 10.0;
}

/* The recorded run (tests/data/plateau/README): RF/digits accuracy, seed
 * 7, 96 evaluations all at chance, replayed in its rounds of 8 (each fit
 * starts from the last one's optimum, as in the run; a single fit on the
 * 96 rows lands on a similar model whose correlations sit just above the
 * bound, so the rounds matter). With the test
 * on, the 97th proposal fills: it lies farther from every evaluation than
 * the evaluations lie from each other (median nearest neighbour); the
 * model alone proposes inside the cloud (the run stayed at chance to its
 * 128th evaluation). */
static double nearest(const double *u, size_t n, const double *x, size_t skip, int d)
{
    double m = INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (i == skip)
            continue;
        double s = 0.0;
        for (int j = 0; j < d; j++)
            s += (u[i * d + j] - x[j]) * (u[i * d + j] - x[j]);
        m = s < m ? s : m;
    }
    return sqrt(m);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_recorded_plateau(void **state)
{
    (void)state;
    enum { D = 6, N = 96 };
    static double u[N * D], loss[N], nn[N];
    FILE *f = fopen("tests/data/plateau/rf_digits_acc.txt", "r");
    assert_non_null(f);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < D; j++)
            assert_int_equal(fscanf(f, "%la", &u[i * D + j]), 1);
        assert_int_equal(fscanf(f, "%la", &loss[i]), 1);
        assert_true(loss[i] > -0.109 && loss[i] < -0.103);
    }
    fclose(f);
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_int(sp, "max_depth", 1, 15, HPT_SCALE_LINEAR));
    const char *names[] = {"min_samples_split", "min_samples_leaf",
                           "min_weight_fraction_leaf", "max_features",
                           "min_impurity_decrease"};
    for (int j = 0; j < D - 1; j++)
        assert_ok(hpt_space_add_float(sp, names[j], 0.0, 1.0, HPT_SCALE_LINEAR));
    for (int i = 0; i < N; i++)
        nn[i] = nearest(u, N, u + i * D, (size_t)i, D);
    qsort(nn, N, sizeof *nn, cmp_double);
    size_t best = 0;
    for (size_t i = 1; i < N; i++)
        best = loss[i] < loss[best] ? i : best;
    double x[2][D], far[2], to_best[2];
    int filled[2];
    for (int e = 0; e < 2; e++) {
        hpti_bayes_opts o;
        hpti_bayes_defaults(&o);
        o.fill_below = e == 0 ? HPTI_BAYES_FILL_BELOW : 0.0;
        hpti_bayes b;
        assert_ok(hpti_bayes_init(&b, sp, &o));
        hpti_rng r;
        hpti_rng_seed(&r, 97, HPTI_STREAM_MODEL);
        char msg[256];
        /* the run's rounds of 8: the fits start from the last optimum */
        for (size_t n = 8; n <= N; n += 8) {
            hpti_bayes_data dt = {u, loss, 1, n, NULL, 0, 1, 0, NULL};
            assert_ok(hpti_bayes_propose(&b, &dt, &r, x[e], msg));
        }
        filled[e] = b.last_filled;
        far[e] = nearest(u, N, x[e], N, D);
        to_best[e] = nearest(u + best * D, 1, x[e], 1, D);
        hpti_bayes_free(&b);
    }
    print_message("median nearest neighbour %.3f; on: filled %d, nearest %.3f, to the "
                  "incumbent %.3f; off: nearest %.3f, to the incumbent %.3f\n",
                  nn[N / 2], filled[0], far[0], to_best[0], far[1], to_best[1]);
    assert_int_equal(filled[0], 1);
    assert_int_equal(filled[1], 0);
    assert_true(far[0] > nn[N / 2]);
    assert_true(far[1] < nn[N / 2]);
    hpt_space_destroy(sp);
}

/* The engine alone, n evaluations, the first 2 d + 1 random: the best
 * loss and the proposals the test filled. */
typedef struct {
    double best;
    int fills;
} run_result;

static run_result run_engine(double (*f)(const double *, int), int d, int n, uint64_t seed,
                             double fill)
{
    hpt_space *sp = tu_cube_space(d);
    hpti_bayes_opts o;
    hpti_bayes_defaults(&o);
    o.fill_below = fill;
    hpti_bayes b;
    assert_ok(hpti_bayes_init(&b, sp, &o));
    double *u = calloc((size_t)(n * d), sizeof *u), *loss = calloc((size_t)n, sizeof *loss);
    assert_non_null(u);
    assert_non_null(loss);
    uint64_t s = seed * 7919 + 1;
    hpti_rng r;
    hpti_rng_seed(&r, seed, HPTI_STREAM_MODEL);
    run_result res = {INFINITY, 0};
    char msg[256];
    for (int i = 0; i < n; i++) {
        double *x = u + i * d;
        if (i < 2 * d + 1) {
            for (int j = 0; j < d; j++)
                x[j] = tu_frand(&s);
        } else {
            hpti_bayes_data dt = {u, loss, 1, (size_t)i, NULL, 0, 1, 0, NULL};
            assert_ok(hpti_bayes_propose(&b, &dt, &r, x, msg));
            res.fills += b.last_filled;
            if (b.last_filled) /* it skipped the acquisition */
                assert_true(isnan(b.last_ei));
        }
        loss[i] = f(x, d);
        if (loss[i] < res.best)
            res.best = loss[i];
    }
    hpti_bayes_free(&b);
    free(u);
    free(loss);
    hpt_space_destroy(sp);
    return res;
}

/* Smooth and multimodal functions: the test never fires, so the runs are
 * bit for bit those with it off. */
static void test_structure_never_fills(void **state)
{
    (void)state;
    struct {
        double (*f)(const double *, int);
        int d;
    } fn[] = {{bowl, 3}, {rastrigin, 4}, {branin, 2}};
    for (size_t k = 0; k < sizeof fn / sizeof fn[0]; k++)
        for (uint64_t seed = 0; seed < 3; seed++) {
            run_result on = run_engine(fn[k].f, fn[k].d, 60, seed, HPTI_BAYES_FILL_BELOW);
            run_result off = run_engine(fn[k].f, fn[k].d, 60, seed, 0.0);
            if (on.fills)
                fail_msg("function %zu seed %d: %d fills", k, (int)seed, on.fills);
            assert_true(memcmp(&on.best, &off.best, sizeof on.best) == 0);
        }
}

/* Chance-like noise: one of seven steps of 0.001 drawn by a hash of u. */
static double steps(const double *u, int d)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int j = 0; j < d; j++) {
        uint64_t b;
        memcpy(&b, &u[j], sizeof b);
        h = (h ^ b) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 31;
    }
    return 0.9 - 0.001 * (double)(h % 7);
}

/* 40 trials of a study on f, or with g on the two objectives (f, g), its
 * points in order; fill < 0: the option left at its default. */
static void study_points(double (*f)(const double *, int), double (*g)(const double *, int),
                         double fill, double *pts)
{
    hpt_space *sp = tu_cube_space(2);
    hpt_study *st = NULL;
    const int32_t dirs[2] = {HPT_MINIMIZE, HPT_MINIMIZE};
    assert_ok(hpt_study_create(sp, "bayes", HPT_MINIMIZE, 4, &st));
    if (g)
        assert_ok(hpt_study_set_objectives(st, dirs, 2));
    if (fill >= 0)
        assert_ok(hpt_study_set(st, "bayes.fill_below", fill));
    for (int i = 0; i < 40; i++) {
        int64_t id;
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, pts + 2 * i, 2));
        double v[2] = {f(pts + 2 * i, 2), g ? g(pts + 2 * i, 2) : 0.0};
        assert_ok(g ? hpt_study_tell_values(st, id, v, 2) : hpt_study_tell(st, id, v[0]));
    }
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* The option reaches the engine: on a plateau with the widest bound the
 * study's trials leave the model's path (some asks fill); set to 0 they
 * are the default's, point for point. */
static void test_study_option(void **state)
{
    (void)state;
    static double def[80], off[80], on[80];
    study_points(steps, NULL, -1.0, def);
    study_points(steps, NULL, 0.0, off);
    study_points(steps, NULL, 1.0, on);
    assert_true(memcmp(def, off, sizeof def) == 0);
    assert_true(memcmp(def, on, sizeof def) != 0);
}

/* The second objective of the plateau below: the same steps drawn by
 * another hash of u. */
static double steps2(const double *u, int d)
{
    double v[8];
    for (int j = 0; j < d; j++)
        v[j] = 1.0 - u[j];
    return steps(v, d);
}

static double bowl2(const double *u, int d)
{
    double v[8];
    for (int j = 0; j < d; j++)
        v[j] = u[j] - 0.4;
    return bowl(v, d);
}

/* Several objectives: the fill needs every objective's model to have
 * learned nothing. On a plateau in both, the widest bound leaves the
 * model's path and 0 keeps it point for point; on two bowls the measured
 * bound never fires (the run is the default's). */
static void test_several_objectives(void **state)
{
    (void)state;
    static double def[80], off[80], on[80], sm_def[80], sm_on[80];
    study_points(steps, steps2, -1.0, def);
    study_points(steps, steps2, 0.0, off);
    study_points(steps, steps2, 1.0, on);
    assert_true(memcmp(def, off, sizeof def) == 0);
    assert_true(memcmp(def, on, sizeof def) != 0);
    study_points(bowl, bowl2, -1.0, sm_def);
    study_points(bowl, bowl2, HPTI_BAYES_FILL_BELOW, sm_on);
    assert_true(memcmp(sm_def, sm_on, sizeof sm_def) == 0);
}

static void test_option_bounds(void **state)
{
    (void)state;
    hpt_space *sp = tu_cube_space(2);
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "bayes", HPT_MINIMIZE, 1, &st));
    double v = -1.0;
    assert_ok(hpt_study_get(st, "bayes.fill_below", &v));
    assert_true(v == 0.0); /* off unless asked for */
    assert_ok(hpt_study_set(st, "bayes.fill_below", HPTI_BAYES_FILL_BELOW));
    assert_ok(hpt_study_get(st, "bayes.fill_below", &v));
    assert_true(v == HPTI_BAYES_FILL_BELOW);
    assert_status(hpt_study_set(st, "bayes.fill_below", -0.1), HPT_E_INVALID);
    assert_status(hpt_study_set(st, "bayes.fill_below", 1.5), HPT_E_INVALID);
    assert_ok(hpt_study_set(st, "bayes.fill_below", 0.0));
    assert_ok(hpt_study_get(st, "bayes.fill_below", &v));
    assert_true(v == 0.0);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recorded_plateau),
        cmocka_unit_test(test_structure_never_fills),
        cmocka_unit_test(test_study_option),
        cmocka_unit_test(test_several_objectives),
        cmocka_unit_test(test_option_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
