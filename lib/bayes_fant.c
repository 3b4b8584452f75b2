/* bayes_fant.c -- running trials' fantasies kept across proposals
 * (bayes_fant.h). */
#include <string.h>

#include "bayes_fant.h"
#include "common.h"
#include "gp.h"
#include "linalg.h"

void hpti_bayes_fantasies_free(hpti_bayes_fantasies *f)
{
    hpti_free(f->theta);
    hpti_free(f->pend);
    hpti_free(f->y);
    hpti_free(f->X);
    hpti_free(f->piv);
    hpti_free(f->C);
    memset(f, 0, sizeof *f);
}

/* The factor of the kept rows and gp's come from the same hyperparameters,
 * jitter and fit, by the same route (no rows appended from an empty
 * factor since, which a fallback does with the same three): row j of both
 * is then a function of real rows 0..j. */
static int same_model(const hpti_bayes_fantasies *f, const hpti_gp *gp, unsigned long n_fits,
                      size_t fit_n)
{
    return f->valid && f->n_fits == n_fits && f->n_reroute == gp->n_reroute &&
           f->fit_n == fit_n && f->np == gp->np &&
           memcmp(&f->jitter, &gp->jitter, sizeof f->jitter) == 0 &&
           memcmp(f->theta, gp->theta, gp->np * sizeof *f->theta) == 0;
}

/* Leading real rows that are as they were: the same input and pivot. The
 * diagonal is what another route to the factor (appends instead of one
 * blocked factorization) would most likely change in the last bits:
 * compared too. */
static size_t same_rows(const hpti_bayes_fantasies *f, const hpti_gp *gp, size_t n_real,
                        size_t d)
{
    size_t lim = f->n_real < n_real ? f->n_real : n_real, k = 0;
    while (k < lim && memcmp(f->X + k * d, gp->X + k * d, d * sizeof *f->X) == 0 &&
           memcmp(&f->piv[k], &gp->L[k * gp->cap + k], sizeof(double)) == 0)
        k++;
    return k;
}

/* The rows the last call appended are still in the factor, exact, when
 * nothing was factored, reserved or appended since (n_fits, L, cap and
 * the real rows say so): asks without tells. The running points that
 * match the kept ones from the first on, in the same order, are taken
 * back; their targets, the posterior means, are computed again when the
 * real targets changed (O(n) each, as the append does). A tell that adds
 * a real row ends it (a failure adds none): that row has the noise on
 * its diagonal, which its
 * fantasy row (noise-free) had not, so the rows after it differ from
 * column n_real on; their real parts are what the next call keeps.
 * @return how many. */
static size_t take_back(hpti_bayes_fantasies *f, hpti_gp *gp, size_t n_real, size_t same,
                        const double *pend, size_t n_pend, size_t d)
{
    size_t n0 = f->n_real;
    if (same != n0 || n_real != n0 || gp->n != n_real || f->L != gp->L ||
        f->cap != gp->cap || n0 + f->n_pend > gp->cap)
        return 0;
    size_t k = 0;
    while (k < f->n_pend && k < n_pend &&
           memcmp(f->pend + k * d, pend + k * d, d * sizeof *pend) == 0)
        k++;
    gp->n = n_real + k;
    gp->alpha_ok = 0;
    if (memcmp(f->y, gp->y, n_real * sizeof *f->y) == 0)
        return k; /* the believers' targets and their zero v are as left */
    for (size_t r = n_real; r < n_real + k; r++) {
        const double *row = gp->L + r * gp->cap;
        gp->y[r] = gp->mean + gp->pm[r] + hpti_la_dot(r, row, gp->v);
        gp->v[r] = 0.0; /* hpti_gp_append_believer's operations */
    }
    return k;
}

/* Remember this call's rows: the real rows' state and each running
 * point's real part (rows from `from` on; those before are kept rows
 * already in C, same layout). */
static void keep(hpti_bayes_fantasies *f, const hpti_gp *gp, size_t n_real,
                 unsigned long n_fits, size_t fit_n, const double *pend, size_t from,
                 size_t d)
{
    size_t np = gp->n - n_real;
    if (f->cld != n_real)
        from = 0;
    f->valid = 0;
    if (hpti_grow((void **)&f->pend, &f->pcap, np * d + 1, sizeof *f->pend) ||
        hpti_grow((void **)&f->y, &f->ycap, n_real + 1, sizeof *f->y) ||
        hpti_grow((void **)&f->piv, &f->vcap, n_real + 1, sizeof *f->piv) ||
        hpti_grow((void **)&f->X, &f->xcap, (n_real + 1) * d, sizeof *f->X) ||
        hpti_grow((void **)&f->theta, &f->tcap, gp->np, sizeof *f->theta) ||
        hpti_grow((void **)&f->C, &f->ccap, np * n_real + 1, sizeof *f->C))
        return;
    if (np)
        memcpy(f->pend, pend, np * d * sizeof *pend);
    if (n_real) {
        memcpy(f->y, gp->y, n_real * sizeof *f->y);
        memcpy(f->X, gp->X, n_real * d * sizeof *f->X);
    }
    for (size_t i = 0; i < n_real; i++)
        f->piv[i] = gp->L[i * gp->cap + i];
    for (size_t i = from; i < np; i++)
        memcpy(f->C + i * n_real, gp->L + (n_real + i) * gp->cap, n_real * sizeof *f->C);
    memcpy(f->theta, gp->theta, gp->np * sizeof *f->theta);
    f->np = gp->np;
    f->jitter = gp->jitter;
    f->cld = n_real;
    f->n_real = n_real;
    f->n_fits = n_fits;
    f->n_reroute = gp->n_reroute;
    f->fit_n = fit_n;
    f->L = gp->L;
    f->cap = gp->cap;
    f->n_pend = np;
    f->valid = 1;
}

int hpti_bayes_fantasies_add(hpti_bayes_fantasies *f, hpti_gp *gp, size_t n_real,
                             unsigned long n_fits, size_t fit_n, const double *pend,
                             size_t n_pend, size_t d)
{
    hpti_gp_truncate(gp, n_real);
    int model = same_model(f, gp, n_fits, fit_n);
    size_t same = model ? same_rows(f, gp, n_real, d) : 0;
    size_t k = model ? take_back(f, gp, n_real, same, pend, n_pend, d) : 0;
    f->reused = k;
    f->resumed = 0;
    f->solved = 0;
    /* The kept points after the taken-back ones, matched in order: the
     * running points keep their order (trial id), one that finished or
     * failed is skipped, new ones come after. */
    size_t q = k;
    for (size_t i = k; i < n_pend; i++) {
        const double *x = pend + i * d, *pre = NULL;
        size_t known = 0;
        if (same) {
            size_t r = q;
            while (r < f->n_pend && memcmp(f->pend + r * d, x, d * sizeof *x) != 0)
                r++;
            if (r < f->n_pend) {
                pre = f->C + r * f->cld;
                known = same;
                q = r + 1;
                f->resumed++;
            }
        }
        int rc = hpti_gp_append_believer_solved(gp, x, pre, known);
        if (rc) {
            f->valid = 0;
            return rc;
        }
        f->solved += n_real - known;
    }
    keep(f, gp, n_real, n_fits, fit_n, pend, k, d);
    return HPT_OK;
}
