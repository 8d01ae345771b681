/*
 * test_case.c -- the case object principles see, the item states the
 * evaluation derives, scoring, next, and what a case refuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "case.h"
#include "playbook.h"

typedef struct fixture {
    pb_engine *e;
    pb_case *c;
} fixture;

static const char probe_src[] =
    "return principle {\n"
    "  id = 'probe', order = 1,\n"
    "  items = {\n"
    "    { id = 'has', done = function(c) return c:has('customer.said') end },\n"
    "    { id = 'has_pat', done = function(c)\n"
    "        return c:has('customer.said', 'PARCEL') end },\n"
    "    { id = 'count2', done = function(c)\n"
    "        return c:count('customer.said') == 2 end },\n"
    "    { id = 'first_last', done = function(c)\n"
    "        local f, l = c:first('customer.said'), c:last('customer.said')\n"
    "        return f ~= nil and f.t == 1 and l.t == 5 and f.n == 1\n"
    "          and f.type == 'customer.said' and l.text == 'Thanks' end },\n"
    "    { id = 'before', done = function(c)\n"
    "        return c:before('customer.said', 'agent.said')\n"
    "          and not c:before('agent.said', 'customer.said')\n"
    "          and not c:before('nothing.here', 'agent.said') end },\n"
    "    { id = 'said', done = function(c)\n"
    "        return c:said('customer', 'my parcel') and c:said('agent', '^sorry')\n"
    "          and not c:said('agent', 'parcel') and c:said('any', 'thanks')\n"
    "          and c:said(nil, 'thanks') end },\n"
    "    { id = 'fields', done = function(c)\n"
    "        return c.topic == 'delivery' and c.channel == 'chat'\n"
    "          and c.facts.tier == 'gold' and c.now >= 1 and c.closed == false end },\n"
    "    { id = 'attrs', done = function(c)\n"
    "        local e = c:last('agent.asked')\n"
    "        return e ~= nil and e.attr.fact == 'order_id' and e.attr.nope == nil\n"
    "          and e.detected == false end },\n"
    "    { id = 'events', done = function(c)\n"
    "        local n = 0\n"
    "        for e in c:events('customer.said') do n = n + 1 end\n"
    "        local all = 0\n"
    "        for e in c:events() do all = all + 1 end\n"
    "        local none = 0\n"
    "        for e in c:events('never.seen') do none = none + 1 end\n"
    "        return n == 2 and all >= 4 and none == 0 end },\n"
    "    { id = 'known', done = function(c)\n"
    "        local asked = c:last('agent.asked')\n"
    "        return asked ~= nil and c:known('order_id') == 'A-1'\n"
    "          and c:known('order_id', asked) == nil\n"
    "          and c:known('tier', asked) == 'gold' end },\n"
    "    { id = 'state', done = function(c) return c:state('probe.has') == 'done' end },\n"
    "    { id = 'pairs', done = function(c)\n"
    "        local n = 0\n"
    "        for k, v in pairs(c.facts) do n = n + 1 end\n"
    "        return n == 2 end },\n"
    "  },\n"
    "}\n";

static int setup(void **state)
{
    static fixture f;
    pb_error err;

    f.e = pb_engine_new();
    assert_non_null(f.e);
    assert_int_equal(pb_engine_load_buffer(f.e, "probe.lua", probe_src,
                                           strlen(probe_src), &err),
                     PB_OK);
    f.c = pb_case_new(f.e, "delivery", "chat", &err);
    assert_non_null(f.c);
    assert_int_equal(pb_case_set_fact(f.c, "tier", "gold", &err), PB_OK);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    pb_case_free(f->c);
    pb_engine_free(f->e);
    return 0;
}

static void append(pb_case *c, double t, const char *type, const char *text,
                   const pb_attr *attrs, size_t n)
{
    pb_error err;
    char buf[1200];

    if (pb_case_append(c, t, type, text, attrs, n, &err) != PB_OK)
        fail_msg("append %s: %s", type, pb_error_text(&err, buf, sizeof buf));
}

static pb_state state_of(const pb_case *c, const pb_engine *e,
                         const char *ref)
{
    long i = pb_engine_find_item(e, ref);
    pb_item_info info;

    if (i < 0)
        fail_msg("no item %s", ref);
    pb_case_item(c, (size_t)i, &info);
    if (info.state == PB_ERROR)
        print_message("%s: %s\n", ref, info.error);
    return info.state;
}

static void play_probe(pb_case *c)
{
    pb_attr asked[] = { { "fact", "order_id" } };
    pb_attr fact[] = { { "name", "order_id" } };

    append(c, 1, "customer.said", "My PARCEL is late", NULL, 0);
    append(c, 2, "agent.said", "Sorry about that", NULL, 0);
    append(c, 3, "agent.asked", "Order number?", asked, 1);
    append(c, 4, "fact", "A-1", fact, 1);
    append(c, 5, "customer.said", "Thanks", NULL, 0);
}

static void case_methods(void **state)
{
    fixture *f = *state;
    static const char *const refs[] = {
        "probe.has", "probe.has_pat", "probe.count2", "probe.first_last",
        "probe.before", "probe.said", "probe.fields", "probe.attrs",
        "probe.events", "probe.known", "probe.state", "probe.pairs",
    };
    size_t i;

    assert_int_equal(state_of(f->c, f->e, "probe.has"), PB_OPEN);
    play_probe(f->c);
    for (i = 0; i < sizeof refs / sizeof *refs; i++) {
        print_message("checking %s\n", refs[i]);
        assert_int_equal(state_of(f->c, f->e, refs[i]), PB_DONE);
    }
}

static void done_latches_with_time(void **state)
{
    fixture *f = *state;
    long i = pb_engine_find_item(f->e, "probe.count2");
    pb_item_info info;

    play_probe(f->c);
    /* A third utterance makes count == 2 false; the item stays done. */
    append(f->c, 9, "customer.said", "Hello?", NULL, 0);
    pb_case_item(f->c, (size_t)i, &info);
    assert_int_equal(info.state, PB_DONE);
    assert_true(info.done_at == 5);
    assert_int_equal(info.done_event, 4);
}

static void events_are_recorded(void **state)
{
    fixture *f = *state;
    pb_event_info ev;

    play_probe(f->c);
    assert_int_equal(pb_case_nevents(f->c), 5);
    pb_case_event(f->c, 2, &ev);
    assert_string_equal(ev.type, "agent.asked");
    assert_string_equal(ev.text, "Order number?");
    assert_int_equal(ev.nattrs, 1);
    assert_string_equal(ev.attrs[0].value, "order_id");
    assert_null(ev.detected_by);
    assert_true(ev.t == 3);
}

/* Append refuses bad events and leaves the case as it was; check says
 * so beforehand, in the same words. */
