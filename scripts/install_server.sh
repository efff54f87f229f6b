#!/bin/sh
#
# Service installer for ferrodis (Redis 7.0 compatible) servers and Sentinels.
#
# The same installer as Redis's utils/install_server.sh: the same prompts,
# defaults, environment variables and output. It runs interactively by
# default; any variable given in the environment is not prompted for:
#
#   sudo REDIS_PORT=1234 \
#        REDIS_CONFIG_FILE=/etc/redis/1234.conf \
#        REDIS_LOG_FILE=/var/log/redis_1234.log \
#        REDIS_DATA_DIR=/var/lib/redis/1234 \
#        REDIS_EXECUTABLE=$(command -v redis-server) ./scripts/install_server.sh
#
# It renders conf/redis.conf into the config file (port, logfile, dir,
# pidfile, daemonize yes), init.d/redis_init_script into
# /etc/init.d/redis_<port>, logrotate.d/redis into /etc/logrotate.d/redis_<port>,
# registers the service (chkconfig, update-rc.d or systemd), starts it, and
# shows `redis-server <conf> --check-system` (kernel settings and their fixes).
#
# What differs from Redis's installer:
#  * systemd hosts are supported: a unit /etc/systemd/system/redis_<port>.service
#    is written and enabled (and /etc/init.d/redis_<port> redirects to it),
#    instead of refusing to run.
#  * Sentinel: when the executable is redis-sentinel (or with --sentinel) a
#    Sentinel is installed: conf/sentinel.conf rendered into
#    /etc/redis/sentinel_<port>.conf (default port 26379) with the master to
#    monitor, init.d/sentinel_init_script into /etc/init.d/sentinel_<port>,
#    logrotate.d/redis-sentinel into /etc/logrotate.d/sentinel_<port>. Extra
#    variables (prompted in interactive mode, defaults otherwise):
#      SENTINEL_MASTER_NAME (mymaster), SENTINEL_MASTER_HOST (127.0.0.1),
#      SENTINEL_MASTER_PORT (6379), SENTINEL_QUORUM (2),
#      SENTINEL_AUTH_PASS (the masters' requirepass; none when unset/empty).
#    The password only goes into the Sentinel's config file (mode 0640); it
#    is never put on a command line.
#  * The init scripts stop the server with SIGTERM: no password is needed in
#    any script, whatever requirepass is.
#  * An existing instance is not overwritten silently (use --force; the old
#    config file is kept as <file>.bak).
#  * Templates are rendered through private temporary files, not /tmp/<port>.conf.
#
# Options:
#   --root DIR, --prefix DIR  install under DIR: every default path is
#                       prefixed with DIR (DIR/etc/redis/6379.conf, DIR/var/log,
#                       DIR/var/run, DIR/etc/init.d, ...) and the generated
#                       files point at those paths, so the instance runs from
#                       there. Root is not required. Services are not
#                       registered unless --register is given.
#   --init-system auto|sysv|systemd   (REDIS_INIT_SYSTEM; default auto: systemd
#                       when /run/systemd/system exists or pid 1 is systemd)
#   --sentinel          install a Sentinel whatever the executable's name
#   --register          register the service even with --root
#   --no-register       do not register the service
#   --no-start          do not start the service at the end
#   --force             overwrite an existing instance
#   -h, --help          this help
#
# Other variables: REDIS_PID_FILE (default /var/run/redis_<port>.pid or
# /var/run/sentinel_<port>.pid), REDIS_CLI_EXECUTABLE (default: redis-cli on
# the PATH, else next to the executable).
#
# Remove an instance with scripts/uninstall_server.sh.

die() {
    echo "ERROR: $1. Aborting!"
    exit 1
}

usage() {
    sed -n '/^# Options:/,/^# Remove an instance/p' "$SCRIPT" | sed 's/^# \{0,1\}//'
}

#Absolute path to this script
SCRIPT=$(readlink -f "$0")
#Absolute path this script is in
SCRIPTPATH=$(dirname "$SCRIPT")
TOPDIR=$(dirname "$SCRIPTPATH")

ROOT=""
INIT_SYSTEM=${REDIS_INIT_SYSTEM:-auto}
REGISTER=auto
START=yes
FORCE=no
SENTINEL=no

