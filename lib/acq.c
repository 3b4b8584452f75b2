/* acq.c -- log expected improvement and its maximizer (see acq.h).
 *
 * GSL's gsl_sf_log_erfc is only called on [0.7, 28.3], where it neither
 * underflows nor reaches its error handler; further out the asymptotic
 * series of the Mills ratio is exact to double precision. */
#include <float.h>
#include <gsl/gsl_sf_erf.h>
#include <math.h>
#include <string.h>

#include "acq.h"
#include "acq_mo.h"
#include "select.h"

#define C1 0.91893853320467274178   /* log(2 pi) / 2 */
#define C2 0.22579135264472743236    /* log(pi / 2) / 2 */
#define TAIL 40.0                   /* |z| beyond which the series is used */
#define ZMIN (-1e150)               /* z below this is clamped (z^2 finite) */
#define POF_EDGE (1.0 - 1e-12)      /* |fm| clamp of the feasibility model */
#define FEAS_BLOCK 16               /* candidates per feasibility prediction */

/* log(1 - exp(t)), t < 0 (Maechler 2012) */
static double log1mexp(double t)
{
    return t > -M_LN2 ? log(-expm1(t)) : log1p(-exp(t));
}

double hpti_log_ncdf(double z)
{
    if (z > -1.0)
        return log1p(-0.5 * erfc(z / M_SQRT2));
    if (z > -TAIL)
        return gsl_sf_log_erfc(-z / M_SQRT2) - M_LN2;
    if (z < ZMIN)
        z = ZMIN;
    /* Phi(z) = phi(z)/|z| (1 - 1/z^2 + 3/z^4 - 15/z^6 + ...) */
    double q = 1.0 / (z * z);
    return -0.5 * z * z - C1 - log(-z) + log1p(q * (-1.0 + q * (3.0 - 15.0 * q)));
}

double hpti_log_h(double z)
{
    if (z > -ZMIN) /* h(z) = z to double precision */
        return log(fmin(z, DBL_MAX));
    if (z > -1.0) {
        double cdf = 0.5 * erfc(-z / M_SQRT2);
        return log(exp(-0.5 * z * z - C1) + z * cdf);
    }
    if (z > -TAIL) {
        /* eq. (9), middle branch: log h = -z^2/2 - c1 +
         * log1mexp(log(erfcx(-z/sqrt2) |z|) + c2), erfcx(u) = e^{u^2} erfc(u) */
        double u = -z / M_SQRT2;
        double t = u * u + gsl_sf_log_erfc(u) + log(-z) + C2;
        if (t >= 0.0)
            t = -DBL_EPSILON;
        return -0.5 * z * z - C1 + log1mexp(t);
    }
    if (z < ZMIN)
        z = ZMIN;
    /* h(z) = phi(z)/z^2 (1 - 3/z^2 + 15/z^4 - 105/z^6 + ...) */
    double q = 1.0 / (z * z);
    return -0.5 * z * z - C1 + log(q) + log1p(q * (-3.0 + q * (15.0 - 105.0 * q)));
}

double hpti_dlog_h(double z)
{
    if (z > -ZMIN)
        return 1.0 / z;
    if (z > -TAIL)
        return exp(hpti_log_ncdf(z) - hpti_log_h(z));
    if (z < ZMIN)
        z = ZMIN;
    double q = 1.0 / (z * z);
    return -z * (1.0 + q * (-1.0 + q * (3.0 - 15.0 * q))) /
           (1.0 + q * (-3.0 + q * (15.0 - 105.0 * q)));
}

double hpti_log_ei(double mu, double sigma, double best)
{
    double z = (best - mu) / sigma;
    if (z > -ZMIN) /* EI = best - mu to double precision */
        return fmin(log(best - mu), DBL_MAX);
    return log(sigma) + hpti_log_h(z);
}

/* ---- maximizer ------------------------------------------------------------------ */

typedef struct {
    double s;
    size_t i;
} pair;

/* descending score, ties by index: a total order, so sorting is
 * deterministic */