static void refuse(pb_case *c, double t, const char *type, const char *text,
                   const pb_attr *a, size_t n, const char *want)
{
    size_t before = pb_case_nevents(c);
    pb_error err;

    assert_int_equal(pb_case_check(c, t, type, text, a, n, &err), PB_INPUT);
    if (strstr(err.message, want) == NULL)
        fail_msg("check: message '%s' lacks '%s'", err.message, want);
    assert_int_equal(pb_case_append(c, t, type, text, a, n, &err), PB_INPUT);
    if (strstr(err.message, want) == NULL)
        fail_msg("message '%s' lacks '%s'", err.message, want);
    assert_int_equal(pb_case_nevents(c), before);
}

static void bad_events(void **state)
{
    fixture *f = *state;
    pb_attr noname[] = { { "value", "x" } };
    pb_attr badref[] = { { "ref", "probe.nope" } };
    pb_attr ref[] = { { "ref", "probe.has" } };
    pb_attr named[] = { { "name", "order_id" } };

    append(f->c, 10, "customer.said", "hi", NULL, 0);
    assert_int_equal(pb_case_check(f->c, 11, "agent.said", "ok", NULL, 0,
                                   NULL), PB_OK);
    assert_int_equal(pb_case_nevents(f->c), 1);   /* check records nothing */
    refuse(f->c, 5, "customer.said", "x", NULL, 0, "time goes backwards");
    refuse(f->c, 11, NULL, "x", NULL, 0, "event without a type");
    refuse(f->c, 11, "", "x", NULL, 0, "event without a type");
    refuse(f->c, 11, "bad type!", "x", NULL, 0, "bad event type");
    refuse(f->c, 11, "a..b", "x", NULL, 0, "bad event type");
    refuse(f->c, -1, "x.y", "x", NULL, 0, "bad time");
    refuse(f->c, 11, "fact", "x", noname, 1, "needs a name");
    refuse(f->c, 11, "item.checked", NULL, badref, 1, "unknown item");
    refuse(f->c, 11, "item.checked", NULL, NULL, 0, "needs a ref");
    refuse(f->c, 11, "item.skipped", NULL, ref, 1, "needs a reason");
    refuse(f->c, 11, "item.skipped", "", ref, 1, "needs a reason");
    /* white space is no text: a file would give back none */
    refuse(f->c, 11, "item.skipped", " \n\t ", ref, 1, "needs a reason");
    refuse(f->c, 11, "fact", "  ", named, 1, "has no value");
    append(f->c, 12, "case.closed", NULL, NULL, 0);
    assert_true(pb_case_closed(f->c));
    refuse(f->c, 13, "customer.said", "again", NULL, 0, "closed");
}

/* Cases outlive a call: a principle with one item for later. */
static const char later_src[] =
    "return principle {\n"
    "  id = 'fu', order = 1,\n"
    "  applies = function(c) return c:has('case.escalated') end,\n"
    "  items = {\n"
    "    { id = 'verify', must = true, later = true,\n"
    "      done = function(c) return c:has('followup.done') end },\n"
    "    { id = 'in_call', must = true,\n"
    "      done = function(c) return c:has('agent.restated') end },\n"
    "    { id = 'after_call', later = true,\n"
    "      applies = function(c) return c:has('contact.ended') end,\n"
    "      done = function(c) return c:has('agent.recovered') end },\n"
    "    { id = 'when_closed', applies = function(c) return c.closed end },\n"
    "  },\n"
    "  detect = {\n"
    "    { on = 'customer.said', pattern = 'bye', emit = 'contact.ended' },\n"
    "  },\n"
    "}\n";

static int setup_later(void **state)
{
    static fixture f;
    pb_error err;

    f.e = pb_engine_new();
    assert_non_null(f.e);
    assert_int_equal(pb_engine_load_buffer(f.e, "fu.lua", later_src,
                                           strlen(later_src), &err), PB_OK);
    f.c = pb_case_new(f.e, NULL, "phone", &err);
    assert_non_null(f.c);
    *state = &f;
    return 0;
}

/* A contact ends with a follow-up left: the case stays open, takes the
 * follow-up, and closes itself when that contact ends. */
static void open_for_later(void **state)
{
    fixture *f = *state;
    pb_attr fixed[] = { { "outcome", "fixed" } };
    pb_item_def def;

    pb_engine_item(f->e, (size_t)pb_engine_find_item(f->e, "fu.verify"),
                   &def);
    assert_true(def.later);
    pb_engine_item(f->e, (size_t)pb_engine_find_item(f->e, "fu.in_call"),
                   &def);
    assert_false(def.later);
    append(f->c, 1, "customer.said", "it is broken", NULL, 0);
    append(f->c, 2, "case.escalated", NULL, NULL, 0);
    assert_true(pb_case_in_contact(f->c));
    append(f->c, 3, "contact.ended", NULL, NULL, 0);
    assert_false(pb_case_in_contact(f->c));
    assert_false(pb_case_closed(f->c));
    assert_true(pb_case_closed_at(f->c) < 0);
    /* the in-call item stays open (missed), the later ones keep it open */
    assert_int_equal(state_of(f->c, f->e, "fu.in_call"), PB_OPEN);
    assert_int_equal(state_of(f->c, f->e, "fu.after_call"), PB_OPEN);
    append(f->c, 50000, "agent.recovered", NULL, NULL, 0);
    assert_true(pb_case_in_contact(f->c));
    append(f->c, 86400, "followup.done", "works now", fixed, 1);
    assert_int_equal(state_of(f->c, f->e, "fu.verify"), PB_DONE);
    /* done, but the follow-up is a contact: it closes when that ends */
    assert_false(pb_case_closed(f->c));
    append(f->c, 86401, "case.resolved", NULL, NULL, 0);
    append(f->c, 86460, "contact.ended", NULL, NULL, 0);
    assert_true(pb_case_closed(f->c));
    assert_true(pb_case_settled(f->c));
    assert_true(pb_case_closed_at(f->c) == 86460);
    refuse(f->c, 86500, "followup.done", "again", fixed, 1,
           "closed itself at 24:01:00");
}

/* With nothing left for later, the case closes when the contact ends,
 * and items reading case.closed see it. */
static void closes_itself(void **state)
{
    fixture *f = *state;

    append(f->c, 1, "customer.said", "hello", NULL, 0);
    append(f->c, 2, "case.escalated", NULL, NULL, 0);
    append(f->c, 3, "followup.done", NULL, NULL, 0);
    append(f->c, 3, "agent.recovered", NULL, NULL, 0);
    assert_int_equal(state_of(f->c, f->e, "fu.when_closed"), PB_ABSENT);
    append(f->c, 4, "contact.ended", NULL, NULL, 0);
    assert_true(pb_case_closed(f->c));
    assert_true(pb_case_settled(f->c));
    assert_int_equal(state_of(f->c, f->e, "fu.when_closed"), PB_OPEN);
}

