/* bayes_scale.h -- the bayes engine past a size: a local GP on a bounded,
 * deterministic subset of the observations.
 *
 * An exact GP costs 8 n^2 bytes and O(n^3) per refit, so past
 * `local_above` rows (A) the engine models a subset of at most K + T rows
 * (K = `local_rows`, T = max(K / 2, 1)) chosen as a pure function of the
 * rows it is given, so that the same history gives the same model however
 * the calls were spread (a reopened study, a replayed journal):
 *
 *   - the rows are split into a prefix of m = A + T floor((n - A - 1) / T)
 *     rows and the tail after it (1..T rows, the newest observations);
 *   - from the prefix, K rows: the K/4 best by key (ties: lower index),
 *     then the K/2 nearest (Euclidean in the unit cube) to the center row
 *     (the lowest of a second key over the prefix), then a random sample
 *     of the rest drawn from a generator seeded by m alone;
 *   - the model rows are those K in index order, then the whole tail.
 *
 * Between two prefix steps the subset only grows at its end, so the GP
 * extends its factor by one row per observation (bayes.h, step 2); at
 * each step (every T observations) the subset changes and the model is
 * refitted on it. The selection is O(m) time (selection, not sorting) and
 * O(m) scratch; the model's memory is bounded by K + T rows plus running
 * trials, independently of n. */
#ifndef HPT_BAYES_SCALE_H
#define HPT_BAYES_SCALE_H

#include <stddef.h>

/* Defaults of hpti_bayes_opts.local_above and local_rows. */
#define HPTI_BAYES_LOCAL_ABOVE 3000
#define HPTI_BAYES_LOCAL_ROWS 1000

typedef struct {
    size_t cap;        /* rows the scratch holds */
    double *a, *b;     /* cap each: keys, distances */
    size_t *idx;       /* cap: candidate rows */
    unsigned char *in; /* cap: chosen flags */
    size_t *rows;      /* cap: the chosen rows */
    int subset;        /* the last call gave a subset: the model's next sync
                          refits when it has fewer rows than at its last fit
                          (a new prefix step), and clears this */
} hpti_bayes_local;

void hpti_bayes_local_free(hpti_bayes_local *s);

/* Rows a model of n rows uses: n when n <= above (every row; idx is not
 * written), else the count written to idx (ascending row indices, at most
 * k + max(k / 2, 1)). X: n * d rows; key: n values, lower = better, NaN
 * = worst; ckey: n values whose lowest row in the prefix is the center
 * (NaN = never). Requires k <= above. @return the count, or 0 when out of
 * memory (idx then unusable). */
size_t hpti_bayes_local_rows(hpti_bayes_local *s, size_t n, size_t d, const double *X,
                             const double *key, size_t kstride, const double *ckey,
                             size_t cstride, size_t above, size_t k, size_t *idx);

/* The objective's rows, in place: X (n * d) and loss (n) are compacted
 * to the chosen rows (key = center key = the loss), *n updated.
 * @return HPT_OK or HPT_E_NOMEM (rows unchanged). */
int hpti_bayes_local_objective(hpti_bayes_local *s, double *X, double *loss, size_t *n,
                               size_t d, size_t above, size_t k);

#endif
