/* bayes_discrete.h -- how often each configuration of a space was
 * evaluated, for the rules of "bayes" on discrete spaces (hpt.h,
 * "bayes.repeats"): its exhaustion test counts distinct configurations,
 * not asks, and a proposal whose ranked candidates are all used up is
 * found by enumerating the configurations instead of by chance.
 *
 * Points are compared as the study stores them: every one is first
 * brought to the exact coordinates of the configuration it encodes
 * (u <- encode(decode(u)), inactive parameters canonical), so the same
 * configuration is one point however it was written (a warm start, a
 * snapped candidate). */
#ifndef HPT_BAYES_DISCRETE_H
#define HPT_BAYES_DISCRETE_H

#include "bayes.h"

/* Most configurations (the product of the free parameters' cardinalities)
 * hpti_bayes_free_config walks. */
#define HPTI_BAYES_ENUM_MAX 1048576.0

/* Evaluations of configuration x (already in stored coordinates) among the
 * finished and running points of dt, counted up to cap (the count stops
 * there). */
size_t hpti_bayes_uses(const hpti_bayes_data *dt, const double *x, size_t d, size_t cap);

/* Sum over the distinct configurations among the na points a and the nb
 * points b (a point of b outside [0,1]^d is skipped: a warm start over a
 * wider range is no configuration of this space) of min(evaluations, cap):
 * the evaluations that count towards exhausting a discrete space with cap
 * evaluations per configuration. @return HPT_OK or HPT_E_NOMEM. */
int hpti_bayes_count_configs(const hpt_space *s, const double *a, size_t na, const double *b,
                             size_t nb, size_t cap, double *count);

/* Acquisition of m configurations (stored coordinates, m x dim) into
 * val, larger is better. */
typedef void (*hpti_bayes_score_fn)(void *ctx, const double *X, size_t m, double *val);

/* A configuration of a fully discrete space evaluated fewer than cap times
 * among dt's finished and running points, holding dt->fixed: the
 * configurations are walked in mixed-radix order from a random index, and
 * of the first 256 with room the one of highest score is written to u
 * (score NULL: the first one). @return HPT_OK; HPT_DONE when there is none,
 * the space has a float without step, or more than HPTI_BAYES_ENUM_MAX
 * configurations to walk (u untouched); HPT_E_NOMEM. */
int hpti_bayes_free_config(const hpt_space *s, const hpti_bayes_data *dt, size_t cap,
                           hpti_bayes_score_fn score, void *ctx, hpti_rng *rng, double *u);

#endif
