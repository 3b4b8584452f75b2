/* test_acq_cond.c -- the acquisition search on a conditional space
 * (acq.h): candidates are the configurations that would run (inactive
 * parameters canonical), perturbations of a center move only parameters
 * active there, some switch the branch, and those draw the parameters the
 * switch activates instead of leaving them at the canonical value; on a
 * slice whose fixed parameter only one branch activates, no candidate
 * from the other branch is returned. */
#include <math.h>

#include "testutil.h"

#include "acq.h"

/* opt in {a, b}; x only for a; y only for b; z always */
static hpt_space *branch_space(void)
{
    hpt_space *sp;
    static const char *opt[] = {"a", "b"};
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_categorical(sp, "opt", opt, 2));
    assert_ok(hpt_space_add_float(sp, "x", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "y", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "z", 0, 1, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_condition(sp, "x", "opt", opt, 1));
    assert_ok(hpt_space_add_condition(sp, "y", "opt", opt + 1, 1));
    return sp;
}

static void unit_active(const void *ctx, const double *u, unsigned char *act)
{
    const hpt_space *s = ctx;
    double x[4];
    for (size_t j = 0; j < s->n; j++)
        x[j] = hpti_param_decode(&s->p[j], u[j]);
    hpti_space_active(s, x, act);
}

static void activity(const hpt_space *sp, const double *u, unsigned char *act)
{
    unit_active(sp, u, act);
}

typedef struct {
    hpt_space *sp;
    hpti_gp gp;
    hpti_acq a;
    double X[8 * 4];
} fixture;

static void setup(fixture *f)
{
    f->sp = branch_space();
    static const unsigned char cat[4] = {1, 0, 0, 0}, cond[4] = {0, 1, 1, 0};
    assert_ok(hpti_gp_init(&f->gp, 4, cat));
    assert_ok(hpti_gp_set_conditional(&f->gp, cond, unit_active, f->sp));
    double th[7] = {log(0.5), log(0.3), log(0.3), log(0.4), 0.0, log(1e-6), 0.0};
    hpti_gp_set_theta(&f->gp, th);
    hpti_rng r;
    hpti_rng_seed(&r, 4, 0);
    double y[8];
    for (int i = 0; i < 8; i++) {
        double *u = f->X + 4 * i;
        for (int j = 0; j < 4; j++)
            u[j] = hpti_rng_uniform(&r);
        hpti_space_snap(f->sp, u, NULL);
        y[i] = u[0] < 0.5 ? (u[1] - 0.3) * (u[1] - 0.3) + u[3] : 0.5 - u[2] + u[3];
    }
    assert_ok(hpti_gp_factor(&f->gp, f->X, 8));
    hpti_gp_set_targets(&f->gp, y);
    assert_ok(hpti_acq_init(&f->a, f->sp));
}

static void teardown(fixture *f)
{
    hpti_acq_free(&f->a);
    hpti_gp_free(&f->gp);
    hpt_space_destroy(f->sp);
}

static void test_branches(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    /* one center in branch a */
    double center[4] = {0.25, 0.7, 0.5, 0.4};
    hpti_space_snap(f.sp, center, NULL);
    hpti_acq_problem p = {&f.gp, NULL, -0.2, center, 1, 256, 0, 0, NULL, NULL};
    double out[4 * 4], sc[4];
    size_t n_out;
    hpti_rng r;
    hpti_rng_seed(&r, 8, 0);
    assert_ok(hpti_acq_maximize(&f.a, &p, &r, 4, out, sc, &n_out));
    unsigned char ca[4], act[4];
    activity(f.sp, center, ca);
    size_t switched = 0, stayed = 0, drawn = 0;
    for (size_t i = 0; i < 256 + 128; i++) {
        const double *c = f.a.C + 4 * i;
        double snapped[4];
        memcpy(snapped, c, sizeof snapped);
        hpti_space_snap(f.sp, snapped, NULL);
        if (memcmp(snapped, c, sizeof snapped) != 0)
            fail_msg("candidate %zu is not the configuration it encodes", i);
        if (i < 256)
            continue; /* Sobol points */
        activity(f.sp, c, act);
        if (act[2]) { /* switched to b: y drawn, not left canonical */
            switched++;
            drawn += c[2] != center[2];
        } else {
            stayed++;
            /* only parameters active at the center moved; y stays canonical */
            assert_true(c[2] == center[2]);
        }
    }
    assert_true(switched > 0 && stayed > 0);
    assert_int_equal(drawn, switched);
    teardown(&f);
}

/* Slice fixing x (active only in branch a): every returned candidate is
 * in branch a and keeps x. */
static void test_slice_keeps_branch(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    double fixed[4] = {NAN, 0.35, NAN, NAN};
    hpti_acq_problem p = {&f.gp, NULL, -0.2, f.X, 8, 256, 4, 20, fixed, NULL};
    double out[8 * 4], sc[8];
    size_t n_out;
    hpti_rng r;
    hpti_rng_seed(&r, 9, 0);
    assert_ok(hpti_acq_maximize(&f.a, &p, &r, 8, out, sc, &n_out));
    for (size_t k = 0; k < n_out; k++) {
        unsigned char act[4];
        activity(f.sp, out + 4 * k, act);
        assert_true(act[1]);
        assert_true(out[4 * k + 1] == 0.35);
        assert_true(sc[k] > -1e300);
    }
    teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_branches),
        cmocka_unit_test(test_slice_keeps_branch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
