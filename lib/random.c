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

const hpti_strategy_type hpti_strategy_random = {
    .name = "random",
    .state_size = sizeof(random_state),
    .init = random_init,
    .propose = random_propose,
};
