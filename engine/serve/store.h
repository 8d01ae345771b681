/*
 * store.h -- where `playbook serve` keeps its cases (docs/api.md, "Where
 * the cases are").  Two stores behind one interface:
 *
 * - files (the default): one case file and journal per case in a data
 *   folder, written as `playbook live` and `event` write them, so every
 *   tool reads them.  A case is opened (and locked) the first time a
 *   request names it and stays open until the server stops or lets it
 *   go to open others (store_set_max_open): one writer per case, and
 *   no other program can write it meanwhile.
 * - PostgreSQL, for several servers sharing cases: events append-only
 *   with a per-case sequence, each append under the case's advisory
 *   lock after catching up with what other servers recorded, so two
 *   servers never interleave a case.
 *
 * Either way an event is acknowledged only once it is durable (a sync
 * of the file system, or a commit), and a case is kept in memory from
 * its first request on, while it is among the most recently used.
 */
#ifndef PB_STORE_H
#define PB_STORE_H

#include "playbook.h"

typedef struct store store;
typedef struct store_case store_case;

/* The file store in folder dir (created when missing), for cases
 * evaluated with e.  NULL with err set when the folder cannot be used,
 * or another server uses it.  said[0, size) gets what the store has to
 * say of its start ("" when nothing): the writes it put back into the
 * journals after a crash (docs/agents.md, "Crashes"). */
store *store_open_files(pb_engine *e, const char *dir, char *said,
                        size_t size, pb_error *err);
/* The PostgreSQL store at conninfo (libpq's "host=... dbname=..." or a
 * postgresql:// URI), its tables made when missing.  NULL with err set
 * when it cannot be reached. */
store *store_open_pg(pb_engine *e, const char *conninfo, pb_error *err);
/* Cases opened from now on are evaluated with e; those open keep
 * theirs (docs/api.md, "Reloading the principles"). */
void store_set_engine(store *s, pb_engine *e);
/* Whether a case open now is evaluated with e: one that is not can be
 * freed once replaced (store_set_engine), as cases opened from then on
 * get the new one. */
int store_uses(const store *s, const pb_engine *e);
/* At most n cases open at once (0: any number; the default): opening
 * one more lets the least recently used go (read again when next
 * named), so memory and open files stay bounded however many cases a
 * server sees.  A case with changes not yet saved stays open. */
void store_set_max_open(store *s, size_t n);
/* At most about `bytes` of events in the open cases together, counted
 * as the case file counts them (each event's type, text and attributes,
 * and 64 bytes of its own; recorded and detected), 0: any.  Past it the
 * least recently used go as above, and a case that holds more alone
 * stays open while it is used: a full case counts as about 8 MB and
 * takes about 40 in memory, a count of cases cannot bound that. */
void store_set_max_bytes(store *s, size_t bytes);

/* The bytes of events new cases and store_record have added since the
 * store opened, counted as above, and STORE_NEW_CASE_BYTES for each new
 * case (the block its file takes, and what each listing of follow-ups
 * looks at): what a request added to the data folder is the difference
 * across it (docs/api.md, --agent-disk). */
#define STORE_NEW_CASE_BYTES 4096u
unsigned long long store_added(const store *s);
/* Closes every case (each saved) and frees the store; NULL does
 * nothing. */
void store_close(store *s);
/* Closes every case open, each saved, and keeps the store, so that
 * what their files now are can be asked (store_stamps): what a server
 * does before it stops. */
void store_close_cases(store *s);

/* Whether id can name a case: 1 to 64 letters, digits, '_' and '-'. */
int store_id_ok(const char *id);

/* Whose case id is, the agent it names ("" none) into out, when it is
 * not open and the store can tell without opening it (and so letting
 * another case go, and running its principles): 1; else 0, and only
 * opening it tells. */
int store_owner(store *s, const char *id, char *out, size_t size);
/* The case id, up to date: PB_OK; PB_INPUT when there is none ("no case
 * 'x'"); PB_STATE when another program holds it; PB_IO when it cannot be
 * read or is damaged (err says why); PB_NOMEM.  Opening a case may let
 * another go, so a store_case is good until the next store_get or
 * store_create. */
pb_status store_get(store *s, const char *id, store_case **out,
                    pb_error *err);
