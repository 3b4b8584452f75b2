/* ehvi.c -- box decomposition of the non-dominated region and log EHVI
 * (see ehvi.h). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "acq.h"
#include "ehvi.h"
#include "pareto.h"

#define C1 0.91893853320467274178 /* log(2 pi) / 2 */

/* Internal: the box count passed HPTI_EHVI_MAX_BOXES (the caller thins). */
#define TOO_MANY 1

void hpti_ehvi_init(hpti_ehvi *e)
{
    memset(e, 0, sizeof *e);
}

void hpti_ehvi_free(hpti_ehvi *e)
{
    hpti_free(e->lo);
    hpti_free(e->hi);
    for (size_t k = 0; k < HPTI_EHVI_MAX_OBJ; k++) {
        hpti_free(e->v[k]);
        hpti_free(e->ss[k]);
        hpti_free(e->sq[k]);
        hpti_free(e->sopen[k]);
    }
    hpti_free(e->ilo);
    hpti_free(e->ihi);
    hpti_free(e->work);
    hpti_free(e->pts);
    memset(e, 0, sizeof *e);
}

/* ---- building ------------------------------------------------------------------ */

static int push_box(hpti_ehvi *e)
{
    if (e->n_box >= HPTI_EHVI_MAX_BOXES)
        return TOO_MANY;
    if (e->n_box == e->cap_box) {
        size_t cap = e->cap_box ? 2 * e->cap_box : 64, d = e->n_obj;
        double *lo = hpti_realloc(e->lo, cap * d * sizeof *lo);
        if (!lo)
            return HPT_E_NOMEM;
        e->lo = lo;
        double *hi = hpti_realloc(e->hi, cap * d * sizeof *hi);
        if (!hi)
            return HPT_E_NOMEM;
        e->hi = hi;
        e->cap_box = cap;
    }
    e->n_box++;
    return HPT_OK;
}

static int same_box(const hpti_ehvi *e, size_t a, size_t b, size_t k)
{
    const double *la = e->lo + a * e->n_obj, *lb = e->lo + b * e->n_obj;
    const double *ha = e->hi + a * e->n_obj, *hb = e->hi + b * e->n_obj;
    for (size_t j = 0; j < k; j++)
        if (la[j] != lb[j] || ha[j] != hb[j])
            return 0;
    return 1;
}

/* Append the boxes of the region not dominated by the n points p (stride
 * d = n_obj; only coordinates 0..k count) below ref, in coordinates
 * 0..k (further coordinates of the new boxes are left for the caller). */
static int sweep(hpti_ehvi *e, const double *p, size_t n, size_t k, const double *ref)
{
    size_t d = e->n_obj;
    int rc;
    if (k == 0) {
        double m = ref[0];
        for (size_t i = 0; i < n; i++)
            m = p[i * d] < m ? p[i * d] : m;
        if ((rc = push_box(e)) != HPT_OK)
            return rc;
        e->lo[(e->n_box - 1) * d] = -INFINITY;
        e->hi[(e->n_box - 1) * d] = m;
        return HPT_OK;
    }
    /* s: the points sorted by coordinate k; q: the first j of them,
     * reduced to their non-dominated projections; open: the boxes of the
     * previous slab */
    size_t rows = n ? n : 1;
    if (hpti_grow((void **)&e->ss[k], &e->cap_ss[k], rows * d, sizeof *e->ss[k]) ||
        hpti_grow((void **)&e->sq[k], &e->cap_sq[k], rows * d, sizeof *e->sq[k]))
        return HPT_E_NOMEM;
    double *s = e->ss[k], *q = e->sq[k];
    size_t n_open = 0;
    /* the boxes depend on the set of points only, not on how ties in
     * coordinate k are ordered: tied points bound empty slabs */
    memcpy(s, p, n * d * sizeof *s);
    hpti_pareto_sort_rows(s, n, d, k);
    for (size_t j = 0; j <= n; j++) {
        double a = j == 0 ? -INFINITY : s[(j - 1) * d + k];
        double b = j == n ? ref[k] : s[j * d + k];
        if (!(b > a))
            continue; /* ties: an empty slab */
        memcpy(q, s, j * d * sizeof *q);
        size_t nq = hpti_pareto_reduce(q, j, k, d);
        size_t first = e->n_box;
        if ((rc = sweep(e, q, nq, k - 1, ref)) != HPT_OK)
            return rc;
        /* merge with the previous slab: a box equal in coordinates
         * 0..k-1 that ends at a continues through this slab */
        size_t keep = first, n_new_open = 0;
        size_t need = n_open + (e->n_box - first);
        if (hpti_grow((void **)&e->sopen[k], &e->cap_open[k], need + 1, sizeof *e->sopen[k]))
            return HPT_E_NOMEM;
        size_t *open = e->sopen[k];
        /* new open list is built after the old one in the same array */
        size_t *nopen = open + n_open;
        for (size_t c = first; c < e->n_box; c++) {
            size_t hit = SIZE_MAX;
            for (size_t t = 0; t < n_open && hit == SIZE_MAX; t++)
                if (e->hi[open[t] * d + k] == a && same_box(e, open[t], c, k))
                    hit = open[t];
            if (hit != SIZE_MAX) {
                e->hi[hit * d + k] = b;
                nopen[n_new_open++] = hit;
                continue;
            }
            if (keep != c) {
                memcpy(e->lo + keep * d, e->lo + c * d, d * sizeof *e->lo);
                memcpy(e->hi + keep * d, e->hi + c * d, d * sizeof *e->hi);
            }
            e->lo[keep * d + k] = a;
            e->hi[keep * d + k] = b;
            nopen[n_new_open++] = keep++;
        }
        e->n_box = keep;
        memmove(open, nopen, n_new_open * sizeof *open);
        n_open = n_new_open;
    }
    return HPT_OK;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : a > b;
}

