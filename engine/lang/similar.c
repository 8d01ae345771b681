/*
 * similar.c -- closeness to examples (similar.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "similar.h"

/* A term while a document is made: its id, or for one no lexicon knows,
 * its text (a stem, or two for a pair). */
typedef struct raw {
    uint32_t id;
    const char *a, *b;
} raw;

/* The terms of a document as they come, before they are counted. */
typedef struct rawbuf {
    raw *v;
    size_t n, cap;
} rawbuf;

void pb__doc_free(pb__doc *d)
{
    if (d == NULL)
        return;
    free(d->term);
    free(d->tf);
    free(d->w);
    free(d->raw);
    memset(d, 0, sizeof *d);
}

size_t pb__doc_bytes(const pb__doc *d)
{
    return sizeof *d + d->cap * (sizeof *d->term + sizeof *d->tf +
                                 sizeof *d->w) + d->rawcap * sizeof(raw);
}

void pb__doc_compact(pb__doc *d)
{
    free(d->raw);
    d->raw = NULL;
    d->rawcap = 0;
}

static int cmp_raw(const void *x, const void *y)
{
    const raw *a = x, *b = y;
    int r;

    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    if (a->id != PB__TERM_NONE)
        return 0;
    if ((r = strcmp(a->a, b->a)) != 0)
        return r;
    if (a->b == NULL || b->b == NULL)
        return (a->b != NULL) - (b->b != NULL);
    return strcmp(a->b, b->b);
}

static int push(rawbuf *rb, uint32_t id, const char *a, const char *b)
{
    if (rb->n == rb->cap) {
        size_t cap = rb->cap ? rb->cap * 2 : 32;
        raw *v = realloc(rb->v, cap * sizeof *v);

        if (v == NULL)
            return PB__WORDS_NOMEM;
        rb->v = v;
        rb->cap = cap;
    }
    rb->v[rb->n].id = id;
    rb->v[rb->n].a = a;
    rb->v[rb->n].b = b;
    rb->n++;
    return 0;
}

/* Room for n terms in d. */
static int doc_room(pb__doc *d, size_t n)
{
    uint32_t *t;
    double *tf, *w;

    if (n <= d->cap)
        return 0;
    t = realloc(d->term, n * sizeof *t);
    if (t != NULL)
        d->term = t;
    tf = realloc(d->tf, n * sizeof *tf);
    if (tf != NULL)
        d->tf = tf;
    w = realloc(d->w, n * sizeof *w);
    if (w != NULL)
        d->w = w;
    if (t == NULL || tf == NULL || w == NULL)
        return PB__WORDS_NOMEM;
    d->cap = n;
    return 0;
}

static int collect(rawbuf *rb, pb__doc *d, const pb__words *w, size_t from,
                   size_t to, pb__lexicon *lx, int intern, size_t *left)
{
    char key[2 * PB__WORD_MAX + 2];
    size_t i;
    int r;

    for (i = from; i < to; i++) {
        const pb__token *t = &w->tok[i];

        if (pb__work(left, 2) != 0)
            return PB__WORDS_BUDGET;
        if (t->flags & PB__TOK_NEGATOR)
            d->negated = 1;
        if (!(t->flags & (PB__TOK_STOP | PB__TOK_NEGATOR)) &&
            (r = push(rb, t->id, pb__words_stem(w, i), NULL)) != 0)
            return r;
        if (i + 1 < to && w->tok[i + 1].sentence == t->sentence) {
            const char *a = pb__words_stem(w, i);
            const char *b = pb__words_stem(w, i + 1);
            size_t la = strlen(a), lb = strlen(b);
            uint32_t id = PB__TERM_NONE;

            if (intern || (t->id != PB__TERM_NONE &&
                           w->tok[i + 1].id != PB__TERM_NONE)) {
                memcpy(key, a, la);
                key[la] = ' ';
                memcpy(key + la + 1, b, lb + 1);
                id = intern ? pb__lexicon_intern(lx, key)
                            : pb__lexicon_find(lx, key);
                if (intern && id == PB__TERM_NONE)
                    return PB__WORDS_NOMEM;
            }
            if ((r = push(rb, id, a, b)) != 0)
                return r;
        }
    }
    return 0;
}

int pb__doc_make(pb__doc *d, const pb__words *w, size_t from, size_t to,
                 pb__lexicon *lx, int intern, size_t *left)
{
    rawbuf rb = { d->raw, 0, d->rawcap };
    size_t i;
    int r;

    d->n = 0;
    d->norm = 0;
    d->negated = 0;
    if (to > w->n)
        to = w->n;
    r = collect(&rb, d, w, from, to, lx, intern, left);
    if (r == 0 && rb.n > 0) {
        size_t steps = rb.n, lg = 0;

        while ((size_t)1 << lg < rb.n)
            lg++;
        if (pb__work(left, steps * (lg + 1)) != 0)
            r = PB__WORDS_BUDGET;
        else
            qsort(rb.v, rb.n, sizeof *rb.v, cmp_raw);
    }
    if (r == 0)
        r = doc_room(d, rb.n);
    for (i = 0; r == 0 && i < rb.n; i++) {
        double count = rb.v[i].b ? PB__PAIR_WEIGHT : 1;

        if (d->n > 0 && cmp_raw(&rb.v[i - 1], &rb.v[i]) == 0) {
            d->tf[d->n - 1] += count;
            continue;
        }
        d->term[d->n] = rb.v[i].id;
        d->tf[d->n] = count;
        d->w[d->n] = 1;
        d->n++;
    }
    d->raw = rb.v;                    /* kept for the next time */
    d->rawcap = rb.cap;
    return r;
}

