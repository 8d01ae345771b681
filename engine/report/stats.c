/*
 * stats.c -- team statistics over many cases: adherence per principle and
 * item, most-missed musts, violations, resolution and root causes.
 *
 * Streaming: a case is reduced to counters when it is added and never
 * kept, so ten thousand cases cost what one does, plus one entry per
 * distinct root cause.  No event time is read at all: speed is not a
 * quality measure (docs/stats.md).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "html.h"
#include "jsonw.h"
#include "playbook.h"
#include "report.h"
#include "text.h"

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
    size_t len, cases, resolved, first_contact;
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
    size_t *slots;      /* open addressing over causes: index + 1 */
    size_t nslots;
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
    free(s->slots);
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

/* Root causes: a small hash table (FNV-1a) over the distinct names. */

static size_t hash(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037u;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211u;
    }
    return (size_t)h;
}

static pb_status grow_slots(pb_stats *s)
{
    size_t n = s->nslots ? s->nslots * 2 : 64, i, k;
    size_t *v = calloc(n, sizeof *v);

    if (v == NULL)
        return PB_NOMEM;
    for (i = 0; i < s->ncauses; i++) {
        if (s->causes[i].name == NULL)
            continue;
        k = hash(s->causes[i].name, s->causes[i].len) & (n - 1);
        while (v[k])
            k = (k + 1) & (n - 1);
        v[k] = i + 1;
    }
    free(s->slots);
    s->slots = v;
    s->nslots = n;
    return PB_OK;
}

static pb_status push_cause(pb_stats *s, const char *name, size_t len)
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
    if (name) {
        if ((c->name = malloc(len + 1)) == NULL)
            return PB_NOMEM;
        memcpy(c->name, name, len);
        c->name[len] = '\0';
        c->len = len;
    }
    s->ncauses++;
    return PB_OK;
}

