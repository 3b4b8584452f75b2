/* worker.c -- a worker's requests to the coordinator: ask, report, tell,
 * fail, prune, leave. */
#include <stdio.h>

#include "impl.h"

/* Send a request and wait for its reply; the reply header goes to *r and,
 * for a granted ask, the values stay in h->buf after it. */
static int call(hpt_mpi *h, const req_msg *q, rep_hdr *r)
{
    MPI_Request req;
    MPI_Status st;
    int e = MPI_Irecv(h->buf, (int)h->buf_size, MPI_BYTE, h->coordinator, TAG_REP, h->comm,
                      &req);
    if (e != MPI_SUCCESS)
        return hptm_mpi_fail(h, e, "MPI_Irecv (reply)");
    e = MPI_Send(q, (int)sizeof *q, MPI_BYTE, h->coordinator, TAG_REQ, h->comm);
    if (e != MPI_SUCCESS) {
        MPI_Cancel(&req);
        MPI_Request_free(&req);
        return hptm_mpi_fail(h, e, "MPI_Send (request)");
    }
    if ((e = hptm_wait(h, &req, &st)) != MPI_SUCCESS)
        return hptm_mpi_fail(h, e, "waiting for the coordinator's reply");
    int count = 0;
    MPI_Get_count(&st, MPI_BYTE, &count);
    if (count < (int)sizeof *r)
        return hptm_fail(h, HPT_E_MPI, "short reply from the coordinator (%d bytes)", count);
    memcpy(r, h->buf, sizeof *r);
    r->msg[MSG - 1] = '\0';
    h->held = r->held;
    if (r->status == HPT_OK && q->op == OP_ASK && (size_t)count != h->buf_size)
        return hptm_fail(h, HPT_E_MPI, "reply of %d bytes to an ask, want %zu", count,
                         h->buf_size);
    if (r->status != HPT_OK && r->status != HPT_DONE)
        hptm_copy_text(h->errmsg, r->msg);
    return r->status;
}

static int check_worker(hpt_mpi *h, const char *fn, int asking)
{
    if (h->rank == h->coordinator || h->role != HPT_MPI_WORKER)
        return hptm_fail(h, HPT_E_INVALID, "%s: rank %d is not a worker", fn, h->rank);
    if (h->left || (asking && h->got_done))
        return hptm_fail(h, HPT_E_STAGE, "%s: this worker %s", fn,
                         h->left ? "left the study" : "already received HPT_DONE");
    /* The coordinator may have stopped serving: no request it would not
     * wait for (a trial this worker does not hold) may block here. */
    if (h->got_done && h->held <= 0)
        return hptm_fail(h, HPT_E_STAGE,
                         "%s: the study is done and this worker holds no trial", fn);
    return HPT_OK;
}

int hpt_mpi_ask(hpt_mpi *h, int64_t *trial_id, double *values, size_t n, double *budget,
                int64_t *resume_from)
{
    const char *fn = "hpt_mpi_ask";
    if (!h)
        return HPT_E_INVALID;
    h->errmsg[0] = '\0';
    if (!trial_id || (!values && n > 0))
        return hptm_fail(h, HPT_E_INVALID, "%s: NULL argument", fn);
    *trial_id = -1;
    if (n != h->dim)
        return hptm_fail(h, HPT_E_INVALID, "%s: n is %zu, the space has %zu parameters", fn,
                         n, h->dim);
    int rc = check_worker(h, fn, 1);
    if (rc)
        return rc;
    req_msg q = {0};
    rep_hdr r;
    q.op = OP_ASK;
    q.trial = -1;
    rc = call(h, &q, &r);
    if (rc == HPT_DONE)
        h->got_done = 1;
    if (rc != HPT_OK)
        return rc;
    memcpy(values, h->buf + sizeof r, n * sizeof *values);
    *trial_id = r.trial;
    if (budget)
        *budget = r.budget;
    if (resume_from)
        *resume_from = r.resume_from;
    return HPT_OK;
}

