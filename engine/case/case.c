/*
 * case.c -- a case's record: facts, the timeline of events with its
 * per-type index, the marks of what changed since the last evaluation,
 * and the engine's own reading of the few event types it interprets
 * (fact, item.checked, item.skipped, case.closed, contact.ended).
 * Everything else is for the principles.  What runs when an event comes (detectors, the
 * checklist) is append.c's; this file calls none of it.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "case.h"

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void free_attrs(pb_attr *a, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free((char *)a[i].name);
        free((char *)a[i].value);
    }
    free(a);
}

static pb_attr *dup_attrs(const pb_attr *a, size_t n)
{
    pb_attr *d;
    size_t i;

    if (n == 0)
        return NULL;
    d = calloc(n, sizeof *d);
    if (d == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        d[i].name = strdup(a[i].name);
        d[i].value = strdup(a[i].value ? a[i].value : "");
        if (d[i].name == NULL || d[i].value == NULL) {
            free_attrs(d, n);
            return NULL;
        }
    }
    return d;
}

const char *pb_attr_value(const pb_attr *attrs, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(attrs[i].name, name) == 0)
            return attrs[i].value;
    return NULL;
}

static const char *fact_key(const void *v, size_t i)
{
    return ((const pb_attr *)v)[i].name;
}

static void free_facts(pb__facts *f)
{
    size_t i;

    free_attrs(f->v, f->n);
    for (i = 0; i < f->n; i++)
        free(f->set_by[i].ev);
    free(f->set_by);
    pb__index_free(&f->ix);
}

static void itemstate_clear(pb__itemstate *st)
{
    if (st->own_prompt)
        free((char *)st->prompt);
    free(st->error);
    free(st->reason);
    memset(st, 0, sizeof *st);
}

pb_case *pb__case_alloc(pb_engine *e, const char *topic, const char *channel)
{
    pb_case *c = calloc(1, sizeof *c);

    if (c == NULL)
        return NULL;
    c->e = e;
    c->lua_ref = LUA_NOREF;
    c->closed_at = -1;
    c->topic = dup_or_null(topic);
    c->channel = dup_or_null(channel);
    c->items = calloc(e->nitems ? e->nitems : 1, sizeof *c->items);
    c->applies = calloc(e->nprinciples ? e->nprinciples : 1,
                        sizeof *c->applies);
    if ((topic && !c->topic) || (channel && !c->channel) || !c->items ||
        !c->applies) {
        pb__case_release(c);
        return NULL;
    }
    return c;
}

void pb__case_release(pb_case *c)
{
    size_t i;

    for (i = 0; i < c->nevents; i++) {
        free(c->events[i].text);
        free_attrs(c->events[i].attrs, c->events[i].nattrs);
    }
    for (i = 0; c->items && i < c->e->nitems; i++)
        itemstate_clear(&c->items[i]);
    for (i = 0; i < c->nwarnings; i++)
        free(c->warnings[i]);
    free(c->warnings);
    free(c->whys);
    free(c->events);
    free(c->types);
    if (c->more != NULL) {
        for (i = 0; i < c->more->n; i++)
            c->e->type_refs[c->more->v[i].type]--;
        free(c->more->v);
        pb__index_free(&c->more->ix);
        free(c->more);
    }
    free(c->items);
    free(c->applies);
    free_facts(&c->facts);
    free_facts(&c->initial);
    free(c->topic);
    free(c->channel);
    free(c->agent);
    free(c->team);
    free(c);
}

/* What changed, and what a call read (case.h). */

void pb__reads_type(pb__reads *r, int type)
{
    if (r == NULL)
        return;
    if (type >= 0 && type < PB__READ_TYPES)
        r->types[type / 64] |= (uint64_t)1 << (type % 64);
    else
        r->any = 1;
}

void pb__reads_fact(pb__reads *r, const char *name)
{
    if (r != NULL)
        r->facts |= name ? (uint32_t)1 << (pb__hash(name) & 31) : ~0u;
}

void pb__reads_any(pb__reads *r)
{
    if (r != NULL)
        r->any = 1;
}

/* Facts. */

