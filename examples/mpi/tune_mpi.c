/* tune_mpi.c -- tune a training task across the ranks of an MPI job.
 *
 *   mpirun -np 4 build/mpi/examples/tune_mpi [--trials N] [--strategy NAME]
 *          [--seed S] [--work-ms MS] [--epochs E]
 *
 * Rank 0 is the coordinator: it owns the study and serves it (hpt_mpi_serve).
 * Ranks 1..n-1 are workers: ask, train epoch by epoch (reporting each
 * epoch's validation loss, stopping early when the study says so), tell.
 * With -np 1 the same program runs the trials itself, sequentially, with
 * the plain hpt_study_* calls: the baseline for the wall-time comparison.
 *
 * The training task is train_epoch() below, a stand-in: a closed-form
 * validation loss (minimum 0.08 near lr = 3e-3, momentum = 0.95, 2 layers,
 * tanh) that decays over epochs, plus --work-ms milliseconds of CPU time
 * per trial (default 50) so that a trial costs compute like training does.
 * To tune a real model, replace train_epoch() (and, if the model has other
 * hyperparameters, build_space()); nothing else changes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hpt_mpi.h"

typedef struct {
    double lr, momentum;
    int64_t layers;
    const char *activation;
} hparams;

static hpt_space *build_space(void)
{
    static const char *const acts[] = {"relu", "tanh", "sigmoid"};
    hpt_space *sp = NULL;
    if (hpt_space_create(&sp) || hpt_space_add_float(sp, "lr", 1e-5, 1.0, HPT_SCALE_LOG) ||
        hpt_space_add_float(sp, "momentum", 0.5, 0.999, HPT_SCALE_REVERSE_LOG) ||
        hpt_space_add_int(sp, "layers", 1, 4, HPT_SCALE_LINEAR) ||
        hpt_space_add_categorical(sp, "activation", acts, 3)) {
        fprintf(stderr, "tune_mpi: space: %s\n", hpt_last_errmsg());
        hpt_space_destroy(sp);
        return NULL;
    }
    return sp;
}

/* Dense configuration (space order) -> named hyperparameters. */
static hparams decode(const hpt_space *sp, const double *v)
{
    hparams p = {v[0], v[1], (int64_t)v[2], ""};
    hpt_space_choice_name(sp, 3, (size_t)v[3], &p.activation);
    return p;
}

/* Burn `ms` milliseconds of CPU time (not wall time: a fixed amount of
 * work, like a training step, however busy the machine) on arithmetic the
 * compiler cannot drop. */
static double work(double ms)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    double acc = 0;
    do {
        for (int i = 1; i < 20000; i++)
            acc += sin((double)i) / i;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    } while ((double)(t.tv_sec - t0.tv_sec) * 1e3 + (double)(t.tv_nsec - t0.tv_nsec) * 1e-6 <
             ms);
    return acc;
}

/* THE TRAINING TASK (swap in the real one here): train one epoch of a
 * model with hyperparameters p and return its validation loss. */
static volatile double sink;
static double train_epoch(const hparams *p, int epoch, int epochs, double work_ms)
{
    sink = work(work_ms / epochs);
    double a = log10(p->lr) - log10(3e-3);
    double m = log10(1 - p->momentum) - log10(0.05);
    double l = (double)(p->layers - 2);
    double act = strcmp(p->activation, "tanh") == 0 ? 0.0
                 : strcmp(p->activation, "relu") == 0 ? 0.05 : 0.2;
    double final = 0.08 + 0.1 * a * a + 0.05 * m * m + 0.02 * l * l + act;
    return final + 0.5 * exp(-1.5 * (epoch + 1)); /* converging over epochs */
}

typedef struct {
    int trials, epochs;
    const char *strategy;
    uint64_t seed;
    double work_ms;
} options;

/* Train one trial, epoch by epoch; report through `report` (an MPI or a
 * local call) and stop early when told to. */
typedef int (*report_fn)(void *ctx, int64_t id, double step, double value, int32_t *stop);

static double train_trial(const options *o, const hpt_space *sp, const double *v, int64_t id,
                          report_fn report, void *ctx)
{
    hparams p = decode(sp, v);
    double loss = INFINITY;
    for (int e = 0; e < o->epochs; e++) {
        int32_t stop = 0;
        loss = train_epoch(&p, e, o->epochs, o->work_ms);
        if (report(ctx, id, e + 1, loss, &stop) != HPT_OK || stop)
            break;
    }
    return loss;
}

static int report_mpi(void *ctx, int64_t id, double step, double value, int32_t *stop)
{
    return hpt_mpi_report(ctx, id, step, value, stop);
}

