/* test_toy_strategy.c -- a strategy written outside the library, against
 * strategy.h alone: "center" proposes the centre of the cube first, then
 * uniform points. It sees only its state and the hpti_env (space, seed,
 * history), as every strategy does, and runs on the ordinary ask/tell
 * loop. This file is the whole cost of adding it (issue 13). */
#include <math.h>

#include "testutil.h"
#include "strategy.h"

typedef struct {
    hpti_rng rng;
    size_t seen; /* observations read so far */
    double best;
} center_state;

/* The test's window on the strategy's state (a test-only shortcut). */
static const center_state *last_made;

static int center_init(void *state, const hpti_env *env, char *msg)
{
    (void)msg;
    center_state *st = state;
    last_made = st;
    hpti_rng_seed(&st->rng, env->seed, HPTI_STREAM_STRATEGY);
    st->best = INFINITY;
    return HPT_OK;
}

static int center_propose(void *state, const hpti_env *env, hpti_proposal *out, char *msg)
{
    (void)msg;
    center_state *st = state;
    const hpti_history *h = env->hist;
    /* rows since the last look: the observations past st->seen */
    for (; st->seen < h->n_obs; st->seen++) {
        double v = h->obs_value[st->seen * h->n_values];
        if (v < st->best)
            st->best = v;
    }
    for (size_t i = 0; i < env->dim; i++)
        out->u[i] = h->n_trials == 0 ? 0.5 : hpti_rng_uniform(&st->rng);
    return HPT_OK;
}

static const hpti_strategy_type center = {
    .name = "center",
    .state_size = sizeof(center_state),
    .init = center_init,
    .propose = center_propose,
};

/* The centre first, then exactly the points of "random" for the same seed
 * (the same stream), each one trial later; the strategy's own view of the
 * best loss matches the study's. */
static void test_center(void **state)
{
    (void)state;
    hpt_space *sp = tu_mixed_space();
    hpt_study *st, *ref;
    assert_ok(hpti_study_create_type(sp, &center, HPT_MAXIMIZE, 9, &st));
    assert_ok(hpt_study_create(sp, "random", HPT_MAXIMIZE, 9, &ref));
    double x[3], y[3], mid[3];
    double u[3] = {0.5, 0.5, 0.5};
    assert_ok(hpt_space_decode(sp, u, mid, 3));
    int64_t id, rid;
    for (int k = 0; k < 8; k++) {
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, 3));
        if (k == 0)
            assert_memory_equal(x, mid, sizeof x);
        else {
            assert_ok(hpt_study_ask(ref, &rid));
            assert_ok(hpt_trial_params(ref, rid, y, 3));
            assert_memory_equal(x, y, sizeof x);
        }
        assert_ok(hpt_study_tell(st, id, x[0] * (double)(k % 3)));
    }
    double best;
    assert_ok(hpt_study_best(st, NULL, &best));
    assert_ok(hpt_study_ask(st, &id)); /* reads the last observations */
    assert_int_equal(last_made->seen, 8);
    assert_true(last_made->best == -best); /* losses: maximized values negated */
    hpt_study_destroy(st);
    hpt_study_destroy(ref);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_center),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