/* Sets a fact; ev is the event that set it, or PB__NONE before any.
 * On PB_NOMEM the facts are as they were. */
static pb_status put_fact(pb__facts *f, const char *name, const char *value,
                          size_t ev)
{
    long i = pb__index_find(&f->ix, name, fact_key, f->v);
    pb__setters *by;
    char *v;

    if (i < 0 && f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 2;
        pb_attr *a = realloc(f->v, cap * sizeof *a);
        pb__setters *s;

        if (a == NULL)
            return PB_NOMEM;
        f->v = a;
        if ((s = realloc(f->set_by, cap * sizeof *s)) == NULL)
            return PB_NOMEM;
        f->set_by = s;
        f->cap = cap;
    }
    by = &f->set_by[i < 0 ? f->n : (size_t)i];
    if (i < 0)
        memset(by, 0, sizeof *by);
    if (ev != PB__NONE && by->n == by->cap) {
        uint32_t cap = by->cap ? by->cap * 2 : 1;
        uint32_t *e = realloc(by->ev, cap * sizeof *e);

        if (e == NULL)
            return PB_NOMEM;
        by->ev = e;
        by->cap = cap;
    }
    if ((v = strdup(value)) == NULL)
        goto nomem;
    if (i >= 0) {
        free((char *)f->v[i].value);
        f->v[i].value = v;
    } else {
        f->v[f->n].value = v;
        if ((f->v[f->n].name = strdup(name)) == NULL ||
            pb__index_add(&f->ix, f->n, fact_key, f->v) != 0) {
            free((char *)f->v[f->n].name);
            free(v);
            goto nomem;
        }
        f->n++;
    }
    if (ev != PB__NONE)
        by->ev[by->n++] = (uint32_t)ev;
    return PB_OK;
nomem:
    if (i < 0)
        free(by->ev);
    return PB_NOMEM;
}

pb_status pb__case_set_initial(pb_case *c, const char *name,
                               const char *value)
{
    if (put_fact(&c->facts, name, value, PB__NONE) != PB_OK ||
        put_fact(&c->initial, name, value, PB__NONE) != PB_OK)
        return PB_NOMEM;
    pb__reads_fact(&c->changed, name);
    return PB_OK;
}

const char *pb__case_fact(const pb_case *c, const char *name)
{
    long i = pb__index_find(&c->facts.ix, name, fact_key, c->facts.v);

    return i >= 0 ? c->facts.v[i].value : NULL;
}

const char *pb__case_fact_before(const pb_case *c, const char *name,
                                 size_t ev)
{
    long i = pb__index_find(&c->facts.ix, name, fact_key, c->facts.v);

    if (i >= 0) {
        const pb__setters *by = &c->facts.set_by[i];
        size_t lo = 0, hi = by->n;

        while (lo < hi) {           /* the first setter at or after ev */
            size_t mid = lo + (hi - lo) / 2;

            if (by->ev[mid] < ev)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo > 0) {
            const pb__event *x = &c->events[by->ev[lo - 1]];

            return x->text ? x->text : "";
        }
    }
    i = pb__index_find(&c->initial.ix, name, fact_key, c->initial.v);
    return i >= 0 ? c->initial.v[i].value : NULL;
}

/* Timeline. */

/*
 * The type index: by id for the first PB__READ_TYPES types (those the
 * engine interns first: its own and the principles'), found by name for
 * the others, which only events have.  A case's index then grows with
 * its own types, not with every type the engine has seen in all the
 * cases before it.
 */
static const char *more_key(const void *c, size_t i)
{
    const pb_case *k = c;

    return k->e->types[k->more->v[i].type];
}

static pb__typeidx *type_entry(const pb_case *c, int type)
{
    long i;

    if (type < PB__READ_TYPES)
        return (size_t)type < c->ntypes ? &c->types[type] : NULL;
    if (c->more == NULL)
        return NULL;
    i = pb__index_find(&c->more->ix, c->e->types[type], more_key, c);
    return i >= 0 ? &c->more->v[i].ti : NULL;
}

int pb__case_type_held(const pb_case *c, const char *type)
{
    int id = pb__engine_type(c->e, type, 0);

    return id >= 0 && (id < PB__READ_TYPES || type_entry(c, id) != NULL);
}

