/* ehvi.h -- expected hypervolume improvement in log space, for
 * independent Gaussian predictions of n_obj objectives (minimized).
 *
 * Hypervolume improvement of a point y over a front P with reference r:
 * HVI(y) = vol{z <= r : z >= y, no p in P has p <= z}. The region
 * A = {z <= r : not dominated by P} is cut into disjoint boxes [l_c, u_c]
 * (lower bounds may be -inf), so HVI(y) = sum_c prod_k (u_ck - max(y_k,
 * l_ck))_+, and with independent y_k ~ N(mu_k, s_k^2) each factor has a
 * closed form (Emmerich, Giannakoglou & Naujoks 2006; Couckuyt, Deschrijver
 * & Dhaene 2014, "Fast calculation of multiobjective probability of
 * improvement and expected improvement criteria for Pareto optimization"):
 *
 *     E[(u - max(y, l))_+] = psi(u) - psi(l),
 *     psi(a) = E[(a - y)_+] = s h((a - mu) / s),  h(z) = phi(z) + z Phi(z),
 *
 * i.e. the difference of two one-dimensional EIs. log EHVI is a
 * log-sum-exp over boxes of sums over objectives of
 * log(psi(u) - psi(l)) = log psi(u) + log1mexp(log psi(l) - log psi(u)),
 * with log psi from acq.h's log h (Ament et al. 2023), so it stays finite
 * and accurate where EHVI underflows (a box far beyond the prediction);
 * a box much thinner than s uses the midpoint rule (u - l) Phi(z_mid)
 * instead of the cancelling difference.
 *
 * The boxes: a sweep along the last objective (after the slicing
 * decompositions of Couckuyt et al. 2014 and Lacour, Klamroth & Fonseca
 * 2017): between consecutive front values of objective k, the region is
 * the non-dominated region in objectives 0..k-1 of the points below, found
 * the same way, down to one interval (-inf, min p_0). Boxes of consecutive
 * slabs that are equal in objectives 0..k-1 are merged into one. Exact for
 * every n_obj. Box counts for a front of n mutually non-dominated points:
 * n + 1 with 2 objectives; 2n + 1 with 3 (measured on random spherical
 * fronts, n = 10..320; O(n^2) before merging); with more objectives they
 * grow faster (measured: 4 objectives 8n, 5: 30n at n = 80, 6: 73n at
 * n = 40). Building costs O(boxes n) per level of the sweep; evaluating one
 * prediction costs O(n n_obj) log h calls plus O(boxes n_obj) exp/log
 * (measured: 7 us for 3 objectives and n = 40; 250 us for 6 objectives at
 * the box cap).
 *
 * More than HPTI_EHVI_MAX_BOXES boxes (in practice only with 4 or more
 * objectives and large fronts): the front is thinned -- every other point
 * in the order of the first objective, repeatedly, until the boxes fit --
 * and the decomposition is exact for that sub-front only, so improvements
 * near the dropped points are overestimated (hpti_ehvi.thinned says how
 * many points were kept). */
#ifndef HPT_EHVI_H
#define HPT_EHVI_H

#include "common.h"

#define HPTI_EHVI_MAX_OBJ 8
#define HPTI_EHVI_MAX_BOXES 4096

typedef struct {
    size_t n_obj;
    size_t n_front;       /* points kept: strictly below r, non-dominated, distinct */
    size_t n_used;        /* of which the decomposition uses (< n_front: thinned) */
    size_t n_box, cap_box;
    double *lo, *hi;      /* n_box * n_obj box corners; lo may be -inf */
    /* evaluation form: per objective k, nv[k] sorted distinct bounds
     * v[k][0..nv[k]) (v[k][0] = -inf when used), and each box's bounds as
     * indices into them */
    double *v[HPTI_EHVI_MAX_OBJ];
    size_t nv[HPTI_EHVI_MAX_OBJ], cap_v[HPTI_EHVI_MAX_OBJ];
    uint32_t *ilo, *ihi;  /* n_box * n_obj */
    size_t cap_ilo, cap_ihi;
    double *work;         /* evaluation scratch */
    size_t cap_work;
    /* build scratch, kept from build to build (one per ask) */
    double *pts;          /* the front kept, n_used rows first */
    size_t cap_pts;       /* doubles */
    /* the sweep's, per level k: its points sorted (s), the first of them
     * reduced (q), the open boxes; level k recurses into level k - 1's */
    double *ss[HPTI_EHVI_MAX_OBJ], *sq[HPTI_EHVI_MAX_OBJ];
    size_t *sopen[HPTI_EHVI_MAX_OBJ];
    size_t cap_ss[HPTI_EHVI_MAX_OBJ], cap_sq[HPTI_EHVI_MAX_OBJ], cap_open[HPTI_EHVI_MAX_OBJ];
} hpti_ehvi;

void hpti_ehvi_init(hpti_ehvi *e);
void hpti_ehvi_free(hpti_ehvi *e);

/* Decompose the region not dominated by the n points of front (n * n_obj,
 * row-major, minimized) below ref (n_obj values). Points not strictly
 * below ref in every objective, dominated points and duplicates are left
 * out. 1 <= n_obj <= HPTI_EHVI_MAX_OBJ; n may be 0 (the whole box).
 * @return HPT_OK, HPT_E_INVALID (n_obj out of range, non-finite input) or
 * HPT_E_NOMEM. */
int hpti_ehvi_build(hpti_ehvi *e, const double *front, size_t n, size_t n_obj,
                    const double *ref);

/* Sum of the boxes' volumes with their -inf lower bounds replaced by lower
 * (n_obj values, below every front point): vol([lower, ref]) minus the
 * hypervolume of the front. A check of the decomposition. */
double hpti_ehvi_volume(const hpti_ehvi *e, const double *lower);

/* log EHVI of a prediction mu, s (n_obj each, s > 0), -inf only when the
 * region is empty. When dmu and ds are not NULL they get the derivatives
 * of log EHVI with respect to mu_k and s_k. */
double hpti_ehvi_log(hpti_ehvi *e, const double *mu, const double *s, double *dmu,
                     double *ds);

/* Hypervolume improvement of the point y (exact, for tests and checks). */
double hpti_ehvi_hvi(const hpti_ehvi *e, const double *y);

#endif
