/* hartmann6.h -- the Hartmann 6-D test function on [0,1]^6, and a
 * multi-fidelity variant, for the simulator.
 *
 * f(x) = -sum_i alpha_i exp(-sum_j A_ij (x_j - P_ij)^2), constants from
 * Dixon & Szegő, "The global optimization problem: an introduction" (1978),
 * as tabulated by Surjanovic & Bingham's Virtual Library of Simulation
 * Experiments (sfu.ca/~ssurjano/hart6.html). Global minimum
 * f* = -3.32237 at x* = (0.20169, 0.150011, 0.476874, 0.275332, 0.311652,
 * 0.6573).
 *
 * Fidelity z in (0, 1] (z = 1: the real function): alpha_i is replaced by
 * alpha_i - 0.1 (1 - z), the multi-fidelity Hartmann of Kandasamy et al.,
 * "Multi-fidelity Bayesian optimisation with continuous approximations"
 * (ICML 2017), so a low-budget evaluation is biased but ranks points much
 * like the full one. */
#ifndef HPT_SIM_HARTMANN6_H
#define HPT_SIM_HARTMANN6_H

#include <math.h>

#define HARTMANN6_FSTAR (-3.32237)

static const double hartmann6_x_star[6] = {0.20169, 0.150011, 0.476874,
                                           0.275332, 0.311652, 0.6573};

static inline double hartmann6_fidelity(const double *x, double z)
{
    static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
    static const double A[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                   {0.05, 10, 17, 0.1, 8, 14},
                                   {3, 3.5, 1.7, 10, 17, 8},
                                   {17, 8, 0.05, 10, 0.1, 14}};
    static const double P[4][6] = {{1312, 1696, 5569, 124, 8283, 5886},
                                   {2329, 4135, 8307, 3736, 1004, 9991},
                                   {2348, 1451, 3522, 2883, 3047, 6650},
                                   {4047, 8828, 8732, 5743, 1091, 381}};
    double f = 0;
    for (int i = 0; i < 4; i++) {
        double s = 0;
        for (int j = 0; j < 6; j++) {
            double d = x[j] - 1e-4 * P[i][j];
            s += A[i][j] * d * d;
        }
        f -= (alpha[i] - 0.1 * (1.0 - z)) * exp(-s);
    }
    return f;
}

static inline double hartmann6(const double *x) { return hartmann6_fidelity(x, 1.0); }

#endif
