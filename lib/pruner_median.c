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
#include <string.h>

#include "pruner.h"
#include "select.h"

/* A complete trial's curve, summarised once: its reports never change after
 * it completed. pre[j] = best (or mean) of its reports 0..j. Kept only for
 * curves whose steps never decrease, so that "the reports at steps <= x"
 * are a prefix, found by binary search. */
typedef struct {
    double *pre; /* owned; NULL = not summarised (yet, or unsorted steps) */
    size_t n;    /* reports summarised */
} median_curve;

typedef struct {
    double warmup_trials, warmup_steps, interval;
    int average;
    double *buf; /* owned scratch: one summary per complete trial */
    size_t cap;
    median_curve *curve; /* owned, indexed by trial id, n_curve zeroed */
    size_t n_curve, cap_curve;
} median_state;

#define IN_MEDIAN(field) offsetof(median_state, field)

static const hpti_option median_options[] = {
    {"pruner.warmup_trials", HPT_OPTION_INT, HPTI_STORE_DOUBLE, IN_MEDIAN(warmup_trials), 5, 0,
     1e9, 0, NULL, NULL},
    {"pruner.warmup_steps", HPT_OPTION_REAL, HPTI_STORE_DOUBLE, IN_MEDIAN(warmup_steps), 0,
     -DBL_MAX, DBL_MAX, 0, NULL, NULL},
    {"pruner.interval", HPT_OPTION_INT, HPTI_STORE_DOUBLE, IN_MEDIAN(interval), 1, 1, 1e9, 0,
     NULL, NULL},
    {"pruner.average", HPT_OPTION_BOOL, HPTI_STORE_INT, IN_MEDIAN(average), 0, 0, 1, 0, NULL,
     NULL},
};

/* Summarise trial i's curve (prefix bests or means) if its steps never
 * decrease; on failure (memory) it is just not cached. */
static void summarise(median_state *st, const hpti_curve *c, size_t i)
{
    if (i >= st->n_curve) {
        if (hpti_grow((void **)&st->curve, &st->cap_curve, i + 1, sizeof *st->curve))
            return;
        memset(st->curve + st->n_curve, 0, (i + 1 - st->n_curve) * sizeof *st->curve);
        st->n_curve = i + 1;
    }
    median_curve *e = &st->curve[i];
    if (e->pre && e->n == c->n)
        return;
    for (size_t j = 1; j < c->n; j++)
        if (!(c->step[j] >= c->step[j - 1]))
            return;
    double *pre = hpti_realloc(e->pre, c->n * sizeof *pre);
    if (!pre)
        return;
    double sum = 0, min = INFINITY;
    for (size_t j = 0; j < c->n; j++) {
        sum += c->loss[j];
        min = c->loss[j] < min ? c->loss[j] : min;
        pre[j] = st->average ? sum / (double)(j + 1) : min;
    }
    e->pre = pre;
    e->n = c->n;
}

/* Complete trial i's best (or mean) over its reports at steps <= step;
 * 0 when it has none. */
static int summary(median_state *st, const hpti_curve *c, size_t i, double step, double *v)
{
    summarise(st, c, i);
    if (i < st->n_curve && st->curve[i].pre && st->curve[i].n == c->n) {
        size_t lo = 0, hi = c->n; /* count of steps <= step */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (c->step[mid] <= step)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == 0)
            return 0;
        *v = st->curve[i].pre[lo - 1];
        return 1;
    }
    double sum = 0, min = INFINITY;
    size_t cnt = 0;
    for (size_t j = 0; j < c->n; j++)
        if (c->step[j] <= step) {
            sum += c->loss[j];
            min = c->loss[j] < min ? c->loss[j] : min;
            cnt++;
        }
    if (cnt)
        *v = st->average ? sum / (double)cnt : min;
    return cnt > 0;
}

static int median_should_stop(void *state, const hpti_env *env, int64_t id, double step,
                              double loss)
{
    HPTI_UNUSED(loss);
    median_state *st = state;
    const hpti_history *h = env->hist;
    const hpti_curve *t = &h->curve[id];
    if (step < st->warmup_steps)
        return 0;
    /* This report's index among the trial's reports past warm-up. */
    size_t k = 0;
    double best = INFINITY;
    for (size_t j = 0; j < t->n; j++) {
        if (t->step[j] >= st->warmup_steps)
            k++;
        if (t->loss[j] < best)
            best = t->loss[j];
    }
    if (fmod((double)(k - 1), st->interval) != 0)
        return 0;

    /* should_stop cannot report an error: without scratch memory the
     * conservative answer is to let the trial go on. */
    size_t n = 0;
    if (hpti_grow((void **)&st->buf, &st->cap, h->n_complete + 1, sizeof *st->buf))
        return 0;
    for (size_t i = 0; i < h->n_trials; i++)
        if (h->state[i] == HPT_TRIAL_COMPLETE && summary(st, &h->curve[i], i, step, &st->buf[n]))
            n++;
    if (n == 0 || (double)n < st->warmup_trials)
        return 0;
    double med = hpti_select_kth(st->buf, n, n / 2);
    if (n % 2 == 0) { /* the mean of the two middle values */
        double below = st->buf[0];
        for (size_t i = 1; i < n / 2; i++)
            below = st->buf[i] > below ? st->buf[i] : below;
        med = 0.5 * (below + med);
    }
    return best > med;
}

static void median_free(void *state)
{
    median_state *st = state;
    hpti_free(st->buf);
    for (size_t i = 0; i < st->n_curve; i++)
        hpti_free(st->curve[i].pre);
    hpti_free(st->curve);
}

const hpti_pruner_type hpti_pruner_median = {
    .name = "median",
    .state_size = sizeof(median_state),
    HPTI_OPTIONS(median_options),
    .should_stop = median_should_stop,
    .free = median_free,
};
