/* results.c -- queries over a study's finished and running trials: the
 * best including warm-start data, the top k, the running trials, and
 * parameter importance from the strategy's model. */
#include <math.h>
#include <stdlib.h>

#include "study.h"

static void lock(const hpt_study *s) { pthread_mutex_lock(&((hpt_study *)s)->lock); }
static void unlock(const hpt_study *s) { pthread_mutex_unlock(&((hpt_study *)s)->lock); }
#define FAIL(s, st, ...) hpti_fail(((hpt_study *)(s))->errmsg, st, __VA_ARGS__)

int hpt_study_best_overall(const hpt_study *s, int64_t *trial_id, double *value)
{
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_study_best_overall: study is NULL");
    lock(s);
    if (s->hist.n_obj > 1) {
        int rc = FAIL(s, HPT_E_MULTI,
                      "hpt_study_best_overall: the study has %zu objectives, so no single "
                      "best: use hpt_study_pareto",
                      s->hist.n_obj);
        unlock(s);
        return rc;
    }
    int64_t id = s->best;
    double loss = id >= 0 ? s->trials[id].loss : INFINITY;
    int found = id >= 0;
    const hpti_history *h = &s->hist;
    for (size_t k = 0; k < h->n_prior; k++) {
        const double *row = h->obs_value + k * h->n_values;
        if (hpti_history_row_feasible(h, row) && (!found || row[0] < loss)) {
            loss = row[0]; /* ties: this study's trial */
            id = -1;
            found = 1;
        }
    }
    int rc = HPT_OK;
    if (!found)
        rc = FAIL(s, HPT_E_EMPTY,
                  "hpt_study_best_overall: no complete trial and no warm-start observation");
    else {
        if (trial_id)
            *trial_id = id;
        if (value)
            *value = id >= 0 ? s->trials[id].v[0] : hpti_study_sign(s) * loss;
    }
    unlock(s);
    return rc;
}

typedef struct {
    double budget; /* 0 (full training) as +inf */
    double loss;
    int64_t id;
} ranked;

/* The order of hpt_study_best (study.c): values at different budgets do not
 * compare, so the larger budget ranks first, then the loss. */
static int by_loss(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->budget != y->budget)
        return x->budget > y->budget ? -1 : 1;
    if (x->loss != y->loss)
        return x->loss < y->loss ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

int hpt_study_top_k(const hpt_study *s, size_t k, int64_t *ids, size_t *n)
{
    const char *fn = "hpt_study_top_k";
    hpti_clear_error();
    if (!s || !n || (!ids && k))
        return hpti_study_fail(s, HPT_E_INVALID,
                         "%s: NULL argument", fn);
    lock(s);
    int rc = HPT_OK;
    size_t m = (size_t)s->n_complete, j = 0;
    ranked *r = s->hist.n_obj > 1 ? NULL : hpti_malloc((m ? m : 1) * sizeof *r);
    if (s->hist.n_obj > 1)
        rc = FAIL(s, HPT_E_MULTI,
                  "%s: the study has %zu objectives, so no order by value: use "
                  "hpt_study_pareto",
                  fn, s->hist.n_obj);
    else if (!r)
        rc = FAIL(s, HPT_E_NOMEM, "%s: out of memory", fn);
    else {
        for (size_t i = 0; i < s->n_trials; i++)
            if (hpti_study_feasible(s, (int64_t)i)) { /* complete, within the constraints */
                double b = s->trials[i].budget;
                r[j++] = (ranked){b > 0 ? b : INFINITY, s->trials[i].loss, (int64_t)i};
            }
        m = j;
        qsort(r, m, sizeof *r, by_loss);
        *n = m < k ? m : k;
        for (size_t i = 0; i < *n; i++)
            ids[i] = r[i].id;
    }
    hpti_free(r);
    unlock(s);
    return rc;
}

int hpt_study_importance_lengthscale(hpt_study *s, double *out, size_t n)
{
    const char *fn = "hpt_study_importance_lengthscale";
    hpti_clear_error();
    if (!s || !out)
        return hpti_study_fail(s, HPT_E_INVALID, "%s: NULL argument", fn);
    lock(s);
    int rc = HPT_OK;
    if (n != s->dim)
        rc = hpti_fail(s->errmsg, HPT_E_INVALID, "%s: n is %zu, the space has %zu", fn, n,
                       s->dim);
    else if (!s->type->importance)
        rc = hpti_fail(s->errmsg, HPT_E_NOMODEL,
                       "%s: strategy '%s' has no model to take importance from", fn,
                       s->type->name);
    else {
        double *w = hpti_malloc(n * sizeof *w), sum = 0;
        if (!w)
            rc = hpti_fail(s->errmsg, HPT_E_NOMEM, "%s: out of memory", fn);
        else if ((rc = s->type->importance(s->sstate, &s->env, w, s->errmsg)) != HPT_OK)
            rc = hpti_fail(s->errmsg, rc, "%s: %s", fn, s->errmsg);
        else {
            for (size_t i = 0; i < n; i++)
                sum += w[i] >= 0 && isfinite(w[i]) ? w[i] : 0;
            if (!(sum > 0))
                rc = hpti_fail(s->errmsg, HPT_E_NUMERIC, "%s: the model gave no weights",
                               fn);
            else
                for (size_t i = 0; i < n; i++)
                    out[i] = (w[i] >= 0 && isfinite(w[i]) ? w[i] : 0) / sum;
        }
        hpti_free(w);
    }
    unlock(s);
    return rc;
}

int hpt_study_running(const hpt_study *s, int64_t *ids, size_t n, size_t *needed)
{
    hpti_clear_error();
    if (!s || (!ids && n) || !needed)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_study_running: NULL argument");
    pthread_mutex_lock(&((hpt_study *)s)->lock);
    size_t k = 0;
    for (size_t i = 0; i < s->n_trials; i++)
        if (s->trials[i].state == HPT_TRIAL_RUNNING) {
            if (k < n)
                ids[k] = (int64_t)i;
            k++;
        }
    *needed = k;
    int rc = k > n ? hpti_fail(((hpt_study *)s)->errmsg, HPT_E_RANGE,
                               "hpt_study_running: %zu trials are running, the buffer "
                               "holds %zu",
                               k, n)
                   : HPT_OK;
    pthread_mutex_unlock(&((hpt_study *)s)->lock);
    return rc;
}
