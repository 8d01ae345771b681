/*
 * diff.c -- the same recorded calls under two versions of the
 * principles: which calls change, by how much, and from which event
 * (pb_diff; docs/authoring.md, "Comparing two versions").
 *
 * Each call is replayed under both versions (pb_replay_play) and only
 * what changed is kept, copied, so a diff of a quarter's calls holds the
 * changed calls and not their cases.  Calls are kept in report order,
 * largest change first, as they come.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "playbook.h"
#include "report.h"

typedef struct entry {
    pb_diff_call c;
    pb_diff_item *items;
} entry;

struct pb_diff {
    char *old_name, *new_name;
    entry *calls;                /* the changed ones, largest first */
    size_t n, cap, compared;
};

pb_diff *pb_diff_new(const char *old_name, const char *new_name)
{
    pb_diff *d = calloc(1, sizeof *d);

    if (d == NULL)
        return NULL;
    d->old_name = strdup(old_name);
    d->new_name = strdup(new_name);
    if (d->old_name == NULL || d->new_name == NULL) {
        pb_diff_free(d);
        return NULL;
    }
    return d;
}

static void free_call(entry *c)
{
    size_t i;

    for (i = 0; i < c->c.nitems; i++) {
        free((char *)c->items[i].ref);
        free((char *)c->items[i].type);
        free((char *)c->items[i].text);
        free((char *)c->items[i].old_detected);
        free((char *)c->items[i].new_detected);
    }
    free(c->items);
    free((char *)c->c.file);
    free((char *)c->c.title);
}

void pb_diff_free(pb_diff *d)
{
    size_t i;

    if (d == NULL)
        return;
    for (i = 0; i < d->n; i++)
        free_call(&d->calls[i]);
    free(d->calls);
    free(d->old_name);
    free(d->new_name);
    free(d);
}

/* One side of the comparison: a replay, and its case's events by the
 * recorded event they follow. */
typedef struct side {
    const pb_replay *r;
    const pb_case *c;
    const pb_engine *e;
    size_t *ord;        /* case event -> recorded event (0-based) */
    size_t *at;         /* recorded event -> case event */
    size_t nrec;
} side;

static int side_open(side *s, const pb_replay *r)
{
    size_t i, n, k = 0;
    pb_event_info ev;

    s->r = r;
    s->c = pb_replay_case(r);
    s->e = pb_case_engine(s->c);
    n = pb_case_nevents(s->c);
    s->ord = malloc((n + 1) * sizeof *s->ord);
    s->at = malloc((n + 1) * sizeof *s->at);
    if (s->ord == NULL || s->at == NULL)
        return -1;
    for (i = 0; i < n; i++) {
        pb_case_event(s->c, i, &ev);
        if (ev.detected_by == NULL)
            s->at[k++] = i;
        s->ord[i] = k ? k - 1 : 0;
    }
    s->nrec = k;
    return 0;
}

static void side_close(side *s)
{
    free(s->ord);
    free(s->at);
}

/* The state of ref at the end, and item index (-1: no such item). */
static pb_state final_state(const side *s, const char *ref, long *item)
{
    pb_item_info it;

    *item = pb_engine_find_item(s->e, ref);
    if (*item < 0)
        return PB_ABSENT;
    pb_case_item(s->c, (size_t)*item, &it);
    return it.state;
}

/* The k-th change of item (or SIZE_MAX past the last), from change
 * index *pos on; *pos moves past it. */
static int next_change(const side *s, long item, size_t *pos,
                       size_t *ord, pb_state *to)
{
    size_t n = pb_replay_nchanges(s->r);

    if (item < 0)
        return 0;
    for (; *pos < n; (*pos)++) {
        const pb_change *ch = pb_replay_change(s->r, *pos);

        if (ch->item == (size_t)item) {
            *ord = s->ord[ch->event];
            *to = ch->to;
            (*pos)++;
            return 1;
        }
    }
    return 0;
}

/* The recorded event from which the item's states under a and b part:
 * the first place where their changes differ; -1 when they never do. */
static long parting(const side *a, long ia, const side *b, long ib)
{
    size_t pa = 0, pb = 0, oa = 0, ob = 0;
    pb_state ta = PB_ABSENT, tb = PB_ABSENT;

    for (;;) {
        int ha = next_change(a, ia, &pa, &oa, &ta);
        int hb = next_change(b, ib, &pb, &ob, &tb);

        if (!ha && !hb)
            return -1;
        if (ha != hb)
            return (long)(ha ? oa : ob);
        if (oa != ob || ta != tb)
            return (long)(oa < ob ? oa : ob);
    }
}

/* What the detectors of side s added after recorded event k: "type
 * [evidence]; ...", or "" when nothing; NULL when out of memory. */
static char *detected_after(const side *s, size_t k)
{
    size_t i, n = pb_case_nevents(s->c), len = 0;
    char *out = strdup(""), why[256], one[400];

    if (k >= s->nrec)
        return out;
    for (i = s->at[k] + 1; out && i < n; i++) {
        pb_event_info ev;
        char *grown;
        size_t m;

        pb_case_event(s->c, i, &ev);
        if (ev.detected_by == NULL)
            break;
        pb__evidence_text(&ev.evidence, why, sizeof why);
        m = (size_t)snprintf(one, sizeof one, "%s%s%s%s%s", len ? "; " : "",
                             ev.type, *why ? " [" : "", why, *why ? "]" : "");
        if (m >= sizeof one)
            m = sizeof one - 1;
        if ((grown = realloc(out, len + m + 1)) == NULL) {
            free(out);
            return NULL;
        }
        out = grown;
        memcpy(out + len, one, m + 1);
        len += m;
    }
    return out;
}

