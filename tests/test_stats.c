/*
 * test_stats.c -- team statistics: exact counts per item and principle,
 * scores (mean and pooled), resolution and first-contact resolution,
 * root causes, the rankings and their tie-breaks, and the three outputs
 * (text escaped for a terminal, JSON, XHTML) over cases built in memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libxml/parser.h>

#include "playbook.h"

#define NS "urn:playbook:scenario:1"

/* Two principles: alpha always applies (a must with an `after`, one that
 * can be violated, one for billing only, one whose Lua raises), beta only
 * for deliveries.  A detector turns "it works" into case.resolved. */
static const char alpha_src[] =
    "return principle {\n"
    "  id = 'alpha', title = 'Alpha things', order = 1,\n"
    "  items = {\n"
    "    { id = 'greet', must = true,\n"
    "      done = function(c) return c:has('agent.greeted') end },\n"
    "    { id = 'ask', must = true, after = { 'greet' },\n"
    "      done = function(c) return c:has('agent.asked') end,\n"
    "      violated = function(c) return c:has('agent.rude') end },\n"
    "    { id = 'extra', applies = function(c) return c.topic == 'billing'"
    " end,\n"
    "      done = function(c) return c:has('agent.extra') end },\n"
    "    { id = 'boom',\n"
    "      done = function(c)\n"
    "        if c:has('agent.boom') then error('boom') end\n"
    "        return false\n"
    "      end },\n"
    "  },\n"
    "  detect = {\n"
    "    { on = 'customer.said', pattern = { 'it works' },\n"
    "      emit = 'case.resolved' },\n"
    "  },\n"
    "}\n";

static const char beta_src[] =
    "return principle {\n"
    "  id = 'beta', order = 2,\n"
    "  applies = function(c) return c.topic == 'delivery' end,\n"
    "  items = {\n"
    "    { id = 'check', must = true,\n"
    "      done = function(c) return c:has('agent.checked') end,\n"
    "      violated = function(c) return c:has('agent.rude') end },\n"
    "  },\n"
    "}\n";

enum { GREET, ASK, EXTRA, BOOM, CHECK, NITEMS };

typedef struct fixture {
    pb_engine *e;
    pb_stats *s;
} fixture;

static pb_engine *engine_with(const char *a, const char *b)
{
    pb_engine *e = pb_engine_new();
    pb_error err;
    char buf[1200];

    assert_non_null(e);
    if (a && pb_engine_load_buffer(e, "alpha.lua", a, strlen(a), &err) !=
                 PB_OK)
        fail_msg("%s", pb_error_text(&err, buf, sizeof buf));
    if (b && pb_engine_load_buffer(e, "beta.lua", b, strlen(b), &err) !=
                 PB_OK)
        fail_msg("%s", pb_error_text(&err, buf, sizeof buf));
    return e;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);

    assert_non_null(f);
    f->e = engine_with(alpha_src, beta_src);
    f->s = pb_stats_new(f->e);
    assert_non_null(f->s);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    pb_stats_free(f->s);
    pb_engine_free(f->e);
    free(f);
    return 0;
}

/*
 * Replays a scenario built from topic (or NULL), root cause (or NULL) and
 * events (each "<event .../>" without its t, which is added), adds it, and
 * frees it at once: the statistics must not keep the case.
 */
static void add_as(fixture *f, const char *topic, const char *cause,
                   const char *agent, const char *started,
                   const char *const *events)
{
    char xml[4096], buf[1200];
    size_t n = 0, i;
    pb_scenario *sc = NULL;
    pb_replay *r = NULL;
    pb_error err;

    n += (size_t)snprintf(xml + n, sizeof xml - n,
                          "<scenario xmlns=\"" NS "\" id=\"t\">\n<case");
    if (topic)
        n += (size_t)snprintf(xml + n, sizeof xml - n, " topic=\"%s\"",
                              topic);
    if (agent)
        n += (size_t)snprintf(xml + n, sizeof xml - n, " agent=\"%s\"",
                              agent);
    n += (size_t)snprintf(xml + n, sizeof xml - n, ">");
    if (started)
        n += (size_t)snprintf(xml + n, sizeof xml - n,
                              "<fact name=\"started_at\">%s</fact>",
                              started);
    if (cause)
        n += (size_t)snprintf(xml + n, sizeof xml - n,
                              "<fact name=\"root_cause\">%s</fact>", cause);
    n += (size_t)snprintf(xml + n, sizeof xml - n, "</case>\n<events>\n");
    for (i = 0; events && events[i]; i++)
        n += (size_t)snprintf(xml + n, sizeof xml - n,
                              "<event t=\"%zu\" %s\n", i, events[i]);
    n += (size_t)snprintf(xml + n, sizeof xml - n,
                          "</events>\n<expect><score min=\"1\" max=\"1\"/>"
                          "</expect>\n</scenario>\n");
    assert_true(n < sizeof xml);
    if (pb_scenario_parse("t.xml", xml, n, &sc, &err) != PB_OK ||
        pb_replay_run(f->e, sc, &r, &err) != PB_OK)
        fail_msg("%s", pb_error_text(&err, buf, sizeof buf));
    assert_int_equal(pb_stats_add_replay(f->s, r, &err), PB_OK);
    pb_replay_free(r);
    pb_scenario_free(sc);
}

