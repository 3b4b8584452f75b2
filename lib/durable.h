/* durable.h -- the hooks study.c calls for the journal, the completion
 * criteria and warm start. Each is cheap when the feature is unused, so
 * study.c calls them unconditionally; they run with the study locked. */
#ifndef HPT_DURABLE_H
#define HPT_DURABLE_H

#include "study.h"

/* ---- ask (completion.c) ---- */
/* Before propose: HPT_OK to go on, HPT_DONE (message and reason set) when
 * a completion criterion is met, HPT_E_IO when the journal failed before. */
int hpti_completion_check(hpt_study *s);
/* propose returned HPT_DONE: record the strategy's reason. */
void hpti_completion_strategy_done(hpt_study *s);
/* Trial id just finished (from finish(), before the strategy observes). */
void hpti_completion_finished(hpt_study *s, int64_t id);

/* ---- journal records (journal.c): append after a successful call; no-op
 * without a journal. @return HPT_OK or HPT_E_IO (the call took effect in
 * memory but is not on disk: the journal is closed for good, later
 * changes fail with HPT_E_IO, reopen the journal to resume). ---- */
int hpti_journal_set(hpt_study *s, const char *option, double value);
int hpti_journal_set_str(hpt_study *s, const char *option, const char *value);
int hpti_journal_ask(hpt_study *s, int64_t id);
int hpti_journal_report(hpt_study *s, int64_t id, double step, double value);
int hpti_journal_tell(hpt_study *s, int64_t id, double value);
int hpti_journal_fail(hpt_study *s, int64_t id, const char *reason);
int hpti_journal_prune(hpt_study *s, int64_t id);
int hpti_journal_enqueue(hpt_study *s, const double *values);
/* id -1: the study's attribute */
int hpti_journal_attr(hpt_study *s, int64_t id, const char *key, const char *value);

/* ---- ask (enqueue.c) ---- */
/* 1 when the next enqueued configuration decides every active parameter:
 * ask does not call propose. */
int hpti_queue_fixed(const hpt_study *s);
/* After propose (proposed = 1, rc its status) or instead of it: put the
 * next enqueued configuration into *p and drop it from the queue; *given =
 * its values (NaN = free; valid until the study is unlocked), or NULL.
 * @return rc unchanged when the queue is empty, rc < 0 or p continues a
 * trial; else HPT_OK. */
int hpti_queue_apply(hpt_study *s, hpti_proposal *p, int rc, int proposed,
                     const double **given);

/* Release the journal (closing the file and its lock), warm-start and
 * transfer data (durable.c). */
void hpti_durable_free(hpt_study *s);

#endif
