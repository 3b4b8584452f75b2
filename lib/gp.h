/* gp.h -- Gaussian-process regression on unit-cube inputs.
 *
 * Model: y = m + f(x) + eps, f ~ GP(0, k), eps ~ N(0, sn2), with the
 * Matern-5/2 ARD kernel (Rasmussen & Williams 2006, eq. 4.17)
 *
 *     k(x, x') = sf2 (1 + s + s^2/3) exp(-s),   s = sqrt(5 sum_j w_j D_j^2),
 *     w_j = 1 / ls_j^2,
 *
 * where D_j = x_j - x'_j for ordered coordinates and, for a categorical
 * coordinate, D_j = 1 when the categories differ and 0 otherwise (the
 * distance of a one-hot encoding scaled to unit distance, so k stays
 * positive definite while ARD keeps one lengthscale per parameter).
 *
 * Conditional coordinates (hpti_gp_set_conditional): a coordinate that
 * is inactive in some configurations (its parameter's conditions fail)
 * uses the arc embedding of Hutter & Osborne 2013 ("A kernel for
 * hierarchical parameter spaces", arXiv:1310.5738, sec. 3) with radius 1
 * and one radian per unit: an active value u maps to (cos u, sin u), an
 * inactive one to the centre (0, 0), so that
 *
 *     D_j^2 = 4 sin^2((x_j - x'_j) / 2)   active in both,
 *             1                         active in exactly one,
 *             0                         inactive in both
 *
 * (a categorical one: [x_j != x'_j], 1, 0 -- a regular simplex with one
 * more vertex for "inactive"). Two configurations are thus compared on the
 * parameters active in both, plus an active-set term: each parameter
 * active in only one of them adds w_j, as much as a categorical mismatch
 * or a value difference of about the whole range (the chord at |D| = 1 is
 * 0.96). The inactive value itself (the canonical u = 1/2 the study
 * stores) is never read. Every coordinate's map is a Euclidean embedding,
 * so k stays positive definite whatever the activity pattern -- the naive
 * "skip the coordinates inactive in either point" is not (three points
 * a, b active with a != b and c inactive give a Gram matrix with a
 * negative eigenvalue) -- and ARD keeps one lengthscale per parameter, no
 * new hyperparameter. Near an observation (|D| small) the chord equals the
 * plain difference to O(D^3): the lengthscales mean the same as in an
 * unconditional space. Coordinates without conditions, and every
 * coordinate of an unconditional space, use the plain D_j above
 * (bit-identical results). Chosen over imputation (inactive values at a
 * fixed u, which libhpt used before and which makes an inactive momentum
 * look like an active 0.5) for its semantics and its positive
 * definiteness; on bench/cond's "net" the two reach the same regret at
 * 100 evaluations (measurements: bench/README.md), at 1.5x the cost per
 * prediction on a conditional space (each point's embedding is computed
 * once: rows when added, candidates per chunk, fitted rows per fit).
 *
 * Hyperparameters theta (gp->np values: HPTI_GP_NP(dim), plus two per
 * warped coordinate, hpti_gp_set_warp): log ls_1..log ls_d, log sf2,
 * log sn2, m. They are fitted by MAP (log marginal likelihood, R&W
 * eq. 2.30, plus the weak priors below) with analytic gradients (R&W eq.
 * 5.9) and GSL's BFGS (vector_bfgs2) from several starts.
 *
 * Priors (targets are standardized by the caller), all weak:
 *   log ls_j ~ N(0, 1)       lengthscales around the cube's side: a smooth
 *                            model unless the data say otherwise (in the
 *                            spirit of Hvarfner, Hellsten & Nardi 2024,
 *                            "Vanilla Bayesian optimization performs great
 *                            in high dimensions"; their sqrt(d) growth was
 *                            worse on our 6-10-D tests at 100 evaluations)
 *   log sf2  ~ N(0, 1.5^2)
 *   log sn2  ~ N(log 1e-6, 3^2)  (deterministic objectives are common; a
 *                            noisy one moves it easily)
 *   m        ~ N(0, 1)
 * plus a steep quadratic wall outside the box ls in [ls_min, 100]
 * (ls_min = HPTI_GP_LS_MIN unless the owner raises gp->ls_lo),
 * sf2 in [1e-3, 1e3], sn2 in [1e-9, 1], |m| <= 10.
 *
 * The factor L (K + sn2 I = L L^T) is stored row-major with leading
 * dimension `cap`, so a new observation appends one row (O(n^2)) and rows
 * past n can be dropped for free (fantasies). Failed factorizations retry
 * with growing diagonal jitter; appends clamp the new pivot (an extra
 * nugget on that one observation). Nothing here aborts or prints.
 *
 * Prior mean (stacked GPs, Golovin et al. 2017, "Google Vizier", sec. 3.3):
 * a GP may take another, fitted GP's posterior mean as its prior mean,
 * m(x) = mean + prior(x): it then models the residuals y - prior(x), and
 * its predictions, gradients and fit include prior(x). The prior GP may
 * itself have a prior (a stack); it must stay unchanged (no new rows or
 * targets) while a GP uses it, and hpti_gp_finalize must have been called
 * on it. */
