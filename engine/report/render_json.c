/*
 * render_json.c -- the checklist and replays as JSON, for programs; the
 * field names are documented in docs/scenarios.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "membuf.h"
#include "render_json.h"
#include "report.h"

/* Where a string an item shows went, for a memo to compare it with
 * what the item shows next time without a copy of its own: NULL,
 * written as it is (the bytes between the quotes are the string), or
 * escaped (not compared: the item is written again). */
enum { TEXT_NULL, TEXT_AS_IS, TEXT_ESCAPED };

typedef struct memo_text {
    uint32_t kind;      /* TEXT_* */
    uint32_t at, len;   /* TEXT_AS_IS: from the item's first byte */
} memo_text;

/* pb__json_kstr, and where the string went when t is not NULL (the
 * item's first byte at item). */
static void json_text(pb__json *j, const char *key, const char *s,
                      size_t item, memo_text *t)
{
    pb__json_key(j, key);
    if (t != NULL) {
        t->kind = s == NULL ? TEXT_NULL
                  : pb__json_plain(s) ? TEXT_AS_IS : TEXT_ESCAPED;
        t->at = (uint32_t)(pb__json_tell(j) + 1 - item); /* after " */
        t->len = (uint32_t)(s != NULL ? strlen(s) : 0);
    }
    pb__json_str(j, s);
}

/* texts: where its prompt, error and reason went, or NULL. */
static void json_item(pb__json *j, const pb_item_info *it, memo_text *texts)
{
    size_t item = pb__json_next_at(j);

    pb__json_open(j, '{');
    pb__json_kstr(j, "principle", it->principle);
    pb__json_kstr(j, "item", it->id);
    pb__json_kstr(j, "state", pb_state_name(it->state));
    pb__json_kbool(j, "must", it->must);
    json_text(j, "prompt", it->prompt, item, texts ? &texts[0] : NULL);
    json_text(j, "error", it->error, item, texts ? &texts[1] : NULL);
    json_text(j, "reason", it->reason, item, texts ? &texts[2] : NULL);
    pb__json_key(j, "done_at");
    if (it->done_at >= 0)
        pb__json_num(j, it->done_at);
    else
        pb__json_str(j, NULL);
    pb__json_key(j, "violated_at");
    if (it->violated_at >= 0)
        pb__json_num(j, it->violated_at);
    else
        pb__json_str(j, NULL);
    pb__json_close(j, '}');
}

static void json_score(pb__json *j, const pb_score *s)
{
    pb__json_open(j, '{');
    pb__json_knum(j, "value", s->value);
    pb__json_kint(j, "musts", s->musts);
    pb__json_kint(j, "done", s->done);
    pb__json_kint(j, "violations", s->violations);
    pb__json_close(j, '}');
}

/*
 * A memo (pb_render_memo): the members from "checklist" to "score" as
 * they were last written, the block, and what each item showed with
 * where it is in it.  An item that shows the same is copied from the
 * old block instead of written again; when every item does, so are
 * next, violations and score, which follow from the items' states and
 * violations alone, and the block is copied whole.  Its strings are
 * compared with their bytes in the block: the memo keeps no copy.
 *
 * MEMO_MAX, the most a memo keeps: a block past it is written each
 * time.  Each open case keeps one, so what principles can make a
 * checklist weigh (4 KiB prompts on thousands of items) is not kept
 * twice over.
 */
#define MEMO_MAX (1u << 20)

typedef struct memo_item {
    int state;                  /* pb_state, or -1: nothing kept */
    double done_at, violated_at;
    size_t violated_event;
    memo_text texts[3];         /* prompt, error, reason */
    uint32_t at, len;           /* its bytes in the block */
} memo_item;

struct pb_render_memo {
    /* Whose items these are: the principles' version, not the engine's
     * address, which a later engine may have (pb_engine_version). */
    char version[32];
    size_t nitems;
    memo_item *items;
    char *block;                /* NULL: none kept */
    size_t len;
};

pb_render_memo *pb_render_memo_new(void)
{
    return calloc(1, sizeof(pb_render_memo));
}

/* Nothing kept: every item is written again, and the block. */
static void forget(pb_render_memo *m)
{
    size_t i;

    for (i = 0; i < m->nitems; i++)
        m->items[i].state = -1;
    free(m->block);
    m->block = NULL;
    m->len = 0;
}

void pb_render_memo_free(pb_render_memo *m)
{
    if (m == NULL)
        return;
    free(m->block);
    free(m->items);
    free(m);
}

