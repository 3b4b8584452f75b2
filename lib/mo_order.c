/* mo_order.c -- the order of trials with several objectives or
 * constraints (mo_order.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mo_order.h"
#include "pareto.h"

typedef struct {
    int infeasible;
    size_t rank;
    double score; /* smaller first: -contribution, or the violation */
    int64_t id;
    size_t at;    /* index into ids */
} key;

static int by_key(const void *pa, const void *pb)
{
    const key *a = pa, *b = pb;
    if (a->infeasible != b->infeasible)
        return a->infeasible - b->infeasible;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (a->score != b->score)
        return a->score < b->score ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* The reference beyond the worst feasible values (mo_order.h). */
static void reference(const double *pts, size_t n_f, size_t n, double *ref)
{
    for (size_t k = 0; k < n; k++) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n_f; i++) {
            lo = pts[i * n + k] < lo ? pts[i * n + k] : lo;
            hi = pts[i * n + k] > hi ? pts[i * n + k] : hi;
        }
        ref[k] = hi + (hi > lo ? 0.1 * (hi - lo) : 1.0);
    }
}

int hpti_mo_order(const hpti_history *h, const int64_t *ids, size_t n, size_t *pos)
{
    size_t no = h->n_obj, nv = h->n_values, N = n ? n : 1;
    key *k = hpti_malloc(N * sizeof *k);
    double *pts = hpti_malloc(N * no * sizeof *pts), *sub = hpti_malloc(N * no * sizeof *sub);
    double *c = hpti_malloc(N * sizeof *c);
    size_t *rank = hpti_malloc(N * sizeof *rank), *fi = hpti_malloc(N * sizeof *fi);
    int rc = k && pts && sub && c && rank && fi ? HPT_OK : HPT_E_NOMEM;
    size_t n_f = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        const double *row = h->value + (size_t)ids[i] * nv;
        k[i] = (key){!hpti_history_row_feasible(h, row), 0, 0, ids[i], i};
        if (k[i].infeasible) {
            for (size_t j = no; j < nv; j++)
                k[i].score += row[j] > 0 ? row[j] : 0;
        } else {
            memcpy(pts + n_f * no, row, no * sizeof *row);
            fi[n_f++] = i;
        }
    }
    if (!rc && n_f)
        rc = hpti_pareto_rank(pts, n_f, no, no, rank);
    if (!rc && n_f && no == 1)
        for (size_t f = 0; f < n_f; f++)
            k[fi[f]].rank = 0, k[fi[f]].score = pts[f];
    else if (!rc && n_f) {
        double ref[HPT_MAX_OBJECTIVES];
        reference(pts, n_f, no, ref);
        size_t top = 0;
        for (size_t f = 0; f < n_f; f++)
            top = rank[f] > top ? rank[f] : top;
        for (size_t r = 0; !rc && r <= top; r++) {
            size_t m = 0;
            for (size_t f = 0; f < n_f; f++)
                if (rank[f] == r)
                    memcpy(sub + m++ * no, pts + f * no, no * sizeof *pts);
            rc = hpti_hv_contributions(sub, m, no, no, ref, c);
            m = 0;
            for (size_t f = 0; !rc && f < n_f; f++)
                if (rank[f] == r) {
                    k[fi[f]].rank = r;
                    k[fi[f]].score = -c[m++];
                }
        }
    }
    if (!rc) {
        qsort(k, n, sizeof *k, by_key);
        for (size_t i = 0; i < n; i++)
            pos[k[i].at] = i;
    }
    hpti_free(k);
    hpti_free(pts);
    hpti_free(sub);
    hpti_free(c);
    hpti_free(rank);
    hpti_free(fi);
    return rc;
}
