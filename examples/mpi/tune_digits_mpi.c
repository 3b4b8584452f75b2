/* tune_digits_mpi.c -- tune the real training task (bench/digits.h: a
 * one-hidden-layer network on the UCI digits) across the ranks of an MPI
 * job. Built only when bench/digits.h is present (make mpi-examples).
 *
 *   mpirun -np 4 build/mpi/examples/tune_digits_mpi [--strategy NAME]
 *          [--trials N] [--max-epochs R] [--seed S] [--data FILE]
 *
 * Rank 0 serves the study; ranks 1..n-1 train. With -np 1 the same program
 * runs the trials itself with the plain hpt_study_* calls (the baseline).
 * Strategy: "hyperband" (ASHA: budgets 1..R epochs, eta 3) when the build
 * has it, else "random" (every trial R epochs). Each trial trains epoch by
 * epoch, reports the validation error after each (a pruner may stop it),
 * and is told its last validation error; a promotion (resume_from >= 0)
 * loads the checkpoint its parent left and trains only the missing epochs.
 * Checkpoints go to a directory made by rank 0 and shared by name: all
 * ranks must see the same file system (one node, or a shared one). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digits.h"
#include "hpt_mpi.h"
#include "util.h"

#define MOMENTUM 0.9
enum { DIM = 5 };

typedef struct {
    const char *strategy, *data;
    int trials;
    double max_epochs;
    uint64_t seed;
    char dir[256];
} options;

static hpt_space *build_space(void)
{
    static const char *const acts[] = {"relu", "tanh", "sigmoid"};
    hpt_space *sp = NULL;
    if (hpt_space_create(&sp) || hpt_space_add_float(sp, "lr", 1e-3, 1.0, HPT_SCALE_LOG) ||
        hpt_space_add_float(sp, "weight_decay", 1e-6, 1e-1, HPT_SCALE_LOG) ||
        hpt_space_add_int(sp, "hidden", 8, 256, HPT_SCALE_LOG) ||
        hpt_space_add_int(sp, "batch", 8, 256, HPT_SCALE_LOG) ||
        hpt_space_add_categorical(sp, "activation", acts, 3)) {
        hpt_space_destroy(sp);
        return NULL;
    }
    return sp;
}

typedef int (*report_fn)(void *ctx, int64_t id, double step, double value, int32_t *stop);
typedef int (*end_fn)(void *ctx, int64_t id, int outcome, double value);
enum { TOLD, PRUNED, FAILED };

static void ckpt(char *buf, size_t n, const options *o, int64_t id)
{
    snprintf(buf, n, "%s/trial-%lld.ckpt", o->dir, (long long)id);
}

/* Train trial `id` (configuration v, budget in epochs, parent or -1), then
 * end it through `end` (tell, prune or fail). @return the end's status. */
static int train_trial(const options *o, const hptb_digits *d, const hpt_space *sp,
                       int64_t id, const double *v, double budget, int64_t parent,
                       report_fn report, end_fn end, void *ctx)
{
    const char *act = "relu";
    hpt_space_choice_name(sp, 4, (size_t)v[4], &act);
    int32_t target = budget > 0 ? (int32_t)lround(budget) : (int32_t)o->max_epochs;
    char path[512];
    hptb_net *n = NULL;
    int32_t rc = HPTB_E_IO;
    if (parent >= 0) {
        ckpt(path, sizeof path, o, parent);
        rc = hptb_net_load(path, &n);
    }
    if (rc != HPTB_OK) /* a new configuration, or a parent without checkpoint */
        rc = hptb_net_create((int32_t)v[2], hptb_activation_find(act),
                             o->seed * 1000003u + (uint64_t)id, &n);
    double err = NAN;
    int32_t stop = 0;
    while (rc == HPTB_OK && hptb_net_epochs(n) < (target < 1 ? 1 : target) && !stop) {
        if ((rc = hptb_net_train(n, d, v[0], MOMENTUM, v[1], (int32_t)v[3], 1)) != HPTB_OK)
            break;
        hptb_net_evaluate(n, d, HPTB_PART_VALID, NULL, &err);
        if (report(ctx, id, hptb_net_epochs(n), err, &stop) != HPT_OK)
            stop = 0;
    }
    int outcome = rc != HPTB_OK ? FAILED : stop ? PRUNED : TOLD;
    if (outcome == TOLD && budget > 0) {
        ckpt(path, sizeof path, o, id); /* for a later promotion */
        hptb_net_save(n, path);
    }
    hptb_net_free(n);
    return end(ctx, id, outcome, err);
}

static int report_local(void *c, int64_t id, double s, double v, int32_t *stop)
{
    return hpt_study_report(c, id, s, v, stop);
}
static int report_mpi(void *c, int64_t id, double s, double v, int32_t *stop)
{
    return hpt_mpi_report(c, id, s, v, stop);
}
static int end_local(void *c, int64_t id, int outcome, double v)
{
    return outcome == TOLD ? hpt_study_tell(c, id, v)
           : outcome == PRUNED ? hpt_study_prune(c, id)
                               : hpt_study_tell_failed(c, id, "training diverged");
}
static int end_mpi(void *c, int64_t id, int outcome, double v)
{
    return outcome == TOLD ? hpt_mpi_tell(c, id, v)
           : outcome == PRUNED ? hpt_mpi_prune(c, id)
                               : hpt_mpi_tell_failed(c, id, "training diverged");
}

