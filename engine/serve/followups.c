/*
 * followups.c -- GET /v1/followups over every case, with what was found
 * in the cases not open kept by stamp (followups.h), and in a cache
 * file across restarts.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "clock.h"
#include "error.h"
#include "file.h"
#include "followups.h"
#include "index.h"
#include "jsonw.h"
#include "membuf.h"
#include "sha256.h"

/* A follow-up with its own copies of the case's strings. */
typedef struct item {
    pb_followup f;  /* due_text and outcome point at the copies below */
    char *due_text, *outcome, *text;
} item;

/* What one case holds: every follow-up, whatever the request asks. */
typedef struct entry {
    char *id, *agent;
    item *v;
    size_t n;
    store_stamp stamp;
    unsigned long round; /* the last listing that found it unchanged */
    int stale;           /* found with principles reloaded since */
    int unreadable;      /* it could not be read (the log says why) */
} entry;

/* The cache file: each write is the whole of it, a few hundred bytes a
 * case, so at most once a minute.  It is read whole at the first
 * listing, on the serving thread (about 25 ms a MB), so one larger than
 * CACHE_MAX (some 200,000 cases) is neither read nor written: the cases
 * are then read over the listings' budgets, as without one (1 GiB took
 * 23 s and as much memory).  Its first line says what it is
 * (CACHE_FORMAT, the program's and the principles' versions) and how
 * many cases follow, a line each (stale: found with principles before
 * those); its last is the SHA-256 of all before it, so a file damaged
 * or cut short is not used. */
#define CACHE_EVERY 60.0
#define CACHE_MAX (64L << 20)
#define CACHE_FORMAT 2

struct followups {
    entry **v;        /* of cases not open, as their stamps say */
    size_t n, cap;
    pb__index ix;     /* v by id */
    char principles[64]; /* the version they were read with */
    double budget;    /* seconds a listing may spend reading cases */
    unsigned long round;
    char *cache;      /* the cache file, or NULL */
    FILE *log;
    int loaded;       /* the cache file was looked at */
    int behind;       /* it lacks what is kept */
    double saved;     /* when it was last written; 0: not yet */
    entry **held;     /* of cases open as the server stops (followups_hold) */
    size_t nheld, heldcap;
};

/* One line of the answer. */
typedef struct line {
    const entry *e;
    item *it;       /* its overdue set as of the listing's now */
} line;

/* A listing in progress. */
typedef struct listing {
    followups *fu;
    const char *agent;
    double before, now;
    line *lines;
    size_t nlines, cap;
    entry **unkept;       /* of cases open or without a stamp: made for
                           * this listing alone */
    size_t nunkept, ucap;
    size_t unreadable;
    size_t nread;          /* cases read */
    size_t nlooked;        /* cases not open looked at (their stamps) */
    size_t pending, stale; /* left for later listings, over budget */
    double until;          /* the budget's end, by the monotonic clock */
    int oom;
} listing;

static const char *entry_key(const void *v, size_t i)
{
    return ((entry *const *)v)[i]->id;
}

followups *followups_new(const char *cache, double budget, FILE *log)
{
    followups *fu = calloc(1, sizeof *fu);

    if (fu != NULL && cache != NULL && (fu->cache = strdup(cache)) == NULL) {
        free(fu);
        return NULL;
    }
    if (fu != NULL) {
        fu->budget = budget;
        fu->log = log;
    }
    return fu;
}

/* fmt, with the strings a and b, to the log. */
static void say(const followups *fu, const char *fmt, const char *a,
                const char *b)
{
    if (fu->log != NULL) {
        fprintf(fu->log, "playbook serve: follow-ups: ");
        fprintf(fu->log, fmt, a, b);
        fputc('\n', fu->log);
    }
}

static void entry_free(entry *e)
{
    size_t i;

    if (e == NULL)
        return;
    for (i = 0; i < e->n; i++) {
        free(e->v[i].due_text);
        free(e->v[i].outcome);
        free(e->v[i].text);
    }
    free(e->v);
    free(e->id);
    free(e->agent);
    free(e);
}

/* Forgets every case. */
static void forget(followups *fu)
{
    fu->behind |= fu->n > 0;
    while (fu->n > 0)
        entry_free(fu->v[--fu->n]);
    pb__index_clear(&fu->ix);
}

static void save(followups *fu);