/* Index of the entry for a root cause (NULL: none), added when new. */
static pb_status find_cause(pb_stats *s, const char *name, size_t len,
                            size_t *out)
{
    size_t k;

    if (name == NULL) {
        if (s->none == SIZE_MAX) {
            if (push_cause(s, NULL, 0) != PB_OK)
                return PB_NOMEM;
            s->none = s->ncauses - 1;
        }
        *out = s->none;
        return PB_OK;
    }
    if ((s->ncauses + 1) * 2 > s->nslots && grow_slots(s) != PB_OK)
        return PB_NOMEM;
    k = hash(name, len) & (s->nslots - 1);
    for (; s->slots[k]; k = (k + 1) & (s->nslots - 1)) {
        const cause *c = &s->causes[s->slots[k] - 1];

        if (c->name && c->len == len && memcmp(c->name, name, len) == 0) {
            *out = s->slots[k] - 1;
            return PB_OK;
        }
    }
    if (push_cause(s, name, len) != PB_OK)
        return PB_NOMEM;
    s->slots[k] = s->ncauses;
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

/* The rule of pb_case_score (evaluate.c), once over summed counts. */
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

/* Text: tables for a team lead. */

#define NAME_MAX_COLS 40 /* longer names are cut, with "..." */

typedef struct out {
    FILE *f;
    int color;
} out;

/* "36.4%", or "-" when there is nothing to divide by. */
static const char *pct(char *buf, size_t size, size_t num, size_t den)
{
    if (den == 0)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.1f%%", 100.0 * (double)num / (double)den);
    return buf;
}

static const char *fixed2(char *buf, size_t size, double v, size_t cases)
{
    if (cases == 0)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.2f", v);
    return buf;
}

/* Names and root causes (free text from case files) are written through
 * text.c, so they cannot drive the terminal; widths are in columns. */
static size_t cell_width(const char *s)
{
    return pb__text_width(s, strlen(s), 0);
}

/* A name in a column of width cols, padded, cut with "..." when longer. */
static void name_cell(FILE *f, const char *s, size_t cols)
{
    size_t w = pb__text_write(f, s, strlen(s), cols, 0);

    for (; w < cols; w++)
        fputc(' ', f);
}

static void title(const out *o, const char *t)
{
    fputc('\n', o->f);
    if (o->color)
        fputs(PB__C_BOLD, o->f);
    fputs(t, o->f);
    if (o->color)
        fputs(PB__C_RESET, o->f);
    fputc('\n', o->f);
}

static void text_overall(const out *o, const pb_stats *s)
{
    pb_stats_info in;
    char a[16], b[16], p[16];

    pb_stats_overall(s, &in);
    if (o->color)
        fputs(PB__C_BOLD, o->f);
    fprintf(o->f, "Team statistics: %zu case%s\n", in.cases,
            in.cases == 1 ? "" : "s");
    if (o->color)
        fputs(PB__C_RESET, o->f);
    if (in.unreadable)
        fprintf(o->f, "  %zu more file%s could not be read or replayed and "
                "%s not counted\n", in.unreadable,
                in.unreadable == 1 ? "" : "s",
                in.unreadable == 1 ? "is" : "are");
    title(o, "Overall");
    fprintf(o->f, "  mean score             %6s\n",
            fixed2(a, sizeof a, in.score.mean, in.cases));
    fprintf(o->f, "  pooled score           %6s  (%zu of %zu musts done, "
            "%zu violation%s)\n",
            fixed2(b, sizeof b, in.score.pooled, in.cases), in.score.done,
            in.score.musts, in.score.violations,
            in.score.violations == 1 ? "" : "s");
    fprintf(o->f, "  resolved               %6s  (%zu of %zu cases)\n",
            pct(p, sizeof p, in.resolved, in.cases), in.resolved, in.cases);
    fprintf(o->f, "  first-contact resolved %6s  (%zu of %zu cases)\n",
            pct(p, sizeof p, in.first_contact, in.cases), in.first_contact,
            in.cases);
}

static size_t cause_cols(const pb_stats *s)
{
    size_t i, w = 10, n; /* "root cause" */

    for (i = 0; i < s->ncauses; i++) {
        n = s->causes[i].name ? cell_width(s->causes[i].name)
                              : 6;
        if (n > w)
            w = n;
    }
    return w > NAME_MAX_COLS ? NAME_MAX_COLS : w;
}

static size_t item_cols(const pb_stats *s)
{
    size_t i, w = 4, n;

    for (i = 0; i < s->nitems; i++)
        if ((n = cell_width(s->items[i].ref)) > w)
            w = n;
    return w > NAME_MAX_COLS ? NAME_MAX_COLS : w;
}

static pb_status text_causes(const out *o, const pb_stats *s)
{
    size_t *rank = malloc((s->ncauses + 1) * sizeof *rank);
    size_t i, n, w = cause_cols(s);
    char a[16], b[16], c[16];

    if (rank == NULL)
        return PB_NOMEM;
    title(o, "Root causes (what brought the customers to us)");
    n = pb_stats_rank_causes(s, rank);
    if (n == 0)
        fputs("  no cases\n", o->f);
    else {
        fputs("  ", o->f);
        name_cell(o->f, "root cause", w);
        fputs("  cases   share    resolved   first contact\n", o->f);
    }
    for (i = 0; i < n; i++) {
        const cause *k = &s->causes[rank[i]];

        fputs("  ", o->f);
        name_cell(o->f, k->name ? k->name : "(none)", w);
        fprintf(o->f, "  %5zu  %6s  %3zu %6s  %7zu %6s\n", k->cases,
                pct(a, sizeof a, k->cases, s->ncases), k->resolved,
                pct(b, sizeof b, k->resolved, k->cases), k->first_contact,
                pct(c, sizeof c, k->first_contact, k->cases));
    }
    free(rank);
    return PB_OK;
}

static void text_principles(const out *o, const pb_stats *s)
{
    pb_stats_principle_info pi;
    size_t i, w = 9; /* "principle" */
    char a[16], b[16], c[32];

    for (i = 0; i < s->nprinciples; i++)
        if (cell_width(s->principles[i].id) > w)
            w = cell_width(s->principles[i].id);
    if (w > NAME_MAX_COLS)
        w = NAME_MAX_COLS;
    title(o, "Adherence by principle (over the cases where it applied)");
    fputs("  ", o->f);
    name_cell(o->f, "principle", w);
    fputs("  cases   mean  pooled   musts done  violations\n", o->f);
    for (i = 0; i < s->nprinciples; i++) {
        pb_stats_principle(s, i, &pi);
        snprintf(c, sizeof c, "%zu of %zu", pi.score.done, pi.score.musts);
        fputs("  ", o->f);
        name_cell(o->f, pi.id, w);
        fprintf(o->f, "  %5zu  %5s  %6s  %11s  %10zu\n", pi.score.cases,
                fixed2(a, sizeof a, pi.score.mean, pi.score.cases),
                fixed2(b, sizeof b, pi.score.pooled, pi.score.cases), c,
                pi.score.violations);
    }
}

static void text_items(const out *o, const pb_stats *s)
{
    pb_stats_item_info it;
    size_t i, w = item_cols(s);
    char a[16];

    title(o, "Adherence by item (cases where it applied, by state at "
             "the end)");
    fputs("  ", o->f);
    name_cell(o->f, "item", w);
    fputs("  must applied done open wait skip viol  err  done%\n", o->f);
    for (i = 0; i < s->nitems; i++) {
        pb_stats_item(s, i, &it);
        fputs("  ", o->f);
        name_cell(o->f, it.ref, w);
        fprintf(o->f, "  %4s %7zu %4zu %4zu %4zu %4zu %4zu %4zu %6s\n",
                it.must ? "must" : "", it.applied, it.states[PB_DONE],
                it.states[PB_OPEN], it.states[PB_WAITING],
                it.states[PB_SKIPPED], it.states[PB_VIOLATED],
                it.states[PB_ERROR],
                pct(a, sizeof a, it.states[PB_DONE], it.applied));
    }
}

/* Most-missed musts and violations: the same table over two rankings. */
static pb_status text_ranked(const out *o, const pb_stats *s, int missed_list)
{
    size_t *rank = malloc((s->nitems + 1) * sizeof *rank);
    size_t i, n, w = item_cols(s);
    pb_stats_item_info it;
    char a[16];

    if (rank == NULL)
        return PB_NOMEM;
    if (missed_list) {
        title(o, "Most-missed musts (applied, not done at the end: open, "
                 "waiting or violated)");
        n = pb_stats_rank_missed(s, rank);
    } else {
        title(o, "Violations (cases where the item ended violated)");
        n = pb_stats_rank_violations(s, rank);
    }
    if (n == 0)
        fprintf(o->f, "  none\n");
    else {
        fputs("  ", o->f);
        name_cell(o->f, "item", w);
        fprintf(o->f, "  %6s  of applied   share\n",
                missed_list ? "missed" : "cases");
    }
    for (i = 0; i < n; i++) {
        size_t k;

        pb_stats_item(s, rank[i], &it);
        k = missed_list ? it.missed : it.states[PB_VIOLATED];
        fputs("  ", o->f);
        name_cell(o->f, it.ref, w);
        fprintf(o->f, "  %6zu  %10zu  %6s\n", k, it.applied,
                pct(a, sizeof a, k, it.applied));
    }
    free(rank);
    return PB_OK;
}

static pb_status render_text(const pb_stats *s, FILE *f, unsigned flags)
{
    out o = { f, (flags & PB_RENDER_COLOR) != 0 };

    text_overall(&o, s);
    if (text_causes(&o, s) != PB_OK)
        return PB_NOMEM;
    text_principles(&o, s);
    if (text_ranked(&o, s, 1) != PB_OK || text_ranked(&o, s, 0) != PB_OK)
        return PB_NOMEM;
    text_items(&o, s);
    return PB_OK;
}

/* JSON: field names documented in docs/stats.md. */

/* A ratio, or null when there is nothing to divide by. */
static void json_rate(pb__json *j, const char *key, size_t num, size_t den)
{
    pb__json_key(j, key);
    if (den == 0)
        pb__json_str(j, NULL);
    else
        pb__json_num(j, (double)num / (double)den);
}

static void json_score(pb__json *j, const pb_stats_score *sc)
{
    pb__json_kint(j, "cases", (long)sc->cases);
    pb__json_key(j, "mean");
    if (sc->cases)
        pb__json_num(j, sc->mean);
    else
        pb__json_str(j, NULL);
    pb__json_key(j, "pooled");
    if (sc->cases)
        pb__json_num(j, sc->pooled);
    else
        pb__json_str(j, NULL);
    pb__json_kint(j, "musts", (long)sc->musts);
    pb__json_kint(j, "done", (long)sc->done);
    pb__json_kint(j, "violations", (long)sc->violations);
}

static void json_items(pb__json *j, const pb_stats *s)
{
    pb_stats_item_info it;
    size_t i, k;

    pb__json_key(j, "items");
    pb__json_open(j, '[');
    for (i = 0; i < s->nitems; i++) {
        pb_stats_item(s, i, &it);
        pb__json_open(j, '{');
        pb__json_kstr(j, "ref", it.ref);
        pb__json_kstr(j, "principle", it.principle);
        pb__json_kstr(j, "item", it.id);
        pb__json_kbool(j, "must", it.must);
        pb__json_kint(j, "applied", (long)it.applied);
        for (k = PB_ABSENT + 1; k < NSTATES; k++)
            pb__json_kint(j, pb_state_name((pb_state)k),
                          (long)it.states[k]);
        pb__json_kint(j, "missed", (long)it.missed);
        pb__json_close(j, '}');
    }
    pb__json_close(j, ']');
}

static void json_ranked(pb__json *j, const pb_stats *s, const size_t *rank,
                        size_t n, int missed_list)
{
    pb_stats_item_info it;
    size_t i, k;

    pb__json_key(j, missed_list ? "most_missed" : "violations");
    pb__json_open(j, '[');
    for (i = 0; i < n; i++) {
        pb_stats_item(s, rank[i], &it);
        k = missed_list ? it.missed : it.states[PB_VIOLATED];
        pb__json_open(j, '{');
        pb__json_kstr(j, "ref", it.ref);
        pb__json_kint(j, missed_list ? "missed" : "cases", (long)k);
        pb__json_kint(j, "applied", (long)it.applied);
        json_rate(j, "share", k, it.applied);
        pb__json_close(j, '}');
    }
    pb__json_close(j, ']');
}

static pb_status render_json(const pb_stats *s, FILE *f)
{
    size_t n = s->nitems > s->ncauses ? s->nitems : s->ncauses;
    size_t *rank = malloc((n + 1) * sizeof *rank);
    pb_stats_principle_info pi;
    pb_stats_info in;
    size_t i;
    pb__json j;

    if (rank == NULL)
        return PB_NOMEM;
    pb_stats_overall(s, &in);
    pb__json_init(&j, f);
    pb__json_open(&j, '{');
    pb__json_kstr(&j, "playbook", PB_VERSION);
    pb__json_kint(&j, "cases", (long)in.cases);
    pb__json_kint(&j, "unreadable", (long)in.unreadable);
    pb__json_key(&j, "score");
    pb__json_open(&j, '{');
    json_score(&j, &in.score);
    pb__json_close(&j, '}');
    pb__json_key(&j, "resolution");
    pb__json_open(&j, '{');
    pb__json_kint(&j, "resolved", (long)in.resolved);
    json_rate(&j, "resolved_rate", in.resolved, in.cases);
    pb__json_kint(&j, "first_contact", (long)in.first_contact);
    json_rate(&j, "first_contact_rate", in.first_contact, in.cases);
    pb__json_close(&j, '}');
    pb__json_key(&j, "root_causes");
    pb__json_open(&j, '[');
    n = pb_stats_rank_causes(s, rank);
    for (i = 0; i < n; i++) {
        const cause *k = &s->causes[rank[i]];

        pb__json_open(&j, '{');
        pb__json_kstr(&j, "root_cause", k->name);
        pb__json_kint(&j, "cases", (long)k->cases);
        json_rate(&j, "share", k->cases, s->ncases);
        pb__json_kint(&j, "resolved", (long)k->resolved);
        json_rate(&j, "resolved_rate", k->resolved, k->cases);
        pb__json_kint(&j, "first_contact", (long)k->first_contact);
        json_rate(&j, "first_contact_rate", k->first_contact, k->cases);
        pb__json_close(&j, '}');
    }
    pb__json_close(&j, ']');
    pb__json_key(&j, "principles");
    pb__json_open(&j, '[');
    for (i = 0; i < s->nprinciples; i++) {
        pb_stats_principle(s, i, &pi);
        pb__json_open(&j, '{');
        pb__json_kstr(&j, "id", pi.id);
        pb__json_kstr(&j, "title", pi.title);
        json_score(&j, &pi.score);
        pb__json_close(&j, '}');
    }
    pb__json_close(&j, ']');
    n = pb_stats_rank_missed(s, rank);
    json_ranked(&j, s, rank, n, 1);
    n = pb_stats_rank_violations(s, rank);
    json_ranked(&j, s, rank, n, 0);
    json_items(&j, s);
    pb__json_close(&j, '}');
    fputc('\n', f);
    free(rank);
    return PB_OK;
}

/* HTML: one self-contained page (html.h escapes every string). */

static void html_pct(pb__html *h, size_t num, size_t den)
{
    char a[16];

    pb__html_elem(h, "td", "num", pct(a, sizeof a, num, den));
}

static void html_count(pb__html *h, size_t n)
{
    pb__html_start(h, "td", "num");
    pb__html_textf(h, "%zu", n);
    pb__html_end(h);
}

/* A score or rate as a bar and a figure; red below one half, amber
 * below 0.8, so the eye finds the weak spots. */
static void html_meter(pb__html *h, double v, int defined, const char *fig)
{
    pb__html_start(h, "td", "num");
    if (defined) {
        pb__html_start(h, "span", "meter");
        pb__html_start(h, "span", v < 0.5 ? "fill low"
                                  : v < 0.8 ? "fill mid" : "fill");
        pb__html_attrf(h, "style", "width:%.0f%%", v * 100);
        pb__html_end(h);
        pb__html_end(h);
    }
    pb__html_text(h, fig);
    pb__html_end(h);
}

static void html_rate(pb__html *h, size_t num, size_t den)
{
    char a[16];

    html_meter(h, den ? (double)num / (double)den : 0, den != 0,
               pct(a, sizeof a, num, den));
}

static void html_head(pb__html *h, const char *const *cols, size_t n)
{
    size_t i;

    pb__html_start(h, "thead", NULL);
    pb__html_start(h, "tr", NULL);
    for (i = 0; i < n; i++)
        pb__html_elem(h, "th", i > 0 ? "num" : NULL, cols[i]);
    pb__html_end(h);
    pb__html_end(h);
}

static void html_figure(pb__html *h, const char *label, const char *value,
                        const char *note)
{
    pb__html_start(h, "div", "card cell");
    pb__html_elem(h, "div", "muted small", label);
    pb__html_elem(h, "div", "big", value);
    pb__html_elem(h, "div", "muted small", note);
    pb__html_end(h);
}

static void html_overall(pb__html *h, const pb_stats *s)
{
    pb_stats_info in;
    char a[32], b[96], p[16];

    pb_stats_overall(s, &in);
    pb__html_elem(h, "h1", NULL, "Team statistics");
    pb__html_start(h, "p", "muted");
    pb__html_textf(h, "%zu case%s replayed through the principles.",
                   in.cases, in.cases == 1 ? "" : "s");
    if (in.unreadable)
        pb__html_textf(h, " %zu more file%s could not be read or "
                       "replayed and %s not counted.", in.unreadable,
                       in.unreadable == 1 ? "" : "s",
                       in.unreadable == 1 ? "is" : "are");
    pb__html_end(h);
    pb__html_start(h, "div", "grid");
    snprintf(b, sizeof b, "%zu of %zu cases", in.resolved, in.cases);
    html_figure(h, "Resolved", pct(a, sizeof a, in.resolved, in.cases), b);
    snprintf(b, sizeof b, "%zu of %zu cases", in.first_contact, in.cases);
    html_figure(h, "First-contact resolution",
                pct(a, sizeof a, in.first_contact, in.cases), b);
    snprintf(b, sizeof b, "pooled %s; %zu of %zu musts done, %zu "
             "violation%s", fixed2(p, sizeof p, in.score.pooled, in.cases),
             in.score.done, in.score.musts, in.score.violations,
             in.score.violations == 1 ? "" : "s");
    html_figure(h, "Mean adherence score",
                fixed2(a, sizeof a, in.score.mean, in.cases), b);
    pb__html_end(h);
}

static pb_status html_causes(pb__html *h, const pb_stats *s)
{
    static const char *const cols[] = { "Root cause", "Cases", "Share",
                                        "Resolved", "First contact" };
    size_t *rank = malloc((s->ncauses + 1) * sizeof *rank);
    size_t i, n;

    if (rank == NULL)
        return PB_NOMEM;
    pb__html_start(h, "div", "card");
    pb__html_elem(h, "h2", NULL, "Root causes");
    pb__html_elem(h, "p", "muted", "The operational failures behind the "
                  "contacts (fact root_cause as each case ended): fix the "
                  "system, not the symptom.");
    n = pb_stats_rank_causes(s, rank);
    pb__html_start(h, "table", NULL);
    html_head(h, cols, sizeof cols / sizeof *cols);
    pb__html_start(h, "tbody", NULL);
    for (i = 0; i < n; i++) {
        const cause *k = &s->causes[rank[i]];

        pb__html_start(h, "tr", NULL);
        if (k->name)
            pb__html_elem(h, "td", "mono", k->name);
        else
            pb__html_elem(h, "td", "muted", "(none)");
        html_count(h, k->cases);
        html_pct(h, k->cases, s->ncases);
        html_rate(h, k->resolved, k->cases);
        html_rate(h, k->first_contact, k->cases);
        pb__html_end(h);
    }
    pb__html_end(h); /* tbody */
    pb__html_end(h); /* table */
    pb__html_end(h); /* card */
    free(rank);
    return PB_OK;
}

static void html_principles(pb__html *h, const pb_stats *s)
{
    static const char *const cols[] = { "Principle", "Cases", "Mean score",
                                        "Pooled", "Musts done",
                                        "Violations" };
    pb_stats_principle_info pi;
    char a[16], b[16];
    size_t i;

    pb__html_start(h, "div", "card");
    pb__html_elem(h, "h2", NULL, "Adherence by principle");
    pb__html_elem(h, "p", "muted", "Over the cases where the principle "
                  "applied.");
    pb__html_start(h, "table", NULL);
    html_head(h, cols, sizeof cols / sizeof *cols);
    pb__html_start(h, "tbody", NULL);
    for (i = 0; i < s->nprinciples; i++) {
        pb_stats_principle(s, i, &pi);
        pb__html_start(h, "tr", NULL);
        pb__html_start(h, "td", NULL);
        pb__html_elem(h, "b", "mono", pi.id);
        pb__html_text(h, " ");
        pb__html_elem(h, "span", "muted small", pi.title);
        pb__html_end(h);
        html_count(h, pi.score.cases);
        html_meter(h, pi.score.mean, pi.score.cases != 0,
                   fixed2(a, sizeof a, pi.score.mean, pi.score.cases));
        pb__html_elem(h, "td", "num",
                      fixed2(b, sizeof b, pi.score.pooled, pi.score.cases));
        pb__html_start(h, "td", "num");
        pb__html_textf(h, "%zu of %zu", pi.score.done, pi.score.musts);
        pb__html_end(h);
        html_count(h, pi.score.violations);
        pb__html_end(h);
    }
    pb__html_end(h);
    pb__html_end(h);
    pb__html_end(h);
}

static pb_status html_ranked(pb__html *h, const pb_stats *s, int missed_list)
{
    static const char *const mcols[] = { "Must item", "Missed",
                                         "Of applied", "Share" };
    static const char *const vcols[] = { "Item", "Violated in",
                                         "Of applied", "Share" };
    size_t *rank = malloc((s->nitems + 1) * sizeof *rank);
    pb_stats_item_info it;
    size_t i, n, k;

    if (rank == NULL)
        return PB_NOMEM;
    pb__html_start(h, "div", "card");
    if (missed_list) {
        pb__html_elem(h, "h2", NULL, "Most-missed musts");
        pb__html_elem(h, "p", "muted", "Musts that applied but were not "
                      "done at the end (open, waiting or violated).");
        n = pb_stats_rank_missed(s, rank);
    } else {
        pb__html_elem(h, "h2", NULL, "Violations");
        pb__html_elem(h, "p", "muted", "Cases where the item ended "
                      "violated.");
        n = pb_stats_rank_violations(s, rank);
    }
    if (n == 0)
        pb__html_elem(h, "p", NULL, "None.");
    else {
        pb__html_start(h, "table", NULL);
        html_head(h, missed_list ? mcols : vcols, 4);
        pb__html_start(h, "tbody", NULL);
    }
    for (i = 0; i < n; i++) {
        pb_stats_item(s, rank[i], &it);
        k = missed_list ? it.missed : it.states[PB_VIOLATED];
        pb__html_start(h, "tr", NULL);
        pb__html_elem(h, "td", "mono", it.ref);
        html_count(h, k);
        html_count(h, it.applied);
        html_pct(h, k, it.applied);
        pb__html_end(h);
    }
    if (n > 0) {
        pb__html_end(h);
        pb__html_end(h);
    }
    pb__html_end(h);
    free(rank);
    return PB_OK;
}

static void html_items(pb__html *h, const pb_stats *s)
{
    static const char *const cols[] = { "Item", "Applied", "Done", "Open",
                                        "Waiting", "Skipped", "Violated",
                                        "Error", "Done %" };
    /* The state columns, in the order of the header. */
    static const pb_state order[] = { PB_DONE, PB_OPEN, PB_WAITING,
                                      PB_SKIPPED, PB_VIOLATED, PB_ERROR };
    pb_stats_item_info it;
    size_t i, k;

    pb__html_start(h, "div", "card");
    pb__html_elem(h, "h2", NULL, "Adherence by item");
    pb__html_elem(h, "p", "muted", "Cases where the item applied, by its "
                  "state at the end.");
    pb__html_start(h, "table", "compact");
    html_head(h, cols, sizeof cols / sizeof *cols);
    pb__html_start(h, "tbody", NULL);
    for (i = 0; i < s->nitems; i++) {
        pb_stats_item(s, i, &it);
        pb__html_start(h, "tr", NULL);
        pb__html_start(h, "td", NULL);
        pb__html_elem(h, "span", "mono", it.ref);
        if (it.must) {
            pb__html_text(h, " ");
            pb__html_elem(h, "span", "badge", "must");
        }
        pb__html_end(h);
        html_count(h, it.applied);
        for (k = 0; k < sizeof order / sizeof *order; k++) {
            pb_state st = order[k];
            int look = it.states[st] > 0 && st != PB_DONE;
            char cls[32];

            /* Colour only what needs a look: anything but done. */
            snprintf(cls, sizeof cls, "num%s%s", look ? " " : "",
                     look ? pb_state_name(st) : "");
            pb__html_start(h, "td", cls);
            pb__html_textf(h, "%zu", it.states[st]);
            pb__html_end(h);
        }
        html_rate(h, it.states[PB_DONE], it.applied);
        pb__html_end(h);
    }
    pb__html_end(h);
    pb__html_end(h);
    pb__html_end(h);
}

static pb_status render_html(const pb_stats *s, FILE *f)
{
    pb__html *h = pb__html_page(f, "Team statistics - Playbook");
    pb_status st = PB_OK;

    if (h == NULL)
        return PB_NOMEM;
    pb__html_start(h, "div", "page");
    html_overall(h, s);
    if (html_causes(h, s) != PB_OK)
        st = PB_NOMEM;
    html_principles(h, s);
    if (st == PB_OK && (html_ranked(h, s, 1) != PB_OK ||
                        html_ranked(h, s, 0) != PB_OK))
        st = PB_NOMEM;
    html_items(h, s);
    pb__html_start(h, "footer", NULL);
    pb__html_textf(h, "playbook %s. No durations or handle times: quality "
                   "is resolution and principle adherence, never speed.",
                   PB_VERSION);
    pb__html_end(h);
    if (pb__html_finish(h) != PB_OK && st == PB_OK)
        st = PB_IO;
    return st;
}

pb_status pb_stats_render(const pb_stats *s, FILE *f, pb_format fmt,
                          unsigned flags)
{
    pb_status st;

    switch (fmt) {
    case PB_FORMAT_TEXT:
        st = render_text(s, f, flags);
        break;
    case PB_FORMAT_JSON:
        st = render_json(s, f);
        break;
    case PB_FORMAT_HTML:
        return render_html(s, f);
    default:
        return PB_INPUT;
    }
    if (st != PB_OK)
        return st;
    return fflush(f) == 0 && !ferror(f) ? PB_OK : PB_IO;
}
