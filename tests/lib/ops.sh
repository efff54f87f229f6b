# shellcheck shell=sh
#
# Helpers shared by the operations tests (tests/ops-*.sh); sourced, not run.
#
# Each test script: `set -eu`, sources this file, reports with ok/not_ok/skip
# (TAP-like "ok - name" / "not ok - name" / "ok - name # SKIP why" lines) and
# ends with `finish`, which prints "N passed, M failed" and sets the exit
# code. Everything runs on 127.0.0.1, in a private temp dir ($TMP) removed at
# exit; every process a test starts is registered with track_pid (or
# track_pidfile for daemons) and killed by pid at exit, never by name.
# Works as root or not: tools missing are installed with apt-get only when
# running as root, otherwise the tests needing them are skipped.

TOP=$(cd "$(dirname "$0")/.." && pwd)
PASS=0
FAIL=0
SKIPPED=0
PIDS=""
PIDFILES=""
USED_PORTS=""

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ferrodis-ops.XXXXXX")

ok() {
    PASS=$((PASS + 1))
    echo "ok - $*"
}

not_ok() {
    FAIL=$((FAIL + 1))
    echo "not ok - $*"
}

skip() { # name reason
    SKIPPED=$((SKIPPED + 1))
    echo "ok - $1 # SKIP $2"
}

diag() {
    echo "# $*"
}

# check NAME COMMAND...: ok when the command succeeds.
check() {
    _name=$1
    shift
    if "$@"; then ok "$_name"; else not_ok "$_name"; fi
}

# Print a file's lines prefixed with "# " (diagnostics after a failure).
show() {
    [ -f "$1" ] && sed 's/^/#   /' "$1" | tail -n "${2:-20}"
    return 0
}

finish() {
    if [ "$SKIPPED" -gt 0 ]; then
        echo "$PASS passed, $FAIL failed, $SKIPPED skipped"
    else
        echo "$PASS passed, $FAIL failed"
    fi
    [ "$FAIL" -eq 0 ]
}

track_pid() {
    PIDS="$PIDS $1"
}

# Remember a daemon's pid file: its pid is killed at exit if still alive.
track_pidfile() {
    PIDFILES="$PIDFILES $1"
    if [ -f "$1" ]; then
        _p=$(head -n 1 "$1" 2>/dev/null || true)
        case "$_p" in '' | *[!0-9]*) ;; *) track_pid "$_p" ;; esac
    fi
}

ops_cleanup() {
    for _f in $PIDFILES; do
        if [ -f "$_f" ]; then
            _p=$(head -n 1 "$_f" 2>/dev/null || true)
            case "$_p" in '' | *[!0-9]*) ;; *) PIDS="$PIDS $_p" ;; esac
        fi
    done
    for _p in $PIDS; do
        kill "$_p" 2>/dev/null || true
    done
    _i=0
    for _p in $PIDS; do
        while kill -0 "$_p" 2>/dev/null && [ "$_i" -lt 50 ]; do
            sleep 0.1 2>/dev/null || sleep 1
            _i=$((_i + 1))
        done
        kill -9 "$_p" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap ops_cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

is_root() {
    [ "$(id -u)" -eq 0 ]
}

# need_tool TOOL PACKAGE: succeed when TOOL is on the PATH, installing
# PACKAGE with apt-get first when running as root.
need_tool() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if is_root && command -v apt-get >/dev/null 2>&1; then
        diag "installing $2 (apt-get)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >"$TMP/apt.log" 2>&1 ||
            { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >"$TMP/apt.log" 2>&1; } ||
            true
    fi
    command -v "$1" >/dev/null 2>&1
}

# The ferrodis server binary: $REDIS_SERVER (set by make test), then
# src/redis-server (left by make), target/release/redis-server; built with
# cargo when none exists.
server_bin() {
    if [ -n "${REDIS_SERVER:-}" ] && [ -x "$REDIS_SERVER" ]; then
        readlink -f "$REDIS_SERVER"
        return 0
    fi
    for _b in "$TOP/src/redis-server" "$TOP/target/release/redis-server"; do
        if [ -x "$_b" ]; then
            echo "$_b"
            return 0
        fi
    done
    (cd "$TOP" && cargo build --release -q) >&2 || return 1
    echo "$TOP/target/release/redis-server"
}

# A TCP port in 40000-49999 nobody uses (not in /proc/net/tcp*, not handed
# out before by this script).
free_port() {
    while :; do
        _n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
        _port=$((40000 + _n % 10000))
        case " $USED_PORTS " in *" $_port "*) continue ;; esac
        _hex=$(printf '%04X' "$_port")
        if cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '{print $2}' | grep -qi ":$_hex\$"; then
            continue
        fi
        USED_PORTS="$USED_PORTS $_port"
        echo "$_port"
        return 0
    done
}

# wait_until SECONDS COMMAND...: poll every 0.1 s until the command succeeds.
wait_until() {
    _limit=$(($1 * 10))
    shift
    _i=0
    while [ "$_i" -lt "$_limit" ]; do
        if "$@"; then return 0; fi
        sleep 0.1 2>/dev/null || sleep 1
        _i=$((_i + 1))
    done
    return 1
}

# PING a server on 127.0.0.1:$1 (password, if any, from $REDISCLI_AUTH).
ping_port() {
    [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
}

pid_alive() {
    [ -d "/proc/$1" ] && [ -n "$(tr -d '\000' <"/proc/$1/cmdline" 2>/dev/null)" ]
}

pid_dead() {
    ! pid_alive "$1"
}

# Files contain no NUL byte (each checked on a snapshot: a live log grows).
no_nul() {
    for _f in "$@"; do
        cp "$_f" "$TMP/nul-snapshot" || return 1
        # shellcheck disable=SC2094  # both sides only read the snapshot
        tr -d '\000' <"$TMP/nul-snapshot" | cmp -s - "$TMP/nul-snapshot" || return 1
    done
}

# grep_q PATTERN FILE: quiet fixed-string grep.
grep_q() {
    grep -qF -- "$1" "$2"
}

# check_that NAME 'CONDITION': ok when the shell condition holds; it is
# evaluated in this shell, so it sees the script's variables and functions
# (write it in single quotes).
check_that() {
    _name=$1
    shift
    if eval "$*"; then ok "$_name"; else not_ok "$_name"; fi
}

# has PATTERN: $OUT (the last captured output) contains a line matching the
# basic regular expression PATTERN.
has() {
    printf '%s\n' "$OUT" | grep -q -- "$1"
}

# has_f STRING: $OUT contains STRING (fixed string).
has_f() {
    printf '%s\n' "$OUT" | grep -qF -- "$1"
}

# run_out COMMAND...: capture stdout+stderr in OUT and the exit code in RC.
# shellcheck disable=SC2034  # RC is read by the tests
run_out() {
    if OUT=$("$@" 2>&1); then RC=0; else RC=$?; fi
}