void followups_free(followups *fu)
{
    if (fu == NULL)
        return;
    if (fu->cache != NULL && fu->behind)
        save(fu);
    forget(fu);
    while (fu->nheld > 0)
        entry_free(fu->held[--fu->nheld]);
    free(fu->held);
    free(fu->v);
    pb__index_free(&fu->ix);
    free(fu->cache);
    free(fu);
}

static char *dup_or_null(const char *s, int *oom)
{
    char *d = s != NULL ? strdup(s) : NULL;

    *oom |= s != NULL && d == NULL;
    return d;
}

/* Every follow-up of case id, c, with copies of its strings: NULL when
 * out of memory. */
static entry *entry_of(const char *id, const pb_case *c, double now)
{
    entry *e = calloc(1, sizeof *e);
    pb_followup *f = NULL;
    pb_event_info ev;
    size_t i, n = 0;
    int oom = e == NULL;

    if (!oom && (pb_case_followups(c, now, &f, &n, NULL) != PB_OK ||
                 (n > 0 && (e->v = calloc(n, sizeof *e->v)) == NULL)))
        oom = 1;
    if (!oom) {
        e->id = dup_or_null(id, &oom);
        e->agent = dup_or_null(pb_case_agent(c), &oom);
        for (i = 0; i < n; i++, e->n++) {
            item *it = &e->v[i];

            pb_case_event(c, f[i].event, &ev);
            it->f = f[i];
            it->f.due_text = it->due_text = dup_or_null(f[i].due_text, &oom);
            it->f.outcome = it->outcome = dup_or_null(f[i].outcome, &oom);
            it->text = dup_or_null(ev.text, &oom);
        }
    }
    free(f);
    if (oom) {
        entry_free(e);
        return NULL;
    }
    return e;
}

/* e's follow-ups that the listing asks for, as lines. */
static void add_lines(listing *l, entry *e)
{
    size_t i;

    if (l->agent != NULL && (e->agent == NULL ||
                             strcmp(e->agent, l->agent) != 0))
        return;
    for (i = 0; i < e->n && !l->oom; i++) {
        if (!pb_followup_listed(&e->v[i].f, l->before))
            continue;
        if (l->nlines == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 32;
            line *v = realloc(l->lines, cap * sizeof *v);

            if (v == NULL) {
                l->oom = 1;
                return;
            }
            l->lines = v;
            l->cap = cap;
        }
        l->lines[l->nlines].e = e;
        l->lines[l->nlines++].it = &e->v[i];
    }
}

/* e, found unchanged in this listing: its lines, or its count. */
static void use(listing *l, entry *e)
{
    e->round = l->fu->round;
    if (e->unreadable)
        l->unreadable++;
    else
        add_lines(l, e);
}

/* A case left for the next listings, its budget spent: listed as it
 * was found before (stale), or not at all (pending). */
static int left(listing *l, entry *e)
{
    if (e == NULL) {
        l->pending++;
        return 1;
    }
    l->stale++;
    use(l, e);
    return 1;
}

/* store_known: with stamp NULL, whether to do without looking at a case
 * not open: once the budget is spent (the files of 100,000 cases took
 * 0.35 s to look at), and this listing looked at one at least.  With
 * its stamp: a case unchanged since it was last read; or, the budget
 * spent, one left for the next listings.  Each listing reads one case
 * at least, so that listings get on. */
static int known(void *ud, const char *id, const store_stamp *stamp)
{
    listing *l = ud;
    long k;
    entry *e;

    if (stamp == NULL && (l->nlooked == 0 || pb__monotonic() < l->until))
        return 0;   /* (asked of every case: no look-up until needed) */
    k = pb__index_find(&l->fu->ix, id, entry_key, l->fu->v);
    e = k >= 0 ? l->fu->v[k] : NULL;
    if (stamp == NULL)
        return left(l, e);
    l->nlooked++;
    if (e != NULL && memcmp(&e->stamp, stamp, sizeof *stamp) != 0)
        e = NULL;
    if (e != NULL && !e->stale) {
        use(l, e);
        return 1;
    }
    if (l->nread == 0 || pb__monotonic() < l->until)
        return 0;
    return left(l, e);
}

