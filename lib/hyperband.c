/* hyperband.c -- strategy "hyperband": Hyperband (Li, Jamieson, DeSalvo,
 * Rostamizadeh & Talwalkar, JMLR 18(185), 2018, Algorithm 1) and its
 * asynchronous form ASHA (Li, Jamieson, Rostamizadeh et al., "A System for
 * Massively Parallel Hyperparameter Tuning", MLSys 2020, Algorithm 2).
 *
 * With R = hyperband.max_resource, r_min = hyperband.min_resource and
 * eta = hyperband.eta, s_max = floor(log_eta(R / r_min)). Bracket s
 * (s = s_max .. 0) starts n = ceil((s_max + 1) / (s + 1) * eta^s)
 * configurations at budget r = R eta^-s; its rung k (0..s) runs
 * n_k = floor(n eta^-k) trials at budget r_k = R eta^(k-s), the n_k best
 * complete trials of rung k-1 (JMLR 2018, Algorithm 1 and Table 1).
 *
 * A promotion is a new trial with parent = the trial it continues and the
 * parent's configuration; its budget is the total the configuration should
 * have trained for, so a host that kept the parent's checkpoint trains
 * budget(child) - budget(parent) more.
 *
 * Synchronous mode (hyperband.async = 0): the paper's schedule. Brackets run
 * one after another; the trials of a rung are promoted only once every
 * trial of that rung has finished; until then ask gets HPT_WAIT. After the
 * last bracket a new Hyperband iteration starts (hyperband.iterations limits
 * them).
 *
 * Asynchronous mode (default): ASHA. At each ask, look for a complete trial
 * in the top floor(m / eta) of the m complete trials of its rung that was not
 * promoted yet, from the highest rung down; promote the first found, else
 * start a new configuration. Never HPT_WAIT. With several brackets
 * (hyperband.brackets), each runs its own ASHA and new configurations go to
 * the bracket that is furthest behind its share n(s) of Hyperband's
 * configurations (the "asynchronous Hyperband" of MLSys 2020, section 3.3,
 * with Hyperband's proportions).
 *
 * Ranking: by loss, ties to the lower trial id. With several objectives
 * or constraints, by the order of mo_order.h: feasible trials by
 * non-dominated rank, within a rank by hypervolume contribution (largest
 * first), then infeasible ones by total violation. Only complete trials
 * are ranked or promoted; failed and pruned ones never are.
 *
 * A promotion that fails (tell_failed) cost a worker, not the configuration:
 * its parent goes back to the candidates of its rung and the failed trial
 * leaves the rung it was to fill, so the next asks may promote the parent
 * again (HB_MAX_RETURNS times per parent; after that it stays promoted, so
 * a configuration that breaks every time cannot take every ask).
 *
 * New configurations come from a sampler (hyperband.sampler), a row of
 * samplers[] below: "bayes" (default: a GP / log-EI model fitted on the
 * largest budget with enough complete trials, BOHB-like; see bayes_sample),
 * "random" (uniform) or "sobol" (the shifted Sobol points of strategy
 * "sobol"). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bayes.h"
#include "mo_order.h"
#include "qrng.h"
#include "strategy.h"

#define HB_MAX_S 40          /* brackets s = 0..40 */
#define HB_MAX_RATIO 1e12    /* max_resource / min_resource */
#define HB_MAX_RESOURCE 1e15
#define HB_MAX_ETA 1e6
/* Relative slack for floor/ceil of products of powers of eta: log_3(81) is
 * 4 - 4e-16 in doubles, and must give 4. */
#define HB_TOL 1e-9
#define HB_MAX_RETURNS 2     /* failed promotions that give a parent back */

struct hyperband_state;

/* A source of new configurations. start runs at the study's first ask
 * (options final), last in hb_start, and may be NULL; sample writes dim
 * coordinates in [0, 1] (it may read the history); free
 * (may be NULL) releases what start made. The strategy's free calls every
 * sampler's free, so each must do nothing when its start never ran. */
typedef struct {
    const char *name;
    int (*start)(struct hyperband_state *st, const hpti_env *env, char *msg);
    int (*sample)(struct hyperband_state *st, const hpti_env *env, double *u, char *msg);
    void (*free)(struct hyperband_state *st);
} hb_sampler;

typedef struct {
    int64_t *id; /* owned: trials run at this rung, in ask order */
    size_t n, cap;
} hb_rung;

typedef struct {
    int s;            /* s + 1 rungs */
    uint64_t n0;      /* n of the paper: configurations started per run */
    uint64_t started; /* configurations started here (async shares) */
    hb_rung *rung;    /* owned, s + 1 */
} hb_bracket;