/* The same without an agent or a start. */
static void add(fixture *f, const char *topic, const char *cause,
                const char *const *events)
{
    add_as(f, topic, cause, NULL, NULL, events);
}

/* The five cases most tests count (see the expected figures below). */
static void add_five(fixture *f)
{
    static const char *const c1[] = {
        "type=\"agent.greeted\"/>", "type=\"agent.asked\"/>",
        "type=\"agent.extra\"/>", "type=\"case.resolved\"/>", NULL };
    static const char *const c2[] = {
        "type=\"agent.greeted\"/>", "type=\"agent.rude\"/>",
        "type=\"case.resolved\"/>",
        "type=\"followup.done\" outcome=\"not_fixed\"/>", NULL };
    static const char *const c3[] = {
        "type=\"customer.said\">hello</event>", NULL };
    static const char *const c4[] = {
        "type=\"item.skipped\" ref=\"alpha.greet\">known</event>",
        "type=\"agent.boom\"/>", "type=\"case.resolved\"/>",
        "type=\"followup.done\" outcome=\"not_fixed\"/>",
        "type=\"case.resolved\"/>", NULL };
    static const char *const c5[] = {
        "type=\"agent.greeted\"/>",
        "type=\"customer.said\">yes, it works now</event>",
        "type=\"followup.done\" outcome=\"fixed\"/>", NULL };

    add(f, "billing", "carrier_delay", c1);
    add(f, "delivery", "carrier_delay", c2);
    add(f, "delivery", NULL, c3);
    add(f, "billing", "  billing_bug\n ", c4);
    add(f, NULL, "billing_bug", c5);
}

static void item_is(const pb_stats *s, size_t i, const char *ref,
                    size_t applied, size_t done, size_t open, size_t waiting,
                    size_t skipped, size_t violated, size_t error,
                    size_t missed)
{
    pb_stats_item_info it;

    pb_stats_item(s, i, &it);
    assert_string_equal(it.ref, ref);
    assert_int_equal(it.applied, applied);
    assert_int_equal(it.states[PB_DONE], done);
    assert_int_equal(it.states[PB_OPEN], open);
    assert_int_equal(it.states[PB_WAITING], waiting);
    assert_int_equal(it.states[PB_SKIPPED], skipped);
    assert_int_equal(it.states[PB_VIOLATED], violated);
    assert_int_equal(it.states[PB_ERROR], error);
    assert_int_equal(it.missed, missed);
}

static void items_per_state(void **state)
{
    fixture *f = *state;
    pb_stats_item_info it;

    add_five(f);
    assert_int_equal(pb_stats_nitems(f->s), NITEMS);
    /*                              appl done open wait skip viol err miss */
    item_is(f->s, GREET, "alpha.greet", 5, 3, 1, 0, 1, 0, 0, 1);
    item_is(f->s, ASK, "alpha.ask", 5, 1, 2, 1, 0, 1, 0, 4);
    item_is(f->s, EXTRA, "alpha.extra", 2, 1, 1, 0, 0, 0, 0, 0);
    item_is(f->s, BOOM, "alpha.boom", 5, 0, 4, 0, 0, 0, 1, 0);
    item_is(f->s, CHECK, "beta.check", 2, 0, 1, 0, 0, 1, 0, 2);
    pb_stats_item(f->s, CHECK, &it);
    assert_int_equal(it.states[PB_ABSENT], 3); /* the non-deliveries */
    assert_string_equal(it.principle, "beta");
    assert_string_equal(it.id, "check");
    assert_true(it.must);
    pb_stats_item(f->s, EXTRA, &it);
    assert_false(it.must);
}

