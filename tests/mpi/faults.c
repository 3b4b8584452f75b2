/* faults.c -- mpirun -np 4: failures and early exits are accounted for.
 *
 * Rank 1 trains normally and also checks that the coordinator's errors come
 * back to it as statuses with their messages (an unknown trial, a trial told
 * twice). Rank 2 reports every trial it gets as failed. Rank 3 takes one
 * trial and leaves without telling it. The coordinator must still finish:
 * every trial ends complete or failed, with the failure reasons given (or
 * "left" for rank 3's trial), and the study completes. */
#include "mpitest.h"

enum { TRIALS = 40 };

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int size;
    MPI_Comm_rank(MPI_COMM_WORLD, &mt_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MT_CHECK(size == 4, "run with 4 ranks");

    hpt_space *sp = mt_space();
    hpt_study *st = mt_rank == 0 ? mt_study(sp, "random", 11, TRIALS) : NULL;
    hpt_mpi *h = NULL;
    MT_OK(hpt_mpi_create(MPI_COMM_WORLD, 0, HPT_MPI_WORKER, st, sp, &h), NULL);
    hpt_space_destroy(sp);
    MT_OK(hpt_mpi_set_idle(h, 2e-4), h);
    MT_STATUS(hpt_mpi_set_idle(h, NAN), HPT_E_INVALID, h);

    long failed_here = 0, failed_total = 0;
    int64_t left_id = -1, id;
    double v[MT_DIM];
    int rc;
    if (mt_rank == 0) {
        MT_STATUS(hpt_mpi_serve(h), HPT_DONE, h);
    } else if (mt_rank == 1) {
        int first = 1;
        while ((rc = hpt_mpi_ask(h, &id, v, MT_DIM, NULL, NULL)) == HPT_OK) {
            if (first) {
                MT_STATUS(hpt_mpi_tell(h, 1000000, 1.0), HPT_E_TRIAL, h);
                MT_CHECK(strstr(hpt_mpi_errmsg(h), "no trial") != NULL, "message '%s'",
                         hpt_mpi_errmsg(h));
                MT_STATUS(hpt_mpi_tell(h, id, NAN), HPT_E_INVALID, h);
            }
            MT_OK(hpt_mpi_tell(h, id, mt_objective(v)), h);
            if (first)
                MT_STATUS(hpt_mpi_tell(h, id, 0.0), HPT_E_STATE, h);
            first = 0;
        }
        MT_STATUS(rc, HPT_DONE, h);
    } else if (mt_rank == 2) {
        while ((rc = hpt_mpi_ask(h, &id, v, MT_DIM, NULL, NULL)) == HPT_OK) {
            char why[64];
            snprintf(why, sizeof why, "rank 2 diverged on trial %lld", (long long)id);
            MT_OK(hpt_mpi_tell_failed(h, id, why), h);
            failed_here++;
        }
        MT_STATUS(rc, HPT_DONE, h);
    } else {
        MT_OK(hpt_mpi_ask(h, &left_id, v, MT_DIM, NULL, NULL), h);
        MT_OK(hpt_mpi_leave(h), h);
        MT_OK(hpt_mpi_leave(h), h); /* a no-op the second time */
        MT_STATUS(hpt_mpi_ask(h, &id, v, MT_DIM, NULL, NULL), HPT_E_STAGE, h);
        MT_STATUS(hpt_mpi_tell(h, left_id, 1.0), HPT_E_STAGE, h);
    }
    MPI_Reduce(&failed_here, &failed_total, 1, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Bcast(&left_id, 1, MPI_INT64_T, 3, MPI_COMM_WORLD);

    if (mt_rank == 0) {
        int64_t complete, failed, n = mt_account(st, &complete, &failed);
        MT_CHECK(n == TRIALS && failed == failed_total + 1 && complete + failed == n,
                 "%lld trials: %lld complete, %lld failed, rank 2 failed %ld",
                 (long long)n, (long long)complete, (long long)failed, failed_total);
        for (int64_t t = 0; t < n; t++) {
            int32_t state;
            const char *why;
            MT_OK(hpt_trial_state(st, t, &state), NULL);
            if (state != HPT_TRIAL_FAILED)
                continue;
            MT_OK(hpt_trial_fail_reason(st, t, &why), NULL);
            MT_CHECK(strstr(why, t == left_id ? "rank 3 left" : "rank 2 diverged"),
                     "trial %lld failed with '%s'", (long long)t, why);
        }
        printf("faults: %lld trials, %lld complete, %lld failed (%ld reported by a rank, "
               "1 left behind), study done\n",
               (long long)n, (long long)complete, (long long)failed, failed_total);
    }
    hpt_mpi_destroy(h);
    hpt_study_destroy(st);
    MPI_Finalize();
    return 0;
}
