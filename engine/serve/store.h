/*
 * store.h -- where `playbook serve` keeps its cases (docs/api.md,
 * "Storage"): the file store, one case file and journal per case in a
 * data folder, written as `playbook live` and `event` write them, so
 * every tool reads them.  A case is opened (and locked) the first time
 * a request names it and stays open while the server runs: one writer
 * per case, and no other session can write it meanwhile.
 */
#ifndef PB_STORE_H
#define PB_STORE_H

#include "playbook.h"

typedef struct store store;

/* The store in folder dir (created when missing), for cases evaluated
 * with e.  NULL with err set when the folder cannot be used. */
store *store_open(pb_engine *e, const char *dir, pb_error *err);
/* Cases opened from now on are evaluated with e; those open keep
 * theirs (docs/api.md, "Reloading the principles"). */
void store_set_engine(store *s, pb_engine *e);
/* Closes every case (each saved) and frees the store; NULL does
 * nothing. */
void store_close(store *s);

/* Whether id can name a case: 1 to 64 letters, digits, '_' and '-'. */
int store_id_ok(const char *id);

/* The case id: PB_OK; PB_INPUT when there is none ("no case 'x'");
 * PB_STATE when another program holds it; PB_IO when its file cannot be
 * read or is damaged (err says why); PB_NOMEM. */
pb_status store_get(store *s, const char *id, pb_casefile **out,
                    pb_error *err);
/* Calls fn with every case of the folder, in id order: the open ones as
 * they are, the others read from their files (with their journals) and
 * let go after the call.  A case that cannot be read is skipped and
 * counted in *unreadable.  fn returns 0 to go on.  PB_IO when the folder
 * cannot be listed. */
typedef int (*store_fn)(void *ud, const char *id, const pb_case *c);
pb_status store_each(store *s, store_fn fn, void *ud, size_t *unreadable,
                     pb_error *err);

/* A new case as o describes it (its id is id), saved before it is
 * returned: PB_STATE when id is taken. */
pb_status store_create(store *s, const char *id, const pb_casefile_opts *o,
                       pb_casefile **out, pb_error *err);

#endif
