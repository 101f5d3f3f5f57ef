# SPDX-License-Identifier: MIT
# stripe-reader: plain Makefile (see README.md).
#
#   make                 build ./stripe-reader
#   make test            unit tests + tests against the Stripe API double
#   make demo            sync the demo dataset from the double into demo.db
#   make bench           benchmarks (not part of make test)
#   make soak SEED=n STEPS=n [SINK=sqlite|ndjson|both]
#                        seeded soak against the double (tests/soak/soak.py)
#   make install         PREFIX=/usr/local DESTDIR= (also tap-stripe-reader)
#   DEVELOPER=1          warnings are errors
#   SANITIZE=address,undefined   build (into build-san/) with sanitizers
#   make fuzz            libFuzzer targets (clang, ASan, UBSan; build-fuzz/),
#                        each run FUZZ_SECONDS (60); FUZZ_TARGETS= a subset
#   make fuzz-ci         the same, 10 s each (what .ci/run runs)
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

.PHONY: all deps test-deps fuzz-deps test unit cli-tests demo bench soak \
        install clean check-style fuzz fuzz-ci fuzz-build
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

# Fuzzing (docs/fuzzing.md): tests/fuzz/fuzz_NAME.c -> build-fuzz/fuzz_NAME,
# linked with libFuzzer; the program's objects are built again with clang
# and coverage instrumentation (fuzzer-no-link), ASan and UBSan.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CI_SECONDS ?= 10
FUZZ_BUILD   := build-fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
FUZZ_CFLAGS   = -std=c11 $(WARN) -O1 -g $(FUZZ_SAN) -I. \
                -DSTRIPE_READER_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN     := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o) \
                $(FUZZ_BUILD)/tests/fuzz/util.o

fuzz-deps: deps
	@scripts/install-deps --check --fuzz 2>/dev/null \
	    || scripts/install-deps --fuzz

$(FUZZ_BUILD)/%.o: %.c | fuzz-deps
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP \
	    -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJ) | fuzz-deps
	$(QUIET_LINK)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
	    $(FUZZ_LIB_OBJ) $(LIBS)

-include $(FUZZ_LIB_OBJ:.o=.d)

fuzz-build: $(FUZZ_BIN)

# Each target from its seeds (tests/fuzz/corpus/NAME, never written) and
# its working corpus (build-fuzz/corpus/NAME); a finding fails the run and
# names the reproducer.
fuzz: fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-ci: fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) tests/fuzz/run --fresh $(FUZZ_CI_SECONDS) \
	    $(FUZZ_TARGETS)

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
	# the Singer tap (issue 16): the binary runs `singer` under this name
	ln -sf stripe-reader $(DESTDIR)$(BINDIR)/tap-stripe-reader
	if [ -f docs/stripe-reader.1 ]; then \
	    install -m 0644 docs/stripe-reader.1 $(DESTDIR)$(MANDIR)/man1/; fi

check-style: test-deps
	@clang-format --dry-run --Werror $(SRC) $(wildcard */*.h) $(UNIT_SRC) \
	    $(wildcard tests/fuzz/*.c tests/fuzz/*.h)

clean:
	rm -rf build build-san build-fuzz stripe-reader demo.db demo.db-wal \
	    demo.db-shm