static hpt_study *make_study(const options *o, const hpt_space *sp)
{
    hpt_study *st = NULL;
    if (hpt_study_create(sp, o->strategy, HPT_MINIMIZE, o->seed, &st) ||
        hpt_study_set(st, "max_trials", o->trials) ||
        (!strcmp(o->strategy, "hyperband") &&
         (hpt_study_set(st, "hyperband.min_resource", 1) ||
          hpt_study_set(st, "hyperband.max_resource", o->max_epochs) ||
          hpt_study_set(st, "hyperband.eta", 3)))) {
        fprintf(stderr, "tune_digits_mpi: study: %s\n", hpt_last_errmsg());
        hpt_study_destroy(st);
        return NULL;
    }
    return st;
}

static void print_best(const options *o, hpt_study *st, int ranks, double seconds)
{
    int64_t best, n = 0;
    double v[DIM], err;
    hpt_study_trial_count(st, &n);
    if (hpt_study_best(st, &best, &err) != HPT_OK) {
        printf("tune_digits_mpi: no trial completed\n");
        return;
    }
    const char *act = "?";
    hpt_trial_params(st, best, v, DIM);
    hpt_trial_categorical(st, best, "activation", &act);
    printf("tune_digits_mpi: %s, %d rank(s), %lld trials in %.2f s; best validation error "
           "%.4f at trial %lld: lr=%.3g weight_decay=%.3g hidden=%g batch=%g activation=%s\n",
           o->strategy, ranks, (long long)n, seconds, err, (long long)best, v[0], v[1], v[2],
           v[3], act);
}

int main(int argc, char **argv)
{
    options o = {NULL, NULL, 60, 27, 1, ""};
    int rank, size, rc = 0;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--strategy"))
            o.strategy = argv[i + 1];
        else if (!strcmp(argv[i], "--trials"))
            o.trials = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--max-epochs"))
            o.max_epochs = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed"))
            o.seed = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--data"))
            o.data = argv[i + 1];
    }
    if (!o.strategy)
        o.strategy = hptb_strategy_known("hyperband") ? "hyperband" : "random";

    hptb_digits *d = NULL;
    hpt_space *sp = build_space();
    hpt_study *st = NULL;
    hpt_mpi *h = NULL;
    if (rank == 0) {
        snprintf(o.dir, sizeof o.dir, "/tmp/hpt-digits-mpi-XXXXXX");
        if (!mkdtemp(o.dir))
            o.dir[0] = '\0';
        st = sp && o.dir[0] ? make_study(&o, sp) : NULL;
    }
    MPI_Bcast(o.dir, sizeof o.dir, MPI_CHAR, 0, MPI_COMM_WORLD);
    int ok = sp && o.dir[0] && (rank == 0 ? st != NULL : 1) &&
             (rank == 0 && size > 1 ? 1 : hptb_digits_load(o.data, &d) == HPTB_OK), all = 0;
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (!all) {
        if (!ok)
            fprintf(stderr, "tune_digits_mpi: rank %d cannot start (data: run from the "
                            "project root, or --data / $HPT_DIGITS_DATA)\n", rank);
        rc = 1;
        goto out;
    }
    double t0 = MPI_Wtime();
    if (size == 1) {
        int64_t id, parent;
        double v[DIM], budget;
        while (hpt_study_ask(st, &id) == HPT_OK) {
            hpt_trial_params(st, id, v, DIM);
            hpt_trial_budget(st, id, &budget, &parent);
            train_trial(&o, d, sp, id, v, budget, parent, report_local, end_local, st);
        }
        print_best(&o, st, 1, MPI_Wtime() - t0);
    } else if ((rc = hpt_mpi_create(MPI_COMM_WORLD, 0, HPT_MPI_WORKER, st, sp, &h))) {
        fprintf(stderr, "tune_digits_mpi: rank %d: %s\n", rank, hpt_mpi_errmsg(NULL));
    } else if (rank == 0) {
        rc = hpt_mpi_serve(h);
        if (rc >= 0)
            print_best(&o, st, size, MPI_Wtime() - t0);
        rc = rc < 0;
    } else {
        int64_t id, parent;
        double v[DIM], budget;
        while ((rc = hpt_mpi_ask(h, &id, v, DIM, &budget, &parent)) == HPT_OK)
            if ((rc = train_trial(&o, d, sp, id, v, budget, parent, report_mpi, end_mpi, h)))
                break;
        if (rc != HPT_DONE)
            fprintf(stderr, "tune_digits_mpi: rank %d: %s\n", rank, hpt_mpi_errmsg(h));
        rc = rc != HPT_DONE;
    }
out:
    hpt_mpi_destroy(h);
    MPI_Barrier(MPI_COMM_WORLD); /* every rank is done with the checkpoints */
    if (rank == 0 && o.dir[0])
        hptb_remove_dir(o.dir);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
    hptb_digits_free(d);
    MPI_Finalize();
    return rc;
}