typedef struct hyperband_state {
    /* options */
    double r_min, r_max, eta;
    int async;
    double brackets;   /* 0 = all (sync) or 1 (async) */
    double iterations; /* sync: stop after this many; 0 = never */
    int sampler_choice; /* option: index in samplers[] */
    const hb_sampler *sampler; /* samplers[sampler_choice], from start on */

    /* fixed at start */
    int s_max;
    size_t nb;
    hb_bracket *br;    /* owned, nb; br[b].s = s_max - b */

    /* synchronous position */
    size_t cur;        /* bracket being run */
    int rung;          /* its rung being filled */
    uint64_t iter;     /* finished iterations */

    /* promoted[id] & 1: trial id is continued by a promotion now;
     * promoted[id] >> 1: its promotions that failed and gave it back */
    unsigned char *promoted;
    size_t n_flags, cap_flags;

    /* several objectives: a rung's complete trials and their positions,
     * and mo_order's scratch, kept from ask to ask */
    int64_t *mo_id;
    size_t *mo_pos, cap_mo_id, cap_mo_pos;
    hpti_mo_ws mo;

    hpti_rng rng;      /* every random draw of the strategy */
    /* sampler "sobol" */
    hpti_qrng q;
    /* sampler "bayes" */
    double random_fraction; /* option: share of new configurations drawn uniformly */
    void *model;            /* owned hb_model, made by bayes_start */
    const double *fixed;    /* the current propose's out->fixed (partial fixing) */
} hyperband_state;

/* ---- samplers ------------------------------------------------------------ */

static int random_sample(hyperband_state *st, const hpti_env *env, double *u, char *msg)
{
    HPTI_UNUSED(msg);
    for (size_t i = 0; i < env->dim; i++)
        u[i] = hpti_rng_uniform(&st->rng);
    return HPT_OK;
}

/* As strategy "sobol" (sobol.c): shifted Sobol points (qrng.h), the
 * shift and the coordinates past GSL's table drawn from the strategy's
 * generator. */
static int sobol_start(hyperband_state *st, const hpti_env *env, char *msg)
{
    if (st->q.q)
        return HPT_OK; /* a start retried after a failure elsewhere */
    if (hpti_qrng_init(&st->q, env->dim))
        return hpti_fail(msg, HPT_E_NOMEM, "hyperband: out of memory");
    hpti_qrng_restart(&st->q, st->q.qdim, &st->rng);
    return HPT_OK;
}

static int sobol_sample(hyperband_state *st, const hpti_env *env, double *u, char *msg)
{
    HPTI_UNUSED(env);
    HPTI_UNUSED(msg);
    hpti_qrng_next(&st->q, &st->rng, u);
    return HPT_OK;
}

static void sobol_free(hyperband_state *st) { hpti_qrng_free(&st->q); }

/* Sampler "bayes": model-guided Hyperband, in the spirit of BOHB (Falkner,
 * Klein & Hutter, ICML 2018, section 4) with the GP / log-EI engine of
 * bayes.h in place of BOHB's kernel density estimates.
 *
 * Each new configuration: with probability random_fraction (default 1/3,
 * BOHB's rho) a uniform draw, so the model cannot lock in on a wrong
 * region; otherwise the engine's proposal from a GP for the losses at the
 * largest budget b (of the rung budgets R eta^-j) that has at least
 * 4 (dim + 1) complete trials. Until some budget has that many, uniform
 * draws (the points of sampler "random" for the same seed).
 *
 * Threshold: BOHB fits its two densities once a budget has d + 1 points
 * each; a GP fits d + 2 hyperparameters and needs several points per
 * lengthscale before its EI means more than "far from the data". On the
 * digits task (bench/hyperband_figures.sh, R = 27, seeds 0-4) max(d + 2,
 * 5) reached random search's best in a median 551 epochs, 4 (d + 1) in
 * 205 (random Hyperband: 547).
 *
 * Rows: one per configuration whose first trial finished, by trial id (so
 * that the rows are a function of the finished set; the engine extends its
 * factor from the first new row instead of refitting). Its value: the loss at b if it has a
 * complete trial at b; else at the smallest larger budget (a
 * configuration started above b, synchronous mode); else its loss at the
 * largest budget it completed below b (with several objectives or
 * constraints: every value of that trial, and the engine models each,
 * bayes.h). That last value is a pessimistic
 * stand-in (a loss that falls with the budget is higher at fewer epochs),
 * and it is what lets a GP work here: the trials at b are the few that
 * were promoted, clustered in the good region, and a GP on them alone
 * (BOHB's rule) sees the rest of the box as unknown and spends its EI on
 * the box's edges (measured on the 2-D test of test_hyperband.c), while
 * the stopped configurations tell it that those regions were tried and
 * were worse. A configuration with a failed trial is a failed row (NaN:
 * the engine's feasibility model; a training that diverged after a few
 * epochs diverges on more). Configurations whose first trial runs are
 * pending points (kriging believer), so parallel workers get distinct
 * proposals; pruned first trials (a pruner used with Hyperband) and
 * warm-start points (no budget) are not used. The incumbent of log EI is
 * the lowest posterior mean at a row, in practice one at b.
 *
 * A proposal equal to an earlier configuration (one with a pruned first
 * trial) makes it pending and the engine is asked again, up to 8 times,
 * then a uniform draw. The model's random choices come from (seed, trial
 * index) on the model stream. Cost: one engine proposal, i.e. a GP append
 * per new row and a hyperparameter refit when the rows grew by 10%
 * (bayes.h); milliseconds for hundreds of configurations. */
