/* pruner.h -- the interface of early-stopping rules ("pruner" option).
 *
 * Same pattern as strategies: a static const type object per rule, one file
 * each, one line in registry.c. `should_stop` is asked after every report of
 * a running trial; it reads the history (strategy.h, hpti_env) and never the
 * study. Losses are minimized (the study negates when maximizing). */
#ifndef HPT_PRUNER_H
#define HPT_PRUNER_H

#include "common.h"
#include "options.h"
#include "strategy.h"

typedef struct hpti_pruner_type {
    const char *name;
    size_t state_size;
    /* Options named "pruner.<key>", stored in the state (as strategies'). */
    const hpti_option *options;
    size_t n_options;
    int (*init)(void *state, const hpti_env *env, char *msg);
    /* After trial `id` reported (step, loss; already in its curve): 1 =
     * stop it, 0 = go on. */
    int (*should_stop)(void *state, const hpti_env *env, int64_t id, double step,
                       double loss);
    void (*free)(void *state);
} hpti_pruner_type;

const hpti_pruner_type *hpti_pruner_lookup(const char *name);
const hpti_pruner_type *hpti_pruner_at(size_t i);

#endif
