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
 * Ranking: by loss, ties to the lower trial id. Only complete trials are
 * ranked or promoted; failed and pruned ones never are.
 *
 * New configurations come from a sampler (hyperband.sampler), a row of
 * samplers[] below: "bayes" (default: a GP / log-EI model fitted on the
 * largest budget with enough complete trials, BOHB-like; see bayes_sample),
 * "random" (uniform) or "sobol" (the shifted Sobol points of strategy
 * "sobol"). */
#include <gsl/gsl_qrng.h>
#include <math.h>
#include <string.h>

#include "bayes.h"
#include "study.h"

#define HB_MAX_S 40          /* brackets s = 0..40 */
#define HB_MAX_RATIO 1e12    /* max_resource / min_resource */
#define HB_MAX_RESOURCE 1e15
#define HB_MAX_ETA 1e6
/* Relative slack for floor/ceil of products of powers of eta: log_3(81) is
 * 4 - 4e-16 in doubles, and must give 4. */
#define HB_TOL 1e-9
#define SOBOL_MAX_DIM 40
#define SOBOL_MAX_POINTS ((1UL << 30) - 2)

struct hyperband_state;

/* A source of new configurations. start runs at the study's first ask
 * (options final), last in hb_start, and may be NULL; sample writes dim
 * coordinates in [0, 1] (it may read the trial table, never write it); free
 * (may be NULL) releases what start made. The strategy's free calls every
 * sampler's free, so each must do nothing when its start never ran. */
typedef struct {
    const char *name;
    int (*start)(struct hyperband_state *st, const struct hpt_study *s, char *msg);
    int (*sample)(struct hyperband_state *st, const struct hpt_study *s, double *u,
                  char *msg);
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

    /* promoted[id] = 1 once trial id was continued by a promotion */
    unsigned char *promoted;
    size_t n_flags, cap_flags;

    hpti_rng rng;      /* every random draw of the strategy */
    /* sampler "sobol" */
    gsl_qrng *q;       /* owned */
    size_t qdim;
    unsigned long q_used;
    double shift[SOBOL_MAX_DIM], buf[SOBOL_MAX_DIM];
    /* sampler "bayes" */
    double random_fraction; /* option: share of new configurations drawn uniformly */
    void *model;            /* owned hb_model, made by bayes_start */
} hyperband_state;

/* ---- samplers ------------------------------------------------------------ */

static int random_sample(hyperband_state *st, const struct hpt_study *s, double *u,
                         char *msg)
{
    HPTI_UNUSED(msg);
    for (size_t i = 0; i < s->dim; i++)
        u[i] = hpti_rng_uniform(&st->rng);
    return HPT_OK;
}

/* As strategy "sobol" (sobol.c): Sobol points with a Cranley-Patterson
 * shift drawn from the seed, restarted before GSL's 2^30 limit; coordinates
 * past GSL's 40 dimensions are uniform draws. */
static void new_shift(hyperband_state *st)
{
    for (size_t i = 0; i < st->qdim; i++)
        st->shift[i] = hpti_rng_uniform(&st->rng);
}

static int sobol_start(hyperband_state *st, const struct hpt_study *s, char *msg)
{
    st->qdim = s->dim < SOBOL_MAX_DIM ? s->dim : SOBOL_MAX_DIM;
    /* qdim is 1..40, inside GSL's table: only memory can fail. */
    st->q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)st->qdim);
    if (!st->q)
        return hpti_fail(msg, HPT_E_NOMEM, "hyperband: out of memory");
    new_shift(st);
    return HPT_OK;
}

static int sobol_sample(hyperband_state *st, const struct hpt_study *s, double *u,
                        char *msg)
{
    HPTI_UNUSED(msg);
    if (st->q_used >= SOBOL_MAX_POINTS) {
        gsl_qrng_init(st->q);
        new_shift(st);
        st->q_used = 0;
    }
    gsl_qrng_get(st->q, st->buf);
    st->q_used++;
    size_t i = 0;
    for (; i < st->qdim; i++) {
        double v = st->buf[i] + st->shift[i];
        u[i] = v >= 1.0 ? v - 1.0 : v;
    }
    for (; i < s->dim; i++)
        u[i] = hpti_rng_uniform(&st->rng);
    return HPT_OK;
}

