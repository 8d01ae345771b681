/*
 * test_source.c -- what lint learns from a principle file's text
 * (engine/case/source.c, pb__source_names): which literals are read as
 * event types or facts, which are fields the loader keeps, which are
 * mere mentions, and which functions always return false, through
 * comments, long strings and Lua's call forms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "source.h"

static const char *const kinds[] = {
    "mention", "type", "fact", "field", "use", "false"
};

/* Each name as "kind:name@line ", in order. */
static void collect(void *ud, int kind, const char *s, size_t n, int line)
{
    char *out = ud;
    size_t k = strlen(out);

    snprintf(out + k, 4096 - k, "%s:%.*s@%d ", kinds[kind], (int)n,
             s ? s : "", line);
}

static void expect_names(const char *src, const char *want)
{
    char got[4096] = "";

    pb__source_names(src, strlen(src), collect, got);
    assert_string_equal(got, want);
}

static void test_type_reads(void **state)
{
    (void)state;
    expect_names("return c:has(\"a.b\") or c:count ( 'c.d' ) > 1 or "
                 "c:has\"e.f\"",
                 "type:a.b@1 type:c.d@1 type:e.f@1 ");
    expect_names("c:before(\"x.y\", \"z.w\")", "type:x.y@1 type:z.w@1 ");
    /* events, recent, first, last: the first argument only */
    expect_names("for e in c:recent(\"a.b\", ev) do end\nc:last('q.r')",
                 "type:a.b@1 type:q.r@2 ");
    /* a function of the same name, not a method, is not a read */
    expect_names("text.has(\"a.b\", p)", "mention:a.b@1 ");
    expect_names("has(\"a.b\")", "mention:a.b@1 ");
}

static void test_fact_reads(void **state)
{
    (void)state;
    expect_names("return case.facts.order_id ~= nil",
                 "fact:order_id@1 ");
    expect_names("return case.facts[\"plan\"] or case:known(\"tier\", e)",
                 "fact:plan@1 fact:tier@1 ");
    /* a local table called facts is not the case's */
    expect_names("local facts = {}\nreturn facts.x", "");
}

static void test_fields_uses_and_mentions(void **state)
{
    (void)state;
    expect_names("{ on = \"agent.said\", emit = \"a.b\", after = 'c.d', "
                 "unless = 'e.f', collects = \"g\", pattern = \"p\" }",
                 "field:agent.said@1 field:a.b@1 field:c.d@1 field:e.f@1 "
                 "field:g@1 mention:p@1 ");
    expect_names("local w = use \"talk\"\nlocal v = use(\"more\")",
                 "use:talk@1 use:more@2 ");
    expect_names("return \"fact\", { name = \"fee\" }",
                 "mention:fact@1 mention:fee@1 ");
}

static void test_comments_and_long_strings(void **state)
{
    (void)state;
    expect_names("-- c:has(\"no.read\")\n--[[ c:has(\"no.read\") ]]\n"
                 "x = [[c:has(\"no.read\")]]\nc:has([==[a.b]==])",
                 "mention:c:has(\"no.read\")@3 type:a.b@4 ");
}

static void test_always_false(void **state)
{
    (void)state;
    expect_names("{ applies = function(case) return false end,\n"
                  "  done = function(c, e) return nil end,\n"
                  "  violated = function(c) return c.x end }",
                  "false:applies@1 false:done@2 ");
    /* not the whole body, or not a field's value: nothing */
    expect_names("f = function(c) if c then return false end end\n"
                 "local function g(c) return false end",
                 "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_reads),
        cmocka_unit_test(test_fact_reads),
        cmocka_unit_test(test_fields_uses_and_mentions),
        cmocka_unit_test(test_comments_and_long_strings),
        cmocka_unit_test(test_always_false),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
