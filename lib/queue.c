/* queue.c -- the rows hpt_study_enqueue holds for the next asks (see
 * queue.h and enqueue.c). */
#include <math.h>
#include <string.h>

#include "queue.h"

void hpti_queue_free(hpti_queue *q)
{
    hpti_free(q->row);
    memset(q, 0, sizeof *q);
}

int hpti_queue_push(hpti_queue *q, size_t dim, const double *v)
{
    if (hpti_grow((void **)&q->row, &q->cap, q->n + 1, dim * sizeof *q->row))
        return HPT_E_NOMEM;
    memcpy(q->row + q->n * dim, v, dim * sizeof *v);
    q->n++;
    return HPT_OK;
}

static const double *front(const hpti_queue *q, size_t dim)
{
    return q->head < q->n ? q->row + q->head * dim : NULL;
}

int hpti_queue_fixed(const hpti_queue *q, const hpt_space *sp)
{
    const double *v = front(q, sp->n);
    unsigned char st[HPT_MAX_PARAMS];
    if (!v)
        return 0;
    hpti_space_active_partial(sp, v, st);
    for (size_t i = 0; i < sp->n; i++)
        if (isnan(v[i]) && st[i] != 2)
            return 0;
    return 1;
}

int hpti_queue_front_u(const hpti_queue *q, const hpt_space *sp, double *u)
{
    const double *v = front(q, sp->n);
    if (!v)
        return 0;
    for (size_t i = 0; i < sp->n; i++)
        u[i] = isnan(v[i]) ? NAN : hpti_param_encode(&sp->p[i], v[i]);
    return 1;
}

int hpti_queue_apply(hpti_queue *q, const hpt_space *sp, hpti_proposal *p, int rc,
                     int proposed, const double **given)
{
    const double *v = front(q, sp->n);
    *given = NULL;
    if (!v || rc < 0 || (proposed && rc == HPT_OK && p->parent >= 0))
        return rc;
    if (!proposed || rc != HPT_OK) {
        /* no proposal to fill the free coordinates from (a grid that is
         * done, hyperband waiting): their middle */
        for (size_t i = 0; i < sp->n; i++)
            p->u[i] = 0.5;
        p->budget = 0;
        p->parent = -1;
    }
    for (size_t i = 0; i < sp->n; i++)
        if (!isnan(v[i]))
            p->u[i] = hpti_param_encode(&sp->p[i], v[i]);
    /* the row stays in place until the next push, which needs the lock */
    *given = v;
    if (++q->head == q->n)
        q->head = q->n = 0;
    return HPT_OK;
}
