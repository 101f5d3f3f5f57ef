# SPDX-License-Identifier: MIT
# stripe-reader: plain Makefile (see README.md).
#
#   make                 build ./stripe-reader
#   make test            unit tests + tests against the Stripe API double
#   make demo            sync the demo dataset from the double into demo.db
#   make bench           benchmarks (not part of make test)
#   make soak SEED=n STEPS=n [SINK=sqlite|ndjson|both]
#                        seeded soak against the double (tests/soak/soak.py)
#   make install         PREFIX=/usr/local DESTDIR=
#   DEVELOPER=1          warnings are errors
#   SANITIZE=address,undefined   build (into build-san/) with sanitizers
#   V=1                  show commands

PKGS     := libcurl libcjson yaml-0.1 sqlite3 zlib
VERSION  := 0.1.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
CC       ?= cc
CFLAGS   ?= -O2 -g
PYTHON   ?= python3

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wold-style-definition -Wformat=2 \
        -Wvla -Wwrite-strings -Wpointer-arith -Wdeclaration-after-statement \
        -Wcast-qual -Wundef -fno-common
ifdef DEVELOPER
WARN += -Werror
endif

BUILD := build
ifdef SANITIZE
BUILD := build-san
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-sanitize-recover=all \
             -fno-omit-frame-pointer
endif

# Recursive (=) on purpose: pkg-config runs when a recipe needs the flags,
# which is after the 'deps' prerequisite has installed what was missing.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) $(SAN_FLAGS) -I. \
             -DSTRIPE_READER_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)
LIBS = $(PKG_LIBS) -lm

ifndef V
QUIET_CC   = @echo '   CC      $@';
QUIET_LINK = @echo '   LINK    $@';
endif

SRC     := $(wildcard core/*.c model/*.c profiles/*.c adapter/*.c reader/*.c \
                      sinks/*.c cli/*.c)
LIB_SRC := $(filter-out cli/main.c,$(SRC))
OBJ     := $(SRC:%.c=$(BUILD)/%.o)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:%.c=$(BUILD)/%)
TEST_HELPERS_SRC := $(wildcard tests/helpers/*.c)
TEST_HELPERS := $(TEST_HELPERS_SRC:%.c=$(BUILD)/%)
BIN := $(BUILD)/stripe-reader

.PHONY: all deps test-deps test unit cli-tests demo bench soak install \
        clean check-style
.DELETE_ON_ERROR:

all: stripe-reader

deps:
	@pkg-config --exists $(PKGS) 2>/dev/null && command -v $(CC) >/dev/null \
	    || scripts/install-deps

test-deps: deps
	@scripts/install-deps --check --test 2>/dev/null \
	    || scripts/install-deps --test

stripe-reader: $(BIN)
ifdef SANITIZE
	@:
else
	@cp $(BIN) $@.tmp && mv -f $@.tmp $@
endif

# linked under a temporary name, so a running binary is never overwritten
$(BIN): $(OBJ)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@.tmp $(OBJ) $(LIBS) && mv -f $@.tmp $@

$(BUILD)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB_OBJ) | deps
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB_OBJ) $(LIBS)

$(BUILD)/tests/helpers/%: tests/helpers/%.c | deps
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -shared -fPIC -o $@ $< -ldl

-include $(OBJ:.o=.d)

# The suite: unit binaries, the double's own tests, and tests/cli/t*.sh
# driving the binary against the double.  Ends with "N passed, N failed".
test: test-deps $(BIN) $(UNIT_BIN) $(TEST_HELPERS)
	@BUILD=$(BUILD) BIN=$(abspath $(BIN)) PYTHON=$(PYTHON) tests/run $(T)

unit: $(UNIT_BIN)
	@BUILD=$(BUILD) BIN=$(abspath $(BIN)) tests/run --only unit

demo: test-deps $(BIN)
	@BIN=$(abspath $(BIN)) PYTHON=$(PYTHON) scripts/demo

bench: test-deps $(BIN)
	@BIN=$(abspath $(BIN)) PYTHON=$(PYTHON) scripts/bench

# The long soak: random actions against the double, the sinks compared with
# its truth after every step.  A failure prints its seed, step and the
# 'make soak SEED=... STEPS=...' that replays it.  Without SEED, a random
# one (printed).  SOAK_OPTS: more options of tests/soak/soak.py (-v,
# --keep-going, --weight ACTION=W, --keep).
STEPS ?= 200
SINK  ?= both
soak: test-deps $(BIN)
	@BIN=$(abspath $(BIN)) $(PYTHON) tests/soak/soak.py --steps $(STEPS) \
	    --sink $(SINK) $(if $(SEED),--seed $(SEED)) \
	    $(if $(LAYOUT),--layout $(LAYOUT)) $(SOAK_OPTS)

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/stripe-reader
	if [ -f docs/stripe-reader.1 ]; then \
	    install -m 0644 docs/stripe-reader.1 $(DESTDIR)$(MANDIR)/man1/; fi

check-style: test-deps
	@clang-format --dry-run --Werror $(SRC) $(wildcard */*.h) $(UNIT_SRC)

clean:
	rm -rf build build-san stripe-reader demo.db demo.db-wal demo.db-shm