/* m ready for the items of e, or NULL when out of memory. */
static pb_render_memo *memo_for(pb_render_memo *m, const pb_engine *e)
{
    size_t n = pb_engine_nitems(e);
    const char *v = pb_engine_version(e);

    if (m->items != NULL && m->nitems == n && strcmp(m->version, v) == 0)
        return m;
    free(m->items);
    m->nitems = 0;
    if ((m->items = calloc(n ? n : 1, sizeof *m->items)) == NULL) {
        forget(m);
        return NULL;
    }
    m->nitems = n;
    snprintf(m->version, sizeof m->version, "%s", v);
    forget(m);
    return m;
}

/* Whether s is the string t says an item at item showed. */
static int same_text(const char *item, const memo_text *t, const char *s)
{
    if (t->kind == TEXT_NULL)
        return s == NULL;
    return t->kind == TEXT_AS_IS && s != NULL &&
           strncmp(item + t->at, s, t->len) == 0 && s[t->len] == '\0';
}

/* Whether it shows what mi kept, in block. */
static int same_item(const char *block, const memo_item *mi,
                     const pb_item_info *it)
{
    return mi->state == (int)it->state && mi->done_at == it->done_at &&
           mi->violated_at == it->violated_at &&
           mi->violated_event == it->violated_event &&
           same_text(block + mi->at, &mi->texts[0], it->prompt) &&
           same_text(block + mi->at, &mi->texts[1], it->error) &&
           same_text(block + mi->at, &mi->texts[2], it->reason);
}

/* The items, from m's old block where they show the same (m NULL:
 * written, none kept). */
static void json_items(pb__json *j, const pb_case *c, pb_render_memo *m,
                       const char *old)
{
    size_t i, at, n = pb_engine_nitems(pb_case_engine(c));
    pb_item_info it;

    for (i = 0; i < n; i++) {
        memo_item *mi = m != NULL ? &m->items[i] : NULL;

        pb_case_item(c, i, &it);
        at = pb__json_next_at(j);
        if (mi != NULL && old != NULL && same_item(old, mi, &it)) {
            if (it.state != PB_ABSENT)
                pb__json_raw(j, old + mi->at, mi->len);
            mi->at = (uint32_t)at;
            continue;
        }
        if (it.state != PB_ABSENT)
            json_item(j, &it, mi != NULL ? mi->texts : NULL);
        if (mi == NULL)
            continue;
        if (it.state == PB_ABSENT) /* no bytes, no strings */
            memset(mi->texts, 0, sizeof mi->texts);
        mi->state = (int)it.state;
        mi->done_at = it.done_at;
        mi->violated_at = it.violated_at;
        mi->violated_event = it.violated_event;
        mi->at = (uint32_t)at;
        mi->len = (uint32_t)(it.state != PB_ABSENT ? pb__json_tell(j) - at
                                                   : 0);
    }
}

/* "checklist", "next", "violations" and "score", the block. */
static void json_block(pb__json *j, const pb_case *c, pb_render_memo *m,
                       const char *old)
{
    const pb_engine *e = pb_case_engine(c);
    size_t i, n = pb_engine_nitems(e);
    pb_principle_info p;
    pb_item_info it;
    pb_score sc;

    pb__json_key(j, "checklist");
    pb__json_open(j, '[');
    json_items(j, c, m, old);
    pb__json_close(j, ']');
    pb__json_key(j, "next");
    pb__json_open(j, '[');
    for (i = pb_case_next_after(c, PB_NO_ITEM); i != PB_NO_ITEM;
         i = pb_case_next_after(c, i)) {
        pb_case_item(c, i, &it);
        pb__json_str(j, it.ref);
    }
    pb__json_close(j, ']');
    pb__json_key(j, "violations");
    pb__json_open(j, '[');
    for (i = 0; i < n; i++) {
        pb_case_item(c, i, &it);
        if (it.state == PB_VIOLATED) {
            pb__json_open(j, '{');
            pb__json_kstr(j, "ref", it.ref);
            pb__json_knum(j, "t", it.violated_at);
            pb__json_kint(j, "event", (long)it.violated_event);
            pb__json_close(j, '}');
        }
    }
    pb__json_close(j, ']');
    pb__json_key(j, "score");
    pb__json_open(j, '{');
    pb_case_score(c, NULL, &sc);
    pb__json_key(j, "overall");
    json_score(j, &sc);
    pb__json_key(j, "principles");
    pb__json_open(j, '{');
    for (i = 0; i < pb_engine_nprinciples(e); i++) {
        pb_engine_principle(e, i, &p);
        pb_case_score(c, p.id, &sc);
        if (!sc.applies)
            continue;
        pb__json_key(j, p.id);
        json_score(j, &sc);
    }
    pb__json_close(j, '}');
    pb__json_close(j, '}');
}

