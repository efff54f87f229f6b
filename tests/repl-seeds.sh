#!/bin/sh
# Shell test: the seeds' replication layout on loopback — one master and
# two replicas configured with `replicaof <master> <port>`, `masterauth
# test1234`, `requirepass test1234`, `repl-ping-slave-period 10`,
# `repl-timeout 60`, daemonized with pid files and log files.
#
# Checks: `info replication` on each node shows what the seeds show (role,
# connected_slaves, slaveN lines online, master_host/port, link up,
# slave_read_only ...); a write on the master is read on both replicas; a
# write on a replica gets READONLY; after the master is shut down for
# $OUTAGE seconds (default 60) and started again both replicas end with
# master_link_status:up (the master saved its RDB with its replication id
# at shutdown: the replicas continue with a partial resync), the data
# written before and after is there, and
# each replica's log grew by no more than a few dozen lines meanwhile.
#
# Ports: three free ports in 40000-49999, or PORTS="6379 6380 6381".
# REDIS_SERVER=/usr/bin/redis-server reruns the layout on the real Redis
# (its replicas' logs grow by ~3 lines a second: that check is then
# reported, not enforced).
set -eu
. "$(dirname "$0")/lib/ops.sh"

OUTAGE=${OUTAGE:-60}
# Not resolved through symlinks: Debian's redis-server is a link to
# redis-check-rdb and picks its mode from argv[0].
if [ -n "${REDIS_SERVER:-}" ] && [ -x "$REDIS_SERVER" ]; then
    BIN=$REDIS_SERVER
else
    BIN=$(server_bin) || { echo "no server binary"; exit 1; }
fi
REAL=$(readlink -f "$BIN")
need_tool redis-cli redis-tools || { skip "seeds layout" "redis-cli missing"; finish; exit $?; }
export REDISCLI_AUTH=test1234

if [ -n "${PORTS:-}" ]; then
    # shellcheck disable=SC2086
    set -- $PORTS
    MP=$1 R1=$2 R2=$3
else
    MP=$(free_port) R1=$(free_port) R2=$(free_port)
fi

conf() { # port [replicaof-port]
    _d=$TMP/n$1
    mkdir -p "$_d"
    {
        echo "port $1"
        echo "bind 127.0.0.1"
        echo "daemonize yes"
        echo "pidfile $_d/redis.pid"
        echo "logfile $_d/redis.log"
        echo "dir $_d"
        echo "requirepass test1234"
        echo "masterauth test1234"
        echo "repl-ping-slave-period 10"
        echo "repl-timeout 60"
        echo "save 3600 1"
        [ -n "${2:-}" ] && echo "replicaof 127.0.0.1 $2"
    } >"$_d/redis.conf"
    echo "$_d/redis.conf"
}

start() { # port [replicaof-port]
    _c=$(conf "$@")
    "$BIN" "$_c" >/dev/null 2>&1 || true
    wait_until 10 test -s "$TMP/n$1/redis.pid" || return 1
    track_pidfile "$TMP/n$1/redis.pid"
    wait_until 10 ping_port "$1"
}

cli() { # port args...
    _p=$1
    shift
    redis-cli -h 127.0.0.1 -p "$_p" "$@" 2>&1
}

field() { # port name
    cli "$1" info replication | tr -d '\r' | sed -n "s/^$2://p"
}

link_up() {
    [ "$(field "$1" master_link_status)" = up ]
}

check "master starts daemonized" start "$MP"
check "replica 1 starts daemonized" start "$R1" "$MP"
check "replica 2 starts daemonized" start "$R2" "$MP"
check "replica 1 link up" wait_until 30 link_up "$R1"
check "replica 2 link up" wait_until 30 link_up "$R2"

two_online() {
    [ "$(cli "$MP" info replication | grep -c "^slave[01]:ip=127.0.0.1,port=[0-9]*,state=online,offset=[0-9]*,lag=[0-9]*")" -eq 2 ]
}
check "master lists both replicas online" wait_until 10 two_online

