/*
 * api.c -- the routes of docs/api.md.  Every request is checked whole
 * before anything changes (shape, fields, types, the case's state), so a
 * refused request leaves every case as it was; every refusal is a JSON
 * error naming the field at fault.  Errors on our side (a disk that
 * fails) go to the log with their detail and to the client without it:
 * no path or system detail leaves the server.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include <json-c/json.h>

#include "api.h"
#include "ascii.h"
#include "clock.h"
#include "jsonw.h"
#include "membuf.h"
#include "panel.h"
#include "utf8.h"

/* Bodies are small objects: a case, an event. */
#define JSON_DEPTH 8
#define MAX_ATTRS PB_EVENT_MAX_ATTRS
#define MAX_FACTS 64
#define MAX_BATCH 100

/* The reply under construction: a stream into memory, its first buffer
 * the size of a case's answer (3 to 4 KiB). */
typedef struct reply {
    FILE *f;
    pb__membuf m;
    int status;
} reply;

static int reply_open(reply *r, int status)
{
    r->status = status;
    return (r->f = pb__membuf_open(&r->m, 4096)) == NULL ? -1 : 0;
}

static void reply_done(reply *r, http_reply *out)
{
    fclose(r->f); /* when it fails, m.buf is NULL: a reply without body */
    out->status = r->status;
    out->body = r->m.buf;
    out->len = r->m.len;
}

/* {"error": {"status", "field", "message"}}; field may be NULL. */
static void fail(http_reply *out, int status, const char *field,
                 const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    pb__json j;
    reply r;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (reply_open(&r, status) != 0)
        return;
    pb__json_init(&j, r.f);
    pb__json_open(&j, '{');
    pb__json_key(&j, "error");
    pb__json_open(&j, '{');
    pb__json_kint(&j, "status", status);
    pb__json_kstr(&j, "field", field);
    pb__json_kstr(&j, "message", msg);
    pb__json_close(&j, '}');
    pb__json_close(&j, '}');
    fputc('\n', r.f);
    reply_done(&r, out);
}

/* 405: the resource is there, but not for this method; methods says
 * which are (RFC 9110, 15.5.6: in Allow). */
static void use(http_reply *out, const char *methods)
{
    out->allow = methods;
    fail(out, 405, NULL, "use %s", methods);
}

/* A failure on our side: the detail to the log, not to the client. */
static void log_ours(api *a, const pb_error *err)
{
    char msg[1200];

    if (a->log != NULL)
        fprintf(a->log, "playbook serve: %s\n",
                pb_error_text(err, msg, sizeof msg));
}

static void fail_ours(api *a, http_reply *out, const pb_error *err)
{
    log_ours(a, err);
    fail(out, 503, NULL, "the case could not be read or saved; the "
         "server's log says why");
}

/* The timeline from event `from` on (docs/api.md, "The case"): a
 * client that has the earlier events is not sent them again.  (The
 * server's engine names its files without their folder: no path leaves
 * the server.) */
static void render_events(FILE *f, const pb_case *c, size_t from)
{
    size_t i, k;
    pb_event_info ev;
    pb__json j;

    pb__json_init(&j, f);
    pb__json_open(&j, '[');
    for (i = from; i < pb_case_nevents(c); i++) {
        pb_case_event(c, i, &ev);
        pb__json_open(&j, '{');
        pb__json_kint(&j, "i", (long)i);
        pb__json_key(&j, "recorded");
        if (ev.recorded > 0)
            pb__json_int(&j, (long)ev.recorded);
        else
            pb__json_str(&j, NULL);
        pb__json_knum(&j, "t", ev.t);
        pb__json_kstr(&j, "type", ev.type);
        pb__json_kstr(&j, "text", ev.text);
        pb__json_key(&j, "attrs");
        pb__json_open(&j, '{');
        for (k = 0; k < ev.nattrs; k++)
            pb__json_kstr(&j, ev.attrs[k].name, ev.attrs[k].value);
        pb__json_close(&j, '}');
        pb__json_kstr(&j, "detected_by", ev.detected_by);
        if (ev.evidence.file != NULL) {
            pb__json_key(&j, "evidence");
            pb__json_open(&j, '{');
            pb__json_kstr(&j, "file", ev.evidence.file);
            pb__json_kint(&j, "line", ev.evidence.line);
            pb__json_kstr(&j, "kind", ev.evidence.kind);
            pb__json_kstr(&j, "match", ev.evidence.match);
            if (ev.evidence.score >= 0)
                pb__json_knum(&j, "score", ev.evidence.score);
            pb__json_close(&j, '}');
        }
        pb__json_close(&j, '}');
    }
    pb__json_close(&j, ']');
}

/* The case as the API shows it, {"id", "case": checklist, "events_from",
 * "events"}, with the events from `from` on, after prefix and before
 * suffix, into r; -1 (r closed) when it cannot. */
static int render_case(reply *r, const char *prefix, const char *id,
                       store_case *sc, size_t from,
                       const char *suffix)
{
    const pb_case *c = store_case_of(sc);

    if (from > pb_case_nevents(c))
        from = pb_case_nevents(c);
    /* the checklist's JSON is one line, ending in a newline */
    fprintf(r->f, "%s{\"id\": \"%s\", \"case\": ", prefix, id);
    if (pb_render_checklist_memo(r->f, c, store_memo(sc)) != PB_OK ||
        fseek(r->f, -1, SEEK_CUR) != 0) {
        fclose(r->f);
        free(r->m.buf);
        return -1;
    }
    fprintf(r->f, ", \"principles\": \"%s\", \"events_from\": %zu, "
            "\"events\": ", pb_engine_version(pb_case_engine(c)), from);
    render_events(r->f, c, from);
    fprintf(r->f, "}%s", suffix);
    return 0;
}

/* The case in a reply, sent once what it shows is durable. */
static void case_reply(api *a, http_reply *out, int status, const char *id,
                       store_case *sc, size_t from)
{
    reply r;

    if (reply_open(&r, status) == 0 &&
        render_case(&r, "", id, sc, from, "\n") == 0)
        reply_done(&r, out);
    out->hold = store_pending(a->st, sc);
}