#define HB_RANDOM_FRACTION (1.0 / 3.0)
#define HB_MODEL_RETRIES 8  /* proposals that repeat a configuration, per sample */

typedef struct {
    hpti_bayes eng;
    int64_t *rows;          /* configurations (first trial ids), by id */
    size_t n_rows, cap_rows;
    unsigned char *at;      /* per configuration: some trial of it failed */
    double *vb, *cv;        /* per configuration: budget and values (n_values) of its row */
    size_t cap_at, cap_vb, cap_cv;
    double *du, *dl, *dp;   /* engine input: rows, value rows, pending points */
    size_t cap_u, cap_l, cap_p;
} hb_model;

static int bayes_start(hyperband_state *st, const hpti_env *env, char *msg)
{
    if (st->model)
        return HPT_OK; /* a start retried after a failure elsewhere */
    hb_model *m = hpti_calloc(1, sizeof *m);
    if (!m)
        return hpti_fail(msg, HPT_E_NOMEM, "hyperband: out of memory");
    hpti_bayes_opts o;
    hpti_bayes_defaults(&o);
    if (hpti_bayes_init(&m->eng, env->space, &o)) {
        hpti_free(m);
        return hpti_fail(msg, HPT_E_NOMEM, "hyperband: out of memory");
    }
    st->model = m;
    return HPT_OK;
}

static void bayes_free(hyperband_state *st)
{
    hb_model *m = st->model;
    if (!m)
        return;
    hpti_bayes_free(&m->eng);
    hpti_free(m->rows);
    hpti_free(m->at);
    hpti_free(m->vb);
    hpti_free(m->cv);
    hpti_free(m->du);
    hpti_free(m->dl);
    hpti_free(m->dp);
    hpti_free(m);
    st->model = NULL;
}

/* Minimum complete trials at a budget before the model is fitted on it. */
static size_t model_threshold(size_t dim)
{
    return 4 * (dim + 1);
}

/* The largest rung budget with model_threshold complete trials, or 0. */
static double model_budget(const hyperband_state *st, const hpti_env *env)
{
    const hpti_history *h = env->hist;
    size_t need = model_threshold(env->dim);
    for (int j = 0; j <= st->s_max; j++) {
        double b = st->r_max / pow(st->eta, j); /* as rung_budget computes it */
        size_t c = 0;
        for (size_t i = 0; i < h->n_trials && c < need; i++)
            c += h->state[i] == HPT_TRIAL_COMPLETE && h->budget[i] == b;
        if (c >= need)
            return b;
    }
    return 0;
}

/* The configurations whose first trial finished (not pruned), by id: a
 * function of the finished set, whatever the order of the tells. */
static void list_rows(hb_model *m, const hpti_history *h)
{
    m->n_rows = 0;
    for (size_t i = 0; i < h->n_trials; i++)
        if (h->parent[i] < 0 && h->state[i] != HPT_TRIAL_RUNNING &&
            h->state[i] != HPT_TRIAL_PRUNED)
            m->rows[m->n_rows++] = (int64_t)i;
}

