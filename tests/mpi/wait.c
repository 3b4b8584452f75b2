/* wait.c -- mpirun -np 4: HPT_WAIT is waited out by the coordinator.
 *
 * Synchronous Hyperband (strategy "hyperband", hyperband.async = 0)
 * answers HPT_WAIT while a rung's last trials run; the coordinator must
 * hold those asks and answer them after the tells, without deadlock and
 * without a worker seeing HPT_WAIT. Checked: the job ends with HPT_DONE,
 * every trial is complete, the trial count and the (budget, resume_from)
 * schedule equal those of the same study run in one process, and every
 * worker got the budget the study holds. */
#include <time.h>

#include "mpitest.h"

static hpt_study *hb_study(const hpt_space *sp)
{
    hpt_study *st = NULL;
    MT_OK(hpt_study_create(sp, "hyperband", HPT_MINIMIZE, 3, &st), NULL);
    MT_OK(hpt_study_set(st, "hyperband.async", 0), NULL);
    MT_OK(hpt_study_set(st, "hyperband.min_resource", 1), NULL);
    MT_OK(hpt_study_set(st, "hyperband.max_resource", 9), NULL);
    MT_OK(hpt_study_set(st, "hyperband.eta", 3), NULL);
    MT_OK(hpt_study_set(st, "hyperband.iterations", 1), NULL);
    return st;
}

/* Lower with more budget, so promotions matter. */
static double value(const double *v, double budget) { return mt_objective(v) + 1.0 / budget; }

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int size;
    MPI_Comm_rank(MPI_COMM_WORLD, &mt_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MT_CHECK(size >= 3, "run with at least 3 ranks");

    hpt_space *sp = mt_space();
    hpt_study *st = mt_rank == 0 ? hb_study(sp) : NULL;
    hpt_mpi *h = NULL;
    MT_OK(hpt_mpi_create(MPI_COMM_WORLD, 0, HPT_MPI_WORKER, st, sp, &h), NULL);

    if (mt_rank == 0) {
        MT_STATUS(hpt_mpi_serve(h), HPT_DONE, h);
        int64_t complete, failed, n = mt_account(st, &complete, &failed);
        MT_CHECK(n > 0 && complete == n, "%lld trials, %lld complete", (long long)n,
                 (long long)complete);
        /* The same schedule in one process (where nothing ever waits). */
        hpt_study *ref = hb_study(sp);
        int64_t id, m = 0, rid;
        double v[MT_DIM], b, rb;
        int64_t from, rfrom;
        while (hpt_study_ask(ref, &rid) == HPT_OK) {
            MT_OK(hpt_trial_params(ref, rid, v, MT_DIM), NULL);
            MT_OK(hpt_trial_budget(ref, rid, &rb, &rfrom), NULL);
            MT_OK(hpt_study_tell(ref, rid, value(v, rb)), NULL);
            m++;
        }
        MT_CHECK(m == n, "%lld trials over MPI, %lld in one process", (long long)n,
                 (long long)m);
        int64_t per_budget[2][4] = {{0}};
        for (id = 0; id < n; id++) {
            MT_OK(hpt_trial_budget(st, id, &b, &from), NULL);
            MT_OK(hpt_trial_budget(ref, id, &rb, &rfrom), NULL);
            per_budget[0][b == 1 ? 0 : b == 3 ? 1 : b == 9 ? 2 : 3]++;
            per_budget[1][rb == 1 ? 0 : rb == 3 ? 1 : rb == 9 ? 2 : 3]++;
            MT_CHECK((from >= 0) == (rfrom >= 0), "trial %lld: promotion differs",
                     (long long)id);
        }
        MT_CHECK(memcmp(per_budget[0], per_budget[1], sizeof per_budget[0]) == 0 &&
                     per_budget[0][3] == 0,
                 "budgets differ: %lld/%lld/%lld vs %lld/%lld/%lld",
                 (long long)per_budget[0][0], (long long)per_budget[0][1],
                 (long long)per_budget[0][2], (long long)per_budget[1][0],
                 (long long)per_budget[1][1], (long long)per_budget[1][2]);
        hpt_study_destroy(ref);
        printf("wait: synchronous hyperband, %lld trials (%lld/%lld/%lld at budgets 1/3/9), "
               "every rung boundary waited out\n",
               (long long)n, (long long)per_budget[0][0], (long long)per_budget[0][1],
               (long long)per_budget[0][2]);
    } else {
        int64_t id, from;
        double v[MT_DIM], budget;
        int rc;
        unsigned k = (unsigned)mt_rank;
        while ((rc = hpt_mpi_ask(h, &id, v, MT_DIM, &budget, &from)) == HPT_OK) {
            MT_CHECK(budget == 1 || budget == 3 || budget == 9, "budget %g", budget);
            /* Uneven training times, so that ranks wait on each other. */
            struct timespec ts = {0, (long)(1 + (k = k * 1103515245u + 12345u) % 4) * 1000000};
            nanosleep(&ts, NULL);
            MT_OK(hpt_mpi_tell(h, id, value(v, budget)), h);
        }
        MT_STATUS(rc, HPT_DONE, h);
    }
    hpt_mpi_destroy(h);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
    MPI_Finalize();
    return 0;
}
