/* own.c -- mpirun -np 3: a worker finishes only the trials it holds.
 *
 * The coordinator asks two trials itself before serving (0 and 1: RUNNING,
 * handed out first), max_trials 3. Rank 1 gets trial 0; rank 2, before it
 * asks, tries to tell trial 1 (running, handed to nobody yet), then gets
 * trial 1 and tries to report on, tell, fail and prune rank 1's trial 0.
 * Every one of those is refused with HPT_E_MPI_NOT_HELD and changes
 * nothing: rank 1's own tell of trial 0 then succeeds and its value is the
 * one the study keeps. Rank 2 still holds trial 1 after its refused
 * attempts, so after HPT_DONE it may tell it, and hpt_mpi_serve returns
 * (under check_mpi's timeout) with every trial complete. */
#include "mpitest.h"

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int size;
    MPI_Comm_rank(MPI_COMM_WORLD, &mt_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MT_CHECK(size == 3, "run with 3 ranks");
    MPI_Comm wk; /* the two workers, to order their requests */
    MPI_Comm_split(MPI_COMM_WORLD, mt_rank == 0 ? MPI_UNDEFINED : 1, mt_rank, &wk);

    hpt_space *sp = NULL;
    MT_OK(hpt_space_create(&sp), NULL);
    MT_OK(hpt_space_add_float(sp, "x", 0.0, 1.0, HPT_SCALE_LINEAR), NULL);
    hpt_study *st = NULL;
    if (mt_rank == 0) {
        int64_t id;
        MT_OK(hpt_study_create(sp, "random", HPT_MINIMIZE, 3, &st), NULL);
        MT_OK(hpt_study_set(st, "max_trials", 3), NULL);
        MT_OK(hpt_study_ask(st, &id), NULL);
        MT_OK(hpt_study_ask(st, &id), NULL);
    }
    hpt_mpi *h = NULL;
    MT_OK(hpt_mpi_create(MPI_COMM_WORLD, 0, HPT_MPI_WORKER, st, sp, &h), NULL);
    hpt_space_destroy(sp);

    if (mt_rank == 0) {
        MT_STATUS(hpt_mpi_serve(h), HPT_DONE, h);
        int64_t complete, failed, n = mt_account(st, &complete, &failed);
        MT_CHECK(n == 3 && complete == 3, "%lld trials, %lld complete", (long long)n,
                 (long long)complete);
        double v0 = -1, v1 = -1;
        MT_OK(hpt_trial_value(st, 0, &v0), NULL);
        MT_OK(hpt_trial_value(st, 1, &v1), NULL);
        MT_CHECK(v0 == 0.25 && v1 == 0.75, "trial 0 = %g (rank 1 told 0.25), trial 1 = %g "
                 "(rank 2 told 0.75)", v0, v1);
        printf("own: a worker's tell, report, fail and prune of a trial it does not hold "
               "are refused; the holder's results stand and serve returns\n");
    } else {
        int64_t id = -1, mine = -1;
        double x;
        int32_t stop = 7;
        if (mt_rank == 1) {
            MT_OK(hpt_mpi_ask(h, &mine, &x, 1, NULL, NULL), h);
            MT_CHECK(mine == 0, "rank 1 got trial %lld, want the orphan 0", (long long)mine);
        }
        MPI_Barrier(wk);
        if (mt_rank == 2) {
            MT_STATUS(hpt_mpi_tell(h, 1, 9.0), HPT_E_MPI_NOT_HELD, h);
            MT_CHECK(strstr(hpt_mpi_errmsg(h), "not handed to rank 2") != NULL, "message '%s'",
                     hpt_mpi_errmsg(h));
            MT_OK(hpt_mpi_ask(h, &mine, &x, 1, NULL, NULL), h);
            MT_CHECK(mine == 1, "rank 2 got trial %lld, want the orphan 1", (long long)mine);
            MT_STATUS(hpt_mpi_report(h, 0, 1, 5.0, &stop), HPT_E_MPI_NOT_HELD, h);
            MT_CHECK(stop == 0, "should_stop %d after a refused report", (int)stop);
            MT_STATUS(hpt_mpi_tell(h, 0, 123.0), HPT_E_MPI_NOT_HELD, h);
            MT_CHECK(strstr(hpt_mpi_errmsg(h), "held by rank 1") != NULL, "message '%s'",
                     hpt_mpi_errmsg(h));
            MT_STATUS(hpt_mpi_tell_failed(h, 0, "not mine"), HPT_E_MPI_NOT_HELD, h);
            MT_STATUS(hpt_mpi_prune(h, 0), HPT_E_MPI_NOT_HELD, h);
            MT_CHECK(strcmp(hpt_mpi_strerror(HPT_E_MPI_NOT_HELD),
                            hpt_strerror(HPT_E_MPI_NOT_HELD)) != 0, "strerror");
        }
        MPI_Barrier(wk);
        if (mt_rank == 1) {
            MT_OK(hpt_mpi_report(h, mine, 1, 0.5, &stop), h);
            MT_OK(hpt_mpi_tell(h, mine, 0.25), h);
            MT_OK(hpt_mpi_ask(h, &id, &x, 1, NULL, NULL), h);
            MT_CHECK(id == 2, "rank 1's second trial is %lld", (long long)id);
            MT_OK(hpt_mpi_tell(h, id, 0.5), h);
        }
        MPI_Barrier(wk);
        MT_STATUS(hpt_mpi_ask(h, &id, &x, 1, NULL, NULL), HPT_DONE, h);
        if (mt_rank == 2) /* still its own trial, after HPT_DONE */
            MT_OK(hpt_mpi_tell(h, mine, 0.75), h);
        MPI_Comm_free(&wk);
    }
    hpt_mpi_destroy(h);
    hpt_study_destroy(st);
    MPI_Finalize();
    return 0;
}
