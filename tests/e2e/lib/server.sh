# `playbook serve` for the e2e scripts (serve.sh, panel.sh): sourced after
# common.sh, never run.  The script sets P (its -p options) and D (the
# data folder).  With STORE=pg the cases go to PostgreSQL at $PGCONN
# instead (lib/pg.sh).
STORE=${STORE:-files}

# start [option...]: a server on a free port of 127.0.0.1; its port in
# PORT, its address in URL, its pid in SRV.
start() {
    if [ "$STORE" = pg ]; then where="--database"; at=$PGCONN
    else where="--data"; at=$D; fi
    # A follow-ups listing reads cases for 250 ms by default, which a
    # store of the scripts' cases passes under ASan or valgrind: unless
    # the script says, the listings get the time to be whole.
    budget="--followups-budget 3600000"
    case " $* " in *" --followups-budget "*) budget= ;; esac
    # So does each agent's share of the server's time (250 ms a second),
    # which requests one after another pass there: unless it says, none.
    case " $* " in *" --agent-share "*) ;; *) budget="$budget --agent-share 0" ;; esac
    # emptied first: the shell that starts the server empties it too,
    # but maybe only after the wait below read the last server's line
    : >"$T/serve.out"
    "$PB" serve $P "$where" "$at" --listen 127.0.0.1:0 $budget "$@" \
        >"$T/serve.out" 2>"$T/serve.err" &
    SRV=$!
    i=0
    while [ $i -lt 300 ] && ! grep -q listening "$T/serve.out"; do
        sleep 0.1; i=$((i + 1)); done
    PORT=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/serve.out")
    URL="http://127.0.0.1:$PORT"
    if [ -n "$PORT" ]; then ok; else
        fail "serve did not start: $(cat "$T/serve.err")"; fi
}

# stop: SIGTERM, which must end it with 0 and no sanitizer report.
stop() {
    kill -TERM "$SRV"
    wait "$SRV"
    src=$?
    if [ "$src" = 0 ]; then ok; else fail "serve exit $src on SIGTERM"; fi
    if grep -q -e Sanitizer -e 'runtime error' "$T/serve.err"; then
        fail "sanitizer report from serve: $(head -n 20 "$T/serve.err")"
    else ok; fi
}

# stored ID PATTERN: how many recorded events of case ID, as the store
# keeps them (durable), match PATTERN (an extended regular expression,
# on "type text").
stored() {
    if [ "$STORE" = pg ]; then
        pg_sql "SELECT count(*) FROM playbook_events WHERE case_id = '$1'
                AND type || ' ' || coalesce(text, '') ~ '$2'"
    else
        cat "$D/$1.xml.journal" "$D/$1.xml" 2>/dev/null | grep -c -E "$2"
    fi
}