static void principle_scores(void **state)
{
    fixture *f = *state;
    pb_stats_principle_info p;
    pb_stats_info in;

    add_five(f);
    assert_int_equal(pb_stats_nprinciples(f->s), 2);
    /* alpha: case scores 1, 0 (1 done - 1 violation), 0, 0 (greet
     * skipped: 1 must left, not done), 0.5. */
    pb_stats_principle(f->s, 0, &p);
    assert_string_equal(p.id, "alpha");
    assert_string_equal(p.title, "Alpha things");
    assert_int_equal(p.score.cases, 5);
    assert_int_equal(p.score.musts, 9);
    assert_int_equal(p.score.done, 4);
    assert_int_equal(p.score.violations, 1);
    assert_float_equal(p.score.mean, 1.5 / 5, 1e-12);
    assert_float_equal(p.score.pooled, 3.0 / 9, 1e-12);
    /* beta applies to the two deliveries only; a title defaults to id. */
    pb_stats_principle(f->s, 1, &p);
    assert_string_equal(p.id, "beta");
    assert_string_equal(p.title, "beta");
    assert_int_equal(p.score.cases, 2);
    assert_int_equal(p.score.musts, 2);
    assert_int_equal(p.score.done, 0);
    assert_int_equal(p.score.violations, 1);
    assert_float_equal(p.score.mean, 0, 1e-12);
    assert_float_equal(p.score.pooled, 0, 1e-12);
    /* Overall: pooled (4 done - 2 violations) / 11 musts. */
    pb_stats_overall(f->s, &in);
    assert_int_equal(in.cases, 5);
    assert_int_equal(in.unreadable, 0);
    assert_int_equal(in.score.cases, 5);
    assert_int_equal(in.score.musts, 11);
    assert_int_equal(in.score.done, 4);
    assert_int_equal(in.score.violations, 2);
    assert_float_equal(in.score.mean, 1.5 / 5, 1e-12);
    assert_float_equal(in.score.pooled, 2.0 / 11, 1e-12);
}

/* c1 resolved; c2 resolved then not fixed; c3 never; c4 resolved, not
 * fixed, resolved again (resolved, not first contact); c5 resolved by a
 * detected event and confirmed fixed. */
static void resolution(void **state)
{
    fixture *f = *state;
    pb_stats_info in;

    add_five(f);
    pb_stats_overall(f->s, &in);
    assert_int_equal(in.resolved, 3);
    assert_int_equal(in.first_contact, 2);
}

static void cause_is(const pb_stats *s, size_t i, const char *name,
                     size_t cases, size_t resolved, size_t first)
{
    pb_stats_group_info c;

    pb_stats_group(s, PB_STATS_CAUSE, i, &c);
    if (name)
        assert_string_equal(c.name, name);
    else
        assert_null(c.name);
    assert_int_equal(c.cases, cases);
    assert_int_equal(c.resolved, resolved);
    assert_int_equal(c.first_contact, first);
}

static void root_causes(void **state)
{
    fixture *f = *state;
    size_t rank[8];

    add_five(f);
    /* " billing_bug\n " is billing_bug; ties go by name, (none) last. */
    assert_int_equal(pb_stats_ngroups(f->s, PB_STATS_CAUSE), 3);
    assert_int_equal(pb_stats_rank_groups(f->s, PB_STATS_CAUSE, rank), 3);
    cause_is(f->s, rank[0], "billing_bug", 2, 2, 1);
    cause_is(f->s, rank[1], "carrier_delay", 2, 1, 1);
    cause_is(f->s, rank[2], NULL, 1, 0, 0);
}

static void cause_ties(void **state)
{
    fixture *f = *state;
    size_t rank[8];

    add(f, NULL, "c", NULL);
    add(f, NULL, "b", NULL);
    add(f, NULL, NULL, NULL);
    add(f, NULL, "a", NULL);
    add(f, NULL, "  ", NULL); /* blank: no root cause */
    add(f, NULL, "b", NULL);
    add(f, NULL, "c", NULL);
    add(f, NULL, "(none)", NULL); /* a name, not the missing cause */
    assert_int_equal(pb_stats_rank_groups(f->s, PB_STATS_CAUSE, rank), 5);
    cause_is(f->s, rank[0], "b", 2, 0, 0);
    cause_is(f->s, rank[1], "c", 2, 0, 0);
    cause_is(f->s, rank[2], NULL, 2, 0, 0);
    cause_is(f->s, rank[3], "(none)", 1, 0, 0);
    cause_is(f->s, rank[4], "a", 1, 0, 0);
}

/* Many distinct causes: the table grows and every one is found again. */
static void many_causes(void **state)
{
    fixture *f = *state;
    pb_stats_info in;
    size_t *rank, i;
    char name[32];

    for (i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "cause_%03zu", i % 150);
        add(f, NULL, name, NULL);
    }
    pb_stats_overall(f->s, &in);
    assert_int_equal(in.cases, 300);
    assert_int_equal(pb_stats_ngroups(f->s, PB_STATS_CAUSE), 150);
    rank = malloc(150 * sizeof *rank);
    assert_non_null(rank);
    assert_int_equal(pb_stats_rank_groups(f->s, PB_STATS_CAUSE, rank), 150);
    for (i = 0; i < 150; i++) {
        snprintf(name, sizeof name, "cause_%03zu", i);
        cause_is(f->s, rank[i], name, 2, 0, 0);
    }
    free(rank);
}

/* Contacts: one per case, and one more for each contact.ended that is
 * followed by the agent or the customer; root causes rank by them. */
