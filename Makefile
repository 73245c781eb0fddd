# SPDX-License-Identifier: GPL-2.0
# Copyright (C) 2026 The vigil authors.
#
# Top-level build. `make` builds the programs, `make check` builds and runs
# every test (also in an ASan+UBSan build), `make install` honours PREFIX,
# DESTDIR, CFLAGS, LDFLAGS and V=1. Sources are found by directory:
#   lib/*.c bases/*.c  -> $(BUILD)/libvigil.a   (engine and bundle code)
#   tools/*.c          -> $(BUILD)/vigil        (every command a person types)
#   daemon/*.c         -> $(BUILD)/vigild       (when daemon/main.c exists)
#   tests/unit/*.c     -> one Criterion binary each
#   tests/fuzz/*.c     -> one libFuzzer target and one replay binary each
# Each directory may add rules in its own Makefile.inc, included below.

PREFIX ?= /usr
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
DESTDIR ?=

CC ?= cc
CLANG ?= clang
CFLAGS ?= -O2 -g
CPPFLAGS ?=
LDFLAGS ?=
BUILD ?= build
SANITIZE ?= 0
WERROR ?= 0

VERSION := $(shell git describe --always --dirty 2>/dev/null || cat VERSION 2>/dev/null || echo 0.1.0)

PKGS := libhs libsodium libcrypto libcurl json-c inih libsystemd liburing libseccomp libarchive
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

VIGIL_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Wformat=2 \
	-Wshadow -Wstrict-prototypes -Wmissing-prototypes -pthread \
	-MMD -MP -Iinclude -Ilib -Ibases -I$(BUILD) $(PKG_CFLAGS) \
	-DVIGIL_SYSCONFDIR='"$(SYSCONFDIR)"' \
	-DVIGIL_LOCALSTATEDIR='"$(LOCALSTATEDIR)"' \
	-DVIGIL_DATADIR='"$(DATADIR)"'
ifeq ($(WERROR),1)
VIGIL_CFLAGS += -Werror
endif
ifeq ($(SANITIZE),1)
VIGIL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
ALL_CFLAGS = $(VIGIL_CFLAGS) $(CPPFLAGS) $(CFLAGS)
LIBS := $(PKG_LIBS) -lm -pthread

ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @printf '  %-7s %s\n'
endif

LIB_SRCS := $(sort $(wildcard lib/*.c bases/*.c))
TOOL_SRCS := $(sort $(wildcard tools/*.c))
DAEMON_SRCS := $(sort $(wildcard daemon/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
TEST_HELPER_SRCS := $(sort $(wildcard tests/helpers/*.c))

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
TOOL_OBJS := $(TOOL_SRCS:%.c=$(BUILD)/%.o)
DAEMON_OBJS := $(DAEMON_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS := $(UNIT_SRCS:%.c=$(BUILD)/%)
TEST_HELPER_BINS := $(TEST_HELPER_SRCS:%.c=$(BUILD)/%)

PROGRAMS := $(BUILD)/vigil
ifneq ($(wildcard daemon/main.c),)
PROGRAMS += $(BUILD)/vigild
endif

all: $(PROGRAMS)

# The version lives in a generated header rewritten only when it changes,
# so a new commit rebuilds what prints it and nothing else.
$(BUILD)/version.h: FORCE
	@mkdir -p $(BUILD)
	@echo '#define VIGIL_VERSION "$(VERSION)"' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/%.o: %.c | $(BUILD)/version.h
	@mkdir -p $(dir $@)
	$(quiet) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libvigil.a: $(LIB_OBJS)
	$(quiet) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/vigil: $(TOOL_OBJS) $(BUILD)/libvigil.a
	$(quiet) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(TOOL_OBJS) $(BUILD)/libvigil.a $(LIBS)

$(BUILD)/vigild: $(DAEMON_OBJS) $(BUILD)/libvigil.a
	$(quiet) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(DAEMON_OBJS) $(BUILD)/libvigil.a $(LIBS)

# Unit tests: one Criterion binary per file, linked with the engine library.
$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libvigil.a
	@mkdir -p $(dir $@)
	$(quiet) TEST $@
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Itests -o $@ $< $(BUILD)/libvigil.a $(LIBS) -lcriterion

# Test helper programs (planters, openers, generators), one per file.
$(BUILD)/tests/helpers/%: tests/helpers/%.c $(BUILD)/libvigil.a
	@mkdir -p $(dir $@)
	$(quiet) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Itests -o $@ $< $(BUILD)/libvigil.a $(LIBS)

tests: $(PROGRAMS) $(UNIT_BINS) $(TEST_HELPER_BINS)

-include $(sort $(wildcard */Makefile.inc */*/Makefile.inc))

# `make check`: the whole suite, as CI runs it. Stages are timed by
# tests/run-tests; the closing line is "N passed, N failed, N skipped".
check:
	$(Q)tests/check

check-unit: tests
	$(Q)tests/run-tests --build $(BUILD) unit

check-e2e: tests
	$(Q)tests/run-tests --build $(BUILD) e2e

install: all
	install -v -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -v -m 0755 $(BUILD)/vigil $(DESTDIR)$(BINDIR)/vigil
	install -v -m 0644 packaging/man/vigil.1 $(DESTDIR)$(MANDIR)/man1/vigil.1
	install -v -d $(DESTDIR)$(BASHCOMPDIR)
	install -v -m 0644 packaging/completion/vigil.bash $(DESTDIR)$(BASHCOMPDIR)/vigil

clean:
	rm -rf build

# The README's first command: a demo folder scanned with the built-in bases.
demo: all
	$(Q)scripts/demo $(BUILD)

FORCE:

.PHONY: all tests check check-unit check-e2e install clean demo FORCE

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
