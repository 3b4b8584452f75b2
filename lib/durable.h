/* durable.h -- study.c's side of durability: the adapters through which
 * the study meets its completion criteria (completion.c) and its sink
 * (sink.h; the journal when there is one), and the hooks that emit one
 * event per change. Included by the study's own files only (study.c,
 * study_options.c): static inline and kept apart so that study.c reads as
 * the state machine; the study holds the lock when they run. Neither the
 * criteria nor the sink ever see the study. */
#ifndef HPT_DURABLE_H
#define HPT_DURABLE_H

#include <math.h>
#include <string.h>
#include <time.h>

#include "sink.h"
#include "study.h"
#include "tail.h"

/* ---- around every change: the journal's other writers (tail.c) ---- */

/* The study's mutex held: take in what other writers appended and keep
 * them out until hpti_change_end. @return HPT_OK or the call's failure. */
static inline int hpti_change_begin(hpt_study *s, const char *fn)
{
    return s->sink.ops ? hpti_tail_begin(s, fn) : HPT_OK;
}

static inline void hpti_change_end(hpt_study *s)
{
    if (s->sink.ops)
        hpti_tail_end(s);
}

/* ---- ask ---- */

/* The resource one trial costs: its budget (budget 0, one full training,
 * counts 1); a promotion resumes its parent's checkpoint, so it costs
 * only what it trains beyond the parent. */
static inline double hpti_trial_resource(const hpt_study *s, const hpti_trial *t)
{
    double b = t->budget > 0 ? t->budget : 1;
    if (t->parent < 0)
        return b;
    double pb = s->trials[t->parent].budget;
    pb = pb > 0 ? pb : 1;
    return b > pb ? b - pb : 0;
}

/* The resource of every trial asked. Summed lazily up to the last trial:
 * a replayed ask sets its recorded budget after the ask returned, and the
 * next check sees it. */
static inline double hpti_resource_asked(hpt_study *s)
{
    for (; s->resource_counted < s->n_trials; s->resource_counted++)
        s->resource_asked += hpti_trial_resource(s, &s->trials[s->resource_counted]);
    return s->resource_asked;
}

/* Before propose: HPT_OK to go on; HPT_DONE (message and reason set) when
 * a completion criterion is met; the sink's status when it cannot record
 * (HPT_E_IO after a failed write, HPT_E_LOCKED in a fork()ed child). */
static inline int hpti_completion_check(hpt_study *s)
{
    const hpti_sink_ops *o = s->sink.ops;
    int rc;
    if (!s->replaying && o && (rc = o->ready(s->sink.ctx, "hpt_study_ask", s->errmsg)))
        return rc;
    hpti_completion_view v = {(int64_t)s->n_trials, s->max_trials, s->best,
                              hpti_resource_asked(s),
                              s->best >= 0 ? s->trials[s->best].v[0] : NAN,
                              s->directions[0] == HPT_MAXIMIZE, s->replaying};
    return hpti_criteria_check(&s->done, &v, s->errmsg);
}

/* propose returned HPT_DONE: record the strategy's reason. */
static inline void hpti_completion_strategy_done(hpt_study *s)
{
    const char *r = s->type->done_reason ? s->type->done_reason(s->sstate) : NULL;
    s->done.reason = r ? r : "exhausted";
}

/* With several objectives a trial improves on the others when it is
 * feasible and no feasible trial completed before it dominates or equals
 * it (it enters the front). */
static inline int hpti_enters_front(const hpt_study *s, int64_t id)
{
    const hpti_history *h = &s->hist;
    if (!hpti_study_feasible(s, id))
        return 0;
    const double *v = h->value + (size_t)id * h->n_values;
    for (int64_t j = 0; j < (int64_t)h->n_trials; j++) {
        if (j == id || !hpti_study_feasible(s, j)) /* the others finished before */
            continue;
        const double *w = h->value + (size_t)j * h->n_values;
        size_t k = 0;
        while (k < h->n_obj && w[k] <= v[k])
            k++;
        if (k == h->n_obj)
            return 0;
    }
    return 1;
}

/* Trial id just finished (from finish(), which has already moved `best` to
 * id when id improved it, before the strategy observes). */
static inline void hpti_completion_finished(hpt_study *s, int64_t id)
{
    if (s->trials[id].state == HPT_TRIAL_COMPLETE)
        hpti_criteria_finished(&s->done, s->hist.n_obj == 1 ? s->best == id
                                         : s->done.patience && hpti_enters_front(s, id));
}


/* ---- events: after a successful call, one to the sink; no-op without
 * one. @return HPT_OK or the sink's status (the call took effect in
 * memory but is not recorded: for the journal, HPT_E_IO closes it for
 * good, later changes fail, reopen the journal to resume). ---- */

static inline int hpti_emit(hpt_study *s, hpti_event *ev)
{
    if (!s->sink.ops)
        return HPT_OK;
    ev->replayed = s->replaying;
    return s->sink.ops->emit(s->sink.ctx, ev, s->errmsg);
}

static inline int64_t hpti_emit_ms(const hpt_study *s)
{
    return (int64_t)llround(hpti_clock_elapsed(&s->done) * 1000.0);
}