static int bayes_sample(hyperband_state *st, const hpti_env *env, double *u, char *msg)
{
    hb_model *m = st->model;
    const hpti_history *h = env->hist;
    size_t d = env->dim, n = h->n_trials, nv = h->n_values;
    double b = model_budget(st, env);
    if (b == 0)
        return random_sample(st, env, u, msg);
    if (hpti_rng_uniform(&st->rng) < st->random_fraction)
        return random_sample(st, env, u, msg);

    if (hpti_grow((void **)&m->rows, &m->cap_rows, n, sizeof *m->rows) ||
        hpti_grow((void **)&m->at, &m->cap_at, n, 1) ||
        hpti_grow((void **)&m->vb, &m->cap_vb, n, sizeof *m->vb) ||
        hpti_grow((void **)&m->cv, &m->cap_cv, n * nv, sizeof *m->cv) ||
        hpti_grow((void **)&m->du, &m->cap_u, n * d, sizeof *m->du) ||
        hpti_grow((void **)&m->dl, &m->cap_l, n * nv, sizeof *m->dl) ||
        hpti_grow((void **)&m->dp, &m->cap_p, (n + HB_MODEL_RETRIES + 1) * d, sizeof *m->dp))
        return hpti_fail(msg, HPT_E_NOMEM, "hyperband: out of memory");
    /* One row per configuration (indexed by its first trial) once that
     * trial finished, by id, so the engine extends its factor from the
     * first new row. Its
     * value (vb = the budget it comes from, 0 = none yet; at = failed)
     * follows the rules at the top of this section. */
    list_rows(m, h);
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t parent = h->parent[i];
        int32_t state = h->state[i];
        int64_t r = h->root[i];
        if (parent < 0) {
            m->at[i] = 0;
            m->vb[i] = 0;
            if (state == HPT_TRIAL_RUNNING)
                memcpy(m->dp + (np++) * d, hpti_history_u(h, (int64_t)i), d * sizeof *m->dp);
        }
        if (state == HPT_TRIAL_FAILED)
            m->at[r] = 1;
        if (state != HPT_TRIAL_COMPLETE)
            continue;
        double old = m->vb[r], nb = h->budget[i];
        int take = old == 0 || nb == b ||
                   (old != b && (nb > b ? old < b || nb < old : old < b && nb > old));
        if (take) {
            m->vb[r] = nb;
            /* every value of the row: objectives and constraints */
            memcpy(m->cv + r * nv, h->value + i * nv, nv * sizeof *m->cv);
        }
    }
    for (size_t k = 0; k < m->n_rows; k++)
        memcpy(m->du + k * d, hpti_history_u(h, m->rows[k]), d * sizeof *m->du);
    for (size_t k = 0; k < m->n_rows; k++) {
        int64_t r = m->rows[k];
        for (size_t c = 0; c < nv; c++)
            m->dl[k * nv + c] = m->at[r] || m->vb[r] == 0 ? NAN : m->cv[r * nv + c];
    }
    hpti_rng rng;
    hpti_rng_seed(&rng, env->seed ^ (0xd1b54a32d192ed03ULL * (uint64_t)(n + 1)),
                  HPTI_STREAM_MODEL);
    hpti_bayes_data dt = {m->du, m->dl, nv, m->n_rows, m->dp, np, h->n_obj, h->n_con, st->fixed};
    /* The engine avoids the points it was given. A proposal equal to an
     * earlier configuration outside them (the model's favourite, stopped
     * below b long ago) becomes one more pending point and the engine is
     * asked again, HB_MODEL_RETRIES times; then a uniform draw. */
    for (int t = 0; t <= HB_MODEL_RETRIES; t++) {
        int rc = hpti_bayes_propose(&m->eng, &dt, &rng, u, msg);
        if (rc)
            return rc;
        size_t dup = SIZE_MAX;
        for (size_t i = 0; i < n && dup == SIZE_MAX; i++)
            if (h->parent[i] < 0 && memcmp(hpti_history_u(h, (int64_t)i), u, d * sizeof *u) == 0)
                dup = i;
        if (dup == SIZE_MAX)
            return HPT_OK;
        memcpy(m->dp + (dt.n_pend++) * d, hpti_history_u(h, (int64_t)dup), d * sizeof *m->dp);
    }
    return random_sample(st, env, u, msg);
}

/* hyperband.sampler values; DEFAULT_SAMPLER is the default. */
static const hb_sampler samplers[] = {
    {"random", NULL, random_sample, NULL},
    {"sobol", sobol_start, sobol_sample, sobol_free},
    {"bayes", bayes_start, bayes_sample, bayes_free},
};
#define DEFAULT_SAMPLER 2

/* ---- options ------------------------------------------------------------ */

static const char *sampler_name(size_t i)
{
    return i < sizeof samplers / sizeof samplers[0] ? samplers[i].name : NULL;
}

#define IN_HB(field) offsetof(hyperband_state, field)

static const hpti_option hb_options[] = {
    {"hyperband.min_resource", HPT_OPTION_REAL, HPTI_STORE_DOUBLE, IN_HB(r_min), 1, 0,
     HB_MAX_RESOURCE, HPTI_OPT_ABOVE_LO, NULL, NULL},
    {"hyperband.max_resource", HPT_OPTION_REAL, HPTI_STORE_DOUBLE, IN_HB(r_max), 81, 0,
     HB_MAX_RESOURCE, HPTI_OPT_ABOVE_LO, NULL, NULL},
    {"hyperband.eta", HPT_OPTION_REAL, HPTI_STORE_DOUBLE, IN_HB(eta), 3, 1, HB_MAX_ETA,
     HPTI_OPT_ABOVE_LO, NULL, NULL},
    {"hyperband.async", HPT_OPTION_BOOL, HPTI_STORE_INT, IN_HB(async), 1, 0, 1, 0, NULL, NULL},
    {"hyperband.brackets", HPT_OPTION_INT, HPTI_STORE_DOUBLE, IN_HB(brackets), 0, 0, HB_MAX_S + 1,
     0, NULL, NULL},
    {"hyperband.iterations", HPT_OPTION_INT, HPTI_STORE_DOUBLE, IN_HB(iterations), 0, 0,
     HPTI_MAX_INT53, 0, NULL, NULL},
    {"hyperband.sampler", HPT_OPTION_STRING, 0, IN_HB(sampler_choice), DEFAULT_SAMPLER, 0, 0, 0,
     sampler_name, NULL},
    {"hyperband.random_fraction", HPT_OPTION_REAL, HPTI_STORE_DOUBLE, IN_HB(random_fraction),
     HB_RANDOM_FRACTION, 0, 1, 0, NULL, NULL},
};

