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

/* The state after a proposal: the generator and the points drawn
 * (format 1). Restoring draws the sequence forward to that count: O(dim)
 * a point, no faster to skip in GSL's Sobol generator, and the records
 * are restored in order, one point each. */
static void sobol_snapshot(void *state, const hpti_env *env, hpti_snapw *w)
{
    HPTI_UNUSED(env);
    sobol_state *st = state;
    hpti_snapw_u64(w, 1);
    hpti_snapw_rng(w, &st->rng);
    hpti_snapw_u64(w, st->q.used);
}

static int sobol_restore(void *state, const hpti_env *env, const hpti_proposal *p,
                         const unsigned char *bytes, size_t len, char *msg)
{
    HPTI_UNUSED(p);
    sobol_state *st = state;
    hpti_snapr r = {bytes, len, 0, 0};
    hpti_rng g;
    uint64_t used = 0;
    if (hpti_snapr_u64(&r) == 1) {
        hpti_snapr_rng(&r, &g);
        used = hpti_snapr_u64(&r);
    }
    if (!hpti_snapr_ok(&r) || used < st->q.used || used > st->q.used + 1) /* one a proposal */
        return hpti_fail(msg, HPT_E_CORRUPT, "sobol: unreadable state");
    double *u = used > st->q.used ? hpti_malloc(env->dim * sizeof *u) : NULL;
    if (used > st->q.used && !u)
        return hpti_fail(msg, HPT_E_NOMEM, "sobol: out of memory");
    hpti_rng scratch = g; /* coordinates past the table: drawn, not kept */
    while (st->q.used < used)
        hpti_qrng_next(&st->q, &scratch, u);
    hpti_free(u);
    st->rng = g;
    return HPT_OK;
}

const hpti_strategy_type hpti_strategy_sobol = {
    .name = "sobol",
    .state_size = sizeof(sobol_state),
    .init = sobol_init,
    .start = sobol_start,
    .propose = sobol_propose,
    .free = sobol_free,
    .snapshot = sobol_snapshot,
    .restore = sobol_restore,
};
