/*
 * phrase.c -- phrases of words (phrase.h).
 *
 * A search is one pass over the utterance's words.  At each word it
 * tries every alternative of every place; a place matched there extends
 * the best chain of earlier places that ended at most `gap` words
 * before (the longest chain, then the one starting latest, so the span
 * reported is the tightest).  Only the last gap + few positions are
 * kept, in a ring, so the room is fixed by the phrase, not the text.
 */
#include <stdlib.h>
#include <string.h>

#include "phrase.h"

/* One word of the phrase. */
typedef struct pword {
    uint32_t id;          /* its stem in the lexicon */
    uint32_t fold;        /* its folded form in the pool */
    uint32_t mask;        /* its letters (pb__words_mask) */
    uint16_t fold_len;
    uint8_t typo;         /* matches a word one typo away */
    uint8_t negator;
    uint8_t stop;         /* a function word */
} pword;

/* One alternative of a place: words in a row (a contraction is two). */
typedef struct alt {
    uint32_t first, n;    /* its words in p->words */
} alt;

/* What a word must be for one of a place's alternatives to start on
 * it: one of their first words' ids (as bits, by id % 64), or, where
 * one takes a typo, a word of a length near theirs (and, where only one
 * does, of letters near its). */
typedef struct place_look {
    uint64_t ids;
    uint16_t typo_min, typo_max;   /* 0, 0: no typo taken */
    uint16_t typos;                /* alternatives taking one */
    uint32_t typo_mask;            /* the letters of the first, if one */
} place_look;

struct pb__phrase {
    char *text;
    pword *words;
    size_t nwords;
    alt *alts;
    size_t nalts;
    uint32_t *place;      /* place k's alternatives are alts[place[k] ..
                           * place[k + 1]) */
    size_t nplaces;
    unsigned need;
    int need_given;       /* need was asked for, not all by default */
    unsigned longest;     /* words in its longest alternative */
    int negator_first;    /* its first place is a negator */
    int any_polarity;     /* negated places count too */
    char *pool;           /* the folded forms */
    size_t bytes;
    place_look *look;     /* each place's, to pass over words at once */
};

void pb__phrase_free(pb__phrase *p)
{
    if (p == NULL)
        return;
    free(p->text);
    free(p->words);
    free(p->alts);
    free(p->place);
    free(p->pool);
    free(p->look);
    free(p);
}

void pb__phrase_any_polarity(pb__phrase *p, int any)
{
    p->any_polarity = any;
}

size_t pb__phrase_words(const pb__phrase *p)
{
    return p->nplaces;
}

size_t pb__phrase_bytes(const pb__phrase *p)
{
    return p->bytes;
}

const char *pb__phrase_text(const pb__phrase *p)
{
    return p->text;
}

unsigned pb__phrase_need(const pb__phrase *p)
{
    return p->need == p->nplaces && !p->need_given ? 0 : p->need;
}

/* The word of alternative a a match must have as it is (no typo), or
 * NULL when each of its words may come with one (or that word's stem
 * has no id, which no index can look up). */
static const pword *exact_word(const pb__phrase *p, const alt *a)
{
    size_t k;

    for (k = 0; k < a->n; k++)
        if (!p->words[a->first + k].typo)
            return p->words[a->first + k].id != PB__TERM_NONE
                       ? &p->words[a->first + k] : NULL;
    return NULL;
}

size_t pb__phrase_key(const pb__phrase *p, uint32_t *ids)
{
    size_t j, a, best = p->nplaces, n = 0;
    int best_content = -1;

    if (p->need < p->nplaces)
        return 0;                   /* no place is certain */
    for (j = 0; j < p->nplaces; j++) {
        int content = 1;

        for (a = p->place[j]; a < p->place[j + 1]; a++) {
            const pword *pw = exact_word(p, &p->alts[a]);

            if (pw == NULL)
                break;
            content &= !pw->stop;
        }
        /* a place every alternative of which has an exact word; one of
         * content words first: they are in fewer utterances */
        if (a == p->place[j + 1] && content > best_content) {
            best = j;
            best_content = content;
        }
    }
    if (best == p->nplaces)
        return 0;
    for (a = p->place[best]; a < p->place[best + 1]; a++)
        ids[n++] = exact_word(p, &p->alts[a])->id;
    return n;
}

