/* study.c -- the ask/tell state machine and the trial table.
 *
 * Lifecycle: create -> configure (options, only before the first ask) ->
 * { ask -> host trains -> report* -> tell | tell_failed | prune } -> destroy.
 * Every public entry point takes the study's lock, so one study can be shared
 * by the worker threads of a tuning job. A call that fails changes nothing. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "durable.h"
#include "study.h"

#define MAX_REASON 255

/* ---- locking and errors ------------------------------------------------ */

static void lock(const hpt_study *s) { pthread_mutex_lock(&((hpt_study *)s)->lock); }
static void unlock(const hpt_study *s) { pthread_mutex_unlock(&((hpt_study *)s)->lock); }

/* Error in a const accessor: the message buffer is the one mutable part. */
#define FAIL(s, st, ...) hpti_fail(((hpt_study *)(s))->errmsg, st, __VA_ARGS__)

int hpti_study_fail(const hpt_study *s, int status, const char *fmt, ...)
{
    char tmp[HPTI_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    hpti_fail(NULL, status, "%s", tmp);
    if (s) {
        lock(s);
        memcpy(((hpt_study *)s)->errmsg, tmp, sizeof tmp);
        unlock(s);
    }
    return status;
}

static int check_trial(const hpt_study *s, const char *fn, int64_t id)
{
    if (id < 0 || (uint64_t)id >= s->n_trials)
        return FAIL(s, HPT_E_TRIAL, "%s: no trial %lld (the study has %zu)", fn,
                    (long long)id, s->n_trials);
    return HPT_OK;
}

/* ---- lifecycle ----------------------------------------------------------- */

/* The arguments every way of making a study checks, in this order. */
static int check_create(const char *fn, const hpt_space *space, int have_strategy,
                        int32_t direction, hpt_study **out)
{
    if (!out)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: out is NULL", fn);
    *out = NULL;
    if (!space || !have_strategy)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: space or strategy is NULL", fn);
    if (space->n == 0)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: the space has no parameters", fn);
    if (direction != HPT_MINIMIZE && direction != HPT_MAXIMIZE)
        return hpti_fail(NULL, HPT_E_INVALID,
                         "%s: direction must be HPT_MINIMIZE or HPT_MAXIMIZE, not %d", fn,
                         (int)direction);
    return HPT_OK;
}

int hpt_study_create(const hpt_space *space, const char *strategy, int32_t direction,
                     uint64_t seed, hpt_study **out)
{
    const char *fn = "hpt_study_create";
    hpti_clear_error();
    int rc = check_create(fn, space, strategy != NULL, direction, out);
    if (rc)
        return rc;
    const hpti_strategy_type *type = hpti_strategy_lookup(strategy);
    if (!type)
        return hpti_fail(NULL, HPT_E_NAME, "%s: unknown strategy '%.64s'", fn, strategy);
    return hpti_study_create_type(space, type, direction, seed, out);
}

int hpti_study_create_type(const hpt_space *space, const hpti_strategy_type *type,
                           int32_t direction, uint64_t seed, hpt_study **out)
{
    const char *fn = "hpt_study_create";
    hpti_clear_error();
    int rc = check_create(fn, space, type != NULL, direction, out);
    if (rc)
        return rc;
    hpt_study *s = hpti_calloc(1, sizeof *s);
    if (!s)
        return hpti_fail(NULL, HPT_E_NOMEM, "%s: out of memory", fn);
    /* Recursive: taking in other writers' records (tail.c) replays them
     * through the public calls while the change that began it holds the
     * lock. */
    pthread_mutexattr_t ma;
    int mrc = pthread_mutexattr_init(&ma);
    if (mrc == 0) {
        pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
        mrc = pthread_mutex_init(&s->lock, &ma);
        pthread_mutexattr_destroy(&ma);
    }
    if (mrc != 0) {
        hpti_free(s);
        return hpti_fail(NULL, HPT_E_NOMEM, "%s: cannot create the study lock", fn);
    }
    hpti_object_born();
    rc = HPT_E_NOMEM;
    s->type = type;
    s->directions[0] = direction;
    s->seed = seed;
    s->best = -1;
    if (hpti_space_copy(space, &s->space))
        goto fail;
    s->dim = s->space->n;
    hpti_option_defaults(hpti_study_options, hpti_study_n_options, s);
    hpti_history_init(&s->hist, s->dim);
    s->env = (hpti_env){s->space, s->dim, seed, &s->hist};
    s->propose_u = hpti_malloc(s->dim * sizeof *s->propose_u);
    s->sstate = hpti_calloc(1, type->state_size);
    if (!s->sstate || !s->propose_u)
        goto fail;
    hpti_option_defaults(type->options, type->n_options, s->sstate);
    if (type->init && (rc = type->init(s->sstate, &s->env, s->errmsg)) != HPT_OK)
        goto fail;
    *out = s;
    return HPT_OK;
fail:
    if (rc == HPT_E_NOMEM)
        hpti_fail(NULL, rc, "%s: out of memory", fn);
    else
        hpti_fail(NULL, rc, "%s: %s", fn, s->errmsg);
    hpt_study_destroy(s);
    return rc;
}

void hpt_study_destroy(hpt_study *s)
{
    if (!s)
        return;
    if (s->sstate && s->type->free)
        s->type->free(s->sstate);
    hpti_free(s->sstate);
    if (s->pstate && s->ptype && s->ptype->free)
        s->ptype->free(s->pstate);
    hpti_free(s->pstate);
    for (size_t i = 0; i < s->n_trials; i++) {
        hpti_trial *t = &s->trials[i];
        hpti_free(t->x);
        hpti_free(t->fail_reason);
        hpti_attrs_free(&t->attrs);
    }
    hpti_free(s->trials);
    hpti_attrs_free(&s->attrs);
    hpti_queue_free(&s->queue);
    hpti_history_free(&s->hist);
    hpti_horizon_free(&s->horizon);
    hpti_free(s->propose_u);
    hpti_snapw_free(&s->snap);
    hpti_durable_free(s); /* journal, warm start, transfer data */
    hpt_space_destroy(s->space);
    pthread_mutex_destroy(&s->lock);
    hpti_free(s);
    hpti_object_died();
}

int hpt_study_space(const hpt_study *s, hpt_space **copy_out)
{
    hpti_clear_error();
    if (!s || !copy_out)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_study_space: NULL argument");
    *copy_out = NULL;
    lock(s);
    int rc = hpti_space_copy(s->space, copy_out);
    if (rc)
        FAIL(s, rc, "hpt_study_space: out of memory");
    unlock(s);
    return rc;
}

int hpt_strategy_name(size_t i, const char **name)
{
    hpti_clear_error();
    const hpti_strategy_type *t = hpti_strategy_at(i);
    if (!t || !name)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_strategy_name: no strategy %zu", i);
    *name = t->name;
    return HPT_OK;
}

/* ---- the study's own options (listed and set by study_options.c) ------------ */

/* "pruner" choices: "none", then the registry's pruners in order. */
static const char *pruner_choice(size_t i)
{
    if (i == 0)
        return "none";
    const hpti_pruner_type *t = hpti_pruner_at(i - 1);
    return t ? t->name : NULL;
}

/* Swap in a fresh pruner (its options at their defaults), or none. */
static int set_pruner(void *owner, double choice, char *msg)
{
    hpt_study *s = owner;
    const hpti_pruner_type *pt = choice > 0 ? hpti_pruner_at((size_t)choice - 1) : NULL;
    void *st = NULL;
    if (pt && s->hist.n_obj > 1) /* reports are of the first objective alone */
        return hpti_fail(msg, HPT_E_MULTI,
                         "a pruner compares reports of one objective; the study has %zu",
                         s->hist.n_obj);
    if (pt) {
        st = hpti_calloc(1, pt->state_size);
        if (!st)
            return hpti_fail(msg, HPT_E_NOMEM, "out of memory");
        hpti_option_defaults(pt->options, pt->n_options, st);
        int rc = pt->init ? pt->init(st, &s->env, msg) : HPT_OK;
        if (rc) {
            if (pt->free)
                pt->free(st);
            hpti_free(st);
            return rc;
        }
    }
    if (s->pstate && s->ptype->free)
        s->ptype->free(s->pstate);
    hpti_free(s->pstate);
    s->ptype = pt;
    s->pstate = st;
    return HPT_OK;
}

/* A target is a value of the one objective. */
static int set_target(void *owner, double value, char *msg)
{
    const hpt_study *s = owner;
    (void)value;
    if (s->hist.n_obj > 1)
        return hpti_fail(msg, HPT_E_MULTI,
                         "\"target_value\" needs a single objective; the study has %zu",
                         s->hist.n_obj);
    return HPT_OK;
}

#define IN_STUDY(field) offsetof(struct hpt_study, field)

const hpti_option hpti_study_options[] = {
    {"max_trials", HPT_OPTION_INT, HPTI_STORE_I64, IN_STUDY(max_trials), 0, 0, HPTI_MAX_INT53,
     HPTI_OPT_RAISE, NULL, NULL},
    {"max_resource_total", HPT_OPTION_REAL, HPTI_STORE_DOUBLE, IN_STUDY(done.max_resource), 0,
     0, DBL_MAX, HPTI_OPT_RAISE, NULL, NULL},
    {"max_seconds", HPT_OPTION_REAL, HPTI_STORE_DOUBLE, IN_STUDY(done.max_seconds), 0, 0,
     DBL_MAX, HPTI_OPT_RAISE, NULL, NULL},
    {"target_value", HPT_OPTION_REAL, HPTI_STORE_DOUBLE, IN_STUDY(done.target), NAN, -DBL_MAX,
     DBL_MAX, 0, NULL, set_target},
    {"patience", HPT_OPTION_INT, HPTI_STORE_I64, IN_STUDY(done.patience), 0, 0, HPTI_MAX_INT53,
     0, NULL, NULL},
    {"pruner", HPT_OPTION_STRING, 0, IN_STUDY(pruner_choice), 0, 0, 0, HPTI_OPT_NAMES,
     pruner_choice, set_pruner},
    {"parallel.reproducible", HPT_OPTION_INT, HPTI_STORE_I64, IN_STUDY(horizon.q), 0, 0,
     HPTI_MAX_REPRODUCIBLE, 0, NULL, NULL},
};
const size_t hpti_study_n_options = sizeof hpti_study_options / sizeof hpti_study_options[0];

/* ---- ask / report / tell ------------------------------------------------------ */

/* A trial entered the reproducible mode's view (horizon.h). */
static void observe_view(void *ctx, int64_t id)
{
    hpt_study *s = ctx;
    if (s->type->observe)
        s->type->observe(s->sstate, &s->env, id);
}

/* First ask: the reproducible mode's view replaces the history the
 * strategy and pruner read, before the strategy starts. */
static int start_locked(hpt_study *s, const char *fn)
{
    int rc;
    if (s->horizon.q && !s->horizon.on) {
        if (hpti_horizon_start(&s->horizon, &s->hist))
            return hpti_fail(s->errmsg, HPT_E_NOMEM, "%s: out of memory", fn);
        s->env.hist = &s->horizon.view;
    }
    if (s->type->start && (rc = s->type->start(s->sstate, &s->env, s->errmsg)) != HPT_OK) {
        hpti_horizon_free(&s->horizon); /* options may still change */
        s->env.hist = &s->hist;
        return hpti_fail(s->errmsg, rc, "%s: %s", fn, s->errmsg);
    }
    s->started = 1;
    return HPT_OK;
}

/* Reproducible mode: ask k waits until every trial below k - q finished,
 * then the view moves up to k - q (horizon.h). */
static int horizon_ready(hpt_study *s, const char *fn)
{
    hpti_horizon *z = &s->horizon;
    size_t to = hpti_horizon_target(z, s->n_trials);
    int64_t b = hpti_horizon_blocker(z, &s->hist, to);
    if (b >= 0)
        return hpti_fail(s->errmsg, HPT_WAIT,
                         "%s: trial %lld is still running (parallel.reproducible = %lld: "
                         "trial %zu is proposed once every trial below %zu finished)",
                         fn, (long long)b, (long long)z->q, s->n_trials, to);
    hpti_horizon_advance(z, &s->hist, to, observe_view, s);
    return HPT_OK;
}

/* Reproducible mode, the strategy waits on the view: move the horizon up
 * one finished trial at a time and ask again (horizon.h). */
static int propose_further(hpt_study *s, hpti_proposal *p, int rc)
{
    hpti_horizon *z = &s->horizon;
    while (rc == HPT_WAIT && z->h < s->n_trials && s->hist.state[z->h] != HPT_TRIAL_RUNNING) {
        hpti_horizon_advance(z, &s->hist, z->h + 1, observe_view, s);
        rc = s->type->propose(s->sstate, &s->env, p, s->errmsg);
    }
    return rc;
}

/* The strategy's part of an ask. Live: propose, and in a journaled
 * study snapshot the state for the record. Replaying a record: restore
 * the recorded state when there is one and the strategy reads it, else
 * propose again; a propose that has no trial to give (HPT_DONE, HPT_WAIT:
 * it decides otherwise on this machine) gets the recorded one, which is
 * the truth. */
static int propose_step(hpt_study *s, hpti_proposal *p)
{
    const hpti_replay_ask *r = s->replay_ask;
    const hpti_strategy_type *t = s->type;
    int rc;
    if (r) {
        memcpy(p->u, r->u, s->dim * sizeof *p->u);
        p->budget = r->budget;
        p->parent = r->parent;
        /* In the reproducible mode the view may have moved on while the
         * strategy waited (propose_further), which its state does not
         * say: such asks are proposed again. */
        if (r->state && t->restore && !s->horizon.on) {
            rc = t->restore(s->sstate, &s->env, p, r->state, r->state_len, s->errmsg);
            if (rc != HPT_E_CORRUPT)
                return rc;
        }
        rc = t->propose(s->sstate, &s->env, p, s->errmsg);
        if (s->horizon.on)
            rc = propose_further(s, p, rc);
        if (rc == HPT_DONE || rc == HPT_WAIT) {
            memcpy(p->u, r->u, s->dim * sizeof *p->u);
            p->budget = r->budget;
            p->parent = r->parent;
            rc = HPT_OK;
        }
        return rc;
    }
    rc = t->propose(s->sstate, &s->env, p, s->errmsg);
    if (s->horizon.on)
        rc = propose_further(s, p, rc);
    if (rc == HPT_OK && t->snapshot && s->sink.ops)
        t->snapshot(s->sstate, &s->env, &s->snap);
    return rc;
}

static int ask_locked(hpt_study *s, int64_t *trial_id)
{
    const char *fn = "hpt_study_ask";
    int rc;
    if (!s->started && (rc = start_locked(s, fn)) != HPT_OK)
        return rc;
    /* completion.c decides HPT_DONE, max_trials included */
    if ((rc = hpti_completion_check(s)) != HPT_OK && !(rc == HPT_DONE && s->replay_ask))
        return rc;
    /* Room for the trial everywhere first: once propose returned HPT_OK
     * the strategy has moved on, and recording must not fail. */
    if (hpti_grow((void **)&s->trials, &s->cap_trials, s->n_trials + 1, sizeof *s->trials) ||
        hpti_history_reserve(&s->hist) ||
        (s->horizon.on && hpti_history_reserve(&s->horizon.view)))
        return hpti_fail(s->errmsg, HPT_E_NOMEM, "%s: out of memory", fn);
    if (s->horizon.on && (rc = horizon_ready(s, fn)) != HPT_OK)
        return rc;
    hpti_trial t = {0};
    size_t nv = s->hist.n_obj + s->hist.n_con;
    t.x = hpti_malloc((s->dim + nv) * sizeof *t.x); /* x, then v */
    if (!t.x)
        return hpti_fail(s->errmsg, HPT_E_NOMEM, "%s: out of memory", fn);
    t.v = t.x + s->dim;
    for (size_t k = 0; k < nv; k++)
        t.v[k] = NAN;
    double *u = s->propose_u, held[HPT_MAX_PARAMS];
    hpti_proposal p = {u, 0.0, -1, NULL};
    int fixed = hpti_queue_fixed(&s->queue, s->space);
    if (!fixed && hpti_queue_front_u(&s->queue, s->space, held))
        p.fixed = held; /* partial fixing: the strategy fills the rest */
    const double *given = NULL;
    s->snap.n = 0; /* no state recorded unless the strategy proposed */
    s->snap.oom = 0;
    rc = fixed ? HPT_OK : propose_step(s, &p);
    rc = hpti_queue_apply(&s->queue, s->space, &p, rc, !fixed, &given);
    if (rc != HPT_OK) {
        hpti_free(t.x);
        if (rc < 0)
            return hpti_fail(s->errmsg, rc, "%s: %s", fn, s->errmsg);
        if (rc == HPT_DONE)
            hpti_completion_strategy_done(s);
        hpti_fail(s->errmsg, rc, "%s: %s", fn,
                  rc == HPT_DONE ? "the strategy has no more trials"
                                 : "the strategy waits for running trials");
        return rc;
    }
    for (size_t i = 0; i < s->dim; i++)
        if (!(u[i] >= 0 && u[i] <= 1)) {
            hpti_free(t.x);
            return hpti_fail(s->errmsg, HPT_E_NUMERIC,
                             "%s: strategy '%s' proposed coordinate %zu = %g outside [0,1]",
                             fn, s->type->name, i, u[i]);
        }
    /* The stored coordinates are those of the configuration that will run. */
    for (size_t i = 0; i < s->dim; i++) { /* enqueued values exactly as given */
        t.x[i] = given && !isnan(given[i]) ? given[i]
                                            : hpti_param_decode(&s->space->p[i], u[i]);
        u[i] = hpti_param_encode(&s->space->p[i], t.x[i]);
    }
    hpti_space_canonical(s->space, u, t.x);
    t.state = HPT_TRIAL_RUNNING;
    t.budget = p.budget;
    t.parent = p.parent;
    t.loss = NAN;
    s->trials[s->n_trials] = t;
    hpti_history_add_trial(&s->hist, u, t.budget, t.parent);
    if (s->horizon.on)
        hpti_history_add_trial(&s->horizon.view, u, t.budget, t.parent);
    *trial_id = (int64_t)s->n_trials++;
    s->n_running++;
    if ((rc = hpti_journal_ask(s, *trial_id)) != HPT_OK)
        *trial_id = -1;
    return rc;
}

int hpt_study_ask(hpt_study *s, int64_t *trial_id)
{
    hpti_clear_error();
    if (!s || !trial_id)
        return hpti_study_fail(s, HPT_E_INVALID, "hpt_study_ask: NULL argument");
    *trial_id = -1;
    lock(s);
    int rc = hpti_change_begin(s, "hpt_study_ask");
    if (!rc)
        rc = ask_locked(s, trial_id);
    hpti_change_end(s);
    unlock(s);
    return rc;
}

static int check_running(hpt_study *s, const char *fn, int64_t id)
{
    int rc = check_trial(s, fn, id);
    if (rc)
        return rc;
    if (s->trials[id].state != HPT_TRIAL_RUNNING)
        return hpti_fail(s->errmsg, HPT_E_STATE, "%s: trial %lld is already finished", fn,
                         (long long)id);
    return HPT_OK;
}

static int report_locked(hpt_study *s, int64_t id, double step, double value,
                         int32_t *should_stop)
{
    const char *fn = "hpt_study_report";
    int rc = check_running(s, fn, id);
    if (rc)
        return rc;
    if (!isfinite(step) || !isfinite(value))
        return hpti_fail(s->errmsg, HPT_E_INVALID,
                         "%s: trial %lld: step and value must be finite (%g, %g)", fn,
                         (long long)id, step, value);
    double loss = hpti_study_sign(s) * value;
    if (hpti_history_add_report(&s->hist, id, step, loss))
        return hpti_fail(s->errmsg, HPT_E_NOMEM, "%s: out of memory", fn);
    int stop = 0;
    if (s->ptype && s->ptype->should_stop &&
        (!s->horizon.on || hpti_horizon_mask(&s->horizon, &s->hist, id))) {
        stop = s->ptype->should_stop(s->pstate, &s->env, id, step, loss) ? 1 : 0;
        if (s->horizon.on)
            hpti_horizon_unmask(&s->horizon, &s->hist, id);
    }
    if (should_stop)
        *should_stop = stop;
    return hpti_journal_report(s, id, step, value);
}

int hpt_study_report(hpt_study *s, int64_t id, double step, double value,
                     int32_t *should_stop)
{
    hpti_clear_error();
    if (should_stop)
        *should_stop = 0;
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_study_report: study is NULL");
    lock(s);
    int rc = hpti_change_begin(s, "hpt_study_report");
    if (!rc)
        rc = report_locked(s, id, step, value, should_stop);
    hpti_change_end(s);
    unlock(s);
    return rc;
}

/* Order of the best trial: values at different budgets do not compare
 * (multi-fidelity strategies run most trials on a fraction of the resource),
 * so a trial trained with more beats any trained with less; budget 0 means
 * full training, the most. Equal budgets: the lower loss, then the lower
 * id (as hpt_study_top_k), so that the best does not depend on which of
 * two equal trials was told first. */
static int beats(const hpti_trial *a, const hpti_trial *b)
{
    double ba = a->budget > 0 ? a->budget : INFINITY;
    double bb = b->budget > 0 ? b->budget : INFINITY;
    if (ba != bb)
        return ba > bb;
    return a->loss < b->loss || (a->loss == b->loss && a < b);
}

/* Move a running trial to a final state and keep the counters and the best
 * trial current. The best is the best feasible one, and there is none with
 * several objectives (hpt_study_best says so; the front is computed on
 * demand, pareto.c). */
static void finish(hpt_study *s, int64_t id, int32_t state)
{
    hpti_trial *t = &s->trials[id];
    double row[HPT_MAX_OBJECTIVES + HPT_MAX_CONSTRAINTS];
    for (size_t k = 0; k < s->hist.n_obj; k++)
        row[k] = hpti_study_sign_k(s, k) * t->v[k];
    for (size_t j = 0; j < s->hist.n_con; j++)
        row[s->hist.n_obj + j] = t->v[s->hist.n_obj + j];
    row[0] = t->loss; /* pruned: the last report, v[0] too */
    t->state = state;
    s->n_running--;
    hpti_history_finish(&s->hist, id, state, row);
    if (state == HPT_TRIAL_COMPLETE) {
        s->n_complete++;
        if (s->hist.n_obj == 1 && hpti_study_feasible(s, id) &&
            (s->best < 0 || beats(t, &s->trials[s->best])))
            s->best = id;
    } else if (state == HPT_TRIAL_FAILED)
        s->n_failed++;
    else
        s->n_pruned++;
    hpti_completion_finished(s, id);
    /* in the reproducible mode the strategy learns of it from the view */
    if (s->type->observe && !s->horizon.on)
        s->type->observe(s->sstate, &s->env, id);
}

/* The tells: n objective values and m constraint values, which must be
 * the study's counts (hpt_study_tell is n = 1, m = 0). */
static int tell_locked(hpt_study *s, const char *fn, int64_t id, const double *values,
                       size_t n, const double *cons, size_t m)
{
    int rc = check_running(s, fn, id);
    if (rc)
        return rc;
    if (n != s->hist.n_obj || m != s->hist.n_con)
        return hpti_fail(s->errmsg, HPT_E_INVALID,
                         "%s: trial %lld: %zu objective and %zu constraint values told, "
                         "the study has %zu objective%s and %zu constraint%s",
                         fn, (long long)id, n, m, s->hist.n_obj, s->hist.n_obj == 1 ? "" : "s",
                         s->hist.n_con, s->hist.n_con == 1 ? "" : "s");
    for (size_t k = 0; k < n + m; k++) {
        double x = k < n ? values[k] : cons[k - n];
        if (!isfinite(x))
            return hpti_fail(s->errmsg, HPT_E_INVALID,
                             "%s: trial %lld: %s %zu must be finite, not %g (tell a "
                             "failure with hpt_study_tell_failed)",
                             fn, (long long)id, k < n ? "value" : "constraint",
                             k < n ? k : k - n, x);
    }
    hpti_trial *t = &s->trials[id];
    memcpy(t->v, values, n * sizeof *values);
    if (m)
        memcpy(t->v + n, cons, m * sizeof *cons);
    t->loss = hpti_study_sign(s) * values[0];
    finish(s, id, HPT_TRIAL_COMPLETE);
    return hpti_journal_tell(s, id, t->v, n + m);
}

int hpt_study_tell(hpt_study *s, int64_t id, double value)
{
    const char *fn = "hpt_study_tell";
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: study is NULL", fn);
    lock(s);
    int rc = hpti_change_begin(s, fn);
    if (!rc)
        rc = tell_locked(s, fn, id, &value, 1, NULL, 0);
    hpti_change_end(s);
    unlock(s);
    return rc;
}

int hpt_study_tell_values(hpt_study *s, int64_t id, const double *values, size_t n)
{
    const char *fn = "hpt_study_tell_values";
    hpti_clear_error();
    if (!s || !values)
        return hpti_study_fail(s, HPT_E_INVALID, "%s: NULL argument", fn);
    lock(s);
    int rc = hpti_change_begin(s, fn);
    if (!rc)
        rc = tell_locked(s, fn, id, values, n, NULL, 0);
    hpti_change_end(s);
    unlock(s);
    return rc;
}

int hpt_study_tell_constrained(hpt_study *s, int64_t id, const double *values, size_t n,
                               const double *constraints, size_t m)
{
    const char *fn = "hpt_study_tell_constrained";
    hpti_clear_error();
    if (!s || !values || (!constraints && m))
        return hpti_study_fail(s, HPT_E_INVALID, "%s: NULL argument", fn);
    lock(s);
    int rc = hpti_change_begin(s, fn);
    if (!rc)
        rc = tell_locked(s, fn, id, values, n, constraints, m);
    hpti_change_end(s);
    unlock(s);
    return rc;
}

int hpt_study_tell_failed(hpt_study *s, int64_t id, const char *reason)
{
    const char *fn = "hpt_study_tell_failed";
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: study is NULL", fn);
    lock(s);
    int rc = hpti_change_begin(s, fn);
    if (!rc)
        rc = check_running(s, fn, id);
    if (!rc && reason && reason[0]) {
        size_t n = strnlen(reason, MAX_REASON);
        char *r = hpti_malloc(n + 1);
        if (!r)
            rc = hpti_fail(s->errmsg, HPT_E_NOMEM, "%s: out of memory", fn);
        else {
            memcpy(r, reason, n);
            r[n] = '\0';
            s->trials[id].fail_reason = r;
        }
    }
    if (!rc) {
        finish(s, id, HPT_TRIAL_FAILED);
        rc = hpti_journal_fail(s, id, s->trials[id].fail_reason);
    }
    hpti_change_end(s);
    unlock(s);
    return rc;
}

int hpt_study_prune(hpt_study *s, int64_t id)
{
    const char *fn = "hpt_study_prune";
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: study is NULL", fn);
    lock(s);
    int rc = hpti_change_begin(s, fn);
    if (!rc)
        rc = check_running(s, fn, id);
    if (!rc) {
        hpti_trial *t = &s->trials[id];
        const hpti_curve *c = &s->hist.curve[id];
        if (c->n == 0)
            finish(s, id, HPT_TRIAL_FAILED);
        else {
            t->loss = c->loss[c->n - 1];
            t->v[0] = hpti_study_sign(s) * t->loss;
            finish(s, id, HPT_TRIAL_PRUNED);
        }
        rc = hpti_journal_prune(s, id);
    }
    hpti_change_end(s);
    unlock(s);
    return rc;
}

/* ---- trials and results -------------------------------------------------------- */

int hpt_study_trial_count(const hpt_study *s, int64_t *count)
{
    hpti_clear_error();
    if (!s || !count)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_study_trial_count: NULL argument");
    lock(s);
    *count = (int64_t)s->n_trials;
    unlock(s);
    return HPT_OK;
}

int hpt_trial_params(const hpt_study *s, int64_t id, double *values, size_t n)
{
    const char *fn = "hpt_trial_params";
    hpti_clear_error();
    if (!s || !values)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: NULL argument", fn);
    lock(s);
    int rc = check_trial(s, fn, id);
    if (!rc && n != s->dim)
        rc = FAIL(s, HPT_E_INVALID, "%s: n is %zu, the space has %zu parameters", fn, n,
                  s->dim);
    if (!rc) {
        unsigned char active[HPT_MAX_PARAMS];
        hpti_space_active(s->space, s->trials[id].x, active);
        for (size_t i = 0; i < n; i++)
            values[i] = active[i] ? s->trials[id].x[i] : NAN;
    }
    unlock(s);
    return rc;
}

/* Shared by the typed getters: find the parameter, check its type and that
 * it is active. type -1 (hpt_trial_active): any type, *x = 1 if active. */
static int named(const hpt_study *s, const char *fn, int64_t id, const char *name,
                 int32_t type, double *x)
{
    size_t i;
    int rc = check_trial(s, fn, id);
    if (rc)
        return rc;
    for (i = 0; i < s->dim; i++)
        if (strcmp(s->space->p[i].name, name) == 0)
            break;
    if (i == s->dim)
        return FAIL(s, HPT_E_NAME, "%s: no parameter '%.64s'", fn, name);
    if (type >= 0 && s->space->p[i].type != type)
        return FAIL(s, HPT_E_TYPE, "%s: parameter '%s' is not a%s", fn, name,
                    type == HPT_PARAM_FLOAT ? " float"
                    : type == HPT_PARAM_INT ? "n integer"
                                            : " categorical");
    unsigned char active[HPT_MAX_PARAMS];
    hpti_space_active(s->space, s->trials[id].x, active);
    if (type < 0) /* hpt_trial_active */
        *x = active[i];
    else if (!active[i])
        return FAIL(s, HPT_E_INACTIVE,
                    "%s: parameter '%s' is not active in trial %lld (its conditions do "
                    "not hold)",
                    fn, name, (long long)id);
    else
        *x = s->trials[id].x[i];
    return HPT_OK;
}

int hpt_trial_active(const hpt_study *s, int64_t id, const char *name, int32_t *active)
{
    double a;
    hpti_clear_error();
    if (!s || !name || !active)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_trial_active: NULL argument");
    lock(s);
    int rc = named(s, "hpt_trial_active", id, name, -1, &a);
    if (!rc)
        *active = (int32_t)a;
    unlock(s);
    return rc;
}

int hpt_trial_float(const hpt_study *s, int64_t id, const char *name, double *out)
{
    hpti_clear_error();
    if (!s || !name || !out)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_trial_float: NULL argument");
    lock(s);
    int rc = named(s, "hpt_trial_float", id, name, HPT_PARAM_FLOAT, out);
    unlock(s);
    return rc;
}

int hpt_trial_int(const hpt_study *s, int64_t id, const char *name, int64_t *out)
{
    double x;
    hpti_clear_error();
    if (!s || !name || !out)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_trial_int: NULL argument");
    lock(s);
    int rc = named(s, "hpt_trial_int", id, name, HPT_PARAM_INT, &x);
    if (!rc)
        *out = (int64_t)x;
    unlock(s);
    return rc;
}

int hpt_trial_categorical(const hpt_study *s, int64_t id, const char *name,
                          const char **out)
{
    double x;
    size_t i;
    hpti_clear_error();
    if (!s || !name || !out)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_trial_categorical: NULL argument");
    lock(s);
    int rc = named(s, "hpt_trial_categorical", id, name, HPT_PARAM_CATEGORICAL, &x);
    if (!rc) {
        hpt_space_index(s->space, name, &i);
        *out = s->space->p[i].choices[(size_t)x];
    }
    unlock(s);
    return rc;
}

int hpt_trial_state(const hpt_study *s, int64_t id, int32_t *state)
{
    hpti_clear_error();
    if (!s || !state)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_trial_state: NULL argument");
    lock(s);
    int rc = check_trial(s, "hpt_trial_state", id);
    if (!rc)
        *state = s->trials[id].state;
    unlock(s);
    return rc;
}

int hpt_trial_value(const hpt_study *s, int64_t id, double *value)
{
    const char *fn = "hpt_trial_value";
    hpti_clear_error();
    if (!s || !value)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: NULL argument", fn);
    lock(s);
    int rc = check_trial(s, fn, id);
    if (!rc) {
        const hpti_trial *t = &s->trials[id];
        if (t->state == HPT_TRIAL_COMPLETE || t->state == HPT_TRIAL_PRUNED)
            *value = t->v[0];
        else
            rc = FAIL(s, HPT_E_STATE, "%s: trial %lld has no value (%s)", fn, (long long)id,
                      t->state == HPT_TRIAL_RUNNING ? "running" : "failed");
    }
    unlock(s);
    return rc;
}

int hpt_trial_budget(const hpt_study *s, int64_t id, double *budget, int64_t *resume_from)
{
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_trial_budget: study is NULL");
    lock(s);
    int rc = check_trial(s, "hpt_trial_budget", id);
    if (!rc) {
        if (budget)
            *budget = s->trials[id].budget;
        if (resume_from)
            *resume_from = s->trials[id].parent;
    }
    unlock(s);
    return rc;
}

int hpt_trial_report_count(const hpt_study *s, int64_t id, int64_t *count)
{
    hpti_clear_error();
    if (!s || !count)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_trial_report_count: NULL argument");
    lock(s);
    int rc = check_trial(s, "hpt_trial_report_count", id);
    if (!rc)
        *count = (int64_t)s->hist.curve[id].n;
    unlock(s);
    return rc;
}

int hpt_trial_report(const hpt_study *s, int64_t id, int64_t k, double *step,
                     double *value)
{
    const char *fn = "hpt_trial_report";
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: study is NULL", fn);
    lock(s);
    int rc = check_trial(s, fn, id);
    if (!rc && (k < 0 || (uint64_t)k >= s->hist.curve[id].n))
        rc = FAIL(s, HPT_E_INVALID, "%s: trial %lld has no report %lld", fn, (long long)id,
                  (long long)k);
    if (!rc) {
        if (step)
            *step = s->hist.curve[id].step[k];
        if (value)
            *value = hpti_study_sign(s) * s->hist.curve[id].loss[k];
    }
    unlock(s);
    return rc;
}

int hpt_trial_fail_reason(const hpt_study *s, int64_t id, const char **reason)
{
    hpti_clear_error();
    if (!s || !reason)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_trial_fail_reason: NULL argument");
    lock(s);
    int rc = check_trial(s, "hpt_trial_fail_reason", id);
    if (!rc)
        *reason = s->trials[id].fail_reason ? s->trials[id].fail_reason : "";
    unlock(s);
    return rc;
}

int hpt_study_best(const hpt_study *s, int64_t *id, double *value)
{
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_study_best: study is NULL");
    lock(s);
    int rc = HPT_OK;
    if (s->hist.n_obj > 1)
        rc = FAIL(s, HPT_E_MULTI,
                  "hpt_study_best: the study has %zu objectives, so no single best "
                  "trial: use hpt_study_pareto",
                  s->hist.n_obj);
    else if (s->best < 0)
        rc = FAIL(s, HPT_E_EMPTY, "hpt_study_best: %s",
                  s->hist.n_con && s->n_complete ? "no complete trial is feasible yet"
                                            : "no trial is complete yet");
    else {
        if (id)
            *id = s->best;
        if (value)
            *value = s->trials[s->best].v[0];
    }
    unlock(s);
    return rc;
}

const char *hpt_study_errmsg(const hpt_study *s) { return s ? s->errmsg : ""; }

const char *hpt_study_done_reason(const hpt_study *s)
{
    hpti_clear_error();
    if (!s)
        return "";
    lock(s);
    const char *r = s->done.reason ? s->done.reason : "";
    unlock(s);
    return r;
}
