/*
 * principle.h -- one principle file, loaded into C structs (internal).
 *
 * A file runs in its own sandboxed environment; what it returns is
 * checked and copied here, its functions pinned in the registry and
 * named by their reference.  The engine (engine.h) keeps the result.
 */
#ifndef PB_PRINCIPLE_H
#define PB_PRINCIPLE_H

#include "phrase.h"
#include "phraseidx.h"
#include "playbook.h"
#include "sandbox.h"
#include "sha256.h"
#include "similar.h"
#include "textlib.h"

typedef struct pb__item {
    char *id, *ref;       /* "hear_out", "listen.hear_out" */
    char *prompt;         /* fixed prompt, or NULL */
    char *collects;       /* fact name, or NULL */
    char **after;         /* the ids of items of the same principle */
    size_t *after_idx;    /* the same, as positions in the principle */
    size_t nafter;
    int prompt_ref, applies_ref, done_ref, violated_ref; /* LUA_NOREF */
    int must, later, line;
    int dropped;          /* never applies (pb_engine_drop_item) */
    size_t principle;
} pb__item;

/* Limits of one principle's words and examples (docs/authoring.md). */
#define PB__MAX_PHRASES 1000     /* phrases, over all its detectors */
#define PB__MAX_EXAMPLES 1000    /* examples, over all its detectors */
#define PB__EXAMPLE_MAX_BYTES 1024
#define PB__THRESHOLD_DEFAULT 0.5

typedef struct pb__detector {
    char *on, *emit, *after; /* emit NULL for a function detector */
    char *unless;            /* not run once the case has this type */
    char **patterns;
    char **folded;           /* lowercase copy of each plain pattern, or
                              * NULL where the matcher is needed */
    size_t npatterns;
    pb__phrase **phrases;    /* `words`, compiled */
    size_t nphrases;
    pb__phraseidx *pidx;     /* which of them an utterance may have */
    unsigned gap;
    char **examples;
    pb__doc *docs;           /* each example's terms, weighed by the
                              * engine once all its principles are in */
    size_t nexamples;
    double threshold;
    double within;
    int fn_ref, line;
    int on_type, after_type; /* interned event types, -1 for none */
    int unless_type;
    int emit_type;
    int dropped;             /* never runs (pb_engine_drop_detector) */
} pb__detector;

typedef struct pb__principle {
    char *id, *title, *why, *file;
    int line, applies_ref;
    double order;
    size_t seq;              /* load order, to keep the sort stable */
    size_t cbytes;           /* C memory it takes (PB_PRINCIPLES_MEMORY) */
    pb__item *items;
    size_t nitems, first_item;
    pb__detector *detectors;
    size_t ndetectors;
    unsigned account;        /* its memory account in the sandbox */
    char hash[PB__SHA256_HEX]; /* of its source, for pb_engine_version */
} pb__principle;

/*
 * Runs the file name (src, len bytes; read from path, whose folder
 * `use` looks in) in sb and copies what it declares
 * into *out, taking at most left bytes of C memory (what is left of
 * PB_PRINCIPLES_MEMORY); its phrases and examples are compiled with kit
 * (their terms go into its lexicon).  PB_INPUT with err at the file and
 * line.
 */
pb_status pb__principle_load(pb__sandbox *sb, pb__textkit *kit, size_t left,
                             const char *name, const char *path,
                             const char *src, size_t len,
                             pb__principle **out, pb_error *err);
void pb__principle_free(lua_State *L, pb__principle *p);

/* The fields principle{}, an item and a detector take, NULL-terminated
 * (docs/authoring.md; principles/types/playbook.lua declares them). */
extern const char *const pb__principle_fields[];
extern const char *const pb__item_fields[];
extern const char *const pb__detector_fields[];

/* An event type as principles name it and events carry it: dotted
 * words of letters, digits, '_' and '-'. */
int pb__is_type(const char *s);

#endif
