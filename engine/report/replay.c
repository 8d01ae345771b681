/*
 * replay.c -- a scenario through the principles: the case it builds, the
 * state changes each event caused, and the trainer's expectations.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "playbook.h"

/* What expectations ask of the final checklist, counted once: a file
 * may hold hundreds of thousands of them, and a principle set thousands
 * of items. */
typedef struct tally {
    pb_score *scores;  /* per principle, then overall */
    long *violations;  /* per principle */
    size_t next;       /* the first open item, or PB_NO_ITEM */
} tally;

struct pb_replay {
    const pb_scenario *s;
    pb_case *c;
    pb_change *changes;
    size_t nchanges, cap;
    pb_expect_result *results;
    size_t nresults;
};

/* Room for n more changes (one event changes at most every item). */
static pb_status reserve(pb_replay *r, size_t n)
{
    size_t cap = r->cap ? r->cap : 64;
    pb_change *v;

    while (cap - r->nchanges < n)
        cap *= 2;
    if (cap == r->cap)
        return PB_OK;
    if ((v = realloc(r->changes, cap * sizeof *v)) == NULL)
        return PB_NOMEM;
    r->changes = v;
    r->cap = cap;
    return PB_OK;
}

static pb_status unknown_ref(const pb_engine *e, const pb_scenario *s,
                             const pb_expect *x, pb_error *err)
{
    const char *dot = strchr(x->ref, '.');
    char pid[128];
    size_t n = dot ? (size_t)(dot - x->ref) : strlen(x->ref);

    snprintf(pid, sizeof pid, "%.*s", (int)n, x->ref);
    if (pb_engine_find_principle(e, pid) < 0)
        return pb__error(err, PB_INPUT, pb_scenario_path(s), x->line,
                         "expectation names unknown principle '%s'", pid);
    return pb__error(err, PB_INPUT, pb_scenario_path(s), x->line,
                     "expectation names unknown item '%s' (see `playbook "
                     "show` for the items of '%s')", x->ref, pid);
}

static pb_status count(const pb_case *c, tally *t)
{
    const pb_engine *e = pb_case_engine(c);
    size_t i, j, np = pb_engine_nprinciples(e);
    pb_principle_info p;
    pb_item_info it;

    t->scores = calloc(np + 1, sizeof *t->scores);
    t->violations = calloc(np + 1, sizeof *t->violations);
    if (t->scores == NULL || t->violations == NULL)
        return PB_NOMEM;
    for (i = 0; i < np; i++) {
        pb_engine_principle(e, i, &p);
        pb_case_score(c, p.id, &t->scores[i]);
        for (j = 0; j < p.nitems; j++) {
            pb_case_item(c, p.first_item + j, &it);
            t->violations[i] += it.state == PB_VIOLATED;
        }
    }
    pb_case_score(c, NULL, &t->scores[np]);
    t->next = pb_case_next_after(c, PB_NO_ITEM);
    return PB_OK;
}

/* Counts violated items under ref ("p" or "p.i"); -1 when unknown. */
static long violations_at(const pb_case *c, const tally *t, const char *ref)
{
    const pb_engine *e = pb_case_engine(c);
    pb_item_info info;
    long idx, p;

    if (strchr(ref, '.')) {
        if ((idx = pb_engine_find_item(e, ref)) < 0)
            return -1;
        pb_case_item(c, (size_t)idx, &info);
        return info.state == PB_VIOLATED;
    }
    if ((p = pb_engine_find_principle(e, ref)) < 0)
        return -1;
    return t->violations[p];
}

/* The state of item after every event until time at: its state at the
 * end, with the changes of later events taken back. */
static pb_state state_at(const pb_replay *r, size_t item, double at)
{
    pb_item_info info;
    pb_event_info ev;
    size_t i;

    pb_case_item(r->c, item, &info);
    for (i = r->nchanges; i-- > 0;) {
        if (r->changes[i].item != item)
            continue;
        pb_case_event(r->c, r->changes[i].event, &ev);
        if (ev.t <= at)
            break;
        info.state = r->changes[i].from;
    }
    return info.state;
}

static pb_status check(pb_replay *r, const tally *t, const pb_expect *x,
                       pb_expect_result *res, pb_error *err)
{
    const pb_case *c = r->c;
    const pb_engine *e = pb_case_engine(c);
    pb_item_info info;
    const pb_score *sc;
    long idx, n;

    res->expect = x;
    switch (x->kind) {
    case PB_EXPECT_ITEM:
        if ((idx = pb_engine_find_item(e, x->ref)) < 0)
            return unknown_ref(e, r->s, x, err);
        pb_case_item(c, (size_t)idx, &info);
        if (x->at >= 0)
            info.state = state_at(r, (size_t)idx, x->at);
        res->met = info.state == x->state;
        snprintf(res->actual, sizeof res->actual, "%s",
                 pb_state_name(info.state));
        break;
    case PB_EXPECT_SCORE:
        idx = x->principle == NULL
                  ? (long)pb_engine_nprinciples(e)
                  : pb_engine_find_principle(e, x->principle);
        if (idx < 0)
            return pb__error(err, PB_INPUT, pb_scenario_path(r->s), x->line,
                             "expectation names unknown principle '%s'",
                             x->principle);
        sc = &t->scores[idx];
        res->met = sc->value >= x->min - 1e-9 && sc->value <= x->max + 1e-9;
        snprintf(res->actual, sizeof res->actual, "%.2f", sc->value);
        break;
    case PB_EXPECT_VIOLATION:
    case PB_EXPECT_NO_VIOLATION:
        if ((n = violations_at(c, t, x->ref)) < 0)
            return unknown_ref(e, r->s, x, err);
        res->met = x->kind == PB_EXPECT_VIOLATION ? n > 0 : n == 0;
        snprintf(res->actual, sizeof res->actual, "%ld violation%s", n,
                 n == 1 ? "" : "s");
        break;
    case PB_EXPECT_NEXT:
        if ((idx = pb_engine_find_item(e, x->ref)) < 0)
            return unknown_ref(e, r->s, x, err);
        if (t->next == PB_NO_ITEM) {
            res->met = 0;
            snprintf(res->actual, sizeof res->actual, "nothing open");
        } else {
            res->met = t->next == (size_t)idx;
            pb_case_item(c, t->next, &info);
            snprintf(res->actual, sizeof res->actual, "%s", info.ref);
        }
        break;
    case PB_EXPECT_CASE:
        res->met = strcmp(pb_case_status(c), x->ref) == 0;
        snprintf(res->actual, sizeof res->actual, "%s",
                 pb_case_status(c));
        break;
    }
    return PB_OK;
}

