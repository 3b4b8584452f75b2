/* history.h -- what strategies and pruners learn from: the study's
 * append-only record of its trials and warm-start data, in unit-cube
 * coordinates and losses (values for minimization).
 *
 * The study owns one history and is its only writer (study.c, and
 * warmstart.c for the priors); strategies and pruners get it read-only and
 * never see struct hpt_study, as a GSL minimizer's iterate gets only its
 * inputs (gsl multimin/fdfminimizer.c). Everything a strategy used to
 * rebuild from the trial table is kept here once, updated at each ask,
 * report and finish:
 *
 *  - trials, indexed by trial id (ask order): coordinates, budget, parent,
 *    state, values and reported curve. A row is appended at ask; its state
 *    and values change once, when the trial finishes.
 *  - observations: the rows a model fits, append-only and in a stable
 *    order: the warm-start priors (HPT_WARM_IDENTICAL) first, then every
 *    finished trial (complete, failed or pruned) in the order it finished.
 *    A reader that remembers how many it saw (n_obs) finds the new ones at
 *    the end: "rows since my last look" costs nothing.
 *  - running trials, in id order, with their coordinates contiguous.
 *  - transfer data (HPT_WARM_TRANSFER): parent results that only inform a
 *    prior.
 *  - generation: bumped by every change, for caches of derived data.
 *
 * Values are rows of n_values = n_obj + n_con doubles (stride n_values),
 * the same layout in value, obs_value and transfer_value:
 *
 *     column 0 .. n_obj-1          objective k as a loss: the value told
 *                                  for objective k, negated where the
 *                                  study maximizes it (so every column is
 *                                  minimized)
 *     column n_obj .. n_values-1   constraint j as told (feasible: <= 0;
 *                                  never negated)
 *
 * Which rows hold what:
 *  - complete trial: every column finite;
 *  - failed trial: every column NaN;
 *  - pruned trial: column 0 is the last report (a loss), every other
 *    column NaN (reports are of the first objective; constraints are known
 *    at the end only): with n_con > 0 it is not feasible;
 *  - running trial: every column NaN;
 *  - priors and transfer rows (warm starts): the parent's values mapped
 *    onto this shape, NaN where the parent has no such column.
 * A row is feasible when every constraint column is <= 0 (NaN is not):
 * hpti_history_feasible. With one objective and no constraint (n_values
 * 1) this is the one-column layout a strategy that reads
 * value[k * n_values] always read. The shape is set once, before any row
 * exists (hpti_history_set_shape).
 *
 * Priors come before the first trial (warm starts are refused after the
 * first ask), which is what keeps the observation order append-only. */
#ifndef HPT_HISTORY_H
#define HPT_HISTORY_H

#include "common.h"

typedef struct {
    double *step;  /* owned, n reports */
    double *loss;  /* owned, reported values as losses */
    size_t n, cap;
} hpti_curve;

typedef struct hpti_history {
    size_t dim;      /* coordinates per row */
    size_t n_values; /* values per row (the stride of every value array):
                        n_obj + n_con */
    size_t n_obj;    /* objective columns first (losses), >= 1 */
    size_t n_con;    /* then constraint columns (<= 0 feasible) */
    uint64_t generation;

    /* ---- trials by id ---- */
    size_t n_trials, cap_trials;
    double *u;          /* n_trials * dim */
    double *value;      /* n_trials * n_values; NaN until complete or pruned */
    double *budget;     /* 0 = full training */
    int64_t *parent;    /* trial continued, or -1 */
    int64_t *root;      /* first trial of its configuration (itself if parent < 0) */
    int32_t *state;     /* HPT_TRIAL_* */
    hpti_curve *curve;  /* reports of each trial */
    size_t n_running, n_complete, n_failed, n_pruned;

    /* ---- observations: priors, then finished trials in finish order ---- */
    size_t n_obs, n_prior, cap_obs;
    double *obs_u;      /* n_obs * dim; priors may lie outside [0,1] */
    double *obs_value;  /* n_obs * n_values */
    int64_t *obs_trial; /* trial id of each row, -1 for a prior */

    /* ---- running trials, in id order ---- */
    size_t cap_run;     /* n_running rows used */
    double *run_u;      /* n_running * dim */
    int64_t *run_id;

    /* ---- transfer data, in warm-start order ---- */
    size_t n_transfer, cap_transfer;
    double *transfer_u;        /* n_transfer * dim, may lie outside [0,1] */
    double *transfer_value;    /* n_transfer * n_values */
    int32_t *transfer_parent;  /* parent 0, 1, ... in warm-start call order */
} hpti_history;

