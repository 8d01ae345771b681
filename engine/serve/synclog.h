/*
 * synclog.h -- the file store's sync log, DIR/sync.log (docs/api.md,
 * "How fast"): every write to a case's journal since the data folder was
 * last synced whole, so that a group of events is made durable by one
 * fdatasync(2) of this file instead of a syncfs(2) of the file system,
 * which wrote back each journal's page and inode at every group.  After
 * a machine crash, the next start puts back into the journals what they
 * lack of it.  Internal to engine/serve/.
 *
 * Calls are the caller's to serialize: synclog_add and synclog_take
 * under one lock, synclog_sync and synclog_checkpoint by one thread at
 * a time (they touch only what synclog_take handed over).
 */
#ifndef PB_SYNCLOG_H
#define PB_SYNCLOG_H

#include <stddef.h>

#include "playbook.h"

typedef struct synclog synclog;

/* What synclog_open put back into the journals from the last run. */
typedef struct synclog_recovery {
    size_t writes;          /* writes a journal lacked, put back */
    size_t cases;           /* journals changed: written, or cut */
    size_t skipped;         /* writes left out: see synclog_open */
    size_t logged;          /* writes the log held */
} synclog_recovery;

/*
 * Opens DIR/sync.log (dirfd: the folder DIR), made when missing, and
 * locks it: one server per data folder.  First puts back what the last
 * run logged and a journal lacks (each journal's writes at their
 * places, the journal cut where its last one ends), then syncs the
 * folder and starts an empty log.  Writes for a journal whose case file
 * is gone, or that would leave a hole in it, are left out (counted in
 * `skipped`).  NULL with err set; then the log is as it was.
 */
synclog *synclog_open(int dirfd, const char *dir, synclog_recovery *rec,
                      pb_error *err);

/* What the command line does before it writes a case in folder dir:
 * if dir has a sync.log that no server holds, what it lacks is put back
 * (as synclog_open does) and the log started afresh, so a case left by
 * a machine crash is whole before anyone else writes it.  PB_OK when
 * there is no log, or a server holds it. */
pb_status synclog_recover(const char *dir, synclog_recovery *rec,
                          pb_error *err);

/* What rec says, for the log ("" when nothing was put back or left
 * out), into out[0, size). */
void synclog_say(const synclog_recovery *rec, const char *dir, char *out,
                 size_t size);

/* With sync, syncs the folder a last time (the next start has nothing
 * to put back); closes the log.  Without (after a failed sync), the log
 * stays as it is, for the next start. */
void synclog_close(synclog *l, int sync);

/* Logs that n bytes were written at off of journal `name` (ID.xml.journal)
 * for the next synclog_sync.  -1: out of memory. */
int synclog_add(synclog *l, const char *name, long long off,
                const void *buf, size_t n);

/* Hands what was added so far to the next synclog_sync or
 * synclog_checkpoint. */
void synclog_take(synclog *l);

/* Makes what was taken durable: written to the log and fdatasync'ed,
 * or, when the log has no room left for it, by synclog_checkpoint
 * (*whole set to 1).  0, or an errno. */
int synclog_sync(synclog *l, int *whole);

/* Syncs the data folder's file system (everything written so far is
 * durable) and empties the log.  0, or an errno. */
int synclog_checkpoint(synclog *l);

#endif
