/*
 * journal_event.h -- an event as the payload of a journal record
 * (internal): what a case file's journal holds for each event recorded
 * after the file was last written (casefile.c, journal.c).
 *
 * The payload is JSON: {"t":"12.5","type":"...","text":"...",
 * "attrs":{...}}.  t is the same decimal string the case file would
 * hold (pb__time_seconds), so both read back to the same double.
 */
#ifndef PB_JOURNAL_EVENT_H
#define PB_JOURNAL_EVENT_H

#include <stddef.h>

#include "playbook.h"

/* A decoded payload; its strings point into root, the JSON tree. */
typedef struct pb__journal_event {
    struct json_object *root;
    double t;
    const char *type, *text;
    pb_attr *attrs;
    size_t nattrs;
} pb__journal_event;

/* ev as a payload in *out (malloc'd, *len bytes); PB_NOMEM. */
pb_status pb__journal_event_encode(const pb_event_info *ev, char **out,
                                   size_t *len, pb_error *err);
/* payload[0..len) into *ev: -1 (and *ev empty) when it is not an event,
 * or not one of C strings (a NUL inside), or memory ran out. */
int pb__journal_event_decode(const char *payload, size_t len,
                             pb__journal_event *ev);
void pb__journal_event_free(pb__journal_event *ev);

#endif
