/* test_strategies.c -- grid, random and sobol: distributions with fixed
 * seeds, grid exhaustiveness, reproducibility. */
#include <math.h>

#include "testutil.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Draw n trials, telling each a dummy value, into rows of dim values. */
static void draw(hpt_study *st, int n, size_t dim, double *rows)
{
    for (int k = 0; k < n; k++) {
        int64_t id;
        assert_ok(hpt_study_ask(st, &id));
        assert_int_equal(id, k);
        assert_ok(hpt_trial_params(st, id, rows + (size_t)k * dim, dim));
        assert_ok(hpt_study_tell(st, id, (double)k));
    }
}

static void random_distributions(void **state)
{
    (void)state;
    enum { N = 20000 };
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 12345, &st));
    double *rows = malloc(sizeof(double) * 3 * N), *lr = malloc(sizeof(double) * N);
    draw(st, N, 3, rows);
    int layers[5] = {0}, act[3] = {0};
    for (int k = 0; k < N; k++) {
        lr[k] = rows[3 * k];
        assert_true(lr[k] >= 1e-5 && lr[k] <= 1e-1);
        layers[(int)rows[3 * k + 1]]++;
        act[(int)rows[3 * k + 2]]++;
    }
    /* log-uniform on [1e-5, 1e-1]: median 1e-3, quartiles 1e-4 and 1e-2 */
    qsort(lr, N, sizeof *lr, cmp_double);
    assert_true(fabs(log10(lr[N / 2]) + 3) < 0.05);
    assert_true(fabs(log10(lr[N / 4]) + 4) < 0.05);
    assert_true(fabs(log10(lr[3 * N / 4]) + 2) < 0.05);
    /* uniform integers 1..4 and choices: within 4 standard deviations */
    assert_int_equal(layers[0], 0);
    for (int i = 1; i <= 4; i++)
        assert_true(fabs(layers[i] - N / 4.0) < 4 * sqrt(N * 0.25 * 0.75));
    for (int i = 0; i < 3; i++)
        assert_true(fabs(act[i] - N / 3.0) < 4 * sqrt(N / 3.0 * 2 / 3.0));
    free(rows);
    free(lr);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* Centered L2 discrepancy (Hickernell 1998, eq. for CD2), squared. */
static double cd2(const double *x, int n, int d)
{
    double a = pow(13.0 / 12.0, d), b = 0, c = 0;
    for (int i = 0; i < n; i++) {
        double p = 1;
        for (int k = 0; k < d; k++) {
            double z = fabs(x[i * d + k] - 0.5);
            p *= 1 + 0.5 * z - 0.5 * z * z;
        }
        b += p;
        for (int j = 0; j < n; j++) {
            double q = 1;
            for (int k = 0; k < d; k++) {
                double zi = fabs(x[i * d + k] - 0.5), zj = fabs(x[j * d + k] - 0.5);
                q *= 1 + 0.5 * zi + 0.5 * zj - 0.5 * fabs(x[i * d + k] - x[j * d + k]);
            }
            c += q;
        }
    }
    return a - 2.0 / n * b + c / ((double)n * n);
}

