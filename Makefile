# libhpt -- build, test, install. Plain GNU make; outputs go to build/.
#
#   make                 library (build/libhpt.so, build/libhpt.a)
#   make check           install missing packages, build, run every test,
#                        then again under AddressSanitizer + UBSan
#   make demo            the main job: tune the real training task (bench/)
#   make install PREFIX=/usr/local DESTDIR=   (C library, hpt.pc, CMake package, Python package)
#   make install-python                       (the Python package alone)
#   make uninstall
#   make sanitize        only the ASan+UBSan test run

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
PYTHON ?= /usr/bin/python3
CC ?= cc
B ?= build

# The version lives in include/hpt.h only.
ver = $(shell sed -n 's/^\#define HPT_VERSION_$(1) \([0-9]*\)$$/\1/p' include/hpt.h)
MAJOR := $(call ver,MAJOR)
MINOR := $(call ver,MINOR)
PATCH := $(call ver,PATCH)
VERSION := $(MAJOR).$(MINOR).$(PATCH)
SONAME := libhpt.so.$(MAJOR)

# GSL is linked against OpenBLAS's CBLAS (not gslcblas): no `pkg-config gsl`.
BLAS_CFLAGS := $(shell pkg-config --cflags openblas 2>/dev/null)
BLAS_LIBS := $(shell pkg-config --libs openblas 2>/dev/null || echo -lopenblas)
# OpenBLAS comes first so that GSL's cblas_* calls bind to it, not to the
# gslcblas that Debian's libgsl also lists (tests/check_linkage.sh checks).
DEP_LIBS := -Wl,--push-state,--no-as-needed $(BLAS_LIBS) -Wl,--pop-state -lgsl -llapacke \
            -lm -lpthread

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wconversion -Wvla -Wformat=2 -Wno-sign-conversion
OPT ?= -O2 -g
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -Iinclude -Ilib $(BLAS_CFLAGS) -MMD -MP
# User CFLAGS are appended, never replaced.
ALL_CFLAGS = $(BASE_CFLAGS) $(CFLAGS)
LIB_CFLAGS = $(ALL_CFLAGS) -fPIC -fvisibility=hidden -DHPT_BUILDING

