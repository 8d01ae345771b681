/*
 * store_pg.c -- the PostgreSQL store (docs/deploy.md, "Several
 * servers"): a row per case and an append-only row per recorded event,
 * numbered per case.  Every server keeps the cases it has served in
 * memory and catches up with what the others recorded before it reads
 * or writes one.  A write takes the case's advisory lock for its
 * transaction, catches up, checks and applies the events, inserts them
 * after the last and commits: two servers never interleave a case, and
 * nothing is acknowledged before its commit.
 */
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "error.h"
#include "store_core.h"

static const char schema[] =
    "SET client_min_messages = warning;"
    "SELECT pg_advisory_lock(7041299);"
    "CREATE TABLE IF NOT EXISTS playbook_cases ("
    " id text PRIMARY KEY,"
    " topic text NOT NULL, channel text, agent text, team text,"
    " facts text NOT NULL,"           /* [[name, value], ...] */
    " created timestamptz NOT NULL DEFAULT now());"
    "CREATE TABLE IF NOT EXISTS playbook_events ("
    " case_id text NOT NULL REFERENCES playbook_cases (id),"
    " seq bigint NOT NULL,"           /* 1, 2, ... per case */
    " t double precision NOT NULL,"   /* seconds since started_at */
    " type text NOT NULL, text text,"
    " attrs text NOT NULL,"           /* [[name, value], ...] */
    " PRIMARY KEY (case_id, seq));"
    "SELECT pg_advisory_unlock(7041299);";

typedef struct pg {
    PGconn *conn;        /* the requests' */
    char *conninfo;
    /* store_watch: a connection that LISTENs, read by a thread of its
     * own, which a byte on wake[1] stops. */
    PGconn *listen;
    pthread_t watcher;
    int watching, wake[2];
    store_changed fn;
    void *ud;
    char **ids;          /* pg_ids' last answer */
    size_t nids;
} pg;

/* A failure of the database: PB_IO with its message, one line. */
static pb_status db_error(PGconn *conn, pb_error *err, const char *what)
{
    char msg[200];
    size_t n;

    snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
    n = strcspn(msg, "\n");
    msg[n] = '\0';
    return pb__error(err, PB_IO, "", 0, "PostgreSQL, %s: %s", what, msg);
}

/* Runs sql with n text parameters; the result when it has the status
 * wanted, else NULL with err set.  A connection that broke is reset
 * once, outside a transaction. */
static PGresult *run(pg *db, const char *sql, int n, const char *const *p,
                     ExecStatusType want, pb_error *err, const char *what)
{
    PGresult *r = PQexecParams(db->conn, sql, n, NULL, p, NULL, NULL, 0);

    if (r != NULL && PQresultStatus(r) == want)
        return r;
    db_error(db->conn, err, what);
    PQclear(r);
    if (PQstatus(db->conn) == CONNECTION_BAD)
        PQreset(db->conn);
    return NULL;
}

static int command(pg *db, const char *sql, pb_error *err, const char *what)
{
    PGresult *r = run(db, sql, 0, NULL, PGRES_COMMAND_OK, err, what);

    PQclear(r);
    return r != NULL ? 0 : -1;
}

/* Pairs as JSON text, [[name, value], ...], malloc'd. */
static char *pairs_text(const pb_attr *a, size_t n)
{
    json_object *all = json_object_new_array(), *one;
    char *s = NULL;
    size_t i;

    if (all == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        if ((one = json_object_new_array()) == NULL ||
            json_object_array_add(all, one) != 0) {
            json_object_put(one);
            goto done;
        }
        json_object_array_add(one, json_object_new_string(a[i].name));
        json_object_array_add(one, json_object_new_string(a[i].value));
    }
    s = strdup(json_object_to_json_string_ext(all, JSON_C_TO_STRING_PLAIN));
done:
    json_object_put(all);
    return s;
}

/* [[name, value], ...] into a (pointing into the returned object, which
 * the caller puts); NULL when it is not that. */