/* Without contact.ended nothing closes by itself (the old files); a
 * detector cannot end a contact; a recorded case.closed is final. */
static void closed_only_when_said(void **state)
{
    fixture *f = *state;

    append(f->c, 1, "customer.said", "ok bye", NULL, 0);
    assert_true(pb_case_in_contact(f->c));
    assert_false(pb_case_closed(f->c));
    assert_int_equal(pb_case_nwarnings(f->c), 1);
    assert_non_null(strstr(pb_case_warning(f->c, 0), "contact.ended"));
    append(f->c, 5, "case.closed", NULL, NULL, 0);
    assert_true(pb_case_closed(f->c));
    assert_false(pb_case_settled(f->c));
    assert_true(pb_case_closed_at(f->c) == 5);
    refuse(f->c, 6, "followup.done", NULL, NULL, 0, "was closed at 00:05");
}

static void initial_facts_only_before_events(void **state)
{
    fixture *f = *state;
    pb_error err;

    append(f->c, 0, "customer.said", "hi", NULL, 0);
    assert_int_equal(pb_case_set_fact(f->c, "x", "y", &err), PB_STATE);
}

/* Who handles the case: set before the first event, never empty. */
static void agent_before_events(void **state)
{
    fixture *f = *state;
    pb_error err;

    assert_null(pb_case_agent(f->c));
    assert_int_equal(pb_case_set_agent(f->c, "", NULL, &err), PB_INPUT);
    assert_int_equal(pb_case_set_agent(f->c, "amira", "north", &err),
                     PB_OK);
    assert_int_equal(pb_case_set_agent(f->c, "amira", "", &err), PB_INPUT);
    assert_string_equal(pb_case_team(f->c), "north");
    assert_int_equal(pb_case_set_agent(f->c, "ben", NULL, &err), PB_OK);
    assert_string_equal(pb_case_agent(f->c), "ben");
    assert_null(pb_case_team(f->c));
    append(f->c, 0, "customer.said", "hi", NULL, 0);
    assert_int_equal(pb_case_set_agent(f->c, "cy", NULL, &err), PB_STATE);
    assert_string_equal(pb_case_agent(f->c), "ben");
}

/* States: waiting, violated, skipped, checked, absent, error; scoring. */
static const char flow_src[] =
    "return principle {\n"
    "  id = 'flow', order = 2,\n"
    "  items = {\n"
    "    { id = 'a', must = true, done = function(c) return c:has('a') end },\n"
    "    { id = 'b', must = true, after = 'a',\n"
    "      done = function(c) return c:has('b') end,\n"
    "      violated = function(c) return c:before('bad', 'b') end },\n"
    "    { id = 'c', must = true, done = function(c) return c:has('c') end },\n"
    "    { id = 'd', done = function(c) return c:has('d') end },\n"
    "    { id = 'only_chat', must = true,\n"
    "      applies = function(c) return c.channel == 'chat' end },\n"
    "    { id = 'boom', done = function(c)\n"
    "        if c:has('boom') then error('kaboom') end return false end },\n"
    "    { id = 'fact', collects = 'order_id' },\n"
    "  },\n"
    "}\n";

static int setup_flow(void **state)
{
    static fixture f;
    pb_error err;

    f.e = pb_engine_new();
    assert_non_null(f.e);
    assert_int_equal(pb_engine_load_buffer(f.e, "flow.lua", flow_src,
                                           strlen(flow_src), &err),
                     PB_OK);
    f.c = pb_case_new(f.e, NULL, "phone", &err);
    assert_non_null(f.c);
    *state = &f;
    return 0;
}

static void transitions(void **state)
{
    fixture *f = *state;
    pb_attr skip[] = { { "ref", "flow.c" } };
    pb_attr check[] = { { "ref", "flow.d" } };
    pb_attr fact[] = { { "name", "order_id" } };
    long boom = pb_engine_find_item(f->e, "flow.boom");
    pb_item_info info;

    assert_int_equal(state_of(f->c, f->e, "flow.a"), PB_OPEN);
    assert_int_equal(state_of(f->c, f->e, "flow.b"), PB_WAITING);
    assert_int_equal(state_of(f->c, f->e, "flow.only_chat"), PB_ABSENT);
    assert_int_equal(state_of(f->c, f->e, "flow.fact"), PB_OPEN);
    append(f->c, 1, "a", NULL, NULL, 0);
    assert_int_equal(state_of(f->c, f->e, "flow.a"), PB_DONE);
    assert_int_equal(state_of(f->c, f->e, "flow.b"), PB_OPEN);
    append(f->c, 2, "bad", NULL, NULL, 0);
    assert_int_equal(state_of(f->c, f->e, "flow.b"), PB_VIOLATED);
    append(f->c, 3, "b", NULL, NULL, 0);   /* done later, still violated */
    assert_int_equal(state_of(f->c, f->e, "flow.b"), PB_VIOLATED);
    append(f->c, 4, "item.skipped", "customer hung up", skip, 1);
    pb_case_item(f->c, (size_t)pb_engine_find_item(f->e, "flow.c"), &info);
    assert_int_equal(info.state, PB_SKIPPED);
    assert_string_equal(info.reason, "customer hung up");
    append(f->c, 5, "item.checked", NULL, check, 1);
    assert_int_equal(state_of(f->c, f->e, "flow.d"), PB_DONE);
    append(f->c, 6, "boom", NULL, NULL, 0);
    pb_case_item(f->c, (size_t)boom, &info);
    assert_int_equal(info.state, PB_ERROR);
    assert_string_equal(info.error, "flow.lua:13: kaboom");
    append(f->c, 7, "fact", "A-7", fact, 1);
    assert_int_equal(state_of(f->c, f->e, "flow.fact"), PB_DONE);
    /* An error does not stop the others. */
    assert_int_equal(state_of(f->c, f->e, "flow.a"), PB_DONE);
}

static void scoring(void **state)
{
    fixture *f = *state;
    pb_attr skip[] = { { "ref", "flow.c" } };
    pb_score s;

    /* musts: a, b, c (only_chat absent). */
    assert_int_equal(pb_case_score(f->c, NULL, &s), PB_OK);
    assert_int_equal(s.musts, 3);
    assert_int_equal(s.done, 0);
    assert_true(s.value == 0);
    append(f->c, 1, "a", NULL, NULL, 0);
    pb_case_score(f->c, "flow", &s);
    assert_true(s.value > 0.333 && s.value < 0.334);
    append(f->c, 2, "item.skipped", "not needed", skip, 1);
    pb_case_score(f->c, "flow", &s);       /* skipped: 1 of 2 */
    assert_int_equal(s.musts, 2);
    assert_true(s.value == 0.5);
    append(f->c, 3, "bad", NULL, NULL, 0);  /* b violated: 1 - 1 */
    pb_case_score(f->c, "flow", &s);
    assert_int_equal(s.violations, 1);
    assert_true(s.value == 0);
    assert_int_equal(pb_case_score(f->c, "nope", &s), PB_INPUT);
}

