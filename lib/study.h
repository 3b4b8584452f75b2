/* study.h -- the study's internals. The study is the one owner of trials;
 * strategies and pruners never include this file: they see the study's
 * history (history.h) through an hpti_env (strategy.h). */
#ifndef HPT_STUDY_H
#define HPT_STUDY_H

#include <pthread.h>

#include "attrs.h"
#include "common.h"
#include "completion.h"
#include "history.h"
#include "horizon.h"
#include "pruner.h"
#include "queue.h"
#include "rng.h"
#include "sink.h"
#include "space.h"
#include "strategy.h"
#include "wallclock.h"

/* A trial as the host sees it. Its unit coordinates and reported curve
 * live in the history (hist.u, hist.curve), the rows strategies read. */
typedef struct {
    int32_t state;       /* HPT_TRIAL_* */
    double *x;           /* dim values in space order (owned)            */
    double budget;       /* 0 = full training                           */
    int64_t parent;      /* trial continued, or -1                       */
    double loss;         /* v[0] for minimization: v[0] or -v[0]        */
    double *v;           /* n_obj values (user's directions) then n_con
                            constraint values as told; in x's block, after
                            its dim values; NaN until told; v[0] is the
                            value (complete/pruned)                      */
    char *fail_reason;   /* owned, NULL unless failed with a reason      */
    hpti_attrs attrs;    /* hpt_trial_set_attr                           */
    double asked, finished; /* Unix seconds (wallclock.h), NaN unknown/running */
} hpti_trial;

struct hpt_study {
    pthread_mutex_t lock;
    hpt_space *space;    /* owned copy */
    size_t dim;
    /* Objectives and constraints (objectives.c): the directions of
     * hist.n_obj objectives (directions[0], HPT_MINIMIZE / HPT_MAXIMIZE,
     * the creation's until set), hist.n_con constraints: the shape is the
     * history's (history.h). */
    int32_t directions[HPT_MAX_OBJECTIVES];
    uint64_t seed;
    int started;         /* first ask happened: options are frozen */

    const hpti_strategy_type *type;
    void *sstate;        /* owned, type->state_size bytes */
    const hpti_pruner_type *ptype; /* NULL = no pruner */
    void *pstate;
    int pruner_choice;   /* option "pruner": 0 = none, else ptype's index + 1 */

    int64_t max_trials;  /* 0 = unlimited */

    hpti_trial *trials;  /* owned, n_trials used of cap_trials */
    size_t n_trials, cap_trials;
    int64_t n_running, n_complete, n_failed, n_pruned;
    int64_t best;        /* id of the best complete trial, or -1 */
    /* max_resource_total: resource of trials [0, resource_counted) (durable.h) */
    double resource_asked;
    size_t resource_counted;

    /* hpt_study_enqueue (enqueue.c): configurations asked before the
     * strategy's own, first in first out; dim values each, NaN = free */
    hpti_queue queue;
    hpti_attrs attrs;    /* hpt_study_set_attr (attr.c) */

    /* What strategies and pruners see: unit coordinates, losses, curves
     * and warm-start data (history.h), and the env their hooks get. Warm
     * starts from parent studies add observations that are not trials of
     * this study (hist.n_prior priors): models treat them like complete
     * trials; they never count as trials, never become `best` and are
     * never re-proposed. (They are encoded with this study's codec without
     * clamping: a parent point outside a narrowed range keeps a coordinate
     * outside [0,1], so models must accept such inputs.) */
    hpti_history hist;
    hpti_env env;
    /* "parallel.reproducible": from the first ask with q > 0, env.hist is
     * horizon.view, the masked history (horizon.h) */
    hpti_horizon horizon;
    double *propose_u;   /* owned, dim: the proposal being made */

