/* bayes_mo.c -- the engine's proposal with several objectives or black-box
 * constraints: one GP per objective and per constraint on shared rows,
 * log EHVI or constrained log EI times the probability of feasibility
 * (bayes.h, "several objectives or constraints"; acq_mo.h; ehvi.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "acq_mo.h"
#include "bayes.h"
#include "pareto.h"
#include "select.h"
#include "standardize.h"

#define N_CENTERS HPTI_BAYES_CENTERS
#define N_OUT HPTI_BAYES_OUT
#define REF_MARGIN 0.1   /* reference point margin: this share of the observations' range */

typedef struct {
    size_t cap;            /* rows */
    double *Y;             /* objective k's targets at Y + k cap (transformed) */
    double *C;             /* constraint j's targets at C + j cap (standardized) */
    double *M;             /* objective k's posterior means at the rows, M + k cap */
    double *front;         /* (cap) * n_obj: the front the EHVI decomposes */
    size_t *feas;          /* rows observed feasible */
    double *key;           /* cap: scratch */
    size_t *idx;           /* cap: scratch */
    hpti_ehvi ehvi;
    hpti_acq_mo acq;
} mo_work;

void hpti_bayes_mo_free(hpti_bayes *b)
{
    for (size_t i = 0; b->models && i < b->n_models; i++) {
        hpti_gp_free(&b->models[i].gp);
        hpti_bayes_fantasies_free(&b->models[i].fant);
    }
    hpti_free(b->models);
    b->models = NULL;
    b->n_models = 0;
    mo_work *w = b->mo;
    if (w) {
        hpti_free(w->Y);
        hpti_free(w->C);
        hpti_free(w->M);
        hpti_free(w->front);
        hpti_free(w->feas);
        hpti_free(w->key);
        hpti_free(w->idx);
        hpti_ehvi_free(&w->ehvi);
        hpti_acq_mo_free(&w->acq);
        hpti_free(w);
    }
    b->mo = NULL;
}

int hpti_bayes_mo_models(hpti_bayes *b, size_t n_models)
{
    size_t d = b->dim;
    if (b->n_models != n_models) { /* the study's shape is fixed: once */
        for (size_t i = 0; b->models && i < b->n_models; i++) {
            hpti_gp_free(&b->models[i].gp);
            hpti_bayes_fantasies_free(&b->models[i].fant);
        }
        hpti_free(b->models);
        b->n_models = 0;
        b->models = n_models ? hpti_calloc(n_models, sizeof *b->models) : NULL;
        if (n_models && !b->models)
            return HPT_E_NOMEM;
        unsigned char *cat = hpti_malloc(d ? d : 1);
        if (!cat)
            return HPT_E_NOMEM;
        for (size_t j = 0; j < d; j++)
            cat[j] = b->space->p[j].type == HPT_PARAM_CATEGORICAL;
        int rc = HPT_OK;
        for (size_t i = 0; i < n_models && rc == HPT_OK; i++)
            if ((rc = hpti_gp_init(&b->models[i].gp, d, cat)) == HPT_OK)
                b->n_models = i + 1;
        /* input warping (bayes.h) on every model, as on the first one */
        memset(cat, 1, d);
        for (size_t i = 0; b->opt.warp && i < n_models && rc == HPT_OK; i++)
            rc = hpti_gp_set_warp(&b->models[i].gp, cat);
        hpti_free(cat);
        if (rc)
            return rc;
    }
    return HPT_OK;
}

/* The models and the scratch for n_models extra GPs and rows rows. */
static int prepare(hpti_bayes *b, size_t n_models, size_t no, size_t nc, size_t rows)
{
    if (!b->mo) {
        mo_work *w = hpti_calloc(1, sizeof *w);
        if (!w)
            return HPT_E_NOMEM;
        hpti_ehvi_init(&w->ehvi);
        b->mo = w;
    }
    int rc = hpti_bayes_mo_models(b, n_models);
    if (rc)
        return rc;
    mo_work *w = b->mo;
    if (rows > w->cap) {
        size_t cap = rows + rows / 2 + 16;
        double **arr[] = {&w->Y, &w->C, &w->M, &w->front};
        size_t width[] = {no, nc ? nc : 1, no, no};
        for (size_t k = 0; k < 4; k++) {
            double *q = hpti_realloc(*arr[k], cap * width[k] * sizeof *q);
            if (!q)
                return HPT_E_NOMEM;
            *arr[k] = q;
        }
        size_t *f = hpti_realloc(w->feas, cap * sizeof *f);
        if (!f)
            return HPT_E_NOMEM;
        w->feas = f;
        double *k = hpti_realloc(w->key, cap * sizeof *k);
        if (!k)
            return HPT_E_NOMEM;
        w->key = k;
        size_t *ix = hpti_realloc(w->idx, cap * sizeof *ix);
        if (!ix)
            return HPT_E_NOMEM;
        w->idx = ix;
        w->cap = cap;
    }
    return HPT_OK;
}