pb_status pb_replay_start(pb_engine *e, const pb_scenario *s, pb_case **out,
                          pb_error *err)
{
    pb_case *c = pb_case_new(e, pb_scenario_topic(s), pb_scenario_channel(s),
                             err);
    pb_status st;
    size_t i;

    *out = NULL;
    if (c == NULL)
        return PB_NOMEM;
    if ((st = pb_case_set_agent(c, pb_scenario_agent(s), pb_scenario_team(s),
                                err)) != PB_OK) {
        pb_case_free(c);
        return st;
    }
    for (i = 0; i < pb_scenario_nfacts(s); i++) {
        const char *name, *value;
        int line;

        pb_scenario_fact(s, i, &name, &value, &line);
        if ((st = pb_case_set_fact(c, name, value, err)) != PB_OK) {
            snprintf(err->file, sizeof err->file, "%s",
                     pb_scenario_path(s));
            err->line = line;
            pb_case_free(c);
            return st;
        }
    }
    *out = c;
    return PB_OK;
}

static pb_status play(pb_replay *r, pb_engine *e, int judge, pb_error *err)
{
    const pb_scenario *s = r->s;
    const char *path = pb_scenario_path(s);
    tally t = { NULL, NULL, PB_NO_ITEM };
    size_t i, nitems = pb_engine_nitems(e);
    pb_snapshot *before;
    pb_status st = PB_OK;

    if ((st = pb_replay_start(e, s, &r->c, err)) != PB_OK)
        return st;
    if ((before = pb_snapshot_new(r->c)) == NULL)
        return pb__error(err, PB_NOMEM, path, 0, "out of memory");
    for (i = 0; i < pb_scenario_nevents(s); i++) {
        pb_event_info ev;
        int line;

        pb_scenario_event(s, i, &ev, &line);
        pb_snapshot_take(before, r->c);
        st = pb_case_append(r->c, ev.t, ev.type, ev.text, ev.attrs,
                            ev.nattrs, err);
        if (st != PB_OK) {
            snprintf(err->file, sizeof err->file, "%s", path);
            err->line = line;
            break;
        }
        if (reserve(r, nitems) != PB_OK) {
            st = pb__error(err, PB_NOMEM, path, 0, "out of memory");
            break;
        }
        r->nchanges += pb_snapshot_diff(before, r->c,
                                        r->changes + r->nchanges, nitems);
    }
    pb_snapshot_free(before);
    if (st != PB_OK)
        return st;
    r->nresults = judge ? pb_scenario_nexpects(s) : 0;
    r->results = calloc(r->nresults ? r->nresults : 1, sizeof *r->results);
    if (r->results == NULL || (r->nresults > 0 && count(r->c, &t) != PB_OK))
        st = pb__error(err, PB_NOMEM, path, 0, "out of memory");
    for (i = 0; i < r->nresults && st == PB_OK; i++)
        st = check(r, &t, pb_scenario_expect(s, i), &r->results[i], err);
    free(t.scores);
    free(t.violations);
    return st;
}

static pb_status run(pb_engine *e, const pb_scenario *s, int judge,
                     pb_replay **out, pb_error *err)
{
    pb_replay *r = calloc(1, sizeof *r);
    pb_error local;
    pb_status st;

    *out = NULL;
    if (err == NULL)
        err = &local;
    if (r == NULL)
        return pb__error(err, PB_NOMEM, pb_scenario_path(s), 0,
                         "out of memory");
    r->s = s;
    st = play(r, e, judge, err);
    if (st != PB_OK) {
        pb_replay_free(r);
        return st;
    }
    *out = r;
    return PB_OK;
}

pb_status pb_replay_run(pb_engine *e, const pb_scenario *s, pb_replay **out,
                        pb_error *err)
{
    return run(e, s, 1, out, err);
}

pb_status pb_replay_play(pb_engine *e, const pb_scenario *s,
                         pb_replay **out, pb_error *err)
{
    return run(e, s, 0, out, err);
}

void pb_replay_free(pb_replay *r)
{
    if (r == NULL)
        return;
    pb_case_free(r->c);
    free(r->changes);
    free(r->results);
    free(r);
}

const pb_scenario *pb_replay_scenario(const pb_replay *r) { return r->s; }
const pb_case *pb_replay_case(const pb_replay *r) { return r->c; }
size_t pb_replay_nchanges(const pb_replay *r) { return r->nchanges; }
size_t pb_replay_nresults(const pb_replay *r) { return r->nresults; }

const pb_change *pb_replay_change(const pb_replay *r, size_t i)
{
    return &r->changes[i];
}

const pb_expect_result *pb_replay_result(const pb_replay *r, size_t i)
{
    return &r->results[i];
}

int pb_replay_passed(const pb_replay *r)
{
    size_t i;

    for (i = 0; i < r->nresults; i++)
        if (!r->results[i].met)
            return 0;
    return 1;
}