static void contacts(void **state)
{
    static const char *const twice[] = {
        "type=\"customer.said\">hello</event>",
        "type=\"contact.ended\"/>",
        "type=\"followup.done\" outcome=\"not_fixed\"/>",
        "type=\"customer.said\">still broken</event>",
        "type=\"contact.ended\"/>",
        "type=\"agent.greeted\"/>", NULL };
    static const char *const once[] = {
        "type=\"customer.said\">hello</event>",
        "type=\"contact.ended\"/>",
        "type=\"followup.done\" outcome=\"fixed\"/>", NULL };
    static const char gamma_src[] =
        "return principle {\n"
        "  id = 'gamma', order = 3,\n"
        "  items = {\n"
        "    { id = 'verify', later = true,\n"
        "      done = function(c) return c:has('agent.verified') end },\n"
        "  },\n"
        "}\n";
    fixture *f = *state;
    pb_stats_group_info g;
    pb_stats_info in;
    size_t rank[4];
    pb_error err;

    /* an item for later keeps the case open after a contact */
    assert_int_equal(pb_engine_load_buffer(f->e, "gamma.lua", gamma_src,
                                           strlen(gamma_src), &err), PB_OK);
    pb_stats_free(f->s);
    assert_non_null(f->s = pb_stats_new(f->e));
    add(f, NULL, "many", once);
    add(f, NULL, "many", once);
    add(f, NULL, "outage", twice);   /* 3 contacts in one case */
    pb_stats_overall(f->s, &in);
    assert_int_equal(in.cases, 3);
    assert_int_equal(in.contacts, 5);
    /* outage brought 3 contacts in 1 case: it outranks many's 2 in 2 */
    assert_int_equal(pb_stats_rank_groups(f->s, PB_STATS_CAUSE, rank), 2);
    pb_stats_group(f->s, PB_STATS_CAUSE, rank[0], &g);
    assert_string_equal(g.name, "outage");
    assert_int_equal(g.cases, 1);
    assert_int_equal(g.contacts, 3);
    pb_stats_group(f->s, PB_STATS_CAUSE, rank[1], &g);
    assert_string_equal(g.name, "many");
    assert_int_equal(g.contacts, 2);
}

/* Agents and months: every case in one group of each, the cases
 * without one in the NULL group, ranked by name with NULL last; a
 * group's scores are its own cases'. */
static void agents_and_months(void **state)
{
    static const char *const good[] = {
        "type=\"agent.greeted\"/>", "type=\"agent.asked\"/>", NULL };
    static const char *const poor[] = {
        "type=\"customer.said\">hi</event>", NULL };
    fixture *f = *state;
    pb_stats_group_info g;
    pb_stats_score sc;
    size_t rank[8];

    add_as(f, "billing", NULL, "Zoe", "2026-10-31T23:59:59Z", good);
    add_as(f, "billing", NULL, "Al", "2026-11-01T00:00:00Z", poor);
    add_as(f, "billing", NULL, "Zoe", "2026-09-15T12:00:00+02:00", poor);
    add_as(f, "billing", NULL, NULL, NULL, good);
    assert_int_equal(pb_stats_rank_groups(f->s, PB_STATS_AGENT, rank), 3);
    pb_stats_group(f->s, PB_STATS_AGENT, rank[0], &g);
    assert_string_equal(g.name, "Al");
    assert_int_equal(g.cases, 1);
    assert_true(g.score.mean < 0.01);
    pb_stats_group(f->s, PB_STATS_AGENT, rank[1], &g);
    assert_string_equal(g.name, "Zoe");
    assert_int_equal(g.cases, 2);
    /* alpha: greet and ask done in one of Zoe's cases, neither in the
     * other: 2 of 4 musts, a mean of (1 + 0) / 2 */
    pb_stats_group_principle(f->s, PB_STATS_AGENT, rank[1], 0, &sc);
    assert_int_equal(sc.cases, 2);
    assert_int_equal(sc.musts, 4);
    assert_int_equal(sc.done, 2);
    assert_true(sc.mean > 0.49 && sc.mean < 0.51);
    pb_stats_group_principle(f->s, PB_STATS_AGENT, rank[1], 1, &sc);
    assert_int_equal(sc.cases, 0);  /* beta: deliveries only */
    pb_stats_group(f->s, PB_STATS_AGENT, rank[2], &g);
    assert_null(g.name);
    assert_int_equal(g.cases, 1);
    /* months in UTC: the last second of October is October */
    assert_int_equal(pb_stats_rank_groups(f->s, PB_STATS_MONTH, rank), 4);
    pb_stats_group(f->s, PB_STATS_MONTH, rank[0], &g);
    assert_string_equal(g.name, "2026-09");
    pb_stats_group(f->s, PB_STATS_MONTH, rank[1], &g);
    assert_string_equal(g.name, "2026-10");
    assert_true(g.score.mean > 0.99);
    pb_stats_group(f->s, PB_STATS_MONTH, rank[2], &g);
    assert_string_equal(g.name, "2026-11");
    pb_stats_group(f->s, PB_STATS_MONTH, rank[3], &g);
    assert_null(g.name);
}

