# cli.mk -- hpt-tune, the command-line tuning job (cli/README.md).
# Built by `make` (as part of `lib`) into $(B)/hpt-tune, installed by
# `make install` into $(BINDIR). It links the static library, so the binary
# runs without LD_LIBRARY_PATH.
#
# The journal features need libhpt's journal API (hpt_study_open & co.):
# cli/journal_glue.c uses it and is built when include/hpt.h declares it;
# otherwise cli/journal_none.c says, at run time, that they are missing.

CLI_JOURNAL_SRC := $(if $(shell grep -s -q hpt_study_open include/hpt.h && echo y),\
                     cli/journal_glue.c,cli/journal_none.c)
CLI_SRC := $(filter-out cli/journal_%.c,$(sort $(wildcard cli/*.c))) $(CLI_JOURNAL_SRC)
CLI_OBJ := $(CLI_SRC:cli/%.c=$(B)/cli/%.o)

.PHONY: install-cli uninstall-cli

lib: $(B)/hpt-tune

$(B)/cli/%.o: cli/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Icli -c $< -o $@

$(B)/hpt-tune: $(CLI_OBJ) $(B)/libhpt.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(B)/libhpt.a $(DEP_LIBS)

install: install-cli
install-cli: $(B)/hpt-tune
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(B)/hpt-tune $(DESTDIR)$(BINDIR)/

uninstall: uninstall-cli
uninstall-cli:
	rm -f $(DESTDIR)$(BINDIR)/hpt-tune

-include $(CLI_OBJ:.o=.d)
