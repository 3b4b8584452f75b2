# cmake.mk -- install rules of the CMake package (included by the Makefile):
# $(LIBDIR)/cmake/hpt/hptConfig.cmake and hptConfigVersion.cmake, next to
# hpt.pc, for find_package(hpt) and the imported target hpt::hpt.

.PHONY: install-cmake uninstall-cmake

CMAKEDIR ?= $(LIBDIR)/cmake/hpt
# Paths from the config file to the library and headers, so the package is
# relocatable (a DESTDIR staging works like the final install).
cmake_rel = $(shell realpath -m --relative-to=$(CMAKEDIR) $(1))

install-cmake: cmake/hptConfig.cmake.in cmake/hptConfigVersion.cmake.in
	install -d $(DESTDIR)$(CMAKEDIR)
	sed -e 's|@REL_LIBDIR@|$(call cmake_rel,$(LIBDIR))|g' \
	    -e 's|@REL_INCLUDEDIR@|$(call cmake_rel,$(INCLUDEDIR))|g' \
	    -e 's|@VERSION@|$(VERSION)|g' -e 's|@MAJOR@|$(MAJOR)|g' \
	    cmake/hptConfig.cmake.in > $(DESTDIR)$(CMAKEDIR)/hptConfig.cmake
	sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@MAJOR@|$(MAJOR)|g' -e 's|@MINOR@|$(MINOR)|g' \
	    cmake/hptConfigVersion.cmake.in > $(DESTDIR)$(CMAKEDIR)/hptConfigVersion.cmake

uninstall-cmake:
	rm -f $(DESTDIR)$(CMAKEDIR)/hptConfig.cmake $(DESTDIR)$(CMAKEDIR)/hptConfigVersion.cmake
	-rmdir $(DESTDIR)$(CMAKEDIR) 2>/dev/null
