# journal.mk -- the durable-study benchmarks: bench/journal_bench.c (tell
# cost, bytes per trial) and bench/journal/ (one source file per figure:
# reopen.c, reopen time; table in bench/journal/README.md).
#   make bench-journal   [JOURNAL_BENCH_DIR=dir on the disk to measure]
JOURNAL_BENCH_DIR ?= $(B)

$(B)/bench/journal_bench: bench/journal_bench.c $(B)/libhpt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(B)/libhpt.a $(LDFLAGS) $(DEP_LIBS)

$(B)/bench/journal_reopen: bench/journal/reopen.c $(B)/libhpt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(B)/libhpt.a $(LDFLAGS) $(DEP_LIBS)

.PHONY: bench-journal bench-journal-reopen
bench-journal-reopen: $(B)/bench/journal_reopen
	@mkdir -p $(JOURNAL_BENCH_DIR)/bench
	nice $(B)/bench/journal_reopen $(JOURNAL_BENCH_DIR)/bench/journal

bench-journal: $(B)/bench/journal_bench bench-journal-reopen
	$(B)/bench/journal_bench $(JOURNAL_BENCH_DIR)

# Several writers on one journal (bench/journal/writers.c): tell cost with
# 1, 2 and 4 writer processes. The integrator joins it to bench-journal.
$(B)/bench/journal_writers: bench/journal/writers.c $(B)/libhpt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(B)/libhpt.a $(LDFLAGS) $(DEP_LIBS)

.PHONY: bench-journal-writers
bench-journal-writers: $(B)/bench/journal_writers
	$(B)/bench/journal_writers $(JOURNAL_BENCH_DIR)
