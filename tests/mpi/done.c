/* done.c -- mpirun -np 4: HPT_DONE shuts every rank down cleanly.
 *
 * 1. A grid study runs out of points (HPT_DONE from the strategy, no
 *    max_trials): every worker gets HPT_DONE and hpt_mpi_serve returns
 *    HPT_DONE. The coordinator is the last rank here, not rank 0.
 * 2. Fewer trials than workers: one worker gets HPT_DONE while the others
 *    still train (slowly). hpt_mpi_serve must not return before their
 *    trials are told: right after it returns, no trial may be running.
 * 3. A study with no workers at all (every other rank joins as a member):
 *    hpt_mpi_serve returns at once with HPT_OK.
 * 4. A worker holds both trials of the study, gets HPT_DONE on its next ask
 *    and is destroyed without telling them: the coordinator records them
 *    failed and returns instead of waiting forever.
 * 5. The only worker tells the last trial max_trials allows and is then
 *    destroyed without asking again: no ask was answered HPT_DONE, so
 *    hpt_mpi_serve returns HPT_OK (as hpt_mpi.h says), although the study is
 *    complete: hpt_study_done_reason is still "" and the coordinator's own
 *    next ask gets HPT_DONE ("max_trials"). */
#include <time.h>

#include "mpitest.h"

static hpt_space *line_space(void)
{
    hpt_space *sp = NULL;
    MT_OK(hpt_space_create(&sp), NULL);
    MT_OK(hpt_space_add_float(sp, "x", 0.0, 1.0, HPT_SCALE_LINEAR), NULL);
    return sp;
}

static void run(int coord, const char *strategy, double max_trials, int32_t role, int slow,
                int64_t want_trials, int want_serve)
{
    hpt_space *sp = line_space();
    hpt_study *st = NULL;
    hpt_mpi *h = NULL;
    if (mt_rank == coord) {
        MT_OK(hpt_study_create(sp, strategy, HPT_MINIMIZE, 5, &st), NULL);
        MT_OK(hpt_study_set(st, "max_trials", max_trials), NULL);
        if (strcmp(strategy, "grid") == 0)
            MT_OK(hpt_study_set(st, "grid.points", 5), NULL);
    }
    MT_OK(hpt_mpi_create(MPI_COMM_WORLD, coord, role, st, sp, &h), NULL);
    hpt_space_destroy(sp);
    if (mt_rank == coord) {
        MT_STATUS(hpt_mpi_serve(h), want_serve, h);
        int64_t complete, failed, n = mt_account(st, &complete, &failed);
        MT_CHECK(n == want_trials && complete == n, "%s: %lld trials, %lld complete",
                 strategy, (long long)n, (long long)complete);
    } else if (role == HPT_MPI_WORKER) {
        int64_t id;
        double x;
        int rc;
        while ((rc = hpt_mpi_ask(h, &id, &x, 1, NULL, NULL)) == HPT_OK) {
            if (slow) {
                struct timespec ts = {0, 100 * 1000 * 1000};
                nanosleep(&ts, NULL);
            }
            MT_OK(hpt_mpi_tell(h, id, (x - 0.3) * (x - 0.3)), h);
        }
        MT_STATUS(rc, HPT_DONE, h);
    }
    hpt_mpi_destroy(h);
    hpt_study_destroy(st);
}

static void run_abandon(void)
{
    hpt_space *sp = line_space();
    hpt_study *st = NULL;
    hpt_mpi *h = NULL;
    if (mt_rank == 0) {
        MT_OK(hpt_study_create(sp, "random", HPT_MINIMIZE, 5, &st), NULL);
        MT_OK(hpt_study_set(st, "max_trials", 2), NULL);
    }
    /* Rank 1 is the only worker. */
    MT_OK(hpt_mpi_create(MPI_COMM_WORLD, 0, mt_rank == 1 ? HPT_MPI_WORKER : HPT_MPI_MEMBER, st,
                         sp, &h), NULL);
    hpt_space_destroy(sp);
    if (mt_rank == 0) {
        MT_STATUS(hpt_mpi_serve(h), HPT_DONE, h);
        int64_t complete, failed, n = mt_account(st, &complete, &failed);
        MT_CHECK(n == 2 && failed == 2, "%lld trials, %lld failed", (long long)n,
                 (long long)failed);
    } else if (mt_rank == 1) {
        int64_t id;
        double x;
        MT_OK(hpt_mpi_ask(h, &id, &x, 1, NULL, NULL), h);
        MT_OK(hpt_mpi_ask(h, &id, &x, 1, NULL, NULL), h);
        MT_STATUS(hpt_mpi_ask(h, &id, &x, 1, NULL, NULL), HPT_DONE, h);
    }
    hpt_mpi_destroy(h); /* rank 1: leaves with its two trials */
    hpt_study_destroy(st);
}

static void run_left_when_complete(void)
{
    hpt_space *sp = line_space();
    hpt_study *st = NULL;
    hpt_mpi *h = NULL;
    if (mt_rank == 0) {
        MT_OK(hpt_study_create(sp, "random", HPT_MINIMIZE, 5, &st), NULL);
        MT_OK(hpt_study_set(st, "max_trials", 2), NULL);
    }
    MT_OK(hpt_mpi_create(MPI_COMM_WORLD, 0, mt_rank == 1 ? HPT_MPI_WORKER : HPT_MPI_MEMBER, st,
                         sp, &h), NULL);
    hpt_space_destroy(sp);
    if (mt_rank == 0) {
        MT_STATUS(hpt_mpi_serve(h), HPT_OK, h);
        int64_t complete, failed, n = mt_account(st, &complete, &failed), id;
        MT_CHECK(n == 2 && complete == 2, "%lld trials, %lld complete", (long long)n,
                 (long long)complete);
        MT_CHECK(strcmp(hpt_study_done_reason(st), "") == 0, "done reason '%s'",
                 hpt_study_done_reason(st));
        MT_STATUS(hpt_study_ask(st, &id), HPT_DONE, NULL);
        MT_CHECK(strcmp(hpt_study_done_reason(st), "max_trials") == 0, "done reason '%s'",
                 hpt_study_done_reason(st));
    } else if (mt_rank == 1) {
        for (int k = 0; k < 2; k++) {
            int64_t id;
            double x;
            MT_OK(hpt_mpi_ask(h, &id, &x, 1, NULL, NULL), h);
            MT_OK(hpt_mpi_tell(h, id, x), h);
        }
    }
    hpt_mpi_destroy(h); /* rank 1: leaves without asking again */
    hpt_study_destroy(st);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int size;
    MPI_Comm_rank(MPI_COMM_WORLD, &mt_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MT_CHECK(size >= 3, "run with at least 3 ranks");
    run(size - 1, "grid", 0, HPT_MPI_WORKER, 0, 5, HPT_DONE); /* coordinator: last rank */
    run(0, "random", size - 2, HPT_MPI_WORKER, 1, size - 2, HPT_DONE);
    run(0, "random", 10, HPT_MPI_MEMBER, 0, 0, HPT_OK);
    run_abandon();
    run_left_when_complete();
    if (mt_rank == 0)
        printf("done: grid exhausted, fewer trials than workers, no workers, a worker "
               "abandoning its trials after HPT_DONE, and the last worker leaving a complete "
               "study without asking all shut down cleanly\n");
    MPI_Finalize();
    return 0;
}
