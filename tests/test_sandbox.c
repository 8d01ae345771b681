/*
 * test_sandbox.c -- the sandbox is a security boundary.
 *
 * Each test loads a principle with one hostile predicate (done, prompt,
 * applies, violated or a detector) next to a good item, runs a case with
 * one customer.said event, and checks that the hostile item ends in
 * PB_ERROR with a "hostile.lua:LINE: ..." message while the good item is
 * PB_DONE.  Nothing here measures time: a test that hangs is the failure.
 *
 * Tests marked BUG expose an engine defect and fail until it is fixed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "playbook.h"

#define KIB 1024u
#define MIB (1024u * 1024u)

/* The shape most tests use: the hostile body is line 3, its item line 2. */
#define ITEM_LINE 2
#define BODY_LINE 3
static const char DONE_HEAD[] =
    "return principle { id = \"h\", items = {\n"
    "  { id = \"bad\", done = function(case)\n"
    "      ";
static const char DONE_TAIL[] =
    "\n"
    "    end },\n"
    "  { id = \"good\", done = function(case) "
    "return case:has(\"customer.said\") end },\n"
    "} }\n";

/* A good principle in its own file, for tests with two files. */
static const char GOOD_SRC[] =
    "return principle { id = \"g\", items = {\n"
    "  { id = \"good\", done = function(case) "
    "return case:has(\"customer.said\") end },\n"
    "} }\n";

/* Stock Lua backtracks for minutes on this against 300 'a's. */
#define BACKTRACK_PATTERN "('a-'):rep(4) .. 'b'"

typedef struct fixture {
    pb_engine *e;
    pb_case *c;
    pb_error err;
    char *src; /* generated source, freed in teardown */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);

    assert_non_null(f);
    f->e = pb_engine_new();
    assert_non_null(f->e);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    pb_case_free(f->c);
    pb_engine_free(f->e);
    free(f->src);
    free(f);
    return 0;
}

/* Helpers. */

static void load(fixture *f, const char *name, const char *src)
{
    char buf[1200];
    pb_status st;

    memset(&f->err, 0, sizeof f->err);
    st = pb_engine_load_buffer(f->e, name, src, strlen(src), &f->err);
    if (st != PB_OK)
        fail_msg("loading %s: %s (%s)", name, pb_strstatus(st),
                 pb_error_text(&f->err, buf, sizeof buf));
}

/* Loads DONE_HEAD body DONE_TAIL as hostile.lua. */
static void load_done(fixture *f, const char *body)
{
    size_t n = strlen(DONE_HEAD) + strlen(body) + strlen(DONE_TAIL) + 1;

    free(f->src);
    f->src = malloc(n);
    assert_non_null(f->src);
    snprintf(f->src, n, "%s%s%s", DONE_HEAD, body, DONE_TAIL);
    load(f, "hostile.lua", f->src);
}

static pb_case *new_case(fixture *f)
{
    pb_case *c = pb_case_new(f->e, "delivery", "phone", &f->err);

    if (c == NULL)
        fail_msg("pb_case_new: %s", f->err.message);
    return c;
}

static void said(fixture *f, pb_case *c, double t, const char *text)
{
    pb_status st = pb_case_append(c, t, "customer.said", text, NULL, 0,
                                  &f->err);

    if (st != PB_OK)
        fail_msg("append: %s: %s", pb_strstatus(st), f->err.message);
}

/* A case with one customer utterance, kept in f->c. */
static void run_case(fixture *f, const char *text)
{
    f->c = new_case(f);
    said(f, f->c, 1, text);
}

static void item_info(const fixture *f, const char *ref, pb_item_info *out)
{
    long i = pb_engine_find_item(f->e, ref);

    if (i < 0)
        fail_msg("no item %s", ref);
    pb_case_item(f->c, (size_t)i, out);
}

static void assert_state(const fixture *f, const char *ref, pb_state want)
{
    pb_item_info in;

    item_info(f, ref, &in);
    if (in.state != want)
        fail_msg("%s is %s, expected %s (error: %s)", ref,
                 pb_state_name(in.state), pb_state_name(want),
                 in.error ? in.error : "none");
}

/* The error starts with "hostile.lua:L: " for some lo <= L <= hi. */
static int error_at(const char *msg, int lo, int hi)
{
    char prefix[64];
    int line;

    for (line = lo; line <= hi; line++) {
        snprintf(prefix, sizeof prefix, "hostile.lua:%d: ", line);
        if (strncmp(msg, prefix, strlen(prefix)) == 0)
            return 1;
    }
    return 0;
}

