/* tail.h -- several writers on one journal: before each change a study
 * takes in the records that the journal's other writers appended since it
 * last looked, under the append lock, and gives the lock back after its
 * own record (tail.c). */
#ifndef HPT_TAIL_H
#define HPT_TAIL_H

#include <sys/types.h>

#include "journal.h"

struct hpt_study;

/* Before a change, the study's mutex held: on a journaled study, check
 * that this process may write, take the append lock (none with
 * "journal.exclusive") and apply the records others appended. No-op
 * without a journal and while replaying. @return HPT_OK, or a status with
 * the study's message prefixed by fn (HPT_E_LOCKED in a fork()ed child,
 * HPT_E_IO, HPT_E_CORRUPT, HPT_E_MISMATCH, HPT_E_NOMEM); the lock is not
 * held then. */
int hpti_tail_begin(struct hpt_study *s, const char *fn);
/* After it: renew the lease when due, give the lock back. */
void hpti_tail_end(struct hpt_study *s);

/* replay.c: apply every line of r (the tail of the journal at path) to
 * the study, as a resume does; *keep = end of the last line applied
 * whole (0 when none). @return as the resume. */
int hpti_replay_lines(struct hpt_study *s, hpti_jread *r, const char *path, off_t *keep,
                      char *note);

#endif