/* IDF. */

void pb__idf_free(pb__idf *f)
{
    if (f == NULL)
        return;
    free(f->df);
    free(f->idf);
    memset(f, 0, sizeof *f);
}

int pb__idf_begin(pb__idf *f, size_t nterms)
{
    uint32_t *df = calloc(nterms ? nterms : 1, sizeof *df);
    double *idf = calloc(nterms ? nterms : 1, sizeof *idf);

    if (df == NULL || idf == NULL) {
        free(df);
        free(idf);
        return PB__WORDS_NOMEM;
    }
    pb__idf_free(f);
    f->df = df;
    f->idf = idf;
    f->n = nterms;
    return 0;
}

void pb__idf_add(pb__idf *f, const pb__doc *d)
{
    size_t i;

    for (i = 0; i < d->n; i++)
        if (d->term[i] < f->n)
            f->df[d->term[i]]++;
    f->ndocs++;
}

void pb__idf_end(pb__idf *f)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        f->idf[i] = log(((double)f->ndocs + 1) / ((double)f->df[i] + 1)) + 1;
}

double pb__idf_of(const pb__idf *f, uint32_t id)
{
    if (id < f->n)
        return f->idf[id];
    return log((double)f->ndocs + 1) + 1;
}

void pb__doc_weigh(pb__doc *d, const pb__idf *f)
{
    double sum = 0;
    size_t i;

    for (i = 0; i < d->n; i++) {
        d->w[i] = d->tf[i] * pb__idf_of(f, d->term[i]);
        sum += d->w[i] * d->w[i];
    }
    d->norm = sqrt(sum);
}

/* Cosine of two weighed documents, 0 when their polarity differs. */
static double cosine(const pb__doc *q, const pb__doc *e)
{
    size_t i = 0, k = 0;
    double dot = 0;

    if (q->norm <= 0 || e->norm <= 0 || q->negated != e->negated)
        return 0;
    while (i < q->n && k < e->n && q->term[i] != PB__TERM_NONE &&
           e->term[k] != PB__TERM_NONE) {
        if (q->term[i] == e->term[k])
            dot += q->w[i++] * e->w[k++];
        else if (q->term[i] < e->term[k])
            i++;
        else
            k++;
    }
    dot /= q->norm * e->norm;
    return dot > 1 ? 1 : dot;
}

void pb__query_free(pb__query *q)
{
    size_t i;

    if (q == NULL)
        return;
    for (i = 0; i < q->cap; i++)
        pb__doc_free(&q->docs[i]);
    free(q->docs);
    memset(q, 0, sizeof *q);
}

/* The next document of q, made room for. */
static pb__doc *query_next(pb__query *q)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 4;
        pb__doc *v = realloc(q->docs, cap * sizeof *v);

        if (v == NULL)
            return NULL;
        memset(v + q->cap, 0, (cap - q->cap) * sizeof *v);
        q->docs = v;
        q->cap = cap;
    }
    return &q->docs[q->n++];
}

int pb__query_make(pb__query *q, const pb__words *w, pb__lexicon *lx,
                   int intern, const pb__idf *f, size_t *left)
{
    size_t from = 0, to;
    pb__doc *d;
    int r;

    q->n = 0;
    for (from = 0; from < w->n; from = to) {
        for (to = from + 1;
             to < w->n && w->tok[to].sentence == w->tok[from].sentence;
             to++)
            ;
        if ((d = query_next(q)) == NULL)
            return PB__WORDS_NOMEM;
        if ((r = pb__doc_make(d, w, from, to, lx, intern, left)) != 0)
            return r;
        pb__doc_weigh(d, f);
    }
    if (w->nsentences > 1) {                         /* then the whole */
        if ((d = query_next(q)) == NULL)
            return PB__WORDS_NOMEM;
        if ((r = pb__doc_make(d, w, 0, w->n, lx, intern, left)) != 0)
            return r;
        pb__doc_weigh(d, f);
    }
    return 0;
}

int pb__query_best(const pb__query *q, const pb__doc *docs, size_t ndocs,
                   size_t *left, size_t *index, double *score)
{
    double best = 0;
    size_t i, k;

    *index = 0;
    *score = 0;
    for (i = 0; i < q->n; i++)
        for (k = 0; k < ndocs; k++) {
            double s;

            if (pb__work(left, 1 + (q->docs[i].n + docs[k].n) / 2) != 0)
                return PB__WORDS_BUDGET;
            s = cosine(&q->docs[i], &docs[k]);
            if (s > best) {
                best = s;
                *index = k;
            }
        }
    *score = best;
    return best > 0;
}

int pb__similar_best(const pb__words *w, pb__lexicon *lx, int intern,
                     const pb__idf *f, const pb__doc *docs, size_t ndocs,
                     pb__query *q, size_t *left, size_t *index,
                     double *score)
{
    int r = pb__query_make(q, w, lx, intern, f, left);

    if (r != 0) {
        *index = 0;
        *score = 0;
        return r;
    }
    return pb__query_best(q, docs, ndocs, left, index, score);
}
