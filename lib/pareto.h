/* pareto.h -- dominance, non-dominated sorting, hypervolume and
 * hypervolume contributions of points in objective space.
 *
 * Points are rows of n losses (every objective minimized: the history's
 * objective columns, history.h), point i at pts + i * stride (stride >= n,
 * so the history's value rows are read in place). The functions know
 * nothing of studies, trials or feasibility: the study (objectives.c), the
 * bayes acquisition and hyperband's promotions filter the rows first.
 * Every function that allocates returns HPT_OK or HPT_E_NOMEM and never
 * fails otherwise. */
#ifndef HPT_PARETO_H
#define HPT_PARETO_H

#include "common.h"

/* a dominates b: a <= b in every objective and a < b in one. */
int hpti_dominates(const double *a, const double *b, size_t n);

/* front[i] = 1 when no other point dominates point i, else 0. Equal points
 * are all on the front. O(N log N) for two objectives (a sweep), else
 * O(N^2 n). */
void hpti_pareto_front(const double *pts, size_t n_pts, size_t n, size_t stride,
                       unsigned char *front);

/* Non-dominated sorting (the ranks of Deb et al. 2002, IEEE TEC 6(2)):
 * rank[i] = 0 for the front, 1 for the front of the rest, and so on. By
 * peeling one front at a time: O(F N^2 n) time for F fronts, O(N) memory
 * (Deb's bookkeeping would need O(N^2)). */
int hpti_pareto_rank(const double *pts, size_t n_pts, size_t n, size_t stride,
                     size_t *rank);

/* Sort the N rows of p (n doubles each, contiguous) by column col, ties
 * by the columns after it (cyclically), so that the order depends only on
 * the rows' values, and equal rows end up together. */
void hpti_pareto_sort_rows(double *p, size_t N, size_t n, size_t col);

/* Keep the rows of p (N rows, point i at p + i * stride) whose first k
 * coordinates are not dominated by another row's, one of equal ones (the
 * first); whole rows are compacted in place, their order kept. @return
 * the number kept. O(N^2 k). */
size_t hpti_pareto_reduce(double *p, size_t N, size_t k, size_t stride);

/* Hypervolume dominated by the points and bounded by ref (n values): the
 * measure of the union of the boxes [p, ref]. Points not strictly below ref
 * in every objective add nothing. Exact: n = 1 the best value's distance,
 * n = 2 a sweep in O(N log N), n = 3 a sweep in z over the 2-D staircase
 * (HV3D's idea with a sorted array), n >= 4 slicing along the last
 * objective down to n = 3 (HSO: While, Hingston, Barone and Huband 2006,
 * IEEE TEC 10(1) 29-38), each slice's points reduced to their own front
 * first. Times in bench/README.md ("Hypervolume"). Empty: 0. */
int hpti_hypervolume(const double *pts, size_t n_pts, size_t n, size_t stride,
                     const double *ref, double *hv);

/* Exclusive contribution of each point: hv(all) - hv(all but point i)
 * (0 for a dominated point, and for each of two equal points). Two
 * objectives and mutually non-dominated points (one front, as hyperband
 * ranks them): from the staircase, O(N log N); otherwise N + 1
 * hypervolumes. */
int hpti_hv_contributions(const double *pts, size_t n_pts, size_t n, size_t stride,
                          const double *ref, double *contrib);

#endif