static int hb_init(void *state, const hpti_env *env, char *msg)
{
    HPTI_UNUSED(msg);
    hyperband_state *st = state;
    hpti_rng_seed(&st->rng, env->seed, HPTI_STREAM_STRATEGY);
    return HPT_OK;
}

/* ---- the bracket table (JMLR 2018, Algorithm 1) ---------------------------- */

/* n of bracket s: ceil((s_max + 1) / (s + 1) * eta^s). */
static uint64_t bracket_n(const hyperband_state *st, int s)
{
    double x = (st->s_max + 1.0) / (s + 1.0) * pow(st->eta, s);
    return (uint64_t)ceil(x * (1 - HB_TOL));
}

/* n_k = floor(n eta^-k): trials at rung k of bracket b. */
static uint64_t rung_n(const hyperband_state *st, const hb_bracket *b, int k)
{
    double x = (double)b->n0 / pow(st->eta, k);
    return (uint64_t)floor(x * (1 + HB_TOL));
}

/* r_k = R eta^(k-s): budget at rung k of bracket b (exactly R at k = s). */
static double rung_budget(const hyperband_state *st, const hb_bracket *b, int k)
{
    return st->r_max / pow(st->eta, b->s - k);
}

static void free_brackets(hyperband_state *st)
{
    for (size_t b = 0; st->br && b < st->nb; b++) {
        for (int k = 0; st->br[b].rung && k <= st->br[b].s; k++)
            hpti_free(st->br[b].rung[k].id);
        hpti_free(st->br[b].rung);
    }
    hpti_free(st->br);
    st->br = NULL;
    st->nb = 0;
}

static int hb_start(void *state, const hpti_env *env, char *msg)
{
    hyperband_state *st = state;
    free_brackets(st); /* a start that failed before may be retried */
    if (st->r_max < st->r_min)
        return hpti_fail(msg, HPT_E_INVALID,
                         "hyperband: max_resource (%g) is below min_resource (%g)", st->r_max,
                         st->r_min);
    if (st->r_max / st->r_min > HB_MAX_RATIO)
        return hpti_fail(msg, HPT_E_INVALID,
                         "hyperband: max_resource / min_resource must be at most 1e12");
    if (st->async && st->iterations > 0)
        return hpti_fail(msg, HPT_E_INVALID,
                         "hyperband: iterations only applies to the synchronous mode "
                         "(async = 0); use max_trials or max_resource_total");
    /* s_max = floor(log_eta(R / r_min)), counted rather than computed with
     * log() so that exact powers are not lost to rounding. */
    int smax = 0;
    while (st->r_min * pow(st->eta, smax + 1) <= st->r_max * (1 + HB_TOL)) {
        if (++smax > HB_MAX_S)
            return hpti_fail(msg, HPT_E_INVALID,
                             "hyperband: more than %d brackets (log_eta(max_resource / "
                             "min_resource) > %d); raise eta",
                             HB_MAX_S + 1, HB_MAX_S);
    }
    st->s_max = smax;
    size_t nb = st->brackets > 0 ? (size_t)st->brackets : st->async ? 1 : (size_t)smax + 1;
    if (nb > (size_t)smax + 1)
        nb = (size_t)smax + 1;
    st->br = hpti_calloc(nb, sizeof *st->br);
    if (!st->br)
        return hpti_fail(msg, HPT_E_NOMEM, "hyperband: out of memory");
    st->nb = nb;
    for (size_t b = 0; b < nb; b++) {
        hb_bracket *br = &st->br[b];
        br->s = smax - (int)b;
        br->n0 = bracket_n(st, br->s);
        br->rung = hpti_calloc((size_t)br->s + 1, sizeof *br->rung);
        if (!br->rung) {
            free_brackets(st);
            return hpti_fail(msg, HPT_E_NOMEM, "hyperband: out of memory");
        }
    }
    st->sampler = &samplers[st->sampler_choice];
    int rc = st->sampler->start ? st->sampler->start(st, env, msg) : HPT_OK;
    if (rc)
        free_brackets(st);
    return rc;
}

/* ---- rungs --------------------------------------------------------------------- */

static int better(const hpti_history *h, int64_t a, int64_t b)
{
    double la = hpti_history_loss(h, a), lb = hpti_history_loss(h, b);
    return la < lb || (la == lb && a < b);
}

/* candidate() with several objectives or constraints: the positions of
 * the rung's complete trials in the order of mo_order.h. */