while [ $# -gt 0 ]; do
    case "$1" in
        --root | --prefix)
            [ $# -ge 2 ] || die "$1 needs a directory"
            ROOT=$2
            shift 2
            ;;
        --root=* | --prefix=*)
            ROOT=${1#*=}
            shift
            ;;
        --init-system)
            [ $# -ge 2 ] || die "$1 needs auto, sysv or systemd"
            INIT_SYSTEM=$2
            shift 2
            ;;
        --init-system=*)
            INIT_SYSTEM=${1#*=}
            shift
            ;;
        --sentinel) SENTINEL=yes; shift ;;
        --register) REGISTER=yes; shift ;;
        --no-register) REGISTER=no; shift ;;
        --no-start) START=no; shift ;;
        --force) FORCE=yes; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage; die "Unknown option '$1'" ;;
    esac
done

case "$INIT_SYSTEM" in
    auto | sysv | systemd) ;;
    *) die "--init-system must be auto, sysv or systemd, not '$INIT_SYSTEM'" ;;
esac

#Initial defaults
_REDIS_PORT=6379
_MANUAL_EXECUTION=false

echo "Welcome to the redis service installer"
echo "This script will help you easily set up a running redis server"
echo

if [ -n "$ROOT" ]; then
    mkdir -p "$ROOT" || die "Could not create the root directory $ROOT"
    ROOT=$(cd "$ROOT" && pwd) || die "Could not enter the root directory"
    [ "$ROOT" = / ] && ROOT=""
fi
[ -z "$ROOT" ] && [ "$REGISTER" = auto ] && REGISTER=yes
[ "$REGISTER" = auto ] && REGISTER=no

#check for root user (not needed when installing under --root)
if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then
    echo "You must run this script as root. Sorry!"
    exit 1
fi

if [ "$INIT_SYSTEM" = auto ]; then
    _pid_1_exe="$(readlink -f /proc/1/exe 2>/dev/null)"
    if [ -d /run/systemd/system ] || [ "${_pid_1_exe##*/}" = systemd ]; then
        INIT_SYSTEM=systemd
    else
        INIT_SYSTEM=sysv
    fi
    unset _pid_1_exe
fi

case "${REDIS_EXECUTABLE:-}" in
    *redis-sentinel*) SENTINEL=yes ;;
esac

# Read one answer into _answer (empty at end of input).
ask() {
    printf '%s' "$1"
    IFS= read -r _answer || _answer=""
}

# The defaults depend on the kind of instance and on the port.
default_port() {
    if [ "$SENTINEL" = yes ]; then echo 26379; else echo "$_REDIS_PORT"; fi
}
default_config() {
    if [ "$SENTINEL" = yes ]; then echo "$ROOT/etc/redis/sentinel_$REDIS_PORT.conf"; else echo "$ROOT/etc/redis/$REDIS_PORT.conf"; fi
}
default_log() {
    if [ "$SENTINEL" = yes ]; then echo "$ROOT/var/log/sentinel_$REDIS_PORT.log"; else echo "$ROOT/var/log/redis_$REDIS_PORT.log"; fi
}
default_data() {
    if [ "$SENTINEL" = yes ]; then echo "$ROOT/var/lib/redis/sentinel_$REDIS_PORT"; else echo "$ROOT/var/lib/redis/$REDIS_PORT"; fi
}

is_number() {
    case "$1" in
        '' | *[!0-9]*) return 1 ;;
    esac
    return 0
}

PORT_DEFAULTED=no
CONF_DEFAULTED=no
LOG_DEFAULTED=no
DATA_DEFAULTED=no

if ! is_number "${REDIS_PORT:-}"; then
    _MANUAL_EXECUTION=true
    #Read the redis port
    _REDIS_PORT=$(default_port)
    if [ "$SENTINEL" = yes ]; then
        ask "Please select the sentinel port for this instance: [$_REDIS_PORT] "
    else
        ask "Please select the redis port for this instance: [$_REDIS_PORT] "
    fi
    REDIS_PORT=$_answer
    if ! is_number "$REDIS_PORT"; then
        echo "Selecting default: $_REDIS_PORT"
        REDIS_PORT=$_REDIS_PORT
        PORT_DEFAULTED=yes
    fi
fi
if [ "$REDIS_PORT" -lt 1 ] || [ "$REDIS_PORT" -gt 65535 ]; then
    die "Invalid port $REDIS_PORT"
fi

