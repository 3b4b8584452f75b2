/* bayes_feas.c -- the feasibility model's rows past a size (bayes_feas.h). */
#include <math.h>
#include <string.h>

#include "bayes_feas.h"
#include "common.h"
#include "select.h"

#define M_ROWS HPTI_BAYES_FEAS_ROWS

void hpti_bayes_feas_free(hpti_bayes_feas *s)
{
    hpti_free(s->key);
    hpti_free(s->idx);
    hpti_free(s->in);
    hpti_free(s->fX);
    hpti_free(s->fl);
    memset(s, 0, sizeof *s);
}

static int reserve(hpti_bayes_feas *s, size_t n, size_t d)
{
    if (n > s->cap) {
        size_t cap = n > 2 * s->cap ? n : 2 * s->cap;
        double *k = hpti_realloc(s->key, 3 * cap * sizeof *k); /* keys, then selection scratch */
        if (!k)
            return HPT_E_NOMEM;
        s->key = k;
        size_t *ix = hpti_realloc(s->idx, cap * sizeof *ix);
        if (!ix)
            return HPT_E_NOMEM;
        s->idx = ix;
        unsigned char *in = hpti_realloc(s->in, cap);
        if (!in)
            return HPT_E_NOMEM;
        s->in = in;
        s->cap = cap;
    }
    if (s->fcap < M_ROWS) {
        double *fx = hpti_realloc(s->fX, M_ROWS * d * sizeof *fx);
        if (!fx)
            return HPT_E_NOMEM;
        s->fX = fx;
        double *fl = hpti_realloc(s->fl, M_ROWS * sizeof *fl);
        if (!fl)
            return HPT_E_NOMEM;
        s->fl = fl;
        s->fcap = M_ROWS;
    }
    return HPT_OK;
}

/* The rows not chosen yet with a finite label > 0 (finished), ascending,
 * into s->idx. @return their count. */
static size_t open_rows(hpti_bayes_feas *s, const double *lbl, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (!s->in[i] && lbl[i] > 0.0)
            s->idx[c++] = i;
    return c;
}

/* Choose the k of lowest key among the c rows of s->idx (ascending);
 * ties go to the lower index, so the choice is a function of the keys. */
static void take_lowest(hpti_bayes_feas *s, size_t c, size_t k)
{
    double *t = s->key + s->cap;
    for (size_t i = 0; i < c; i++)
        t[i] = s->key[s->idx[i]];
    hpti_take_lowest(s->idx, t, c, k, t + s->cap, s->in);
}

int hpti_bayes_feas_rows(hpti_bayes_feas *s, const double *u, const double *loss,
                         size_t stride, const double *lbl, size_t n, size_t d,
                         const double **X, const double **lbl_out, size_t *n_out)
{
    *X = u;
    *lbl_out = lbl;
    *n_out = n;
    if (n <= M_ROWS)
        return HPT_OK;
    if (reserve(s, n, d) != HPT_OK)
        return HPT_E_NOMEM;
    memset(s->in, 0, n);
    size_t fail[M_ROWS / 2], nf = 0;
    for (size_t i = n; i-- > 0 && nf < M_ROWS / 2;)
        if (!(lbl[i] > 0.0)) {
            s->in[i] = 1;
            fail[nf++] = i;
        }
    size_t room = M_ROWS - nf;
    size_t c = open_rows(s, lbl, n);
    for (size_t k = 0; k < c; k++) {
        const double *x = u + s->idx[k] * d;
        double best = INFINITY;
        for (size_t f = 0; f < nf; f++) {
            const double *y = u + fail[f] * d;
            double r2 = 0.0;
            for (size_t j = 0; j < d; j++)
                r2 += (x[j] - y[j]) * (x[j] - y[j]);
            best = r2 < best ? r2 : best;
        }
        s->key[s->idx[k]] = best;
    }
    take_lowest(s, c, room / 2);
    c = open_rows(s, lbl, n);
    for (size_t k = 0; k < c; k++)
        s->key[s->idx[k]] = loss[s->idx[k] * stride];
    take_lowest(s, c, room / 4);
    /* the rest spread evenly, by index, over the rows still open */
    c = open_rows(s, lbl, n);
    size_t want = room - room / 2 - room / 4;
    if (c <= want)
        want = c;
    for (size_t j = 0; j < want; j++)
        s->in[s->idx[(size_t)(((double)j + 0.5) * (double)c / (double)want)]] = 1;
    size_t m = 0;
    for (size_t i = 0; i < n && m < M_ROWS; i++)
        if (s->in[i]) {
            memcpy(s->fX + m * d, u + i * d, d * sizeof *u);
            s->fl[m++] = lbl[i];
        }
    *X = s->fX;
    *lbl_out = s->fl;
    *n_out = m;
    return HPT_OK;
}
