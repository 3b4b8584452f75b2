/* completion.h -- when a study is complete: the options "max_seconds",
 * "target_value", "patience" (and "max_trials", owned by study.c) and the
 * strategy's own HPT_DONE, with the reason reported by
 * hpt_study_done_reason. Lives inside struct hpt_study (study.h). */
#ifndef HPT_COMPLETION_H
#define HPT_COMPLETION_H

#include <time.h>

#include "common.h"

typedef struct {
    double max_seconds;     /* 0 = no limit                                  */
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

struct hpt_study;

/* Active seconds of the study now (see `base`). */
double hpti_completion_elapsed(const struct hpt_study *s);
/* Start the clock (first ask, or resume) from `base` seconds. */
void hpti_completion_clock_start(struct hpt_study *s, double base);

#endif
