/* acq_mo.c -- log EHVI / constrained log EI / probability of feasibility
 * over several GP models (see acq_mo.h). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "acq_mo.h"

#define C1 0.91893853320467274178 /* log(2 pi) / 2 */
#define L HPTI_ACQ_MAX_LOCAL
#define SLOTS (HPTI_ACQ_MAX_MODELS + 1) /* models, then the failure model */

int hpti_acq_mo_reserve(hpti_acq_mo *mo, size_t m, size_t dim)
{
    if (!mo->bmu || dim != mo->dim) {
        hpti_free(mo->bmu);
        hpti_free(mo->bdmu);
        mo->bmu = hpti_malloc(2 * SLOTS * L * sizeof *mo->bmu);
        mo->bdmu = hpti_malloc(2 * SLOTS * L * (dim ? dim : 1) * sizeof *mo->bdmu);
        if (!mo->bmu || !mo->bdmu)
            return HPT_E_NOMEM;
        mo->bvar = mo->bmu + SLOTS * L;
        mo->bdvar = mo->bdmu + SLOTS * L * dim;
        mo->dim = dim;
    }
    if (m > mo->cap) {
        double *p = hpti_realloc(mo->mu, 2 * SLOTS * m * sizeof *p);
        if (!p)
            return HPT_E_NOMEM;
        mo->mu = p;
        mo->var = p + SLOTS * m;
        mo->cap = m;
    }
    return HPT_OK;
}

void hpti_acq_mo_free(hpti_acq_mo *mo)
{
    hpti_free(mo->mu);
    hpti_free(mo->bmu);
    hpti_free(mo->bdmu);
    mo->mu = mo->var = mo->bmu = mo->bvar = mo->bdmu = mo->bdvar = NULL;
    mo->cap = 0;
}

/* The acquisition from the predictions mu[i], var[i] of the models (slot
 * HPTI_ACQ_MAX_MODELS: the failure model); when gmu is not NULL, its
 * derivatives with respect to each prediction go to gmu[i], gvar[i]. */
static double value_at(hpti_acq_mo *mo, const double *mu, const double *var, double *gmu,
                       double *gvar)
{
    size_t no = mo->n_obj, nm = no + mo->n_con;
    double s[HPTI_ACQ_MAX_MODELS], v = 0.0;
    for (size_t i = 0; i < nm; i++) {
        s[i] = sqrt(var[i]);
        if (gmu)
            gmu[i] = gvar[i] = 0.0;
    }
    if (mo->mode == HPTI_ACQ_EHVI) {
        double ds[HPTI_EHVI_MAX_OBJ];
        v = hpti_ehvi_log(mo->ehvi, mu, s, gmu, gmu ? ds : NULL);
        if (gmu)
            for (size_t k = 0; k < no; k++)
                gvar[k] = ds[k] / (2.0 * s[k]);
    } else if (mo->mode == HPTI_ACQ_EI) {
        double z = (mo->best - mu[0]) / s[0];
        v = hpti_log_ei(mu[0], s[0], mo->best);
        if (gmu) {
            double dlh = hpti_dlog_h(z);
            gmu[0] = -dlh / s[0];
            gvar[0] = (1.0 / s[0] - dlh * z / s[0]) / (2.0 * s[0]);
        }
    }
    for (size_t i = no; i < nm; i++) {
        double g = (mo->bound[i] - mu[i]) / s[i], lp = hpti_log_ncdf(g);
        v += lp;
        if (gmu) {
            double r = exp(-0.5 * g * g - C1 - lp); /* phi(g) / Phi(g) */
            gmu[i] = -r / s[i];
            gvar[i] = -r * g / s[i] / (2.0 * s[i]);
        }
    }
    if (mo->fail) {
        size_t f = HPTI_ACQ_MAX_MODELS;
        double a1, a2, a3;
        v += hpti_acq_log_pof(mu[f], var[f], &a1, &a2, &a3);
        if (gmu) {
            gmu[f] = a3 * a1;
            gvar[f] = a3 * a2;
        }
    }
    return isfinite(v) ? v : -DBL_MAX;
}

void hpti_acq_mo_score(hpti_acq_mo *mo, const double *X, size_t m, double *val)
{
    size_t nm = mo->n_obj + mo->n_con, cap = mo->cap, f = HPTI_ACQ_MAX_MODELS;
    for (size_t i = 0; i < nm; i++)
        hpti_gp_predict(mo->gp[i], X, m, mo->mu + i * cap, mo->var + i * cap);
    if (mo->fail)
        hpti_gp_predict(mo->fail, X, m, mo->mu + f * cap, mo->var + f * cap);
    double mu[SLOTS], var[SLOTS];
    for (size_t t = 0; t < m; t++) {
        for (size_t i = 0; i < nm; i++) {
            mu[i] = mo->mu[i * cap + t];
            var[i] = mo->var[i * cap + t];
        }
        if (mo->fail) {
            mu[f] = mo->mu[f * cap + t];
            var[f] = mo->var[f * cap + t];
        }
        val[t] = value_at(mo, mu, var, NULL, NULL);
    }
}

void hpti_acq_mo_batch(hpti_acq_mo *mo, const unsigned char *free_dim, const double *X,
                       size_t c, double *val, double *grad)
{
    size_t nm = mo->n_obj + mo->n_con, d = mo->dim, f = HPTI_ACQ_MAX_MODELS;
    for (size_t i = 0; i < nm; i++)
        hpti_gp_predict_grad_batch(mo->gp[i], X, c, mo->bmu + i * L, mo->bvar + i * L,
                                   mo->bdmu + i * L * d, mo->bdvar + i * L * d);
    if (mo->fail)
        hpti_gp_predict_grad_batch(mo->fail, X, c, mo->bmu + f * L, mo->bvar + f * L,
                                   mo->bdmu + f * L * d, mo->bdvar + f * L * d);
    double mu[SLOTS], var[SLOTS], gmu[SLOTS], gvar[SLOTS];
    for (size_t t = 0; t < c; t++) {
        for (size_t i = 0; i < SLOTS; i++)
            if (i < nm || (i == f && mo->fail)) {
                mu[i] = mo->bmu[i * L + t];
                var[i] = mo->bvar[i * L + t];
            }
        val[t] = value_at(mo, mu, var, gmu, gvar);
        double *g = grad + t * d;
        for (size_t j = 0; j < d; j++) {
            double gj = 0.0;
            if (free_dim[j])
                for (size_t i = 0; i < SLOTS; i++)
                    if (i < nm || (i == f && mo->fail)) {
                        size_t q = (i * L + t) * d + j;
                        gj += gmu[i] * mo->bdmu[q] + gvar[i] * mo->bdvar[q];
                    }
            g[j] = isfinite(gj) ? gj : 0.0;
        }
    }
}