/* Keeps e, in the place of what was kept of its case: 0, or -1. */
static int keep(followups *fu, entry *e)
{
    long k = pb__index_find(&fu->ix, e->id, entry_key, fu->v);

    fu->behind = 1;
    if (k >= 0) {
        entry_free(fu->v[k]);
        fu->v[k] = e;
        return 0;
    }
    if (fu->n == fu->cap) {
        size_t cap = fu->cap ? fu->cap * 2 : 64;
        entry **v = realloc(fu->v, cap * sizeof *v);

        if (v == NULL)
            return -1;
        fu->v = v;
        fu->cap = cap;
    }
    if (pb__index_reserve(&fu->ix, fu->n + 1, entry_key, fu->v) != 0)
        return -1;
    fu->v[fu->n] = e;
    pb__index_add(&fu->ix, fu->n, entry_key, fu->v);
    fu->n++;
    return 0;
}

/* store_fn: an open case, or one read. */
static int found(void *ud, const char *id, const pb_case *c,
                 const store_stamp *stamp, const pb_error *why)
{
    listing *l = ud;
    entry *e, **v;
    const char *agent;

    /* An open case is made into an entry for this listing alone: one
     * of another agent's adds nothing to it (an agent's 110,000
     * follow-ups were copied at every other agent's listing). */
    if (c != NULL && stamp == NULL && l->agent != NULL &&
        ((agent = pb_case_agent(c)) == NULL || strcmp(agent, l->agent) != 0))
        return 0;
    if (c == NULL) {    /* counted in the answer, named in the log */
        char msg[1200];

        l->unreadable++;
        say(l->fu, "case '%s' left out: %s", id,
            pb_error_text(why, msg, sizeof msg));
        if (stamp == NULL)
            return 0;
        /* not read again, nor said again, until it changes */
        if ((e = calloc(1, sizeof *e)) == NULL ||
            (e->id = strdup(id)) == NULL) {
            entry_free(e);
            l->oom = 1;
            return 1;
        }
        e->unreadable = 1;
    } else if ((e = entry_of(id, c, l->now)) == NULL) {
        l->oom = 1;
        return 1;
    }
    if (stamp != NULL) {
        l->nread++;
        e->stamp = *stamp;
        e->round = l->fu->round;
        if (keep(l->fu, e) != 0) {
            entry_free(e);
            l->oom = 1;
            return 1;
        }
    } else {
        if (l->nunkept == l->ucap) {
            size_t cap = l->ucap ? l->ucap * 2 : 64;

            if ((v = realloc(l->unkept, cap * sizeof *v)) == NULL) {
                entry_free(e);
                l->oom = 1;
                return 1;
            }
            l->unkept = v;
            l->ucap = cap;
        }
        l->unkept[l->nunkept++] = e;
    }
    if (!e->unreadable)
        add_lines(l, e);
    return l->oom;
}

/* What was kept of cases not seen unchanged in this listing goes: they
 * are open now, or gone. */
static void sweep(followups *fu)
{
    size_t i, n = fu->n;

    fu->n = 0;
    for (i = 0; i < n; i++) {
        if (fu->v[i]->round == fu->round) {
            fu->v[fu->n++] = fu->v[i];
        } else {
            entry_free(fu->v[i]);
            fu->behind = 1;
        }
    }
    if (fu->n == n)
        return;     /* all kept, each in its place: the index holds */
    pb__index_clear(&fu->ix);
    for (i = 0; i < fu->n; i++)
        pb__index_add(&fu->ix, i, entry_key, fu->v);
}

/* Overdue first, then by due time, unreadable due times last; then by
 * case, then by place in the case's timeline. */
static int line_order(const void *a, const void *b)
{
    const line *x = a, *y = b;
    int d = pb_followup_order(&x->it->f, &y->it->f);

    if (d == 0)
        d = strcmp(x->e->id, y->e->id);
    if (d == 0)
        d = (x->it->f.event > y->it->f.event) -
            (x->it->f.event < y->it->f.event);
    return d;
}