/* Larger change first: the score's, then how many items, then file. */
static int before(const entry *x, const entry *y)
{
    double dx = fabs(x->c.new_score - x->c.old_score);
    double dy = fabs(y->c.new_score - y->c.old_score);

    if (dx != dy)
        return dx > dy;
    if (x->c.nitems != y->c.nitems)
        return x->c.nitems > y->c.nitems;
    return strcmp(x->c.file, y->c.file) < 0;
}

static pb_status keep(pb_diff *d, entry *c, pb_error *err)
{
    size_t lo = 0, hi = d->n;

    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        entry *v = realloc(d->calls, cap * sizeof *v);

        if (v == NULL) {
            free_call(c);
            return pb__error(err, PB_NOMEM, "", 0, "out of memory");
        }
        d->calls = v;
        d->cap = cap;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (before(&d->calls[mid], c))
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(&d->calls[lo + 1], &d->calls[lo], (d->n - lo) * sizeof *c);
    d->calls[lo] = *c;
    d->n++;
    return PB_OK;
}

/* Adds item ref to c when its state differs between a and b. */
static int compare_item(entry *c, const side *a, const side *b,
                        const char *ref, size_t *cap)
{
    long ia, ib, k;
    pb_state sa = final_state(a, ref, &ia), sb = final_state(b, ref, &ib);
    pb_diff_item *it;

    if (sa == sb)
        return 0;
    if (c->c.nitems == *cap) {
        size_t n = *cap ? *cap * 2 : 4;
        pb_diff_item *v = realloc(c->items, n * sizeof *v);

        if (v == NULL)
            return -1;
        c->items = v;
        *cap = n;
    }
    it = &c->items[c->c.nitems];
    memset(it, 0, sizeof *it);
    it->old_state = ia < 0 ? NULL : pb_state_name(sa);
    it->new_state = ib < 0 ? NULL : pb_state_name(sb);
    it->event = k = parting(a, ia, b, ib);
    if ((it->ref = strdup(ref)) == NULL)
        return -1;
    c->c.nitems++;
    if (k >= 0) {
        pb_event_info ev;
        int line;

        pb_scenario_event(pb_replay_scenario(a->r), (size_t)k, &ev, &line);
        it->t = ev.t;
        if ((it->type = strdup(ev.type)) == NULL ||
            (ev.text && (it->text = strdup(ev.text)) == NULL) ||
            (it->old_detected = detected_after(a, (size_t)k)) == NULL ||
            (it->new_detected = detected_after(b, (size_t)k)) == NULL)
            return -1;
    }
    return 0;
}

static double overall(const pb_case *c)
{
    pb_score s;

    return pb_case_score(c, NULL, &s) == PB_OK ? s.value : 0;
}

pb_status pb_diff_add(pb_diff *d, const pb_replay *old,
                      const pb_replay *new, pb_error *err)
{
    side a = { 0 }, b = { 0 };
    entry c;
    size_t i, cap = 0;
    int bad;
    pb_item_def def;

    memset(&c, 0, sizeof c);
    d->compared++;
    bad = side_open(&a, old) != 0 || side_open(&b, new) != 0;
    c.c.old_score = overall(a.c);
    c.c.new_score = overall(b.c);
    /* Every item of either version, each once. */
    for (i = 0; !bad && i < pb_engine_nitems(a.e); i++) {
        pb_engine_item(a.e, i, &def);
        bad = compare_item(&c, &a, &b, def.ref, &cap) != 0;
    }
    for (i = 0; !bad && i < pb_engine_nitems(b.e); i++) {
        pb_engine_item(b.e, i, &def);
        if (pb_engine_find_item(a.e, def.ref) < 0)
            bad = compare_item(&c, &a, &b, def.ref, &cap) != 0;
    }
    side_close(&a);
    side_close(&b);
    if (!bad && c.c.nitems == 0 && c.c.old_score == c.c.new_score)
        return PB_OK;
    if (!bad) {
        const pb_scenario *s = pb_replay_scenario(old);

        c.c.file = strdup(pb_scenario_path(s));
        c.c.title = pb_scenario_title(s) ? strdup(pb_scenario_title(s))
                                         : NULL;
        bad = c.c.file == NULL ||
              (pb_scenario_title(s) != NULL && c.c.title == NULL);
    }
    if (bad) {
        free_call(&c);
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    }
    return keep(d, &c, err);
}

const char *pb_diff_old_name(const pb_diff *d) { return d->old_name; }
const char *pb_diff_new_name(const pb_diff *d) { return d->new_name; }
size_t pb_diff_ncompared(const pb_diff *d) { return d->compared; }
size_t pb_diff_nchanged(const pb_diff *d) { return d->n; }

const pb_diff_call *pb_diff_call_at(const pb_diff *d, size_t i)
{
    return i < d->n ? &d->calls[i].c : NULL;
}

const pb_diff_item *pb_diff_item_at(const pb_diff *d, size_t call,
                                    size_t k)
{
    return call < d->n && k < d->calls[call].c.nitems
               ? &d->calls[call].items[k] : NULL;
}
