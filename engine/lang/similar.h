/*
 * similar.h -- how close an utterance is to example utterances
 * (internal): detectors by example, and text.similar.
 *
 * An utterance and each example are vectors over terms: the stems of
 * their words that are neither function words nor negators, and the
 * pairs of neighbouring stems (all words, function words too: "issued
 * you" says more than "issued"), each pair counting half a word (word
 * order helps, but paraphrases keep the words and change the order: on
 * the measure in docs/authoring.md, halving the pairs took the worst
 * paraphrase from 0.23 to 0.39 and the best non-match from 0.28 to
 * 0.48).  A term weighs its count times its IDF,
 * ln((N + 1) / (df + 1)) + 1, over the N examples of the whole engine
 * (each example one document), so words every example has count for
 * little.  Closeness is the cosine of the two vectors, 0 to 1, and 0
 * when one is negated and the other not ("I have not issued a refund"
 * is not "I have issued you a refund").  Each sentence of the utterance,
 * and the whole of it, is compared with each example; the best wins.
 * Sums run in term order, so the same input always gives the same
 * score.
 */
#ifndef PB_SIMILAR_H
#define PB_SIMILAR_H

#include <stddef.h>
#include <stdint.h>

#include "lexicon.h"
#include "words.h"

/* What a pair of neighbouring stems counts for, a word counting 1. */
#define PB__PAIR_WEIGHT 0.5

/* A document: its terms in id order, with their counts and weights.
 * Zeroed to start; may be made again (its room is kept). */
typedef struct pb__doc {
    uint32_t *term;       /* ids; PB__TERM_NONE for terms no lexicon
                           * knows, after the known ones */
    double *tf;           /* how often: 1 a word, PB__PAIR_WEIGHT a pair */
    double *w;            /* tf times idf, once weighed */
    size_t n, cap;
    double norm;
    int negated;          /* it has a negator */
    void *raw;            /* room for its terms as they come */
    size_t rawcap;
} pb__doc;

void pb__doc_free(pb__doc *d);
/*
 * The terms of words [from, to) of w (whose ids come from lx or a
 * lexicon under it), pairs looked up in lx, or added to it when intern
 * is set.  Terms no lexicon knows are counted apart, by their text, and
 * only weigh in the norm.  0, PB__WORDS_NOMEM or PB__WORDS_BUDGET.
 */
int pb__doc_make(pb__doc *d, const pb__words *w, size_t from, size_t to,
                 pb__lexicon *lx, int intern, size_t *left);
/* Bytes it holds. */
size_t pb__doc_bytes(const pb__doc *d);
/* Frees the room only making it needs, for a document kept long. */
void pb__doc_compact(pb__doc *d);

/* Inverse document frequencies over a set of documents. */
typedef struct pb__idf {
    uint32_t *df;
    double *idf;
    size_t n, ndocs;
} pb__idf;

void pb__idf_free(pb__idf *f);
/* Starts counting over nterms term ids: 0 or PB__WORDS_NOMEM. */
int pb__idf_begin(pb__idf *f, size_t nterms);
void pb__idf_add(pb__idf *f, const pb__doc *d);
void pb__idf_end(pb__idf *f);
/* The IDF of a term (of one no document has: ln(N + 1) + 1). */
double pb__idf_of(const pb__idf *f, uint32_t id);
/* Sets d's weights and norm from f. */
void pb__doc_weigh(pb__doc *d, const pb__idf *f);

/* An utterance as it is compared: each of its sentences and the whole
 * of it, weighed.  Zeroed to start; may be made again. */
typedef struct pb__query {
    pb__doc *docs;
    size_t n, cap;
} pb__query;

void pb__query_free(pb__query *q);
/* q for the words w (lx and intern as for pb__doc_make), weighed with
 * f: 0, PB__WORDS_NOMEM or PB__WORDS_BUDGET. */
int pb__query_make(pb__query *q, const pb__words *w, pb__lexicon *lx,
                   int intern, const pb__idf *f, size_t *left);
/* The example of docs closest to q: 1 with *index and *score (the
 * first example of the best score), 0 when none is above 0, or
 * PB__WORDS_BUDGET. */
int pb__query_best(const pb__query *q, const pb__doc *docs, size_t ndocs,
                   size_t *left, size_t *index, double *score);

/*
 * The example of docs (weighed) closest to w: for each sentence of w
 * and the whole of it, its cosine with each example.  1 with *index and
 * *score (the first example of the best score), 0 when none is above 0,
 * or PB__WORDS_NOMEM or PB__WORDS_BUDGET.  q is the caller's room for
 * the utterance's vectors (pb__query_make, then pb__query_best).
 */
int pb__similar_best(const pb__words *w, pb__lexicon *lx, int intern,
                     const pb__idf *f, const pb__doc *docs, size_t ndocs,
                     pb__query *q, size_t *left, size_t *index,
                     double *score);

#endif