static json_object *pairs_read(const char *text, pb_attr *a, size_t max,
                               size_t *n)
{
    json_object *all = json_tokener_parse(text), *one;
    size_t i, len;

    *n = 0;
    if (all == NULL || !json_object_is_type(all, json_type_array) ||
        (len = json_object_array_length(all)) > max)
        goto bad;
    for (i = 0; i < len; i++) {
        one = json_object_array_get_idx(all, i);
        if (!json_object_is_type(one, json_type_array) ||
            json_object_array_length(one) != 2)
            goto bad;
        a[i].name = json_object_get_string(json_object_array_get_idx(one, 0));
        a[i].value = json_object_get_string(json_object_array_get_idx(one, 1));
        if (a[i].name == NULL || a[i].value == NULL)
            goto bad;
    }
    *n = len;
    return all;
bad:
    json_object_put(all);
    return NULL;
}

#define MAX_FACTS 256

/* The case id as its row says, with no events yet. */
static pb_status load_case(pg *db, pb_engine *e, const char *id,
                           pb_case **out, pb_error *err)
{
    static const char sql[] = "SELECT topic, channel, agent, team, facts "
                              "FROM playbook_cases WHERE id = $1";
    const char *p[1] = { id };
    PGresult *r = run(db, sql, 1, p, PGRES_TUPLES_OK, err, "reading a case");
    pb_attr facts[MAX_FACTS];
    json_object *fo = NULL;
    pb_status st = PB_OK;
    pb_case *c = NULL;
    size_t i, n;

    if (r == NULL)
        return PB_IO;
    if (PQntuples(r) == 0) {
        st = pb__error(err, PB_INPUT, "", 0, "no case '%s'", id);
    } else if ((fo = pairs_read(PQgetvalue(r, 0, 4), facts, MAX_FACTS, &n)) ==
               NULL) {
        st = pb__error(err, PB_IO, "", 0, "case '%s': its facts in the "
                       "database are damaged", id);
    } else if ((c = pb_case_new(e, PQgetvalue(r, 0, 0),
                                PQgetisnull(r, 0, 1) ? NULL
                                                     : PQgetvalue(r, 0, 1),
                                err)) == NULL) {
        st = PB_NOMEM;
    } else {
        st = pb_case_set_agent(c, PQgetisnull(r, 0, 2) ? NULL
                                                       : PQgetvalue(r, 0, 2),
                               PQgetisnull(r, 0, 3) ? NULL
                                                    : PQgetvalue(r, 0, 3),
                               err);
        for (i = 0; i < n && st == PB_OK; i++)
            st = pb_case_set_fact(c, facts[i].name, facts[i].value, err);
    }
    json_object_put(fo);
    PQclear(r);
    if (st != PB_OK) {
        pb_case_free(c);
        return st == PB_INPUT && c != NULL ? PB_IO : st;
    }
    *out = c;
    return PB_OK;
}

/* Appends to c the events of case id after event number *seq, as
 * committed; *seq is then the last. */
static pb_status catch_up(pg *db, const char *id, pb_case *c, long *seq,
                          pb_error *err)
{
    static const char sql[] = "SELECT seq, t, type, text, attrs "
                              "FROM playbook_events WHERE case_id = $1 "
                              "AND seq > $2 ORDER BY seq";
    char after[32];
    const char *p[2] = { id, after };
    pb_attr attrs[PB_EVENT_MAX_ATTRS];
    PGresult *r;
    pb_status st = PB_OK;
    int i, rows;

    snprintf(after, sizeof after, "%ld", *seq);
    if ((r = run(db, sql, 2, p, PGRES_TUPLES_OK, err, "reading events")) ==
        NULL)
        return PB_IO;
    rows = PQntuples(r);
    pb_case_set_old_record(c, 1);   /* recorded, even before undo's rule */
    for (i = 0; i < rows && st == PB_OK; i++) {
        long n = strtol(PQgetvalue(r, i, 0), NULL, 10);
        json_object *ao;
        size_t na;

        if (n != *seq + 1 ||
            (ao = pairs_read(PQgetvalue(r, i, 4), attrs, PB_EVENT_MAX_ATTRS,
                             &na)) == NULL) {
            st = pb__error(err, PB_IO, "", 0, "case '%s': event %ld in the "
                           "database is missing or damaged", id, *seq + 1);
            break;
        }
        st = pb_case_append(c, strtod(PQgetvalue(r, i, 1), NULL),
                            PQgetvalue(r, i, 2),
                            PQgetisnull(r, i, 3) ? NULL : PQgetvalue(r, i, 3),
                            attrs, na, err);
        json_object_put(ao);
        if (st == PB_OK)
            *seq = n;
        else if (st == PB_INPUT)
            st = PB_IO;   /* recorded, yet refused: the server's to mend */
    }
    pb_case_set_old_record(c, 0);
    PQclear(r);
    return st;
}

