/* fanova.c -- variance-based parameter importance: first-order and total
 * Sobol indices of a GP's posterior mean (fanova.h; contract in hpt.h,
 * hpt_study_importance_sobol).
 *
 * Model. The complete trials of one budget are fitted by the GP of
 * strategy "bayes" (gp.h: Matern-5/2 ARD kernel, categoricals by a 0/1
 * distance, MAP hyperparameters), on standardized losses without the
 * output warp: the decomposition is meant to be of the objective's own
 * variance, not of a log of it. The GP is fitted here whatever the
 * strategy, so every strategy gets the same figures.
 *
 * Integration. f = posterior mean, over the space's uniform measure on
 * the unit cube (log-uniform for log scales, each value of an integer and
 * each choice of a categorical equally likely: points are snapped to the
 * cell of the configuration they decode to). Two N x d matrices A, B come
 * from the two halves of one 2d-dimensional Sobol sequence (GSL, Antonov-
 * Saleev) with a seeded Cranley-Patterson shift; AB_i is A with column i
 * taken from B. With f centred on the mean of f(A) and f(B), and V their
 * variance:
 *   first-order  S_i  = mean_k f(B)_k (f(AB_i)_k - f(A)_k) / V
 *                (Saltelli et al. 2010, "Variance based sensitivity
 *                analysis of model output", Comput. Phys. Commun. 181,
 *                Table 2 (b));
 *   total        ST_i = mean_k (f(A)_k - f(AB_i)_k)^2 / (2 V)
 *                (Jansen 1999; the same paper, Table 2 (f)).
 * N (d + 2) evaluations of the mean, each O(n d). Estimates are clamped to
 * [0, 1]: the first-order estimator can come out slightly negative for an
 * irrelevant parameter. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fanova.h"
#include "gp.h"
#include "qrng.h"
#include "rng.h"
#include "study.h"

#define FIT_MAX 300      /* rows for the hyperparameter fit, as "bayes.fit_max_points" */
#define FIT_RESTARTS 2
#define FIT_ITER 60
/* A generator stream of its own (study.h lists the others), so that the
 * figures do not depend on how far the strategy's streams have advanced. */
#define STREAM_FANOVA 4

typedef struct {
    hpti_gp gp;
    int have_gp;
    unsigned char *cat;
    double *y, *fX, *fy;   /* standardized losses; fit subset */
    double *A, *B, *row;   /* N x d each; d */
    double *fA, *fB;       /* N each */
    hpti_qrng q;           /* points of 2 d coordinates: a row of A, then of B */
    double *pt;            /* 2 d */
} work;

static void work_free(work *w)
{
    if (w->have_gp)
        hpti_gp_free(&w->gp);
    hpti_free(w->cat);
    hpti_free(w->y);
    hpti_free(w->fX);
    hpti_free(w->fy);
    hpti_free(w->A);
    hpti_free(w->B);
    hpti_free(w->row);
    hpti_free(w->fA);
    hpti_free(w->fB);
    hpti_qrng_free(&w->q);
    hpti_free(w->pt);
}

static size_t sample_count(size_t n, size_t d)
{
    double per = (double)(d + 2) * (double)n;
    size_t m = HPTI_FANOVA_SAMPLES;
    while (m > HPTI_FANOVA_MIN_SAMPLES && (double)m * per > HPTI_FANOVA_WORK)
        m /= 2;
    return m;
}