size_t pb__case_own_types(const pb_case *c)
{
    return c->more != NULL ? c->more->n : 0;
}

int pb__case_type_room(const pb_case *c, const char *type)
{
    return pb__case_type_held(c, type) ||
           pb__case_own_types(c) < PB__CASE_OWN_TYPES;
}

const pb__typeidx *pb__case_type(const pb_case *c, int type)
{
    const pb__typeidx *ti = type >= 0 ? type_entry(c, type) : NULL;

    return ti != NULL && ti->count > 0 ? ti : NULL;
}

/* The entry of type, made (empty) when new; NULL when out of memory. */
static pb__typeidx *add_type(pb_case *c, int type)
{
    pb__typeidx *ti = type_entry(c, type);

    if (ti != NULL)
        return ti;
    if (type < PB__READ_TYPES) {
        size_t n = c->e->ntypes > (size_t)type ? c->e->ntypes
                                                : (size_t)type + 1;
        pb__typeidx *v;

        if (n > PB__READ_TYPES)
            n = PB__READ_TYPES;
        if ((v = realloc(c->types, n * sizeof *v)) == NULL)
            return NULL;
        memset(v + c->ntypes, 0, (n - c->ntypes) * sizeof *v);
        c->types = v;
        c->ntypes = n;
        return &c->types[type];
    }
    if (c->more == NULL && (c->more = calloc(1, sizeof *c->more)) == NULL)
        return NULL;
    if (c->more->n == c->more->cap) {
        size_t cap = c->more->cap ? c->more->cap * 2 : 8;
        pb__moretype *v = realloc(c->more->v, cap * sizeof *v);

        if (v == NULL)
            return NULL;
        c->more->v = v;
        c->more->cap = cap;
    }
    memset(&c->more->v[c->more->n], 0, sizeof *c->more->v);
    c->more->v[c->more->n].type = type;
    if (pb__index_add(&c->more->ix, c->more->n, more_key, c) != 0)
        return NULL;
    c->e->type_refs[type]++;    /* held: its place is not given away */
    return &c->more->v[c->more->n++].ti;
}

static pb_status push_event(pb_case *c, double t, int type, const char *text,
                            const pb_attr *attrs, size_t nattrs, int by)
{
    pb__typeidx *ti;
    pb__event *ev;
    size_t idx = c->nevents;

    if (c->nevents >= PB__NO_EVENT)  /* 160 GB of events: out of memory */
        return PB_NOMEM;
    if (c->nevents == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        pb__event *v = realloc(c->events, cap * sizeof *v);

        if (v == NULL)
            return PB_NOMEM;
        c->events = v;
        c->cap = cap;
    }
    if ((ti = add_type(c, type)) == NULL)
        return PB_NOMEM;
    ev = &c->events[idx];
    ev->t = t;
    ev->type = type;
    ev->detected_by = by;
    ev->text = dup_or_null(text);
    ev->attrs = dup_attrs(attrs, nattrs);
    ev->nattrs = ev->attrs ? nattrs : 0;
    if ((text && !ev->text) || (nattrs && !ev->attrs)) {
        free(ev->text);
        free_attrs(ev->attrs, ev->nattrs);
        return PB_NOMEM;
    }
    ev->next = PB__NO_EVENT;
    ev->prev = ti->count ? ti->last : PB__NO_EVENT;
    ev->recorded = by < 0 ? (uint32_t)++c->nrecorded : 0;
    ev->undone = 0;
    pb__reads_type(&c->changed, type);
    if (ti->count++ == 0)
        ti->first = (uint32_t)idx;
    else
        c->events[ti->last].next = (uint32_t)idx;
    ti->last = (uint32_t)idx;
    c->nevents++;
    return PB_OK;
}

