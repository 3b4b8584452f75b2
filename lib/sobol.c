/* sobol.c -- strategy "sobol": a Sobol low-discrepancy sequence (GSL's
 * gsl_qrng_sobol, Antonov-Saleev variant) with a seed-driven random shift
 * modulo 1 (Cranley & Patterson 1976), so different seeds give different,
 * equally well spread designs.
 *
 * Limits: GSL's Sobol tables cover 40 dimensions; coordinates 41 and up are
 * independent uniform draws. GSL stops after 2^30 - 1 points (it would call
 * its error handler); we restart the sequence with a fresh shift before that. */
#include <gsl/gsl_qrng.h>
#include <math.h>

#include "strategy.h"

#define SOBOL_MAX_DIM 40
#define SOBOL_MAX_POINTS ((1UL << 30) - 2)

typedef struct {
    hpti_rng rng;
    gsl_qrng *q;       /* owned; NULL until start */
    size_t qdim;       /* min(dim, SOBOL_MAX_DIM) */
    unsigned long used;
    double shift[SOBOL_MAX_DIM];
    double buf[SOBOL_MAX_DIM];
} sobol_state;

static void new_shift(sobol_state *st)
{
    for (size_t i = 0; i < st->qdim; i++)
        st->shift[i] = hpti_rng_uniform(&st->rng);
}

static int sobol_init(void *state, const hpti_env *env, char *msg)
{
    HPTI_UNUSED(msg);
    sobol_state *st = state;
    hpti_rng_seed(&st->rng, env->seed, HPTI_STREAM_STRATEGY);
    st->qdim = env->dim < SOBOL_MAX_DIM ? env->dim : SOBOL_MAX_DIM;
    return HPT_OK;
}

static int sobol_start(void *state, const hpti_env *env, char *msg)
{
    HPTI_UNUSED(env);
    sobol_state *st = state;
    /* qdim is 1..40 here, inside GSL's table: gsl_qrng_alloc only fails on
     * memory. */
    st->q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)st->qdim);
    if (!st->q)
        return hpti_fail(msg, HPT_E_NOMEM, "sobol: out of memory");
    new_shift(st);
    return HPT_OK;
}

static int sobol_propose(void *state, const hpti_env *env, hpti_proposal *out, char *msg)
{
    HPTI_UNUSED(msg);
    sobol_state *st = state;
    if (st->used >= SOBOL_MAX_POINTS) {
        gsl_qrng_init(st->q);
        new_shift(st);
        st->used = 0;
    }
    gsl_qrng_get(st->q, st->buf);
    st->used++;
    for (size_t i = 0; i < st->qdim; i++) {
        double v = st->buf[i] + st->shift[i];
        out->u[i] = v >= 1.0 ? v - 1.0 : v;
    }
    for (size_t i = st->qdim; i < env->dim; i++)
        out->u[i] = hpti_rng_uniform(&st->rng);
    return HPT_OK;
}

static void sobol_free(void *state)
{
    sobol_state *st = state;
    if (st->q)
        gsl_qrng_free(st->q);
}

const hpti_strategy_type hpti_strategy_sobol = {
    .name = "sobol",
    .state_size = sizeof(sobol_state),
    .init = sobol_init,
    .start = sobol_start,
    .propose = sobol_propose,
    .free = sobol_free,
};
