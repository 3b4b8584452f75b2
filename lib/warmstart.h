/* warmstart.h -- warm-start observations of a study (warmstart.c), for
 * hpt_study_warm_start and for replay.c, which restores them from the
 * study's own journal. */
#ifndef HPT_WARMSTART_H
#define HPT_WARMSTART_H

#include "study.h"

/* Add one warm-start observation (kind HPT_WARM_*, parent index, a value
 * row of the history's layout, dim coordinates). @return HPT_OK or
 * HPT_E_NOMEM. */
int hpti_warm_add(hpt_study *s, int32_t kind, int32_t parent, const double *row,
                  const double *u);
/* Record a finished warm-start call (counts and summary). */
int hpti_warm_note(hpt_study *s, int32_t kind, int64_t used, int64_t skipped,
                   const char *summary);

#endif
