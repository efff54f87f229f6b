#!/bin/sh
#
# Log rotation of a live server: an instance installed by install_server.sh
# (so its logrotate.d file is the one under test) logs at `loglevel verbose`
# while a client loop makes it write lines; Debian's logrotate rotates the log
# with copytruncate in the middle of it. The rotated file holds the old lines,
# the live log has no NUL bytes (the server reopens the file in append mode
# for every line), starts with a whole log line and keeps receiving lines.
# shellcheck disable=SC2016,SC2034
set -eu
# shellcheck source-path=SCRIPTDIR source=lib/ops.sh
. "$(dirname "$0")/lib/ops.sh"

BIN=$(server_bin)
if ! need_tool redis-cli redis-tools; then
    skip "logrotate copytruncate on a live server" "redis-cli not installed"
    finish
    exit
fi
if ! need_tool logrotate logrotate; then
    skip "logrotate copytruncate on a live server" "logrotate not installed (apt-get install logrotate as root)"
    finish
    exit
fi

ROOT="$TMP/root"
mkdir -p "$ROOT"
P=$(free_port)
LOG="$ROOT/var/log/redis_$P.log"
LR="$ROOT/etc/logrotate.d/redis_$P"
INIT="$ROOT/etc/init.d/redis_$P"
PIDFILE="$ROOT/var/run/redis_$P.pid"
PIDFILES="$PIDFILES $PIDFILE"

run_out env REDIS_PORT="$P" REDIS_CONFIG_FILE="$ROOT/etc/redis/$P.conf" REDIS_LOG_FILE="$LOG" \
    REDIS_DATA_DIR="$ROOT/var/lib/redis/$P" REDIS_EXECUTABLE="$BIN" \
    sh "$TOP/scripts/install_server.sh" --root "$ROOT" --init-system sysv --no-start </dev/null
check_that "instance installed with its logrotate config" '[ $RC -eq 0 ] && [ -f "$LR" ]' ||
    printf '%s\n' "$OUT" | sed 's/^/#   /'
check_that "logrotate config: daily, rotate 7, copytruncate, delaycompress, compress, dateext, notifempty, missingok" '
    for _d in daily "rotate 7" copytruncate delaycompress compress dateext notifempty missingok; do
        grep -qx "    $_d" "$LR" || exit 1
    done'
echo "loglevel verbose" >>"$ROOT/etc/redis/$P.conf"
run_out "$INIT" start
track_pidfile "$PIDFILE"
check_that "server started by its init script" '[ $RC -eq 0 ] && wait_until 5 ping_port "$P"'

# A client loop: every connection makes the server log
# "Accepted ..." / "Client closed connection ..." at verbose level.
(
    while :; do
        redis-cli -p "$P" ping >/dev/null 2>&1 || sleep 0.05 2>/dev/null || true
    done
) &
LOOP=$!
track_pid "$LOOP"

lines() {
    wc -l <"$1" | tr -d ' '
}
log_has_lines() {
    [ -f "$LOG" ] && [ "$(lines "$LOG")" -ge "$1" ]
}
check "the server logs the clients' connections" wait_until 10 log_has_lines 50

STATE="$TMP/logrotate.state"
BEFORE=$(lines "$LOG")
run_out logrotate -f -s "$STATE" "$LR"
check_that "logrotate -f rotates the live log without error" '[ $RC -eq 0 ]' ||
    printf '%s\n' "$OUT" | sed 's/^/#   /'
ROTATED="$LOG-$(date +%Y%m%d)"
check_that "rotated file $(basename "$ROTATED") (dateext, not yet compressed: delaycompress)" '
    [ -f "$ROTATED" ] && [ "$(lines "$ROTATED")" -ge "$BEFORE" ]'
sleep 1
check "live log keeps receiving lines after the rotation" wait_until 5 log_has_lines 20
A1=$(lines "$LOG")
sleep 1
A2=$(lines "$LOG")
check_that "live log still grows ($A1 -> $A2 lines)" '[ "$A2" -gt "$A1" ]'
check "no NUL bytes in the live log (copytruncate-safe writes)" no_nul "$LOG"
check "no NUL bytes in the rotated log" no_nul "$ROTATED"
# Every line of both files is a whole Redis log line: "pid:role dd Mon yyyy
# hh:mm:ss.mmm <level char> message" (the logo lines excepted).
LINE_RE='^[0-9]\{1,\}:[XCSM] [0-9]\{2\} [A-Z][a-z]\{2\} [0-9]\{4\} [0-9:.]\{12\} [.*#-] '
check_that "the live log starts with a whole log line" 'head -n 1 "$LOG" | grep -q "$LINE_RE"'
check_that "every line of both files is a whole log line" '
    ! grep -hv "$LINE_RE" "$ROTATED" "$LOG" | grep -q .'
check_that "both files end with a newline" '
    [ "$(tail -c 1 "$LOG" | od -An -c | tr -d " ")" = "\\n" ] &&
    [ "$(tail -c 1 "$ROTATED" | od -An -c | tr -d " ")" = "\\n" ]'

kill "$LOOP" 2>/dev/null || true
wait "$LOOP" 2>/dev/null || true
run_out "$INIT" stop
check_that "server stopped by its init script" '[ $RC -eq 0 ] && ! ping_port "$P"'
finish
