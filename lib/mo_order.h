/* mo_order.h -- one order of trials with several objectives or
 * constraints, for strategies that must pick "the best k" (hyperband's
 * promotions): feasible trials first, by non-dominated rank, within a rank
 * by hypervolume contribution (largest first); then the infeasible ones by
 * total violation (smallest first); ties to the lower trial id.
 *
 * The hypervolume contributions of a rank are taken with respect to a
 * reference point just beyond the worst value of the ranked feasible
 * trials in each objective: worst + 10% of the range (+1 when the range is
 * 0), so that every ranked trial contributes something of its own and the
 * order does not depend on a user-given reference. With one objective the
 * rank order is the loss order (and the contribution adds nothing). */
#ifndef HPT_MO_ORDER_H
#define HPT_MO_ORDER_H

#include "history.h"

/* The scratch of hpti_mo_order, kept by its caller's long-lived state so
 * that ordering a rung on every ask does not allocate once it has grown:
 * zeroed to start, grown by each call, released by hpti_mo_ws_free. */
typedef struct {
    struct hpti_mo_key *key;
    double *pts, *sub, *c;
    size_t *rank, *fi;
    size_t cap_key, cap_pts, cap_sub, cap_c, cap_rank, cap_fi;
} hpti_mo_ws;

void hpti_mo_ws_free(hpti_mo_ws *w);

/* pos[i] = position of trial ids[i] in that order (0 = best), for n
 * complete trials of h. Cost: the ranks O(F n^2 n_obj), the contributions
 * n + 1 hypervolumes per rank (pareto.h). @return HPT_OK or HPT_E_NOMEM. */
int hpti_mo_order(const hpti_history *h, const int64_t *ids, size_t n, size_t *pos,
                  hpti_mo_ws *w);

#endif
