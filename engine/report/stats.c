/*
 * stats.c -- team statistics over many cases: adherence per principle and
 * item, most-missed musts, violations, resolution and root causes.
 *
 * Streaming: a case is reduced to counters when it is added and never
 * kept, so ten thousand cases cost what one does, plus one entry per
 * distinct root cause.  No event time is read at all: speed is not a
 * quality measure (docs/stats.md).  render_stats.c writes the figures.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "index.h"
#include "playbook.h"

#define NSTATES (PB_ERROR + 1)

typedef struct tally {
    size_t cases, musts, done, violations;
    double sum; /* of the case scores, for the mean */
} tally;

typedef struct sprinciple {
    char *id, *title;
    tally t;
} sprinciple;

typedef struct sitem {
    char *ref;       /* "principle.item"; id points into it */
    const char *id;
    size_t principle;
    int must;
    size_t states[NSTATES];
} sitem;

typedef struct cause {
    char *name; /* NULL: no root cause */
    size_t cases, resolved, first_contact;
} cause;

struct pb_stats {
    sprinciple *principles;
    size_t nprinciples;
    sitem *items;
    size_t nitems;
    size_t ncases, unreadable, resolved, first_contact;
    tally overall;
    cause *causes;      /* in the order first seen */
    size_t ncauses, causes_cap;
    pb__index ix;       /* causes by name (all but "none") */
    size_t none;        /* index of the "no root cause" entry, or SIZE_MAX */
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *d = malloc(n);

    if (d)
        memcpy(d, s ? s : "", n);
    return d;
}

pb_stats *pb_stats_new(const pb_engine *e)
{
    pb_stats *s = calloc(1, sizeof *s);
    pb_principle_info pi;
    pb_item_def def;
    size_t i;

    if (s == NULL)
        return NULL;
    s->none = SIZE_MAX;
    s->nprinciples = pb_engine_nprinciples(e);
    s->nitems = pb_engine_nitems(e);
    s->principles = calloc(s->nprinciples + 1, sizeof *s->principles);
    s->items = calloc(s->nitems + 1, sizeof *s->items);
    if (s->principles == NULL || s->items == NULL)
        goto nomem;
    for (i = 0; i < s->nprinciples; i++) {
        pb_engine_principle(e, i, &pi);
        s->principles[i].id = dup_str(pi.id);
        s->principles[i].title = dup_str(pi.title ? pi.title : pi.id);
        if (!s->principles[i].id || !s->principles[i].title)
            goto nomem;
    }
    for (i = 0; i < s->nitems; i++) {
        sitem *it = &s->items[i];

        pb_engine_item(e, i, &def);
        if ((it->ref = dup_str(def.ref)) == NULL)
            goto nomem;
        it->id = it->ref + strlen(def.principle) + 1;
        it->principle = (size_t)pb_engine_find_principle(e, def.principle);
        it->must = def.must != 0;
    }
    return s;
nomem:
    pb_stats_free(s);
    return NULL;
}

void pb_stats_free(pb_stats *s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; s->principles && i < s->nprinciples; i++) {
        free(s->principles[i].id);
        free(s->principles[i].title);
    }
    for (i = 0; s->items && i < s->nitems; i++)
        free(s->items[i].ref);
    for (i = 0; i < s->ncauses; i++)
        free(s->causes[i].name);
    free(s->principles);
    free(s->items);
    free(s->causes);
    pb__index_free(&s->ix);
    free(s);
}

/* The case's principles must be the ones counted so far: a count under
 * the wrong item would be worse than no count. */
static int same_layout(const pb_stats *s, const pb_engine *e)
{
    pb_principle_info pi;
    pb_item_def def;
    size_t i;

    if (pb_engine_nitems(e) != s->nitems ||
        pb_engine_nprinciples(e) != s->nprinciples)
        return 0;
    for (i = 0; i < s->nprinciples; i++) {
        pb_engine_principle(e, i, &pi);
        if (strcmp(pi.id, s->principles[i].id) != 0)
            return 0;
    }
    for (i = 0; i < s->nitems; i++) {
        pb_engine_item(e, i, &def);
        if (strcmp(def.ref, s->items[i].ref) != 0 ||
            (def.must != 0) != s->items[i].must)
            return 0;
    }
    return 1;
}

