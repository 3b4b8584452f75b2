/* export.h -- writing a study's trials to a file (CSV in export.c, JSON in
 * export_json.c). */
#ifndef HPT_EXPORT_H
#define HPT_EXPORT_H

#include <stdio.h>

#include "hpt.h"

/* Write path with write(s, f) under the study's lock: aside and renamed over
 * a regular file, in place for anything else that exists (a pipe,
 * /dev/stdout). write returns 0, or -1 when out of memory (HPT_E_NOMEM).
 * fn names the public function in messages. */
/* A trial state as exports name it. */
static inline const char *hpti_trial_state_name(int32_t st)
{
    switch (st) {
    case HPT_TRIAL_RUNNING: return "running";
    case HPT_TRIAL_COMPLETE: return "complete";
    case HPT_TRIAL_FAILED: return "failed";
    default: return "pruned";
    }
}

int hpti_export_file(const hpt_study *s, const char *path, const char *fn,
                     int (*write)(const hpt_study *, FILE *));

#endif
