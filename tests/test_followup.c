/*
 * test_followup.c -- a case's follow-ups (pb_case_followups): which
 * events are listed, their due times read from when they were said, the
 * checks a later followup.done closes, overdue, detected promises, and a
 * case without started_at.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "playbook.h"

#define HOUR 3600.0
#define DAY 86400.0
/* Thursday 2026-11-26 09:30:00 UTC. */
#define START 1795685400.0
#define MIDNIGHT (START - 9.5 * HOUR)

/* A detector that turns "promise: PHRASE" into agent.committed due=PHRASE,
 * so detected follow-ups are listed as recorded ones are. */
static const char promise_src[] =
    "return principle { id = 'p', items = { { id = 'x' } },\n"
    "  detect = { { on = 'agent.said', fn = function(case, event)\n"
    "    local due = event.text and event.text:match('^promise: (.*)')\n"
    "    if due then return 'agent.committed', { due = due } end\n"
    "  end } } }\n";

typedef struct fixture {
    pb_engine *e;
    pb_case *c;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    pb_error err;

    if (f == NULL || setenv("TZ", "UTC", 1) != 0)
        return -1;
    tzset();
    f->e = pb_engine_new();
    if (f->e == NULL ||
        pb_engine_load_buffer(f->e, "p.lua", promise_src,
                              strlen(promise_src), &err) != PB_OK ||
        (f->c = pb_case_new(f->e, "billing", NULL, &err)) == NULL)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    pb_case_free(f->c);
    pb_engine_free(f->e);
    free(f);
    return 0;
}

static void add(pb_case *c, double t, const char *type, const char *text,
                const char *name, const char *value)
{
    pb_attr a = {name, value};
    pb_error err;

    if (pb_case_append(c, t, type, text, &a, name ? 1 : 0, &err) != PB_OK)
        fail_msg("append %s: %s", type, err.message);
}

typedef struct want {
    pb_followup_kind kind;
    size_t event;
    const char *due_text;
    int parsed;
    double due; /* from MIDNIGHT */
    int done;
    const char *outcome;
    int overdue;
} want;

static void check(const pb_followup *got, size_t n, const want *w,
                  size_t nw)
{
    size_t i;

    assert_int_equal(n, nw);
    for (i = 0; i < n; i++) {
        const pb_followup *g = &got[i];

        if (g->kind != w[i].kind || g->event != w[i].event ||
            strcmp(g->due_text, w[i].due_text) != 0 ||
            g->parsed != w[i].parsed || g->done != w[i].done ||
            g->overdue != w[i].overdue ||
            (g->parsed && g->due != MIDNIGHT + w[i].due) ||
            (g->outcome == NULL) != (w[i].outcome == NULL) ||
            (g->outcome && strcmp(g->outcome, w[i].outcome) != 0))
            fail_msg("follow-up %zu: kind %d event %zu due '%s' parsed %d "
                     "at %.0f done %d outcome %s overdue %d", i,
                     (int)g->kind, g->event, g->due_text, g->parsed,
                     g->due - MIDNIGHT, g->done,
                     g->outcome ? g->outcome : "-", g->overdue);
    }
}

static void listed_read_and_closed(void **state)
{
    fixture *f = *state;
    pb_followup *got;
    size_t n;
    pb_error err;
    static const want w[] = {
        /* said at 09:30 + 60 s; 2 hours after that */
        {PB_FOLLOWUP_COMMITMENT, 1, "in 2h", 1, 11.5 * HOUR + 60, 0, NULL,
         1},
        {PB_FOLLOWUP_CHECK, 2, "tomorrow 10am", 1, 34 * HOUR, 1, "fixed",
         0},
        {PB_FOLLOWUP_CHECK, 3, "next month", 0, 0, 1, "fixed", 0},
        /* events 4 and 5: no due; 6: followup.done */
        {PB_FOLLOWUP_COMMITMENT, 8, "within 3-5 business days", 1,
         9.5 * HOUR + 7 * DAY + 600, 0, NULL, 0},
        {PB_FOLLOWUP_CHECK, 9, "by the end of the week", 1, 2 * DAY - 1, 0,
         NULL, 0},
        {PB_FOLLOWUP_COMMITMENT, 11, "less than a week", 1,
         9.5 * HOUR + 7 * DAY + 700, 0, NULL, 0},
    };

    (void)state;
    assert_int_equal(pb_case_set_fact(f->c, "started_at",
                                      "2026-11-26T09:30:00Z", &err), PB_OK);
    add(f->c, 0, "customer.said", "Where is my refund?", NULL, NULL);
    add(f->c, 60, "agent.committed", "Call back soon", "due", "in 2h");
    add(f->c, 120, "followup.scheduled", "Check it", "due",
        "tomorrow 10am");
    add(f->c, 180, "followup.scheduled", "Vague", "due", "next month");
    add(f->c, 240, "agent.committed", "No date", NULL, NULL);
    add(f->c, 300, "followup.scheduled", "No date either", "note", "x");
    add(f->c, 400, "followup.done", "It works", "outcome", "fixed");
    /* agent.said, then what the detector made of it: event 8 */
    add(f->c, 600, "agent.said", "promise: within 3-5 business days", NULL,
        NULL);
    add(f->c, 650, "followup.scheduled", "Later", "due",
        "by the end of the week");
    add(f->c, 700, "agent.said", "promise: less than a week", NULL, NULL);
    /* Overdue at noon: only the commitment due 11:31. */
    assert_int_equal(pb_case_followups(f->c, MIDNIGHT + 12 * HOUR, &got,
                                       &n, &err), PB_OK);
    check(got, n, w, sizeof w / sizeof *w);
    {
        pb_event_info ev;

        pb_case_event(f->c, got[3].event, &ev);
        assert_string_equal(ev.type, "agent.committed");
        assert_string_equal(ev.detected_by, "p");
    }
    free(got);
    /* A month on, all that reads and is not done is overdue. */
    assert_int_equal(pb_case_followups(f->c, MIDNIGHT + 30 * DAY, &got, &n,
                                       NULL), PB_OK);
    assert_int_equal(n, 6);
    assert_int_equal(got[0].overdue + got[1].overdue + got[2].overdue +
                     got[3].overdue + got[4].overdue + got[5].overdue, 4);
    assert_false(got[1].overdue); /* done */
    assert_false(got[2].overdue); /* unparsed */
    free(got);
}