/* The case's clock: seconds since started_at in ms, never before its
 * last event (another server's clock may be ahead). */
static double case_now(const pb_case *c)
{
    size_t n = pb_case_nevents(c);
    double started = pb_case_started(c), last = 0, t;
    pb_event_info ev;
    struct timespec ts;

    if (n > 0) {
        pb_case_event(c, n - 1, &ev);
        last = ev.t;
    }
    if (started < 0 || clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return last;
    t = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - started;
    /* A start too long ago (a case made before clients' starts were
     * checked) would give times no event may have: the last one's. */
    if (t > PB_TIME_MAX)
        return last;
    t = floor(t * 1000 + 0.5) / 1000;
    return t > last ? t : last;
}

/* A new case's row, from the case made in memory. */
static pb_status insert_case(pg *db, const char *id, const pb_case *c,
                             pb_error *err)
{
    static const char sql[] = "INSERT INTO playbook_cases (id, topic, "
                              "channel, agent, team, facts) VALUES ($1, $2, "
                              "$3, $4, $5, $6) ON CONFLICT (id) DO NOTHING";
    pb_attr facts[MAX_FACTS];
    const char *p[6];
    PGresult *r;
    pb_status st;
    size_t i, n = pb_case_ninitial(c);
    char *ft;

    if (n > MAX_FACTS)
        return pb__error(err, PB_INPUT, "", 0, "more than %d facts",
                         MAX_FACTS);
    for (i = 0; i < n; i++)
        pb_case_initial(c, i, &facts[i].name, &facts[i].value);
    if ((ft = pairs_text(facts, n)) == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    p[0] = id;
    p[1] = pb_case_topic(c);
    p[2] = pb_case_channel(c);
    p[3] = pb_case_agent(c);
    p[4] = pb_case_team(c);
    p[5] = ft;
    r = run(db, sql, 6, p, PGRES_COMMAND_OK, err, "creating a case");
    free(ft);
    if (r == NULL)
        return PB_IO;
    st = strcmp(PQcmdTuples(r), "1") == 0
             ? PB_OK
             : pb__error(err, PB_STATE, "", 0, "case '%s' exists", id);
    PQclear(r);
    return st;
}

/* A case made in memory as o describes it, as the file store makes one:
 * started_at now unless given. */
static pb_status new_case(pb_engine *e, const pb_casefile_opts *o,
                          pb_case **out, pb_error *err)
{
    pb_case *c = pb_case_new(e, o->topic, o->channel, err);
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    pb_status st;
    size_t i;

    if (c == NULL)
        return PB_NOMEM;
    st = pb_case_set_agent(c, o->agent, o->team, err);
    for (i = 0; i < o->nfacts && st == PB_OK; i++)
        st = pb_fact_check_initial(o->facts[i].name, o->facts[i].value,
                                   (double)now, err);
    if (st == PB_OK && pb_attr_value(o->facts, o->nfacts, "started_at") ==
                           NULL) {
        if (gmtime_r(&now, &tm) == NULL ||
            strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
            st = pb__error(err, PB_IO, "", 0, "cannot read the clock");
        else
            st = pb_case_set_fact(c, "started_at", stamp, err);
    }
    for (i = 0; i < o->nfacts && st == PB_OK; i++)
        st = pb_case_set_fact(c, o->facts[i].name, o->facts[i].value, err);
    if (st != PB_OK) {
        pb_case_free(c);
        return st;
    }
    *out = c;
    return PB_OK;
}

static pb_status pg_open(store *s, store_case *sc,
                         const pb_casefile_opts *create, pb_error *err)
{
    pg *db = s->impl;
    pb_status st;

    sc->seq = 0;
    if (create == NULL) {
        if ((st = load_case(db, sc->e, sc->id, &sc->c, err)) == PB_OK &&
            (st = catch_up(db, sc->id, sc->c, &sc->seq, err)) != PB_OK) {
            pb_case_free(sc->c);
            sc->c = NULL;
        }
        return st;
    }
    if ((st = new_case(sc->e, create, &sc->c, err)) != PB_OK)
        return st;
    if ((st = insert_case(db, sc->id, sc->c, err)) != PB_OK) {
        pb_case_free(sc->c);
        sc->c = NULL;
    }
    return st;
}

/* A case whose memory ran ahead of the database (a failed commit) is
 * read again from it before it is used. */
static pb_status reread(store *s, store_case *sc, pb_error *err)
{
    pb_engine *e = (pb_engine *)pb_case_engine(sc->c);
    pg *db = s->impl;
    pb_case *c = NULL;
    long seq = 0;
    pb_status st;

    if ((st = load_case(db, e, sc->id, &c, err)) == PB_OK &&
        (st = catch_up(db, sc->id, c, &seq, err)) == PB_OK) {
        pb_case_free(sc->c);
        sc->c = c;
        sc->seq = seq;
        return PB_OK;
    }
    pb_case_free(c);
    return st;
}

static pb_status pg_sync(store *s, store_case *sc, pb_error *err)
{
    if (sc->seq < 0)
        return reread(s, sc, err);
    return catch_up(s->impl, sc->id, sc->c, &sc->seq, err);
}

/* The inserts of ev[0..n), numbered from seq + 1. */
static pb_status insert_events(pg *db, const char *id, long seq, double t,
                               const store_event *ev, size_t n,
                               pb_error *err)
{
    static const char sql[] = "INSERT INTO playbook_events (case_id, seq, "
                              "t, type, text, attrs) VALUES ($1, $2, $3, $4, "
                              "$5, $6)";
    char num[32], tt[64];
    const char *p[6];
    PGresult *r;
    size_t i;

    snprintf(tt, sizeof tt, "%.17g", t);
    for (i = 0; i < n; i++) {
        char *at = pairs_text(ev[i].attrs, ev[i].nattrs);

        if (at == NULL)
            return pb__error(err, PB_NOMEM, "", 0, "out of memory");
        snprintf(num, sizeof num, "%ld", seq + 1 + (long)i);
        p[0] = id;
        p[1] = num;
        p[2] = tt;
        p[3] = ev[i].type;
        p[4] = ev[i].text;
        p[5] = at;
        r = run(db, sql, 6, p, PGRES_COMMAND_OK, err, "recording an event");
        free(at);
        if (r == NULL)
            return PB_IO;
        PQclear(r);
    }
    return PB_OK;
}

/* Commits, telling every server that listens (pg_watch) that case id
 * changed: PostgreSQL delivers the notice with the commit, or never. */
static int commit(pg *db, const char *id, pb_error *err)
{
    const char *p[1] = { id };
    PGresult *r = run(db, "SELECT pg_notify('playbook_case', $1)", 1, p,
                      PGRES_TUPLES_OK, err, "telling other servers");

    PQclear(r);
    return r != NULL ? command(db, "COMMIT", err, "committing") : -1;
}

static pb_status pg_record(store *s, store_case *sc, const store_event *ev,
                           size_t n, size_t *at, pb_error *err)
{
    static const char lock[] = "SELECT pg_advisory_xact_lock("
                               "hashtextextended($1, 0))";
    const char *p[1] = { sc->id };
    pg *db = s->impl;
    pb_status st, applied;
    PGresult *r;
    pb_error ierr;
    double t;

    if (command(db, "BEGIN", err, "a transaction") != 0)
        return PB_IO;
    if ((r = run(db, lock, 1, p, PGRES_TUPLES_OK, err, "locking a case")) ==
        NULL) {
        command(db, "ROLLBACK", &ierr, "");
        return PB_IO;
    }
    PQclear(r);
    if ((st = pg_sync(s, sc, err)) != PB_OK) {
        command(db, "ROLLBACK", &ierr, "");
        return st;
    }
    t = case_now(sc->c);
    applied = store_apply(sc->c, t, ev, n, at, err);
    if (applied == PB_INPUT) {     /* refused at the check: unchanged */
        command(db, "ROLLBACK", &ierr, "");
        return applied;
    }
    if (*at == 0) {
        command(db, "ROLLBACK", &ierr, "");
        sc->seq = -1;   /* memory may have changed: read it again */
        return applied;
    }
    if (insert_events(db, sc->id, sc->seq, t, ev, *at, &ierr) != PB_OK ||
        commit(db, sc->id, &ierr) != 0) {
        /* Memory holds events the database does not: read it again at
         * the next use, and acknowledge nothing. */
        *err = ierr;
        command(db, "ROLLBACK", &ierr, "");
        sc->seq = -1;
        *at = 0;
        return PB_IO;
    }
    sc->seq += (long)*at;
    if (applied != PB_OK && applied != PB_STATE)
        sc->seq = -1;   /* out of memory half way: read it again */
    return applied;
}

static pb_status pg_ids(store *s, char *const **out, size_t *nout,
                        pb_error *err)
{
    pg *db = s->impl;
    PGresult *r;
    char **ids;
    int i, n;

    store_ids_free(db->ids, db->nids);
    db->ids = NULL;
    db->nids = 0;
    r = run(db, "SELECT id FROM playbook_cases ORDER BY id COLLATE \"C\"",
            0, NULL, PGRES_TUPLES_OK, err, "listing cases");
    if (r == NULL)
        return PB_IO;
    n = PQntuples(r);
    if ((ids = calloc((size_t)n + 1, sizeof *ids)) == NULL) {
        PQclear(r);
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    }
    for (i = 0; i < n; i++)
        if ((ids[i] = strdup(PQgetvalue(r, i, 0))) == NULL) {
            store_ids_free(ids, (size_t)i);
            PQclear(r);
            return pb__error(err, PB_NOMEM, "", 0, "out of memory");
        }
    PQclear(r);
    *out = db->ids = ids;
    *nout = db->nids = (size_t)n;
    return PB_OK;
}

/* A case changes only by events appended to it: its last sequence
 * number, with when it was made, stamps it.  One query for all (each
 * case's last number from the events' key), merged with ids, which
 * pg_ids sorted the same way: a case made since has no place there. */
static int pg_stamps(store *s, char *const *ids, size_t n, store_stamp *out)
{
    pb_error ignored;   /* without stamps, every case is read */
    PGresult *r = run(s->impl, "SELECT id, "
                      "(extract(epoch FROM created) * 1000000)::bigint, "
                      "coalesce((SELECT max(seq) FROM playbook_events e "
                      "WHERE e.case_id = c.id), 0) FROM playbook_cases c "
                      "ORDER BY id COLLATE \"C\"", 0, NULL, PGRES_TUPLES_OK,
                      &ignored, "stamping the cases");
    size_t i = 0;
    int row, rows, d;

    if (r == NULL)
        return -1;
    memset(out, 0, n * sizeof *out);
    rows = PQntuples(r);
    for (row = 0; row < rows && i < n; row++) {
        while (i < n && (d = strcmp(ids[i], PQgetvalue(r, row, 0))) < 0)
            i++;
        if (i < n && d == 0) {
            out[i].v[0] = strtoull(PQgetvalue(r, row, 1), NULL, 10);
            out[i].v[1] = strtoull(PQgetvalue(r, row, 2), NULL, 10);
            i++;
        }
    }
    PQclear(r);
    return 0;
}

/* The agent column, without the case's events. */
static int pg_owner(store *s, const char *id, char *out, size_t size)
{
    const char *p[1] = { id };
    pb_error ignored;   /* -1: the case is read, and says why */
    PGresult *r = run(s->impl, "SELECT agent FROM playbook_cases "
                      "WHERE id = $1", 1, p, PGRES_TUPLES_OK, &ignored,
                      "reading a case's agent");
    int known = r != NULL && PQntuples(r) == 1 &&
                (size_t)PQgetlength(r, 0, 0) < size;

    if (known)
        snprintf(out, size, "%s", PQgetisnull(r, 0, 0) ? ""
                                                        : PQgetvalue(r, 0, 0));
    PQclear(r);
    return known ? 0 : -1;
}

static pb_status pg_read(store *s, const char *id, pb_case **out,
                         pb_error *err)
{
    long seq = 0;
    pb_status st = load_case(s->impl, s->e, id, out, err);

    if (st == PB_OK && (st = catch_up(s->impl, id, *out, &seq, err)) !=
                           PB_OK) {
        pb_case_free(*out);
        *out = NULL;
    }
    return st;
}

/* The watcher: each notification names a case another server (or this
 * one) committed events on.  A broken connection is made again, every
 * second until it works; what was committed meanwhile reaches this
 * server at the case's next request. */
static int listen_on(pg *db)
{
    PGresult *r;
    int ok;

    if (PQstatus(db->listen) != CONNECTION_OK)
        PQreset(db->listen);
    r = PQexec(db->listen, "LISTEN playbook_case");
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok ? 0 : -1;
}

static void *watch(void *arg)
{
    pg *db = arg;
    int live = 1;

    for (;;) {
        struct pollfd p[2];
        PGnotify *n;

        p[0].fd = live ? PQsocket(db->listen) : -1;
        p[0].events = POLLIN;
        p[1].fd = db->wake[0];
        p[1].events = POLLIN;
        if (poll(p, 2, live ? -1 : 1000) < 0)
            continue;
        if (p[1].revents != 0)
            return NULL;
        if (!live || PQconsumeInput(db->listen) == 0) {
            live = listen_on(db) == 0;
            continue;
        }
        while ((n = PQnotifies(db->listen)) != NULL) {
            db->fn(db->ud, n->extra);
            PQfreemem(n);
        }
    }
}

static int pg_watch(store *s, store_changed fn, void *ud, pb_error *err)
{
    pg *db = s->impl;

    db->fn = fn;
    db->ud = ud;
    db->listen = PQconnectdb(db->conninfo);
    if (PQstatus(db->listen) != CONNECTION_OK || listen_on(db) != 0) {
        db_error(db->listen, err, "listening for other servers");
        return -1;
    }
    if (pipe(db->wake) != 0 ||
        pthread_create(&db->watcher, NULL, watch, db) != 0) {
        pb__error(err, PB_IO, "", 0, "cannot start the watcher");
        return -1;
    }
    db->watching = 1;
    return 0;
}

static void pg_close_case(store *s, store_case *sc)
{
    (void)s;
    pb_case_free(sc->c);
}

/* Every event of an open case is committed: it goes as it closes. */
static int pg_let_go(store *s, store_case *sc)
{
    pg_close_case(s, sc);
    return 1;
}

static void pg_close(store *s)
{
    pg *db = s->impl;

    if (db->watching) {
        if (write(db->wake[1], "", 1) == 1)
            pthread_join(db->watcher, NULL);
        close(db->wake[0]);
        close(db->wake[1]);
    }
    PQfinish(db->listen);
    PQfinish(db->conn);
    store_ids_free(db->ids, db->nids);
    free(db->conninfo);
    free(db);
}

static const store_backend postgres = {
    pg_open, pg_sync, pg_record, pg_ids, pg_read, pg_owner, pg_stamps,
    pg_watch, NULL,
    NULL, NULL, pg_close_case, pg_let_go, pg_close
};

store *store_open_pg(pb_engine *e, const char *conninfo, pb_error *err)
{
    pg *db = calloc(1, sizeof *db);
    PGresult *r;
    store *s;

    if (db == NULL) {
        pb__error(err, PB_NOMEM, "", 0, "out of memory");
        return NULL;
    }
    if ((db->conninfo = strdup(conninfo)) == NULL) {
        free(db);
        pb__error(err, PB_NOMEM, "", 0, "out of memory");
        return NULL;
    }
    db->conn = PQconnectdb(conninfo);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        db_error(db->conn, err, "connecting");
        goto fail;
    }
    r = PQexec(db->conn, schema);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        db_error(db->conn, err, "making the tables");
        PQclear(r);
        goto fail;
    }
    PQclear(r);
    if ((s = store_new(&postgres, e, db)) != NULL)
        return s;
    pb__error(err, PB_NOMEM, "", 0, "out of memory");
fail:
    PQfinish(db->conn);
    free(db->conninfo);
    free(db);
    return NULL;
}
