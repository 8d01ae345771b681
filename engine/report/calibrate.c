/*
 * calibrate.c -- a lead's labels against the engine's final checklists
 * (or against a second lead's labels), item by item: agreement, Cohen's
 * kappa, the confusion, and every disagreement with the event after
 * which the engine's state was final (docs/calibration.md).
 *
 * A pair is one label of the lead with its counterpart: the second
 * lead's label of the same (chat, item), or the engine's state once the
 * chat's replay is added.  Replays are read as they come and not kept:
 * what a disagreement quotes of one is copied, cut short.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "index.h"
#include "playbook.h"
#include "utf8.h"

#define NST PB_LABEL_NSTATES
#define MAX_WARNINGS 1000      /* then one saying how many more */
#define QUOTE_MAX 400          /* bytes of an utterance a report quotes */
#define DETECTED_MAX 200       /* bytes of the detected events' list */

typedef struct pair {
    size_t lead;            /* label index in the lead's labels */
    long other;             /* in the second lead's, or -1 */
    size_t item, chat;      /* in c->items, c->chats */
    size_t next;            /* the next pair of the same chat, or -1 */
    pb_label_state a, b;    /* lead, other side */
    int borderline, have_b;
    /* The engine's context, for disagreements of replayed chats. */
    int replayed, changed;
    pb_state engine;
    size_t event;
    double t;
    char *type, *text, *detected;
} pair;

typedef struct citem {
    char *ref;
    long engine_item;               /* -1: a fact item it does not list */
    /* [borderline][row][column]; labels fit (PB_LABELS_MAX_ROWS) */
    unsigned m[2][NST][NST];
} citem;

typedef struct chat {
    const char *name;
    size_t first;           /* its first pair (in file order), or -1 */
    int line;               /* its first label's line */
    char *replayed_from;    /* the scenario file, once added */
} chat;

struct pb_calib {
    const pb_engine *e;
    const pb_labels *lead, *other;
    pair *pairs;
    size_t npairs;
    citem *items;
    size_t nitems, items_cap;
    pb__index item_ix;
    chat *chats;
    size_t nchats;
    pb__index chat_ix;
    size_t *last;           /* per engine item, scratch for one replay */
    size_t replays, unpaired;
    size_t *dis;            /* the disagreements, pair indexes */
    size_t ndis;
    size_t *shown;          /* items with compared labels, checklist order */
    size_t nshown;
    char **warnings;
    size_t nwarnings, dropped;
    char dropped_text[80];
    int finished;
};

#define NONE ((size_t)-1)

/* Warnings. */

static pb_status warn(pb_calib *c, const char *fmt, ...) PB__PRINTF(2, 3);

static pb_status warn(pb_calib *c, const char *fmt, ...)
{
    char buf[1024], **v;
    va_list ap;

    if (c->nwarnings == MAX_WARNINGS) {
        c->dropped++;
        snprintf(c->dropped_text, sizeof c->dropped_text, "%zu more "
                 "warning%s not kept", c->dropped,
                 c->dropped == 1 ? "" : "s");
        return PB_OK;
    }
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if ((v = realloc(c->warnings, (c->nwarnings + 1) * sizeof *v)) == NULL)
        return PB_NOMEM;
    c->warnings = v;
    if ((v[c->nwarnings] = strdup(buf)) == NULL)
        return PB_NOMEM;
    c->nwarnings++;
    return PB_OK;
}

/* Items and chats, each found by name. */

static const char *item_key(const void *array, size_t pos)
{
    return ((const citem *)array)[pos].ref;
}

static const char *chat_key(const void *array, size_t pos)
{
    return ((const chat *)array)[pos].name;
}

/* Whether a and b are one edit apart (a character added, dropped or
 * changed, or two neighbours swapped): a typo, not another name. */
static int one_edit(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i = 0;

    if (la > lb + 1 || lb > la + 1 || strcmp(a, b) == 0)
        return 0;
    while (i < la && i < lb && a[i] == b[i])
        i++;
    if (la == lb)
        return strcmp(a + i + 1, b + i + 1) == 0 ||
               (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
                strcmp(a + i + 2, b + i + 2) == 0);
    return la > lb ? strcmp(a + i + 1, b + i) == 0
                   : strcmp(a + i, b + i + 1) == 0;
}

