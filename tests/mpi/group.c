/* group.c -- mpirun -np 5: a trial = a group of ranks.
 *
 * Rank 0 coordinates; ranks 1-2 and 3-4 form two groups (MPI_Comm_split).
 * Each group's leader is a WORKER, the other rank a MEMBER; they ask with
 * hpt_mpi_ask_group and report with hpt_mpi_report_group, and the leader
 * tells. Checked: both ranks of a group see the same trial id and the same
 * configuration bit for bit, every trial is told (or pruned) once, and the
 * stop decision of report_group is the same on every rank of the group
 * (with the "median" pruner when this build has it, so that stops happen). */
#include "mpitest.h"

enum { TRIALS = 24 };

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int size;
    MPI_Comm_rank(MPI_COMM_WORLD, &mt_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MT_CHECK(size == 5, "run with 5 ranks");

    MPI_Comm group = MPI_COMM_NULL;
    MPI_Comm_split(MPI_COMM_WORLD, mt_rank == 0 ? MPI_UNDEFINED : (mt_rank - 1) / 2, mt_rank,
                   &group);
    int grank = -1;
    if (group != MPI_COMM_NULL)
        MPI_Comm_rank(group, &grank);

    hpt_space *sp = mt_space();
    hpt_study *st = mt_rank == 0 ? mt_study(sp, "random", 99, TRIALS) : NULL;
    if (st) {
        int prc = hpt_study_set_str(st, "pruner", "median");
        MT_CHECK(prc == HPT_OK || prc == HPT_E_NAME, "pruner: %d", prc);
    }
    hpt_mpi *h = NULL;
    MT_OK(hpt_mpi_create(MPI_COMM_WORLD, 0, grank == 0 ? HPT_MPI_WORKER : HPT_MPI_MEMBER, st,
                         sp, &h), NULL);
    hpt_space_destroy(sp);

    long told = 0, total = 0;
    if (mt_rank == 0) {
        MT_STATUS(hpt_mpi_serve(h), HPT_DONE, h);
    } else {
        int64_t id;
        double v[MT_DIM], budget;
        int rc;
        /* A member cannot talk to the coordinator on its own. */
        if (grank != 0)
            MT_STATUS(hpt_mpi_ask(h, &id, v, MT_DIM, NULL, NULL), HPT_E_INVALID, h);
        while ((rc = hpt_mpi_ask_group(h, group, &id, v, MT_DIM, &budget, NULL)) == HPT_OK) {
            /* Same id and bits on both ranks of the group. */
            double mine[MT_DIM + 1], lo[MT_DIM + 1], hi[MT_DIM + 1];
            memcpy(mine, v, sizeof v);
            mine[MT_DIM] = (double)id;
            MPI_Allreduce(mine, lo, MT_DIM + 1, MPI_DOUBLE, MPI_MIN, group);
            MPI_Allreduce(mine, hi, MT_DIM + 1, MPI_DOUBLE, MPI_MAX, group);
            MT_CHECK(memcmp(lo, hi, sizeof lo) == 0, "group disagrees on trial %lld",
                     (long long)id);
            int32_t stop = 0, any = 0, all = 0;
            for (int step = 1; step <= 3 && !stop; step++) {
                /* Only the leader's value counts: members pass garbage. */
                double val = grank == 0 ? mt_objective(v) + 1.0 / step : NAN;
                MT_OK(hpt_mpi_report_group(h, group, id, step, val, &stop), h);
                MPI_Allreduce(&stop, &any, 1, MPI_INT32_T, MPI_MAX, group);
                MPI_Allreduce(&stop, &all, 1, MPI_INT32_T, MPI_MIN, group);
                MT_CHECK(any == all, "stop decision differs in the group");
            }
            if (grank == 0) {
                if (stop)
                    MT_OK(hpt_mpi_prune(h, id), h);
                else
                    MT_OK(hpt_mpi_tell(h, id, mt_objective(v)), h);
                told++;
            }
        }
        MT_STATUS(rc, HPT_DONE, h);
    }
    MPI_Reduce(&told, &total, 1, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    if (mt_rank == 0) {
        int64_t complete, failed, n = mt_account(st, &complete, &failed);
        MT_CHECK(n == TRIALS && failed == 0 && total == TRIALS,
                 "%lld trials, %lld complete, %ld told", (long long)n, (long long)complete,
                 total);
        printf("group: 2 groups of 2 ranks, %lld trials (%lld pruned), each trained by a "
               "whole group\n", (long long)n, (long long)(n - complete));
    }
    hpt_mpi_destroy(h);
    hpt_study_destroy(st);
    if (group != MPI_COMM_NULL)
        MPI_Comm_free(&group);
    MPI_Finalize();
    return 0;
}