/* The answer to a change when the client asked for a minimal one
 * (Prefer: return=minimal, RFC 7240): where its events start in the
 * timeline and how long the timeline is, for a feeder that does not
 * read the checklist (docs/api.md, "Requests"). */
static void recorded_reply(api *a, http_reply *out, const char *id,
                           const store_case *sc, size_t from)
{
    /* Sent for every event a feeder posts: 90 bytes need one snprintf
     * into a buffer of their size, not a stream.  An id is a bounded
     * word (store_id_ok). */
    size_t size = strlen(id) + 80;
    char *body = malloc(size);
    int n;

    if (body == NULL)
        return;
    n = snprintf(body, size, "{\"id\": \"%s\", \"events_from\": %zu, "
                 "\"nevents\": %zu}\n", id, from,
                 pb_case_nevents(store_case_of(sc)));
    out->status = 200;
    out->body = body;
    out->len = (size_t)n;
    out->applied = "return=minimal";
    out->hold = store_pending(a->st, sc);
}

/* Live updates: each follower of case id gets the case as it now is,
 * with the events it has not been sent, as one Server-Sent Event.  A
 * case read again after a failed write may have fewer events than its
 * followers were sent: they get the whole timeline again. */
static void tell_followers(api *a, const char *id, store_case *sc)
{
    size_t from = follow_told(a->fol, id),
           n = pb_case_nevents(store_case_of(sc));
    reply r;

    if (from != FOLLOW_NONE && from > n)
        from = 0;
    if (from == FOLLOW_NONE || from == n || reply_open(&r, 200) != 0 ||
        render_case(&r, "event: case\ndata: ", id, sc, from, "\n\n") != 0)
        return;
    if (fclose(r.f) == 0)
        follow_send(a->fol, id, r.m.buf, r.m.len, n,
                    store_pending(a->st, sc));
    free(r.m.buf);
}

/*
 * Where a body json-c has parsed holds a \u escape it took silently:
 * \u0000, which cuts the string it is in short where we read it as C
 * text, or half a surrogate pair, which json-c makes U+FFFD; -1 when
 * none.  Outside strings the parser refuses a backslash, so each one
 * starts an escape.
 */
static long bad_escape(const char *body, size_t len)
{
    size_t i;
    int low_due = 0;    /* the last escape was a high surrogate */

    for (i = 0; i < len; i++) {
        unsigned long u;
        char hex[5];
        int low;

        if (body[i] != '\\' || i + 5 >= len || body[i + 1] != 'u') {
            if (low_due)
                return (long)i;
            i += body[i] == '\\';     /* the escaped character */
            continue;
        }
        memcpy(hex, body + i + 2, 4);
        hex[4] = '\0';
        u = strtoul(hex, NULL, 16);
        low = u >= 0xDC00 && u <= 0xDFFF;
        if (u == 0 || low != low_due)
            return (long)i;
        low_due = u >= 0xD800 && u <= 0xDBFF;
        i += 5;
    }
    return low_due ? (long)len : -1;
}

/* Parsing: one JSON object, strictly, within the depth limit. */
static json_object *parse_object(const http_request *rq, http_reply *out)
{
    struct json_tokener *tok = json_tokener_new_ex(JSON_DEPTH);
    json_object *o;
    enum json_tokener_error e;
    long bad;

    if (tok == NULL)
        return NULL;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
                                JSON_TOKENER_VALIDATE_UTF8);
    o = json_tokener_parse_ex(tok, rq->body, (int)rq->len);
    e = json_tokener_get_error(tok);
    if (e == json_tokener_continue) {
        fail(out, 400, NULL, "malformed JSON: the body ends too early");
    } else if (e != json_tokener_success) {
        fail(out, 400, NULL, "malformed JSON at byte %zu: %s",
             json_tokener_get_parse_end(tok), json_tokener_error_desc(e));
    } else if (json_tokener_get_parse_end(tok) != rq->len) {
        fail(out, 400, NULL, "malformed JSON at byte %zu: more after the "
             "value", json_tokener_get_parse_end(tok));
    } else if (!json_object_is_type(o, json_type_object)) {
        fail(out, 400, NULL, "the body must be a JSON object");
    } else if ((bad = bad_escape(rq->body, rq->len)) >= 0) {
        fail(out, 400, NULL, "malformed JSON at byte %ld: \\u0000 or half "
             "a surrogate pair, which no field may hold", bad);
    } else {
        json_tokener_free(tok);
        return o;
    }
    json_object_put(o);
    json_tokener_free(tok);
    return NULL;
}

/* The name of field key of the object at `at` ("" for the body,
 * "events[2]." for one of a batch), as a 400 names it. */
static const char *field(char *buf, size_t size, const char *at,
                         const char *key)
{
    snprintf(buf, size, "%s%.64s", at, key);
    return buf;
}

/* Every key of o is one of known (NULL-terminated); else a 400 naming
 * the first that is not. */
static int known_fields(json_object *o, const char *at,
                        const char *const *known, http_reply *out)
{
    struct json_object_iter it;
    char f[96];
    size_t k;

    json_object_object_foreachC(o, it) {
        for (k = 0; known[k] != NULL; k++)
            if (strcmp(it.key, known[k]) == 0)
                break;
        if (known[k] == NULL) {
            fail(out, 400, field(f, sizeof f, at, it.key), "unknown field "
                 "'%s'", f);
            return -1;
        }
    }
    return 0;
}

/* The string at key, or NULL when absent; -1 (and a 400) when it is
 * there but not a string, or a required one is missing. */
static int get_string(json_object *o, const char *at, const char *key,
                      int required, const char **val, http_reply *out)
{
    json_object *v;
    char f[96];

    *val = NULL;
    if (!json_object_object_get_ex(o, key, &v) ||
        json_object_is_type(v, json_type_null)) {
        if (!required)
            return 0;
        fail(out, 400, field(f, sizeof f, at, key), "'%s' is required", f);
        return -1;
    }
    if (!json_object_is_type(v, json_type_string)) {
        fail(out, 400, field(f, sizeof f, at, key), "'%s' must be a string",
             f);
        return -1;
    }
    *val = json_object_get_string(v);
    return 0;
}