static void write_json(const listing *l, FILE *out)
{
    pb__json j;
    size_t i;

    pb__json_init(&j, out);
    pb__json_open(&j, '{');
    pb__json_key(&j, "followups");
    pb__json_open(&j, '[');
    for (i = 0; i < l->nlines; i++) {
        const entry *e = l->lines[i].e;
        const pb_followup *f = &l->lines[i].it->f;

        pb__json_open(&j, '{');
        pb__json_kstr(&j, "case", e->id);
        pb__json_kstr(&j, "agent", e->agent);
        pb__json_kstr(&j, "kind", f->kind == PB_FOLLOWUP_CHECK
                                      ? "followup" : "commitment");
        pb__json_kstr(&j, "due", f->due_text);
        pb__json_key(&j, "due_at");
        if (f->parsed)
            pb__json_num(&j, f->due);
        else
            pb__json_str(&j, NULL);
        pb__json_kbool(&j, "overdue", f->overdue);
        pb__json_kbool(&j, "done", f->done);
        pb__json_kstr(&j, "outcome", f->outcome);
        pb__json_kstr(&j, "text", l->lines[i].it->text);
        pb__json_close(&j, '}');
    }
    pb__json_close(&j, ']');
    pb__json_kint(&j, "unreadable", (long)l->unreadable);
    pb__json_kint(&j, "pending", (long)l->pending);
    pb__json_kint(&j, "stale", (long)l->stale);
    pb__json_close(&j, '}');
    fputc('\n', out);
}

/* --- the cache file ------------------------------------------------------ */

static void write_entry(FILE *f, const entry *e)
{
    char num[32];
    pb__json j;
    size_t i;

    pb__json_init(&j, f);
    pb__json_open(&j, '{');
    pb__json_kstr(&j, "case", e->id);
    pb__json_kstr(&j, "agent", e->agent);
    pb__json_kbool(&j, "stale", e->stale);
    pb__json_key(&j, "stamp");
    pb__json_open(&j, '[');
    for (i = 0; i < sizeof e->stamp.v / sizeof e->stamp.v[0]; i++) {
        snprintf(num, sizeof num, "%llu", e->stamp.v[i]);
        pb__json_str(&j, num);
    }
    pb__json_close(&j, ']');
    pb__json_key(&j, "items");
    pb__json_open(&j, '[');
    for (i = 0; i < e->n; i++) {
        const pb_followup *x = &e->v[i].f;

        pb__json_open(&j, '{');
        pb__json_kbool(&j, "check", x->kind == PB_FOLLOWUP_CHECK);
        pb__json_kint(&j, "event", (long)x->event);
        pb__json_kstr(&j, "due", x->due_text);
        pb__json_kbool(&j, "parsed", x->parsed);
        snprintf(num, sizeof num, "%.17g", x->due); /* exactly, back */
        pb__json_kstr(&j, "due_at", num);
        pb__json_kbool(&j, "done", x->done);
        pb__json_kstr(&j, "outcome", x->outcome);
        pb__json_kstr(&j, "text", e->v[i].text);
        pb__json_close(&j, '}');
    }
    pb__json_close(&j, ']');
    pb__json_close(&j, '}');
    fputc('\n', f);
}

/* What is kept, as the cache file: made in memory, its hash after it,
 * then written aside and put in its place, so a reader finds the old
 * file or the new one, whole. */
static void save(followups *fu)
{
    char hex[PB__SHA256_HEX], *tmp = NULL;
    size_t n = strlen(fu->cache) + 5, i, cases = 0;
    FILE *f, *out = NULL;
    pb__membuf m;
    pb__json j;
    int ok = 0, fd, made;

    if ((f = pb__membuf_open(&m, 4096)) == NULL) {
        say(fu, "cannot write %s: %s", fu->cache, "out of memory");
        return;
    }
    pb__json_init(&j, f);
    pb__json_open(&j, '{');
    pb__json_kint(&j, "followups_cache", CACHE_FORMAT);
    pb__json_kstr(&j, "playbook", PB_VERSION);
    pb__json_kstr(&j, "principles", fu->principles);
    /* a case that could not be read is tried again after a restart */
    for (i = 0; i < fu->n; i++)
        cases += !fu->v[i]->unreadable;
    pb__json_kint(&j, "cases", (long)cases);
    pb__json_close(&j, '}');
    fputc('\n', f);
    for (i = 0; i < fu->n; i++)
        if (!fu->v[i]->unreadable)
            write_entry(f, fu->v[i]);
    errno = ENOMEM;
    made = fclose(f) == 0;
    if (made && m.len + 80 > CACHE_MAX) {   /* with its hash's line */
        say(fu, "%s not written: %s", fu->cache, "over 64 MiB, more than "
            "is read back (the cases are read over the listings)");
        fu->behind = 0;     /* not said again until something changes */
        free(m.buf);
        return;
    }
    if (made && (tmp = malloc(n)) != NULL) {
        pb__sha256_hex(m.buf, m.len, hex);
        snprintf(tmp, n, "%s.new", fu->cache);
        /* Made afresh: what is there is a crash's leftover, or a link or
         * a FIFO someone left to have us write through it or wait on
         * its open for ever. */
        if (unlink(tmp) == 0 || errno == ENOENT)
            fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
                      O_CLOEXEC, 0644);
        else
            fd = -1;
        if (fd >= 0 && (out = fdopen(fd, "w")) == NULL)
            close(fd);
    }
    if (out != NULL) {
        fwrite(m.buf, 1, m.len, out);
        fprintf(out, "{\"sha256\":\"%s\"}\n", hex);
        ok = !ferror(out);
        if (fclose(out) != 0 || (ok && rename(tmp, fu->cache) != 0))
            ok = 0;
    }
    if (ok) {
        fu->behind = 0;
    } else {
        say(fu, "cannot write %s: %s", fu->cache, strerror(errno));
        if (out != NULL)
            unlink(tmp);
    }
    free(tmp);
    free(m.buf);
}

