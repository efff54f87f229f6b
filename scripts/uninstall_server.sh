#!/bin/sh
#
# Removes a ferrodis (Redis 7.0 compatible) server or Sentinel installed by
# scripts/install_server.sh: stops it (through its init script or systemd,
# no password needed), unregisters the service (systemd, chkconfig or
# update-rc.d), and deletes its init script, systemd unit, logrotate config
# and config file. The data directory and the log files are kept unless
# --purge is given.
#
# The paths are read back from the installed files: the init script's CONF
# and PIDFILE lines, and the config file's dir and logfile directives.
#
# Usage: uninstall_server.sh [options] [PORT]
#   PORT                the instance's port (or REDIS_PORT; prompted when
#                       missing). redis_<port> is removed, or sentinel_<port>
#                       when only that one exists.
#   --sentinel          remove the Sentinel sentinel_<port>
#   --root DIR, --prefix DIR   the instance was installed with --root DIR
#   --register          unregister the service even with --root
#   --purge             also delete the data directory and the log files
#   -y, --yes           do not ask for confirmation
#   -h, --help          this help

die() {
    echo "ERROR: $1. Aborting!"
    exit 1
}

usage() {
    sed -n '/^# Usage:/,/^# *-h, --help/p' "$(readlink -f "$0")" | sed 's/^# \{0,1\}//'
}

ROOT=""
KIND=auto
REGISTER=auto
PURGE=no
YES=no
PORT=${REDIS_PORT:-}

while [ $# -gt 0 ]; do
    case "$1" in
        --root | --prefix)
            [ $# -ge 2 ] || die "$1 needs a directory"
            ROOT=$2
            shift 2
            ;;
        --root=* | --prefix=*) ROOT=${1#*=}; shift ;;
        --sentinel) KIND=sentinel; shift ;;
        --register) REGISTER=yes; shift ;;
        --purge) PURGE=yes; shift ;;
        -y | --yes) YES=yes; shift ;;
        -h | --help) usage; exit 0 ;;
        -*) usage; die "Unknown option '$1'" ;;
        *) PORT=$1; shift ;;
    esac
done

if [ -n "$ROOT" ]; then
    ROOT=$(cd "$ROOT" 2>/dev/null && pwd) || die "No such directory: $ROOT"
    [ "$ROOT" = / ] && ROOT=""
fi
[ -z "$ROOT" ] && [ "$REGISTER" = auto ] && REGISTER=yes
[ "$REGISTER" = auto ] && REGISTER=no

if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then
    echo "You must run this script as root. Sorry!"
    exit 1
fi

if [ -z "$PORT" ]; then
    printf '%s' "Please select the port of the instance to remove: "
    IFS= read -r PORT || PORT=""
fi
case "$PORT" in
    '' | *[!0-9]*) die "Invalid port '$PORT'" ;;
esac

case "$KIND" in
    sentinel) NAME="sentinel_$PORT" ;;
    *)
        NAME="redis_$PORT"
        if [ ! -e "$ROOT/etc/init.d/$NAME" ] && [ -e "$ROOT/etc/init.d/sentinel_$PORT" ]; then
            NAME="sentinel_$PORT"
        fi
        ;;
esac

INIT_SCRIPT="$ROOT/etc/init.d/$NAME"
LOGROTATE_FILE="$ROOT/etc/logrotate.d/$NAME"
UNIT_NAME="$NAME.service"
UNIT_FILE="$ROOT/etc/systemd/system/$UNIT_NAME"

[ -e "$INIT_SCRIPT" ] || [ -e "$UNIT_FILE" ] || die "$NAME is not installed ($INIT_SCRIPT does not exist)"

# VAR=value lines of the init script, without quotes.
init_var() {
    sed -n "s/^$1=//p" "$INIT_SCRIPT" 2>/dev/null | tail -n 1 | sed "s/^[\"']//; s/[\"']\$//"
}
# A directive of the config file, without quotes.
conf_value() {
    [ -r "$CONF" ] || return 0
    sed -n "s/^[[:space:]]*$1[[:space:]][[:space:]]*//p" "$CONF" | tail -n 1 | sed "s/^[\"']//; s/[\"'][[:space:]]*\$//"
}

