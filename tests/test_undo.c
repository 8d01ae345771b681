/*
 * test_undo.c -- which events an undo takes back (pb_case_undone) and
 * the event that undoes one (pb_case_undo_event), as any front end uses
 * them: refs as people and files write them, detected events that are
 * not numbered, the refusals, and a checklist an undo leaves as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "playbook.h"
#include "utf8.h"

/* "hello" is also detected as greeted; a detector that adds an undo of
 * recorded event 1 whenever the customer says "undo": detected undos
 * take nothing back.  owned is done by agent.owned and stays done. */
static const char src[] =
    "return principle {\n"
    "  id = 'u',\n"
    "  items = {\n"
    "    { id = 'owned', done = function(c) return c:has('agent.owned') end },\n"
    "  },\n"
    "  detect = {\n"
    "    { on = 'customer.said', pattern = 'hello', emit = 'greeted' },\n"
    "    function(c, e)\n"
    "      if e.type == 'customer.said' and e.text == 'undo' then\n"
    "        return 'event.undone', { ref = '1' }\n"
    "      end\n"
    "    end,\n"
    "  },\n"
    "}\n";

typedef struct fixture {
    pb_engine *e;
    pb_case *c;
    double t;
} fixture;

static int setup(void **state)
{
    static fixture f;
    pb_error err;

    f.e = pb_engine_new();
    assert_non_null(f.e);
    assert_int_equal(pb_engine_load_buffer(f.e, "u.lua", src, strlen(src),
                                           &err), PB_OK);
    f.c = pb_case_new(f.e, "delivery", NULL, &err);
    assert_non_null(f.c);
    f.t = 0;
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

static void add(fixture *f, const char *type, const char *text,
                const char *ref)
{
    pb_attr a = { "ref", ref };
    pb_error err;
    char buf[1200];

    if (pb_case_append(f->c, ++f->t, type, text, ref ? &a : NULL,
                       ref ? 1 : 0, &err) != PB_OK)
        fail_msg("append %s: %s", type, pb_error_text(&err, buf, sizeof buf));
}

/* The marks as a string, one character an event: u undone, . not,
 * d a detected event (never undone).  Recorded events are numbered from
 * 1 in order (pb_event_info.recorded), detected ones 0. */
static const char *marks(const fixture *f)
{
    static char out[64];
    size_t n = pb_case_nevents(f->c), i, nrec = 0;
    unsigned char *m = malloc(n + 1);
    pb_event_info ev;

    assert_non_null(m);
    assert_true(n < sizeof out);
    pb_case_undone(f->c, m);
    for (i = 0; i < n; i++) {
        pb_case_event(f->c, i, &ev);
        if (ev.detected_by != NULL)
            assert_int_equal(m[i], 0);
        assert_int_equal(ev.recorded, ev.detected_by ? 0 : ++nrec);
        out[i] = ev.detected_by ? 'd' : m[i] ? 'u' : '.';
    }
    out[n] = '\0';
    free(m);
    return out;
}

/* pb_case_undo_event(n) fails with PB_INPUT and message. */
static void refused(fixture *f, size_t n, const char *message)
{
    pb_error err;
    pb_undo u;

    assert_int_equal(pb_case_undo_event(f->c, n, &u, &err), PB_INPUT);
    assert_string_equal(err.message, message);
}

/* Undoes recorded event n (0: the last), expecting event want, text. */
static void undo(fixture *f, size_t n, size_t want, const char *text)
{
    pb_error err;
    pb_undo u;
    char buf[1200];

    if (pb_case_undo_event(f->c, n, &u, &err) != PB_OK)
        fail_msg("undo %zu: %s", n, pb_error_text(&err, buf, sizeof buf));
    assert_int_equal(u.ref, want);
    assert_string_equal(u.type, "event.undone");
    assert_string_equal(u.text, text);
    assert_int_equal(u.nattrs, 1);
    assert_string_equal(u.attrs[0].name, "ref");
    snprintf(buf, sizeof buf, "%zu", want);
    assert_string_equal(u.attrs[0].value, buf);
    assert_int_equal(pb_case_append(f->c, ++f->t, u.type, u.text, u.attrs,
                                    u.nattrs, &err), PB_OK);
}

static void empty_case(void **state)
{
    fixture *f = *state;

    assert_string_equal(marks(f), "");
    refused(f, 0, "nothing to undo");
    refused(f, 1, "no event #1: the case has 0 recorded events");
}

/* Numbers count recorded events only; the last one left is undone
 * first, then the one before it, until nothing is left. */
static void numbering_and_last(void **state)
{
    fixture *f = *state;

    add(f, "customer.said", "hello", NULL);       /* #1, then detected */
    add(f, "agent.said", NULL, NULL);             /* #2, no text */
    add(f, "customer.said", "my parcel", NULL);   /* #3 */
    assert_string_equal(marks(f), ".d..");
    undo(f, 0, 3, "customer.said: my parcel");    /* #4 */
    assert_string_equal(marks(f), ".d.u.");
    undo(f, 0, 2, "agent.said");                  /* #5 */
    undo(f, 1, 1, "customer.said: hello");        /* #6 */
    assert_string_equal(marks(f), "uduu...");
    refused(f, 0, "nothing to undo");
    refused(f, 4, "#4 is itself an undo; an undo cannot be undone");
    refused(f, 3, "#3 is already undone");
    refused(f, 7, "no event #7: the case has 6 recorded events");
}

/* An event.undone appended as it is (any route: the API's events and
 * batches, `playbook event`, live, a scenario) is refused, and the case
 * left as it was, when pb_case_undo_event would refuse it; the check
 * says the same. */
static void raw_refused(fixture *f, const char *ref, const char *message)
{
    pb_attr a = { "ref", ref };
    size_t n = pb_case_nevents(f->c);
    char before[64];
    pb_error err;

    snprintf(before, sizeof before, "%s", marks(f));
    assert_int_equal(pb_case_check(f->c, f->t + 1, "event.undone", "x",
                                   ref ? &a : NULL, ref != NULL, &err),
                     PB_INPUT);
    assert_string_equal(err.message, message);
    assert_int_equal(pb_case_append(f->c, f->t + 1, "event.undone", "x",
                                    ref ? &a : NULL, ref != NULL, &err),
                     PB_INPUT);
    assert_string_equal(err.message, message);
    assert_int_equal(pb_case_nevents(f->c), n);
    assert_string_equal(marks(f), before);
}

/* No event is born undone: an undo of one to come is refused. */
static void raw_future(void **state)
{
    fixture *f = *state;

    raw_refused(f, "1", "event.undone attrs.ref: no event #1: the case "
                "has 0 recorded events");
    add(f, "customer.said", "a", NULL);           /* #1 */
    raw_refused(f, "2", "event.undone attrs.ref: no event #2: the case "
                "has 1 recorded events");
    add(f, "customer.said", "b", NULL);           /* #2, not undone */
    assert_string_equal(marks(f), "..");
    undo(f, 2, 2, "customer.said: b");
    assert_string_equal(marks(f), ".u.");
}

/* Refs are numbers as "%zu" writes them, naming an earlier recorded
 * event that is neither an undo nor undone; a detected undo takes
 * nothing back. */
static void raw_rule(void **state)
{
    fixture *f = *state;

    add(f, "customer.said", "a", NULL);           /* #1 */
    add(f, "customer.said", "b", NULL);           /* #2 */
    raw_refused(f, "99", "event.undone attrs.ref: no event #99: the case "
                "has 2 recorded events");
    raw_refused(f, "99999999999999999999999", "event.undone attrs.ref "
                "'99999999999999999999999' is not an event number (1, 2, "
                "...)");
    raw_refused(f, "02", "event.undone attrs.ref '02' is not an event "
                "number (1, 2, ...)");
    raw_refused(f, "2x", "event.undone attrs.ref '2x' is not an event "
                "number (1, 2, ...)");
    raw_refused(f, "+2", "event.undone attrs.ref '+2' is not an event "
                "number (1, 2, ...)");
    raw_refused(f, " 2", "event.undone attrs.ref ' 2' is not an event "
                "number (1, 2, ...)");
    raw_refused(f, "0", "event.undone attrs.ref '0' is not an event "
                "number (1, 2, ...)");
    raw_refused(f, NULL, "event.undone needs a ref attribute (attrs.ref: "
                "the number of the recorded event it takes back)");
    add(f, "event.undone", "x", "2");             /* #3, as undo makes it */
    assert_string_equal(marks(f), ".u.");
    raw_refused(f, "2", "event.undone attrs.ref: #2 is already undone");
    raw_refused(f, "3", "event.undone attrs.ref: #3 is itself an undo; an "
                "undo cannot be undone");
    add(f, "customer.said", "undo", NULL);        /* #4, + detected ref=1 */
    assert_string_equal(marks(f), ".u..d");
    refused(f, 3, "#3 is itself an undo; an undo cannot be undone");
    refused(f, 2, "#2 is already undone");
    undo(f, 0, 4, "customer.said: undo");         /* #5 */
    undo(f, 0, 1, "customer.said: a");            /* #6 */
    assert_string_equal(marks(f), "uu.ud..");
    raw_refused(f, "1", "event.undone attrs.ref: #1 is already undone");
}

/* A record made before the rule may break it: read back (case files,
 * the server's stores), such an undo is kept and takes nothing back,
 * and what follows is held to the rule again. */
static void old_record(void **state)
{
    fixture *f = *state;

    pb_case_set_old_record(f->c, 1);
    add(f, "event.undone", "x", "2");             /* #1, of one to come */
    add(f, "customer.said", "a", NULL);           /* #2, not born undone */
    add(f, "event.undone", "x", "1");             /* #3, of an undo */
    add(f, "event.undone", "x", "99");            /* #4, of none */
    add(f, "event.undone", "x", "2x");            /* #5 */
    add(f, "event.undone", "x", NULL);            /* #6 */
    assert_string_equal(marks(f), "......");
    add(f, "event.undone", "x", "2");             /* #7, takes #2 back */
    add(f, "event.undone", "x", "2");             /* #8, again: nothing */
    assert_string_equal(marks(f), ".u......");
    pb_case_set_old_record(f->c, 0);
    raw_refused(f, "2", "event.undone attrs.ref: #2 is already undone");
    raw_refused(f, "1", "event.undone attrs.ref: #1 is itself an undo; an "
                "undo cannot be undone");
    refused(f, 0, "nothing to undo");
    add(f, "customer.said", "b", NULL);           /* #9 */
    undo(f, 0, 9, "customer.said: b");
}

static int is_utf8(const char *s)
{
    size_t n = strlen(s), i, k;
    unsigned long cp;

    for (i = 0; i < n; i += k)
        if ((k = pb__utf8_next(s + i, n - i, &cp)) == 0 || cp == PB__UTF8_BAD)
            return 0;
    return 1;
}

/* The text names the event, cut to 120 bytes of its text on a whole
 * character, so the undo can be recorded (UTF-8 only). */
static void long_text(void **state)
{
    fixture *f = *state;
    char text[200], want[300];
    pb_error err;
    pb_undo u;

    memset(text, 'a', 119);
    strcpy(text + 119, "\xc3\xa9 and more");  /* e-acute at 119..120 */
    add(f, "customer.said", text, NULL);
    assert_int_equal(pb_case_undo_event(f->c, 1, &u, &err), PB_OK);
    snprintf(want, sizeof want, "customer.said: %.119s", text);
    assert_string_equal(u.text, want);
    assert_true(is_utf8(u.text));
    assert_int_equal(pb_case_append(f->c, ++f->t, u.type, u.text, u.attrs,
                                    u.nattrs, &err), PB_OK);
    /* A long type leaves room for one euro sign and part of another. */
    memset(text, 'x', 150);
    strcpy(text + 150, ".y");
    add(f, text, "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", NULL);
    assert_int_equal(pb_case_undo_event(f->c, 0, &u, &err), PB_OK);
    snprintf(want, sizeof want, "%s: \xe2\x82\xac", text);
    assert_string_equal(u.text, want);
}

/* An undo takes back the event's place on the record, not what it did:
 * the checklist after it is the checklist before it. */
static void checklist_stands(void **state)
{
    fixture *f = *state;
    long owned = pb_engine_find_item(f->e, "u.owned");
    pb_item_info it;

    assert_true(owned >= 0);
    add(f, "agent.owned", "I will sort it out", NULL);
    pb_case_item(f->c, (size_t)owned, &it);
    assert_int_equal(it.state, PB_DONE);
    undo(f, 0, 1, "agent.owned: I will sort it out");
    pb_case_item(f->c, (size_t)owned, &it);
    assert_int_equal(it.state, PB_DONE);
    assert_string_equal(marks(f), "u.");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(empty_case, setup, teardown),
        cmocka_unit_test_setup_teardown(numbering_and_last, setup, teardown),
        cmocka_unit_test_setup_teardown(raw_future, setup, teardown),
        cmocka_unit_test_setup_teardown(raw_rule, setup, teardown),
        cmocka_unit_test_setup_teardown(old_record, setup, teardown),
        cmocka_unit_test_setup_teardown(long_text, setup, teardown),
        cmocka_unit_test_setup_teardown(checklist_stands, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
