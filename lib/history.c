/* history.c -- the study's history (history.h).
 *
 * Growth: every per-trial array, the observation rows and the running rows
 * are grown together in hpti_history_reserve, before a proposal, so that
 * recording the proposal and later its end never fails (a strategy's
 * propose has already advanced its state by then). Capacities are updated
 * only after a successful growth. */
#include <math.h>
#include <string.h>

#include "history.h"

void hpti_history_init(hpti_history *h, size_t dim)
{
    memset(h, 0, sizeof *h);
    h->dim = dim;
    h->n_values = 1;
    h->n_obj = 1;
}

void hpti_history_free(hpti_history *h)
{
    for (size_t i = 0; h->curve && i < h->n_trials; i++) {
        hpti_free(h->curve[i].step);
        hpti_free(h->curve[i].loss);
    }
    void *arrays[] = {h->u,         h->value,      h->budget,     h->parent,
                      h->root,      h->state,      h->curve,      h->obs_u,
                      h->obs_value, h->obs_trial,  h->run_u,      h->run_id,
                      h->transfer_u, h->transfer_value, h->transfer_parent};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++)
        hpti_free(arrays[k]);
    size_t n_obj = h->n_obj, n_con = h->n_con;
    hpti_history_init(h, h->dim);
    h->n_obj = n_obj;
    h->n_con = n_con;
    h->n_values = n_obj + n_con;
}

/* Resize *p to `need` items of `elem` bytes; the caller chose the capacity
 * (grown), so that parallel arrays share one. */
static int resize(void **p, size_t need, size_t elem)
{
    if (elem && need > SIZE_MAX / elem)
        return HPT_E_NOMEM;
    void *q = hpti_realloc(*p, need * elem);
    if (!q)
        return HPT_E_NOMEM;
    *p = q;
    return HPT_OK;
}

static size_t grown(size_t cap, size_t need)
{
    size_t c = cap ? cap : 8; /* need > SIZE_MAX / 4 fails in resize */
    while (c < need && c <= SIZE_MAX / 4)
        c *= 2;
    return c;
}

int hpti_history_set_shape(hpti_history *h, size_t n_obj, size_t n_con)
{
    if (h->n_trials || h->n_obs || h->n_transfer)
        return HPT_E_STAGE;
    size_t nv = n_obj + n_con;
    /* the arrays only grow, so that a failure half way leaves each one at
     * least as large as the old stride needs */
    if (nv > h->n_values &&
        ((h->cap_trials && resize((void **)&h->value, h->cap_trials * nv, sizeof(double))) ||
         (h->cap_obs && resize((void **)&h->obs_value, h->cap_obs * nv, sizeof(double))) ||
         (h->cap_transfer &&
          resize((void **)&h->transfer_value, h->cap_transfer * nv, sizeof(double)))))
        return HPT_E_NOMEM;
    h->n_obj = n_obj;
    h->n_con = n_con;
    h->n_values = n_obj + n_con;
    h->generation++;
    return HPT_OK;
}

/* Observation rows for `need` rows. */
static int reserve_obs(hpti_history *h, size_t need)
{
    if (need <= h->cap_obs)
        return HPT_OK;
    size_t c = grown(h->cap_obs, need), d = h->dim, nv = h->n_values;
    if (resize((void **)&h->obs_u, c * d, sizeof(double)) ||
        resize((void **)&h->obs_value, c * nv, sizeof(double)) ||
        resize((void **)&h->obs_trial, c, sizeof(int64_t)))
        return HPT_E_NOMEM;
    h->cap_obs = c;
    return HPT_OK;
}

int hpti_history_reserve(hpti_history *h)
{
    size_t need = h->n_trials + 1, d = h->dim, nv = h->n_values;
    if (need > h->cap_trials) {
        size_t c = grown(h->cap_trials, need);
        if (resize((void **)&h->u, c * d, sizeof(double)) ||
            resize((void **)&h->value, c * nv, sizeof(double)) ||
            resize((void **)&h->budget, c, sizeof(double)) ||
            resize((void **)&h->parent, c, sizeof(int64_t)) ||
            resize((void **)&h->root, c, sizeof(int64_t)) ||
            resize((void **)&h->state, c, sizeof(int32_t)) ||
            resize((void **)&h->curve, c, sizeof(hpti_curve)))
            return HPT_E_NOMEM;
        h->cap_trials = c;
    }
    if (reserve_obs(h, h->n_prior + need))
        return HPT_E_NOMEM;
    if (h->n_running + 1 > h->cap_run) {
        size_t c = grown(h->cap_run, h->n_running + 1);
        if (resize((void **)&h->run_u, c * d, sizeof(double)) ||
            resize((void **)&h->run_id, c, sizeof(int64_t)))
            return HPT_E_NOMEM;
        h->cap_run = c;
    }
    return HPT_OK;
}

void hpti_history_add_trial(hpti_history *h, const double *u, double budget, int64_t parent)
{
    size_t i = h->n_trials++, d = h->dim, nv = h->n_values;
    memcpy(h->u + i * d, u, d * sizeof *u);
    for (size_t k = 0; k < nv; k++)
        h->value[i * nv + k] = NAN;
    h->budget[i] = budget;
    h->parent[i] = parent;
    h->root[i] = parent < 0 ? (int64_t)i : h->root[parent];
    h->state[i] = HPT_TRIAL_RUNNING;
    memset(&h->curve[i], 0, sizeof h->curve[i]);
    /* ids only grow: appending keeps the running rows in id order */
    memcpy(h->run_u + h->n_running * d, u, d * sizeof *u);
    h->run_id[h->n_running++] = (int64_t)i;
    h->generation++;
}

