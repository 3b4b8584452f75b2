/* acq_discrete.c -- the discrete moves of the acquisition search (acq.h,
 * hpti_acq_discrete).
 *
 * Gradient refinement moves only the continuous coordinates, so without
 * these moves the categorical choices and integers of a refined start are
 * whatever the Sobol point or perturbation it came from happened to draw:
 * the search tunes the floats for the choices it settled on and finds
 * another choice only if a random candidate lands near that choice's
 * optimum. Two moves fix that, both scored in batches:
 * - when the movable categoricals take few combinations, every combination
 *   is scored at the other coordinates of every start and of the best
 *   candidates (the places where some combination does well), and the
 *   best point of
 *   each combination the starts do not hold (a candidate or such a
 *   variant) becomes a start of its own, refined like the others: a choice
 *   whose optimum lies elsewhere in the continuous coordinates gets its own
 *   local search instead of losing to the incumbent's choice at the
 *   incumbent's floats;
 * - then a few rounds of neighbour moves on every start: another
 *   combination (or one categorical changed, when they are many), integers
 *   and stepped floats by 1, 2, 4, ... steps up to a quarter of their range
 *   either way (a ladder: a far optimum is reached in a few rounds, a near
 *   one exactly), the best improving move taken and the continuous part
 *   refined again: integers move in integer steps instead of staying where
 *   a candidate put them. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "acq.h"

#define ROUNDS 4        /* neighbour rounds (each followed by a refinement) */
#define MAX_CHOICES 64  /* categoricals with more choices are not moved here */

typedef struct {
    size_t dim;
    size_t cat[HPT_MAX_PARAMS], n_cat; /* movable categoricals */
    size_t ord[HPT_MAX_PARAMS], n_ord; /* movable integers and stepped floats */
    size_t combos;                     /* product of the categoricals' choices */
    int enumerate;                     /* combos <= HPTI_ACQ_ENUM_MAX */
} layout;

static int fixed_at(const hpti_acq_problem *p, size_t j)
{
    return p->fixed && !isnan(p->fixed[j]);
}

static void make_layout(const hpti_acq *a, const hpti_acq_problem *p, layout *l)
{
    const hpt_space *s = a->space;
    memset(l, 0, sizeof *l);
    l->dim = a->dim;
    l->combos = 1;
    for (size_t j = 0; j < s->n; j++) {
        const hpti_param *q = &s->p[j];
        double card = hpti_param_cardinality(q);
        if (fixed_at(p, j) || !(card > 1.0) || isinf(card))
            continue;
        if (q->type == HPT_PARAM_CATEGORICAL) {
            if (card > MAX_CHOICES)
                continue;
            l->cat[l->n_cat++] = j;
            l->combos = l->combos <= HPTI_ACQ_ENUM_MAX ? l->combos * (size_t)card
                                                       : HPTI_ACQ_ENUM_MAX + 1;
        } else
            l->ord[l->n_ord++] = j;
    }
    l->enumerate = l->n_cat && l->combos <= HPTI_ACQ_ENUM_MAX;
}

/* Mixed-radix index of the categorical combination of unit point u. */
static size_t combo_of(const hpti_acq *a, const layout *l, const double *u)
{
    size_t c = 0;
    for (size_t t = 0; t < l->n_cat; t++) {
        const hpti_param *q = &a->space->p[l->cat[t]];
        c = c * q->n_choices + (size_t)hpti_param_decode(q, u[l->cat[t]]);
    }
    return c;
}

/* Write combination c into the categorical coordinates of u. */
static void set_combo(const hpti_acq *a, const layout *l, size_t c, double *u)
{
    for (size_t t = l->n_cat; t-- > 0;) {
        const hpti_param *q = &a->space->p[l->cat[t]];
        u[l->cat[t]] = hpti_param_encode(q, (double)(c % q->n_choices));
        c /= q->n_choices;
    }
}

