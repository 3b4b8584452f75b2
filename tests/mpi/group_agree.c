/* group_agree.c -- mpirun -np 4: a bad argument on one rank of a group
 * fails hpt_mpi_ask_group on every rank of the group, before the leader
 * takes a trial.
 *
 * Rank 0 coordinates a study of 3 trials; ranks 1-3 are one group (leader
 * rank 1). In turn a member passes a wrong n, a member passes a NULL
 * trial id, and the leader passes a wrong n: every rank must get
 * HPT_E_INVALID with trial id -1 (the bad rank with its reason, the others
 * saying another rank failed). None of those asks may start a trial: the
 * group then trains the 3 trials, all of them complete with the leader's
 * values, and every rank sees HPT_DONE. Before the fix the leader got a
 * trial and the next group call blocked (check_mpi's timeout fails it). */
#include "mpitest.h"

enum { TRIALS = 3 };

static void bad_ask(hpt_mpi *h, MPI_Comm group, int grank, int bad_rank, int null_id)
{
    int64_t id = -7;
    double v[MT_DIM];
    int bad = grank == bad_rank;
    int rc = hpt_mpi_ask_group(h, group, bad && null_id ? NULL : &id, v,
                               bad && !null_id ? MT_DIM - 1 : MT_DIM, NULL, NULL);
    MT_CHECK(rc == HPT_E_INVALID, "bad rank %d (null id %d): ask_group gave %d", bad_rank,
             null_id, rc);
    MT_CHECK(bad && null_id ? id == -7 : id == -1, "trial id %lld after a refused ask",
             (long long)id);
    const char *msg = hpt_mpi_errmsg(h);
    MT_CHECK(strstr(msg, bad ? "NULL argument or n is" : "another rank of the group") != NULL,
             "message '%s'", msg);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int size;
    MPI_Comm_rank(MPI_COMM_WORLD, &mt_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MT_CHECK(size == 4, "run with 4 ranks");
    MPI_Comm group = MPI_COMM_NULL;
    MPI_Comm_split(MPI_COMM_WORLD, mt_rank == 0 ? MPI_UNDEFINED : 1, mt_rank, &group);
    int grank = -1;
    if (group != MPI_COMM_NULL)
        MPI_Comm_rank(group, &grank);

    hpt_space *sp = mt_space();
    hpt_study *st = mt_rank == 0 ? mt_study(sp, "random", 5, TRIALS) : NULL;
    hpt_mpi *h = NULL;
    MT_OK(hpt_mpi_create(MPI_COMM_WORLD, 0, grank == 0 ? HPT_MPI_WORKER : HPT_MPI_MEMBER, st,
                         sp, &h), NULL);
    hpt_space_destroy(sp);
    if (mt_rank == 0) {
        MT_STATUS(hpt_mpi_serve(h), HPT_DONE, h);
        int64_t complete, failed, n = mt_account(st, &complete, &failed);
        MT_CHECK(n == TRIALS && complete == TRIALS, "%lld trials, %lld complete (the refused "
                 "asks must not start any)", (long long)n, (long long)complete);
        for (int64_t id = 0; id < n; id++) {
            double v[MT_DIM], value;
            MT_OK(hpt_trial_params(st, id, v, MT_DIM), NULL);
            MT_OK(hpt_trial_value(st, id, &value), NULL);
            MT_CHECK(value == mt_objective(v), "trial %lld value %g", (long long)id, value);
        }
        printf("group_agree: a bad argument on a member or the leader fails ask_group on the "
               "whole group without starting a trial; the group then trains all %d\n", TRIALS);
    } else {
        bad_ask(h, group, grank, 1, 0); /* a member's n */
        bad_ask(h, group, grank, 2, 1); /* a member's NULL trial id */
        bad_ask(h, group, grank, 0, 0); /* the leader's n */
        int64_t id;
        double v[MT_DIM];
        int rc, got = 0;
        while ((rc = hpt_mpi_ask_group(h, group, &id, v, MT_DIM, NULL, NULL)) == HPT_OK) {
            got++;
            int32_t stop;
            MT_OK(hpt_mpi_report_group(h, group, id, 1, mt_objective(v), &stop), h);
            if (grank == 0)
                MT_OK(hpt_mpi_tell(h, id, mt_objective(v)), h);
        }
        MT_STATUS(rc, HPT_DONE, h);
        MT_CHECK(got == TRIALS && id == -1, "%d trials, id %lld", got, (long long)id);
    }
    hpt_mpi_destroy(h);
    hpt_study_destroy(st);
    if (group != MPI_COMM_NULL)
        MPI_Comm_free(&group);
    MPI_Finalize();
    return 0;
}
