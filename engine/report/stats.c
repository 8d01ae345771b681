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

typedef struct cause {
    char *name; /* NULL: no root cause */
    size_t cases, resolved, first_contact;
} cause;

struct pb_stats {
    char version[64];   /* "playbook V, principles H": what partials
                         * must share to be merged */
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
    t->sum += (uint64_t)llround(sc->value * SCORE_UNIT);
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

/* Partials: a line-based text file (docs/scale.md).  Names are written
 * with every byte at or below a space, '%' and DEL as %XX, so a line
 * splits on spaces; "-" is no root cause. */

#define PARTIAL_MAGIC "playbook-stats-partial 1"
#define PARTIAL_MAX_BYTES (256u * 1024u * 1024u)

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

        /* a leading '-' would read as "no root cause" */
        if (c <= ' ' || c == '%' || c == 0x7f || (c == '-' && s == start))
            fprintf(f, "%%%02X", c);
        else
            fputc(c, f);
    }
}

static void put_tally(FILE *f, const tally *t)
{
    fprintf(f, " %zu %zu %zu %zu %llu\n", t->cases, t->musts, t->done,
            t->violations, (unsigned long long)t->sum);
}

pb_status pb_stats_write_partial(const pb_stats *s, FILE *f)
{
    size_t i, k, lines = 4;

    fprintf(f, "%s\nversion %s\n", PARTIAL_MAGIC, s->version);
    fprintf(f, "cases %zu %zu %zu %zu\n", s->ncases, s->unreadable,
            s->resolved, s->first_contact);
    fputs("overall", f);
    put_tally(f, &s->overall);
    for (i = 0; i < s->nprinciples; i++, lines++) {
        fputs("principle", f);
        put_name(f, s->principles[i].id);
        put_name(f, s->principles[i].title);
        put_tally(f, &s->principles[i].t);
    }
    for (i = 0; i < s->nitems; i++, lines++) {
        fputs("item", f);
        put_name(f, s->items[i].ref);
        fprintf(f, " %zu %d", s->items[i].principle, s->items[i].must);
        for (k = 0; k < NSTATES; k++)
            fprintf(f, " %zu", s->items[i].states[k]);
        fputc('\n', f);
    }
    for (i = 0; i < s->ncauses; i++, lines++) {
        fputs("cause", f);
        put_name(f, s->causes[i].name);
        fprintf(f, " %zu %zu %zu\n", s->causes[i].cases,
                s->causes[i].resolved, s->causes[i].first_contact);
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

/* One principle, item or cause line of a partial into s, which it lays
 * out: its principles and items in order. */
static pb_status read_entry(partial *r, pb_stats *s, char **w, int n)
{
    char *name, *title;
    size_t v[2 + NSTATES], k;
    tally t;

    if (strcmp(w[0], "principle") == 0 && n == 8) {
        sprinciple *g;

        if (s->nitems > 0 || name_of(w[1], &name) || name == NULL ||
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
            v[0] >= s->nprinciples || s->ncauses > 0 ||
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
    if (strcmp(w[0], "cause") == 0 && n == 5) {
        if (name_of(w[1], &name) || number(w[2], &v[0]) ||
            number(w[3], &v[1]) || number(w[4], &v[2]))
            return bad(r, "a cause line is malformed");
        if (find_cause(s, name, name ? strlen(name) : 0, &k) != PB_OK)
            return nomem_at(r);
        if (s->causes[k].cases > 0)
            return bad(r, "a root cause listed twice");
        s->causes[k].cases = v[0];
        s->causes[k].resolved = v[1];
        s->causes[k].first_contact = v[2];
        return PB_OK;
    }
    return bad(r, "not a line of a partial (principle, item, cause, end)");
}

/* Whether a partial's counts agree with each other as counting makes
 * them: every case ends each item in one state and has one root cause
 * (or none), a tally counts no more than the cases, its done no more
 * than its musts, its scores at most 1 each.  A
 * crafted partial would otherwise make a report of nonsense. */
static int consistent(const pb_stats *s)
{
    size_t i, k, n;

    if (s->overall.cases != s->ncases || s->resolved > s->ncases ||
        s->first_contact > s->resolved)
        return 0;
    for (i = 0; i <= s->nprinciples; i++) {
        const tally *t = i < s->nprinciples ? &s->principles[i].t
                                            : &s->overall;

        if (t->cases > s->ncases || t->done > t->musts ||
            t->sum > (uint64_t)t->cases * (uint64_t)SCORE_UNIT)
            return 0;
    }
    for (i = 0; i < s->nitems; i++) {
        for (k = n = 0; k < NSTATES; k++)
            n += s->items[i].states[k];
        if (n != s->ncases)
            return 0;
    }
    for (i = n = 0; i < s->ncauses; i++) {
        if (s->causes[i].resolved > s->causes[i].cases ||
            s->causes[i].first_contact > s->causes[i].resolved)
            return 0;
        n += s->causes[i].cases;
    }
    return n == s->ncases;
}

/* A whole partial (buf, len bytes, cut up in place) into a new pb_stats;
 * path names it in errors. */
static pb_status parse_partial(char *buf, size_t len, const char *path,
                               pb_stats **out, pb_error *err)
{
    char *w[4 + NSTATES + 1], *version;
    size_t c[4], lines, nlines = 0;
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
        st = bad(&r, "not a partial of `playbook stats --partial`");
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
    s->none = SIZE_MAX;
    snprintf(s->version, sizeof s->version, "%s", version + 8);
    if (words(&r, w, 5) != 5 || strcmp(w[0], "cases") ||
        number(w[1], &c[0]) || number(w[2], &c[1]) || number(w[3], &c[2]) ||
        number(w[4], &c[3]) || words(&r, w, 6) != 6 ||
        strcmp(w[0], "overall") || read_tally(w + 1, &s->overall)) {
        st = bad(&r, "the counts are malformed");
        goto done;
    }
    s->ncases = c[0];
    s->unreadable = c[1];
    s->resolved = c[2];
    s->first_contact = c[3];
    for (;;) {
        if ((n = words(&r, w, 4 + NSTATES)) < 0) {
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
    size_t i, k;

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
    /* Causes first: the one step that can fail, before any count. */
    for (i = 0; i < t->ncauses; i++)
        if (find_cause(s, t->causes[i].name, t->causes[i].name
                       ? strlen(t->causes[i].name) : 0, &k) != PB_OK)
            return pb__error(err, PB_NOMEM, path, 0, "out of memory");
    for (i = 0; i < t->ncauses; i++) {
        find_cause(s, t->causes[i].name, t->causes[i].name
                   ? strlen(t->causes[i].name) : 0, &k);
        s->causes[k].cases += t->causes[i].cases;
        s->causes[k].resolved += t->causes[i].resolved;
        s->causes[k].first_contact += t->causes[i].first_contact;
    }
    s->ncases += t->ncases;
    s->unreadable += t->unreadable;
    s->resolved += t->resolved;
    s->first_contact += t->first_contact;
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
