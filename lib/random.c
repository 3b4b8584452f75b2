/* random.c -- strategy "random": independent uniform points in the unit
 * cube, i.e. uniform in each parameter's scale (log-uniform on LOG). */
#include "strategy.h"

typedef struct {
    hpti_rng rng;
} random_state;

static int random_init(void *state, const hpti_env *env, char *msg)
{
    HPTI_UNUSED(msg);
    hpti_rng_seed(&((random_state *)state)->rng, env->seed, HPTI_STREAM_STRATEGY);
    return HPT_OK;
}

static int random_propose(void *state, const hpti_env *env, hpti_proposal *out, char *msg)
{
    HPTI_UNUSED(msg);
    random_state *st = state;
    for (size_t i = 0; i < env->dim; i++)
        out->u[i] = hpti_rng_uniform(&st->rng);
    return HPT_OK;
}

/* The state after a proposal: the generator (format 1). */
static void random_snapshot(void *state, const hpti_env *env, hpti_snapw *w)
{
    HPTI_UNUSED(env);
    hpti_snapw_u64(w, 1);
    hpti_snapw_rng(w, &((random_state *)state)->rng);
}

static int random_restore(void *state, const hpti_env *env, const hpti_proposal *p,
                          const unsigned char *bytes, size_t len, char *msg)
{
    HPTI_UNUSED(env);
    HPTI_UNUSED(p);
    hpti_snapr r = {bytes, len, 0, 0};
    hpti_rng g;
    if (hpti_snapr_u64(&r) != 1 || (hpti_snapr_rng(&r, &g), !hpti_snapr_ok(&r)))
        return hpti_fail(msg, HPT_E_CORRUPT, "random: unreadable state");
    ((random_state *)state)->rng = g;
    return HPT_OK;
}

const hpti_strategy_type hpti_strategy_random = {
    .name = "random",
    .state_size = sizeof(random_state),
    .init = random_init,
    .propose = random_propose,
    .snapshot = random_snapshot,
    .restore = random_restore,
};
