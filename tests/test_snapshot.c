/*
 * test_snapshot.c -- what an event changed (pb_snapshot): the items
 * whose state moved, with the old and the new state, and the events and
 * warnings the append added; and the calls reports read a case with
 * (pb_case_engine, the ref of an item, pb_case_next_after).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "playbook.h"

typedef struct fixture {
    pb_engine *e;
    pb_case *c;
} fixture;

/* Items in order: greet (open), hear (waiting after greet), polite
 * (open until violated), later (absent until the case is escalated). */
static const char principle_src[] =
    "return principle {\n"
    "  id = 't', title = 'T', order = 1,\n"
    "  detect = {\n"
    "    { on = 'customer.said', pattern = { 'parcel' },\n"
    "      emit = 'customer.parcel' },\n"
    "    { on = 'boom.now', fn = function() error('kaput', 0) end },\n"
    "  },\n"
    "  items = {\n"
    "    { id = 'greet', must = true, prompt = 'Greet',\n"
    "      done = function(c) return c:has('agent.greeted') end },\n"
    "    { id = 'hear', must = true, prompt = 'Hear', after = { 'greet' },\n"
    "      done = function(c) return c:has('customer.parcel') end },\n"
    "    { id = 'polite', prompt = 'Be polite',\n"
    "      violated = function(c) return c:has('agent.rude') end },\n"
    "    { id = 'later', prompt = 'Later',\n"
    "      applies = function(c) return c:has('case.escalated') end },\n"
    "  },\n"
    "}\n";

enum { GREET, HEAR, POLITE, LATER, NITEMS };

