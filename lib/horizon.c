/* horizon.c -- the masked history of the reproducible parallel mode
 * (horizon.h).
 *
 * The view is an hpti_history kept by the study next to the real one:
 * trials are appended to both at ask (same coordinates, budget, parent);
 * a trial enters the view's finished part only when the horizon passes
 * it, and then always the lowest running one, so its observation row goes
 * at the end (rows stay by id) and its running row is the first. */
#include <math.h>
#include <string.h>

#include "horizon.h"

int hpti_horizon_start(hpti_horizon *z, const hpti_history *real)
{
    hpti_history *v = &z->view;
    size_t d = real->dim, nv = real->n_values;
    hpti_history_init(v, d);
    z->h = 0;
    /* the same rows as the real history: every objective and constraint */
    if (hpti_history_set_shape(v, real->n_obj, real->n_con))
        goto fail;
    for (size_t i = 0; i < real->n_prior; i++)
        if (hpti_history_add_prior_row(v, real->obs_u + i * d, real->obs_value + i * nv))
            goto fail;
    for (size_t i = 0; i < real->n_transfer; i++)
        if (hpti_history_add_transfer_row(v, real->transfer_u + i * d,
                                          real->transfer_value + i * nv,
                                          real->transfer_parent[i]))
            goto fail;
    z->on = 1;
    return HPT_OK;
fail:
    hpti_history_free(v);
    return HPT_E_NOMEM;
}

void hpti_horizon_free(hpti_horizon *z)
{
    hpti_history *v = &z->view;
    /* the curves are the real history's (or empty) */
    for (size_t i = 0; v->curve && i < v->n_trials; i++)
        memset(&v->curve[i], 0, sizeof v->curve[i]);
    hpti_history_free(v);
    z->on = 0;
    z->h = 0;
}

size_t hpti_horizon_target(const hpti_horizon *z, size_t k)
{
    size_t q = (size_t)z->q;
    return k > q && k - q > z->h ? k - q : z->h;
}

int64_t hpti_horizon_blocker(const hpti_horizon *z, const hpti_history *real, size_t to)
{
    for (size_t i = z->h; i < to; i++)
        if (real->state[i] == HPT_TRIAL_RUNNING)
            return (int64_t)i;
    return -1;
}

/* Trial i (finished in real, the view's lowest running trial, all below
 * it finished) takes its real state, values and curve; its observation
 * row goes last. The caller fixes the running rows. */
static void enter(hpti_history *v, const hpti_history *real, size_t i)
{
    size_t d = v->dim, nv = v->n_values;
    int32_t st = real->state[i];
    v->state[i] = st;
    memcpy(v->value + i * nv, real->value + i * nv, nv * sizeof(double));
    v->curve[i] = real->curve[i];
    if (st == HPT_TRIAL_COMPLETE)
        v->n_complete++;
    else if (st == HPT_TRIAL_FAILED)
        v->n_failed++;
    else
        v->n_pruned++;
    size_t o = v->n_obs++;
    memcpy(v->obs_u + o * d, v->u + i * d, d * sizeof(double));
    memcpy(v->obs_value + o * nv, v->value + i * nv, nv * sizeof(double));
    v->obs_trial[o] = (int64_t)i;
}

/* Trial i leaves the finished part (the highest finished one). */
static void leave(hpti_history *v, size_t i)
{
    size_t nv = v->n_values;
    int32_t st = v->state[i];
    if (st == HPT_TRIAL_COMPLETE)
        v->n_complete--;
    else if (st == HPT_TRIAL_FAILED)
        v->n_failed--;
    else
        v->n_pruned--;
    v->state[i] = HPT_TRIAL_RUNNING;
    for (size_t k = 0; k < nv; k++)
        v->value[i * nv + k] = NAN;
    memset(&v->curve[i], 0, sizeof v->curve[i]);
    v->n_obs--;
}

/* Running rows: trials [from, v->n_trials), cap_run permitting. */
static void set_running(hpti_history *v, size_t from)
{
    size_t d = v->dim, r = 0;
    for (size_t i = from; i < v->n_trials && r < v->cap_run; i++, r++) {
        memcpy(v->run_u + r * d, v->u + i * d, d * sizeof(double));
        v->run_id[r] = (int64_t)i;
    }
    v->n_running = r;
}

void hpti_horizon_advance(hpti_horizon *z, const hpti_history *real, size_t to,
                          void (*observe)(void *ctx, int64_t id), void *ctx)
{
    hpti_history *v = &z->view;
    size_t d = v->dim;
    for (size_t i = z->h; i < to; i++) {
        enter(v, real, i);
        /* its running row is the first: the rest move up */
        memmove(v->run_u, v->run_u + d, (v->n_running - 1) * d * sizeof(double));
        memmove(v->run_id, v->run_id + 1, (v->n_running - 1) * sizeof(int64_t));
        v->n_running--;
        v->generation++;
        z->h = i + 1;
        if (observe)
            observe(ctx, (int64_t)i);
    }
}

const hpti_history *hpti_horizon_mask(hpti_horizon *z, const hpti_history *real, int64_t t)
{
    hpti_history *v = &z->view;
    size_t q = (size_t)z->q, ti = (size_t)t, lo = ti > q ? ti - q : 0;
    if (ti + 1 - lo > v->cap_run) {
        /* both running arrays share one capacity (history.c) */
        size_t c = ti + 1 - lo;
        int64_t *id = hpti_realloc(v->run_id, c * sizeof *id);
        if (!id)
            return NULL;
        v->run_id = id;
        double *u = hpti_realloc(v->run_u, c * v->dim * sizeof *u);
        if (!u)
            return NULL;
        v->run_u = u;
        v->cap_run = c;
    }
    for (size_t i = z->h; i-- > lo;)
        leave(v, i);
    z->mask_n = v->n_trials;
    v->n_trials = ti + 1;
    v->curve[ti] = real->curve[ti];
    set_running(v, lo);
    v->generation++;
    return v;
}

void hpti_horizon_unmask(hpti_horizon *z, const hpti_history *real, int64_t t)
{
    hpti_history *v = &z->view;
    size_t q = (size_t)z->q, ti = (size_t)t, lo = ti > q ? ti - q : 0;
    memset(&v->curve[ti], 0, sizeof v->curve[ti]);
    v->n_trials = z->mask_n;
    for (size_t i = lo; i < z->h; i++)
        enter(v, real, i);
    set_running(v, z->h);
    v->generation++;
}
