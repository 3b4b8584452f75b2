# bench/hv.mk -- build/hpt-bench-hv: the cost of hpt_study_hypervolume
# against the front's size and the number of objectives (bench/README.md,
# "Hypervolume"). Built with `make bench`; `make bench-hv` runs it.

bench: $(B)/hpt-bench-hv
tests: $(B)/hpt-bench-hv

$(B)/hpt-bench-hv: $(B)/obj/bench/hv_bench.o $(B)/libhpt.a
	$(CC) -o $@ $< $(B)/libhpt.a $(LDFLAGS) $(DEP_LIBS)

.PHONY: bench-hv
bench-hv: $(B)/hpt-bench-hv
	nice $(B)/hpt-bench-hv
