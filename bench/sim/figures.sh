#!/bin/sh
# figures.sh BUILD -- every figure of the distributed-tuning note (issue 9),
# for the strategies this build has (the others print "unavailable"):
#   1. simulated speedup to target at W = 1, 4, 16, 64, 256 (hpt-sim):
#      random and hyperband (ASHA) with SEEDS seeds (default 20), bayes with
#      BAYES_SEEDS (default 5: its asks are costly); QUEUE=1 adds a bayes run
#      whose simulated time includes the coordinator's queueing;
#   2. coordinator asks/s at 1000 observations, real MPI run, 3 workers
#      (hpt-mpi-throughput), random and bayes;
#   3. wall time of the MPI example, 1 rank vs 4 ranks (tune_mpi), and of the
#      real task (tune_digits_mpi) when it is built.
# Long with bayes (tens of minutes on 2 cores). Run from the project root.
set -u
b=${1:-build}
seeds=${SEEDS:-20}
bseeds=${BAYES_SEEDS:-5}
export OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1 OMPI_MCA_plm=isolated \
    OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1 \
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== 1. simulation (bench/sim/sim.c)"
"$b/hpt-sim" --strategy random --strategy hyperband --seeds "$seeds"
"$b/hpt-sim" --strategy bayes --seeds "$bseeds" | tail -n +2
# QUEUE=1: bayes again with the coordinator's queueing in the simulated time.
[ -n "${QUEUE:-}" ] && "$b/hpt-sim" --strategy bayes --seeds "$bseeds" --coordinator-queue
if ! command -v mpirun >/dev/null 2>&1 || [ ! -x "$b/hpt-mpi-throughput" ]; then
    echo "== 2, 3: skipped (no mpirun, or make mpi-throughput mpi-examples not run)"
    exit 0
fi
echo "== 2. coordinator throughput (3 workers, asks + tells after 1000 observations)"
for s in random bayes; do
    mpirun --allow-run-as-root --oversubscribe -np 4 "$b/hpt-mpi-throughput" --strategy "$s" \
        --asks "$([ "$s" = random ] && echo 5000 || echo 100)" 2>&1 | tail -n 1
done
echo "== 3. wall time, 1 rank vs 4 ranks (1 coordinator + 3 workers)"
for np in 1 4; do
    mpirun --allow-run-as-root --oversubscribe -np $np "$b/mpi/examples/tune_mpi" --trials 64 \
        --work-ms 50
done
if [ -x "$b/mpi/examples/tune_digits_mpi" ]; then
    for np in 1 4; do
        mpirun --allow-run-as-root --oversubscribe -np $np "$b/mpi/examples/tune_digits_mpi" \
            --trials 100
    done
fi
