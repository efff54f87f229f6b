#!/usr/bin/env bash
# bench-persistence.sh: RDB and full-sync figures of ferrodis vs Debian's
# redis-server 7.0.15, side by side in one run (`scripts/bench.sh
# --persistence` runs it).
#
# For each server, on a fresh instance (loopback, own temp dir, pinned to
# core 0 when there are 2 cores), with N keys from DEBUG POPULATE:
#   bgsave_s     BGSAVE until rdb_bgsave_in_progress:0
#   cow_kb       rdb_last_cow_size of that BGSAVE (idle server)
#   rdb_mb       size of dump.rdb
#   load_s       a new server on that file: launch until it answers PING
#                with loading:0 (DBSIZE checked)
#   sync_disk_s  a fresh replica (same kind) of the loaded server:
#                REPLICAOF until master_link_status:up, repl-diskless-sync no
#   sync_diskless_s  the same with repl-diskless-sync yes, delay 0
# and prints ferrodis/redis ratios (lower is better for all of them).
#
# Usage: scripts/bench-persistence.sh [--keys N] [--server PATH] [--reference PATH]
set -u
cd "$(dirname "$0")/.." || exit 2
root=$PWD
keys=1000000
server=""
reference=/usr/bin/redis-server
while [ $# -gt 0 ]; do
    case "$1" in
        --keys) keys=$2; shift 2 ;;
        --server) server=$2; shift 2 ;;
        --reference) reference=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done
if [ -z "$server" ]; then
    server=$root/src/redis-server
    [ -x "$server" ] || server=$root/target/release/redis-server
fi
[ -x "$server" ] || { echo "no ferrodis binary (run make)" >&2; exit 2; }
[ -x "$reference" ] || { echo "no reference server: $reference" >&2; exit 2; }
command -v redis-cli >/dev/null 2>&1 || { echo "redis-cli missing (apt-get install redis-tools)" >&2; exit 2; }

pin=()
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then pin=(taskset -c 0); fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ferrodis-benchp.XXXXXX")
pids=()
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    sleep 0.3
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
    local p
    while :; do
        p=$((40000 + RANDOM % 10000))
        port_free "$p" && { echo "$p"; return; }
    done
}
field() { redis-cli -p "$1" info "$2" 2>/dev/null | tr -d '\r' | sed -n "s/^$3://p"; }

# launch BIN DIR: starts a server in DIR on a free port; sets PORT, PID.
launch() {
    local bin=$1 dir=$2
    mkdir -p "$dir"
    PORT=$(pick_port)
    "${pin[@]}" "$bin" --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no \
        --dir "$dir" --dbfilename dump.rdb --enable-debug-command local \
        --repl-diskless-sync-delay 0 > "$dir/log" 2>&1 &
    PID=$!
    pids+=("$PID")
}

# up PORT: wait (at most 300 s) until PING answers and loading is over.
up() {
    for _ in $(seq 3000); do
        if [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ] && [ "$(field "$1" persistence loading)" = 0 ]; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# wait_until SECONDS CMD...: poll every 10 ms.
wait_until() {
    local limit=$1
    shift
    for _ in $(seq $((limit * 100))); do
        "$@" && return 0
        sleep 0.01
    done
    return 1
}
bgsave_done() { [ "$(field "$1" persistence rdb_bgsave_in_progress)" = 0 ]; }
link_up() { [ "$(field "$1" replication master_link_status)" = up ]; }

declare -A R
measure() {
    local who=$1 bin=$2 d=$tmp/$1 t mport mpid
    launch "$bin" "$d/master"
    mport=$PORT mpid=$PID
    up "$mport" || { echo "$who does not start" >&2; exit 1; }
    redis-cli -p "$mport" debug populate "$keys" > /dev/null
    t=$(now)
    redis-cli -p "$mport" bgsave > /dev/null
    sleep 0.01
    wait_until 600 bgsave_done "$mport" || { echo "$who: BGSAVE did not end" >&2; exit 1; }
    R[$who,bgsave_s]=$(elapsed "$t")
    R[$who,cow_kb]=$(( $(field "$mport" persistence rdb_last_cow_size) / 1024 ))
    R[$who,rdb_mb]=$(awk -v s="$(stat -c %s "$d/master/dump.rdb")" 'BEGIN { printf "%.1f", s / 1048576 }')
    kill "$mpid"; wait "$mpid" 2>/dev/null
    t=$(now)
    launch "$bin" "$d/master"
    mport=$PORT
    up "$mport" || { echo "$who: load failed" >&2; exit 1; }
    R[$who,load_s]=$(elapsed "$t")
    [ "$(redis-cli -p "$mport" dbsize)" = "$keys" ] || { echo "$who: DBSIZE after load is wrong" >&2; exit 1; }
    for mode in disk diskless; do
        if [ $mode = disk ]; then
            redis-cli -p "$mport" config set repl-diskless-sync no > /dev/null
        else
            redis-cli -p "$mport" config set repl-diskless-sync yes > /dev/null
        fi
        launch "$bin" "$d/replica-$mode"
        local rport=$PORT rpid=$PID
        up "$rport" || { echo "$who replica does not start" >&2; exit 1; }
        t=$(now)
        redis-cli -p "$rport" replicaof 127.0.0.1 "$mport" > /dev/null
        wait_until 600 link_up "$rport" || { echo "$who: $mode sync did not finish" >&2; exit 1; }
        R[$who,sync_${mode}_s]=$(elapsed "$t")
        [ "$(redis-cli -p "$rport" dbsize)" = "$keys" ] || { echo "$who: replica DBSIZE is wrong" >&2; exit 1; }
        kill "$rpid"; wait "$rpid" 2>/dev/null
        # Let the master notice and any child end before the next step.
        wait_until 60 bgsave_done "$mport" || true
    done
}

echo "ferrodis: $server"
echo "redis:    $reference ($("$reference" --version | cut -d' ' -f3))"
echo "keys:     $keys (DEBUG POPULATE), pinning: ${pin[*]:-none}"
echo
measure ferrodis "$server"
measure redis "$reference"
printf '%-16s %12s %12s %8s\n' metric ferrodis redis ratio
printf '%-16s %12s %12s %8s\n' ---------------- ------------ ------------ --------
for m in bgsave_s cow_kb rdb_mb load_s sync_disk_s sync_diskless_s; do
    a=${R[ferrodis,$m]} b=${R[redis,$m]}
    ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }')
    printf '%-16s %12s %12s %8s\n' "$m" "$a" "$b" "$ratio"
done
