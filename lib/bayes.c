/* bayes.c -- strategy "bayes": Gaussian-process Bayesian optimization with
 * log expected improvement; and the proposal engine of bayes.h.
 *
 * The strategy: a Sobol initial design (randomly shifted, seed-driven;
 * shortened by warm-start observations, skipped with a transfer prior),
 * then one engine proposal per ask; options, the convergence test, the
 * importance hook and the warm-start rules are documented in hpt.h. The
 * engine's rows are the history's observations: warm-start observations
 * first, then finished trials by id (history.h).
 * Everything random is seeded from (study seed, trial index), so the same
 * event sequence gives the same proposals however many workers there are. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bayes.h"
#include "bayes_discrete.h"
#include "qrng.h"
#include "select.h"
#include "standardize.h"
#include "strategy.h"

#define FEAS_LS_MIN 0.05  /* smallest lengthscale of the failure model (acq.h) */
#define N_CENTERS HPTI_BAYES_CENTERS /* best observations the maximizer perturbs */
#define N_OUT HPTI_BAYES_OUT         /* ranked candidates considered for a proposal */
#define PRED_FLOPS 2.5e8  /* candidates * n^2 * models budget per proposal */
#define LOCAL_FLOPS 2e8   /* local_starts * steps * 2 n^2 * models budget */
#define RANDOM_TRIES 64   /* random points tried when every candidate is taken */
#define LEAN_ABOVE 500    /* model rows from which the lean schedule applies (bayes.h) */
#define LEAN_PREFIT 64    /* rows of its restart stage */
#define WARP_MAX_K 2      /* output warp: c >= (median - min) 10^-WARP_MAX_K */

/* ---- engine: options, life cycle -------------------------------------------- */

void hpti_bayes_defaults(hpti_bayes_opts *o)
{
    o->candidates = 1024;
    o->local_starts = 5;
    o->local_iter = 30;
    o->refit_every = 0;
    o->fit_restarts = 2;
    o->fit_max = 300;
    o->fit_iter = 60;
    o->repeats = 1;
    o->local_above = HPTI_BAYES_LOCAL_ABOVE;
    o->local_rows = HPTI_BAYES_LOCAL_ROWS;
    o->fill_below = 0.0; /* off: measured, not a clear gain (bench/README.md) */
    o->warp = 0;
}

/* hpti_gp_active_fn of the engine's space: which parameters the
 * configuration that u encodes activates. */
static void unit_active(const void *ctx, const double *u, unsigned char *act)
{
    const hpt_space *s = ctx;
    double x[HPT_MAX_PARAMS];
    for (size_t j = 0; j < s->n; j++)
        x[j] = hpti_param_decode(&s->p[j], u[j]);
    hpti_space_active(s, x, act);
}

/* A GP of the engine: categorical flags, and the conditional kernel of
 * gp.h on the parameters that have conditions. */
static int engine_gp(const hpt_space *space, hpti_gp *gp, unsigned char *flags)
{
    size_t d = space->n;
    for (size_t j = 0; j < d; j++)
        flags[j] = space->p[j].type == HPT_PARAM_CATEGORICAL;
    int rc = hpti_gp_init(gp, d, flags);
    if (rc || !space->n_cond)
        return rc;
    memset(flags, 0, d);
    for (size_t c = 0; c < space->n_cond; c++)
        flags[space->cond[c].child] = 1;
    return hpti_gp_set_conditional(gp, flags, unit_active, space);
}

int hpti_bayes_init(hpti_bayes *b, const hpt_space *space, const hpti_bayes_opts *o)
{
    memset(b, 0, sizeof *b);
    b->space = space;
    b->dim = space->n;
    b->opt = *o;
    if (b->opt.repeats == 0) /* a zeroed field: no repeat, as before the option */
        b->opt.repeats = 1;
    size_t d = b->dim;
    unsigned char *cat = hpti_malloc(d);
    if (!cat)
        return HPT_E_NOMEM;
    int rc = engine_gp(space, &b->gp, cat);
    if (!rc && b->opt.warp) {
        memset(cat, 1, d); /* hpti_gp_set_warp leaves out what is not ordered */
        rc = hpti_gp_set_warp(&b->gp, cat);
    }
    if (!rc)
        rc = engine_gp(space, &b->feas, cat);
    if (!rc)
        b->feas.ls_lo = log(FEAS_LS_MIN);
    hpti_free(cat);
    if (!rc)
        rc = hpti_acq_init(&b->acq, space);
    if (!rc) {
        b->centers = hpti_malloc(N_CENTERS * d * sizeof *b->centers);
        b->out = hpti_malloc(N_OUT * d * sizeof *b->out);
        b->out_s = hpti_malloc(N_OUT * sizeof *b->out_s);
        if (!b->centers || !b->out || !b->out_s)
            rc = HPT_E_NOMEM;
    }
    if (rc)
        hpti_bayes_free(b);
    return rc;
}

static void free_stack(hpti_bayes *b)
{
    hpti_gp_set_prior(&b->gp, NULL);
    for (size_t k = 0; b->stack && k < b->n_stack; k++)
        hpti_gp_free(&b->stack[k]);
    hpti_free(b->stack);
    b->stack = NULL;
    b->n_stack = 0;
}

void hpti_bayes_free(hpti_bayes *b)
{
    hpti_bayes_mo_free(b);
    free_stack(b);
    hpti_gp_free(&b->gp);
    hpti_gp_free(&b->feas);
    hpti_acq_free(&b->acq);
    hpti_bayes_local_free(&b->local);
    hpti_bayes_feas_free(&b->feas_rows);
    hpti_bayes_fantasies_free(&b->fant);
    hpti_free(b->X);
    hpti_free(b->y);
    hpti_free(b->tmp);
    hpti_free(b->lbl);
    hpti_free(b->pairs);
    hpti_free(b->sel);
    hpti_free(b->fX);
    hpti_free(b->fy);
    hpti_free(b->centers);
    hpti_free(b->out);
    hpti_free(b->out_s);
    memset(b, 0, sizeof *b);
}

typedef struct {
    double key;
    size_t i;
} kpair;