static int candidate_mo(hyperband_state *st, const hpti_history *h, const hb_rung *r,
                        size_t *m, size_t *rank, int64_t *c, char *msg)
{
    size_t n = r->n ? r->n : 1, k = 0;
    int rc = hpti_grow((void **)&st->mo_id, &st->cap_mo_id, n, sizeof *st->mo_id) ||
                     hpti_grow((void **)&st->mo_pos, &st->cap_mo_pos, n, sizeof *st->mo_pos)
                 ? HPT_E_NOMEM
                 : HPT_OK;
    int64_t *ids = st->mo_id;
    size_t *pos = st->mo_pos;
    for (size_t i = 0; !rc && i < r->n; i++)
        if (h->state[r->id[i]] == HPT_TRIAL_COMPLETE)
            ids[k++] = r->id[i];
    if (!rc)
        rc = hpti_mo_order(h, ids, k, pos, &st->mo);
    *c = -1;
    *m = k;
    *rank = 0;
    size_t best = SIZE_MAX;
    for (size_t i = 0; !rc && i < k; i++)
        if (!(st->promoted[ids[i]] & 1) && pos[i] < best)
            best = pos[i], *c = ids[i];
    for (size_t i = 0; !rc && *c >= 0 && i < k; i++)
        if ((st->promoted[ids[i]] & 1) && pos[i] < best)
            (*rank)++;
    return rc ? hpti_fail(msg, rc, "hyperband: out of memory") : HPT_OK;
}

/* The best complete trial of rung r not yet promoted (*c, -1 if none); *m =
 * complete trials in r; *rank = complete trials of r better than it (all of
 * them promoted, by construction). The candidate is in the top q of the rung
 * iff *rank < q, and if it is not, no unpromoted trial is. O(|r|) for one
 * objective. @return HPT_OK or HPT_E_NOMEM (several objectives). */
static int candidate(hyperband_state *st, const hpti_history *h, const hb_rung *r,
                     size_t *m, size_t *rank, int64_t *out, char *msg)
{
    if (h->n_values > 1)
        return candidate_mo(st, h, r, m, rank, out, msg);
    int64_t c = -1;
    *m = *rank = 0;
    for (size_t i = 0; i < r->n; i++) {
        int64_t id = r->id[i];
        if (h->state[id] != HPT_TRIAL_COMPLETE)
            continue;
        (*m)++;
        if (!(st->promoted[id] & 1) && (c < 0 || better(h, id, c)))
            c = id;
    }
    for (size_t i = 0; c >= 0 && i < r->n; i++) {
        int64_t id = r->id[i];
        if (h->state[id] == HPT_TRIAL_COMPLETE && (st->promoted[id] & 1) && better(h, id, c))
            (*rank)++;
    }
    *out = c;
    return HPT_OK;
}

static int reserve(hb_rung *r, char *msg)
{
    if (hpti_grow((void **)&r->id, &r->cap, r->n + 1, sizeof *r->id))
        return hpti_fail(msg, HPT_E_NOMEM, "hyperband: out of memory");
    return HPT_OK;
}

/* Start a new configuration at rung 0 of bracket b. */
static int start_new(hyperband_state *st, const hpti_env *env, hb_bracket *b,
                     hpti_proposal *out, char *msg)
{
    int rc = reserve(&b->rung[0], msg);
    if (!rc)
        rc = st->sampler->sample(st, env, out->u, msg);
    if (rc)
        return rc;
    b->rung[0].id[b->rung[0].n++] = (int64_t)env->hist->n_trials;
    b->started++;
    out->budget = rung_budget(st, b, 0);
    out->parent = -1;
    return HPT_OK;
}

/* Continue trial `parent` (of rung k - 1) at rung k of bracket b. */
static int promote(hyperband_state *st, const hpti_env *env, hb_bracket *b, int k,
                   int64_t parent, hpti_proposal *out, char *msg)
{
    int rc = reserve(&b->rung[k], msg);
    if (rc)
        return rc;
    b->rung[k].id[b->rung[k].n++] = (int64_t)env->hist->n_trials;
    st->promoted[parent] |= 1;
    memcpy(out->u, hpti_history_u(env->hist, parent), env->dim * sizeof *out->u);
    out->budget = rung_budget(st, b, k);
    out->parent = parent;
    return HPT_OK;
}

/* ---- the two schedules ---------------------------------------------------------- */

/* Hyperband as in JMLR 2018, Algorithm 1, one rung at a time. */
static int sync_next(hyperband_state *st, const hpti_env *env, hpti_proposal *out,
                     char *msg)
{
    const hpti_history *h = env->hist;
    for (;;) {
        if (st->iterations > 0 && (double)st->iter >= st->iterations)
            return HPT_DONE;
        hb_bracket *b = &st->br[st->cur];
        int k = st->rung;
        hb_rung *r = &b->rung[k];
        size_t m = 0, rank;
        int64_t c = -1;
        uint64_t target = b->n0;
        if (k > 0) {
            /* Rung k-1 is finished: its top n_k complete trials go on. */
            int rc = candidate(st, h, &b->rung[k - 1], &m, &rank, &c, msg);
            if (rc)
                return rc;
            target = rung_n(st, b, k);
            if (m < target)
                target = m;
        }
        if (r->n < target)
            return k == 0 ? start_new(st, env, b, out, msg)
                          : promote(st, env, b, k, c, out, msg);
        for (size_t i = 0; i < r->n; i++)
            if (h->state[r->id[i]] == HPT_TRIAL_RUNNING)
                return HPT_WAIT; /* never promote before the rung completes */
        if (k < b->s) {
            st->rung++;
            continue;
        }
        /* Bracket done: the next one, or a new iteration. */
        for (int j = 0; j <= b->s; j++)
            b->rung[j].n = 0;
        st->rung = 0;
        if (++st->cur == st->nb) {
            st->cur = 0;
            st->iter++;
        }
    }
}

