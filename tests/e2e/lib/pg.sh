# A throwaway PostgreSQL cluster for the e2e scripts: sourced after
# common.sh, never run.  pg_start makes one in $T/pg, listening on a Unix
# socket there and on no TCP port, as the user `postgres` when run as
# root (the server refuses root), and sets PGCONN for `serve --database`;
# pg_stop stops it (the EXIT trap removes $T).  pg_sql SQL runs a query
# and prints its rows.

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_start() {
    if [ -z "$pg_bin" ]; then
        fail "PostgreSQL is not installed (make test installs it)"; return 1; fi
    mkdir -p "$T/pg"
    # as root, the server runs as postgres, which must reach $T/pg
    [ "$(id -u)" = 0 ] && chown postgres "$T/pg" && chmod 755 "$T"
    as_pg "$pg_bin/initdb" -D "$T/pg/data" -A trust -U playbook \
        >"$T/pg/initdb.log" 2>&1 || {
        fail "initdb: $(tail -n 3 "$T/pg/initdb.log")"; return 1; }
    as_pg "$pg_bin/pg_ctl" -D "$T/pg/data" -l "$T/pg/log" -w -o \
        "-c listen_addresses='' -c unix_socket_directories='$T/pg'" start \
        >/dev/null 2>&1 || {
        fail "PostgreSQL did not start: $(tail -n 3 "$T/pg/log")"; return 1; }
    PGCONN="host=$T/pg user=playbook dbname=postgres"
    trap 'pg_stop; rm -rf "$T"' EXIT
    ok
}
pg_stop() {
    as_pg "$pg_bin/pg_ctl" -D "$T/pg/data" -m fast -w stop >/dev/null 2>&1
}
pg_sql() {
    "$pg_bin/psql" -X -At -d "$PGCONN" -c "$1"
}