/* ref is PB_ERROR, blamed on hostile.lua lines lo..hi, and its message
 * holds needle (and needle2 when not NULL, either one). */
static void assert_error_either(const fixture *f, const char *ref, int lo,
                                int hi, const char *needle,
                                const char *needle2)
{
    pb_item_info in;

    item_info(f, ref, &in);
    if (in.state != PB_ERROR)
        fail_msg("%s is %s, expected error with \"%s\"", ref,
                 pb_state_name(in.state), needle);
    assert_non_null(in.error);
    if (!error_at(in.error, lo, hi))
        fail_msg("%s: error \"%s\" does not name hostile.lua:%d..%d", ref,
                 in.error, lo, hi);
    if (strstr(in.error, needle) == NULL &&
        (needle2 == NULL || strstr(in.error, needle2) == NULL))
        fail_msg("%s: error \"%.300s\" lacks \"%s\"", ref, in.error, needle);
}

static void assert_error(const fixture *f, const char *ref, int lo, int hi,
                         const char *needle)
{
    assert_error_either(f, ref, lo, hi, needle, NULL);
}

static void assert_good_done(const fixture *f)
{
    assert_state(f, "h.good", PB_DONE);
}

/* Runs a case and checks the usual pair: h.bad an error, h.good done. */
static void check_done_error(fixture *f, const char *body, int lo, int hi,
                             const char *needle)
{
    load_done(f, body);
    run_case(f, "my parcel is late");
    assert_error(f, "h.bad", lo, hi, needle);
    assert_good_done(f);
}

/* Instruction budget. */

static void test_infinite_loop(void **state)
{
    check_done_error(*state, "while true do end", ITEM_LINE, BODY_LINE,
                     "instruction budget exceeded (1000000 instructions)");
}

static void test_loop_in_pcall_in_loop(void **state)
{
    check_done_error(*state,
                     "for i = 1, 1e9 do "
                     "pcall(function() while true do end end) end "
                     "return true",
                     ITEM_LINE, BODY_LINE, "instruction budget exceeded");
}

static void test_pcall_swallowing_budget_still_errors(void **state)
{
    check_done_error(*state,
                     "local ok = pcall(function() while true do end end) "
                     "return ok == false",
                     ITEM_LINE, BODY_LINE, "instruction budget exceeded");
}

/*
 * BUG: an error raised from the count hook leaves L->allowhook at 0 until
 * the enclosing pcall returns, so an xpcall message handler runs with no
 * budget at all.  With `while true do end` as the handler the process
 * hangs; here the handler runs a bounded loop and leaves a trace.
 */
static void test_xpcall_handler_has_budget(void **state)
{
    fixture *f = *state;

    load(f, "hostile.lua",
         "local seen = { n = 0 }\n"
         "return principle { id = \"h\", items = {\n"
         "  { id = \"bad\", done = function(case)\n"
         "      xpcall(function() while true do end end,\n"
         "             function(m) for i = 1, 2e6 do seen.n = i end "
         "return m end)\n"
         "      return true\n"
         "    end },\n"
         "  { id = \"good\", done = function(case) "
         "return case:has(\"customer.said\") end },\n"
         "  { id = \"handler_bounded\", done = function(case) "
         "return seen.n < 2e6 end },\n"
         "} }\n");
    run_case(f, "my parcel is late");
    assert_error_either(f, "h.bad", 3, 5, "instruction budget exceeded",
                        "xpcall");
    assert_good_done(f);
    /* 2e6 iterations are 6e6 instructions: far over the 1e6 budget. */
    assert_state(f, "h.handler_bounded", PB_DONE);
}

static void test_deep_recursion(void **state)
{
    fixture *f = *state;

    load_done(f, "local function r(n) return 1 + r(n + 1) end "
                 "return r(1) > 0");
    run_case(f, "my parcel is late");
    assert_error_either(f, "h.bad", ITEM_LINE, BODY_LINE, "stack overflow",
                        "instruction budget exceeded");
    assert_good_done(f);
}

static void test_deep_recursion_with_large_budget(void **state)
{
    fixture *f = *state;

    pb_engine_set_limits(f->e, 100000000u, 0);
    check_done_error(f, "local function r(n) return 1 + r(n + 1) end "
                        "return r(1) > 0",
                     ITEM_LINE, BODY_LINE, "stack overflow");
}