static void sobol_free(hyperband_state *st)
{
    if (st->q)
        gsl_qrng_free(st->q);
    st->q = NULL;
}

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
 * Rows: one per configuration, in the order its first trial finished (so
 * the engine extends its factor instead of refitting; values may change
 * between calls, positions never). Its value: the loss at b if it has a
 * complete trial at b; else at the smallest larger budget (a
 * configuration started above b, synchronous mode); else its loss at the
 * largest budget it completed below b. That last value is a pessimistic
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
    int64_t *rows;          /* configurations (first trial ids), in the order they finished */
    size_t n_rows, cap_rows;
    unsigned char *seen;    /* per trial id: a row */
    int64_t *root;          /* per trial id: its configuration's first trial */
    unsigned char *at;      /* per configuration: some trial of it failed */
    double *vb, *cv;        /* per configuration: budget and loss of its row value */
    size_t cap_seen, cap_root, cap_at, cap_vb, cap_cv;
    double *du, *dl, *dp;   /* engine input: rows, losses, pending points */
    size_t cap_u, cap_l, cap_p;
} hb_model;

static int bayes_start(hyperband_state *st, const struct hpt_study *s, char *msg)
{
    if (st->model)
        return HPT_OK; /* a start retried after a failure elsewhere */
    hb_model *m = hpti_calloc(1, sizeof *m);
    if (!m)
        return hpti_fail(msg, HPT_E_NOMEM, "hyperband: out of memory");
    hpti_bayes_opts o;
    hpti_bayes_defaults(&o);
    if (hpti_bayes_init(&m->eng, s->space, &o)) {
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
    hpti_free(m->seen);
    hpti_free(m->root);
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
static double model_budget(const hyperband_state *st, const struct hpt_study *s)
{
    size_t need = model_threshold(s->dim);
    for (int j = 0; j <= st->s_max; j++) {
        double b = st->r_max / pow(st->eta, j); /* as rung_budget computes it */
        size_t c = 0;
        for (size_t i = 0; i < s->n_trials && c < need; i++)
            c += s->trials[i].state == HPT_TRIAL_COMPLETE && s->trials[i].budget == b;
        if (c >= need)
            return b;
    }
    return 0;
}

static int grow_to(void **p, size_t *cap, size_t need, size_t elem)
{
    return need <= *cap ? HPT_OK : hpti_grow(p, cap, need, elem);
}

static int bayes_sample(hyperband_state *st, const struct hpt_study *s, double *u, char *msg)
{
    hb_model *m = st->model;
    size_t d = s->dim, n = s->n_trials;
    double b = model_budget(st, s);
    if (b == 0)
        return random_sample(st, s, u, msg);
    if (hpti_rng_uniform(&st->rng) < st->random_fraction)
        return random_sample(st, s, u, msg);

    size_t cs = m->cap_seen, cu = m->cap_u, cp = m->cap_p;
    if (grow_to((void **)&m->rows, &m->cap_rows, n, sizeof *m->rows) ||
        grow_to((void **)&m->root, &m->cap_root, n, sizeof *m->root) ||
        grow_to((void **)&m->at, &m->cap_at, n, 1) ||
        grow_to((void **)&m->vb, &m->cap_vb, n, sizeof *m->vb) ||
        grow_to((void **)&m->cv, &m->cap_cv, n, sizeof *m->cv) ||
        grow_to((void **)&m->seen, &cs, n, 1) ||
        grow_to((void **)&m->du, &cu, n * d, sizeof *m->du) ||
        grow_to((void **)&m->dl, &m->cap_l, n, sizeof *m->dl) ||
        grow_to((void **)&m->dp, &cp, (n + HB_MODEL_RETRIES + 1) * d, sizeof *m->dp))
        return hpti_fail(msg, HPT_E_NOMEM, "hyperband: out of memory");
    if (cs > m->cap_seen)
        memset(m->seen + m->cap_seen, 0, cs - m->cap_seen);
    m->cap_seen = cs;
    m->cap_u = cu;
    m->cap_p = cp;
    /* One row per configuration (indexed by its first trial), appended
     * when that trial finishes, so the engine extends its factor. Its
     * value (vb = the budget it comes from, 0 = none yet; at = failed)
     * follows the rules at the top of this section. */
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        const hpti_trial *t = &s->trials[i];
        int64_t r = t->parent < 0 ? (int64_t)i : m->root[t->parent];
        m->root[i] = r;
        if (t->parent < 0) {
            m->at[i] = 0;
            m->vb[i] = 0;
            if (t->state == HPT_TRIAL_RUNNING)
                memcpy(m->dp + (np++) * d, t->u, d * sizeof *m->dp);
            else if (!m->seen[i] && t->state != HPT_TRIAL_PRUNED) {
                m->seen[i] = 1;
                m->rows[m->n_rows++] = (int64_t)i;
            }
        }
        if (t->state == HPT_TRIAL_FAILED)
            m->at[r] = 1;
        if (t->state != HPT_TRIAL_COMPLETE)
            continue;
        double old = m->vb[r], nb = t->budget;
        int take = old == 0 || nb == b ||
                   (old != b && (nb > b ? old < b || nb < old : old < b && nb > old));
        if (take) {
            m->vb[r] = nb;
            m->cv[r] = t->loss;
        }
    }
    for (size_t k = 0; k < m->n_rows; k++)
        memcpy(m->du + k * d, s->trials[m->rows[k]].u, d * sizeof *m->du);
    for (size_t k = 0; k < m->n_rows; k++) {
        int64_t r = m->rows[k];
        m->dl[k] = m->at[r] || m->vb[r] == 0 ? NAN : m->cv[r];
    }
    hpti_rng rng;
    hpti_rng_seed(&rng, s->seed ^ (0xd1b54a32d192ed03ULL * (uint64_t)(n + 1)), HPTI_STREAM_MODEL);
    hpti_bayes_data dt = {m->du, m->dl, m->n_rows, m->dp, np};
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
            if (s->trials[i].parent < 0 && memcmp(s->trials[i].u, u, d * sizeof *u) == 0)
                dup = i;
        if (dup == SIZE_MAX)
            return HPT_OK;
        memcpy(m->dp + (dt.n_pend++) * d, s->trials[dup].u, d * sizeof *m->dp);
    }
    return random_sample(st, s, u, msg);
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

static int hb_init(void *state, const struct hpt_study *s, char *msg)
{
    HPTI_UNUSED(msg);
    hyperband_state *st = state;
    hpti_rng_seed(&st->rng, s->seed, HPTI_STREAM_STRATEGY);
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

static int hb_start(void *state, const struct hpt_study *s, char *msg)
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
                         "(async = 0); use max_trials");
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
    int rc = st->sampler->start ? st->sampler->start(st, s, msg) : HPT_OK;
    if (rc)
        free_brackets(st);
    return rc;
}