static void next_musts_first(void **state)
{
    fixture *f = *state;
    size_t next[8], n;

    n = pb_case_next(f->c, next, 8);
    /* open: a (must), c (must), d, boom, fact; b waits. */
    assert_int_equal(n, 5);
    assert_int_equal(next[0], pb_engine_find_item(f->e, "flow.a"));
    assert_int_equal(next[1], pb_engine_find_item(f->e, "flow.c"));
    assert_int_equal(next[2], pb_engine_find_item(f->e, "flow.d"));
    assert_int_equal(pb_case_next(f->c, next, 1), 5);
}

/* Detectors: patterns, within, function detectors. */
static const char detect_src[] =
    "local calls = 0\n"
    "return principle {\n"
    "  id = 'det', order = 3,\n"
    "  items = {\n"
    "    { id = 'r', done = function(c) return c:has('agent.restated') end },\n"
    "    { id = 'ok', done = function(c) return c:has('customer.confirmed') end },\n"
    "  },\n"
    "  detect = {\n"
    "    { on = 'agent.said', pattern = { 'so what I.m hearing', 'just to confirm' },\n"
    "      emit = 'agent.restated' },\n"
    "    { on = 'customer.said', pattern = '^yes', emit = 'customer.confirmed',\n"
    "      within = 30 },\n"
    "    { on = 'customer.said', fn = function(c, e)\n"
    "        local id = e.text:match('order (%d+)')\n"
    "        if id then return 'fact', { name = 'order_id' }, id end\n"
    "      end },\n"
    /* patterns guard a function: it runs only where one matches */
    "    { on = 'agent.said', pattern = { 'refund', 'money back' },\n"
    "      fn = function(c, e) calls = calls + 1\n"
    "        return 'x.refund', { calls = calls } end },\n"
    "  },\n"
    "}\n";

static int setup_detect(void **state)
{
    static fixture f;
    pb_error err;

    f.e = pb_engine_new();
    assert_non_null(f.e);
    assert_int_equal(pb_engine_load_buffer(f.e, "det.lua", detect_src,
                                           strlen(detect_src), &err),
                     PB_OK);
    f.c = pb_case_new(f.e, NULL, NULL, &err);
    assert_non_null(f.c);
    *state = &f;
    return 0;
}

static void detectors(void **state)
{
    fixture *f = *state;
    pb_event_info ev;
    const char *name, *value;

    append(f->c, 0, "customer.said", "Yes hello", NULL, 0); /* no restate */
    assert_int_equal(pb_case_nevents(f->c), 1);
    append(f->c, 10, "agent.said", "So what I'm HEARING is...", NULL, 0);
    assert_int_equal(pb_case_nevents(f->c), 3);
    pb_case_event(f->c, 2, &ev);
    assert_string_equal(ev.type, "agent.restated");
    assert_string_equal(ev.detected_by, "det");
    assert_true(ev.t == 10);
    assert_int_equal(state_of(f->c, f->e, "det.r"), PB_DONE);
    append(f->c, 60, "customer.said", "yes", NULL, 0);  /* too late */
    assert_int_equal(state_of(f->c, f->e, "det.ok"), PB_OPEN);
    append(f->c, 70, "agent.said", "Just to confirm: order 42?", NULL, 0);
    append(f->c, 80, "customer.said", "yes, order 42", NULL, 0);
    assert_int_equal(state_of(f->c, f->e, "det.ok"), PB_DONE);
    assert_int_equal(pb_case_nfacts(f->c), 1);
    pb_case_fact(f->c, 0, &name, &value);
    assert_string_equal(name, "order_id");
    assert_string_equal(value, "42");
    /* The guarded function ran twice: for the two that match. */
    append(f->c, 90, "agent.said", "A REFUND is on its way", NULL, 0);
    append(f->c, 91, "agent.said", "Anything else?", NULL, 0);
    append(f->c, 92, "agent.said", "You get your money back", NULL, 0);
    pb_case_event(f->c, pb_case_nevents(f->c) - 1, &ev);
    assert_string_equal(ev.type, "x.refund");
    assert_string_equal(pb_attr_value(ev.attrs, ev.nattrs, "calls"), "2");
    pb_case_event(f->c, pb_case_nevents(f->c) - 2, &ev);
    assert_string_equal(ev.type, "agent.said");
    assert_int_equal(pb_case_nwarnings(f->c), 0);
}

/* Mutation: a dropped item is absent, a dropped detector adds nothing,
 * in cases made after; never while a case is open. */
static void drops(void **state)
{
    fixture *f = *state;
    long r = pb_engine_find_item(f->e, "det.r");
    pb_error err;
    pb_case *c;

    assert_true(r >= 0);
    assert_int_equal(pb_engine_drop_item(f->e, (size_t)r, 1), PB_STATE);
    assert_int_equal(pb_engine_drop_detector(f->e, 0, 0, 1), PB_STATE);
    pb_case_free(f->c);
    f->c = NULL;
    assert_int_equal(pb_engine_drop_item(f->e, 99, 1), PB_INPUT);
    assert_int_equal(pb_engine_drop_detector(f->e, 0, 9, 1), PB_INPUT);
    assert_int_equal(pb_engine_drop_detector(f->e, 9, 0, 1), PB_INPUT);

    assert_int_equal(pb_engine_drop_item(f->e, (size_t)r, 1), PB_OK);
    c = pb_case_new(f->e, NULL, NULL, &err);
    append(c, 10, "agent.said", "So what I'm hearing is...", NULL, 0);
    assert_int_equal(pb_case_nevents(c), 2);       /* still detected */
    assert_int_equal(state_of(c, f->e, "det.r"), PB_ABSENT);
    assert_int_equal(state_of(c, f->e, "det.ok"), PB_OPEN);
    pb_case_free(c);

    assert_int_equal(pb_engine_drop_item(f->e, (size_t)r, 0), PB_OK);
    assert_int_equal(pb_engine_drop_detector(f->e, 0, 0, 1), PB_OK);
    c = pb_case_new(f->e, NULL, NULL, &err);
    append(c, 10, "agent.said", "So what I'm hearing is...", NULL, 0);
    assert_int_equal(pb_case_nevents(c), 1);       /* nothing detected */
    assert_int_equal(state_of(c, f->e, "det.r"), PB_OPEN);
    pb_case_free(c);

    assert_int_equal(pb_engine_drop_detector(f->e, 0, 0, 0), PB_OK);
    f->c = pb_case_new(f->e, NULL, NULL, &err);
    append(f->c, 10, "agent.said", "So what I'm hearing is...", NULL, 0);
    assert_int_equal(state_of(f->c, f->e, "det.r"), PB_DONE);
}

