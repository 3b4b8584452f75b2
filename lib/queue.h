/* queue.h -- the configurations hpt_study_enqueue holds for the next asks
 * (enqueue.c fills it, study.c's ask drains it), first in first out: rows
 * of dim values in hpt_trial_params order, NaN = the strategy chooses. */
#ifndef HPT_QUEUE_H
#define HPT_QUEUE_H

#include "space.h"
#include "strategy.h"

typedef struct {
    double *row;             /* owned, rows head .. n - 1 pending, dim values each */
    size_t head, n, cap;
} hpti_queue;

void hpti_queue_free(hpti_queue *q);
/* Append one row of dim values. @return HPT_OK or HPT_E_NOMEM (unchanged). */
int hpti_queue_push(hpti_queue *q, size_t dim, const double *v);
/* 1 when the next row decides every active parameter: ask does not call
 * propose. */
int hpti_queue_fixed(const hpti_queue *q, const hpt_space *sp);
/* The next row's values as unit coordinates into u (dim values, NaN
 * stays NaN = free). @return 1, or 0 (u untouched) when the queue is
 * empty. */
int hpti_queue_front_u(const hpti_queue *q, const hpt_space *sp, double *u);
/* After propose (proposed = 1, rc its status) or instead of it: put the
 * next row into *p and drop it from the queue; *given = its values (NaN =
 * free; valid until the next push), or NULL. @return rc unchanged when the
 * queue is empty, rc < 0 or p continues a trial; else HPT_OK. */
int hpti_queue_apply(hpti_queue *q, const hpt_space *sp, hpti_proposal *p, int rc,
                     int proposed, const double **given);

#endif
