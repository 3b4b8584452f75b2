/* reproducible.c -- hpt_mpi_set_reproducible: the study's reproducible
 * mode with q = the job's worker ranks (hpt.h, "Reproducibility"). The
 * mode itself is the core library's; the coordinator already holds asks
 * that meet HPT_WAIT, which is all a worker needs. */
#include "impl.h"

int hpt_mpi_set_reproducible(hpt_mpi *h)
{
    if (!h)
        return HPT_E_INVALID;
    if (!h->study)
        return hptm_fail(h, HPT_E_INVALID,
                         "hpt_mpi_set_reproducible: only on the coordinator");
    int64_t workers = 0;
    for (int i = 0; i < h->size; i++)
        workers += i != h->coordinator && h->roles[i] == HPT_MPI_WORKER;
    if (workers == 0)
        return hptm_fail(h, HPT_E_INVALID, "hpt_mpi_set_reproducible: the job has no worker");
    int rc = hpt_study_set(h->study, "parallel.reproducible", (double)workers);
    if (rc)
        return hptm_fail(h, rc, "hpt_mpi_set_reproducible: %s", hpt_study_errmsg(h->study));
    return HPT_OK;
}
