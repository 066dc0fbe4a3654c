#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster: initdb in a temporary folder,
# a server on a Unix socket there (no TCP), DATABASE_URL pointing at it; the server is
# stopped and the folder removed afterwards, whatever the command's result.
# Exit 3 when no PostgreSQL server binaries are installed.
set -uo pipefail

find_pg_bin() {
    if command -v initdb >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"; return; fi
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

PG_BIN=$(find_pg_bin) || true
if [ -z "${PG_BIN:-}" ]; then
    echo "with-postgres: no PostgreSQL server binaries (initdb) found" >&2
    exit 3
fi

PG_DIR=$(mktemp -d /tmp/dsr-pg.XXXXXX)
chmod 755 "$PG_DIR"
# The server refuses to run as root; run it as the postgres user where we are root.
if [ "$(id -u)" = 0 ]; then
    PG_USER=$(id -u postgres >/dev/null 2>&1 && echo postgres || echo nobody)
    chown "$PG_USER" "$PG_DIR"
    as_pg() { runuser -u "$PG_USER" -- "$@"; }
else
    PG_USER=$(id -un)
    as_pg() { "$@"; }
fi

cleanup() {
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
trap cleanup EXIT INT TERM

as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
    || as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; exit 4; }
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-k $PG_DIR -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${PG_EXTRA_OPTIONS:-}" \
    start >/dev/null || { cat "$PG_DIR/server.log" >&2; exit 4; }
"$PG_BIN/createdb" -h "$PG_DIR" -U postgres dsr || exit 4

export DATABASE_URL="postgresql://postgres@/dsr?host=$PG_DIR"
export PG_DIR PG_BIN
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on $PG_DIR" >&2
"$@"
