/* create.c -- a rank joins a distributed study (hpt_mpi_create) and leaves
 * it (hpt_mpi_destroy); the space every rank sees. */
#include <stdlib.h>

#include "impl.h"

static void release(hpt_mpi *h)
{
    if (h->comm != MPI_COMM_NULL)
        MPI_Comm_free(&h->comm);
    hpt_space_destroy(h->space);
    free(h->buf);
    free(h->roles);
    free(h);
}

/* Agree on a status over the handle's communicator: every rank gets the
 * lowest (the worst) one. */
static int agree(hpt_mpi *h, int local, int *all)
{
    int e = MPI_Allreduce(&local, all, 1, MPI_INT, MPI_MIN, h->comm);
    return e == MPI_SUCCESS ? HPT_OK : hptm_mpi_fail(h, e, "MPI_Allreduce");
}

/* The coordinator's own checks, and the space it will send: the study's,
 * which `space` (if given) must equal, so that what workers receive and
 * hpt_mpi_space reports is what the study hands out. */
static int check_coordinator(hpt_mpi *h, hpt_study *study, const hpt_space *space,
                             hptm_blob *b)
{
    const char *fn = "hpt_mpi_create";
    hpt_space *own = NULL;
    int rc, differ = 0;
    char why[MSG];
    if (!study)
        return hptm_fail(h, HPT_E_INVALID, "%s: the coordinator needs its study", fn);
    if ((rc = hpt_study_space(study, &own)) != HPT_OK)
        return hptm_fail(h, rc, "%s: cannot read the study's space: %s", fn,
                         hpt_study_errmsg(study));
    if (space && (rc = hptm_space_compare(space, own, &differ, why)) == HPT_OK && differ)
        rc = hptm_fail(h, HPT_E_INVALID, "%s: `space` is not the study's space: %s", fn, why);
    else if (rc == HPT_OK && (rc = hptm_space_pack(own, b)) != HPT_OK)
        hptm_fail(h, rc, "%s: cannot describe the space (%s)", fn, hpt_strerror(rc));
    else if (rc != HPT_OK)
        hptm_fail(h, rc, "%s: out of memory", fn);
    hpt_space_destroy(own);
    if (!rc) {
        h->study = study;
        if (!(h->roles = calloc((size_t)h->size, sizeof *h->roles)))
            rc = hptm_fail(h, HPT_E_NOMEM, "%s: out of memory", fn);
    }
    return rc;
}

/* Every rank's arguments are checked before the first collective that
 * depends on them, and the outcome is agreed on (with the coordinator's
 * rank: all ranks must name the same one), so that one rank's bad argument
 * fails every rank instead of leaving the others blocked in a collective
 * it never joins. Only a rank that cannot take part in any collective at
 * all (MPI not initialized, comm not a communicator) fails alone. */
static int agree_on_arguments(hpt_mpi *h, int coordinator, int local)
{
    /* An out-of-range rank has failed `local` already; 0 keeps the
     * negation below from overflowing. */
    int c = coordinator >= 0 && coordinator < h->size ? coordinator : 0;
    int mine[3] = {local, c, -c}, all[3];
    int e = MPI_Allreduce(mine, all, 3, MPI_INT, MPI_MIN, h->comm);
    if (e != MPI_SUCCESS)
        return hptm_mpi_fail(h, e, "MPI_Allreduce");
    if (all[0] != HPT_OK) {
        if (local == HPT_OK)
            hptm_fail(h, all[0], "hpt_mpi_create: failed on another rank (%s)",
                      hpt_strerror(all[0]));
        return all[0];
    }
    if (all[1] != -all[2])
        return hptm_fail(h, HPT_E_INVALID, "hpt_mpi_create: the ranks name different "
                         "coordinators (from %d to %d)", all[1], -all[2]);
    return HPT_OK;
}

/* After the arguments are agreed on: the roles to the coordinator, the
 * space description (b, on the coordinator) from it, and every rank
 * rebuilds the space and its reply buffer; each step's failure is agreed
 * on too. */
