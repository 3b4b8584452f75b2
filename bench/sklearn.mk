# bench/sklearn.mk -- the scikit-learn tuning protocol (bench/sklearn/run.py):
# libhpt's bayes and random search against Optuna 3.1's TPE (default, and
# multivariate + constant liar) and CMA-ES, 16 rounds x 8 suggestions on
# every model/dataset/metric test case, 5 repeats (Debian's python3-sklearn,
# no downloads). Results: build/bench/sklearn/score.md and score.png.
#
#   make bench-sklearn                 the full benchmark (hours on 2 cores)
#   make bench-sklearn SKL_ARGS=--quick   the smoke test that make check runs
#   SKL_ARGS="--models DT,SVM --repeats 3 --jobs 2" narrows it

SKL_ARGS ?=

.PHONY: bench-sklearn
bench-sklearn: $(B)/libhpt.so
	HPT_LIBRARY=$(abspath $(B)/libhpt.so) PYTHONPATH=$(abspath python) \
	    $(PYTHON) bench/sklearn/run.py --out $(B)/bench/sklearn $(SKL_ARGS)
