/* pareto.c -- dominance, non-dominated sorting and exact hypervolume
 * (pareto.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pareto.h"

int hpti_dominates(const double *a, const double *b, size_t n)
{
    int better = 0;
    for (size_t k = 0; k < n; k++) {
        if (a[k] > b[k])
            return 0;
        if (a[k] < b[k])
            better = 1;
    }
    return better;
}

void hpti_pareto_front(const double *pts, size_t n_pts, size_t n, size_t stride,
                       unsigned char *front)
{
    for (size_t i = 0; i < n_pts; i++) {
        front[i] = 1;
        for (size_t j = 0; j < n_pts && front[i]; j++)
            if (j != i && hpti_dominates(pts + j * stride, pts + i * stride, n))
                front[i] = 0;
    }
}

int hpti_pareto_rank(const double *pts, size_t n_pts, size_t n, size_t stride,
                     size_t *rank)
{
    unsigned char *top = hpti_malloc(n_pts ? n_pts : 1);
    if (!top)
        return HPT_E_NOMEM;
    for (size_t i = 0; i < n_pts; i++)
        rank[i] = SIZE_MAX;
    size_t left = n_pts;
    for (size_t r = 0; left; r++) {
        /* the front of the points still unranked, all found before any is
         * ranked, so that a point ranked now still counts as a dominator */
        for (size_t i = 0; i < n_pts; i++) {
            top[i] = rank[i] == SIZE_MAX;
            for (size_t j = 0; j < n_pts && top[i]; j++)
                if (rank[j] == SIZE_MAX && hpti_dominates(pts + j * stride, pts + i * stride, n))
                    top[i] = 0;
        }
        for (size_t i = 0; i < n_pts; i++)
            if (top[i]) {
                rank[i] = r;
                left--;
            }
    }
    hpti_free(top);
    return HPT_OK;
}

/* ---- hypervolume ---- */

/* qsort_r's order of rows by one column (ties: by the next columns, so
 * that equal rows end up together whatever their input order). */
typedef struct {
    size_t col, n;
} by_col;

static int cmp_col(const void *a, const void *b, void *ctx)
{
    const by_col *c = ctx;
    const double *x = a, *y = b;
    for (size_t k = 0; k < c->n; k++) {
        size_t q = (c->col + k) % c->n;
        if (x[q] != y[q])
            return x[q] < y[q] ? -1 : 1;
    }
    return 0;
}

static void sort_rows(double *p, size_t N, size_t n, size_t col)
{
    by_col c = {col, n};
    qsort_r(p, N, n * sizeof *p, cmp_col, &c);
}

/* Keep p's non-dominated rows (one of equal ones), in order. @return their
 * number. */
static size_t reduce(double *p, size_t N, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < N; i++) {
        const double *x = p + i * n;
        int keep = 1;
        for (size_t j = 0; j < N && keep; j++) {
            const double *y = p + j * n;
            if (j != i && (hpti_dominates(y, x, n) || (j < i && !memcmp(x, y, n * sizeof *x))))
                keep = 0;
        }
        if (keep) { /* k <= i: rows before i that were kept are copies already */
            if (k != i)
                memcpy(p + k * n, x, n * sizeof *x);
            k++;
        }
    }
    return k;
}

/* n = 3: sweep in z, keeping the 2-D staircase of the rows seen so far (x
 * ascending, y descending: s, k points, 2 doubles each, room for N) and
 * its area, which each row raises by the part of its box the staircase
 * does not cover (the idea of the HV3D sweep, Beume, Fonseca, Lopez-Ibanez,
 * Paquete and Vahrenhold 2009, IEEE TEC 13(5), with a sorted array in
 * place of their balanced tree: O(N log N) search, O(N) moves per row). */
static double hv3d(double *p, size_t N, const double *ref, double *s)
{
    sort_rows(p, N, 3, 2);
    size_t k = 0;
    double area = 0, hv = 0;
    for (size_t i = 0; i < N; i++) {
        double px = p[3 * i], py = p[3 * i + 1];
        /* first staircase point with x >= px */
        size_t lo = 0, hi = k;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (s[2 * mid] < px)
                lo = mid + 1;
            else
                hi = mid;
        }
        /* covered already: a point at x <= px and y <= py */
        int covered = (lo > 0 && s[2 * (lo - 1) + 1] <= py) ||
                      (lo < k && s[2 * lo] == px && s[2 * lo + 1] <= py);
        if (!covered) {
            double h = lo > 0 ? s[2 * (lo - 1) + 1] : ref[1], x0 = px, added = 0;
            size_t j = lo;
            for (; j < k && s[2 * j + 1] > py; j++) { /* boxes of p covers: dominated */
                added += (s[2 * j] - x0) * (h - py);
                h = s[2 * j + 1];
                x0 = s[2 * j];
            }
            added += ((j < k ? s[2 * j] : ref[0]) - x0) * (h - py);
            area += added;
            /* replace s[lo .. j) (the points p dominates) by p */
            memmove(s + 2 * (lo + 1), s + 2 * j, (k - j) * 2 * sizeof *s);
            k = k - (j - lo) + 1;
            s[2 * lo] = px;
            s[2 * lo + 1] = py;
        }
        double next = i + 1 < N ? p[3 * (i + 1) + 2] : ref[2];
        hv += area * (next - p[3 * i + 2]);
    }
    return hv;
}

