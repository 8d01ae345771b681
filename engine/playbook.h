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
#define PB_DEFAULT_MEMORY (64u * 1024u * 1024u) /* per principle */
/* The engine's own C copy of all its principles (items, after lists,
 * detectors, patterns, strings): a file that would take more is
 * refused, "principle 'x' is too large". */
#define PB_PRINCIPLES_MEMORY (16u * 1024u * 1024u)

pb_engine *pb_engine_new(void); /* NULL when out of memory */
void pb_engine_free(pb_engine *e);

/* Budgets for principle code: instructions (and the work C does for
 * them) per call, memory per principle file.  Call before loading. */
void pb_engine_set_limits(pb_engine *e, size_t instructions, size_t memory);

/*
 * Loads a principle file, or every *.lua file of a folder in name order.
 * A file that fails is recorded as a failure and skipped; the others load.
 * Returns PB_OK when everything loaded, PB_INPUT when some file failed
 * (first failure in err), PB_STATE once a case exists.
 */
pb_status pb_engine_load(pb_engine *e, const char *path, pb_error *err);
/* From now on, the files loaded are named by their own name, without
 * their folder ("listen.lua:37: ...", not "/srv/p/listen.lua:37: ..."),
 * in what the engine says of them: errors, warnings, items' errors,
 * evidence.  For an engine whose words go to others than whoever gave
 * the path: `playbook serve`'s clients (docs/hardening.md). */
void pb_engine_set_bare_names(pb_engine *e, int on);
/* The same for one principle held in memory; name is its file name in
 * messages. */
pb_status pb_engine_load_buffer(pb_engine *e, const char *name,
                                const char *src, size_t len, pb_error *err);
/* 12 hex digits naming the loaded principles: a hash of their sources,
 * so the same files give the same version, and any change another
 * (docs/api.md, "Reloading the principles"). */
const char *pb_engine_version(const pb_engine *e);
/* The files that failed to load so far, each with its file:line. */
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
    const char *ref;      /* "principle.item" */
    const char *prompt;   /* fixed prompt, or NULL when computed */
    const char *collects; /* fact name, or NULL */
    const char *const *after;
    size_t nafter;
    int must, has_applies, has_done, has_violated, has_prompt_fn;
    int later;            /* the case stays open for it after a contact */
    int line;
} pb_item_def;

typedef struct pb_detector_info {
    const char *on, *emit;      /* emit is NULL for a function detector */
    const char *const *patterns;
    size_t npatterns;
    const char *after;          /* reference event type for within */
    const char *unless;         /* not run once the case has this type */
    double within;              /* seconds, 0 when unbounded */
    int line;
    size_t nwords;              /* its phrases (pb_engine_detector_words) */
    unsigned gap;               /* words allowed between a phrase's */
    const char *const *examples;
    size_t nexamples;
    double threshold;           /* for its examples */
} pb_detector_info;

/* Principle i, item i (over all principles, in checklist order) and
 * detector i of a principle; the strings belong to the engine. */
size_t pb_engine_nprinciples(const pb_engine *e);
void pb_engine_principle(const pb_engine *e, size_t i, pb_principle_info *out);
size_t pb_engine_nitems(const pb_engine *e);
void pb_engine_item(const pb_engine *e, size_t i, pb_item_def *out);
void pb_engine_detector(const pb_engine *e, size_t principle, size_t i,
                        pb_detector_info *out);
/* "principle.item" -> item index, and id -> principle index; -1 when
 * there is none. */
long pb_engine_find_item(const pb_engine *e, const char *ref);
/* Phrase k of detector i of a principle (its `words`), as written, and
 * how many of its words it needs (0: all). */
const char *pb_engine_detector_words(const pb_engine *e, size_t principle,
                                     size_t i, size_t k, unsigned *need);
long pb_engine_find_principle(const pb_engine *e, const char *id);

/* Mutation (docs/authoring.md, "Coverage"): a dropped item never applies
 * (state absent) and a dropped detector never runs, in the cases made
 * after; dropped 0 puts it back.  PB_STATE while cases are open,
 * PB_INPUT for an index out of range. */
pb_status pb_engine_drop_item(pb_engine *e, size_t item, int dropped);
pb_status pb_engine_drop_detector(pb_engine *e, size_t principle,
                                  size_t detector, int dropped);

/*
 * Lint (docs/authoring.md, "Lint"): what the loaded principles say that
 * cannot work, found without running a case.  An event type read that
 * nothing records (no detector emits it, no file names it elsewhere, it
 * is neither one of `recorded` nor one of the engine's own), a fact read
 * that nothing collects, functions that always say no, dead patterns,
 * and patterns, phrases and examples shadowed by another that does the
 * same job.  recorded is a NULL-terminated list of the types recorded
 * from outside the principles (the commands of live and serve, import),
 * or NULL.  fn gets each finding in file and line order; a finding is
 * `local` when it needs no other file to be true (check shows those).
 * The files are read again for what code reads.  PB_NOMEM (and no call
 * of fn) when out of memory.
 */
typedef struct pb_finding {
    const char *file;      /* the principle file, or a lib file it uses */
    int line;
    const char *principle; /* id */
    const char *code;      /* stable: "type-never-recorded", ... */
    const char *message;
    int local;
} pb_finding;

typedef void (*pb_finding_fn)(void *ud, const pb_finding *f);

pb_status pb_engine_lint(pb_engine *e, const char *const *recorded,
                         pb_finding_fn fn, void *ud, pb_error *err);

/* Case: facts and a timeline of events, and the checklist they give. */
typedef struct pb_case pb_case;

typedef struct pb_attr {
    const char *name, *value;
} pb_attr;

/* The value of the first attribute called name, or NULL. */
const char *pb_attr_value(const pb_attr *attrs, size_t n, const char *name);

/* A case evaluated with e's principles (loading more is then refused);
 * topic and channel may be NULL.  NULL with err set on failure. */
pb_case *pb_case_new(pb_engine *e, const char *topic, const char *channel,
                     pb_error *err);
void pb_case_free(pb_case *c);

/* A fact known from the start (before the first event). */
pb_status pb_case_set_fact(pb_case *c, const char *name, const char *value,
                           pb_error *err);

/* Attributes one recorded event may have (in a file, besides t and
 * type): real events have a handful, and a case file with more would be
 * costly to read back (docs/scenarios.md, Safety and limits). */
#define PB_EVENT_MAX_ATTRS 32u

/* What an event counts toward the size of its case: its type, text
 * (NULL: none) and attributes, and 64 bytes of its own.  A case file
 * holds 7.5 MB of such bytes of recorded events, detectors add at most
 * 32 MiB of them to a case, and `playbook serve` counts them for
 * --max-open-bytes and --agent-disk (docs/api.md). */
size_t pb_event_bytes(const char *type, const char *text,
                      const pb_attr *attrs, size_t nattrs);

/*
 * Appends one recorded event, runs the detectors on it (which may append
 * detected events right after it) and re-evaluates the checklist.  Times
 * are seconds since the case started and never go backwards; at most
 * PB_EVENT_MAX_ATTRS attributes.  On PB_INPUT the case is unchanged.
 */
pb_status pb_case_append(pb_case *c, double t, const char *type,
                         const char *text, const pb_attr *attrs,
                         size_t nattrs, pb_error *err);

/* Whether pb_case_append would take the event, as it stands now:
 * PB_OK, or PB_INPUT with the reason; nothing changes.  Every route that
 * appends an event passes here, so the rules of the engine's own types
 * hold for all of them (an event.undone's: "Undo" below).  A text of
 * white space only is no text (a fact's value, a skip's reason). */
pb_status pb_case_check(const pb_case *c, double t, const char *type,
                        const char *text, const pb_attr *attrs,
                        size_t nattrs, pb_error *err);

/* While on (off by default), c is reading back a record: an
 * event.undone that breaks the rule of "Undo" below, which records made
 * before the rule may hold, is kept and takes nothing back instead of
 * being refused.  Case files and the server's stores turn it on while
 * they read the events recorded, and off before any new one. */
