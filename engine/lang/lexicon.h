/*
 * lexicon.h -- the terms an engine's phrases and examples use, by id
 * (internal): stems ("refund") and stem pairs ("issu refund").
 *
 * Matching compares ids, not strings: a word of an utterance is looked
 * up once, when the utterance is cut into words (words.h), and every
 * phrase and example then compares numbers.  Ids are handed out in the
 * order terms come and never change, so what was compiled against a
 * lexicon stays valid while it grows.
 *
 * A lexicon may sit on a parent: it finds the parent's terms under the
 * parent's ids and adds new ones of its own after them.  The `text`
 * library gives each call such a lexicon on the engine's, so a call may
 * name words no principle declared without the engine's growing.
 */
#ifndef PB_LEXICON_H
#define PB_LEXICON_H

#include <stddef.h>
#include <stdint.h>

#include "index.h"

/* No term: a word no phrase or example of the engine uses. */
#define PB__TERM_NONE UINT32_MAX

/* Terms a lexicon takes (with its parent's): past it, interning gives
 * PB__TERM_NONE, as if out of memory. */
#define PB__LEXICON_MAX (1u << 22)

typedef struct pb__lexicon {
    const struct pb__lexicon *parent;
    uint32_t base;      /* the first id of this one: the parent's size */
    char *pool;         /* the terms, each with its NUL */
    size_t used, size;
    size_t *off;        /* where each term starts in pool */
    size_t n, cap;
    pb__index ix;
} pb__lexicon;

/* An empty lexicon on parent (NULL for none); the parent must not grow
 * while this one is in use. */
void pb__lexicon_init(pb__lexicon *lx, const pb__lexicon *parent);
void pb__lexicon_free(pb__lexicon *lx);

/* The id of term s (NUL-terminated) here or in a parent, or
 * PB__TERM_NONE. */
uint32_t pb__lexicon_find(const pb__lexicon *lx, const char *s);
/* The same, adding s when it is not there: PB__TERM_NONE only when out
 * of memory or past PB__LEXICON_MAX. */
uint32_t pb__lexicon_intern(pb__lexicon *lx, const char *s);
/* The term of an id, or NULL. */
const char *pb__lexicon_term(const pb__lexicon *lx, uint32_t id);
/* One past the largest id: the parent's terms and this one's. */
uint32_t pb__lexicon_size(const pb__lexicon *lx);
/* Bytes it holds, for the engine's accounts. */
size_t pb__lexicon_bytes(const pb__lexicon *lx);

#endif