/* An object of strings at key into attrs (names and values point into
 * o): its count, or -1 with a 400 naming the field. */
static long get_pairs(json_object *o, const char *at, const char *key,
                      pb_attr *attrs, size_t max, http_reply *out)
{
    struct json_object_iter it;
    json_object *v;
    char f[96];
    size_t n = 0;

    if (!json_object_object_get_ex(o, key, &v) ||
        json_object_is_type(v, json_type_null))
        return 0;
    field(f, sizeof f, at, key);
    if (!json_object_is_type(v, json_type_object)) {
        fail(out, 400, f, "'%s' must be an object of strings", f);
        return -1;
    }
    json_object_object_foreachC(v, it) {
        if (!json_object_is_type(it.val, json_type_string)) {
            fail(out, 400, f, "'%s.%.64s' must be a string", f, it.key);
            return -1;
        }
        if (n == max) {
            fail(out, 400, f, "'%s' has more than %zu entries", f, max);
            return -1;
        }
        attrs[n].name = it.key;
        attrs[n++].value = json_object_get_string(it.val);
    }
    return (long)n;
}

/* A fresh case id: 16 hex digits from the system's random source. */
static int new_id(char *buf, size_t size)
{
    unsigned char r[8];
    size_t i;

    if (size < 17 || getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
        return -1;
    for (i = 0; i < sizeof r; i++)
        snprintf(buf + 2 * i, 3, "%02x", r[i]);
    return 0;
}

/* Which of a new case's names cannot be written in its file, or NULL
 * (the store would refuse it, without saying which). */
static const char *bad_header_text(const char *topic, const char *channel,
                                   const char *agent, const char *team)
{
    static const char *const names[] = { "topic", "channel", "agent", "team" };
    const char *v[4];
    size_t i;

    v[0] = topic;
    v[1] = channel;
    v[2] = agent;
    v[3] = team;
    for (i = 0; i < 4; i++)
        if (v[i] != NULL && !pb__utf8_xml_text(v[i]))
            return names[i];
    return NULL;
}

/* POST /v1/cases */
static void create_case(api *a, const auth_user *who,
                        const http_request *rq, http_reply *out)
{
    static const char *const known[] = {
        "id", "topic", "channel", "agent", "team", "facts", NULL
    };
    json_object *o = parse_object(rq, out);
    const char *id, *topic, *channel, *agent, *team, *bad;
    pb_attr facts[MAX_FACTS];
    pb_casefile_opts co;
    store_case *sc;
    char fresh[32];
    pb_error err;
    pb_status st;
    long nfacts;
    size_t i;

    if (o == NULL)
        return;
    if (known_fields(o, "", known, out) != 0 ||
        get_string(o, "", "id", 0, &id, out) != 0 ||
        get_string(o, "", "topic", 1, &topic, out) != 0 ||
        get_string(o, "", "channel", 0, &channel, out) != 0 ||
        get_string(o, "", "agent", 0, &agent, out) != 0 ||
        get_string(o, "", "team", 0, &team, out) != 0 ||
        (nfacts = get_pairs(o, "", "facts", facts, MAX_FACTS, out)) < 0)
        goto done;
    if (id != NULL && !store_id_ok(id)) {
        fail(out, 400, "id", "bad id '%.64s' (1 to 64 letters, digits, _ "
             "and -)", id);
        goto done;
    }
    if (*topic == '\0' || (agent && *agent == '\0') ||
        (team && *team == '\0')) {
        const char *f = *topic == '\0' ? "topic"
                        : agent && *agent == '\0' ? "agent" : "team";

        fail(out, 400, f, "'%s' must not be empty", f);
        goto done;
    }
    if ((bad = bad_header_text(topic, channel, agent, team)) != NULL) {
        fail(out, 400, bad, "'%s' holds a character a case file cannot "
             "(a control character, or U+FFFE or U+FFFF)", bad);
        goto done;
    }
    /* Before the store, to name the fact; the store checks again. */
    for (i = 0; i < (size_t)nfacts; i++)
        if (pb_fact_check_initial(facts[i].name, facts[i].value,
                                  (double)time(NULL), &err) != PB_OK) {
            char f[96];

            snprintf(f, sizeof f, "facts.%.64s", facts[i].name);
            fail(out, 400, f, "%s", err.message);
            goto done;
        }
    /* An agent's cases are their own. */
    if (who != NULL && who->role == AUTH_AGENT) {
        if (agent != NULL && strcmp(agent, who->name) != 0) {
            fail(out, 403, "agent", "an agent creates cases for themselves "
                 "only");
            goto done;
        }
        agent = who->name;
    }
    if (id == NULL) {
        if (new_id(fresh, sizeof fresh) != 0) {
            fail(out, 503, NULL, "no random source");
            goto done;
        }
        id = fresh;
    }
    memset(&co, 0, sizeof co);
    co.topic = topic;
    co.channel = channel;
    co.agent = agent;
    co.team = team;
    co.facts = facts;
    co.nfacts = (size_t)nfacts;
    st = store_create(a->st, id, &co, &sc, &err);
    if (st == PB_STATE)
        fail(out, 409, "id", "%s", err.message);
    else if (st == PB_INPUT)
        fail(out, 400, "facts", "%s", err.message);
    else if (st != PB_OK)
        fail_ours(a, out, &err);
    else
        case_reply(a, out, 201, id, sc, 0);
done:
    json_object_put(o);
}

/* An agent sees the cases they handle; a lead, or anyone when the
 * server has no tokens, sees every case. */
static int may_see(const auth_user *who, const pb_case *c)
{
    const char *agent = pb_case_agent(c);

    return who == NULL || who->role == AUTH_LEAD ||
           (agent != NULL && strcmp(agent, who->name) == 0);
}

/* The case a path names, or NULL with the reply made. */
static store_case *find_case(api *a, const auth_user *who, const char *id,
                              http_reply *out)
{
    store_case *sc;
    pb_error err;
    pb_status st;
    char owner[256];

    if (!store_id_ok(id)) {
        fail(out, 404, NULL, "no case '%.64s'", id);
        return NULL;
    }
    /* Another agent's case is refused without opening it: opened, it
     * let another case go (probes of ids emptied the open cases, each
     * owner's next event then paying to read theirs again). */
    if (who != NULL && who->role != AUTH_LEAD &&
        store_owner(a->st, id, owner, sizeof owner) &&
        strcmp(owner, who->name) != 0) {
        fail(out, 404, NULL, "no case '%s'", id);
        return NULL;
    }
    st = store_get(a->st, id, &sc, &err);
    if (st == PB_OK && !may_see(who, store_case_of(sc))) {
        /* the same answer as for no case: ids are not disclosed */
        fail(out, 404, NULL, "no case '%s'", id);
        return NULL;
    }
    if (st == PB_OK)
        return sc;
    if (st == PB_INPUT)
        fail(out, 404, NULL, "%s", err.message);
    else if (st == PB_STATE)
        fail(out, 409, NULL, "case '%s' is in use by another program", id);
    else
        fail_ours(a, out, &err);
    return NULL;
}

/* One event of a request, pointing into its JSON. */
typedef store_event event_in;

/* The event object o (at "" or "events[i].") into e; -1 after a 400. */
static int read_event(json_object *o, const char *at, event_in *e,
                      http_reply *out)
{
    static const char *const known[] = { "type", "text", "attrs", NULL };
    long n;

    if (!json_object_is_type(o, json_type_object)) {
        char f[32];     /* "events[2]", without the dot of its fields */

        snprintf(f, sizeof f, "%.*s", (int)strcspn(at, "."), at);
        fail(out, 400, f, "'%s' must be an event object", f);
        return -1;
    }
    if (known_fields(o, at, known, out) != 0 ||
        get_string(o, at, "type", 1, &e->type, out) != 0 ||
        get_string(o, at, "text", 0, &e->text, out) != 0 ||
        (n = get_pairs(o, at, "attrs", e->attrs, MAX_ATTRS, out)) < 0)
        return -1;
    e->nattrs = (size_t)n;
    return 0;
}

/* Records events ev[0..n) on case id at one time and replies with the
 * case: every one is checked before any is recorded, so a bad one
 * refuses them all (422 naming it: "event", or "events[i]" in a batch).
 * Only an event that an earlier one made impossible (after a close)
 * stops them half way, with a 409 saying how many were recorded. */
static void record_events(api *a, const http_request *rq, const char *id,
                          store_case *sc, const event_in *ev, size_t n,
                          int batch, http_reply *out)
{
    size_t from = pb_case_nevents(store_case_of(sc)), at;
    pb_status st;
    pb_error err;
    char field_at[32];

    if (pb_case_closed(store_case_of(sc))) {
        fail(out, 409, NULL, "case '%s' is closed: no event can be added",
             id);
        return;
    }
    st = store_record(a->st, sc, ev, n, &at, &err);
    if (st == PB_INPUT) {
        snprintf(field_at, sizeof field_at, batch ? "events[%zu]" : "event",
                 at);
        fail(out, 422, field_at, "%s", err.message);
        return;
    }
    if (st == PB_STATE) {    /* an earlier event of the batch closed it */
        fail(out, 409, NULL, "only %zu of the %zu events were recorded: %s",
             at, n, err.message);
    } else if (st != PB_OK && at > 0) { /* those before are recorded */
        log_ours(a, &err);
        fail(out, 503, NULL, "only %zu of the %zu events were recorded: "
             "the next could not be saved; the server's log says why", at,
             n);
    } else if (st != PB_OK) {    /* none is recorded */
        fail_ours(a, out, &err);
    } else if (http_prefers(rq, "return=minimal")) {
        recorded_reply(a, out, id, sc, from);
    } else {
        case_reply(a, out, 200, id, sc, from);
    }
    if (at > 0) {           /* what is recorded, once durable */
        out->hold = store_pending(a->st, sc);
        if (store_case_of(sc) != NULL) /* else read again at its next use */
            tell_followers(a, id, sc);
    }
}

/* POST /v1/cases/ID/events: one event, or {"events": [...]}, a batch of
 * up to MAX_BATCH. */
static void add_event(api *a, const auth_user *who, const char *id,
                      const http_request *rq, http_reply *out)
{
    static const char *const batch_only[] = { "events", NULL };
    json_object *o, *list = NULL;
    event_in *ev = NULL;
    store_case *sc;
    char at[32] = "";
    size_t n = 1, i;

    if ((sc = find_case(a, who, id, out)) == NULL ||
        (o = parse_object(rq, out)) == NULL)
        return;
    if (json_object_object_get_ex(o, "events", &list)) {
        if (known_fields(o, "", batch_only, out) != 0)
            goto done;
        if (!json_object_is_type(list, json_type_array) ||
            (n = json_object_array_length(list)) == 0 || n > MAX_BATCH) {
            fail(out, 400, "events", "'events' must be a list of 1 to %d "
                 "events", MAX_BATCH);
            goto done;
        }
    }
    if ((ev = calloc(n, sizeof *ev)) == NULL)
        goto done;
    for (i = 0; i < n; i++) {
        if (list != NULL)
            snprintf(at, sizeof at, "events[%zu].", i);
        if (read_event(list != NULL ? json_object_array_get_idx(list, i) : o,
                       at, &ev[i], out) != 0)
            goto done;
    }
    record_events(a, rq, id, sc, ev, n, list != NULL, out);
done:
    free(ev);
    json_object_put(o);
}

/* POST /v1/cases/ID/end, /close, /items/REF/check, /items/REF/skip: an
 * event of the engine's own with an optional text (a skip's reason is
 * required), and ref for the items. */
static void add_own(api *a, const auth_user *who, const char *id,
                    const char *type, const char *ref,
                    const http_request *rq, http_reply *out)
{
    static const char *const text_only[] = { "text", NULL };
    static const char *const reason_only[] = { "reason", NULL };
    int skip = strcmp(type, "item.skipped") == 0;
    const char *text = NULL;
    json_object *o = NULL;
    store_case *sc;
    event_in ev;

    if ((sc = find_case(a, who, id, out)) == NULL)
        return;
    if (ref != NULL &&
        pb_engine_find_item(pb_case_engine(store_case_of(sc)), ref) < 0) {
        fail(out, 404, "ref", "no item '%.128s' (principle.item)", ref);
        return;
    }
    if (rq->len > 0 || skip) {
        if ((o = parse_object(rq, out)) == NULL)
            return;
        if (known_fields(o, "", skip ? reason_only : text_only, out) != 0 ||
            get_string(o, "", skip ? "reason" : "text", skip, &text,
                       out) != 0)
            goto done;
        if (skip && pb__ascii_blank(text)) {
            fail(out, 400, "reason", "a skip needs a reason");
            goto done;
        }
    }
    ev.type = type;
    ev.text = text;
    ev.attrs[0].name = "ref";
    ev.attrs[0].value = ref;
    ev.nattrs = ref != NULL;
    record_events(a, rq, id, sc, &ev, 1, 0, out);
done:
    json_object_put(o);
}

/* Records the undoing of recorded event n (0: the last), or a 422
 * naming fieldname. */
static void undo_event(api *a, const http_request *rq, const char *id,
                       store_case *sc, size_t n, const char *fieldname,
                       http_reply *out)
{
    pb_error err;
    event_in ev;
    pb_undo u;

    if (pb_case_undo_event(store_case_of(sc), n, &u, &err) != PB_OK) {
        fail(out, 422, fieldname, "%s", err.message);
        return;
    }
    ev.type = u.type;
    ev.text = u.text;
    ev.attrs[0] = u.attrs[0];
    ev.nattrs = u.nattrs;
    record_events(a, rq, id, sc, &ev, 1, 0, out);
}

/* POST /v1/cases/ID/undo {"event"?: N}: takes back recorded event N, or
 * the last one (docs/agents.md, undo). */
static void undo(api *a, const auth_user *who, const char *id,
                 const http_request *rq, http_reply *out)
{
    static const char *const known[] = { "event", NULL };
    json_object *o = NULL, *v;
    store_case *sc;
    int64_t n = 0;

    if ((sc = find_case(a, who, id, out)) == NULL)
        return;
    if (rq->len > 0) {
        if ((o = parse_object(rq, out)) == NULL)
            return;
        if (known_fields(o, "", known, out) != 0)
            goto done;
        if (json_object_object_get_ex(o, "event", &v)) {
            /* json-c keeps what is past int64 as its largest: refused,
             * not taken for another number */
            if (!json_object_is_type(v, json_type_int) ||
                (n = json_object_get_int64(v)) < 1 ||
                json_object_get_uint64(v) > INT64_MAX) {
                fail(out, 400, "event", "'event' must be a number from 1 "
                     "(the recorded events, in order)");
                goto done;
            }
        }
    }
    undo_event(a, rq, id, sc, (size_t)n, "event", out);
done:
    json_object_put(o);
}

/* POST /v1/cases/ID/command {"line": "..."}: a line as `playbook live`
 * reads it (docs/agents.md, "The commands"), so the panel's box takes
 * the same commands as the terminal. */
static void command(api *a, const auth_user *who, const char *id,
                    const http_request *rq, http_reply *out)
{
    static const char *const known[] = { "line", NULL };
    json_object *o;
    store_case *sc;
    pb_command *cmd = NULL;
    const char *line;
    pb_error err;
    event_in ev;
    size_t i;

    if ((sc = find_case(a, who, id, out)) == NULL ||
        (o = parse_object(rq, out)) == NULL)
        return;
    if (known_fields(o, "", known, out) != 0 ||
        get_string(o, "", "line", 1, &line, out) != 0)
        goto done;
    if ((cmd = malloc(sizeof *cmd)) == NULL) {
        fail(out, 503, NULL, "out of memory");
        goto done;
    }
    if (pb_command_parse(line, strlen(line), cmd, &err) != PB_OK) {
        fail(out, 422, "line", "%s", err.message);
        goto done;
    }
    switch (cmd->kind) {
    case PB_CMD_EVENT:
    case PB_CMD_CLOSE:
        ev.type = cmd->type;
        ev.text = cmd->text;
        for (i = 0; i < cmd->nattrs; i++)
            ev.attrs[i] = cmd->attrs[i];
        ev.nattrs = cmd->nattrs;
        record_events(a, rq, id, sc, &ev, 1, 0, out);
        break;
    case PB_CMD_UNDO:
        undo_event(a, rq, id, sc, cmd->ref, "line", out);
        break;
    case PB_CMD_NOTHING:
        fail(out, 422, "line", "nothing to record");
        break;
    default:
        fail(out, 422, "line", "'%s' belongs to the terminal: it records "
             "nothing", cmd->name);
        break;
    }
done:
    free(cmd);
    json_object_put(o);
}

/* POST /v1/replay: a scenario (XML) in, its replay report (JSON) out. */
static void replay(api *a, const http_request *rq, http_reply *out)
{
    pb_scenario *sc = NULL;
    pb_replay *r = NULL;
    char msg[1200];
    pb_error err;
    reply rep;

    if (a->schema == NULL && (a->schema = pb_schema_new(&err)) == NULL) {
        fail_ours(a, out, &err);
        return;
    }
    if (pb_scenario_parse_with(a->schema, "scenario", rq->body, rq->len,
                               &sc, &err) != PB_OK ||
        pb_replay_run(a->e, sc, &r, &err) != PB_OK) {
        if (err.file[0] != '\0')    /* the body's name, never a path */
            snprintf(err.file, sizeof err.file, "scenario");
        fail(out, 422, "scenario", "%s",
             pb_error_text(&err, msg, sizeof msg));
    } else if (reply_open(&rep, 200) == 0) {
        if (pb_render_replays(rep.f, PB_FORMAT_JSON, 0, &r, 1) == PB_OK) {
            reply_done(&rep, out);
        } else {
            fclose(rep.f);
            free(rep.m.buf);
        }
    }
    pb_replay_free(r);
    pb_scenario_free(sc);
}

/* Whether who's requests are charged to their share sh (docs/api.md,
 * "Each agent's share"): an agent's, with tokens and the option. */
static int charged(const share *sh, const auth_user *who)
{
    return sh != NULL && who != NULL && who->role == AUTH_AGENT;
}

/* GET /v1/cases/ID/stream: a stream of the case, now and at each
 * change (docs/api.md, "Live updates"). */
typedef struct follower_ctx {
    api *a;
    char id[80];
    int tokens;             /* the server has tokens: who holds */
    auth_user who;
} follower_ctx;

static void stream_opened(void *ud, http_stream *s)
{
    follower_ctx *fc = ud;
    store_case *sc;
    pb_error err;
    reply r;
    double t0;

    /* Called by the HTTP layer after the request, the lock let go in
     * between: the store's thread (api_changed, PostgreSQL's) may have
     * let the case go meanwhile, so it is asked for again by its id. */
    pthread_mutex_lock(&fc->a->mu);
    t0 = pb__monotonic();
    if (fc->tokens && !auth_has(fc->a->auth, &fc->who)) {
        http_stream_end(s);     /* a reload took the token meanwhile */
    } else if (store_get(fc->a->st, fc->id, &sc, &err) != PB_OK) {
        log_ours(fc->a, &err);
        http_stream_end(s);
    } else if (follow_add(fc->a->fol, fc->id, s,
                          pb_case_nevents(store_case_of(sc)),
                          fc->tokens ? &fc->who : NULL) == 0 &&
               reply_open(&r, 200) == 0) {
        if (render_case(&r, "event: case\ndata: ", fc->id, sc, 0,
                        "\n\n") == 0 && fclose(r.f) == 0)
            http_stream_send(s, r.m.buf, r.m.len,
                             store_pending(fc->a->st, sc));
        free(r.m.buf);
    }
    /* The case's first message is the costly part of opening a stream
     * (a full case: 0.4 s), and its agent's as much as a GET's. */
    if (fc->tokens && charged(fc->a->share, &fc->who)) {
        double t1 = pb__monotonic();

        share_charge(fc->a->share, fc->who.name, t1, t1 - t0);
    }
    pthread_mutex_unlock(&fc->a->mu);
}

static void stream_gone(void *ud, http_stream *s)
{
    follower_ctx *fc = ud;

    pthread_mutex_lock(&fc->a->mu);
    follow_remove(fc->a->fol, s);
    pthread_mutex_unlock(&fc->a->mu);
    free(fc);
}

static void stream(api *a, const auth_user *who, const char *id,
                   http_reply *out)
{
    follower_ctx *fc;

    if (find_case(a, who, id, out) == NULL)
        return;
    if ((fc = calloc(1, sizeof *fc)) == NULL)
        return;
    fc->a = a;
    fc->tokens = who != NULL;
    if (who != NULL)
        fc->who = *who;
    snprintf(fc->id, sizeof fc->id, "%s", id);
    out->status = 200;
    out->opened = stream_opened;
    out->gone = stream_gone;
    out->stream_ud = fc;
}

/* GET /v1/followups: what the cases promised and planned to check,
 * overdue first, then by due time, unreadable due times last, as
 * `playbook followups` lists them. */
static void list_followups(api *a, const auth_user *who,
                           const http_request *rq, http_reply *out)
{
    const char *before = http_query(rq, "before"),
               *agent = http_query(rq, "agent");
    double now = (double)time(NULL), until = -1;
    pb_status st;
    pb_error err;
    reply r;

    if (before != NULL && pb_due_parse(before, now, &until) != PB_OK) {
        fail(out, 400, "before", "cannot read the time '%.80s' (in 2h, "
             "tomorrow 10:00, 2026-12-01T10:00, ...)", before);
        return;
    }
    if (who != NULL && who->role == AUTH_AGENT) {
        if (agent != NULL && strcmp(agent, who->name) != 0) {
            fail(out, 403, "agent", "an agent sees their own follow-ups "
                 "only");
            return;
        }
        agent = who->name;
    }
    if (a->due == NULL)
        a->due = followups_new(a->due_cache, a->due_budget, a->log);
    if (a->due == NULL || reply_open(&r, 200) != 0) {
        fail(out, 503, NULL, "out of memory");
        return;
    }
    st = followups_list(a->due, a->st, pb_engine_version(a->e), agent, until,
                        now, r.f, &err);
    if (st != PB_OK) {
        fclose(r.f);
        free(r.m.buf);
        if (st == PB_NOMEM)
            fail(out, 503, NULL, "out of memory");
        else
            fail_ours(a, out, &err);
        return;
    }
    reply_done(&r, out);
    out->hold = store_pending(a->st, NULL);
}

/* GET /v1/principles */
static void principles(api *a, http_reply *out)
{
    pb_principle_info p;
    pb_item_def d;
    pb__json j;
    reply r;
    size_t i, k;

    if (reply_open(&r, 200) != 0)
        return;
    pb__json_init(&j, r.f);
    pb__json_open(&j, '{');
    pb__json_kstr(&j, "version", pb_engine_version(a->e));
    pb__json_key(&j, "principles");
    pb__json_open(&j, '[');
    for (i = 0; i < pb_engine_nprinciples(a->e); i++) {
        pb_engine_principle(a->e, i, &p);
        pb__json_open(&j, '{');
        pb__json_kstr(&j, "id", p.id);
        pb__json_kstr(&j, "title", p.title);
        pb__json_kstr(&j, "why", p.why);
        pb__json_key(&j, "items");
        pb__json_open(&j, '[');
        for (k = 0; k < p.nitems; k++) {
            pb_engine_item(a->e, p.first_item + k, &d);
            pb__json_open(&j, '{');
            pb__json_kstr(&j, "ref", d.ref);
            pb__json_kstr(&j, "prompt", d.prompt);
            pb__json_kbool(&j, "must", d.must);
            pb__json_kbool(&j, "later", d.later);
            pb__json_close(&j, '}');
        }
        pb__json_close(&j, ']');
        pb__json_close(&j, '}');
    }
    pb__json_close(&j, ']');
    pb__json_close(&j, '}');
    fputc('\n', r.f);
    reply_done(&r, out);
}

/* A state-changing request from a page must come from this server's
 * own pages: a browser says where a request comes from in Origin, and
 * another site's page must not drive cases here. */
static int same_origin(const http_request *rq)
{
    const char *o = rq->origin;

    if (o == NULL)
        return 1;   /* not from a browser page */
    if (strncmp(o, "https://", 8) == 0)   /* through a TLS proxy */
        o += 8;
    else if (strncmp(o, "http://", 7) == 0)
        o += 7;
    else
        return 0;
    return rq->host != NULL && strcmp(o, rq->host) == 0;
}

/*
 * Whether a request's Host names this machine's loopback: localhost,
 * 127.x.x.x or [::1], with any port and nothing else after it.
 * Without tokens the server listens on loopback only, but a page of
 * another site can still reach it through DNS rebinding (its name made
 * to resolve to 127.0.0.1); the browser then sends that name as Host,
 * and as the Origin that passes same_origin.  No Host: not a browser.
 */
/* Whether p ends a Host: nothing, or a port of 1 to 5 digits. */
static int port_end(const char *p)
{
    size_t n = 0;

    if (*p == '\0')
        return 1;
    if (*p++ != ':')
        return 0;
    while (n < 6 && pb__ascii_digit(p[n]))
        n++;
    return n >= 1 && n <= 5 && p[n] == '\0';
}

static int host_local(const char *host)
{
    char name[64];
    const char *end;
    struct in_addr ip;
    size_t n;

    if (host == NULL)
        return 1;
    if (host[0] == '[')
        return strncmp(host, "[::1]", 5) == 0 && port_end(host + 5);
    end = strchr(host, ':');
    n = end != NULL ? (size_t)(end - host) : strlen(host);
    if (n == 0 || n >= sizeof name || !port_end(host + n))
        return 0;
    memcpy(name, host, n);
    name[n] = '\0';
    return strcasecmp(name, "localhost") == 0 ||
           (inet_pton(AF_INET, name, &ip) == 1 &&
            (ntohl(ip.s_addr) >> 24) == 127);
}

/* GET of anything outside /v1/: the panel's built-in files, which hold
 * no case and need no token. */
static void panel(const http_request *rq, http_reply *out)
{
    const char *data;

    if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0) {
        use(out, "GET, HEAD");
    } else if (panel_find(rq->path, &out->type, &data, &out->len) != 0) {
        fail(out, 404, NULL, "no such resource");
    } else {
        out->status = 200;
        out->body = (char *)data;   /* not freed: out->type is set */
    }
}