/* o[key]: a string without NUL bytes, or (nullable) null as NULL. */
static int get_str(json_object *o, const char *key, int nullable,
                   const char **out)
{
    json_object *v;

    if (!json_object_object_get_ex(o, key, &v))
        return -1;
    *out = NULL;
    if (v == NULL)
        return nullable ? 0 : -1;
    if (!json_object_is_type(v, json_type_string))
        return -1;
    *out = json_object_get_string(v);
    return strlen(*out) == (size_t)json_object_get_string_len(v) ? 0 : -1;
}

static int get_bool(json_object *o, const char *key, int *out)
{
    json_object *v;

    if (!json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_boolean))
        return -1;
    *out = json_object_get_boolean(v);
    return 0;
}

static int get_array(json_object *o, const char *key, json_object **out)
{
    return json_object_object_get_ex(o, key, out) &&
                   json_object_is_type(*out, json_type_array)
               ? 0 : -1;
}

/* A whole number in text, as strtoull reads it: digits only. */
static int number(const char *s, unsigned long long *out)
{
    char *end;

    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    *out = strtoull(s, &end, 10);
    return *end == '\0' && errno == 0 ? 0 : -1;
}

static int read_item(json_object *o, item *it)
{
    const char *due, *at, *outcome, *text;
    json_object *v;
    char *end;
    int check;

    if (!json_object_is_type(o, json_type_object) ||
        get_bool(o, "check", &check) != 0 ||
        !json_object_object_get_ex(o, "event", &v) ||
        !json_object_is_type(v, json_type_int) ||
        json_object_get_int64(v) < 0 ||
        get_str(o, "due", 1, &due) != 0 ||
        get_bool(o, "parsed", &it->f.parsed) != 0 ||
        get_str(o, "due_at", 0, &at) != 0 ||
        get_bool(o, "done", &it->f.done) != 0 ||
        get_str(o, "outcome", 1, &outcome) != 0 ||
        get_str(o, "text", 1, &text) != 0)
        return -1;
    it->f.kind = check ? PB_FOLLOWUP_CHECK : PB_FOLLOWUP_COMMITMENT;
    it->f.event = (size_t)json_object_get_int64(v);
    it->f.due = strtod(at, &end);
    if (*at == '\0' || *end != '\0')
        return -1;
    it->f.due_text = it->due_text = due ? strdup(due) : NULL;
    it->f.outcome = it->outcome = outcome ? strdup(outcome) : NULL;
    it->text = text ? strdup(text) : NULL;
    return (due && !it->due_text) || (outcome && !it->outcome) ||
                   (text && !it->text)
               ? -1 : 0;
}

/* One case's line, or NULL when it is not one. */
static entry *read_entry(json_object *o)
{
    entry *e = calloc(1, sizeof *e);
    json_object *stamp, *items;
    const char *id, *agent;
    size_t i, n;

    if (e == NULL || get_str(o, "case", 0, &id) != 0 ||
        get_str(o, "agent", 1, &agent) != 0 ||
        get_bool(o, "stale", &e->stale) != 0 ||
        get_array(o, "stamp", &stamp) != 0 ||
        get_array(o, "items", &items) != 0 ||
        json_object_array_length(stamp) != 8 ||
        (e->id = strdup(id)) == NULL ||
        (agent != NULL && (e->agent = strdup(agent)) == NULL))
        goto bad;
    for (i = 0; i < 8; i++) {
        json_object *s = json_object_array_get_idx(stamp, i);

        if (!json_object_is_type(s, json_type_string) ||
            number(json_object_get_string(s), &e->stamp.v[i]) != 0)
            goto bad;
    }
    n = json_object_array_length(items);
    if (n > 0 && (e->v = calloc(n, sizeof *e->v)) == NULL)
        goto bad;
    for (; e->n < n; e->n++)
        if (read_item(json_object_array_get_idx(items, e->n),
                      &e->v[e->n]) != 0) {
            e->n++; /* what it copied is freed with e */
            goto bad;
        }
    return e;
bad:
    entry_free(e);
    return NULL;
}