static int cmp_kpair(const void *pa, const void *pb)
{
    const kpair *a = pa, *b = pb;
    if (a->key < b->key)
        return -1;
    if (a->key > b->key)
        return 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

static int cmp_size(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    return a < b ? -1 : a > b;
}

static int reserve(hpti_bayes *b, size_t n)
{
    if (n <= b->cap)
        return HPT_OK;
    size_t cap = b->cap * 2 > n ? b->cap * 2 : n + 16;
    double **arr[] = {&b->y, &b->tmp, &b->lbl};
    for (size_t k = 0; k < 3; k++) {
        double *q = hpti_realloc(*arr[k], cap * sizeof *q);
        if (!q)
            return HPT_E_NOMEM;
        *arr[k] = q;
    }
    double *x = hpti_realloc(b->X, cap * b->dim * sizeof *x);
    if (!x)
        return HPT_E_NOMEM;
    b->X = x;
    kpair *p = hpti_realloc(b->pairs, cap * sizeof *p);
    if (!p)
        return HPT_E_NOMEM;
    b->pairs = p;
    size_t *s = hpti_realloc(b->sel, cap * sizeof *s);
    if (!s)
        return HPT_E_NOMEM;
    b->sel = s;
    b->cap = cap;
    return HPT_OK;
}

/* ---- output transform ---------------------------------------------------------- */

static double skewness(const double *y, size_t n)
{
    double m = 0, m2 = 0, m3 = 0;
    for (size_t i = 0; i < n; i++)
        m += y[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double e = y[i] - m;
        m2 += e * e;
        m3 += e * e * e;
    }
    m2 /= (double)n;
    m3 /= (double)n;
    return m2 > 0 ? m3 / (m2 * sqrt(m2)) : 0.0;
}

/* The transform's parameters, to map model units back to losses:
 * y = (w - m) / s with w = loss * scale, or w = log(loss * scale - mn + c)
 * when warped (c > 0). */
typedef struct {
    double scale, c, mn, m, s, lo, hi; /* lo, hi: range of loss * scale */
} xform;

static void transform(const double *loss_in, size_t n, double *y, double *sorted, xform *t)
{
    /* Extreme magnitudes (|loss| near 1e308 overflows differences and cubes)
     * are first scaled by a power of two: exact, and the transform below is
     * scale-invariant. */
    double amax = 0.0;
    for (size_t i = 0; i < n; i++)
        amax = fabs(loss_in[i]) > amax ? fabs(loss_in[i]) : amax;
    double scale = amax > 1e100 || (amax > 0.0 && amax < 1e-100) ? ldexp(1.0, -ilogb(amax)) : 1.0;
    t->scale = scale;
    t->c = 0.0;
    t->lo = INFINITY;
    t->hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        y[i] = loss_in[i] * scale;
        t->lo = y[i] < t->lo ? y[i] : t->lo;
        t->hi = y[i] > t->hi ? y[i] : t->hi;
    }
    const double *loss = y;
    if (n >= 4) {
        double g = skewness(y, n);
        if (g > 1.0) {
            /* The spread is the larger of the medians of all losses and
             * of the earliest quarter (at least 4) above the minimum. Once
             * a search has gathered in one basin most losses sit just
             * above the minimum, and the median with them: c then falls
             * towards 0 and the warp stretches that basin's bottom ever
             * further, which holds the search there (issue 18: on a 2-D
             * Goldstein-Price, c fell from 2.6 to 3e-6 in 90 evaluations,
             * 60 of them within 0.005 of a local minimum). The earliest
             * evaluations -- the initial design, the first guided steps
             * -- are the least gathered sample there is. */
            size_t q = (n + 3) / 4 > 4 ? (n + 3) / 4 : 4;
            memcpy(sorted, loss, q * sizeof *sorted);
            double med_early = hpti_select_kth(sorted, q, q / 2);
            memcpy(sorted, loss, n * sizeof *sorted);
            double med = hpti_select_kth(sorted, n, n / 2), mn = sorted[0];
            for (size_t i = 1; i < n; i++)
                mn = sorted[i] < mn ? sorted[i] : mn;
            double spread = (med_early > med ? med_early : med) - mn;
            double best_c = 0.0, best_g = g;
            /* c >= spread / 100: the warp's slope at the minimum is then at
             * most 101 times its slope at the median. Smaller c lowers the
             * skewness further, but once a run has gathered in one basin
             * it stretches the differences just above the minimum without
             * bound (log(q + c) of a quadratic basin q has curvature
             * proportional to 1 / c at its bottom): the model spends its
             * range on that basin and EI on creeping along it (issue 18:
             * Rosenbrock-4 seed 8 held for 80 evaluations at a local
             * minimum near 1000 on a face of the box, c = 0.005 by then).
             * c = spread alone escapes too, but then a search with failures
             * strays into the failure region and stops refining. */
            for (int k = 0; k <= WARP_MAX_K && spread > 0.0; k++) {
                double c = spread * pow(10.0, -k);
                for (size_t i = 0; i < n; i++)
                    sorted[i] = log(loss[i] - mn + c);
                double gk = fabs(skewness(sorted, n));
                if (gk < best_g) {
                    best_g = gk;
                    best_c = c;
                }
            }
            if (best_c > 0.0) {
                for (size_t i = 0; i < n; i++)
                    y[i] = log(y[i] - mn + best_c); /* y = loss here: in place */
                t->c = best_c;
                t->mn = mn;
            }
        }
    }
    hpti_standardize(y, n, 0, &t->m, &t->s);
}

void hpti_bayes_transform(const double *loss_in, size_t n, double *y, double *sorted)
{
    xform t;
    transform(loss_in, n, y, sorted, &t);
}

/* Expected improvement in loss units over the range of the losses, from
 * EI in model units at incumbent `best` (model units). Unwarped, the map
 * is linear. Warped, an improvement I in model units is one of
 * e^{w*} (1 - e^{-s I}) in loss units (w* = m + s best), a concave
 * function of I, so by Jensen's inequality EI in loss units is at most
 * e^{w*} (1 - e^{-s EI}): the bound is what is returned. */
static double ei_relative(const xform *t, double ei, double best)
{
    double range = t->hi - t->lo;
    if (!(range > 0.0))
        return ei; /* constant losses: model units are unit-scaled */
    double el = t->c > 0.0 ? exp(t->m + t->s * best) * -expm1(-t->s * ei) : t->s * ei;
    return el / range;
}

/* ---- engine: model upkeep --------------------------------------------------------- */

/* Hyperparameter refit due? (bayes.h, step 2) */
static int refit_due(size_t n, size_t last, size_t every)
{
    if (last == 0)
        return 1;
    if (every)
        return n >= last + every;
    size_t gap = last < 20 ? 1 : last / 10;
    return n >= last + gap;
}

/* Pick at most fit_max rows: the first half by key (ascending), the rest a
 * seeded random sample; row indices ascending in b->sel. @return count. */
static size_t fit_subset(hpti_bayes *b, const double *key, size_t n, size_t m,
                         hpti_rng *rng)
{
    if (n <= m) {
        for (size_t i = 0; i < n; i++)
            b->sel[i] = i;
        return n;
    }
    kpair *p = b->pairs;
    for (size_t i = 0; i < n; i++) {
        p[i].key = key[i];
        p[i].i = i;
    }
    qsort(p, n, sizeof *p, cmp_kpair);
    size_t h = m / 2;
    for (size_t i = 0; i < n; i++)
        b->sel[i] = p[i].i;
    /* partial Fisher-Yates over the tail */
    for (size_t i = h; i < m; i++) {
        size_t j = i + (size_t)hpti_rng_below(rng, n - i);
        size_t t = b->sel[i];
        b->sel[i] = b->sel[j];
        b->sel[j] = t;
    }
    qsort(b->sel, m, sizeof *b->sel, cmp_size);
    return m;
}