void hpti_history_set_trial(hpti_history *h, int64_t id, const double *u, double budget,
                            int64_t parent)
{
    size_t i = (size_t)id, d = h->dim;
    memcpy(h->u + i * d, u, d * sizeof *u);
    h->budget[i] = budget;
    h->parent[i] = parent;
    h->root[i] = parent < 0 ? (int64_t)i : h->root[parent];
    for (size_t r = h->n_running; r-- > 0;)
        if (h->run_id[r] == id) {
            memcpy(h->run_u + r * d, u, d * sizeof *u);
            break;
        }
    h->generation++;
}

int hpti_history_add_report(hpti_history *h, int64_t id, double step, double loss)
{
    hpti_curve *c = &h->curve[id];
    if (c->n == c->cap) {
        size_t cap = grown(c->cap, c->n + 1);
        if (resize((void **)&c->step, cap, sizeof(double)) ||
            resize((void **)&c->loss, cap, sizeof(double)))
            return HPT_E_NOMEM;
        c->cap = cap;
    }
    c->step[c->n] = step;
    c->loss[c->n++] = loss;
    h->generation++;
    return HPT_OK;
}

void hpti_history_finish(hpti_history *h, int64_t id, int32_t state, const double *row)
{
    size_t d = h->dim, nv = h->n_values, i = (size_t)id;
    h->state[i] = state;
    if (state == HPT_TRIAL_COMPLETE) {
        memcpy(h->value + i * nv, row, nv * sizeof *row);
        h->n_complete++;
    } else if (state == HPT_TRIAL_FAILED) {
        h->n_failed++;
    } else {
        h->value[i * nv] = row[0]; /* pruned: the others stay NaN (add_trial) */
        h->n_pruned++;
    }
    size_t r = 0;
    while (h->run_id[r] != id)
        r++;
    memmove(h->run_u + r * d, h->run_u + (r + 1) * d, (h->n_running - r - 1) * d * sizeof(double));
    memmove(h->run_id + r, h->run_id + r + 1, (h->n_running - r - 1) * sizeof(int64_t));
    h->n_running--;
    /* Canonical position (history.h): after the priors and every finished
     * trial with a lower id; a tell out of id order moves the later rows. */
    size_t o = h->n_obs;
    while (o > h->n_prior && h->obs_trial[o - 1] > id)
        o--;
    size_t tail = h->n_obs - o;
    memmove(h->obs_u + (o + 1) * d, h->obs_u + o * d, tail * d * sizeof(double));
    memmove(h->obs_value + (o + 1) * nv, h->obs_value + o * nv, tail * nv * sizeof(double));
    memmove(h->obs_trial + o + 1, h->obs_trial + o, tail * sizeof(int64_t));
    h->n_obs++;
    memcpy(h->obs_u + o * d, h->u + i * d, d * sizeof(double));
    memcpy(h->obs_value + o * nv, h->value + i * nv, nv * sizeof(double));
    h->obs_trial[o] = id;
    h->generation++;
}

int hpti_history_add_prior_row(hpti_history *h, const double *u, const double *row)
{
    if (h->n_trials)
        return HPT_E_STAGE;
    if (reserve_obs(h, h->n_obs + 1))
        return HPT_E_NOMEM;
    size_t o = h->n_obs++, d = h->dim, nv = h->n_values;
    memcpy(h->obs_u + o * d, u, d * sizeof *u);
    memcpy(h->obs_value + o * nv, row, nv * sizeof *row);
    h->obs_trial[o] = -1;
    h->n_prior++;
    h->generation++;
    return HPT_OK;
}

/* row[0] = loss, the rest NaN */
static void one_loss(const hpti_history *h, double loss, double *row)
{
    row[0] = loss;
    for (size_t k = 1; k < h->n_values; k++)
        row[k] = NAN;
}

int hpti_history_add_prior(hpti_history *h, const double *u, double loss)
{
    double row[HPT_MAX_OBJECTIVES + HPT_MAX_CONSTRAINTS];
    one_loss(h, loss, row);
    return hpti_history_add_prior_row(h, u, row);
}

int hpti_history_add_transfer(hpti_history *h, const double *u, double loss, int32_t parent)
{
    double row[HPT_MAX_OBJECTIVES + HPT_MAX_CONSTRAINTS];
    one_loss(h, loss, row);
    return hpti_history_add_transfer_row(h, u, row, parent);
}

int hpti_history_add_transfer_row(hpti_history *h, const double *u, const double *row,
                                  int32_t parent)
{
    size_t d = h->dim, nv = h->n_values;
    if (h->n_transfer == h->cap_transfer) {
        size_t c = grown(h->cap_transfer, h->n_transfer + 1);
        if (resize((void **)&h->transfer_u, c * d, sizeof(double)) ||
            resize((void **)&h->transfer_value, c * nv, sizeof(double)) ||
            resize((void **)&h->transfer_parent, c, sizeof(int32_t)))
            return HPT_E_NOMEM;
        h->cap_transfer = c;
    }
    size_t t = h->n_transfer++;
    memcpy(h->transfer_u + t * d, u, d * sizeof *u);
    memcpy(h->transfer_value + t * nv, row, nv * sizeof *row);
    h->transfer_parent[t] = parent;
    h->generation++;
    return HPT_OK;
}

void hpti_history_truncate_warm(hpti_history *h, size_t n_prior, size_t n_transfer)
{
    if (n_prior < h->n_prior && h->n_trials == 0) {
        h->n_obs = n_prior;
        h->n_prior = n_prior;
        h->generation++;
    }
    if (n_transfer < h->n_transfer) {
        h->n_transfer = n_transfer;
        h->generation++;
    }
}
