/* objectives.c -- several objectives and black-box constraints: the
 * study's shape (set before the first ask), the trials' values and
 * feasibility, the Pareto front and its hypervolume.
 *
 * The tells themselves are study.c's (they finish a trial); the front is
 * not kept up to date at each tell but computed when asked for, from the
 * history's loss rows (history.h), so that the tells stay O(1). */
#include <math.h>
#include <string.h>

#include "durable.h"
#include "pareto.h"
#include "study.h"

static void lock(const hpt_study *s) { pthread_mutex_lock(&((hpt_study *)s)->lock); }
static void unlock(const hpt_study *s) { pthread_mutex_unlock(&((hpt_study *)s)->lock); }
#define FAIL(s, st, ...) hpti_fail(((hpt_study *)(s))->errmsg, st, __VA_ARGS__)

/* ---- the shape ---- */

/* A change of shape is allowed while nothing has a value row yet: no ask,
 * no warm-start data (hpt_study_warm_default alone adds none). */
static int check_shape_stage(hpt_study *s, const char *fn)
{
    if (s->started || s->n_trials)
        return hpti_fail(s->errmsg, HPT_E_STAGE,
                         "%s: the objectives and constraints are fixed once the first trial "
                         "was asked",
                         fn);
    if (s->hist.n_obs || s->hist.n_transfer)
        return hpti_fail(s->errmsg, HPT_E_STAGE,
                         "%s: set the objectives and constraints before any warm start", fn);
    return HPT_OK;
}

int hpt_study_set_objectives(hpt_study *s, const int32_t *directions, size_t n)
{
    const char *fn = "hpt_study_set_objectives";
    hpti_clear_error();
    if (!s || !directions)
        return hpti_study_fail(s, HPT_E_INVALID, "%s: NULL argument", fn);
    if (n < 1 || n > HPT_MAX_OBJECTIVES)
        return hpti_study_fail(s, HPT_E_INVALID, "%s: n is %zu, must be 1 to %d", fn, n,
                               HPT_MAX_OBJECTIVES);
    for (size_t k = 0; k < n; k++)
        if (directions[k] != HPT_MINIMIZE && directions[k] != HPT_MAXIMIZE)
            return hpti_study_fail(s, HPT_E_INVALID,
                                   "%s: direction %zu must be HPT_MINIMIZE or HPT_MAXIMIZE, "
                                   "not %d",
                                   fn, k, (int)directions[k]);
    lock(s);
    /* another writer may have set the shape already: take it in first */
    int rc = hpti_change_begin(s, fn);
    if (rc)
        goto out;
    /* the same shape again is a no-op at any stage (a resumed host) */
    if (n == s->hist.n_obj && !memcmp(directions, s->directions, n * sizeof *directions))
        goto out;
    if ((rc = check_shape_stage(s, fn)))
        goto out;
    if (n > 1 && s->ptype) {
        rc = hpti_fail(s->errmsg, HPT_E_MULTI,
                       "%s: the study has pruner '%s', which compares reports of one "
                       "objective: set \"pruner\" to \"none\" for several objectives",
                       fn, s->ptype->name);
        goto out;
    }
    if (n > 1 && !isnan(s->done.target)) {
        rc = hpti_fail(s->errmsg, HPT_E_MULTI,
                       "%s: \"target_value\" is set, which needs a single objective", fn);
        goto out;
    }
    if ((rc = hpti_history_set_shape(&s->hist, n, s->hist.n_con))) {
        rc = hpti_fail(s->errmsg, rc, "%s: %s", fn,
                       rc == HPT_E_NOMEM ? "out of memory" : "the history holds rows already");
        goto out;
    }
    memcpy(s->directions, directions, n * sizeof *directions);
    rc = hpti_journal_shape(s, directions, n);
out:
    hpti_change_end(s);
    unlock(s);
    return rc;
}

int hpt_study_set_constraints(hpt_study *s, size_t m)
{
    const char *fn = "hpt_study_set_constraints";
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: study is NULL", fn);
    if (m > HPT_MAX_CONSTRAINTS)
        return hpti_study_fail(s, HPT_E_INVALID, "%s: m is %zu, at most %d", fn, m,
                               HPT_MAX_CONSTRAINTS);
    lock(s);
    int rc = hpti_change_begin(s, fn);
    if (!rc && m != s->hist.n_con && !(rc = check_shape_stage(s, fn))) {
        if ((rc = hpti_history_set_shape(&s->hist, s->hist.n_obj, m)))
            rc = hpti_fail(s->errmsg, rc, "%s: %s", fn,
                           rc == HPT_E_NOMEM ? "out of memory" : "the history holds rows already");
        else
            rc = hpti_journal_shape(s, NULL, m);
    }
    hpti_change_end(s);
    unlock(s);
    return rc;
}