LIB_SRC := $(sort $(wildcard lib/*.c))
LIB_OBJ := $(LIB_SRC:lib/%.c=$(B)/obj/%.o)
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(B)/tests/%)


.PHONY: tsan valgrind coverage
.PHONY: all lib check check-run sanitize deps demo demo-run demo-closed-form install install-shared \
        install-static install-includes install-pc uninstall clean tests

all: lib
lib: $(B)/libhpt.so $(B)/libhpt.a

$(B)/obj/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -c $< -o $@

$(B)/libhpt.so.$(VERSION): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--no-undefined $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(B)/libhpt.so: $(B)/libhpt.so.$(VERSION)
	ln -sf libhpt.so.$(VERSION) $(B)/$(SONAME)
	ln -sf $(SONAME) $@

$(B)/libhpt.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

# Tests link the static archive: they may call internal (hidden) functions.
$(B)/tests/%: tests/%.c tests/testutil.h $(B)/libhpt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -Itests $< -o $@ $(B)/libhpt.a \
	    $(LDFLAGS) -lcmocka $(DEP_LIBS)

tests: $(TEST_BIN)

# ---- set-up ---------------------------------------------------------------
deps:
	@scripts/install-deps
	@scripts/install-deps --optional

# ---- tests ------------------------------------------------------------------
# check: install what is missing, then build and run every test (C, shell,
# Python) plain and again under ASan+UBSan (build/asan), the threaded tests
# under TSan and the core tests under valgrind. The builds use every core
# unless the caller chose -j itself; scripts/run-tests runs the tests on
# every core.
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
CHECK_J = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(JOBS))
check: deps
	@$(MAKE) --no-print-directory $(CHECK_J) check-run
	@$(MAKE) --no-print-directory $(CHECK_J) sanitize
	@$(MAKE) --no-print-directory $(CHECK_J) tsan
	@$(MAKE) --no-print-directory $(CHECK_J) valgrind

check-run: lib tests
	@scripts/run-tests $(B) $(PYTHON)

SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=all
sanitize:
	@$(MAKE) --no-print-directory B=build/asan OPT="$(SAN_FLAGS)" \
	    LDFLAGS="$(LDFLAGS) -fsanitize=address,undefined" lib tests
	@HPT_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    scripts/run-tests build/asan $(PYTHON)

# ThreadSanitizer on the tests that share a study between threads.
TSAN_TESTS ?= test_threads test_errmsg_race test_writers test_reproducible
tsan:
	@$(MAKE) --no-print-directory B=build/tsan OPT="-O1 -g -fsanitize=thread" \
	    LDFLAGS="$(LDFLAGS) -fsanitize=thread" lib $(TSAN_TESTS:%=build/tsan/tests/%)
	@for t in $(TSAN_TESTS); do \
	    TSAN_OPTIONS=halt_on_error=1 build/tsan/tests/$$t || exit 1; done

# valgrind memcheck on the core tests (skipped when valgrind is missing).
VALGRIND_TESTS ?= test_space test_errors test_study test_strategies test_alloc_failure
valgrind: lib $(VALGRIND_TESTS:%=$(B)/tests/%)
	@if ! command -v valgrind >/dev/null; then \
	    echo "valgrind: not installed, memcheck skipped"; exit 0; fi; \
	for t in $(VALGRIND_TESTS); do \
	    valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
	        $(B)/tests/$$t >/dev/null || { echo "valgrind: $$t failed"; exit 1; }; \
	done; echo "valgrind: memcheck clean on $(VALGRIND_TESTS)"

# Line and branch coverage of lib/ (gcov + lcov), report in build/coverage/.
coverage:
	@rm -rf build/cov
	@$(MAKE) --no-print-directory B=build/cov OPT="-O0 -g --coverage -fprofile-update=atomic" \
	    LDFLAGS="$(LDFLAGS) --coverage" lib tests
	@HPT_SANITIZED=1 scripts/run-tests build/cov $(PYTHON) >/dev/null || true
	@lcov -q --capture --rc lcov_branch_coverage=1 --directory build/cov/obj \
	    --output-file build/cov/lib.info >/dev/null
	@lcov -q --rc lcov_branch_coverage=1 --extract build/cov/lib.info '*/lib/*' \
	    --output-file build/cov/lib.info >/dev/null
	@genhtml -q --branch-coverage build/cov/lib.info -o build/coverage >/dev/null
	@lcov --rc lcov_branch_coverage=1 --summary build/cov/lib.info

# ---- demo -------------------------------------------------------------------
demo: deps
	@$(MAKE) --no-print-directory demo-run

$(B)/examples/%: examples/%.c $(B)/libhpt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(B)/libhpt.a $(LDFLAGS) $(DEP_LIBS)

# The main job: tune the real training task (bench/, digits data) with
# model-guided Hyperband; HPT_DEMO_SECONDS sets its size (default 60).
demo-run: demo-digits

# The first example: a closed-form stand-in tuned by random and Sobol search.
demo-closed-form: $(B)/examples/demo_closed_form
	$(B)/examples/demo_closed_form

# ---- install -------------------------------------------------------------------
install: install-shared install-static install-includes install-pc install-cmake install-python

install-shared: $(B)/libhpt.so
	install -d $(DESTDIR)$(LIBDIR)
	install -m 755 $(B)/libhpt.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libhpt.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libhpt.so

install-static: $(B)/libhpt.a
	install -d $(DESTDIR)$(LIBDIR)
	install -m 644 $(B)/libhpt.a $(DESTDIR)$(LIBDIR)/

install-includes:
	install -d $(DESTDIR)$(INCLUDEDIR)
	install -m 644 include/hpt.h $(DESTDIR)$(INCLUDEDIR)/

install-pc: pkgconfig/hpt.pc.in
	install -d $(DESTDIR)$(PKGCONFIGDIR)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    pkgconfig/hpt.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/hpt.pc

uninstall: uninstall-cmake uninstall-python
	rm -f $(DESTDIR)$(LIBDIR)/libhpt.so $(DESTDIR)$(LIBDIR)/$(SONAME) \
	    $(DESTDIR)$(LIBDIR)/libhpt.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libhpt.a \
	    $(DESTDIR)$(INCLUDEDIR)/hpt.h $(DESTDIR)$(PKGCONFIGDIR)/hpt.pc

clean:
	rm -rf build

# Optional parts add their own rules in fragments they own.
-include $(wildcard */*.mk */*/*.mk)
-include $(LIB_OBJ:.o=.d)
