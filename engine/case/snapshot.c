/*
 * snapshot.c -- what an event changed: item states (and the numbers of
 * events and warnings) kept at one moment and compared with the case
 * later.  One home for "what did this event do", which replays, `live`,
 * `review` and any other front end show.
 */
#include <stdlib.h>

#include "case.h"

struct pb_snapshot {
    size_t nitems, nevents, nwarnings;
    unsigned char *states; /* per item, a pb_state */
};

pb_snapshot *pb_snapshot_new(const pb_case *c)
{
    pb_snapshot *s = malloc(sizeof *s);

    if (s == NULL)
        return NULL;
    s->nitems = c->e->nitems;
    if ((s->states = malloc(s->nitems ? s->nitems : 1)) == NULL) {
        free(s);
        return NULL;
    }
    pb_snapshot_take(s, c);
    return s;
}

void pb_snapshot_free(pb_snapshot *s)
{
    if (s == NULL)
        return;
    free(s->states);
    free(s);
}

/* Reads the item states straight from the case: a replay takes one
 * snapshot per event, so this must cost no more than a copy. */
void pb_snapshot_take(pb_snapshot *s, const pb_case *c)
{
    size_t i;

    for (i = 0; i < s->nitems; i++)
        s->states[i] = c->items[i].state;
    s->nevents = c->nevents;
    s->nwarnings = pb_case_nwarnings(c);
}

size_t pb_snapshot_nevents(const pb_snapshot *s) { return s->nevents; }
size_t pb_snapshot_nwarnings(const pb_snapshot *s) { return s->nwarnings; }

pb_state pb_snapshot_state(const pb_snapshot *s, size_t item)
{
    return (pb_state)s->states[item];
}

size_t pb_snapshot_diff(const pb_snapshot *s, const pb_case *c,
                        pb_change *out, size_t max)
{
    size_t i, n = 0;

    for (i = 0; i < s->nitems; i++) {
        if (c->items[i].state == s->states[i])
            continue;
        if (n < max) {
            out[n].event = s->nevents;
            out[n].item = i;
            out[n].from = (pb_state)s->states[i];
            out[n].to = (pb_state)c->items[i].state;
        }
        n++;
    }
    return n;
}
