/*
 * case.h -- a case's record (internal): facts, the timeline, the
 * checklist state, and what changed since the last evaluation.
 *
 * Recorded and detected events sit in one timeline; a per-type index
 * answers has/first/last/count in constant time, which is what nearly
 * every predicate asks.  Item states latch: once done (or violated) an
 * item stays so, with the time it happened.  Storing an event runs
 * nothing: append.c runs the detectors and the evaluation after it.
 */
#ifndef PB_CASE_H
#define PB_CASE_H

#include <stdint.h>

#include "engine.h"

#define PB__MAX_TEXT (1u << 20) /* one utterance; longer is a mistake */
/* What detectors may add to one case, counted as the case file counts
 * events: a full case's recorded events (7.5 MB) twice over, as when
 * two detectors copy every utterance.  Each detected event is bounded,
 * but their number only by the events and detectors: without it a
 * detector returning 1 MiB each time made a case of gigabytes. */
#define PB__MAX_DETECTED (32u << 20)

/* No event, no item: the end of a list, or "before any". */
#define PB__NONE ((size_t)-1)

/* Events of one type are chained both ways, so reading them, from the
 * first or back from the newest, costs their number, not the case's
 * (uint32_t: the struct stays 48 bytes). */
#define PB__NO_EVENT UINT32_MAX

typedef struct pb__event {
    double t;
    int type;
    int detected_by; /* principle index, -1 when recorded */
    char *text;
    pb_attr *attrs;
    uint32_t nattrs;  /* at most PB_EVENT_MAX_ATTRS */
    uint32_t next;    /* the next event of this type, or PB__NO_EVENT */
    uint32_t prev;    /* the one before it, or PB__NO_EVENT */
    uint32_t recorded : 31; /* its number among the recorded, from 1;
                             * 0 when detected (pb_event_info) */
    uint32_t undone : 1;    /* taken back by a later event.undone (undo.c) */
} pb__event;

/* Event indexes fit 32 bits (PB__NO_EVENT): every case has one entry per
 * type the principles name. */
typedef struct pb__typeidx {
    uint32_t count, first, last;
} pb__typeidx;

/* The case's types past the first PB__READ_TYPES, found by name; made
 * when the first of them comes (case.c). */
typedef struct pb__moretype {
    int type;
    pb__typeidx ti;
} pb__moretype;

typedef struct pb__moretypes {
    pb__moretype *v;
    size_t n, cap;
    pb__index ix;
} pb__moretypes;

/*
 * What one call into principle code read of the case, marked by the case
 * object (luacase.c) while it runs: event types by id (the first
 * PB__READ_TYPES), facts by name (each name hashed to one of 32 bits, all
 * of them for the whole table), or something it cannot name (the time,
 * all events, other items' states).  An answer stands while nothing it
 * read has changed (evaluate.c), so after an utterance only the
 * predicates that look at utterances run again, and after a fact mostly
 * those that read that fact.  (PB__READ_TYPES: engine.h.)
 */

/* Types one case may hold past the first PB__READ_TYPES (the engine's,
 * the principles', then the first events'): the engine's table is
 * shared by every case (engine.h), so no one case may fill it. */
#define PB__CASE_OWN_TYPES 256

typedef struct pb__reads {
    uint64_t types[PB__READ_TYPES / 64];
    uint32_t facts;
    unsigned char any;
} pb__reads;

typedef struct pb__memo {
    pb__reads reads;
    unsigned char kept, answer; /* answer is 0 or 1 when kept */
} pb__memo;

/* An item's calls: the memo index of each. */
enum { PB__M_APPLIES, PB__M_VIOLATED, PB__M_DONE, PB__M_PROMPT, PB__M_N };

typedef struct pb__itemstate {
    unsigned char state;              /* pb_state after the last pass */
    unsigned char done, violated;     /* latches */
    unsigned char checked, skipped;   /* the agent's overrides */
    unsigned char own_prompt;         /* prompt is malloc'd */
    double done_at, violated_at;
    size_t done_event, violated_event;
    const char *prompt;
    char *error, *reason;
    pb__memo memo[PB__M_N];
} pb__itemstate;

/* Why a detector added an event: kept apart from the events (most have
 * none), in the order of the events they are for. */
enum { PB__WHY_FUNCTION, PB__WHY_PATTERN, PB__WHY_WORDS, PB__WHY_EXAMPLE };