void pb_case_set_old_record(pb_case *c, int on);

/* One event of a batch. */
typedef struct pb_new_event {
    const char *type, *text;
    const pb_attr *attrs;
    size_t nattrs;
} pb_new_event;

/*
 * Whether pb_case_append would take ev[0..n), appended one after another
 * at t, as far as can be known before any is: each event is checked as
 * pb_case_check does, with the types the events before it bring counted
 * against the case's room and the engine's, and none may follow a
 * case.closed, nor undo what one before it undid.  What clients send
 * is checked so: none may set a fact the engine keeps
 * (pb_fact_check_event), which a file may hold.  (A case that closes
 * itself at contact.ended is known to only once the events are
 * evaluated.)  PB_OK, or PB_INPUT with *at the first refused; nothing
 * changes.  n is a batch's: each event is compared with those before
 * it.
 */
pb_status pb_case_check_batch(const pb_case *c, double t,
                              const pb_new_event *ev, size_t n, size_t *at,
                              pb_error *err);

/* The engine whose principles c is evaluated with. */
const pb_engine *pb_case_engine(const pb_case *c);
/* Topic and channel (NULL when not given). */
const char *pb_case_topic(const pb_case *c);
const char *pb_case_channel(const pb_case *c);
/* Who handles the case: the agent and their team, each NULL when not
 * known.  Set before the first event (PB_STATE after it; PB_INPUT for an
 * empty string); a scenario's <case agent= team=> sets them. */
pb_status pb_case_set_agent(pb_case *c, const char *agent, const char *team,
                            pb_error *err);
const char *pb_case_agent(const pb_case *c);
const char *pb_case_team(const pb_case *c);

/*
 * Cases outlive a call (docs/authoring.md, "Cases outlive a call").  A
 * contact (a call, a chat, an email exchange) ends with contact.ended;
 * the case stays open for follow-ups and later contacts, which start
 * with whatever is recorded next.  It closes by a recorded case.closed,
 * or by itself when a contact ends with no item marked `later` open or
 * waiting: the principles say nothing is left to do.  No event can
 * follow either.
 */
int pb_case_closed(const pb_case *c);      /* 1 once closed either way */
int pb_case_settled(const pb_case *c);     /* 1 when it closed itself */
double pb_case_closed_at(const pb_case *c); /* case time, -1 when open */
/* 0 from contact.ended to the next recorded event, else 1. */
int pb_case_in_contact(const pb_case *c);
/* The same as a word: "in_contact", "between_contacts" or "closed" (for
 * reports, and the <case state=...> expectation of scenarios). */
const char *pb_case_status(const pb_case *c);
/* The facts as they stand now, in the order first set. */
size_t pb_case_nfacts(const pb_case *c);
void pb_case_fact(const pb_case *c, size_t i, const char **name,
                  const char **value);

/*
 * Why a detector added an event (docs/reports.md, "Evidence"): the
 * detector, where it is written, and what it matched.
 */
typedef struct pb_evidence {
    const char *file;  /* the principle file; NULL: no evidence (a
                        * recorded event) */
    int line;          /* the detector's line in it */
    const char *kind;  /* "pattern", "words", "example" or "function" (a
                        * function detector without a guard) */
    const char *match; /* the pattern, phrase or example that matched;
                        * NULL for "function" */
    double score;      /* an example's similarity (0 to 1); else -1 */
} pb_evidence;

typedef struct pb_event_info {
    double t;
    const char *type, *text; /* text may be NULL */
    const pb_attr *attrs;
    size_t nattrs;
    const char *detected_by; /* principle id, or NULL when recorded */
    size_t recorded;         /* its number among the recorded events,
                              * from 1 (as undo counts them); 0 when
                              * detected */
    pb_evidence evidence;    /* a detected event's; file NULL otherwise */
} pb_event_info;

/* The facts as they were before the first event (in the order set). */
size_t pb_case_ninitial(const pb_case *c);
void pb_case_initial(const pb_case *c, size_t i, const char **name,
                     const char **value);
/* The initial fact started_at as seconds since the epoch, or -1. */
double pb_case_started(const pb_case *c);

/*
 * Facts the engine sets and reads back itself: started_at, the case's
 * start, which its clock counts from.  A client may give started_at when
 * it creates a case (a recorded call imported with its real start) only
 * as an ISO 8601 time not after now nor more than PB_TIME_MAX before it,
 * and may never record it as an event: the clock reads only the initial
 * fact, so a later one would only make the case's facts disagree with it.
 */
int pb_fact_reserved(const char *name);
/* Whether a client may create a case with fact name=value, now being
 * the wall clock (seconds since the epoch): PB_OK, or PB_INPUT saying
 * why.  Any fact not reserved may. */
pb_status pb_fact_check_initial(const char *name, const char *value,
                                double now, pb_error *err);
/* Whether a client may record this event: PB_INPUT for a fact event
 * that sets a reserved fact.  Files and the engine's own checks do not
 * refuse it, so that a case recorded before this rule still reads. */
pb_status pb_fact_check_event(const char *type, const pb_attr *attrs,
                              size_t nattrs, pb_error *err);

/* The timeline: recorded and detected events in order. */
size_t pb_case_nevents(const pb_case *c);
void pb_case_event(const pb_case *c, size_t i, pb_event_info *out);

/*
 * Undo (docs/agents.md).  The recorded events are numbered from 1 in
 * order, detected ones left out; a recorded event.undone with ref=N
 * takes back recorded event N, which must be an earlier one, neither an
 * undo nor undone: pb_case_append refuses any other (PB_INPUT, naming
 * attrs.ref), however the event came.  It takes back its place on the record,
 * not what it did: both events stay in the case, and the checklist keeps
 * what event N did, so a replay of the case shows what was seen live.
 */

/* Marks what undos take back: undone[i] is 1 for each event i (of
 * pb_case_nevents) that a recorded event.undone took back, else 0 (an
 * old record's undo that broke the rule takes back nothing).  One pass
 * over the case, for listings. */
void pb_case_undone(const pb_case *c, unsigned char *undone);

/* The event that undoes one, to record like any other.  It points into
 * itself, so it must not be copied by assignment. */
typedef struct pb_undo {
    size_t ref;         /* the recorded event it takes back (from 1) */
    size_t event;       /* the same, as pb_case_event numbers it */
    const char *type;   /* "event.undone" */
    const char *text;   /* "type: text" of that event, cut short */
    pb_attr attrs[1];   /* ref=N */
    size_t nattrs;
    char ref_buf[24], text_buf[160];
} pb_undo;

/* The event that undoes recorded event n, or with n 0 the last one that
 * is neither an undo nor undone.  PB_INPUT when there is no event n, it
 * is an undo itself or already undone, or nothing is left to undo. */
pb_status pb_case_undo_event(const pb_case *c, size_t n, pb_undo *out,
                             pb_error *err);

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
/* "done" -> PB_DONE; PB_INPUT for a name no state has. */
pb_status pb_state_parse(const char *name, pb_state *out);
/* How text reports show a state: "[x]" done, "[ ]" open, "[.]" waiting,
 * "[-]" skipped, "[!]" violated, "[E]" error, "   " absent; and the ANSI
 * colour (an SGR escape) they give it on a terminal. */
const char *pb_state_mark(pb_state s);
const char *pb_state_color(pb_state s);

typedef struct pb_item_info {
    const char *principle, *id;
    const char *ref;     /* "principle.item" */
    pb_state state;
    int must;
    const char *prompt;  /* for open and waiting items, else NULL */
    const char *error;   /* for PB_ERROR, "file:line: message" */
    const char *reason;  /* for PB_SKIPPED */
    double done_at;      /* case time it became done, -1 if never */
    double violated_at;  /* case time it became violated, -1 if never */
    size_t done_event;   /* event index that made it done */
    size_t violated_event; /* and the one that violated it */
} pb_item_info;