/* A line of the file as one JSON object, or NULL. */
static json_object *parse_line(const char *s, size_t len)
{
    struct json_tokener *tok = json_tokener_new_ex(4);
    json_object *o = NULL;

    if (tok == NULL)
        return NULL;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
                                JSON_TOKENER_VALIDATE_UTF8);
    if (len > 0 && len < (size_t)INT32_MAX)
        o = json_tokener_parse_ex(tok, s, (int)len);
    if (o != NULL && (json_tokener_get_error(tok) != json_tokener_success ||
                      json_tokener_get_parse_end(tok) != len ||
                      !json_object_is_type(o, json_type_object))) {
        json_object_put(o);
        o = NULL;
    }
    json_tokener_free(tok);
    return o;
}

/* One line of the cache file, the header (line 0: its principles'
 * version into principles, of fu's size) or a case's: NULL, or why it
 * is not one. */
static const char *read_line(followups *fu, json_object *o, size_t nth,
                             char *principles, size_t *cases)
{
    const char *v;
    json_object *x;
    int64_t k;
    entry *e;

    if (nth > 0) {
        if (nth > *cases)
            return "more cases than it says";
        if ((e = read_entry(o)) == NULL)
            return "not a case";
        if (keep(fu, e) != 0) {
            entry_free(e);
            return "out of memory";
        }
        return NULL;
    }
    if (!json_object_object_get_ex(o, "followups_cache", &x) ||
        !json_object_is_type(x, json_type_int) ||
        json_object_get_int64(x) != CACHE_FORMAT ||
        get_str(o, "playbook", 0, &v) != 0 || strcmp(v, PB_VERSION) != 0)
        return "written by another version";
    if (get_str(o, "principles", 0, &v) != 0 || *v == '\0' ||
        strlen(v) >= sizeof fu->principles)
        return "no principles' version";
    strcpy(principles, v);
    if (!json_object_object_get_ex(o, "cases", &x) ||
        !json_object_is_type(x, json_type_int) ||
        (k = json_object_get_int64(x)) < 0)
        return "no count of cases";
    *cases = (size_t)k;
    return NULL;
}

/* The cache file's cases, when it is whole (its hash says so) and of
 * this program, with the version of the principles they were found
 * with; otherwise nothing, and the log says why. */
static void load(followups *fu)
{
    char hex[PB__SHA256_HEX], sum[96], where[96], *buf = NULL, *p, *nl;
    char principles[sizeof fu->principles] = "";
    const char *why = NULL;
    size_t len = 0, body = 0, nth = 0, cases = 0;
    struct stat sb;
    pb_error err;

    if (stat(fu->cache, &sb) != 0 && errno == ENOENT)
        return;
    if (pb__read_input(fu->cache, 1, CACHE_MAX, &buf, &len, &err) != PB_OK) {
        say(fu, "%s not used (%s)", fu->cache,
            pb_error_text(&err, where, sizeof where));
        return;
    }
    /* the last line is the hash of all before it */
    if (len > 0 && buf[len - 1] == '\n')
        for (body = len - 1; body > 0 && buf[body - 1] != '\n'; body--)
            ;
    pb__sha256_hex(buf, body, hex);
    snprintf(sum, sizeof sum, "{\"sha256\":\"%s\"}\n", hex);
    if (body == 0 || len - body != strlen(sum) ||
        memcmp(buf + body, sum, len - body) != 0)
        why = "no hash, or not its own: damaged or cut short";
    for (p = buf; why == NULL && p < buf + body; p = nl + 1, nth++) {
        json_object *o;

        nl = memchr(p, '\n', (size_t)(buf + body - p));
        if ((o = parse_line(p, (size_t)(nl - p))) == NULL)
            why = "not a line of JSON";
        else
            why = read_line(fu, o, nth, principles, &cases);
        json_object_put(o);
    }
    if (why == NULL && nth != cases + 1)
        why = "fewer cases than it says";
    free(buf);
    if (why != NULL) {
        forget(fu);
        snprintf(where, sizeof where, "line %zu: %s", nth, why);
        say(fu, "%s not used (%s); every case not open is read again",
            fu->cache, nth > 0 ? where : why);
        return;
    }
    strcpy(fu->principles, principles);
    fu->behind = 0;
}

