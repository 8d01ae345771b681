/*
 * textlib.h -- the engine's words (internal): its stemmer, the lexicon
 * of every phrase and example its principles declare, the IDF over
 * those examples, and the `text` library principle code gets (text.has,
 * text.similar, text.question, text.echo, text.words, text.value,
 * text.shape: docs/authoring.md, "Words").
 *
 * One per engine: Snowball's stemmer is not thread-safe, and an engine
 * is used from one thread at a time.
 */
#ifndef PB_TEXTLIB_H
#define PB_TEXTLIB_H

#include <lua.h>

#include "budget.h"
#include "lexicon.h"
#include "similar.h"
#include "words.h"

/* Phrase lists principle code passes to text.has, compiled once: the
 * same lists come with every event (textlib.c). */
typedef struct pb__textcache pb__textcache;

typedef struct pb__textkit {
    pb__stemmer *st;
    pb__lexicon lex;   /* the terms of every phrase and example loaded */
    pb__idf idf;       /* over every example of the engine's detectors */
    pb__textcache *cache;
} pb__textkit;

/* 0, or -1 when out of memory. */
int pb__textkit_init(pb__textkit *k);
void pb__textkit_free(pb__textkit *k);
/* The bytes it holds (the stemmer's cache aside). */
size_t pb__textkit_bytes(const pb__textkit *k);

/*
 * The words of s[0..len) with the engine's ids (and the text library's
 * own for terms only its lists name), as the text library cut them or
 * cuts them now, uncharged: the engine's work, once an event, which
 * text.has then finds done.  Valid until the next call into principle
 * code; NULL when s is too long to keep, memory is short or a principle
 * is loading (the caller cuts its own).
 */
const pb__words *pb__textkit_cut(pb__textkit *k, const char *s, size_t len);

/* Pushes the read-only `text` table: its functions read k (which must
 * outlive the Lua state's use of them) and charge b. */
void pb__textlib_open(lua_State *L, pb__textkit *k, pb__budget *b);

/* Steps a budget has left, and charging what was used of them: 0, or -1
 * when that spent the budget (none left now: the work stopped short). */
size_t pb__textlib_left(const pb__budget *b);
int pb__textlib_spend(pb__budget *b, size_t left_before, size_t left_now);

#endif
