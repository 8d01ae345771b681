/*
 * stats.c -- team statistics over many cases: adherence per principle and
 * item, most-missed musts, violations, resolution and root causes.
 *
 * Streaming: a case is reduced to counters when it is added and never
 * kept, so ten thousand cases cost what one does, plus one entry per
 * distinct root cause.  No event time is read at all: speed is not a
 * quality measure (docs/stats.md).  render_stats.c writes the figures.
 *
 * Partials (docs/scale.md): every counter is an integer, the scores'
 * sum too (in billionths), and every ranking is a total order, so
 * adding up the partials of shards gives exactly what one run over all
 * the cases gives, byte for byte, in whatever order they are merged.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "file.h"
#include "index.h"
#include "playbook.h"

#define NSTATES (PB_ERROR + 1)

/* A score is counted in billionths: integers add up the same in any
 * order, where doubles would not. */
#define SCORE_UNIT 1000000000.0

typedef struct tally {
    size_t cases, musts, done, violations;
    uint64_t sum; /* of the case scores, in SCORE_UNITs, for the mean */
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

/* A group of cases: those of one root cause, one agent or one month.
 * t holds a tally per principle, then the overall one. */
typedef struct group {
    char *name; /* NULL: no root cause, no agent, no start date */
    size_t cases, resolved, first_contact, contacts;
    tally *t;
} group;

typedef struct groups {
    group *v;           /* in the order first seen */
    size_t n, cap;
    pb__index ix;       /* by name (all but the NULL one) */
    size_t none;        /* index of the NULL entry, or SIZE_MAX */
} groups;

struct pb_stats {
    char version[64];   /* "playbook V, principles H": what partials
                         * must share to be merged */
    sprinciple *principles;
    size_t nprinciples;
    sitem *items;
    size_t nitems;
    size_t ncases, unreadable, resolved, first_contact, contacts;
    tally overall;
    groups by[PB_STATS_NBY];
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *d = malloc(n);

    if (d)
        memcpy(d, s ? s : "", n);
    return d;
}

static void init_groups(pb_stats *s)
{
    size_t k;

    for (k = 0; k < PB_STATS_NBY; k++)
        s->by[k].none = SIZE_MAX;
}

pb_stats *pb_stats_new(const pb_engine *e)
{
    pb_stats *s = calloc(1, sizeof *s);
    pb_principle_info pi;
    pb_item_def def;
    size_t i;

    if (s == NULL)
        return NULL;
    init_groups(s);
    snprintf(s->version, sizeof s->version, "playbook %s, principles %s",
             PB_VERSION, pb_engine_version(e));
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
    size_t i, k;

    if (s == NULL)
        return;
    for (i = 0; s->principles && i < s->nprinciples; i++) {
        free(s->principles[i].id);
        free(s->principles[i].title);
    }
    for (i = 0; s->items && i < s->nitems; i++)
        free(s->items[i].ref);
    for (k = 0; k < PB_STATS_NBY; k++) {
        for (i = 0; i < s->by[k].n; i++) {
            free(s->by[k].v[i].name);
            free(s->by[k].v[i].t);
        }
        free(s->by[k].v);
        pb__index_free(&s->by[k].ix);
    }
    free(s->principles);
    free(s->items);
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

/* Groups: the distinct names of each kind, found through an index. */

static const char *group_key(const void *v, size_t i)
{
    return ((const group *)v)[i].name;
}

/* Adds an entry for name (taken; NULL: the cases without one). */
static pb_status push_group(pb_stats *s, groups *g, char *name)
{
    group *e;
    tally *t;

    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 16;
        group *v = realloc(g->v, cap * sizeof *v);

        if (v == NULL)
            return PB_NOMEM;
        g->v = v;
        g->cap = cap;
    }
    if ((t = calloc(s->nprinciples + 1, sizeof *t)) == NULL)
        return PB_NOMEM;
    e = &g->v[g->n++];
    memset(e, 0, sizeof *e);
    e->name = name;
    e->t = t;
    return PB_OK;
}

/* Index of the group of kind by named name (len bytes; NULL: none),
 * added when new. */
static pb_status find_group(pb_stats *s, pb_stats_by by, const char *name,
                            size_t len, size_t *out)
{
    groups *g = &s->by[by];
    char *copy;
    long i;

    if (name == NULL) {
        if (g->none == SIZE_MAX) {
            if (push_group(s, g, NULL) != PB_OK)
                return PB_NOMEM;
            g->none = g->n - 1;
        }
        *out = g->none;
        return PB_OK;
    }
    if ((copy = malloc(len + 1)) == NULL)
        return PB_NOMEM;
    memcpy(copy, name, len);
    copy[len] = '\0';
    i = pb__index_find(&g->ix, copy, group_key, g->v);
    if (i >= 0) {
        free(copy);
        *out = (size_t)i;
        return PB_OK;
    }
    if (pb__index_reserve(&g->ix, g->n + 1, group_key, g->v) != 0 ||
        push_group(s, g, copy) != PB_OK) {
        free(copy);
        return PB_NOMEM;
    }
    pb__index_add(&g->ix, g->n - 1, group_key, g->v); /* room reserved */
    *out = g->n - 1;
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

/* The month the case started, "YYYY-MM" in UTC, into buf[16]; NULL
 * without a readable started_at. */
static const char *month_of(const pb_case *c, char *buf)
{
    double t = pb_case_started(c);
    struct tm tm;
    time_t sec;

    if (t < 0 || t > 253402300799.0)   /* past 9999-12-31 */
        return NULL;
    sec = (time_t)t;
    if (gmtime_r(&sec, &tm) == NULL)
        return NULL;
    snprintf(buf, 16, "%04d-%02d", (tm.tm_year + 1900) % 10000,
             (tm.tm_mon + 1) % 100);
    return buf;
}

/*
 * Resolution, from the timeline in order: a case.resolved (recorded or
 * detected) resolves the case; a later followup.done outcome="not_fixed"
 * reopens it.  First contact: resolved and never reported not fixed.
 * Contacts: the first, and one more for every contact.ended that the
 * agent or customer speaks (or acts) after.
 */
static void resolution(const pb_case *c, int *resolved, int *first,
                       size_t *contacts)
{
    int ever = 0, now = 0, not_fixed = 0, ended = 0;
    pb_event_info ev;
    size_t i, k;

    *contacts = 1;
    for (i = 0; i < pb_case_nevents(c); i++) {
        pb_case_event(c, i, &ev);
        if (strcmp(ev.type, "case.resolved") == 0) {
            ever = now = 1;
        } else if (strcmp(ev.type, "contact.ended") == 0) {
            ended = 1;
        } else if (strncmp(ev.type, "agent.", 6) == 0 ||
                   strncmp(ev.type, "customer.", 9) == 0) {
            *contacts += (size_t)ended;
            ended = 0;
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
    t->sum += (uint64_t)llround(sc->value * SCORE_UNIT);
}

pb_status pb_stats_add_case(pb_stats *s, const pb_case *c, pb_error *err)
{
    const char *name[PB_STATS_NBY];
    size_t len[PB_STATS_NBY] = { 0 }, at[PB_STATS_NBY], i, k, contacts;
    char month[16];
    pb_item_info info;
    pb_score sc;
    int resolved, first;

    if (!same_layout(s, pb_case_engine(c)))
        return pb__error(err, PB_STATE, "", 0, "the case was evaluated "
                         "with other principles than the statistics");
    /* Everything that can fail comes first, so a failure counts nothing. */
    name[PB_STATS_CAUSE] = root_cause(c, &len[PB_STATS_CAUSE]);
    name[PB_STATS_AGENT] = pb_case_agent(c);
    name[PB_STATS_MONTH] = month_of(c, month);
    for (k = 0; k < PB_STATS_NBY; k++) {
        if (k != PB_STATS_CAUSE && name[k])
            len[k] = strlen(name[k]);
        if (find_group(s, (pb_stats_by)k, name[k], len[k], &at[k]) != PB_OK)
            return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    }
    for (i = 0; i < s->nitems; i++) {
        pb_case_item(c, i, &info);
        s->items[i].states[info.state]++;
    }
    for (i = 0; i <= s->nprinciples; i++) {
        pb_case_score(c, i < s->nprinciples ? s->principles[i].id : NULL,
                      &sc);
        if (!sc.applies && i < s->nprinciples)
            continue;
        count_score(i < s->nprinciples ? &s->principles[i].t : &s->overall,
                    &sc);
        for (k = 0; k < PB_STATS_NBY; k++)
            count_score(&s->by[k].v[at[k]].t[i], &sc);
    }
    resolution(c, &resolved, &first, &contacts);
    s->ncases++;
    s->resolved += (size_t)resolved;
    s->first_contact += (size_t)first;
    s->contacts += contacts;
    for (k = 0; k < PB_STATS_NBY; k++) {
        group *g = &s->by[k].v[at[k]];

        g->cases++;
        g->resolved += (size_t)resolved;
        g->first_contact += (size_t)first;
        g->contacts += contacts;
    }
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
    out->mean = t->cases ? (double)t->sum / SCORE_UNIT / (double)t->cases
                         : 0;
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
    out->contacts = s->contacts;
    score_of(&s->overall, &out->score);
}

size_t pb_stats_nprinciples(const pb_stats *s) { return s->nprinciples; }
size_t pb_stats_nitems(const pb_stats *s) { return s->nitems; }

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

size_t pb_stats_ngroups(const pb_stats *s, pb_stats_by by)
{
    return s->by[by].n;
}

void pb_stats_group(const pb_stats *s, pb_stats_by by, size_t i,
                    pb_stats_group_info *out)
{
    const group *g = &s->by[by].v[i];

    out->name = g->name;
    out->cases = g->cases;
    out->resolved = g->resolved;
    out->first_contact = g->first_contact;
    out->contacts = g->contacts;
    score_of(&g->t[s->nprinciples], &out->score);
}

void pb_stats_group_principle(const pb_stats *s, pb_stats_by by, size_t i,
                              size_t p, pb_stats_score *out)
{
    score_of(&s->by[by].v[i].t[p], out);
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

/* Names in byte order, the NULL one last. */
static int name_before(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return b == NULL && a != NULL;
    return strcmp(a, b) < 0;
}

static int cause_before(const pb_stats *s, size_t a, size_t b)
{
    const group *ga = &s->by[PB_STATS_CAUSE].v[a];
    const group *gb = &s->by[PB_STATS_CAUSE].v[b];

    if (ga->contacts != gb->contacts)
        return ga->contacts > gb->contacts;
    if (ga->cases != gb->cases)
        return ga->cases > gb->cases;
    return name_before(ga->name, gb->name);
}

static int agent_before(const pb_stats *s, size_t a, size_t b)
{
    return name_before(s->by[PB_STATS_AGENT].v[a].name,
                       s->by[PB_STATS_AGENT].v[b].name);
}

static int month_before(const pb_stats *s, size_t a, size_t b)
{
    return name_before(s->by[PB_STATS_MONTH].v[a].name,
                       s->by[PB_STATS_MONTH].v[b].name);
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

size_t pb_stats_rank_groups(const pb_stats *s, pb_stats_by by, size_t *out)
{
    static const before_fn order[PB_STATS_NBY] = { cause_before,
                                                   agent_before,
                                                   month_before };
    size_t i;

    for (i = 0; i < s->by[by].n; i++)
        out[i] = i;
    sort(s, order[by], out, s->by[by].n);
    return s->by[by].n;
}

/* Partials: a line-based text file (docs/scale.md).  Names are written
 * with every byte at or below a space, '%' and DEL as %XX, so a line
 * splits on spaces; "-" is a group's missing name (no root cause, no
 * agent, no date). */

#define PARTIAL_MAGIC "playbook-stats-partial 2"
#define PARTIAL_MAX_BYTES (256u * 1024u * 1024u)
/* More than any playbook has; it bounds a group line's words, which
 * carry a tally per principle. */
#define PARTIAL_MAX_PRINCIPLES 1000u

static void put_name(FILE *f, const char *s)
{
    const char *start = s;

    fputc(' ', f);
    if (s == NULL) {
        fputc('-', f);
        return;
    }
    if (*s == '\0')
        fputc('%', f);          /* "%" alone is the empty name */
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        /* a leading '-' would read as the missing name */
        if (c <= ' ' || c == '%' || c == 0x7f || (c == '-' && s == start))
            fprintf(f, "%%%02X", c);
        else
            fputc(c, f);
    }
}

static void put_tally(FILE *f, const tally *t)
{
    fprintf(f, " %zu %zu %zu %zu %llu", t->cases, t->musts, t->done,
            t->violations, (unsigned long long)t->sum);
}

/* The words that name the kinds of group in a partial. */
static const char *const kind_name[PB_STATS_NBY] = { "cause", "agent",
                                                     "month" };

pb_status pb_stats_write_partial(const pb_stats *s, FILE *f)
{
    size_t i, k, p, lines = 4;

    fprintf(f, "%s\nversion %s\n", PARTIAL_MAGIC, s->version);
    fprintf(f, "cases %zu %zu %zu %zu %zu\n", s->ncases, s->unreadable,
            s->resolved, s->first_contact, s->contacts);
    fputs("overall", f);
    put_tally(f, &s->overall);
    fputc('\n', f);
    for (i = 0; i < s->nprinciples; i++, lines++) {
        fputs("principle", f);
        put_name(f, s->principles[i].id);
        put_name(f, s->principles[i].title);
        put_tally(f, &s->principles[i].t);
        fputc('\n', f);
    }
    for (i = 0; i < s->nitems; i++, lines++) {
        fputs("item", f);
        put_name(f, s->items[i].ref);
        fprintf(f, " %zu %d", s->items[i].principle, s->items[i].must);
        for (k = 0; k < NSTATES; k++)
            fprintf(f, " %zu", s->items[i].states[k]);
        fputc('\n', f);
    }
    for (k = 0; k < PB_STATS_NBY; k++)
        for (i = 0; i < s->by[k].n; i++, lines++) {
            const group *g = &s->by[k].v[i];

            fprintf(f, "group %s", kind_name[k]);
            put_name(f, g->name);
            fprintf(f, " %zu %zu %zu %zu", g->cases, g->resolved,
                    g->first_contact, g->contacts);
            for (p = 0; p <= s->nprinciples; p++)
                put_tally(f, &g->t[p]);
            fputc('\n', f);
        }
    /* The count ends it: a partial cut short anywhere is refused. */
    fprintf(f, "end %zu\n", lines);
    return ferror(f) ? PB_IO : PB_OK;
}

typedef struct partial {
    char *p, *end;      /* what is left of the file, NUL-split */
    const char *path;
    int line;
    pb_error *err;
} partial;

static pb_status bad(partial *r, const char *what)
{
    return pb__error(r->err, PB_INPUT, r->path, r->line, "%s", what);
}

/* The next line cut into at most max space-separated words; how many,
 * or -1 at the end of the file. */
static int words(partial *r, char **w, int max)
{
    char *nl;
    int n = 0;

    if (r->p >= r->end)
        return -1;
    r->line++;
    if ((nl = memchr(r->p, '\n', (size_t)(r->end - r->p))) == NULL)
        nl = r->end;       /* no newline: cut short (end checks it) */
    *nl = '\0';
    while (n < max) {
        w[n++] = r->p;
        r->p += strcspn(r->p, " ");
        if (*r->p == '\0')
            break;
        *r->p++ = '\0';
    }
    if (r->p < nl)
        n = max + 1;       /* more words than the line may have */
    r->p = nl + (nl < r->end);
    return n;
}

/* Decodes a name in place; NULL for "-". 0, or -1 when malformed. */
static int name_of(char *s, char **out)
{
    char *d = s, *q = s;

    if (strcmp(s, "-") == 0) {
        *out = NULL;
        return 0;
    }
    if (strcmp(s, "%") == 0) {
        *s = '\0';
        *out = s;
        return 0;
    }
    for (; *q; q++) {
        unsigned v;

        if (*q != '%') {
            *d++ = *q;
            continue;
        }
        if (sscanf(q + 1, "%2x", &v) != 1 || v == 0 ||
            !q[1] || !q[2])
            return -1;
        *d++ = (char)v;
        q += 2;
    }
    *d = '\0';
    *out = s;
    return 0;
}

static int number(const char *s, size_t *out)
{
    char *e;
    unsigned long long v;

    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &e, 10);
    /* 2^53: more than any count, and room to add many partials up */
    if (*e != '\0' || errno != 0 || v > (1ull << 53))
        return -1;
    *out = (size_t)v;
    return 0;
}

static int read_tally(char **w, tally *t)
{
    size_t sum;

    if (number(w[0], &t->cases) || number(w[1], &t->musts) ||
        number(w[2], &t->done) || number(w[3], &t->violations) ||
        number(w[4], &sum))
        return -1;
    t->sum = sum;
    return 0;
}

static void add_tally(tally *to, const tally *t)
{
    to->cases += t->cases;
    to->musts += t->musts;
    to->done += t->done;
    to->violations += t->violations;
    to->sum += t->sum;
}

/* The next line whole, or NULL at the end of the file. */
static char *whole_line(partial *r)
{
    char *w[1];

    /* one word, however many spaces: the line as it is */
    if (r->p >= r->end)
        return NULL;
    r->line++;
    w[0] = r->p;
    r->p += strcspn(r->p, "\n");
    if (r->p < r->end)
        *r->p++ = '\0';
    return w[0];
}

static pb_status nomem_at(partial *r)
{
    return pb__error(r->err, PB_NOMEM, r->path, 0, "out of memory");
}

/* A tally of a principle (p < nprinciples) or overall (p ==
 * nprinciples), as counting makes them: no more cases than the group
 * had, no more done than musts, every score at most 1. */
static int tally_ok(const tally *t, size_t cases)
{
    return t->cases <= cases && t->done <= t->musts &&
           t->sum <= (uint64_t)t->cases * (uint64_t)SCORE_UNIT;
}

/* A group line: kind, name, its four counts and a tally per principle
 * and overall. */
static pb_status read_group(partial *r, pb_stats *s, char **w, int n)
{
    size_t v[4], k, p, at;
    char *name;
    group *g;

    for (k = 0; k < PB_STATS_NBY; k++)
        if (strcmp(w[1], kind_name[k]) == 0)
            break;
    if (k == PB_STATS_NBY || (size_t)n != 7 + 5 * (s->nprinciples + 1) ||
        name_of(w[2], &name) || number(w[3], &v[0]) || number(w[4], &v[1]) ||
        number(w[5], &v[2]) || number(w[6], &v[3]))
        return bad(r, "a group line is malformed");
    if (find_group(s, (pb_stats_by)k, name, name ? strlen(name) : 0,
                   &at) != PB_OK)
        return nomem_at(r);
    g = &s->by[k].v[at];
    if (g->cases > 0)
        return bad(r, "a group listed twice");
    for (p = 0; p <= s->nprinciples; p++)
        if (read_tally(w + 7 + 5 * p, &g->t[p]))
            return bad(r, "a group line is malformed");
    g->cases = v[0];
    g->resolved = v[1];
    g->first_contact = v[2];
    g->contacts = v[3];
    return PB_OK;
}

static size_t all_groups(const pb_stats *s)
{
    size_t k, n = 0;

    for (k = 0; k < PB_STATS_NBY; k++)
        n += s->by[k].n;
    return n;
}

/* One principle, item or group line of a partial into s, which it lays
 * out: its principles and items in order. */
static pb_status read_entry(partial *r, pb_stats *s, char **w, int n)
{
    char *name, *title;
    size_t v[2 + NSTATES], k;
    tally t;

    if (strcmp(w[0], "principle") == 0 && n == 8) {
        sprinciple *g;

        if (s->nprinciples == PARTIAL_MAX_PRINCIPLES)
            return bad(r, "more principles than a playbook has");
        if (s->nitems > 0 || all_groups(s) > 0 ||
            name_of(w[1], &name) || name == NULL ||
            name_of(w[2], &title) || title == NULL || read_tally(w + 3, &t))
            return bad(r, "a principle line is malformed");
        if ((g = realloc(s->principles,
                         (s->nprinciples + 1) * sizeof *g)) == NULL)
            return nomem_at(r);
        s->principles = g;
        g += s->nprinciples;
        memset(g, 0, sizeof *g);
        s->nprinciples++;
        g->t = t;
        if ((g->id = dup_str(name)) == NULL ||
            (g->title = dup_str(title)) == NULL)
            return nomem_at(r);
        return PB_OK;
    }
    if (strcmp(w[0], "item") == 0 && n == 4 + NSTATES) {
        sitem *g;
        size_t plen;

        for (k = 0; k < 2 + NSTATES; k++)
            if (number(w[2 + k], &v[k]))
                return bad(r, "an item line is malformed");
        if (name_of(w[1], &name) || name == NULL || v[1] > 1 ||
            v[0] >= s->nprinciples || all_groups(s) > 0 ||
            strncmp(name, s->principles[v[0]].id,
                    plen = strlen(s->principles[v[0]].id)) != 0 ||
            name[plen] != '.')
            return bad(r, "an item line is malformed");
        if ((g = realloc(s->items, (s->nitems + 1) * sizeof *g)) == NULL)
            return nomem_at(r);
        s->items = g;
        g += s->nitems;
        memset(g, 0, sizeof *g);
        if ((g->ref = dup_str(name)) == NULL)
            return nomem_at(r);
        s->nitems++;
        g->id = g->ref + plen + 1;
        g->principle = v[0];
        g->must = (int)v[1];
        for (k = 0; k < NSTATES; k++)
            g->states[k] = v[2 + k];
        return PB_OK;
    }
    if (strcmp(w[0], "group") == 0 && n > 2)
        return read_group(r, s, w, n);
    return bad(r, "not a line of a partial (principle, item, group, end)");
}

/* Whether a partial's counts agree with each other as counting makes
 * them: every case ends each item in one state and is in one group of
 * each kind, whose counts and tallies add up to the whole.  A crafted
 * partial would otherwise make a report of nonsense. */
static int consistent(const pb_stats *s)
{
    size_t i, k, p, n;

    if (s->overall.cases != s->ncases || s->resolved > s->ncases ||
        s->first_contact > s->resolved || s->contacts < s->ncases)
        return 0;
    for (p = 0; p <= s->nprinciples; p++)
        if (!tally_ok(p < s->nprinciples ? &s->principles[p].t
                                         : &s->overall, s->ncases))
            return 0;
    for (i = 0; i < s->nitems; i++) {
        for (k = n = 0; k < NSTATES; k++)
            n += s->items[i].states[k];
        if (n != s->ncases)
            return 0;
    }
    for (k = 0; k < PB_STATS_NBY; k++) {
        group sum;
        tally t[1];

        memset(&sum, 0, sizeof sum);
        for (i = 0; i < s->by[k].n; i++) {
            const group *g = &s->by[k].v[i];

            if (g->resolved > g->cases || g->first_contact > g->resolved ||
                g->contacts < g->cases || g->t[s->nprinciples].cases !=
                g->cases)
                return 0;
            for (p = 0; p <= s->nprinciples; p++)
                if (!tally_ok(&g->t[p], g->cases))
                    return 0;
            sum.cases += g->cases;
            sum.resolved += g->resolved;
            sum.first_contact += g->first_contact;
            sum.contacts += g->contacts;
        }
        if (sum.cases != s->ncases || sum.resolved != s->resolved ||
            sum.first_contact != s->first_contact ||
            sum.contacts != s->contacts)
            return 0;
        /* the groups' tallies add up to each principle's, and overall */
        for (p = 0; p <= s->nprinciples; p++) {
            const tally *want = p < s->nprinciples ? &s->principles[p].t
                                                   : &s->overall;

            memset(t, 0, sizeof t);
            for (i = 0; i < s->by[k].n; i++)
                add_tally(t, &s->by[k].v[i].t[p]);
            if (memcmp(t, want, sizeof *t) != 0)
                return 0;
        }
    }
    return 1;
}

/* A whole partial (buf, len bytes, cut up in place) into a new pb_stats;
 * path names it in errors. */
static pb_status parse_partial(char *buf, size_t len, const char *path,
                               pb_stats **out, pb_error *err)
{
    char **w = NULL, *version;
    size_t c[5], lines, nlines = 0, max = 0;
    pb_stats *s = NULL;
    partial r;
    pb_status st;
    int n;

    r.p = buf;
    r.end = buf + len;
    r.path = path;
    r.line = 0;
    r.err = err;
    if ((version = whole_line(&r)) == NULL ||
        strcmp(version, PARTIAL_MAGIC) != 0) {
        /* the same first word: a partial of another format's playbook */
        st = bad(&r, version && strncmp(version, PARTIAL_MAGIC,
                                        sizeof PARTIAL_MAGIC - 2) == 0
                         ? "a partial in another format (another version "
                           "of playbook): count its shard again with this "
                           "one"
                         : "not a partial of `playbook stats --partial`");
        goto done;
    }
    if ((version = whole_line(&r)) == NULL ||
        strncmp(version, "version ", 8) != 0 || strlen(version) >= 64 + 8) {
        st = bad(&r, "no version line");
        goto done;
    }
    if ((s = calloc(1, sizeof *s)) == NULL) {
        st = nomem_at(&r);
        goto done;
    }
    init_groups(s);
    snprintf(s->version, sizeof s->version, "%s", version + 8);
    if ((w = malloc(8 * sizeof *w)) == NULL) {
        st = nomem_at(&r);
        goto done;
    }
    if (words(&r, w, 6) != 6 || strcmp(w[0], "cases") ||
        number(w[1], &c[0]) || number(w[2], &c[1]) || number(w[3], &c[2]) ||
        number(w[4], &c[3]) || number(w[5], &c[4]) || words(&r, w, 6) != 6 ||
        strcmp(w[0], "overall") || read_tally(w + 1, &s->overall)) {
        st = bad(&r, "the counts are malformed");
        goto done;
    }
    s->ncases = c[0];
    s->unreadable = c[1];
    s->resolved = c[2];
    s->first_contact = c[3];
    s->contacts = c[4];
    for (;;) {
        /* the longest line: a group's, with a tally per principle */
        size_t need = 7 + 5 * (s->nprinciples + 1) + 4 + NSTATES;

        if (need > max) {
            char **v = realloc(w, (need + 1) * sizeof *v);

            if (v == NULL) {
                st = nomem_at(&r);
                goto done;
            }
            w = v;
            max = need;
        }
        if ((n = words(&r, w, (int)max)) < 0) {
            st = bad(&r, "cut short (no end line): did its shard finish?");
            goto done;
        }
        if (strcmp(w[0], "end") == 0 && n == 2)
            break;
        if ((st = read_entry(&r, s, w, n)) != PB_OK)
            goto done;
        nlines++;
    }
    if (number(w[1], &lines) || lines != nlines + 4 || r.p != r.end) {
        st = bad(&r, "the end line does not match what came before it");
        goto done;
    }
    if (!consistent(s)) {
        st = bad(&r, "its counts do not add up (altered?)");
        goto done;
    }
    st = PB_OK;
done:
    free(w);
    if (st == PB_OK)
        *out = s;
    else
        pb_stats_free(s);
    return st;
}

/* t added into s: the same version, so the same principles and items. */
static pb_status merge(pb_stats *s, const pb_stats *t, const char *path,
                       pb_error *err)
{
    size_t i, k, p, at;

    if (strcmp(s->version, t->version) != 0)
        return pb__error(err, PB_INPUT, path, 2, "made by %s, the partials "
                         "before it by %s: merge the partials of one "
                         "version", t->version, s->version);
    if (s->nprinciples != t->nprinciples || s->nitems != t->nitems)
        return pb__error(err, PB_INPUT, path, 0, "its principles are not "
                         "the other partials'");
    for (i = 0; i < s->nitems; i++)
        if (strcmp(s->items[i].ref, t->items[i].ref) != 0 ||
            s->items[i].must != t->items[i].must)
            return pb__error(err, PB_INPUT, path, 0, "its items are not "
                             "the other partials'");
    /* Groups first: the one step that can fail, before any count. */
    for (k = 0; k < PB_STATS_NBY; k++)
        for (i = 0; i < t->by[k].n; i++)
            if (find_group(s, (pb_stats_by)k, t->by[k].v[i].name,
                           t->by[k].v[i].name ? strlen(t->by[k].v[i].name)
                                              : 0, &at) != PB_OK)
                return pb__error(err, PB_NOMEM, path, 0, "out of memory");
    for (k = 0; k < PB_STATS_NBY; k++)
        for (i = 0; i < t->by[k].n; i++) {
            const group *from = &t->by[k].v[i];
            group *g;

            find_group(s, (pb_stats_by)k, from->name,
                       from->name ? strlen(from->name) : 0, &at);
            g = &s->by[k].v[at];
            g->cases += from->cases;
            g->resolved += from->resolved;
            g->first_contact += from->first_contact;
            g->contacts += from->contacts;
            for (p = 0; p <= s->nprinciples; p++)
                add_tally(&g->t[p], &from->t[p]);
        }
    s->ncases += t->ncases;
    s->unreadable += t->unreadable;
    s->resolved += t->resolved;
    s->first_contact += t->first_contact;
    s->contacts += t->contacts;
    add_tally(&s->overall, &t->overall);
    for (i = 0; i < s->nprinciples; i++)
        add_tally(&s->principles[i].t, &t->principles[i].t);
    for (i = 0; i < s->nitems; i++)
        for (k = 0; k < NSTATES; k++)
            s->items[i].states[k] += t->items[i].states[k];
    return PB_OK;
}

/* Parsed into t, then made *sp or added to it. */
static pb_status take_partial(pb_stats **sp, char *buf, size_t len,
                              const char *path, pb_error *err)
{
    pb_stats *t = NULL;
    pb_status st = parse_partial(buf, len, path, &t, err);

    if (st != PB_OK)
        return st;
    if (*sp == NULL) {
        *sp = t;
        return PB_OK;
    }
    st = merge(*sp, t, path, err);
    pb_stats_free(t);
    return st;
}

pb_status pb_stats_read_partial(pb_stats **sp, const char *path,
                                pb_error *err)
{
    char *buf = NULL;
    size_t len;
    pb_status st = pb__read_file(path, PARTIAL_MAX_BYTES, &buf, &len, err);

    if (st == PB_OK)
        st = take_partial(sp, buf, len, path, err);
    free(buf);
    return st;
}

pb_status pb_stats_parse_partial(pb_stats **sp, const char *name,
                                 const char *buf, size_t len, pb_error *err)
{
    char *copy;
    pb_status st;

    if (len > PARTIAL_MAX_BYTES)
        return pb__error(err, PB_INPUT, name, 0, "larger than a partial "
                         "may be");
    if ((copy = malloc(len + 1)) == NULL)
        return pb__error(err, PB_NOMEM, name, 0, "out of memory");
    if (len)
        memcpy(copy, buf, len);
    copy[len] = '\0';
    st = take_partial(sp, copy, len, name, err);
    free(copy);
    return st;
}