/*
 * A predicate is asked again only when something it read has changed:
 * the calls are counted by the principle itself (an upvalue), and read
 * back through a prompt that reads the time, so it runs every time.
 */
static const char memo_src[] =
    "local n = { watch = 0, tier = 0, said = 0 }\n"
    "return principle {\n"
    "  id = 'memo', title = 'Memo',\n"
    "  items = {\n"
    "    { id = 'watch', done = function(c) n.watch = n.watch + 1\n"
    "        return c:has('x.done') end },\n"
    "    { id = 'tier', done = function(c) n.tier = n.tier + 1\n"
    "        return c.facts.tier == 'gold' end },\n"
    "    { id = 'said', done = function(c) n.said = n.said + 1\n"
    "        return c:said('customer', 'bye') end },\n"
    "    { id = 'calls', prompt = function(c) local _ = c.now\n"
    "        return n.watch .. ' ' .. n.tier .. ' ' .. n.said end },\n"
    "  },\n"
    "}\n";

static void calls_only_when_read_changed(void **state)
{
    static const struct {
        const char *type, *text, *fact;
        const char *calls; /* watch tier said, after the event */
    } steps[] = {
        { NULL, NULL, NULL, "1 1 1" },              /* the new case */
        { "customer.said", "hello", NULL, "1 1 2" },
        { "agent.said", "hi there", NULL, "1 1 3" },
        { "fact", "silver", "tier", "1 2 4" },
        { "fact", "north", "zone", "1 2 5" },       /* not the tier */
        { "x.other", NULL, NULL, "1 2 6" },
        { "x.done", NULL, NULL, "2 2 7" },          /* done: latched */
        { "x.done", NULL, NULL, "2 2 8" },
        { "fact", "gold", "tier", "2 3 9" },
        { "customer.said", "bye", NULL, "2 3 10" },
        { "customer.said", "bye", NULL, "2 3 10" }, /* all done */
    };
    pb_engine *e = pb_engine_new();
    long calls;
    pb_case *c;
    pb_error err;
    pb_item_info it;
    size_t i;

    (void)state;
    assert_int_equal(pb_engine_load_buffer(e, "memo.lua", memo_src,
                                           strlen(memo_src), &err), PB_OK);
    calls = pb_engine_find_item(e, "memo.calls");
    assert_non_null(c = pb_case_new(e, NULL, NULL, &err));
    for (i = 0; i < sizeof steps / sizeof *steps; i++) {
        pb_attr fact = { "name", steps[i].fact };

        if (steps[i].type != NULL)
            append(c, (double)i, steps[i].type, steps[i].text, &fact,
                   steps[i].fact != NULL);
        pb_case_item(c, (size_t)calls, &it);
        if (strcmp(it.prompt, steps[i].calls) != 0)
            fail_msg("step %zu: calls %s, want %s", i, it.prompt,
                     steps[i].calls);
    }
    assert_int_equal(state_of(c, e, "memo.watch"), PB_DONE);
    assert_int_equal(state_of(c, e, "memo.tier"), PB_DONE);
    assert_int_equal(state_of(c, e, "memo.said"), PB_DONE);
    pb_case_free(c);
    pb_engine_free(e);
}

/* Counts the new types c takes, named prefix.N, until one is refused
 * (its message in *why, when why is not NULL). */
static int types_taken(pb_case *c, const char *prefix, char *why)
{
    pb_error err;
    char type[48];
    int i;

    for (i = 0; i < 40000; i++) {
        snprintf(type, sizeof type, "%s.n%d", prefix, i);
        if (pb_case_append(c, 0, type, NULL, NULL, 0, &err) != PB_OK) {
            assert_non_null(strstr(err.message, "one too many"));
            if (why != NULL)
                snprintf(why, 200, "%.180s", err.message);
            return i;
        }
    }
    return i;
}

/* Cases of PB__CASE_OWN_TYPES new types each, kept in v, until the
 * engine's table is full: how many. */
static int fill_types(pb_engine *e, pb_case **v, int max, const char *prefix)
{
    char name[32], why[200];
    pb_error err;
    int n = 0, took;

    do {
        assert_true(n < max);
        assert_non_null(v[n] = pb_case_new(e, NULL, NULL, &err));
        snprintf(name, sizeof name, "%s%d", prefix, n);
        took = types_taken(v[n++], name, why);
    } while (took == PB__CASE_OWN_TYPES);
    assert_non_null(strstr(why, "the cases open hold"));
    return n;
}

/*
 * Event types come from whoever sends events: one case holds
 * PB__CASE_OWN_TYPES of its own at most, and past PB__MAX_TYPES held by
 * live cases a new one is refused, with why; the types they know still
 * go in.
 */
static void types_bounded(void **state)
{
    static char name[65536];
    static pb_case *v[100];
    pb_engine *e = pb_engine_new();
    pb_case *c;
    pb_error err;
    char type[32], why[200];
    int i, n, refused = -1;
    pb_status st = PB_OK;

    (void)state;
    assert_non_null(c = pb_case_new(e, NULL, NULL, &err));
    assert_true(types_taken(c, "first", why) > PB__CASE_OWN_TYPES);
    assert_non_null(strstr(why, "for this case"));
    pb_case_free(c);
    n = fill_types(e, v, 100, "t");
    assert_true(n > 60 && n < 70);  /* 16,384 types, 256 a case */
    assert_int_equal(pb_case_append(v[0], 1, "t0.n0", NULL, NULL, 0, &err),
                     PB_OK);
    assert_int_equal(pb_case_append(v[1], 1, "t1.n100", "hi", NULL, 0,
                                    &err), PB_OK);
    assert_int_equal(pb_case_append(v[0], 1, "followup.done", NULL, NULL, 0,
                                    &err), PB_OK);
    for (i = 0; i < n; i++)
        pb_case_free(v[i]);
    /* given back once no case holds them */
    assert_non_null(c = pb_case_new(e, NULL, NULL, &err));
    assert_int_equal(types_taken(c, "again", NULL), PB__CASE_OWN_TYPES);
    pb_case_free(c);
    pb_engine_free(e);

    /* Long names: their bytes are bounded too (64 KiB a type fits in a
     * request body). */
    e = pb_engine_new();
    assert_non_null(c = pb_case_new(e, NULL, NULL, &err));
    memset(name, 'w', sizeof name - 1);
    for (i = 0, refused = -1; i < 100 && refused < 0; i++) {
        memcpy(name, type, (size_t)snprintf(type, sizeof type, "n%03d", i));
        if ((st = pb_case_append(c, 0, name, NULL, NULL, 0, &err)) != PB_OK)
            refused = i;
    }
    assert_int_equal(refused, 15);  /* 16 of 64 KiB: over 1 MiB */
    assert_int_equal(st, PB_INPUT);
    assert_non_null(strstr(err.message, "one too many"));
    pb_case_free(c);
    pb_engine_free(e);
}