/* What the engine itself does with an event; called once it is stored. */
static pb_status apply(pb_case *c, const pb__event *ev)
{
    const char *ref, *name;
    pb__itemstate *st;
    long i;

    /* the last recorded event says whether a contact just ended */
    if (ev->detected_by < 0)
        c->between = ev->type == PB__T_CONTACT_ENDED;
    switch (ev->type) {
    case PB__T_FACT:
        name = pb_attr_value(ev->attrs, ev->nattrs, "name");
        pb__reads_fact(&c->changed, name);
        return put_fact(&c->facts, name, ev->text ? ev->text : "",
                        (size_t)(ev - c->events));
    case PB__T_CHECKED:
    case PB__T_SKIPPED:
        ref = pb_attr_value(ev->attrs, ev->nattrs, "ref");
        i = pb_engine_find_item(c->e, ref);
        st = &c->items[i];
        free(st->reason);
        st->reason = NULL;
        st->checked = ev->type == PB__T_CHECKED;
        st->skipped = ev->type == PB__T_SKIPPED;
        if (st->skipped && (st->reason = strdup(ev->text)) == NULL)
            return PB_NOMEM;
        if (st->checked && !st->done) {
            st->done = 1;
            st->done_at = ev->t;
            st->done_event = (size_t)(ev - c->events);
        }
        return PB_OK;
    case PB__T_CLOSED:
        c->closed = 1;
        c->closed_at = ev->t;
        return PB_OK;
    default:
        return PB_OK;
    }
}

size_t pb_event_bytes(const char *type, const char *text,
                      const pb_attr *attrs, size_t nattrs)
{
    size_t n = 64 + strlen(type) + (text ? strlen(text) : 0), k;

    for (k = 0; k < nattrs; k++)
        n += 8 + strlen(attrs[k].name) + strlen(attrs[k].value);
    return n;
}

pb_status pb__case_push(pb_case *c, double t, int type, const char *text,
                        const pb_attr *attrs, size_t nattrs, int by)
{
    pb_status st = push_event(c, t, type, text, attrs, nattrs, by);

    if (st == PB_OK)
        st = apply(c, &c->events[c->nevents - 1]);
    return st;
}

pb_status pb__case_add_detected(pb_case *c, int principle, int type,
                                const char *text, const pb_attr *attrs,
                                size_t nattrs, const pb__why *why)
{
    double t = c->events[c->nevents - 1].t;
    /* a detected event's text and attributes are each at most what an
     * utterance may be (the detector's warning, detect.c) */
    size_t attrs_bytes = pb_event_bytes("", NULL, attrs, nattrs) - 64;
    size_t bytes = pb_event_bytes(c->e->types[type], text, NULL, 0);

    if (type == PB__T_CHECKED || type == PB__T_SKIPPED ||
        type == PB__T_CLOSED || type == PB__T_CONTACT_ENDED)
        return PB_INPUT;
    if (type == PB__T_FACT) {
        const char *name = pb_attr_value(attrs, nattrs, "name");

        if (name == NULL || *name == '\0')
            return PB_INPUT;
    }
    if ((text && strlen(text) > PB__MAX_TEXT) ||
        attrs_bytes > PB__MAX_TEXT || nattrs > PB_EVENT_MAX_ATTRS)
        return PB_INPUT;
    bytes += attrs_bytes;
    if (bytes > PB__MAX_DETECTED - c->detected)
        return PB_STATE;
    if (c->nwhys == c->whys_cap) {
        size_t cap = c->whys_cap ? c->whys_cap * 2 : 4;
        pb__why *v = realloc(c->whys, cap * sizeof *v);

        if (v == NULL)
            return PB_NOMEM;
        c->whys = v;
        c->whys_cap = cap;
    }
    if (pb__case_push(c, t, type, text, attrs, nattrs, principle) != PB_OK)
        return PB_NOMEM;
    c->detected += bytes;
    if (why != NULL) {
        c->whys[c->nwhys] = *why;
        c->whys[c->nwhys++].event = (uint32_t)(c->nevents - 1);
    }
    return PB_OK;
}