/* A new case as o describes it (its id is id), durable before it is
 * returned: PB_STATE when id is taken. */
pb_status store_create(store *s, const char *id, const pb_casefile_opts *o,
                       store_case **out, pb_error *err);
/* The case as recorded. */
const pb_case *store_case_of(const store_case *sc);
/* A memo of its JSON (pb_render_checklist_memo), kept while it is
 * open; NULL when out of memory. */
pb_render_memo *store_memo(store_case *sc);

/* One event to record, as pb_case_append takes it. */
typedef struct store_event {
    const char *type, *text;
    pb_attr attrs[PB_EVENT_MAX_ATTRS];
    size_t nattrs;
} store_event;

/*
 * Records ev[0..n) on sc at one time, now by the case's clock.  Every
 * one is checked first: PB_INPUT with *at the index of the first the
 * case refuses, and nothing recorded.  PB_STATE when an earlier event of
 * the same batch made one impossible (a close): *at were recorded.
 * PB_IO (or PB_NOMEM) when they could not be made durable: none is
 * acknowledged.  PB_OK: all are recorded, and durable once their ticket
 * is (store_pending).
 */
pb_status store_record(store *s, store_case *sc, const store_event *ev,
                       size_t n, size_t *at, pb_error *err);

/* Other servers' writes, in a store several servers share: fn(ud, id)
 * is called from a thread of the store's own, soon after another server
 * (or this one) commits events on case id, until store_close.  0, or -1
 * with err set; a store no other server writes never calls fn. */
typedef void (*store_changed)(void *ud, const char *id);
int store_watch(store *s, store_changed fn, void *ud, pb_error *err);

/*
 * Group commit (the file store; docs/api.md, "How fast"): store_record
 * returns once its events are written, and a thread of the store's own
 * makes everything written durable together.  Each write gets a ticket,
 * a number that only grows.  store_pending gives the ticket a reply
 * showing sc (NULL: any case) must wait for, or 0 when what it shows is
 * durable already.  fn(ud, upto, error) is called from the store's
 * thread once every ticket up to upto is durable (error 0), or, with
 * the errno of the sync that failed, never can be: the store then
 * refuses every request, for the server to be restarted.  fn is called
 * at once with what is durable so far.  fn NULL waits for what was
 * written to settle, then stops the calls: none is running when it
 * returns.  A store that makes each write durable before store_record
 * returns (PostgreSQL) has no tickets.
 */
typedef void (*store_durable)(void *ud, unsigned long long upto, int error);
void store_on_durable(store *s, store_durable fn, void *ud);
unsigned long long store_pending(store *s, const store_case *sc);

/* How a case not open is stored: while its stamp is the same, so is
 * the case, and what a caller made of it can be used again instead of
 * reading it (the file store's: its files' inodes, sizes and times;
 * PostgreSQL's: its last event's sequence number and when it was
 * made). */
typedef struct store_stamp {
    unsigned long long v[8];   /* all 0: none */
} store_stamp;

/*
 * Calls fn with every case, in id order: the open ones as they are
 * (stamp NULL), the others read and let go after the call, with their
 * stamp as it was before the read (NULL when the store has none).  A
 * case that cannot be read comes with c NULL and why in why, for the
 * caller to count and log.  fn returns 0 to go on.  Of a case not open
 * known(ud, id, NULL) is asked first whether the caller does without
 * it (returns 1: it is not even looked at), then, with its stamp,
 * known(ud, id, stamp) whether the caller knows it (1: neither the read
 * nor fn happens).  known may be NULL.  PB_IO when the cases cannot be
 * listed.
 */
typedef int (*store_fn)(void *ud, const char *id, const pb_case *c,
                        const store_stamp *stamp, const pb_error *why);
typedef int (*store_known)(void *ud, const char *id,
                           const store_stamp *stamp);
pb_status store_each(store *s, store_known known, store_fn fn, void *ud,
                     pb_error *err);
/* Calls fn with every open case (stamp NULL), in no order, until it
 * returns non-zero. */
void store_each_open(store *s, store_fn fn, void *ud);
/* The stamps of cases ids[0..n), none of them open, into out: 0; -1
 * when the store has none. */
int store_stamps(store *s, char *const *ids, size_t n, store_stamp *out);

#endif
