/*
 * engine.h -- what the engine modules share (internal).
 *
 * The engine owns the sandbox and the loaded principles; a case owns its
 * timeline and the latched state of each item.  Lua values a principle
 * gives (predicates, prompts, detector functions) are pinned in the
 * registry and named here by their reference.
 */
#ifndef PB_ENGINE_H
#define PB_ENGINE_H

#include "index.h"
#include "playbook.h"
#include "sandbox.h"

typedef struct pb__item {
    char *id, *ref;       /* "hear_out", "listen.hear_out" */
    char *prompt;         /* fixed prompt, or NULL */
    char *collects;       /* fact name, or NULL */
    char **after;         /* the ids of items of the same principle */
    size_t *after_idx;    /* the same, as positions in the principle */
    size_t nafter;
    int prompt_ref, applies_ref, done_ref, violated_ref; /* LUA_NOREF */
    int must, line;
    size_t principle;
} pb__item;

typedef struct pb__detector {
    char *on, *emit, *after; /* emit NULL for a function detector */
    char **patterns;
    char **folded;           /* lowercase copy of each plain pattern, or
                              * NULL where the matcher is needed */
    size_t npatterns;
    double within;
    int fn_ref, line;
    int on_type, after_type; /* interned event types, -1 for none */
    int emit_type;
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
} pb__principle;

/* A detector, by its principle's place in the checklist and its own. */
typedef struct pb__detref {
    size_t principle, detector;
} pb__detref;

struct pb_engine {
    pb__sandbox *sb;
    pb__principle **principles; /* in checklist order */
    size_t nprinciples, principles_cap;
    pb__index principle_ix;     /* principles by id */
    pb__item **items;           /* flat, in checklist order */
    size_t nitems, items_cap;
    pb__index item_ix;          /* items by ref */
    int unsorted;               /* principles added since the last sort */
    size_t cbytes;              /* C memory the principles take */
    pb_error *failures;
    size_t nfailures;
    char **types;               /* interned event types */
    size_t ntypes, types_cap;
    pb__index type_ix;          /* types by name */
    pb__detref *dets;           /* detectors by the type they watch: */
    size_t *det_start;          /* dets[det_start[t]..det_start[t + 1]] watch
                                 * type t < ndet_types; the run after them
                                 * every type (function detectors) */
    size_t ndet_types;
    int dets_stale;             /* principles loaded since dets was made */
    size_t ncases;
    size_t seq;
};

/* Lists the detectors by the type they watch (pb__detect), once the
 * principles are loaded: 0, or -1 when out of memory. */
int pb__engine_index_detectors(pb_engine *e);
/* Event type id of name, interning it when create is set; -1 if absent
 * (or out of memory). */
int pb__engine_type(pb_engine *e, const char *name, int create);
/* Adds a loaded principle (taking ownership).  The checklist order and
 * the flat item list follow when the loading call returns. */
pb_status pb__engine_add(pb_engine *e, pb__principle *p);
void pb__principle_free(lua_State *L, pb__principle *p);

/* A principle file, or a lib file one uses, at most. */
#define PB__PRINCIPLE_MAX_BYTES (4u * 1024u * 1024u)

/* principle.c: runs one principle file in its own environment. */
pb_status pb__principle_load(pb_engine *e, const char *name, const char *src,
                             size_t len, pb__principle **out, pb_error *err);

#endif
