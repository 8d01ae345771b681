/*
 * followups.c -- GET /v1/followups over every case, with what was found
 * in the cases not open kept by stamp (followups.h).
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "followups.h"
#include "index.h"
#include "jsonw.h"

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
} entry;

struct followups {
    entry **v;        /* of cases not open, as their stamps say */
    size_t n, cap;
    pb__index ix;     /* v by id */
    char principles[64]; /* the version they were read with */
    unsigned long round;
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
    FILE *log;
    line *lines;
    size_t nlines, cap;
    entry **unkept;       /* of cases open or without a stamp: made for
                           * this listing alone */
    size_t nunkept, ucap;
    size_t unreadable;
    int oom;
} listing;

static const char *entry_key(const void *v, size_t i)
{
    return ((entry *const *)v)[i]->id;
}

followups *followups_new(void)
{
    return calloc(1, sizeof(followups));
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
    while (fu->n > 0)
        entry_free(fu->v[--fu->n]);
    pb__index_clear(&fu->ix);
}

void followups_free(followups *fu)
{
    if (fu == NULL)
        return;
    forget(fu);
    free(fu->v);
    pb__index_free(&fu->ix);
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

/* store_known: a case not open, unchanged since it was last read. */
static int known(void *ud, const char *id, const store_stamp *stamp)
{
    listing *l = ud;
    long k = pb__index_find(&l->fu->ix, id, entry_key, l->fu->v);
    entry *e;

    if (k < 0)
        return 0;
    e = l->fu->v[k];
    if (memcmp(&e->stamp, stamp, sizeof *stamp) != 0)
        return 0;
    e->round = l->fu->round;
    add_lines(l, e);
    return 1;
}

/* Keeps e, in the place of what was kept of its case: 0, or -1. */
static int keep(followups *fu, entry *e)
{
    long k = pb__index_find(&fu->ix, e->id, entry_key, fu->v);

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

    if (c == NULL) {    /* counted in the answer, named in the log */
        char msg[1200];

        l->unreadable++;
        if (l->log != NULL)
            fprintf(l->log, "playbook serve: follow-ups: case '%s' left "
                    "out: %s\n", id, pb_error_text(why, msg, sizeof msg));
        return 0;
    }
    if ((e = entry_of(id, c, l->now)) == NULL) {
        l->oom = 1;
        return 1;
    }
    if (stamp != NULL) {
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
        if (fu->v[i]->round == fu->round)
            fu->v[fu->n++] = fu->v[i];
        else
            entry_free(fu->v[i]);
    }
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
    pb__json_close(&j, '}');
    fputc('\n', out);
}

pb_status followups_list(followups *fu, store *st, const char *principles,
                         const char *agent, double before, double now,
                         FILE *log, FILE *out, pb_error *err)
{
    listing l;
    pb_status rc;
    size_t i, k;

    /* Other principles may find other commitments: nothing kept holds. */
    if (strcmp(fu->principles, principles) != 0) {
        forget(fu);
        snprintf(fu->principles, sizeof fu->principles, "%s", principles);
    }
    fu->round++;
    memset(&l, 0, sizeof l);
    l.fu = fu;
    l.agent = agent;
    l.before = before;
    l.now = now;
    l.log = log;
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
    }
    for (k = 0; k < l.nunkept; k++)
        entry_free(l.unkept[k]);
    free(l.unkept);
    free(l.lines);
    return rc;
}