static int fit_rows(hpti_bayes *b, hpti_gp *gp, const double *X, const double *y,
                    const double *key, size_t n, size_t want, hpti_rng *rng, int restarts,
                    int iters, int count)
{
    size_t d = b->dim, m = fit_subset(b, key, n, want, rng);
    if (m > b->fcap) {
        double *fx = hpti_realloc(b->fX, m * d * sizeof *fx);
        if (!fx)
            return HPT_E_NOMEM;
        b->fX = fx;
        double *fy = hpti_realloc(b->fy, m * sizeof *fy);
        if (!fy)
            return HPT_E_NOMEM;
        b->fy = fy;
        b->fcap = m;
    }
    for (size_t k = 0; k < m; k++) {
        size_t i = b->sel[k];
        memcpy(b->fX + k * d, X + i * d, d * sizeof *X);
        b->fy[k] = y[i];
    }
    b->n_fits += (unsigned long)count;
    return hpti_gp_fit(gp, b->fX, b->fy, m, rng, restarts, iters);
}

void hpti_bayes_plan_fit(const hpti_bayes_opts *o, size_t n, unsigned long n_fit,
                         hpti_bayes_fit_plan *pl)
{
    size_t m = n < o->fit_max ? n : o->fit_max;
    /* random restarts while the fit sees at most 50 rows, then at every
     * 8th fit: with more data the previous optimum moves little */
    int restarts = m <= 50 || n_fit % 8 == 0 ? (int)o->fit_restarts : 0;
    int iters = (int)o->fit_iter;
    *pl = (hpti_bayes_fit_plan){0, 0, 0, m, restarts, iters};
    if (n < LEAN_ABOVE || m <= LEAN_PREFIT)
        return;
    /* Lean: the restarts search a subset small enough that an evaluation
     * costs a fraction of one at m rows; the m rows then only polish the
     * winner, which, warm, converges in a few steps. */
    if (restarts) {
        pl->pre_rows = LEAN_PREFIT;
        pl->pre_restarts = restarts;
        pl->pre_iter = iters / 2 > 1 ? iters / 2 : 1;
    }
    pl->restarts = 0;
    pl->iter = iters / 12 > 1 ? iters / 12 : 1;
}

static int fit_model(hpti_bayes *b, hpti_gp *gp, const double *X, const double *y,
                     const double *key, size_t n, hpti_rng *rng)
{
    hpti_bayes_fit_plan pl;
    hpti_bayes_plan_fit(&b->opt, n, gp->n_fit, &pl);
    if (pl.pre_rows) {
        int rc = fit_rows(b, gp, X, y, key, n, pl.pre_rows, rng, pl.pre_restarts,
                          pl.pre_iter, 0);
        if (rc)
            return rc;
        gp->n_fit--; /* one model fit in two stages: the restart schedule counts it once */
    }
    return fit_rows(b, gp, X, y, key, n, pl.rows, rng, pl.restarts, pl.iter, 1);
}

/* Bring a model to rows X[0..n) with targets y: refit and refactor when
 * due; else keep the factor's rows up to the first that differs from X
 * and append from there. Row i of a Cholesky factor depends only on rows
 * 0..i, so the result is the factor an append of X in order gives: a row
 * inserted before the end (a trial told out of id order, history.h) costs
 * O(n^2) per row after it, not a refit. */
static int sync_model(hpti_bayes *b, hpti_gp *gp, size_t *n_real, size_t *fit_n,
                      const double *X, const double *y, const double *key, size_t n,
                      hpti_rng *rng)
{
    size_t d = b->dim, same = 0, lim = *n_real < n ? *n_real : n;
    hpti_gp_truncate(gp, *n_real);
    if (lim > gp->n) /* an append that ran out of memory left fewer rows */
        lim = gp->n;
    while (same < lim && memcmp(gp->X + same * d, X + same * d, d * sizeof *X) == 0)
        same++;
    /* A local subset with fewer rows than the last fit is the next
     * prefix step's (bayes_scale.h): a new set, which gets a fit of its
     * own -- the growth rule alone would never refit it again. */
    int step = b->local.subset && n < *fit_n;
    b->local.subset = 0;
    int rc;
    if (!gp->have_theta || step || refit_due(n, *fit_n, b->opt.refit_every)) {
        if ((rc = fit_model(b, gp, X, y, key, n, rng)) != HPT_OK)
            return rc;
        *n_real = 0;
        *fit_n = n;
        rc = hpti_gp_factor(gp, X, n);
        if (rc == HPT_E_NUMERIC) { /* retry once from the prior medians */
            double *th = gp->ft;
            hpti_gp_default_theta(gp, th);
            hpti_gp_set_theta(gp, th);
            rc = hpti_gp_factor(gp, X, n);
        }
        if (rc)
            return rc;
    } else {
        /* The factor is always the full factorization of the last fit's
         * rows followed by appended rows, a function of the rows alone
         * (a reopened study rebuilds it so, bayes_state.c): a change
         * among the fitted rows factors them again. */
        size_t from = same;
        if (same < *fit_n && *fit_n <= n) {
            double jitter = gp->jitter;
            rc = hpti_gp_factor(gp, X, *fit_n);
            from = *fit_n;
            if (rc == HPT_E_NUMERIC) { /* as rebuild_gp: every row appended */
                rc = hpti_gp_factor_appended(gp, X, n, jitter);
                from = n;
            }
            if (rc)
                return rc;
        } else
            hpti_gp_truncate(gp, same);
        for (size_t i = from; i < n; i++)
            if ((rc = hpti_gp_append(gp, X + i * d)) != HPT_OK)
                return rc;
    }
    *n_real = n;
    hpti_gp_set_targets(gp, y);
    return HPT_OK;
}

/* ---- engine: transfer prior -------------------------------------------------------- */

int hpti_bayes_set_transfer(hpti_bayes *b, const double *u, const double *loss,
                            size_t stride, const int32_t *parent, size_t n, hpti_rng *rng,
                            char *msg)
{
    size_t d = b->dim;
    int rc;
    free_stack(b);
    b->n_real = 0; /* the engine's GP is refitted on top of the new prior */
    b->fit_n = 0;
    int32_t np = 0;
    for (size_t i = 0; i < n; i++)
        np = parent[i] + 1 > np ? parent[i] + 1 : np;
    if (np == 0)
        return HPT_OK;
    unsigned char *cat = hpti_malloc(d);
    b->stack = hpti_calloc((size_t)np, sizeof *b->stack);
    if (!cat || !b->stack || (rc = reserve(b, n + 1)) != HPT_OK) {
        hpti_free(cat);
        hpti_free(b->stack);
        b->stack = NULL;
        return hpti_fail(msg, HPT_E_NOMEM, "bayes: out of memory");
    }
    rc = HPT_OK;
    for (int32_t p = 0; p < np && rc == HPT_OK; p++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (parent[i] == p && isfinite(loss[i * stride])) {
                memcpy(b->X + m * d, u + i * d, d * sizeof *b->X);
                b->tmp[m++] = loss[i * stride];
            }
        if (m == 0)
            continue;
        hpti_gp *g = &b->stack[b->n_stack];
        if ((rc = engine_gp(b->space, g, cat)) != HPT_OK) {
            hpti_gp_free(g);
            break;
        }
        b->n_stack++;
        hpti_gp_set_prior(g, b->n_stack > 1 ? &b->stack[b->n_stack - 2] : NULL);
        hpti_bayes_transform(b->tmp, m, b->y, b->lbl);
        /* fit_model leaves the fitted rows (at most fit_max) in fX, fy */
        if ((rc = fit_model(b, g, b->X, b->y, b->y, m, rng)) != HPT_OK)
            break;
        size_t k = m < b->opt.fit_max ? m : b->opt.fit_max;
        rc = hpti_gp_factor(g, b->fX, k);
        if (rc == HPT_E_NUMERIC) { /* leave this parent out */
            hpti_gp_free(g);
            b->n_stack--;
            rc = HPT_OK;
            continue;
        }
        if (rc == HPT_OK) {
            hpti_gp_set_targets(g, b->fy);
            hpti_gp_finalize(g);
        }
    }
    hpti_free(cat);
    if (rc != HPT_OK) {
        free_stack(b);
        return hpti_fail(msg, rc, "bayes: out of memory");
    }
    hpti_gp_set_prior(&b->gp, b->n_stack ? &b->stack[b->n_stack - 1] : NULL);
    return HPT_OK;
}