static void test_deep_recursion_through_c(void **state)
{
    check_done_error(*state,
                     "local function r(s) return (s:gsub('.', r)) end "
                     "return r('ab') ~= nil",
                     ITEM_LINE, BODY_LINE, "stack overflow");
}

/* Memory. */

static void test_string_doubling(void **state)
{
    check_done_error(*state, "local s = 'x' while true do s = s .. s end",
                     ITEM_LINE, BODY_LINE, "memory limit exceeded");
}

static void test_memory_cap_4mib(void **state)
{
    fixture *f = *state;

    pb_engine_set_limits(f->e, 0, 4 * MIB);
    check_done_error(f, "local t = {} for i = 1, 1e7 do t[i] = i end "
                        "return true",
                     ITEM_LINE, BODY_LINE,
                     "memory limit exceeded (4096 KiB");
}

static void test_instruction_limit_1000(void **state)
{
    fixture *f = *state;

    pb_engine_set_limits(f->e, 1000, 0);
    check_done_error(f, "local n = 0 for i = 1, 10000 do n = n + i end "
                        "return n > 0",
                     ITEM_LINE, BODY_LINE,
                     "instruction budget exceeded (1000 instructions)");
}

static void test_instruction_limit_1000_allows_small_loop(void **state)
{
    fixture *f = *state;

    pb_engine_set_limits(f->e, 1000, 0);
    load_done(f, "local n = 0 for i = 1, 100 do n = n + i end "
                 "return n == 5050");
    run_case(f, "my parcel is late");
    assert_state(f, "h.bad", PB_DONE);
    assert_good_done(f);
}

/* Patterns: bounded matching everywhere principles can reach. */

static void test_backtracking_in_predicate(void **state)
{
    check_done_error(*state,
                     "return ('a'):rep(300):find(" BACKTRACK_PATTERN
                     ") ~= nil",
                     BODY_LINE, BODY_LINE, "pattern too complex");
}

static void test_backtracking_in_case_said(void **state)
{
    fixture *f = *state;
    char text[301];

    memset(text, 'a', 300);
    text[300] = '\0';
    load_done(f, "return case:said('customer', " BACKTRACK_PATTERN ")");
    run_case(f, text);
    assert_error(f, "h.bad", BODY_LINE, BODY_LINE, "pattern too complex");
    assert_good_done(f);
}

static void test_backtracking_in_detector_pattern(void **state)
{
    fixture *f = *state;
    char text[301];
    size_t i;

    memset(text, 'a', 300);
    text[300] = '\0';
    load(f, "hostile.lua",
         "return principle { id = \"h\", items = {\n"
         "  { id = \"good\", done = function(case) "
         "return case:has(\"customer.said\") end },\n"
         "  { id = \"never\", done = function(case) "
         "return case:has(\"x.matched\") end },\n"
         "}, detect = {\n"
         "  { on = \"customer.said\", pattern = " BACKTRACK_PATTERN ",\n"
         "    emit = \"x.matched\" },\n"
         "} }\n");
    run_case(f, text);
    assert_good_done(f);
    assert_state(f, "h.never", PB_OPEN);
    assert_int_equal(pb_case_nwarnings(f->c), 1);
    assert_true(strncmp(pb_case_warning(f->c, 0), "hostile.lua:", 12) == 0);
    assert_non_null(strstr(pb_case_warning(f->c, 0), "detector"));
    assert_non_null(strstr(pb_case_warning(f->c, 0), "pattern too complex"));
    for (i = 0; i < pb_case_nevents(f->c); i++) {
        pb_event_info ev;

        pb_case_event(f->c, i, &ev);
        assert_string_not_equal(ev.type, "x.matched");
    }
}

static void test_pcall_swallowing_pattern_error(void **state)
{
    check_done_error(*state,
                     "pcall(string.find, ('a'):rep(300), " BACKTRACK_PATTERN
                     ") return true",
                     ITEM_LINE, BODY_LINE, "budget exceeded");
}

/* string.rep. */

static void test_rep_empty_string_huge_count(void **state)
{
    fixture *f = *state;

    load_done(f, "return string.rep('', 3e9) == '' and "
                 "string.rep('', 3e9, '') == ''");
    run_case(f, "my parcel is late");
    assert_state(f, "h.bad", PB_DONE);
    assert_good_done(f);
}

