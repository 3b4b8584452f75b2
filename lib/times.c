/* times.c -- hpt_trial_times: when a trial was asked and when it ended,
 * in Unix time (the rule is wallclock.h's; durable.h stamps them). */
#include <math.h>

#include "study.h"

int hpt_trial_times(const hpt_study *s, int64_t id, double *asked, double *finished)
{
    const char *fn = "hpt_trial_times";
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: study is NULL", fn);
    pthread_mutex_lock(&((hpt_study *)s)->lock);
    int rc = HPT_OK;
    if (id < 0 || (uint64_t)id >= s->n_trials)
        rc = hpti_fail(((hpt_study *)s)->errmsg, HPT_E_TRIAL,
                       "%s: no trial %lld (the study has %zu)", fn, (long long)id,
                       s->n_trials);
    else {
        const hpti_trial *t = &s->trials[id];
        if (asked)
            *asked = t->asked;
        if (finished)
            *finished = t->state == HPT_TRIAL_RUNNING ? NAN : t->finished;
    }
    pthread_mutex_unlock(&((hpt_study *)s)->lock);
    return rc;
}
