/* bayes_feas.h -- the rows of the bayes engine's feasibility model past a
 * size (bayes.h, step 4).
 *
 * The feasibility GP on every finished point costs as much as the
 * objective's: the same O(n^2) per scored candidate and a fit of its own,
 * so one failed trial early in a run doubled every later ask (issue 19:
 * hyperband's model sampler, 1,000 trials in 6-D, 2.2 x the CPU time of
 * the failure-free run). What the model has to say is local: the
 * probability of feasibility drops near failures and is flat far from
 * them. Past HPTI_BAYES_FEAS_ROWS finished points the model therefore
 * sees at most that many rows, chosen as a pure function of the rows (the
 * same history gives the same model however the calls were spread):
 *
 *   - the failed rows, the newest HPTI_BAYES_FEAS_ROWS / 2 if there are
 *     more (the search has moved on from older ones);
 *   - of the remaining room s among the finished ones: the s / 2 nearest
 *     to a chosen failure (Euclidean in the unit cube), which draw the
 *     boundary; the s / 4 of lowest loss, so that where the search
 *     exploits, the model knows trials succeed; then the rest spread
 *     evenly over the others in index order, which keep the model's
 *     level at large;
 *   - in index order.
 *
 * The factor over those rows is built again at each proposal
 * (HPTI_BAYES_FEAS_ROWS^3 / 3 flops: a fraction of a millisecond). Its
 * hyperparameters are refitted when the failures grew by 10% (at least
 * one) since the last fit, since what a classifier learns comes from
 * them, else when the finished points grew by half (by refit_every when
 * that is set). Up to the size every row is used and the schedule is the
 * objective's, as before.
 *
 * In the acquisition, the failure model is predicted only where it can
 * change the ranking (acq.c, add_feasibility). Measured (bench/README.md,
 * issue 19): the failure model's share of the asks from 55% to about 10%. */
#ifndef HPT_BAYES_FEAS_H
#define HPT_BAYES_FEAS_H

#include <stddef.h>

#define HPTI_BAYES_FEAS_ROWS 64

typedef struct {
    size_t cap;        /* finished points the scratch holds */
    double *key;       /* 3 cap: a key per candidate row, then selection scratch */
    size_t *idx;       /* cap: candidate rows */
    unsigned char *in; /* cap: chosen flags */
    size_t fcap;       /* rows of the subset */
    double *fX, *fl;   /* fcap * dim inputs, fcap labels */
} hpti_bayes_feas;

void hpti_bayes_feas_free(hpti_bayes_feas *s);

/* The model's rows of the n finished points u (n * d; losses at
 * loss[i * stride], NaN = failed; labels lbl): *X, *lbl_out and *n_out
 * are u, lbl and n when n <= HPTI_BAYES_FEAS_ROWS, else the subset above
 * copied into s. @return HPT_OK or HPT_E_NOMEM. */
int hpti_bayes_feas_rows(hpti_bayes_feas *s, const double *u, const double *loss,
                         size_t stride, const double *lbl, size_t n, size_t d,
                         const double **X, const double **lbl_out, size_t *n_out);

#endif