/*
 * A batch is taken whole or not at all: each event is checked with what
 * those before it in the batch bring (new types, a close), so none is
 * refused half way once some are in.
 */
static void batch_all_or_none(void **state)
{
    static char names[100][16], big[20][60001];
    pb_engine *e = pb_engine_new();
    pb_new_event ev[100];
    pb_case *c;
    pb_error err;
    size_t at, room;
    int i;

    (void)state;
    assert_non_null(c = pb_case_new(e, NULL, NULL, &err));
    for (i = 0; i < 300; i++) {     /* the first take no room */
        snprintf(names[0], sizeof names[0], "x.t%d", i);
        append(c, 1, names[0], NULL, NULL, 0);
    }
    room = PB__CASE_OWN_TYPES - pb__case_own_types(c);
    assert_true(room > 0 && room < 100);
    memset(ev, 0, sizeof ev);
    for (i = 0; i < 100; i++) {
        snprintf(names[i], sizeof names[i], "z.t%d", i);
        ev[i].type = names[i];
    }
    assert_int_equal(pb_case_check_batch(c, 2, ev, 100, &at, &err),
                     PB_INPUT);
    assert_int_equal(at, room);     /* each alone fits; not all */
    assert_non_null(strstr(err.message, "before it in the batch"));
    assert_int_equal(pb_case_check_batch(c, 2, ev, room, &at, NULL), PB_OK);
    /* one new type, many times: its room counted once */
    for (i = 0; i < 100; i++)
        ev[i].type = "z.same";
    assert_int_equal(pb_case_check_batch(c, 2, ev, 100, &at, NULL), PB_OK);
    /* nothing after a close */
    ev[0].type = "customer.said";
    ev[0].text = "hi";
    ev[1].type = "case.closed";
    ev[2].type = "agent.said";
    ev[2].text = "late";
    assert_int_equal(pb_case_check_batch(c, 2, ev, 3, &at, &err), PB_INPUT);
    assert_int_equal(at, 2);
    assert_non_null(strstr(err.message, "no event can follow case.closed"));
    assert_int_equal(pb_case_nevents(c), 300);  /* checking changes none */
    pb_case_free(c);
    pb_engine_free(e);

    /* The engine's table: 20 new names of 60 KB fit one by one, not all
     * together (PB__MAX_TYPE_BYTES, 1 MiB). */
    e = pb_engine_new();
    assert_non_null(c = pb_case_new(e, NULL, NULL, &err));
    for (i = 0; i < 20; i++) {
        memset(big[i], 'w', sizeof big[i] - 1);
        memcpy(big[i], names[i], strlen(names[i]));
        ev[i].type = big[i];
        ev[i].text = NULL;
        assert_int_equal(pb_case_check(c, 1, big[i], NULL, NULL, 0, NULL),
                         PB_OK);
    }
    assert_int_equal(pb_case_check_batch(c, 1, ev, 20, &at, &err), PB_INPUT);
    assert_true(at > 10 && at < 20);
    assert_non_null(strstr(err.message, "the cases open hold"));
    pb_case_free(c);
    pb_engine_free(e);
}

static const char old_type_src[] =
    "return principle { id = 'o', items = {\n"
    "  { id = 'old', prompt = 'p',\n"
    "    done = function(c) return c:has('pad.n199') and c:has('x.old') end"
    " } } }\n";

/*
 * ... and the bound is on what live cases hold, not on every type ever
 * sent: once the table is full, the place of a type no case holds goes
 * to the next new one (a replay, a case let go).  One whose cases live
 * keeps its place and name, and principle code asking for a name whose
 * place went to another type finds none (not the other's events).
 */
static void types_given_back(void **state)
{
    static pb_case *v[100];
    pb_engine *e = pb_engine_new();
    pb_case *c, *keep, *d;
    pb_event_info ev;
    pb_error err;
    int again, i, n;

    (void)state;
    assert_int_equal(pb_engine_load_buffer(e, "o.lua", old_type_src,
                                           strlen(old_type_src), &err),
                     PB_OK);
    /* x.old past the types indexed by id (the first 128: the engine's,
     * the principles', then events' while there is room), read by the
     * predicate once there */
    assert_non_null(c = pb_case_new(e, NULL, NULL, &err));
    for (i = 0; i < 200; i++) {
        char type[32];

        snprintf(type, sizeof type, "pad.n%d", i);
        append(c, 0, type, NULL, NULL, 0);
    }
    append(c, 0, "x.old", NULL, NULL, 0);
    assert_int_equal(state_of(c, e, "o.old"), PB_DONE);
    assert_non_null(keep = pb_case_new(e, NULL, NULL, &err));
    append(keep, 0, "keep.me", "kept", NULL, 0);
    n = fill_types(e, v, 100, "a");
    pb_case_free(c);

    /* c's types past the first 128 given back, x.old's last; not
     * keep's */
    assert_non_null(d = pb_case_new(e, NULL, NULL, &err));
    append(d, 0, "pad.n199", NULL, NULL, 0);
    again = types_taken(d, "b", NULL);
    assert_true(again > 50 && again < 200);
    pb_case_event(keep, 0, &ev);
    assert_string_equal(ev.type, "keep.me");
    assert_string_equal(ev.text, "kept");
    append(keep, 1, "keep.me", NULL, NULL, 0);
    /* d holds x.old's place under another name: not x.old */
    assert_int_equal(state_of(d, e, "o.old"), PB_OPEN);
    pb_case_free(d);
    pb_case_free(keep);
    for (i = 0; i < n; i++)
        pb_case_free(v[i]);
    pb_engine_free(e);
}

/*
 * case:known(name, event) is the value just before the event (found
 * among the events that set that fact), and pairs(case.facts) walks
 * every fact once, in the order first set.
 */
static const char known_src[] =
    "return principle { id = 'k', items = {\n"
    "  { id = 'show', prompt = function(c)\n"
    "      local out = {}\n"
    "      for e in c:events() do\n"
    "        out[#out + 1] = tostring(c:known('x', e)) .. '/' ..\n"
    "                        tostring(c:known('y', e))\n"
    "      end\n"
    "      for k, v in pairs(c.facts) do out[#out + 1] = k .. '=' .. v end\n"
    "      return table.concat(out, ' ')\n"
    "    end },\n"
    "} }\n";

