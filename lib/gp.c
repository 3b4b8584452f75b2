/* gp.c -- Gaussian-process regression: Matern-5/2 ARD kernel, Cholesky
 * factor with rank-one append, batched prediction, MAP fit. See gp.h for
 * the model, the priors and the storage conventions.
 *
 * All linear algebra goes through linalg.h, whose results do not depend on
 * OpenBLAS's thread count: no LAPACK or CBLAS call here. */
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <string.h>

#include "gp.h"
#include "linalg.h"

#define LOG_2PI 1.8378770664093454836
#define SQRT5 2.2360679774997896964
#define BIG_NLP 1e10       /* objective returned where K cannot be factored */
#define WALL 100.0         /* curvature of the soft box walls */
#define PIVOT_FLOOR 1e-10  /* smallest appended pivot^2, relative to sf2 */
#define VAR_FLOOR 1e-14    /* smallest predicted variance, relative to sf2 */
#define WARP_EPS 1e-9      /* the warp's squeeze of the cube (finite derivatives) */
#define WARP_SD 0.75       /* prior sd of log a, log b of a warp */
#define WARP_GATE 3.0      /* nats a coordinate's warp must gain (hpti_gp_fit) */
#define WARP_LOG_MAX 2.302585092994046 /* |log a|, |log b| <= log 10 */

/* ---- priors and box (gp.h) ------------------------------------------------ */

static double prior_mu(size_t dim, size_t j)
{
    if (j < dim)
        return 0.0;                 /* log ls: median 1, the cube's side */
    if (j == dim)
        return 0.0;                 /* log sf2 */
    if (j == dim + 1)
        return log(1e-6);           /* log sn2 */
    return 0.0;                     /* mean; log a, log b of a warp: identity */
}

static double prior_var(size_t dim, size_t j)
{
    if (j < dim)
        return 1.0;
    if (j == dim)
        return 1.5 * 1.5;
    if (j == dim + 1)
        return 3.0 * 3.0;
    if (j > dim + 2)
        return WARP_SD * WARP_SD;
    return 1.0;
}

static void box(const hpti_gp *gp, size_t dim, size_t j, double *lo, double *hi)
{
    if (j < dim) {
        *lo = gp->ls_lo;
        *hi = log(100.0);
    } else if (j == dim) {
        *lo = log(1e-3);
        *hi = log(1e3);
    } else if (j == dim + 1) {
        *lo = log(1e-9);
        *hi = 0.0;
    } else if (j > dim + 2) {
        *lo = -WARP_LOG_MAX;
        *hi = WARP_LOG_MAX;
    } else {
        *lo = -10.0;
        *hi = 10.0;
    }
}

/* log prior (up to a constant) with soft walls, and its gradient added to g */
static double log_prior(const hpti_gp *gp, size_t dim, const double *th, double *g)
{
    double lp = 0.0;
    for (size_t j = 0; j < gp->np; j++) {
        double mu = prior_mu(dim, j), s2 = prior_var(dim, j), lo, hi;
        box(gp, dim, j, &lo, &hi);
        double d = th[j] - mu, gj = -d / s2;
        lp -= 0.5 * d * d / s2;
        if (th[j] < lo) {
            lp -= WALL * (lo - th[j]) * (lo - th[j]);
            gj += 2.0 * WALL * (lo - th[j]);
        } else if (th[j] > hi) {
            lp -= WALL * (th[j] - hi) * (th[j] - hi);
            gj -= 2.0 * WALL * (th[j] - hi);
        }
        if (g)
            g[j] += gj;
    }
    return lp;
}

void hpti_gp_default_theta(const hpti_gp *gp, double *theta)
{
    for (size_t j = 0; j < gp->np; j++)
        theta[j] = prior_mu(gp->dim, j);
}

/* ---- input warping (gp.h) ---------------------------------------------------- */

/* Kumaraswamy CDF of x (clamped to the cube, then squeezed into [eps,
 * 1 - eps] so that every derivative stays finite), with dz/dx (0 outside
 * the cube, where x is clamped) and, when da is not NULL, dz/dlog a and
 * dz/dlog b. */
static inline double kuma(double x, double a, double b, double *dx, double *da, double *db)
{
    int in = x >= 0.0 && x <= 1.0; /* on a face: the one-sided derivative */
    x = x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
    double xe = WARP_EPS + (1.0 - 2.0 * WARP_EPS) * x;
    double t = pow(xe, a), u = 1.0 - t, ub1 = pow(u, b - 1.0), ub = ub1 * u;
    if (dx)
        *dx = in ? (1.0 - 2.0 * WARP_EPS) * a * b * (t / xe) * ub1 : 0.0;
    if (da) {
        *da = a * b * ub1 * t * log(xe);
        *db = -b * ub * log(u);
    }
    return 1.0 - ub;
}

/* Coordinate j bent by the current warp? At a = b = 1 exactly the warp is
 * the identity itself (not the squeezed CDF), so that a study whose fits
 * keep every warp off computes what the unwarped GP computes. */
static inline int warped(const hpti_gp *gp, size_t j)
{
    return gp->wmask && gp->wmask[j] && (gp->wab[2 * j] != 1.0 || gp->wab[2 * j + 1] != 1.0);
}

/* z = the warped point of x (dim values), dz its derivatives (or NULL);
 * returns x itself without warping. */
static const double *warp_pt(const hpti_gp *gp, const double *x, double *z, double *dz)
{
    if (!gp->nw)
        return x;
    for (size_t j = 0; j < gp->dim; j++) {
        if (warped(gp, j))
            z[j] = kuma(x[j], gp->wab[2 * j], gp->wab[2 * j + 1], dz ? dz + j : NULL, NULL,
                        NULL);
        else {
            z[j] = x[j];
            if (dz)
                dz[j] = 1.0;
        }
    }
    return z;
}

/* The rows as the kernel sees them. */
static inline const double *rows_of(const hpti_gp *gp)
{
    return gp->nw ? gp->Z : gp->X;
}

double hpti_gp_warp1(const hpti_gp *gp, size_t j, double x, double *dzdx)
{
    if (!warped(gp, j)) {
        if (dzdx)
            *dzdx = 1.0;
        return x;
    }
    return kuma(x, gp->wab[2 * j], gp->wab[2 * j + 1], dzdx, NULL, NULL);
}

double hpti_gp_unwarp1(const hpti_gp *gp, size_t j, double z)
{
    if (!warped(gp, j))
        return z;
    double a = gp->wab[2 * j], b = gp->wab[2 * j + 1];
    double z0 = kuma(0.0, a, b, NULL, NULL, NULL), z1 = kuma(1.0, a, b, NULL, NULL, NULL);
    if (!(z > z0))
        return 0.0;
    if (!(z < z1))
        return 1.0;
    double xe = pow(1.0 - pow(1.0 - z, 1.0 / b), 1.0 / a);
    double x = (xe - WARP_EPS) / (1.0 - 2.0 * WARP_EPS);
    return x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
}

/* ---- kernel ------------------------------------------------------------------ */