void pb__scratch_free(pb__scratch *s)
{
    free(s->p);
    s->p = NULL;
    s->size = 0;
}

/* Compiling. */

typedef struct builder {
    pb__phrase *p;
    size_t wcap, acap, pcap, poolcap, poolused;
} builder;

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
    size_t c = *cap ? *cap : 8;
    void *nv;

    if (n <= *cap)
        return 0;
    while (c < n)
        c *= 2;
    if ((nv = realloc(*v, c * size)) == NULL)
        return -1;
    *v = nv;
    *cap = c;
    return 0;
}

/* Adds token i of w as a word of the phrase. */
static int add_word(builder *b, const pb__words *w, size_t i)
{
    pb__phrase *p = b->p;
    const pb__token *t = &w->tok[i];
    size_t flen = t->fold_len;
    pword *pw;

    if (grow((void **)&p->words, &b->wcap, p->nwords + 1, sizeof *pw) != 0 ||
        grow((void **)&p->pool, &b->poolcap, b->poolused + flen + 1, 1) != 0)
        return PB__WORDS_NOMEM;
    pw = &p->words[p->nwords++];
    pw->id = t->id;
    pw->mask = t->mask;
    pw->fold = (uint32_t)b->poolused;
    pw->fold_len = (uint16_t)flen;
    pw->typo = t->letters >= 5 &&
               !(t->flags & (PB__TOK_STOP | PB__TOK_DIGIT | PB__TOK_NEGATOR));
    pw->negator = (t->flags & PB__TOK_NEGATOR) != 0;
    pw->stop = (t->flags & PB__TOK_STOP) != 0;
    memcpy(p->pool + b->poolused, pb__words_fold(w, i), flen + 1);
    b->poolused += flen + 1;
    return 0;
}

static int add_alt(builder *b, size_t first, size_t n)
{
    pb__phrase *p = b->p;

    if (grow((void **)&p->alts, &b->acap, p->nalts + 1, sizeof *p->alts))
        return PB__WORDS_NOMEM;
    p->alts[p->nalts].first = (uint32_t)first;
    p->alts[p->nalts].n = (uint32_t)n;
    p->nalts++;
    if (n > p->longest)
        p->longest = (unsigned)n;
    return 0;
}