CONF=$(init_var CONF)
PIDFILE=$(init_var PIDFILE)
REDISPORT=$(init_var REDISPORT)
# Redis's own init script writes CONF="/etc/redis/${REDISPORT}.conf".
CONF=$(echo "$CONF" | sed "s/\${REDISPORT}/$REDISPORT/g")
PIDFILE=$(echo "$PIDFILE" | sed "s/\${REDISPORT}/$REDISPORT/g")
LOGFILE=$(conf_value logfile)
DATADIR=$(conf_value dir)

echo "Selected instance:"
echo "Service        : $NAME"
echo "Init script    : $INIT_SCRIPT"
echo "Config file    : ${CONF:-(unknown)}"
echo "Pid file       : ${PIDFILE:-(unknown)}"
echo "Log file       : ${LOGFILE:-(none)}"
echo "Data dir       : ${DATADIR:-(unknown)}"
if [ "$PURGE" = yes ]; then
    echo "The data directory and the log files will be DELETED (--purge)."
else
    echo "The data directory and the log files will be kept."
fi
if [ "$YES" = no ] && [ -t 0 ]; then
    printf '%s' "Is this ok? Then press ENTER to go on or Ctrl-C to abort."
    read -r _unused || exit 1
fi

SYSTEMD_ACTIVE=no
if [ -z "$ROOT" ] && [ -f "$UNIT_FILE" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    SYSTEMD_ACTIVE=yes
fi

echo "Stopping $NAME..."
if [ "$SYSTEMD_ACTIVE" = yes ]; then
    systemctl stop "$UNIT_NAME" || die "Could not stop $UNIT_NAME"
elif [ -x "$INIT_SCRIPT" ]; then
    "$INIT_SCRIPT" stop || die "Could not stop $NAME"
fi

echo "Removing service..."
if [ "$REGISTER" = yes ]; then
    if [ -f "$UNIT_FILE" ] && { [ -n "$ROOT" ] || command -v systemctl >/dev/null 2>&1; }; then
        if [ -n "$ROOT" ]; then
            rm -f "$ROOT/etc/systemd/system/multi-user.target.wants/$UNIT_NAME" && echo "Disabled $UNIT_NAME"
        elif [ "$SYSTEMD_ACTIVE" = yes ]; then
            systemctl disable "$UNIT_NAME" && echo "Disabled $UNIT_NAME"
        fi
    elif command -v chkconfig >/dev/null 2>&1; then
        chkconfig --del "$NAME" && echo "Successfully removed from chkconfig!"
    elif command -v update-rc.d >/dev/null 2>&1; then
        update-rc.d -f "$NAME" remove && echo "Success!"
    fi
fi

for _f in "$INIT_SCRIPT" "$UNIT_FILE" "$LOGROTATE_FILE" "$CONF" "$CONF.bak"; do
    if [ -n "$_f" ] && [ -e "$_f" ]; then
        rm -f "$_f" && echo "Removed $_f"
    fi
done
if [ -n "$PIDFILE" ] && [ -e "$PIDFILE" ]; then
    rm -f "$PIDFILE"
fi
if [ "$SYSTEMD_ACTIVE" = yes ]; then
    systemctl daemon-reload
fi

if [ "$PURGE" = yes ]; then
    if [ -n "$DATADIR" ] && [ -d "$DATADIR" ]; then
        case "$DATADIR" in
            / | /tmp | /var | /var/lib | /var/lib/redis | /etc | /usr | /home | .*)
                echo "Not deleting the data directory $DATADIR (too general)" ;;
            *) rm -rf "$DATADIR" && echo "Removed $DATADIR" ;;
        esac
    fi
    if [ -n "$LOGFILE" ]; then
        for _f in "$LOGFILE" "$LOGFILE"-*; do
            if [ -e "$_f" ]; then
                rm -f "$_f" && echo "Removed $_f"
            fi
        done
    fi
else
    [ -n "$DATADIR" ] && [ -d "$DATADIR" ] && echo "Kept the data directory $DATADIR"
    [ -n "$LOGFILE" ] && [ -e "$LOGFILE" ] && echo "Kept the log file $LOGFILE"
fi

echo "Uninstallation successful!"
exit 0
