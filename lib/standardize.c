/* standardize.c -- zero mean, unit spread (standardize.h). */
#include <math.h>

#include "standardize.h"

void hpti_standardize(double *y, size_t n, int by_mean, double *mean, double *sd)
{
    double m = 0.0, s = 0.0;
    for (size_t i = 0; i < n; i++)
        m += y[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        s += (y[i] - m) * (y[i] - m);
    s = sqrt(s / (double)n);
    if (!(s > 1e-12 * (fabs(m) > 1.0 ? fabs(m) : 1.0)))
        s = by_mean && fabs(m) > 0.0 ? fabs(m) : 1.0;
    for (size_t i = 0; i < n; i++)
        y[i] = (y[i] - m) / s;
    *mean = m;
    *sd = s;
}