static void known_before_an_event(void **state)
{
    static const struct {
        const char *type, *name, *value;
    } events[] = {
        { "fact", "x", "1" }, { "mark", NULL, NULL },
        { "fact", "x", "2" }, { "fact", "y", "9" },
        { "mark", NULL, NULL }, { "fact", "x", "3" },
    };
    pb_engine *e = pb_engine_new();
    pb_case *c;
    pb_error err;
    pb_item_info it;
    size_t i;

    (void)state;
    assert_int_equal(pb_engine_load_buffer(e, "k.lua", known_src,
                                           strlen(known_src), &err), PB_OK);
    assert_non_null(c = pb_case_new(e, NULL, NULL, &err));
    assert_int_equal(pb_case_set_fact(c, "x", "0", &err), PB_OK);
    for (i = 0; i < sizeof events / sizeof *events; i++) {
        pb_attr name = { "name", events[i].name };

        append(c, (double)i, events[i].type, events[i].value, &name,
               events[i].name != NULL);
    }
    pb_case_item(c, 0, &it);
    assert_string_equal(it.prompt, "0/nil 1/nil 1/nil 2/nil 2/9 2/9 x=3 y=9");
    pb_case_free(c);
    pb_engine_free(e);
}

/*
 * A case's type index grows with the case's own types, not with all the
 * types the engine has seen: after a case with 5,000 types, a new case
 * with one more has a small index, and predicates still find that type.
 */
static const char late_src[] =
    "return principle { id = 'late', items = {\n"
    "  { id = 'seen', done = function(c)\n"
    "      local t = c.facts.type  -- not named before the second case\n"
    "      return t ~= nil and c:count(t) == 2 and c:last(t).text == 'b'\n"
    "        and c:has(t, 'B') end },\n"
    "} }\n";

static void types_of_other_cases(void **state)
{
    pb_engine *e = pb_engine_new();
    pb_case *c;
    pb_error err;
    char type[32];
    int i, k;

    (void)state;
    assert_int_equal(pb_engine_load_buffer(e, "late.lua", late_src,
                                           strlen(late_src), &err), PB_OK);
    for (k = 0; k < 20; k++) {      /* 5,000 types, 250 a case */
        assert_non_null(c = pb_case_new(e, NULL, NULL, &err));
        for (i = 0; i < 250; i++) {
            snprintf(type, sizeof type, "t.n%d", k * 250 + i);
            append(c, 0, type, NULL, NULL, 0);
        }
        pb_case_free(c);
    }
    assert_non_null(c = pb_case_new(e, NULL, NULL, &err));
    assert_int_equal(pb_case_set_fact(c, "type", "u.new", &err), PB_OK);
    append(c, 1, "u.new", "a", NULL, 0);
    append(c, 2, "u.new", "b", NULL, 0);
    assert_true(c->ntypes <= PB__READ_TYPES);
    assert_int_equal(c->more->n, 1);
    assert_int_equal(state_of(c, e, "late.seen"), PB_DONE);
    pb_case_free(c);
    pb_engine_free(e);
}

/*
 * has/count with a pattern and said read on from where they stopped,
 * and events(type) follows the type's chain: the answers after each
 * event are those of a full read.  has and count share what they read
 * of a pattern; a type named "agent" is not who "agent" of said.
 */
static const char scan_src[] =
    "local function walk(c, type)\n"
    "  local out = ''\n"
    "  for e in c:events(type) do out = out .. e.n end\n"
    "  return out\n"
    "end\n"
    "return principle { id = 'scan', items = {\n"
    "  { id = 'show', prompt = function(c) local _ = c.now\n"
    "      return tostring(c:has('customer.said', 'YES')) .. ' ' ..\n"
    "        c:count('customer.said', 'yes') .. ' ' ..\n"
    "        tostring(c:has('customer.said', 'no')) .. ' ' ..\n"
    "        tostring(c:said('customer', 'maybe')) .. ' ' ..\n"
    "        c:count('agent', 'x') .. ' ' .. tostring(c:said('agent', 'x'))\n"
    "        .. ' ' .. walk(c, 'customer.said') .. ' ' .. walk(c, 'no.such')\n"
    "    end },\n"
    "} }\n";

static void scans_read_on(void **state)
{
    static const struct {
        const char *type, *text, *want;
    } steps[] = {
        { NULL, NULL, "false 0 false false 0 false  " },
        { "customer.said", "yes", "true 1 false false 0 false 1 " },
        { "customer.said", "no", "true 1 true false 0 false 12 " },
        { "agent", "x", "true 1 true false 1 false 12 " },
        { "agent.said", "x", "true 1 true false 1 true 12 " },
        { "customer.said", "Yes, maybe", "true 2 true true 1 true 125 " },
        { "agent.said", "yes", "true 2 true true 1 true 125 " },
        { "customer.said", "YES", "true 3 true true 1 true 1257 " },
    };
    pb_engine *e = pb_engine_new();
    pb_case *c;
    pb_error err;
    pb_item_info it;
    size_t i;

    (void)state;
    assert_int_equal(pb_engine_load_buffer(e, "scan.lua", scan_src,
                                           strlen(scan_src), &err), PB_OK);
    assert_non_null(c = pb_case_new(e, NULL, NULL, &err));
    for (i = 0; i < sizeof steps / sizeof *steps; i++) {
        if (steps[i].type != NULL)
            append(c, (double)i, steps[i].type, steps[i].text, NULL, 0);
        pb_case_item(c, 0, &it);
        if (it.prompt == NULL || strcmp(it.prompt, steps[i].want) != 0)
            fail_msg("step %zu: %s, want %s", i,
                     it.prompt ? it.prompt : it.error, steps[i].want);
    }
    pb_case_free(c);
    pb_engine_free(e);
}

/* An event has at most PB_EVENT_MAX_ATTRS attributes: compared pair by pair
 * when a case file is saved, looked up one by one by principles. */
static void too_many_attributes(void **state)
{
    pb_engine *e = pb_engine_new();
    pb_attr attrs[PB_EVENT_MAX_ATTRS + 1];
    char names[PB_EVENT_MAX_ATTRS + 1][8];
    pb_case *c;
    pb_error err;
    size_t i;

    (void)state;
    for (i = 0; i <= PB_EVENT_MAX_ATTRS; i++) {
        snprintf(names[i], sizeof names[i], "a%zu", i);
        attrs[i].name = names[i];
        attrs[i].value = "v";
    }
    assert_non_null(c = pb_case_new(e, NULL, NULL, &err));
    assert_int_equal(pb_case_append(c, 0, "x.y", NULL, attrs,
                                    PB_EVENT_MAX_ATTRS + 1, &err), PB_INPUT);
    assert_string_equal(err.message, "event has 33 attributes (at most 32)");
    assert_int_equal(pb_case_nevents(c), 0);
    assert_int_equal(pb_case_append(c, 0, "x.y", NULL, attrs, PB_EVENT_MAX_ATTRS,
                                    &err), PB_OK);
    pb_case_free(c);
    pb_engine_free(e);
}

/* A detector failing at every event: the case keeps the first 100
 * warnings, then says that it dropped the others. */
