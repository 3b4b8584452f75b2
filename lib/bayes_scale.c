/* bayes_scale.c -- the local GP's row subset (bayes_scale.h). */
#include <math.h>
#include <string.h>

#include "bayes_scale.h"
#include "common.h"
#include "gp.h"
#include "rng.h"
#include "select.h"

/* Seeds the sample of a prefix: only m enters, so the subset is a
 * function of the rows alone. */
#define LOCAL_SEED 0x6c6f63616c475021ULL

void hpti_bayes_local_free(hpti_bayes_local *s)
{
    hpti_free(s->a);
    hpti_free(s->b);
    hpti_free(s->idx);
    hpti_free(s->in);
    hpti_free(s->rows);
    hpti_free(s->fX);
    hpti_free(s->fl);
    memset(s, 0, sizeof *s);
}

static int reserve(hpti_bayes_local *s, size_t n)
{
    if (n <= s->cap)
        return HPT_OK;
    size_t cap = n + n / 4 + 64;
    double *a = hpti_realloc(s->a, cap * sizeof *a);
    if (!a)
        return HPT_E_NOMEM;
    s->a = a;
    double *b = hpti_realloc(s->b, cap * sizeof *b);
    if (!b)
        return HPT_E_NOMEM;
    s->b = b;
    size_t *idx = hpti_realloc(s->idx, cap * sizeof *idx);
    if (!idx)
        return HPT_E_NOMEM;
    s->idx = idx;
    unsigned char *in = hpti_realloc(s->in, cap);
    if (!in)
        return HPT_E_NOMEM;
    s->in = in;
    size_t *rows = hpti_realloc(s->rows, cap * sizeof *rows);
    if (!rows)
        return HPT_E_NOMEM;
    s->rows = rows;
    s->cap = cap;
    return HPT_OK;
}

/* Mark the `take` rows of lowest value among the c candidate rows
 * cand[0..c) (values val[0..c), no NaN), ties to the earlier candidate;
 * cand is ascending, so that is the lower row index. work: c doubles. */
static void take_lowest(const size_t *cand, const double *val, size_t c, size_t take,
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

size_t hpti_bayes_local_rows(hpti_bayes_local *s, size_t n, size_t d, const double *X,
                             const double *key, size_t kstride, const double *ckey,
                             size_t cstride, size_t above, size_t k, size_t *idx)
{
    if (n <= above)
        return n;
    size_t t = k / 2 > 1 ? k / 2 : 1;
    size_t m = above + t * ((n - above - 1) / t);
    if (k > m)
        k = m;
    if (reserve(s, n) != HPT_OK)
        return 0;
    memset(s->in, 0, m);

    /* the best by key */
    size_t nb = k / 4, center = SIZE_MAX;
    for (size_t i = 0; i < m; i++) {
        double v = key[i * kstride];
        s->idx[i] = i;
        s->b[i] = isnan(v) ? INFINITY : v;
        double c = ckey[i * cstride];
        if (!isnan(c) && (center == SIZE_MAX || c < ckey[center * cstride]))
            center = i;
    }
    take_lowest(s->idx, s->b, m, nb, s->a, s->in);

    /* the nearest to the center among the others */
    size_t nn = k / 2, c = 0;
    if (center == SIZE_MAX)
        center = 0;
    const double *x0 = X + center * d;
    for (size_t i = 0; i < m; i++) {
        if (s->in[i])
            continue;
        double r2 = 0.0;
        for (size_t j = 0; j < d; j++) {
            double e = X[i * d + j] - x0[j];
            r2 += e * e;
        }
        s->idx[c] = i;
        s->b[c++] = isnan(r2) ? INFINITY : r2;
    }
    take_lowest(s->idx, s->b, c, nn, s->a, s->in);

    /* a seeded sample of the rest: partial Fisher-Yates */
    size_t chosen = 0;
    c = 0;
    for (size_t i = 0; i < m; i++) {
        if (s->in[i])
            chosen++;
        else
            s->idx[c++] = i;
    }
    hpti_rng r;
    hpti_rng_seed(&r, LOCAL_SEED ^ (uint64_t)m, HPTI_STREAM_MODEL);
    for (size_t i = 0; chosen < k && i < c; i++, chosen++) {
        size_t j = i + (size_t)hpti_rng_below(&r, c - i);
        size_t tmp = s->idx[i];
        s->idx[i] = s->idx[j];
        s->idx[j] = tmp;
        s->in[s->idx[i]] = 1;
    }

    size_t out = 0;
    for (size_t i = 0; i < m; i++)
        if (s->in[i])
            idx[out++] = i;
    for (size_t i = m; i < n; i++)
        idx[out++] = i;
    return out;
}

int hpti_bayes_local_objective(hpti_bayes_local *s, double *X, double *loss, size_t *n,
                               size_t d, size_t above, size_t k)
{
    s->subset = *n > above;
    if (*n <= above)
        return HPT_OK;
    if (reserve(s, *n) != HPT_OK)
        return HPT_E_NOMEM;
    size_t c = hpti_bayes_local_rows(s, *n, d, X, loss, 1, loss, 1, above, k, s->rows);
    if (c == 0)
        return HPT_E_NOMEM;
    /* rows[i] >= i: compaction in place is safe */
    for (size_t i = 0; i < c; i++) {
        size_t r = s->rows[i];
        if (r != i) {
            memcpy(X + i * d, X + r * d, d * sizeof *X);
            loss[i] = loss[r];
        }
    }
    *n = c;
    return HPT_OK;
}

int hpti_bayes_local_feasibility(hpti_bayes_local *s, const double *u, const double *loss,
                                 size_t stride, const double *lbl, size_t n, size_t d,
                                 size_t above, size_t k, const double **X,
                                 const double **lbl_out, size_t *n_out)
{
    *X = u;
    *lbl_out = lbl;
    *n_out = n;
    s->subset = n > above;
    if (n <= above)
        return HPT_OK;
    if (reserve(s, n) != HPT_OK)
        return HPT_E_NOMEM;
    size_t c = hpti_bayes_local_rows(s, n, d, u, lbl, 1, loss, stride, above, k, s->rows);
    if (c == 0)
        return HPT_E_NOMEM;
    if (c > s->fcap) {
        double *fx = hpti_realloc(s->fX, c * d * sizeof *fx);
        if (!fx)
            return HPT_E_NOMEM;
        s->fX = fx;
        double *fl = hpti_realloc(s->fl, c * sizeof *fl);
        if (!fl)
            return HPT_E_NOMEM;
        s->fl = fl;
        s->fcap = c;
    }
    for (size_t i = 0; i < c; i++) {
        memcpy(s->fX + i * d, u + s->rows[i] * d, d * sizeof *u);
        s->fl[i] = lbl[s->rows[i]];
    }
    *X = s->fX;
    *lbl_out = s->fl;
    *n_out = c;
    return HPT_OK;
}

/* ---- fantasies kept across proposals ------------------------------------ */

void hpti_bayes_fantasies_free(hpti_bayes_fantasies *f)
{
    hpti_free(f->pend);
    hpti_free(f->y);
    hpti_free(f->X);
    hpti_free(f->piv);
    memset(f, 0, sizeof *f);
}

/* The factor's diagonal is what a refactorization by another route (say
 * appends instead of one blocked factorization) would most likely change
 * in the last bits: compared too, so that kept rows sit on the same
 * factor. */
static int same_pivots(const hpti_bayes_fantasies *f, const hpti_gp *gp, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(&f->piv[i], &gp->L[i * gp->cap + i], sizeof(double)) != 0)
            return 0;
    return 1;
}

