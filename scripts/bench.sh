#!/usr/bin/env bash
# bench.sh: ferrodis vs Debian's redis-server 7.0.15, side by side, in one run.
#
# Both servers are started on free loopback ports with the same flags
# (--save '' --appendonly no --bind 127.0.0.1, each in its own temp dir),
# pinned to core 0 while redis-benchmark is pinned to core 1 (taskset, when
# there are at least 2 cores). Each test runs as its own
# `redis-benchmark -t TEST -n N -c C [-P P] -q --csv` call, on both servers
# back to back, the order flipping from test to test so slow drifts of the
# machine hit both alike. With --rounds R the median over rounds is kept.
# Prints rps per test for both servers and the ratio ferrodis/redis, and the
# geometric mean of the ratios. A test that fails on one server (e.g. a
# command not implemented yet) shows "n/a" and the first error line.
#
# Usage: scripts/bench.sh [options]
#   --server PATH       candidate (default: src/redis-server, else target/release/redis-server)
#   --reference PATH    reference (default: /usr/bin/redis-server)
#   -n N                requests per test (default 200000)
#   -c N                clients (default 50)
#   -t LIST             tests (default set,get,incr,mset)
#   --extra [LIST]      add tests (default lpush,rpop,sadd,hset,zadd,lrange_100)
#   -P LIST             pipeline depths, comma separated (default 1,16; 1 = no -P)
#   --rounds N          rounds, median kept (default 1)
#   --quick             -n 20000
#   --no-pin            do not use taskset
#   --out FILE          also write the results as TSV
#   --persistence [ARGS...]  instead run scripts/bench-persistence.sh ARGS...:
#                       BGSAVE time, copy-on-write, RDB size, load time and a
#                       replica's full sync (disk and diskless) for 1M keys
#   --pair [ARGS...]    instead run ../shared/tools/bench-pair ARGS... SERVER REFERENCE
#                       (its own workloads: throughput, pipelining, latency, memory,
#                       save/load, full sync; see bench-pair --help)
#   -h, --help
set -u
cd "$(dirname "$0")/.." || exit 2
root=$PWD

server=""
reference=/usr/bin/redis-server
n=200000
clients=50
tests=set,get,incr,mset
extra=""
pipelines=1,16
rounds=1
pin=1
out=""
pair=""

usage() { sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case "$1" in
        --server) server=$2; shift 2 ;;
        --reference) reference=$2; shift 2 ;;
        -n) n=$2; shift 2 ;;
        -c) clients=$2; shift 2 ;;
        -t) tests=$2; shift 2 ;;
        --extra)
            if [ $# -gt 1 ] && [ "${2#-}" = "$2" ]; then extra=$2; shift 2
            else extra=lpush,rpop,sadd,hset,zadd,lrange_100; shift; fi ;;
        -P) pipelines=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --quick) n=20000; shift ;;
        --no-pin) pin=""; shift ;;
        --out) out=$2; shift 2 ;;
        --pair) pair=1; shift; break ;;
        --persistence)
            shift
            if [ -n "$server" ]; then set -- --server "$server" "$@"; fi
            exec "$root/scripts/bench-persistence.sh" --reference "$reference" "$@" ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
done

if [ -z "$server" ]; then
    server=$root/src/redis-server
    [ -x "$server" ] || server=$root/target/release/redis-server
fi
[ -x "$server" ] || { echo "no ferrodis binary (run make): $server" >&2; exit 2; }

need=()
command -v redis-benchmark >/dev/null 2>&1 || need+=(redis-tools)
[ -x "$reference" ] || [ "$reference" != /usr/bin/redis-server ] || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "${need[@]}" >/dev/null 2>&1; }
fi
[ -x "$reference" ] || { echo "no reference server: $reference" >&2; exit 2; }
command -v redis-benchmark >/dev/null 2>&1 || { echo "redis-benchmark missing" >&2; exit 2; }

if [ -n "$pair" ]; then
    exec "$root/../shared/tools/bench-pair" "$@" "$server" "$reference"
fi

[ -n "$extra" ] && tests=$tests,$extra

srv_pin=() cli_pin=()
if [ -n "$pin" ] && command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
    srv_pin=(taskset -c 0) cli_pin=(taskset -c 1)
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ferrodis-bench.XXXXXX")
pids=()
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    sleep 0.2
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
    local p
    while :; do
        p=$((40000 + RANDOM % 10000))
        port_free "$p" && { echo "$p"; return; }
    done
}