static void test_rep_huge_result_errors(void **state)
{
    fixture *f = *state;

    load_done(f, "return #string.rep('x', 1e9) > 0");
    run_case(f, "my parcel is late");
    assert_error_either(f, "h.bad", ITEM_LINE, BODY_LINE, "budget exceeded",
                        "memory limit exceeded");
    assert_good_done(f);
}

/* Metatables. */

static void test_gc_metamethod_refused(void **state)
{
    check_done_error(*state,
                     "setmetatable({}, {__gc = function() "
                     "while true do end end}) return true",
                     BODY_LINE, BODY_LINE,
                     "__gc metamethods are not allowed");
}

/*
 * BUG: setmetatable's __gc check reads the field with lua_getfield, which
 * calls an __index on the metatable; that __index can rawset __gc and
 * return nil, and the object is then marked for finalization.  Finalizers
 * run with hooks off: with `while true do end` in it the engine hangs at
 * the next GC step or in pb_engine_free.  Here the finalizer only counts.
 */
/*
 * An __index that adds a looping __gc when asked for it: the guard reads
 * __gc raw, as Lua does, so the __index never runs, the object is never
 * marked for finalization, and closing the engine (teardown) returns.
 */
static void test_gc_metamethod_added_by_index_never_runs(void **state)
{
    fixture *f = *state;
    pb_item_info in;

    load(f, "hostile.lua",
         "return principle { id = \"h\", items = {\n"
         "  { id = \"bad\", done = function(case)\n"
         "      local mt = setmetatable({}, { __index = function(t, k)\n"
         "        if k == '__gc' then\n"
         "          rawset(t, '__gc', function() while true do end end)\n"
         "        end\n"
         "      end })\n"
         "      setmetatable({}, mt)\n"
         "      local _ = mt.__gc -- added now, too late to finalize\n"
         "      return rawget(mt, '__gc') ~= nil\n"
         "    end },\n"
         "  { id = \"good\", done = function(case) "
         "return case:has(\"customer.said\") end },\n"
         "} }\n");
    run_case(f, "my parcel is late");
    item_info(f, "h.bad", &in);
    assert_int_equal(in.state, PB_DONE);
    assert_good_done(f);
}

static void test_setmetatable_on_case(void **state)
{
    check_done_error(*state, "setmetatable(case, {}) return true",
                     ITEM_LINE, BODY_LINE, "setmetatable");
}

static void test_rawset_on_case(void **state)
{
    check_done_error(*state, "rawset(case, 'topic', 'x') return true",
                     ITEM_LINE, BODY_LINE, "rawset");
}

static void test_getmetatable_string_is_false(void **state)
{
    fixture *f = *state;

    load_done(f, "return getmetatable('') == false and "
                 "getmetatable(string) == false and "
                 "getmetatable(case) == 'case'");
    run_case(f, "my parcel is late");
    assert_state(f, "h.bad", PB_DONE);
    assert_good_done(f);
}

static void test_getmetatable_string_index_errors(void **state)
{
    check_done_error(*state, "return getmetatable('').__index ~= nil",
                     BODY_LINE, BODY_LINE,
                     "attempt to index a boolean value");
}

static void test_string_library_read_only(void **state)
{
    check_done_error(*state,
                     "string.upper = function() return 'x' end return true",
                     BODY_LINE, BODY_LINE,
                     "attempt to modify a read-only table (field 'upper')");
}

/* A file can rawset its own view of string; no other file sees it. */
static void test_rawset_on_library_stays_in_file(void **state)
{
    fixture *f = *state;

    load(f, "hostile.lua",
         "rawset(string, 'upper', function() return 'pwned' end)\n"
         "return principle { id = \"h\", items = {\n"
         "  { id = \"good\", done = function(case) "
         "return case:has(\"customer.said\") end },\n"
         "} }\n");
    load(f, "other.lua",
         "return principle { id = \"o\", items = {\n"
         "  { id = \"upper\", done = function(case)\n"
         "      return string.upper('abc') == 'ABC' and "
         "('abc'):upper() == 'ABC'\n"
         "    end },\n"
         "} }\n");
    run_case(f, "my parcel is late");
    assert_good_done(f);
    assert_state(f, "o.upper", PB_DONE);
}