/* Root causes: the distinct names, found through an index. */

static const char *cause_key(const void *causes, size_t i)
{
    return ((const cause *)causes)[i].name;
}

/* Adds an entry for name (taken; NULL: no root cause). */
static pb_status push_cause(pb_stats *s, char *name)
{
    cause *c;

    if (s->ncauses == s->causes_cap) {
        size_t cap = s->causes_cap ? s->causes_cap * 2 : 16;
        cause *v = realloc(s->causes, cap * sizeof *v);

        if (v == NULL)
            return PB_NOMEM;
        s->causes = v;
        s->causes_cap = cap;
    }
    c = &s->causes[s->ncauses];
    memset(c, 0, sizeof *c);
    c->name = name;
    s->ncauses++;
    return PB_OK;
}

/* Index of the entry for a root cause (NULL: none), added when new. */
static pb_status find_cause(pb_stats *s, const char *name, size_t len,
                            size_t *out)
{
    char *copy;
    long i;

    if (name == NULL) {
        if (s->none == SIZE_MAX) {
            if (push_cause(s, NULL) != PB_OK)
                return PB_NOMEM;
            s->none = s->ncauses - 1;
        }
        *out = s->none;
        return PB_OK;
    }
    if ((copy = malloc(len + 1)) == NULL)
        return PB_NOMEM;
    memcpy(copy, name, len);
    copy[len] = '\0';
    i = pb__index_find(&s->ix, copy, cause_key, s->causes);
    if (i >= 0) {
        free(copy);
        *out = (size_t)i;
        return PB_OK;
    }
    if (pb__index_reserve(&s->ix, s->ncauses + 1, cause_key,
                          s->causes) != 0 || push_cause(s, copy) != PB_OK) {
        free(copy);
        return PB_NOMEM;
    }
    pb__index_add(&s->ix, s->ncauses - 1, cause_key, s->causes); /* room */
    *out = s->ncauses - 1;
    return PB_OK;
}

/* The root cause as the case ended, without surrounding white space
 * (a value typed as "carrier_delay " is the same cause); an empty one
 * is no root cause. */
static const char *root_cause(const pb_case *c, size_t *len)
{
    const char *name, *value = NULL, *end;
    size_t i;

    for (i = 0; i < pb_case_nfacts(c); i++) {
        pb_case_fact(c, i, &name, &value);
        if (strcmp(name, "root_cause") == 0)
            break;
        value = NULL;
    }
    if (value == NULL)
        return NULL;
    while (*value == ' ' || (*value >= '\t' && *value <= '\r'))
        value++;
    end = value + strlen(value);
    while (end > value && (end[-1] == ' ' ||
                           (end[-1] >= '\t' && end[-1] <= '\r')))
        end--;
    *len = (size_t)(end - value);
    return *len ? value : NULL;
}

/*
 * Resolution, from the timeline in order: a case.resolved (recorded or
 * detected) resolves the case; a later followup.done outcome="not_fixed"
 * reopens it.  First contact: resolved and never reported not fixed.
 */
static void resolution(const pb_case *c, int *resolved, int *first)
{
    int ever = 0, now = 0, not_fixed = 0;
    pb_event_info ev;
    size_t i, k;

    for (i = 0; i < pb_case_nevents(c); i++) {
        pb_case_event(c, i, &ev);
        if (strcmp(ev.type, "case.resolved") == 0) {
            ever = now = 1;
        } else if (strcmp(ev.type, "followup.done") == 0) {
            for (k = 0; k < ev.nattrs; k++)
                if (strcmp(ev.attrs[k].name, "outcome") == 0 &&
                    strcmp(ev.attrs[k].value, "not_fixed") == 0) {
                    now = 0;
                    not_fixed = 1;
                }
        }
    }
    *resolved = now;
    *first = ever && !not_fixed;
}