OUT=$(cli "$MP" info replication | tr -d '\r')
check_that "master: role:master" 'has "^role:master$"'
check_that "master: connected_slaves:2" 'has "^connected_slaves:2$"'
check_that "master: slave0 line" "has \"^slave[01]:ip=127.0.0.1,port=$R1,state=online,\""
check_that "master: slave1 line" "has \"^slave[01]:ip=127.0.0.1,port=$R2,state=online,\""
check_that "master: master_failover_state" 'has "^master_failover_state:no-failover$"'
check_that "master: master_replid" 'has "^master_replid:[0-9a-f]\{40\}$"'
check_that "master: master_replid2" 'has "^master_replid2:0\{40\}$"'
check_that "master: master_repl_offset" 'has "^master_repl_offset:[0-9][0-9]*$"'
check_that "master: second_repl_offset" 'has "^second_repl_offset:-1$"'
check_that "master: repl_backlog_active:1" 'has "^repl_backlog_active:1$"'
check_that "master: repl_backlog_size" 'has "^repl_backlog_size:1048576$"'
check_that "master: repl_backlog_first_byte_offset" 'has "^repl_backlog_first_byte_offset:1$"'
check_that "master: repl_backlog_histlen" 'has "^repl_backlog_histlen:[0-9][0-9]*$"'

for r in "$R1" "$R2"; do
    OUT=$(cli "$r" info replication | tr -d '\r')
    check_that "replica $r: role:slave" 'has "^role:slave$"'
    check_that "replica $r: master_host" 'has "^master_host:127.0.0.1$"'
    check_that "replica $r: master_port" "has \"^master_port:$MP\$\""
    check_that "replica $r: master_link_status:up" 'has "^master_link_status:up$"'
    check_that "replica $r: master_last_io_seconds_ago" 'has "^master_last_io_seconds_ago:[0-9][0-9]*$"'
    check_that "replica $r: master_sync_in_progress:0" 'has "^master_sync_in_progress:0$"'
    check_that "replica $r: slave_read_repl_offset" 'has "^slave_read_repl_offset:[0-9][0-9]*$"'
    check_that "replica $r: slave_repl_offset" 'has "^slave_repl_offset:[0-9][0-9]*$"'
    check_that "replica $r: slave_priority:100" 'has "^slave_priority:100$"'
    check_that "replica $r: slave_read_only:1" 'has "^slave_read_only:1$"'
    check_that "replica $r: replica_announced:1" 'has "^replica_announced:1$"'
    check_that "replica $r: connected_slaves:0" 'has "^connected_slaves:0$"'
done

check_that "write on the master" '[ "$(cli "$MP" set seed:key hello)" = OK ]'
read_back() { [ "$(cli "$1" get seed:key)" = hello ]; }
check "read on replica 1" wait_until 10 read_back "$R1"
check "read on replica 2" wait_until 10 read_back "$R2"
OUT=$(cli "$R1" set seed:other x)
check_that "write on a replica gets READONLY" 'has_f "READONLY You can'"'"'t write against a read only replica."'

# The outage.
l1=$(wc -l <"$TMP/n$R1/redis.log")
l2=$(wc -l <"$TMP/n$R2/redis.log")
check_that "master shuts down (saving)" '[ "$(cli "$MP" shutdown)" = "" ] || true'
mpid=$(cat "$TMP/n$MP/redis.pid" 2>/dev/null || echo 0)
wait_until 10 pid_dead "$mpid" || true
diag "master down for $OUTAGE s"
sleep "$OUTAGE"
d1=$(($(wc -l <"$TMP/n$R1/redis.log") - l1))
d2=$(($(wc -l <"$TMP/n$R2/redis.log") - l2))
diag "log lines during the outage: replica 1 $d1, replica 2 $d2"
check "master starts again" start "$MP"
check "replica 1 link up again" wait_until 60 link_up "$R1"
check "replica 2 link up again" wait_until 60 link_up "$R2"
check_that "write after the restart" '[ "$(cli "$MP" set seed:after world)" = OK ]'
read_after() { [ "$(cli "$1" get seed:after)" = world ]; }
check "replica 1 reads the new write" wait_until 10 read_after "$R1"
check "replica 2 reads the new write" wait_until 10 read_after "$R2"
check "replica 1 still has the old write" read_back "$R1"
check "replica 2 still has the old write" read_back "$R2"
limit=$((OUTAGE / 2 + 30))
case "$REAL" in
    */ferrodis* | */target/* | */src/redis-server)
        check_that "replica 1 log bounded during the outage ($d1 <= $limit lines)" '[ "$d1" -le "$limit" ]'
        check_that "replica 2 log bounded during the outage ($d2 <= $limit lines)" '[ "$d2" -le "$limit" ]'
        check_that "replica log says when the link is back" 'grep -q "MASTER <-> REPLICA link is up again after" "$TMP/n$R1/redis.log"'
        ;;
    *)
        diag "reference server: log growth not enforced"
        ;;
esac
if [ "$FAIL" -gt 0 ]; then
    show "$TMP/n$R1/redis.log" 40
fi
finish
