/* standardize.h -- targets to zero mean and unit spread, as the GP models
 * of bayes.c (the objective) and bayes_mo.c (each constraint) see them. */
#ifndef HPT_STANDARDIZE_H
#define HPT_STANDARDIZE_H

#include <stddef.h>

/* y = (y - m) / s in place (n >= 1), m the mean and s the standard
 * deviation (over n) of y; *mean = m, *sd = s. A constant y (s at most
 * 1e-12 max(|m|, 1)) has no spread to divide by: s = 1, so every target is
 * 0; or with by_mean s = |m| (1 when m = 0), so that a constant
 * constraint's targets and bound keep their sign. */
void hpti_standardize(double *y, size_t n, int by_mean, double *mean, double *sd);

#endif
