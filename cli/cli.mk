# cli.mk -- hpt-tune, the command-line tuning job (cli/README.md).
# Built by `make` (as part of `lib`) into $(B)/hpt-tune, installed by
# `make install` into $(BINDIR). It links the static library, so the binary
# runs without LD_LIBRARY_PATH.

CLI_SRC := $(sort $(wildcard cli/*.c))
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
