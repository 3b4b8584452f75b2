/* bayes_state.c -- the bayes engine's journal state (bayes.h, "journal
 * state"): what a recorded ask holds of the engine, its restore, and the
 * rebuild of the factors at the next proposal.
 *
 * Recorded (format of the strategy that holds the engine): the rows in
 * each factor and at its last fit (n_real, fit_n, f_real, f_fit_n); then
 * for the objective's GP and the feasibility GP: fits so far (their
 * restart schedule), whether theta was ever fitted, the jitter its factor
 * was built with, and theta itself when a fit happened since the last
 * record (a flag, then np doubles). Restoring such a delta needs the state
 * the previous record left, which the records' order guarantees. */
#include <math.h>
#include <string.h>

#include "bayes.h"

static void snap_gp(const hpti_gp *gp, unsigned long *seen, double jitter, hpti_snapw *w)
{
    int fresh = gp->n_fit != *seen;
    hpti_snapw_u64(w, gp->n_fit);
    hpti_snapw_u64(w, (uint64_t)gp->have_theta);
    hpti_snapw_f64(w, jitter);
    hpti_snapw_u64(w, (uint64_t)fresh);
    for (size_t j = 0; fresh && j < gp->np; j++)
        hpti_snapw_f64(w, gp->theta[j]);
    *seen = gp->n_fit;
}

void hpti_bayes_snapshot(hpti_bayes *b, hpti_snapw *w)
{
    hpti_snapw_u64(w, b->n_real);
    hpti_snapw_u64(w, b->fit_n);
    hpti_snapw_u64(w, b->f_real);
    hpti_snapw_u64(w, b->f_fit_n);
    snap_gp(&b->gp, &b->saved.gp.seen, b->gp.jitter, w);
    snap_gp(&b->feas, &b->saved.feas.seen, b->feas.jitter, w);
    /* several objectives or constraints: the further models, the same */
    hpti_snapw_u64(w, b->n_models);
    for (size_t i = 0; i < b->n_models; i++) {
        hpti_bayes_model *m = &b->models[i];
        hpti_snapw_u64(w, m->n_real);
        hpti_snapw_u64(w, m->fit_n);
        snap_gp(&m->gp, &m->saved.seen, m->gp.jitter, w);
    }
}

/* One GP's part, with the rows of its factor and of its last fit as
 * recorded (real, fit). Applied, the factor is kept when it is a prefix
 * of the recorded one (no fit since, the same schedule: a live study
 * taking in a record another process wrote; the next proposal appends
 * the rows it lacks, as appending row by row is what that process did);
 * else it is dropped and rebuilt at the next proposal. */
static void restore_gp(hpti_gp *gp, hpti_snapr *r, hpti_bayes_gp_saved *sv,
                       size_t *n_real, size_t *fit_n, size_t real, size_t fit, int apply)
{
    unsigned long n_fit = (unsigned long)hpti_snapr_u64(r);
    int have = (int)hpti_snapr_max(r, 1);
    double jit = hpti_snapr_f64(r);
    int fresh = (int)hpti_snapr_max(r, 1);
    if (!(jit >= 0 && jit < 1e300))
        r->bad = 1;
    if (!fresh && have && !gp->have_theta)
        r->bad = 1; /* a delta on a state that never had this theta */
    double *th = gp->ft; /* fit scratch, 2 np: free between proposals */
    for (size_t j = 0; fresh && j < gp->np; j++) {
        th[j] = hpti_snapr_f64(r);
        if (!isfinite(th[j]))
            r->bad = 1;
    }
    if (!apply || r->bad)
        return;
    int keep = !fresh && !sv->rebuild && n_fit == gp->n_fit && have == gp->have_theta &&
               fit == *fit_n && gp->n == *n_real && real >= *n_real && *n_real >= fit &&
               jit == gp->jitter;
    sv->seen = n_fit;
    sv->jitter = jit;
    if (keep)
        return;
    if (fresh)
        hpti_gp_set_theta(gp, th);
    gp->n_fit = n_fit;
    gp->have_theta = have;
    hpti_gp_truncate(gp, 0);
    *n_real = real;
    *fit_n = fit;
    sv->rebuild = 1;
}

int hpti_bayes_restore(hpti_bayes *b, hpti_snapr *r, int apply)
{
    size_t n_real = (size_t)hpti_snapr_u64(r), fit_n = (size_t)hpti_snapr_u64(r);
    size_t f_real = (size_t)hpti_snapr_u64(r), f_fit_n = (size_t)hpti_snapr_u64(r);
    restore_gp(&b->gp, r, &b->saved.gp, &b->n_real, &b->fit_n, n_real, fit_n, apply);
    restore_gp(&b->feas, r, &b->saved.feas, &b->f_real, &b->f_fit_n, f_real, f_fit_n,
               apply);
    size_t nm = (size_t)hpti_snapr_max(r, HPT_MAX_OBJECTIVES + HPT_MAX_CONSTRAINTS);
    if (r->bad || (b->n_models && nm != b->n_models))
        return HPT_E_CORRUPT; /* the study's shape is fixed */
    /* the models exist before the first proposal of a reopened study */
    if (nm && hpti_bayes_mo_models(b, nm))
        return HPT_E_NOMEM;
    for (size_t i = 0; i < nm && !r->bad; i++) {
        hpti_bayes_model *m = &b->models[i];
        size_t real = (size_t)hpti_snapr_u64(r), fit = (size_t)hpti_snapr_u64(r);
        restore_gp(&m->gp, r, &m->saved, &m->n_real, &m->fit_n, real, fit, apply);
    }
    return r->bad ? HPT_E_CORRUPT : HPT_OK;
}