if [ -z "${REDIS_CONFIG_FILE:-}" ]; then
    _MANUAL_EXECUTION=true
    #read the redis config file
    _REDIS_CONFIG_FILE=$(default_config)
    ask "Please select the redis config file name [$_REDIS_CONFIG_FILE] "
    REDIS_CONFIG_FILE=$_answer
    if [ -z "$REDIS_CONFIG_FILE" ]; then
        REDIS_CONFIG_FILE=$_REDIS_CONFIG_FILE
        CONF_DEFAULTED=yes
        echo "Selected default - $REDIS_CONFIG_FILE"
    fi
fi

if [ -z "${REDIS_LOG_FILE:-}" ]; then
    _MANUAL_EXECUTION=true
    #read the redis log file path
    _REDIS_LOG_FILE=$(default_log)
    ask "Please select the redis log file name [$_REDIS_LOG_FILE] "
    REDIS_LOG_FILE=$_answer
    if [ -z "$REDIS_LOG_FILE" ]; then
        REDIS_LOG_FILE=$_REDIS_LOG_FILE
        LOG_DEFAULTED=yes
        echo "Selected default - $REDIS_LOG_FILE"
    fi
fi

if [ -z "${REDIS_DATA_DIR:-}" ]; then
    _MANUAL_EXECUTION=true
    #get the redis data directory
    _REDIS_DATA_DIR=$(default_data)
    ask "Please select the data directory for this instance [$_REDIS_DATA_DIR] "
    REDIS_DATA_DIR=$_answer
    if [ -z "$REDIS_DATA_DIR" ]; then
        REDIS_DATA_DIR=$_REDIS_DATA_DIR
        DATA_DEFAULTED=yes
        echo "Selected default - $REDIS_DATA_DIR"
    fi
fi

if [ ! -x "${REDIS_EXECUTABLE:-}" ]; then
    _MANUAL_EXECUTION=true
    #get the redis executable path
    if [ "$SENTINEL" = yes ]; then
        _REDIS_EXECUTABLE=$(command -v redis-sentinel)
    else
        _REDIS_EXECUTABLE=$(command -v redis-server)
    fi
    if [ -z "$_REDIS_EXECUTABLE" ] && [ -x "$TOPDIR/src/redis-server" ]; then
        _REDIS_EXECUTABLE="$TOPDIR/src/redis-server"
    fi
    ask "Please select the redis executable path [$_REDIS_EXECUTABLE] "
    REDIS_EXECUTABLE=$_answer
    if [ ! -x "$REDIS_EXECUTABLE" ]; then
        REDIS_EXECUTABLE=$_REDIS_EXECUTABLE

        if [ ! -x "$REDIS_EXECUTABLE" ]; then
            echo "Mmmmm...  it seems like you don't have a redis executable. Did you run make install yet?"
            exit 1
        fi
    fi
    # Choosing redis-sentinel at this prompt installs a Sentinel: the
    # answers left to their defaults take the Sentinel's defaults.
    case "$REDIS_EXECUTABLE" in
        *redis-sentinel*)
            if [ "$SENTINEL" = no ]; then
                SENTINEL=yes
                echo "The executable is redis-sentinel: installing a Sentinel"
                [ "$PORT_DEFAULTED" = yes ] && REDIS_PORT=$(default_port)
                [ "$CONF_DEFAULTED" = yes ] && REDIS_CONFIG_FILE=$(default_config)
                [ "$LOG_DEFAULTED" = yes ] && REDIS_LOG_FILE=$(default_log)
                [ "$DATA_DEFAULTED" = yes ] && REDIS_DATA_DIR=$(default_data)
            fi
            ;;
    esac
fi

#check the default for redis cli
CLI_EXEC=${REDIS_CLI_EXECUTABLE:-$(command -v redis-cli)}
if [ -z "$CLI_EXEC" ]; then
    CLI_EXEC="$(dirname "$REDIS_EXECUTABLE")/redis-cli"
fi