/* Item i of pb_engine_nitems(), ABSENT when it does not apply. */
void pb_case_item(const pb_case *c, size_t i, pb_item_info *out);

/* Open items, musts first, then principle order and item order.
 * Stores up to max item indexes; returns how many there are. */
size_t pb_case_next(const pb_case *c, size_t *out, size_t max);
/* The same list walked without a copy: the open item after item prev
 * (PB_NO_ITEM: the first), or PB_NO_ITEM after the last. */
#define PB_NO_ITEM ((size_t)-1)
size_t pb_case_next_after(const pb_case *c, size_t prev);

typedef struct pb_score {
    double value;      /* 0..1 */
    int applies;       /* 0 when the principle does not apply */
    int musts, done, violations;
} pb_score;

/* principle NULL for the overall score; PB_INPUT for an unknown id. */
pb_status pb_case_score(const pb_case *c, const char *principle,
                        pb_score *out);

/* Errors raised by detectors (not tied to an item): the first 100, and
 * then one more saying that later ones were not kept. */
size_t pb_case_nwarnings(const pb_case *c);
const char *pb_case_warning(const pb_case *c, size_t i);

/*
 * What an event changed: a snapshot holds a case's checklist (the state
 * of every item) and its numbers of events and warnings at one moment.
 * Take one, append, and the diff lists the items whose state changed;
 * the events and warnings the append added are those from the
 * snapshot's counts on.  Replays, `live` and `review` show each event's
 * effect this way.  A snapshot can be taken again any number of times,
 * of any case of the engine it was made with (it outlives both).
 */
typedef struct pb_snapshot pb_snapshot;

/* One item's change of state; event is the first event appended after
 * the snapshot (in a replay: the recorded event that caused it). */
typedef struct pb_change {
    size_t event;  /* index in the case's events */
    size_t item;
    pb_state from, to;
} pb_change;

/* A snapshot of c as it stands; NULL when out of memory. */
pb_snapshot *pb_snapshot_new(const pb_case *c);
void pb_snapshot_free(pb_snapshot *s);
/* Takes it again, of c as it stands now. */
void pb_snapshot_take(pb_snapshot *s, const pb_case *c);
/* What the snapshot holds. */
size_t pb_snapshot_nevents(const pb_snapshot *s);
size_t pb_snapshot_nwarnings(const pb_snapshot *s);
pb_state pb_snapshot_state(const pb_snapshot *s, size_t item);
/* The items whose state in c differs from the snapshot, in item order:
 * stores up to max changes (out may be NULL when max is 0); returns how
 * many there are, at most pb_engine_nitems(). */
size_t pb_snapshot_diff(const pb_snapshot *s, const pb_case *c,
                        pb_change *out, size_t max);

/* Scenario files (XML, namespace urn:playbook:scenario:1). */
typedef struct pb_scenario pb_scenario;

/* The largest scenario file read or written: what libxml2 reads whole
 * without XML_PARSE_HUGE (its XML_MAX_LOOKUP_LIMIT; past it, long
 * attribute values stop the parser), so every case file written reads
 * back (docs/scenarios.md). */
#define PB_SCENARIO_MAX_BYTES 10000000u

/*
 * The scenario schema: scenarios/scenario.rng (RELAX NG), built into the
 * library and compiled by pb_schema_new.  Every scenario read is checked
 * by hand first (friendlier messages), then validated against it; a file
 * it rejects gets "file:line: not valid against scenario.rng: ...".
 * Compiling costs as much as reading four 40-event scenarios, so a
 * program that reads many makes one schema and passes it to the _with
 * functions; it serves any number of reads, one after another.  NULL
 * from pb_schema_new, with err set, when out of memory.
 */
typedef struct pb_schema pb_schema;

pb_schema *pb_schema_new(pb_error *err);
void pb_schema_free(pb_schema *schema);

/* Reads and validates a scenario.  schema may be NULL: one is compiled
 * for the call, which is what pb_scenario_read and _parse do. */
pb_status pb_scenario_read_with(const pb_schema *schema, const char *path,
                                pb_scenario **out, pb_error *err);
pb_status pb_scenario_parse_with(const pb_schema *schema, const char *name,
                                 const char *buf, size_t len,
                                 pb_scenario **out, pb_error *err);
pb_status pb_scenario_read(const char *path, pb_scenario **out,
                           pb_error *err);
pb_status pb_scenario_parse(const char *name, const char *buf, size_t len,
                            pb_scenario **out, pb_error *err);
void pb_scenario_free(pb_scenario *s);

/* What the file says; strings belong to the scenario. */
const char *pb_scenario_path(const pb_scenario *s);
const char *pb_scenario_id(const pb_scenario *s);
const char *pb_scenario_title(const pb_scenario *s);
const char *pb_scenario_description(const pb_scenario *s); /* or NULL */
const char *pb_scenario_topic(const pb_scenario *s);       /* or NULL */
const char *pb_scenario_channel(const pb_scenario *s);     /* or NULL */
const char *pb_scenario_agent(const pb_scenario *s);       /* or NULL */
const char *pb_scenario_team(const pb_scenario *s);        /* or NULL */
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
    PB_EXPECT_NEXT,         /* ref */
    PB_EXPECT_CASE          /* ref: "in_contact", "between_contacts" or
                             * "closed" (docs/scenarios.md) */
} pb_expect_kind;

typedef struct pb_expect {
    pb_expect_kind kind;
    const char *ref;       /* NULL for SCORE */
    const char *principle; /* SCORE only, may be NULL */
    pb_state state;        /* ITEM only */
    double at;             /* ITEM: the time (seconds) state is expected
                            * at, after every event until then; -1: at
                            * the end (docs/scenarios.md, "Expectations") */
    double min, max;       /* SCORE only */
    int line;
} pb_expect;

/* What an expectation asks, in words: "listen.restate is done",
 * "listen.restate is open at 00:30". */
void pb_expect_text(const pb_expect *x, char *buf, size_t size);

/* The <expect> entries, in file order. */
size_t pb_scenario_nexpects(const pb_scenario *s);
const pb_expect *pb_scenario_expect(const pb_scenario *s, size_t i);

/* Event times are seconds from the start of the case, at most
 * PB_TIME_MAX (about 31 years: past any call, and exact in a double to
 * the tenth reports print). */
#define PB_TIME_MAX 1e9

/* "12", "12.5", "mm:ss", "h:mm:ss" -> seconds; PB_INPUT when malformed
 * or past PB_TIME_MAX. */
pb_status pb_time_parse(const char *text, double *out);
/* Seconds -> "mm:ss", or "h:mm:ss" past the hour, with tenths when the
 * time has them ("--:--" outside 0..PB_TIME_MAX); returns buf. */
const char *pb_time_format(double t, char *buf, size_t size);

/* Replay: a scenario through the principles, with the timeline of
 * state changes and every expectation checked. */
typedef struct pb_replay pb_replay;

typedef struct pb_expect_result {
    const pb_expect *expect;
    int met;
    char actual[160]; /* what was found, for the report */
} pb_expect_result;

/* PB_INPUT when an event is rejected or an expectation names an unknown
 * principle or item (err names the scenario file and line). */
pb_status pb_replay_run(pb_engine *e, const pb_scenario *s, pb_replay **out,
                        pb_error *err);
/* The same without judging the expectations (there are no results):
 * the events are replayed whatever <expect> names, as when comparing
 * two versions of the principles, one of which may lack an item the
 * scenario expects (pb_diff). */
pb_status pb_replay_play(pb_engine *e, const pb_scenario *s,
                         pb_replay **out, pb_error *err);
/* The case a replay of s starts from, before its first event: topic,
 * channel, agent and team, and the facts known from the start (review
 * plays its events one by one).  err at the scenario's line of a bad
 * fact. */
pb_status pb_replay_start(pb_engine *e, const pb_scenario *s, pb_case **out,
                          pb_error *err);