/* model i: objective i (i < no), then the constraints */
static hpti_gp *model(hpti_bayes *b, size_t i, size_t **n_real, size_t **fit_n)
{
    if (i == 0) {
        *n_real = &b->n_real;
        *fit_n = &b->fit_n;
        return &b->gp;
    }
    hpti_bayes_model *m = &b->models[i - 1];
    *n_real = &m->n_real;
    *fit_n = &m->fit_n;
    return &m->gp;
}

static void set_center(hpti_bayes *b, size_t c, const double *x)
{
    size_t d = b->dim;
    double *ctr = b->centers + c * d;
    for (size_t j = 0; j < d; j++)
        ctr[j] = x[j] < 0.0 ? 0.0 : x[j] > 1.0 ? 1.0 : x[j];
    hpti_space_snap(b->space, ctr, NULL);
}

/* Centers (bayes.h): returns their count. key: scratch; w->idx: the nd
 * non-dominated feasible rows (positions in w->feas), which EHVI's centers
 * reorder. */
static size_t pick_centers(hpti_bayes *b, mo_work *w, size_t no, size_t nc, size_t nrow,
                           size_t nfeas, size_t nd, int mode)
{
    size_t n = 0, cap = w->cap;
    double *key = w->key;
    if (mode == HPTI_ACQ_POF) {
        /* least violating: the largest standardized excess over the bounds */
        for (size_t i = 0; i < nrow; i++) {
            double v = -INFINITY;
            for (size_t j = 0; j < nc; j++) {
                double e = w->C[j * cap + i] - w->acq.bound[no + j];
                v = e > v ? e : v;
            }
            key[i] = v;
        }
        for (; n < N_CENTERS && n < nrow; n++) {
            size_t arg = 0;
            for (size_t i = 1; i < nrow; i++)
                if (key[i] < key[arg])
                    arg = i;
            set_center(b, n, b->X + arg * b->dim);
            key[arg] = INFINITY;
        }
        return n;
    }
    if (mode == HPTI_ACQ_EI) {
        for (size_t f = 0; f < nfeas; f++)
            key[f] = w->M[w->feas[f]];
        for (; n < N_CENTERS && n < nfeas; n++) {
            size_t arg = 0;
            for (size_t f = 1; f < nfeas; f++)
                if (key[f] < key[arg])
                    arg = f;
            set_center(b, n, b->X + w->feas[arg] * b->dim);
            key[arg] = INFINITY;
        }
        return n;
    }
    /* the non-dominated feasible rows (w->front holds their means, in
     * feas order), spread along objective 0 */
    size_t *idx = w->idx;
    /* insertion sort by objective 0 (fronts are small) */
    for (size_t i = 1; i < nd; i++)
        for (size_t j = i; j > 0 && w->front[idx[j - 1] * no] > w->front[idx[j] * no]; j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    size_t k = nd < N_CENTERS ? nd : N_CENTERS;
    for (size_t c = 0; c < k; c++) {
        size_t pos = k > 1 ? c * (nd - 1) / (k - 1) : 0;
        set_center(b, c, b->X + w->feas[idx[pos]] * b->dim);
    }
    return k;
}

/* Past opt.local_above shared rows, every model keeps the same subset of
 * them (bayes_scale.h), so memory and time per proposal stop growing
 * with n as in the single-objective engine and the rows stay shared (the
 * front, the centers and the acquisition index them). Its key, lower =
 * better, must not change for the rows already seen (the subset then only
 * grows at its end between prefix steps): each feasible row's best
 * objective in units of that objective's spread over the first
 * local_above rows (rows good in any objective: the front's ends and its
 * middle), an infeasible row's largest violation in units of that
 * constraint's spread, after every feasible row. The center is the row of
 * lowest key. The rows, targets and feasible list are compacted in place.
 * @return HPT_OK or HPT_E_NOMEM (rows unchanged). */
static int local_subset(hpti_bayes *b, mo_work *w, size_t no, size_t nc, size_t *nrow,
                        size_t *nfeas)
{
    size_t n = *nrow, d = b->dim, cap = w->cap, above = b->opt.local_above;
    if (n <= above)
        return HPT_OK;
    double sd[HPTI_ACQ_MAX_MODELS], mu[HPTI_ACQ_MAX_MODELS];
    for (size_t k = 0; k < no + nc; k++) {
        const double *t = k < no ? w->Y + k * cap : w->C + (k - no) * cap;
        double m = 0.0, v = 0.0;
        for (size_t i = 0; i < above; i++)
            m += t[i];
        m /= (double)above;
        for (size_t i = 0; i < above; i++)
            v += (t[i] - m) * (t[i] - m);
        v = sqrt(v / (double)above);
        mu[k] = m;
        sd[k] = v > 0.0 && isfinite(v) ? v : 1.0;
    }
    for (size_t i = 0; i < n; i++) {
        double best = INFINITY, worst = -INFINITY;
        for (size_t k = 0; k < no; k++) {
            double z = (w->Y[k * cap + i] - mu[k]) / sd[k];
            best = z < best ? z : best;
        }
        for (size_t j = 0; j < nc; j++) {
            double c = w->C[j * cap + i];
            double e = c / sd[no + j];
            if (c > 0.0)
                worst = e > worst ? e : worst;
        }
        /* 1e6: after any feasible row (whose keys are a few spreads) */
        w->key[i] = worst > -INFINITY ? 1e6 + worst : best;
    }
    size_t c = hpti_bayes_local_rows(&b->local, n, d, b->X, w->key, 1, w->key, 1, above,
                                     b->opt.local_rows, w->idx);
    if (c == 0)
        return HPT_E_NOMEM;
    /* idx[i] >= i: compaction in place is safe */
    size_t f = 0;
    for (size_t i = 0; i < c; i++) {
        size_t r = w->idx[i];
        if (r != i) {
            memcpy(b->X + i * d, b->X + r * d, d * sizeof *b->X);
            for (size_t k = 0; k < no; k++)
                w->Y[k * cap + i] = w->Y[k * cap + r];
            for (size_t j = 0; j < nc; j++)
                w->C[j * cap + i] = w->C[j * cap + r];
        }
        int feasible = 1;
        for (size_t j = 0; j < nc; j++)
            feasible = feasible && w->C[j * cap + i] <= 0.0;
        if (feasible)
            w->feas[f++] = i;
    }
    *nrow = c;
    *nfeas = f;
    return HPT_OK;
}

int hpti_bayes_propose_mo(hpti_bayes *b, const hpti_bayes_data *dt, hpti_rng *rng, double *u,
                          char *msg)
{
    size_t no = dt->n_obj ? dt->n_obj : 1, nc = dt->n_con, nm = no + nc, d = b->dim;
    int rc;
    b->last_ei = NAN;
    b->last_filled = 0;
    if (no > HPTI_EHVI_MAX_OBJ || nm > HPTI_ACQ_MAX_MODELS || dt->stride < nm)
        return hpti_fail(msg, HPT_E_INVALID, "bayes: %zu objectives and %zu constraints", no,
                         nc);
    /* one generator per model, drawn in a fixed order (bayes.c: the
     * acquisition's draws never depend on which fits happened) */
    hpti_rng fit_rng[HPTI_ACQ_MAX_MODELS], feas_rng;
    for (size_t i = 0; i < nm; i++)
        hpti_rng_seed(&fit_rng[i], hpti_rng_next(rng), 0);
    hpti_rng_seed(&feas_rng, hpti_rng_next(rng), 0);
    if ((rc = hpti_bayes_reserve(b, dt->n + 1)) != HPT_OK ||
        (rc = prepare(b, nm - 1, no, nc, dt->n + dt->n_pend + 1)) != HPT_OK)
        return hpti_fail(msg, HPT_E_NOMEM, "bayes: out of memory");
    mo_work *w = b->mo;
    size_t cap = w->cap;

    /* gather: rows with every value finite */
    size_t nrow = 0, nfail = 0, nfeas = 0;
    for (size_t i = 0; i < dt->n; i++) {
        const double *v = dt->loss + i * dt->stride;
        if (isnan(v[0])) {
            nfail++;
            continue;
        }
        int ok = 1, feasible = 1;
        for (size_t k = 0; k < nm; k++)
            ok = ok && isfinite(v[k]);
        if (!ok)
            continue;
        for (size_t j = 0; j < nc; j++)
            feasible = feasible && v[no + j] <= 0.0;
        memcpy(b->X + nrow * d, dt->u + i * d, d * sizeof *b->X);
        for (size_t k = 0; k < no; k++)
            w->Y[k * cap + nrow] = v[k];
        for (size_t j = 0; j < nc; j++)
            w->C[j * cap + nrow] = v[no + j];
        if (feasible)
            w->feas[nfeas++] = nrow;
        nrow++;
    }
    if (nrow == 0) {
        hpti_bayes_space_filling(b, dt, rng, u);
        return HPT_OK;
    }
    /* past local_above rows: the local model's shared subset */
    int subset = nrow > b->opt.local_above;
    if ((rc = local_subset(b, w, no, nc, &nrow, &nfeas)) != HPT_OK)
        return hpti_fail(msg, rc, "bayes: out of memory");
    /* a restored state: the factors as the uninterrupted run built them */
    if ((rc = hpti_bayes_rebuild_mo(b, b->X, nrow, dt)) != HPT_OK)
        return hpti_fail(msg, rc, "bayes: out of memory");

    /* the models */
    hpti_acq_mo *am = &w->acq;
    am->n_obj = no;
    am->n_con = nc;
    for (size_t i = 0; i < nm; i++) {
        size_t *n_real, *fit_n;
        hpti_gp *gp = model(b, i, &n_real, &fit_n);
        double *t = i < no ? w->Y + i * cap : w->C + (i - no) * cap;
        if (i < no) {
            memcpy(b->tmp, t, nrow * sizeof *t);
            hpti_bayes_transform(b->tmp, nrow, t, b->lbl);
        } else { /* the bound: where 0 lands */
            double m, sd;
            hpti_standardize(t, nrow, 1, &m, &sd);
            am->bound[i] = -m / sd;
        }
        b->local.subset = subset; /* each model's sync refits a new subset (bayes.c) */
        rc = hpti_bayes_sync(b, gp, n_real, fit_n, b->X, t, t, nrow, &fit_rng[i]);
        if (rc == HPT_E_NUMERIC) {
            *n_real = 0;
            hpti_bayes_space_filling(b, dt, rng, u);
            return HPT_OK;
        }
        if (rc)
            return hpti_fail(msg, rc, "bayes: out of memory");
        am->gp[i] = gp;
        if (i < no)
            hpti_gp_train_mean(gp, w->M + i * cap);
    }
    /* bayes.h step 2's fill: every objective has learned nothing (the
     * transforms are done with b->lbl, the feasibility model not begun) */
    int fill = nc == 0;
    for (size_t i = 0; i < no && fill; i++)
        fill = hpti_bayes_learned_nothing(b, am->gp[i], w->Y + i * cap, nrow);
    if (fill) {
        b->last_filled = 1;
        hpti_bayes_space_filling(b, dt, rng, u);
        return HPT_OK;
    }
    am->fail = NULL;
    /* bayes.h step 4, as in bayes.c (its bounded rows too) */
    if ((rc = hpti_bayes_feasibility(b, dt, nfail, &feas_rng, &am->fail)) != HPT_OK)
        return hpti_fail(msg, rc, "bayes: out of memory");

    /* the acquisition's data: mode, incumbent or front, reference */
    int mode = nfeas == 0 ? HPTI_ACQ_POF : no == 1 ? HPTI_ACQ_EI : HPTI_ACQ_EHVI;
    double ref[HPTI_EHVI_MAX_OBJ];
    size_t nfront = 0;
    am->best = INFINITY;
    for (size_t f = 0; f < nfeas; f++) {
        size_t r = w->feas[f];
        for (size_t k = 0; k < no; k++)
            w->front[nfront * no + k] = w->M[k * cap + r];
        nfront++;
        am->best = w->M[r] < am->best ? w->M[r] : am->best;
    }
    /* reference (bayes.h): per objective, the larger of the front's nadir
     * and the median of every observation, plus a margin of their range;
     * the front's rows (w->idx) serve the centers too */
    size_t nd = 0;
    for (size_t f = 0; f < nfront; f++) {
        int dom = 0;
        for (size_t g = 0; g < nfront && !dom; g++)
            dom = g != f && hpti_dominates(w->front + g * no, w->front + f * no, no);
        if (!dom)
            w->idx[nd++] = f;
    }
    for (size_t k = 0; k < no && nd; k++) {
        double lo = INFINITY, hi = -INFINITY, nad = -INFINITY;
        for (size_t r = 0; r < nrow; r++) {
            double m = w->M[k * cap + r];
            lo = m < lo ? m : lo;
            hi = m > hi ? m : hi;
        }
        for (size_t i = 0; i < nd; i++) {
            double m = w->front[w->idx[i] * no + k];
            nad = m > nad ? m : nad;
        }
        memcpy(b->lbl, w->M + k * cap, nrow * sizeof *b->lbl);
        double med = hpti_select_kth(b->lbl, nrow, nrow / 2);
        ref[k] = (nad > med ? nad : med) + REF_MARGIN * (hi > lo ? hi - lo : 1.0);
    }
    size_t ncent = pick_centers(b, w, no, nc, nrow, nfeas, nd, mode);

    /* fantasies: every running point in every model; one believed feasible
     * joins the front (or may become the incumbent) */
    rc = HPT_OK;
    for (size_t i = 0; i < nm && rc == HPT_OK; i++) { /* kept as in bayes.c (bayes_fant.h) */
        size_t *n_real, *fit_n;
        hpti_gp *gp = model(b, i, &n_real, &fit_n);
        hpti_bayes_fantasies *f = i == 0 ? &b->fant : &b->models[i - 1].fant;
        rc = hpti_bayes_fantasies_add(f, gp, *n_real, gp->n_fit, *fit_n, dt->pend, dt->n_pend,
                                      d);
    }
    for (size_t p = 0; p < dt->n_pend && rc == HPT_OK; p++) {
        int feasible = 1;
        double fy[HPTI_EHVI_MAX_OBJ];
        for (size_t i = 0; i < nm; i++) {
            size_t *n_real, *fit_n;
            model(b, i, &n_real, &fit_n);
            double y = am->gp[i]->y[*n_real + p];
            if (i < no)
                fy[i] = y;
            else
                feasible = feasible && y <= am->bound[i];
        }
        if (rc || !feasible || mode == HPTI_ACQ_POF)
            continue;
        am->best = fy[0] < am->best ? fy[0] : am->best;
        memcpy(w->front + nfront++ * no, fy, no * sizeof *fy);
    }
    am->mode = mode;
    am->ehvi = NULL;
    if (rc == HPT_OK && mode == HPTI_ACQ_EHVI) {
        rc = hpti_ehvi_build(&w->ehvi, w->front, nfront, no, ref);
        am->ehvi = &w->ehvi;
    }

    /* maximize within the cost budget (bayes.h), counted over all models */
    size_t n_out = 0;
    hpti_acq_problem ap = {0};
    if (rc == HPT_OK) {
        size_t ncand, iters;
        hpti_bayes_plan_search(&b->opt, b->gp.n, nm + (am->fail != NULL), &ncand, &iters);
        rc = hpti_acq_mo_reserve(am, ncand + ncand / 2, d);
        ap = (hpti_acq_problem){&b->gp,  NULL,  am->best,  b->centers, ncent, ncand,
                                b->opt.local_starts, iters, dt->fixed, am};
        if (rc == HPT_OK)
            rc = hpti_acq_maximize(&b->acq, &ap, rng, N_OUT, b->out, b->out_s, &n_out);
    }
    /* picked with the fantasies still in the models, as in bayes.c */
    if (rc == HPT_OK)
        rc = hpti_bayes_pick(b, dt, &ap, n_out, rng, u);
    for (size_t i = 0; i < nm; i++) { /* the fantasies go */
        size_t *n_real, *fit_n;
        hpti_gp *gp = model(b, i, &n_real, &fit_n);
        hpti_gp_truncate(gp, *n_real);
    }
    if (rc)
        return hpti_fail(msg, rc, "bayes: out of memory");
    return HPT_OK;
}