/*
 * An item no loaded principle has.  Principles such as `ask` have one
 * item per fact a topic needs, named after the fact it collects; which
 * facts depends on their data, so a label may name a fact item this
 * setup does not list: the engine's side is n/a.  Anything else is an
 * error, and so is a near miss of an item the principle has.
 */
static pb_status unknown_item(const pb_calib *c, const pb_labels *l,
                              const pb_label *lb, pb_error *err)
{
    const char *dot = strchr(lb->item, '.');
    char pid[160];
    pb_principle_info p;
    pb_item_def d;
    long pi;
    size_t j;
    int facts = 0;

    snprintf(pid, sizeof pid, "%.*s", (int)(dot - lb->item), lb->item);
    if ((pi = pb_engine_find_principle(c->e, pid)) < 0)
        return pb__error(err, PB_INPUT, pb_labels_name(l), lb->line,
                         "unknown principle '%s' in item '%s' (see "
                         "`playbook show`)", pid, lb->item);
    pb_engine_principle(c->e, (size_t)pi, &p);
    for (j = 0; j < p.nitems; j++) {
        pb_engine_item(c->e, p.first_item + j, &d);
        if (one_edit(dot + 1, d.id))
            return pb__error(err, PB_INPUT, pb_labels_name(l), lb->line,
                             "unknown item '%s' (did you mean '%s'?)",
                             lb->item, d.ref);
        facts |= d.collects != NULL && strcmp(d.collects, d.id) == 0;
    }
    if (!facts)
        return pb__error(err, PB_INPUT, pb_labels_name(l), lb->line,
                         "unknown item '%s' (see `playbook show` for the "
                         "items of '%s')", lb->item, pid);
    return PB_OK;
}

/* The item of a label, added on first sight; NONE after an error. */
static size_t find_item(pb_calib *c, const pb_labels *l, const pb_label *lb,
                        pb_status *st, pb_error *err)
{
    long at = pb__index_find(&c->item_ix, lb->item, item_key, c->items);
    citem *it;

    if (at >= 0)
        return (size_t)at;
    if (c->nitems == c->items_cap) {
        /* Grown as items come: most files name a few dozen. */
        size_t cap = c->items_cap * 2;
        citem *v = realloc(c->items, cap * sizeof *v);

        if (v == NULL) {
            *st = pb__error(err, PB_NOMEM, pb_labels_name(l), 0,
                            "out of memory");
            return NONE;
        }
        c->items = v;
        c->items_cap = cap;
    }
    it = &c->items[c->nitems];
    memset(it, 0, sizeof *it);
    it->engine_item = pb_engine_find_item(c->e, lb->item);
    if (it->engine_item < 0 &&
        (*st = unknown_item(c, l, lb, err)) != PB_OK)
        return NONE;
    if ((it->ref = strdup(lb->item)) == NULL ||
        pb__index_add(&c->item_ix, c->nitems, item_key, c->items) != 0) {
        free(it->ref);
        *st = pb__error(err, PB_NOMEM, pb_labels_name(l), 0,
                        "out of memory");
        return NONE;
    }
    return c->nitems++;
}

static size_t find_chat(pb_calib *c, const pb_label *lb)
{
    long at = pb__index_find(&c->chat_ix, lb->chat, chat_key, c->chats);
    chat *ch;

    if (at >= 0)
        return (size_t)at;
    ch = &c->chats[c->nchats];
    ch->name = lb->chat;
    ch->first = NONE;
    ch->line = lb->line;
    ch->replayed_from = NULL;
    if (pb__index_add(&c->chat_ix, c->nchats, chat_key, c->chats) != 0)
        return NONE;
    return c->nchats++;
}

/* Labels of one lead the other has not, by chat: one warning each, in
 * the order the chats first have one.  first[k] is the first such label
 * of the k-th chat, found through an index over their names. */
typedef struct unpaired_chats {
    const pb_labels *l;
    size_t *first, *count;
} unpaired_chats;

static const char *unpaired_key(const void *array, size_t pos)
{
    const unpaired_chats *u = array;

    return pb_labels_get(u->l, u->first[pos])->chat;
}