void pb_replay_free(pb_replay *r);
/* The scenario replayed and the case it gave, as it ended. */
const pb_scenario *pb_replay_scenario(const pb_replay *r);
const pb_case *pb_replay_case(const pb_replay *r);
/* Every event's changes, in event order (each event's as
 * pb_snapshot_diff lists them). */
size_t pb_replay_nchanges(const pb_replay *r);
const pb_change *pb_replay_change(const pb_replay *r, size_t i);
/* One result per expectation, in the scenario's order. */
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

/*
 * Diff: the same recorded calls under two versions of the principles
 * (docs/authoring.md, "Comparing two versions").  Each call is replayed
 * under both (pb_replay_play) and given to pb_diff_add, which keeps it
 * when an item ends in another state or the score moves.  Changed calls
 * come largest change first: the score's, then the number of items.
 */
typedef struct pb_diff pb_diff;

typedef struct pb_diff_call {
    const char *file, *title;     /* the scenario's; title may be NULL */
    double old_score, new_score;  /* the case's score (pb_case_score) */
    size_t nitems;                /* items whose end state differs */
} pb_diff_call;

typedef struct pb_diff_item {
    const char *ref;
    const char *old_state, *new_state; /* NULL: the version has no such
                                        * item */
    long event;        /* the recorded event (from 0) from which the two
                        * versions part for this item; -1 when they never
                        * change it (an item one version lacks) */
    double t;          /* that event's time, type and text (NULL) */
    const char *type, *text;
    /* What each version's detectors added right after that event:
     * "type [evidence]; ..." (pb_evidence in short), "" when nothing. */
    const char *old_detected, *new_detected;
} pb_diff_item;

/* NULL when out of memory; the names are what reports call the two. */
pb_diff *pb_diff_new(const char *old_name, const char *new_name);
void pb_diff_free(pb_diff *d);
/* old and new: one scenario replayed under each version.  PB_NOMEM. */
pb_status pb_diff_add(pb_diff *d, const pb_replay *old,
                      const pb_replay *new, pb_error *err);
const char *pb_diff_old_name(const pb_diff *d);
const char *pb_diff_new_name(const pb_diff *d);
size_t pb_diff_ncompared(const pb_diff *d);
size_t pb_diff_nchanged(const pb_diff *d);
const pb_diff_call *pb_diff_call_at(const pb_diff *d, size_t i);
const pb_diff_item *pb_diff_item_at(const pb_diff *d, size_t call,
                                    size_t k);
/* As text, JSON or one HTML page; PB_INPUT for JUnit, PB_IO. */
pb_status pb_render_diff(FILE *out, pb_format fmt, unsigned flags,
                         const pb_diff *d);

/*
 * Coverage (docs/authoring.md, "Coverage"): what a suite of calls
 * exercises of the principles.  pb_coverage_add folds in one case (a
 * replay's, made with e) and keeps none.
 */
typedef struct pb_coverage pb_coverage;

typedef struct pb_coverage_counts {
    size_t done, violated, skipped; /* an item: calls it was done in, ... */
    size_t fired;                   /* a detector: the events it added */
    int noticed;  /* mutation: 1 when dropping it changed an expectation
                   * of some call, 0 when none, -1 not tried */
} pb_coverage_counts;

typedef struct pb_coverage_totals {
    size_t items, items_done;         /* done in at least one call */
    size_t detectors, detectors_fired;
    size_t matches, matched;          /* patterns, phrases and examples;
                                       * those some evidence names */
    size_t mutants, noticed;          /* tried; noticed by some call */
    double percent;   /* (items_done + detectors_fired + matched) over
                       * (items + detectors + matches), 0..100 */
} pb_coverage_totals;

pb_coverage *pb_coverage_new(const pb_engine *e); /* NULL: no memory */
void pb_coverage_free(pb_coverage *cv);
/* PB_INPUT for a case of another engine. */
pb_status pb_coverage_add(pb_coverage *cv, const pb_case *c);
/* Records a mutation's result: item index (detector 0) or detector
 * index of principle (detector 1). */
void pb_coverage_mutant(pb_coverage *cv, int detector, size_t principle,
                        size_t index, int noticed);
const pb_engine *pb_coverage_engine(const pb_coverage *cv);
size_t pb_coverage_ncalls(const pb_coverage *cv);
void pb_coverage_item(const pb_coverage *cv, size_t item,
                      pb_coverage_counts *out);
void pb_coverage_detector(const pb_coverage *cv, size_t principle,
                          size_t detector, pb_coverage_counts *out);
/* How often match k of a detector (its patterns, then its phrases, then
 * its examples, as pb_detector_info counts them) was the evidence. */
size_t pb_coverage_matched(const pb_coverage *cv, size_t principle,
                           size_t detector, size_t k);
void pb_coverage_figures(const pb_coverage *cv, pb_coverage_totals *out);
/* As text, JSON or one HTML page; PB_INPUT for JUnit, PB_IO. */
pb_status pb_render_coverage(FILE *out, pb_format fmt, unsigned flags,
                             const pb_coverage *cv);

/* A batch of replays as one document.  Returns PB_IO on write failure. */
pb_status pb_render_replays(FILE *out, pb_format fmt, unsigned flags,
                            pb_replay *const *replays, size_t n);
/* The checklist of one case (what an agent sees) as text, JSON or an HTML
 * page; PB_INPUT for JUnit, which only describes replays. */
pb_status pb_render_checklist(FILE *out, pb_format fmt, unsigned flags,
                              const pb_case *c);
/*
 * The same as JSON, through a memo of what it wrote last time: each
 * item, and the checklist, next steps and score together, are copied
 * from it while they show the same, so a server that sends the case
 * after every event writes again only what the event changed
 * (docs/performance.md).  The bytes are pb_render_checklist's.  Keep
 * one memo per case; given another case it is still right, only slower
 * (another engine's: it starts over).  m NULL: pb_render_checklist's
 * JSON, nothing kept.
 */
typedef struct pb_render_memo pb_render_memo;
pb_render_memo *pb_render_memo_new(void);   /* NULL: out of memory */
void pb_render_memo_free(pb_render_memo *m);
pb_status pb_render_checklist_memo(FILE *out, const pb_case *c,
                                   pb_render_memo *m);

/*
 * Case files and journals.
 *
 * A live case is saved as a scenario file (docs/scenarios.md): topic,
 * channel, the initial facts (among them started_at, the case's start as
 * ISO 8601 UTC) and the recorded events; detected events are not saved,
 * the detectors find them again on load.  Next to FILE an append-only
 * journal FILE.journal holds the events recorded since FILE was last
 * rewritten, one record each; an event counts as saved ("acknowledged")
 * only once its record is written and fsync'ed.  Every few events, and
 * at close, FILE is rewritten atomically from memory (FILE.tmp, fsync,
 * rename, fsync of the folder) and the journal emptied.  The journal is
 * also the lock: a session holds it (flock) from open to close.
 */

/* The system calls the journal and the case file go through.  Each acts
 * like its POSIX namesake (-1 and errno on failure) and gets ctx back.
 * Tests replace them to inject faults; an embedder may wrap them. */
typedef struct pb_io {
    int (*open)(void *ctx, const char *path, int flags, unsigned mode);
    long (*write)(void *ctx, int fd, const void *buf, size_t len);
    int (*fsync)(void *ctx, int fd);
    int (*ftruncate)(void *ctx, int fd, long long len);
    int (*rename)(void *ctx, const char *from, const char *to);
    int (*close)(void *ctx, int fd);
    void *ctx;
} pb_io;

const pb_io *pb_io_posix(void); /* the plain calls */

/*
 * A case file in use: the case in memory, its file and its journal.
 * The recorded events of the case are either saved (in FILE or in the
 * journal, durably) or pending (in memory only, after a failed save).
 */
typedef struct pb_casefile pb_casefile;

#define PB_CASEFILE_COMPACT_EVERY 32u /* events between rewrites of FILE */