/* GET /v1/cases/ID?events_from=N: the case with the events from N on
 * (all of them without it). */
static void get_case(api *a, const auth_user *who, const char *id,
                     const http_request *rq, http_reply *out)
{
    const char *s = http_query(rq, "events_from");
    unsigned long long n = 0;
    store_case *sc;
    char *end = NULL;

    errno = 0;
    if (s != NULL && (*s < '0' || *s > '9' ||
                      (n = strtoull(s, &end, 10), *end != '\0') ||
                      errno == ERANGE || n > SIZE_MAX)) {
        fail(out, 400, "events_from", "'events_from' must be a number from "
             "0 (the first event the client lacks)");
        return;
    }
    if ((sc = find_case(a, who, id, out)) != NULL)
        case_reply(a, out, 200, id, sc, (size_t)n);
}

/* The routes under /v1/cases/ID/: what a POST to /v1/cases/ID/rest
 * does, or ACT_NONE; an item's ref into ref. */
enum { ACT_NONE, ACT_EVENTS, ACT_UNDO, ACT_COMMAND, ACT_END, ACT_CLOSE,
       ACT_CHECK, ACT_SKIP };

static int case_action(const char *rest, char *ref, size_t size)
{
    static const char *const plain[] = {
        "events", "undo", "command", "end", "close", NULL
    };
    size_t i, n;

    for (i = 0; plain[i] != NULL; i++)
        if (strcmp(rest, plain[i]) == 0)
            return ACT_EVENTS + (int)i;
    if (strncmp(rest, "items/", 6) != 0 ||
        (n = strcspn(rest + 6, "/")) == 0 || n >= size)
        return ACT_NONE;
    memcpy(ref, rest + 6, n);
    ref[n] = '\0';
    return strcmp(rest + 6 + n, "/check") == 0 ? ACT_CHECK
           : strcmp(rest + 6 + n, "/skip") == 0 ? ACT_SKIP : ACT_NONE;
}

