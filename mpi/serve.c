/* serve.c -- the coordinator: hpt_mpi_serve answers the workers' requests
 * from the study until every worker is done. */
#include <stdio.h>
#include <stdlib.h>

#include "impl.h"

enum { CLIENT_NONE = 0, CLIENT_ACTIVE, CLIENT_DONE };

typedef struct {
    hpt_mpi *h;
    signed char *client;  /* per rank: CLIENT_* */
    int active;           /* clients that may still ask */
    int32_t *owner;       /* per trial id: the rank running it, or -1 */
    size_t n_owner;
    int64_t *held;        /* per rank: trials it runs (owner == rank) */
    int64_t outstanding;  /* trials handed out and not yet finished */
    int *waiting;         /* ranks held by HPT_WAIT, FIFO */
    int n_waiting;
    int64_t *orphans;     /* trials RUNNING when serving started */
    size_t n_orphans, next_orphan;
    int done;             /* the study answered HPT_DONE */
} server;

/* Every reply carries the count of trials the coordinator holds the worker
 * responsible for: the worker's own count could only guess it, and serve
 * waits on exactly this count before it may return. */
static int send_reply(server *sv, int dst, rep_hdr *r, int with_values)
{
    hpt_mpi *h = sv->h;
    r->held = sv->held[dst];
    memcpy(h->buf, r, sizeof *r);
    size_t n = sizeof *r + (with_values ? h->dim * sizeof(double) : 0);
    int e = MPI_Send(h->buf, (int)n, MPI_BYTE, dst, TAG_REP, h->comm);
    return e == MPI_SUCCESS ? HPT_OK : hptm_mpi_fail(h, e, "MPI_Send (reply)");
}

static int own(server *sv, int64_t id, int32_t rank)
{
    if ((uint64_t)id >= sv->n_owner) {
        size_t n = sv->n_owner ? sv->n_owner : 64;
        while (n <= (uint64_t)id)
            n *= 2;
        int32_t *p = realloc(sv->owner, n * sizeof *p);
        if (!p)
            return HPT_E_NOMEM;
        for (size_t i = sv->n_owner; i < n; i++)
            p[i] = -1;
        sv->owner = p;
        sv->n_owner = n;
    }
    sv->owner[id] = rank;
    sv->held[rank]++;
    sv->outstanding++;
    return HPT_OK;
}

/* A trial finished: it no longer counts as handed out. */
static void disown(server *sv, int64_t id)
{
    if (id >= 0 && (uint64_t)id < sv->n_owner && sv->owner[id] >= 0) {
        sv->held[sv->owner[id]]--;
        sv->owner[id] = -1;
        sv->outstanding--;
    }
}

static int32_t owner_of(const server *sv, int64_t id)
{
    return id >= 0 && (uint64_t)id < sv->n_owner ? sv->owner[id] : -1;
}

static int running(const server *sv, int64_t id)
{
    int32_t state = -1;
    return hpt_trial_state(sv->h->study, id, &state) == HPT_OK && state == HPT_TRIAL_RUNNING;
}

/* Answer an ask from src, or hold it (HPT_WAIT): at the back of the queue,
 * or at the front when it came from there. *held tells which. */
static int serve_ask(server *sv, int src, int front, int *held)
{
    hpt_mpi *h = sv->h;
    rep_hdr r;
    int64_t id = -1;
    int rc = HPT_E_STATE;
    *held = 0;
    hptm_reply_init(&r, HPT_OK);
    while (sv->next_orphan < sv->n_orphans) {
        int32_t state = -1;
        id = sv->orphans[sv->next_orphan++];
        if (hpt_trial_state(h->study, id, &state) == HPT_OK && state == HPT_TRIAL_RUNNING)
            break;
        id = -1;
    }
    rc = id >= 0 ? HPT_OK : hpt_study_ask(h->study, &id);
    if (rc == HPT_WAIT) {
        if (sv->outstanding > 0) {
            if (front) {
                memmove(sv->waiting + 1, sv->waiting, (size_t)sv->n_waiting * sizeof(int));
                sv->waiting[0] = src;
            } else
                sv->waiting[sv->n_waiting] = src;
            sv->n_waiting++;
            *held = 1;
            return HPT_OK;
        }
        rc = HPT_E_STATE;
        hptm_copy_text(r.msg, "hpt_mpi_ask: the strategy waits for running trials, but no "
                              "trial is running");
    } else if (rc == HPT_OK) {
        double *x = (double *)(void *)(h->buf + sizeof r);
        if ((rc = hpt_trial_params(h->study, id, x, h->dim)) != HPT_OK ||
            (rc = hpt_trial_budget(h->study, id, &r.budget, &r.resume_from)) != HPT_OK) {
            snprintf(r.msg, MSG, "hpt_mpi_ask: %s", hpt_study_errmsg(h->study));
            hpt_study_tell_failed(h->study, id, "hpt_mpi: cannot send the configuration");
        } else if ((rc = own(sv, id, src)) != HPT_OK) {
            hptm_copy_text(r.msg, "hpt_mpi_ask: coordinator out of memory");
            hpt_study_tell_failed(h->study, id, "hpt_mpi: coordinator out of memory");
        } else
            r.trial = id;
    } else if (rc == HPT_DONE) {
        sv->done = 1;
        if (sv->client[src] == CLIENT_ACTIVE) {
            sv->client[src] = CLIENT_DONE;
            sv->active--;
        }
    } else
        hptm_copy_text(r.msg, hpt_study_errmsg(h->study));
    r.status = rc;
    return send_reply(sv, src, &r, rc == HPT_OK);
}

