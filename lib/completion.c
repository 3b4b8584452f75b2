/* completion.c -- completion criteria: when ask answers HPT_DONE, and why.
 *
 * Checked at every ask, before the strategy proposes, in this order:
 *   max_trials    trials asked >= max_trials (the option lives in study.c)
 *   target_value  the best complete trial reached the target (<= when
 *                 minimizing, >= when maximizing)
 *   patience      the last `patience` complete trials in a row did not
 *                 improve the best (a trial improves it when strictly better)
 *   max_seconds   the study's active time reached max_seconds
 * then the strategy itself may answer HPT_DONE ("exhausted", "converged").
 * Only this study's own trials count: warm-start observations never reach
 * a target or reset patience. */
#include <math.h>

#include "durable.h"
#include "journal.h"

static double now_seconds(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

double hpti_completion_elapsed(const hpt_study *s)
{
    const hpti_completion *c = &s->done;
    return c->base + (c->clock_on ? now_seconds(&c->t0) : 0.0);
}

void hpti_completion_clock_start(hpt_study *s, double base)
{
    s->done.base = base;
    clock_gettime(CLOCK_MONOTONIC, &s->done.t0);
    s->done.clock_on = 1;
}

static int done(hpt_study *s, const char *reason)
{
    s->done.reason = reason;
    return HPT_DONE;
}

int hpti_completion_check(hpt_study *s)
{
    const hpti_completion *c = &s->done;
    int replaying = hpti_journal_replaying(s);
    int rc = hpti_journal_check(s, "hpt_study_ask");
    if (rc)
        return rc;
    if (!c->clock_on && !replaying)
        hpti_completion_clock_start(s, c->base);
    if (s->max_trials && (int64_t)s->n_trials >= s->max_trials) {
        hpti_fail(s->errmsg, HPT_DONE, "hpt_study_ask: max_trials (%lld) reached",
                  (long long)s->max_trials);
        return done(s, "max_trials");
    }
    if (c->has_target && s->best >= 0) {
        double v = s->trials[s->best].value;
        if (s->direction == HPT_MAXIMIZE ? v >= c->target : v <= c->target) {
            hpti_fail(s->errmsg, HPT_DONE,
                      "hpt_study_ask: target_value %.17g reached (best %.17g, trial %lld)",
                      c->target, v, (long long)s->best);
            return done(s, "target_value");
        }
    }
    if (c->patience && c->since_best >= c->patience) {
        hpti_fail(s->errmsg, HPT_DONE,
                  "hpt_study_ask: the best did not improve in the last %lld complete "
                  "trials (patience %lld)",
                  (long long)c->since_best, (long long)c->patience);
        return done(s, "patience");
    }
    /* Time is not replayed: the asks being replayed all happened in time. */
    if (c->max_seconds > 0 && !replaying) {
        double t = hpti_completion_elapsed(s);
        if (t >= c->max_seconds) {
            hpti_fail(s->errmsg, HPT_DONE,
                      "hpt_study_ask: max_seconds %g reached (%.3f s active)",
                      c->max_seconds, t);
            return done(s, "max_seconds");
        }
    }
    return HPT_OK;
}

void hpti_completion_strategy_done(hpt_study *s)
{
    const char *r = s->type->done_reason ? s->type->done_reason(s->sstate) : NULL;
    s->done.reason = r ? r : "exhausted";
}

void hpti_completion_finished(hpt_study *s, int64_t id)
{
    if (s->trials[id].state != HPT_TRIAL_COMPLETE)
        return;
    /* finish() has already moved `best` to id when id improved it. */
    s->done.since_best = s->best == id ? 0 : s->done.since_best + 1;
}

const char *hpt_study_done_reason(const hpt_study *s)
{
    hpti_clear_error();
    if (!s)
        return "";
    pthread_mutex_lock(&((hpt_study *)s)->lock);
    const char *r = s->done.reason ? s->done.reason : "";
    pthread_mutex_unlock(&((hpt_study *)s)->lock);
    return r;
}
