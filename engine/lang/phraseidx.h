/*
 * phraseidx.h -- which phrases of a list may be in an utterance
 * (internal).
 *
 * A list of phrases is searched for the first one found, in list order
 * (a detector's `words`, a list given to text.has).  Most of a list's
 * phrases are not in most utterances, and each phrase's key
 * (pb__phrase_key) says so at once: the index maps each key's stem ids
 * to the phrases keyed on them, so an utterance of a dozen words marks
 * its few candidates, and only those are searched.  Phrases with no key
 * are always candidates.  The candidates are a superset of the phrases
 * found: the answer is the same as searching every phrase, in order.
 */
#ifndef PB_PHRASEIDX_H
#define PB_PHRASEIDX_H

#include <stddef.h>
#include <stdint.h>

#include "phrase.h"
#include "words.h"

typedef struct pb__phraseidx pb__phraseidx;

/* The index of ph[0..n) (which it does not own, nor keep: only their
 * keys), or NULL when out of memory. */
pb__phraseidx *pb__phraseidx_new(pb__phrase *const *ph, size_t n);
void pb__phraseidx_free(pb__phraseidx *ix);
size_t pb__phraseidx_bytes(const pb__phraseidx *ix);

/* The candidates for w, as bits (bit i: phrase i) in *bits, grown as
 * needed; charged one step per word of w and per candidate to left (may
 * be NULL).  0, PB__WORDS_NOMEM or PB__WORDS_BUDGET. */
int pb__phraseidx_mark(const pb__phraseidx *ix, const pb__words *w,
                       pb__scratch *bits, size_t *left);

/* The first candidate at i or after it, or n when none is left. */
size_t pb__phraseidx_next(const pb__phraseidx *ix, const pb__scratch *bits,
                          size_t i);

#endif