#ifndef HPT_GP_H
#define HPT_GP_H

#include "common.h"
#include "rng.h"

#define HPTI_GP_NP(dim) ((dim) + 3) /* without input warping */
/* Smallest lengthscale of the box (unit cube), unless gp->ls_lo says more. */
#define HPTI_GP_LS_MIN 0.005

/* Activity of a point: act[j] = 1 when coordinate j is active at u (dim
 * values, unit cube). */
typedef void (*hpti_gp_active_fn)(const void *ctx, const double *u, unsigned char *act);

typedef struct hpti_gp {
    size_t dim, np;
    unsigned char *cat;   /* owned, dim flags: categorical coordinate */
    unsigned char *cond;  /* owned, dim flags: conditional coordinate, or NULL */
    hpti_gp_active_fn active; /* with cond: activity of a point */
    const void *active_ctx;
    size_t nc;            /* with cond: conditional coordinates, */
    size_t *cidx, *cpos;  /* their indices (nc), each one's rank (dim; SIZE_MAX) */
    double *emb;          /* with cond: cap * 2 nc, embeddings of the rows (gp.c) */
    double *kemb;         /* with cond: HPTI_GP_CHUNK * 2 nc, of candidates */
    double *femb;         /* with cond: fcap * 2 nc, of fitted rows */
    int femb_ready;       /* femb holds the rows of the fit under way */
    double *wz, *wzs;     /* with cond: owned, 2 dim: w, and the fit's scratch
                           * weights, with the conditional coordinates' at 0 */
    size_t nw;            /* warped coordinates (hpti_gp_set_warp), 0: none */
    unsigned char *wmask; /* with warp: owned, dim flags */
    double *wab;          /* with warp: owned, 2 dim: a_j, b_j (1, 1 unwarped) */
    double *Z;            /* with warp: cap * dim, the rows warped */
    double *kz;           /* with warp: HPTI_GP_CHUNK * dim, candidates warped */
    double *fZ, *fdz;     /* with warp: fcap * dim fitted rows warped, fcap * 2 nw
                           * their dz/dlog a, dz/dlog b */
    double *theta;        /* owned, np hyperparameters (see above) */
    double *w;            /* owned, 2 dim: 1 / ls^2, then scratch */
    double *ft;           /* owned, 2 np (4 np with a warp): fit scratch */
    double sf2, sn2, mean;
    double jitter;        /* diagonal jitter of the last full factorization */
    int have_theta;       /* theta was fitted at least once */
    double ls_lo;         /* log of the smallest lengthscale (box); set before a fit */

    size_t n, cap;        /* rows in the factor, capacity */
    double *X;            /* cap * dim inputs */
    double *L;            /* cap * cap, lower triangle, ld = cap */
    double *nug;          /* cap: extra diagonal of each row beyond sn2
                           * (believer rows: -sn2 + jitter, noise-free) */
    double *v;            /* cap: L^-1 (y - m) */
    double *alpha;        /* cap: (K + sn2 I)^-1 (y - m) */
    double *y;            /* cap: targets of the rows */
    const struct hpti_gp *prior; /* prior mean (stack), or NULL; not owned */
    double *pm;           /* cap: prior mean at the rows (0 without prior) */
    int alpha_ok;
    double *wk1, *wk2;    /* cap each: work */

    /* batched prediction: cap x chunk kernel block */
    double *Ks;
    size_t ks_cap;

    /* fitting workspace (fit subsets are small) */
    size_t fcap;
    double *fK, *fa, *fX, *fy;
    double *fW;           /* fcap^2: the inverse's work (hpti_la_potri) */
    void *minimizer;      /* gsl_multimin_fdfminimizer *, owned */
    void *gx;             /* gsl_vector *, owned */
    unsigned long n_eval; /* objective evaluations of the last fit */
    unsigned long n_fit;  /* fits so far */
    unsigned long n_reroute; /* hpti_gp_factor_appended calls so far: rows
                              * so built need not equal the factored ones
                              * bit for bit, so what was solved against
                              * the old rows is not kept (bayes_fant.h) */
} hpti_gp;

