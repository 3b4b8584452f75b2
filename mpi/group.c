/* group.c -- a trial trained by a group of ranks: the leader asks and
 * reports, the group learns its answer by broadcast. */
#include "impl.h"

/* Broadcast the leader's outcome (header, and values after a granted ask)
 * from group rank 0; every rank returns the leader's status. */
static int group_bcast(hpt_mpi *h, MPI_Comm group, rep_hdr *r, int with_values)
{
    size_t n = sizeof *r + (with_values ? h->dim * sizeof(double) : 0);
    memcpy(h->buf, r, sizeof *r);
    int e = MPI_Bcast(h->buf, (int)n, MPI_BYTE, 0, group);
    if (e != MPI_SUCCESS)
        return hptm_mpi_fail(h, e, "MPI_Bcast (group)");
    memcpy(r, h->buf, sizeof *r);
    r->msg[MSG - 1] = '\0';
    return HPT_OK;
}

static int group_rank(hpt_mpi *h, MPI_Comm group, int *gr)
{
    if (group == MPI_COMM_NULL)
        return hptm_fail(h, HPT_E_INVALID, "hpt_mpi group call: group is MPI_COMM_NULL");
    int e = MPI_Comm_rank(group, gr);
    return e == MPI_SUCCESS ? HPT_OK : hptm_mpi_fail(h, e, "MPI_Comm_rank (group)");
}

int hpt_mpi_ask_group(hpt_mpi *h, MPI_Comm group, int64_t *trial_id, double *values,
                      size_t n, double *budget, int64_t *resume_from)
{
    if (!h)
        return HPT_E_INVALID;
    int gr, rc = group_rank(h, group, &gr);
    if (rc)
        return rc;
    rep_hdr r;
    hptm_reply_init(&r, HPT_OK);
    int mine = HPT_OK, all;
    if (trial_id)
        *trial_id = -1;
    if (!trial_id || (!values && n > 0) || n != h->dim)
        mine = hptm_fail(h, HPT_E_INVALID, "hpt_mpi_ask_group: NULL argument or n is %zu, the "
                         "space has %zu parameters", n, h->dim);
    /* Every rank's checks before the leader asks: a trial the leader took
     * for a group whose member refused would be trained by part of the
     * group, and the next group call would block. */
    int e = MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, group);
    if (e != MPI_SUCCESS)
        return hptm_mpi_fail(h, e, "MPI_Allreduce (group)");
    if (all != HPT_OK)
        return mine != HPT_OK ? mine
                              : hptm_fail(h, all, "hpt_mpi_ask_group: failed on another rank "
                                          "of the group (%s)", hpt_strerror(all));
    double *x = (double *)(void *)(h->buf + sizeof r);
    if (gr == 0) {
        r.status = hpt_mpi_ask(h, &r.trial, values, n, &r.budget, &r.resume_from);
        if (r.status == HPT_OK)
            memmove(x, values, n * sizeof *values);
        else
            hptm_copy_text(r.msg, h->errmsg);
    }
    if ((rc = group_bcast(h, group, &r, 1)) != HPT_OK)
        return rc;
    if (r.status != HPT_OK && r.status != HPT_DONE)
        hptm_copy_text(h->errmsg, r.msg);
    *trial_id = r.status == HPT_OK ? r.trial : -1;
    if (r.status == HPT_OK) {
        if (gr != 0)
            memcpy(values, x, n * sizeof *values);
        if (budget)
            *budget = r.budget;
        if (resume_from)
            *resume_from = r.resume_from;
    }
    return r.status;
}

int hpt_mpi_report_group(hpt_mpi *h, MPI_Comm group, int64_t trial_id, double step,
                         double value, int32_t *should_stop)
{
    if (!h)
        return HPT_E_INVALID;
    int gr, rc = group_rank(h, group, &gr);
    if (rc)
        return rc;
    rep_hdr r;
    hptm_reply_init(&r, HPT_OK);
    if (gr == 0) {
        int32_t stop = 0;
        r.status = hpt_mpi_report(h, trial_id, step, value, &stop);
        r.should_stop = stop;
        if (r.status != HPT_OK)
            hptm_copy_text(r.msg, h->errmsg);
    }
    if ((rc = group_bcast(h, group, &r, 0)) != HPT_OK)
        return rc;
    if (r.status != HPT_OK)
        hptm_copy_text(h->errmsg, r.msg);
    if (should_stop)
        *should_stop = r.status == HPT_OK ? r.should_stop : 0;
    return r.status;
}

