/* fanova.h -- variance-based (functional ANOVA / Sobol) importance of the
 * parameters: first-order and total Sobol indices of a GP's posterior mean
 * over the space, by quasi-random integration. The public entry point is
 * hpt_study_importance_sobol (hpt.h); the engine below works on plain
 * arrays so that it can be checked against functions whose indices are
 * known in closed form. */
#ifndef HPT_FANOVA_H
#define HPT_FANOVA_H

#include "common.h"
#include "space.h"

/* Base points of the integration when the model is small; shrunk so that
 * samples * (dim + 2) * n stays below HPTI_FANOVA_WORK kernel terms, but
 * never below HPTI_FANOVA_MIN_SAMPLES. */
#define HPTI_FANOVA_SAMPLES 4096
#define HPTI_FANOVA_MIN_SAMPLES 256
#define HPTI_FANOVA_WORK 4e8

/* Fit a GP (gp.h, MAP hyperparameters) to n configurations with unit
 * coordinates U (n x dim, row-major, cell centres as the study stores them)
 * and losses `loss`, then estimate the first-order (first) and total
 * (total) Sobol indices of its posterior mean under the space's uniform
 * measure on the unit cube. Either output may be NULL. Deterministic in
 * `seed`. @return HPT_OK, HPT_E_NOMEM, HPT_E_NUMERIC (the model could not
 * be factored or has no variance), with a message in msg. */
int hpti_fanova(const hpt_space *space, const double *U, const double *loss, size_t n,
                uint64_t seed, double *first, double *total, char *msg);

#endif
