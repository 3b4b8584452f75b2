/* bayes_discrete.c -- evaluation counts per configuration (bayes_discrete.h).
 *
 * Points are sorted as rows of d + 1 doubles whose first value is d, so
 * that qsort's comparator knows the row length without a global. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bayes_discrete.h"

#define SCORED_MAX 256 /* configurations with room scored per call */

/* u <- the coordinates the study stores for the configuration u encodes. */
static void stored(const hpt_space *s, double *u)
{
    double x[HPT_MAX_PARAMS];
    for (size_t j = 0; j < s->n; j++) {
        x[j] = hpti_param_decode(&s->p[j], u[j]);
        u[j] = hpti_param_encode(&s->p[j], x[j]);
    }
    hpti_space_canonical(s, u, x);
}

static int cmp_row(const void *pa, const void *pb)
{
    const double *a = pa, *b = pb;
    size_t d = (size_t)a[0];
    for (size_t j = 1; j <= d; j++) {
        if (a[j] < b[j])
            return -1;
        if (a[j] > b[j])
            return 1;
    }
    return 0;
}

size_t hpti_bayes_uses(const hpti_bayes_data *dt, const double *x, size_t d, size_t cap)
{
    size_t c = 0;
    for (size_t i = 0; i < dt->n + dt->n_pend && c < cap; i++) {
        const double *p = i < dt->n ? dt->u + i * d : dt->pend + (i - dt->n) * d;
        size_t j = 0;
        while (j < d && p[j] == x[j])
            j++;
        c += j == d;
    }
    return c;
}

static int in_cube(const double *u, size_t d)
{
    for (size_t j = 0; j < d; j++)
        if (!(u[j] >= 0.0 && u[j] <= 1.0))
            return 0;
    return 1;
}

/* Sorted rows of the points of a (na) and b (nb, those inside the cube):
 * *rows (caller frees), *nr of them. */
static int sorted_rows(const hpt_space *s, const double *a, size_t na, const double *b,
                       size_t nb, double **rows, size_t *nr)
{
    size_t d = s->n, w = d + 1;
    *nr = 0;
    *rows = hpti_malloc((na + nb + 1) * w * sizeof **rows);
    if (!*rows)
        return HPT_E_NOMEM;
    for (size_t i = 0; i < na + nb; i++) {
        const double *p = i < na ? a + i * d : b + (i - na) * d;
        if (i >= na && !in_cube(p, d))
            continue;
        double *r = *rows + *nr * w;
        r[0] = (double)d;
        memcpy(r + 1, p, d * sizeof *r);
        stored(s, r + 1);
        (*nr)++;
    }
    qsort(*rows, *nr, w * sizeof **rows, cmp_row);
    return HPT_OK;
}

int hpti_bayes_count_configs(const hpt_space *s, const double *a, size_t na, const double *b,
                             size_t nb, size_t cap, double *count)
{
    size_t w = s->n + 1, nr;
    double *rows;
    if (sorted_rows(s, a, na, b, nb, &rows, &nr))
        return HPT_E_NOMEM;
    double total = 0;
    for (size_t i = 0, run = 0; i < nr; i++) {
        run = i > 0 && cmp_row(rows + (i - 1) * w, rows + i * w) == 0 ? run + 1 : 1;
        total += run <= cap;
    }
    hpti_free(rows);
    *count = total;
    return HPT_OK;
}

/* Rows of the sorted table equal to key, counted up to cap. */
static size_t occurrences(const double *rows, size_t nr, const double *key, size_t cap)
{
    size_t w = (size_t)key[0] + 1, lo = 0, hi = nr;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_row(rows + mid * w, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t c = 0;
    while (lo + c < nr && c < cap && cmp_row(rows + (lo + c) * w, key) == 0)
        c++;
    return c;
}

int hpti_bayes_free_config(const hpt_space *s, const hpti_bayes_data *dt, size_t cap,
                           hpti_bayes_score_fn score, void *ctx, hpti_rng *rng, double *u)
{
    size_t d = s->n;
    double card[HPT_MAX_PARAMS], held[HPT_MAX_PARAMS], key[HPT_MAX_PARAMS + 1];
    double product = 1;
    for (size_t j = 0; j < d; j++) {
        held[j] = dt->fixed ? dt->fixed[j] : NAN;
        card[j] = isnan(held[j]) ? hpti_param_cardinality(&s->p[j]) : 1.0;
        product *= card[j];
    }
    if (!(product <= HPTI_BAYES_ENUM_MAX))
        return HPT_DONE;
    /* a held coordinate as the study would store it alone; after the
     * configuration's canonical step it differs only if it became
     * inactive, which would drop the host's value */
    for (size_t j = 0; j < d; j++)
        if (!isnan(held[j]))
            held[j] = hpti_param_encode(&s->p[j], hpti_param_decode(&s->p[j], held[j]));
    double *rows;
    size_t nr;
    if (sorted_rows(s, dt->u, dt->n, dt->pend, dt->n_pend, &rows, &nr))
        return HPT_E_NOMEM;
    size_t total = (size_t)product, start = (size_t)hpti_rng_below(rng, total), found = 0;
    size_t want = score ? SCORED_MAX : 1;
    /* the configurations with room, scored in one batch at the end */
    double *cand = hpti_malloc(want * (d ? d : 1) * sizeof *cand);
    double *val = hpti_malloc(want * sizeof *val);
    if (!cand || !val) {
        hpti_free(cand);
        hpti_free(val);
        hpti_free(rows);
        return HPT_E_NOMEM;
    }
    key[0] = (double)d;
    for (size_t t = 0; t < total && found < want; t++) {
        size_t rest = (start + t) % total;
        double *x = key + 1;
        for (size_t j = 0; j < d; j++) {
            if (!isnan(held[j])) {
                x[j] = held[j];
                continue;
            }
            size_t k = rest % (size_t)card[j];
            rest /= (size_t)card[j];
            x[j] = hpti_param_encode(&s->p[j], hpti_param_point(&s->p[j], (double)k));
        }
        stored(s, x);
        int dropped = 0;
        for (size_t j = 0; j < d && !dropped; j++)
            dropped = !isnan(held[j]) && x[j] != held[j];
        if (dropped || occurrences(rows, nr, key, cap) >= cap)
            continue;
        memcpy(cand + (found++) * d, x, d * sizeof *x);
    }
    size_t arg = 0;
    if (found > 1) { /* the first of the highest, in walking order */
        score(ctx, cand, found, val);
        for (size_t i = 1; i < found; i++)
            if (val[i] > val[arg])
                arg = i;
    }
    if (found)
        memcpy(u, cand + arg * d, d * sizeof *u);
    hpti_free(cand);
    hpti_free(val);
    hpti_free(rows);
    return found ? HPT_OK : HPT_DONE;
}