/* ---- engine: proposal ------------------------------------------------------------- */

/* u <- encode(decode(u)) in every coordinate, inactive ones made
 * canonical: the exact coordinates the study will store for the
 * configuration u runs (floats included), so that comparing with stored
 * points finds every repeat. Returns u. */
static double *roundtrip(const hpt_space *s, double *u)
{
    double x[HPT_MAX_PARAMS];
    for (size_t j = 0; j < s->n; j++) {
        x[j] = hpti_param_decode(&s->p[j], u[j]);
        u[j] = hpti_param_encode(&s->p[j], x[j]);
    }
    hpti_space_canonical(s, u, x);
    return u;
}

/* Hold the fixed coordinates of partial fixing in u (NULL: none). */
static void hold_fixed(const double *fixed, size_t d, double *u)
{
    for (size_t j = 0; fixed && j < d; j++)
        if (!isnan(fixed[j]))
            u[j] = fixed[j];
}

/* No usable model: the random (snapped) point farthest from everything
 * known, among 256 draws, preferring points not taken; if all are taken,
 * a configuration with room found by enumeration (bayes_discrete.h). */
static int space_filling(hpti_bayes *b, const hpti_bayes_data *dt, hpti_rng *rng, double *u)
{
    size_t d = b->dim;
    double *x = b->out, best = -1.0;
    for (int t = 0; t < 256; t++) {
        for (size_t j = 0; j < d; j++)
            x[j] = hpti_rng_uniform(rng);
        hold_fixed(dt->fixed, d, x);
        hpti_space_snap(b->space, x, NULL);
        double md = INFINITY;
        for (size_t i = 0; i < dt->n + dt->n_pend; i++) {
            const double *p = i < dt->n ? dt->u + i * d : dt->pend + (i - dt->n) * d;
            double s = 0;
            for (size_t j = 0; j < d; j++)
                s += (x[j] - p[j]) * (x[j] - p[j]);
            md = s < md ? s : md;
        }
        if (md > best) {
            best = md;
            memcpy(u, x, d * sizeof *u);
        }
    }
    if (hpti_bayes_uses(dt, u, d, b->opt.repeats) < b->opt.repeats)
        return HPT_OK;
    int rc = hpti_bayes_free_config(b->space, dt, b->opt.repeats, NULL, NULL, rng, u);
    return rc == HPT_E_NOMEM ? rc : HPT_OK;
}

/* Step 2's learned-nothing test (bayes.h): the median over up to
 * HPTI_BAYES_FILL_ROWS of the model's n rows, spread by index, of each
 * one's largest correlation k(x_i, x_j) / sf2 with another row is below
 * opt.fill_below, and the rows nearest the best one (lowest target y) are
 * no better than the others. O(HPTI_BAYES_FILL_ROWS n d), plus O(n log n) when the first
 * part holds; scratch b->pairs and b->lbl (free between the transform and
 * the feasibility model). */
int hpti_bayes_learned_nothing(hpti_bayes *b, const hpti_gp *gp, const double *y, size_t n)
{
    size_t d = b->dim, m = n < HPTI_BAYES_FILL_ROWS ? n : HPTI_BAYES_FILL_ROWS;
    if (!(b->opt.fill_below > 0) || b->n_stack > 0 || n < 2)
        return 0;
    double most[HPTI_BAYES_FILL_ROWS];
    for (size_t k = 0; k < m; k++) {
        size_t i = k * n / m;
        double c = 0.0;
        for (size_t j = 0; j < n; j++)
            if (j != i) {
                double v = hpti_gp_kernel(gp, gp->X + i * d, gp->X + j * d);
                c = v > c ? v : c;
            }
        most[k] = c / gp->sf2;
    }
    if (!(hpti_select_kth(most, m, m / 2) < b->opt.fill_below))
        return 0;
    /* and the best row's neighbourhood is no better than the rest: the
     * n / 8 rows nearest to it (at least 4) have a median target at or
     * above that of the others */
    size_t best = 0, k = n / 8 > 4 ? n / 8 : 4;
    if (k + 1 >= n)
        return 0;
    for (size_t i = 1; i < n; i++)
        best = y[i] < y[best] ? i : best;
    kpair *pr = b->pairs;
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t j = 0; j < d; j++) {
            double t = gp->X[i * d + j] - gp->X[best * d + j];
            s += t * t;
        }
        pr[i].key = i == best ? -1.0 : s;
        pr[i].i = i;
    }
    qsort(pr, n, sizeof *pr, cmp_kpair);
    for (size_t r = 0; r < n; r++)
        b->lbl[r] = y[pr[r].i];
    double near = hpti_select_kth(b->lbl + 1, k, k / 2);
    double rest = hpti_select_kth(b->lbl + 1 + k, n - 1 - k, (n - 1 - k) / 2);
    return near >= rest;
}

/* One proposal's working values, passed along its steps (bayes.h, "One
 * proposal"). */
typedef struct {
    size_t no, nf; /* finished points observed / failed */
    size_t nrow;   /* rows of b->X whose posterior means b->tmp holds */
    xform xf;      /* output transform of the observed losses */
    double best;   /* incumbent, model units */
    size_t nc;     /* centers for the maximizer */
    hpti_gp *feas; /* feasibility model, or NULL */
    size_t n_out;  /* ranked candidates in b->out */
    const double *fixed; /* held coordinates (hpti_bayes_data), or NULL */
    hpti_acq_problem ap; /* what maximize scored (incumbent as used) */
} proposal;

/* Step 1, gather: the non-failed observations into b->X, b->tmp. */
static void gather(hpti_bayes *b, const hpti_bayes_data *dt, proposal *p)
{
    size_t d = b->dim;
    p->no = p->nf = 0;
    for (size_t i = 0; i < dt->n; i++) {
        if (isnan(dt->loss[i * dt->stride])) {
            p->nf++;
            continue;
        }
        memcpy(b->X + p->no * d, dt->u + i * d, d * sizeof *b->X);
        b->tmp[p->no++] = dt->loss[i * dt->stride];
    }
    p->nrow = p->no;
}

