/* gp_check.h -- a check shared by the GP tests: the negative log
 * posterior's analytic gradient (hpti_gp_nlp) against central differences
 * in every hyperparameter, at theta th (gp->np values). */
#ifndef HPT_TEST_GP_CHECK_H
#define HPT_TEST_GP_CHECK_H

#include <math.h>
#include <string.h>

#include "testutil.h"

#include "gp.h"

static void gpc_nlp_gradient(hpti_gp *gp, const double *X, const double *y, size_t n,
                             const double *th)
{
    double g[64], tp[64];
    size_t np = gp->np;
    assert_true(np <= 64);
    double f = hpti_gp_nlp(gp, X, y, n, th, g);
    assert_true(isfinite(f));
    for (size_t j = 0; j < np; j++) {
        double h = 1e-5;
        memcpy(tp, th, np * sizeof *tp);
        tp[j] += h;
        double fp = hpti_gp_nlp(gp, X, y, n, tp, NULL);
        tp[j] -= 2 * h;
        double fm = hpti_gp_nlp(gp, X, y, n, tp, NULL);
        double fd = (fp - fm) / (2 * h);
        if (fabs(fd - g[j]) > 1e-5 * (1 + fabs(fd)))
            fail_msg("theta %zu: analytic %.10g, finite difference %.10g", j, g[j], fd);
    }
}

#endif