static inline double dist2(size_t dim, const unsigned char *cat, const double *w,
                           const double *a, const double *b)
{
    double r2 = 0.0;
    if (cat) {
        for (size_t j = 0; j < dim; j++) {
            double d = cat[j] ? (a[j] != b[j] ? 1.0 : 0.0) : a[j] - b[j];
            r2 += w[j] * d * d;
        }
    } else {
        for (size_t j = 0; j < dim; j++) {
            double d = a[j] - b[j];
            r2 += w[j] * d * d;
        }
    }
    return r2;
}

/* Conditional coordinates (gp.h). Each point carries its embedding: two
 * doubles per conditional coordinate k (gp->cidx[k]): (cos u, sin u) when
 * active, (0, 0) when not -- the arc of Hutter & Osborne 2013 with radius
 * 1 and one radian per unit of u, whose chord is 2 sin(|a - b| / 2) --
 * or, for a categorical one, (1, u) / (0, u): a regular simplex with one
 * more vertex for "inactive". Computed once per point (rows, candidates,
 * fitted rows), so a kernel evaluation costs no sine. */
static void embed(const hpti_gp *gp, const double *x, double *e)
{
    unsigned char act[HPT_MAX_PARAMS];
    gp->active(gp->active_ctx, x, act);
    for (size_t k = 0; k < gp->nc; k++) {
        size_t j = gp->cidx[k];
        if (gp->cat && gp->cat[j]) {
            e[2 * k] = act[j] ? 1.0 : 0.0;
            e[2 * k + 1] = x[j];
        } else if (act[j]) {
            e[2 * k] = cos(x[j]);
            e[2 * k + 1] = sin(x[j]);
        } else
            e[2 * k] = e[2 * k + 1] = 0.0;
    }
}

/* D^2 along conditional coordinate k from two embeddings */
static inline double cond_d2(const hpti_gp *gp, size_t k, const double *ea, const double *eb)
{
    const double *p = ea + 2 * k, *q = eb + 2 * k;
    if (gp->cat && gp->cat[gp->cidx[k]]) {
        if (p[0] != 0.0 && q[0] != 0.0)
            return p[1] != q[1] ? 1.0 : 0.0;
        return p[0] != q[0] ? 1.0 : 0.0;
    }
    double dc = p[0] - q[0], ds = p[1] - q[1];
    return dc * dc + ds * ds;
}

/* The weights w with the conditional coordinates' set to 0: the plain
 * loop of dist2 then skips them without a branch (their stored values are
 * finite). gp->wz goes with gp->w, gp->wzs with the fit's scratch. */
static inline const double *wz_of(const hpti_gp *gp, const double *w)
{
    return w == gp->w ? gp->wz : gp->wzs;
}

static inline double dist2_cond(const hpti_gp *gp, const double *w, const double *a,
                                const double *ea, const double *b, const double *eb)
{
    double r2 = dist2(gp->dim, gp->cat, wz_of(gp, w), a, b);
    for (size_t k = 0; k < gp->nc; k++)
        r2 += w[gp->cidx[k]] * cond_d2(gp, k, ea, eb);
    return r2;
}

/* The squared weighted distance of the kernel; ea, eb: embeddings of a and
 * b (read only with conditional coordinates). */
static inline double kdist2(const hpti_gp *gp, const double *w, const double *a,
                            const double *ea, const double *b, const double *eb)
{
    return gp->cond ? dist2_cond(gp, w, a, ea, b, eb) : dist2(gp->dim, gp->cat, w, a, b);
}

/* Half the derivative of D_j^2 with respect to a_j, ordered coordinates:
 * a_j - b_j, or on the arc sin(a_j - b_j) = sin a cos b - cos a sin b,
 * which is 0 when either is inactive (embedded at the centre). */
static inline double half_dd(const hpti_gp *gp, size_t j, const double *a, const double *ea,
                             const double *b, const double *eb)
{
    if (gp->cond && gp->cond[j]) {
        const double *p = ea + 2 * gp->cpos[j], *q = eb + 2 * gp->cpos[j];
        return p[1] * q[0] - p[0] * q[1];
    }
    return a[j] - b[j];
}

/* Embedding of x into buf (2 nc doubles), or NULL without conditional
 * coordinates. */
static const double *embed_of(const hpti_gp *gp, const double *x, double *buf)
{
    if (!gp->cond)
        return NULL;
    embed(gp, x, buf);
    return buf;
}

/* Embedding of the i-th row, or NULL. */
static inline const double *row_emb(const hpti_gp *gp, size_t i)
{
    return gp->cond ? gp->emb + i * 2 * gp->nc : NULL;
}

static inline double matern(double sf2, double r2)
{
    double s = sqrt(5.0 * r2);
    return sf2 * (1.0 + s + s * s / 3.0) * exp(-s);
}

double hpti_gp_kernel(const hpti_gp *gp, const double *a, const double *b)
{
    double ba[2 * HPT_MAX_PARAMS], bb[2 * HPT_MAX_PARAMS];
    double za[HPT_MAX_PARAMS], zb[HPT_MAX_PARAMS];
    const double *ea = embed_of(gp, a, ba), *eb = embed_of(gp, b, bb);
    return matern(gp->sf2, kdist2(gp, gp->w, warp_pt(gp, a, za, NULL), ea,
                                  warp_pt(gp, b, zb, NULL), eb));
}

int hpti_gp_set_warp(hpti_gp *gp, const unsigned char *flags)
{
    size_t d = gp->dim, nw = 0;
    for (size_t j = 0; flags && j < d; j++)
        nw += flags[j] && !(gp->cat && gp->cat[j]) && !(gp->cond && gp->cond[j]);
    if (!nw || gp->nw || gp->n)
        return HPT_OK;
    size_t np = HPTI_GP_NP(d) + 2 * nw;
    unsigned char *mask = hpti_malloc(d);
    double *wab = hpti_malloc(2 * d * sizeof *wab);
    double *kz = hpti_malloc(HPTI_GP_CHUNK * d * sizeof *kz);
    double *th = hpti_malloc(np * sizeof *th), *ft = hpti_malloc(4 * np * sizeof *ft);
    double *Z = gp->cap ? hpti_malloc(gp->cap * d * sizeof *Z) : NULL;
    gsl_multimin_fdfminimizer *mz =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, np);
    gsl_vector *gx = gsl_vector_alloc(np);
    if (!mask || !wab || !kz || !th || !ft || (gp->cap && !Z) || !mz || !gx) {
        hpti_free(mask);
        hpti_free(wab);
        hpti_free(kz);
        hpti_free(th);
        hpti_free(ft);
        hpti_free(Z);
        if (mz)
            gsl_multimin_fdfminimizer_free(mz);
        if (gx)
            gsl_vector_free(gx);
        return HPT_E_NOMEM;
    }
    /* the fit workspace is regrown with the warp's parts at the next fit */
    hpti_free(gp->fX);
    hpti_free(gp->fy);
    hpti_free(gp->fa);
    hpti_free(gp->fK);
    hpti_free(gp->fW);
    hpti_free(gp->femb);
    gp->fX = gp->fy = gp->fa = gp->fK = gp->fW = gp->femb = NULL;
    gp->fcap = 0;
    gsl_multimin_fdfminimizer_free(gp->minimizer);
    gsl_vector_free(gp->gx);
    gp->minimizer = mz;
    gp->gx = gx;
    for (size_t j = 0; j < d; j++) {
        mask[j] = flags[j] && !(gp->cat && gp->cat[j]) && !(gp->cond && gp->cond[j]);
        wab[2 * j] = wab[2 * j + 1] = 1.0;
    }
    hpti_free(gp->theta);
    hpti_free(gp->ft);
    gp->theta = th;
    gp->ft = ft;
    gp->wmask = mask;
    gp->wab = wab;
    gp->kz = kz;
    gp->Z = Z;
    gp->nw = nw;
    gp->np = np;
    gp->have_theta = 0;
    hpti_gp_default_theta(gp, gp->theta);
    hpti_gp_set_theta(gp, gp->theta);
    return HPT_OK;
}

