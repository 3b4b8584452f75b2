/* bayes.h -- the model-based proposal engine behind strategy "bayes",
 * reusable by other strategies ("fit on these observations and propose a
 * point", e.g. a model-guided Hyperband).
 *
 * The caller hands the engine everything it knows at each proposal:
 * finished points with their losses (NaN = failed) and running points. The
 * engine keeps a GP factor across calls and extends it by one row per new
 * observation, so the finished list should be append-only between calls
 * (new entries at the end); any other change is detected (the stored rows
 * are compared with the given prefix) and triggers a full refit.
 *
 * One proposal:
 *  1. Losses of the finished, non-failed points go through the output
 *     transform (below) and are standardized.
 *  2. Hyperparameters are refitted on the schedule "refit_every" (0 =
 *     automatic: after every new observation while fewer than 20 were
 *     fitted, then whenever the count grew by 10% since the last fit, so a
 *     run of n observations pays O(log n) fits); between fits each new
 *     observation appends one row to the Cholesky factor (O(n^2)). Fits use
 *     at most fit_max rows: the best half by loss and a seeded random
 *     sample of the rest.
 *  3. Running points enter as kriging-believer fantasies (Ginsbourger, Le
 *     Riche & Carraro 2010): appended rows whose target is the posterior
 *     mean, which shrinks the variance there, so k asks in a row spread out.
 *  4. If any point failed, a second GP on +1/-1 (finished/failed) labels
 *     gives the probability of feasibility that multiplies EI (acq.h).
 *  5. log EI (incumbent: the lowest posterior mean at an observed point,
 *     which is robust to noise) is maximized (acq.h); the best candidate
 *     that is not exactly a finished or running point is returned.
 *     Finished points may lie outside [0,1] (warm starts over a narrowed
 *     range): they are fitted as they are, but the centers the maximizer
 *     perturbs are projected onto the cube, and proposals stay inside it.
 *     With a transfer prior (hpti_bayes_set_transfer) and no observation
 *     yet, the model is the prior alone (constant variance), its centers
 *     and incumbent the lowest prior means at the top parent's points.
 *  6. last_ei records the best candidate's EI in loss units relative to
 *     the range of the losses (for a convergence test, hpt.h).
 *
 * Output transform: when the skewness of the losses exceeds 1 (a few huge
 * values, e.g. Rosenbrock), the losses are replaced by the rank-preserving
 * log(loss - min + c) with c = (median - min) 10^-k, k in {0, ..., 4}
 * chosen to minimize the absolute skewness of the result; the warp is kept
 * only if that skewness is below the original one. (Losses beyond 1e100 in
 * magnitude are first scaled by a power of two, exactly.)
 *
 * Cost control: predicting one candidate costs O(n^2), so past a few
 * hundred observations the candidate count shrinks to keep
 * candidates * n^2 <= 2.5e8 (at least 64 candidates) and the gradient
 * refinement to local_starts * steps * 2 n^2 <= 2e8 (at least one step).
 * Past local_above finished points, the objective and feasibility models
 * are local GPs on at most local_rows * 3/2 of them (bayes_scale.h), so
 * memory and time per proposal stop growing with n. */
#ifndef HPT_BAYES_H
#define HPT_BAYES_H

#include "acq.h"
#include "bayes_scale.h"
#include "gp.h"
#include "rng.h"
#include "space.h"

typedef struct {
    const double *u;     /* n * dim finished points (unit cube), append-only */
    const double *loss;  /* n losses (minimized) at loss[i * stride]; NaN = failed */
    size_t stride;       /* doubles per loss row (history.h: n_values) */
    size_t n;
    const double *pend;  /* n_pend * dim running points */
    size_t n_pend;
} hpti_bayes_data;

typedef struct {
    size_t candidates;   /* Sobol candidates per proposal */
    size_t local_starts; /* candidates refined by gradient ascent */
    size_t local_iter;   /* gradient steps per refinement */
    size_t refit_every;  /* 0 = automatic schedule (above) */
    size_t fit_restarts; /* random starts of the MAP fit besides the previous optimum */
    size_t fit_max;      /* rows used by a hyperparameter fit */
    size_t fit_iter;     /* BFGS iterations per start */
    size_t local_above;  /* past this many rows, the local model (bayes_scale.h) */
    size_t local_rows;   /* its K (<= local_above) */
} hpti_bayes_opts;

typedef struct {
    size_t dim;
    const hpt_space *space; /* not owned */
    hpti_bayes_opts opt;
    hpti_gp gp, feas;
    hpti_acq acq;
    int feas_ready;
    size_t n_real, fit_n;           /* objective: rows in the factor, rows at last fit */
    size_t f_real, f_fit_n;         /* feasibility model, same */
    size_t cap, fcap;
    double *X, *y, *tmp, *lbl;      /* cap (*dim) gathered rows and targets */
    void *pairs;                    /* cap (key, index) pairs */
    size_t *sel;                    /* cap row indices */
    double *fX, *fy;                /* fit subset, fcap rows */
    double *centers, *out, *out_s;  /* proposal scratch */
    unsigned long n_fits;           /* statistics: hyperparameter fits so far */
    hpti_gp *stack;                 /* transfer prior: n_stack GPs, each on the
                                     * residuals of the one below; owned */
    size_t n_stack;
    double last_ei;                 /* last proposal: EI of the best candidate over
                                     * the range of the model's targets (NaN
                                     * when no acquisition ran) */
    hpti_bayes_local local;         /* past opt.local_above rows (bayes_scale.h) */
    hpti_bayes_fantasies fant;      /* running points kept across proposals */
} hpti_bayes;

void hpti_bayes_defaults(hpti_bayes_opts *o);
/* @return HPT_OK or HPT_E_NOMEM (b is then empty; hpti_bayes_free is safe). */
int hpti_bayes_init(hpti_bayes *b, const hpt_space *space, const hpti_bayes_opts *o);
void hpti_bayes_free(hpti_bayes *b);

/* Propose one point (dim values in [0,1], snapped to a valid
 * configuration) from the data. rng drives every random choice.
 * @return HPT_OK, HPT_E_NOMEM; never fails on the data (duplicated points,
 * constant losses, failed factorizations fall back to a space-filling
 * proposal). */
int hpti_bayes_propose(hpti_bayes *b, const hpti_bayes_data *d, hpti_rng *rng, double *u,
                       char *msg);

/* Transfer prior (stacked GPs, Golovin et al. 2017, "Google Vizier",
 * sec. 3.3): observations of related studies -- n rows u (dim values each,
 * possibly outside [0,1]), their losses, and the parent each comes from
 * (0, 1, ... in the order the parents were given). For each parent in
 * order, its losses go through the output transform (standardized on
 * their own), and a GP is fitted (MAP) on them minus the mean of the stack
 * below (at most fit_max rows: the best half and a random sample); the
 * top of the stack becomes the prior mean of the engine's GP, which then
 * models the residuals of the engine's own data: where it has data, its
 * data decide; elsewhere the parents' shape guides EI. A parent whose
 * model cannot be factored is left out. Call before proposing; replaces
 * an earlier prior. @return HPT_OK or HPT_E_NOMEM (no prior then). */
int hpti_bayes_set_transfer(hpti_bayes *b, const double *u, const double *loss,
                            size_t stride, const int32_t *parent, size_t n, hpti_rng *rng,
                            char *msg);

/* The output transform (above) of n losses into y; sorted: n doubles of
 * scratch. */
void hpti_bayes_transform(const double *loss, size_t n, double *y, double *sorted);

#endif
