/* errors.c -- libhpt_mpi's messages: per handle, or thread-local for a
 * failed hpt_mpi_create (no handle exists to hold it). */
#include <stdio.h>

#include "impl.h"

_Thread_local char hptm_create_msg[MSG];

int hptm_fail(hpt_mpi *h, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h ? h->errmsg : hptm_create_msg, MSG, fmt, ap);
    va_end(ap);
    return status;
}

int hptm_mpi_fail(hpt_mpi *h, int err, const char *what)
{
    char s[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(err, s, &len) != MPI_SUCCESS)
        snprintf(s, sizeof s, "MPI error %d", err);
    return hptm_fail(h, HPT_E_MPI, "%s failed: %s", what, s);
}

void hptm_copy_text(char *dst, const char *src)
{
    snprintf(dst, MSG, "%s", src ? src : "");
}

const char *hpt_mpi_errmsg(const hpt_mpi *h) { return h ? h->errmsg : hptm_create_msg; }

const char *hpt_mpi_strerror(int status)
{
    if (status == HPT_E_MPI)
        return "an MPI communication call failed";
    if (status == HPT_E_MPI_NOT_HELD)
        return "the trial is running, but was not handed to this worker";
    return hpt_strerror(status);
}
