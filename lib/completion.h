/* completion.h -- when a study is complete: the options "max_seconds",
 * "target_value", "patience" (and "max_trials", owned by study.c) and the
 * strategy's own HPT_DONE, with the reason reported by
 * hpt_study_done_reason. The state lives inside struct hpt_study
 * (study.h); these functions see only it and what the study tells them,
 * never the study itself nor its journal. */
#ifndef HPT_COMPLETION_H
#define HPT_COMPLETION_H

#include <time.h>

#include "common.h"

typedef struct {
    double max_seconds;     /* 0 = no limit                                  */
    double max_resource;    /* "max_resource_total"; 0 = no limit            */
    double target;          /* NaN = none                                    */
    int64_t patience;       /* 0 = off                                       */
    int64_t since_best;     /* complete trials since the best last improved  */
    /* Active time: seconds accumulated before the clock last (re)started,
     * plus CLOCK_MONOTONIC time since then while clock_on. Restored from
     * the journal on resume, so max_seconds spans process restarts (the
     * time the job was down does not count). */
    double base;
    struct timespec t0;
    int clock_on;
    const char *reason;     /* static; "" until an ask returned HPT_DONE    */
} hpti_completion;

/* What the criteria look at, from the study, at an ask. */
typedef struct {
    int64_t n_trials, max_trials; /* max_trials 0 = unlimited               */
    int64_t best;                 /* best complete trial, or -1             */
    double resource;              /* resource of the trials asked so far    */
    double best_value;            /* its value, in the user's direction     */
    int maximize;
    int replaying;                /* rebuilding from a record: the clock
                                     stays as it is, time does not count    */
} hpti_completion_view;

/* Active seconds now (see `base`). */
double hpti_clock_elapsed(const hpti_completion *c);
/* Start the clock (first ask, or resume) from `base` seconds. */
void hpti_clock_start(hpti_completion *c, double base);

/* 1 when a limit (0 = none) set to v is not lower than old. */
static inline int hpti_limit_raised(double old, double v)
{
    return v == 0 || (old != 0 && v >= old);
}

/* Before the strategy proposes: HPT_OK to go on, or HPT_DONE with msg and
 * c->reason set. */
int hpti_criteria_check(hpti_completion *c, const hpti_completion_view *v, char *msg);
/* A trial finished complete; improved = it became the best. */
void hpti_criteria_finished(hpti_completion *c, int improved);

#endif
