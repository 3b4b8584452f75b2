# mpi/mpi.mk -- libhpt_mpi (include/hpt_mpi.h), its tests, examples and
# throughput tool. Built by `make mpi`, and by `make` / `make check` when
# Open MPI's `mpicc` is on PATH (Debian: openmpi-bin libopenmpi-dev).
#
#   make mpi              build/libhpt_mpi.so, build/libhpt_mpi.a
#   make mpi-tests        the MPI test programs (run by tests/check_mpi.sh)
#   make mpi-examples     build/mpi/examples/tune_mpi, and tune_digits_mpi
#                         (the real task) when bench/digits.h exists
#   make mpi-demo         run it: 1 rank, then 4 ranks (MPI_DEMO_ARGS=...)
#   make mpi-throughput   build/hpt-mpi-throughput (coordinator asks/s;
#                         built and smoke-run with the tests)
#   make install-mpi / uninstall-mpi   (part of install / uninstall when
#                         mpicc exists)
#
# We compile with $(CC) and the flags mpicc would add (--showme), the MPI
# headers as system headers so that our warning flags apply to our code only.

MPICC ?= $(shell command -v mpicc 2>/dev/null)
MPI_SONAME := libhpt_mpi.so.$(MAJOR)

ifneq ($(MPICC),)
MPI_INC := $(patsubst %,-isystem %,$(shell $(MPICC) --showme:incdirs 2>/dev/null))
MPI_LIBS := $(shell $(MPICC) --showme:link 2>/dev/null)
MPI_CFLAGS = $(ALL_CFLAGS) $(MPI_INC)

all: mpi
# The tests check the shared library's exports and run the throughput tool
# once, so both build with them (a tool that is never built rots).
tests: mpi mpi-tests mpi-throughput
install: install-mpi
uninstall: uninstall-mpi
endif

