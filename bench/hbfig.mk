# bench/hbfig.mk -- the Hyperband figures of issue 4 (included by the top
# Makefile; uses bench/bench.mk's BENCH_CFLAGS and object rule).
#
#   make hb-figures     bench/hyperband_figures.sh: random search vs Hyperband
#                       (random and model-guided) on the digits task, 5 seeds
#                       -> build/bench/hb_figures*.{md,csv,png}

.PHONY: hb-figures

$(B)/hpt-hb-figures: $(BENCH_OBJ_DIR)/hb_figures.o $(BENCH_OBJ_DIR)/digits.o \
                     $(BENCH_OBJ_DIR)/util.o $(B)/libhpt.a
	$(CC) -o $@ $(filter %.o,$^) $(B)/libhpt.a $(LDFLAGS) $(DEP_LIBS)

bench: $(B)/hpt-hb-figures

hb-figures: $(B)/hpt-hb-figures
	B=$(B) PYTHON=$(PYTHON) bench/hyperband_figures.sh
