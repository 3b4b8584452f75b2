# bench/sim/sim.mk -- hpt-sim, the discrete-event simulator of W workers
# (bench/sim/sim.c explains the model).
#
#   make sim                          build/hpt-sim
#   make sim-run                      the figures: random, bayes, hyperband
#                                     (ASHA) at W = 1, 4, 16, 64, 256
#   make sim-figures                  every figure of the issue-9 note
#                                     (bench/sim/figures.sh; long with bayes)
#   build/hpt-sim --selftest          Hartmann6 at its optimum
#
# tests/check_sim.sh runs a small simulation in `make check`.

# Guarded: the Makefile includes */*/*.mk, and a bench/ fragment may too.
ifndef HPT_SIM_MK
HPT_SIM_MK := 1

.PHONY: sim sim-run sim-figures
sim: $(B)/hpt-sim
tests: $(B)/hpt-sim

$(B)/hpt-sim: bench/sim/sim.c $(BENCH_OBJ_DIR)/functions.o $(B)/libhpt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ibench $< $(BENCH_OBJ_DIR)/functions.o -o $@ $(B)/libhpt.a \
	    $(LDFLAGS) $(DEP_LIBS)

sim-figures: $(B)/hpt-sim $(if $(MPICC),$(B)/hpt-mpi-throughput mpi-examples)
	sh bench/sim/figures.sh $(B)

SIM_ARGS ?=
sim-run: $(B)/hpt-sim
	$(B)/hpt-sim $(SIM_ARGS)

endif