static void rankings(void **state)
{
    fixture *f = *state;
    size_t rank[NITEMS];

    add_five(f);
    /* Missed musts by count: ask 4, check 2, greet 1. */
    assert_int_equal(pb_stats_rank_missed(f->s, rank), 3);
    assert_int_equal(rank[0], ASK);
    assert_int_equal(rank[1], CHECK);
    assert_int_equal(rank[2], GREET);
    /* One violation each: beta.check's 1 of 2 outranks alpha.ask's 1 of
     * 5 (share), before any name comes into it. */
    assert_int_equal(pb_stats_rank_violations(f->s, rank), 2);
    assert_int_equal(rank[0], CHECK);
    assert_int_equal(rank[1], ASK);
}

/* Equal count and share: the name decides, whatever the item order. */
static void ranking_ties_by_name(void **state)
{
    static const char src[] =
        "return principle {\n"
        "  id = 'p', order = 1,\n"
        "  items = {\n"
        "    { id = 'zulu', must = true, done = function() return false end,"
        "\n      violated = function(c) return c:has('bad') end },\n"
        "    { id = 'alpha', must = true, done = function() return false end"
        ",\n      violated = function(c) return c:has('bad') end },\n"
        "    { id = 'mike', must = true, done = function() return false end"
        " },\n"
        "  },\n"
        "}\n";
    static const char *const bad[] = { "type=\"bad\"/>", NULL };
    fixture *f = *state;
    size_t rank[3];

    pb_stats_free(f->s);
    pb_engine_free(f->e);
    f->e = engine_with(src, NULL);
    f->s = pb_stats_new(f->e);
    assert_non_null(f->s);
    add(f, NULL, NULL, bad);
    add(f, NULL, NULL, NULL);
    assert_int_equal(pb_stats_rank_missed(f->s, rank), 3);
    assert_int_equal(rank[0], 1); /* p.alpha */
    assert_int_equal(rank[1], 2); /* p.mike */
    assert_int_equal(rank[2], 0); /* p.zulu */
    assert_int_equal(pb_stats_rank_violations(f->s, rank), 2);
    assert_int_equal(rank[0], 1);
    assert_int_equal(rank[1], 0);
}

/* A case evaluated with other principles is refused and not counted;
 * one from another engine with the same principles is welcome. */
static void other_principles(void **state)
{
    fixture *f = *state;
    pb_engine *other = engine_with(alpha_src, NULL);
    pb_engine *same = engine_with(alpha_src, beta_src);
    pb_case *c;
    pb_stats_info in;
    pb_error err;

    c = pb_case_new(other, NULL, NULL, &err);
    assert_non_null(c);
    assert_int_equal(pb_stats_add_case(f->s, c, &err), PB_STATE);
    pb_case_free(c);
    pb_stats_overall(f->s, &in);
    assert_int_equal(in.cases, 0);
    assert_int_equal(pb_stats_ngroups(f->s, PB_STATS_CAUSE), 0);

    c = pb_case_new(same, "delivery", NULL, &err);
    assert_non_null(c);
    assert_int_equal(pb_case_set_fact(c, "root_cause", "x", &err), PB_OK);
    assert_int_equal(pb_case_append(c, 0, "agent.greeted", NULL, NULL, 0,
                                    &err), PB_OK);
    assert_int_equal(pb_stats_add_case(f->s, c, &err), PB_OK);
    pb_case_free(c);
    pb_engine_free(other);
    pb_engine_free(same);
    pb_stats_add_unreadable(f->s);
    pb_stats_overall(f->s, &in);
    assert_int_equal(in.cases, 1);
    assert_int_equal(in.unreadable, 1);
    item_is(f->s, GREET, "alpha.greet", 1, 1, 0, 0, 0, 0, 0, 0);
    cause_is(f->s, 0, "x", 1, 0, 0);
}

/* Nothing added: zero counts, and reports without a division by zero. */
static void empty(void **state)
{
    fixture *f = *state;
    pb_stats_info in;
    size_t rank[NITEMS];
    char *buf = NULL;
    size_t len = 0;
    FILE *m;
    json_object *root, *v;

    pb_stats_free(NULL);
    pb_stats_overall(f->s, &in);
    assert_int_equal(in.cases, 0);
    assert_float_equal(in.score.mean, 0, 0);
    assert_int_equal(pb_stats_rank_missed(f->s, rank), 0);
    assert_int_equal(pb_stats_rank_groups(f->s, PB_STATS_CAUSE, rank), 0);
    m = open_memstream(&buf, &len);
    assert_non_null(m);
    assert_int_equal(pb_stats_render(f->s, m, PB_FORMAT_JSON, 0), PB_OK);
    fclose(m);
    root = json_tokener_parse(buf);
    assert_non_null(root);
    assert_true(json_object_object_get_ex(root, "score", &v));
    assert_true(json_object_object_get_ex(v, "mean", &v));
    assert_true(json_object_is_type(v, json_type_null));
    json_object_put(root);
    free(buf);
    m = open_memstream(&buf, &len);
    assert_non_null(m);
    assert_int_equal(pb_stats_render(f->s, m, PB_FORMAT_TEXT, 0), PB_OK);
    fclose(m);
    assert_non_null(strstr(buf, "Team statistics: 0 cases"));
    free(buf);
}