/* The active time of a timed event (ask, report, tell, fail, prune): now,
 * or replaying, the record's. The first one of a session reads the wall
 * clock and records it first (wallclock.h). @return HPT_OK or the sink's
 * status (the anchor is kept in memory all the same). */
static inline int hpti_event_time(hpt_study *s, int64_t *ms)
{
    if (s->replaying) {
        *ms = s->replay_ms;
        return HPT_OK;
    }
    *ms = hpti_emit_ms(s);
    if (s->wall.set && s->file_wall.set && s->file_wall.ms == s->wall.ms &&
        s->file_wall.unix_ms == s->wall.unix_ms)
        return HPT_OK;
    if (!s->wall.set) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        s->wall = (hpti_wallclock){1, *ms,
                                   (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000};
    }
    /* First timed event of the session, or another writer's anchor came
     * last in the journal: the records that follow are this session's. */
    s->file_wall = s->wall;
    hpti_event ev = {.kind = HPTI_EV_CLOCK, .ms = s->wall.ms, .used = s->wall.unix_ms};
    return hpti_emit(s, &ev);
}

static inline int hpti_journal_set(hpt_study *s, const char *option, double value)
{
    if (strncmp(option, "journal.", 8) == 0)
        return HPT_OK; /* the sink's own settings belong to this process */
    hpti_event ev = {.kind = HPTI_EV_OPTION, .name = option, .value = value};
    return hpti_emit(s, &ev);
}

static inline int hpti_journal_set_str(hpt_study *s, const char *option, const char *value)
{
    hpti_event ev = {.kind = HPTI_EV_OPTION_STR, .name = option, .str = value};
    return hpti_emit(s, &ev);
}

static inline int hpti_journal_ask(hpt_study *s, int64_t id)
{
    hpti_trial *t = &s->trials[id];
    hpti_event ev = {.kind = HPTI_EV_ASK, .id = id, .budget = t->budget,
                     .parent = t->parent, .x = t->x, .dim = s->dim};
    if (!s->snap.oom && s->snap.n) {
        ev.state = s->snap.p;
        ev.state_len = s->snap.n;
    }
    int rc = hpti_event_time(s, &ev.ms);
    t->asked = hpti_wall_at(&s->wall, ev.ms);
    t->finished = NAN;
    return rc ? rc : hpti_emit(s, &ev);
}

static inline int hpti_journal_report(hpt_study *s, int64_t id, double step, double value)
{
    hpti_event ev = {.kind = HPTI_EV_REPORT, .id = id, .step = step, .value = value};
    int rc = hpti_event_time(s, &ev.ms);
    return rc ? rc : hpti_emit(s, &ev);
}

/* A trial's end: its time, kept as its finished time. */
static inline int hpti_trial_finished_at(hpt_study *s, int64_t id, int64_t *ms)
{
    int rc = hpti_event_time(s, ms);
    s->trials[id].finished = hpti_wall_at(&s->wall, *ms);
    return rc;
}

/* values: the trial's n_obj values then n_con constraints (nv of them) */
static inline int hpti_journal_tell(hpt_study *s, int64_t id, const double *values, size_t nv)
{
    hpti_event ev = {.kind = HPTI_EV_TELL, .id = id, .value = values[0], .values = values,
                     .n_values = nv};
    int rc = hpti_trial_finished_at(s, id, &ev.ms);
    return rc ? rc : hpti_emit(s, &ev);
}

static inline int hpti_journal_fail(hpt_study *s, int64_t id, const char *reason)
{
    hpti_event ev = {.kind = HPTI_EV_FAIL, .id = id, .str = reason};
    int rc = hpti_trial_finished_at(s, id, &ev.ms);
    return rc ? rc : hpti_emit(s, &ev);
}

static inline int hpti_journal_prune(hpt_study *s, int64_t id)
{
    hpti_event ev = {.kind = HPTI_EV_PRUNE, .id = id};
    int rc = hpti_trial_finished_at(s, id, &ev.ms);
    return rc ? rc : hpti_emit(s, &ev);
}

static inline int hpti_journal_enqueue(hpt_study *s, const double *values)
{
    hpti_event ev = {.kind = HPTI_EV_ENQUEUE, .x = values, .dim = s->dim};
    return hpti_emit(s, &ev);
}

/* hpt_study_set_objectives (directions of n objectives) or, directions
 * NULL, hpt_study_set_constraints (n constraints) */
static inline int hpti_journal_shape(hpt_study *s, const int32_t *directions, size_t n)
{
    hpti_event ev = {.kind = HPTI_EV_SHAPE, .directions = directions,
                     .n_values = directions ? n : 0, .used = (int64_t)n};
    return hpti_emit(s, &ev);
}

/* id -1: the study's attribute */
static inline int hpti_journal_attr(hpt_study *s, int64_t id, const char *key,
                                    const char *value)
{
    hpti_event ev = {.kind = HPTI_EV_ATTR, .id = id, .name = key, .str = value};
    return hpti_emit(s, &ev);
}

/* ---- release ---- */

/* The sink (closing the journal's file and lock) and the warm-start state
 * (the transfer data is the history's). */
static inline void hpti_durable_free(hpt_study *s)
{
    if (s->sink.ops)
        s->sink.ops->close(s->sink.ctx);
    s->sink.ops = NULL;
    if (s->warm && s->warm_free)
        s->warm_free(s->warm);
    s->warm = NULL;
}

#endif