static int report_local(void *ctx, int64_t id, double step, double value, int32_t *stop)
{
    return hpt_study_report(ctx, id, step, value, stop);
}

static void print_best(const hpt_study *st, const hpt_space *sp, int ranks, double seconds)
{
    int64_t best, n;
    double v[4], loss;
    hpt_study_trial_count(st, &n);
    if (hpt_study_best(st, &best, &loss) != HPT_OK) {
        printf("tune_mpi: no trial completed\n");
        return;
    }
    hpt_trial_params(st, best, v, 4);
    hparams p = decode(sp, v);
    printf("tune_mpi: %d rank(s), %lld trials in %.2f s (%.1f trials/s); best loss %.4f "
           "(optimum 0.0800) at trial %lld: lr=%.3g momentum=%.4f layers=%lld "
           "activation=%s\n",
           ranks, (long long)n, seconds, (double)n / seconds, loss, (long long)best, p.lr,
           p.momentum, (long long)p.layers, p.activation);
}

int main(int argc, char **argv)
{
    options o = {64, 5, "random", 2026, 50.0};
    MPI_Init(&argc, &argv);
    int rank, size, rc = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--trials"))
            o.trials = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--strategy"))
            o.strategy = argv[i + 1];
        else if (!strcmp(argv[i], "--seed"))
            o.seed = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--work-ms"))
            o.work_ms = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--epochs"))
            o.epochs = atoi(argv[i + 1]);
    }
    if (o.epochs < 1)
        o.epochs = 1;

    hpt_space *sp = build_space();
    hpt_study *st = NULL;
    hpt_mpi *h = NULL;
    if (!sp)
        MPI_Abort(MPI_COMM_WORLD, 1); /* an example may; the library never does */
    if (rank == 0 && (hpt_study_create(sp, o.strategy, HPT_MINIMIZE, o.seed, &st) ||
                      hpt_study_set(st, "max_trials", o.trials))) {
        fprintf(stderr, "tune_mpi: study: %s\n", hpt_last_errmsg());
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    double t0 = MPI_Wtime();
    if (size == 1) {
        /* One rank: the baseline, no coordinator. */
        int64_t id;
        double v[4];
        while (hpt_study_ask(st, &id) == HPT_OK) {
            hpt_trial_params(st, id, v, 4);
            hpt_study_tell(st, id, train_trial(&o, sp, v, id, report_local, st));
        }
        print_best(st, sp, 1, MPI_Wtime() - t0);
    } else if ((rc = hpt_mpi_create(MPI_COMM_WORLD, 0, HPT_MPI_WORKER, st, sp, &h)) != HPT_OK) {
        fprintf(stderr, "tune_mpi: rank %d: %s\n", rank, hpt_mpi_errmsg(NULL));
    } else if (rank == 0) {
        rc = hpt_mpi_serve(h);
        if (rc < 0)
            fprintf(stderr, "tune_mpi: serve: %s\n", hpt_mpi_errmsg(h));
        else
            print_best(st, sp, size, MPI_Wtime() - t0);
        rc = rc < 0;
    } else {
        int64_t id;
        double v[4];
        const hpt_space *wsp = NULL; /* the coordinator's space, as sent */
        hpt_mpi_space(h, &wsp);
        while ((rc = hpt_mpi_ask(h, &id, v, 4, NULL, NULL)) == HPT_OK) {
            double loss = train_trial(&o, wsp, v, id, report_mpi, h);
            rc = isfinite(loss) ? hpt_mpi_tell(h, id, loss)
                                : hpt_mpi_tell_failed(h, id, "training diverged");
            if (rc != HPT_OK)
                break;
        }
        if (rc != HPT_DONE)
            fprintf(stderr, "tune_mpi: rank %d: %s\n", rank, hpt_mpi_errmsg(h));
        rc = rc != HPT_DONE;
    }
    /* CPU seconds of every rank: on a shared machine the wall time says
     * little, this says how the work was spread and what coordinating cost. */
    struct timespec cpu;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    double mine = (double)cpu.tv_sec + 1e-9 * (double)cpu.tv_nsec, *all = NULL;
    if (rank == 0)
        all = malloc((size_t)size * sizeof *all);
    MPI_Gather(&mine, 1, MPI_DOUBLE, all, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (rank == 0 && all) {
        printf("tune_mpi: CPU seconds per rank:");
        for (int i = 0; i < size; i++)
            printf(" %.2f%s", all[i], i == 0 && size > 1 ? " (coordinator)" : "");
        printf("\n");
    }
    free(all);
    hpt_mpi_destroy(h);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
    MPI_Finalize();
    return rc;
}