static char *render(const pb_stats *s, pb_format fmt, unsigned flags)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);

    assert_non_null(m);
    assert_int_equal(pb_stats_render(s, m, fmt, flags), PB_OK);
    assert_int_equal(fclose(m), 0);
    return buf;
}

static json_object *get(json_object *o, const char *path)
{
    char key[64];
    const char *dot;
    json_object *v = o;

    while (*path) {
        dot = strchr(path, '.');
        snprintf(key, sizeof key, "%.*s",
                 (int)(dot ? (size_t)(dot - path) : strlen(path)), path);
        if (json_object_is_type(v, json_type_array))
            v = json_object_array_get_idx(v, (size_t)strtoul(key, NULL, 10));
        else if (!json_object_object_get_ex(v, key, &v))
            v = NULL;
        if (v == NULL)
            fail_msg("no %s in the JSON", path);
        path = dot ? dot + 1 : path + strlen(path);
    }
    return v;
}

static void json_output(void **state)
{
    fixture *f = *state;
    char *buf;
    json_object *root, *v;

    add_five(f);
    buf = render(f->s, PB_FORMAT_JSON, 0);
    root = json_tokener_parse(buf);
    assert_non_null(root);
    assert_int_equal(json_object_get_int(get(root, "cases")), 5);
    assert_float_equal(json_object_get_double(get(root, "score.pooled")),
                       2.0 / 11, 1e-9);
    assert_int_equal(json_object_get_int(get(root, "resolution.resolved")),
                     3);
    assert_float_equal(
        json_object_get_double(get(root, "resolution.first_contact_rate")),
        0.4, 1e-9);
    assert_string_equal(
        json_object_get_string(get(root, "root_causes.0.root_cause")),
        "billing_bug");
    assert_float_equal(
        json_object_get_double(get(root, "root_causes.1.resolved_rate")),
        0.5, 1e-9);
    /* No root cause is null, never a made-up name. */
    assert_true(json_object_object_get_ex(get(root, "root_causes.2"),
                                          "root_cause", &v));
    assert_null(v);
    assert_float_equal(json_object_get_double(get(root,
                                                  "root_causes.2.share")),
                       0.2, 1e-9);
    assert_string_equal(json_object_get_string(get(root,
                                                   "principles.1.id")),
                        "beta");
    assert_int_equal(json_object_get_int(get(root, "principles.1.cases")),
                     2);
    assert_string_equal(json_object_get_string(get(root,
                                                   "most_missed.0.ref")),
                        "alpha.ask");
    assert_int_equal(json_object_get_int(get(root, "most_missed.0.missed")),
                     4);
    assert_float_equal(json_object_get_double(get(root,
                                                  "violations.0.share")),
                       0.5, 1e-9);
    assert_int_equal(json_object_get_int(get(root, "items.1.waiting")), 1);
    assert_int_equal(json_object_get_int(get(root, "items.3.error")), 1);
    assert_int_equal(json_object_array_length(get(root, "items")), NITEMS);
    json_object_put(root);
    free(buf);
}

/* No field that smells of time, at any depth. */
static void no_time_keys(json_object *o)
{
    static const char *const words[] = { "time", "duration", "speed",
                                         "_at", "second", "minute" };
    size_t i, n;

    if (json_object_is_type(o, json_type_array)) {
        for (i = 0, n = json_object_array_length(o); i < n; i++)
            no_time_keys(json_object_array_get_idx(o, i));
        return;
    }
    if (!json_object_is_type(o, json_type_object))
        return;
    json_object_object_foreach(o, key, val) {
        for (i = 0; i < sizeof words / sizeof *words; i++)
            if (strstr(key, words[i]))
                fail_msg("time-like field '%s'", key);
        assert_string_not_equal(key, "t");
        no_time_keys(val);
    }
}

/* No durations anywhere: speed is not a quality measure. */
static void no_speed(void **state)
{
    fixture *f = *state;
    json_object *root;
    char *buf;

    add_five(f);
    buf = render(f->s, PB_FORMAT_JSON, 0);
    root = json_tokener_parse(buf);
    assert_non_null(root);
    no_time_keys(root);
    json_object_put(root);
    free(buf);
    /* Nor a clock time (mm:ss) in what people read. */
    buf = render(f->s, PB_FORMAT_TEXT, 0);
    assert_null(strstr(buf, "00:0"));
    free(buf);
    buf = render(f->s, PB_FORMAT_HTML, 0);
    assert_null(strstr(buf, "00:0"));
    free(buf);
    assert_int_equal(pb_stats_render(f->s, stdout, PB_FORMAT_JUNIT, 0),
                     PB_INPUT);
}