/* Whether every item of c shows what m kept. */
static int unchanged(const pb_case *c, const pb_render_memo *m)
{
    size_t i, n = pb_engine_nitems(pb_case_engine(c));
    pb_item_info it;

    if (m->block == NULL)
        return 0;
    for (i = 0; i < n; i++) {
        pb_case_item(c, i, &it);
        if (!same_item(m->block, &m->items[i], &it))
            return 0;
    }
    return 1;
}

/* The block, through m when there is one: copied when nothing changed,
 * else written apart (the items that did not change copied) and kept. */
static void json_block_memo(pb__json *j, const pb_case *c, pb_render_memo *m)
{
    pb__json part;
    pb__membuf mb;
    FILE *f;

    if ((m = memo_for(m, pb_case_engine(c))) == NULL) {
        json_block(j, c, NULL, NULL);
        return;
    }
    if (unchanged(c, m)) {
        pb__json_raw(j, m->block, m->len);
        return;
    }
    mb.buf = NULL;
    if ((f = pb__membuf_open(&mb, m->len + 512)) != NULL) {
        pb__json_init_part(&part, f);
        json_block(&part, c, m, m->block);
        pb__json_flush(&part);
        fclose(f);
    }
    free(m->block);
    m->block = NULL;
    if (mb.buf == NULL || mb.len > MEMO_MAX) {
        forget(m);              /* out of memory, or too much to keep */
        if (mb.buf != NULL)
            pb__json_raw(j, mb.buf, mb.len);
        else
            json_block(j, c, NULL, NULL);
        free(mb.buf);
        return;
    }
    /* Kept as long as the case: at its size, not the buffer's. */
    m->block = realloc(mb.buf, mb.len + 1);
    if (m->block == NULL)
        m->block = mb.buf;
    m->len = mb.len;
    pb__json_raw(j, m->block, m->len);
}

static void json_case(pb__json *j, const pb_case *c, pb_render_memo *m)
{
    size_t i;

    if (m != NULL)
        json_block_memo(j, c, m);
    else
        json_block(j, c, NULL, NULL);
    pb__json_kstr(j, "state", pb_case_status(c));
    pb__json_key(j, "closed_at");
    if (pb_case_closed(c))
        pb__json_num(j, pb_case_closed_at(c));
    else
        pb__json_str(j, NULL);
    pb__json_kstr(j, "closed_by", !pb_case_closed(c) ? NULL
                  : pb_case_settled(c) ? "principles" : "case.closed");
    pb__json_key(j, "warnings");
    pb__json_open(j, '[');
    for (i = 0; i < pb_case_nwarnings(c); i++)
        pb__json_str(j, pb_case_warning(c, i));
    pb__json_close(j, ']');
}

/* The facts as the case ended, as an object. */
static void json_facts(pb__json *j, const pb_case *c)
{
    const char *name, *value;
    size_t i;

    pb__json_open(j, '{');
    for (i = 0; i < pb_case_nfacts(c); i++) {
        pb_case_fact(c, i, &name, &value);
        pb__json_kstr(j, name, value);
    }
    pb__json_close(j, '}');
}

static void json_events(pb__json *j, const pb_replay *r)
{
    const pb_case *c = pb_replay_case(r);
    size_t i, k;

    pb__json_key(j, "events");
    pb__json_open(j, '[');
    for (i = 0; i < pb_case_nevents(c); i++) {
        pb_event_info ev;

        pb_case_event(c, i, &ev);
        pb__json_open(j, '{');
        pb__json_knum(j, "t", ev.t);
        pb__json_kstr(j, "type", ev.type);
        pb__json_kstr(j, "text", ev.text);
        pb__json_key(j, "attrs");
        pb__json_open(j, '{');
        for (k = 0; k < ev.nattrs; k++)
            pb__json_kstr(j, ev.attrs[k].name, ev.attrs[k].value);
        pb__json_close(j, '}');
        pb__json_kstr(j, "detected_by", ev.detected_by);
        if (ev.evidence.file != NULL) {
            pb__json_key(j, "evidence");
            pb__json_open(j, '{');
            pb__json_kstr(j, "file", ev.evidence.file);
            pb__json_kint(j, "line", ev.evidence.line);
            pb__json_kstr(j, "kind", ev.evidence.kind);
            pb__json_kstr(j, "match", ev.evidence.match);
            if (ev.evidence.score >= 0)
                pb__json_knum(j, "score", ev.evidence.score);
            pb__json_close(j, '}');
        }
        pb__json_key(j, "changes");
        pb__json_open(j, '[');
        for (k = pb__first_change(r, i); k < pb_replay_nchanges(r) &&
                                         pb_replay_change(r, k)->event == i;
             k++) {
            const pb_change *ch = pb_replay_change(r, k);
            pb_item_info it;

            pb_case_item(c, ch->item, &it);
            pb__json_open(j, '{');
            pb__json_kstr(j, "item", it.ref);
            pb__json_kstr(j, "from", pb_state_name(ch->from));
            pb__json_kstr(j, "to", pb_state_name(ch->to));
            pb__json_close(j, '}');
        }
        pb__json_close(j, ']');
        pb__json_close(j, '}');
    }
    pb__json_close(j, ']');
}