/* Chunk of candidates predicted per BLAS call (bounds the Ks block). */
#define HPTI_GP_CHUNK 256

/* cat may be NULL (no categorical coordinates). Sets the default theta
 * (prior medians). @return HPT_OK or HPT_E_NOMEM. */
int hpti_gp_init(hpti_gp *gp, size_t dim, const unsigned char *cat);
void hpti_gp_free(hpti_gp *gp);
/* Conditional coordinates (above): cond (dim flags, copied) marks those
 * that may be inactive, fn(ctx, u, act) tells which are active at a point;
 * ctx must outlive the GP. No-op when no flag is set. Call before any row
 * is added. @return HPT_OK or HPT_E_NOMEM. */
int hpti_gp_set_conditional(hpti_gp *gp, const unsigned char *cond, hpti_gp_active_fn fn,
                            const void *ctx);
/* Room for n rows. @return HPT_OK or HPT_E_NOMEM. */
int hpti_gp_reserve(hpti_gp *gp, size_t n);

/* Set theta (np values; clamped to the box) and the derived quantities.
 * The factor must be rebuilt afterwards. */
void hpti_gp_set_theta(hpti_gp *gp, const double *theta);
/* The default starting point (gp->np values): prior medians. */
void hpti_gp_default_theta(const hpti_gp *gp, double *theta);

/* Input warping (Snoek, Swersky, Zemel & Adams 2014, "Input warping for
 * Bayesian optimization of non-stationary functions"; as in HEBO): each
 * flagged ordered coordinate (not categorical, not conditional) enters
 * the kernel through a Kumaraswamy CDF z = 1 - (1 - x^a)^b, x clamped to
 * [0, 1] and squeezed into [1e-9, 1 - 1e-9], with log a and log b two
 * more hyperparameters each (theta after m, in coordinate order; prior
 * N(0, 0.75^2), box |log| <= log 10; at a = b = 1 exactly the coordinate
 * is used as it is, the identity), fitted with the others (hpti_gp_fit). A parameter whose scale the space gets wrong (a
 * learning rate declared linear) is then stretched where the objective
 * varies. Predictions and their gradients stay in x (chain rule); gp->X
 * keeps the rows as given. flags: dim values, read only. Call after
 * hpti_gp_init (and hpti_gp_set_conditional) and before any row or fit;
 * a no-op when no coordinate qualifies, when the GP already has a warp or
 * rows. Resizes theta (gp->np grows by 2 per warped coordinate) and the
 * fit workspace. @return HPT_OK or HPT_E_NOMEM (gp unchanged). */
int hpti_gp_set_warp(hpti_gp *gp, const unsigned char *flags);
/* Coordinate j's warp at x (x itself when unwarped), with dz/dx when
 * dzdx is not NULL (0 outside the cube); and its inverse on [0, 1]. */
double hpti_gp_warp1(const hpti_gp *gp, size_t j, double x, double *dzdx);
double hpti_gp_unwarp1(const hpti_gp *gp, size_t j, double z);

/* Kernel value between two inputs (without noise). */
double hpti_gp_kernel(const hpti_gp *gp, const double *a, const double *b);

/* Factor K + sn2 I over the n rows of X (n x dim, copied) from scratch.
 * @return HPT_OK, HPT_E_NOMEM, HPT_E_NUMERIC (no jitter up to 1e-2 sf2
 * made the matrix positive definite). */
int hpti_gp_factor(hpti_gp *gp, const double *X, size_t n);
/* The fallback of a failed hpti_gp_factor: the n rows of X appended one
 * by one to an empty factor under the given jitter (the pivot floor keeps
 * every row usable). Counts n_reroute. X (n x dim, not owned) may be
 * gp->X: the rows are reserved before any is appended, so it does not
 * move. The targets must be set again.
 * @return HPT_OK or HPT_E_NOMEM (the reservation failed; gp unchanged). */
int hpti_gp_factor_appended(hpti_gp *gp, const double *X, size_t n, double jitter);
/* Append one input row (O(n^2)); the targets must be set again. x must
 * not point into gp (the append may move gp's arrays).
 * @return HPT_OK or HPT_E_NOMEM. */
int hpti_gp_append(hpti_gp *gp, const double *x);
/* hpti_gp_append when the first `known` entries of the new factor row
 * (row = L^-1 k(X, x) over the first known rows) are already at hand,
 * e.g. kept from an earlier append of x onto the same leading rows: they
 * are copied from pre instead of computed (O((n - known) n) instead of
 * O(n^2)), and the result is hpti_gp_append's bit for bit when they are
 * what it computed (linalg.h, hpti_la_trsv_from). known is clamped to n.
 * @return HPT_OK or HPT_E_NOMEM. */