static int share(hpt_mpi *h, hptm_blob *b)
{
    const char *fn = "hpt_mpi_create";
    int is_coord = h->rank == h->coordinator, local = HPT_OK, all, rc;
    int e = MPI_Gather(&h->role, 1, MPI_INT32_T, h->roles, 1, MPI_INT32_T, h->coordinator,
                       h->comm);
    if (e != MPI_SUCCESS)
        return hptm_mpi_fail(h, e, "MPI_Gather");
    uint64_t len = b->n;
    if ((e = MPI_Bcast(&len, 1, MPI_UINT64_T, h->coordinator, h->comm)) != MPI_SUCCESS)
        return hptm_mpi_fail(h, e, "MPI_Bcast");
    if (!is_coord && len > 0 && !(b->p = malloc((size_t)len)))
        local = hptm_fail(h, HPT_E_NOMEM, "%s: out of memory", fn);
    if ((rc = agree(h, local, &all)) != HPT_OK)
        return rc;
    if (all != HPT_OK)
        return all;
    if ((e = MPI_Bcast(b->p, (int)len, MPI_BYTE, h->coordinator, h->comm)) != MPI_SUCCESS)
        return hptm_mpi_fail(h, e, "MPI_Bcast");
    if ((local = hptm_space_unpack(b->p, (size_t)len, &h->space)) != HPT_OK)
        hptm_fail(h, local, "%s: cannot rebuild the space (%s)", fn, hpt_strerror(local));
    if (!local) {
        h->dim = hpt_space_size(h->space);
        h->buf_size = sizeof(rep_hdr) + h->dim * sizeof(double);
        if (!(h->buf = calloc(1, h->buf_size)))
            local = hptm_fail(h, HPT_E_NOMEM, "%s: out of memory", fn);
    }
    if ((rc = agree(h, local, &all)) != HPT_OK)
        return rc;
    return all;
}

int hpt_mpi_create(MPI_Comm comm, int coordinator, int32_t role, hpt_study *study,
                   const hpt_space *space, hpt_mpi **out)
{
    const char *fn = "hpt_mpi_create";
    hptm_create_msg[0] = '\0';
    if (out)
        *out = NULL;
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    if (!init || fin)
        return hptm_fail(NULL, HPT_E_INVALID, "%s: MPI is not initialized (or finalized)", fn);
    if (comm == MPI_COMM_NULL)
        return hptm_fail(NULL, HPT_E_INVALID, "%s: comm is MPI_COMM_NULL", fn);
    int rank, size;
    if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS || MPI_Comm_size(comm, &size) != MPI_SUCCESS)
        return hptm_fail(NULL, HPT_E_INVALID, "%s: comm is not a valid communicator", fn);

    /* The handle exists on every rank, even one with bad arguments: it
     * carries that rank through the collectives to the common verdict. */
    hpt_mpi *h = calloc(1, sizeof *h);
    if (!h)
        return hptm_fail(NULL, HPT_E_NOMEM, "%s: out of memory", fn);
    h->comm = MPI_COMM_NULL;
    h->rank = rank;
    h->size = size;
    h->coordinator = coordinator;
    h->max_sleep = 1e-3;
    int e = MPI_Comm_dup(comm, &h->comm);
    if (e != MPI_SUCCESS) {
        h->comm = MPI_COMM_NULL;
        hptm_mpi_fail(h, e, "MPI_Comm_dup");
        hptm_fail(NULL, HPT_E_MPI, "%s: %s", fn, h->errmsg);
        release(h);
        return HPT_E_MPI;
    }
    MPI_Comm_set_errhandler(h->comm, MPI_ERRORS_RETURN);

    int is_coord = rank == coordinator, local = HPT_OK, rc;
    hptm_blob b = {0};
    h->role = is_coord ? HPT_MPI_MEMBER : role;
    if (!out)
        local = hptm_fail(h, HPT_E_INVALID, "%s: out is NULL", fn);
    else if (coordinator < 0 || coordinator >= size)
        local = hptm_fail(h, HPT_E_INVALID, "%s: coordinator %d is not a rank of comm "
                          "(size %d)", fn, coordinator, size);
    else if (is_coord)
        local = check_coordinator(h, study, space, &b);
    else if (role != HPT_MPI_WORKER && role != HPT_MPI_MEMBER)
        local = hptm_fail(h, HPT_E_INVALID, "%s: role must be HPT_MPI_WORKER or "
                          "HPT_MPI_MEMBER, not %d", fn, (int)role);
    if ((rc = agree_on_arguments(h, coordinator, local)) != HPT_OK)
        goto fail;
    if ((rc = share(h, &b)) != HPT_OK)
        goto fail;
    free(b.p);
    *out = h;
    return HPT_OK;
fail:
    free(b.p);
    hptm_copy_text(hptm_create_msg, h->errmsg[0] ? h->errmsg : "hpt_mpi_create failed");
    release(h);
    return rc;
}

void hpt_mpi_destroy(hpt_mpi *h)
{
    if (!h)
        return;
    hpt_mpi_leave(h);
    release(h);
}

int hpt_mpi_space(const hpt_mpi *h, const hpt_space **space)
{
    if (!h || !space)
        return h ? hptm_fail((hpt_mpi *)h, HPT_E_INVALID, "hpt_mpi_space: space is NULL")
                 : HPT_E_INVALID;
    *space = h->space;
    return HPT_OK;
}