/* Steps 1-2, the model: transform the losses and bring the GP to them
 * (refit when due), leaving the posterior means at the rows in b->tmp; or,
 * with nothing observed but a transfer prior, the prior alone (constant
 * variance), incumbent and centers its lowest means at the top parent's
 * points. @return HPT_OK, HPT_E_NUMERIC (no usable model) or an error. */
static int fit_objective(hpti_bayes *b, proposal *p, hpti_rng *fit_rng)
{
    size_t d = b->dim;
    if (p->no == 0) {
        const hpti_gp *top = &b->stack[b->n_stack - 1];
        hpti_gp_truncate(&b->gp, 0);
        b->n_real = 0;
        p->nrow = top->n < b->cap ? top->n : b->cap;
        memcpy(b->X, top->X, p->nrow * d * sizeof *b->X);
        for (size_t i = 0; i < p->nrow; i++)
            b->tmp[i] = b->gp.mean + hpti_gp_mean_at(top, b->X + i * d, NULL);
        return HPT_OK;
    }
    transform(b->tmp, p->no, b->y, b->lbl, &p->xf);
    int rc = sync_model(b, &b->gp, &b->n_real, &b->fit_n, b->X, b->y, b->y, p->no, fit_rng);
    if (rc == HPT_E_NUMERIC)
        b->n_real = 0;
    if (rc)
        return rc;
    /* incumbent and centers: the lowest posterior means at observed
     * points (warm-start observations included) */
    hpti_gp_train_mean(&b->gp, b->tmp);
    return HPT_OK;
}

/* Step 5, centers: the N_CENTERS rows of lowest posterior mean, the first
 * of which is the incumbent. */
static void pick_centers(hpti_bayes *b, proposal *p)
{
    size_t d = b->dim;
    p->best = INFINITY;
    p->nc = 0;
    for (size_t c = 0; c < N_CENTERS && c < p->nrow; c++) {
        size_t arg = SIZE_MAX;
        for (size_t i = 0; i < p->nrow; i++)
            if (arg == SIZE_MAX || b->tmp[i] < b->tmp[arg])
                arg = i;
        if (c == 0)
            p->best = b->tmp[arg];
        /* A warm-start observation may lie outside the cube (a range that
         * was narrowed): it counts for the incumbent, but the maximizer
         * perturbs its projection onto the cube, so that every candidate
         * is a configuration of this space. */
        double *ctr = b->centers + c * d;
        for (size_t j = 0; j < d; j++) {
            double v = b->X[arg * d + j];
            ctr[j] = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
        }
        hpti_space_snap(b->space, ctr, NULL);
        b->tmp[arg] = INFINITY;
        p->nc++;
    }
}

/* Refit of the bounded feasibility model due? (bayes_feas.h) What the
 * classifier learns comes from the failures: a fit when their count grew
 * by 10% (at least one) since the last fit, else when the finished points
 * grew by half (or by refit_every when set). f_fit_n is the finished
 * points at the last fit; the failures among the first f_fit_n of them
 * stand for the count then (a function of the data and the recorded
 * state, as a reopened study needs). */
static int feas_refit_due(const hpti_bayes *b, const hpti_bayes_data *dt)
{
    size_t last = b->f_fit_n;
    if (!b->feas.have_theta || last == 0 || last > dt->n)
        return 1;
    size_t before = 0, now = 0;
    for (size_t i = 0; i < dt->n; i++)
        if (isnan(dt->loss[i * dt->stride])) {
            now++;
            before += i < last;
        }
    if (now >= before + (before >= 10 ? before / 10 : 1))
        return 1;
    if (b->opt.refit_every)
        return dt->n >= last + b->opt.refit_every;
    return dt->n >= last + last / 2;
}

/* Step 4 past HPTI_BAYES_FEAS_ROWS finished points: the GP on the subset
 * of bayes_feas.h, factored anew each time (no factor row is kept:
 * f_real 0), refitted by feas_refit_due. Everything is a
 * function of the data and the recorded fit state, so a reopened study
 * builds the same model. */
static int fit_feasibility_bounded(hpti_bayes *b, const hpti_bayes_data *dt, hpti_gp **out,
                                   hpti_rng *feas_rng)
{
    hpti_gp *gp = &b->feas;
    const double *fx, *fl;
    size_t fn;
    if (hpti_bayes_feas_rows(&b->feas_rows, dt->u, dt->loss, dt->stride, b->lbl, dt->n, b->dim,
                             &fx, &fl, &fn) != HPT_OK)
        return HPT_E_NOMEM;
    b->f_real = 0;
    hpti_gp_truncate(gp, 0);
    int rc;
    if (feas_refit_due(b, dt)) {
        if ((rc = fit_model(b, gp, fx, fl, fl, fn, feas_rng)) != HPT_OK)
            return rc;
        b->f_fit_n = dt->n;
    }
    rc = hpti_gp_factor(gp, fx, fn);
    if (rc == HPT_E_NUMERIC) { /* as sync_model: once more from the prior medians */
        hpti_gp_default_theta(gp, gp->ft);
        hpti_gp_set_theta(gp, gp->ft);
        rc = hpti_gp_factor(gp, fx, fn);
    }
    if (rc == HPT_OK) {
        hpti_gp_set_targets(gp, fl);
        *out = gp;
    }
    return rc == HPT_E_NUMERIC ? HPT_OK : rc;
}

/* Step 4, feasibility (bayes.h; one objective and several alike): a GP on
 * +1/-1 labels over every finished point when some failed, past
 * HPTI_BAYES_FEAS_ROWS over a subset (above); *out NULL when none failed or
 * it cannot be factored. */
int hpti_bayes_feasibility(hpti_bayes *b, const hpti_bayes_data *dt, size_t n_failed,
                           hpti_rng *feas_rng, hpti_gp **out)
{
    *out = NULL;
    if (n_failed == 0)
        return HPT_OK;
    for (size_t i = 0; i < dt->n; i++)
        b->lbl[i] = isnan(dt->loss[i * dt->stride]) ? -1.0 : 1.0;
    if (dt->n > HPTI_BAYES_FEAS_ROWS)
        return fit_feasibility_bounded(b, dt, out, feas_rng);
    int rc = sync_model(b, &b->feas, &b->f_real, &b->f_fit_n, dt->u, b->lbl, b->lbl, dt->n,
                        feas_rng);
    if (rc == HPT_OK)
        *out = &b->feas;
    else if (rc == HPT_E_NUMERIC)
        b->f_real = 0;
    return rc == HPT_E_NUMERIC ? HPT_OK : rc;
}

/* Step 3, fantasies: running points as kriging-believer rows (removed
 * again by the caller with hpti_gp_truncate), what is still exact of the
 * last proposal's kept (bayes_fant.h). */
static int add_fantasies(hpti_bayes *b, const hpti_bayes_data *dt, proposal *p)
{
    int rc = hpti_bayes_fantasies_add(&b->fant, &b->gp, b->n_real, b->gp.n_fit, b->fit_n,
                                      dt->pend, dt->n_pend, b->dim);
    if (rc)
        return rc;
    /* a fantasy is an observation: it can become the incumbent */
    for (size_t i = 0; i < dt->n_pend; i++) {
        double fy = b->gp.y[b->n_real + i];
        p->best = fy < p->best ? fy : p->best;
    }
    return HPT_OK;
}