int hpt_study_objectives(const hpt_study *s, int32_t *directions, size_t cap, size_t *n,
                         size_t *m)
{
    const char *fn = "hpt_study_objectives";
    hpti_clear_error();
    if (!s || !n || (!directions && cap))
        return hpti_study_fail(s, HPT_E_INVALID, "%s: NULL argument", fn);
    lock(s);
    *n = s->hist.n_obj;
    if (m)
        *m = s->hist.n_con;
    for (size_t k = 0; k < s->hist.n_obj && k < cap; k++)
        directions[k] = s->directions[k];
    int rc = cap < s->hist.n_obj ? FAIL(s, HPT_E_RANGE,
                                   "%s: the study has %zu objectives, the buffer holds %zu",
                                   fn, s->hist.n_obj, cap)
                            : HPT_OK;
    unlock(s);
    return rc;
}

/* ---- a trial's values ---- */

static int check_trial(const hpt_study *s, const char *fn, int64_t id)
{
    if (id < 0 || (uint64_t)id >= s->n_trials)
        return FAIL(s, HPT_E_TRIAL, "%s: no trial %lld (the study has %zu)", fn,
                    (long long)id, s->n_trials);
    return HPT_OK;
}

int hpt_trial_values(const hpt_study *s, int64_t id, double *values, size_t n)
{
    const char *fn = "hpt_trial_values";
    hpti_clear_error();
    if (!s || !values)
        return hpti_study_fail(s, HPT_E_INVALID, "%s: NULL argument", fn);
    lock(s);
    int rc = check_trial(s, fn, id);
    if (!rc && n != s->hist.n_obj)
        rc = FAIL(s, HPT_E_INVALID, "%s: n is %zu, the study has %zu objective%s", fn, n,
                  s->hist.n_obj, s->hist.n_obj == 1 ? "" : "s");
    if (!rc) {
        const hpti_trial *t = &s->trials[id];
        if (t->state == HPT_TRIAL_COMPLETE || t->state == HPT_TRIAL_PRUNED)
            memcpy(values, t->v, n * sizeof *values);
        else
            rc = FAIL(s, HPT_E_STATE, "%s: trial %lld has no values (%s)", fn, (long long)id,
                      t->state == HPT_TRIAL_RUNNING ? "running" : "failed");
    }
    unlock(s);
    return rc;
}

int hpt_trial_constraints(const hpt_study *s, int64_t id, double *c, size_t m)
{
    const char *fn = "hpt_trial_constraints";
    hpti_clear_error();
    if (!s || (!c && m))
        return hpti_study_fail(s, HPT_E_INVALID, "%s: NULL argument", fn);
    lock(s);
    int rc = check_trial(s, fn, id);
    if (!rc && m != s->hist.n_con)
        rc = FAIL(s, HPT_E_INVALID, "%s: m is %zu, the study has %zu constraint%s", fn, m,
                  s->hist.n_con, s->hist.n_con == 1 ? "" : "s");
    if (!rc) {
        const hpti_trial *t = &s->trials[id];
        if (t->state == HPT_TRIAL_COMPLETE) {
            if (m)
                memcpy(c, t->v + s->hist.n_obj, m * sizeof *c);
        } else
            rc = FAIL(s, HPT_E_STATE, "%s: trial %lld has no constraint values (%s)", fn,
                      (long long)id,
                      t->state == HPT_TRIAL_RUNNING ? "running"
                      : t->state == HPT_TRIAL_FAILED ? "failed"
                                                      : "pruned");
    }
    unlock(s);
    return rc;
}

int hpt_trial_feasible(const hpt_study *s, int64_t id, int32_t *feasible)
{
    const char *fn = "hpt_trial_feasible";
    hpti_clear_error();
    if (!s || !feasible)
        return hpti_study_fail(s, HPT_E_INVALID, "%s: NULL argument", fn);
    lock(s);
    int rc = check_trial(s, fn, id);
    if (!rc && s->trials[id].state == HPT_TRIAL_RUNNING)
        rc = FAIL(s, HPT_E_STATE, "%s: trial %lld is running", fn, (long long)id);
    if (!rc)
        *feasible = hpti_study_finished_feasible(s, id);
    unlock(s);
    return rc;
}

/* ---- the front ---- */

/* The ids of the feasible complete trials of the largest budget among
 * them into ids (room for n_trials); @return their number. */
