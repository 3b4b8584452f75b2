/* enqueue.c -- hpt_study_enqueue: configurations the host wants tried (a
 * hand-picked default, a known good point, a partly fixed one), asked
 * before the strategy's own proposals, first in first out.
 *
 * At ask time (study.c): when the next entry decides every active
 * parameter the strategy is not consulted (a grid keeps all its points);
 * otherwise the strategy proposes as usual and the entry's values replace
 * its choice in the fixed coordinates, so the strategy fills the free ones
 * (for the model-based strategies that is a proposal over the whole space,
 * not yet an optimization over the free coordinates alone). A proposal that
 * continues a trial (hyperband's promotions) keeps its parent's
 * configuration, and the entry waits for the next ask. */
#include <math.h>
#include <string.h>

#include "durable.h"
#include "study.h"

static const double *front(const hpt_study *s)
{
    return s->queue_head < s->queue_n ? s->queue + s->queue_head * s->dim : NULL;
}

int hpti_queue_fixed(const hpt_study *s)
{
    const double *q = front(s);
    unsigned char st[HPT_MAX_PARAMS];
    if (!q)
        return 0;
    hpti_space_active_partial(s->space, q, st);
    for (size_t i = 0; i < s->dim; i++)
        if (isnan(q[i]) && st[i] != 2)
            return 0;
    return 1;
}

int hpti_queue_apply(hpt_study *s, hpti_proposal *p, int rc, int proposed,
                     const double **given)
{
    const double *q = front(s);
    *given = NULL;
    if (!q || rc < 0 || (proposed && rc == HPT_OK && p->parent >= 0))
        return rc;
    if (!proposed || rc != HPT_OK) {
        /* no proposal to fill the free coordinates from (a grid that is
         * done, hyperband waiting): their middle */
        for (size_t i = 0; i < s->dim; i++)
            p->u[i] = 0.5;
        p->budget = 0;
        p->parent = -1;
    }
    for (size_t i = 0; i < s->dim; i++)
        if (!isnan(q[i]))
            p->u[i] = hpti_param_encode(&s->space->p[i], q[i]);
    /* the row stays in place until the next enqueue, which needs the lock */
    *given = q;
    if (++s->queue_head == s->queue_n)
        s->queue_head = s->queue_n = 0;
    return HPT_OK;
}

static int enqueue_locked(hpt_study *s, const double *v, size_t n)
{
    const char *fn = "hpt_study_enqueue";
    unsigned char st[HPT_MAX_PARAMS];
    if (n != s->dim)
        return hpti_fail(s->errmsg, HPT_E_INVALID,
                         "%s: n is %zu, the space has %zu parameters", fn, n, s->dim);
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]) && !hpti_param_valid(&s->space->p[i], v[i]))
            return hpti_fail(s->errmsg, HPT_E_INVALID,
                             "%s: %g is not a value of '%s' (outside its range, not an "
                             "integer or choice index, or off its step)",
                             fn, v[i], s->space->p[i].name);
    hpti_space_active_partial(s->space, v, st);
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]) && st[i] == 2)
            return hpti_fail(s->errmsg, HPT_E_INVALID,
                             "%s: '%s' is inactive in this configuration (its conditions "
                             "do not hold): give NaN",
                             fn, s->space->p[i].name);
    if (hpti_grow((void **)&s->queue, &s->queue_cap, s->queue_n + 1,
                  s->dim * sizeof *s->queue))
        return hpti_fail(s->errmsg, HPT_E_NOMEM, "%s: out of memory", fn);
    memcpy(s->queue + s->queue_n * s->dim, v, n * sizeof *v);
    s->queue_n++;
    return hpti_journal_enqueue(s, v);
}

int hpt_study_enqueue(hpt_study *s, const double *values, size_t n)
{
    hpti_clear_error();
    if (!s || !values)
        return hpti_fail(s ? s->errmsg : NULL, HPT_E_INVALID,
                         "hpt_study_enqueue: NULL argument");
    pthread_mutex_lock(&s->lock);
    int rc = enqueue_locked(s, values, n);
    pthread_mutex_unlock(&s->lock);
    return rc;
}
