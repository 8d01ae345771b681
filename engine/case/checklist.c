/*
 * checklist.c -- the checklist as a front end reads it: each item's
 * state, the open items in the order to do them, and the score.
 */
#include <string.h>

#include "case.h"

static const char *const state_names[] = {
#define PB__XX(name, str) str,
    PB_STATE_MAP(PB__XX)
#undef PB__XX
};

const char *pb_state_name(pb_state s)
{
    return (size_t)s < sizeof state_names / sizeof *state_names
               ? state_names[s] : "?";
}

pb_status pb_state_parse(const char *name, pb_state *out)
{
    size_t i;

    for (i = 0; i < sizeof state_names / sizeof *state_names; i++) {
        if (strcmp(state_names[i], name) == 0) {
            *out = (pb_state)i;
            return PB_OK;
        }
    }
    return PB_INPUT;
}

void pb_case_item(const pb_case *c, size_t i, pb_item_info *out)
{
    const pb__item *it = c->e->items[i];
    const pb__itemstate *st = &c->items[i];

    out->principle = c->e->principles[it->principle]->id;
    out->id = it->id;
    out->ref = it->ref;
    out->state = (pb_state)st->state;
    out->must = it->must;
    out->prompt = st->prompt;
    out->error = st->state == PB_ERROR ? st->error : NULL;
    out->reason = st->state == PB_SKIPPED ? st->reason : NULL;
    out->done_at = st->done ? st->done_at : -1;
    out->violated_at = st->violated ? st->violated_at : -1;
    out->done_event = st->done_event;
    out->violated_event = st->violated_event;
}

size_t pb_case_next_after(const pb_case *c, size_t prev)
{
    size_t i = prev == PB_NO_ITEM ? 0 : prev + 1;
    int pass = prev == PB_NO_ITEM ? 1 : c->e->items[prev]->must;

    for (; pass >= 0; pass--, i = 0)          /* musts, then the rest */
        for (; i < c->e->nitems; i++)
            if (c->items[i].state == PB_OPEN && c->e->items[i]->must == pass)
                return i;
    return PB_NO_ITEM;
}

size_t pb_case_next(const pb_case *c, size_t *out, size_t max)
{
    size_t i, n = 0;

    for (i = pb_case_next_after(c, PB_NO_ITEM); i != PB_NO_ITEM;
         i = pb_case_next_after(c, i), n++)
        if (n < max)
            out[n] = i;
    return n;
}

/*
 * Score: each applicable must counts one; a done must earns it; every
 * violated item, must or not, takes one back (never below zero).  A
 * skipped item does not count.  Over several principles the counts are
 * pooled.  With no musts, the score is 1 without violations, else 0.
 */
static void add_score(const pb_case *c, const pb__principle *p,
                      pb_score *s)
{
    size_t j;

    for (j = 0; j < p->nitems; j++) {
        const pb__itemstate *st = &c->items[p->first_item + j];

        if (st->state == PB_ABSENT || st->state == PB_SKIPPED)
            continue;
        s->applies = 1;
        s->violations += st->state == PB_VIOLATED;
        if (p->items[j].must) {
            s->musts++;
            s->done += st->state == PB_DONE;
        }
    }
}

pb_status pb_case_score(const pb_case *c, const char *principle,
                        pb_score *out)
{
    size_t i;
    int earned;

    memset(out, 0, sizeof *out);
    if (principle != NULL) {
        long p = pb_engine_find_principle(c->e, principle);

        if (p < 0)
            return PB_INPUT;
        add_score(c, c->e->principles[p], out);
    } else {
        for (i = 0; i < c->e->nprinciples; i++)
            add_score(c, c->e->principles[i], out);
    }
    earned = out->done - out->violations;
    if (out->musts > 0)
        out->value = earned > 0 ? (double)earned / out->musts : 0;
    else
        out->value = out->violations ? 0 : 1;
    return PB_OK;
}
