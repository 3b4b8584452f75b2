/* pruner_asha.c -- pruner "asha": asynchronous successive halving as an
 * early-stopping rule for trials that train to the full budget and report
 * every step (Li et al., MLSys 2020, Algorithm 2, seen from the trial's side;
 * the same rule as Optuna's SuccessiveHalvingPruner).
 *
 * Rungs sit at steps r_k = pruner.min_resource * pruner.eta^k, k = 0, 1, ...
 * A trial reaches rung k with its first report at a step >= r_k; the loss of
 * that report is its value at the rung. When trial t reaches rung k, it
 * competes with every trial that reached rung k before it (whatever their
 * state now: running, complete, pruned or failed -- they all trained that
 * far) plus itself, m values in all; t goes on iff its rank (by loss, ties to
 * the lower id) is below max(1, floor(m / eta)). The first trial at a rung
 * always goes on: with fewer than eta values the top 1/eta would be empty,
 * and stopping a lone trial tells nothing.
 *
 * One report may reach several rungs at once (sparse steps); the trial must
 * survive each of them. Stateless: everything is read from the history's curves. */
#include <math.h>
#include <string.h>

#include "pruner.h"

#define ASHA_MAX_RUNGS 1000 /* rungs looked at; beyond, no more stopping */

typedef struct {
    double min_resource, eta;
} asha_state;

static const hpti_option asha_options[] = {
    {"pruner.min_resource", HPT_OPTION_REAL, HPTI_STORE_DOUBLE, offsetof(asha_state, min_resource),
     1, 0, 1e15, HPTI_OPT_ABOVE_LO, NULL, NULL},
    {"pruner.eta", HPT_OPTION_REAL, HPTI_STORE_DOUBLE, offsetof(asha_state, eta), 3, 1, 1e6,
     HPTI_OPT_ABOVE_LO, NULL, NULL},
};

/* Index of the curve's first report at a step >= r, or -1. */
static int64_t reach(const hpti_curve *t, double r)
{
    for (size_t j = 0; j < t->n; j++)
        if (t->step[j] >= r)
            return (int64_t)j;
    return -1;
}

static int asha_should_stop(void *state, const hpti_env *env, int64_t id, double step,
                            double loss)
{
    const asha_state *st = state;
    const hpti_history *h = env->hist;
    const hpti_curve *t = &h->curve[id];
    int64_t last = (int64_t)t->n - 1;
    for (int k = 0; k < ASHA_MAX_RUNGS; k++) {
        double r = st->min_resource * pow(st->eta, k);
        if (r > step)
            break;
        if (reach(t, r) != last)
            continue; /* reached earlier: judged then */
        size_t m = 0, rank = 0;
        for (size_t i = 0; i < h->n_trials; i++) {
            int64_t j = reach(&h->curve[i], r);
            if (j < 0)
                continue;
            double v = h->curve[i].loss[j];
            m++;
            if ((int64_t)i != id && (v < loss || (v == loss && (int64_t)i < id)))
                rank++;
        }
        double keep = floor((double)m / st->eta * (1 + 1e-9));
        if ((double)rank >= (keep < 1 ? 1 : keep))
            return 1;
    }
    return 0;
}

const hpti_pruner_type hpti_pruner_asha = {
    .name = "asha",
    .state_size = sizeof(asha_state),
    HPTI_OPTIONS(asha_options),
    .should_stop = asha_should_stop,
};