if [ "$SENTINEL" = yes ]; then
    NAME="sentinel_${REDIS_PORT}"
    PIDFILE=${REDIS_PID_FILE:-"$ROOT/var/run/sentinel_${REDIS_PORT}.pid"}
    DEFAULT_CONFIG="${TOPDIR}/conf/sentinel.conf"
    INIT_TPL_FILE="${TOPDIR}/init.d/sentinel_init_script"
    LOGROTATE_TPL_FILE="${TOPDIR}/logrotate.d/redis-sentinel"
    TPL_NAME="sentinel_26379"

    # The master this Sentinel monitors.
    _ask_sentinel() { # variable default prompt
        eval "_cur=\${$1:-}"
        if [ -z "$_cur" ]; then
            _cur=$2
            if [ "$_MANUAL_EXECUTION" = true ]; then
                ask "$3 [$2] "
                [ -n "$_answer" ] && _cur=$_answer
            fi
        fi
        eval "$1=\$_cur"
    }
    _ask_sentinel SENTINEL_MASTER_NAME mymaster "Please select the name of the master to monitor"
    _ask_sentinel SENTINEL_MASTER_HOST 127.0.0.1 "Please select the master's IP address"
    _ask_sentinel SENTINEL_MASTER_PORT 6379 "Please select the master's port"
    _ask_sentinel SENTINEL_QUORUM 2 "Please select the quorum (Sentinels that must agree the master is down)"
    if [ -z "${SENTINEL_AUTH_PASS+set}" ] && [ "$_MANUAL_EXECUTION" = true ] && [ -t 0 ]; then
        printf '%s' "Please enter the master's password (sentinel auth-pass), empty for none: "
        stty -echo 2>/dev/null
        IFS= read -r SENTINEL_AUTH_PASS || SENTINEL_AUTH_PASS=""
        stty echo 2>/dev/null
        echo
    fi
    SENTINEL_AUTH_PASS=${SENTINEL_AUTH_PASS:-}
    case "$SENTINEL_MASTER_NAME" in
        '' | *[!A-Za-z0-9._-]*) die "Invalid master name '$SENTINEL_MASTER_NAME' (use A-z 0-9 and .-_)" ;;
    esac
    case "$SENTINEL_MASTER_HOST" in
        '' | *[[:space:]]*) die "Invalid master address '$SENTINEL_MASTER_HOST'" ;;
    esac
    is_number "$SENTINEL_MASTER_PORT" || die "Invalid master port '$SENTINEL_MASTER_PORT'"
    if ! is_number "$SENTINEL_QUORUM" || [ "$SENTINEL_QUORUM" -lt 1 ]; then
        die "Invalid quorum '$SENTINEL_QUORUM'"
    fi
else
    NAME="redis_${REDIS_PORT}"
    PIDFILE=${REDIS_PID_FILE:-"$ROOT/var/run/redis_${REDIS_PORT}.pid"}
    DEFAULT_CONFIG="${TOPDIR}/conf/redis.conf"
    INIT_TPL_FILE="${TOPDIR}/init.d/redis_init_script"
    LOGROTATE_TPL_FILE="${TOPDIR}/logrotate.d/redis"
    TPL_NAME="redis_6379"
fi
INIT_SCRIPT_DEST="$ROOT/etc/init.d/${NAME}"
LOGROTATE_DEST="$ROOT/etc/logrotate.d/${NAME}"
UNIT_NAME="${NAME}.service"
UNIT_DEST="$ROOT/etc/systemd/system/${UNIT_NAME}"