static uint32_t find(const double *v, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

/* The evaluation form: distinct bounds per objective, boxes as indices. */
static int index_boxes(hpti_ehvi *e)
{
    size_t d = e->n_obj, nb = e->n_box;
    if (hpti_grow((void **)&e->ilo, &e->cap_ilo, (nb ? nb : 1) * d, sizeof *e->ilo) ||
        hpti_grow((void **)&e->ihi, &e->cap_ihi, (nb ? nb : 1) * d, sizeof *e->ihi))
        return HPT_E_NOMEM;
    size_t total = 0;
    for (size_t k = 0; k < d; k++) {
        if (hpti_grow((void **)&e->v[k], &e->cap_v[k], 2 * nb + 1, sizeof *e->v[k]))
            return HPT_E_NOMEM;
        double *v = e->v[k];
        size_t m = 0;
        for (size_t c = 0; c < nb; c++) {
            v[m++] = e->lo[c * d + k];
            v[m++] = e->hi[c * d + k];
        }
        qsort(v, m, sizeof *v, cmp_double);
        size_t u = 0;
        for (size_t i = 0; i < m; i++)
            if (u == 0 || v[i] != v[u - 1])
                v[u++] = v[i];
        e->nv[k] = u;
        total += u;
        for (size_t c = 0; c < nb; c++) {
            e->ilo[c * d + k] = find(v, u, e->lo[c * d + k]);
            e->ihi[c * d + k] = find(v, u, e->hi[c * d + k]);
        }
    }
    /* scratch: 3 values per bound, log D per box, two derivatives per box
     * and objective */
    return hpti_grow((void **)&e->work, &e->cap_work, 3 * total + nb + 2 * nb * d + 1,
                     sizeof *e->work);
}

int hpti_ehvi_build(hpti_ehvi *e, const double *front, size_t n, size_t n_obj,
                    const double *ref)
{
    if (n_obj < 1 || n_obj > HPTI_EHVI_MAX_OBJ)
        return HPT_E_INVALID;
    for (size_t k = 0; k < n_obj; k++)
        if (!isfinite(ref[k]))
            return HPT_E_INVALID;
    for (size_t i = 0; i < n * n_obj; i++)
        if (!isfinite(front[i]))
            return HPT_E_INVALID;
    if (n_obj != e->n_obj) { /* box rows change width */
        hpti_free(e->lo);
        hpti_free(e->hi);
        e->lo = e->hi = NULL;
        e->cap_box = 0;
    }
    e->n_obj = n_obj;
    e->n_box = e->n_front = e->n_used = 0;
    if (hpti_grow((void **)&e->pts, &e->cap_pts, (n ? n : 1) * n_obj, sizeof *e->pts))
        return HPT_E_NOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const double *x = front + i * n_obj;
        int below = 1;
        for (size_t k = 0; k < n_obj; k++)
            below = below && x[k] < ref[k];
        if (below)
            memcpy(e->pts + m++ * n_obj, x, n_obj * sizeof *x);
    }
    m = hpti_pareto_reduce(e->pts, m, n_obj, n_obj);
    e->n_front = m;
    /* order by the first objective, the order thinning drops points in */
    hpti_pareto_sort_rows(e->pts, m, n_obj, 0);
    size_t used = m;
    int rc;
    for (;;) {
        e->n_box = 0;
        rc = sweep(e, e->pts, used, n_obj - 1, ref);
        if (rc != TOO_MANY || used <= 1)
            break;
        /* thin: keep every other point (ehvi.h) */
        size_t w = 0;
        for (size_t i = 0; i < used; i += 2)
            memmove(e->pts + w++ * n_obj, e->pts + i * n_obj, n_obj * sizeof *e->pts);
        used = w;
    }
    if (rc) {
        e->n_box = 0;
        return HPT_E_NOMEM;
    }
    e->n_used = used;
    if ((rc = index_boxes(e)) != HPT_OK) {
        e->n_box = 0;
        return rc;
    }
    return HPT_OK;
}

/* ---- evaluation ---------------------------------------------------------------- */