static void unit_points(const char *strategy, uint64_t seed, int n, int d, double *u)
{
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    char name[8];
    assert_ok(hpt_space_create(&sp));
    for (int k = 0; k < d; k++) {
        snprintf(name, sizeof name, "x%d", k);
        assert_ok(hpt_space_add_float(sp, name, 0, 1, HPT_SCALE_LINEAR));
    }
    assert_ok(hpt_study_create(sp, strategy, HPT_MINIMIZE, seed, &st));
    draw(st, n, (size_t)d, u);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

static void sobol_beats_random_discrepancy(void **state)
{
    (void)state;
    enum { N = 256, D = 5 };
    static double u[N * D];
    for (uint64_t seed = 1; seed <= 5; seed++) {
        unit_points("sobol", seed, N, D, u);
        double ds = cd2(u, N, D);
        unit_points("random", seed, N, D, u);
        double dr = cd2(u, N, D);
        /* quasi-random points are several times more uniform */
        if (!(ds < dr / 3))
            fail_msg("seed %llu: sobol CD2 %g, random %g", (unsigned long long)seed, ds, dr);
    }
    /* the seed shifts the design */
    static double v[N * D];
    unit_points("sobol", 1, 8, D, u);
    unit_points("sobol", 2, 8, D, v);
    assert_true(memcmp(u, v, 8 * D * sizeof(double)) != 0);
}

/* Above GSL's 40 Sobol dimensions the extra coordinates are uniform draws. */
static void sobol_high_dimension(void **state)
{
    (void)state;
    enum { N = 64, D = 45 };
    static double u[N * D];
    unit_points("sobol", 3, N, D, u);
    for (int i = 0; i < N * D; i++)
        assert_true(u[i] >= 0 && u[i] <= 1);
}

static void grid_is_exhaustive(void **state)
{
    (void)state;
    static const char *const ch[] = {"a", "b", "c"};
    for (int shuffle = 0; shuffle <= 1; shuffle++) {
        hpt_space *sp = NULL;
        hpt_study *st = NULL;
        assert_ok(hpt_space_create(&sp));
        assert_ok(hpt_space_add_float(sp, "f", 1e-3, 1e1, HPT_SCALE_LOG));
        assert_ok(hpt_space_add_int(sp, "i", 2, 5, HPT_SCALE_LINEAR));
        assert_ok(hpt_space_add_categorical(sp, "c", ch, 3));
        assert_ok(hpt_study_create(sp, "grid", HPT_MINIMIZE, 99, &st));
        assert_ok(hpt_study_set(st, "grid.points", 5));
        assert_ok(hpt_study_set(st, "grid.shuffle", shuffle));
        int seen[5][4][3] = {{{0}}};
        int64_t id;
        double x[3];
        for (int k = 0; k < 60; k++) {
            assert_ok(hpt_study_ask(st, &id));
            assert_ok(hpt_trial_params(st, id, x, 3));
            /* the float takes 1e-3, 1e-2, ..., 1e1: evenly spread in log */
            double e = log10(x[0]) + 3;
            assert_true(fabs(e - round(e)) < 1e-9);
            seen[(int)round(e)][(int)x[1] - 2][(int)x[2]]++;
            assert_ok(hpt_study_tell(st, id, x[0]));
        }
        assert_status(hpt_study_ask(st, &id), HPT_DONE);
        assert_int_equal(id, -1);
        for (int a = 0; a < 5; a++)
            for (int b = 0; b < 4; b++)
                for (int c = 0; c < 3; c++)
                    assert_int_equal(seen[a][b][c], 1);
        hpt_study_destroy(st);
        hpt_space_destroy(sp);
    }
}

static void grid_order_and_too_large(void **state)
{
    (void)state;
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    int64_t id;
    double x[2];
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_int(sp, "a", 0, 1, 0));
    assert_ok(hpt_space_add_int(sp, "b", 0, 2, 0));
    assert_ok(hpt_study_create(sp, "grid", HPT_MINIMIZE, 0, &st));
    /* lexicographic, last parameter fastest */
    for (int k = 0; k < 6; k++) {
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, 2));
        assert_true(x[0] == k / 3 && x[1] == k % 3);
    }
    hpt_study_destroy(st);
    hpt_space_destroy(sp);

    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_int(sp, "a", 0, 1LL << 40, 0));
    assert_ok(hpt_space_add_int(sp, "b", 0, 1LL << 40, 0));
    assert_ok(hpt_study_create(sp, "grid", HPT_MINIMIZE, 0, &st));
    assert_status(hpt_study_ask(st, &id), HPT_E_INVALID);
    assert_non_null(strstr(hpt_study_errmsg(st), "2^53"));
    assert_status(hpt_study_ask(st, &id), HPT_E_INVALID); /* retry: same, no leak */
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* Same seed + same calls = same trials, bit for bit, for every strategy. */
static void reproducible(void **state)
{
    (void)state;
    const char *names[] = {"random", "sobol", "grid"};
    for (size_t s = 0; s < 3; s++) {
        double a[30 * 3], b[30 * 3], c[30 * 3];
        for (int run = 0; run < 3; run++) {
            hpt_space *sp = tu_mixed_space();
            hpt_study *st = NULL;
            assert_ok(hpt_study_create(sp, names[s], HPT_MINIMIZE, run == 2 ? 8 : 7, &st));
            assert_ok(hpt_study_set(st, "max_trials", 30));
            if (strcmp(names[s], "grid") == 0)
                assert_ok(hpt_study_set(st, "grid.shuffle", 1));
            draw(st, 30, 3, run == 0 ? a : run == 1 ? b : c);
            hpt_study_destroy(st);
            hpt_space_destroy(sp);
        }
        if (memcmp(a, b, sizeof a) != 0)
            fail_msg("strategy %s: same seed gave different trials", names[s]);
        if (memcmp(a, c, sizeof a) == 0)
            fail_msg("strategy %s: seeds 7 and 8 gave the same trials", names[s]);
    }
}

static void strategy_names(void **state)
{
    (void)state;
    const char *name;
    int found = 0;
    for (size_t i = 0; hpt_strategy_name(i, &name) == HPT_OK; i++)
        found |= (strcmp(name, "grid") == 0) | (strcmp(name, "random") == 0) << 1 |
                 (strcmp(name, "sobol") == 0) << 2;
    assert_int_equal(found, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_distributions),
        cmocka_unit_test(sobol_beats_random_discrepancy),
        cmocka_unit_test(sobol_high_dimension),
        cmocka_unit_test(grid_is_exhaustive),
        cmocka_unit_test(grid_order_and_too_large),
        cmocka_unit_test(reproducible),
        cmocka_unit_test(strategy_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