int hpti_gp_append_solved(hpti_gp *gp, const double *x, const double *pre, size_t known);
/* Drop rows past n (n <= gp->n). */
void hpti_gp_truncate(hpti_gp *gp, size_t n);
/* Targets of the n rows: computes v = L^-1 (y - m). O(n^2). */
void hpti_gp_set_targets(hpti_gp *gp, const double *y);
/* Append one input row whose target is the current posterior mean there
 * (kriging believer, Ginsbourger et al. 2010): v gets a zero entry. The
 * row is noise-free: it conditions on the latent f(x), its diagonal
 * k(x, x) plus the factor's jitter without sn2 (nug = jitter - sn2, and
 * the pivot floor of any append), so it removes f's variance at x
 * whatever the fitted noise -- under a large sn2 a noisy believer row
 * barely lowers it, and a batch of asks piles up on one point. Two
 * believers at one point, or one at a row under a small sn2, reach the
 * pivot floor: the factor stays positive definite.
 * @return HPT_OK or HPT_E_NOMEM. */
int hpti_gp_append_believer(hpti_gp *gp, const double *x);
/* The same with known leading entries of the row (hpti_gp_append_solved). */
int hpti_gp_append_believer_solved(hpti_gp *gp, const double *x, const double *pre,
                                   size_t known);

/* Use prior's posterior mean as this GP's prior mean (NULL: none); set
 * before factoring. prior must have the same dim and be finalized. */
void hpti_gp_set_prior(hpti_gp *gp, const hpti_gp *prior);
/* Make a factored GP with targets usable as a prior (computes K^-1 r). */
void hpti_gp_finalize(hpti_gp *gp);
/* Posterior mean of a finalized GP at x, its own prior included; when
 * grad is not NULL, the gradient (dim values, 0 on categorical
 * coordinates) is added to it. O(n dim) per GP of the stack. */
double hpti_gp_mean_at(const hpti_gp *gp, const double *x, double *grad);

/* Posterior of the latent f at m points (Xs: m x dim, row-major): means
 * and variances (floored at 1e-12 sf2... never negative). Level-3 BLAS in
 * chunks of HPTI_GP_CHUNK. */
void hpti_gp_predict(hpti_gp *gp, const double *Xs, size_t m, double *mu, double *var);
/* Posterior at one point with gradients (dmu, dvar: dim values, 0 on
 * categorical coordinates). */
void hpti_gp_predict_grad(hpti_gp *gp, const double *x, double *mu, double *var,
                          double *dmu, double *dvar);
/* The same for c points at once (Xs: c x dim; dmu, dvar: c x dim),
 * c <= HPTI_GP_CHUNK / 2: two triangular solves with c right-hand sides,
 * one pass over the factor each. */
void hpti_gp_predict_grad_batch(hpti_gp *gp, const double *Xs, size_t c, double *mu,
                                double *var, double *dmu, double *dvar);
/* Posterior mean at the training rows (mu: n values), i.e.
 * y_i - (sn2 + nug_i) alpha_i. */
void hpti_gp_train_mean(hpti_gp *gp, double *mu);

/* Negative log posterior of theta (-(log marginal likelihood + log prior))
 * over the n rows (X, y) and its gradient (grad: np values, may be NULL).
 * Uses the fitting workspace (reserve with hpti_gp_fit_reserve).
 * Returns a large finite value when the matrix cannot be factored. */
double hpti_gp_nlp(hpti_gp *gp, const double *X, const double *y, size_t n,
                   const double *theta, double *grad);
int hpti_gp_fit_reserve(hpti_gp *gp, size_t n);
/* MAP fit over (X, y), n rows: BFGS from the current theta and from
 * `restarts` draws of the prior, at most max_iter iterations each; keeps
 * the best. With a warp that is the first stage, the warp held at the
 * identity (the unwarped fit, bit for bit); a second stage frees it from
 * that result (and from the current theta when it has a warp), and the
 * warp is kept per coordinate only past a likelihood-ratio test (gp.c,
 * fit_warp). Sets theta; the factor must be rebuilt afterwards.
 * @return HPT_OK or HPT_E_NOMEM. */
int hpti_gp_fit(hpti_gp *gp, const double *X, const double *y, size_t n, hpti_rng *rng,
                int restarts, int max_iter);

#endif
