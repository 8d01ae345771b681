/*
 * test_memo.c -- pb_render_checklist_memo: after every event of a case,
 * through undos, checks, skips, errors, prompts that change and items
 * that come and go, its bytes are pb_render_checklist's, and again with
 * nothing changed in between (the memo's copy alone); one memo given
 * other cases and other principles is still right; a checklist too big
 * to keep and a write that fails leave it right.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "playbook.h"

/*
 * Prompts computed from the case, with what JSON must escape (a quote,
 * a tab, a control byte, bytes that are not UTF-8) and what it need not
 * (UTF-8), one growing longer with the same start, one turning into the
 * bytes it was written as (" and then \\"); an item that applies only
 * for a while, with a prompt that takes the checklist past the JSON
 * writer's buffer; one that raises once the agent proposed, with a
 * message to escape that changes; one violated, and done later (its
 * state stays violated: only when it was done changes).
 */
static const char moody_src[] =
    "return principle {\n"
    "  id = \"moody\", title = \"Moody\", order = 5,\n"
    "  items = {\n"
    "    { id = \"count\", must = true,\n"
    "      prompt = function(case)\n"
    "        local n = 0\n"
    "        for _ in case:events(\"customer.said\") do n = n + 1 end\n"
    "        return n % 4 == 0 and 'Say \"hi\"\\t \\255 ' .. n\n"
    "            or n % 4 == 3 and 'caf\\195\\169 \\1 ' .. n\n"
    "            or 'Caf\\195\\169 ' .. string.rep('x', n)\n"
    "      end,\n"
    "      done = function(case) return case:has(\"agent.closing\") end },\n"
    "    { id = \"while\",\n"
    "      prompt = string.rep(\"Only while they talk. \", 150),\n"
    "      applies = function(case)\n"
    "        local n = 0\n"
    "        for _ in case:events(\"customer.said\") do n = n + 1 end\n"
    "        return n % 4 < 2\n"
    "      end,\n"
    "      done = function(case) return false end },\n"
    "    { id = \"tricky\",\n"
    "      prompt = function(case)\n"
    "        local n = 0\n"
    "        for _ in case:events(\"customer.said\") do n = n + 1 end\n"
    "        return n % 2 == 0 and '\"a' or '\\\\\"'\n"
    "      end,\n"
    "      done = function(case) return false end },\n"
    "    { id = \"boom\", prompt = \"x\",\n"
    "      done = function(case)\n"
    "        local n = 0\n"
    "        for _ in case:events(\"customer.said\") do n = n + 1 end\n"
    "        if case:has(\"agent.proposed\") then\n"
    "          error('bad \"x\" <b> ' .. n)\n"
    "        end\n"
    "        return false\n"
    "      end },\n"
    "    { id = \"never\", must = true, prompt = \"Do not propose\",\n"
    "      done = function(case) return case:has(\"agent.closing\") end,\n"
    "      violated = function(case)\n"
    "        return case:has(\"agent.proposed\")\n"
    "      end },\n"
    "  },\n"
    "}\n";

typedef struct fixture {
    pb_engine *e, *moody;
    pb_error err;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);

    assert_non_null(f);
    f->e = pb_engine_new();
    f->moody = pb_engine_new();
    assert_non_null(f->e);
    assert_non_null(f->moody);
    assert_int_equal(pb_engine_load(f->e, "principles", &f->err), PB_OK);
    assert_int_equal(pb_engine_load(f->moody, "principles", &f->err), PB_OK);
    assert_int_equal(pb_engine_load_buffer(f->moody, "moody.lua", moody_src,
                                           sizeof moody_src - 1, &f->err),
                     PB_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    pb_engine_free(f->e);
    pb_engine_free(f->moody);
    free(f);
    return 0;
}

/* What f wrote, NUL-terminated, to free. */
static char *render(const pb_case *c, pb_render_memo *m)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    if (m != NULL)
        assert_int_equal(pb_render_checklist_memo(f, c, m), PB_OK);
    else
        assert_int_equal(pb_render_checklist(f, PB_FORMAT_JSON, 0, c), PB_OK);
    assert_int_equal(fclose(f), 0);
    return buf;
}

/* c through m is what it is without one, twice (the second time with
 * nothing changed since the first). */
static void same(const pb_case *c, pb_render_memo *m, const char *when)
{
    char *plain = render(c, NULL), *memo = render(c, m), *again = render(c, m);

    if (strcmp(plain, memo) != 0 || strcmp(plain, again) != 0)
        fail_msg("%s: memo differs\nplain: %s\nmemo:  %s\nagain: %s", when,
                 plain, memo, again);
    free(plain);
    free(memo);
    free(again);
}

typedef struct step {
    double t;
    const char *type, *text, *ref;
    int quiet;          /* not rendered after */
} step;

/* A call that ticks, violates, skips, checks, undoes, ends a contact
 * and goes on, with texts JSON must escape.  What only one field of an
 * item tells apart: a skip's reason changed, an error's message, the
 * event that made an item done or violated undone (quietly: not
 * rendered) and another doing it, at another time or the same. */
