/* acq_mo.h -- acquisitions over several models: objectives and black-box
 * constraints, each a GP, predicted independently at the same points.
 *
 * With constraint models c_j (feasible when c_j <= 0; bound_j is 0 in the
 * model's units), the log probability of feasibility is
 * sum_j log P(c_j <= bound_j) = sum_j log Phi((bound_j - mu_j) / s_j)
 * (Gardner, Kusner, Xu, Weinberger & Cunningham 2014, "Bayesian
 * optimization with inequality constraints", eq. 5, in log space), plus
 * the probit of the failure model when trials failed (acq.h). The
 * acquisition adds it to
 *   HPTI_ACQ_EHVI  log EHVI of the objectives over a front (ehvi.h);
 *   HPTI_ACQ_EI    log EI of the one objective (constrained log EI);
 *   HPTI_ACQ_POF   nothing: before any feasible observation the
 *                  probability of feasibility alone is maximized.
 * Gradients follow by the chain rule through each model's predictive
 * mean and variance. */
#ifndef HPT_ACQ_MO_H
#define HPT_ACQ_MO_H

#include "acq.h"
#include "ehvi.h"

#define HPTI_ACQ_MAX_MODELS 24 /* 8 objectives + 16 constraints */

enum { HPTI_ACQ_EHVI = 1, HPTI_ACQ_EI = 2, HPTI_ACQ_POF = 3 };

typedef struct hpti_acq_mo {
    int mode;
    size_t n_obj, n_con;
    hpti_gp *gp[HPTI_ACQ_MAX_MODELS]; /* n_obj objectives, then n_con constraints */
    double bound[HPTI_ACQ_MAX_MODELS]; /* constraint j feasible below bound[n_obj + j] */
    hpti_gp *fail;                    /* failure model (acq.h), or NULL */
    hpti_ehvi *ehvi;                  /* HPTI_ACQ_EHVI: the decomposed front */
    double best;                      /* HPTI_ACQ_EI: incumbent */
    /* workspace (hpti_acq_mo_reserve) */
    size_t cap, dim;
    double *mu, *var;                 /* cap per model */
    double *bmu, *bvar, *bdmu, *bdvar; /* batch: L, L, L dim, L dim per model */
} hpti_acq_mo;

/* Room to score m points of dim coordinates. @return HPT_OK or
 * HPT_E_NOMEM. */
int hpti_acq_mo_reserve(hpti_acq_mo *mo, size_t m, size_t dim);
void hpti_acq_mo_free(hpti_acq_mo *mo);

/* The acquisition at m points X (m x dim) into val (acq.c, scoring). */
void hpti_acq_mo_score(hpti_acq_mo *mo, const double *X, size_t m, double *val);
/* Values and gradients (c x dim, zero where free_dim is 0) of c <=
 * HPTI_ACQ_MAX_LOCAL points (acq.c, refinement). */
void hpti_acq_mo_batch(hpti_acq_mo *mo, const unsigned char *free_dim, const double *X,
                       size_t c, double *val, double *grad);

#endif