/* Neighbours of x appended to N (snapped); @return how many. */
static size_t neighbours(const hpti_acq *a, const layout *l,
                         const double *x, double *N)
{
    const hpt_space *s = a->space;
    size_t d = l->dim, n = 0;
    if (l->enumerate) {
        size_t own = combo_of(a, l, x);
        for (size_t c = 0; c < l->combos; c++)
            if (c != own) {
                memcpy(N + n * d, x, d * sizeof *N);
                set_combo(a, l, c, N + n++ * d);
            }
    } else
        for (size_t t = 0; t < l->n_cat; t++) {
            const hpti_param *q = &s->p[l->cat[t]];
            double own = hpti_param_decode(q, x[l->cat[t]]);
            for (size_t k = 0; k < q->n_choices; k++)
                if ((double)k != own) {
                    memcpy(N + n * d, x, d * sizeof *N);
                    N[n++ * d + l->cat[t]] = hpti_param_encode(q, (double)k);
                }
        }
    for (size_t t = 0; t < l->n_ord; t++) {
        size_t j = l->ord[t];
        const hpti_param *q = &s->p[j];
        double v = hpti_param_decode(q, x[j]), far = hpti_param_cardinality(q) / 4.0;
        for (double st = 1.0; st <= far || st == 1.0; st *= 2.0)
            for (int sg = -1; sg <= 1; sg += 2) {
                double w = v + sg * st * q->step;
                if (!(w >= q->lo && w <= q->hi))
                    continue;
                memcpy(N + n * d, x, d * sizeof *N);
                N[n++ * d + j] = hpti_param_encode(q, w);
            }
    }
    for (size_t i = 0; i < n; i++)
        hpti_space_snap(s, N + i * d, NULL);
    return n;
}

/* Most neighbours one start can have under make_layout. */
static size_t max_neighbours(const hpti_acq *a, const layout *l)
{
    size_t n = 0;
    for (size_t t = 0; t < l->n_ord; t++) /* 2 per power of 2 up to a quarter */
        n += 2 * (size_t)(2.0 + log2(fmax(1.0, hpti_param_cardinality(&a->space->p[l->ord[t]]))));
    if (l->enumerate)
        return n + l->combos;
    for (size_t t = 0; t < l->n_cat; t++)
        n += a->space->p[l->cat[t]].n_choices;
    return n;
}

int hpti_acq_discrete_applies(const hpti_acq *a, const hpti_acq_problem *p)
{
    if (a->space->n_cond && p->fixed)
        return 0; /* a move could deactivate a fixed parameter (acq.h, slice) */
    layout l;
    make_layout(a, p, &l);
    return l.n_cat + l.n_ord > 0;
}

/* Starts for the combinations the r starts X do not hold, best first: the
 * best of the m candidates C (scores S) and of the variants with that
 * combination of the starts and of the n_top best candidates (rows top of
 * C). Appended to X, F (*added of them, at most room). */
