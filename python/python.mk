# python.mk -- make rules of the ctypes binding (included by the Makefile).
#
#   make python-check    the binding's pytest suite against $(B)/libhpt.so
#   make python-bench    ask+tell round-trip overhead from Python (python/bench_overhead.py)
#   make python-examples run both examples in examples/python with small budgets
#
# `make check` already runs tests/python through scripts/run-tests.

.PHONY: python-check python-bench python-examples

PY_ENV = HPT_LIBRARY=$(CURDIR)/$(B)/libhpt.so PYTHONPATH=$(CURDIR)/python

python-check: $(B)/libhpt.so
	$(PY_ENV) $(PYTHON) -m pytest -q tests/python

python-bench: $(B)/libhpt.so
	$(PY_ENV) $(PYTHON) python/bench_overhead.py

python-examples: $(B)/libhpt.so
	$(PY_ENV) $(PYTHON) examples/python/tune_sklearn.py --trials 10
	$(PY_ENV) $(PYTHON) examples/python/hyperband_sgd.py --budget 9 --trials 30
