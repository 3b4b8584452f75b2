/* grid.c -- strategy "grid": the full product of every integer and
 * categorical value and "grid.points" points per float range (evenly spread
 * under the parameter's scale, ends included; one point = the middle), each
 * configuration exactly once, then HPT_DONE.
 *
 * Configurations are numbered in mixed radix (last parameter fastest). With
 * "grid.shuffle" = 1 the visit order is the affine bijection
 * i -> (a i + c) mod N with a coprime to N, both drawn from the seed: a
 * reproducible scrambled order in O(1) memory, whatever the grid's size. */
#include <math.h>
#include <string.h>

#include "strategy.h"

#define GRID_MAX_POINTS 1000000.0
#define GRID_MAX_TOTAL 9007199254740992.0 /* 2^53 configurations */

typedef struct {
    hpti_rng rng;
    double points;   /* per float range */
    int shuffle;
    uint64_t total, next, a, c;
    uint64_t *count; /* owned: values per parameter */
} grid_state;

static int grid_init(void *state, const hpti_env *env, char *msg)
{
    HPTI_UNUSED(msg);
    grid_state *st = state;
    hpti_rng_seed(&st->rng, env->seed, HPTI_STREAM_STRATEGY);
    st->points = 5;
    return HPT_OK;
}

static int grid_set(void *state, const char *key, double v, char *msg)
{
    grid_state *st = state;
    if (strcmp(key, "points") == 0) {
        if (!(v >= 1 && v <= GRID_MAX_POINTS) || v != floor(v))
            return hpti_fail(msg, HPT_E_INVALID,
                             "grid.points must be an integer in 1..1e6, not %g", v);
        st->points = v;
        return HPT_OK;
    }
    if (strcmp(key, "shuffle") == 0) {
        if (v != 0 && v != 1)
            return hpti_fail(msg, HPT_E_INVALID, "grid.shuffle must be 0 or 1, not %g", v);
        st->shuffle = (int)v;
        return HPT_OK;
    }
    return HPT_E_NAME;
}

static int grid_get(const void *state, const char *key, double *v)
{
    const grid_state *st = state;
    if (strcmp(key, "points") == 0)
        *v = st->points;
    else if (strcmp(key, "shuffle") == 0)
        *v = st->shuffle;
    else
        return HPT_E_NAME;
    return HPT_OK;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static int grid_start(void *state, const hpti_env *env, char *msg)
{
    grid_state *st = state;
    hpti_free(st->count); /* a start that failed before may be retried */
    st->count = hpti_calloc(env->dim, sizeof *st->count);
    if (!st->count)
        return hpti_fail(msg, HPT_E_NOMEM, "grid: out of memory");
    double total = 1;
    for (size_t i = 0; i < env->dim; i++) {
        const hpti_param *p = &env->space->p[i];
        double c = hpti_param_cardinality(p);
        if (isinf(c))
            c = st->points;
        total *= c;
        if (total > GRID_MAX_TOTAL)
            return hpti_fail(msg, HPT_E_INVALID,
                             "grid: the grid has more than 2^53 configurations; narrow "
                             "integer ranges or lower grid.points");
        st->count[i] = (uint64_t)c;
    }
    st->total = (uint64_t)total;
    st->a = 1;
    if (st->shuffle && st->total > 2) {
        do
            st->a = 1 + hpti_rng_below(&st->rng, st->total - 1);
        while (gcd(st->a, st->total) != 1);
        st->c = hpti_rng_below(&st->rng, st->total);
    }
    return HPT_OK;
}

static int grid_propose(void *state, const hpti_env *env, hpti_proposal *out, char *msg)
{
    HPTI_UNUSED(msg);
    grid_state *st = state;
    if (st->next >= st->total)
        return HPT_DONE;
    uint64_t idx = (uint64_t)(((unsigned __int128)st->a * st->next + st->c) % st->total);
    st->next++;
    for (size_t i = env->dim; i-- > 0;) {
        const hpti_param *p = &env->space->p[i];
        uint64_t k = idx % st->count[i];
        idx /= st->count[i];
        if (p->type == HPT_PARAM_FLOAT)
            out->u[i] = st->count[i] == 1 ? 0.5 : (double)k / (double)(st->count[i] - 1);
        else
            out->u[i] = hpti_param_encode(p, p->lo + (double)k);
    }
    return HPT_OK;
}

static void grid_free(void *state) { hpti_free(((grid_state *)state)->count); }

const hpti_strategy_type hpti_strategy_grid = {
    .name = "grid",
    .state_size = sizeof(grid_state),
    .init = grid_init,
    .set_option = grid_set,
    .get_option = grid_get,
    .start = grid_start,
    .propose = grid_propose,
    .free = grid_free,
};
