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
    hpti_take_lowest(s->idx, s->b, m, nb, s->a, s->in);

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
    hpti_take_lowest(s->idx, s->b, c, nn, s->a, s->in);

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