/* Rebuild one factor over rows X[0..n) (n x dim, already in gp->X) as the
 * uninterrupted run built it: factored at its last fit (base rows), then
 * appended. A factorization that failed there fails here too, and that
 * run then appended every row from an empty factor, with the jitter of
 * the factor before: the same is done. @return HPT_OK, HPT_E_NOMEM, or
 * HPT_E_NUMERIC when the result is not usable (the caller refits). */
static int rebuild_gp(hpti_gp *gp, size_t n, size_t base, double jitter)
{
    size_t d = gp->dim;
    int rc = HPT_E_NUMERIC;
    if (base > 0 && base <= n)
        rc = hpti_gp_factor(gp, gp->X, base);
    if (rc == HPT_E_NOMEM)
        return rc;
    if (rc == HPT_E_NUMERIC)
        return hpti_gp_factor_appended(gp, gp->X, n, jitter);
    for (size_t i = base; i < n; i++)
        if ((rc = hpti_gp_append(gp, gp->X + i * d)) != HPT_OK)
            return rc;
    return HPT_OK;
}

/* One GP of the shared rows X (nrow of them), when restored. */
static int rebuild_shared(hpti_gp *gp, hpti_bayes_gp_saved *sv, size_t *n_real, size_t *fit_n,
                          const double *X, size_t nrow)
{
    if (!sv->rebuild)
        return HPT_OK;
    if (*n_real > nrow) {
        *n_real = *fit_n = 0; /* not the recorded data: refit */
        sv->rebuild = 0;
        return HPT_OK;
    }
    if (hpti_gp_reserve(gp, *n_real))
        return HPT_E_NOMEM; /* retried by the next proposal */
    if (*n_real) /* none kept (bayes_feas.h): gp->X may be unallocated */
        memcpy(gp->X, X, *n_real * gp->dim * sizeof *X);
    int rc = *n_real ? rebuild_gp(gp, *n_real, *fit_n, sv->jitter) : HPT_OK;
    if (rc == HPT_E_NOMEM)
        return rc;
    if (rc)
        *n_real = *fit_n = 0;
    sv->rebuild = 0;
    return HPT_OK;
}

int hpti_bayes_rebuild_mo(hpti_bayes *b, const double *X, size_t nrow,
                          const hpti_bayes_data *dt)
{
    int rc = rebuild_shared(&b->gp, &b->saved.gp, &b->n_real, &b->fit_n, X, nrow);
    for (size_t i = 0; !rc && i < b->n_models; i++) {
        hpti_bayes_model *m = &b->models[i];
        rc = rebuild_shared(&m->gp, &m->saved, &m->n_real, &m->fit_n, X, nrow);
    }
    /* feasibility: every row */
    return rc ? rc : rebuild_shared(&b->feas, &b->saved.feas, &b->f_real, &b->f_fit_n, dt->u,
                                    dt->n);
}

int hpti_bayes_rebuild(hpti_bayes *b, const hpti_bayes_data *dt)
{
    size_t d = b->dim;
    hpti_bayes_gp_saved *g = &b->saved.gp, *f = &b->saved.feas;
    if (!g->rebuild && !f->rebuild)
        return HPT_OK;
    /* the objective's rows: the non-failed ones, in order */
    size_t m = 0;
    for (size_t i = 0; g->rebuild && i < dt->n && m < b->n_real; i++)
        if (!isnan(dt->loss[i * dt->stride]))
            m++;
    if (g->rebuild && m < b->n_real)
        b->n_real = b->fit_n = 0; /* not the recorded data: refit */
    if (g->rebuild && hpti_gp_reserve(&b->gp, b->n_real))
        return HPT_E_NOMEM; /* retried by the next proposal */
    if (g->rebuild) {
        m = 0;
        for (size_t i = 0; i < dt->n && m < b->n_real; i++)
            if (!isnan(dt->loss[i * dt->stride]))
                memcpy(b->gp.X + (m++) * d, dt->u + i * d, d * sizeof *dt->u);
        int rc = b->n_real ? rebuild_gp(&b->gp, b->n_real, b->fit_n, g->jitter) : HPT_OK;
        if (rc == HPT_E_NOMEM)
            return rc;
        if (rc)
            b->n_real = b->fit_n = 0;
        g->rebuild = 0;
    }
    /* feasibility: every row */
    return rebuild_shared(&b->feas, f, &b->f_real, &b->f_fit_n, dt->u, dt->n);
}