static int spawn(hpti_acq *a, const hpti_acq_problem *p, const layout *l, const double *C,
                 const double *S, size_t m, const size_t *top, size_t n_top, double *X,
                 double *F, size_t r, size_t room, size_t *added)
{
    size_t d = l->dim, nc = l->combos, nv = (r + n_top) * (nc - 1);
    *added = 0;
    double *V = hpti_malloc((nv ? nv : 1) * d * sizeof *V);
    double *vs = hpti_malloc((nv ? nv : 1) * 5 * sizeof *vs); /* values, scratch */
    double *bs = hpti_malloc(nc * sizeof *bs);
    const double **bp = hpti_malloc(nc * sizeof *bp);
    unsigned char *held = hpti_calloc(nc, 1);
    int rc = HPT_E_NOMEM;
    if (!V || !vs || !bs || !bp || !held)
        goto done;
    for (size_t c = 0; c < nc; c++) {
        bs[c] = -DBL_MAX;
        bp[c] = NULL;
    }
    for (size_t i = 0; i < r; i++)
        held[combo_of(a, l, X + i * d)] = 1;
    for (size_t i = 0; i < m; i++) {
        size_t c = combo_of(a, l, C + i * d);
        if (!held[c] && S[i] > bs[c]) {
            bs[c] = S[i];
            bp[c] = C + i * d;
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < r + n_top; i++)
        for (size_t c = 0; c < nc; c++)
            if (!held[c]) {
                memcpy(V + n * d, i < r ? X + i * d : C + top[i - r] * d, d * sizeof *V);
                set_combo(a, l, c, V + n * d);
                hpti_space_snap(a->space, V + n * d, NULL);
                n++;
            }
    if (n)
        hpti_acq_scores(a, p, V, n, vs, vs + n);
    for (size_t i = 0; i < n; i++) {
        size_t c = combo_of(a, l, V + i * d);
        if (vs[i] > bs[c]) {
            bs[c] = vs[i];
            bp[c] = V + i * d;
        }
    }
    while (*added < room) {
        size_t arg = nc;
        for (size_t c = 0; c < nc; c++)
            if (!held[c] && bp[c] && (arg == nc || bs[c] > bs[arg]))
                arg = c;
        if (arg == nc || bs[arg] <= -DBL_MAX)
            break;
        held[arg] = 1;
        memcpy(X + (r + *added) * d, bp[arg], d * sizeof *X);
        F[r + *added] = bs[arg];
        (*added)++;
    }
    rc = HPT_OK;
done:
    hpti_free(V);
    hpti_free(vs);
    hpti_free(bs);
    hpti_free(bp);
    hpti_free(held);
    return rc;
}

int hpti_acq_discrete(hpti_acq *a, const hpti_acq_problem *p, const double *C, const double *S,
                      size_t m, const size_t *top, size_t n_top, double *X, double *F, size_t *r,
                      size_t cap)
{
    layout l;
    make_layout(a, p, &l);
    size_t d = l.dim, n0 = *r;
    if (l.n_cat + l.n_ord == 0 || n0 == 0)
        return HPT_OK;
    if (l.enumerate) {
        size_t room = cap - n0 < n0 ? cap - n0 : n0, added;
        int rc = spawn(a, p, &l, C, S, m, top, n_top, X, F, n0, room, &added);
        if (rc)
            return rc;
        if (added)
            hpti_acq_refine(a, p, X + n0 * d, added, F + n0);
        *r = n0 + added;
    }
    /* after a discrete move the continuous part is near its optimum
     * already: a third of the steps */
    hpti_acq_problem short_p = *p;
    short_p.local_iter = p->local_iter / 3 ? p->local_iter / 3 : 1;
    size_t nr = *r, per = max_neighbours(a, &l);
    double *N = hpti_malloc(per * nr * d * sizeof *N);
    double *nv = hpti_malloc(per * nr * 5 * sizeof *nv); /* values, scratch */
    double *M = hpti_malloc(nr * d * sizeof *M), *mf = hpti_malloc(nr * sizeof *mf);
    size_t *from = hpti_malloc(nr * sizeof *from);
    int rc = HPT_E_NOMEM;
    if (!N || !nv || !M || !mf || !from)
        goto done;
    for (size_t round = 0; round < ROUNDS; round++) {
        size_t n = 0, cnt[HPTI_ACQ_MAX_LOCAL];
        for (size_t i = 0; i < nr; i++) {
            cnt[i] = neighbours(a, &l, X + i * d, N + n * d);
            n += cnt[i];
        }
        if (n)
            hpti_acq_scores(a, p, N, n, nv, nv + n);
        size_t moved = 0, at = 0;
        for (size_t i = 0; i < nr; i++) {
            size_t arg = cnt[i];
            for (size_t k = 0; k < cnt[i]; k++)
                if (nv[at + k] > F[i] && (arg == cnt[i] || nv[at + k] > nv[at + arg]))
                    arg = k;
            if (arg < cnt[i]) {
                memcpy(M + moved * d, N + (at + arg) * d, d * sizeof *M);
                mf[moved] = nv[at + arg];
                from[moved++] = i;
            }
            at += cnt[i];
        }
        if (moved == 0)
            break;
        hpti_acq_refine(a, &short_p, M, moved, mf);
        for (size_t k = 0; k < moved; k++) {
            memcpy(X + from[k] * d, M + k * d, d * sizeof *X);
            F[from[k]] = mf[k];
        }
    }
    rc = HPT_OK;
done:
    hpti_free(N);
    hpti_free(nv);
    hpti_free(M);
    hpti_free(mf);
    hpti_free(from);
    return rc;
}
