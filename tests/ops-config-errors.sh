#!/bin/sh
#
# A bad config file stops the server with Redis's
#
#   *** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***
#   Reading the configuration file, at line N
#   >>> 'the line'
#   reason
#
# block on stderr and exit code 1, before anything is started or detached
# (so an init script sees the failure). When Debian's redis-server 7.0.15 is
# installed, ferrodis's stderr, stdout and exit code are compared with it
# byte for byte. Also: a missing config file, and the shipped templates
# conf/redis.conf and conf/sentinel.conf load cleanly.
# shellcheck disable=SC2016,SC2034
set -eu
# shellcheck source-path=SCRIPTDIR source=lib/ops.sh
. "$(dirname "$0")/lib/ops.sh"
Q="'"

BIN=$(server_bin)
REAL=""
if [ -x /usr/bin/redis-server ] && [ "$(readlink -f /usr/bin/redis-server)" != "$(readlink -f "$BIN")" ] &&
    /usr/bin/redis-server --version 2>/dev/null | grep -q 'v=7\.0\.15'; then
    REAL=/usr/bin/redis-server
fi
[ -n "$REAL" ] || diag "Redis 7.0.15 not installed: checking the block's shape only"

# case NAME LINE...: a config whose line 2 is bad (line 1 is valid).
bad_config() {
    _name=$1
    shift
    {
        echo "port 6379"
        for _l in "$@"; do echo "$_l"; done
    } >"$TMP/bad.conf"
    # Daemonizing or listening would be a failure: it must die first.
    if "$BIN" "$TMP/bad.conf" >"$TMP/f.out" 2>"$TMP/f.err"; then FRC=0; else FRC=$?; fi
    if [ "$FRC" -ne 1 ]; then
        not_ok "$_name: exit code 1 (got $FRC)"
        return 0
    fi
    if ! grep -qx '\*\*\* FATAL CONFIG FILE ERROR (Redis 7\.0\.15) \*\*\*' "$TMP/f.err" ||
        ! grep -qx "Reading the configuration file, at line [0-9]*" "$TMP/f.err" ||
        ! grep -q "^>>> '" "$TMP/f.err"; then
        not_ok "$_name: FATAL CONFIG FILE ERROR block"
        show "$TMP/f.err"
        return 0
    fi
    if [ -n "$REAL" ]; then
        if "$REAL" "$TMP/bad.conf" >"$TMP/r.out" 2>"$TMP/r.err"; then RRC=0; else RRC=$?; fi
        if [ "$RRC" -eq "$FRC" ] && cmp -s "$TMP/r.err" "$TMP/f.err" && cmp -s "$TMP/r.out" "$TMP/f.out"; then
            ok "$_name: exit 1 and the same FATAL block as Redis 7.0.15"
        else
            not_ok "$_name: exit 1 and the same FATAL block as Redis 7.0.15"
            diff "$TMP/r.err" "$TMP/f.err" | sed 's/^/#   /' || true
        fi
    else
        ok "$_name: exit 1 and the FATAL CONFIG FILE ERROR block"
    fi
}

bad_config "unknown directive" "bogus-directive yes"
bad_config "wrong number of arguments" "save 900"
bad_config "port out of range" "port 99999"
bad_config "bad memory unit" "maxmemory 1x"
bad_config "bad yes/no" "appendonly maybe"
bad_config "bad enum" "loglevel loud"
bad_config "unbalanced quotes" 'requirepass "unbalanced'
bad_config "error on a later line" "daemonize yes" "databases 0"

# A missing config file: Redis logs one line and exits 1.
if "$BIN" "$TMP/missing.conf" >"$TMP/f.out" 2>"$TMP/f.err"; then FRC=0; else FRC=$?; fi
check_that "missing config file: exit 1, \"Fatal error, can't open config file\"" '
    [ "$FRC" -eq 1 ] && grep -q "# Fatal error, can${Q}t open config file .$TMP/missing.conf.: No such file or directory" "$TMP/f.out"'

# The same errors through the command line options.
if "$BIN" --port 6379 --bogus-directive yes >"$TMP/f.out" 2>"$TMP/f.err"; then FRC=0; else FRC=$?; fi
check_that "bad option on the command line: exit 1 and the FATAL block" '
    [ "$FRC" -eq 1 ] && grep -q "FATAL CONFIG FILE ERROR" "$TMP/f.err" && grep -q ">>> .bogus-directive \"yes\"." "$TMP/f.err"'

# The shipped templates load: --check-system parses the config like a start
# (and never starts a server), so a bad template would give the FATAL block.
for _t in redis.conf sentinel.conf; do
    if [ ! -f "$TOP/conf/$_t" ]; then
        not_ok "conf/$_t exists"
        continue
    fi
    _mode=""
    [ "$_t" = sentinel.conf ] && _mode=--sentinel
    cp "$TOP/conf/$_t" "$TMP/$_t"
    # shellcheck disable=SC2086
    if "$BIN" "$TMP/$_t" $_mode --check-system >"$TMP/t.out" 2>"$TMP/t.err" || [ ! -s "$TMP/t.err" ]; then
        ok "conf/$_t loads without a config error"
    else
        not_ok "conf/$_t loads without a config error"
        show "$TMP/t.err"
    fi
done

# Every directive the server reports in CONFIG GET * is documented in
# conf/redis.conf (as a directive line or a commented example).
P=$(free_port)
"$BIN" --port "$P" --bind 127.0.0.1 --daemonize yes --pidfile "$TMP/cg.pid" --logfile "$TMP/cg.log" \
    --dir "$TMP" >/dev/null 2>&1 || true
wait_until 5 test -s "$TMP/cg.pid" || true
track_pidfile "$TMP/cg.pid"
if ! command -v redis-cli >/dev/null 2>&1 || ! wait_until 5 ping_port "$P"; then
    skip "every CONFIG GET * directive is documented in conf/redis.conf" "no redis-cli or server"
elif ! redis-cli -p "$P" config get '*' >"$TMP/cg.out" 2>&1 || grep -q '^ERR' "$TMP/cg.out"; then
    skip "every CONFIG GET * directive is documented in conf/redis.conf" "CONFIG GET not available yet"
else
    _missing=""
    awk 'NR % 2 == 1' "$TMP/cg.out" >"$TMP/cg.names"
    while IFS= read -r _n; do
        grep -qE "^#? *$_n( |\$)" "$TOP/conf/redis.conf" || _missing="$_missing $_n"
    done <"$TMP/cg.names"
    check_that "every CONFIG GET * directive is documented in conf/redis.conf" '[ -z "$_missing" ]' ||
        diag "undocumented:$_missing"
fi
kill "$(cat "$TMP/cg.pid" 2>/dev/null)" 2>/dev/null || true

finish
