# bench/mo/mo.mk -- several objectives and constraints (issue 17): libhpt's
# bayes and random search against Optuna 3.1's NSGA-II, multi-objective TPE
# and TPE with constraints_func, 100 evaluations x 10 seeds on ZDT1,
# BraninCurrin, DTLZ2 (hypervolume) and Gardner's toy problem and the
# spring design (feasible regret). Results: build/bench/mo/mo.md, mo.json.
#
#   make bench-mo                       the full comparison
#   make bench-mo MO_ARGS="--seeds 3 --problems zdt1"   a part of it

MO_ARGS ?=

.PHONY: bench-mo
bench-mo: $(B)/hpt-bench-mo
	$(PYTHON) bench/mo/compare.py --driver $(B)/hpt-bench-mo --out $(B)/bench/mo $(MO_ARGS)

$(B)/hpt-bench-mo: $(BENCH_OBJ_DIR)/mo/mo_bench.o $(BENCH_OBJ_DIR)/mo/problems.o $(B)/libhpt.a
	$(CC) -o $@ $(filter %.o,$^) $(B)/libhpt.a $(LDFLAGS) $(DEP_LIBS)

# built with the tests, so that the smoke of compare.py can run
tests: $(B)/hpt-bench-mo