for _p in "$REDIS_CONFIG_FILE" "$REDIS_LOG_FILE" "$REDIS_DATA_DIR" "$REDIS_EXECUTABLE" "$CLI_EXEC" "$PIDFILE"; do
    case "$_p" in
        /*) ;;
        *) die "'$_p' is not an absolute path" ;;
    esac
    case "$_p" in
        *\'* | *\"* | *\\* | *'
'*) die "Paths must not contain quotes, backslashes or newlines: '$_p'" ;;
    esac
done

echo "Selected config:"

echo "Port           : $REDIS_PORT"
echo "Config file    : $REDIS_CONFIG_FILE"
echo "Log file       : $REDIS_LOG_FILE"
echo "Data dir       : $REDIS_DATA_DIR"
echo "Executable     : $REDIS_EXECUTABLE"
echo "Cli Executable : $CLI_EXEC"
if [ "$SENTINEL" = yes ]; then
    echo "Monitors       : $SENTINEL_MASTER_NAME $SENTINEL_MASTER_HOST $SENTINEL_MASTER_PORT quorum $SENTINEL_QUORUM"
fi
echo "Init script    : $INIT_SCRIPT_DEST"
echo "Logrotate      : $LOGROTATE_DEST"
if [ "$INIT_SYSTEM" = systemd ]; then
    echo "Systemd unit   : $UNIT_DEST"
fi

if [ "$_MANUAL_EXECUTION" = true ]; then
    ask "Is this ok? Then press ENTER to go on or Ctrl-C to abort."
fi

for _f in "$DEFAULT_CONFIG" "$INIT_TPL_FILE" "$LOGROTATE_TPL_FILE"; do
    if [ ! -f "$_f" ]; then
        echo "Mmmmm... the template $_f is missing. Run this script from the ferrodis source tree (scripts/install_server.sh)."
        exit 1
    fi
done

if [ "$FORCE" = no ]; then
    for _f in "$REDIS_CONFIG_FILE" "$INIT_SCRIPT_DEST"; do
        [ -e "$_f" ] && die "$_f already exists: $NAME looks installed (use --force to overwrite it, or scripts/uninstall_server.sh first)"
    done
fi

mkdir -p "$(dirname "$REDIS_CONFIG_FILE")" || die "Could not create redis config directory"
mkdir -p "$(dirname "$REDIS_LOG_FILE")" || die "Could not create redis log dir"
mkdir -p "$REDIS_DATA_DIR" || die "Could not create redis data directory"
mkdir -p "$(dirname "$PIDFILE")" || die "Could not create the pid file directory"
mkdir -p "$(dirname "$INIT_SCRIPT_DEST")" || die "Could not create the init script directory"
mkdir -p "$(dirname "$LOGROTATE_DEST")" || die "Could not create the logrotate directory"

TMP_FILES=""
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
    if [ -n "$TMP_FILES" ]; then
        # shellcheck disable=SC2086
        rm -f $TMP_FILES
    fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Give temporary file $2 mode $1 and rename it onto $3.
install_tmp() {
    chmod "$1" "$2" || return 1
    mv -f "$2" "$3"
}

# A private temporary file beside $1, to be renamed onto it.
tmp_beside() {
    _t=$(mktemp "$(dirname "$1")/.install_server.XXXXXX") || die "Could not create a temporary file beside $1"
    TMP_FILES="$TMP_FILES $_t"
    echo "$_t"
}

#Generate config file from the default config file as template
#changing only the stuff we're controlling from this script.
#Values come through the environment (never through a command line).
render_config() {
    I_PORT=$REDIS_PORT I_LOG=$REDIS_LOG_FILE I_DIR=$REDIS_DATA_DIR I_PID=$PIDFILE \
        I_SENTINEL=$SENTINEL I_MNAME=${SENTINEL_MASTER_NAME:-} I_MHOST=${SENTINEL_MASTER_HOST:-} \
        I_MPORT=${SENTINEL_MASTER_PORT:-} I_QUORUM=${SENTINEL_QUORUM:-} I_PASS=${SENTINEL_AUTH_PASS:-} \
        awk '
        function q(s) {
            if (s == "" || s ~ /[ \t"\047\\]/) {
                gsub(/\\/, "\\\\", s)
                gsub(/"/, "\\\"", s)
                return "\"" s "\""
            }
            return s
        }
        BEGIN {
            print "## Generated by install_server.sh ##"
            E["port"] = "port " ENVIRON["I_PORT"]
            E["daemonize"] = "daemonize yes"
            E["pidfile"] = "pidfile " q(ENVIRON["I_PID"])
            E["logfile"] = "logfile " q(ENVIRON["I_LOG"])
            E["dir"] = "dir " q(ENVIRON["I_DIR"])
            sentinel = (ENVIRON["I_SENTINEL"] == "yes")
            name = ENVIRON["I_MNAME"]
        }
        {
            key = tolower($1)
            # "# pidfile /path" is a placeholder (the template keeps it
            # commented so a server started from it writes no pid file).
            if (key == "#" && tolower($2) == "pidfile" && $3 ~ /^\// && !("pidfile" in done)) {
                print E["pidfile"]; done["pidfile"] = 1
                next
            }
            if (key in E) {
                if (!(key in done)) { print E[key]; done[key] = 1 }
                next
            }
            if (sentinel && key == "sentinel" && tolower($2) == "monitor") {
                if (!monitored) {
                    print "sentinel monitor " name " " ENVIRON["I_MHOST"] " " ENVIRON["I_MPORT"] " " ENVIRON["I_QUORUM"]
                    if (ENVIRON["I_PASS"] != "") print "sentinel auth-pass " name " " q(ENVIRON["I_PASS"])
                    monitored = 1
                }
                next
            }
            if (sentinel && key == "sentinel" && $3 == "mymaster") {
                $3 = name
            }
            print
        }
        END {
            for (key in E) if (!(key in done)) print E[key]
            if (sentinel && !monitored) {
                print "sentinel monitor " name " " ENVIRON["I_MHOST"] " " ENVIRON["I_MPORT"] " " ENVIRON["I_QUORUM"]
                if (ENVIRON["I_PASS"] != "") print "sentinel auth-pass " name " " q(ENVIRON["I_PASS"])
            }
        }' "$DEFAULT_CONFIG"
}

if [ -e "$REDIS_CONFIG_FILE" ]; then
    cp -p "$REDIS_CONFIG_FILE" "$REDIS_CONFIG_FILE.bak" || die "Could not back up $REDIS_CONFIG_FILE"
    echo "Kept the previous config file as $REDIS_CONFIG_FILE.bak"
fi
TMP_FILE=$(tmp_beside "$REDIS_CONFIG_FILE")
render_config >"$TMP_FILE" || die "Could not render the config template $DEFAULT_CONFIG"
install_tmp 0640 "$TMP_FILE" "$REDIS_CONFIG_FILE" ||
    die "Could not write redis config file $REDIS_CONFIG_FILE"
echo "Wrote $REDIS_CONFIG_FILE"

#Generate the init script from its template: the variables block and the
#names in the chkconfig/LSB headers.
SYSTEMD_UNIT_VALUE=""
[ "$INIT_SYSTEM" = systemd ] && SYSTEMD_UNIT_VALUE=$UNIT_NAME
TMP_FILE=$(tmp_beside "$INIT_SCRIPT_DEST")
I_PORT=$REDIS_PORT I_EXEC=$REDIS_EXECUTABLE I_CLI=$CLI_EXEC I_PID=$PIDFILE I_CONF=$REDIS_CONFIG_FILE \
    I_UNIT=$SYSTEMD_UNIT_VALUE I_TPL=$TPL_NAME I_NAME=$NAME awk '
    function sq(s) { return "\047" s "\047" }
    /^REDISPORT=/ { print "REDISPORT=" ENVIRON["I_PORT"]; next }
    /^EXEC=/ { print "EXEC=" sq(ENVIRON["I_EXEC"]); next }
    /^CLIEXEC=/ { print "CLIEXEC=" sq(ENVIRON["I_CLI"]); next }
    /^PIDFILE=/ { print "PIDFILE=" sq(ENVIRON["I_PID"]); next }
    /^CONF=/ { print "CONF=" sq(ENVIRON["I_CONF"]); next }
    /^SYSTEMD_UNIT=/ { print "SYSTEMD_UNIT=" ENVIRON["I_UNIT"]; next }
    /^# config: / { print "# config: " ENVIRON["I_CONF"]; next }
    /^# pidfile: / { print "# pidfile: " ENVIRON["I_PID"]; next }
    /^#/ { gsub(ENVIRON["I_TPL"], ENVIRON["I_NAME"]) }
    { print }' "$INIT_TPL_FILE" >"$TMP_FILE" || die "Could not write init script to $TMP_FILE"

#copy to /etc/init.d
install_tmp 0755 "$TMP_FILE" "$INIT_SCRIPT_DEST" ||
    die "Could not copy redis init script to  $INIT_SCRIPT_DEST"
echo "Copied $INIT_TPL_FILE => $INIT_SCRIPT_DEST"

#logrotate: the template's log path replaced by this instance's log file
TMP_FILE=$(tmp_beside "$LOGROTATE_DEST")
I_LOG=$REDIS_LOG_FILE awk '
    /^\/var\/log\/[^ ]* \{/ { print "\"" ENVIRON["I_LOG"] "\" {"; next }
    { print }' "$LOGROTATE_TPL_FILE" >"$TMP_FILE" || die "Could not render $LOGROTATE_TPL_FILE"
install_tmp 0644 "$TMP_FILE" "$LOGROTATE_DEST" ||
    die "Could not write the logrotate config $LOGROTATE_DEST"
echo "Copied $LOGROTATE_TPL_FILE => $LOGROTATE_DEST"

#systemd unit
if [ "$INIT_SYSTEM" = systemd ]; then
    mkdir -p "$(dirname "$UNIT_DEST")" || die "Could not create the systemd unit directory"
    if [ "$SENTINEL" = yes ]; then
        UNIT_DESC="Redis Sentinel (ferrodis) on port $REDIS_PORT"
        case "${REDIS_EXECUTABLE##*/}" in
            redis-sentinel*) UNIT_EXTRA="" ;;
            *) UNIT_EXTRA=" --sentinel" ;;
        esac
    else
        UNIT_DESC="Redis (ferrodis) server on port $REDIS_PORT"
        UNIT_EXTRA=""
    fi
    TMP_FILE=$(tmp_beside "$UNIT_DEST")
    cat >"$TMP_FILE" <<EOF || die "Could not write $UNIT_DEST"