/* ---- rungs --------------------------------------------------------------------- */

static int better(const struct hpt_study *s, int64_t a, int64_t b)
{
    double la = s->trials[a].loss, lb = s->trials[b].loss;
    return la < lb || (la == lb && a < b);
}

/* The best complete trial of rung r not yet promoted (-1 if none); *m =
 * complete trials in r; *rank = complete trials of r better than it (all of
 * them promoted, by construction). The candidate is in the top q of the rung
 * iff *rank < q, and if it is not, no unpromoted trial is. O(|r|). */
static int64_t candidate(const hyperband_state *st, const struct hpt_study *s,
                         const hb_rung *r, size_t *m, size_t *rank)
{
    int64_t c = -1;
    *m = *rank = 0;
    for (size_t i = 0; i < r->n; i++) {
        int64_t id = r->id[i];
        if (s->trials[id].state != HPT_TRIAL_COMPLETE)
            continue;
        (*m)++;
        if (!st->promoted[id] && (c < 0 || better(s, id, c)))
            c = id;
    }
    for (size_t i = 0; c >= 0 && i < r->n; i++) {
        int64_t id = r->id[i];
        if (s->trials[id].state == HPT_TRIAL_COMPLETE && st->promoted[id] &&
            better(s, id, c))
            (*rank)++;
    }
    return c;
}