static const char hostile[] =
    "<script>alert(1)</script> \x1b[31mred\x1b[0m \xc2\x9b" "2J &amp;";

/* Text: control characters shown, never sent to the terminal. */
static void text_output(void **state)
{
    fixture *f = *state;
    char *buf;

    add_five(f);
    /* The XML escape for the entity; ESC is not allowed in XML 1.0, so
     * this cause goes in through the case API. */
    {
        pb_error err;
        pb_case *c = pb_case_new(f->e, NULL, NULL, &err);

        assert_non_null(c);
        assert_int_equal(pb_case_set_fact(c, "root_cause", hostile, &err),
                         PB_OK);
        assert_int_equal(pb_stats_add_case(f->s, c, &err), PB_OK);
        pb_case_free(c);
    }
    add(f, NULL, "a_root_cause_name_much_longer_than_forty_columns_of_text",
        NULL);
    buf = render(f->s, PB_FORMAT_TEXT, 0);
    assert_null(strchr(buf, '\x1b'));
    assert_null(strstr(buf, "\xc2\x9b"));
    assert_non_null(strstr(buf, "\\x1b[31mred"));
    assert_non_null(strstr(buf, "Team statistics: 7 cases"));
    assert_non_null(strstr(buf, "a_root_cause_name_much_longer_than_fo..."));
    assert_non_null(strstr(buf, "  billing_bug    "));
    assert_non_null(strstr(buf, "  resolved                42.9%  (3 of 7 "
                                "cases)"));
    assert_non_null(strstr(buf, "  first-contact resolved  28.6%  (2 of 7 "
                                "cases)"));
    free(buf);
    /* With colour, only the renderer's own escapes. */
    buf = render(f->s, PB_FORMAT_TEXT, PB_RENDER_COLOR);
    assert_non_null(strstr(buf, "\x1b[1m"));
    assert_null(strstr(buf, "\x1b[31mred"));
    free(buf);
}

