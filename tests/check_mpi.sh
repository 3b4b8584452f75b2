#!/bin/sh
# check_mpi.sh BUILD -- libhpt_mpi under mpirun, each program under a
# timeout so that a hang fails: a job runs to completion with every trial
# accounted for (complete), failures and a worker leaving (faults), HPT_DONE
# shutdown and what serve returns (done), a trial trained by a group of
# ranks (group), HPT_WAIT held by the coordinator (wait), only a trial's
# holder may finish it
# (own), one rank's bad argument to create fails every rank (agree), the
# coordinator's space must be its study's (space), one rank's bad argument
# to ask_group fails the group (group_agree), the throughput tool runs,
# abort + resume through the journal (resume), tells of several objectives
# and constraints (multi); the shared library exports
# only hpt_mpi_*; an outside program builds with `pkg-config hpt_mpi`.
# Skipped (exit 0) when Open MPI is not installed.
set -u
b=${1:-build}
if ! command -v mpicc >/dev/null 2>&1 || ! command -v mpirun >/dev/null 2>&1; then
    echo "check_mpi: skipped: mpicc/mpirun not found (Debian: openmpi-bin libopenmpi-dev)"
    exit 0
fi
t="$b/mpi/tests"
for p in complete faults done group wait own agree space group_agree resume multi; do
    p="$t/$p"
    [ -x "$p" ] || { echo "check_mpi: $p not built (make tests)"; exit 1; }
done
[ -x "$b/hpt-mpi-throughput" ] || { echo "check_mpi: $b/hpt-mpi-throughput not built (make tests)"; exit 1; }

# Open MPI in a container without a network, possibly as root (CI): shared
# memory only (vader, no single-copy: CMA needs ptrace rights), the ob1
# layer (not UCX), no ssh launcher, root allowed, more ranks than cores.
export OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1 OMPI_MCA_plm=isolated \
    OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1 \
    OMPI_MCA_mpi_yield_when_idle=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Open MPI's own allocations are not ours to check for leaks.
[ -n "${HPT_SANITIZED:-}" ] && export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
mpirun_() { # np program args...
    np=$1
    shift
    timeout 60 mpirun --allow-run-as-root --oversubscribe -np "$np" "$@"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
run() { # name np program args...
    name=$1
    shift
    if mpirun_ "$@" >"$tmp/out" 2>&1; then
        grep -v '^\s*$' "$tmp/out" | tail -n 3
    else
        echo "check_mpi: $name FAILED:"; tail -n 30 "$tmp/out"; fail=1
    fi
}
run complete 4 "$t/complete"
run faults 4 "$t/faults"
run done 4 "$t/done"
run group 5 "$t/group"
run wait 4 "$t/wait"
run own 3 "$t/own"
run agree 3 "$t/agree"
run space 3 "$t/space"
run group_agree 4 "$t/group_agree"
run multi 3 "$t/multi"
# The throughput tool (bench/sim/README.md's figure) still runs end to end.
run throughput 3 "$b/hpt-mpi-throughput" --strategy random --observations 20 --asks 200

# The first run must die by MPI_Abort; the second must finish.
if mpirun_ 4 "$t/resume" "$tmp/study.journal" crash >"$tmp/out" 2>&1; then
    echo "check_mpi: resume: the crash run did not crash"; tail -n 20 "$tmp/out"; fail=1
fi
run resume 4 "$t/resume" "$tmp/study.journal" finish

if [ -z "${HPT_SANITIZED:-}" ]; then
    [ -f "$b/libhpt_mpi.so" ] || { echo "check_mpi: $b/libhpt_mpi.so not built (make tests)"; fail=1; }
    bad=$(nm -D --defined-only "$b/libhpt_mpi.so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' |
        grep -v '^hpt_mpi_' || true)
    [ -z "$bad" ] || { echo "check_mpi: libhpt_mpi exports non-hpt_mpi_ symbols: $bad"; fail=1; }
    # An outside program, built from the installed files with pkg-config.
    # Installed straight into a scratch prefix (no DESTDIR): the .pc files
    # then name real paths, and mpi-c's own paths stay untouched.
    root="$tmp/prefix"
    if make --no-print-directory -s B="$b" install PREFIX="$root" >"$tmp/out" 2>&1; then
        cat > "$tmp/outside.c" <<'C'
#include <hpt_mpi.h>
#include <stdio.h>
int main(int argc, char **argv)
{
    hpt_space *sp = NULL; hpt_study *st = NULL; hpt_mpi *h = NULL;
    int rank, rc = 0; int64_t id; double x;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    hpt_space_create(&sp);
    hpt_space_add_float(sp, "x", -1, 1, HPT_SCALE_LINEAR);
    if (rank == 0) { hpt_study_create(sp, "sobol", HPT_MINIMIZE, 1, &st);
                     hpt_study_set(st, "max_trials", 16); }
    if (hpt_mpi_create(MPI_COMM_WORLD, 0, HPT_MPI_WORKER, st, sp, &h)) return 1;
    if (rank == 0) rc = hpt_mpi_serve(h) != HPT_DONE;
    else while (hpt_mpi_ask(h, &id, &x, 1, NULL, NULL) == HPT_OK) hpt_mpi_tell(h, id, x * x);
    if (rank == 0) printf("outside MPI program: %s\n", rc ? "FAILED" : "ok");
    hpt_mpi_destroy(h); hpt_study_destroy(st); hpt_space_destroy(sp);
    MPI_Finalize();
    return rc;
}
C
        if PKG_CONFIG_PATH="$root/lib/pkgconfig" sh -c "cc '$tmp/outside.c' -o '$tmp/outside' \$(pkg-config --cflags --libs hpt_mpi)" \
            >"$tmp/out" 2>&1 &&
            LD_LIBRARY_PATH="$root/lib" mpirun_ 2 "$tmp/outside" >"$tmp/out" 2>&1; then
            tail -n 1 "$tmp/out"
        else
            echo "check_mpi: outside program with pkg-config hpt_mpi FAILED:"; cat "$tmp/out"
            fail=1
        fi
    else
        echo "check_mpi: make install FAILED:"; cat "$tmp/out"; fail=1
    fi
fi
[ $fail -eq 0 ] && echo "check_mpi: ok"
exit $fail
