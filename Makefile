# ferrodis top-level Makefile: the same entry points as Redis's own
# (make, make install, make uninstall, make clean, make test), on top of cargo.
#
#   make                    release build; leaves src/redis-server and the
#                           src/redis-sentinel, src/redis-check-rdb symlinks
#   make install [PREFIX=/usr/local]
#   make uninstall [PREFIX=/usr/local]
#   make test               cargo tests (unit + integration), then tests/*.sh;
#                           closing line "N passed, M failed"
#   make suite              the Redis 7.0.15 Tcl suite units of tests/redis-suite.units
#   make bench              scripts/bench.sh (ferrodis vs /usr/bin/redis-server)
#   make lint               cargo fmt --check and cargo clippy -D warnings
#   make clean
#
# V=1 shows the commands instead of Redis's short "    INSTALL name" lines.

SHELL := /bin/bash
CARGO ?= cargo
PREFIX ?= /usr/local
INSTALL_BIN = $(PREFIX)/bin
INSTALL ?= install
CARGO_TARGET_DIR ?= target
RELEASE_BIN = $(CARGO_TARGET_DIR)/release/redis-server

REDIS_SERVER_NAME = redis-server
REDIS_SENTINEL_NAME = redis-sentinel
REDIS_CHECK_RDB_NAME = redis-check-rdb

LINKCOLOR = "\033[34;1m"
BINCOLOR = "\033[37;1m"
ENDCOLOR = "\033[0m"

ifndef V
define MAKE_INSTALL
	@printf '    %b %b\n' $(LINKCOLOR)INSTALL$(ENDCOLOR) $(BINCOLOR)$(1)$(ENDCOLOR) 1>&2
	@$(INSTALL) $(2) $(3)
endef
else
define MAKE_INSTALL
	$(INSTALL) $(2) $(3)
endef
endif

.PHONY: all build install uninstall test suite bench lint clean distclean

all: build
	@echo ""
	@echo "Hint: It's a good idea to run 'make test' ;)"
	@echo ""

# cargo decides what needs rebuilding, so this always runs it.
build:
	$(CARGO) build --release
	@cp -pf $(RELEASE_BIN) src/$(REDIS_SERVER_NAME)
	@ln -sf $(REDIS_SERVER_NAME) src/$(REDIS_SENTINEL_NAME)
	@ln -sf $(REDIS_SERVER_NAME) src/$(REDIS_CHECK_RDB_NAME)

install: all
	@mkdir -p $(INSTALL_BIN)
	$(call MAKE_INSTALL,$(REDIS_SERVER_NAME),src/$(REDIS_SERVER_NAME),$(INSTALL_BIN))
	@ln -sf $(REDIS_SERVER_NAME) $(INSTALL_BIN)/$(REDIS_CHECK_RDB_NAME)
	@ln -sf $(REDIS_SERVER_NAME) $(INSTALL_BIN)/$(REDIS_SENTINEL_NAME)

uninstall:
	rm -f $(INSTALL_BIN)/{$(REDIS_SERVER_NAME),$(REDIS_CHECK_RDB_NAME),$(REDIS_SENTINEL_NAME)}

test: build
	@REDIS_SERVER=$(CURDIR)/src/$(REDIS_SERVER_NAME) bash scripts/run-tests.sh

suite: build
	../shared/tools/redis-suite --server $(CURDIR)/src/$(REDIS_SERVER_NAME) \
		--units-file tests/redis-suite.units --out $(CARGO_TARGET_DIR)/redis-suite

bench: build
	bash scripts/bench.sh --server $(CURDIR)/src/$(REDIS_SERVER_NAME)

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

clean:
	$(CARGO) clean
	rm -f src/$(REDIS_SERVER_NAME) src/$(REDIS_SENTINEL_NAME) src/$(REDIS_CHECK_RDB_NAME)

distclean: clean
