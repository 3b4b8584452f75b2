# bench/bench.mk -- benchmark suite, real training task and Optuna comparison
# (included by the top Makefile).
#
#   make bench           build/hpt-bench, hpt-bench-scaling, hpt-bench-failures,
#                        hpt-train-digits, hpt-demo-digits, libhpt_bench.so
#                        (ctypes ABI)
#   make bench-run       hpt-bench on every function with the local strategies,
#                        100 evaluations x 10 seeds -> build/bench/hpt.json
#   make bench-compare   bench-run + Optuna (TPE, TPE multivariate, random,
#                        CMA-ES; TPE + Hyperband pruner on the real task) ->
#                        build/bench/compare.md and PNG plots
#   make demo-digits     tune the real task (hyperband if the library has it,
#                        else random); HPT_DEMO_SECONDS sets its length
#
# Bench programs use only include/hpt.h; they link libhpt.a. libhpt_bench.so
# holds the test functions and the training task with a plain C ABI
# (hptb_*), for ctypes.

BENCH_CFLAGS = $(ALL_CFLAGS) -Ibench -fPIC -fvisibility=hidden -DHPTB_BUILDING
BENCH_OBJ_DIR := $(B)/obj/bench
BENCH_BINS := $(B)/hpt-bench $(B)/hpt-bench-scaling $(B)/hpt-train-digits \
              $(B)/hpt-demo-digits $(B)/hpt-bench-digits $(B)/hpt-bench-failures
BENCH_SO := $(B)/libhpt_bench.so
BENCH_OUT := $(B)/bench
BENCH_BUDGET ?= 100
BENCH_SEEDS ?= 10
BENCH_STRATEGIES ?= grid,random,sobol
# The real-task comparison: seeds, and epochs trained (over all trials) per run.
BENCH_DIGITS_SEEDS ?= 5
BENCH_DIGITS_EPOCHS ?= 2000
# Parallel Python workers for the Optuna side (the machine has 2 cores).
BENCH_JOBS ?= 1

.PHONY: bench bench-run bench-compare demo-digits

bench: $(BENCH_BINS) $(BENCH_SO)

# The smoke test (tests/check_bench.sh) runs these: build them with the tests.
tests: $(BENCH_BINS) $(BENCH_SO)

$(BENCH_OBJ_DIR)/%.o: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -c $< -o $@

$(B)/hpt-bench: $(BENCH_OBJ_DIR)/hpt_bench.o $(BENCH_OBJ_DIR)/functions.o \
                $(BENCH_OBJ_DIR)/util.o $(B)/libhpt.a
	$(CC) -o $@ $(filter %.o,$^) $(B)/libhpt.a $(LDFLAGS) $(DEP_LIBS)

$(B)/hpt-bench-failures: $(BENCH_OBJ_DIR)/failures.o $(BENCH_OBJ_DIR)/functions.o \
                         $(BENCH_OBJ_DIR)/util.o $(B)/libhpt.a
	$(CC) -o $@ $(filter %.o,$^) $(B)/libhpt.a $(LDFLAGS) $(DEP_LIBS)

$(B)/hpt-bench-scaling: $(BENCH_OBJ_DIR)/scaling.o $(BENCH_OBJ_DIR)/util.o $(B)/libhpt.a
	$(CC) -o $@ $(filter %.o,$^) $(B)/libhpt.a $(LDFLAGS) $(DEP_LIBS)

$(B)/hpt-train-digits: $(BENCH_OBJ_DIR)/train_digits.o $(BENCH_OBJ_DIR)/digits.o
	$(CC) -o $@ $^ $(LDFLAGS) $(BLAS_LIBS) -lm

$(B)/hpt-demo-digits: $(BENCH_OBJ_DIR)/demo_digits.o $(BENCH_OBJ_DIR)/digits.o \
                      $(BENCH_OBJ_DIR)/util.o $(B)/libhpt.a
	$(CC) -o $@ $(filter %.o,$^) $(B)/libhpt.a $(LDFLAGS) $(DEP_LIBS)

# The demo program also serves as the libhpt side of the real-task comparison.
$(B)/hpt-bench-digits: $(B)/hpt-demo-digits
	ln -sf hpt-demo-digits $@

$(BENCH_SO): $(BENCH_OBJ_DIR)/functions.o $(BENCH_OBJ_DIR)/digits.o
	$(CC) -shared -Wl,--no-undefined -o $@ $^ $(LDFLAGS) $(BLAS_LIBS) -lm

# Tests that need bench code link its objects; these explicit rules win over
# the Makefile's pattern rule for tests.
$(B)/tests/test_bench_functions $(B)/tests/test_bench_matrix: $(B)/tests/%: \
        tests/%.c tests/testutil.h $(BENCH_OBJ_DIR)/functions.o $(B)/libhpt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -Itests -Ibench $< -o $@ \
	    $(BENCH_OBJ_DIR)/functions.o $(B)/libhpt.a $(LDFLAGS) -lcmocka $(DEP_LIBS)

$(B)/tests/test_digits: tests/test_digits.c tests/testutil.h \
        $(BENCH_OBJ_DIR)/digits.o $(B)/libhpt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -Itests -Ibench $< -o $@ \
	    $(BENCH_OBJ_DIR)/digits.o $(B)/libhpt.a $(LDFLAGS) -lcmocka $(DEP_LIBS)

bench-run: $(B)/hpt-bench
	@mkdir -p $(BENCH_OUT)
	$(B)/hpt-bench --strategies $(BENCH_STRATEGIES) --budget $(BENCH_BUDGET) \
	    --seeds $(BENCH_SEEDS) --json $(BENCH_OUT)/hpt.json | tee $(BENCH_OUT)/hpt.md

bench-compare: bench-run $(BENCH_SO) $(B)/hpt-bench-digits
	@$(PYTHON) bench/optuna_compare.py --lib $(BENCH_SO) --budget $(BENCH_BUDGET) \
	    --seeds $(BENCH_SEEDS) --out $(BENCH_OUT) \
	    --digits-seeds $(BENCH_DIGITS_SEEDS) --digits-epochs $(BENCH_DIGITS_EPOCHS) \
	    --hpt-digits $(B)/hpt-bench-digits --jobs $(BENCH_JOBS)

demo-digits: $(B)/hpt-demo-digits
	$(B)/hpt-demo-digits

-include $(wildcard $(BENCH_OBJ_DIR)/*.d)