double hpti_ehvi_volume(const hpti_ehvi *e, const double *lower)
{
    size_t d = e->n_obj;
    double sum = 0.0;
    for (size_t c = 0; c < e->n_box; c++) {
        double v = 1.0;
        for (size_t k = 0; k < d; k++) {
            double a = e->lo[c * d + k];
            v *= e->hi[c * d + k] - (isinf(a) ? lower[k] : a);
        }
        sum += v;
    }
    return sum;
}

double hpti_ehvi_hvi(const hpti_ehvi *e, const double *y)
{
    size_t d = e->n_obj;
    double sum = 0.0;
    for (size_t c = 0; c < e->n_box; c++) {
        double v = 1.0;
        for (size_t k = 0; k < d && v > 0.0; k++) {
            double a = e->lo[c * d + k], b = e->hi[c * d + k];
            double t = b - (y[k] > a ? y[k] : a);
            v *= t > 0.0 ? t : 0.0;
        }
        sum += v;
    }
    return sum;
}

/* log(1 - exp(t)), t < 0 (Maechler 2012) */
static double log1mexp(double t)
{
    return t > -M_LN2 ? log(-expm1(t)) : log1p(-exp(t));
}

/* phi(z) / exp(l) without overflow: exp(log phi(z) - l) */
static double phi_over(double z, double l)
{
    return exp(-0.5 * z * z - C1 - l);
}

double hpti_ehvi_log(hpti_ehvi *e, const double *mu, const double *s, double *dmu,
                     double *ds)
{
    size_t d = e->n_obj, nb = e->n_box;
    int grad = dmu && ds;
    if (grad)
        for (size_t k = 0; k < d; k++)
            dmu[k] = ds[k] = 0.0;
    if (nb == 0)
        return -INFINITY;
    /* per bound a of objective k: z = (a - mu) / s, log psi(a) =
     * log s + log h(z), log Phi(z) */
    double *tab[HPTI_EHVI_MAX_OBJ];
    double *w = e->work;
    for (size_t k = 0; k < d; k++) {
        tab[k] = w;
        w += 3 * e->nv[k];
        double ls = log(s[k]);
        for (size_t i = 0; i < e->nv[k]; i++) {
            double a = e->v[k][i];
            double *t = tab[k] + 3 * i;
            if (isinf(a)) {
                t[0] = -INFINITY;
                t[1] = -INFINITY;
                t[2] = -INFINITY;
                continue;
            }
            double z = (a - mu[k]) / s[k];
            t[0] = z;
            t[1] = ls + hpti_log_h(z);
            t[2] = grad ? hpti_log_ncdf(z) : 0.0;
        }
    }
    double *L = w, *G = L + nb; /* G: 2 derivatives per box and objective */
    double mx = -INFINITY;
    for (size_t c = 0; c < nb; c++) {
        double sum = 0.0;
        for (size_t k = 0; k < d; k++) {
            uint32_t ia = e->ilo[c * d + k], ib = e->ihi[c * d + k];
            const double *ta = tab[k] + 3 * ia, *tb = tab[k] + 3 * ib;
            double a = e->v[k][ia], b = e->v[k][ib];
            double ld, gm = 0.0, gs = 0.0;
            if (isinf(a)) {
                ld = tb[1];
                if (grad) {
                    gm = -exp(tb[2] - ld);
                    gs = phi_over(tb[0], ld);
                }
            } else {
                double dz = (b - a) / s[k], zm = (0.5 * (a + b) - mu[k]) / s[k];
                double t = ta[1] - tb[1];
                if (dz * (1.0 + fabs(zm)) < 1e-3 || !(t < -1e-12)) {
                    /* thin box: (b - a) Phi(z_mid) */
                    double lc = hpti_log_ncdf(zm);
                    ld = log(b - a) + lc;
                    if (grad) {
                        double r = phi_over(zm, lc) / s[k];
                        gm = -r;
                        gs = -zm * r;
                    }
                } else {
                    ld = tb[1] + log1mexp(t);
                    if (grad) {
                        gm = -(exp(tb[2] - ld) - exp(ta[2] - ld));
                        gs = phi_over(tb[0], ld) - phi_over(ta[0], ld);
                    }
                }
            }
            sum += ld;
            if (grad) {
                G[(c * d + k) * 2] = gm;
                G[(c * d + k) * 2 + 1] = gs;
            }
        }
        L[c] = sum;
        mx = sum > mx ? sum : mx;
    }
    if (!(mx > -INFINITY))
        return -INFINITY;
    double tot = 0.0;
    for (size_t c = 0; c < nb; c++)
        tot += exp(L[c] - mx);
    double res = mx + log(tot);
    if (grad)
        for (size_t c = 0; c < nb; c++) {
            double wc = exp(L[c] - mx) / tot;
            if (wc == 0.0)
                continue;
            for (size_t k = 0; k < d; k++) {
                dmu[k] += wc * G[(c * d + k) * 2];
                ds[k] += wc * G[(c * d + k) * 2 + 1];
            }
        }
    return res;
}