/* Step 5, maximize log EI within the cost budget (bayes.h, "Cost
 * control"); the ranked candidates go to b->out, b->out_s. */
void hpti_bayes_plan_search(const hpti_bayes_opts *o, size_t rows, size_t models,
                            size_t *ncand, size_t *iters)
{
    double nn = (double)rows * (double)rows * (double)models;
    /* lean: half the budgets, the search then costs about one refactorization */
    double pred = rows < LEAN_ABOVE ? PRED_FLOPS : PRED_FLOPS / 2.0;
    double loc = rows < LEAN_ABOVE ? LOCAL_FLOPS : LOCAL_FLOPS / 2.0;
    *ncand = o->candidates;
    if ((double)*ncand * nn > pred)
        *ncand = pred / nn > 64.0 ? (size_t)(pred / nn) : 64;
    *iters = o->local_iter;
    if (o->local_starts && (double)(o->local_starts * *iters) * 2.0 * nn > loc) {
        double it = loc / ((double)o->local_starts * 2.0 * nn);
        *iters = it > 1.0 ? (size_t)it : 1;
    }
}

static int maximize(hpti_bayes *b, proposal *p, hpti_rng *rng)
{
    size_t ncand, iters;
    hpti_bayes_plan_search(&b->opt, b->gp.n, 1, &ncand, &iters);
    hpti_acq_problem ap = {&b->gp,   p->feas,    p->best, b->centers, p->nc, ncand,
                           b->opt.local_starts, iters, p->fixed, NULL};
    p->n_out = 0;
    int rc = hpti_acq_maximize(&b->acq, &ap, rng, N_OUT, b->out, b->out_s, &p->n_out);
    p->ap = ap;
    p->ap.best = b->acq.best_used;
    return rc;
}

typedef struct {
    hpti_bayes *b;
    const proposal *p;
} scorer;

static void score_acq(void *ctx, const double *X, size_t m, double *val)
{
    const scorer *sc = ctx;
    hpti_acq_values(&sc->b->acq, &sc->p->ap, X, m, val);
}

/* Step 5, pick (called while the fantasies are still in the model): the
 * best ranked candidate with room (fewer than opt.repeats evaluations,
 * running ones included). If none has room, the model is sure the optimum
 * is there: on a fully discrete space the configuration with room of
 * highest acquisition, by enumeration; elsewhere random points; if all of
 * those are taken too, repeat the best candidate -- for a noisy objective
 * a repeat is still informative. */
static int pick(hpti_bayes *b, const hpti_bayes_data *dt, const proposal *p,
                hpti_rng *rng, double *u)
{
    size_t d = b->dim, cap = b->opt.repeats;
    for (size_t r = 0; r < p->n_out; r++)
        if (hpti_bayes_uses(dt, roundtrip(b->space, b->out + r * d), d, cap) < cap) {
            memcpy(u, b->out + r * d, d * sizeof *u);
            return HPT_OK;
        }
    scorer sc = {b, p};
    int rc = hpti_bayes_free_config(b->space, dt, cap, p->n_out ? score_acq : NULL, &sc,
                                    rng, u);
    if (rc != HPT_DONE)
        return rc;
    for (int t = 0; t < RANDOM_TRIES; t++) {
        for (size_t j = 0; j < d; j++)
            u[j] = hpti_rng_uniform(rng);
        hold_fixed(dt->fixed, d, u);
        if (hpti_bayes_uses(dt, roundtrip(b->space, u), d, cap) < cap)
            return HPT_OK;
    }
    memcpy(u, b->out, d * sizeof *u);
    return HPT_OK;
}

int hpti_bayes_propose(hpti_bayes *b, const hpti_bayes_data *dt, hpti_rng *rng, double *u,
                       char *msg)
{
    int rc;
    if (dt->n_obj > 1 || dt->n_con > 0)
        return hpti_bayes_propose_mo(b, dt, rng, u, msg);
    b->last_ei = NAN;
    b->last_filled = 0;
    /* Each model fit draws from its own generator, seeded here: the draws
     * of the acquisition never depend on whether a fit happened in this
     * call. (A call that failed for memory after fitting leaves the fit
     * done; its retry skips it and must still propose what an unfailed
     * call -- e.g. the replay of a journal -- proposes.) */
    hpti_rng fit_rng, feas_rng;
    hpti_rng_seed(&fit_rng, hpti_rng_next(rng), 0);
    hpti_rng_seed(&feas_rng, hpti_rng_next(rng), 0);
    if ((rc = reserve(b, dt->n + 1)) != HPT_OK ||
        (rc = hpti_bayes_rebuild(b, dt)) != HPT_OK)
        return hpti_fail(msg, rc, "bayes: out of memory");
    proposal p = {.xf = {1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0}, .fixed = dt->fixed};
    gather(b, dt, &p);
    /* past local_above observations: the local model's rows only */
    if (hpti_bayes_local_objective(&b->local, b->X, b->tmp, &p.no, b->dim, b->opt.local_above,
                                   b->opt.local_rows) != HPT_OK)
        return hpti_fail(msg, HPT_E_NOMEM, "bayes: out of memory");
    p.nrow = p.no;
    if (p.no == 0 && b->n_stack == 0) {
        if (space_filling(b, dt, rng, u))
            return hpti_fail(msg, HPT_E_NOMEM, "bayes: out of memory");
        return HPT_OK;
    }
    rc = fit_objective(b, &p, &fit_rng);
    if (rc == HPT_E_NUMERIC) {
        if (space_filling(b, dt, rng, u))
            return hpti_fail(msg, HPT_E_NOMEM, "bayes: out of memory");
        return HPT_OK;
    }
    if (rc)
        return hpti_fail(msg, rc, "bayes: out of memory");
    if (hpti_bayes_learned_nothing(b, &b->gp, b->y, b->n_real)) {
        b->last_filled = 1;
        if (space_filling(b, dt, rng, u))
            return hpti_fail(msg, HPT_E_NOMEM, "bayes: out of memory");
        return HPT_OK;
    }
    pick_centers(b, &p);
    if ((rc = hpti_bayes_feasibility(b, dt, p.nf, &feas_rng, &p.feas)) != HPT_OK)
        return hpti_fail(msg, rc, "bayes: out of memory");
    rc = add_fantasies(b, dt, &p);
    if (!rc)
        rc = maximize(b, &p, rng);
    if (!rc)
        rc = pick(b, dt, &p, rng, u);
    hpti_gp_truncate(&b->gp, b->n_real); /* the fantasies go */
    if (rc)
        return hpti_fail(msg, rc, "bayes: out of memory");
    if (p.n_out && p.no)
        b->last_ei = ei_relative(&p.xf, exp(b->out_s[0]), p.best);
    return HPT_OK;
}

/* ---- engine: steps shared with bayes_mo.c ------------------------------------------ */

int hpti_bayes_reserve(hpti_bayes *b, size_t n)
{
    return reserve(b, n);
}

