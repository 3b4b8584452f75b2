/* reproducible.c -- mpirun -np 2 and -np 5: the reproducible mode at q = 4
 * (hpt.h, "Reproducibility") gives the trials of a one-process run,
 * whatever the rank count up to q workers and however long each trial
 * takes (the workers sleep a random, clock-seeded time per report).
 *
 * Two studies, served one after the other: bayes, and hyperband (its
 * model sampler); both with the median pruner, whose decisions are part
 * of what is compared (state and value of every trial, next to its
 * configuration, budget and parent). Also: hpt_mpi_set_reproducible sets
 * q = the worker ranks, on the coordinator only. */
#include <time.h>

#include "mpitest.h"

enum { Q = 4, TRIALS = 36 };

static double value_of(const double *v, double budget)
{
    return mt_objective(v) + 1.0 / (1.0 + budget);
}

/* 1: the configuration fails (a corner of the space). */
static int fails(const double *v)
{
    return v[0] > 1.6 && v[3] == 2.0;
}

static void nap(unsigned *seed)
{
    struct timespec t = {0, (long)(rand_r(seed) % 2000u) * 1000};
    nanosleep(&t, NULL);
}

static hpt_study *make(const hpt_space *sp, int hyperband)
{
    hpt_study *st = mt_study(sp, hyperband ? "hyperband" : "bayes", 77, TRIALS);
    if (hyperband)
        MT_OK(hpt_study_set_str(st, "hyperband.sampler", "bayes"), NULL);
    MT_OK(hpt_study_set_str(st, "pruner", "median"), NULL);
    MT_OK(hpt_study_set(st, "pruner.warmup_trials", 3), NULL);
    return st;
}

/* The same trials in one process, one trial at a time. */
static hpt_study *reference(int hyperband)
{
    hpt_space *sp = mt_space();
    hpt_study *st = make(sp, hyperband);
    hpt_space_destroy(sp);
    MT_OK(hpt_study_set(st, "parallel.reproducible", Q), NULL);
    int64_t id;
    while (hpt_study_ask(st, &id) == HPT_OK) {
        double v[MT_DIM], budget;
        MT_OK(hpt_trial_params(st, id, v, MT_DIM), NULL);
        MT_OK(hpt_trial_budget(st, id, &budget, NULL), NULL);
        if (fails(v)) {
            MT_OK(hpt_study_tell_failed(st, id, "corner"), NULL);
            continue;
        }
        int32_t stop = 0;
        for (int step = 1; step <= 3 && !stop; step++)
            MT_OK(hpt_study_report(st, id, step, value_of(v, budget) + 1.0 / step, &stop), NULL);
        MT_OK(stop ? hpt_study_prune(st, id) : hpt_study_tell(st, id, value_of(v, budget)), NULL);
    }
    return st;
}

static void worker(hpt_mpi *h)
{
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)mt_rank * 2654435761u;
    int64_t id;
    double v[MT_DIM], budget;
    int rc;
    MT_STATUS(hpt_mpi_set_reproducible(h), HPT_E_INVALID, h);
    while ((rc = hpt_mpi_ask(h, &id, v, MT_DIM, &budget, NULL)) == HPT_OK) {
        nap(&seed);
        if (fails(v)) {
            MT_OK(hpt_mpi_tell_failed(h, id, "corner"), h);
            continue;
        }
        int32_t stop = 0;
        for (int step = 1; step <= 3 && !stop; step++) {
            nap(&seed);
            MT_OK(hpt_mpi_report(h, id, step, value_of(v, budget) + 1.0 / step, &stop), h);
        }
        MT_OK(stop ? hpt_mpi_prune(h, id) : hpt_mpi_tell(h, id, value_of(v, budget)), h);
    }
    MT_STATUS(rc, HPT_DONE, h);
}

static void same_trials(const hpt_study *a, const hpt_study *b, const char *what)
{
    int64_t na, nb, pruned = 0;
    MT_OK(hpt_study_trial_count(a, &na), NULL);
    MT_OK(hpt_study_trial_count(b, &nb), NULL);
    MT_CHECK(na == nb && na == TRIALS, "%s: %lld and %lld trials", what, (long long)na,
             (long long)nb);
    for (int64_t id = 0; id < na; id++) {
        double x[MT_DIM], y[MT_DIM], ba, bb, va = 0, vb = 0;
        int64_t pa, pb;
        int32_t sa, sb;
        MT_OK(hpt_trial_params(a, id, x, MT_DIM), NULL);
        MT_OK(hpt_trial_params(b, id, y, MT_DIM), NULL);
        MT_OK(hpt_trial_budget(a, id, &ba, &pa), NULL);
        MT_OK(hpt_trial_budget(b, id, &bb, &pb), NULL);
        MT_OK(hpt_trial_state(a, id, &sa), NULL);
        MT_OK(hpt_trial_state(b, id, &sb), NULL);
        if (sa == HPT_TRIAL_COMPLETE || sa == HPT_TRIAL_PRUNED)
            MT_OK(hpt_trial_value(a, id, &va), NULL);
        if (sb == HPT_TRIAL_COMPLETE || sb == HPT_TRIAL_PRUNED)
            MT_OK(hpt_trial_value(b, id, &vb), NULL);
        MT_CHECK(memcmp(x, y, sizeof x) == 0 && ba == bb && pa == pb && sa == sb && va == vb,
                 "%s: trial %lld differs (state %d / %d, budget %g / %g)", what,
                 (long long)id, (int)sa, (int)sb, ba, bb);
        pruned += sa == HPT_TRIAL_PRUNED;
    }
    MT_CHECK(pruned > 0, "%s: the pruner never stopped a trial", what);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int size;
    MPI_Comm_rank(MPI_COMM_WORLD, &mt_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MT_CHECK(size >= 2 && size - 1 <= Q, "run with 2 .. %d ranks", Q + 1);
    for (int hb = 0; hb < 2; hb++) {
        hpt_space *sp = mt_space();
        hpt_study *st = mt_rank == 0 ? make(sp, hb) : NULL;
        hpt_mpi *h = NULL;
        MT_OK(hpt_mpi_create(MPI_COMM_WORLD, 0, HPT_MPI_WORKER, st, mt_rank == 0 ? sp : NULL,
                             &h), NULL);
        hpt_space_destroy(sp);
        if (mt_rank == 0) {
            double q = 0;
            MT_OK(hpt_mpi_set_reproducible(h), h);
            MT_OK(hpt_study_get(st, "parallel.reproducible", &q), NULL);
            MT_CHECK(q == size - 1, "q %g with %d workers", q, size - 1);
            /* the same trials with any rank count: q fixed at the most */
            MT_OK(hpt_study_set(st, "parallel.reproducible", Q), NULL);
            MT_STATUS(hpt_mpi_serve(h), HPT_DONE, h);
            hpt_study *ref = reference(hb);
            same_trials(st, ref, hb ? "hyperband" : "bayes");
            hpt_study_destroy(ref);
            printf("reproducible: %d ranks, %s: %d trials as in one process\n", size,
                   hb ? "hyperband" : "bayes", TRIALS);
        } else
            worker(h);
        hpt_mpi_destroy(h);
        hpt_study_destroy(st);
    }
    MPI_Finalize();
    return 0;
}
