# bench/cond/cond.mk -- the conditional benchmark "net" (bench/cond/netfn.h):
# libhpt's bayes and random against Optuna 3.1 TPE (multivariate, group).
#
#   make bench-cond   [COND_SEEDS=10 COND_BUDGET=100] -> build/bench/cond.md
#
# build/hpt-bench-cond runs the libhpt strategies; build/libhpt_netfn.so
# gives the same function to the Optuna side (bench/cond/compare.py).

COND_SEEDS ?= 10
COND_BUDGET ?= 100

$(B)/hpt-bench-cond: bench/cond/cond_bench.c bench/cond/netfn.c bench/cond/netfn.h $(B)/libhpt.a
	$(CC) $(ALL_CFLAGS) -Ibench/cond bench/cond/cond_bench.c bench/cond/netfn.c -o $@ \
	    $(B)/libhpt.a $(LDFLAGS) $(DEP_LIBS)

$(B)/libhpt_netfn.so: bench/cond/netfn.c bench/cond/netfn.h
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -DHPTB_BUILDING -shared \
	    bench/cond/netfn.c -o $@ -lm

.PHONY: bench-cond
bench-cond: $(B)/hpt-bench-cond $(B)/libhpt_netfn.so
	@mkdir -p $(B)/bench
	/usr/bin/python3 bench/cond/compare.py --bench $(B)/hpt-bench-cond \
	    --netfn $(B)/libhpt_netfn.so --seeds $(COND_SEEDS) --budget $(COND_BUDGET) \
	    --out $(B)/bench/cond