static void test_globals_isolated_between_files(void **state)
{
    fixture *f = *state;

    load(f, "hostile.lua",
         "shared = 'from hostile'\n"
         "return principle { id = \"h\", items = {\n"
         "  { id = \"good\", done = function(case) "
         "return shared == 'from hostile' end },\n"
         "} }\n");
    load(f, "other.lua",
         "return principle { id = \"o\", items = {\n"
         "  { id = \"clean\", done = function(case) "
         "return shared == nil end },\n"
         "} }\n");
    run_case(f, "my parcel is late");
    assert_good_done(f);
    assert_state(f, "o.clean", PB_DONE);
}

/* The case is read-only. */

static void test_write_case_topic(void **state)
{
    check_done_error(*state, "case.topic = 'x' return true", BODY_LINE,
                     BODY_LINE, "the case is read-only");
}

static void test_write_case_fact(void **state)
{
    check_done_error(*state, "case.facts.x = '1' return true", BODY_LINE,
                     BODY_LINE, "the case is read-only");
}

static void test_write_event_field(void **state)
{
    check_done_error(*state, "case:first('customer.said').t = 1 return true",
                     BODY_LINE, BODY_LINE, "the case is read-only");
}

static void test_write_event_attr(void **state)
{
    check_done_error(*state,
                     "case:first('customer.said').attr.x = '1' return true",
                     BODY_LINE, BODY_LINE, "the case is read-only");
}

static void test_write_global_during_evaluation(void **state)
{
    check_done_error(*state, "x = 1 return true", BODY_LINE, BODY_LINE,
                     "principles cannot set globals while evaluating "
                     "(global 'x')");
}

/* load. */

static void test_load_binary_returns_nil(void **state)
{
    fixture *f = *state;

    load_done(f, "local fn, msg = load('\\27LuaT\\0') "
                 "return fn == nil and type(msg) == 'string'");
    run_case(f, "my parcel is late");
    assert_state(f, "h.bad", PB_DONE);
    assert_good_done(f);
}

static void test_load_binary_mode_errors(void **state)
{
    check_done_error(*state, "return load('return 1', 'x', 'b') ~= nil",
                     BODY_LINE, BODY_LINE,
                     "load: only text chunks are allowed");
}

static void test_load_text_sees_only_sandbox(void **state)
{
    fixture *f = *state;

    load_done(f, "return load('return 1 + 1')() == 2 and "
                 "load('return os')() == nil and "
                 "load('return io')() == nil and "
                 "load('return string.upper')() ~= nil");
    run_case(f, "my parcel is late");
    assert_state(f, "h.bad", PB_DONE);
    assert_good_done(f);
}

static void test_loaded_chunk_cannot_set_globals(void **state)
{
    check_done_error(*state, "load('y = 1')() return true", ITEM_LINE,
                     BODY_LINE, "cannot set globals");
}

static void test_dangerous_globals_absent(void **state)
{
    fixture *f = *state;

    /* error(name) makes the failure say which one is reachable. */
    load_done(f, "for _, n in ipairs({ 'os', 'io', 'require', 'debug', "
                 "'dofile', 'loadfile', 'package', 'collectgarbage', "
                 "'print', 'coroutine', 'loadstring', 'module' }) do "
                 "if _ENV[n] ~= nil or rawget(_G, n) ~= nil then "
                 "error(n .. ' is reachable', 0) end end "
                 "for _, n in ipairs({ 'dump', 'pack', 'unpack' }) do "
                 "if string[n] ~= nil then "
                 "error('string.' .. n .. ' is reachable', 0) end end "
                 "return true");
    run_case(f, "my parcel is late");
    assert_state(f, "h.bad", PB_DONE);
    assert_good_done(f);
}

static void test_coroutine_code_fails(void **state)
{
    check_done_error(*state,
                     "local co = coroutine.wrap(function() "
                     "while true do coroutine.yield() end end) "
                     "co() return true",
                     BODY_LINE, BODY_LINE,
                     "attempt to index a nil value (global 'coroutine')");
}

/* What predicates give back. */

static void test_error_table(void **state)
{
    check_done_error(*state, "error({})", ITEM_LINE, ITEM_LINE,
                     "(error object is a table value)");
}

static void test_error_nil(void **state)
{
    check_done_error(*state, "error(nil)", ITEM_LINE, ITEM_LINE,
                     "(error object is a nil value)");
}

static void test_done_returns_number(void **state)
{
    fixture *f = *state;
    pb_item_info in;

    load_done(f, "return 42");
    run_case(f, "my parcel is late");
    item_info(f, "h.bad", &in);
    assert_int_equal(in.state, PB_ERROR);
    assert_string_equal(in.error, "hostile.lua:2: done must return true "
                                  "or false (got number)");
    assert_good_done(f);
}

