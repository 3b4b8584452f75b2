# python.mk -- make rules of the ctypes binding (included by the Makefile).
#
#   make python-check    the binding's pytest suite against $(B)/libhpt.so
#   make python-bench    ask+tell round-trip overhead from Python (python/bench_overhead.py)
#   make python-bench-frontend  the same through hpt.create_study and HptSampler, next to Optuna
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

# ---- install ------------------------------------------------------------------
# make install-python [PREFIX=/usr/local] [DESTDIR=] [PYTHONDIR=...]
# copies the pure-Python package into the prefix's module directory: on
# Debian $(PREFIX)/lib/python3.X/dist-packages (on sys.path for /usr/local),
# elsewhere .../site-packages. hpt/libdir.txt records $(LIBDIR), so the
# installed package finds the installed library first. `pip install
# --no-build-isolation --no-deps ./python` is the other way (venvs).
.PHONY: install-python uninstall-python

PY_SITE_KIND = $(shell $(PYTHON) -c 'import sysconfig; print("dist-packages" if "deb_system" in sysconfig.get_scheme_names() else "site-packages")' 2>/dev/null)
PY_VER = $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
PYTHONDIR ?= $(PREFIX)/lib/python$(PY_VER)/$(PY_SITE_KIND)
# Every file of the package, subpackages included (python/hpt/**.py, py.typed).
PY_FILES = $(shell cd python && find hpt -name '*.py' -o -name py.typed | sort)

install-python:
	@[ -n "$(PY_VER)" ] || { echo "install-python: $(PYTHON) not found"; exit 1; }
	for f in $(PY_FILES); do \
	    install -d $(DESTDIR)$(PYTHONDIR)/$$(dirname $$f) && \
	    install -m 644 python/$$f $(DESTDIR)$(PYTHONDIR)/$$f || exit 1; done
	echo '$(LIBDIR)' > $(DESTDIR)$(PYTHONDIR)/hpt/libdir.txt

uninstall-python:
	for f in $(PY_FILES) hpt/libdir.txt; do rm -f $(DESTDIR)$(PYTHONDIR)/$$f; done
	-find $(DESTDIR)$(PYTHONDIR)/hpt -name __pycache__ -type d -exec rm -rf {} + 2>/dev/null
	-find $(DESTDIR)$(PYTHONDIR)/hpt -depth -type d -empty -delete 2>/dev/null

# Optuna-style front end and HptSampler next to Optuna's samplers (bench/README.md).
.PHONY: python-bench-frontend
python-bench-frontend: $(B)/libhpt.so
	$(PY_ENV) $(PYTHON) python/bench_frontend.py --n 4000 --k 20
