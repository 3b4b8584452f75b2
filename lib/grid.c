/* grid.c -- strategy "grid": the full product of every integer, stepped
 * float and categorical value and "grid.points" points per other float range
 * (evenly spread under the parameter's scale, ends included; one point = the
 * middle), each configuration exactly once, then HPT_DONE.
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
#define GRID_MAX_BLOCKS 1048576.0         /* value combinations of the parents */

/* A conditional grid is the union of the sub-grids of the active sets.
 * The configurations are numbered block by block: one block per
 * combination of the values of the parameters that are parents of a
 * condition (mixed radix over them, last fastest), holding the product of
 * the values of the other parameters that this combination activates.
 * A combination in which an inactive parent does not take its first value
 * repeats another one and gets no block, so each configuration is counted
 * once and inactive parameters never multiply the count. Without
 * conditions there is one block: the plain mixed-radix grid. */
typedef struct {
    hpti_rng rng;
    double points;   /* per float range */
    int shuffle;
    uint64_t total, next, a, c;
    uint64_t *count; /* owned: values per parameter */
    size_t n_blocks;
    uint64_t *first; /* owned: n_blocks + 1 block starts, first[n_blocks] = total */
    uint64_t *combo; /* owned: each block's combination of the parents' values */
    uint64_t *k;     /* owned scratch, dim: value index per parameter */
    double *x;       /* owned scratch, dim */
    unsigned char *active, *parent; /* owned, dim each */
} grid_state;

static const hpti_option grid_options[] = {
    {"grid.points", HPT_OPTION_INT, HPTI_STORE_DOUBLE, offsetof(grid_state, points), 5, 1,
     GRID_MAX_POINTS, 0, NULL, NULL},
    {"grid.shuffle", HPT_OPTION_BOOL, HPTI_STORE_INT, offsetof(grid_state, shuffle), 0, 0, 1, 0,
     NULL, NULL},
};

