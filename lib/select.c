/* select.c -- k-th smallest by Hoare's selection (select.h). */
#include <stddef.h>
#include <string.h>

#include "select.h"

double hpti_select_kth(double *a, size_t n, size_t k)
{
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
    while (lo < hi) {
        double pivot = a[kk];
        ptrdiff_t i = lo, j = hi;
        do {
            while (a[i] < pivot)
                i++;
            while (pivot < a[j])
                j--;
            if (i <= j) {
                double t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        } while (i <= j);
        if (j < kk)
            lo = i;
        if (kk < i)
            hi = j;
    }
    return a[kk];
}

void hpti_take_lowest(const size_t *cand, const double *val, size_t c, size_t take,
                      double *work, unsigned char *in)
{
    if (take == 0 || c == 0)
        return;
    if (take >= c) {
        for (size_t i = 0; i < c; i++)
            in[cand[i]] = 1;
        return;
    }
    memcpy(work, val, c * sizeof *work);
    double thr = hpti_select_kth(work, c, take - 1);
    size_t got = 0;
    for (size_t i = 0; i < c; i++)
        if (val[i] < thr) {
            in[cand[i]] = 1;
            got++;
        }
    for (size_t i = 0; i < c && got < take; i++)
        if (val[i] == thr) {
            in[cand[i]] = 1;
            got++;
        }
}
