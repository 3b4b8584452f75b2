/* pruner_median.c -- pruner "median": the median stopping rule (Golovin et
 * al., "Google Vizier", KDD 2017, section 3.2.2; also Optuna's MedianPruner).
 *
 * After trial t reports (step, loss): its best loss so far is compared with
 * the median, over the COMPLETE trials that reported at some step <= step,
 * of each one's summary up to that step: its best loss (pruner.average = 0,
 * default: like compared with like) or the mean of its losses (average = 1,
 * Vizier's running average). t is stopped when strictly worse.
 *
 * Completed trials only: pruned ones were stopped because they were bad and
 * would lower the bar. Steps need not match exactly between trials (steps
 * are doubles): "up to that step" makes every curve comparable.
 *
 * Warm-up: no decision at steps < pruner.warmup_steps, nor with fewer than
 * max(1, pruner.warmup_trials) contributing trials; after warm-up, a trial
 * is judged on every pruner.interval-th of its reports. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "study.h"

typedef struct {
    double warmup_trials, warmup_steps, interval;
    int average;
    double *buf; /* owned scratch: one summary per complete trial */
    size_t cap;
} median_state;

static int median_init(void *state, const struct hpt_study *s, char *msg)
{
    HPTI_UNUSED(s);
    HPTI_UNUSED(msg);
    median_state *st = state;
    st->warmup_trials = 5;
    st->interval = 1;
    return HPT_OK;
}

static int median_set(void *state, const char *key, double v, char *msg)
{
    median_state *st = state;
    if (strcmp(key, "warmup_trials") == 0 || strcmp(key, "interval") == 0) {
        double lo = key[0] == 'i' ? 1 : 0;
        if (!(v >= lo && v <= 1e9) || v != floor(v))
            return hpti_fail(msg, HPT_E_INVALID, "pruner.%s must be an integer in %g..1e9, not %g",
                             key, lo, v);
        *(key[0] == 'i' ? &st->interval : &st->warmup_trials) = v;
        return HPT_OK;
    }
    if (strcmp(key, "warmup_steps") == 0) {
        if (!isfinite(v))
            return hpti_fail(msg, HPT_E_INVALID, "pruner.warmup_steps must be finite");
        st->warmup_steps = v;
        return HPT_OK;
    }
    if (strcmp(key, "average") == 0) {
        if (v != 0 && v != 1)
            return hpti_fail(msg, HPT_E_INVALID, "pruner.average must be 0 or 1, not %g", v);
        st->average = (int)v;
        return HPT_OK;
    }
    return HPT_E_NAME;
}

static int median_get(const void *state, const char *key, double *v)
{
    const median_state *st = state;
    if (strcmp(key, "warmup_trials") == 0)
        *v = st->warmup_trials;
    else if (strcmp(key, "warmup_steps") == 0)
        *v = st->warmup_steps;
    else if (strcmp(key, "interval") == 0)
        *v = st->interval;
    else if (strcmp(key, "average") == 0)
        *v = st->average;
    else
        return HPT_E_NAME;
    return HPT_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int median_should_stop(void *state, const struct hpt_study *s, int64_t id,
                              double step, double loss)
{
    HPTI_UNUSED(loss);
    median_state *st = state;
    const hpti_trial *t = &s->trials[id];
    if (step < st->warmup_steps)
        return 0;
    /* This report's index among the trial's reports past warm-up. */
    size_t k = 0;
    double best = INFINITY;
    for (size_t j = 0; j < t->n_reports; j++) {
        if (t->rep_step[j] >= st->warmup_steps)
            k++;
        if (t->rep_loss[j] < best)
            best = t->rep_loss[j];
    }
    if (fmod((double)(k - 1), st->interval) != 0)
        return 0;

    /* should_stop cannot report an error: without scratch memory the
     * conservative answer is to let the trial go on. */
    size_t n = 0;
    if (hpti_grow((void **)&st->buf, &st->cap, (size_t)s->n_complete + 1, sizeof *st->buf))
        return 0;
    for (size_t i = 0; i < s->n_trials; i++) {
        const hpti_trial *c = &s->trials[i];
        if (c->state != HPT_TRIAL_COMPLETE)
            continue;
        double sum = 0, min = INFINITY;
        size_t cnt = 0;
        for (size_t j = 0; j < c->n_reports; j++)
            if (c->rep_step[j] <= step) {
                sum += c->rep_loss[j];
                min = c->rep_loss[j] < min ? c->rep_loss[j] : min;
                cnt++;
            }
        if (cnt)
            st->buf[n++] = st->average ? sum / (double)cnt : min;
    }
    if (n == 0 || (double)n < st->warmup_trials)
        return 0;
    qsort(st->buf, n, sizeof *st->buf, cmp_double);
    double med = n % 2 ? st->buf[n / 2] : 0.5 * (st->buf[n / 2 - 1] + st->buf[n / 2]);
    return best > med;
}

static void median_free(void *state) { hpti_free(((median_state *)state)->buf); }

const hpti_pruner_type hpti_pruner_median = {
    .name = "median",
    .state_size = sizeof(median_state),
    .init = median_init,
    .set_option = median_set,
    .get_option = median_get,
    .should_stop = median_should_stop,
    .free = median_free,
};
