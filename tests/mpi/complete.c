/* complete.c -- mpirun -np 4: a tuning job on a closed-form function runs
 * to completion with every trial accounted for.
 *
 * Rank 0 serves a random-search study of 60 trials; ranks 1..3 ask, report
 * twice and tell until HPT_DONE. Checked: all 60 trials are complete, each
 * told exactly once (the workers' counts add up), each value is the
 * objective of the configuration the study holds (so configurations crossed
 * the wire bit for bit), the configurations equal those of the same study
 * run in one process (determinism), the space arrives on every rank, bad
 * arguments to hpt_mpi_create are refused (before MPI_Init too) and a bad
 * one on a single rank fails it on all, and a worker asking after
 * HPT_DONE gets HPT_E_STAGE. */
#include "mpitest.h"

enum { TRIALS = 60 };

static void check_create_agreement(int rank)
{
    hpt_mpi *h = NULL;
    hpt_space *sp = mt_space();
    hpt_study *st = rank == 0 ? mt_study(sp, "random", 1, 1) : NULL;
    /* Rank 1 passes a bad role: every rank must fail, none may hang. */
    int rc = hpt_mpi_create(MPI_COMM_WORLD, 0, rank == 1 ? 7 : HPT_MPI_WORKER, st, sp, &h);
    MT_CHECK(rc == HPT_E_INVALID && h == NULL, "create gave %d", rc);
    MT_CHECK(strstr(hpt_mpi_errmsg(NULL), rank == 1 ? "role" : "another rank") != NULL,
             "message '%s'", hpt_mpi_errmsg(NULL));
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

int main(int argc, char **argv)
{
    hpt_mpi *h = NULL;
    /* Before MPI_Init: refused, not crashed. */
    int rc0 = hpt_mpi_create(MPI_COMM_WORLD, 0, HPT_MPI_WORKER, NULL, NULL, &h);
    MPI_Init(&argc, &argv);
    int size;
    MPI_Comm_rank(MPI_COMM_WORLD, &mt_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MT_CHECK(size >= 2, "run with at least 2 ranks");
    MT_CHECK(rc0 == HPT_E_INVALID && h == NULL, "create before MPI_Init gave %d", rc0);
    MT_STATUS(hpt_mpi_create(MPI_COMM_NULL, 0, HPT_MPI_WORKER, NULL, NULL, &h), HPT_E_INVALID,
              NULL);
    MT_STATUS(hpt_mpi_create(MPI_COMM_WORLD, size, HPT_MPI_WORKER, NULL, NULL, &h),
              HPT_E_INVALID, NULL);
    MT_CHECK(strstr(hpt_mpi_errmsg(NULL), "not a rank") != NULL, "message '%s'",
             hpt_mpi_errmsg(NULL));
    MT_STATUS(hpt_mpi_create(MPI_COMM_WORLD, 0, HPT_MPI_WORKER, NULL, NULL, NULL),
              HPT_E_INVALID, NULL);
    MT_CHECK(strcmp(hpt_mpi_strerror(HPT_E_MPI), hpt_strerror(HPT_E_MPI)) != 0 &&
                 strcmp(hpt_mpi_strerror(HPT_E_TRIAL), hpt_strerror(HPT_E_TRIAL)) == 0,
             "hpt_mpi_strerror");
    check_create_agreement(mt_rank);

    hpt_space *sp = mt_space();
    hpt_study *st = mt_rank == 0 ? mt_study(sp, "random", 2026, TRIALS) : NULL;
    MT_OK(hpt_mpi_create(MPI_COMM_WORLD, 0, HPT_MPI_WORKER, st, mt_rank == 0 ? sp : NULL,
                         &h), NULL);
    hpt_space_destroy(sp);

    /* The space every rank sees is the coordinator's. */
    const hpt_space *seen = NULL;
    const char *name = NULL;
    size_t idx = 99;
    MT_OK(hpt_mpi_space(h, &seen), h);
    MT_CHECK(hpt_space_size(seen) == MT_DIM, "space of %zu", hpt_space_size(seen));
    MT_OK(hpt_space_index(seen, "layers", &idx), NULL);
    MT_CHECK(idx == 2, "layers at %zu", idx);
    MT_OK(hpt_space_choice_name(seen, 3, 2, &name), NULL);
    MT_CHECK(strcmp(name, "sigmoid") == 0, "choice '%s'", name);

    long told = 0, total = 0;
    if (mt_rank == 0) {
        MT_STATUS(hpt_mpi_serve(h), HPT_DONE, h);
        MT_STATUS(hpt_mpi_serve(h), HPT_E_STAGE, h);
        MT_STATUS(hpt_mpi_ask(h, &(int64_t){0}, (double[MT_DIM]){0}, MT_DIM, NULL, NULL),
                  HPT_E_INVALID, h);
    } else {
        int64_t id, from;
        double v[MT_DIM], budget;
        int rc;
        MT_STATUS(hpt_mpi_ask(h, &id, v, MT_DIM - 1, NULL, NULL), HPT_E_INVALID, h);
        MT_STATUS(hpt_mpi_serve(h), HPT_E_INVALID, h);
        while ((rc = hpt_mpi_ask(h, &id, v, MT_DIM, &budget, &from)) == HPT_OK) {
            int32_t stop = 1;
            MT_CHECK(budget == 0 && from == -1, "budget %g from %lld", budget, (long long)from);
            MT_OK(hpt_mpi_report(h, id, 1, mt_objective(v) + 1, &stop), h);
            MT_CHECK(stop == 0, "no pruner, yet told to stop");
            MT_OK(hpt_mpi_report(h, id, 2, mt_objective(v) + 0.5, NULL), h);
            MT_OK(hpt_mpi_tell(h, id, mt_objective(v)), h);
            told++;
        }
        MT_STATUS(rc, HPT_DONE, h);
        MT_CHECK(id == -1, "id %lld after HPT_DONE", (long long)id);
        MT_STATUS(hpt_mpi_ask(h, &id, v, MT_DIM, NULL, NULL), HPT_E_STAGE, h);
        /* Nothing held: a tell must not wait for a coordinator that may be gone. */
        MT_STATUS(hpt_mpi_tell(h, 0, 1.0), HPT_E_STAGE, h);
    }
    MPI_Reduce(&told, &total, 1, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);

    if (mt_rank == 0) {
        int64_t complete, failed, n = mt_account(st, &complete, &failed);
        MT_CHECK(n == TRIALS && complete == TRIALS && total == TRIALS,
                 "%lld trials, %lld complete, %ld told", (long long)n, (long long)complete,
                 total);
        /* The same study in one process proposes the same configurations. */
        hpt_space *sp1 = mt_space();
        hpt_study *ref = mt_study(sp1, "random", 2026, TRIALS);
        for (int64_t id = 0; id < n; id++) {
            double a[MT_DIM], b[MT_DIM], value, count;
            int64_t rid, reports;
            MT_OK(hpt_study_ask(ref, &rid), NULL);
            MT_OK(hpt_trial_params(st, id, a, MT_DIM), NULL);
            MT_OK(hpt_trial_params(ref, rid, b, MT_DIM), NULL);
            MT_CHECK(memcmp(a, b, sizeof a) == 0, "trial %lld differs", (long long)id);
            MT_OK(hpt_trial_value(st, id, &value), NULL);
            MT_CHECK(value == mt_objective(a), "trial %lld value %.17g", (long long)id, value);
            MT_OK(hpt_trial_report_count(st, id, &reports), NULL);
            count = (double)reports;
            MT_CHECK(count == 2, "trial %lld has %g reports", (long long)id, count);
        }
        hpt_study_destroy(ref);
        hpt_space_destroy(sp1);
        printf("complete: %d ranks, %lld trials, all complete and accounted for\n", size,
               (long long)n);
    }
    hpt_mpi_destroy(h);
    hpt_study_destroy(st);
    MPI_Finalize();
    return 0;
}