static pb_status unpaired(pb_calib *c, const pb_labels *has,
                          const pb_labels *lacks)
{
    size_t i, k = 0, n = pb_labels_count(has);
    unpaired_chats u = { has, NULL, NULL };
    pb__index ix = { NULL, 0, 0 };
    pb_status st = PB_NOMEM;

    u.first = malloc((n + 1) * sizeof *u.first);
    u.count = malloc((n + 1) * sizeof *u.count);
    if (u.first == NULL || u.count == NULL ||
        pb__index_reserve(&ix, n, unpaired_key, &u) != 0)
        goto done;
    for (i = 0; i < n; i++) {
        const pb_label *lb = pb_labels_get(has, i);
        long at;

        if (pb_labels_find(lacks, lb->chat, lb->item) >= 0)
            continue;
        c->unpaired++;
        if ((at = pb__index_find(&ix, lb->chat, unpaired_key, &u)) >= 0) {
            u.count[at]++;
            continue;
        }
        u.first[k] = i;
        u.count[k] = 1;
        pb__index_add(&ix, k++, unpaired_key, &u); /* reserved: no fail */
    }
    for (i = 0; i < k; i++) {
        const pb_label *lb = pb_labels_get(has, u.first[i]);

        if (warn(c, "%s:%d: chat '%s': %zu label%s (%s first) not in %s, "
                 "not compared", pb_labels_name(has), lb->line, lb->chat,
                 u.count[i], u.count[i] == 1 ? "" : "s", lb->item,
                 pb_labels_name(lacks)) != PB_OK)
            goto done;
    }
    st = PB_OK;
done:
    pb__index_free(&ix);
    free(u.first);
    free(u.count);
    return st;
}

static pb_status make_pairs(pb_calib *c, pb_error *err)
{
    const pb_labels *l = c->lead;
    size_t i, n = pb_labels_count(l);
    size_t *tail;
    pb_status st = PB_OK;

    tail = malloc((n + 1) * sizeof *tail);
    if (tail == NULL)
        return pb__error(err, PB_NOMEM, pb_labels_name(l), 0,
                         "out of memory");
    for (i = 0; i < n; i++) {
        const pb_label *lb = pb_labels_get(l, i);
        pair *p = &c->pairs[c->npairs];
        size_t ch;

        memset(p, 0, sizeof *p);
        if ((p->item = find_item(c, l, lb, &st, err)) == NONE)
            break;
        p->lead = i;
        p->a = lb->state;
        p->borderline = lb->borderline;
        p->other = -1;
        if (c->other) {
            p->other = pb_labels_find(c->other, lb->chat, lb->item);
            if (p->other < 0)
                continue;
            p->b = pb_labels_get(c->other, (size_t)p->other)->state;
            p->have_b = 1;
            p->borderline |=
                pb_labels_get(c->other, (size_t)p->other)->borderline;
        }
        if ((ch = find_chat(c, lb)) == NONE) {
            st = pb__error(err, PB_NOMEM, pb_labels_name(l), 0,
                           "out of memory");
            break;
        }
        p->chat = ch;
        p->next = NONE;
        if (c->chats[ch].first == NONE)
            c->chats[ch].first = c->npairs;
        else
            c->pairs[tail[ch]].next = c->npairs;
        tail[ch] = c->npairs;
        c->npairs++;
    }
    free(tail);
    return st;
}

/* The second lead's items are checked too, though only paired labels
 * are compared: a wrong name is wrong in either file. */
static pb_status check_other(pb_calib *c, pb_error *err)
{
    size_t i;
    pb_status st = PB_OK;

    for (i = 0; i < pb_labels_count(c->other); i++) {
        const pb_label *lb = pb_labels_get(c->other, i);

        if (find_item(c, c->other, lb, &st, err) == NONE)
            return st;
    }
    return PB_OK;
}

/* Fact items the engine does not list: one warning each. */
static pb_status warn_fact_items(pb_calib *c)
{
    size_t i, *n = calloc(c->nitems + 1, sizeof *n);

    if (n == NULL)
        return PB_NOMEM;
    for (i = 0; i < c->npairs; i++)
        n[c->pairs[i].item]++;
    for (i = 0; i < c->nitems; i++) {
        /* Without a pair it is only in labels one lead gave: warned of
         * as such. */
        if (c->items[i].engine_item >= 0 || n[i] == 0)
            continue;
        if (warn(c, "%s: not an item of the loaded principles; taken as a "
                 "fact item they do not list here, so the engine's side of "
                 "its %zu label%s is n/a", c->items[i].ref, n[i],
                 n[i] == 1 ? "" : "s") != PB_OK) {
            free(n);
            return PB_NOMEM;
        }
    }
    free(n);
    return PB_OK;
}

