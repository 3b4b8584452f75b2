/* sobol.c -- strategy "sobol": the shifted Sobol points of qrng.h, the
 * shift drawn from the seed, so different seeds give different, equally
 * well spread designs (limits: qrng.h). */
#include "qrng.h"
#include "strategy.h"

typedef struct {
    hpti_rng rng;
    hpti_qrng q; /* made by start */
} sobol_state;

static int sobol_init(void *state, const hpti_env *env, char *msg)
{
    HPTI_UNUSED(msg);
    sobol_state *st = state;
    hpti_rng_seed(&st->rng, env->seed, HPTI_STREAM_STRATEGY);
    return HPT_OK;
}

static int sobol_start(void *state, const hpti_env *env, char *msg)
{
    sobol_state *st = state;
    if (hpti_qrng_init(&st->q, env->dim))
        return hpti_fail(msg, HPT_E_NOMEM, "sobol: out of memory");
    hpti_qrng_restart(&st->q, st->q.qdim, &st->rng);
    return HPT_OK;
}

static int sobol_propose(void *state, const hpti_env *env, hpti_proposal *out, char *msg)
{
    HPTI_UNUSED(env);
    HPTI_UNUSED(msg);
    sobol_state *st = state;
    hpti_qrng_next(&st->q, &st->rng, out->u);
    return HPT_OK;
}

static void sobol_free(void *state) { hpti_qrng_free(&((sobol_state *)state)->q); }

const hpti_strategy_type hpti_strategy_sobol = {
    .name = "sobol",
    .state_size = sizeof(sobol_state),
    .init = sobol_init,
    .start = sobol_start,
    .propose = sobol_propose,
    .free = sobol_free,
};
