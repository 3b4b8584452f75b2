/* registry.c -- the strategies and pruners this build knows, by name.
 * Adding one = its file + one line here. */
#include <string.h>

#include "pruner.h"
#include "strategy.h"

extern const hpti_strategy_type hpti_strategy_grid;
extern const hpti_strategy_type hpti_strategy_random;
extern const hpti_strategy_type hpti_strategy_sobol;
extern const hpti_strategy_type hpti_strategy_bayes;
extern const hpti_strategy_type hpti_strategy_hyperband;
extern const hpti_pruner_type hpti_pruner_median;
extern const hpti_pruner_type hpti_pruner_asha;

static const hpti_strategy_type *const strategies[] = {
    &hpti_strategy_grid,
    &hpti_strategy_random,
    &hpti_strategy_sobol,
    &hpti_strategy_bayes,
    &hpti_strategy_hyperband,
};

/* "none" is not listed: it is the absence of a pruner (study.c). */
static const hpti_pruner_type *const pruners[] = {
    &hpti_pruner_median,
    &hpti_pruner_asha,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const hpti_strategy_type *hpti_strategy_at(size_t i)
{
    return i < COUNT(strategies) ? strategies[i] : NULL;
}

const hpti_strategy_type *hpti_strategy_lookup(const char *name)
{
    for (size_t i = 0; i < COUNT(strategies); i++)
        if (strcmp(strategies[i]->name, name) == 0)
            return strategies[i];
    return NULL;
}

const hpti_pruner_type *hpti_pruner_at(size_t i)
{
    return i < COUNT(pruners) ? pruners[i] : NULL;
}

const hpti_pruner_type *hpti_pruner_lookup(const char *name)
{
    for (size_t i = 0; i < COUNT(pruners); i++)
        if (pruners[i] && strcmp(pruners[i]->name, name) == 0)
            return pruners[i];
    return NULL;
}
