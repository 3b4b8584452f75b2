/* acq.h -- acquisition: expected improvement in log space and its
 * maximizer over the unit cube.
 *
 * For minimization with incumbent f*, posterior mean mu and standard
 * deviation s, EI = s h(z) with z = (f* - mu) / s and
 * h(z) = phi(z) + z Phi(z). log EI = log s + log h(z) is computed as in
 * Ament, Daulton, Eriksson, Balandat & Bakshy 2023, "Unexpected
 * improvements to expected improvement for Bayesian optimization", eq. (9):
 * finite and accurate for every finite z, where EI itself underflows to 0
 * near z = -38.
 *
 * Failed trials enter through a probability of feasibility p(x) from a GP
 * regressed on +1 (finished) / -1 (failed) labels, read as a probit of the
 * label mean's logit: p = Phi(2 atanh(mu_c) / sqrt(1 + s_c^2)); the
 * acquisition is log EI + log p. For |mu_c| < 0.5 this is close to
 * Phi(2 mu_c / sqrt(1 + s_c^2)), but p goes to 0 as mu_c goes to -1:
 * failed trials tell the objective's model nothing, so a failure region
 * keeps its expected improvement, and only a p without a floor stops
 * repeated proposals there. Its lengthscales are at least 0.05 of each
 * range (bayes.c), so one failure also speaks for its neighbourhood. */
#ifndef HPT_ACQ_H
#define HPT_ACQ_H

#include "gp.h"
#include "qrng.h"
#include "space.h"

/* log Phi(z), the log standard normal CDF; finite for every finite z. */
double hpti_log_ncdf(double z);
/* log h(z), h(z) = phi(z) + z Phi(z) (Ament et al. 2023, eq. 9). */
double hpti_log_h(double z);
/* d log h / dz = Phi(z) / h(z), stable in both tails. */
double hpti_dlog_h(double z);
/* log EI for minimization: mu, sigma > 0 of the prediction, best = f*. */
double hpti_log_ei(double mu, double sigma, double best);

/* log p of the failure model at a prediction fm, fv; when
 * dg_dfm is not NULL, d log p / d fm = *dlp_dg * *dg_dfm and
 * d log p / d fv = *dlp_dg * *dg_dfv. */
double hpti_acq_log_pof(double fm, double fv, double *dg_dfm, double *dg_dfv, double *dlp_dg);

/* Most starts refined at once (a batch must fit HPTI_GP_CHUNK / 2). */
#define HPTI_ACQ_MAX_LOCAL 64

/* One acquisition problem: what the maximizer scores. */
typedef struct {
    hpti_gp *gp;            /* objective model (targets in model units) */
    hpti_gp *feas;          /* feasibility model, or NULL */
    double best;            /* incumbent f* in model units */
    const double *centers;  /* n_centers points (row-major) to perturb */
    size_t n_centers;
    size_t n_cand;          /* quasi-random candidates (perturbations: half as many) */
    size_t n_local;         /* best candidates refined by gradient ascent */
    size_t local_iter;      /* steps per refinement */
    const double *fixed;    /* NULL, or dim unit coordinates held fixed (NaN =
                             * free): the search runs on that slice */
    struct hpti_acq_mo *mo; /* several models (acq_mo.h) score instead of
                             * gp and feas, or NULL; gp still gives the
                             * lengthscales of the search steps */
} hpti_acq_problem;

typedef struct {
    size_t dim, cap;
    const hpt_space *space;     /* not owned: ints/categoricals are snapped */
    unsigned char *free_dim;    /* owned: 1 = continuous coordinate */
    size_t n_free;
    unsigned char *move;        /* owned, dim: coordinates the gradient moves in
                                 * this search (continuous and not fixed) */
    double *C;                  /* cap * dim candidates */
    double *mu, *var, *fmu, *fvar, *score;
    void *pairs;                /* cap (score, index) pairs for sorting */
    double *scratch;            /* 2 dim */
    double *b1, *b2;            /* batch predictions: 4 L, 4 L dim (L = HPTI_ACQ_MAX_LOCAL) */
    double *lx, *lg, *lf;       /* refinement: L dim, 3 L dim, 3 L */
    size_t *lidx;               /* L */
    hpti_qrng qrng;             /* Sobol candidates */
    double best_used;           /* incumbent of the last maximize (slice: raised) */
} hpti_acq;

int hpti_acq_init(hpti_acq *a, const hpt_space *space);
void hpti_acq_free(hpti_acq *a);

/* Acquisition at one (snapped) point; grad (dim values, zero on fixed
 * coordinates) may be NULL. */
double hpti_acq_value(hpti_acq *a, const hpti_acq_problem *p, const double *x, double *grad);
/* The same at c (snapped) points X (c x dim) into val, predicted in
 * batches of HPTI_ACQ_MAX_LOCAL (BLAS level 3): what scoring many
 * configurations costs, not c single predictions. */
void hpti_acq_values(hpti_acq *a, const hpti_acq_problem *p, const double *X, size_t c,
                     double *val);

/* Maximize: score n_cand Sobol points (random shift) and n_cand / 2
 * perturbations of the centers, all snapped to the configurations they
 * encode (so integers, steps and choices are scored at the value that
 * would run, inactive parameters at their canonical value), refine the
 * n_local best by projected gradient ascent on the continuous coordinates,
 * and write the k best (best first, row-major, k * dim) to out with their
 * scores. *n_out = min(k, candidates).
 *
 * Conditional spaces: a perturbation moves only parameters active at its
 * center (each with probability min(1, 4 / active ones)); when it moves a
 * parent to another branch, the parameters that become active draw a
 * uniform value (they have none at the center), nested ones too. The
 * gradient of an inactive coordinate is 0 (gp.h), so refinement never
 * moves it.
 *
 * Slice (p->fixed): every candidate takes the fixed coordinates, only the
 * free ones are drawn, perturbed and refined, and a candidate in which a
 * fixed parameter is inactive scores -DBL_MAX (it would drop a value the
 * host gave). The Sobol candidates keep their balance on the free
 * coordinates (a projection of a Sobol sequence is one). The incumbent
 * becomes the larger of p->best and the lowest posterior mean among the
 * slice's candidates (kept in a->best_used): improvement is measured
 * against what the slice itself achieves, otherwise a slice that cannot
 * reach the global incumbent has EI made of variance alone and the search
 * runs to its corners.
 * @return HPT_OK or HPT_E_NOMEM. */
int hpti_acq_maximize(hpti_acq *a, const hpti_acq_problem *p, hpti_rng *rng, size_t k,
                      double *out, double *out_score, size_t *n_out);

#endif
