/* throughput.c -- hpt-mpi-throughput: how many asks per second one
 * coordinator serves, measured on a real MPI run.
 *
 *   mpirun -np 4 build/hpt-mpi-throughput [--strategy NAME] [--observations N]
 *          [--asks M] [--idle SECONDS] [--set OPTION=VALUE]...
 *
 * Rank 0 makes a study over Hartmann6's space [0,1]^6 (bench/functions.h), fills it with N
 * observations in-process (ask + tell, default 1000), then serves M more
 * trials (default 500) to the other ranks, which ask and tell at once
 * without training: the coordinator is the only bottleneck. Printed: served
 * asks per second (each with its tell: a full trial round trip) over
 * observations N..N+M, and, for reference, the in-process cost of
 * hpt_study_ask at N observations (mean of the last 50 local asks). Each
 * also in CPU seconds of the coordinator's process: on a shared machine the
 * wall-clock rate mostly measures the other jobs, the CPU rate what one
 * free core would serve. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "functions.h"
#include "hpt_mpi.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int set_option(hpt_study *st, const char *spec)
{
    char buf[256], *end;
    snprintf(buf, sizeof buf, "%s", spec);
    char *eq = strchr(buf, '=');
    if (!eq)
        return HPT_E_INVALID;
    *eq = '\0';
    errno = 0;
    double v = strtod(eq + 1, &end);
    return *end || errno ? hpt_study_set_str(st, buf, eq + 1) : hpt_study_set(st, buf, v);
}

int main(int argc, char **argv)
{
    const char *strategy = "random";
    long observations = 1000, asks = 500;
    double idle = -1;
    int rank, size, rc = 0;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    hpt_mpi *h = NULL;
    static const char *const names[6] = {"x1", "x2", "x3", "x4", "x5", "x6"};
    hpt_space_create(&sp);
    for (int i = 0; i < 6; i++)
        hpt_space_add_float(sp, names[i], 0, 1, HPT_SCALE_LINEAR);

    double local_ask = 0, local_cpu = 0;
    int n_local = 0;
    if (rank == 0) {
        for (int i = 1; i + 1 < argc; i += 2)
            if (!strcmp(argv[i], "--strategy"))
                strategy = argv[i + 1];
        if (hpt_study_create(sp, strategy, HPT_MINIMIZE, 1, &st) != HPT_OK) {
            fprintf(stderr, "hpt-mpi-throughput: %s\n", hpt_last_errmsg());
            MPI_Abort(MPI_COMM_WORLD, 1); /* a tool may; the library never does */
        }
    }
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--observations"))
            observations = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--asks"))
            asks = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--idle"))
            idle = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--set") && st && set_option(st, argv[i + 1]) != HPT_OK) {
            fprintf(stderr, "hpt-mpi-throughput: %s: %s\n", argv[i + 1], hpt_study_errmsg(st));
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
    }
    if (rank == 0) {
        hpt_study_set(st, "max_trials", (double)(observations + asks));
        for (long k = 0; k < observations; k++) {
            int64_t id;
            double x[6], t0 = MPI_Wtime(), c0 = cpu_now();
            if (hpt_study_ask(st, &id) != HPT_OK) {
                fprintf(stderr, "hpt-mpi-throughput: ask: %s\n", hpt_study_errmsg(st));
                MPI_Abort(MPI_COMM_WORLD, 1);
            }
            if (k >= observations - 50) {
                local_ask += MPI_Wtime() - t0;
                local_cpu += cpu_now() - c0;
                n_local++;
            }
            hpt_trial_params(st, id, x, 6);
            hpt_study_tell(st, id, hptb_hartmann6_fidelity(x, 1.0));
        }
    }
    if ((rc = hpt_mpi_create(MPI_COMM_WORLD, 0, HPT_MPI_WORKER, st, sp, &h)) != HPT_OK) {
        fprintf(stderr, "hpt-mpi-throughput: rank %d: %s\n", rank, hpt_mpi_errmsg(NULL));
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (idle >= 0)
        hpt_mpi_set_idle(h, idle);
    MPI_Barrier(MPI_COMM_WORLD); /* start the clock with every rank ready */
    if (rank == 0) {
        double t0 = MPI_Wtime(), c0 = cpu_now();
        rc = hpt_mpi_serve(h);
        double dt = MPI_Wtime() - t0, dc = cpu_now() - c0;
        int64_t n = 0;
        hpt_study_trial_count(st, &n);
        if (rc != HPT_DONE)
            fprintf(stderr, "hpt-mpi-throughput: serve: %s\n", hpt_mpi_errmsg(h));
        double served = (double)(n - observations);
        printf("hpt-mpi-throughput: strategy %s, %d workers: %.0f asks/s served over "
               "observations %ld..%lld (%ld asks + tells in %.3f s; %.0f per coordinator "
               "CPU second, %.3f s); in-process hpt_study_ask at %ld observations: %.1f us "
               "(%.1f us CPU)\n",
               strategy, size - 1, served / dt, observations, (long long)n, (long)served, dt,
               dc > 0 ? served / dc : 0.0, dc, observations,
               n_local ? 1e6 * local_ask / n_local : 0.0,
               n_local ? 1e6 * local_cpu / n_local : 0.0);
        rc = rc != HPT_DONE;
    } else {
        int64_t id;
        double x[6];
        while ((rc = hpt_mpi_ask(h, &id, x, 6, NULL, NULL)) == HPT_OK)
            hpt_mpi_tell(h, id, hptb_hartmann6_fidelity(x, 1.0));
        rc = rc != HPT_DONE;
    }
    hpt_mpi_destroy(h);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
    MPI_Finalize();
    return rc;
}