int hpti_gp_set_conditional(hpti_gp *gp, const unsigned char *cond, hpti_gp_active_fn fn,
                            const void *ctx)
{
    size_t d = gp->dim, nc = 0;
    for (size_t j = 0; cond && j < d; j++)
        nc += cond[j] != 0;
    if (!nc || !fn)
        return HPT_OK;
    gp->cond = hpti_malloc(d);
    gp->cpos = hpti_malloc(d * sizeof *gp->cpos);
    gp->cidx = hpti_malloc(nc * sizeof *gp->cidx);
    gp->kemb = hpti_malloc(HPTI_GP_CHUNK * 2 * nc * sizeof *gp->kemb);
    gp->wz = hpti_malloc(2 * d * sizeof *gp->wz);
    if (gp->cap)
        gp->emb = hpti_malloc(gp->cap * 2 * nc * sizeof *gp->emb);
    if (gp->fcap)
        gp->femb = hpti_malloc(gp->fcap * 2 * nc * sizeof *gp->femb);
    if (!gp->cond || !gp->cpos || !gp->cidx || !gp->kemb || !gp->wz || (gp->cap && !gp->emb) ||
        (gp->fcap && !gp->femb)) {
        hpti_free(gp->cond);
        hpti_free(gp->cpos);
        hpti_free(gp->cidx);
        hpti_free(gp->kemb);
        hpti_free(gp->emb);
        hpti_free(gp->femb);
        hpti_free(gp->wz);
        gp->wz = NULL;
        gp->cond = NULL;
        gp->cpos = gp->cidx = NULL;
        gp->kemb = gp->emb = gp->femb = NULL;
        return HPT_E_NOMEM;
    }
    gp->nc = 0;
    for (size_t j = 0; j < d; j++) {
        gp->cond[j] = cond[j] != 0;
        gp->cpos[j] = gp->cond[j] ? gp->nc : SIZE_MAX;
        if (gp->cond[j])
            gp->cidx[gp->nc++] = j;
    }
    gp->wzs = gp->wz + d;
    for (size_t j = 0; j < d; j++)
        gp->wz[j] = gp->cond[j] ? 0.0 : gp->w[j];
    gp->active = fn;
    gp->active_ctx = ctx;
    return HPT_OK;
}

/* ---- life cycle -------------------------------------------------------------- */

int hpti_gp_init(hpti_gp *gp, size_t dim, const unsigned char *cat)
{
    memset(gp, 0, sizeof *gp);
    gp->dim = dim;
    gp->np = HPTI_GP_NP(dim);
    gp->ls_lo = log(HPTI_GP_LS_MIN);
    gp->theta = hpti_malloc(gp->np * sizeof *gp->theta);
    gp->w = hpti_malloc(2 * dim * sizeof *gp->w);
    gp->ft = hpti_malloc(2 * gp->np * sizeof *gp->ft);
    if (!gp->theta || !gp->w || !gp->ft)
        goto fail;
    if (cat) {
        int any = 0;
        for (size_t j = 0; j < dim; j++)
            any |= cat[j] != 0;
        if (any) {
            gp->cat = hpti_malloc(dim);
            if (!gp->cat)
                goto fail;
            memcpy(gp->cat, cat, dim);
        }
    }
    gp->minimizer = gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2,
                                                    gp->np);
    gp->gx = gsl_vector_alloc(gp->np);
    if (!gp->minimizer || !gp->gx)
        goto fail;
    hpti_gp_default_theta(gp, gp->theta);
    hpti_gp_set_theta(gp, gp->theta);
    return HPT_OK;
fail:
    hpti_gp_free(gp);
    return HPT_E_NOMEM;
}

void hpti_gp_free(hpti_gp *gp)
{
    hpti_free(gp->cat);
    hpti_free(gp->cond);
    hpti_free(gp->cpos);
    hpti_free(gp->cidx);
    hpti_free(gp->emb);
    hpti_free(gp->kemb);
    hpti_free(gp->femb);
    hpti_free(gp->wz);
    hpti_free(gp->wmask);
    hpti_free(gp->wab);
    hpti_free(gp->Z);
    hpti_free(gp->kz);
    hpti_free(gp->fZ);
    hpti_free(gp->fdz);
    hpti_free(gp->theta);
    hpti_free(gp->w);
    hpti_free(gp->ft);
    hpti_free(gp->X);
    hpti_free(gp->L);
    hpti_free(gp->nug);
    hpti_free(gp->v);
    hpti_free(gp->alpha);
    hpti_free(gp->y);
    hpti_free(gp->pm);
    hpti_free(gp->wk1);
    hpti_free(gp->wk2);
    hpti_free(gp->Ks);
    hpti_free(gp->fK);
    hpti_free(gp->fW);
    hpti_free(gp->fa);
    hpti_free(gp->fX);
    hpti_free(gp->fy);
    if (gp->minimizer)
        gsl_multimin_fdfminimizer_free(gp->minimizer);
    if (gp->gx)
        gsl_vector_free(gp->gx);
    memset(gp, 0, sizeof *gp);
}

static int grow_array(double **p, size_t n)
{
    double *q = hpti_realloc(*p, n * sizeof *q);
    if (!q)
        return HPT_E_NOMEM;
    *p = q;
    return HPT_OK;
}

int hpti_gp_reserve(hpti_gp *gp, size_t n)
{
    if (n <= gp->cap)
        return HPT_OK;
    /* grow by a quarter: the factor is cap^2 doubles, doubling would waste
     * too much memory at thousands of observations */
    size_t cap = gp->cap + gp->cap / 4 + 64;
    if (cap < n)
        cap = n;
    if (grow_array(&gp->X, cap * gp->dim) || grow_array(&gp->nug, cap) ||
        grow_array(&gp->v, cap) || grow_array(&gp->alpha, cap) || grow_array(&gp->y, cap) ||
        grow_array(&gp->pm, cap) ||
        grow_array(&gp->wk1, cap) || grow_array(&gp->wk2, cap) ||
        grow_array(&gp->Ks, cap * HPTI_GP_CHUNK))
        return HPT_E_NOMEM;
    if (gp->cond) {
        if (grow_array(&gp->emb, cap * 2 * gp->nc))
            return HPT_E_NOMEM;
    }
    if (gp->nw && grow_array(&gp->Z, cap * gp->dim))
        return HPT_E_NOMEM;
    double *L = hpti_malloc(cap * cap * sizeof *L);
    if (!L)
        return HPT_E_NOMEM;
    for (size_t i = 0; i < gp->n; i++)
        memcpy(L + i * cap, gp->L + i * gp->cap, (i + 1) * sizeof *L);
    hpti_free(gp->L);
    gp->L = L;
    gp->cap = cap;
    return HPT_OK;
}