static int finish(hpt_mpi *h, const char *fn, int32_t op, int64_t id, double step,
                  double value, const char *text, int32_t *should_stop)
{
    if (!h)
        return HPT_E_INVALID;
    h->errmsg[0] = '\0';
    int rc = check_worker(h, fn, 0);
    if (rc)
        return rc;
    req_msg q = {0};
    rep_hdr r;
    q.op = op;
    q.trial = id;
    q.step = step;
    q.value = value;
    if (text)
        snprintf(q.text, sizeof q.text, "%s", text);
    rc = call(h, &q, &r);
    if (should_stop)
        *should_stop = rc == HPT_OK ? r.should_stop : 0;
    return rc;
}

int hpt_mpi_report(hpt_mpi *h, int64_t id, double step, double value, int32_t *should_stop)
{
    return finish(h, "hpt_mpi_report", OP_REPORT, id, step, value, NULL, should_stop);
}

int hpt_mpi_tell(hpt_mpi *h, int64_t id, double value)
{
    return finish(h, "hpt_mpi_tell", OP_TELL, id, 0, value, NULL, NULL);
}

int hpt_mpi_tell_constrained(hpt_mpi *h, int64_t id, const double *values, size_t n,
                             const double *constraints, size_t m)
{
    const char *fn = "hpt_mpi_tell_constrained";
    if (!h)
        return HPT_E_INVALID;
    h->errmsg[0] = '\0';
    if (!values || (!constraints && m))
        return hptm_fail(h, HPT_E_INVALID, "%s: NULL argument", fn);
    if (n < 1 || n > HPT_MAX_OBJECTIVES || m > HPT_MAX_CONSTRAINTS)
        return hptm_fail(h, HPT_E_INVALID,
                         "%s: %zu objective and %zu constraint values (at most %d and %d)", fn,
                         n, m, HPT_MAX_OBJECTIVES, HPT_MAX_CONSTRAINTS);
    int rc = check_worker(h, fn, 0);
    if (rc)
        return rc;
    req_msg q = {0};
    rep_hdr r;
    q.op = OP_TELL;
    q.trial = id;
    q.value = values[0];
    q.n_obj = (int32_t)n;
    q.n_con = (int32_t)m;
    memcpy(q.values, values, n * sizeof *values);
    if (m)
        memcpy(q.values + n, constraints, m * sizeof *constraints);
    return call(h, &q, &r);
}

int hpt_mpi_tell_values(hpt_mpi *h, int64_t id, const double *values, size_t n)
{
    return hpt_mpi_tell_constrained(h, id, values, n, NULL, 0);
}

int hpt_mpi_tell_failed(hpt_mpi *h, int64_t id, const char *reason)
{
    return finish(h, "hpt_mpi_tell_failed", OP_FAIL, id, 0, 0, reason, NULL);
}

int hpt_mpi_prune(hpt_mpi *h, int64_t id)
{
    return finish(h, "hpt_mpi_prune", OP_PRUNE, id, 0, 0, NULL, NULL);
}

int hpt_mpi_leave(hpt_mpi *h)
{
    if (!h)
        return HPT_E_INVALID;
    /* After HPT_DONE the coordinator no longer counts on this worker, but
     * it still waits for the trials the worker holds: leave for those. */
    if (h->rank == h->coordinator || h->role != HPT_MPI_WORKER || h->left ||
        (h->got_done && h->held <= 0))
        return HPT_OK;
    req_msg q = {0};
    q.op = OP_LEAVE;
    q.trial = -1;
    h->left = 1;
    int e = MPI_Send(&q, (int)sizeof q, MPI_BYTE, h->coordinator, TAG_REQ, h->comm);
    return e == MPI_SUCCESS ? HPT_OK : hptm_mpi_fail(h, e, "MPI_Send (leave)");
}