/* Fit and factor the model; w->gp is the posterior afterwards. */
static int fit(work *w, const hpt_space *sp, const double *U, const double *loss, size_t n,
               hpti_rng *rng, char *msg)
{
    size_t d = sp->n;
    double m = 0, v = 0;
    for (size_t i = 0; i < n; i++)
        m += loss[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        v += (loss[i] - m) * (loss[i] - m);
    double sd = sqrt(v / (double)n);
    if (!(sd > 1e-12 * (fabs(m) > 1 ? fabs(m) : 1)) || !isfinite(sd))
        return hpti_fail(msg, HPT_E_NUMERIC,
                         "the %zu values are all equal: no parameter explains variance", n);
    for (size_t i = 0; i < n; i++)
        w->y[i] = (loss[i] - m) / sd;
    for (size_t j = 0; j < d; j++)
        w->cat[j] = sp->p[j].type == HPT_PARAM_CATEGORICAL;
    if (hpti_gp_init(&w->gp, d, w->cat) != HPT_OK)
        return hpti_fail(msg, HPT_E_NOMEM, "out of memory");
    w->have_gp = 1;
    /* hyperparameters from an evenly spread subset: the fit is O(rows^3)
     * per likelihood evaluation, the final factor only once */
    size_t k = n < FIT_MAX ? n : FIT_MAX;
    for (size_t r = 0; r < k; r++) {
        size_t i = r * n / k;
        memcpy(w->fX + r * d, U + i * d, d * sizeof *U);
        w->fy[r] = w->y[i];
    }
    if (hpti_gp_fit(&w->gp, w->fX, w->fy, k, rng, FIT_RESTARTS, FIT_ITER) != HPT_OK)
        return hpti_fail(msg, HPT_E_NOMEM, "out of memory");
    int rc = hpti_gp_factor(&w->gp, U, n);
    if (rc == HPT_E_NUMERIC) { /* as bayes: retry once from the prior medians */
        hpti_gp_default_theta(&w->gp, w->gp.ft);
        hpti_gp_set_theta(&w->gp, w->gp.ft);
        rc = hpti_gp_factor(&w->gp, U, n);
    }
    if (rc == HPT_E_NOMEM)
        return hpti_fail(msg, rc, "out of memory");
    if (rc != HPT_OK)
        return hpti_fail(msg, rc, "the model's covariance matrix could not be factored");
    hpti_gp_set_targets(&w->gp, w->y);
    hpti_gp_finalize(&w->gp);
    return HPT_OK;
}

/* Rows of A and B: the first and second half of each shifted quasi-random
 * point (qrng.h), snapped to the configuration they decode to. */
static void design(work *w, const hpt_space *sp, size_t N, hpti_rng *rng)
{
    size_t d = sp->n;
    hpti_qrng_restart(&w->q, w->q.qdim, rng);
    for (size_t k = 0; k < N; k++) {
        hpti_qrng_next(&w->q, rng, w->pt);
        memcpy(w->A + k * d, w->pt, d * sizeof *w->pt);
        memcpy(w->B + k * d, w->pt + d, d * sizeof *w->pt);
        hpti_space_snap(sp, w->A + k * d, NULL);
        hpti_space_snap(sp, w->B + k * d, NULL);
    }
}

static double clamp01(double x) { return x < 0 ? 0 : x > 1 ? 1 : x; }

int hpti_fanova(const hpt_space *sp, const double *U, const double *loss, size_t n,
                uint64_t seed, double *first, double *total, char *msg)
{
    size_t d = sp->n, N = sample_count(n, d);
    work w;
    memset(&w, 0, sizeof w);
    int rc = HPT_OK;
    if (d == 0 || n < 2) {
        rc = hpti_fail(msg, HPT_E_STATE, "needs parameters and at least 2 trials");
        goto out;
    }
    w.cat = hpti_malloc(d);
    w.y = hpti_malloc(n * sizeof *w.y);
    size_t k = n < FIT_MAX ? n : FIT_MAX;
    w.fX = hpti_malloc(k * d * sizeof *w.fX);
    w.fy = hpti_malloc(k * sizeof *w.fy);
    w.A = hpti_malloc(N * d * sizeof *w.A);
    w.B = hpti_malloc(N * d * sizeof *w.B);
    w.row = hpti_malloc(d * sizeof *w.row);
    w.fA = hpti_malloc(N * sizeof *w.fA);
    w.fB = hpti_malloc(N * sizeof *w.fB);
    w.pt = hpti_malloc(2 * d * sizeof *w.pt);
    if (hpti_qrng_init(&w.q, 2 * d) || !w.cat || !w.y || !w.fX || !w.fy || !w.A || !w.B ||
        !w.row || !w.fA || !w.fB || !w.pt) {
        rc = hpti_fail(msg, HPT_E_NOMEM, "out of memory");
        goto out;
    }
    hpti_rng rng;
    hpti_rng_seed(&rng, seed, STREAM_FANOVA);
    if ((rc = fit(&w, sp, U, loss, n, &rng, msg)) != HPT_OK)
        goto out;
    design(&w, sp, N, &rng);
    double f0 = 0, V = 0;
    for (size_t r = 0; r < N; r++) {
        w.fA[r] = hpti_gp_mean_at(&w.gp, w.A + r * d, NULL);
        w.fB[r] = hpti_gp_mean_at(&w.gp, w.B + r * d, NULL);
        f0 += w.fA[r] + w.fB[r];
    }
    f0 /= (double)(2 * N);
    for (size_t r = 0; r < N; r++) {
        w.fA[r] -= f0;
        w.fB[r] -= f0;
        V += w.fA[r] * w.fA[r] + w.fB[r] * w.fB[r];
    }
    V /= (double)(2 * N);
    if (!(V > 1e-12) || !isfinite(V)) { /* standardized targets: V is O(1) unless flat */
        rc = hpti_fail(msg, HPT_E_NUMERIC,
                       "the fitted model is flat: no parameter explains variance");
        goto out;
    }
    for (size_t i = 0; i < d; i++) {
        double s1 = 0, st = 0;
        for (size_t r = 0; r < N; r++) {
            memcpy(w.row, w.A + r * d, d * sizeof *w.row);
            w.row[i] = w.B[r * d + i];
            double fab = hpti_gp_mean_at(&w.gp, w.row, NULL) - f0;
            s1 += w.fB[r] * (fab - w.fA[r]);
            st += (w.fA[r] - fab) * (w.fA[r] - fab);
        }
        if (first)
            first[i] = clamp01(s1 / (double)N / V);
        if (total)
            total[i] = clamp01(st / (double)(2 * N) / V);
    }
out:
    work_free(&w);
    return rc;
}

/* ---- the study's entry point ---------------------------------------------------- */

static void lock(const hpt_study *s) { pthread_mutex_lock(&((hpt_study *)s)->lock); }
static void unlock(const hpt_study *s) { pthread_mutex_unlock(&((hpt_study *)s)->lock); }

/* Complete trials needed at one budget: enough rows to pin down one
 * lengthscale per parameter plus the signal, noise and mean. */
static size_t min_trials(size_t d) { return 2 * d + 2 > 8 ? 2 * d + 2 : 8; }

/* The largest budget with at least min_trials complete trials (values at
 * different budgets do not compare); 0 found when there is none. */
static int pick_budget(const hpt_study *s, double *budget, size_t *count)
{
    double best = -INFINITY;
    size_t best_n = 0;
    for (size_t k = 0; k < s->n_trials; k++) {
        const hpti_trial *t = &s->trials[k];
        if (t->state != HPT_TRIAL_COMPLETE || !(t->budget > best))
            continue;
        size_t c = 0;
        for (size_t j = 0; j < s->n_trials; j++)
            c += s->trials[j].state == HPT_TRIAL_COMPLETE && s->trials[j].budget == t->budget;
        if (c >= min_trials(s->dim)) {
            best = t->budget;
            best_n = c;
        }
    }
    *budget = best;
    *count = best_n;
    return best_n > 0;
}

/* The indices of value column col of the history (history.h: objective
 * col as a loss, or a constraint). */
static int sobol_of(const hpt_study *s, const char *fn, size_t col, double *first,
                    double *total, size_t n)
{
    hpti_clear_error();
    if (!s || (!first && !total))
        return hpti_study_fail(s, HPT_E_INVALID, "%s: NULL argument", fn);
    hpt_study *w = (hpt_study *)s;
    lock(s);
    size_t d = s->dim, m = 0, nv = s->hist.n_values;
    double budget;
    if (n != d || col >= nv) {
        int rc = n != d ? hpti_fail(w->errmsg, HPT_E_INVALID, "%s: n is %zu, the space has %zu",
                                    fn, n, d)
                        : hpti_fail(w->errmsg, HPT_E_INVALID,
                                    "%s: k is %zu, the study has %zu objectives and %zu "
                                    "constraints",
                                    fn, col, s->hist.n_obj, s->hist.n_con);
        unlock(s);
        return rc;
    }
    if (!pick_budget(s, &budget, &m)) {
        size_t c = (size_t)s->n_complete;
        int rc = hpti_fail(w->errmsg, HPT_E_STATE,
                           "%s: needs at least %zu complete trials of one budget "
                           "(%zu complete so far)", fn, min_trials(d), c);
        unlock(s);
        return rc;
    }
    /* Copy the data and let the study go: the fit takes up to seconds and
     * the job's workers must not wait for it. The space never changes
     * after creation, so it is read without the lock. */
    double *U = hpti_malloc(m * d * sizeof *U), *loss = hpti_malloc(m * sizeof *loss);
    if (!U || !loss) {
        hpti_free(U);
        hpti_free(loss);
        int rc = hpti_fail(w->errmsg, HPT_E_NOMEM, "%s: out of memory", fn);
        unlock(s);
        return rc;
    }
    size_t r = 0;
    for (size_t k = 0; k < s->n_trials && r < m; k++) {
        const hpti_trial *t = &s->trials[k];
        if (t->state == HPT_TRIAL_COMPLETE && t->budget == budget) {
            memcpy(U + r * d, hpti_history_u(&s->hist, (int64_t)k), d * sizeof *U);
            loss[r++] = s->hist.value[k * nv + col];
        }
    }
    uint64_t seed = s->seed;
    const hpt_space *sp = s->space;
    unlock(s);
    char msg[HPTI_MSG];
    int rc = hpti_fanova(sp, U, loss, m, seed, first, total, msg);
    hpti_free(U);
    hpti_free(loss);
    if (rc != HPT_OK) {
        lock(s);
        rc = hpti_fail(w->errmsg, rc, "%s: %s", fn, msg);
        unlock(s);
    }
    return rc;
}

int hpt_study_importance_sobol(const hpt_study *s, double *first, double *total, size_t n)
{
    return sobol_of(s, "hpt_study_importance_sobol", 0, first, total, n);
}

int hpt_study_importance_sobol_of(const hpt_study *s, size_t k, double *first,
                                  double *total, size_t n)
{
    return sobol_of(s, "hpt_study_importance_sobol_of", k, first, total, n);
}

/* Total indices normalized to sum 1. */
static int normalized(hpt_study *s, const char *fn, size_t k, double *out, size_t n)
{
    hpti_clear_error();
    if (!s || !out)
        return hpti_study_fail(s, HPT_E_INVALID, "%s: NULL argument", fn);
    int rc = sobol_of(s, k ? "hpt_study_importance_sobol_of" : "hpt_study_importance_sobol",
                      k, NULL, out, n);
    if (rc) {
        char why[HPTI_MSG];
        snprintf(why, sizeof why, "%s", hpt_last_errmsg());
        return hpti_study_fail(s, rc, "%s: %s", fn, why);
    }
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += out[i] > 0 ? out[i] : 0;
    if (!(sum > 0))
        return hpti_study_fail(s, HPT_E_NUMERIC, "%s: the model explains no variance", fn);
    for (size_t i = 0; i < n; i++)
        out[i] = (out[i] > 0 ? out[i] : 0) / sum;
    return HPT_OK;
}

int hpt_study_importance(hpt_study *s, double *out, size_t n)
{
    return normalized(s, "hpt_study_importance", 0, out, n);
}

int hpt_study_importance_of(hpt_study *s, size_t k, double *out, size_t n)
{
    return normalized(s, "hpt_study_importance_of", k, out, n);
}