    /* ---- durability: sink, warm start, completion (durable.h is the
     * study's side; journal.c, replay.c, warmstart.c, completion.c) ---- */
    hpti_sink sink;               /* owned; the journal when made by
                                     hpt_study_open, else none            */
    int replaying;                /* rebuilding from the sink's record: its
                                     events are noted, not written        */
    /* The ask record being replayed (replay.c sets it around the ask it
     * replays): its proposal is the truth, and with a recorded state a
     * strategy with a restore hook is restored instead of proposing. */
    const struct hpti_replay_ask *replay_ask;
    hpti_snapw snap;              /* the last live ask's strategy state   */
    struct hpti_warm *warm;       /* owned; NULL until warm start is used */
    void (*warm_free)(struct hpti_warm *w); /* set with warm (warmstart.c) */
    hpti_completion done;         /* completion criteria and their state  */
    hpti_wallclock wall;          /* this session's wall-clock anchor     */
    hpti_wallclock file_wall;     /* the journal's latest "clock" record:
                                   * the anchor of other writers' records
                                   * that follow; when it is not this
                                   * session's, the next timed event
                                   * records this session's again        */
    int64_t replay_ms;            /* replaying: the record's active time  */
    /* Results of parent studies on a *related* objective (HPT_WARM_TRANSFER)
     * are hist.transfer_*: they inform a prior, never count as
     * observations. Intended use (the bayes strategy): fit a GP on each
     * parent's points, in order, the residuals of one on the next (stacked
     * GPs, Golovin et al. 2017, "Google Vizier", sec. 3.3), and use the
     * stack's mean as the prior mean of the GP on this study's own trials,
     * so new data always dominates. Strategies without a model ignore them. */

    char errmsg[HPTI_MSG];
};

/* A recorded ask: unit coordinates (dim), budget, parent, and the
 * strategy's state bytes (NULL: none recorded). */
typedef struct hpti_replay_ask {
    const double *u;
    double budget;
    int64_t parent;
    const unsigned char *state;
    size_t state_len;
} hpti_replay_ask;

/* The study's own options ("max_trials", the completion criteria,
 * "pruner"; study.c), values in struct hpt_study. */
extern const hpti_option hpti_study_options[];
extern const size_t hpti_study_n_options;

/* Fail a public call on study s (may be NULL) before its lock is taken,
 * e.g. for a NULL argument: the message goes to this thread's last error
 * and, under s's lock, to s's message, so that a concurrent call holding
 * the lock never races on the buffer. Never call with the lock held.
 * @return status. (study.c) */
int hpti_study_fail(const struct hpt_study *s, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* on_front[i] = 1 for the trials of hpt_study_pareto, else 0 (n_trials
 * bytes). The lock held. @return HPT_OK or HPT_E_NOMEM. (objectives.c) */
int hpti_study_front(const struct hpt_study *s, unsigned char *on_front);

/* Several objectives or constraints: the exports add their columns. */
static inline int hpti_study_shaped(const struct hpt_study *s)
{
    return s->hist.n_obj > 1 || s->hist.n_con > 0;
}

/* Sign that turns a user value into a loss. */
static inline double hpti_study_sign(const struct hpt_study *s)
{
    return s->directions[0] == HPT_MAXIMIZE ? -1.0 : 1.0;
}

/* Sign that turns objective k's user value into a loss. */
static inline double hpti_study_sign_k(const struct hpt_study *s, size_t k)
{
    return s->directions[k] == HPT_MAXIMIZE ? -1.0 : 1.0;
}

/* Trial id is complete and within every constraint (<= 0). */
static inline int hpti_study_feasible(const struct hpt_study *s, int64_t id)
{
    return hpti_history_feasible(&s->hist, id);
}

/* hpt_trial_feasible of a finished trial: complete and within every
 * constraint; a pruned trial when there are no constraints (it violates
 * none); never a failed one. */
static inline int hpti_study_finished_feasible(const struct hpt_study *s, int64_t id)
{
    int32_t st = s->hist.state[id];
    return st == HPT_TRIAL_COMPLETE  ? hpti_study_feasible(s, id)
           : st == HPT_TRIAL_PRUNED ? s->hist.n_con == 0
                                    : 0;
}

#endif