static const step call[] = {
    { 1, "customer.said", "Hello?", NULL, 0 },
    { 1.5, "event.undone", NULL, NULL, 1 },
    { 1.5, "customer.said",
      "My parcel is a week late and I need it by Saturday.", NULL, 0 },
    { 2, "agent.said",
      "So what I'm hearing is the parcel has not arrived yet, correct?",
      NULL, 0 },
    { 3, "customer.said", "Yes, exactly \"late\"\tand nobody answers.",
      NULL, 0 },
    { 4, "agent.said", "Could I have your order number, please?", NULL, 0 },
    { 5, "customer.said", "It is 4417-22.", NULL, 0 },
    { 6, "item.skipped", "No \"account\" id:\n a gift", "ask.order_id",
      0 },
    { 6, "item.skipped", "No account id: a gift", "ask.order_id", 0 },
    { 7, "agent.said", "I can send a replacement today by express courier.",
      NULL, 0 },
    { 8, "agent.proposed", NULL, NULL, 0 },
    { 8, "event.undone", NULL, NULL, 1 },
    { 8, "agent.proposed", NULL, NULL, 0 },
    { 8.5, "event.undone", NULL, NULL, 1 },
    { 8.5, "agent.proposed", NULL, NULL, 0 },
    { 9, "customer.said", "Okay, that works for me.", NULL, 0 },
    { 10, "item.checked", NULL, "explain.check_understanding", 0 },
    { 11, "event.undone", NULL, NULL, 0 },
    { 12, "agent.said",
      "I'll see this through myself and call you tomorrow at ten.", NULL,
      0 },
    { 13, "customer.said", "You are useless, idiot.", NULL, 0 },
    { 14, "contact.ended", NULL, NULL, 0 },
    { 15, "customer.said", "It arrived, thank you, it works now.", NULL, 0 },
    { 16, "agent.closing", NULL, NULL, 0 },
};

static void play(fixture *f, pb_engine *e, pb_render_memo *m,
                 pb_case **keep)
{
    pb_case *c = pb_case_new(e, "delivery", "phone", &f->err);
    char when[64];
    size_t i;

    assert_non_null(c);
    same(c, m, "new case");
    for (i = 0; i < sizeof call / sizeof *call; i++) {
        pb_attr ref = { "ref", call[i].ref };
        pb_undo u;
        pb_status st;

        if (strcmp(call[i].type, "event.undone") == 0) {
            assert_int_equal(pb_case_undo_event(c, 0, &u, &f->err), PB_OK);
            st = pb_case_append(c, call[i].t, u.type, u.text, u.attrs,
                                u.nattrs, &f->err);
        } else {
            st = pb_case_append(c, call[i].t, call[i].type, call[i].text,
                                call[i].ref ? &ref : NULL,
                                call[i].ref ? 1 : 0, &f->err);
        }
        if (st != PB_OK)
            fail_msg("event %zu (%s): %s", i, call[i].type, f->err.message);
        snprintf(when, sizeof when, "after event %zu (%s)", i, call[i].type);
        if (!call[i].quiet)
            same(c, m, when);
    }
    if (keep != NULL)
        *keep = c;
    else
        pb_case_free(c);
}

static void test_every_event(void **state)
{
    fixture *f = *state;
    pb_render_memo *m = pb_render_memo_new();

    assert_non_null(m);
    play(f, f->e, m, NULL);
    pb_render_memo_free(m);
    m = pb_render_memo_new();
    play(f, f->moody, m, NULL);
    pb_render_memo_free(m);
}

/* One memo for two cases in turn, and for cases of other principles. */
static void test_shared_memo(void **state)
{
    fixture *f = *state;
    pb_render_memo *m = pb_render_memo_new();
    pb_case *a, *b;

    assert_non_null(m);
    play(f, f->moody, m, &a);
    play(f, f->e, m, &b);
    same(a, m, "the first case again");
    same(b, m, "the second case again");
    same(a, m, "the first again");
    pb_case_free(a);
    pb_case_free(b);
    /* A memo nothing was rendered with frees as well. */
    pb_render_memo_free(m);
    pb_render_memo_free(NULL);
}

/* A checklist past what a memo keeps (1 MiB): written whole, right. */
static const char big_src[] =
    "local items = {}\n"
    "for i = 1, 300 do\n"
    "  items[i] = { id = 'i' .. i, prompt = string.rep('p', 4000),\n"
    "    done = function(case) return case:count('customer.said') > i end }\n"
    "end\n"
    "return principle { id = 'big', title = 'Big', items = items }\n";

static void test_past_the_cap(void **state)
{
    fixture *f = *state;
    pb_engine *e = pb_engine_new();
    pb_render_memo *m = pb_render_memo_new();
    pb_case *c;
    int i;

    assert_non_null(e);
    assert_non_null(m);
    assert_int_equal(pb_engine_load_buffer(e, "big.lua", big_src,
                                           sizeof big_src - 1, &f->err),
                     PB_OK);
    c = pb_case_new(e, "delivery", "phone", &f->err);
    assert_non_null(c);
    same(c, m, "new");
    for (i = 0; i < 3; i++) {
        assert_int_equal(pb_case_append(c, i, "customer.said", "hello",
                                        NULL, 0, &f->err), PB_OK);
        same(c, m, "past the cap");
    }
    pb_case_free(c);
    pb_render_memo_free(m);
    pb_engine_free(e);
}

/* A stream that fails half way: PB_IO, and the memo is right after. */
static void test_write_failure(void **state)
{
    fixture *f = *state;
    pb_render_memo *m = pb_render_memo_new();
    pb_case *c = pb_case_new(f->e, "delivery", "phone", &f->err);
    char buf[64];
    FILE *out;

    assert_non_null(m);
    assert_non_null(c);
    assert_int_equal(pb_case_append(c, 1, "customer.said", "Hello there",
                                     NULL, 0, &f->err), PB_OK);
    same(c, m, "before");
    out = fmemopen(buf, sizeof buf, "w");
    assert_non_null(out);
    setvbuf(out, NULL, _IONBF, 0);
    assert_int_equal(pb_render_checklist_memo(out, c, m), PB_IO);
    fclose(out);
    same(c, m, "after a failed write");
    pb_case_free(c);
    pb_render_memo_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_memo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_past_the_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_failure, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