static int grid_init(void *state, const hpti_env *env, char *msg)
{
    HPTI_UNUSED(msg);
    grid_state *st = state;
    hpti_rng_seed(&st->rng, env->seed, HPTI_STREAM_STRATEGY);
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

static void grid_free(void *state)
{
    grid_state *st = state;
    hpti_free(st->count);
    hpti_free(st->first);
    hpti_free(st->combo);
    hpti_free(st->k);
    hpti_free(st->x);
    hpti_free(st->active);
    hpti_free(st->parent);
    st->count = st->first = st->combo = st->k = NULL;
    st->x = NULL;
    st->active = st->parent = NULL;
}

/* Unit coordinate of the k-th grid value of parameter i. */
static double grid_u(const grid_state *st, const hpti_param *p, size_t i, uint64_t k)
{
    if (isinf(hpti_param_cardinality(p)))
        return st->count[i] == 1 ? 0.5 : (double)k / (double)(st->count[i] - 1);
    return hpti_param_encode(p, hpti_param_point(p, (double)k));
}

/* Set the parents to combination `combo` (k, u may be NULL) and st->x to
 * their values, then st->active to the active set. */
static void set_parents(grid_state *st, const hpti_env *s, uint64_t combo,
                        double *u)
{
    for (size_t i = s->dim; i-- > 0;) {
        if (!st->parent[i])
            continue;
        const hpti_param *p = &s->space->p[i];
        st->k[i] = combo % st->count[i];
        combo /= st->count[i];
        double v = grid_u(st, p, i, st->k[i]);
        st->x[i] = hpti_param_decode(p, v);
        if (u)
            u[i] = v;
    }
    hpti_space_active(s->space, st->x, st->active);
}

static int grid_start(void *state, const hpti_env *s, char *msg)
{
    grid_state *st = state;
    const size_t d = s->dim;
    grid_free(st); /* a start that failed before may be retried */
    st->count = hpti_calloc(d, sizeof *st->count);
    st->k = hpti_calloc(d, sizeof *st->k);
    st->x = hpti_calloc(d, sizeof *st->x);
    st->active = hpti_calloc(d, 1);
    st->parent = hpti_calloc(d, 1);
    if (!st->count || !st->k || !st->x || !st->active || !st->parent)
        return hpti_fail(msg, HPT_E_NOMEM, "grid: out of memory");
    double combos = 1;
    for (size_t i = 0; i < d; i++) {
        const hpti_param *p = &s->space->p[i];
        double c = hpti_param_cardinality(p);
        if (isinf(c))
            c = st->points;
        if (c > GRID_MAX_TOTAL)
            goto too_big;
        st->count[i] = (uint64_t)c;
        st->parent[i] = (unsigned char)hpti_space_is_parent(s->space, i);
        if (st->parent[i] && (combos *= c) > GRID_MAX_BLOCKS)
            return hpti_fail(msg, HPT_E_INVALID,
                             "grid: the parents of conditions take more than 2^20 "
                             "combinations of values; narrow their ranges or lower "
                             "grid.points");
    }
    st->first = hpti_malloc(((size_t)combos + 1) * sizeof *st->first);
    st->combo = hpti_malloc((size_t)combos * sizeof *st->combo);
    if (!st->first || !st->combo)
        return hpti_fail(msg, HPT_E_NOMEM, "grid: out of memory");
    double total = 0;
    st->n_blocks = 0;
    for (uint64_t c = 0; c < (uint64_t)combos; c++) {
        set_parents(st, s, c, NULL);
        double w = 1;
        for (size_t i = 0; i < d && w > 0; i++) {
            if (st->parent[i] && !st->active[i] && st->k[i] != 0)
                w = 0; /* the same configuration as with k[i] = 0 */
            else if (!st->parent[i] && st->active[i])
                w *= (double)st->count[i];
            if (w > GRID_MAX_TOTAL)
                goto too_big;
        }
        if (w == 0)
            continue;
        st->first[st->n_blocks] = (uint64_t)total;
        st->combo[st->n_blocks++] = c;
        if ((total += w) > GRID_MAX_TOTAL)
            goto too_big;
    }
    st->first[st->n_blocks] = (uint64_t)total;
    st->total = (uint64_t)total;
    st->a = 1;
    if (st->shuffle && st->total > 2) {
        do
            st->a = 1 + hpti_rng_below(&st->rng, st->total - 1);
        while (gcd(st->a, st->total) != 1);
        st->c = hpti_rng_below(&st->rng, st->total);
    }
    return HPT_OK;
too_big:
    return hpti_fail(msg, HPT_E_INVALID,
                     "grid: the grid has more than 2^53 configurations; narrow "
                     "integer ranges or lower grid.points");
}

static int grid_propose(void *state, const hpti_env *s, hpti_proposal *out, char *msg)
{
    HPTI_UNUSED(msg);
    grid_state *st = state;
    if (st->next >= st->total)
        return HPT_DONE;
    uint64_t idx = (uint64_t)(((unsigned __int128)st->a * st->next + st->c) % st->total);
    st->next++;
    size_t lo = 0, hi = st->n_blocks; /* the block holding idx */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->first[mid] <= idx)
            lo = mid;
        else
            hi = mid;
    }
    idx -= st->first[lo];
    set_parents(st, s, st->combo[lo], out->u);
    for (size_t i = s->dim; i-- > 0;) {
        if (st->parent[i])
            continue;
        if (!st->active[i]) { /* canonical, as the study stores it */
            out->u[i] = 0.5;
            continue;
        }
        uint64_t k = idx % st->count[i];
        idx /= st->count[i];
        out->u[i] = grid_u(st, &s->space->p[i], i, k);
    }
    return HPT_OK;
}

/* The state after a proposal: the visit counter (format 1); the order
 * itself is fixed at start. */
static void grid_snapshot(void *state, const hpti_env *env, hpti_snapw *w)
{
    HPTI_UNUSED(env);
    hpti_snapw_u64(w, 1);
    hpti_snapw_u64(w, ((grid_state *)state)->next);
}

static int grid_restore(void *state, const hpti_env *env, const hpti_proposal *p,
                        const unsigned char *bytes, size_t len, char *msg)
{
    HPTI_UNUSED(env);
    HPTI_UNUSED(p);
    grid_state *st = state;
    hpti_snapr r = {bytes, len, 0, 0};
    uint64_t next = hpti_snapr_u64(&r) == 1 ? hpti_snapr_max(&r, st->total) : 0;
    if (!hpti_snapr_ok(&r) || next == 0)
        return hpti_fail(msg, HPT_E_CORRUPT, "grid: unreadable state");
    st->next = next;
    return HPT_OK;
}

const hpti_strategy_type hpti_strategy_grid = {
    .name = "grid",
    .state_size = sizeof(grid_state),
    HPTI_OPTIONS(grid_options),
    .init = grid_init,
    .start = grid_start,
    .propose = grid_propose,
    .free = grid_free,
    .snapshot = grid_snapshot,
    .restore = grid_restore,
};