# start NAME BIN: sets PORT_<NAME>
start() {
    local name=$1 bin=$2 port dir
    for _ in 1 2 3 4 5; do
        port=$(pick_port)
        dir=$tmp/$name
        mkdir -p "$dir"
        "${srv_pin[@]}" "$bin" --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
            --dir "$dir" > "$dir/log" 2>&1 &
        local pid=$!
        pids+=("$pid")
        for _ in $(seq 50); do
            if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; then
                printf -v "PORT_$name" '%s' "$port"
                return 0
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    done
    echo "cannot start $bin; log:" >&2
    cat "$tmp/$name/log" >&2
    exit 1
}

start ferrodis "$server"
start redis "$reference"

# bench PORT TEST PIPELINE: prints rps or "n/a<TAB>error"
bench() {
    local port=$1 t=$2 p=$3 args=() label out
    [ "$p" -gt 1 ] && args=(-P "$p")
    label=$(echo "$t" | tr '[:lower:]' '[:upper:]')
    out=$("${cli_pin[@]}" redis-benchmark -p "$port" -t "$t" -n "$n" -c "$clients" "${args[@]}" -q --csv 2>&1)
    local rps
    rps=$(echo "$out" | grep -E "^\"${label}[\" ]" | head -n 1 | cut -d, -f2 | tr -d '"')
    if [ -n "$rps" ]; then
        echo "$rps"
    else
        printf 'n/a\t%s\n' "$(echo "$out" | grep -v '^"test"' | grep -v WARNING | head -n 1)"
    fi
}

median() { sort -g | awk '{a[NR]=$1} END { if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }

echo "ferrodis: $server"
echo "redis:    $reference ($("$reference" --version | cut -d' ' -f3))"
echo "requests: $n, clients: $clients, rounds: $rounds, pinning: ${srv_pin[*]:-none} / ${cli_pin[*]:-none}"
echo

IFS=, read -r -a test_list <<< "$tests"
IFS=, read -r -a pipe_list <<< "$pipelines"
results=$tmp/results.tsv
: > "$results"
flip=0
for r in $(seq "$rounds"); do
    for p in "${pipe_list[@]}"; do
        for t in "${test_list[@]}"; do
            if [ $flip -eq 0 ]; then order=(ferrodis redis); else order=(redis ferrodis); fi
            flip=$((1 - flip))
            for who in "${order[@]}"; do
                port_var=PORT_$who
                res=$(bench "${!port_var}" "$t" "$p")
                printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$p" "$t" "$who" "$res" >> "$results"
            done
        done
    done
done

errors=$tmp/errors
: > "$errors"
printf '%-12s %3s %14s %14s %8s\n' test P ferrodis redis ratio
printf '%-12s %3s %14s %14s %8s\n' ------------ --- -------------- -------------- --------
[ -n "$out" ] && printf 'test\tpipeline\tferrodis_rps\tredis_rps\tratio\n' > "$out"
logsum=0 count=0
for p in "${pipe_list[@]}"; do
    for t in "${test_list[@]}"; do
        a=$(awk -F'\t' -v p="$p" -v t="$t" '$2==p && $3==t && $4=="ferrodis" && $5!="n/a" {print $5}' "$results" | median)
        b=$(awk -F'\t' -v p="$p" -v t="$t" '$2==p && $3==t && $4=="redis" && $5!="n/a" {print $5}' "$results" | median)
        awk -F'\t' -v p="$p" -v t="$t" '$2==p && $3==t && $5=="n/a" {print "  " $4 " " t " -P " p ": " $6}' "$results" | sort -u >> "$errors"
        ratio=n/a
        if [ "$a" != n/a ] && [ "$b" != n/a ]; then
            ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')
            logsum=$(awk -v s="$logsum" -v x="$ratio" 'BEGIN { printf "%.9f", s + log(x) }')
            count=$((count + 1))
        fi
        printf '%-12s %3s %14s %14s %8s\n' "$t" "$p" "$a" "$b" "$ratio"
        [ -n "$out" ] && printf '%s\t%s\t%s\t%s\t%s\n' "$t" "$p" "$a" "$b" "$ratio" >> "$out"
    done
done
echo
if [ "$count" -gt 0 ]; then
    echo "geometric mean ferrodis/redis over $count tests: $(awk -v s="$logsum" -v c="$count" 'BEGIN { printf "%.3f", exp(s / c) }')"
fi
if [ -s "$errors" ]; then
    echo "errors:"
    cat "$errors"
fi
for who in ferrodis redis; do
    grep -q panicked "$tmp/$who/log" && { echo "$who server log shows a panic:"; tail -n 20 "$tmp/$who/log"; }
done
exit 0