pb_status pb_calib_new(const pb_engine *e, const pb_labels *lead,
                       const pb_labels *other, pb_calib **out,
                       pb_error *err)
{
    size_t n = pb_labels_count(lead);
    size_t ni = n + (other ? pb_labels_count(other) : 0);
    pb_calib *c = calloc(1, sizeof *c);
    pb_error local;
    pb_status st;

    *out = NULL;
    if (err == NULL)
        err = &local;
    if (c == NULL)
        return pb__error(err, PB_NOMEM, pb_labels_name(lead), 0,
                         "out of memory");
    c->e = e;
    c->lead = lead;
    c->other = other;
    c->pairs = calloc(n + 1, sizeof *c->pairs);
    c->items_cap = 64;
    c->items = calloc(c->items_cap, sizeof *c->items);
    c->chats = calloc(n + 1, sizeof *c->chats);
    c->last = malloc((pb_engine_nitems(e) + 1) * sizeof *c->last);
    if (c->pairs == NULL || c->items == NULL || c->chats == NULL ||
        c->last == NULL ||
        pb__index_reserve(&c->item_ix, ni, item_key, c->items) != 0 ||
        pb__index_reserve(&c->chat_ix, n, chat_key, c->chats) != 0) {
        st = pb__error(err, PB_NOMEM, pb_labels_name(lead), 0,
                       "out of memory");
        goto fail;
    }
    if ((st = make_pairs(c, err)) != PB_OK ||
        (other && (st = check_other(c, err)) != PB_OK))
        goto fail;
    st = warn_fact_items(c);
    if (st == PB_OK && other) {
        if ((st = unpaired(c, lead, other)) == PB_OK)
            st = unpaired(c, other, lead);
    }
    if (st != PB_OK) {
        st = pb__error(err, PB_NOMEM, pb_labels_name(lead), 0,
                       "out of memory");
        goto fail;
    }
    *out = c;
    return PB_OK;
fail:
    pb_calib_free(c);
    return st;
}

void pb_calib_free(pb_calib *c)
{
    size_t i;

    if (c == NULL)
        return;
    for (i = 0; i < c->npairs; i++) {
        free(c->pairs[i].type);
        free(c->pairs[i].text);
        free(c->pairs[i].detected);
    }
    for (i = 0; i < c->nitems; i++)
        free(c->items[i].ref);
    for (i = 0; i < c->nchats; i++)
        free(c->chats[i].replayed_from);
    for (i = 0; i < c->nwarnings; i++)
        free(c->warnings[i]);
    pb__index_free(&c->item_ix);
    pb__index_free(&c->chat_ix);
    free(c->warnings);
    free(c->pairs);
    free(c->items);
    free(c->chats);
    free(c->last);
    free(c->dis);
    free(c->shown);
    free(c);
}

/* Replays. */

/* s cut to at most max bytes on a character, with "..." when cut. */
static char *cut_copy(const char *s, size_t max)
{
    size_t n = strlen(s), k = n > max ? pb__utf8_cut(s, max) : n;
    char *out = malloc(k + 4);

    if (out == NULL)
        return NULL;
    memcpy(out, s, k);
    memcpy(out + k, k < n ? "..." : "", k < n ? 4 : 1);
    return out;
}

/* The detected events that came with recorded event ev: "type (by),
 * ...", cut short. */
static char *detected_after(const pb_case *cs, size_t ev)
{
    char buf[DETECTED_MAX + 8];
    size_t i, n = pb_case_nevents(cs), at = 0;
    pb_event_info info;

    buf[0] = '\0';
    for (i = ev + 1; i < n; i++) {
        int w;

        pb_case_event(cs, i, &info);
        if (info.detected_by == NULL)
            break;
        w = snprintf(buf + at, sizeof buf - at, "%s%s (%s)",
                     at ? ", " : "", info.type, info.detected_by);
        if (w < 0 || (size_t)w >= sizeof buf - at) {
            snprintf(buf + (at < DETECTED_MAX ? at : DETECTED_MAX),
                     sizeof buf - (at < DETECTED_MAX ? at : DETECTED_MAX),
                     "%s...", at ? ", " : "");
            break;
        }
        at += (size_t)w;
    }
    return strdup(buf);
}