/*
 * BUG: the message of a failed predicate is copied whole into every
 * case, so one `error(big, 0)` costs megabytes per item per live case
 * (PRODUCT.md §7: under 64 KiB per case), outside the Lua memory cap.
 */
static void test_huge_error_message_is_bounded(void **state)
{
    fixture *f = *state;
    pb_item_info in;

    load_done(f, "error(('x'):rep(1048576), 0)");
    run_case(f, "my parcel is late");
    item_info(f, "h.bad", &in);
    assert_int_equal(in.state, PB_ERROR);
    assert_non_null(in.error);
    assert_true(error_at(in.error, ITEM_LINE, BODY_LINE));
    assert_in_range(strlen(in.error), 1, 64 * KIB);
    assert_good_done(f);
}

/* Prompts, applies, violated, detectors. */

static void test_prompt_10mb(void **state)
{
    fixture *f = *state;

    load(f, "hostile.lua",
         "return principle { id = \"h\", items = {\n"
         "  { id = \"bad\", prompt = function(case)\n"
         "      return ('x'):rep(10 * 1024 * 1024)\n"
         "    end },\n"
         "  { id = \"good\", done = function(case) "
         "return case:has(\"customer.said\") end },\n"
         "} }\n");
    run_case(f, "my parcel is late");
    assert_error(f, "h.bad", ITEM_LINE, BODY_LINE, "at most 4096");
    assert_good_done(f);
}

static void test_prompt_table(void **state)
{
    fixture *f = *state;

    load(f, "hostile.lua",
         "return principle { id = \"h\", items = {\n"
         "  { id = \"bad\", prompt = function(case)\n"
         "      return {}\n"
         "    end },\n"
         "  { id = \"good\", done = function(case) "
         "return case:has(\"customer.said\") end },\n"
         "} }\n");
    run_case(f, "my parcel is late");
    assert_error(f, "h.bad", ITEM_LINE, BODY_LINE,
                 "prompt must return a string (got table)");
    assert_good_done(f);
}

static void test_item_applies_loops(void **state)
{
    fixture *f = *state;

    load(f, "hostile.lua",
         "return principle { id = \"h\", items = {\n"
         "  { id = \"bad\", applies = function(case)\n"
         "      while true do end\n"
         "    end },\n"
         "  { id = \"good\", done = function(case) "
         "return case:has(\"customer.said\") end },\n"
         "} }\n");
    run_case(f, "my parcel is late");
    assert_error(f, "h.bad", ITEM_LINE, BODY_LINE,
                 "instruction budget exceeded");
    assert_good_done(f);
}

static void test_violated_loops(void **state)
{
    fixture *f = *state;

    load(f, "hostile.lua",
         "return principle { id = \"h\", items = {\n"
         "  { id = \"bad\", violated = function(case)\n"
         "      while true do end\n"
         "    end },\n"
         "  { id = \"good\", done = function(case) "
         "return case:has(\"customer.said\") end },\n"
         "} }\n");
    run_case(f, "my parcel is late");
    assert_error(f, "h.bad", ITEM_LINE, BODY_LINE,
                 "instruction budget exceeded");
    assert_good_done(f);
}

/* A looping principle-level applies fails its own items, no others. */
static void test_principle_applies_loops(void **state)
{
    fixture *f = *state;

    load(f, "hostile.lua",
         "return principle { id = \"h\",\n"
         "  applies = function(case)\n"
         "    while true do end\n"
         "  end,\n"
         "  items = { { id = \"bad\" } },\n"
         "}\n");
    load(f, "good.lua", GOOD_SRC);
    run_case(f, "my parcel is late");
    assert_error(f, "h.bad", 1, 3, "instruction budget exceeded");
    assert_state(f, "g.good", PB_DONE);
}

static void test_detector_fn_loops(void **state)
{
    fixture *f = *state;

    load(f, "hostile.lua",
         "return principle { id = \"h\", items = {\n"
         "  { id = \"good\", done = function(case) "
         "return case:has(\"customer.said\") end },\n"
         "}, detect = {\n"
         "  { on = \"customer.said\", fn = function(case, ev)\n"
         "      while true do end\n"
         "    end },\n"
         "} }\n");
    run_case(f, "my parcel is late");
    assert_good_done(f);
    assert_int_equal(pb_case_nwarnings(f->c), 1);
    if (!error_at(pb_case_warning(f->c, 0), 4, 5) ||
        strstr(pb_case_warning(f->c, 0), "instruction budget exceeded") ==
            NULL)
        fail_msg("warning: %s", pb_case_warning(f->c, 0));
}