MPI_TEST_SRC := $(wildcard tests/mpi/*.c)
MPI_TEST_BIN := $(patsubst tests/mpi/%.c,$(B)/mpi/tests/%,$(MPI_TEST_SRC))
# The real-task example needs the bench's training task (bench/digits.h).
MPI_EXAMPLE_SRC := $(wildcard examples/mpi/*.c)
ifeq ($(wildcard bench/digits.h),)
MPI_EXAMPLE_SRC := $(filter-out examples/mpi/tune_digits_mpi.c,$(MPI_EXAMPLE_SRC))
endif
MPI_EXAMPLE_BIN := $(patsubst examples/mpi/%.c,$(B)/mpi/examples/%,$(MPI_EXAMPLE_SRC))

.PHONY: mpi-demo mpi mpi-tests mpi-examples mpi-throughput install-mpi uninstall-mpi mpi-missing

ifeq ($(MPICC),)
mpi mpi-tests mpi-examples mpi-throughput mpi-demo install-mpi: mpi-missing
mpi-missing:
	@echo "mpi: mpicc not found (Debian: apt-get install openmpi-bin libopenmpi-dev)" >&2
	@false
else
mpi: $(B)/libhpt_mpi.so $(B)/libhpt_mpi.a
mpi-tests: $(MPI_TEST_BIN)
mpi-examples: $(MPI_EXAMPLE_BIN)
mpi-throughput: $(B)/hpt-mpi-throughput
endif

# The library: every mpi/*.c but the throughput tool, one concept a file.
MPI_LIB_SRC := $(filter-out mpi/throughput.c,$(wildcard mpi/*.c))
MPI_LIB_OBJ := $(patsubst mpi/%.c,$(B)/mpi/obj/%.o,$(MPI_LIB_SRC))

$(B)/mpi/obj/%.o: mpi/%.c mpi/impl.h include/hpt_mpi.h include/hpt.h
	@mkdir -p $(dir $@)
	$(CC) $(MPI_CFLAGS) -fPIC -fvisibility=hidden -DHPT_MPI_BUILDING -c $< -o $@

$(B)/libhpt_mpi.so.$(VERSION): $(MPI_LIB_OBJ) $(B)/libhpt.so
	$(CC) -shared -Wl,-soname,$(MPI_SONAME) -Wl,--no-undefined $(LDFLAGS) -o $@ \
	    $(MPI_LIB_OBJ) -L$(B) -lhpt $(MPI_LIBS) -lm

$(B)/libhpt_mpi.so: $(B)/libhpt_mpi.so.$(VERSION)
	ln -sf libhpt_mpi.so.$(VERSION) $(B)/$(MPI_SONAME)
	ln -sf $(MPI_SONAME) $@

-include $(MPI_LIB_OBJ:.o=.d)

$(B)/libhpt_mpi.a: $(MPI_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

# Programs link the static archives: no LD_LIBRARY_PATH needed to run them.
MPI_PROG_LIBS = $(B)/libhpt_mpi.a $(B)/libhpt.a $(LDFLAGS) $(MPI_LIBS) $(DEP_LIBS)

$(B)/mpi/tests/%: tests/mpi/%.c tests/mpi/mpitest.h $(B)/libhpt_mpi.a $(B)/libhpt.a
	@mkdir -p $(dir $@)
	$(CC) $(MPI_CFLAGS) -Itests/mpi $< -o $@ $(MPI_PROG_LIBS)

$(B)/mpi/examples/%: examples/mpi/%.c $(B)/libhpt_mpi.a $(B)/libhpt.a
	@mkdir -p $(dir $@)
	$(CC) $(MPI_CFLAGS) $< -o $@ $(MPI_PROG_LIBS)

$(B)/mpi/examples/tune_digits_mpi: examples/mpi/tune_digits_mpi.c $(B)/obj/bench/digits.o \
                                  $(B)/obj/bench/util.o $(B)/libhpt_mpi.a $(B)/libhpt.a
	@mkdir -p $(dir $@)
	$(CC) $(MPI_CFLAGS) -Ibench $< $(B)/obj/bench/digits.o $(B)/obj/bench/util.o -o $@ \
	    $(MPI_PROG_LIBS)

$(B)/hpt-mpi-throughput: mpi/throughput.c $(B)/obj/bench/functions.o $(B)/libhpt_mpi.a \
                         $(B)/libhpt.a
	$(CC) $(MPI_CFLAGS) -Ibench $< $(B)/obj/bench/functions.o -o $@ $(MPI_PROG_LIBS)

install-mpi: $(B)/libhpt_mpi.so $(B)/libhpt_mpi.a pkgconfig/hpt_mpi.pc.in
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 755 $(B)/libhpt_mpi.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libhpt_mpi.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(MPI_SONAME)
	ln -sf $(MPI_SONAME) $(DESTDIR)$(LIBDIR)/libhpt_mpi.so
	install -m 644 $(B)/libhpt_mpi.a $(DESTDIR)$(LIBDIR)/
	install -m 644 include/hpt_mpi.h $(DESTDIR)$(INCLUDEDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    pkgconfig/hpt_mpi.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/hpt_mpi.pc

uninstall-mpi:
	rm -f $(DESTDIR)$(LIBDIR)/libhpt_mpi.so $(DESTDIR)$(LIBDIR)/$(MPI_SONAME) \
	    $(DESTDIR)$(LIBDIR)/libhpt_mpi.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libhpt_mpi.a \
	    $(DESTDIR)$(INCLUDEDIR)/hpt_mpi.h $(DESTDIR)$(PKGCONFIGDIR)/hpt_mpi.pc

# The settings tests/check_mpi.sh uses in a container (shared memory only,
# root allowed, more ranks than cores).
MPIRUN_ENV := OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1 OMPI_MCA_plm=isolated \
    OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1 \
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPI_DEMO_ARGS ?=
ifneq ($(MPICC),)
mpi-demo: $(B)/mpi/examples/tune_mpi
	$(MPIRUN_ENV) mpirun --oversubscribe -np 1 $< $(MPI_DEMO_ARGS)
	$(MPIRUN_ENV) mpirun --oversubscribe -np 4 $< $(MPI_DEMO_ARGS)
endif