/* Without started_at only absolute due times read. */
static void without_a_start(void **state)
{
    fixture *f = *state;
    pb_followup *got;
    size_t n;
    static const want w[] = {
        {PB_FOLLOWUP_COMMITMENT, 0, "2026-11-27T10:00Z", 1, 34 * HOUR, 0,
         NULL, 0},
        {PB_FOLLOWUP_COMMITMENT, 1, "tomorrow", 0, 0, 0, NULL, 0},
    };

    add(f->c, 0, "agent.committed", "Refund", "due", "2026-11-27T10:00Z");
    add(f->c, 5, "agent.committed", "Call", "due", "tomorrow");
    assert_int_equal(pb_case_followups(f->c, MIDNIGHT, &got, &n, NULL),
                     PB_OK);
    check(got, n, w, sizeof w / sizeof *w);
    free(got);
}

static void none(void **state)
{
    fixture *f = *state;
    pb_followup *got = (pb_followup *)f; /* must be set to NULL */
    size_t n = 99;

    add(f->c, 0, "customer.said", "Hello", NULL, NULL);
    add(f->c, 1, "followup.done", "Nothing to close", "outcome", "fixed");
    assert_int_equal(pb_case_followups(f->c, START, &got, &n, NULL), PB_OK);
    assert_null(got);
    assert_int_equal(n, 0);
}

/* One followup.done closes every check before it, not only the last. */
static void many_checks(void **state)
{
    fixture *f = *state;
    pb_followup *got;
    size_t n, i;

    for (i = 0; i < 20000; i++)
        add(f->c, (double)i, "followup.scheduled", NULL, "due", "friday");
    add(f->c, 20000, "followup.done", NULL, "outcome", "not_fixed");
    add(f->c, 20001, "followup.scheduled", NULL, "due", "friday");
    assert_int_equal(pb_case_followups(f->c, START, &got, &n, NULL), PB_OK);
    assert_int_equal(n, 20001);
    for (i = 0; i < 20000; i++)
        if (!got[i].done || strcmp(got[i].outcome, "not_fixed") != 0)
            fail_msg("check %zu not done", i);
    assert_false(got[20000].done);
    assert_null(got[20000].outcome);
    free(got);
}

/* What a list "due before" shows, and in what order: the rules
 * `playbook followups` and GET /v1/followups share. */
static void listed_and_ordered(void **state)
{
    pb_followup over = { PB_FOLLOWUP_CHECK, 0, "d", 1, 100, 0, NULL, 1 };
    pb_followup soon = { PB_FOLLOWUP_CHECK, 1, "d", 1, 200, 0, NULL, 0 };
    pb_followup late = { PB_FOLLOWUP_CHECK, 2, "d", 1, 900, 0, NULL, 0 };
    pb_followup done = { PB_FOLLOWUP_CHECK, 3, "d", 1, 50, 1, "fixed", 0 };
    pb_followup odd = { PB_FOLLOWUP_COMMITMENT, 4, "someday", 0, 0, 0, NULL,
                        0 };

    (void)state;
    assert_true(pb_followup_listed(&late, -1));
    assert_true(pb_followup_listed(&done, -1));
    assert_true(pb_followup_listed(&soon, 500));
    assert_false(pb_followup_listed(&late, 500));
    assert_false(pb_followup_listed(&done, 500));
    assert_false(pb_followup_listed(&soon, 200));   /* before, not at */
    assert_true(pb_followup_listed(&odd, 500));
    assert_true(pb_followup_order(&over, &soon) < 0);
    assert_true(pb_followup_order(&soon, &late) < 0);
    assert_true(pb_followup_order(&late, &soon) > 0);
    assert_true(pb_followup_order(&late, &odd) < 0);
    assert_true(pb_followup_order(&odd, &over) > 0);
    assert_int_equal(pb_followup_order(&soon, &soon), 0);
    assert_int_equal(pb_followup_order(&odd, &odd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(listed_read_and_closed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(without_a_start, setup, teardown),
        cmocka_unit_test_setup_teardown(none, setup, teardown),
        cmocka_unit_test(listed_and_ordered),
        cmocka_unit_test_setup_teardown(many_checks, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
