/* test_acq_discrete.c -- the discrete moves of the acquisition search
 * (lib/acq_discrete.c): on models whose acquisition peaks under choices
 * the observations barely visited, or at one exact integer, the maximizer
 * proposes that peak (found here by brute force over every configuration
 * the model can tell apart), with a candidate budget far too small for
 * random candidates to land on it. */
#include <float.h>
#include <math.h>

#include "testutil.h"

#include "acq.h"

#define SEEDS 12

/* unit coordinate of choice k of n */
static double cell(size_t k, size_t n) { return ((double)k + 0.5) / (double)n; }

/* Space x (float), c1 (6 choices), c2 (4 choices): 24 combinations. The
 * model has seen combination (0, 0) a lot, with its best at x = 0.2, and
 * (4, 3) once, at x = 0.85 with nearly as good a value, the categoricals
 * nearly independent (short lengthscales): the acquisition peaks near
 * x = 0.85 under (4, 3), a combination no center holds. */
static void test_revisits_a_combination(void **state)
{
    (void)state;
    hpt_space *sp = NULL;
    const char *c6[] = {"a", "b", "c", "d", "e", "f"}, *c4[] = {"p", "q", "r", "s"};
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(sp, "c1", c6, 6));
    assert_ok(hpt_space_add_categorical(sp, "c2", c4, 4));
    unsigned char cat[3] = {0, 1, 1};
    hpti_gp gp;
    assert_ok(hpti_gp_init(&gp, 3, cat));
    double th[6] = {log(0.08), log(0.3), log(0.3), 0.0, log(1e-6), 0.0};
    hpti_gp_set_theta(&gp, th);
    double X[10 * 3], y[10];
    for (int i = 0; i < 9; i++) {
        X[3 * i] = 0.05 + 0.1 * i;
        X[3 * i + 1] = cell(0, 6);
        X[3 * i + 2] = cell(0, 4);
        y[i] = 0.8 * fabs(X[3 * i] - 0.2) / 0.1 - 1.0;
    }
    X[27] = 0.85;
    X[28] = cell(4, 6);
    X[29] = cell(3, 4);
    y[9] = -0.95;
    assert_ok(hpti_gp_factor(&gp, X, 10));
    hpti_gp_set_targets(&gp, y);
    hpti_acq a;
    assert_ok(hpti_acq_init(&a, sp));
    double center[3] = {0.25, cell(0, 6), cell(0, 4)};
    /* 256 Sobol points and 128 perturbations: about 16 per combination */
    hpti_acq_problem p = {&gp, NULL, -1.0, center, 1, 256, 2, 30, NULL, NULL};
    double best = -INFINITY, arg[3] = {0};
    for (size_t c1 = 0; c1 < 6; c1++)
        for (size_t c2 = 0; c2 < 4; c2++)
            for (int i = 0; i <= 4000; i++) {
                double u[3] = {i / 4000.0, cell(c1, 6), cell(c2, 4)};
                double v = hpti_acq_value(&a, &p, u, NULL);
                if (v > best) {
                    best = v;
                    memcpy(arg, u, sizeof arg);
                }
            }
    assert_true(arg[1] == cell(4, 6) && arg[2] == cell(3, 4)); /* the model's premise */
    for (uint64_t seed = 0; seed < SEEDS; seed++) {
        double out[4 * 3], sc[4];
        size_t n_out;
        hpti_rng r;
        hpti_rng_seed(&r, seed, 0);
        assert_ok(hpti_acq_maximize(&a, &p, &r, 4, out, sc, &n_out));
        /* x may end on the other side of the observation at 0.85: EI has
         * a local maximum on each side */
        if (out[1] != arg[1] || out[2] != arg[2] || sc[0] < best - 0.01)
            fail_msg("seed %llu: proposed x %g, c1 %g, c2 %g (acq %.9g); the peak is x %g, "
                     "c1 %g, c2 %g (acq %.9g)",
                     (unsigned long long)seed, out[0], out[1], out[2], sc[0], arg[0], arg[1],
                     arg[2], best);
        assert_true(fabs(hpti_acq_value(&a, &p, out, NULL) - sc[0]) < 1e-9);
    }
    hpti_acq_free(&a);
    hpti_gp_free(&gp);
    hpt_space_destroy(sp);
}

/* Space n (integer 0..400), act (3 choices), no float: nothing for the
 * gradient to move. The acquisition peaks at one integer between two
 * observations; the proposal is that integer, not the nearest of the 24
 * candidates. */
static void test_integer_steps(void **state)
{
    (void)state;
    hpt_space *sp = NULL;
    const char *ch[] = {"relu", "tanh", "sigmoid"};
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_int(sp, "n", 0, 400, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(sp, "act", ch, 3));
    unsigned char cat[2] = {0, 1};
    hpti_gp gp;
    assert_ok(hpti_gp_init(&gp, 2, cat));
    double th[5] = {log(0.1), log(1.0), 0.0, log(1e-6), 0.0};
    hpti_gp_set_theta(&gp, th);
    const hpti_param *pn = &sp->p[0];
    double ns[6] = {20, 90, 150, 230, 300, 380}, yv[6] = {0.5, -0.2, -0.9, -0.7, 0.1, 0.6};
    double X[12], y[6];
    for (int i = 0; i < 6; i++) {
        X[2 * i] = hpti_param_encode(pn, ns[i]);
        X[2 * i + 1] = cell((size_t)i % 3, 3);
        y[i] = yv[i];
    }
    assert_ok(hpti_gp_factor(&gp, X, 6));
    hpti_gp_set_targets(&gp, y);
    hpti_acq a;
    assert_ok(hpti_acq_init(&a, sp));
    double center[2] = {X[4], X[5]};
    hpti_acq_problem p = {&gp, NULL, -0.9, center, 1, 16, 2, 30, NULL, NULL};
    double best = -INFINITY, arg[2] = {0};
    for (int k = 0; k <= 400; k++)
        for (size_t c = 0; c < 3; c++) {
            double u[2] = {hpti_param_encode(pn, k), cell(c, 3)};
            double v = hpti_acq_value(&a, &p, u, NULL);
            if (v > best) {
                best = v;
                memcpy(arg, u, sizeof arg);
            }
        }
    for (uint64_t seed = 0; seed < SEEDS; seed++) {
        double out[4 * 2], sc[4];
        size_t n_out;
        hpti_rng r;
        hpti_rng_seed(&r, seed, 0);
        assert_ok(hpti_acq_maximize(&a, &p, &r, 4, out, sc, &n_out));
        if (out[0] != arg[0] || out[1] != arg[1])
            fail_msg("seed %llu: proposed n %g, act %g (acq %.9g); the peak is n %g, act %g "
                     "(acq %.9g)",
                     (unsigned long long)seed, hpti_param_decode(pn, out[0]),
                     hpti_param_decode(&sp->p[1], out[1]), sc[0], hpti_param_decode(pn, arg[0]),
                     hpti_param_decode(&sp->p[1], arg[1]), best);
    }
    hpti_acq_free(&a);
    hpti_gp_free(&gp);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_revisits_a_combination),
        cmocka_unit_test(test_integer_steps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