void hpti_gp_set_theta(hpti_gp *gp, const double *theta)
{
    size_t d = gp->dim;
    for (size_t j = 0; j < gp->np; j++) {
        double lo, hi, t = theta[j];
        box(gp, d, j, &lo, &hi);
        gp->theta[j] = isfinite(t) ? (t < lo ? lo : t > hi ? hi : t) : prior_mu(d, j);
    }
    for (size_t j = 0; j < d; j++)
        gp->w[j] = exp(-2.0 * gp->theta[j]);
    for (size_t j = 0; gp->cond && j < d; j++)
        gp->wz[j] = gp->cond[j] ? 0.0 : gp->w[j];
    gp->sf2 = exp(gp->theta[d]);
    gp->sn2 = exp(gp->theta[d + 1]);
    gp->mean = gp->theta[d + 2];
    for (size_t j = 0, k = 0; gp->nw && j < d; j++)
        if (gp->wmask[j]) {
            gp->wab[2 * j] = exp(gp->theta[d + 3 + 2 * k]);
            gp->wab[2 * j + 1] = exp(gp->theta[d + 4 + 2 * k]);
            k++;
        }
}

/* ---- factor -------------------------------------------------------------------- */

/* Fill the lower triangle of K + (sn2 + jit) I (row-major, ld) and factor it
 * in place. @return hpti_la_potrf's info (0 = success). */
static int build_and_factor(const hpti_gp *gp, const double *w, double sf2, double diag,
                            const double *X, const double *M, size_t n, double *A,
                            size_t ld)
{
    size_t dim = gp->dim, ne = 2 * gp->nc;
    for (size_t i = 0; i < n; i++) {
        const double *xi = X + i * dim;
        double *row = A + i * ld;
        if (M)
            for (size_t j = 0; j < i; j++)
                row[j] = matern(sf2, dist2_cond(gp, w, xi, M + i * ne, X + j * dim,
                                                M + j * ne));
        else
            for (size_t j = 0; j < i; j++)
                row[j] = matern(sf2, dist2(dim, gp->cat, w, xi, X + j * dim));
        row[i] = sf2 + diag;
    }
    return hpti_la_potrf(n, A, ld);
}

/* Jitter schedule: 0, then 1e-10 .. 1e-2 times (sf2 + sn2), x10 each. */
static double jitter_at(int k, double scale)
{
    return k == 0 ? 0.0 : scale * pow(10.0, -11.0 + k);
}
#define JITTER_TRIES 10

int hpti_gp_factor(hpti_gp *gp, const double *X, size_t n)
{
    if (hpti_gp_reserve(gp, n))
        return HPT_E_NOMEM;
    if (X != gp->X)
        memmove(gp->X, X, n * gp->dim * sizeof *X);
    for (size_t i = 0; gp->cond && i < n; i++)
        embed(gp, gp->X + i * gp->dim, gp->emb + i * 2 * gp->nc);
    for (size_t i = 0; gp->nw && i < n; i++)
        warp_pt(gp, gp->X + i * gp->dim, gp->Z + i * gp->dim, NULL);
    gp->n = 0;
    gp->alpha_ok = 0;
    for (int k = 0; k < JITTER_TRIES; k++) {
        double jit = jitter_at(k, gp->sf2 + gp->sn2);
        if (build_and_factor(gp, gp->w, gp->sf2, gp->sn2 + jit, rows_of(gp), gp->emb, n,
                             gp->L, gp->cap) == 0) {
            gp->jitter = jit;
            for (size_t i = 0; i < n; i++) {
                gp->nug[i] = jit;
                gp->pm[i] = gp->prior ? hpti_gp_mean_at(gp->prior, gp->X + i * gp->dim, NULL)
                                      : 0.0;
            }
            gp->n = n;
            return HPT_OK;
        }
    }
    return HPT_E_NUMERIC;
}

int hpti_gp_factor_appended(hpti_gp *gp, const double *X, size_t n, double jitter)
{
    if (hpti_gp_reserve(gp, n))
        return HPT_E_NOMEM; /* reserved first: X may be gp->X, which must not move */
    gp->n = 0;
    gp->jitter = jitter;
    gp->alpha_ok = 0;
    gp->n_reroute++;
    for (size_t i = 0; i < n; i++) {
        int rc = hpti_gp_append(gp, X + i * gp->dim);
        if (rc)
            return rc;
    }
    return HPT_OK;
}

int hpti_gp_append(hpti_gp *gp, const double *x)
{
    return hpti_gp_append_solved(gp, x, NULL, 0);
}

/* One row appended, its diagonal k(x, x) + noise + the factor's jitter:
 * noise sn2 for an observation, 0 for a believer (noise-free: it stands
 * for the latent value). The pivot floor keeps the factor usable when the
 * row adds nothing new: a believer at a point already in the factor (a
 * second running trial there, or a finished point under a small sn2). */
static int append_row(hpti_gp *gp, const double *x, const double *pre, size_t known,
                      double noise)
{
    if (hpti_gp_reserve(gp, gp->n + 1))
        return HPT_E_NOMEM;
    size_t n = gp->n, d = gp->dim;
    double *row = gp->L + n * gp->cap;
    double *mx = gp->cond ? gp->emb + n * 2 * gp->nc : NULL;
    if (mx)
        embed(gp, x, mx);
    if (known > n)
        known = n;
    if (known)
        memcpy(row, pre, known * sizeof *row);
    const double *zx = gp->nw ? warp_pt(gp, x, gp->Z + n * d, NULL) : x, *R = rows_of(gp);
    for (size_t i = known; i < n; i++)
        row[i] = matern(gp->sf2, kdist2(gp, gp->w, zx, mx, R + i * d, row_emb(gp, i)));
    hpti_la_trsv_from(n, known, gp->L, gp->cap, row);
    double p = gp->sf2 + noise + gp->jitter - hpti_la_dot(n, row, row);
    double fl = PIVOT_FLOOR * gp->sf2;
    gp->nug[n] = noise - gp->sn2 + gp->jitter;
    if (!(p >= fl)) { /* also catches NaN */
        gp->nug[n] += fl - (isfinite(p) ? p : 0.0);
        p = fl;
    }
    row[n] = sqrt(p);
    memmove(gp->X + n * d, x, d * sizeof *x);
    gp->pm[n] = gp->prior ? hpti_gp_mean_at(gp->prior, gp->X + n * d, NULL) : 0.0;
    gp->n = n + 1;
    gp->alpha_ok = 0;
    return HPT_OK;
}

