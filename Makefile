# Playbook -- plain Makefile.  `make`, `make test`, `make install`.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
DATADIR = $(PREFIX)/share/playbook
MANDIR = $(PREFIX)/share/man

CC ?= cc
CFLAGS ?= -O2 -g
PKGS = lua5.4 libxml-2.0 json-c libedit
WARN = -std=c11 -Wall -Wextra -Werror -Wshadow -Wundef -Wwrite-strings \
       -Wmissing-prototypes -Wstrict-prototypes
DEFS = -D_POSIX_C_SOURCE=200809L -DPB_DATADIR='"$(DATADIR)"'

# V=1 shows the commands.
ifeq ($(V),1)
Q =
else
Q = @
endif

# SAN=1 builds everything with ASan+UBSan into its own folder.
ifeq ($(SAN),1)
B = build/asan
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
           -fno-sanitize-recover=all
else
B = build/release
endif

# Deferred: pkg-config is asked only after `deps` has run.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS)) -lm
ALL_CFLAGS = $(WARN) $(DEFS) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -Iengine
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

LIB_SRC = $(sort $(wildcard engine/*.c))
CLI_SRC = $(sort $(wildcard engine/cli/*.c))
TEST_SRC = $(sort $(wildcard tests/test_*.c))
LIB_OBJ = $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ = $(CLI_SRC:%.c=$(B)/%.o)
TESTS = $(TEST_SRC:%.c=$(B)/%)

.PHONY: all deps test check install uninstall clean demo bench
all: $(B)/playbook

# Installs the Debian packages pkg-config cannot find, and nothing else.
deps:
	@sh tools/deps.sh

$(B)/%.o: %.c | deps
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/libplaybook.a: $(LIB_OBJ)
	$(Q)$(AR) rcs $@ $^

# The scenario schema, built into the library (engine/schema.h) so it is
# found without the source tree; `install` also copies the .rng for other
# tools.  od, not xxd, which is not always there.
$(B)/libplaybook.a: $(B)/gen/scenario_rng.o

$(B)/gen/scenario_rng.c: scenarios/scenario.rng
	@mkdir -p $(@D)
	@$(if $(Q),echo "  GEN     $@")
	$(Q){ echo '/* Generated from $< by make: do not edit. */'; \
	  echo '#include "schema.h"'; \
	  echo 'const unsigned char pb__scenario_rng[] = {'; \
	  od -An -v -t x1 $< | sed -e 's/ *$$//' -e 's/ \([0-9a-f]*\)/0x\1,/g'; \
	  echo '0x00};'; \
	  echo 'const size_t pb__scenario_rng_len = sizeof pb__scenario_rng - 1;'; \
	} >$@.tmp && mv $@.tmp $@

$(B)/gen/scenario_rng.o: $(B)/gen/scenario_rng.c | deps
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/playbook: $(CLI_OBJ) $(B)/libplaybook.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/test_%: $(B)/tests/test_%.o $(B)/libplaybook.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(shell pkg-config --libs cmocka)

$(B)/tests/test_%.o: ALL_CFLAGS += $(shell pkg-config --cflags cmocka)

# The suite, once normally and once under ASan+UBSan.
test: deps
	$(MAKE) check
	$(MAKE) SAN=1 check

check: $(B)/playbook $(TESTS)
	@sh tests/run.sh $(B)

# The quality bars, each with a floor measured in the same run.
bench: $(B)/playbook $(B)/tests/bench/bench
	$(B)/tests/bench/bench principles $(B)/playbook

$(B)/tests/bench/bench: $(B)/tests/bench/bench.o $(B)/libplaybook.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

demo: $(B)/playbook
	$(B)/playbook replay -p principles scenarios/late-delivery.xml

install: $(B)/playbook
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/principles \
	           $(DESTDIR)$(DATADIR)/scenarios
	install -m 755 $(B)/playbook $(DESTDIR)$(BINDIR)/playbook
	install -m 644 principles/*.lua $(DESTDIR)$(DATADIR)/principles/
	install -m 644 scenarios/*.xml $(DESTDIR)$(DATADIR)/scenarios/
	if [ -f scenarios/scenario.rng ]; then install -m 644 \
	    scenarios/scenario.rng $(DESTDIR)$(DATADIR)/; fi
	if [ -f docs/playbook.1 ]; then install -d $(DESTDIR)$(MANDIR)/man1 && \
	    install -m 644 docs/playbook.1 $(DESTDIR)$(MANDIR)/man1/; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/playbook $(DESTDIR)$(MANDIR)/man1/playbook.1
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build

.SECONDARY:
-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TESTS:=.d)
-include $(B)/gen/scenario_rng.d
