#!/bin/sh
#
# `make install PREFIX=<tmp>` installs redis-server and its redis-sentinel /
# redis-check-rdb links into PREFIX/bin the way Redis's make does (INSTALL
# lines, the "make test" hint), the installed binary runs, and
# `make uninstall PREFIX=<tmp>` removes them again.
# shellcheck disable=SC2016,SC2034
set -eu
# shellcheck source-path=SCRIPTDIR source=lib/ops.sh
. "$(dirname "$0")/lib/ops.sh"

if [ ! -f "$TOP/Makefile" ]; then
    not_ok "Makefile exists at the top of the tree"
    finish
    exit
fi
if ! command -v make >/dev/null 2>&1 && ! need_tool make make; then
    skip "make install PREFIX=<tmp>" "make not installed"
    finish
    exit
fi

PREFIX="$TMP/prefix"
run_out make -C "$TOP" --no-print-directory install PREFIX="$PREFIX"
check_that "make install PREFIX=<tmp> succeeds" '[ $RC -eq 0 ]' ||
    printf '%s\n' "$OUT" | tail -n 20 | sed 's/^/#   /'
check_that "prints Redis's INSTALL line and the make test hint" '
    has "INSTALL.*redis-server" && has_f "It'"'"'s a good idea to run '"'"'make test'"'"'"'
check_that "PREFIX/bin/redis-server is an executable file" '
    [ -f "$PREFIX/bin/redis-server" ] && [ -x "$PREFIX/bin/redis-server" ]'
check_that "PREFIX/bin/redis-sentinel and redis-check-rdb lead to redis-server" '
    for _l in redis-sentinel redis-check-rdb; do
        [ -x "$PREFIX/bin/$_l" ] &&
            [ "$(readlink -f "$PREFIX/bin/$_l")" = "$(readlink -f "$PREFIX/bin/redis-server")" ] || exit 1
    done'
run_out "$PREFIX/bin/redis-server" --version
check_that "the installed redis-server runs: Redis-style version line" '
    [ $RC -eq 0 ] && has "^Redis server v=7\.0\.15 sha=[0-9a-f]*:[01] malloc=[a-z]* bits=64 build=" && has_f ferrodis'
P=$(free_port)
"$PREFIX/bin/redis-server" --port "$P" --bind 127.0.0.1 --daemonize yes --pidfile "$TMP/i.pid" \
    --logfile "$TMP/i.log" --dir "$TMP" >/dev/null 2>&1 || true
wait_until 5 test -s "$TMP/i.pid" || true
track_pidfile "$TMP/i.pid"
if command -v redis-cli >/dev/null 2>&1; then
    check "the installed server answers PING" wait_until 5 ping_port "$P"
else
    check "the installed server starts" wait_until 5 grep -q "Ready to accept connections" "$TMP/i.log"
fi
kill "$(cat "$TMP/i.pid" 2>/dev/null)" 2>/dev/null || true

run_out make -C "$TOP" --no-print-directory uninstall PREFIX="$PREFIX"
check_that "make uninstall PREFIX=<tmp> removes the binary and the links" '
    [ $RC -eq 0 ] && [ ! -e "$PREFIX/bin/redis-server" ] && [ ! -e "$PREFIX/bin/redis-sentinel" ] &&
    [ ! -e "$PREFIX/bin/redis-check-rdb" ]'
finish