# Generated by install_server.sh: $UNIT_DESC.
# $INIT_SCRIPT_DEST start|stop|restart redirects here; status reads the pid file.
[Unit]
Description=$UNIT_DESC
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
ExecStart="$REDIS_EXECUTABLE" "$REDIS_CONFIG_FILE"$UNIT_EXTRA --daemonize no --pidfile "$PIDFILE"
# systemd sends SIGTERM: the server saves (when save points are set) and exits.
TimeoutStopSec=120
Restart=on-failure
# maxclients (10000) + 32
LimitNOFILE=10032
# To run as an unprivileged user, give it the data dir, the log file (and a
# Sentinel its config file), then:
#User=redis
#Group=redis

[Install]
WantedBy=multi-user.target
EOF
    install_tmp 0644 "$TMP_FILE" "$UNIT_DEST" || die "Could not write $UNIT_DEST"
    echo "Wrote $UNIT_DEST"
fi

#Install the service
echo "Installing service..."
if [ "$REGISTER" = no ]; then
    echo "Skipping service registration (installed under $ROOT). On the target host run:"
    if [ "$INIT_SYSTEM" = systemd ]; then
        echo "    systemctl daemon-reload && systemctl enable $UNIT_NAME"
    else
        echo "    chkconfig --add $NAME   (or: update-rc.d $NAME defaults)"
    fi