int hpti_gp_append_solved(hpti_gp *gp, const double *x, const double *pre, size_t known)
{
    return append_row(gp, x, pre, known, gp->sn2);
}

void hpti_gp_truncate(hpti_gp *gp, size_t n)
{
    if (n < gp->n) {
        gp->n = n;
        gp->alpha_ok = 0;
    }
}

void hpti_gp_set_targets(hpti_gp *gp, const double *y)
{
    size_t n = gp->n;
    if (y != gp->y)
        memmove(gp->y, y, n * sizeof *y);
    for (size_t i = 0; i < n; i++)
        gp->v[i] = gp->y[i] - gp->mean - gp->pm[i];
    hpti_la_trsv(n, gp->L, gp->cap, gp->v);
    gp->alpha_ok = 0;
}

int hpti_gp_append_believer(hpti_gp *gp, const double *x)
{
    return hpti_gp_append_believer_solved(gp, x, NULL, 0);
}

int hpti_gp_append_believer_solved(hpti_gp *gp, const double *x, const double *pre,
                                   size_t known)
{
    size_t n = gp->n;
    int rc = append_row(gp, x, pre, known, 0.0);
    if (rc)
        return rc;
    const double *row = gp->L + n * gp->cap;
    gp->y[n] = gp->mean + gp->pm[n] + hpti_la_dot(n, row, gp->v);
    gp->v[n] = 0.0; /* the target equals the mean: no innovation */
    return HPT_OK;
}

static void ensure_alpha(hpti_gp *gp)
{
    if (gp->alpha_ok)
        return;
    memcpy(gp->alpha, gp->v, gp->n * sizeof *gp->v);
    hpti_la_trsv_t(gp->n, gp->L, gp->cap, gp->alpha);
    gp->alpha_ok = 1;
}

void hpti_gp_set_prior(hpti_gp *gp, const hpti_gp *prior)
{
    gp->prior = prior;
    gp->n = 0;
    gp->alpha_ok = 0;
}

void hpti_gp_finalize(hpti_gp *gp)
{
    ensure_alpha(gp);
}

double hpti_gp_mean_at(const hpti_gp *gp, const double *x, double *grad)
{
    size_t d = gp->dim;
    double m = gp->mean;
    double buf[2 * HPT_MAX_PARAMS], zb[HPT_MAX_PARAMS], dz[HPT_MAX_PARAMS];
    double gz[HPT_MAX_PARAMS];
    const double *mx = embed_of(gp, x, buf), *R = rows_of(gp);
    const double *zx = warp_pt(gp, x, zb, grad ? dz : NULL);
    /* with a warp the terms are derivatives in z, scaled by dz/dx below */
    double *g = gp->nw && grad ? gz : grad;
    for (size_t j = 0; g == gz && j < d; j++)
        gz[j] = 0.0;
    for (size_t i = 0; i < gp->n; i++) {
        const double *xi = R + i * d;
        const double *mi = row_emb(gp, i);
        double r2 = kdist2(gp, gp->w, zx, mx, xi, mi);
        double sr = sqrt(5.0 * r2), e = exp(-sr);
        m += gp->sf2 * (1.0 + sr + sr * sr / 3.0) * e * gp->alpha[i];
        if (!g)
            continue;
        /* dk/dx_j = -sf2 (5/3) (1 + s) exp(-s) w_j (x_j - xi_j) */
        double c = -gp->sf2 * (5.0 / 3.0) * (1.0 + sr) * e * gp->alpha[i];
        for (size_t j = 0; j < d; j++)
            if (!(gp->cat && gp->cat[j]))
                g[j] += c * gp->w[j] * half_dd(gp, j, zx, mx, xi, mi);
    }
    for (size_t j = 0; g == gz && j < d; j++)
        grad[j] += gz[j] * dz[j];
    return gp->prior ? m + hpti_gp_mean_at(gp->prior, x, grad) : m;
}

/* ---- prediction ---------------------------------------------------------------- */

void hpti_gp_predict(hpti_gp *gp, const double *Xs, size_t m, double *mu, double *var)
{
    size_t n = gp->n, d = gp->dim;
    double vfl = VAR_FLOOR * gp->sf2;
    for (size_t off = 0; off < m; off += HPTI_GP_CHUNK) {
        size_t c = m - off < HPTI_GP_CHUNK ? m - off : HPTI_GP_CHUNK;
        const double *xs = Xs + off * d;
        if (n == 0) {
            for (size_t j = 0; j < c; j++) {
                mu[off + j] = gp->mean + (gp->prior ? hpti_gp_mean_at(gp->prior, xs + j * d,
                                                                      NULL)
                                                    : 0.0);
                var[off + j] = gp->sf2;
            }
            continue;
        }
        double *K = gp->Ks;
        size_t ne = 2 * gp->nc;
        for (size_t j = 0; gp->cond && j < c; j++)
            embed(gp, xs + j * d, gp->kemb + j * ne);
        const double *zs = xs, *R = rows_of(gp);
        if (gp->nw) {
            for (size_t j = 0; j < c; j++)
                warp_pt(gp, xs + j * d, gp->kz + j * d, NULL);
            zs = gp->kz;
        }
        for (size_t i = 0; i < n; i++) {
            const double *xi = R + i * d;
            double *row = K + i * c;
            if (gp->cond)
                for (size_t j = 0; j < c; j++)
                    row[j] = matern(gp->sf2, dist2_cond(gp, gp->w, xi, gp->emb + i * ne,
                                                        zs + j * d, gp->kemb + j * ne));
            else
                for (size_t j = 0; j < c; j++)
                    row[j] = matern(gp->sf2, dist2(d, gp->cat, gp->w, xi, zs + j * d));
        }
        /* V = L^-1 K*: the one O(n^2 c) step, level-3 BLAS */
        hpti_la_trsm(n, c, gp->L, gp->cap, K, c);
        /* mean and variance in one pass, in a fixed order (a threaded
         * dgemv would make the sums depend on OpenBLAS's thread count) */
        double *mm = mu + off, *vv = var + off;
        for (size_t j = 0; j < c; j++)
            mm[j] = vv[j] = 0.0;
        for (size_t i = 0; i < n; i++) {
            const double *row = K + i * c;
            double vi = gp->v[i];
            for (size_t j = 0; j < c; j++) {
                mm[j] += row[j] * vi;
                vv[j] += row[j] * row[j];
            }
        }
        for (size_t j = 0; j < c; j++)
            mm[j] += gp->mean + (gp->prior ? hpti_gp_mean_at(gp->prior, xs + j * d, NULL) : 0.0);
        for (size_t j = 0; j < c; j++) {
            double s = gp->sf2 - var[off + j];
            var[off + j] = s > vfl ? s : vfl;
        }
    }
}