/* After a trial finished: held asks may now get a trial (or HPT_DONE). */
static int serve_waiting(server *sv)
{
    while (sv->n_waiting > 0) {
        int src = sv->waiting[0], held, rc;
        sv->n_waiting--;
        memmove(sv->waiting, sv->waiting + 1, (size_t)sv->n_waiting * sizeof(int));
        if ((rc = serve_ask(sv, src, 1, &held)) != HPT_OK)
            return rc;
        if (held)
            break;
    }
    return HPT_OK;
}

static int serve_finish(server *sv, int src, const req_msg *q)
{
    hpt_mpi *h = sv->h;
    rep_hdr r;
    int rc;
    hptm_reply_init(&r, HPT_OK);
    r.trial = q->trial;
    /* Only the rank that asked a running trial may finish it (or report on
     * it); trials that are not running get the study's own answer. */
    int32_t holder = owner_of(sv, q->trial);
    if (holder != src && running(sv, q->trial)) {
        r.status = HPT_E_MPI_NOT_HELD;
        if (holder >= 0)
            snprintf(r.msg, MSG, "hpt_mpi: trial %lld is held by rank %d, not by rank %d",
                     (long long)q->trial, (int)holder, src);
        else
            snprintf(r.msg, MSG, "hpt_mpi: trial %lld was not handed to rank %d",
                     (long long)q->trial, src);
        return send_reply(sv, src, &r, 0);
    }
    switch (q->op) {
    case OP_REPORT:
        rc = hpt_study_report(h->study, q->trial, q->step, q->value, &r.should_stop);
        break;
    case OP_TELL: /* hpt_mpi_tell is hpt_study_tell, with its messages */
        rc = q->n_obj == 0 ? hpt_study_tell(h->study, q->trial, q->value)
             : q->n_obj < 0 || q->n_con < 0 ||
                     q->n_obj + q->n_con > HPT_MAX_OBJECTIVES + HPT_MAX_CONSTRAINTS
                 ? HPT_E_INVALID
                 : hpt_study_tell_constrained(h->study, q->trial, q->values,
                                              (size_t)q->n_obj, q->values + q->n_obj,
                                              (size_t)q->n_con);
        break;
    case OP_FAIL: rc = hpt_study_tell_failed(h->study, q->trial, q->text); break;
    default: rc = hpt_study_prune(h->study, q->trial); break;
    }
    if (rc != HPT_OK)
        hptm_copy_text(r.msg, hpt_study_errmsg(h->study));
    /* A trial that is no longer running (finished here, or by another
     * thread of this rank) no longer keeps serve waiting for this worker. */
    if (q->op != OP_REPORT && holder == src && (rc == HPT_OK || !running(sv, q->trial)))
        disown(sv, q->trial);
    r.status = rc;
    if ((rc = send_reply(sv, src, &r, 0)) != HPT_OK)
        return rc;
    return q->op == OP_REPORT ? HPT_OK : serve_waiting(sv);
}

