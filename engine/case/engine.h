/*
 * engine.h -- the engine (internal): the sandbox, the loaded principles
 * (principle.h) in checklist order, and the event types interned.
 *
 * The engine owns the principles; a case (case.h) owns its timeline and
 * the latched state of each item.
 */
#ifndef PB_ENGINE_H
#define PB_ENGINE_H

#include "index.h"
#include "playbook.h"
#include "principle.h"
#include "sandbox.h"
#include "textlib.h"

/* Event types the engine itself interprets, interned first. */
enum {
    PB__T_FACT, PB__T_CHECKED, PB__T_SKIPPED, PB__T_CLOSED,
    PB__T_CONTACT_ENDED /* docs/authoring.md, "Cases outlive a call" */
};

/* A detector, by its principle's place in the checklist and its own. */
typedef struct pb__detref {
    size_t principle, detector;
} pb__detref;

/* Types cases index by id, and calls into principle code mark as read
 * by id (case.h): the first the engine interns, its own, the
 * principles', then the first events'.  The others are found by name. */
#define PB__READ_TYPES 128

/* Where luacase.c keeps its cache from a type's name to its id: the
 * registry, by this address, so that a type whose place goes to another
 * is forgotten there too (engine.c). */
extern const char pb__type_cache_key;

/* The most event types one engine holds, and bytes of their names.
 * Types come from whoever sends events, so once the table is full, a
 * type no case holds any more, past the first PB__READ_TYPES and those
 * of the principles, is given to the next new one (engine.c): the
 * bound is on the types live cases hold, not on all ever sent (a
 * served replay stores nothing, yet filled it for every other case).
 * Far past what principles and integrations use. */
#define PB__MAX_TYPES 16384
#define PB__MAX_TYPE_BYTES (1u << 20)

struct pb_engine {
    pb__sandbox *sb;
    int bare_names;             /* pb_engine_set_bare_names */
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
    char **types;               /* interned event types, at most
                                 * PB__MAX_TYPES */
    size_t ntypes, types_cap;
    size_t types_bytes;         /* their names, NULs included */
    unsigned *type_refs;        /* cases holding each type past
                                 * PB__READ_TYPES (case.c, add_type) */
    size_t pinned;              /* the types the principles know: the
                                 * first, never given to another */
    pb__index type_ix;          /* types by name */
    pb__detref *dets;           /* detectors by the type they watch: */
    size_t *det_start;          /* dets[det_start[t]..det_start[t + 1]] watch
                                 * type t < ndet_types; the run after them
                                 * every type (function detectors) */
    size_t ndet_types;
    int dets_stale;             /* principles loaded since dets was made */
    size_t ncases;
    size_t seq;
    pb__textkit text;           /* the stemmer, lexicon and IDF */
    char version[13];           /* pb_engine_version */
};

/* Lists the detectors by the type they watch (pb__detect), and weighs
 * the examples of all of them with the IDF over all of them, once the
 * principles are loaded: 0, or -1 when out of memory. */
int pb__engine_index_detectors(pb_engine *e);
/* Event type id of name, interning it when create is set; -1 if absent
 * (or out of memory). */
int pb__engine_type(pb_engine *e, const char *name, int create);
/* Whether one more type, name, fits in e's bounds (PB__MAX_TYPES,
 * PB__MAX_TYPE_BYTES), in a new place or in that of a type no case
 * holds. */
int pb__engine_type_fits(const pb_engine *e, const char *name);
/* Whether count more types, of bytes in all (their NULs counted), fit
 * together, in new places or those of types no case holds: a batch's,
 * all or none (append.c). */
int pb__engine_types_fit(const pb_engine *e, size_t count, size_t bytes);

#endif