static int setup(void **state)
{
    static fixture f;
    pb_error err;

    f.e = pb_engine_new();
    assert_non_null(f.e);
    assert_int_equal(pb_engine_load_buffer(f.e, "t.lua", principle_src,
                                           strlen(principle_src), &err),
                     PB_OK);
    f.c = pb_case_new(f.e, "delivery", NULL, &err);
    assert_non_null(f.c);
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

static void append(fixture *f, double t, const char *type, const char *text)
{
    pb_error err;

    assert_int_equal(pb_case_append(f->c, t, type, text, NULL, 0, &err),
                     PB_OK);
}

static void assert_change(const pb_change *ch, size_t event, size_t item,
                          pb_state from, pb_state to)
{
    assert_int_equal(ch->event, event);
    assert_int_equal(ch->item, item);
    assert_int_equal(ch->from, from);
    assert_int_equal(ch->to, to);
}

/* A fresh snapshot holds the checklist as it stands: no difference. */
static void snapshot_holds_the_checklist(void **state)
{
    fixture *f = *state;
    pb_snapshot *s = pb_snapshot_new(f->c);
    pb_change ch[NITEMS];
    pb_item_info it;
    size_t i;

    assert_non_null(s);
    assert_int_equal(pb_snapshot_nevents(s), 0);
    assert_int_equal(pb_snapshot_nwarnings(s), 0);
    for (i = 0; i < NITEMS; i++) {
        pb_case_item(f->c, i, &it);
        assert_int_equal(pb_snapshot_state(s, i), it.state);
    }
    assert_int_equal(pb_snapshot_state(s, HEAR), PB_WAITING);
    assert_int_equal(pb_snapshot_state(s, LATER), PB_ABSENT);
    assert_int_equal(pb_snapshot_diff(s, f->c, ch, NITEMS), 0);
    pb_snapshot_free(s);
    pb_snapshot_free(NULL);
}

/* Each event's changes, in item order, with the event that caused them:
 * one done and one unblocked, then one done by a detected event. */
static void diff_lists_what_an_event_changed(void **state)
{
    fixture *f = *state;
    pb_snapshot *s = pb_snapshot_new(f->c);
    pb_change ch[NITEMS];
    pb_event_info ev;

    assert_non_null(s);
    append(f, 1, "agent.greeted", NULL);
    assert_int_equal(pb_snapshot_diff(s, f->c, ch, NITEMS), 2);
    assert_change(&ch[0], 0, GREET, PB_OPEN, PB_DONE);
    assert_change(&ch[1], 0, HEAR, PB_WAITING, PB_OPEN);

    pb_snapshot_take(s, f->c);
    assert_int_equal(pb_snapshot_nevents(s), 1);
    assert_int_equal(pb_snapshot_diff(s, f->c, ch, NITEMS), 0);
    append(f, 2, "customer.said", "where is my parcel?");
    assert_int_equal(pb_snapshot_diff(s, f->c, ch, NITEMS), 1);
    assert_change(&ch[0], 1, HEAR, PB_OPEN, PB_DONE);
    /* The events the append added follow the snapshot's count. */
    assert_int_equal(pb_case_nevents(f->c), 3);
    pb_case_event(f->c, pb_snapshot_nevents(s) + 1, &ev);
    assert_string_equal(ev.type, "customer.parcel");
    assert_string_equal(ev.detected_by, "t");

    pb_snapshot_take(s, f->c);
    append(f, 3, "agent.rude", NULL);
    append(f, 4, "case.escalated", NULL);
    assert_int_equal(pb_snapshot_diff(s, f->c, ch, NITEMS), 2);
    assert_change(&ch[0], 3, POLITE, PB_OPEN, PB_VIOLATED);
    assert_change(&ch[1], 3, LATER, PB_ABSENT, PB_OPEN);
    pb_snapshot_free(s);
}

/* A snapshot kept from the start compares with any later moment: the
 * old states are its own, not the last event's. */
static void old_snapshot_diffs_against_its_moment(void **state)
{
    fixture *f = *state;
    pb_snapshot *start = pb_snapshot_new(f->c);
    pb_change ch[NITEMS];

    assert_non_null(start);
    append(f, 1, "agent.greeted", NULL);
    append(f, 2, "customer.said", "my parcel");
    assert_int_equal(pb_snapshot_diff(start, f->c, ch, NITEMS), 2);
    assert_change(&ch[0], 0, GREET, PB_OPEN, PB_DONE);
    assert_change(&ch[1], 0, HEAR, PB_WAITING, PB_DONE);
    pb_snapshot_free(start);
}

/* With less room than changes the count is still whole, and nothing is
 * written past max. */
static void diff_respects_max(void **state)
{
    fixture *f = *state;
    pb_snapshot *s = pb_snapshot_new(f->c);
    pb_change ch[2];

    assert_non_null(s);
    append(f, 1, "agent.greeted", NULL);
    memset(ch, 0x5a, sizeof ch);
    assert_int_equal(pb_snapshot_diff(s, f->c, ch, 1), 2);
    assert_change(&ch[0], 0, GREET, PB_OPEN, PB_DONE);
    assert_int_equal(ch[1].item, (size_t)0x5a5a5a5a5a5a5a5aULL);
    assert_int_equal(pb_snapshot_diff(s, f->c, NULL, 0), 2);
    pb_snapshot_free(s);
}

/* A rejected event changes nothing; a detector's error is a warning the
 * snapshot's count tells apart from the earlier ones. */
static void rejected_events_and_warnings(void **state)
{
    fixture *f = *state;
    pb_snapshot *s;
    pb_change ch[NITEMS];
    pb_error err;

    append(f, 5, "agent.greeted", NULL);
    s = pb_snapshot_new(f->c);
    assert_non_null(s);
    assert_int_equal(pb_case_append(f->c, 1, "customer.said", "too early",
                                    NULL, 0, &err),
                     PB_INPUT);
    assert_int_equal(pb_snapshot_diff(s, f->c, ch, NITEMS), 0);
    assert_int_equal(pb_case_nevents(f->c), pb_snapshot_nevents(s));

    append(f, 6, "boom.now", NULL);
    assert_int_equal(pb_snapshot_nwarnings(s), 0);
    assert_int_equal(pb_case_nwarnings(f->c), 1);
    assert_string_equal(pb_case_warning(f->c, pb_snapshot_nwarnings(s)),
                        "t.lua:6: detector: kaput");
    assert_int_equal(pb_snapshot_diff(s, f->c, ch, NITEMS), 0);
    pb_snapshot_take(s, f->c);
    assert_int_equal(pb_snapshot_nwarnings(s), 1);
    pb_snapshot_free(s);
}

/* A snapshot keeps its states after the case and the engine are gone;
 * an engine without principles gives snapshots without items. */
static void snapshot_outlives_its_case(void **state)
{
    pb_engine *e = pb_engine_new();
    pb_snapshot *s, *empty;
    pb_case *c;
    pb_error err;

    (void)state;
    assert_non_null(e);
    assert_int_equal(pb_engine_load_buffer(e, "t.lua", principle_src,
                                           strlen(principle_src), &err),
                     PB_OK);
    c = pb_case_new(e, NULL, NULL, &err);
    assert_non_null(c);
    s = pb_snapshot_new(c);
    assert_non_null(s);
    pb_case_free(c);
    pb_engine_free(e);
    assert_int_equal(pb_snapshot_state(s, HEAR), PB_WAITING);
    pb_snapshot_free(s);

    e = pb_engine_new();
    assert_non_null(e);
    c = pb_case_new(e, NULL, NULL, &err);
    assert_non_null(c);
    empty = pb_snapshot_new(c);
    assert_non_null(empty);
    assert_int_equal(pb_case_append(c, 1, "customer.said", "hi", NULL, 0,
                                    &err),
                     PB_OK);
    assert_int_equal(pb_snapshot_diff(empty, c, NULL, 0), 0);
    assert_int_equal(pb_snapshot_nevents(empty), 0);
    pb_snapshot_free(empty);
    pb_case_free(c);
    pb_engine_free(e);
}

/* What a report reads of a case without the core's structs. */
static void case_engine_and_item_refs(void **state)
{
    fixture *f = *state;
    pb_item_info it;
    pb_item_def def;

    assert_ptr_equal(pb_case_engine(f->c), f->e);
    pb_case_item(f->c, HEAR, &it);
    assert_string_equal(it.ref, "t.hear");
    pb_engine_item(f->e, LATER, &def);
    assert_string_equal(def.ref, "t.later");
    assert_int_equal(pb_engine_find_item(f->e, def.ref), LATER);
}

/* pb_case_next_after walks the list pb_case_next copies, to its end. */
static void next_after_walks_the_next_list(void **state)
{
    fixture *f = *state;
    size_t next[NITEMS], n, i, k;

    n = pb_case_next(f->c, next, NITEMS);
    assert_int_equal(n, 2); /* greet (must), polite */
    for (i = pb_case_next_after(f->c, PB_NO_ITEM), k = 0; i != PB_NO_ITEM;
         i = pb_case_next_after(f->c, i), k++) {
        assert_true(k < n);
        assert_int_equal(i, next[k]);
    }
    assert_int_equal(k, n);
    assert_int_equal(next[0], GREET);
    assert_int_equal(pb_case_next_after(f->c, POLITE), PB_NO_ITEM);

    append(f, 1, "agent.greeted", NULL);
    append(f, 2, "customer.said", "my parcel");
    append(f, 3, "agent.rude", NULL);
    assert_int_equal(pb_case_next(f->c, next, NITEMS), 0);
    assert_int_equal(pb_case_next_after(f->c, PB_NO_ITEM), PB_NO_ITEM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(snapshot_holds_the_checklist, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(diff_lists_what_an_event_changed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(old_snapshot_diffs_against_its_moment,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(diff_respects_max, setup, teardown),
        cmocka_unit_test_setup_teardown(rejected_events_and_warnings, setup,
                                        teardown),
        cmocka_unit_test(snapshot_outlives_its_case),
        cmocka_unit_test_setup_teardown(case_engine_and_item_refs, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(next_after_walks_the_next_list,
                                        setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