/* What the engine made of pair p: its state and, when it changed, the
 * recorded event after which it had its final state. */
static pb_status context(pb_calib *c, pair *p, const pb_case *cs)
{
    const citem *it = &c->items[p->item];
    pb_event_info ev;
    pb_item_info info;

    p->replayed = 1;
    p->engine = PB_ABSENT;
    p->changed = 0;
    if (it->engine_item < 0)
        return PB_OK;
    pb_case_item(cs, (size_t)it->engine_item, &info);
    p->engine = info.state;
    if (c->last[it->engine_item] == NONE)
        return PB_OK;
    p->changed = 1;
    p->event = c->last[it->engine_item];
    pb_case_event(cs, p->event, &ev);
    p->t = ev.t;
    if ((p->type = strdup(ev.type)) == NULL ||
        (ev.text && (p->text = cut_copy(ev.text, QUOTE_MAX)) == NULL) ||
        (p->detected = detected_after(cs, p->event)) == NULL)
        return PB_NOMEM;
    return PB_OK;
}

pb_status pb_calib_add_replay(pb_calib *c, const pb_replay *r,
                              pb_error *err)
{
    const pb_scenario *s = pb_replay_scenario(r);
    const pb_case *cs = pb_replay_case(r);
    const char *path = pb_scenario_path(s), *id = pb_scenario_id(s);
    size_t i, k, n = pb_engine_nitems(c->e);
    long at = pb__index_find(&c->chat_ix, id, chat_key, c->chats);
    pb_error local;
    chat *ch;

    if (err == NULL)
        err = &local;
    if (c->finished)
        return pb__error(err, PB_STATE, path, 0, "calibration finished");
    c->replays++;
    if (at < 0)
        return warn(c, "%s: scenario '%s' has no labels, not compared",
                    path, id) == PB_OK
                   ? PB_OK
                   : pb__error(err, PB_NOMEM, path, 0, "out of memory");
    ch = &c->chats[at];
    if (ch->replayed_from)
        return pb__error(err, PB_INPUT, path, 0, "scenario id '%s' is also "
                         "the id of %s: which one do the labels mean?", id,
                         ch->replayed_from);
    if ((ch->replayed_from = strdup(path)) == NULL)
        return pb__error(err, PB_NOMEM, path, 0, "out of memory");
    /* Each item's last change of state as a lead sees it (waiting to
     * open is no change): after that event, its state was final. */
    for (i = 0; i < n; i++)
        c->last[i] = NONE;
    for (k = 0; k < pb_replay_nchanges(r); k++) {
        const pb_change *x = pb_replay_change(r, k);

        if (pb_label_state_of(x->from) != pb_label_state_of(x->to))
            c->last[x->item] = x->event;
    }
    for (i = ch->first; i != NONE; i = c->pairs[i].next) {
        pair *p = &c->pairs[i];
        const citem *it = &c->items[p->item];

        if (!c->other) {
            pb_item_info info;

            p->b = PB_LABEL_NA;
            if (it->engine_item >= 0) {
                pb_case_item(cs, (size_t)it->engine_item, &info);
                p->b = pb_label_state_of(info.state);
            }
            p->have_b = 1;
        }
        if (p->a != p->b && context(c, p, cs) != PB_OK)
            return pb__error(err, PB_NOMEM, path, 0, "out of memory");
    }
    return PB_OK;
}

/* Figures. */

/* Items in checklist order, those the engine does not list after, by
 * name: sorted through keys, as qsort has no context to pass. */
typedef struct item_key_s {
    size_t item;
    long engine_item;
    const char *ref;
} item_key_s;

static int cmp_items(const void *x, const void *y)
{
    const item_key_s *a = x, *b = y;

    if ((a->engine_item < 0) != (b->engine_item < 0))
        return a->engine_item < 0 ? 1 : -1;
    if (a->engine_item >= 0)
        return a->engine_item < b->engine_item ? -1 :
               a->engine_item > b->engine_item;
    return strcmp(a->ref, b->ref);
}

