/*
 * words.h -- an utterance cut into words (internal): the tokens every
 * phrase (phrase.h) and example (similar.h) is matched against.
 *
 * A token is a run of letters and digits, case-folded (ASCII, Latin-1,
 * Latin Extended-A and Additional, Greek, Cyrillic), with apostrophes
 * inside it kept (’ is ').  Contractions become the words they stand
 * for ("can't" -> "can" "not", "I'll" -> "i" "will", "let's" -> "let"
 * "us", "it's" -> "it" "is"; a possessive 's goes), each with the bytes
 * of the whole word.  Each token has its Snowball stem (English), the
 * stem's id in a lexicon (lexicon.h) and flags.  Ill-formed UTF-8 is a
 * separator, never an error.
 *
 * Work is counted in steps against a caller's budget, `left` (NULL for
 * none): the functions that take one return PB__WORDS_BUDGET once it
 * would go below zero, having done at most what it allowed.
 */
#ifndef PB_WORDS_H
#define PB_WORDS_H

#include <stddef.h>
#include <stdint.h>

#include "lexicon.h"

/* Results besides 0 (done). */
#define PB__WORDS_NOMEM (-1)
#define PB__WORDS_BUDGET (-2)

/* Takes n steps from *left (NULL: no budget): 0, or -1 when they are not
 * there (then *left is 0). */
static inline int pb__work(size_t *left, size_t n)
{
    if (left == NULL)
        return 0;
    if (n > *left) {
        *left = 0;
        return -1;
    }
    *left -= n;
    return 0;
}

/* Token flags. */
#define PB__TOK_NEGATOR 0x01u /* not no never none nobody nothing nor
                               * neither without cannot */
#define PB__TOK_STOP 0x02u    /* a function word ("the", "you", "with") */
#define PB__TOK_DIGIT 0x04u   /* has a digit */
#define PB__TOK_CLAUSE 0x08u  /* a clause starts here: after . , ; : ! ?
                               * or at "but" */
#define PB__TOK_SENTENCE 0x10u /* a sentence starts here: after . ! ? */
#define PB__TOK_UPPER 0x20u   /* its letters were all upper case */

/* Longest word stemmed; a longer one is its own stem. */
#define PB__WORD_MAX 64

typedef struct pb__token {
    uint32_t first, end;  /* its bytes in the text: [first, end) */
    uint32_t fold, stem;  /* where its folded form and stem are in the
                           * pool, each NUL-terminated */
    uint32_t id;          /* the stem's id, or PB__TERM_NONE */
    uint32_t sentence, clause; /* numbered from 0 */
    uint32_t mask;        /* the letters a-z it has, a bit each, and bit
                           * 26 for any other byte (pb__words_mask) */
    uint16_t fold_len;    /* in bytes */
    uint16_t letters;     /* characters in the folded form */
    uint16_t flags;
} pb__token;

typedef struct pb__words {
    pb__token *tok;
    size_t n, cap;
    char *pool;           /* folded forms and stems */
    size_t used, size;
    size_t nsentences;
    uint64_t seen[8];     /* the ids it has, by id % 512: what it cannot
                           * have is known at once (phrase.c) */
    uint64_t lens;        /* the lengths (bit 63: 63 or more) and */
    uint32_t letters;     /* letters of the words a typo may be in (not
                           * function words, no digit): what no typo
                           * can be is known at once (phrase.c) */
    int qmark;            /* a '?' after the last word */
} pb__words;

/* The stemmer: Snowball's English one with a cache of the words seen
 * (stemming a word costs about as much as the rest of cutting a text).
 * Not thread-safe: one per engine. */
typedef struct pb__stemmer pb__stemmer;

pb__stemmer *pb__stemmer_new(void);          /* NULL when out of memory */
void pb__stemmer_free(pb__stemmer *st);
/* The stem of a folded word (len bytes) into out (PB__WORD_MAX + 1
 * bytes), its length returned; words longer than PB__WORD_MAX, and
 * words with a digit, are their own stems.  *flags (may be NULL) gets
 * the word's PB__TOK_NEGATOR and PB__TOK_STOP. */
size_t pb__stemmer_stem(pb__stemmer *st, const char *word, size_t len,
                        char *out, unsigned *flags);
/* Whether the cache holds the folded word (for the tests). */
int pb__stemmer_has(pb__stemmer *st, const char *word);

void pb__words_init(pb__words *w);
void pb__words_free(pb__words *w);

/* What cutting and stemming one word costs, in steps (a step is about
 * what a Lua instruction costs: a word not seen before takes about
 * 600 ns, Snowball's work mostly). */
#define PB__WORD_STEPS 64

/*
 * Cuts text[0..len) into w (emptied first).  Each stem's id is looked up
 * in lx (may be NULL: no ids), and added to it when intern is set.
 * Charges PB__WORD_STEPS a word and 1 per 16 bytes.  0, PB__WORDS_NOMEM
 * or PB__WORDS_BUDGET (w then holds what was cut before).
 */
int pb__words_make(pb__words *w, pb__stemmer *st, pb__lexicon *lx,
                   int intern, const char *text, size_t len, size_t *left);

/*
 * The words of text[first..end) into out, as pb__words_make would cut
 * them with the same lexicon, taken from w, the words of the whole
 * text: a sentence's words without cutting it again.  0, PB__WORDS_NOMEM,
 * or -1 when a word of w crosses first or end (cut the range instead).
 */
int pb__words_range(pb__words *out, const pb__words *w, const char *text,
                    size_t first, size_t end);

/* Whether a word may be one typo from a phrase's: not a function word,
 * no digit (phrase.h). */
static inline int pb__words_typo_ok(const pb__token *t)
{
    return !(t->flags & (PB__TOK_DIGIT | PB__TOK_STOP));
}

/* Whether w may have a word of this id (no: it has none). */
static inline int pb__words_may_have(const pb__words *w, uint32_t id)
{
    return (w->seen[id / 64 % 8] >> (id % 64)) & 1;
}

/* Token i's folded form and stem. */
static inline const char *pb__words_fold(const pb__words *w, size_t i)
{
    return w->pool + w->tok[i].fold;
}

static inline const char *pb__words_stem(const pb__words *w, size_t i)
{
    return w->pool + w->tok[i].stem;
}

/*
 * Whether the utterance is a question: its last sentence ends with '?',
 * or it or its last sentence starts (after "so", "ok", "and", "well"
 * and the like) with an auxiliary or a wh-word: is are do does did can
 * could would will should may what when where which who why how.  A
 * wh-word before a subject (I, you, we, they, he, she, it) opens a
 * clause, not a question: "so what I'm hearing is...".
 */
int pb__words_question(const pb__words *w);

/* The case folding of one code point (simple folds: one for one). */
unsigned long pb__fold_char(unsigned long cp);

/* The letters of a folded word as a set (pb__token.mask): two words one
 * typo apart differ in at most two of them, a cheap test first. */
uint32_t pb__words_mask(const char *w, size_t len);

/*
 * Whether two folded words are one edit apart (a letter added, removed,
 * changed, or two neighbours swapped: Damerau); equal words are not.
 * Bytes, so a change of one non-ASCII letter counts as one only when
 * its bytes differ in one place.
 */
int pb__words_typo(const char *a, size_t alen, const char *b, size_t blen);

#endif