static void count_score(tally *t, const pb_score *sc)
{
    t->cases++;
    t->musts += (size_t)sc->musts;
    t->done += (size_t)sc->done;
    t->violations += (size_t)sc->violations;
    t->sum += sc->value;
}

pb_status pb_stats_add_case(pb_stats *s, const pb_case *c, pb_error *err)
{
    const char *name;
    pb_item_info info;
    pb_score sc;
    size_t i, len = 0, at;
    int resolved, first;

    if (!same_layout(s, pb_case_engine(c)))
        return pb__error(err, PB_STATE, "", 0, "the case was evaluated "
                         "with other principles than the statistics");
    /* Everything that can fail comes first, so a failure counts nothing. */
    name = root_cause(c, &len);
    if (find_cause(s, name, len, &at) != PB_OK)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    for (i = 0; i < s->nitems; i++) {
        pb_case_item(c, i, &info);
        s->items[i].states[info.state]++;
    }
    for (i = 0; i < s->nprinciples; i++) {
        pb_case_score(c, s->principles[i].id, &sc);
        if (sc.applies)
            count_score(&s->principles[i].t, &sc);
    }
    pb_case_score(c, NULL, &sc);
    count_score(&s->overall, &sc);
    resolution(c, &resolved, &first);
    s->ncases++;
    s->resolved += (size_t)resolved;
    s->first_contact += (size_t)first;
    s->causes[at].cases++;
    s->causes[at].resolved += (size_t)resolved;
    s->causes[at].first_contact += (size_t)first;
    return PB_OK;
}

pb_status pb_stats_add_replay(pb_stats *s, const pb_replay *r,
                              pb_error *err)
{
    pb_status st = pb_stats_add_case(s, pb_replay_case(r), err);

    if (st != PB_OK && err)
        snprintf(err->file, sizeof err->file, "%s",
                 pb_scenario_path(pb_replay_scenario(r)));
    return st;
}

void pb_stats_add_unreadable(pb_stats *s)
{
    s->unreadable++;
}

/* Queries. */

/* The rule of pb_case_score (checklist.c), once over summed counts. */
static void score_of(const tally *t, pb_stats_score *out)
{
    out->cases = t->cases;
    out->musts = t->musts;
    out->done = t->done;
    out->violations = t->violations;
    out->mean = t->cases ? t->sum / (double)t->cases : 0;
    if (t->cases == 0)
        out->pooled = 0;
    else if (t->musts > 0)
        out->pooled = t->done > t->violations ?
            (double)(t->done - t->violations) / (double)t->musts : 0;
    else
        out->pooled = t->violations ? 0 : 1;
}

void pb_stats_overall(const pb_stats *s, pb_stats_info *out)
{
    out->cases = s->ncases;
    out->unreadable = s->unreadable;
    out->resolved = s->resolved;
    out->first_contact = s->first_contact;
    score_of(&s->overall, &out->score);
}

size_t pb_stats_nprinciples(const pb_stats *s) { return s->nprinciples; }
size_t pb_stats_nitems(const pb_stats *s) { return s->nitems; }
size_t pb_stats_ncauses(const pb_stats *s) { return s->ncauses; }

void pb_stats_principle(const pb_stats *s, size_t i,
                        pb_stats_principle_info *out)
{
    out->id = s->principles[i].id;
    out->title = s->principles[i].title;
    score_of(&s->principles[i].t, &out->score);
}

static size_t applied(const sitem *it)
{
    return it->states[PB_OPEN] + it->states[PB_WAITING] +
           it->states[PB_DONE] + it->states[PB_SKIPPED] +
           it->states[PB_VIOLATED] + it->states[PB_ERROR];
}

/* Skipped musts had a reason, errors are the principle's fault: neither
 * is missed by the agent. */