void hpti_gp_predict_grad(hpti_gp *gp, const double *x, double *mu, double *var,
                          double *dmu, double *dvar)
{
    size_t n = gp->n, d = gp->dim;
    double *k = gp->wk1, *u = gp->wk2;
    for (size_t j = 0; j < d; j++)
        dmu[j] = dvar[j] = 0.0;
    double pmx = gp->prior ? hpti_gp_mean_at(gp->prior, x, dmu) : 0.0;
    if (n == 0) {
        *mu = gp->mean + pmx;
        *var = gp->sf2;
        return;
    }
    ensure_alpha(gp);
    const double *mx = embed_of(gp, x, gp->kemb), *R = rows_of(gp);
    double zb[HPT_MAX_PARAMS], dz[HPT_MAX_PARAMS], gzm[HPT_MAX_PARAMS], gzv[HPT_MAX_PARAMS];
    x = warp_pt(gp, x, zb, dz);
    /* with a warp the terms are derivatives in z, scaled by dz/dx below */
    double *gm = gp->nw ? gzm : dmu, *gv = gp->nw ? gzv : dvar;
    for (size_t j = 0; gp->nw && j < d; j++)
        gzm[j] = gzv[j] = 0.0;
    for (size_t i = 0; i < n; i++)
        k[i] = matern(gp->sf2, kdist2(gp, gp->w, x, mx, R + i * d, row_emb(gp, i)));
    memcpy(u, k, n * sizeof *u);
    hpti_la_trsv(n, gp->L, gp->cap, u);
    double m = gp->mean + pmx + hpti_la_dot(n, u, gp->v);
    double s = gp->sf2 - hpti_la_dot(n, u, u);
    double vfl = VAR_FLOOR * gp->sf2;
    *mu = m;
    *var = s > vfl ? s : vfl;
    /* u = K^-1 k so that d var / dx = -2 (dk/dx)^T u */
    hpti_la_trsv_t(n, gp->L, gp->cap, u);
    for (size_t i = 0; i < n; i++) {
        const double *xi = R + i * d;
        const double *mi = row_emb(gp, i);
        double r2 = kdist2(gp, gp->w, x, mx, xi, mi);
        double sr = sqrt(5.0 * r2);
        /* dk/dx_j = -sf2 (5/3) (1 + s) exp(-s) w_j (x_j - xi_j) */
        double c = -gp->sf2 * (5.0 / 3.0) * (1.0 + sr) * exp(-sr);
        double ca = c * gp->alpha[i], cu = -2.0 * c * u[i];
        for (size_t j = 0; j < d; j++) {
            if (gp->cat && gp->cat[j])
                continue;
            double t = gp->w[j] * half_dd(gp, j, x, mx, xi, mi);
            gm[j] += ca * t;
            gv[j] += cu * t;
        }
    }
    for (size_t j = 0; gp->nw && j < d; j++) {
        dmu[j] += gzm[j] * dz[j];
        dvar[j] += gzv[j] * dz[j];
    }
    if (s <= vfl)
        for (size_t j = 0; j < d; j++)
            dvar[j] = 0.0;
}

void hpti_gp_predict_grad_batch(hpti_gp *gp, const double *Xs, size_t c, double *mu,
                                double *var, double *dmu, double *dvar)
{
    size_t n = gp->n, d = gp->dim;
    double vfl = VAR_FLOOR * gp->sf2;
    for (size_t q = 0; q < c * d; q++)
        dmu[q] = dvar[q] = 0.0;
    if (n == 0) {
        for (size_t j = 0; j < c; j++) {
            mu[j] = gp->mean +
                    (gp->prior ? hpti_gp_mean_at(gp->prior, Xs + j * d, dmu + j * d) : 0.0);
            var[j] = gp->sf2;
        }
        return;
    }
    ensure_alpha(gp);
    /* Q = L^-1 K* and U = L^-T Q = K^-1 K*, c columns side by side: one
     * pass over L per solve for all points (level-3 BLAS) */
    double *Q = gp->Ks, *U = gp->Ks + n * c;
    const double *Ms = gp->cond ? gp->kemb : NULL;
    size_t ne = 2 * gp->nc;
    for (size_t j = 0; Ms && j < c; j++)
        embed(gp, Xs + j * d, gp->kemb + j * ne);
    const double *Xo = Xs, *R = rows_of(gp);
    /* with a warp: the candidates warped in the first half of kz, dz/dx in
     * the second (c <= HPTI_GP_CHUNK / 2) */
    double *DZ = gp->nw ? gp->kz + c * d : NULL;
    for (size_t j = 0; DZ && j < c; j++)
        warp_pt(gp, Xo + j * d, gp->kz + j * d, DZ + j * d);
    if (DZ)
        Xs = gp->kz;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < c; j++)
            Q[i * c + j] = matern(gp->sf2, kdist2(gp, gp->w, Xs + j * d, Ms ? Ms + j * ne : NULL,
                                                  R + i * d, row_emb(gp, i)));
    hpti_la_trsm(n, c, gp->L, gp->cap, Q, c);
    for (size_t j = 0; j < c; j++)
        mu[j] = var[j] = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < c; j++) {
            mu[j] += Q[i * c + j] * gp->v[i];
            var[j] += Q[i * c + j] * Q[i * c + j];
        }
    for (size_t j = 0; !DZ && j < c; j++)
        mu[j] += gp->mean +
                 (gp->prior ? hpti_gp_mean_at(gp->prior, Xs + j * d, dmu + j * d) : 0.0);
    memcpy(U, Q, n * c * sizeof *U);
    hpti_la_trsm_t(n, c, gp->L, gp->cap, U, c);
    for (size_t i = 0; i < n; i++) {
        const double *xi = R + i * d;
        const double *mi = row_emb(gp, i);
        for (size_t j = 0; j < c; j++) {
            const double *x = Xs + j * d;
            const double *mx = Ms ? Ms + j * ne : NULL;
            double r2 = kdist2(gp, gp->w, x, mx, xi, mi);
            double sr = sqrt(5.0 * r2);
            /* dk/dx_k = -sf2 (5/3) (1 + s) exp(-s) w_k (x_k - xi_k) */
            double cc = -gp->sf2 * (5.0 / 3.0) * (1.0 + sr) * exp(-sr);
            double ca = cc * gp->alpha[i], cu = -2.0 * cc * U[i * c + j];
            double *gm = dmu + j * d, *gv = dvar + j * d;
            for (size_t k = 0; k < d; k++) {
                if (gp->cat && gp->cat[k])
                    continue;
                double t = gp->w[k] * half_dd(gp, k, x, mx, xi, mi);
                gm[k] += ca * t;
                gv[k] += cu * t;
            }
        }
    }
    /* with a warp: the derivatives in z to x, then the prior's part (in x) */
    for (size_t j = 0; DZ && j < c; j++) {
        for (size_t k = 0; k < d; k++) {
            dmu[j * d + k] *= DZ[j * d + k];
            dvar[j * d + k] *= DZ[j * d + k];
        }
        mu[j] += gp->mean +
                 (gp->prior ? hpti_gp_mean_at(gp->prior, Xo + j * d, dmu + j * d) : 0.0);
    }
    for (size_t j = 0; j < c; j++) {
        double s = gp->sf2 - var[j];
        var[j] = s > vfl ? s : vfl;
        if (s <= vfl)
            for (size_t k = 0; k < d; k++)
                dvar[j * d + k] = 0.0;
    }
}