/* The why of event i, found by halves, or NULL. */
static const pb__why *why_of(const pb_case *c, size_t i)
{
    size_t lo = 0, hi = c->nwhys;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (c->whys[mid].event == i)
            return &c->whys[mid];
        if (c->whys[mid].event < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void evidence(const pb_case *c, const pb__event *ev, size_t i,
                     pb_evidence *out)
{
    static const char *const kinds[] = {
        "function", "pattern", "words", "example"
    };
    const pb__why *w = ev->detected_by >= 0 ? why_of(c, i) : NULL;
    const pb__principle *p;
    const pb__detector *d;

    memset(out, 0, sizeof *out);
    out->score = -1;
    if (w == NULL)
        return;
    p = c->e->principles[ev->detected_by];
    d = &p->detectors[w->detector];
    out->file = p->file;
    out->line = d->line;
    out->kind = kinds[w->kind];
    if (w->kind == PB__WHY_PATTERN)
        out->match = d->patterns[w->which];
    else if (w->kind == PB__WHY_WORDS)
        out->match = pb__phrase_text(d->phrases[w->which]);
    else if (w->kind == PB__WHY_EXAMPLE)
        out->match = d->examples[w->which];
    if (w->kind == PB__WHY_EXAMPLE)
        out->score = w->score;
}

/* A detector that fails, fails at every event, each time in up to 1 KiB
 * of C memory: a case keeps the first MAX_WARNINGS and counts the rest. */
#define MAX_WARNINGS 100
#define DROPPED "later warnings were not kept (a case keeps the first 100)"

pb_status pb__case_warn(pb_case *c, const char *fmt, ...)
{
    char buf[1024], **w;
    va_list ap;

    if (c->nwarnings == MAX_WARNINGS) {
        c->dropped++;
        return PB_OK;
    }
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    w = realloc(c->warnings, (c->nwarnings + 1) * sizeof *w);
    if (w == NULL)
        return PB_NOMEM;
    c->warnings = w;
    if ((w[c->nwarnings] = strdup(buf)) == NULL)
        return PB_NOMEM;
    c->nwarnings++;
    return PB_OK;
}

/* Reading. */

const pb_engine *pb_case_engine(const pb_case *c) { return c->e; }
const char *pb_case_topic(const pb_case *c) { return c->topic; }
const char *pb_case_channel(const pb_case *c) { return c->channel; }
const char *pb_case_agent(const pb_case *c) { return c->agent; }
const char *pb_case_team(const pb_case *c) { return c->team; }
int pb_case_closed(const pb_case *c) { return c->closed; }
int pb_case_settled(const pb_case *c) { return c->settled; }
double pb_case_closed_at(const pb_case *c) { return c->closed_at; }
int pb_case_in_contact(const pb_case *c) { return !c->between; }

const char *pb_case_status(const pb_case *c)
{
    if (c->closed)
        return "closed";
    return c->between ? "between_contacts" : "in_contact";
}
size_t pb_case_nfacts(const pb_case *c) { return c->facts.n; }
size_t pb_case_nevents(const pb_case *c) { return c->nevents; }
size_t pb_case_nwarnings(const pb_case *c)
{
    return c->nwarnings + (c->dropped > 0);
}

void pb_case_fact(const pb_case *c, size_t i, const char **name,
                  const char **value)
{
    *name = c->facts.v[i].name;
    *value = c->facts.v[i].value;
}

void pb_case_event(const pb_case *c, size_t i, pb_event_info *out)
{
    const pb__event *ev = &c->events[i];

    out->t = ev->t;
    out->type = c->e->types[ev->type];
    out->text = ev->text;
    out->attrs = ev->attrs;
    out->nattrs = ev->nattrs;
    out->detected_by = ev->detected_by >= 0
                           ? c->e->principles[ev->detected_by]->id
                           : NULL;
    out->recorded = ev->recorded;
    evidence(c, ev, i, &out->evidence);
}

const char *pb_case_warning(const pb_case *c, size_t i)
{
    if (i < c->nwarnings)
        return c->warnings[i];
    return i == c->nwarnings && c->dropped > 0 ? DROPPED : NULL;
}

/* Case files (casefile.c) write these back as the <case> element. */

size_t pb_case_ninitial(const pb_case *c)
{
    return c->initial.n;
}

void pb_case_initial(const pb_case *c, size_t i, const char **name,
                     const char **value)
{
    *name = c->initial.v[i].name;
    *value = c->initial.v[i].value;
}
