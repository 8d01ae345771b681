/*
 * follow.h -- who follows which case (docs/api.md, "Live updates"): the
 * open event streams, by case id, so that a change reaches every client
 * following that case.  Used on the server's thread only.
 */
#ifndef PB_FOLLOW_H
#define PB_FOLLOW_H

#include <stddef.h>

#include "http.h"

typedef struct follow follow;

follow *follow_new(void); /* NULL when out of memory */
void follow_free(follow *f);

/* s follows case id: 0, or -1 when out of memory. */
int follow_add(follow *f, const char *id, http_stream *s);
/* s follows nothing any more (its client left). */
void follow_remove(follow *f, http_stream *s);
/* How many follow case id. */
size_t follow_count(const follow *f, const char *id);
/* Sends len bytes to everyone following case id. */
void follow_send(follow *f, const char *id, const char *data, size_t len);

#endif