/* ASHA, MLSys 2020, Algorithm 2 (get_job), per bracket. */
static int async_next(hyperband_state *st, const hpti_env *env, hpti_proposal *out,
                      char *msg)
{
    for (size_t bi = 0; bi < st->nb; bi++) {
        hb_bracket *b = &st->br[bi];
        for (int k = b->s - 1; k >= 0; k--) {
            size_t m, rank;
            int64_t c;
            int rc = candidate(st, env->hist, &b->rung[k], &m, &rank, &c, msg);
            if (rc)
                return rc;
            double q = floor((double)m / st->eta * (1 + HB_TOL));
            if (c >= 0 && (double)rank < q)
                return promote(st, env, b, k + 1, c, out, msg);
        }
    }
    /* New configuration: the bracket furthest behind its share, i.e. the
     * least started / n0 (ties to the most aggressive bracket). */
    size_t pick = 0;
    for (size_t bi = 1; bi < st->nb; bi++) {
        const hb_bracket *a = &st->br[bi], *p = &st->br[pick];
        if ((unsigned __int128)a->started * p->n0 < (unsigned __int128)p->started * a->n0)
            pick = bi;
    }
    return start_new(st, env, &st->br[pick], out, msg);
}

static int hb_propose(void *state, const hpti_env *env, hpti_proposal *out, char *msg)
{
    hyperband_state *st = state;
    /* A flag for every trial, the one about to be made included. */
    size_t need = env->hist->n_trials + 1;
    if (hpti_grow((void **)&st->promoted, &st->cap_flags, need, 1))
        return hpti_fail(msg, HPT_E_NOMEM, "hyperband: out of memory");
    if (st->n_flags < need) {
        memset(st->promoted + st->n_flags, 0, need - st->n_flags);
        st->n_flags = need;
    }
    st->fixed = out->fixed;
    int rc = st->async ? async_next(st, env, out, msg) : sync_next(st, env, out, msg);
    st->fixed = NULL; /* it points into the caller's frame */
    return rc;
}

/* Take the failed trial id out of the rung it was to fill (1 if found). */
static int leave_rung(hyperband_state *st, int64_t id)
{
    for (size_t bi = 0; bi < st->nb; bi++)
        for (int k = 1; k <= st->br[bi].s; k++) {
            hb_rung *r = &st->br[bi].rung[k];
            for (size_t i = 0; i < r->n; i++)
                if (r->id[i] == id) {
                    memmove(r->id + i, r->id + i + 1, (r->n - i - 1) * sizeof *r->id);
                    r->n--;
                    return 1;
                }
        }
    return 0;
}

static void hb_observe(void *state, const hpti_env *env, int64_t id)
{
    hyperband_state *st = state;
    const hpti_history *h = env->hist;
    int64_t parent = h->parent[id];
    if (h->state[id] != HPT_TRIAL_FAILED || parent < 0 || (size_t)parent >= st->n_flags ||
        (st->promoted[parent] >> 1) >= HB_MAX_RETURNS || !leave_rung(st, id))
        return;
    st->promoted[parent] = (unsigned char)(((st->promoted[parent] >> 1) + 1) << 1);
}

/* ---- journal state (strategy.h, snapshot and restore) ----------------------- */

/* Recorded after each proposal (format 1): the generator; the synchronous
 * position; the bracket and rung the new trial joined; the sampler's
 * state (sobol: points drawn; bayes: whether a model exists, the
 * observations it looked at, its rows, and the engine's part,
 * bayes_state.c). Restoring replays the schedule's bookkeeping only:
 * the rung lists, promotion flags and counters, O(1) per record, and
 * leaves the model's factor to its next proposal. */
static void hb_snapshot(void *state, const hpti_env *env, hpti_snapw *w)
{
    hyperband_state *st = state;
    int64_t id = (int64_t)env->hist->n_trials;
    size_t bi = 0;
    int k = 0;
    for (size_t b = 0; b < st->nb; b++)
        for (int j = 0; j <= st->br[b].s; j++) {
            const hb_rung *r = &st->br[b].rung[j];
            if (r->n && r->id[r->n - 1] == id) {
                bi = b;
                k = j;
            }
        }
    hpti_snapw_u64(w, 1);
    hpti_snapw_rng(w, &st->rng);
    hpti_snapw_u64(w, st->cur);
    hpti_snapw_u64(w, (uint64_t)st->rung);
    hpti_snapw_u64(w, st->iter);
    hpti_snapw_u64(w, bi);
    hpti_snapw_u64(w, (uint64_t)k);
    hpti_snapw_u64(w, st->q.used);
    hb_model *m = st->model;
    hpti_snapw_u64(w, m != NULL);
    if (m) {
        hpti_bayes_snapshot(&m->eng, w); /* its rows: list_rows, from the history */
    }
}

