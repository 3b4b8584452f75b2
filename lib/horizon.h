/* horizon.h -- the reproducible parallel mode (option
 * "parallel.reproducible" = q > 0; hpt.h, "Reproducibility").
 *
 * What makes parallel runs differ is when results arrive: the strategy
 * and the pruner would see whichever trials happened to be finished. In
 * this mode they see a view of the history instead, a function of the
 * trial count alone: ask number k proposes from the view at horizon
 * H >= k - q, in which trials [0, H) are finished (with their real
 * results) and trials [H, k) are running, without reports, whatever their
 * real state. The study answers HPT_WAIT until every trial below k - q has
 * really finished. H starts at k - q; when the strategy waits on that view
 * (synchronous Hyperband waits for a rung), H moves up one trial at a time
 * (each must have finished) until it proposes. H never moves down.
 *
 * A pruner asked about trial t sees the view at horizon max(0, t - q) with
 * trials [0, t] only and t's own reports: trials below t - q had finished
 * when t was asked, so what it sees does not depend on timing either.
 *
 * The strategy's observe hook runs when a trial enters the view (by id),
 * not when it really finishes. The view shares the curves of finished
 * trials with the real history (they never change after the finish) and
 * owns the rest. */
#ifndef HPT_HORIZON_H
#define HPT_HORIZON_H

#include "history.h"

#define HPTI_MAX_REPRODUCIBLE 65536 /* largest q */

typedef struct {
    int64_t q;         /* option "parallel.reproducible"; 0 = off */
    int on;            /* started: the strategy and pruner read view */
    hpti_history view;
    size_t h;          /* horizon: trials [0, h) finished in the view */
    size_t mask_n;     /* view's trial count while masked for a pruner */
} hpti_horizon;

/* Make the view from the real history's warm-start data, before the first
 * trial. @return HPT_OK or HPT_E_NOMEM (nothing changed). */
int hpti_horizon_start(hpti_horizon *z, const hpti_history *real);
void hpti_horizon_free(hpti_horizon *z);

/* Horizon ask k starts from: max(h, k - q). */
size_t hpti_horizon_target(const hpti_horizon *z, size_t k);
/* The first trial in [h, to) still running in the real history, or -1. */
int64_t hpti_horizon_blocker(const hpti_horizon *z, const hpti_history *real, size_t to);
/* Move the horizon up to `to` (every trial below it finished: check with
 * hpti_horizon_blocker first), calling observe(ctx, id) for each trial
 * entering the view, in id order. */
void hpti_horizon_advance(hpti_horizon *z, const hpti_history *real, size_t to,
                          void (*observe)(void *ctx, int64_t id), void *ctx);

/* The pruner's view for running trial t (above), until
 * hpti_horizon_unmask; NULL without memory (the view unchanged: then the
 * trial goes on, as a pruner does without scratch memory). */
const hpti_history *hpti_horizon_mask(hpti_horizon *z, const hpti_history *real, int64_t t);
void hpti_horizon_unmask(hpti_horizon *z, const hpti_history *real, int64_t t);

#endif