void hpti_gp_train_mean(hpti_gp *gp, double *mu)
{
    ensure_alpha(gp);
    for (size_t i = 0; i < gp->n; i++)
        mu[i] = gp->y[i] - (gp->sn2 + gp->nug[i]) * gp->alpha[i];
}

/* ---- marginal likelihood and fit -------------------------------------------------- */

int hpti_gp_fit_reserve(hpti_gp *gp, size_t n)
{
    if (n <= gp->fcap)
        return HPT_OK;
    if (grow_array(&gp->fa, n) || grow_array(&gp->fX, n * gp->dim) || grow_array(&gp->fy, n) ||
        grow_array(&gp->fK, n * n) || grow_array(&gp->fW, n * n))
        return HPT_E_NOMEM;
    if (gp->cond) {
        if (grow_array(&gp->femb, n * 2 * gp->nc))
            return HPT_E_NOMEM;
    }
    if (gp->nw && (grow_array(&gp->fZ, n * gp->dim) || grow_array(&gp->fdz, n * 2 * gp->nw)))
        return HPT_E_NOMEM;
    gp->fcap = n;
    return HPT_OK;
}

/* hpti_gp_nlp; warp_grad 0 leaves the warp's gradient at 0 (the fit's
 * first stage, which holds the warp): at the identity the rows are then
 * used as they are, and no derivative of the warp is computed. */
static double nlp(hpti_gp *gp, const double *X, const double *y, size_t n,
                  const double *theta, double *grad, int warp_grad)
{
    size_t d = gp->dim, np = gp->np;
    double *w = gp->w + d; /* second half of w: scratch for theta's weights */
    double *A = gp->fK, *a = gp->fa;
    if (grad)
        for (size_t j = 0; j < np; j++)
            grad[j] = 0.0;
    for (size_t j = 0; j < np; j++)
        if (!isfinite(theta[j]) || fabs(theta[j]) > 700.0)
            return BIG_NLP;
    for (size_t j = 0; j < d; j++)
        w[j] = exp(-2.0 * theta[j]);
    for (size_t j = 0; gp->cond && j < d; j++)
        gp->wzs[j] = gp->cond[j] ? 0.0 : w[j];
    double sf2 = exp(theta[d]), sn2 = exp(theta[d + 1]), m = theta[d + 2];
    double *M = gp->cond ? gp->femb : NULL;
    size_t ne = 2 * gp->nc, nw = gp->nw;
    for (size_t i = 0; M && !gp->femb_ready && i < n; i++)
        embed(gp, X + i * d, M + i * ne);
    /* warped rows under theta's warp, and (wg) dz/dlog a, dz/dlog b of each */
    int wg = grad && warp_grad && nw, bent = 0;
    for (size_t k = 0; k < 2 * nw; k++)
        bent |= theta[d + 3 + k] != 0.0;
    for (size_t i = 0; (bent || wg) && i < n; i++) {
        const double *xi = X + i * d;
        double *zi = gp->fZ + i * d, *gi = gp->fdz + i * 2 * nw;
        for (size_t j = 0, k = 0; j < d; j++) {
            if (!gp->wmask[j]) {
                zi[j] = xi[j];
                continue;
            }
            double la = theta[d + 3 + 2 * k], lb = theta[d + 4 + 2 * k];
            zi[j] = kuma(xi[j], exp(la), exp(lb), NULL, wg ? gi + 2 * k : NULL,
                         wg ? gi + 2 * k + 1 : NULL);
            if (la == 0.0 && lb == 0.0)
                zi[j] = xi[j]; /* the identity (warped()), its derivatives kept */
            k++;
        }
    }
    if (bent || wg)
        X = gp->fZ;
    int k, info = 1;
    for (k = 0; k < JITTER_TRIES && info != 0; k++)
        info = build_and_factor(gp, w, sf2, sn2 + jitter_at(k, sf2 + sn2), X, M, n, A, n);
    if (info != 0)
        return BIG_NLP;
    gp->n_eval++;
    double logdet = 0.0;
    for (size_t i = 0; i < n; i++) {
        a[i] = y[i] - m;
        logdet += log(A[i * n + i]);
    }
    hpti_la_trsv(n, A, n, a);
    double quad = hpti_la_dot(n, a, a);
    hpti_la_trsv_t(n, A, n, a);
    /* R&W eq. 2.30 */
    double lml = -0.5 * quad - logdet - 0.5 * (double)n * LOG_2PI;
    double lp = log_prior(gp, d, theta, NULL);
    if (!isfinite(lml))
        return BIG_NLP;
    if (!grad)
        return -(lml + lp);

    /* R&W eq. 5.9: d lml / d theta_j = 1/2 tr((a a^T - K^-1) dK/dtheta_j) */
    hpti_la_potri(n, A, n, gp->fW);
    double gsf = 0.0, gsn = 0.0, gm = 0.0;
    double *gls = grad; /* first d entries accumulate the lengthscale terms */
    for (size_t i = 0; i < n; i++) {
        const double *xi = X + i * d;
        const double *Ai = A + i * n;
        gm += a[i];
        double Wii = a[i] * a[i] - Ai[i];
        gsf += 0.5 * Wii * sf2;
        gsn += 0.5 * Wii * sn2;
        for (size_t j = 0; j < i; j++) {
            const double *xj = X + j * d;
            double Wij = a[i] * a[j] - Ai[j];
            double r2 = kdist2(gp, w, xi, M ? M + i * ne : NULL, xj, M ? M + j * ne : NULL);
            double s = sqrt(5.0 * r2), e = exp(-s);
            /* off-diagonal pairs count twice, times the 1/2 */
            gsf += Wij * sf2 * (1.0 + s + s * s / 3.0) * e;
            /* dk/dlog ls_k = sf2 (5/3) (1 + s) exp(-s) w_k D_k^2 */
            double c = Wij * sf2 * (5.0 / 3.0) * (1.0 + s) * e;
            if (c == 0.0)
                continue;
            for (size_t kw = 0, q = 0; wg && kw < nw; kw++, q++) {
                /* dk/dp = -sf2 (5/3) (1 + s) exp(-s) w_q D_q (dz_iq/dp - dz_jq/dp) */
                while (!gp->wmask[q])
                    q++;
                const double *gi = gp->fdz + i * 2 * nw, *gj = gp->fdz + j * 2 * nw;
                double t = -c * w[q] * (xi[q] - xj[q]);
                grad[d + 3 + 2 * kw] += t * (gi[2 * kw] - gj[2 * kw]);
                grad[d + 4 + 2 * kw] += t * (gi[2 * kw + 1] - gj[2 * kw + 1]);
            }
            if (M) {
                for (size_t q = 0; q < d; q++) {
                    double d2;
                    if (gp->cond[q])
                        d2 = cond_d2(gp, gp->cpos[q], M + i * ne, M + j * ne);
                    else if (gp->cat && gp->cat[q])
                        d2 = xi[q] != xj[q] ? 1.0 : 0.0;
                    else
                        d2 = (xi[q] - xj[q]) * (xi[q] - xj[q]);
                    gls[q] += c * w[q] * d2;
                }
                continue;
            }
            for (size_t q = 0; q < d; q++) {
                double dd = gp->cat && gp->cat[q] ? (xi[q] != xj[q] ? 1.0 : 0.0) : xi[q] - xj[q];
                gls[q] += c * w[q] * dd * dd;
            }
        }
    }
    grad[d] = gsf;
    grad[d + 1] = gsn;
    grad[d + 2] = gm;
    log_prior(gp, d, theta, grad);
    for (size_t j = 0; j < np; j++) {
        grad[j] = -grad[j];
        if (!isfinite(grad[j]))
            grad[j] = 0.0;
    }
    return -(lml + lp);
}