size_t hpti_bayes_fantasies_reuse(hpti_bayes_fantasies *f, hpti_gp *gp, size_t n_real,
                                  unsigned long n_fits, const double *pend, size_t n_pend,
                                  size_t d)
{
    if (!f->valid || f->n_real != n_real || f->n_fits != n_fits || gp->n != n_real ||
        f->L != gp->L || f->cap != gp->cap || n_real + f->n_pend > gp->cap ||
        memcmp(f->y, gp->y, n_real * sizeof *f->y) != 0 ||
        memcmp(f->X, gp->X, n_real * d * sizeof *f->X) != 0 || !same_pivots(f, gp, n_real)) {
        f->valid = 0;
        f->reused = 0;
        return 0;
    }
    size_t k = 0;
    while (k < f->n_pend && k < n_pend &&
           memcmp(f->pend + k * d, pend + k * d, d * sizeof *pend) == 0)
        k++;
    /* Rows n_real.. were left by hpti_gp_truncate untouched (nothing was
     * appended, factored or reserved since: n_fits, n_real, L and cap say
     * so), with their targets y and their zero entries of v; the real
     * rows' v was recomputed from the same targets. */
    gp->n = n_real + k;
    gp->alpha_ok = 0;
    f->reused = k;
    return k;
}

void hpti_bayes_fantasies_keep(hpti_bayes_fantasies *f, const hpti_gp *gp, size_t n_real,
                               unsigned long n_fits, const double *pend, size_t d)
{
    size_t np = gp->n - n_real;
    f->valid = 0;
    if (hpti_grow((void **)&f->pend, &f->pcap, np * d + 1, sizeof *f->pend) ||
        hpti_grow((void **)&f->y, &f->ycap, n_real + 1, sizeof *f->y) ||
        hpti_grow((void **)&f->piv, &f->vcap, n_real + 1, sizeof *f->piv) ||
        hpti_grow((void **)&f->X, &f->xcap, (n_real + 1) * d, sizeof *f->X))
        return;
    if (np)
        memcpy(f->pend, pend, np * d * sizeof *pend);
    if (n_real) {
        memcpy(f->y, gp->y, n_real * sizeof *f->y);
        memcpy(f->X, gp->X, n_real * d * sizeof *f->X);
    }
    for (size_t i = 0; i < n_real; i++)
        f->piv[i] = gp->L[i * gp->cap + i];
    f->n_real = n_real;
    f->n_fits = n_fits;
    f->L = gp->L;
    f->cap = gp->cap;
    f->n_pend = np;
    f->valid = 1;
}
