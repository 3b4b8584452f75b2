/* enqueue.c -- hpt_study_enqueue: configurations the host wants tried (a
 * hand-picked default, a known good point, a partly fixed one), asked
 * before the strategy's own proposals, first in first out.
 *
 * At ask time (study.c, with queue.c): when the next entry decides every active
 * parameter the strategy is not consulted (a grid keeps all its points);
 * otherwise the strategy proposes with the entry's coordinates in
 * hpti_proposal.fixed and they replace its choice in the fixed
 * coordinates, so the strategy fills the free ones: bayes and hyperband's
 * model sampler maximize their acquisition over the free coordinates with
 * the fixed ones held (acq.h, slice); random and sobol draw every
 * coordinate as always, so the free ones are uniform / a projection of the
 * Sobol sequence (its balance holds on any subset of coordinates), and the
 * fixed draws are simply overwritten; grid spends its next point, whose
 * free coordinates are kept. A proposal that
 * continues a trial (hyperband's promotions) keeps its parent's
 * configuration, and the entry waits for the next ask. */
#include <math.h>
#include <string.h>

#include "durable.h"
#include "study.h"

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
    if (hpti_queue_push(&s->queue, s->dim, v))
        return hpti_fail(s->errmsg, HPT_E_NOMEM, "%s: out of memory", fn);
    return hpti_journal_enqueue(s, v);
}

int hpt_study_enqueue(hpt_study *s, const double *values, size_t n)
{
    hpti_clear_error();
    if (!s || !values)
        return hpti_study_fail(s, HPT_E_INVALID, "hpt_study_enqueue: NULL argument");
    pthread_mutex_lock(&s->lock);
    int rc = hpti_change_begin(s, "hpt_study_enqueue");
    if (!rc)
        rc = enqueue_locked(s, values, n);
    hpti_change_end(s);
    pthread_mutex_unlock(&s->lock);
    return rc;
}