typedef struct pb_casefile_opts {
    const char *topic, *channel; /* for a new case; topic required */
    const char *agent, *team;    /* for a new case; may be NULL */
    const char *id, *title;      /* for a new case; default: file name */
    const pb_attr *facts;        /* initial facts of a new case */
    size_t nfacts;
    double wait;                 /* seconds to wait for the lock */
    unsigned compact_every;      /* 0: PB_CASEFILE_COMPACT_EVERY */
    /* 1: appends are written to the journal without fsync, and the
     * caller makes them durable by syncing the file system (syncfs(2),
     * folder included), so that one sync covers many case files; the
     * rewrites of FILE are synced as ever (docs/api.md, "How fast"). */
    int nosync;
    const pb_io *io;             /* NULL: pb_io_posix() */
} pb_casefile_opts;

/*
 * Opens (locks) the case file path with the principles of e, reading
 * FILE and replaying the journal after it; a new case when FILE does not
 * exist (opts->topic required then; started_at is set to now).  A torn
 * last journal record is dropped with a warning.  A damaged record with
 * valid ones after it is PB_INPUT: nothing is changed and a copy of the
 * journal is kept as FILE.journal.damaged-YYYYMMDDTHHMMSSZ.  PB_STATE:
 * another session holds the case ("case FILE is in use by another
 * session").  opts may be NULL.
 */
pb_status pb_casefile_open(pb_engine *e, const char *path,
                           const pb_casefile_opts *opts, pb_casefile **out,
                           pb_error *err);

/*
 * Records one event (see pb_case_append; text is trimmed, attributes
 * named t or type, or not XML names, are refused).  Times are clamped to
 * a multiple of 1 ms that round-trips through the file.
 *   PB_OK     the event, and every one pending before it, is durable
 *             (with opts->nosync: written, durable once the caller
 *             syncs).
 *   PB_INPUT  rejected; nothing changed.
 *   PB_IO     the event is in the case (the checklist shows it) but not
 *             saved: err has the reason with the errno text.  Every later
 *             append, pb_casefile_save and pb_casefile_close retry.
 */
pb_status pb_casefile_append(pb_casefile *cf, double t, const char *type,
                             const char *text, const pb_attr *attrs,
                             size_t nattrs, pb_error *err);
/* Whether pb_casefile_append would take ev[0..n), one after another
 * at t (pb_case_check_batch, and what a case file can hold): PB_OK, or
 * PB_INPUT with *at the first refused; nothing changes. */
pb_status pb_casefile_check(const pb_casefile *cf, double t,
                            const pb_new_event *ev, size_t n, size_t *at,
                            pb_error *err);
/* Saves what is pending: PB_OK once nothing is. */
pb_status pb_casefile_save(pb_casefile *cf, pb_error *err);
/* Rewrites FILE from memory and empties the journal. */
pb_status pb_casefile_compact(pb_casefile *cf, pb_error *err);
/*
 * Compacts, unlocks and frees.  On failure (PB_IO) the handle stays
 * open: pb_casefile_pending() says whether events would be lost (0: all
 * are in the journal, and the next open merges them); retry, or give up
 * with pb_casefile_free().
 */
pb_status pb_casefile_close(pb_casefile *cf, pb_error *err);
/* Unlocks and frees without saving more: pending events are lost, and
 * so is any part of them a failed write left in the journal. */
void pb_casefile_free(pb_casefile *cf);

/* The case in memory (read it, render it; append through the file), its
 * path and how many events were recorded in it (detected ones aside). */
const pb_case *pb_casefile_case(const pb_casefile *cf);
const char *pb_casefile_path(const pb_casefile *cf);
size_t pb_casefile_nrecorded(const pb_casefile *cf);
/* Recorded events not yet durable: the last ones recorded. */
size_t pb_casefile_pending(const pb_casefile *cf);
/* Seconds since started_at by the wall clock, never before the last
 * event; the last event's time when the file has no started_at. */
double pb_casefile_now(const pb_casefile *cf);
/* What opening recovered from (a torn journal tail). */
size_t pb_casefile_nwarnings(const pb_casefile *cf);
const char *pb_casefile_warning(const pb_casefile *cf, size_t i);

/*
 * Reads a case file and its journal without locking or changing them
 * (for reports over cases other sessions may be writing): the journal is
 * read first, so a rewrite between the two reads loses nothing.  A torn
 * journal tail is ignored, with a note in warn (message "" when none).
 */
pb_status pb_casefile_read(pb_engine *e, const char *path, pb_case **out,
                           pb_error *warn, pb_error *err);

/*
 * The agent a case file names (its <case agent>, set when the case was
 * made), read from the file's first few kilobytes alone: nothing locked,
 * replayed or run, for a server to refuse another agent's case without
 * opening it.  "" when it names none.  PB_INPUT when the head does not
 * tell plainly (no <case> there, a reference in the value, longer than
 * size), PB_IO when the file cannot be read: open the case to know.
 */
pb_status pb_casefile_agent(const char *path, char *out, size_t size,
                            pb_error *err);

/*
 * A case file (or any scenario) as a scenario, followed by the events of
 * its journal when one is there (a session in progress, or one that
 * crashed before merging it), read as pb_casefile_read reads them: the
 * same checks, nothing locked or changed.  A damaged journal is PB_INPUT
 * naming it and the record.  The journal's events have line 0.  Without
 * a journal this is pb_scenario_read_with.  warn may be NULL.
 */
pb_status pb_casefile_scenario(pb_engine *e, const pb_schema *schema,
                               const char *path, pb_scenario **out,
                               pb_error *warn, pb_error *err);

/*
 * A due time as people and detectors write it, in seconds since the
 * epoch: ISO 8601 ("2026-11-26T10:00", "2026-11-26 10:00:30", with Z or
 * an offset such as +01:00; a date alone is the end of that day),
 * "today 18:00", "tomorrow 10am", "Friday", "friday at 9:30",
 * "Thursday evening" (morning: 12:00, afternoon: 17:00, evening and
 * tonight: 21:00), "in 2h", "in 3 days", "within 48 hours", "end of
 * day", "noon"; a range at its later end ("within 3-5 business days":
 * business days skip Saturday and Sunday; "in the next 10 - 15
 * minutes"), "less than a week", "within the hour", "in 2 months", "end
 * of the week" (Friday), "end of the month"; "by", "on", "at", "the",
 * "latest" are ignored, so "by Wednesday at the latest" reads.  Relative
 * ones count from base (seconds since the epoch), in the local time
 * zone; a weekday is the next such day, or base's own day when it is
 * that day.  docs/agents.md, "Due times".  PB_INPUT when not understood.
 */
pb_status pb_due_parse(const char *text, double base, double *out);

/*
 * A due phrase said at case time t, read as pb_due_parse reads it from
 * the case's started_at plus t; without started_at only what does not
 * depend on when it was said ("2026-12-01T10:00").  PB_INPUT when it
 * does not read.
 */
pb_status pb_case_due(const pb_case *c, double t, const char *text,
                      double *out);

/*
 * Follow-ups: what a case promised (agent.committed) and planned to
 * check (followup.scheduled), recorded or detected, each with a due
 * attribute (events without one promise no date and are not listed).
 * A check is done once a followup.done comes after it; a commitment is
 * never done.  docs/agents.md, "playbook followups".
 */
typedef enum {
    PB_FOLLOWUP_COMMITMENT, /* agent.committed */
    PB_FOLLOWUP_CHECK       /* followup.scheduled */
} pb_followup_kind;

typedef struct pb_followup {
    pb_followup_kind kind;
    size_t event;         /* its index in the timeline (pb_case_event) */
    const char *due_text; /* the due attribute, as written */
    int parsed;           /* due_text reads (pb_case_due): due is set */
    double due;           /* seconds since the epoch */
    int done;             /* a check with a followup.done after it */
    const char *outcome;  /* that followup.done's outcome, or NULL */
    int overdue;          /* parsed, not done, and due before now */
} pb_followup;