/* HV of the N rows of p (n columns, each row strictly below ref), which it
 * may reorder; scratch has room for the deeper levels. (A reduce() that
 * moves rows before the dominance test of later rows is sound: a row
 * dropped is dominated or a copy, and what dominates it is kept or is
 * itself dominated by a kept row.) */
static double hv_rec(double *p, size_t N, size_t n, const double *ref, double *scratch)
{
    if (N == 0)
        return 0;
    if (n == 1) {
        double lo = p[0];
        for (size_t i = 1; i < N; i++)
            lo = p[i] < lo ? p[i] : lo;
        return ref[0] - lo;
    }
    if (n == 2) { /* sweep in x: each row lower in y than all before adds a strip */
        sort_rows(p, N, 2, 0);
        double hv = 0, top = ref[1];
        for (size_t i = 0; i < N; i++)
            if (p[2 * i + 1] < top) {
                hv += (ref[0] - p[2 * i]) * (top - p[2 * i + 1]);
                top = p[2 * i + 1];
            }
        return hv;
    }
    if (n == 3)
        return hv3d(p, N, ref, scratch);
    /* slices between consecutive values of the last objective: in the
     * slice above row i's value, rows 0..i (in that order) dominate the
     * (n-1)-dimensional volume of their projection */
    sort_rows(p, N, n, n - 1);
    double hv = 0;
    size_t m = n - 1;
    for (size_t i = 0; i < N; i++) {
        double z = p[i * n + m], next = i + 1 < N ? p[(i + 1) * n + m] : ref[m];
        if (!(next > z))
            continue;
        for (size_t r = 0; r <= i; r++)
            memcpy(scratch + r * m, p + r * n, m * sizeof *p);
        size_t k = reduce(scratch, i + 1, m);
        hv += hv_rec(scratch, k, m, ref, scratch + N * m) * (next - z);
    }
    return hv;
}

/* Copy the rows strictly below ref into a fresh buffer with room for the
 * recursion's scratch. */
static int gather(const double *pts, size_t n_pts, size_t n, size_t stride, const double *ref,
                  size_t skip, double **buf, size_t *N)
{
    size_t rows = n_pts ? n_pts : 1;
    if (n && rows > SIZE_MAX / sizeof(double) / n / (n + 1))
        return HPT_E_NOMEM;
    *buf = hpti_malloc(rows * n * (n + 1) * sizeof **buf);
    if (!*buf)
        return HPT_E_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n_pts; i++) {
        const double *x = pts + i * stride;
        int in = i != skip;
        for (size_t c = 0; c < n && in; c++)
            in = x[c] < ref[c];
        if (in)
            memcpy(*buf + k++ * n, x, n * sizeof *x);
    }
    *N = k;
    return HPT_OK;
}

static int hv_skip(const double *pts, size_t n_pts, size_t n, size_t stride, const double *ref,
                   size_t skip, double *hv)
{
    double *buf;
    size_t N;
    if (gather(pts, n_pts, n, stride, ref, skip, &buf, &N))
        return HPT_E_NOMEM;
    if (n >= 4)
        N = reduce(buf, N, n);
    *hv = hv_rec(buf, N, n, ref, buf + N * n);
    hpti_free(buf);
    return HPT_OK;
}

int hpti_hypervolume(const double *pts, size_t n_pts, size_t n, size_t stride,
                     const double *ref, double *hv)
{
    return hv_skip(pts, n_pts, n, stride, ref, SIZE_MAX, hv);
}

int hpti_hv_contributions(const double *pts, size_t n_pts, size_t n, size_t stride,
                          const double *ref, double *contrib)
{
    double all;
    if (hv_skip(pts, n_pts, n, stride, ref, SIZE_MAX, &all))
        return HPT_E_NOMEM;
    for (size_t i = 0; i < n_pts; i++) {
        double rest;
        if (hv_skip(pts, n_pts, n, stride, ref, i, &rest))
            return HPT_E_NOMEM;
        contrib[i] = all - rest > 0 ? all - rest : 0;
    }
    return HPT_OK;
}