static int serve_leave(server *sv, int src)
{
    hpt_mpi *h = sv->h;
    if (sv->client[src] == CLIENT_ACTIVE) {
        sv->client[src] = CLIENT_DONE;
        sv->active--;
    }
    char why[64];
    snprintf(why, sizeof why, "hpt_mpi: worker rank %d left", src);
    for (size_t id = 0; id < sv->n_owner; id++)
        if (sv->owner[id] == src) {
            hpt_study_tell_failed(h->study, (int64_t)id, why);
            disown(sv, (int64_t)id);
        }
    return serve_waiting(sv);
}

static int serve_loop(server *sv)
{
    hpt_mpi *h = sv->h;
    int rc = HPT_OK;
    while (sv->active > 0 || sv->outstanding > 0) {
        req_msg q;
        MPI_Request req;
        MPI_Status st;
        int e = MPI_Irecv(&q, (int)sizeof q, MPI_BYTE, MPI_ANY_SOURCE, TAG_REQ, h->comm, &req);
        if (e == MPI_SUCCESS)
            e = hptm_wait(h, &req, &st);
        if (e != MPI_SUCCESS)
            return hptm_mpi_fail(h, e, "hpt_mpi_serve: receiving a request");
        int src = st.MPI_SOURCE, held;
        q.text[MSG - 1] = '\0';
        if (sv->client[src] == CLIENT_NONE && q.op != OP_LEAVE) {
            /* A member rank (or the coordinator itself) cannot be served:
             * the coordinator did not count it among the workers. */
            rep_hdr r;
            hptm_reply_init(&r, HPT_E_INVALID);
            snprintf(r.msg, MSG, "hpt_mpi: rank %d did not join as HPT_MPI_WORKER", src);
            rc = send_reply(sv, src, &r, 0);
        } else if (q.op == OP_ASK)
            rc = serve_ask(sv, src, 0, &held);
        else if (q.op == OP_LEAVE)
            rc = serve_leave(sv, src);
        else if (q.op >= OP_REPORT && q.op <= OP_PRUNE)
            rc = serve_finish(sv, src, &q);
        else {
            rep_hdr r;
            hptm_reply_init(&r, HPT_E_INVALID);
            snprintf(r.msg, MSG, "hpt_mpi: unknown request %d from rank %d", (int)q.op, src);
            rc = send_reply(sv, src, &r, 0);
        }
        if (rc != HPT_OK)
            return rc;
    }
    return sv->done ? HPT_DONE : HPT_OK;
}

int hpt_mpi_serve(hpt_mpi *h)
{
    const char *fn = "hpt_mpi_serve";
    if (!h)
        return HPT_E_INVALID;
    if (h->rank != h->coordinator)
        return hptm_fail(h, HPT_E_INVALID, "%s: rank %d is not the coordinator (%d)", fn,
                         h->rank, h->coordinator);
    if (h->served)
        return hptm_fail(h, HPT_E_STAGE, "%s: already served", fn);
    h->served = 1;
    h->errmsg[0] = '\0';

    server sv = {0};
    sv.h = h;
    int rc = HPT_E_NOMEM;
    int64_t n = 0;
    sv.client = calloc((size_t)h->size, 1);
    sv.waiting = calloc((size_t)h->size, sizeof *sv.waiting);
    sv.held = calloc((size_t)h->size, sizeof *sv.held);
    if (!sv.client || !sv.waiting || !sv.held)
        goto out;
    for (int i = 0; i < h->size; i++)
        if (i != h->coordinator && h->roles[i] == HPT_MPI_WORKER) {
            sv.client[i] = CLIENT_ACTIVE;
            sv.active++;
        }
    /* Trials left running by an aborted run (a reopened journal) go out
     * first, so that each asked trial is finished exactly once. */
    if ((rc = hpt_study_trial_count(h->study, &n)) != HPT_OK) {
        hptm_fail(h, rc, "%s: %s", fn, hpt_study_errmsg(h->study));
        goto out;
    }
    rc = HPT_E_NOMEM;
    if (n > 0 && !(sv.orphans = malloc((size_t)n * sizeof *sv.orphans)))
        goto out;
    for (int64_t id = 0; id < n; id++) {
        int32_t state;
        if (hpt_trial_state(h->study, id, &state) == HPT_OK && state == HPT_TRIAL_RUNNING)
            sv.orphans[sv.n_orphans++] = id;
    }
    rc = serve_loop(&sv);
out:
    if (rc == HPT_E_NOMEM)
        hptm_fail(h, rc, "%s: out of memory", fn);
    free(sv.client);
    free(sv.waiting);
    free(sv.held);
    free(sv.owner);
    free(sv.orphans);
    return rc;
}

