/*
 * followups.h -- GET /v1/followups (docs/api.md): what the cases
 * promised and planned to check, across every case of the store.
 *
 * A case not open has to be read, principles and all, to be known: a
 * thousand take most of a second, on the serving thread.  So what was
 * found in each is kept with its stamp (store_stamp), and read again
 * only once the case has changed, or the principles have.  With a cache
 * file it is also kept across restarts: read at the first listing,
 * written after a listing that found something new (at most once a
 * minute) and when freed.  The file is only ever a shortcut: one that
 * is damaged, or of another version, is not used; one of other
 * principles is, as stale.
 * And each listing reads cases for a budget of time at most, since
 * every other request waits meanwhile: a store of many cases is read
 * over several listings, never in one long stop.  Used under the API's
 * lock.
 */
#ifndef PB_FOLLOWUPS_H
#define PB_FOLLOWUPS_H

#include <stdio.h>

#include "playbook.h"
#include "store.h"

typedef struct followups followups;

/* cache: the file to keep what was found in (NULL: none); budget: the
 * seconds a listing may spend reading cases, past which it leaves the
 * rest to the next listings (counted in its answer: pending, stale);
 * log: where a case that cannot be read, or a cache that cannot be used
 * or written, is said (NULL: nowhere).  NULL when out of memory. */
followups *followups_new(const char *cache, double budget, FILE *log);
/* Writes the cache first, when it is behind. */
void followups_free(followups *fu);

/*
 * The follow-ups of the cases of st evaluated with the principles of
 * version `principles`, as JSON into out: those of agent (NULL: every
 * agent) listed for `before` (pb_followup_listed; < 0: all), overdue
 * as of now, in pb_followup_order, then by case.  A case that cannot
 * be read is counted ("unreadable") and named in the log.  Once the
 * budget is spent, a case not read since it changed is counted
 * ("pending") and left out, and one not read since the principles were
 * reloaded is listed as the principles before found it ("stale").
 * PB_OK; PB_IO when the cases cannot be listed; PB_NOMEM, with nothing
 * written.
 */
pb_status followups_list(followups *fu, store *st, const char *principles,
                         const char *agent, double before, double now,
                         FILE *out, pb_error *err);

/*
 * As the server stops, the follow-ups of its open cases go into the
 * cache too, so that they are not read again at the first listing after
 * it starts: followups_hold takes them (those of these principles) from
 * the cases in memory, then the store closes them (store_close_cases),
 * then followups_held keeps them with the stamps their files now have,
 * for followups_free to write.
 */
void followups_hold(followups *fu, store *st, const char *principles);
void followups_held(followups *fu, store *st);

#endif