/* HTML: well-formed XHTML, every string escaped, nothing runnable. */
static void html_output(void **state)
{
    fixture *f = *state;
    char *buf;
    xmlDocPtr doc;
    pb_error err;
    pb_case *c = pb_case_new(f->e, NULL, NULL, &err);

    assert_non_null(c);
    assert_int_equal(pb_case_set_fact(c, "root_cause", hostile, &err),
                     PB_OK);
    assert_int_equal(pb_stats_add_case(f->s, c, &err), PB_OK);
    pb_case_free(c);
    add_five(f);
    buf = render(f->s, PB_FORMAT_HTML, 0);
    doc = xmlReadMemory(buf, (int)strlen(buf), "stats.html", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING);
    assert_non_null(doc);
    xmlFreeDoc(doc);
    assert_null(strstr(buf, "<script"));
    assert_non_null(strstr(buf, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(buf, "&amp;amp;"));
    assert_non_null(strstr(buf, "billing_bug"));
    assert_non_null(strstr(buf, "alpha.ask"));
    free(buf);
}

/* A write that fails (a full disk) is reported, in every format. */
static void write_failure(void **state)
{
    fixture *f = *state;
    pb_format fmts[] = { PB_FORMAT_TEXT, PB_FORMAT_JSON, PB_FORMAT_HTML };
    size_t i;
    FILE *full;

    add_five(f);
    for (i = 0; i < sizeof fmts / sizeof *fmts; i++) {
        if ((full = fopen("/dev/full", "w")) == NULL)
            skip();
        assert_int_equal(pb_stats_render(f->s, full, fmts[i], 0), PB_IO);
        fclose(full);
    }
}

/* The cases of add_five and odd causes (spaces, '%', a leading '-',
 * escapes) written as partials by two "shards" and merged in either
 * order: the same report as one run, byte for byte. */
static void add_odd(fixture *f, pb_stats *into, const char *cause)
{
    pb_error err;
    pb_case *c = pb_case_new(f->e, NULL, NULL, &err);
    char start[32];

    /* the odd name as an agent's too, in a month of its own */
    assert_non_null(c);
    snprintf(start, sizeof start, "2026-%02zu-01T00:00:00Z",
             strlen(cause) % 12 + 1);
    assert_int_equal(pb_case_set_fact(c, "started_at", start, &err), PB_OK);
    assert_int_equal(pb_case_set_agent(c, cause, NULL, &err), PB_OK);
    assert_int_equal(pb_case_set_fact(c, "root_cause", cause, &err), PB_OK);
    assert_int_equal(pb_stats_add_case(into, c, &err), PB_OK);
    pb_case_free(c);
}

static char *partial_of(const pb_stats *s, const char *path)
{
    FILE *out = fopen(path, "w");

    assert_non_null(out);
    assert_int_equal(pb_stats_write_partial(s, out), PB_OK);
    assert_int_equal(fclose(out), 0);
    return strdup(path);
}

/* Shard A: the five cases and every other odd cause; shard B: every
 * odd cause.  Run: the five cases then the same causes, in one pb_stats. */
static void shard_a(fixture *f, pb_stats *into, const char *const *odd,
                    size_t n)
{
    pb_stats *keep = f->s;
    size_t i;

    f->s = into;
    add_five(f);
    f->s = keep;
    for (i = 0; i < n; i += 2)
        add_odd(f, into, odd[i]);
}

static void partials(void **state)
{
    static const char *const odd[] = {
        "two words", "100%", "-lead", "-", "%41", hostile,
    };
    const size_t nodd = sizeof odd / sizeof *odd;
    fixture *f = *state;
    pb_stats *a = pb_stats_new(f->e), *b = pb_stats_new(f->e);
    pb_stats *all = pb_stats_new(f->e), *m = NULL, *m2 = NULL;
    char dir[] = "/tmp/pb-partial.XXXXXX", pa[64], pbb[64], cut[64];
    char *one, *merged, *merged2;
    pb_error err;
    size_t i;

    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(all);
    assert_non_null(mkdtemp(dir));
    shard_a(f, a, odd, nodd);
    shard_a(f, all, odd, nodd);
    for (i = 0; i < nodd; i++) {
        add_odd(f, b, odd[i]);
        add_odd(f, all, odd[i]);
    }
    snprintf(pa, sizeof pa, "%s/a", dir);
    snprintf(pbb, sizeof pbb, "%s/b", dir);
    snprintf(cut, sizeof cut, "%s/cut", dir);
    free(partial_of(a, pa));
    free(partial_of(b, pbb));
    free(partial_of(a, cut));
    one = render(all, PB_FORMAT_JSON, 0);
    assert_int_equal(pb_stats_read_partial(&m, pa, &err), PB_OK);
    assert_int_equal(pb_stats_read_partial(&m, pbb, &err), PB_OK);
    assert_int_equal(pb_stats_read_partial(&m2, pbb, &err), PB_OK);
    assert_int_equal(pb_stats_read_partial(&m2, pa, &err), PB_OK);
    merged = render(m, PB_FORMAT_JSON, 0);
    merged2 = render(m2, PB_FORMAT_JSON, 0);
    assert_string_equal(merged, one);
    assert_string_equal(merged2, one);
    assert_non_null(strstr(one, "\"-lead\""));
    assert_non_null(strstr(one, "\"100%\""));
    assert_non_null(strstr(one, "\"two words\""));
    assert_non_null(strstr(one, "\"agent\":\"-lead\""));
    assert_non_null(strstr(one, "\"month\":\"2026-"));
    /* a partial cut anywhere is refused, and m is unchanged */
    assert_int_equal(truncate(cut, 200), 0);
    assert_int_equal(pb_stats_read_partial(&m, cut, &err), PB_INPUT);
    free(merged);
    merged = render(m, PB_FORMAT_JSON, 0);
    assert_string_equal(merged, one);
    unlink(pa);
    unlink(pbb);
    unlink(cut);
    rmdir(dir);
    free(one);
    free(merged);
    free(merged2);
    pb_stats_free(a);
    pb_stats_free(b);
    pb_stats_free(all);
    pb_stats_free(m);
    pb_stats_free(m2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(items_per_state, setup, teardown),
        cmocka_unit_test_setup_teardown(principle_scores, setup, teardown),
        cmocka_unit_test_setup_teardown(resolution, setup, teardown),
        cmocka_unit_test_setup_teardown(root_causes, setup, teardown),
        cmocka_unit_test_setup_teardown(cause_ties, setup, teardown),
        cmocka_unit_test_setup_teardown(many_causes, setup, teardown),
        cmocka_unit_test_setup_teardown(contacts, setup, teardown),
        cmocka_unit_test_setup_teardown(agents_and_months, setup, teardown),
        cmocka_unit_test_setup_teardown(rankings, setup, teardown),
        cmocka_unit_test_setup_teardown(ranking_ties_by_name, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(other_principles, setup, teardown),
        cmocka_unit_test_setup_teardown(empty, setup, teardown),
        cmocka_unit_test_setup_teardown(json_output, setup, teardown),
        cmocka_unit_test_setup_teardown(no_speed, setup, teardown),
        cmocka_unit_test_setup_teardown(text_output, setup, teardown),
        cmocka_unit_test_setup_teardown(html_output, setup, teardown),
        cmocka_unit_test_setup_teardown(write_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(partials, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