static int cmp_pair(const void *pa, const void *pb)
{
    const pair *a = pa, *b = pb;
    if (a->s > b->s)
        return -1;
    if (a->s < b->s)
        return 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* Move the k best pairs (cmp_pair order) to the front, in order: O(k m),
 * allocation-free (glibc's qsort may allocate), and k is small. */
static void top_k(pair *pr, size_t m, size_t k)
{
    for (size_t r = 0; r < k && r < m; r++) {
        size_t arg = r;
        for (size_t i = r + 1; i < m; i++)
            if (cmp_pair(&pr[i], &pr[arg]) < 0)
                arg = i;
        pair t = pr[r];
        pr[r] = pr[arg];
        pr[arg] = t;
    }
}

int hpti_acq_init(hpti_acq *a, const hpt_space *space)
{
    memset(a, 0, sizeof *a);
    a->space = space;
    a->dim = space->n;
    a->free_dim = hpti_calloc(a->dim, 1);
    a->move = hpti_calloc(a->dim ? a->dim : 1, 1);
    size_t L = HPTI_ACQ_MAX_LOCAL, d = a->dim;
    a->scratch = hpti_malloc(2 * d * sizeof *a->scratch);
    a->b1 = hpti_malloc(4 * L * sizeof *a->b1);
    a->b2 = hpti_malloc(4 * L * d * sizeof *a->b2);
    a->lx = hpti_malloc(L * d * sizeof *a->lx);
    a->lg = hpti_malloc(3 * L * d * sizeof *a->lg);
    a->lf = hpti_malloc(3 * L * sizeof *a->lf);
    a->lidx = hpti_malloc(L * sizeof *a->lidx);
    if (!a->free_dim || !a->move || !a->scratch || !a->b1 || !a->b2 || !a->lx || !a->lg || !a->lf ||
        !a->lidx)
        goto fail;
    for (size_t j = 0; j < a->dim; j++) {
        const hpti_param *p = &space->p[j];
        a->free_dim[j] = isinf(hpti_param_cardinality(p));
        a->n_free += a->free_dim[j];
    }
    if (hpti_qrng_init(&a->qrng, a->dim))
        goto fail;
    return HPT_OK;
fail:
    hpti_acq_free(a);
    return HPT_E_NOMEM;
}

void hpti_acq_free(hpti_acq *a)
{
    hpti_free(a->free_dim);
    hpti_free(a->move);
    hpti_free(a->scratch);
    hpti_free(a->b1);
    hpti_free(a->b2);
    hpti_free(a->lx);
    hpti_free(a->lg);
    hpti_free(a->lf);
    hpti_free(a->lidx);
    hpti_free(a->C);
    hpti_free(a->mu);
    hpti_free(a->var);
    hpti_free(a->fmu);
    hpti_free(a->fvar);
    hpti_free(a->score);
    hpti_free(a->pairs);
    hpti_qrng_free(&a->qrng);
    memset(a, 0, sizeof *a);
}

static int reserve(hpti_acq *a, size_t m)
{
    if (m <= a->cap)
        return HPT_OK;
    double **arr[] = {&a->mu, &a->var, &a->fmu, &a->fvar, &a->score};
    for (size_t k = 0; k < sizeof arr / sizeof arr[0]; k++) {
        double *q = hpti_realloc(*arr[k], m * sizeof *q);
        if (!q)
            return HPT_E_NOMEM;
        *arr[k] = q;
    }
    double *c = hpti_realloc(a->C, m * a->dim * sizeof *c);
    if (!c)
        return HPT_E_NOMEM;
    a->C = c;
    pair *pp = hpti_realloc(a->pairs, m * sizeof *pp);
    if (!pp)
        return HPT_E_NOMEM;
    a->pairs = pp;
    a->cap = m;
    return HPT_OK;
}

/* log p(x) of the feasibility model (acq.h) and its derivative factor.
 * fm is clamped just inside (-1, 1), where atanh is finite; beyond, p
 * does not move with fm. */
static double log_pof(double fm, double fv, double *dg_dfm, double *dg_dfv, double *dlp_dg)
{
    double f = fm < -POF_EDGE ? -POF_EDGE : fm > POF_EDGE ? POF_EDGE : fm;
    double den = sqrt(1.0 + fv), at = atanh(f);
    double g = 2.0 * at / den;
    double lp = hpti_log_ncdf(g);
    if (dg_dfm) {
        *dg_dfm = f == fm ? 2.0 / ((1.0 - f * f) * den) : 0.0;
        *dg_dfv = -at / (den * den * den);
        *dlp_dg = exp(-0.5 * g * g - C1 - lp); /* phi(g) / Phi(g) */
    }
    return lp;
}

double hpti_acq_log_pof(double fm, double fv, double *dg_dfm, double *dg_dfv, double *dlp_dg)
{
    return log_pof(fm, fv, dg_dfm, dg_dfv, dlp_dg);
}

/* Acquisition values (and gradients, c x dim, zero on fixed coordinates)
 * of c <= HPTI_ACQ_MAX_LOCAL points in one batch. */
static void acq_batch(hpti_acq *a, const hpti_acq_problem *p, const double *X, size_t c,
                      double *val, double *grad)
{
    if (p->mo) {
        hpti_acq_mo_batch(p->mo, a->move, X, c, val, grad);
        return;
    }
    size_t d = a->dim;
    double *mu = a->b1, *var = mu + c, *fm = var + c, *fv = fm + c;
    double *dmu = a->b2, *dvar = dmu + c * d, *fdmu = dvar + c * d, *fdvar = fdmu + c * d;
    hpti_gp_predict_grad_batch(p->gp, X, c, mu, var, dmu, dvar);
    if (p->feas)
        hpti_gp_predict_grad_batch(p->feas, X, c, fm, fv, fdmu, fdvar);
    for (size_t i = 0; i < c; i++) {
        double s = sqrt(var[i]), z = (p->best - mu[i]) / s;
        double v = log(s) + hpti_log_h(z);
        double dlh = hpti_dlog_h(z), a1 = 0, a2 = 0, a3 = 0;
        if (p->feas)
            v += log_pof(fm[i], fv[i], &a1, &a2, &a3);
        val[i] = isfinite(v) ? v : -DBL_MAX;
        double *g = grad + i * d;
        for (size_t j = 0; j < d; j++) {
            size_t q = i * d + j;
            if (!a->move[j]) {
                g[j] = 0.0;
                continue;
            }
            double ds = dvar[q] / (2.0 * s);
            double dz = -dmu[q] / s - z * ds / s;
            double gj = ds / s + dlh * dz;
            if (p->feas)
                gj += a3 * (a1 * fdmu[q] + a2 * fdvar[q]);
            g[j] = isfinite(gj) ? gj : 0.0;
        }
    }
}

/* a->move for problem p */
static size_t set_move(hpti_acq *a, const hpti_acq_problem *p)
{
    size_t n = 0;
    for (size_t j = 0; j < a->dim; j++) {
        a->move[j] = a->free_dim[j] && !(p->fixed && !isnan(p->fixed[j]));
        n += a->move[j];
    }
    return n;
}

double hpti_acq_value(hpti_acq *a, const hpti_acq_problem *p, const double *x, double *grad)
{
    double v;
    set_move(a, p);
    acq_batch(a, p, x, 1, &v, grad ? grad : a->lg);
    return v;
}

void hpti_acq_values(hpti_acq *a, const hpti_acq_problem *p, const double *X, size_t c,
                     double *val)
{
    set_move(a, p);
    for (size_t i = 0; i < c; i += HPTI_ACQ_MAX_LOCAL) {
        size_t m = c - i < HPTI_ACQ_MAX_LOCAL ? c - i : HPTI_ACQ_MAX_LOCAL;
        acq_batch(a, p, X + i * a->dim, m, val + i, a->lg); /* lg: 3 L dim */
    }
}

/* Projected gradient ascent on the continuous coordinates of r starts in
 * lockstep (one batched model evaluation per step), steps measured in
 * lengthscales (the kernel's natural unit), doubling on success and
 * quartering on failure. X (r x dim) is updated in place, F gets the
 * values. */
static void refine(hpti_acq *a, const hpti_acq_problem *p, double *X, size_t r, double *F)
{
    size_t d = a->dim;
    double *G = a->lg, *XT = G + r * d, *GT = XT + r * d, *FT = a->lf, *eta = FT + r;
    double *ls = a->scratch;
    size_t *idx = a->lidx;
    for (size_t j = 0; j < d; j++) {
        double l = exp(p->gp->theta[j]);
        ls[j] = l < 1.0 ? l : 1.0;
    }
    acq_batch(a, p, X, r, F, G);
    for (size_t i = 0; i < r; i++)
        eta[i] = 0.1;
    for (size_t it = 0; it < p->local_iter; it++) {
        size_t c = 0;
        for (size_t i = 0; i < r; i++) {
            if (!(eta[i] >= 1e-5))
                continue;
            const double *x = X + i * d, *g = G + i * d;
            double scale = 0.0, *lx = ls + d;
            /* under an input warp a lengthscale in x is ls_j / (dz/dx) */
            for (size_t j = 0; j < d; j++) {
                lx[j] = ls[j];
                if (p->gp->nw && a->move[j]) {
                    double dz;
                    hpti_gp_warp1(p->gp, j, x[j], &dz);
                    lx[j] = dz > 0.0 ? ls[j] / dz : 0.0;
                }
            }
            for (size_t j = 0; j < d; j++)
                if (a->move[j]) {
                    double m = fabs(g[j]) * lx[j]; /* |g_j ls_j^2| / ls_j */
                    scale = m > scale ? m : scale;
                }
            if (!(scale > 0.0)) {
                eta[i] = 0.0;
                continue;
            }
            double *xt = XT + c * d;
            for (size_t j = 0; j < d; j++) {
                xt[j] = x[j];
                if (a->move[j]) {
                    double t = x[j] + eta[i] * g[j] * lx[j] * lx[j] / scale;
                    xt[j] = t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
                }
            }
            /* a float parent's step may switch a branch: score the
             * configuration it makes (continuous coordinates unchanged) */
            if (a->space->n_cond)
                hpti_space_snap(a->space, xt, NULL);
            idx[c++] = i;
        }
        if (c == 0)
            break;
        acq_batch(a, p, XT, c, FT, GT);
        for (size_t k = 0; k < c; k++) {
            size_t i = idx[k];
            if (FT[k] > F[i]) {
                memcpy(X + i * d, XT + k * d, d * sizeof *X);
                memcpy(G + i * d, GT + k * d, d * sizeof *G);
                F[i] = FT[k];
                eta[i] = eta[i] * 2.0 < 1.0 ? eta[i] * 2.0 : 1.0;
            } else
                eta[i] *= 0.25;
        }
    }
}

/* Every fixed parameter active at the (snapped) candidate c? */
static int slice_ok(const hpti_acq *a, const hpti_acq_problem *p, const double *c)
{
    const hpt_space *s = a->space;
    double x[HPT_MAX_PARAMS];
    unsigned char act[HPT_MAX_PARAMS];
    for (size_t j = 0; j < s->n; j++)
        x[j] = hpti_param_decode(&s->p[j], c[j]);
    hpti_space_active(s, x, act);
    for (size_t j = 0; j < s->n; j++)
        if (!isnan(p->fixed[j]) && !act[j])
            return 0;
    return 1;
}

/* Write the fixed coordinates into candidate c. */
static void hold(const hpti_acq_problem *p, size_t d, double *c)
{
    for (size_t j = 0; p->fixed && j < d; j++)
        if (!isnan(p->fixed[j]))
            c[j] = p->fixed[j];
}

/* A normal step of sc lengthscales (capped at 1) from x along ordered
 * coordinate j, clamped to [0, 1]; under an input warp taken in the warped
 * coordinate, where the lengthscale is measured. */
static double step_in(const hpti_gp *gp, size_t j, double x, double sc, hpti_rng *rng)
{
    double l = exp(gp->theta[j]);
    if (gp->nw) {
        double z = hpti_gp_warp1(gp, j, x, NULL);
        double t = z + sc * (l < 1.0 ? l : 1.0) * hpti_rng_normal(rng);
        return hpti_gp_unwarp1(gp, j, t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t);
    }
    double t = x + sc * (l < 1.0 ? l : 1.0) * hpti_rng_normal(rng);
    return t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
}

/* Move coordinate j of candidate c, as the unconditional perturbation
 * does: a uniform choice, or a normal step of sc lengthscales (capped at
 * 1). */
static void move_one(const hpti_acq *a, const hpti_acq_problem *p, hpti_rng *rng, size_t j,
                     double sc, double *c)
{
    if (a->space->p[j].type == HPT_PARAM_CATEGORICAL) {
        c[j] = hpti_rng_uniform(rng);
        return;
    }
    c[j] = step_in(p->gp, j, c[j], sc, rng);
}

/* The perturbation of a center c (in place) in a conditional space or on
 * a slice (acq.h): only active, free, non-constant coordinates move; the
 * ones a branch switch activates are drawn uniformly, level by level. */
static void perturb_cond(const hpti_acq *a, const hpti_acq_problem *p, hpti_rng *rng,
                         double sc, double *c)
{
    const hpt_space *s = a->space;
    size_t d = a->dim, idx[HPT_MAX_PARAMS], nm = 0;
    unsigned char before[HPT_MAX_PARAMS], now[HPT_MAX_PARAMS];
    double x[HPT_MAX_PARAMS];
    if (d == 0)
        return;
    hold(p, d, c);
    for (size_t j = 0; j < d; j++)
        x[j] = hpti_param_decode(&s->p[j], c[j]);
    hpti_space_active(s, x, before);
    for (size_t j = 0; j < d; j++)
        if (before[j] && !(p->fixed && !isnan(p->fixed[j])) &&
            hpti_param_cardinality(&s->p[j]) != 1.0)
            idx[nm++] = j;
    if (nm == 0)
        return;
    double pmove = nm <= 4 ? 1.0 : 4.0 / (double)nm;
    size_t forced = idx[hpti_rng_below(rng, nm)];
    for (size_t k = 0; k < nm; k++)
        if (idx[k] == forced || hpti_rng_uniform(rng) < pmove)
            move_one(a, p, rng, idx[k], sc, c);
    for (size_t level = 0; level < d && s->n_cond; level++) {
        int changed = 0;
        for (size_t j = 0; j < d; j++)
            x[j] = hpti_param_decode(&s->p[j], c[j]);
        hpti_space_active(s, x, now);
        for (size_t j = 0; j < d; j++)
            if (now[j] && !before[j]) {
                before[j] = 1;
                if (!(p->fixed && !isnan(p->fixed[j]))) {
                    c[j] = hpti_rng_uniform(rng);
                    changed = 1;
                }
            }
        if (!changed)
            break;
    }
}

/* The feasibility term of the m candidates' scores (log EI in a->score,
 * -DBL_MAX where excluded), exact for the `need` best: log p <= 0, so a
 * candidate's log EI bounds its score, and p is predicted only for the
 * blocks of FEAS_BLOCK candidates, best bound first, until no block left
 * holds a bound that reaches the need-th best score so far. A block is
 * predicted whole, at the same offsets every time, so a candidate's p does
 * not depend on which blocks were needed; the others keep their bound,
 * below every score that can be ranked. With few failures p is near 1
 * around the best candidates and one or two blocks decide (issue 19: the
 * failure model's prediction was as costly as the objective's). */
static void add_feasibility(hpti_acq *a, const hpti_acq_problem *p, size_t m, size_t need)
{
    size_t d = a->dim, nb = (m + FEAS_BLOCK - 1) / FEAS_BLOCK, done = 0;
    need = need ? need : 1; /* the k-th below needs one */
    double *bound = a->var, *top = a->mu; /* free once log EI is scored */
    for (size_t b = 0; b < nb; b++) {
        bound[b] = -INFINITY;
        for (size_t i = b * FEAS_BLOCK; i < m && i < (b + 1) * FEAS_BLOCK; i++)
            bound[b] = a->score[i] > bound[b] ? a->score[i] : bound[b];
    }
    for (;;) {
        size_t arg = SIZE_MAX;
        for (size_t b = 0; b < nb; b++)
            if (bound[b] > -INFINITY && (arg == SIZE_MAX || bound[b] > bound[arg]))
                arg = b;
        if (arg == SIZE_MAX)
            break;
        if (done >= need) {
            double *t = a->fvar; /* its blocks so far are scored */
            memcpy(t, top, done * sizeof *t);
            double kth = hpti_select_kth(t, done, done - need);
            if (bound[arg] < kth)
                break;
        }
        size_t lo = arg * FEAS_BLOCK, c = m - lo < FEAS_BLOCK ? m - lo : FEAS_BLOCK;
        hpti_gp_predict(p->feas, a->C + lo * d, c, a->fmu + lo, a->fvar + lo);
        for (size_t i = lo; i < lo + c; i++) {
            if (a->score[i] != -DBL_MAX) {
                double v = a->score[i] + log_pof(a->fmu[i], a->fvar[i], NULL, NULL, NULL);
                a->score[i] = isfinite(v) ? v : -DBL_MAX;
            }
            top[done++] = a->score[i];
        }
        bound[arg] = -INFINITY;
    }
}

/* Score the m candidates; on a slice, first raise p->best to the slice's
 * lowest posterior mean (acq.h). */
static void score_all(hpti_acq *a, hpti_acq_problem *p, size_t m, size_t need)
{
    if (p->mo) {
        hpti_acq_mo_score(p->mo, a->C, m, a->score);
        return;
    }
    hpti_gp_predict(p->gp, a->C, m, a->mu, a->var);
    if (p->fixed) {
        double lo = INFINITY;
        for (size_t i = 0; i < m; i++)
            if (a->mu[i] < lo && (!a->space->n_cond || slice_ok(a, p, a->C + i * a->dim)))
                lo = a->mu[i];
        if (isfinite(lo) && lo > p->best)
            p->best = lo;
    }
    for (size_t i = 0; i < m; i++) {
        double s = sqrt(a->var[i]);
        double v = hpti_log_ei(a->mu[i], s, p->best);
        a->score[i] = isfinite(v) ? v : -DBL_MAX;
    }
    if (p->fixed && a->space->n_cond)
        for (size_t i = 0; i < m; i++)
            if (!slice_ok(a, p, a->C + i * a->dim))
                a->score[i] = -DBL_MAX;
    if (p->feas)
        add_feasibility(a, p, m, need);
}

int hpti_acq_maximize(hpti_acq *a, const hpti_acq_problem *p, hpti_rng *rng, size_t k,
                      double *out, double *out_score, size_t *n_out)
{
    size_t d = a->dim;
    size_t n_sob = p->n_cand, n_pert = p->n_centers ? p->n_cand / 2 : 0;
    size_t m = n_sob + n_pert;
    if (reserve(a, m))
        return HPT_E_NOMEM;
    /* a fresh shift of every coordinate per call (qrng.h) */
    hpti_qrng_restart(&a->qrng, d, rng);
    for (size_t i = 0; i < n_sob; i++) {
        hpti_qrng_next(&a->qrng, rng, a->C + i * d);
        hold(p, d, a->C + i * d);
    }
    size_t n_move = set_move(a, p);
    int general = a->space->n_cond || p->fixed;
    /* Perturbations of the centers: each coordinate moves with probability
     * min(1, 4/d) (at least one moves), by a normal step of 0.05, 0.2 or
     * 0.5 lengthscales (capped at 1) -- local search around the best
     * points, which Sobol alone covers too sparsely in high dimension. */
    double pmove = d <= 4 ? 1.0 : 4.0 / (double)d;
    static const double scales[3] = {0.05, 0.2, 0.5};
    for (size_t i = 0; i < n_pert; i++) {
        double *c = a->C + (n_sob + i) * d;
        memcpy(c, p->centers + (i % p->n_centers) * d, d * sizeof *c);
        double sc = scales[(i / p->n_centers) % 3];
        if (general) {
            perturb_cond(a, p, rng, sc, c);
            continue;
        }
        size_t forced = (size_t)hpti_rng_below(rng, d);
        for (size_t j = 0; j < d; j++) {
            if (j != forced && hpti_rng_uniform(rng) >= pmove)
                continue;
            const hpti_param *pp = &a->space->p[j];
            if (pp->type == HPT_PARAM_CATEGORICAL) {
                c[j] = hpti_rng_uniform(rng);
                continue;
            }
            c[j] = step_in(p->gp, j, c[j], sc, rng);
        }
    }
    for (size_t i = 0; i < m; i++)
        hpti_space_snap(a->space, a->C + i * d, NULL);
    hpti_acq_problem q = *p;
    size_t nl = p->n_local < m ? p->n_local : m;
    nl = nl < HPTI_ACQ_MAX_LOCAL ? nl : HPTI_ACQ_MAX_LOCAL;
    size_t kk = k < m ? k : m;
    score_all(a, &q, m, nl > kk ? nl : kk);
    a->best_used = q.best;
    p = &q;

    pair *pr = a->pairs;
    for (size_t i = 0; i < m; i++) {
        pr[i].s = a->score[i];
        pr[i].i = i;
    }
    top_k(pr, m, nl > kk ? nl : kk);
    if (n_move && nl) {
        double *X = a->lx, *F = a->lf + 2 * HPTI_ACQ_MAX_LOCAL;
        for (size_t r = 0; r < nl; r++)
            memcpy(X + r * d, a->C + pr[r].i * d, d * sizeof *X);
        refine(a, p, X, nl, F);
        for (size_t r = 0; r < nl; r++) {
            size_t i = pr[r].i;
            if (F[r] > a->score[i]) {
                memcpy(a->C + i * d, X + r * d, d * sizeof *X);
                a->score[i] = F[r];
            }
            pr[r].s = a->score[i];
        }
        top_k(pr, m, kk);
    }
    for (size_t r = 0; r < kk; r++) {
        memcpy(out + r * d, a->C + pr[r].i * d, d * sizeof *out);
        if (out_score)
            out_score[r] = pr[r].s;
    }
    *n_out = kk;
    return HPT_OK;
}