/*
 * The follow-ups of c in timeline order, overdue counted at now
 * (seconds since the epoch): *out is malloc'd (NULL when *n is 0), its
 * strings the case's, valid while the case lives.  PB_NOMEM, or PB_OK.
 */
pb_status pb_case_followups(const pb_case *c, double now, pb_followup **out,
                            size_t *n, pb_error *err);
/* Whether f is overdue at now (seconds since the epoch): its due time
 * reads, it is not done, and the time is past (what sets f->overdue). */
int pb_followup_overdue(const pb_followup *f, double now);
/* Whether a list of what is due before `before` (seconds since the
 * epoch; < 0: no limit) shows f: what is not done and due before it,
 * and every due time that does not read, which nobody can tell. */
int pb_followup_listed(const pb_followup *f, double before);
/* The order follow-ups are listed in: overdue first, then by due time,
 * due times that do not read last.  0 when that does not tell them
 * apart (the caller breaks the tie: by case, then event). */
int pb_followup_order(const pb_followup *a, const pb_followup *b);

/*
 * Live commands: the short lines an agent types during a call
 * (`playbook live`; docs/agents.md lists them), each read into the event
 * it records or the action it asks for.  pb_command_parse is a pure
 * function of the line: no allocation, no engine, no clock, no state;
 * its one outside call is pb_due_parse, to check that a due time reads
 * (the answer does not depend on the date).  Whether an item or a fact
 * exists is for the caller, who knows the principles.
 */
#define PB_COMMAND_MAX_LINE 4096u /* bytes in a line, without its newline */
#define PB_COMMAND_MAX_ATTRS 8u

typedef enum {
    PB_CMD_NOTHING, /* a blank line or a # comment */
    PB_CMD_EVENT,   /* record type, text, attrs */
    PB_CMD_CLOSE,   /* record them (contact.ended or case.closed), show
                     * the summary, end the session */
    PB_CMD_UNDO,    /* record event.undone for event ref (0: the last) */
    PB_CMD_SHOW,    /* the whole checklist */
    PB_CMD_LOG,     /* the recorded events, numbered */
    PB_CMD_HELP,    /* topic: a command's name, or NULL for all */
    PB_CMD_QUIT     /* leave; the case stays open for later */
} pb_command_kind;

/*
 * A parsed line.  The strings point into buf (or are constants), so a
 * pb_command must not be copied by assignment.  type, text and attrs are
 * the event as pb_casefile_append takes it; text is NULL when none was
 * typed.
 */
typedef struct pb_command {
    pb_command_kind kind;
    const char *name;  /* the command's full name ("customer"), or NULL */
    const char *type;  /* event type to record, or NULL */
    const char *text;
    pb_attr attrs[PB_COMMAND_MAX_ATTRS];
    size_t nattrs;
    const char *due;   /* commit, followup: the due time as typed */
    const char *topic; /* help: the full name of the command asked about */
    unsigned long ref; /* undo: the event's number (1-based), 0: the last */
    int column;        /* of the error (1-based, in characters), else 0 */
    char buf[PB_COMMAND_MAX_LINE + 1];
} pb_command;

/*
 * Reads one line (len bytes; a trailing newline is allowed).  PB_OK, or
 * PB_INPUT with err->message "column N: what is wrong" (err->file is ""
 * and err->line 0; out->column is N): an unknown command (with the
 * closest one suggested), a missing or malformed argument (a due time
 * pb_due_parse cannot read, a fact without '=', a skip without a
 * reason), a control character, invalid UTF-8, or a line over
 * PB_COMMAND_MAX_LINE bytes.  err may be NULL.
 */
pb_status pb_command_parse(const char *line, size_t len, pb_command *out,
                           pb_error *err);

/* The commands, in the order help lists them. */
typedef struct pb_command_info {
    const char *name;    /* "customer" */
    const char *aliases; /* "c", space-separated; "" when none */
    const char *args;    /* "<text>" */
    const char *summary; /* one line */
    const char *type;    /* event it records, NULL for session commands */
} pb_command_info;

size_t pb_command_count(void);
const pb_command_info *pb_command_get(size_t i); /* NULL past the end */
/* The full name for a name or alias (any case), or NULL. */
const char *pb_command_lookup(const char *word);

/*
 * Of n names, the index of the one closest to word (edit distance, a
 * swap of two neighbours counting as one edit, ASCII case ignored), when
 * it is close enough to be a typo of it; -1 otherwise.  Names and words
 * over 64 bytes are never close.
 */
long pb_command_closest(const char *word, const char *const *names,
                        size_t n);

/*
 * Transcript import: call and chat transcripts
 * into scenario files, one per conversation.  Two inputs: ABCD-style JSON
 * (a list of conversations with "original": [[speaker, text], ...]) and
 * plain text ("Agent: ...", "Customer: ...", "Action: ..." lines with
 * optional [mm:ss] stamps).  docs/import.md is the format and the rules.
 * All of the input is checked by pb_import_parse; what it accepts is
 * written as a valid scenario.
 */
typedef struct pb_import pb_import;

typedef enum {
    PB_IMPORT_AUTO, /* JSON when the first non-blank character is { or
                     * a [ that does not open a time stamp ([00:00]) */
    PB_IMPORT_JSON,
    PB_IMPORT_TEXT
} pb_import_format;

#define PB_IMPORT_MAX_BYTES (64u * 1024u * 1024u) /* a transcript file */
#define PB_IMPORT_MAX_TURNS 100000u               /* per conversation */
#define PB_IMPORT_MAX_CONVERSATIONS 10000u        /* per file */

typedef struct pb_import_opts {
    pb_import_format format;
    const char *topic; /* every conversation's topic; NULL maps ABCD's flow,
                        * else infers it from the customer's words */
    const char *id;    /* a text transcript's id; NULL takes the file
                        * name's stem */
    const char *channel; /* every conversation's channel; NULL: "chat"
                          * for ABCD, none for text */
    const char *agent, *team; /* who handled them all, or NULL */
} pb_import_opts;

/* opts may be NULL (AUTO, no topic, id from the name).  PB_INPUT with
 * "file:line: message" or "file: conversation N (id): turn N: message". */
pb_status pb_import_read(const char *path, const pb_import_opts *opts,
                         pb_import **out, pb_error *err);
pb_status pb_import_parse(const char *name, const char *buf, size_t len,
                          const pb_import_opts *opts, pb_import **out,
                          pb_error *err);
void pb_import_free(pb_import *im);

/* The conversations read: how many, and each one's scenario id and
 * number of turns. */
size_t pb_import_count(const pb_import *im);
const char *pb_import_id(const pb_import *im, size_t i);
size_t pb_import_nturns(const pb_import *im, size_t i);
/* Its topic (NULL: none), and how it was found when not given or mapped
 * from ABCD's flow: "inferred from the customer's words (delivery 2)",
 * or "none inferred from the customer's words (no cue)"; else NULL.
 * docs/import.md, "Topics". */
const char *pb_import_topic(const pb_import *im, size_t i);
const char *pb_import_topic_note(const pb_import *im, size_t i);

/* Conversation i as scenario XML, made whole in memory first.  PB_INPUT
 * when it would be over PB_SCENARIO_MAX_BYTES, PB_IO when out fails;
 * the same import always gives the same bytes. */
pb_status pb_import_write(const pb_import *im, size_t i, FILE *out,
                          pb_error *err);

/*
 * Team statistics: adherence per principle and
 * item, the musts most often missed, violations, resolution and root
 * causes over many cases, per agent and per month.  Cases are added one
 * at a time and not kept: memory grows only with the number of distinct
 * root causes, agents and months.  There are
 * no durations on purpose -- quality is resolution and adherence, never
 * speed (docs/stats.md says how each figure is computed).
 */
typedef struct pb_stats pb_stats;

/* Statistics over cases evaluated with e's principles.  The layout of
 * the principles is copied, so e may go before the statistics do.  NULL
 * when out of memory. */
pb_stats *pb_stats_new(const pb_engine *e);
void pb_stats_free(pb_stats *s);