static void case_route(api *a, const auth_user *who, const char *id,
                       int act, const char *ref, const http_request *rq,
                       http_reply *out)
{
    switch (act) {
    case ACT_EVENTS: add_event(a, who, id, rq, out); break;
    case ACT_UNDO: undo(a, who, id, rq, out); break;
    case ACT_COMMAND: command(a, who, id, rq, out); break;
    case ACT_END: add_own(a, who, id, "contact.ended", NULL, rq, out); break;
    case ACT_CLOSE: add_own(a, who, id, "case.closed", NULL, rq, out); break;
    case ACT_CHECK: add_own(a, who, id, "item.checked", ref, rq, out); break;
    default: add_own(a, who, id, "item.skipped", ref, rq, out); break;
    }
}

void api_swap(api *a, pb_engine **e, auth **users)
{
    pb_engine *old_e;
    auth *old_users;

    pthread_mutex_lock(&a->mu);
    old_e = a->e;
    old_users = a->auth;
    a->e = *e;
    a->auth = *users;
    store_set_engine(a->st, *e);
    follow_revoke(a->fol, a->auth);
    pthread_mutex_unlock(&a->mu);
    *e = old_e;
    *users = old_users;
}

int api_uses(api *a, const pb_engine *e)
{
    int used;

    pthread_mutex_lock(&a->mu);
    used = store_uses(a->st, e);
    pthread_mutex_unlock(&a->mu);
    return used;
}