/* Closes a place whose alternatives start at alts[from]. */
static int add_place(builder *b, size_t from)
{
    pb__phrase *p = b->p;

    if (grow((void **)&p->place, &b->pcap, p->nplaces + 2,
             sizeof *p->place))
        return PB__WORDS_NOMEM;
    p->place[p->nplaces] = (uint32_t)from;
    p->place[++p->nplaces] = (uint32_t)p->nalts;
    return 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

#define BAD (-3)

int pb__phrase_compile(pb__stemmer *st, pb__lexicon *lx, const char *text,
                       size_t len, unsigned need, size_t *left,
                       pb__phrase **out, const char **why)
{
    builder b = { NULL, 0, 0, 0, 0, 0 };
    pb__words w;
    size_t i = 0, k;
    int r = 0;

    *out = NULL;
    *why = NULL;
    if (len > PB__PHRASE_MAX_BYTES) {
        *why = "is longer than 1024 bytes";
        return BAD;
    }
    if ((b.p = calloc(1, sizeof *b.p)) == NULL ||
        (b.p->text = malloc(len + 1)) == NULL) {
        pb__phrase_free(b.p);
        return PB__WORDS_NOMEM;
    }
    memcpy(b.p->text, text, len);
    b.p->text[len] = '\0';
    pb__words_init(&w);
    while (r == 0 && i < len) {
        size_t g = i, gend, nalts = 0, from = b.p->nalts;

        while (g < len && is_space(text[g]))
            g++;
        for (gend = g; gend < len && !is_space(text[gend]); gend++)
            ;
        i = gend;
        if (g == gend)
            break;
        /* One group: alternatives split at '|'. */
        while (r == 0 && g <= gend) {
            const char *bar = memchr(text + g, '|', gend - g);
            size_t aend = bar ? (size_t)(bar - text) : gend, first;

            r = pb__words_make(&w, st, lx, 1, text + g, aend - g, left);
            if (r == 0 && w.n > 0) {
                if (++nalts > 1 || bar != NULL) {
                    /* A place of several alternatives. */
                    first = b.p->nwords;
                    for (k = 0; r == 0 && k < w.n; k++)
                        r = add_word(&b, &w, k);
                    if (r == 0)
                        r = add_alt(&b, first, w.n);
                } else {
                    /* One alternative: each of its words a place. */
                    for (k = 0; r == 0 && k < w.n; k++) {
                        first = b.p->nwords;
                        r = add_word(&b, &w, k);
                        if (r == 0)
                            r = add_alt(&b, first, 1);
                        if (r == 0 && k + 1 < w.n)
                            r = add_place(&b, b.p->nalts - 1);
                    }
                    from = b.p->nalts - 1;
                }
            }
            g = aend + 1;
        }
        if (r == 0 && b.p->nalts > from)
            r = add_place(&b, from);
        if (r == 0 && (b.p->nplaces > PB__PHRASE_MAX_WORDS ||
                       b.p->nalts > PB__PHRASE_MAX_ALTS)) {
            *why = b.p->nplaces > PB__PHRASE_MAX_WORDS
                       ? "has more than 32 words"
                       : "has more than 256 words and alternatives";
            r = BAD;
        }
    }
    pb__words_free(&w);
    if (r == 0 && b.p->nplaces == 0) {
        *why = "has no words";
        r = BAD;
    }
    if (r == 0 && need > b.p->nplaces) {
        *why = "needs more words than it has";
        r = BAD;
    }
    if (r != 0) {
        pb__phrase_free(b.p);
        return r;
    }
    if ((b.p->look = calloc(b.p->nplaces, sizeof *b.p->look)) == NULL) {
        pb__phrase_free(b.p);
        return PB__WORDS_NOMEM;
    }
    for (k = 0; k < b.p->nplaces; k++) {
        place_look *l = &b.p->look[k];
        size_t a;

        for (a = b.p->place[k]; a < b.p->place[k + 1]; a++) {
            const pword *pw = &b.p->words[b.p->alts[a].first];

            l->ids |= (uint64_t)1 << (pw->id % 64);
            if (!pw->typo)
                continue;
            if (l->typo_max == 0 || pw->fold_len < l->typo_min)
                l->typo_min = pw->fold_len;
            if (pw->fold_len > l->typo_max)
                l->typo_max = pw->fold_len;
            if (l->typos++ == 0)
                l->typo_mask = pw->mask;
        }
    }
    b.p->need = need ? need : (unsigned)b.p->nplaces;
    b.p->need_given = need != 0;
    b.p->negator_first = b.p->words[b.p->alts[0].first].negator;
    for (k = b.p->place[0]; k < b.p->place[1]; k++)
        if (b.p->words[b.p->alts[k].first].negator)
            b.p->negator_first = 1;
    b.p->bytes = sizeof *b.p + len + 1 + b.wcap * sizeof *b.p->words +
                 b.acap * sizeof *b.p->alts + b.pcap * sizeof *b.p->place +
                 b.poolcap + b.p->nplaces * sizeof *b.p->look;
    *out = b.p;
    return 0;
}

/* Searching. */

/* The best chain ending at one word with one place: how many places,
 * where it starts; valid when stamp is that word + 1. */
typedef struct link {
    uint32_t stamp, start;
    uint32_t count;
} link;

/* At most two bits set: two words one typo apart differ in at most two
 * letters. */
static int few_bits(uint32_t x)
{
    x &= x - 1;
    x &= x - 1;
    return x == 0;
}

static int word_hit(const pb__phrase *p, const pword *pw, const pb__words *w,
                    const pb__token *t, size_t *left)
{
    if (t->id == pw->id)
        return 1;
    if (!pw->typo || !pb__words_typo_ok(t) ||
        t->fold_len + 1 < pw->fold_len || t->fold_len > pw->fold_len + 1 ||
        !few_bits(t->mask ^ pw->mask))
        return 0;
    if (pb__work(left, 1 + pw->fold_len / 8) != 0)
        return PB__WORDS_BUDGET;
    return pb__words_typo(p->pool + pw->fold, pw->fold_len,
                          w->pool + t->fold, t->fold_len);
}

/* Whether one of a place's alternatives may start on word t (word_hit's
 * tests, for all of them at once). */
static int may_start(const place_look *l, const pb__token *t)
{
    if ((l->ids >> (t->id % 64)) & 1)
        return 1;
    return l->typo_max > 0 && pb__words_typo_ok(t) &&
           t->fold_len + 1 >= l->typo_min && t->fold_len <= l->typo_max + 1 &&
           (l->typos > 1 || few_bits(t->mask ^ l->typo_mask));
}

/* Whether alternative a is at words i.. of w, within one sentence. */
static int alt_hit(const pb__phrase *p, const alt *a, const pb__words *w,
                   size_t i, size_t *left)
{
    size_t k;
    int r;

    if (i + a->n > w->n)
        return 0;
    for (k = 0; k < a->n; k++) {
        if (k > 0 && w->tok[i + k].sentence != w->tok[i].sentence)
            return 0;
        r = word_hit(p, &p->words[a->first + k], w, &w->tok[i + k], left);
        if (r != 1)
            return r;
    }
    return 1;
}

/* A negator among the 3 words before word i, in its clause. */
static int negated(const pb__words *w, size_t i)
{
    size_t k;

    for (k = i; k > 0 && i - k < 3; k--) {
        if (w->tok[k - 1].clause != w->tok[i].clause)
            return 0;
        if (w->tok[k - 1].flags & PB__TOK_NEGATOR)
            return 1;
    }
    return 0;
}

/* Whether w may have a word one typo from pw: one of a length near its,
 * and, since a typo takes at most one of its letters away, all its
 * letters but one among those of w's words a typo may be in. */
static int typo_possible(const pword *pw, const pb__words *w)
{
    uint32_t missing = pw->mask & ~w->letters;
    unsigned lo = pw->fold_len - 1u, hi = pw->fold_len + 1u;
    uint64_t near;

    if (hi > 63)
        hi = 63;
    if (lo > 63)
        lo = 63;
    near = (~(uint64_t)0 >> (63 - hi)) & (~(uint64_t)0 << lo);
    return (w->lens & near) != 0 && (missing & (missing - 1)) == 0;
}

/* How many places of p may match somewhere in w: a place whose
 * alternatives' first words w has none of, and none of which a word of
 * w may be a typo of, cannot. */
static size_t possible(const pb__phrase *p, const pb__words *w)
{
    size_t j, a, n = 0;

    for (j = 0; j < p->nplaces; j++)
        for (a = p->place[j]; a < p->place[j + 1]; a++) {
            const pword *pw = &p->words[p->alts[a].first];

            if (pb__words_may_have(w, pw->id) ||
                (pw->typo && typo_possible(pw, w))) {
                n++;
                break;
            }
        }
    return n;
}

/* Whether place j may go on at word i from an earlier place's end:
 * one of the places it may follow ended within reach before i (or at i
 * or after it, which a longer alternative can do: then the ring
 * decides). */
static int near(const size_t *last, size_t j, size_t skip, unsigned gap,
                size_t i)
{
    size_t jj;

    for (jj = j > skip + 1 ? j - skip - 1 : 0; jj < j; jj++) {
        if (last[jj] == 0)
            continue;
        if (last[jj] - 1 >= i || i - last[jj] <= gap + (j - jj - 1))
            return 1;
    }
    return 0;
}

/* A phrase of one place ("refund", "I'll"): the first word it is on,
 * not negated, with no chains to keep. */
static int find_one(const pb__phrase *p, const pb__words *w, size_t from,
                    size_t *left, pb__phrase_hit *hit)
{
    size_t i, a;
    int r;

    for (i = from; i < w->n; i++) {
        if (pb__work(left, p->nalts) != 0)
            return PB__WORDS_BUDGET;
        if (!may_start(&p->look[0], &w->tok[i]))
            continue;
        for (a = p->place[0]; a < p->place[1]; a++) {
            if ((r = alt_hit(p, &p->alts[a], w, i, left)) < 0)
                return r;
            if (r == 1 && (p->negator_first || p->any_polarity ||
                           !negated(w, i))) {
                hit->tok_first = i;
                hit->tok_last = i + p->alts[a].n - 1;
                hit->first = w->tok[i].first;
                hit->end = w->tok[hit->tok_last].end;
                return 1;
            }
        }
    }
    return 0;
}

int pb__phrase_find(const pb__phrase *p, const pb__words *w, size_t from,
                    unsigned gap, pb__scratch *scratch, size_t *left,
                    pb__phrase_hit *hit)
{
    size_t np = p->nplaces, skip = np - p->need, back, ring, i, j, a;
    size_t last[PB__PHRASE_MAX_WORDS];   /* each place's last end + 1 */
    link *links;
    int r;

    if (gap > PB__GAP_MAX)
        gap = PB__GAP_MAX;
    back = gap + skip + 1;         /* how far back a chain may continue */
    ring = back + p->longest + 1;
    if (pb__work(left, 1 + w->n / 16) != 0)
        return PB__WORDS_BUDGET;
    if (from >= w->n)
        return 0;
    /* Most phrases are not in most utterances: seen from their words. */
    if (pb__work(left, p->nalts) != 0)
        return PB__WORDS_BUDGET;
    if (possible(p, w) < p->need)
        return 0;
    if (np == 1)
        return find_one(p, w, from, left, hit);
    if (scratch->size < ring * np * sizeof *links) {
        void *v = realloc(scratch->p, ring * np * sizeof *links);

        if (v == NULL)
            return PB__WORDS_NOMEM;
        scratch->p = v;
        scratch->size = ring * np * sizeof *links;
    }
    links = scratch->p;
    memset(links, 0, ring * np * sizeof *links);
    memset(last, 0, np * sizeof *last);
    for (i = from; i < w->n; i++) {
        if (pb__work(left, p->nalts) != 0)
            return PB__WORDS_BUDGET;
        for (j = 0; j < np; j++) {
            /* A later place is tried only where an earlier one ended
             * close enough before to go on from: mostly nowhere. */
            if ((j > skip && !near(last, j, skip, gap, i)) ||
                !may_start(&p->look[j], &w->tok[i]))
                continue;
            for (a = p->place[j]; a < p->place[j + 1]; a++) {
                uint32_t count = 0, start = 0;
                size_t e, k, jj;
                link *l;

                if ((r = alt_hit(p, &p->alts[a], w, i, left)) < 0)
                    return r;
                if (r == 0)
                    continue;
                e = i + p->alts[a].n - 1;
                /* A chain may start here... */
                if (j <= skip && ((j == 0 && p->negator_first) ||
                                  p->any_polarity || !negated(w, i))) {
                    count = 1;
                    start = (uint32_t)i;
                }
                /* ... or go on from one ending a few words before. */
                for (k = i; j > 0 && k > 0 && i - k < back; k--) {
                    size_t pe = k - 1;

                    if (w->tok[pe].sentence != w->tok[i].sentence)
                        break;
                    /* nor across a negator between its words: "I can't
                     * help" is no "i can help" */
                    if (k < i && (w->tok[k].flags & PB__TOK_NEGATOR) &&
                        !p->any_polarity)
                        break;
                    if (pb__work(left, j) != 0)
                        return PB__WORDS_BUDGET;
                    for (jj = j > skip + 1 ? j - skip - 1 : 0; jj < j;
                         jj++) {
                        const link *pl = &links[(pe % ring) * np + jj];

                        if (pl->stamp != pe + 1 ||
                            i - pe - 1 > gap + (j - jj - 1))
                            continue;
                        if (pl->count + 1 > count ||
                            (pl->count + 1 == count && pl->start > start)) {
                            count = pl->count + 1;
                            start = pl->start;
                        }
                    }
                }
                if (count == 0)
                    continue;
                if (count >= p->need) {
                    hit->tok_first = start;
                    hit->tok_last = e;
                    hit->first = w->tok[start].first;
                    hit->end = w->tok[e].end;
                    return 1;
                }
                l = &links[(e % ring) * np + j];
                if (l->stamp != e + 1 || count > l->count ||
                    (count == l->count && start > l->start)) {
                    l->stamp = (uint32_t)(e + 1);
                    l->count = count;
                    l->start = start;
                }
                if (e + 1 > last[j])
                    last[j] = e + 1;
            }
        }
    }
    return 0;
}
