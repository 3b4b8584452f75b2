/* resume.c JOURNAL crash|finish -- abort + resume through the coordinator's
 * journal (needs hpt_study_open; tests/check_mpi.sh builds and runs it only
 * when include/hpt.h declares it).
 *
 *   crash:  mpirun -np 4; the coordinator opens JOURNAL (40 trials); ranks 2
 *           and 3 take a trial each and never tell it; rank 1 tells 5
 *           trials and kills the whole job with MPI_Abort.
 *   finish: mpirun -np 4 again on the same JOURNAL; the study resumes, the
 *           trials left running are handed out again, and the job runs to
 *           completion: 40 trials, every one complete, each value the
 *           objective of its configuration. */
#include "mpitest.h"

enum { TRIALS = 40 };

static hpt_study *open_study(const char *path, const hpt_space *sp, int64_t *running)
{
    hpt_study *st = NULL;
    MT_OK(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 77, &st), NULL);
    /* A resumed study may already be past its first ask: options fixed. */
    int rc = hpt_study_set(st, "max_trials", TRIALS);
    double mt = 0;
    MT_CHECK(rc == HPT_OK || rc == HPT_E_STAGE, "max_trials: %d", rc);
    MT_OK(hpt_study_get(st, "max_trials", &mt), NULL);
    MT_CHECK(mt == TRIALS, "max_trials %g after reopening", mt);
    int64_t n = 0;
    *running = 0;
    MT_OK(hpt_study_trial_count(st, &n), NULL);
    for (int64_t id = 0; id < n; id++) {
        int32_t state;
        MT_OK(hpt_trial_state(st, id, &state), NULL);
        *running += state == HPT_TRIAL_RUNNING;
    }
    return st;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int size;
    MPI_Comm_rank(MPI_COMM_WORLD, &mt_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MT_CHECK(size == 4 && argc == 3, "usage: mpirun -np 4 resume JOURNAL crash|finish");
    int crash = strcmp(argv[2], "crash") == 0;

    hpt_space *sp = mt_space();
    hpt_study *st = NULL;
    int64_t running = 0;
    if (mt_rank == 0)
        st = open_study(argv[1], sp, &running);
    hpt_mpi *h = NULL;
    MT_OK(hpt_mpi_create(MPI_COMM_WORLD, 0, HPT_MPI_WORKER, st, sp, &h), NULL);
    hpt_space_destroy(sp);

    int64_t id;
    double v[MT_DIM];
    int rc, told = 0;
    if (mt_rank == 0) {
        MT_STATUS(hpt_mpi_serve(h), HPT_DONE, h);
        MT_CHECK(!crash, "the crash run was meant to die");
        int64_t complete, failed, n = mt_account(st, &complete, &failed);
        MT_CHECK(n == TRIALS && complete == TRIALS, "%lld trials, %lld complete",
                 (long long)n, (long long)complete);
        for (int64_t t = 0; t < n; t++) {
            double value;
            MT_OK(hpt_trial_params(st, t, v, MT_DIM), NULL);
            MT_OK(hpt_trial_value(st, t, &value), NULL);
            MT_CHECK(value == mt_objective(v), "trial %lld value %.17g", (long long)t, value);
        }
        printf("resume: reopened with %lld trial(s) left running by the abort; finished "
               "%lld trials, all complete\n", (long long)running, (long long)n);
    } else if (crash && mt_rank >= 2) {
        MT_OK(hpt_mpi_ask(h, &id, v, MT_DIM, NULL, NULL), h);
        int never;
        MPI_Recv(&never, 1, MPI_INT, 1, 99, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
        while ((rc = hpt_mpi_ask(h, &id, v, MT_DIM, NULL, NULL)) == HPT_OK) {
            MT_OK(hpt_mpi_tell(h, id, mt_objective(v)), h);
            if (crash && mt_rank == 1 && ++told == 5)
                MPI_Abort(MPI_COMM_WORLD, 3); /* the crash this test is about */
        }
        MT_STATUS(rc, HPT_DONE, h);
    }
    hpt_mpi_destroy(h);
    hpt_study_destroy(st);
    MPI_Finalize();
    return 0;
}
