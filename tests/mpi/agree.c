/* agree.c -- mpirun -np 3: one rank's bad argument to hpt_mpi_create fails
 * every rank, none is left blocked in a collective.
 *
 * In turn, rank 2 alone passes a coordinator out of range, out = NULL, or
 * a coordinator that is a valid rank but not the one the others name; the
 * coordinator alone passes no study. Every rank must return HPT_E_INVALID
 * with no handle (the bad rank with its own reason, the others saying
 * another rank failed), and a correct create afterwards still works. A
 * regression hangs instead, which check_mpi's timeout turns into a
 * failure. */
#include "mpitest.h"

enum { BAD_COORD, BAD_OUT, OTHER_COORD, NO_STUDY };

static void one_bad(int how, const char *want_msg)
{
    hpt_space *sp = mt_space();
    hpt_study *st = mt_rank == 0 && how != NO_STUDY ? mt_study(sp, "random", 1, 4) : NULL;
    hpt_mpi *h = NULL;
    int bad = how == NO_STUDY ? mt_rank == 0 : mt_rank == 2;
    int coord = bad && how == BAD_COORD ? 99 : bad && how == OTHER_COORD ? 1 : 0;
    int rc = hpt_mpi_create(MPI_COMM_WORLD, coord, HPT_MPI_WORKER, st, sp,
                            bad && how == BAD_OUT ? NULL : &h);
    MT_CHECK(rc == HPT_E_INVALID && h == NULL, "case %d: create gave %d (%s)", how, rc,
             hpt_mpi_errmsg(NULL));
    const char *msg = hpt_mpi_errmsg(NULL);
    if (how == OTHER_COORD) /* every rank sees the disagreement itself */
        MT_CHECK(strstr(msg, want_msg) != NULL, "case %d: message '%s'", how, msg);
    else
        MT_CHECK(strstr(msg, bad ? want_msg : "another rank") != NULL,
                 "case %d: message '%s'", how, msg);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int size;
    MPI_Comm_rank(MPI_COMM_WORLD, &mt_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MT_CHECK(size == 3, "run with 3 ranks");

    one_bad(BAD_COORD, "not a rank");
    one_bad(BAD_OUT, "out is NULL");
    one_bad(OTHER_COORD, "different coordinators");
    one_bad(NO_STUDY, "needs its study");

    /* The failed attempts left nothing behind: a real job runs. */
    hpt_space *sp = mt_space();
    hpt_study *st = mt_rank == 0 ? mt_study(sp, "random", 1, 6) : NULL;
    hpt_mpi *h = NULL;
    MT_OK(hpt_mpi_create(MPI_COMM_WORLD, 0, HPT_MPI_WORKER, st, sp, &h), NULL);
    hpt_space_destroy(sp);
    if (mt_rank == 0) {
        MT_STATUS(hpt_mpi_serve(h), HPT_DONE, h);
        int64_t complete, failed, n = mt_account(st, &complete, &failed);
        MT_CHECK(n == 6 && complete == 6, "%lld trials, %lld complete", (long long)n,
                 (long long)complete);
        printf("agree: a bad coordinator, out = NULL, a different coordinator on one rank "
               "or no study on the coordinator fail every rank; then a job runs\n");
    } else {
        int64_t id;
        double v[MT_DIM];
        int rc;
        while ((rc = hpt_mpi_ask(h, &id, v, MT_DIM, NULL, NULL)) == HPT_OK)
            MT_OK(hpt_mpi_tell(h, id, mt_objective(v)), h);
        MT_STATUS(rc, HPT_DONE, h);
    }
    hpt_mpi_destroy(h);
    hpt_study_destroy(st);
    MPI_Finalize();
    return 0;
}