/* Each item's matrices, the disagreements, and the items to show: those
 * with a compared label (a label only one lead gave is not). */
static pb_status count_pairs(pb_calib *c)
{
    unsigned char *used = calloc(c->nitems + 1, 1);
    item_key_s *keys = malloc((c->nitems + 1) * sizeof *keys);
    size_t i, n = 0;

    c->dis = malloc((c->npairs + 1) * sizeof *c->dis);
    c->shown = malloc((c->nitems + 1) * sizeof *c->shown);
    if (used == NULL || keys == NULL || c->dis == NULL || c->shown == NULL) {
        free(used);
        free(keys);
        return PB_NOMEM;
    }
    for (i = 0; i < c->npairs; i++) {
        pair *p = &c->pairs[i];

        c->items[p->item].m[p->borderline != 0][p->b][p->a]++;
        used[p->item] = 1;
        if (p->a != p->b)
            c->dis[c->ndis++] = i;
    }
    for (i = 0; i < c->nitems; i++)
        if (used[i]) {
            keys[n].item = i;
            keys[n].engine_item = c->items[i].engine_item;
            keys[n++].ref = c->items[i].ref;
        }
    qsort(keys, n, sizeof *keys, cmp_items);
    for (i = 0; i < n; i++)
        c->shown[i] = keys[i].item;
    c->nshown = n;
    free(used);
    free(keys);
    return PB_OK;
}

pb_status pb_calib_finish(pb_calib *c, pb_error *err)
{
    size_t i, missing = 0, first = NONE;
    pb_error local;

    if (err == NULL)
        err = &local;
    if (c->finished)
        return PB_OK;
    if (!c->other || c->replays > 0) {
        for (i = 0; i < c->nchats; i++)
            if (c->chats[i].replayed_from == NULL && missing++ == 0)
                first = i;
    }
    if (missing > 0) {
        char more[64] = "";

        if (missing > 1)
            snprintf(more, sizeof more, " (and %zu more chat%s)",
                     missing - 1, missing == 2 ? "" : "s");
        return pb__error(err, PB_INPUT, pb_labels_name(c->lead),
                         c->chats[first].line, "chat '%s' is not among "
                         "the scenarios given (no scenario has this id)%s",
                         c->chats[first].name, more);
    }
    if (count_pairs(c) != PB_OK)
        return pb__error(err, PB_NOMEM, pb_labels_name(c->lead), 0,
                         "out of memory");
    c->finished = 1;
    return PB_OK;
}

/* Agreement and kappa of a matrix; [row][column]. */
static void figures(size_t m[NST][NST], pb_calib_figures *out)
{
    double rows[NST] = { 0 }, cols[NST] = { 0 }, pe = 0, n, po;
    size_t i, j;

    memset(out, 0, sizeof *out);
    memcpy(out->matrix, m, sizeof out->matrix);
    for (i = 0; i < NST; i++)
        for (j = 0; j < NST; j++) {
            out->labels += m[i][j];
            rows[i] += (double)m[i][j];
            cols[j] += (double)m[i][j];
            if (i == j)
                out->agree += m[i][j];
        }
    out->applying = out->labels - m[PB_LABEL_NA][PB_LABEL_NA];
    out->applying_agree = out->agree - m[PB_LABEL_NA][PB_LABEL_NA];
    if (out->labels == 0)
        return;
    n = (double)out->labels;
    po = (double)out->agree / n;
    for (i = 0; i < NST; i++)
        pe += rows[i] / n * (cols[i] / n);
    /* Chance agreement 1: both sides gave one state throughout, and
     * kappa is 0/0. */
    if (pe > 1 - 1e-12)
        return;
    out->kappa = (po - pe) / (1 - pe);
    out->has_kappa = 1;
}

static void part_matrix(const citem *it, pb_calib_part part,
                        size_t m[NST][NST])
{
    size_t i, j;

    for (i = 0; i < NST; i++)
        for (j = 0; j < NST; j++)
            m[i][j] = (part != PB_CALIB_BORDERLINE ? it->m[0][i][j] : 0) +
                      (part != PB_CALIB_CLEAR ? it->m[1][i][j] : 0);
}

