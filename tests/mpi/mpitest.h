/* mpitest.h -- shared by the MPI test programs (tests/mpi/, run under
 * mpirun by tests/check_mpi.sh). A failed check prints the rank, place and
 * reason, then aborts the whole job (MPI_Abort), so that no rank is left
 * waiting for a peer that stopped: the test fails fast instead of hanging. */
#ifndef HPT_MPITEST_H
#define HPT_MPITEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpt_mpi.h"

static int mt_rank = -1;

#define MT_CHECK(cond, ...)                                                              \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "[rank %d] %s:%d: check failed: %s: ", mt_rank, __FILE__,    \
                    __LINE__, #cond);                                                    \
            fprintf(stderr, __VA_ARGS__);                                                \
            fputc('\n', stderr);                                                         \
            MPI_Abort(MPI_COMM_WORLD, 1);                                                \
        }                                                                                \
    } while (0)

/* A status check that shows the library's message (h may be NULL). */
#define MT_STATUS(expr, want, h)                                                         \
    do {                                                                                 \
        int rc_ = (expr);                                                                \
        MT_CHECK(rc_ == (want), "returned %d (%s), want %d; message: %s", rc_,           \
                 hpt_mpi_strerror(rc_), (int)(want), hpt_mpi_errmsg(h));                 \
    } while (0)

#define MT_OK(expr, h) MT_STATUS(expr, HPT_OK, h)

/* The test space: x (linear float), lr (log float), layers (int),
 * act (categorical), in this order. */
enum { MT_DIM = 4 };

static inline hpt_space *mt_space(void)
{
    static const char *const acts[] = {"relu", "tanh", "sigmoid"};
    hpt_space *sp = NULL;
    MT_OK(hpt_space_create(&sp), NULL);
    MT_OK(hpt_space_add_float(sp, "x", -2.0, 2.0, HPT_SCALE_LINEAR), NULL);
    MT_OK(hpt_space_add_float(sp, "lr", 1e-4, 1.0, HPT_SCALE_LOG), NULL);
    MT_OK(hpt_space_add_int(sp, "layers", 1, 4, HPT_SCALE_LINEAR), NULL);
    MT_OK(hpt_space_add_categorical(sp, "act", acts, 3), NULL);
    return sp;
}

/* A closed-form stand-in for a training run, minimum 0 at x = 0.5,
 * lr = 1e-2, layers = 2, act = tanh. */
static inline double mt_objective(const double *v)
{
    double a = v[0] - 0.5, b = log10(v[1]) + 2.0, c = v[2] - 2.0;
    return a * a + 0.1 * b * b + 0.05 * c * c + (v[3] == 1.0 ? 0.0 : 0.2);
}

/* The coordinator's study: strategy, seed and max_trials given. */
static inline hpt_study *mt_study(const hpt_space *sp, const char *strategy, uint64_t seed,
                                  double max_trials)
{
    hpt_study *st = NULL;
    MT_OK(hpt_study_create(sp, strategy, HPT_MINIMIZE, seed, &st), NULL);
    MT_OK(hpt_study_set(st, "max_trials", max_trials), NULL);
    return st;
}

/* Every trial of the study is finished: none is left RUNNING. Returns the
 * number of trials and counts complete and failed ones. */
static inline int64_t mt_account(const hpt_study *st, int64_t *complete, int64_t *failed)
{
    int64_t n = 0;
    *complete = *failed = 0;
    MT_OK(hpt_study_trial_count(st, &n), NULL);
    for (int64_t id = 0; id < n; id++) {
        int32_t state = -1;
        MT_OK(hpt_trial_state(st, id, &state), NULL);
        MT_CHECK(state != HPT_TRIAL_RUNNING, "trial %lld still running", (long long)id);
        if (state == HPT_TRIAL_COMPLETE)
            ++*complete;
        else if (state == HPT_TRIAL_FAILED)
            ++*failed;
    }
    return n;
}

#endif