/*
 * Adds a case as it stands (normally as it ended).  PB_STATE when its
 * engine has other principles or items than the statistics; on any error
 * nothing is counted.  add_replay adds the replay's case and ignores the
 * scenario's <expect>.
 */
pb_status pb_stats_add_case(pb_stats *s, const pb_case *c, pb_error *err);
pb_status pb_stats_add_replay(pb_stats *s, const pb_replay *r,
                              pb_error *err);
/* Counts a case file that could not be read or replayed, so a report
 * says how many cases it leaves out. */
void pb_stats_add_unreadable(pb_stats *s);

/*
 * Partials (docs/scale.md): what one shard counted, as a text file that
 * names the version of the engine and of the principles.  Merging the
 * partials of shards gives exactly the figures of one run over all
 * their cases.  read_partial makes *s from the file when *s is NULL,
 * else adds it to *s; PB_INPUT (file:line) for a file that is not a
 * whole partial (cut short, altered) or of another version (naming
 * both), and *s is then unchanged.  write_partial: PB_IO.
 */
pb_status pb_stats_write_partial(const pb_stats *s, FILE *f);
pb_status pb_stats_read_partial(pb_stats **s, const char *path,
                                pb_error *err);
/* The same from len bytes at buf, named name in errors. */
pb_status pb_stats_parse_partial(pb_stats **s, const char *name,
                                 const char *buf, size_t len, pb_error *err);

/* Scores over the cases where a principle (or anything) applied: the
 * mean of the case scores, and the score rule of pb_case_score applied
 * once to the summed counts.  Both 0 when cases is 0. */
typedef struct pb_stats_score {
    size_t cases;
    double mean, pooled;
    size_t musts, done, violations;
} pb_stats_score;

typedef struct pb_stats_info {
    size_t cases, unreadable;
    size_t resolved;      /* a case.resolved not undone by a later
                           * followup.done outcome="not_fixed" */
    size_t first_contact; /* a case.resolved and no followup.done
                           * outcome="not_fixed" at all */
    size_t contacts;      /* as in pb_stats_group_info */
    pb_stats_score score; /* overall, over every case */
} pb_stats_info;

typedef struct pb_stats_principle_info {
    const char *id, *title;
    pb_stats_score score;
} pb_stats_principle_info;

typedef struct pb_stats_item_info {
    const char *ref, *principle, *id; /* ref is "principle.item" */
    int must;
    size_t applied;                   /* cases where it applied */
    size_t states[PB_ERROR + 1];      /* cases per final pb_state;
                                       * [PB_ABSENT] did not apply */
    size_t missed;                    /* musts: open, waiting or violated
                                       * at the end; 0 for the others */
} pb_stats_item_info;

/*
 * Groups of cases: by root cause (the fact root_cause as the case
 * ended), by agent (pb_case_agent) and by month (of the initial fact
 * started_at, UTC, as "YYYY-MM").  Every case is in one group of each
 * kind; name is NULL for the cases without one.
 */
typedef enum pb_stats_by {
    PB_STATS_CAUSE,
    PB_STATS_AGENT,
    PB_STATS_MONTH
} pb_stats_by;
#define PB_STATS_NBY 3

typedef struct pb_stats_group_info {
    const char *name;
    size_t cases, resolved, first_contact;
    size_t contacts;      /* with the customer: each case's first, and
                           * each one after a contact.ended; contacts -
                           * cases are the repeat contacts */
    pb_stats_score score; /* overall, over the group's cases */
} pb_stats_group_info;

/* The figures: over everything, per principle, per item (in checklist
 * order) and per group (in the order first seen); group_principle is
 * principle p's score over the group's cases. */
void pb_stats_overall(const pb_stats *s, pb_stats_info *out);
size_t pb_stats_nprinciples(const pb_stats *s);
void pb_stats_principle(const pb_stats *s, size_t i,
                        pb_stats_principle_info *out);
size_t pb_stats_nitems(const pb_stats *s);
void pb_stats_item(const pb_stats *s, size_t i, pb_stats_item_info *out);
size_t pb_stats_ngroups(const pb_stats *s, pb_stats_by by);
void pb_stats_group(const pb_stats *s, pb_stats_by by, size_t i,
                    pb_stats_group_info *out);
void pb_stats_group_principle(const pb_stats *s, pb_stats_by by, size_t i,
                              size_t p, pb_stats_score *out);

/*
 * Rankings, first first, as indexes for pb_stats_item or pb_stats_group.
 * out needs room for pb_stats_nitems (or pb_stats_ngroups) indexes; the
 * return is how many were stored.  Ties fall to the larger share of the
 * cases where the item applied, then to the name (no name last).
 *   missed: musts with missed > 0, by missed;
 *   violations: items violated in some case, by those cases;
 *   groups: root causes by contacts, then cases (what brings customers
 *   to us most); agents and months by name (never by a figure: the
 *   statistics do not rank people).
 */
size_t pb_stats_rank_missed(const pb_stats *s, size_t *out);
size_t pb_stats_rank_violations(const pb_stats *s, size_t *out);
size_t pb_stats_rank_groups(const pb_stats *s, pb_stats_by by, size_t *out);

/* The statistics as text, JSON or HTML (PB_INPUT for other formats);
 * PB_IO on write failure. */
pb_status pb_stats_render(const pb_stats *s, FILE *out, pb_format fmt,
                          unsigned flags);

/*
 * Coaching one agent (`playbook coach`, docs/trainers.md): every call
 * is counted for the team, the agent's calls (pb_case_agent equal to
 * agent) for them too, and for each must they missed the first few
 * moments that show it.  Practice scenarios are matched to the items
 * their <expect> names.  Memory stays flat however many calls.
 */
typedef struct pb_coach pb_coach;

/* NULL when out of memory; e's layout is copied as pb_stats_new does. */
pb_coach *pb_coach_new(const pb_engine *e, const char *agent);
void pb_coach_free(pb_coach *c);
/* A replayed call, anyone's; errors as pb_stats_add_replay. */
pb_status pb_coach_add_replay(pb_coach *c, const pb_replay *r,
                              pb_error *err);
void pb_coach_add_unreadable(pb_coach *c);
/* A scenario to practise on, read with e's principles; its
 * expectations of items say what it exercises. */
pb_status pb_coach_add_practice(pb_coach *c, const pb_engine *e,
                                const pb_scenario *s, pb_error *err);

const char *pb_coach_name(const pb_coach *c);
const char *pb_coach_team_name(const pb_coach *c); /* NULL: none named */
/* Statistics of every call, and of the agent's calls alone. */
const pb_stats *pb_coach_everyone(const pb_coach *c);
const pb_stats *pb_coach_calls(const pb_coach *c);

/* A moment a must (item index of pb_engine_nitems) was missed: violated
 * at `at` (said: the text of the recorded event there, of type
 * said_type, e.g. agent.said; or NULL), or still open or waiting when
 * the call ended at `at`.  The first few, in call order. */
typedef struct pb_coach_moment {
    const char *path, *title, *said, *said_type;
    double at;
    pb_state state;
} pb_coach_moment_info;
size_t pb_coach_nmoments(const pb_coach *c, size_t item);
void pb_coach_moment(const pb_coach *c, size_t item, size_t k,
                     pb_coach_moment_info *out);
/* The practice scenarios given, and those that exercise the item: the
 * few that fit it best (expecting it done first, then the fewest
 * items checked), in that order. */
size_t pb_coach_nscenarios(const pb_coach *c);
size_t pb_coach_npractice(const pb_coach *c, size_t item);
void pb_coach_practice(const pb_coach *c, size_t item, size_t k,
                       const char **path, const char **title);

/* The coaching page as text, JSON or HTML; PB_IO on write failure. */
pb_status pb_coach_render(const pb_coach *c, FILE *out, pb_format fmt,
                          unsigned flags);

