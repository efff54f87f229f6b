#!/bin/sh
#
# Every script in init.d/ and scripts/ (and the operations tests) passes
# `bash -n`, `sh -n` when it is a /bin/sh script, and shellcheck (Debian's
# package; installed with apt-get when missing and running as root).
# shellcheck disable=SC2016
set -eu
# shellcheck source-path=SCRIPTDIR source=lib/ops.sh
. "$(dirname "$0")/lib/ops.sh"

SCRIPTS=""
for _f in "$TOP"/init.d/* "$TOP"/scripts/* "$TOP"/tests/ops-*.sh "$TOP"/tests/lib/ops.sh; do
    [ -f "$_f" ] || continue
    case "$(head -n 1 "$_f")" in
        '#!'*sh* | '# shellcheck shell=sh'*) SCRIPTS="$SCRIPTS $_f" ;;
    esac
done

check_that "init.d/ and scripts/ hold scripts" '[ -n "$SCRIPTS" ]'
HAVE_SHELLCHECK=no
if need_tool shellcheck shellcheck; then
    HAVE_SHELLCHECK=yes
fi

for _f in $SCRIPTS; do
    _rel=${_f#"$TOP"/}
    if bash -n "$_f" 2>"$TMP/err"; then
        ok "bash -n $_rel"
    else
        not_ok "bash -n $_rel"
        show "$TMP/err"
    fi
    case "$(head -n 1 "$_f")" in
        '#!/bin/sh'* | '# shellcheck shell=sh'*)
            if sh -n "$_f" 2>"$TMP/err"; then
                ok "sh -n $_rel"
            else
                not_ok "sh -n $_rel"
                show "$TMP/err"
            fi
            ;;
    esac
    if [ "$HAVE_SHELLCHECK" = yes ]; then
        if (cd "$(dirname "$_f")" && shellcheck -x "$(basename "$_f")") >"$TMP/err" 2>&1; then
            ok "shellcheck $_rel"
        else
            not_ok "shellcheck $_rel"
            show "$TMP/err" 40
        fi
    else
        skip "shellcheck $_rel" "shellcheck not installed (apt-get install shellcheck as root)"
    fi
done

# The init scripts carry the chkconfig and LSB headers chkconfig and
# update-rc.d read.
for _f in "$TOP"/init.d/*; do
    [ -f "$_f" ] || continue
    _rel=${_f#"$TOP"/}
    check_that "$_rel: chkconfig and LSB headers" '
        grep -q "^# chkconfig: 2345 [0-9][0-9]* [0-9][0-9]*$" "$_f" &&
        grep -q "^# description: " "$_f" &&
        grep -qx "### BEGIN INIT INFO" "$_f" && grep -qx "### END INIT INFO" "$_f" &&
        grep -q "^# Provides: " "$_f" && grep -q "^# Default-Start: *2 3 4 5$" "$_f" &&
        grep -q "^# Default-Stop: *0 1 6$" "$_f"'
    check_that "$_rel: EXEC, CLIEXEC, PIDFILE, CONF, REDISPORT as Redis's script" '
        for _v in EXEC CLIEXEC PIDFILE CONF REDISPORT; do grep -q "^$_v=" "$_f" || exit 1; done'
    check_that "$_rel: executable" '[ -x "$_f" ]'
done

finish