static void json_replay(pb__json *j, const pb_replay *r)
{
    const pb_scenario *s = pb_replay_scenario(r);
    size_t i;

    pb__json_open(j, '{');
    pb__json_kstr(j, "file", pb_scenario_path(s));
    pb__json_kstr(j, "id", pb_scenario_id(s));
    pb__json_kstr(j, "title", pb_scenario_title(s));
    pb__json_kstr(j, "topic", pb_scenario_topic(s));
    pb__json_kstr(j, "channel", pb_scenario_channel(s));
    pb__json_kstr(j, "agent", pb_scenario_agent(s));
    pb__json_kstr(j, "team", pb_scenario_team(s));
    pb__json_kstr(j, "description", pb_scenario_description(s));
    pb__json_key(j, "facts");
    json_facts(j, pb_replay_case(r));
    pb__json_kbool(j, "passed", pb_replay_passed(r));
    json_events(j, r);
    json_case(j, pb_replay_case(r), NULL);
    pb__json_key(j, "expectations");
    pb__json_open(j, '[');
    for (i = 0; i < pb_replay_nresults(r); i++) {
        const pb_expect_result *res = pb_replay_result(r, i);
        char want[256];

        pb_expect_text(res->expect, want, sizeof want);
        pb__json_open(j, '{');
        pb__json_kint(j, "line", res->expect->line);
        pb__json_kstr(j, "kind", pb__expect_kind(res->expect->kind));
        pb__json_kstr(j, "ref", res->expect->ref);
        pb__json_kstr(j, "principle", res->expect->principle);
        pb__json_key(j, "at");
        if (res->expect->at >= 0)
            pb__json_num(j, res->expect->at);
        else
            pb__json_str(j, NULL);
        pb__json_kstr(j, "expected", want);
        pb__json_kstr(j, "actual", res->actual);
        pb__json_kbool(j, "met", res->met);
        pb__json_close(j, '}');
    }
    pb__json_close(j, ']');
    pb__json_close(j, '}');
}

void pb__render_json_replays(FILE *f, pb_replay *const *replays, size_t n)
{
    size_t i, passed = 0;
    pb__json j;

    for (i = 0; i < n; i++)
        passed += pb_replay_passed(replays[i]);
    pb__json_init(&j, f);
    pb__json_open(&j, '{');
    pb__json_kstr(&j, "playbook", PB_VERSION);
    pb__json_key(&j, "scenarios");
    pb__json_open(&j, '[');
    for (i = 0; i < n; i++)
        json_replay(&j, replays[i]);
    pb__json_close(&j, ']');
    pb__json_key(&j, "summary");
    pb__json_open(&j, '{');
    pb__json_kint(&j, "scenarios", (long)n);
    pb__json_kint(&j, "passed", (long)passed);
    pb__json_kint(&j, "failed", (long)(n - passed));
    pb__json_close(&j, '}');
    pb__json_close(&j, '}');
    fputc('\n', f);
}

void pb__render_json_checklist(FILE *f, const pb_case *c,
                               pb_render_memo *m)
{
    pb__json j;

    pb__json_init(&j, f);
    pb__json_open(&j, '{');
    pb__json_kstr(&j, "topic", pb_case_topic(c));
    pb__json_kstr(&j, "channel", pb_case_channel(c));
    pb__json_kstr(&j, "agent", pb_case_agent(c));
    pb__json_kstr(&j, "team", pb_case_team(c));
    pb__json_kbool(&j, "closed", pb_case_closed(c));
    pb__json_key(&j, "facts");
    json_facts(&j, c);
    json_case(&j, c, m);
    pb__json_close(&j, '}');
    fputc('\n', f);
}