int hpti_bayes_sync(hpti_bayes *b, hpti_gp *gp, size_t *n_real, size_t *fit_n,
                    const double *X, const double *y, const double *key, size_t n,
                    hpti_rng *rng)
{
    return sync_model(b, gp, n_real, fit_n, X, y, key, n, rng);
}

void hpti_bayes_space_filling(hpti_bayes *b, const hpti_bayes_data *dt, hpti_rng *rng,
                              double *u)
{
    space_filling(b, dt, rng, u);
}

int hpti_bayes_pick(hpti_bayes *b, const hpti_bayes_data *dt, const hpti_acq_problem *ap,
                    size_t n_out, hpti_rng *rng, double *u)
{
    proposal p = {.n_out = n_out, .ap = *ap};
    return pick(b, dt, &p, rng, u);
}

/* ---- the strategy ---------------------------------------------------------------- */

typedef struct {
    /* options, as set (doubles, validated) */
    double initial_trials, candidates, refit_every, local_starts, fit_restarts, fit_max,
        blas_threads, convergence, convergence_asks, repeats;
    double local_above, local_rows; /* the local model past a size (bayes_scale.h) */
    double fill_below;              /* the learned-nothing test (bayes.h, step 2) */
    double warp;                    /* input warping (bayes.h) */
    /* convergence: model proposals in a row (all returned) whose best
     * candidate's relative EI was below "convergence" */
    size_t low_ei_streak;
    const char *done_why; /* reason of the last HPT_DONE (static) */
    hpti_bayes eng;
    int eng_ready;
    hpti_qrng design;   /* initial design (made by start) */
    size_t design_used; /* Sobol points drawn */
    double discrete_total; /* configurations of a fully discrete space, else inf */
    size_t prior_in;       /* warm-start observations inside the cube */
} bayes_state;

#define BAYES_INT(key, field, def, lo, hi)                                                  \
    {"bayes." key, HPT_OPTION_INT, HPTI_STORE_DOUBLE, offsetof(bayes_state, field), def, lo, hi, \
     0, NULL, NULL}

static const hpti_option bayes_options[] = {
    BAYES_INT("initial_trials", initial_trials, 0, 0, 1e6),
    BAYES_INT("candidates", candidates, 1024, 16, 1e6),
    BAYES_INT("refit_every", refit_every, 0, 0, 1e6),
    BAYES_INT("local_starts", local_starts, 5, 0, HPTI_ACQ_MAX_LOCAL),
    BAYES_INT("fit_restarts", fit_restarts, 2, 0, 100),
    BAYES_INT("fit_max_points", fit_max, 300, 20, 5000),
    BAYES_INT("blas_threads", blas_threads, 0, 0, 1024),
    {"bayes.convergence", HPT_OPTION_REAL, HPTI_STORE_DOUBLE, offsetof(bayes_state, convergence),
     0, 0, 1, 0, NULL, NULL},
    BAYES_INT("convergence_asks", convergence_asks, 5, 1, 1e6),
    BAYES_INT("repeats", repeats, 1, 1, 1e6),
    BAYES_INT("local_above", local_above, HPTI_BAYES_LOCAL_ABOVE, 100, 1e9),
    BAYES_INT("local_rows", local_rows, HPTI_BAYES_LOCAL_ROWS, 20, 1e5),
    {"bayes.fill_below", HPT_OPTION_REAL, HPTI_STORE_DOUBLE, offsetof(bayes_state, fill_below),
     0, 0, 1, 0, NULL, NULL},
    BAYES_INT("warp", warp, 0, 0, 1),
};

/* Automatic initial design: 2 d + 1 points, at least 5, at most 20. */
static size_t n_initial(const bayes_state *st, size_t dim)
{
    if (st->initial_trials > 0)
        return (size_t)st->initial_trials;
    size_t k = 2 * dim + 1;
    return k < 5 ? 5 : k > 20 ? 20 : k;
}

static int in_cube(const double *u, size_t d)
{
    for (size_t j = 0; j < d; j++)
        if (!(u[j] >= 0.0 && u[j] <= 1.0))
            return 0;
    return 1;
}

/* Count the warm-start observations inside the cube. */
static void count_priors(bayes_state *st, const hpti_env *env)
{
    const hpti_history *h = env->hist;
    size_t d = env->dim;
    st->prior_in = 0;
    for (size_t i = 0; i < h->n_prior; i++)
        st->prior_in += (size_t)in_cube(h->obs_u + i * d, d);
}

/* A fully discrete space is exhausted when every configuration has
 * "bayes.repeats" evaluations: distinct configurations are counted (each
 * up to the limit) among the trials, running ones included, and the
 * warm-start observations inside the cube. The count only runs once there
 * were enough asks for it to succeed. */
static int exhausted(const bayes_state *st, const hpti_env *env, int *done, char *msg)
{
    const hpti_history *h = env->hist;
    double need = st->discrete_total * st->repeats, have;
    *done = 0;
    if ((double)(h->n_trials + st->prior_in) < need)
        return HPT_OK;
    if (hpti_bayes_count_configs(env->space, h->u, h->n_trials, h->obs_u, h->n_prior,
                                 (size_t)st->repeats, &have))
        return hpti_fail(msg, HPT_E_NOMEM, "bayes: out of memory");
    *done = have >= need;
    return HPT_OK;
}

static void stop_engine(bayes_state *st)
{
    if (st->eng_ready)
        hpti_bayes_free(&st->eng);
    st->eng_ready = 0;
    hpti_qrng_free(&st->design);
}

static int bayes_start(void *state, const hpti_env *env, char *msg)
{
    const hpti_history *h = env->hist;
    bayes_state *st = state;
    stop_engine(st); /* a start that failed is retried at the next ask */
    hpti_bayes_opts o;
    hpti_bayes_defaults(&o);
    o.candidates = (size_t)st->candidates;
    o.refit_every = (size_t)st->refit_every;
    o.local_starts = (size_t)st->local_starts;
    o.fit_restarts = (size_t)st->fit_restarts;
    o.fit_max = (size_t)st->fit_max;
    o.repeats = (size_t)st->repeats;
    o.local_above = (size_t)st->local_above;
    o.local_rows = st->local_rows < st->local_above ? (size_t)st->local_rows : o.local_above;
    o.fill_below = st->fill_below;
    o.warp = st->warp != 0;
    if (hpti_bayes_init(&st->eng, env->space, &o))
        return hpti_fail(msg, HPT_E_NOMEM, "bayes: out of memory");
    st->eng_ready = 1;
    if (hpti_qrng_init(&st->design, env->dim))
        return hpti_fail(msg, HPT_E_NOMEM, "bayes: out of memory");
    hpti_rng r;
    hpti_rng_seed(&r, env->seed, HPTI_STREAM_STRATEGY);
    hpti_qrng_restart(&st->design, st->design.qdim, &r);
    st->discrete_total = hpti_space_configurations(env->space);
    count_priors(st, env);
    if (h->n_transfer) {
        hpti_rng_seed(&r, env->seed, HPTI_STREAM_MODEL);
        int rc = hpti_bayes_set_transfer(&st->eng, h->transfer_u, h->transfer_value,
                                         h->n_values, h->transfer_parent, h->n_transfer, &r,
                                         msg);
        if (rc) {
            stop_engine(st);
            return rc;
        }
    }
    return HPT_OK;
}