/*
 * BUG: recorded events are refused over 1 MiB of text (case.c MAX_TEXT),
 * but the text a detector function returns is stored as is: a principle
 * can put up to the whole Lua memory cap into every event of every case,
 * in C memory the cap does not see.
 */
static void test_detector_text_is_bounded(void **state)
{
    fixture *f = *state;
    size_t i;

    load(f, "hostile.lua",
         "return principle { id = \"h\", items = {\n"
         "  { id = \"good\", done = function(case) "
         "return case:has(\"customer.said\") end },\n"
         "}, detect = {\n"
         "  { on = \"customer.said\", fn = function(case, ev)\n"
         "      return 'x.big', nil, ('x'):rep(8 * 1024 * 1024)\n"
         "    end },\n"
         "} }\n");
    run_case(f, "my parcel is late");
    assert_good_done(f);
    for (i = 0; i < pb_case_nevents(f->c); i++) {
        pb_event_info ev;

        pb_case_event(f->c, i, &ev);
        if (ev.text && strlen(ev.text) > MIB)
            fail_msg("event %zu (%s) holds %zu bytes of text", i, ev.type,
                     strlen(ev.text));
    }
}

/* Proxies kept past their case. */

/* done keeps `keep` from the first case and uses it as `use` later. */
static void check_kept_proxy(fixture *f, const char *keep, const char *use)
{
    static const char head[] =
        "local kept\n"
        "return principle { id = \"h\", items = {\n"
        "  { id = \"bad\", done = function(case)\n"
        "      if kept == nil then kept = ";
    static const char mid[] = " return false end\n      return ";
    static const char tail[] =
        "\n"
        "    end },\n"
        "  { id = \"good\", done = function(case) "
        "return case:has(\"customer.said\") end },\n"
        "} }\n";
    size_t n = strlen(head) + strlen(keep) + strlen(mid) + strlen(use) +
               strlen(tail) + 1;
    pb_case *first;

    f->src = malloc(n);
    assert_non_null(f->src);
    snprintf(f->src, n, "%s%s%s%s%s", head, keep, mid, use, tail);
    load(f, "hostile.lua", f->src);
    first = new_case(f);
    said(f, first, 1, "first case");
    pb_case_free(first);
    run_case(f, "second case");
    assert_error(f, "h.bad", 5, 5, "case is closed");
    assert_good_done(f);
}

static void test_kept_case_after_free(void **state)
{
    check_kept_proxy(*state, "case", "kept:has('customer.said')");
}

static void test_kept_facts_after_free(void **state)
{
    check_kept_proxy(*state, "case.facts", "kept.problem ~= nil");
}

static void test_kept_event_after_free(void **state)
{
    check_kept_proxy(*state, "case:first('customer.said')", "kept.t > 0");
}

static void test_kept_attrs_after_free(void **state)
{
    check_kept_proxy(*state, "(case:first('customer.said') or {}).attr",
                     "kept.x == nil");
}

static void test_kept_iterator_after_free(void **state)
{
    check_kept_proxy(*state, "case:events()", "kept() ~= nil");
}

/* Budget for C loops in the table library. */

/*
 * BUG: table.move/insert/remove/sort loop in C over a range the caller
 * chooses (or __len gives) and charge only the argument sizes, so the
 * instruction budget does not bound them.  With math.maxinteger in place
 * of 1e6 the engine never returns.  Budget: 1000 instructions.
 */
static void test_table_move_charged(void **state)
{
    fixture *f = *state;

    pb_engine_set_limits(f->e, 1000, 0);
    check_done_error(f, "table.move({}, 1, 1e6, 2) return true", ITEM_LINE,
                     BODY_LINE, "budget exceeded");
}

/* BUG: see test_table_move_charged. */
static void test_table_insert_with_len_charged(void **state)
{
    fixture *f = *state;

    pb_engine_set_limits(f->e, 1000, 0);
    check_done_error(f,
                     "table.insert(setmetatable({}, {__len = function() "
                     "return 1e6 end}), 1, 'x') return true",
                     ITEM_LINE, BODY_LINE, "budget exceeded");
}

