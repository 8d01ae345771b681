/*
 * journal.h -- the append-only journal next to a case file (internal;
 * docs/agents.md, "The journal format").  casefile.c is its one user;
 * tests and fuzz_journal drive it directly.
 */
#ifndef PB_JOURNAL_H
#define PB_JOURNAL_H

#include <stddef.h>

#include "playbook.h"

/* Replaces path with buf atomically: path.tmp written and fsync'ed,
 * renamed over path, the folder fsync'ed.  On PB_IO (err has the errno
 * text) path is as it was. */
pb_status pb__io_replace(const pb_io *io, const char *path, const void *buf,
                        size_t len, pb_error *err);

/*
 * Journal: records of (index, payload).  A record is a 20-byte header --
 * magic FF 50 42 4A ("\xffPBJ"), CRC-32 (as zlib's) of the 12 bytes that
 * follow it and of the payload, payload length, index -- then the
 * payload; integers are little-endian (u32, u32, u32, u64).  Indexes
 * only go up.
 */
typedef struct pb__journal pb__journal;

#define PB__JOURNAL_HEADER 20u
#define PB__JOURNAL_MAX_RECORD (8u * 1024u * 1024u) /* payload bytes */
#define PB__JOURNAL_MAX_BYTES (64u * 1024u * 1024u) /* whole journal */

/*
 * Opens path, creating it, and locks it for this handle.  When another
 * handle (in any process) holds it, waits up to wait seconds, then
 * gives PB_STATE.  io NULL means pb_io_posix().
 */
pb_status pb__journal_open(const char *path, const pb_io *io, double wait,
                          pb__journal **out, pb_error *err);
/* Unlocks and closes; a write that failed is cut off first (what it
 * wrote is given up), and a journal left empty is removed. */
void pb__journal_free(pb__journal *j);
/* The whole file as it is on disk (malloc'd, NUL-terminated). */
pb_status pb__journal_contents(pb__journal *j, char **buf, size_t *len,
                              pb_error *err);

/* Called for each valid record in order; a status other than PB_OK
 * stops the scan and is returned (the callback fills err). */
typedef pb_status (*pb__journal_fn)(void *ud, unsigned long long index,
                                   const char *payload, size_t len,
                                   pb_error *err);

/*
 * Walks the records in buf (a journal's bytes; name is for messages).
 * *valid gets the length of the valid records at its start.  Damage
 * with no valid record after it is a torn tail (a write cut short):
 * PB_OK, with what was dropped described in warn (warn->message is ""
 * when there was none).  Damage followed by a valid record is not a
 * crash but corruption: PB_INPUT, err gives the offset.
 */
pb_status pb__journal_scan(const char *name, const char *buf, size_t len,
                          pb__journal_fn fn, void *ud, size_t *valid,
                          pb_error *warn, pb_error *err);

/* Queues a record in memory; nothing is written before a sync. */
pb_status pb__journal_add(pb__journal *j, unsigned long long index,
                         const char *payload, size_t len, pb_error *err);
size_t pb__journal_pending(const pb__journal *j); /* records queued */
/*
 * Writes the queued records and fsyncs (and the folder, the first time).
 * PB_OK: every queued record is durable.  PB_IO: none is claimed to be;
 * they stay queued, and whatever part of them reached the file is cut
 * off before the next attempt.
 */
pb_status pb__journal_sync(pb__journal *j, pb_error *err);
/* Writes the queued records without fsync: they are durable once the
 * caller syncs the file system (syncfs), folder included.  PB_IO as
 * pb__journal_sync. */
pb_status pb__journal_write(pb__journal *j, pb_error *err);
/* Cuts the file to len bytes (no more than its valid length) and drops
 * the queue: for a torn tail, or once the records are saved elsewhere.
 * On PB_IO the cut is retried before the next write. */
pb_status pb__journal_truncate(pb__journal *j, size_t len, pb_error *err);

#endif