void api_changed(void *ud, const char *id)
{
    api *a = ud;
    store_case *sc;
    pb_error err;

    pthread_mutex_lock(&a->mu);
    if (follow_told(a->fol, id) != FOLLOW_NONE &&
        store_get(a->st, id, &sc, &err) == PB_OK)
        tell_followers(a, id, sc);
    pthread_mutex_unlock(&a->mu);
}

void api_durable(void *ud, unsigned long long upto, int error)
{
    api *a = ud;

    if (error != 0 && a->log != NULL)
        fprintf(a->log, "playbook serve: cannot sync the data folder's file "
                "system: %s; the changes since the last sync are refused, "
                "and so is every request until the server is restarted\n",
                strerror(error));
    http_release(a->srv, upto, error == 0);
}

static void handle(api *a, const http_request *rq, http_reply *out,
                   double now, const auth_user **whop);

/* Every name of a token is counted (http_owner). */
_Static_assert(AUTH_MAX_NAME <= HTTP_MAX_OWNER, "an agent's name fits");

void api_handle(void *ud, const http_request *rq, http_reply *out)
{
    api *a = ud;
    const auth_user *who = NULL;
    unsigned long long added;
    double t0;

    pthread_mutex_lock(&a->mu);
    t0 = a->share != NULL || a->disk != NULL ? pb__monotonic() : 0;
    added = store_added(a->st);
    handle(a, rq, out, t0, &who);
    /* What the request took is charged to the agent who asked, once
     * they are known, refusals included; a 429 is not charged, so it
     * says truly when to come back. */
    if (out->status != 429 && (charged(a->share, who) ||
                               charged(a->disk, who))) {
        double t1 = pb__monotonic();

        if (charged(a->share, who))
            share_charge(a->share, who->name, t1, t1 - t0);
        if (charged(a->disk, who))
            share_charge(a->disk, who->name, t1,
                         (double)(store_added(a->st) - added));
    }
    pthread_mutex_unlock(&a->mu);
}

