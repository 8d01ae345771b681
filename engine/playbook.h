/*
 * playbook.h -- the libplaybook contract.
 *
 * Data flow: events -> case -> evaluation of the principles (Lua) ->
 * checklist -> render.  Every public name starts with pb_; every handle is
 * opaque and comes with a _new/_free pair where _free(NULL) does nothing.
 * Functions report problems through a pb_status and, where input is at
 * fault, a pb_error naming the file and line; nothing here prints.
 */
#ifndef PLAYBOOK_H
#define PLAYBOOK_H

#include <stddef.h>
#include <stdio.h>

#define PB_VERSION "0.1.0"

/* Result codes: one table gives both the enum and the message. */
#define PB_STATUS_MAP(XX)                                  \
    XX(OK, "success")                                      \
    XX(NOMEM, "out of memory")                             \
    XX(IO, "input/output error")                           \
    XX(INPUT, "bad input")                                 \
    XX(STATE, "not allowed in this state")

typedef enum {
#define PB__XX(name, msg) PB_##name,
    PB_STATUS_MAP(PB__XX)
#undef PB__XX
} pb_status;

const char *pb_strstatus(pb_status s);

/* Where and what went wrong.  line is 0 when no line applies. */
typedef struct pb_error {
    char file[256];
    int line;
    char message[768];
} pb_error;

/* "file:line: message" (or "file: message", or "message") into buf. */
const char *pb_error_text(const pb_error *err, char *buf, size_t size);

/* Engine: one Lua sandbox holding the loaded principles. */
typedef struct pb_engine pb_engine;

#define PB_DEFAULT_INSTRUCTIONS 1000000u        /* per predicate call */
#define PB_DEFAULT_MEMORY (64u * 1024u * 1024u) /* whole Lua state */

pb_engine *pb_engine_new(void); /* NULL when out of memory */
void pb_engine_free(pb_engine *e);

/* Budgets for principle code.  Call before loading. */
void pb_engine_set_limits(pb_engine *e, size_t instructions, size_t memory);

/*
 * Loads a principle file, or every *.lua file of a folder in name order.
 * A file that fails is recorded as a failure and skipped; the others load.
 * Returns PB_OK when everything loaded, PB_INPUT when some file failed
 * (first failure in err), PB_STATE once a case exists.
 */
pb_status pb_engine_load(pb_engine *e, const char *path, pb_error *err);
pb_status pb_engine_load_buffer(pb_engine *e, const char *name,
                                const char *src, size_t len, pb_error *err);
size_t pb_engine_nfailures(const pb_engine *e);
const pb_error *pb_engine_failure(const pb_engine *e, size_t i);

/* Introspection of the loaded principles, in checklist order. */
typedef struct pb_principle_info {
    const char *id, *title, *why, *file;
    int line;
    double order;
    size_t first_item, nitems; /* items first_item .. first_item+nitems-1 */
    size_t ndetectors;
    int has_applies;
} pb_principle_info;

typedef struct pb_item_def {
    const char *principle, *id;
    const char *prompt;   /* fixed prompt, or NULL when computed */
    const char *collects; /* fact name, or NULL */
    const char *const *after;
    size_t nafter;
    int must, has_applies, has_done, has_violated, has_prompt_fn;
    int line;
} pb_item_def;

typedef struct pb_detector_info {
    const char *on, *emit;      /* emit is NULL for a function detector */
    const char *const *patterns;
    size_t npatterns;
    const char *after;          /* reference event type for within */
    double within;              /* seconds, 0 when unbounded */
    int line;
} pb_detector_info;

size_t pb_engine_nprinciples(const pb_engine *e);
void pb_engine_principle(const pb_engine *e, size_t i, pb_principle_info *out);
size_t pb_engine_nitems(const pb_engine *e);
void pb_engine_item(const pb_engine *e, size_t i, pb_item_def *out);
void pb_engine_detector(const pb_engine *e, size_t principle, size_t i,
                        pb_detector_info *out);