static size_t candidates(const hpt_study *s, int64_t *ids)
{
    double top = -INFINITY;
    for (size_t i = 0; i < s->n_trials; i++)
        if (hpti_study_feasible(s, (int64_t)i)) {
            double b = s->trials[i].budget > 0 ? s->trials[i].budget : INFINITY;
            top = b > top ? b : top;
        }
    size_t k = 0;
    for (size_t i = 0; i < s->n_trials; i++)
        if (hpti_study_feasible(s, (int64_t)i)) {
            double b = s->trials[i].budget > 0 ? s->trials[i].budget : INFINITY;
            if (b == top)
                ids[k++] = (int64_t)i;
        }
    return k;
}

/* The front's ids (ascending) into front, n_front its size, and its loss
 * rows (n_obj each) into rows when not NULL; both have room for n_trials.
 * @return HPT_OK or HPT_E_NOMEM. */
static int front_of(const hpt_study *s, int64_t *front, size_t *n_front, double *rows)
{
    size_t N = s->n_trials ? s->n_trials : 1, n = s->hist.n_obj, nv = s->hist.n_values;
    double *pts = hpti_malloc(N * n * sizeof *pts);
    unsigned char *on = hpti_malloc(N);
    int rc = pts && on ? HPT_OK : HPT_E_NOMEM;
    if (!rc) {
        size_t k = candidates(s, front);
        for (size_t r = 0; r < k; r++)
            memcpy(pts + r * n, s->hist.value + (size_t)front[r] * nv, n * sizeof *pts);
        hpti_pareto_front(pts, k, n, n, on);
        size_t f = 0;
        for (size_t r = 0; r < k; r++)
            if (on[r]) {
                front[f] = front[r];
                if (rows)
                    memcpy(rows + f * n, pts + r * n, n * sizeof *pts);
                f++;
            }
        *n_front = f;
    }
    hpti_free(pts);
    hpti_free(on);
    return rc;
}

int hpti_study_front(const hpt_study *s, unsigned char *on_front)
{
    int64_t *f = hpti_malloc((s->n_trials ? s->n_trials : 1) * sizeof *f);
    size_t k = 0;
    int rc = f ? front_of(s, f, &k, NULL) : HPT_E_NOMEM;
    if (!rc) {
        memset(on_front, 0, s->n_trials);
        for (size_t i = 0; i < k; i++)
            on_front[f[i]] = 1;
    }
    hpti_free(f);
    return rc;
}

int hpt_study_pareto(const hpt_study *s, int64_t *ids, size_t cap, size_t *needed)
{
    const char *fn = "hpt_study_pareto";
    hpti_clear_error();
    if (!s || !needed || (!ids && cap))
        return hpti_study_fail(s, HPT_E_INVALID, "%s: NULL argument", fn);
    lock(s);
    int64_t *f = hpti_malloc((s->n_trials ? s->n_trials : 1) * sizeof *f);
    size_t k = 0;
    int rc = f ? front_of(s, f, &k, NULL) : HPT_E_NOMEM;
    if (rc)
        rc = FAIL(s, rc, "%s: out of memory", fn);
    else {
        *needed = k;
        for (size_t i = 0; i < k && i < cap; i++)
            ids[i] = f[i];
        if (k > cap)
            rc = FAIL(s, HPT_E_RANGE, "%s: the front has %zu trials, the buffer holds %zu",
                      fn, k, cap);
    }
    hpti_free(f);
    unlock(s);
    return rc;
}

int hpt_study_hypervolume(const hpt_study *s, const double *reference, size_t n, double *hv)
{
    const char *fn = "hpt_study_hypervolume";
    hpti_clear_error();
    if (!s || !reference || !hv)
        return hpti_study_fail(s, HPT_E_INVALID, "%s: NULL argument", fn);
    lock(s);
    int rc = HPT_OK;
    double ref[HPT_MAX_OBJECTIVES];
    if (n != s->hist.n_obj)
        rc = FAIL(s, HPT_E_INVALID, "%s: n is %zu, the study has %zu objective%s", fn, n,
                  s->hist.n_obj, s->hist.n_obj == 1 ? "" : "s");
    for (size_t k = 0; !rc && k < n; k++) {
        if (!isfinite(reference[k]))
            rc = FAIL(s, HPT_E_INVALID, "%s: reference[%zu] is not finite (%g)", fn, k,
                      reference[k]);
        ref[k] = hpti_study_sign_k(s, k) * reference[k];
    }
    if (!rc) {
        size_t N = s->n_trials ? s->n_trials : 1, k = 0;
        int64_t *f = hpti_malloc(N * sizeof *f);
        double *rows = hpti_malloc(N * n * sizeof *rows);
        rc = f && rows ? front_of(s, f, &k, rows) : HPT_E_NOMEM;
        if (!rc)
            rc = hpti_hypervolume(rows, k, n, n, ref, hv);
        if (rc)
            rc = FAIL(s, rc, "%s: out of memory", fn);
        hpti_free(f);
        hpti_free(rows);
    }
    unlock(s);
    return rc;
}