typedef struct pb__why {
    uint32_t event;      /* the detected event */
    uint32_t detector;   /* in its principle (the event's detected_by) */
    uint32_t which : 30; /* the pattern, phrase or example */
    uint32_t kind : 2;   /* PB__WHY_* */
    float score;         /* an example's similarity, else -1: 16 bytes in
                          * all, 0.6 KiB a case in `make bench` */
} pb__why;

typedef struct pb__luacase pb__luacase;

/* The events that set one fact, in order (for case:known(name, ev)). */
typedef struct pb__setters {
    uint32_t *ev;
    uint32_t n, cap;
} pb__setters;

/* Facts in the order first set, indexed by name, so that a case with
 * many facts costs one lookup per read and per fact set. */
typedef struct pb__facts {
    pb_attr *v;
    pb__setters *set_by; /* parallel to v: the events that set each */
    size_t n, cap;
    pb__index ix;
} pb__facts;

struct pb_case {
    pb_engine *e;
    char *topic, *channel;
    char *agent, *team;       /* who handles it, or NULL */
    pb__facts facts, initial; /* current values; values before any event */
    pb__event *events;
    size_t nevents, cap;
    size_t nrecorded;         /* of them, recorded */
    pb__typeidx *types;       /* by type id, for the first PB__READ_TYPES */
    size_t ntypes;
    pb__moretypes *more;      /* the others, or NULL */
    pb__itemstate *items;
    char **warnings;
    size_t nwarnings, dropped; /* kept; not kept, past the first 100 */
    int closed, settled;   /* closed either way; by itself (append.c) */
    int between;           /* the last recorded event is contact.ended */
    double closed_at;      /* -1 while open */
    pb__luacase *lua;
    int lua_ref;
    pb__memo *applies;     /* each principle's applies */
    pb__reads changed;     /* since the last evaluation */
    pb__reads *reading;    /* the running call's, or NULL */
    pb__why *whys;         /* by event, in order */
    size_t nwhys, whys_cap;
    size_t detected;       /* bytes of detected events (PB__MAX_DETECTED) */
    int old_record;        /* reading a record made before undos were
                            * checked (pb_case_set_old_record) */
};

/* Marks for c->changed and c->reading (either may be NULL). */
void pb__reads_type(pb__reads *r, int type);
void pb__reads_fact(pb__reads *r, const char *name); /* NULL: all facts */
void pb__reads_any(pb__reads *r);

/* A case with no events, or NULL when out of memory; released with
 * everything it holds (its Lua side is luacase.c's, freed before). */
pb_case *pb__case_alloc(pb_engine *e, const char *topic, const char *channel);
void pb__case_release(pb_case *c);
/* Sets a fact known from the start: PB_OK or PB_NOMEM. */
pb_status pb__case_set_initial(pb_case *c, const char *name,
                               const char *value);
/* Value of a fact now, or NULL. */
const char *pb__case_fact(const pb_case *c, const char *name);
/* Value of a fact just before event ev, or NULL. */
const char *pb__case_fact_before(const pb_case *c, const char *name,
                                 size_t ev);
/* Type index entry, or NULL when no event of that type happened. */
const pb__typeidx *pb__case_type(const pb_case *c, int type);
/* Whether c may take an event of type: one it holds, one of the first
 * PB__READ_TYPES, or one of its own while it holds fewer than
 * PB__CASE_OWN_TYPES. */
int pb__case_type_room(const pb_case *c, const char *type);
/* Whether type takes none of that room: held, or of the first
 * PB__READ_TYPES. */
int pb__case_type_held(const pb_case *c, const char *type);
/* How many of its own types c holds. */
size_t pb__case_own_types(const pb_case *c);
/* Stores an event already checked (by is the detecting principle, -1
 * when recorded) and applies what the engine reads in it: PB_OK or
 * PB_NOMEM. */
pb_status pb__case_push(pb_case *c, double t, int type, const char *text,
                        const pb_attr *attrs, size_t nattrs, int by);
/* Adds a detected event after the current last one, checked first:
 * PB_INPUT for what a detector may not add.  why (its event is filled
 * in) says which detector and what it matched. */
pb_status pb__case_add_detected(pb_case *c, int principle, int type,
                                const char *text, const pb_attr *attrs,
                                size_t nattrs, const pb__why *why);
pb_status pb__case_warn(pb_case *c, const char *fmt, ...);

#endif