/* ---- reading (strategies, pruners) ---- */

static inline const double *hpti_history_u(const hpti_history *h, int64_t id)
{
    return h->u + (size_t)id * h->dim;
}

/* First value (the objective) of trial id as a loss; NaN unless complete
 * or pruned. */
static inline double hpti_history_loss(const hpti_history *h, int64_t id)
{
    return h->value[(size_t)id * h->n_values];
}

/* Is a value row (n_values doubles of h's layout) feasible: every
 * constraint column <= 0? NaN is not <= 0: failed, running and pruned rows
 * are infeasible when there are constraints. */
static inline int hpti_history_row_feasible(const hpti_history *h, const double *row)
{
    for (size_t j = h->n_obj; j < h->n_values; j++)
        if (!(row[j] <= 0))
            return 0;
    return 1;
}

/* Trial id's row is complete and feasible. */
static inline int hpti_history_feasible(const hpti_history *h, int64_t id)
{
    return h->state[id] == HPT_TRIAL_COMPLETE &&
           hpti_history_row_feasible(h, h->value + (size_t)id * h->n_values);
}

/* ---- writing (the study) ---- */

void hpti_history_init(hpti_history *h, size_t dim);
void hpti_history_free(hpti_history *h);
/* n_obj objective and n_con constraint columns (init: 1 and 0). Only
 * while the history holds no row at all (capacity reserved earlier is
 * regrown to the new stride). @return HPT_OK, HPT_E_STAGE or HPT_E_NOMEM
 * (the shape unchanged). */
int hpti_history_set_shape(hpti_history *h, size_t n_obj, size_t n_con);
/* Room for one more trial, so that the append after a successful propose
 * cannot fail. @return HPT_OK or HPT_E_NOMEM (nothing changed). */
int hpti_history_reserve(hpti_history *h);
/* Append trial n_trials, running, at u (reserved before). */
void hpti_history_add_trial(hpti_history *h, const double *u, double budget,
                            int64_t parent);
/* Running trial id is at u with this budget and parent after all (a
 * journal being replayed holds other values than the strategy proposed:
 * the record is the truth). */
void hpti_history_set_trial(hpti_history *h, int64_t id, const double *u, double budget,
                            int64_t parent);
/* Append a report to trial id's curve. @return HPT_OK or HPT_E_NOMEM. */
int hpti_history_add_report(hpti_history *h, int64_t id, double step, double loss);
/* Running trial id finished with state HPT_TRIAL_*; row is its n_values
 * values in the layout above (complete: all; pruned: row[0], the rest
 * ignored and stored NaN; failed: ignored, may be NULL). Cannot fail (room
 * reserved at its ask). */
void hpti_history_finish(hpti_history *h, int64_t id, int32_t state, const double *row);
/* Warm-start data. Priors only before the first trial. @return HPT_OK,
 * HPT_E_STAGE or HPT_E_NOMEM (nothing changed). */
int hpti_history_add_prior(hpti_history *h, const double *u, double loss);
int hpti_history_add_transfer(hpti_history *h, const double *u, double loss,
                              int32_t parent);
/* The same with a whole value row (n_values, the layout above; NaN where
 * the parent has no such value); the two above give row[0] and NaN. */
int hpti_history_add_prior_row(hpti_history *h, const double *u, const double *row);
int hpti_history_add_transfer_row(hpti_history *h, const double *u, const double *row,
                                  int32_t parent);
/* Drop the warm-start data added after the counts given (a failed warm
 * start is all or nothing). */
void hpti_history_truncate_warm(hpti_history *h, size_t n_prior, size_t n_transfer);

#endif