/* now: when the request started, on pb__monotonic's clock (0 where
 * no shares are kept). */
static void handle(api *a, const http_request *rq, http_reply *out,
                   double now, const auth_user **whop)
{
    const char *p = rq->path, *id;
    const auth_user *who = NULL;
    char idbuf[80], ref[160];
    double wait;
    /* HEAD is GET without the body (libmicrohttpd leaves it out) */
    int get = strcmp(rq->method, "GET") == 0 ||
              strcmp(rq->method, "HEAD") == 0;
    int post = strcmp(rq->method, "POST") == 0, act;
    size_t n;

    if (strncmp(p, "/v1/", 4) != 0) {
        panel(rq, out);
        return;
    }
    if (a->auth == NULL && !host_local(rq->host)) {
        fail(out, 403, "Host", "without tokens this server answers only "
             "to localhost, 127.0.0.1 or [::1]");
        return;
    }
    if (a->auth != NULL &&
        (who = auth_check(a->auth, rq->authorization)) == NULL) {
        fail(out, 401, "Authorization", rq->authorization == NULL
             ? "a bearer token is needed (Authorization: Bearer TOKEN)"
             : "unknown token");
        return;
    }
    *whop = who;
    /* What an agent's clients do not read is counted against their
     * part of --max-unsent; and while all clients together hold more,
     * only those who hold none of it go on. */
    switch (http_owner(rq, who != NULL ? who->name : NULL,
                       who != NULL && who->role == AUTH_AGENT)) {
    case HTTP_PAST_PART:
        out->retry_after = 1;
        fail(out, 429, "Authorization", "agent '%s' has more answers and "
             "live updates waiting to be read than their part of the "
             "server's memory: read them, or close what does not, and "
             "try again", who->name);
        return;
    case HTTP_BUSY:
        out->retry_after = 1;
        fail(out, 503, NULL, HTTP_BUSY_MESSAGE);
        return;
    }
    if (charged(a->share, who) &&
        (wait = share_wait(a->share, who->name, now)) > 0) {
        out->retry_after = (unsigned)wait + 1;
        fail(out, 429, "Authorization", "agent '%s' has used their share "
             "of the server's time: try again in %u s", who->name,
             out->retry_after);
        return;
    }
    /* Only what can add to the data folder waits for its share: a
     * client that reads goes on reading. */
    if (!get && charged(a->disk, who) &&
        (wait = share_wait(a->disk, who->name, now)) > 0) {
        out->retry_after = (unsigned)wait + 1;
        fail(out, 429, "Authorization", "agent '%s' has added their share "
             "of events to the data folder for now: try again in %u s",
             who->name, out->retry_after);
        return;
    }
    if (!get && !same_origin(rq)) {
        fail(out, 403, "Origin", "requests from another site's page are "
             "refused");
        return;
    }
    if (strcmp(p, "/v1/principles") == 0 || strcmp(p, "/v1/followups") == 0) {
        if (!get)
            use(out, "GET, HEAD");
        else if (p[4] == 'p')
            principles(a, out);
        else
            list_followups(a, who, rq, out);
        return;
    }
    if (strcmp(p, "/v1/cases") == 0 || strcmp(p, "/v1/replay") == 0) {
        if (!post)
            use(out, "POST");
        else if (p[4] == 'c')
            create_case(a, who, rq, out);
        else
            replay(a, rq, out);
        return;
    }
    if (strncmp(p, "/v1/cases/", 10) != 0) {
        fail(out, 404, NULL, "no such resource");
        return;
    }
    id = p + 10;
    n = strcspn(id, "/");
    if (n == 0 || n >= sizeof idbuf) {
        fail(out, 404, NULL, "no such resource");
        return;
    }
    memcpy(idbuf, id, n);
    idbuf[n] = '\0';
    if (id[n] == '\0') {
        if (!get)
            use(out, "GET, HEAD");
        else
            get_case(a, who, idbuf, rq, out);
    } else if (strcmp(id + n, "/stream") == 0) {
        if (strcmp(rq->method, "GET") != 0)   /* no HEAD: it stays open */
            use(out, "GET");
        else
            stream(a, who, idbuf, out);
    } else if ((act = case_action(id + n + 1, ref, sizeof ref)) == ACT_NONE) {
        fail(out, 404, NULL, "no such resource");
    } else if (!post) {
        use(out, "POST");
    } else {
        case_route(a, who, idbuf, act, ref, rq, out);
    }
}