static size_t missed(const sitem *it)
{
    return it->must ? it->states[PB_OPEN] + it->states[PB_WAITING] +
                          it->states[PB_VIOLATED]
                    : 0;
}

void pb_stats_item(const pb_stats *s, size_t i, pb_stats_item_info *out)
{
    const sitem *it = &s->items[i];

    out->ref = it->ref;
    out->principle = s->principles[it->principle].id;
    out->id = it->id;
    out->must = it->must;
    memcpy(out->states, it->states, sizeof out->states);
    out->applied = applied(it);
    out->missed = missed(it);
}

void pb_stats_cause(const pb_stats *s, size_t i, pb_stats_cause_info *out)
{
    out->name = s->causes[i].name;
    out->cases = s->causes[i].cases;
    out->resolved = s->causes[i].resolved;
    out->first_contact = s->causes[i].first_contact;
}

/* Rankings: a heap sort with the stats as context (qsort has none in
 * C11), over a total order so that equal counts come out the same way
 * every run. */

typedef int (*before_fn)(const pb_stats *s, size_t a, size_t b);

static void sift(const pb_stats *s, before_fn before, size_t *v, size_t i,
                 size_t n)
{
    for (;;) {
        size_t big = i, l = 2 * i + 1, r = l + 1, tmp;

        if (l < n && before(s, v[big], v[l]))
            big = l;
        if (r < n && before(s, v[big], v[r]))
            big = r;
        if (big == i)
            return;
        tmp = v[i];
        v[i] = v[big];
        v[big] = tmp;
        i = big;
    }
}

static void sort(const pb_stats *s, before_fn before, size_t *v, size_t n)
{
    size_t i, tmp;

    for (i = n / 2; i-- > 0;)
        sift(s, before, v, i, n);
    for (i = n; i-- > 1;) {
        tmp = v[0];
        v[0] = v[i];
        v[i] = tmp;
        sift(s, before, v, 0, i);
    }
}

/* For two equal counts the larger share is the one over fewer cases. */
static int item_before(const pb_stats *s, size_t a, size_t b, size_t na,
                       size_t nb)
{
    size_t aa = applied(&s->items[a]), ab = applied(&s->items[b]);

    if (na != nb)
        return na > nb;
    if (aa != ab)
        return aa < ab;
    return strcmp(s->items[a].ref, s->items[b].ref) < 0;
}

static int missed_before(const pb_stats *s, size_t a, size_t b)
{
    return item_before(s, a, b, missed(&s->items[a]), missed(&s->items[b]));
}

static int violated_before(const pb_stats *s, size_t a, size_t b)
{
    return item_before(s, a, b, s->items[a].states[PB_VIOLATED],
                       s->items[b].states[PB_VIOLATED]);
}

static int cause_before(const pb_stats *s, size_t a, size_t b)
{
    const cause *ca = &s->causes[a], *cb = &s->causes[b];

    if (ca->cases != cb->cases)
        return ca->cases > cb->cases;
    if (ca->name == NULL || cb->name == NULL)
        return cb->name == NULL && ca->name != NULL;
    return strcmp(ca->name, cb->name) < 0;
}

size_t pb_stats_rank_missed(const pb_stats *s, size_t *out)
{
    size_t i, n = 0;

    for (i = 0; i < s->nitems; i++)
        if (missed(&s->items[i]) > 0)
            out[n++] = i;
    sort(s, missed_before, out, n);
    return n;
}

size_t pb_stats_rank_violations(const pb_stats *s, size_t *out)
{
    size_t i, n = 0;

    for (i = 0; i < s->nitems; i++)
        if (s->items[i].states[PB_VIOLATED] > 0)
            out[n++] = i;
    sort(s, violated_before, out, n);
    return n;
}

size_t pb_stats_rank_causes(const pb_stats *s, size_t *out)
{
    size_t i;

    for (i = 0; i < s->ncauses; i++)
        out[i] = i;
    sort(s, cause_before, out, s->ncauses);
    return s->ncauses;
}
