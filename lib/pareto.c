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

/* qsort_r order of point indices by (x, y) (two objectives). */
typedef struct {
    const double *pts;
    size_t stride;
} pts_ctx;

static int cmp_xy(const void *a, const void *b, void *ctx)
{
    const pts_ctx *c = ctx;
    const double *p = c->pts + *(const size_t *)a * c->stride,
                 *q = c->pts + *(const size_t *)b * c->stride;
    if (p[0] != q[0])
        return p[0] < q[0] ? -1 : 1;
    return p[1] < q[1] ? -1 : p[1] > q[1];
}

/* Two objectives in O(N log N): in x order, a point is dominated by one of
 * smaller x with y at most its own, or by one of equal x and smaller y.
 * @return 0, or -1 when out of memory (the caller falls back). */
static int front_2d(const double *pts, size_t N, size_t stride, unsigned char *front)
{
    size_t *idx = hpti_malloc((N ? N : 1) * sizeof *idx);
    if (!idx)
        return -1;
    for (size_t i = 0; i < N; i++)
        idx[i] = i;
    pts_ctx c = {pts, stride};
    qsort_r(idx, N, sizeof *idx, cmp_xy, &c);
    double best = INFINITY; /* lowest y at a smaller x */
    for (size_t g = 0; g < N;) {
        const double *first = pts + idx[g] * stride;
        size_t e = g;
        while (e < N && pts[idx[e] * stride] == first[0])
            e++;
        for (size_t j = g; j < e; j++) { /* the group's lowest y is first[1] */
            double y = pts[idx[j] * stride + 1];
            front[idx[j]] = !(best <= y) && !(y > first[1]);
        }
        best = first[1] < best ? first[1] : best;
        g = e;
    }
    hpti_free(idx);
    return 0;
}

void hpti_pareto_front(const double *pts, size_t n_pts, size_t n, size_t stride,
                       unsigned char *front)
{
    if (n == 2 && n_pts > 64 && front_2d(pts, n_pts, stride, front) == 0)
        return;
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

void hpti_pareto_sort_rows(double *p, size_t N, size_t n, size_t col)
{
    by_col c = {col, n};
    qsort_r(p, N, n * sizeof *p, cmp_col, &c);
}

/* a <= b in the first k coordinates */
static int weakly_dominates(const double *a, const double *b, size_t k)
{
    for (size_t j = 0; j < k; j++)
        if (a[j] > b[j])
            return 0;
    return 1;
}

size_t hpti_pareto_reduce(double *p, size_t N, size_t k, size_t stride)
{
    size_t m = 0;
    for (size_t i = 0; i < N; i++) {
        const double *x = p + i * stride;
        int keep = 1;
        for (size_t j = 0; j < N && keep; j++) {
            const double *y = p + j * stride;
            /* y dominates x, or equals it and comes first */
            if (j != i && weakly_dominates(y, x, k))
                keep = !(j < i || !weakly_dominates(x, y, k));
        }
        if (keep) { /* m <= i: rows before i that were kept are copies already */
            if (m != i)
                memmove(p + m * stride, x, stride * sizeof *x);
            m++;
        }
    }
    return m;
}

/* n = 3: sweep in z, keeping the 2-D staircase of the rows seen so far (x
 * ascending, y descending: s, k points, 2 doubles each, room for N) and
 * its area, which each row raises by the part of its box the staircase
 * does not cover (the idea of the HV3D sweep, Beume, Fonseca, Lopez-Ibanez,
 * Paquete and Vahrenhold 2009, IEEE TEC 13(5), with a sorted array in
 * place of their balanced tree: O(N log N) search, O(N) moves per row). */
static double hv3d(double *p, size_t N, const double *ref, double *s)
{
    hpti_pareto_sort_rows(p, N, 3, 2);
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
        hpti_pareto_sort_rows(p, N, 2, 0);
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
    hpti_pareto_sort_rows(p, N, n, n - 1);
    double hv = 0;
    size_t m = n - 1;
    for (size_t i = 0; i < N; i++) {
        double z = p[i * n + m], next = i + 1 < N ? p[(i + 1) * n + m] : ref[m];
        if (!(next > z))
            continue;
        for (size_t r = 0; r <= i; r++)
            memcpy(scratch + r * m, p + r * n, m * sizeof *p);
        size_t k = hpti_pareto_reduce(scratch, i + 1, m, m);
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
        N = hpti_pareto_reduce(buf, N, n, n);
    *hv = hv_rec(buf, N, n, ref, buf + N * n);
    hpti_free(buf);
    return HPT_OK;
}

int hpti_hypervolume(const double *pts, size_t n_pts, size_t n, size_t stride,
                     const double *ref, double *hv)
{
    return hv_skip(pts, n_pts, n, stride, ref, SIZE_MAX, hv);
}

/* Two objectives, the points below ref being mutually non-dominated (a
 * front, as hyperband's ranks are; else 1 is returned and nothing
 * written): on the staircase (x ascending, y descending), point i alone
 * covers [x_i, x_next) x [y_i, y_prev), the neighbours' coordinates or the
 * reference's at the ends; a point with an equal twin and one not below
 * ref cover nothing alone. O(N log N). @return HPT_OK, 1 or HPT_E_NOMEM. */
static int contributions_2d(const double *pts, size_t N, size_t stride, const double *ref,
                            double *contrib)
{
    size_t *idx = hpti_malloc((N ? N : 1) * sizeof *idx), k = 0;
    if (!idx)
        return HPT_E_NOMEM;
    for (size_t i = 0; i < N; i++) {
        contrib[i] = 0;
        const double *p = pts + i * stride;
        if (p[0] < ref[0] && p[1] < ref[1])
            idx[k++] = i;
    }
    pts_ctx c = {pts, stride};
    qsort_r(idx, k, sizeof *idx, cmp_xy, &c);
    /* the staircase: in x order, the points lower in y than all before
     * (equal twins kept together: a run of equal points) */
    size_t m = 0;
    double low = INFINITY;
    for (size_t j = 0; j < k; j++) {
        const double *p = pts + idx[j] * stride;
        const double *q = m ? pts + idx[m - 1] * stride : NULL;
        if (p[1] < low)
            idx[m++] = idx[j], low = p[1];
        else if (q && p[0] == q[0] && p[1] == q[1])
            idx[m++] = idx[j]; /* a twin of the last step */
        else {
            hpti_free(idx); /* a dominated point: not a front */
            return 1;
        }
    }
    for (size_t j = 0; j < m; j++) {
        const double *p = pts + idx[j] * stride;
        int twin = (j > 0 && !memcmp(p, pts + idx[j - 1] * stride, 2 * sizeof *p)) ||
                   (j + 1 < m && !memcmp(p, pts + idx[j + 1] * stride, 2 * sizeof *p));
        if (twin)
            continue;
        double next = j + 1 < m ? pts[idx[j + 1] * stride] : ref[0];
        double prev = j > 0 ? pts[idx[j - 1] * stride + 1] : ref[1];
        contrib[idx[j]] = (next - p[0]) * (prev - p[1]);
    }
    hpti_free(idx);
    return HPT_OK;
}

int hpti_hv_contributions(const double *pts, size_t n_pts, size_t n, size_t stride,
                          const double *ref, double *contrib)
{
    int rc = n == 2 ? contributions_2d(pts, n_pts, stride, ref, contrib) : 1;
    if (rc != 1)
        return rc;
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
