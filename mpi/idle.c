/* idle.c -- how a rank waits for a message without taking a core from the
 * training ranks (hpt_mpi_set_idle). */
#include <math.h>
#include <time.h>

#include "impl.h"

/* With max_sleep > 0: poll without sleeping for the first SPIN seconds (a
 * reply, or the next request of a busy worker, comes within microseconds,
 * and a sleeping process may take milliseconds to be scheduled again), then
 * with naps that start at 20 us and double up to max_sleep: a rank that
 * waits long (a coordinator between requests, a worker held by HPT_WAIT)
 * leaves its core to the training ranks. */
#define SPIN 5e-5
int hptm_wait(hpt_mpi *h, MPI_Request *r, MPI_Status *st)
{
    if (h->max_sleep <= 0)
        return MPI_Wait(r, st);
    double nap = 20e-6, t0 = MPI_Wtime();
    for (unsigned spins = 0;; spins++) {
        int flag = 0, e = MPI_Test(r, &flag, st);
        if (e != MPI_SUCCESS || flag)
            return e;
        if (spins % 16 != 15 || MPI_Wtime() - t0 < SPIN)
            continue;
        struct timespec ts = {0, (long)(nap * 1e9)};
        nanosleep(&ts, NULL);
        nap = fmin(2 * nap, h->max_sleep);
    }
}

int hpt_mpi_set_idle(hpt_mpi *h, double max_sleep)
{
    if (!h)
        return HPT_E_INVALID;
    if (!(max_sleep >= 0 && max_sleep <= 1))
        return hptm_fail(h, HPT_E_INVALID, "hpt_mpi_set_idle: %g is not in [0, 1] seconds",
                         max_sleep);
    h->max_sleep = max_sleep;
    return HPT_OK;
}