void pb_calib_overall(const pb_calib *c, pb_calib_info *info)
{
    size_t i;

    memset(info, 0, sizeof *info);
    info->lead = pb_labels_name(c->lead);
    info->other = c->other ? pb_labels_name(c->other) : NULL;
    for (i = 0; i < c->nchats; i++)
        info->chats += c->chats[i].first != NONE;
    info->replays = c->replays;
    info->unpaired = c->unpaired;
}

void pb_calib_figures_of(const pb_calib *c, pb_calib_part part,
                         pb_calib_figures *out)
{
    size_t m[NST][NST], sum[NST][NST], i, j, k;

    memset(sum, 0, sizeof sum);
    for (k = 0; k < c->nitems; k++) {
        part_matrix(&c->items[k], part, m);
        for (i = 0; i < NST; i++)
            for (j = 0; j < NST; j++)
                sum[i][j] += m[i][j];
    }
    figures(sum, out);
}

size_t pb_calib_nitems(const pb_calib *c) { return c->nshown; }

const char *pb_calib_item(const pb_calib *c, size_t i, pb_calib_part part,
                          pb_calib_figures *out)
{
    const citem *it = &c->items[c->shown[i]];
    size_t m[NST][NST];

    part_matrix(it, part, m);
    figures(m, out);
    return it->ref;
}

int pb_calib_item_known(const pb_calib *c, size_t i)
{
    return c->items[c->shown[i]].engine_item >= 0;
}

/* Worst first: lowest agreement, then the most labels (the surer
 * figure), then checklist order. */
typedef struct rank_key {
    size_t pos, agree, labels;
} rank_key;

static int cmp_rank(const void *x, const void *y)
{
    const rank_key *a = x, *b = y;
    /* agree/labels compared as fractions, exactly (labels fit in 32
     * bits: PB_LABELS_MAX_ROWS) */
    unsigned long long l = (unsigned long long)a->agree * b->labels;
    unsigned long long r = (unsigned long long)b->agree * a->labels;

    if (l != r)
        return l < r ? -1 : 1;
    if (a->labels != b->labels)
        return a->labels > b->labels ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

size_t pb_calib_rank_items(const pb_calib *c, size_t *out)
{
    size_t i, n = c->nshown;
    rank_key *keys = malloc((n + 1) * sizeof *keys);

    for (i = 0; i < n; i++)
        out[i] = i;
    if (keys == NULL)
        return n; /* checklist order is still an order */
    for (i = 0; i < n; i++) {
        pb_calib_figures f;

        pb_calib_item(c, i, PB_CALIB_ALL, &f);
        keys[i].pos = i;
        keys[i].agree = f.agree;
        keys[i].labels = f.labels;
    }
    qsort(keys, n, sizeof *keys, cmp_rank);
    for (i = 0; i < n; i++)
        out[i] = keys[i].pos;
    free(keys);
    return n;
}

size_t pb_calib_ndisagreements(const pb_calib *c) { return c->ndis; }

void pb_calib_disagreement(const pb_calib *c, size_t i, pb_calib_pair *out)
{
    const pair *p = &c->pairs[c->dis[i]];
    const pb_label *a = pb_labels_get(c->lead, p->lead);
    const pb_label *b =
        p->other >= 0 ? pb_labels_get(c->other, (size_t)p->other) : NULL;

    memset(out, 0, sizeof *out);
    out->chat = a->chat;
    out->item = a->item;
    out->lead = p->a;
    out->other = p->b;
    out->borderline = p->borderline;
    out->lead_note = a->note;
    out->lead_line = a->line;
    out->other_note = b ? b->note : NULL;
    out->other_line = b ? b->line : 0;
    out->replayed = p->replayed;
    out->engine = p->engine;
    out->changed = p->changed;
    out->event = p->event;
    out->t = p->t;
    out->type = p->type;
    out->text = p->text;
    out->detected = p->detected ? p->detected : "";
}

size_t pb_calib_nwarnings(const pb_calib *c)
{
    return c->nwarnings + (c->dropped > 0);
}

const char *pb_calib_warning(const pb_calib *c, size_t i)
{
    return i < c->nwarnings ? c->warnings[i] : c->dropped_text;
}
