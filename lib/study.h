/* study.h -- the study's internals, read (never written) by strategies and
 * pruners. The study is the one owner of trials. */
#ifndef HPT_STUDY_H
#define HPT_STUDY_H

#include <pthread.h>

#include "common.h"
#include "completion.h"
#include "pruner.h"
#include "rng.h"
#include "sink.h"
#include "space.h"
#include "strategy.h"

/* User attributes (attr.c): n keys and values, owned. */
typedef struct {
    size_t n, cap;
    char **key, **value;
} hpti_attrs;
void hpti_attrs_free(hpti_attrs *a);
/* The value of key, or NULL. */
const char *hpti_attrs_get(const hpti_attrs *a, const char *key);

typedef struct {
    int32_t state;       /* HPT_TRIAL_* */
    double *x;           /* dim values in space order (owned)            */
    double *u;           /* dim unit coordinates of x (same allocation)  */
    double budget;       /* 0 = full training                           */
    int64_t parent;      /* trial continued, or -1                       */
    double value;        /* as told, user's direction (complete/pruned)  */
    double loss;         /* value for minimization: value or -value      */
    size_t n_reports, cap_reports;
    double *rep_step;    /* owned, n_reports steps                       */
    double *rep_loss;    /* owned, reported values as losses             */
    char *fail_reason;   /* owned, NULL unless failed with a reason      */
    hpti_attrs attrs;    /* hpt_trial_set_attr                           */
} hpti_trial;

struct hpt_study {
    pthread_mutex_t lock;
    hpt_space *space;    /* owned copy */
    size_t dim;
    int32_t direction;   /* HPT_MINIMIZE / HPT_MAXIMIZE */
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

    /* hpt_study_enqueue (enqueue.c): configurations asked before the
     * strategy's own, first in first out; dim values each, NaN = free */
    double *queue;       /* owned, rows queue_head .. queue_n - 1 pending */
    size_t queue_head, queue_n, queue_cap;
    hpti_attrs attrs;    /* hpt_study_set_attr (attr.c) */

    /* Observations that are not trials of this study (warm start from
     * parent studies): n_prior points in this space's unit cube with their
     * losses. Models treat them like complete trials; they never count as
     * trials, never become `best` and are never re-proposed. */
    size_t n_prior, cap_prior;
    double *prior_u;     /* owned, n_prior * dim, row-major */
    double *prior_loss;  /* owned, n_prior */
    /* (Warm-start points are encoded with this study's codec without
     * clamping: a parent point outside a narrowed range keeps a coordinate
     * outside [0,1], so models must accept such inputs.) */

    /* ---- durability: sink, warm start, completion (durable.h is the
     * study's side; journal.c, replay.c, warmstart.c, completion.c) ---- */
    hpti_sink sink;               /* owned; the journal when made by
                                     hpt_study_open, else none            */
    int replaying;                /* rebuilding from the sink's record: its
                                     events are noted, not written        */
    struct hpti_warm *warm;       /* owned; NULL until warm start is used */
    void (*warm_free)(struct hpti_warm *w); /* set with warm (warmstart.c) */
    hpti_completion done;         /* completion criteria and their state  */
    /* Results of parent studies on a *related* objective (HPT_WARM_TRANSFER):
     * they inform a prior, never count as observations. Intended use (the
     * bayes strategy): fit a GP on each parent's points, in order, the
     * residuals of one on the next (stacked GPs, Golovin et al. 2017,
     * "Google Vizier", sec. 3.3), and use the stack's mean as the prior mean
     * of the GP on this study's own trials, so new data always dominates.
     * Strategies without a model ignore them. */
    size_t n_transfer, cap_transfer;
    double *transfer_u;        /* owned, n_transfer * dim, may be outside [0,1] */
    double *transfer_loss;     /* owned, n_transfer, losses of this direction  */
    int32_t *transfer_parent;  /* owned, n_transfer: parent 0, 1, ... (call order) */

    char errmsg[HPTI_MSG];
};

/* The study's own options ("max_trials", the completion criteria,
 * "pruner"; study.c), values in struct hpt_study. */
extern const hpti_option hpti_study_options[];
extern const size_t hpti_study_n_options;

/* Seed for a component's private generator: every component draws from its
 * own stream of the study seed, so adding draws to one never shifts another. */
enum { HPTI_STREAM_STRATEGY = 1, HPTI_STREAM_PRUNER = 2, HPTI_STREAM_MODEL = 3 };

/* Sign that turns a user value into a loss. */
static inline double hpti_study_sign(const struct hpt_study *s)
{
    return s->direction == HPT_MAXIMIZE ? -1.0 : 1.0;
}

#endif