static int hb_restore(void *state, const hpti_env *env, const hpti_proposal *p,
                      const unsigned char *bytes, size_t len, char *msg)
{
    hyperband_state *st = state;
    const hpti_history *h = env->hist;
    hpti_snapr r = {bytes, len, 0, 0};
    hpti_rng g;
    hb_model *m = st->model;
    if (hpti_snapr_u64(&r) != 1)
        r.bad = 1;
    hpti_snapr_rng(&r, &g);
    size_t cur = (size_t)hpti_snapr_max(&r, st->nb ? st->nb - 1 : 0);
    int rung = (int)hpti_snapr_max(&r, HB_MAX_S);
    uint64_t iter = hpti_snapr_u64(&r);
    size_t bi = (size_t)hpti_snapr_max(&r, st->nb ? st->nb - 1 : 0);
    int k = (int)hpti_snapr_max(&r, HB_MAX_S);
    unsigned long used = (unsigned long)hpti_snapr_u64(&r);
    size_t engine_at = 0;
    if ((int)hpti_snapr_max(&r, 1) != (m != NULL))
        r.bad = 1;
    else if (m) {
        engine_at = r.at;
        if (hpti_bayes_restore(&m->eng, &r, 0))
            r.bad = 1;
    }
    /* the synchronous schedule moves on by at most one bracket an ask */
    uint64_t at = st->iter * st->nb + st->cur, to = iter * st->nb + cur;
    if (!hpti_snapr_ok(&r) || !st->nb || k > st->br[bi].s || (k == 0) != (p->parent < 0) ||
        (p->parent >= 0 && (size_t)p->parent >= h->n_trials) || to < at || to > at + 1 ||
        used < st->q.used || used > st->q.used + 1) /* one point a sample */
        return hpti_fail(msg, HPT_E_CORRUPT, "hyperband: unreadable state");
    size_t need = h->n_trials + 1;
    hb_rung *rg = &st->br[bi].rung[k];
    if (hpti_grow((void **)&st->promoted, &st->cap_flags, need, 1) ||
        (m && hpti_grow((void **)&m->rows, &m->cap_rows, h->n_trials, sizeof *m->rows)))
        return hpti_fail(msg, HPT_E_NOMEM, "hyperband: out of memory");
    double *u = used > st->q.used ? hpti_malloc(env->dim * sizeof *u) : NULL;
    if ((used > st->q.used && !u) || reserve(rg, msg)) {
        hpti_free(u);
        return hpti_fail(msg, HPT_E_NOMEM, "hyperband: out of memory");
    }
    if (st->n_flags < need) {
        memset(st->promoted + st->n_flags, 0, need - st->n_flags);
        st->n_flags = need;
    }
    if (to != at) { /* the bracket finished: emptied, as sync_next does */
        for (int j = 0; j <= st->br[st->cur].s; j++)
            st->br[st->cur].rung[j].n = 0;
    }
    st->cur = cur;
    st->rung = rung;
    st->iter = iter;
    rg->id[rg->n++] = (int64_t)h->n_trials;
    if (k == 0)
        st->br[bi].started++;
    else
        st->promoted[p->parent] |= 1;
    if (m) {
        r.at = engine_at; /* checked above: now applied */
        hpti_bayes_restore(&m->eng, &r, 1);
    }
    hpti_rng scratch = g; /* coordinates past the table: drawn, not kept */
    while (st->q.used < used)
        hpti_qrng_next(&st->q, &scratch, u);
    hpti_free(u);
    st->rng = g;
    return HPT_OK;
}

static unsigned long hb_model_fits(const void *state)
{
    const hb_model *m = ((const hyperband_state *)state)->model;
    return m ? m->eng.n_fits : 0;
}

static void hb_free(void *state)
{
    hyperband_state *st = state;
    free_brackets(st);
    hpti_free(st->promoted);
    hpti_free(st->mo_id);
    hpti_free(st->mo_pos);
    hpti_mo_ws_free(&st->mo);
    for (size_t i = 0; i < sizeof samplers / sizeof samplers[0]; i++)
        if (samplers[i].free)
            samplers[i].free(st);
}

const hpti_strategy_type hpti_strategy_hyperband = {
    .name = "hyperband",
    .state_size = sizeof(hyperband_state),
    HPTI_OPTIONS(hb_options),
    .init = hb_init,
    .start = hb_start,
    .propose = hb_propose,
    .observe = hb_observe,
    .free = hb_free,
    .snapshot = hb_snapshot,
    .restore = hb_restore,
    .model_fits = hb_model_fits,
};