/* "principle.item" -> item index, or -1. */
long pb_engine_find_item(const pb_engine *e, const char *ref);
long pb_engine_find_principle(const pb_engine *e, const char *id);

/* Case: facts and a timeline of events, and the checklist they give. */
typedef struct pb_case pb_case;

typedef struct pb_attr {
    const char *name, *value;
} pb_attr;

/* topic and channel may be NULL. */
pb_case *pb_case_new(pb_engine *e, const char *topic, const char *channel,
                     pb_error *err);
void pb_case_free(pb_case *c);

/* A fact known from the start (before the first event). */
pb_status pb_case_set_fact(pb_case *c, const char *name, const char *value,
                           pb_error *err);

/*
 * Appends one recorded event, runs the detectors on it (which may append
 * detected events right after it) and re-evaluates the checklist.  Times
 * are seconds since the case started and never go backwards.  On PB_INPUT
 * the case is unchanged.
 */
pb_status pb_case_append(pb_case *c, double t, const char *type,
                         const char *text, const pb_attr *attrs,
                         size_t nattrs, pb_error *err);

const char *pb_case_topic(const pb_case *c);
const char *pb_case_channel(const pb_case *c);
int pb_case_closed(const pb_case *c);
size_t pb_case_nfacts(const pb_case *c);
void pb_case_fact(const pb_case *c, size_t i, const char **name,
                  const char **value);

typedef struct pb_event_info {
    double t;
    const char *type, *text; /* text may be NULL */
    const pb_attr *attrs;
    size_t nattrs;
    const char *detected_by; /* principle id, or NULL when recorded */
} pb_event_info;

size_t pb_case_nevents(const pb_case *c);
void pb_case_event(const pb_case *c, size_t i, pb_event_info *out);

/* Checklist. */
#define PB_STATE_MAP(XX)            \
    XX(ABSENT, "absent")            \
    XX(OPEN, "open")                \
    XX(WAITING, "waiting")          \
    XX(DONE, "done")                \
    XX(SKIPPED, "skipped")          \
    XX(VIOLATED, "violated")        \
    XX(ERROR, "error")

typedef enum {
#define PB__XX(name, str) PB_##name,
    PB_STATE_MAP(PB__XX)
#undef PB__XX
} pb_state;

const char *pb_state_name(pb_state s);
int pb_state_parse(const char *name, pb_state *out); /* 0 ok, -1 unknown */

typedef struct pb_item_info {
    const char *principle, *id;
    pb_state state;
    int must;
    const char *prompt;  /* for open and waiting items, else NULL */
    const char *error;   /* for PB_ERROR, "file:line: message" */
    const char *reason;  /* for PB_SKIPPED */
    double done_at;      /* case time it became done, -1 if never */
    double violated_at;  /* case time it became violated, -1 if never */
    size_t done_event;   /* event index that made it done */
} pb_item_info;

/* Item i of pb_engine_nitems(), ABSENT when it does not apply. */
void pb_case_item(const pb_case *c, size_t i, pb_item_info *out);

/* Open items, musts first, then principle order and item order.
 * Stores up to max item indexes; returns how many there are. */
size_t pb_case_next(const pb_case *c, size_t *out, size_t max);

typedef struct pb_score {
    double value;      /* 0..1 */
    int applies;       /* 0 when the principle does not apply */
    int musts, done, violations;
} pb_score;

/* principle NULL for the overall score; PB_INPUT for an unknown id. */
pb_status pb_case_score(const pb_case *c, const char *principle,
                        pb_score *out);

/* Errors raised by detectors (not tied to an item). */
size_t pb_case_nwarnings(const pb_case *c);
const char *pb_case_warning(const pb_case *c, size_t i);

/* Scenario files (XML, namespace urn:playbook:scenario:1). */
typedef struct pb_scenario pb_scenario;

#define PB_SCENARIO_MAX_BYTES (16u * 1024u * 1024u)

pb_status pb_scenario_read(const char *path, pb_scenario **out,
                           pb_error *err);