/*
 * Labels: a support lead's final state for items of conversations, to
 * measure the engine (or another lead) against (`playbook calibrate`,
 * docs/calibration.md).  A CSV file (RFC 4180: quoted fields may hold
 * commas, line breaks and "" for a quote) whose header row names the
 * columns, in any order: chat (a scenario's id), item
 * ("principle.item"), the state as state or lead (done, open, violated,
 * n/a; ASCII case ignored), and optionally borderline (yes, ?, no or
 * empty) and note.  Other columns are refused, so a misspelt one does
 * not go unseen.  Empty rows are skipped; values are trimmed.
 */
typedef struct pb_labels pb_labels;

/* What a lead can say of an item; ERROR is only the engine's (an item
 * whose Lua failed), never in a file. */
typedef enum {
    PB_LABEL_DONE,
    PB_LABEL_OPEN,
    PB_LABEL_VIOLATED,
    PB_LABEL_NA,
    PB_LABEL_ERROR
} pb_label_state;

#define PB_LABEL_NSTATES 5

#define PB_LABELS_MAX_BYTES (16u * 1024u * 1024u) /* a labels file */
#define PB_LABELS_MAX_ROWS 200000u                /* labels in a file */
#define PB_LABELS_MAX_FIELD 4096u /* bytes in one field, once unquoted */

typedef struct pb_label {
    const char *chat, *item; /* item is "principle.item" */
    const char *note;        /* "" when none */
    pb_label_state state;
    int borderline;
    int line;                /* where its row starts */
} pb_label;

/*
 * Reads and checks a labels file: PB_INPUT with "file:line: message" for
 * a bad header, an unterminated quote, a field over the cap, a state or
 * borderline outside the vocabulary, an item that is not
 * principle.item, a (chat, item) labelled twice, invalid UTF-8, an
 * empty file or one with no label; PB_INPUT also for a file that is not
 * a regular file (pb_labels_read), PB_IO when it cannot be read.
 * Whether the items and chats exist is for the caller (pb_calib_new).
 */
pb_status pb_labels_read(const char *path, pb_labels **out, pb_error *err);
pb_status pb_labels_parse(const char *name, const char *buf, size_t len,
                          pb_labels **out, pb_error *err);
void pb_labels_free(pb_labels *l);

/* The name it was read under, its labels in file order, and the label
 * of (chat, item) as an index, or -1. */
const char *pb_labels_name(const pb_labels *l);
size_t pb_labels_count(const pb_labels *l);
const pb_label *pb_labels_get(const pb_labels *l, size_t i);
long pb_labels_find(const pb_labels *l, const char *chat, const char *item);
/* "done", "open", "violated", "n/a", "error". */
const char *pb_label_state_name(pb_label_state s);
/* The engine's final state as a lead would give it: waiting is open,
 * absent and skipped are n/a (docs/calibration.md). */
pb_label_state pb_label_state_of(pb_state s);

/*
 * Calibration: a lead's labels (the reference, the columns of the
 * confusion matrix) against the engine's final checklists or against a
 * second lead's labels (the rows), item by item: agreement, Cohen's
 * kappa, the confusion, and every disagreement with the event that
 * decided the engine's state.  docs/calibration.md has the figures.
 *
 * Make one with the labels, add the replay of each scenario (the
 * scenario's id is the label's chat), then finish; the figures can be
 * read once finished.  With a second lead the scenarios are optional:
 * their replays only quote what the engine made of each disagreement.
 */
typedef struct pb_calib pb_calib;

/*
 * Checks every label's item against e: an unknown principle is
 * PB_INPUT at the label's line, and so is an unknown item, except an
 * item named like a fact (an id) of a principle that names items after
 * the facts they collect (`ask`): the engine does not list it, so it
 * counts as n/a on the engine's side, with a warning -- unless it is
 * one edit from an item the principle has (a typo: PB_INPUT, naming
 * it).  other is NULL to compare with the engine.  The labels and e
 * must outlive the calibration.
 */
pb_status pb_calib_new(const pb_engine *e, const pb_labels *lead,
                       const pb_labels *other, pb_calib **out,
                       pb_error *err);
void pb_calib_free(pb_calib *c);

/* Adds a scenario's replay (with the engine given to pb_calib_new):
 * the final state of each labelled item and the event after which it
 * reached it.  A scenario whose id no label names is a warning;
 * PB_INPUT when a replay of that id was added already. */
pb_status pb_calib_add_replay(pb_calib *c, const pb_replay *r,
                              pb_error *err);

/* Ends the adding and counts.  PB_INPUT at the first label of a chat
 * that no added replay has, when comparing with the engine or when any
 * replay was added. */
pb_status pb_calib_finish(pb_calib *c, pb_error *err);

typedef enum {
    PB_CALIB_ALL,        /* every compared label */
    PB_CALIB_CLEAR,      /* labels neither side marked borderline */
    PB_CALIB_BORDERLINE  /* labels either side marked borderline */
} pb_calib_part;

typedef struct pb_calib_figures {
    size_t labels, agree;            /* compared; same state both sides */
    size_t applying, applying_agree; /* where either side is not n/a */
    double kappa;                    /* Cohen's kappa when has_kappa */
    int has_kappa;                   /* 0 with no label, or when chance
                                      * agreement is 1 (one state on
                                      * both sides throughout) */
    /* [row: engine or second lead][column: lead], pb_label_state order */
    size_t matrix[PB_LABEL_NSTATES][PB_LABEL_NSTATES];
} pb_calib_figures;

typedef struct pb_calib_info {
    const char *lead;      /* the lead's labels (their name) */
    const char *other;     /* the second lead's, or NULL: the engine */
    size_t chats;          /* chats with at least one compared label */
    size_t replays;        /* scenarios added */
    size_t unpaired;       /* labels of one lead the other has not */
} pb_calib_info;

void pb_calib_overall(const pb_calib *c, pb_calib_info *info);
void pb_calib_figures_of(const pb_calib *c, pb_calib_part part,
                         pb_calib_figures *out);

/* The items labelled: their number, each one's ref and figures (in
 * checklist order, items the engine does not list last), and the order
 * worst first (lowest agreement; out needs room for pb_calib_nitems). */
size_t pb_calib_nitems(const pb_calib *c);
const char *pb_calib_item(const pb_calib *c, size_t i, pb_calib_part part,
                          pb_calib_figures *out);
/* 1 when the engine lists the item, 0 for a fact item it does not. */
int pb_calib_item_known(const pb_calib *c, size_t i);
size_t pb_calib_rank_items(const pb_calib *c, size_t *out);

/* A label where the two sides differ, in the lead's file order. */
typedef struct pb_calib_pair {
    const char *chat, *item;
    pb_label_state lead, other;  /* column side, row side */
    int borderline;              /* either side says so */
    const char *lead_note;       /* "" when none */
    const char *other_note;      /* NULL when the row side is the engine */
    int lead_line, other_line;   /* other_line 0 for the engine */
    /* What the engine made of it, when the chat's scenario was added: */
    int replayed;
    pb_state engine;             /* its final state, as the checklist has it */
    int changed;                 /* 0: as it was at the start of the case */
    size_t event;                /* the recorded event after which it had
                                  * its final state (pb_case_event) */
    double t;
    const char *type, *text;     /* text NULL when the event has none; cut
                                  * to about 400 bytes */
    const char *detected;        /* what the detectors added at that event,
                                  * "agent.restated, ..." ("" when none) */
} pb_calib_pair;

size_t pb_calib_ndisagreements(const pb_calib *c);
void pb_calib_disagreement(const pb_calib *c, size_t i, pb_calib_pair *out);

/* What the report should say but is no error: scenarios without
 * labels, fact items the engine does not list, unpaired labels. */
size_t pb_calib_nwarnings(const pb_calib *c);
const char *pb_calib_warning(const pb_calib *c, size_t i);

/* The calibration report as text, JSON or HTML (PB_INPUT for JUnit);
 * PB_IO on write failure. */
pb_status pb_calib_render(const pb_calib *c, FILE *out, pb_format fmt,
                          unsigned flags);

#endif
