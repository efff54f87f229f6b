#!/bin/sh
# Shell test: Debian's redis-cli 7.0.15 against ferrodis with requirepass.
#
# Replays the seed session of the project: `redis-cli -a` (with its warning
# on stderr), `--askpass` (password on stdin), AUTH inside a pipe of commands,
# set/get, keys *, info replication, quit, NOAUTH / WRONGPASS texts and a
# `--pipe` mass insertion. Expected outputs were taken from the same session
# against Debian's /usr/bin/redis-server 7.0.15
# (REDIS_SERVER=/usr/bin/redis-server sh tests/cli.sh reruns it there).
#
# Prints `ok - name` / `not ok - name` per check and a closing
# `N passed, M failed` line; exits 1 if anything failed.
# Env: REDIS_SERVER (binary under test, default src/redis-server, then
# target/release/redis-server), REDIS_CLI (default redis-cli; apt-installed
# from redis-tools when missing).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${REDIS_SERVER:-}" ]; then
    BIN=$REDIS_SERVER
else
    BIN=$root/src/redis-server
    [ -x "$BIN" ] || BIN=$root/target/release/redis-server
fi
CLI=${REDIS_CLI:-redis-cli}
PASS=test1234

passed=0 failed=0 skipped=0
pids=""
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ferrodis-cli.XXXXXX")
cleanup() {
    for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { passed=$((passed + 1)); echo "ok - $1"; }
notok() {
    failed=$((failed + 1)); echo "not ok - $1"
    shift
    for f in "$@"; do [ -f "$f" ] && sed 's/^/#   /' "$f" | head -n 20; done
    return 0
}
skip() { skipped=$((skipped + 1)); echo "ok - $1 # SKIP $2"; }
finish() {
    if [ "$skipped" -gt 0 ]; then
        echo "$passed passed, $failed failed, $skipped skipped"
    else
        echo "$passed passed, $failed failed"
    fi
    [ "$failed" -eq 0 ]
}

# expect NAME FILE TEXT: FILE's content must equal TEXT (printf-expanded).
expect() {
    # shellcheck disable=SC2059 # $3 is the expected text with printf escapes
    printf "$3" > "$tmp/expected"
    if cmp -s "$tmp/expected" "$2"; then ok "$1"; else
        echo "#   expected:"; sed 's/^/#     /' "$tmp/expected"
        echo "#   got:"; notok "$1" "$2"
    fi
}

ensure_cli() {
    command -v "$CLI" >/dev/null 2>&1 && return 0
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y redis-tools >/dev/null 2>&1 ||
        { apt-get update >/dev/null 2>&1 && apt-get install -y redis-tools >/dev/null 2>&1; } || true
    command -v "$CLI" >/dev/null 2>&1
}

# random_port: a port in 40000-49999 nobody listens on right now.
random_port() {
    while :; do
        n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
        p=$((40000 + n % 10000))
        if command -v ss >/dev/null 2>&1; then
            [ -z "$(ss -Htln "sport = :$p" 2>/dev/null)" ] && break
        elif ! timeout 2 "$CLI" -p "$p" ping >/dev/null 2>&1; then
            break
        fi
    done
    echo "$p"
}

cli() { timeout 20 "$CLI" -p "$PORT" "$@"; }

# start_server ARGS...: sets PORT and SERVER_PID, or returns 1.
start_server() {
    for _try in 1 2 3 4 5; do
        PORT=$(random_port)
        "$BIN" --port "$PORT" --bind 127.0.0.1 --save "" --dir "$tmp" "$@" \
            > "$tmp/server.log" 2>&1 &
        SERVER_PID=$!
        pids="$pids $SERVER_PID"
        i=0
        while [ $i -lt 100 ]; do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            # the ready line first: a port taken by another server answers too
            if grep -qs 'Ready to accept connections' "$tmp/server.log" &&
                [ -n "$(printf 'PING\r\n' | timeout 2 "$CLI" -p "$PORT" 2>/dev/null)" ]; then
                return 0
            fi
            sleep 0.1
            i=$((i + 1))
        done
        kill -9 "$SERVER_PID" 2>/dev/null || true
    done
    return 1
}

if [ ! -x "$BIN" ]; then
    notok "server binary present (run make first): $BIN"
    finish
    exit 1
fi
if ! ensure_cli; then
    notok "redis-cli available (apt-get install redis-tools failed)"
    finish
    exit 1
fi
if ! start_server --requirepass "$PASS"; then
    notok "server starts with --requirepass" "$tmp/server.log"
    finish
    exit 1
fi
ok "server starts with --requirepass"

# -a: the reply on stdout, the warning on stderr
cli -a "$PASS" ping > "$tmp/out" 2> "$tmp/err" || true
expect "redis-cli -a ping: PONG" "$tmp/out" 'PONG\n'
expect "redis-cli -a ping: warning on stderr" "$tmp/err" \
    "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n"

# --askpass reads the password from stdin, no warning
echo "$PASS" | cli --askpass ping > "$tmp/out" 2> "$tmp/err" || true
expect "redis-cli --askpass ping: PONG" "$tmp/out" 'PONG\n'
expect "redis-cli --askpass: nothing on stderr" "$tmp/err" ''

# no password: NOAUTH
cli ping > "$tmp/out" 2> "$tmp/err" || true
expect "no password: NOAUTH" "$tmp/out" 'NOAUTH Authentication required.\n\n'

# wrong password
cli -a wrong --no-auth-warning ping > "$tmp/out" 2> "$tmp/err" || true
expect "wrong password: NOAUTH on stdout" "$tmp/out" 'NOAUTH Authentication required.\n\n'
expect "wrong password: WRONGPASS on stderr" "$tmp/err" \
    'AUTH failed: WRONGPASS invalid username-password pair or user is disabled.\n'

# AUTH inside a pipe of commands
printf 'AUTH %s\nset foo bar\nget foo\nkeys *\nquit\nget foo\n' "$PASS" | cli > "$tmp/out" 2> "$tmp/err" || true
expect "AUTH in a pipe, set/get/keys/quit" "$tmp/out" 'OK\nOK\nbar\nfoo\n'

# set/get with arguments that need quoting
cli -a "$PASS" --no-auth-warning set "key with space" "hello world" > "$tmp/out" 2>&1 || true
expect "set with spaces" "$tmp/out" 'OK\n'
cli -a "$PASS" --no-auth-warning get "key with space" > "$tmp/out" 2>&1 || true
expect "get with spaces" "$tmp/out" 'hello world\n'
cli -a "$PASS" --no-auth-warning get nosuchkey > "$tmp/out" 2>&1 || true
expect "get missing key" "$tmp/out" '\n'
cli -a "$PASS" --no-auth-warning keys '*' | sort > "$tmp/out" 2>&1 || true
expect "keys *" "$tmp/out" 'foo\nkey with space\n'

# -n selects another db
cli -a "$PASS" --no-auth-warning -n 3 set dbkey 3 > /dev/null 2>&1 || true
cli -a "$PASS" --no-auth-warning -n 3 keys '*' > "$tmp/out" 2>&1 || true
expect "-n 3 uses db 3" "$tmp/out" 'dbkey\n'

# info replication (printed raw by redis-cli, CRLF lines)
cli -a "$PASS" --no-auth-warning info replication > "$tmp/out" 2>&1 || true
if grep -q 'not implemented' "$tmp/out"; then
    skip "info replication" "missing feature: INFO command"
else
    head -n 2 "$tmp/out" | tr -d '\r' > "$tmp/out2"
    expect "info replication: section and role" "$tmp/out2" '# Replication\nrole:master\n'
    if grep -q '^connected_slaves:0' "$tmp/out" && grep -q '^master_replid:[0-9a-f]\{40\}' "$tmp/out"; then
        ok "info replication: connected_slaves, master_replid"
    else
        notok "info replication: connected_slaves, master_replid" "$tmp/out"
    fi
fi

# --pipe mass insertion (pipelined, with redis-cli's ECHO trailer)
i=0
: > "$tmp/pipe"
while [ $i -lt 1000 ]; do printf 'SET pipe:%d %d\r\n' $i $i >> "$tmp/pipe"; i=$((i + 1)); done
cli -a "$PASS" --no-auth-warning --pipe < "$tmp/pipe" > "$tmp/out" 2>&1 || true
expect "--pipe 1000 SETs" "$tmp/out" \
    'All data transferred. Waiting for the last reply...\nLast reply received from server.\nerrors: 0, replies: 1000\n'
cli -a "$PASS" --no-auth-warning get pipe:999 > "$tmp/out" 2>&1 || true
expect "--pipe data is there" "$tmp/out" '999\n'

# quit
cli -a "$PASS" --no-auth-warning quit > "$tmp/out" 2>&1 || true
expect "quit" "$tmp/out" 'OK\n'

if kill -0 "$SERVER_PID" 2>/dev/null; then ok "server still running"; else notok "server still running" "$tmp/server.log"; fi
if grep -q panicked "$tmp/server.log"; then notok "no panic in server output" "$tmp/server.log"; else ok "no panic in server output"; fi

finish
