/* multi.c -- mpirun -np 3: tells with several objectives and constraints
 * cross the wire whole.
 *
 * Rank 0 serves a sobol study of 2 objectives (minimize, maximize) and 1
 * constraint, 30 trials; ranks 1..2 tell every value through
 * hpt_mpi_tell_constrained. Checked: every trial's values and constraint
 * are those of its configuration, bit for bit, in the coordinator's study
 * (and its front is the one of the same study told in one process); a tell
 * of the wrong shape gets the study's HPT_E_INVALID and the trial stays
 * running for the right tell; too many values are refused by the worker. */
#include "mpitest.h"

enum { TRIALS = 30 };

static void values_of(const double *x, double *v, double *c)
{
    v[0] = mt_objective(x);
    v[1] = x[0] * x[0] + log10(x[1]);
    *c = x[2] - 2.5; /* layers <= 2 feasible */
}

static hpt_study *shaped(const hpt_space *sp)
{
    hpt_study *st = mt_study(sp, "sobol", 17, TRIALS);
    int32_t dir[2] = {HPT_MINIMIZE, HPT_MAXIMIZE};
    MT_OK(hpt_study_set_objectives(st, dir, 2), NULL);
    MT_OK(hpt_study_set_constraints(st, 1), NULL);
    return st;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &mt_rank);
    hpt_space *sp = mt_space();
    hpt_study *st = mt_rank == 0 ? shaped(sp) : NULL;
    hpt_mpi *h = NULL;
    MT_OK(hpt_mpi_create(MPI_COMM_WORLD, 0, HPT_MPI_WORKER, st, mt_rank == 0 ? sp : NULL,
                         &h), NULL);
    if (mt_rank == 0)
        MT_STATUS(hpt_mpi_serve(h), HPT_DONE, h);
    else {
        int64_t id;
        double x[MT_DIM], v[HPT_MAX_OBJECTIVES + 1] = {0}, c, many[HPT_MAX_CONSTRAINTS + 1] = {0};
        int rc, first = 1;
        while ((rc = hpt_mpi_ask(h, &id, x, MT_DIM, NULL, NULL)) == HPT_OK) {
            values_of(x, v, &c);
            if (first) { /* the coordinator's study refuses another shape */
                MT_STATUS(hpt_mpi_tell(h, id, v[0]), HPT_E_INVALID, h);
                MT_STATUS(hpt_mpi_tell_values(h, id, v, 2), HPT_E_INVALID, h);
                MT_STATUS(hpt_mpi_tell_constrained(h, id, v, HPT_MAX_OBJECTIVES + 1, &c, 1),
                          HPT_E_INVALID, h);
                MT_STATUS(hpt_mpi_tell_constrained(h, id, v, 2, many, HPT_MAX_CONSTRAINTS + 1),
                          HPT_E_INVALID, h);
                first = 0;
            }
            MT_OK(hpt_mpi_tell_constrained(h, id, v, 2, &c, 1), h);
        }
        MT_STATUS(rc, HPT_DONE, h);
    }
    if (mt_rank == 0) {
        int64_t complete, failed, n = mt_account(st, &complete, &failed);
        MT_CHECK(n == TRIALS && complete == TRIALS, "%lld trials, %lld complete",
                 (long long)n, (long long)complete);
        hpt_study *ref = shaped(sp);
        for (int64_t id = 0; id < n; id++) {
            double x[MT_DIM], v[2], c, got[2], gc;
            int64_t rid;
            MT_OK(hpt_trial_params(st, id, x, MT_DIM), NULL);
            values_of(x, v, &c);
            MT_OK(hpt_trial_values(st, id, got, 2), NULL);
            MT_OK(hpt_trial_constraints(st, id, &gc, 1), NULL);
            MT_CHECK(memcmp(got, v, sizeof v) == 0 && gc == c, "trial %lld values differ",
                     (long long)id);
            MT_OK(hpt_study_ask(ref, &rid), NULL);
            MT_OK(hpt_study_tell_constrained(ref, rid, v, 2, &c, 1), NULL);
        }
        int64_t fa[TRIALS], fb[TRIALS];
        size_t ka, kb;
        MT_OK(hpt_study_pareto(st, fa, TRIALS, &ka), NULL);
        MT_OK(hpt_study_pareto(ref, fb, TRIALS, &kb), NULL);
        MT_CHECK(ka == kb && ka > 0 && memcmp(fa, fb, ka * sizeof *fa) == 0,
                 "fronts of %zu and %zu trials", ka, kb);
        hpt_study_destroy(ref);
        printf("multi: %lld trials told 2 objectives and 1 constraint, front of %zu\n",
               (long long)n, ka);
    }
    hpt_mpi_destroy(h);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
    MPI_Finalize();
    return 0;
}