/* The engine's input is the history itself: observations (priors, then
 * finished trials by id; failed ones NaN) and running points. */
static int propose_model(const hpti_env *env, bayes_state *st, hpti_proposal *out,
                         hpti_rng *rng, char *msg)
{
    const hpti_history *h = env->hist;
    hpti_bayes_data dt = {h->obs_u, h->obs_value, h->n_values, h->n_obs, h->run_u,
                          h->n_running, h->n_obj, h->n_con, out->fixed};
    return hpti_bayes_propose(&st->eng, &dt, rng, out->u, msg);
}

/* The next design point; coordinates past the Sobol table come from this
 * proposal's generator. */
static void design_point(bayes_state *st, double *u, hpti_rng *rng)
{
    hpti_qrng_next(&st->design, rng, u);
    st->design_used++;
}

/* Initial design still running? Warm-start observations inside the cube
 * replace design points one for one (those outside a narrowed range
 * inform the model but do not cover this space); a transfer prior
 * replaces the whole design (bayes.h: the first ask proposes from the
 * prior alone). */
static int design_left(const bayes_state *st, const hpti_env *env)
{
    if (st->eng.n_stack)
        return 0;
    return env->hist->n_trials + st->prior_in < n_initial(st, env->dim);
}

static int bayes_propose(void *state, const hpti_env *env, hpti_proposal *out, char *msg)
{
    bayes_state *st = state;
    const hpti_history *h = env->hist;
    size_t n = h->n_trials, d = env->dim;
    int rc;

    /* a fully discrete space whose every configuration was asked (or
     * observed in a warm start) as often as allowed */
    int done;
    if ((rc = exhausted(st, env, &done, msg)) != HPT_OK)
        return rc;
    if (done) {
        st->done_why = "exhausted";
        return HPT_DONE;
    }
    /* Convergence: decided on the proposals already returned, before any
     * model work, so that this HPT_DONE changes nothing in the state (a
     * resumed study, which never replays it, stays identical). */
    if (st->convergence > 0 && (double)st->low_ei_streak >= st->convergence_asks) {
        st->done_why = "converged";
        return HPT_DONE;
    }

    hpti_rng rng;
    hpti_rng_seed(&rng, env->seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(n + 1)),
                  HPTI_STREAM_MODEL);
    size_t usable = h->n_prior + h->n_complete + h->n_pruned;
    int threads = (int)st->blas_threads, old = 0;
    if (design_left(st, env) || (usable == 0 && st->eng.n_stack == 0)) {
        /* initial design: the next Sobol point not already taken */
        for (int t = 0; t < 64; t++) {
            design_point(st, out->u, &rng);
            hpti_space_snap(env->space, out->u, NULL);
            int dup = 0;
            for (size_t i = 0; i < n && !dup; i++)
                dup = memcmp(hpti_history_u(h, (int64_t)i), out->u, d * sizeof(double)) == 0;
            if (!dup)
                break;
        }
        return HPT_OK;
    }
    if (threads) {
        old = openblas_get_num_threads();
        openblas_set_num_threads(threads);
    }
    rc = propose_model(env, st, out, &rng, msg);
    if (threads)
        openblas_set_num_threads(old);
    if (rc == HPT_OK) {
        double ei = st->eng.last_ei;
        st->low_ei_streak = isfinite(ei) && ei < st->convergence ? st->low_ei_streak + 1 : 0;
    }
    return rc;
}

static const char *bayes_done_reason(const void *state)
{
    const bayes_state *st = state;
    return st->done_why;
}

/* Importance: 1 / lengthscale of the fitted ARD kernel per parameter
 * (hpt.h, hpt_study_importance); 0 for a fixed parameter, whose
 * lengthscale the data cannot inform. */
static int bayes_importance(void *state, const hpti_env *env, double *out, char *msg)
{
    bayes_state *st = state;
    if (!st->eng_ready || !st->eng.gp.have_theta)
        return hpti_fail(msg, HPT_E_NOMODEL,
                         "bayes has not fitted its model yet (it does after the initial "
                         "design)");
    for (size_t j = 0; j < env->dim; j++)
        out[j] = hpti_param_cardinality(&env->space->p[j]) == 1.0
                     ? 0.0
                     : exp(-st->eng.gp.theta[j]);
    return HPT_OK;
}

/* The state after a proposal (format 1; strategy.h): the convergence
 * streak, the design points drawn, and the engine's part (bayes_state.c).
 * The proposal's own generator is seeded from the trial index: nothing
 * to record. */
static void bayes_snapshot(void *state, const hpti_env *env, hpti_snapw *w)
{
    HPTI_UNUSED(env);
    bayes_state *st = state;
    hpti_snapw_u64(w, 1);
    hpti_snapw_u64(w, st->low_ei_streak);
    hpti_snapw_u64(w, st->design.used);
    hpti_bayes_snapshot(&st->eng, w);
}

static int bayes_restore(void *state, const hpti_env *env, const hpti_proposal *p,
                         const unsigned char *bytes, size_t len, char *msg)
{
    HPTI_UNUSED(env);
    HPTI_UNUSED(p);
    bayes_state *st = state;
    hpti_snapr r = {bytes, len, 0, 0};
    size_t streak = 0, used = 0;
    int rc = HPT_E_CORRUPT;
    if (st->eng_ready && hpti_snapr_u64(&r) == 1) {
        streak = (size_t)hpti_snapr_u64(&r);
        used = (size_t)hpti_snapr_u64(&r);
        rc = hpti_bayes_restore(&st->eng, &r, 0);
    }
    /* a proposal draws at most 64 design points (bayes_propose) */
    if (rc || !hpti_snapr_ok(&r) || used < st->design.used || used > st->design.used + 64)
        return hpti_fail(msg, HPT_E_CORRUPT, "bayes: unreadable state");
    r.at = 0; /* checked: now read again and applied */
    for (int k = 0; k < 3; k++)
        hpti_snapr_u64(&r);
    hpti_bayes_restore(&st->eng, &r, 1);
    st->low_ei_streak = streak;
    /* Design points past the table's coordinates come from each
     * proposal's own generator: any generator draws the sequence on. */
    hpti_rng scratch = {{1, 2, 3, 4}};
    while (st->design.used < used)
        design_point(st, st->eng.out, &scratch);
    return HPT_OK;
}

static unsigned long bayes_model_fits(const void *state)
{
    return ((const bayes_state *)state)->eng.n_fits;
}

static void bayes_free(void *state)
{
    bayes_state *st = state;
    stop_engine(st);
}

const hpti_strategy_type hpti_strategy_bayes = {
    .name = "bayes",
    .state_size = sizeof(bayes_state),
    HPTI_OPTIONS(bayes_options),
    .start = bayes_start,
    .propose = bayes_propose,
    .free = bayes_free,
    .done_reason = bayes_done_reason,
    .importance = bayes_importance,
    .snapshot = bayes_snapshot,
    .restore = bayes_restore,
    .model_fits = bayes_model_fits,
};
