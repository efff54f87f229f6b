#!/bin/sh
#
# redis-server --check-system: prints the checks ([overcommit], [THP],
# [somaxconn], [nofile], with Redis's [slow-clocksource] / [xen-clocksource]
# first), each with its value, verdict and fixes; reads the instance's config
# (tcp-backlog, maxclients) when a file is given, before or after the flag;
# exit code 0 only when nothing warns; never starts a server.
# shellcheck disable=SC2016,SC2034
set -eu
# shellcheck source-path=SCRIPTDIR source=lib/ops.sh
. "$(dirname "$0")/lib/ops.sh"

BIN=$(server_bin)

run_out "$BIN" --check-system
check_that "--check-system runs (exit 0 or 1)" '[ $RC -eq 0 ] || [ $RC -eq 1 ]'
_all=yes
for _c in slow-clocksource xen-clocksource overcommit THP somaxconn nofile; do
    has "^\[$_c\]\.\.\.\(OK\|WARNING\|skipped\)$" || { _all=no; diag "no [$_c] line"; }
done
check_that "prints every check with a verdict" '[ $_all = yes ]'
check_that "exit code 0 exactly when no check warns" '
    if has "\.\.\.WARNING$"; then [ $RC -eq 1 ]; else [ $RC -eq 0 ]; fi'
check_that "defaults are stated when no config file is given" '
    has "^config: none, defaults (tcp-backlog 511, maxclients 10000)"'

if [ -r /proc/sys/vm/overcommit_memory ]; then
    OC=$(cat /proc/sys/vm/overcommit_memory)
    check_that "[overcommit] shows vm.overcommit_memory = $OC" 'has "^    vm.overcommit_memory = $OC"'
    if [ "$OC" = 1 ]; then
        check_that "[overcommit] is OK with 1" 'has "^\[overcommit\]\.\.\.OK$"'
    else
        check_that "[overcommit] warns and gives the sysctl fixes" '
            has "^\[overcommit\]\.\.\.WARNING$" &&
            has "^    fix now:     sysctl -w vm.overcommit_memory=1$" &&
            has "^    fix at boot: add the line .vm.overcommit_memory = 1. to /etc/sysctl.conf$"'
    fi
fi
if [ -r /sys/kernel/mm/transparent_hugepage/enabled ]; then
    THP=$(cat /sys/kernel/mm/transparent_hugepage/enabled)
    check_that "[THP] shows the kernel setting" 'has_f "    /sys/kernel/mm/transparent_hugepage/enabled = $THP"'
    case "$THP" in
        *"[always]"*) check_that "[THP] warns and gives the echo / rc.local fixes" '
            has "^\[THP\]\.\.\.WARNING$" &&
            has "^    fix now:     echo madvise > /sys/kernel/mm/transparent_hugepage/enabled$" &&
            has "/etc/rc.local"' ;;
        *) check_that "[THP] is OK when not [always]" 'has "^\[THP\]\.\.\.OK$"' ;;
    esac
fi

if [ -r /proc/sys/net/core/somaxconn ]; then
    SOMAXCONN=$(cat /proc/sys/net/core/somaxconn)
    BACKLOG=$((SOMAXCONN + 1))
    # The instance's config file, given before the flag ...
    printf 'port 6379\ntcp-backlog %s\nmaxclients 2000000\n' "$BACKLOG" >"$TMP/6379.conf"
    run_out "$BIN" "$TMP/6379.conf" --check-system
    check_that "reads tcp-backlog and maxclients from the config file" '
        has "^config: $TMP/6379.conf (tcp-backlog $BACKLOG, maxclients 2000000)$"'
    check_that "[somaxconn] warns when tcp-backlog > net.core.somaxconn, with the fixes" '
        has "^\[somaxconn\]\.\.\.WARNING$" &&
        has "^    net.core.somaxconn = $SOMAXCONN, tcp-backlog = $BACKLOG$" &&
        has "^    fix now:     sysctl -w net.core.somaxconn=$BACKLOG " &&
        has "^    fix at boot: add the line .net.core.somaxconn = $BACKLOG. to /etc/sysctl.conf$"'
    check_that "exit code 1 when a check warns" '[ $RC -eq 1 ]'
    # ... or after it, and options on the command line.
    run_out "$BIN" --check-system "$TMP/6379.conf" --tcp-backlog "$SOMAXCONN"
    check_that "config file after the flag, options override it" '
        has "^config: $TMP/6379.conf (tcp-backlog $SOMAXCONN, maxclients 2000000)$" &&
        has "^\[somaxconn\]\.\.\.OK$"'
fi
NR_OPEN=$(cat /proc/sys/fs/nr_open 2>/dev/null || echo 1048576)
MAXC=$((NR_OPEN + 1000))
NEED=$((MAXC + 32))
run_out "$BIN" --check-system --maxclients "$MAXC"
check_that "[nofile] warns when maxclients+32 exceeds every limit, with ulimit/limits.conf/LimitNOFILE fixes" '
    has "^\[nofile\]\.\.\.WARNING$" && has "maxclients $MAXC needs $NEED$" &&
    has "ulimit -n $NEED" && has "soft nofile $NEED" && has "hard nofile $NEED" &&
    has "LimitNOFILE=$NEED" && [ $RC -eq 1 ]'
run_out "$BIN" --check-system --maxclients 1
check_that "[nofile] OK for a small maxclients" 'has "^\[nofile\]\.\.\.OK$"'

# A bad config is reported as at start, and nothing is started.
printf 'port 6379\nbogus yes\n' >"$TMP/bad.conf"
run_out "$BIN" "$TMP/bad.conf" --check-system
check_that "bad config with --check-system: FATAL block, exit 1" '
    [ $RC -eq 1 ] && has "FATAL CONFIG FILE ERROR"'
P=$(free_port)
run_out "$BIN" --port "$P" --daemonize yes --check-system
check_that "--check-system never starts a server" '! has "Ready to accept" && ! (ping_port "$P" 2>/dev/null)'

finish