static int reserve(hb_rung *r, char *msg)
{
    if (hpti_grow((void **)&r->id, &r->cap, r->n + 1, sizeof *r->id))
        return hpti_fail(msg, HPT_E_NOMEM, "hyperband: out of memory");
    return HPT_OK;
}

/* Start a new configuration at rung 0 of bracket b. */
static int start_new(hyperband_state *st, const struct hpt_study *s, hb_bracket *b,
                     hpti_proposal *out, char *msg)
{
    int rc = reserve(&b->rung[0], msg);
    if (!rc)
        rc = st->sampler->sample(st, s, out->u, msg);
    if (rc)
        return rc;
    b->rung[0].id[b->rung[0].n++] = (int64_t)s->n_trials;
    b->started++;
    out->budget = rung_budget(st, b, 0);
    out->parent = -1;
    return HPT_OK;
}

/* Continue trial `parent` (of rung k - 1) at rung k of bracket b. */
static int promote(hyperband_state *st, const struct hpt_study *s, hb_bracket *b, int k,
                   int64_t parent, hpti_proposal *out, char *msg)
{
    int rc = reserve(&b->rung[k], msg);
    if (rc)
        return rc;
    b->rung[k].id[b->rung[k].n++] = (int64_t)s->n_trials;
    st->promoted[parent] = 1;
    memcpy(out->u, s->trials[parent].u, s->dim * sizeof *out->u);
    out->budget = rung_budget(st, b, k);
    out->parent = parent;
    return HPT_OK;
}

/* ---- the two schedules ---------------------------------------------------------- */

/* Hyperband as in JMLR 2018, Algorithm 1, one rung at a time. */
static int sync_next(hyperband_state *st, const struct hpt_study *s, hpti_proposal *out,
                     char *msg)
{
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
            c = candidate(st, s, &b->rung[k - 1], &m, &rank);
            target = rung_n(st, b, k);
            if (m < target)
                target = m;
        }
        if (r->n < target)
            return k == 0 ? start_new(st, s, b, out, msg)
                          : promote(st, s, b, k, c, out, msg);
        for (size_t i = 0; i < r->n; i++)
            if (s->trials[r->id[i]].state == HPT_TRIAL_RUNNING)
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
static int async_next(hyperband_state *st, const struct hpt_study *s, hpti_proposal *out,
                      char *msg)
{
    for (size_t bi = 0; bi < st->nb; bi++) {
        hb_bracket *b = &st->br[bi];
        for (int k = b->s - 1; k >= 0; k--) {
            size_t m, rank;
            int64_t c = candidate(st, s, &b->rung[k], &m, &rank);
            double q = floor((double)m / st->eta * (1 + HB_TOL));
            if (c >= 0 && (double)rank < q)
                return promote(st, s, b, k + 1, c, out, msg);
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
    return start_new(st, s, &st->br[pick], out, msg);
}

static int hb_propose(void *state, const struct hpt_study *s, hpti_proposal *out, char *msg)
{
    hyperband_state *st = state;
    /* A flag for every trial, the one about to be made included. */
    size_t need = s->n_trials + 1;
    if (hpti_grow((void **)&st->promoted, &st->cap_flags, need, 1))
        return hpti_fail(msg, HPT_E_NOMEM, "hyperband: out of memory");
    if (st->n_flags < need) {
        memset(st->promoted + st->n_flags, 0, need - st->n_flags);
        st->n_flags = need;
    }
    return st->async ? async_next(st, s, out, msg) : sync_next(st, s, out, msg);
}

static void hb_free(void *state)
{
    hyperband_state *st = state;
    free_brackets(st);
    hpti_free(st->promoted);
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
    .free = hb_free,
};
