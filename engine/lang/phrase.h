/*
 * phrase.h -- phrases of words, compiled and found in an utterance's
 * words (internal).
 *
 * A phrase is words separated by spaces ("look into"), each matched by
 * its stem, so "looking into" and "looked into" match too; `a|b|c` gives
 * one place several words ("look|check into").  Its words must come in
 * order, at most `gap` other words between two of them, within one
 * sentence.  A word of 5 letters or more (not a function word, no
 * digit) also matches a word one typo away ("acount", "recieve").  A
 * phrase does not match where a negator ("not", "never", "can't", ...)
 * is among the 3 words before it in the same clause ("I can't help you
 * with that" is not "help you with"), unless its own first word is one
 * ("not working"), nor across one between its words ("I can't help" is
 * not "i can help").  With `need` below its number of words, any `need`
 * of them in order will do, each word left out allowing one more word
 * between its neighbours.
 */
#ifndef PB_PHRASE_H
#define PB_PHRASE_H

#include <stddef.h>
#include <stdint.h>

#include "lexicon.h"
#include "words.h"

/* Limits of one phrase. */
#define PB__PHRASE_MAX_BYTES 1024  /* its text */
#define PB__PHRASE_MAX_WORDS 32    /* places for a word */
#define PB__PHRASE_MAX_ALTS 256    /* words over all its places */
#define PB__GAP_MAX 8              /* words between two of its words */
#define PB__GAP_DEFAULT 2

typedef struct pb__phrase pb__phrase;

/*
 * Compiles text[0..len) with its words' stems interned in lx: 0 and
 * *out, PB__WORDS_NOMEM, or -3 with *why saying what is wrong with it
 * (no words, too many words, need out of range).  need 0 means all of
 * its words.  Work is charged to left (may be NULL).
 */
int pb__phrase_compile(pb__stemmer *st, pb__lexicon *lx, const char *text,
                       size_t len, unsigned need, size_t *left,
                       pb__phrase **out, const char **why);
void pb__phrase_free(pb__phrase *p);
/* With any != 0, p also matches where it is negated ("can't help"):
 * how a caller tells "not said" from "said, negated". */
void pb__phrase_any_polarity(pb__phrase *p, int any);
/* Its number of places for a word, and the bytes it takes. */
size_t pb__phrase_words(const pb__phrase *p);
size_t pb__phrase_bytes(const pb__phrase *p);
/* The text it was compiled from, and the need it was given (0: all of
 * its words). */
const char *pb__phrase_text(const pb__phrase *p);
unsigned pb__phrase_need(const pb__phrase *p);

/*
 * The ids of one of p's places that every match has a word of, as it is
 * (no typo), one for each of the place's alternatives, into ids (room
 * for PB__PHRASE_MAX_ALTS); their number, or 0 when no place is certain
 * (need below its words, or words that may each come with a typo or
 * whose stem has no id).  A
 * place of content words is preferred: fewer utterances have them.  A
 * list of phrases looks up only those whose key an utterance has
 * (phraseidx.h).
 */
size_t pb__phrase_key(const pb__phrase *p, uint32_t *ids);

/* Where a phrase was found: its first and last words, and their bytes
 * in the text [first, end). */
typedef struct pb__phrase_hit {
    size_t tok_first, tok_last;
    size_t first, end;
} pb__phrase_hit;

/* Room a search uses, kept by the caller from one search to the next
 * (zeroed to start; pb__scratch_free when done). */
typedef struct pb__scratch {
    void *p;
    size_t size;
} pb__scratch;

void pb__scratch_free(pb__scratch *s);

/*
 * Looks for p in w from word `from` on (w's ids come from the lexicon
 * p was compiled with, or one on it), with at most gap words between
 * two of its words: 1 found (*hit set), 0 not, PB__WORDS_NOMEM or
 * PB__WORDS_BUDGET.  About one step per word of the text per
 * alternative of the phrase.
 */
int pb__phrase_find(const pb__phrase *p, const pb__words *w, size_t from,
                    unsigned gap, pb__scratch *scratch, size_t *left,
                    pb__phrase_hit *hit);

#endif
