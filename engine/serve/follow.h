/*
 * follow.h -- who follows which case (docs/api.md, "Live updates"): the
 * open event streams, by case id, so that a change reaches every client
 * following that case.  Used under the API's lock.
 */
#ifndef PB_FOLLOW_H
#define PB_FOLLOW_H

#include <stddef.h>

#include "auth.h"
#include "http.h"

typedef struct follow follow;

follow *follow_new(void); /* NULL when out of memory */
void follow_free(follow *f);

/* s follows case id for who (NULL without tokens), and has been sent
 * its first `told` events: 0, 1 when s was ended at once (send it
 * nothing), or -1 when out of memory.  An agent follows
 * FOLLOW_MAX_AGENT streams at most, all their tokens together (tabs,
 * screens): one more ends their oldest (http_stream_end), or itself
 * while one of theirs is still ending, so that one agent cannot hold
 * every connection the server takes (docs/api.md, "Live updates"). */
#define FOLLOW_MAX_AGENT 32
int follow_add(follow *f, const char *id, http_stream *s, size_t told,
               const auth_user *who);
/* Ends the streams of users that users no longer holds (their token
 * taken away by a reload): what they were allowed to read must not go
 * on reaching them. */
void follow_revoke(follow *f, const auth *users);
/* s follows nothing any more (its client left). */
void follow_remove(follow *f, http_stream *s);
/* The events of case id its followers have been sent (the fewest, when
 * they differ), or FOLLOW_NONE when nobody follows it. */
#define FOLLOW_NONE ((size_t)-1)
size_t follow_told(const follow *f, const char *id);
/* Sends len bytes to everyone following case id once hold is durable
 * (http_stream_send); they have then been sent its first `told` events. */
void follow_send(follow *f, const char *id, const char *data, size_t len,
                 size_t told, unsigned long long hold);

#endif
