# Fuzzing (libFuzzer, clang from Debian). Targets: tests/fuzz/fuzz_<name>.c,
# each with a seed corpus tests/fuzz/corpus_<name>/ and crash reproducers in
# tests/fuzz/crashes_<name>/ (replayed by `make check` as regression tests).
#
#   make fuzz FUZZ_SECONDS=60      run every target for that long

FUZZ_SECONDS ?= 30
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CC ?= clang
FUZZ_FLAGS := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
              -std=c11 -D_GNU_SOURCE -Iinclude -Ilib $(BLAS_CFLAGS) -DHPT_BUILDING

# Sources a target needs besides the library (the CLI's parser for "spec").
FUZZ_EXTRA_spec := $(filter-out cli/main.c,$(sort $(wildcard cli/*.c)))

.PHONY: fuzz
# The library is compiled straight into each fuzzer with coverage
# instrumentation; the replay binaries (gcc, no libFuzzer) link libhpt.a.
.SECONDEXPANSION:
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRC) $$(FUZZ_EXTRA_$$*)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Icli -fsanitize=fuzzer $< $(LIB_SRC) $(FUZZ_EXTRA_$*) \
	    -o $@ $(DEP_LIBS)

$(B)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/standalone.c $(B)/libhpt.a \
                    $$(FUZZ_EXTRA_$$*)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -Icli $< tests/fuzz/standalone.c \
	    $(FUZZ_EXTRA_$*) -o $@ $(B)/libhpt.a $(LDFLAGS) $(DEP_LIBS)

tests: $(FUZZ_NAMES:%=$(B)/fuzz/replay_%)

fuzz: $(FUZZ_NAMES:%=build/fuzz/fuzz_%)
	@command -v $(FUZZ_CC) >/dev/null || { echo "fuzz: needs clang (scripts/install-deps --all)"; exit 1; }
	@for n in $(FUZZ_NAMES); do \
	    mkdir -p build/fuzz/corpus_$$n build/fuzz/artifacts_$$n; \
	    echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
	    build/fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        -artifact_prefix=build/fuzz/artifacts_$$n/ \
	        build/fuzz/corpus_$$n tests/fuzz/corpus_$$n 2>&1 | \
	        grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|crash-' || true; \
	done