pb_status pb_scenario_parse(const char *name, const char *buf, size_t len,
                            pb_scenario **out, pb_error *err);
void pb_scenario_free(pb_scenario *s);

const char *pb_scenario_path(const pb_scenario *s);
const char *pb_scenario_id(const pb_scenario *s);
const char *pb_scenario_title(const pb_scenario *s);
const char *pb_scenario_description(const pb_scenario *s); /* or NULL */
const char *pb_scenario_topic(const pb_scenario *s);       /* or NULL */
const char *pb_scenario_channel(const pb_scenario *s);     /* or NULL */
size_t pb_scenario_nfacts(const pb_scenario *s);
void pb_scenario_fact(const pb_scenario *s, size_t i, const char **name,
                      const char **value, int *line);
size_t pb_scenario_nevents(const pb_scenario *s);
/* detected_by is always NULL here; *line is the event's line. */
void pb_scenario_event(const pb_scenario *s, size_t i, pb_event_info *out,
                       int *line);

typedef enum {
    PB_EXPECT_ITEM,         /* ref state */
    PB_EXPECT_SCORE,        /* principle (or NULL) min max */
    PB_EXPECT_VIOLATION,    /* ref: "p" or "p.i" */
    PB_EXPECT_NO_VIOLATION, /* ref: "p" or "p.i" */
    PB_EXPECT_NEXT          /* ref */
} pb_expect_kind;

typedef struct pb_expect {
    pb_expect_kind kind;
    const char *ref;       /* NULL for SCORE */
    const char *principle; /* SCORE only, may be NULL */
    pb_state state;        /* ITEM only */
    double min, max;       /* SCORE only */
    int line;
} pb_expect;

size_t pb_scenario_nexpects(const pb_scenario *s);
const pb_expect *pb_scenario_expect(const pb_scenario *s, size_t i);

/* "12", "12.5", "mm:ss", "h:mm:ss" -> seconds.  0 ok, -1 malformed. */
int pb_time_parse(const char *text, double *out);

/* Replay: a scenario through the principles, with the timeline of
 * state changes and every expectation checked. */
typedef struct pb_replay pb_replay;

typedef struct pb_change {
    size_t event;  /* index in the case's events */
    size_t item;
    pb_state from, to;
} pb_change;

typedef struct pb_expect_result {
    const pb_expect *expect;
    int met;
    char actual[160]; /* what was found, for the report */
} pb_expect_result;

/* PB_INPUT when an event is rejected or an expectation names an unknown
 * principle or item (err names the scenario file and line). */
pb_status pb_replay_run(pb_engine *e, const pb_scenario *s, pb_replay **out,
                        pb_error *err);
void pb_replay_free(pb_replay *r);
const pb_scenario *pb_replay_scenario(const pb_replay *r);
const pb_case *pb_replay_case(const pb_replay *r);
size_t pb_replay_nchanges(const pb_replay *r);
const pb_change *pb_replay_change(const pb_replay *r, size_t i);
size_t pb_replay_nresults(const pb_replay *r);
const pb_expect_result *pb_replay_result(const pb_replay *r, size_t i);
int pb_replay_passed(const pb_replay *r); /* every expectation met */

/* Render. */
typedef enum {
    PB_FORMAT_TEXT,
    PB_FORMAT_JSON,
    PB_FORMAT_JUNIT, /* replays only */
    PB_FORMAT_HTML
} pb_format;

#define PB_RENDER_COLOR 1u

/* A batch of replays as one document.  Returns PB_IO on write failure. */
pb_status pb_render_replays(FILE *out, pb_format fmt, unsigned flags,
                            pb_replay *const *replays, size_t n);
/* The checklist of one case (what an agent sees). */
pb_status pb_render_checklist(FILE *out, pb_format fmt, unsigned flags,
                              const pb_case *c);

/* Review sessions. (section owned by review) */

/* Transcript import. (section owned by import) */

/* Team statistics. (section owned by stats) */

#endif
