/* completion.c -- completion criteria: when ask answers HPT_DONE, and why.
 *
 * Checked at every ask, before the strategy proposes, in this order:
 *   max_trials    trials asked >= max_trials (the option lives in study.c)
 *   max_resource_total  the resource of the trials asked reached it (the
 *                 study sums it: a trial's budget, 1 for budget 0, and only
 *                 the increment over its parent for a promotion)
 *   target_value  the best complete trial reached the target (<= when
 *                 minimizing, >= when maximizing)
 *   patience      the last `patience` complete trials in a row did not
 *                 improve the best (a trial improves it when strictly better)
 *   max_seconds   the study's active time reached max_seconds
 * then the strategy itself may answer HPT_DONE ("exhausted", "converged").
 * Only this study's own trials count: warm-start observations never reach
 * a target or reset patience. The options ("max_seconds",
 * "max_resource_total", "target_value", "patience") are described in the
 * study's option table (study.c); the limits may also be raised after the
 * first ask (study_options.c). */
#include <math.h>
#include <string.h>

#include "completion.h"

static double now_seconds(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

double hpti_clock_elapsed(const hpti_completion *c)
{
    return c->base + (c->clock_on ? now_seconds(&c->t0) : 0.0);
}

void hpti_clock_start(hpti_completion *c, double base)
{
    c->base = base;
    clock_gettime(CLOCK_MONOTONIC, &c->t0);
    c->clock_on = 1;
}

static int done(hpti_completion *c, const char *reason)
{
    c->reason = reason;
    return HPT_DONE;
}

int hpti_criteria_check(hpti_completion *c, const hpti_completion_view *v, char *msg)
{
    if (!c->clock_on && !v->replaying)
        hpti_clock_start(c, c->base);
    if (v->max_trials && v->n_trials >= v->max_trials) {
        hpti_fail(msg, HPT_DONE, "hpt_study_ask: max_trials (%lld) reached",
                  (long long)v->max_trials);
        return done(c, "max_trials");
    }
    if (c->max_resource > 0 && v->resource >= c->max_resource) {
        hpti_fail(msg, HPT_DONE,
                  "hpt_study_ask: max_resource_total (%g) reached (%.17g asked)",
                  c->max_resource, v->resource);
        return done(c, "max_resource_total");
    }
    if (!isnan(c->target) && v->best >= 0) {
        double b = v->best_value;
        if (v->maximize ? b >= c->target : b <= c->target) {
            hpti_fail(msg, HPT_DONE,
                      "hpt_study_ask: target_value %.17g reached (best %.17g, trial %lld)",
                      c->target, b, (long long)v->best);
            return done(c, "target_value");
        }
    }
    if (c->patience && c->since_best >= c->patience) {
        hpti_fail(msg, HPT_DONE,
                  "hpt_study_ask: the best did not improve in the last %lld complete "
                  "trials (patience %lld)",
                  (long long)c->since_best, (long long)c->patience);
        return done(c, "patience");
    }
    /* Time is not replayed: the asks being replayed all happened in time. */
    if (c->max_seconds > 0 && !v->replaying) {
        double t = hpti_clock_elapsed(c);
        if (t >= c->max_seconds) {
            hpti_fail(msg, HPT_DONE, "hpt_study_ask: max_seconds %g reached (%.3f s active)",
                      c->max_seconds, t);
            return done(c, "max_seconds");
        }
    }
    return HPT_OK;
}

void hpti_criteria_finished(hpti_completion *c, int improved)
{
    c->since_best = improved ? 0 : c->since_best + 1;
}
