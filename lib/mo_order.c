/* mo_order.c -- the order of trials with several objectives or
 * constraints (mo_order.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mo_order.h"
#include "pareto.h"

typedef struct hpti_mo_key {
    int infeasible;
    size_t rank;
    double score; /* smaller first: -contribution, or the violation */
    int64_t id;
    size_t at;    /* index into ids */
} key;

void hpti_mo_ws_free(hpti_mo_ws *w)
{
    hpti_free(w->key);
    hpti_free(w->pts);
    hpti_free(w->sub);
    hpti_free(w->c);
    hpti_free(w->rank);
    hpti_free(w->fi);
    memset(w, 0, sizeof *w);
}

static int grow(hpti_mo_ws *w, size_t n, size_t no)
{
    if (hpti_grow((void **)&w->key, &w->cap_key, n, sizeof *w->key) ||
        hpti_grow((void **)&w->pts, &w->cap_pts, n * no, sizeof *w->pts) ||
        hpti_grow((void **)&w->sub, &w->cap_sub, n * no, sizeof *w->sub) ||
        hpti_grow((void **)&w->c, &w->cap_c, n, sizeof *w->c) ||
        hpti_grow((void **)&w->rank, &w->cap_rank, n, sizeof *w->rank) ||
        hpti_grow((void **)&w->fi, &w->cap_fi, n, sizeof *w->fi))
        return HPT_E_NOMEM;
    return HPT_OK;
}

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

int hpti_mo_order(const hpti_history *h, const int64_t *ids, size_t n, size_t *pos,
                  hpti_mo_ws *w)
{
    size_t no = h->n_obj, nv = h->n_values;
    int rc = grow(w, n ? n : 1, no);
    key *k = w->key;
    double *pts = w->pts, *sub = w->sub, *c = w->c;
    size_t *rank = w->rank, *fi = w->fi;
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
    return rc;
}
