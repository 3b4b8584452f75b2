/* select.h -- the k-th smallest of an array, without sorting it. */
#ifndef HPT_SELECT_H
#define HPT_SELECT_H

#include <stddef.h>

/* The k-th smallest (0-based, k < n) of a[0..n-1], none NaN. Reorders a so
 * that a[k] is that value, a[i] <= a[k] for i < k and a[i] >= a[k] for
 * i > k: Hoare's selection in Wirth's variant (Wirth, "Algorithms + Data
 * Structures = Programs", 1976, sec. 2.3.4), O(n) on average where a sort
 * costs O(n log n). Allocation-free. */
double hpti_select_kth(double *a, size_t n, size_t k);

/* Mark in[cand[i]] = 1 for the `take` of lowest value among c candidates
 * cand[0..c) with values val[0..c) (none NaN); ties go to the earlier
 * candidate, so with cand ascending the choice is a function of the values
 * alone. work: c doubles of scratch. O(c). */
void hpti_take_lowest(const size_t *cand, const double *val, size_t c, size_t take,
                      double *work, unsigned char *in);

#endif