/* The cache read at the first use; what is kept marked stale when the
 * principles are others now (reloaded, or before a restart). */
static void ready(followups *fu, const char *principles)
{
    size_t i;

    if (!fu->loaded && fu->cache != NULL)
        load(fu);
    fu->loaded = 1;
    /* Other principles may find other commitments: each case is read
     * again, as the listings' budgets allow, and until then listed as
     * the principles before found it. */
    if (strcmp(fu->principles, principles) != 0) {
        for (i = 0; i < fu->n; i++)
            fu->v[i]->stale = 1;
        fu->behind |= fu->n > 0;
        snprintf(fu->principles, sizeof fu->principles, "%s", principles);
    }
}

pb_status followups_list(followups *fu, store *st, const char *principles,
                         const char *agent, double before, double now,
                         FILE *out, pb_error *err)
{
    listing l;
    pb_status rc;
    size_t i, k;

    ready(fu, principles);
    fu->round++;
    memset(&l, 0, sizeof l);
    l.fu = fu;
    l.agent = agent;
    l.before = before;
    l.now = now;
    l.until = pb__monotonic() + fu->budget;
    rc = store_each(st, known, found, &l, err);
    if (rc == PB_OK && l.oom)
        rc = pb__error(err, PB_NOMEM, "", 0, "out of memory");
    if (rc == PB_OK) {
        sweep(fu);
        /* overdue as of now: a follow-up kept falls due while it waits */
        for (i = 0; i < l.nlines; i++)
            l.lines[i].it->f.overdue =
                pb_followup_overdue(&l.lines[i].it->f, now);
        if (l.nlines > 0)
            qsort(l.lines, l.nlines, sizeof *l.lines, line_order);
        write_json(&l, out);
        if (fu->cache != NULL && fu->behind &&
            (fu->saved == 0 || now - fu->saved >= CACHE_EVERY)) {
            save(fu);
            fu->saved = now;
        }
    }
    for (k = 0; k < l.nunkept; k++)
        entry_free(l.unkept[k]);
    free(l.unkept);
    free(l.lines);
    return rc;
}

/* store_fn: an open case of the principles kept, its follow-ups held
 * until its files are closed. */
static int hold(void *ud, const char *id, const pb_case *c,
                const store_stamp *stamp, const pb_error *why)
{
    followups *fu = ud;
    entry *e;

    (void)stamp;
    (void)why;
    if (strcmp(pb_engine_version(pb_case_engine(c)), fu->principles) != 0)
        return 0; /* read again, with the principles of then */
    if (fu->nheld == fu->heldcap) {
        size_t cap = fu->heldcap ? fu->heldcap * 2 : 64;
        entry **v = realloc(fu->held, cap * sizeof *v);

        if (v == NULL)
            return 1;
        fu->held = v;
        fu->heldcap = cap;
    }
    if ((e = entry_of(id, c, 0)) == NULL) /* overdue: set when listed */
        return 1;
    fu->held[fu->nheld++] = e;
    return 0;
}

void followups_hold(followups *fu, store *st, const char *principles)
{
    ready(fu, principles);
    store_each_open(st, hold, fu);
}

void followups_held(followups *fu, store *st)
{
    char **ids = malloc((fu->nheld + 1) * sizeof *ids);
    store_stamp *stamps = malloc((fu->nheld + 1) * sizeof *stamps);
    static const store_stamp none;
    size_t i;

    if (ids != NULL && stamps != NULL) {
        for (i = 0; i < fu->nheld; i++)
            ids[i] = fu->held[i]->id;
        if (store_stamps(st, ids, fu->nheld, stamps) == 0)
            for (i = 0; i < fu->nheld; i++) {
                if (memcmp(&stamps[i], &none, sizeof none) == 0)
                    continue;
                fu->held[i]->stamp = stamps[i];
                if (keep(fu, fu->held[i]) == 0)
                    fu->held[i] = NULL;
            }
    }
    while (fu->nheld > 0)
        entry_free(fu->held[--fu->nheld]);
    free(ids);
    free(stamps);
}