/* BUG: see test_table_move_charged. */
static void test_table_remove_with_len_charged(void **state)
{
    fixture *f = *state;

    pb_engine_set_limits(f->e, 1000, 0);
    check_done_error(f,
                     "table.remove(setmetatable({}, {__len = function() "
                     "return 1e6 end}), 1) return true",
                     ITEM_LINE, BODY_LINE, "budget exceeded");
}

/* BUG: see test_table_move_charged. */
static void test_table_sort_with_len_charged(void **state)
{
    fixture *f = *state;

    pb_engine_set_limits(f->e, 1000, 0);
    check_done_error(f,
                     "table.sort(setmetatable({}, {__len = function() "
                     "return 20000 end, __index = rawlen})) return true",
                     ITEM_LINE, BODY_LINE, "budget exceeded");
}

/* Scale. */

static void test_ten_thousand_items(void **state)
{
    fixture *f = *state;
    const size_t n = 10000, per = 96;
    size_t i, len = 0, cap = 64 + n * per;
    long last;

    f->src = malloc(cap);
    assert_non_null(f->src);
    len += (size_t)snprintf(f->src + len, cap - len,
                            "return principle { id = \"big\", items = {\n");
    for (i = 0; i < n; i++)
        len += (size_t)snprintf(f->src + len, cap - len,
                                "  { id = \"i%zu\", done = function(case) "
                                "return case:has(\"customer.said\") end },\n",
                                i);
    len += (size_t)snprintf(f->src + len, cap - len, "} }\n");
    assert_true(len < cap);
    load(f, "big.lua", f->src);
    assert_int_equal(pb_engine_nitems(f->e), n);
    last = pb_engine_find_item(f->e, "big.i9999");
    assert_int_equal(last, 9999);
    run_case(f, "my parcel is late");
    for (i = 0; i < n; i++) {
        pb_item_info in;

        pb_case_item(f->c, i, &in);
        if (in.state != PB_DONE)
            fail_msg("item %zu is %s (%s)", i, pb_state_name(in.state),
                     in.error ? in.error : "");
    }
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_infinite_loop),
        T(test_loop_in_pcall_in_loop),
        T(test_pcall_swallowing_budget_still_errors),
        T(test_xpcall_handler_has_budget),
        T(test_deep_recursion),
        T(test_deep_recursion_with_large_budget),
        T(test_deep_recursion_through_c),
        T(test_string_doubling),
        T(test_memory_cap_4mib),
        T(test_instruction_limit_1000),
        T(test_instruction_limit_1000_allows_small_loop),
        T(test_backtracking_in_predicate),
        T(test_backtracking_in_case_said),
        T(test_backtracking_in_detector_pattern),
        T(test_pcall_swallowing_pattern_error),
        T(test_rep_empty_string_huge_count),
        T(test_rep_huge_result_errors),
        T(test_gc_metamethod_refused),
        T(test_gc_metamethod_added_by_index_never_runs),
        T(test_setmetatable_on_case),
        T(test_rawset_on_case),
        T(test_getmetatable_string_is_false),
        T(test_getmetatable_string_index_errors),
        T(test_string_library_read_only),
        T(test_rawset_on_library_stays_in_file),
        T(test_globals_isolated_between_files),
        T(test_write_case_topic),
        T(test_write_case_fact),
        T(test_write_event_field),
        T(test_write_event_attr),
        T(test_write_global_during_evaluation),
        T(test_load_binary_returns_nil),
        T(test_load_binary_mode_errors),
        T(test_load_text_sees_only_sandbox),
        T(test_loaded_chunk_cannot_set_globals),
        T(test_dangerous_globals_absent),
        T(test_coroutine_code_fails),
        T(test_error_table),
        T(test_error_nil),
        T(test_done_returns_number),
        T(test_huge_error_message_is_bounded),
        T(test_prompt_10mb),
        T(test_prompt_table),
        T(test_item_applies_loops),
        T(test_violated_loops),
        T(test_principle_applies_loops),
        T(test_detector_fn_loops),
        T(test_detector_text_is_bounded),
        T(test_kept_case_after_free),
        T(test_kept_facts_after_free),
        T(test_kept_event_after_free),
        T(test_kept_attrs_after_free),
        T(test_kept_iterator_after_free),
        T(test_table_move_charged),
        T(test_table_insert_with_len_charged),
        T(test_table_remove_with_len_charged),
        T(test_table_sort_with_len_charged),
        T(test_ten_thousand_items),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