static const char failing_src[] =
    "return principle { id = 'f', items = { { id = 'a' } }, detect = {\n"
    "  { on = 'x.y', fn = function() error('boom', 0) end } } }\n";

static void warnings_are_capped(void **state)
{
    pb_engine *e = pb_engine_new();
    pb_case *c;
    pb_error err;
    int i;

    (void)state;
    assert_int_equal(pb_engine_load_buffer(e, "f.lua", failing_src,
                                           strlen(failing_src), &err), PB_OK);
    assert_non_null(c = pb_case_new(e, NULL, NULL, &err));
    for (i = 0; i < 150; i++)
        append(c, i, "x.y", NULL, NULL, 0);
    assert_int_equal(pb_case_nwarnings(c), 101);
    assert_string_equal(pb_case_warning(c, 99), "f.lua:2: detector: boom");
    assert_string_equal(pb_case_warning(c, 100), "later warnings were not "
                        "kept (a case keeps the first 100)");
    assert_null(pb_case_warning(c, 101));
    pb_case_free(c);
    pb_engine_free(e);
}

/* Detectors run in checklist order, those of the event's type and those
 * that watch every type (a bare function) merged. */
static const char det_a_src[] =
    "return principle { id = 'a', order = 1, items = { { id = 'i' } },\n"
    "  detect = {\n"
    "    function(c, e) return 'a.all' end,\n"
    "    { on = 'x.y', fn = function(c, e) return 'a.xy' end },\n"
    "    { on = 'z.w', pattern = 'hi', emit = 'a.zw' },\n"
    "  } }\n";
static const char det_b_src[] =
    "return principle { id = 'b', order = 2, items = { { id = 'i' } },\n"
    "  detect = {\n"
    "    { on = 'x.y', pattern = 'hi', emit = 'b.xy' },\n"
    "    function(c, e) return 'b.all' end,\n"
    "  } }\n";

static void detectors_in_checklist_order(void **state)
{
    static const char *const want[] = {
        "x.y", "a.all", "a.xy", "b.xy", "b.all",
        "z.w", "a.all", "a.zw", "b.all",
        "q.q", "a.all", "b.all",
    };
    pb_engine *e = pb_engine_new();
    pb_event_info ev;
    pb_case *c;
    pb_error err;
    size_t i;

    (void)state;
    /* b first: the checklist order is by order, not by loading. */
    assert_int_equal(pb_engine_load_buffer(e, "b.lua", det_b_src,
                                           strlen(det_b_src), &err), PB_OK);
    assert_int_equal(pb_engine_load_buffer(e, "a.lua", det_a_src,
                                           strlen(det_a_src), &err), PB_OK);
    assert_non_null(c = pb_case_new(e, NULL, NULL, &err));
    append(c, 0, "x.y", "hi", NULL, 0);
    append(c, 1, "z.w", "hi", NULL, 0);
    append(c, 2, "q.q", "hi", NULL, 0);
    assert_int_equal(pb_case_nevents(c), sizeof want / sizeof *want);
    for (i = 0; i < sizeof want / sizeof *want; i++) {
        pb_case_event(c, i, &ev);
        assert_string_equal(ev.type, want[i]);
    }
    pb_case_free(c);
    pb_engine_free(e);
}

static void engine_without_principles(void **state)
{
    pb_engine *e = pb_engine_new();
    pb_case *c;
    pb_score s;
    size_t next;

    (void)state;
    c = pb_case_new(e, NULL, NULL, NULL);
    assert_non_null(c);
    append(c, 0, "customer.said", "hi", NULL, 0);
    assert_int_equal(pb_case_next(c, &next, 1), 0);
    pb_case_score(c, NULL, &s);
    assert_true(s.value == 1);
    pb_case_free(c);
    pb_engine_free(e);
}

static void time_parse(void **state)
{
    double t;

    (void)state;
    assert_int_equal(pb_time_parse("12.5", &t), PB_OK);
    assert_true(t == 12.5);
    assert_int_equal(pb_time_parse("01:30", &t), PB_OK);
    assert_true(t == 90);
    assert_int_equal(pb_time_parse("1:00:01", &t), PB_OK);
    assert_true(t == 3601);
    assert_int_equal(pb_time_parse("-1", &t), PB_INPUT);
    assert_int_equal(pb_time_parse("abc", &t), PB_INPUT);
    assert_int_equal(pb_time_parse("1:75", &t), PB_INPUT);
}

static void state_names(void **state)
{
    pb_state s;

    (void)state;
    assert_string_equal(pb_state_name(PB_VIOLATED), "violated");
    assert_string_equal(pb_state_mark(PB_VIOLATED), "[!]");
    assert_string_equal(pb_state_mark(PB_ABSENT), "   ");
    {
        static const pb_attr a[] = { { "to", "billing" }, { "to", "x" } };

        assert_string_equal(pb_attr_value(a, 2, "to"), "billing");
        assert_null(pb_attr_value(a, 2, "due"));
        assert_null(pb_attr_value(NULL, 0, "to"));
    }
    assert_int_equal(pb_state_parse("waiting", &s), PB_OK);
    assert_int_equal(s, PB_WAITING);
    assert_int_equal(pb_state_parse("absent", &s), PB_OK);
    assert_int_equal(pb_state_parse("nope", &s), PB_INPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(case_methods, setup, teardown),
        cmocka_unit_test_setup_teardown(done_latches_with_time, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(events_are_recorded, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_events, setup, teardown),
        cmocka_unit_test_setup_teardown(open_for_later, setup_later,
                                        teardown),
        cmocka_unit_test_setup_teardown(closes_itself, setup_later, teardown),
        cmocka_unit_test_setup_teardown(closed_only_when_said, setup_later,
                                        teardown),
        cmocka_unit_test_setup_teardown(agent_before_events, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(initial_facts_only_before_events,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(transitions, setup_flow, teardown),
        cmocka_unit_test_setup_teardown(scoring, setup_flow, teardown),
        cmocka_unit_test_setup_teardown(next_musts_first, setup_flow,
                                        teardown),
        cmocka_unit_test_setup_teardown(detectors, setup_detect, teardown),
        cmocka_unit_test(calls_only_when_read_changed),
        cmocka_unit_test(known_before_an_event),
        cmocka_unit_test(types_of_other_cases),
        cmocka_unit_test(scans_read_on),
        cmocka_unit_test(too_many_attributes),
        cmocka_unit_test(warnings_are_capped),
        cmocka_unit_test(detectors_in_checklist_order),
        cmocka_unit_test_setup_teardown(drops, setup_detect, teardown),
        cmocka_unit_test(engine_without_principles),
        cmocka_unit_test(time_parse),
        cmocka_unit_test(state_names),
        cmocka_unit_test(types_bounded),
        cmocka_unit_test(batch_all_or_none),
        cmocka_unit_test(types_given_back),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