double hpti_gp_nlp(hpti_gp *gp, const double *X, const double *y, size_t n,
                   const double *theta, double *grad)
{
    return nlp(gp, X, y, n, theta, grad, 1);
}

typedef struct {
    hpti_gp *gp;
    const double *X, *y;
    size_t n;
    int frozen; /* the warp's parameters held (their gradient 0) */
} fit_ctx;

static double fit_f(const gsl_vector *x, void *p)
{
    fit_ctx *c = p;
    return nlp(c->gp, c->X, c->y, c->n, x->data, NULL, !c->frozen);
}

static void fit_fdf(const gsl_vector *x, void *p, double *f, gsl_vector *g)
{
    fit_ctx *c = p;
    *f = nlp(c->gp, c->X, c->y, c->n, x->data, g->data, !c->frozen);
}

static void fit_df(const gsl_vector *x, void *p, gsl_vector *g)
{
    double f;
    fit_fdf(x, p, &f, g);
}

/* One BFGS run from start; the result replaces (*best_f, bt) when lower. */
static void fit_one(hpti_gp *gp, fit_ctx *ctx, const double *start, int max_iter,
                    double *best_f, double *bt)
{
    size_t np = gp->np;
    gsl_multimin_function_fdf fdf = {fit_f, fit_df, fit_fdf, np, ctx};
    gsl_multimin_fdfminimizer *mz = gp->minimizer;
    gsl_vector *gx = gp->gx;
    memcpy(gx->data, start, np * sizeof *start);
    double f0 = fit_f(gx, ctx);
    if (!(f0 < BIG_NLP))
        return;
    gsl_multimin_fdfminimizer_set(mz, &fdf, gx, 0.1, 0.1);
    for (int it = 0; it < max_iter; it++) {
        if (gsl_multimin_fdfminimizer_iterate(mz) != GSL_SUCCESS)
            break;
        if (gsl_multimin_test_gradient(mz->gradient, 1e-3) == GSL_SUCCESS)
            break;
    }
    double f = mz->f;
    const double *xt = mz->x->data;
    if (!isfinite(f) || f >= f0) {
        f = f0;
        xt = start;
    }
    if (f < *best_f) {
        *best_f = f;
        memcpy(bt, xt, np * sizeof *bt);
    }
}

/* Input warping, the fit's second stage (gp.h): from the best unwarped
 * theta bt (value *best_f), and from the current theta when it has a
 * warp, all parameters free. A coordinate's warp goes back to the
 * identity unless that costs WARP_GATE nats of the posterior, and the
 * warp as a whole is kept only when it beats the unwarped fit by
 * WARP_GATE per coordinate it bends -- a likelihood-ratio test with two
 * degrees of freedom per coordinate, about the 95% level: a flexible
 * warp otherwise bends a smooth function's space for nothing. */
static void fit_warp(hpti_gp *gp, fit_ctx *ctx, int max_iter, double *best_f, double *bt)
{
    size_t np = gp->np, base = HPTI_GP_NP(gp->dim);
    double *wt = gp->ft + 2 * np, *st = gp->ft + 3 * np, wf = INFINITY;
    ctx->frozen = 0;
    fit_one(gp, ctx, bt, max_iter, &wf, wt);
    int bent = 0;
    for (size_t j = base; j < np; j++)
        bent |= gp->theta[j] != 0.0;
    if (bent)
        fit_one(gp, ctx, gp->theta, max_iter, &wf, wt);
    if (!(wf < INFINITY))
        return;
    size_t m = 0;
    for (size_t k = 0; k < gp->nw; k++) {
        size_t ja = base + 2 * k;
        if (wt[ja] == 0.0 && wt[ja + 1] == 0.0)
            continue;
        memcpy(st, wt, np * sizeof *st);
        st[ja] = st[ja + 1] = 0.0;
        double f = hpti_gp_nlp(gp, ctx->X, ctx->y, ctx->n, st, NULL);
        if (f < wf + WARP_GATE) {
            memcpy(wt, st, np * sizeof *wt);
            wf = f < wf ? f : wf;
        } else
            m++;
    }
    if (m > 0 && wf <= *best_f - WARP_GATE * (double)m) {
        *best_f = wf;
        memcpy(bt, wt, np * sizeof *bt);
    }
}

int hpti_gp_fit(hpti_gp *gp, const double *X, const double *y, size_t n, hpti_rng *rng,
                int restarts, int max_iter)
{
    size_t d = gp->dim, np = gp->np;
    if (n == 0)
        return HPT_OK;
    if (hpti_gp_fit_reserve(gp, n))
        return HPT_E_NOMEM;
    if (gp->prior) { /* the GP models the residuals from its prior mean */
        for (size_t i = 0; i < n; i++)
            gp->fy[i] = y[i] - hpti_gp_mean_at(gp->prior, X + i * d, NULL);
        y = gp->fy;
    }
    /* the fitted rows' embeddings, once for every objective evaluation */
    for (size_t i = 0; gp->cond && i < n; i++)
        embed(gp, X + i * d, gp->femb + i * 2 * gp->nc);
    gp->femb_ready = gp->cond != NULL;
    /* first (or only) stage: the warp held at the identity */
    fit_ctx ctx = {gp, X, y, n, gp->nw > 0};
    double best_f = INFINITY;
    double *start = gp->ft, *bt = gp->ft + np;
    gp->n_eval = 0;
    gp->n_fit++;
    for (int r = 0; r <= restarts; r++) {
        if (r == 0)
            memcpy(start, gp->theta, np * sizeof *start);
        else
            for (size_t j = 0; j < HPTI_GP_NP(d); j++) {
                double lo, hi, t;
                box(gp, d, j, &lo, &hi);
                t = prior_mu(d, j) + sqrt(prior_var(d, j)) * 0.7 * hpti_rng_normal(rng);
                start[j] = t < lo ? lo : t > hi ? hi : t;
            }
        for (size_t j = HPTI_GP_NP(d); j < np; j++)
            start[j] = 0.0; /* the same draws as without a warp */
        fit_one(gp, &ctx, start, max_iter, &best_f, bt);
    }
    if (gp->nw && best_f < INFINITY)
        fit_warp(gp, &ctx, max_iter, &best_f, bt);
    gp->femb_ready = 0;
    if (best_f < INFINITY) {
        hpti_gp_set_theta(gp, bt);
        gp->have_theta = 1;
    }
    return HPT_OK;
}
