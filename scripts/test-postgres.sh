#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server for the tests that need one:
#
#   scripts/test-postgres.sh [--durable] -- cargo nextest run --workspace
#
# - SWITCHBOARD_TEST_DATABASE_URL already set: the command runs against that server as it is.
# - Else, when `initdb` and `pg_ctl` can be found (PATH, then /usr/lib/postgresql/*/bin, newest
#   first): a cluster in a temp directory, on a free 127.0.0.1 port, trust authentication,
#   fsync off (it is thrown away) unless --durable asks for the server's own defaults, as
#   `make bench BACKEND=postgres` does so that commits cost what they cost in production;
#   SWITCHBOARD_TEST_DATABASE_URL points at it while the command
#   runs, and the cluster is stopped and removed however the command ends.
# - Else, under CI=true, Debian's `postgresql` package is installed (a CI run must not skip the
#   PostgreSQL tests), and the script fails if there are still no server binaries; outside CI
#   it says the PostgreSQL tests are skipped and runs the command without the variable (each
#   such test then skips itself, see crates/test-support/src/postgres.rs).
#
# Exits with the command's status.
set -euo pipefail

FSYNC="-c fsync=off"
if [ "${1:-}" = "--durable" ]; then
    FSYNC=
    shift
fi
if [ "${1:-}" = "--" ]; then shift; fi
if [ "$#" -eq 0 ]; then
    echo "usage: $0 [--durable] -- COMMAND [ARGS...]" >&2
    exit 2
fi

if [ -n "${SWITCHBOARD_TEST_DATABASE_URL:-}" ]; then
    exec "$@"
fi

# Sets PG_BIN to the directory holding both initdb and pg_ctl; fails when there is none.
find_server_binaries() {
    local dir initdb
    if initdb="$(command -v initdb)" && dir="$(dirname "$initdb")" && [ -x "$dir/pg_ctl" ]; then
        PG_BIN="$dir"
        return 0
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            PG_BIN="$dir"
            return 0
        fi
    done
    return 1
}

if ! find_server_binaries; then
    if [ "${CI:-}" = true ]; then
        echo "test-postgres: no initdb/pg_ctl found; installing Debian's postgresql package (CI must run the PostgreSQL tests)" >&2
        if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
        $SUDO apt-get install -y postgresql || { $SUDO apt-get update && $SUDO apt-get install -y postgresql; }
        if ! find_server_binaries; then
            echo "test-postgres: FAILED: still no initdb/pg_ctl after installing postgresql (looked on PATH and in /usr/lib/postgresql/*/bin)" >&2
            exit 1
        fi
    else
        cat >&2 <<'MSG'
test-postgres: PostgreSQL tests are SKIPPED: no initdb/pg_ctl found (looked on PATH and in
/usr/lib/postgresql/*/bin). To run them, install a PostgreSQL server (Debian/Ubuntu:
`sudo apt-get install postgresql`), or point SWITCHBOARD_TEST_DATABASE_URL at a server whose
user may create databases, e.g. postgres://postgres@127.0.0.1:5432/postgres.
MSG
        exec "$@"
    fi
fi

# initdb refuses to run as root, so a root caller runs the server as the `postgres` user.
if [ "$(id -u)" = 0 ]; then
    AS_SERVER_USER=("$(command -v runuser || echo /usr/sbin/runuser)" -u postgres --)
else
    AS_SERVER_USER=()
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/switchboard-pg.XXXXXX")"
DATA="$TMP/data"
SOCKETS="$TMP/sockets"
LOG="$TMP/server.log"
STARTED=

cleanup() {
    trap - EXIT INT TERM
    if [ -n "$STARTED" ]; then
        "${AS_SERVER_USER[@]}" "$PG_BIN/pg_ctl" -D "$DATA" stop -m fast -w >/dev/null 2>&1 || true
    fi
    rm -rf "$TMP"
}
CHILD=

# An interrupt ends the command first (TERM: a command run in the background by a script
# ignores SIGINT), then the server.
on_signal() {
    if [ -n "$CHILD" ]; then
        kill -TERM "$CHILD" 2>/dev/null || true
        wait "$CHILD" 2>/dev/null || true
    fi
    cleanup
    exit "$1"
}
trap cleanup EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

mkdir -p "$SOCKETS"
if [ "$(id -u)" = 0 ]; then chown -R postgres: "$TMP"; fi

"${AS_SERVER_USER[@]}" "$PG_BIN/initdb" -D "$DATA" --username=postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$TMP/initdb.log" 2>&1 || {
    echo "test-postgres: initdb failed:" >&2
    cat "$TMP/initdb.log" >&2
    exit 1
}

# A port nobody answers on; another process can still take it before the server binds, so a
# failed start is retried on another port.
port_is_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

PORT=
for _ in $(seq 1 20); do
    candidate=$((20000 + RANDOM % 40000))
    port_is_free "$candidate" || continue
    if "${AS_SERVER_USER[@]}" "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start -o \
        "-c listen_addresses=127.0.0.1 -p $candidate -c unix_socket_directories=$SOCKETS -c max_connections=300 $FSYNC" \
        >/dev/null 2>&1; then
        PORT="$candidate"
        STARTED=yes
        break
    fi
done
if [ -z "$PORT" ]; then
    echo "test-postgres: could not start PostgreSQL ($PG_BIN); its log:" >&2
    cat "$LOG" >&2 || true
    exit 1
fi

export SWITCHBOARD_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
echo "test-postgres: a throwaway PostgreSQL ($("$PG_BIN/pg_ctl" --version)) at $SWITCHBOARD_TEST_DATABASE_URL" >&2

# In the background so that a signal reaches the trap above at once rather than after the
# command ends; stdin stays the caller's.
set +e
"$@" <&0 &
CHILD=$!
wait "$CHILD"
status=$?
set -e
exit "$status"