elif [ "$INIT_SYSTEM" = systemd ]; then
    if [ -n "$ROOT" ]; then
        # What "systemctl enable" does, without touching the host (systemctl
        # --root would try to enable the SysV script inside the root too).
        mkdir -p "$ROOT/etc/systemd/system/multi-user.target.wants" &&
            ln -sf "../$UNIT_NAME" "$ROOT/etc/systemd/system/multi-user.target.wants/$UNIT_NAME" &&
            echo "Successfully enabled $UNIT_NAME!"
    else
        systemctl daemon-reload &&
            systemctl enable "$UNIT_NAME" && echo "Successfully enabled $UNIT_NAME!"
    fi
elif command -v chkconfig >/dev/null 2>&1; then
    # we're chkconfig, so lets add to chkconfig and put in runlevel 345
    chkconfig --add "$NAME" && echo "Successfully added to chkconfig!"
    chkconfig --level 345 "$NAME" on && echo "Successfully added to runlevels 345!"
elif command -v update-rc.d >/dev/null 2>&1; then
    #if we're not a chkconfig box assume we're able to use update-rc.d
    update-rc.d "$NAME" defaults && echo "Success!"
else
    echo "No supported init tool found."
fi

if [ "$START" = yes ]; then
    if [ "$INIT_SYSTEM" = systemd ] && [ "$REGISTER" = yes ] && [ -z "$ROOT" ]; then
        systemctl start "$UNIT_NAME" || die "Failed starting service..."
        echo "Started $UNIT_NAME"
    else
        "$INIT_SCRIPT_DEST" start || die "Failed starting service..."
    fi
fi

#the kernel settings this instance depends on, with their fixes (ferrodis only:
#Redis 7.0 would take "<conf> --check-system" as a request to start)
if "$REDIS_EXECUTABLE" --version 2>/dev/null | grep -q ferrodis; then
    echo "System check ($REDIS_EXECUTABLE $REDIS_CONFIG_FILE --check-system):"
    if [ "$SENTINEL" = yes ]; then
        "$REDIS_EXECUTABLE" "$REDIS_CONFIG_FILE" --sentinel --check-system 2>&1 | sed 's/^/    /'
    else
        "$REDIS_EXECUTABLE" "$REDIS_CONFIG_FILE" --check-system 2>&1 | sed 's/^/    /'
    fi
fi

#tada
echo "Installation successful!"
exit 0
