/*
 * test_loader.c -- principle{} validation and introspection.
 *
 * Every bad file must come back as PB_INPUT with a pb_error naming the
 * file and the exact line, the same record kept in pb_engine_failure, and
 * must not stop a good principle loaded next into the same engine from
 * loading and working.
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

#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>

#include "playbook.h"

static const char GOOD_SRC[] =
    "return principle { id = \"good\", items = {\n"
    "  { id = \"hear\", must = true, done = function(case) "
    "return case:has(\"customer.said\") end },\n"
    "} }\n";

typedef struct fixture {
    pb_engine *e;
    pb_case *c;
    pb_error err;
    char dir[64];    /* a temporary folder, "" when none */
    const void *row; /* the table row a row test runs, or NULL */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);

    assert_non_null(f);
    f->row = *state; /* the initial state: a row, or NULL */
    f->e = pb_engine_new();
    assert_non_null(f->e);
    *state = f;
    return 0;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char path[512];

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static int teardown(void **state)
{
    fixture *f = *state;

    pb_case_free(f->c);
    pb_engine_free(f->e);
    if (f->dir[0])
        remove_dir(f->dir);
    free(f);
    return 0;
}

/* Helpers. */

static pb_status load_len(fixture *f, const char *name, const char *src,
                          size_t len)
{
    memset(&f->err, 0, sizeof f->err);
    return pb_engine_load_buffer(f->e, name, src, len, &f->err);
}

static pb_status load(fixture *f, const char *name, const char *src)
{
    return load_len(f, name, src, strlen(src));
}

static void load_ok(fixture *f, const char *name, const char *src)
{
    char buf[1200];
    pb_status st = load(f, name, src);

    if (st != PB_OK)
        fail_msg("loading %s: %s (%s)", name, pb_strstatus(st),
                 pb_error_text(&f->err, buf, sizeof buf));
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);

    return n >= m && strcmp(s + n - m, tail) == 0;
}

static void assert_error_is(const pb_error *err, const char *file, int line,
                            const char *needle)
{
    if (strcmp(err->file, file) != 0 && !ends_with(err->file, file))
        fail_msg("error file \"%s\", expected \"%s\" (%s)", err->file, file,
                 err->message);
    if (err->line != line)
        fail_msg("error line %d, expected %d (%s)", err->line, line,
                 err->message);
    if (strstr(err->message, needle) == NULL)
        fail_msg("error \"%s\" lacks \"%s\"", err->message, needle);
}

/* The engine, failing nothing so far, is left with that one failure. */
static void assert_only_failure(const fixture *f)
{
    const pb_error *rec;

    assert_int_equal(pb_engine_nfailures(f->e), 1);
    rec = pb_engine_failure(f->e, 0);
    assert_non_null(rec);
    assert_string_equal(rec->file, f->err.file);
    assert_int_equal(rec->line, f->err.line);
    assert_string_equal(rec->message, f->err.message);
    assert_null(pb_engine_failure(f->e, 1));
}

/* A load gave st: bad input blamed on file (no line checked), with a
 * message holding needle, the engine's only failure. */
static void assert_failed(const fixture *f, pb_status st, const char *file,
                          const char *needle)
{
    assert_int_equal(st, PB_INPUT);
    assert_string_equal(f->err.file, file);
    assert_non_null(strstr(f->err.message, needle));
    assert_only_failure(f);
}

/* good.lua loads after whatever failed and its item works. */
static void assert_good_still_works(fixture *f)
{
    size_t before = pb_engine_nprinciples(f->e);
    long i;
    pb_item_info in;

    load_ok(f, "good.lua", GOOD_SRC);
    assert_int_equal(pb_engine_nprinciples(f->e), before + 1);
    f->c = pb_case_new(f->e, NULL, NULL, &f->err);
    assert_non_null(f->c);
    assert_int_equal(pb_case_append(f->c, 1, "customer.said", "hello", NULL,
                                    0, &f->err), PB_OK);
    i = pb_engine_find_item(f->e, "good.hear");
    assert_true(i >= 0);
    pb_case_item(f->c, (size_t)i, &in);
    if (in.state != PB_DONE)
        fail_msg("good.hear is %s (%s)", pb_state_name(in.state),
                 in.error ? in.error : "");
}

/* The whole check for one bad buffer. */
static void check_bad_len(fixture *f, const char *src, size_t len, int line,
                          const char *needle)
{
    pb_status st = load_len(f, "bad.lua", src, len);

    if (st != PB_INPUT)
        fail_msg("status %s, expected bad input", pb_strstatus(st));
    assert_error_is(&f->err, "bad.lua", line, needle);
    assert_only_failure(f);
    assert_int_equal(pb_engine_nprinciples(f->e), 0);
    assert_good_still_works(f);
}

static void check_bad(fixture *f, const char *src, int line,
                      const char *needle)
{
    check_bad_len(f, src, strlen(src), line, needle);
}

/*
 * Bad files, one a row, each run as a test of its own under its name:
 * check_bad_len() on src (its whole length, NUL bytes included), which
 * must fail at line with a message holding needle.
 */
typedef struct bad_row {
    const char *name;
    const char *src;
    size_t len;
    int line;
    const char *needle;
} bad_row;

#define BAD(name, src, line, needle)                                        \
    { #name, src, sizeof(src) - 1, line, needle }

/* Line 1 of most rows; the items follow. */
#define X_ITEMS "return principle { id = \"x\", items = {\n"
/* Line 1 of the detector rows; the detectors follow. */
#define X_DETECT "return principle { id = \"x\", items = { { id = \"a\" } },\n"

/* Sources more than one test uses. */
#define NUL_SRC                                                             \
    "return principle { id = \"x\", items = { { id = \"a\" } } }\n"         \
    "-- \0 hidden\n"
#define COLOUR_PRINCIPLE_SRC                                                \
    "return principle { id = \"x\", colour = \"red\", "                     \
    "items = { { id = \"a\" } } }\n"
#define COLOUR_ITEM_SRC X_ITEMS "  { id = \"a\", colour = \"red\" } } }\n"
#define CYCLE_SRC                                                           \
    X_ITEMS                                                                 \
    "  { id = \"a\", after = \"b\" },\n"                                    \
    "  { id = \"b\", after = \"a\" },\n"                                    \
    "} }\n"

static const bad_row bad_rows[] = {
    /* Files. */
    BAD(test_empty_buffer, "", 1, "empty file"),
    BAD(test_non_utf8,
        "-- a principle\n"
        "return principle { id = \"x\", items = {\n"
        "  { id = \"a\", prompt = \"caf\xe9\" } } }\n",
        3, "invalid UTF-8"),
    BAD(test_truncated_utf8_at_end, "return 1\n-- \xc3", 2,
        "invalid UTF-8"),
    /* Well-formed in shape, not UTF-8: an overlong '/', a UTF-16
     * surrogate, a code point past U+10FFFF. */
    BAD(test_overlong_utf8, "return 1\n-- \xe0\x80\xaf\n", 2,
        "invalid UTF-8"),
    BAD(test_surrogate_utf8, "return 1\n\n-- \xed\xa0\x80\n", 3,
        "invalid UTF-8"),
    BAD(test_past_max_utf8, "return 1\n-- \xf4\x90\x80\x80\n", 2,
        "invalid UTF-8"),
    /* A NUL byte, like invalid UTF-8, is reported at its own line. */
    BAD(test_nul_byte_line, NUL_SRC, 2, "NUL byte"),
    BAD(test_returns_nothing, "-- no return\nlocal x = 1\n\n", 2,
        "the file must return principle { ... }"),
    BAD(test_returns_number, "return 42\n", 1,
        "the file must return principle { ... } (it returned number)"),
    BAD(test_returns_string, "-- oops\nreturn 'principle'\n", 2,
        "(it returned string)"),
    BAD(test_runtime_error_while_loading, "local t = nil\nreturn t.x\n", 2,
        "attempt to index a nil value (local 't')"),

    /* principle{} and its fields. */
    BAD(test_principle_non_table, "return principle(42)\n", 1,
        "principle expects a table (got number)"),
    BAD(test_unknown_principle_field_rejected, COLOUR_PRINCIPLE_SRC, 1,
        "(known: id, title, why, order, applies, items, detect)"),
    /* Once named the list of known fields instead of 'colour': the key
     * and the list were read in one call, whose argument order is
     * unspecified. */
    BAD(test_unknown_principle_field_named, COLOUR_PRINCIPLE_SRC, 1,
        "unknown field 'colour' in principle"),
    BAD(test_unknown_item_field_lists_known, COLOUR_ITEM_SRC, 2,
        "(known: id, prompt, must, later, after, applies, done, violated, "
        "collects)"),
    /* As test_unknown_principle_field_named, for items. */
    BAD(test_unknown_item_field_named, COLOUR_ITEM_SRC, 2,
        "unknown field 'colour' in item"),
    BAD(test_id_number,
        "return principle { id = 7, items = { { id = \"a\" } } }\n", 1,
        "field 'id' must be a string (got number)"),
    BAD(test_must_string, X_ITEMS "  { id = \"a\", must = \"yes\" } } }\n",
        2, "item 'a': item: field 'must' must be a boolean (got string)"),
    BAD(test_later_string, X_ITEMS "  { id = \"a\", later = \"yes\" } } }\n",
        2, "item 'a': item: field 'later' must be a boolean (got string)"),
    BAD(test_prompt_number, X_ITEMS "  { id = \"a\", prompt = 3 } } }\n", 2,
        "field 'prompt' must be a string or a function (got number)"),
    BAD(test_after_number, X_ITEMS "  { id = \"a\", after = 3 } } }\n", 2,
        "field 'after' must be a string or a table (got number)"),
    BAD(test_done_string, X_ITEMS "  { id = \"a\", done = \"yes\" } } }\n", 2,
        "field 'done' must be a function (got string)"),
    BAD(test_items_not_a_list, X_ITEMS "  a = { id = \"a\" } } }\n", 1,
        "items must be a list (found key 'a')"),
    BAD(test_items_empty, "return principle { id = \"x\", items = {} }\n", 1,
        "items is empty"),
    BAD(test_missing_id,
        "return principle { title = \"X\", items = { { id = \"a\" } } }\n",
        1, "principle has no id"),
    BAD(test_bad_id,
        "return principle { id = \"a-b\", items = { { id = \"a\" } } }\n", 1,
        "principle id 'a-b' is not a name"),
    BAD(test_bad_item_id,
        "return principle { id = \"x\", items = { { id = \"a b\" } } }\n", 1,
        "item id 'a b' is not a name"),
    BAD(test_duplicate_item_id,
        X_ITEMS "  { id = \"a\" },\n  { id = \"a\" } } }\n", 3,
        "duplicate item id 'a'"),

    /* after. */
    BAD(test_after_unknown_item,
        X_ITEMS "  { id = \"a\", after = { \"zz\" } } } }\n", 2,
        "item 'a': after names unknown item 'zz'"),
    BAD(test_after_empty_list, X_ITEMS "  { id = \"a\", after = {} } } }\n",
        2, "after is an empty list"),
    BAD(test_after_cycle, CYCLE_SRC, 2, "a cycle in after leads back to it"),
    BAD(test_after_self_cycle,
        X_ITEMS "  { id = \"a\", after = \"a\" } } }\n", 2,
        "a cycle in after leads back to it"),

    /* Detectors. */
    BAD(test_detector_without_on,
        X_DETECT "  detect = { { pattern = \"hi\", emit = \"x.hi\" } } }\n",
        2, "detector 1: 'on' (the event type to watch) is missing"),
    BAD(test_detector_bad_on,
        X_DETECT
        "  detect = { { on = \"not a type!\", pattern = \"hi\",\n"
        "               emit = \"x.hi\" } } }\n",
        2, "on: 'not a type!' is not an event type"),
    BAD(test_detector_bad_unless,
        X_DETECT
        "  detect = { { on = \"agent.said\", pattern = \"hi\",\n"
        "               emit = \"x.hi\", unless = \"x hi\" } } }\n",
        3, "unless: 'x hi' is not an event type"),
    BAD(test_detector_unless_not_string,
        X_DETECT
        "  detect = { { on = \"agent.said\", unless = 3, fn = function() end "
        "} } }\n",
        2, "field 'unless' must be a string (got number)"),
    BAD(test_detector_within_without_after,
        X_DETECT
        "  detect = { { on = \"customer.said\", pattern = \"yes\",\n"
        "               emit = \"x.yes\", within = 30 } } }\n",
        3, "within needs after (the event type it counts from)"),
    /* Words and examples: at the line of the field or the entry. */
    BAD(test_detector_needs_something,
        X_DETECT
        "  detect = {\n"
        "    { on = \"agent.said\", emit = \"x.y\" } } }\n",
        3, "detector 1: needs a pattern, words or examples (or a fn)"),
    BAD(test_words_empty_list,
        X_DETECT
        "  detect = {\n"
        "    { on = \"agent.said\", emit = \"x.y\",\n"
        "      words = {} } } }\n",
        4, "detector 1: words is an empty list"),
    BAD(test_words_not_text,
        X_DETECT
        "  detect = {\n"
        "    { on = \"agent.said\", emit = \"x.y\",\n"
        "      words = { \"look into\",\n"
        "                42 } } } }\n",
        4, "words: phrase 2 must be a string or { \"phrase\", need = N } "
        "(got number)"),
    BAD(test_words_no_words,
        X_DETECT
        "  detect = {\n"
        "    { on = \"agent.said\", emit = \"x.y\",\n"
        "      words = { \"look into\",\n"
        "                \"...\" } } } }\n",
        5, "words: phrase 2 ('...') has no words"),
    BAD(test_words_need_too_many,
        X_DETECT
        "  detect = {\n"
        "    { on = \"agent.said\", emit = \"x.y\",\n"
        "      words = { { \"let me check\", need = 4 } } } } }\n",
        4, "words: phrase 1 ('let me check') needs more words than it has "
        "(need = 4)"),
    BAD(test_words_need_zero,
        X_DETECT
        "  detect = {\n"
        "    { on = \"agent.said\", emit = \"x.y\",\n"
        "      words = { { \"let me check\", need = 0 } } } } }\n",
        4, "words: phrase 1: need must be a whole number, 1 or more (got 0)"),
    BAD(test_words_gap,
        X_DETECT
        "  detect = {\n"
        "    { on = \"agent.said\", emit = \"x.y\", words = \"look into\",\n"
        "      gap = 9 } } }\n",
        4, "gap must be a whole number from 0 to 8 (got 9)"),
    BAD(test_gap_without_words,
        X_DETECT
        "  detect = {\n"
        "    { on = \"agent.said\", emit = \"x.y\", pattern = \"hi\",\n"
        "      gap = 1 } } }\n",
        4, "gap needs words"),
    BAD(test_examples_empty,
        X_DETECT
        "  detect = {\n"
        "    { on = \"agent.said\", emit = \"x.y\",\n"
        "      examples = {} } } }\n",
        4, "detector 1: examples is an empty list"),
    BAD(test_examples_not_a_list,
        X_DETECT
        "  detect = {\n"
        "    { on = \"agent.said\", emit = \"x.y\",\n"
        "      examples = \"I have issued you a refund\" } } }\n",
        4, "field 'examples' must be a table (got string)"),
    BAD(test_examples_not_text,
        X_DETECT
        "  detect = {\n"
        "    { on = \"agent.said\", emit = \"x.y\", examples = {\n"
        "        \"I have issued you a refund\",\n"
        "        true } } } }\n",
        3, "examples: example 2 must be a string (got boolean)"),
    BAD(test_examples_empty_string,
        X_DETECT
        "  detect = {\n"
        "    { on = \"agent.said\", emit = \"x.y\", examples = {\n"
        "        \"I have issued you a refund\",\n"
        "        \"\" } } } }\n",
        5, "examples: example 2 is empty"),
    BAD(test_examples_punctuation,
        X_DETECT
        "  detect = {\n"
        "    { on = \"agent.said\", emit = \"x.y\", examples = {\n"
        "        \"I have issued you a refund\",\n"
        "        \"?!...\" } } } }\n",
        5, "examples: example 2 ('?!...') has no words to compare"),
    BAD(test_examples_threshold_range,
        X_DETECT
        "  detect = {\n"
        "    { on = \"agent.said\", emit = \"x.y\",\n"
        "      examples = { \"I have issued you a refund\" },\n"
        "      threshold = 1.5 } } }\n",
        5, "threshold must be a number from 0 to 1 (got 1.5)"),
    BAD(test_examples_threshold_type,
        X_DETECT
        "  detect = {\n"
        "    { on = \"agent.said\", emit = \"x.y\",\n"
        "      examples = { \"I have issued you a refund\" },\n"
        "      threshold = \"high\" } } }\n",
        5, "threshold must be a number from 0 to 1 (got high)"),
    BAD(test_threshold_without_examples,
        X_DETECT
        "  detect = {\n"
        "    { on = \"agent.said\", emit = \"x.y\", pattern = \"hi\",\n"
        "      threshold = 0.5 } } }\n",
        4, "threshold needs examples"),
    BAD(test_detector_fn_and_emit,
        X_DETECT
        "  detect = {\n"
        "    { on = \"customer.said\", emit = \"x.yes\",\n"
        "      fn = function(case, ev) return nil end } } }\n",
        3, "give either fn or emit, not both"),
    BAD(test_detector_fn_guard_not_strings,
        X_DETECT
        "  detect = {\n"
        "    { on = \"customer.said\", pattern = { \"yes\", 5 },\n"
        "      fn = function(case, ev) return nil end } } }\n",
        3, "pattern"),

    /* Tables and lines. */
    BAD(test_plain_table_validated,
        "return { id = \"plain\", items = {\n"
        "  { id = \"a\", must = 1 },\n"
        "} }\n",
        3, "field 'must' must be a boolean (got number)"),
    BAD(test_error_line_is_the_field,
        "return principle {\n"
        "  id = \"x\",\n"
        "  items = {\n"
        "    { id = \"a\" },\n"
        "    { id = \"b\", must = \"yes\",\n"
        "      done = function(case) return true end },\n"
        "  },\n"
        "}\n",
        5, "item 'b': item: field 'must' must be a boolean"),
    /* Limits (docs/hardening.md, "No quadratic paths"). */
    BAD(test_order_nan,
        "return principle { id = \"x\", order = 0/0,\n"
        "  items = { { id = \"a\" } } }\n",
        1, "order must be a number (got NaN)"),
    BAD(test_item_id_too_long,
        "return principle { id = \"x\", items = {\n"
        "  { id = (\"a\"):rep(129) } } }\n",
        2, "is not a name (letters, digits, _; at most 128)"),
    /* One 1 MiB prompt, copied for each of 20 items: the engine's C copy
     * would be 20 MiB. */
    BAD(test_principle_too_large,
        "local p = (\"x\"):rep(1 << 20)\n"
        "local items = {}\n"
        "for i = 1, 20 do items[i] = { id = \"i\" .. i, prompt = p } end\n"
        "return principle { id = \"x\", items = items }\n",
        4, "principle 'x' is too large: its items, after lists, detectors "
        "and strings take more than the 16384 KiB of C memory the engine "
        "keeps for all principles (reached at item 'i16')"),
    BAD(test_error_line_is_the_field_without_function,
        "-- header\n"
        "return principle {\n"
        "  id = \"x\",\n"
        "  items = {\n"
        "    { id = \"b\", must = \"yes\" },\n"
        "  },\n"
        "}\n",
        5, "item 'b': item: field 'must' must be a boolean"),
    /* Every kind of mistake at its own line (docs/authoring.md, "When
     * something goes wrong"): a principle's field, an item's unknown
     * field under its functions, a detector's typo, a detector's emit. */
    BAD(test_line_of_principle_field,
        "return principle {\n"
        "  id = \"x\",\n"
        "  order = \"first\",\n"
        "  items = { { id = \"a\" } },\n"
        "}\n",
        3, "field 'order' must be a number (got string)"),
    BAD(test_line_of_unknown_item_field,
        "return principle {\n"
        "  id = \"x\",\n"
        "  items = {\n"
        "    {\n"
        "      id = \"hello\",\n"
        "      mst = true,\n"
        "      prompt = \"Say hello.\",\n"
        "      done = function(c) return c:has(\"agent.greeted\") end,\n"
        "    },\n"
        "  },\n"
        "}\n",
        6, "unknown field 'mst' in item"),
    BAD(test_line_of_detector_typo,
        X_DETECT
        "  detect = {\n"
        "    { on = \"agent.said\", pattern = { \"hello\" }, emit = \"x.y\" },\n"
        "    { on = \"agent.said\", patern = { \"hi\" },\n"
        "      emit = \"x.y\" },\n"
        "  },\n"
        "}\n",
        4, "detector 2: unknown field 'patern' in detector"),
    BAD(test_line_of_detector_emit,
        X_DETECT
        "  detect = {\n"
        "    { on = \"agent.said\", pattern = \"hi\",\n"
        "      emit = \"not a type!\" },\n"
        "  },\n"
        "}\n",
        4, "emit: 'not a type!' is not an event type"),
    /* A table the text does not show (built in a loop): the line of the
     * principle{} call, as before. */
    BAD(test_line_of_built_table,
        "local items = {}\n"
        "for i = 1, 2 do items[i] = { id = \"i\" .. i, must = i } end\n"
        "return principle {\n"
        "  id = \"x\",\n"
        "  items = items,\n"
        "}\n",
        3, "field 'must' must be a boolean (got number)"),
};

static void test_bad_row(void **state)
{
    fixture *f = *state;
    const bad_row *r = f->row;

    check_bad_len(f, r->src, r->len, r->line, r->needle);
}

/* Files. */

static void test_syntax_error(void **state)
{
    fixture *f = *state;
    char buf[1200];

    check_bad(f, "local x = 1\nlocal y = = 2\n", 2,
              "unexpected symbol near '='");
    assert_string_equal(pb_error_text(pb_engine_failure(f->e, 0), buf,
                                      sizeof buf),
                        "bad.lua:2: unexpected symbol near '='");
}

static void test_nul_byte(void **state)
{
    static const char src[] = NUL_SRC;
    fixture *f = *state;

    assert_failed(f, load_len(f, "bad.lua", src, sizeof src - 1), "bad.lua",
                  "NUL byte");
    assert_good_still_works(f);
}

static void test_loop_while_loading(void **state)
{
    fixture *f = *state;

    assert_failed(f,
                  load(f, "bad.lua", "local n = 0\n"
                                     "while true do n = n + 1 end\n"),
                  "bad.lua", "instruction budget exceeded");
    assert_in_range(f->err.line, 1, 2);
    assert_good_still_works(f);
}

/* principle{} and its fields. */

static void test_duplicate_principle_id(void **state)
{
    fixture *f = *state;

    load_ok(f, "first.lua",
            "return principle { id = \"x\", items = { { id = \"a\" } } }\n");
    assert_int_equal(load(f, "second.lua",
                          "-- a copy\n"
                          "\n"
                          "return principle { id = \"x\", "
                          "items = { { id = \"b\" } } }\n"),
                     PB_INPUT);
    assert_error_is(&f->err, "second.lua", 3,
                    "duplicate principle id 'x' (already loaded from "
                    "first.lua)");
    assert_only_failure(f);
    assert_int_equal(pb_engine_nprinciples(f->e), 1);
    assert_int_equal(pb_engine_find_item(f->e, "x.a"), 0);
    assert_int_equal(pb_engine_find_item(f->e, "x.b"), -1);
    assert_good_still_works(f);
}

/* after. */

/* Once said "item '(null)'": the id was read from a stack slot in the
 * same call as item_where(), which pushes. */
static void test_after_cycle_names_item(void **state)
{
    fixture *f = *state;

    assert_int_equal(load(f, "bad.lua", CYCLE_SRC), PB_INPUT);
    if (strstr(f->err.message, "item 'a'") == NULL &&
        strstr(f->err.message, "item 'b'") == NULL)
        fail_msg("cycle message names no item: %s", f->err.message);
}

/* The cycle search walks a chain of any length without recursing. */
static void test_after_cycle_deep(void **state)
{
    fixture *f = *state;

    assert_int_equal(load(f, "deep.lua",
        "local items = { { id = \"i1\", after = \"i30000\" } }\n"
        "for i = 2, 30000 do\n"
        "  items[i] = { id = \"i\" .. i, after = \"i\" .. (i - 1) }\n"
        "end\n"
        "return { id = \"deep\", items = items }\n"), PB_INPUT);
    assert_error_is(&f->err, "deep.lua", 5,
                    "a cycle in after leads back to it");
    assert_good_still_works(f);
}

/* Detectors. */

/*
 * `within` on a detector that follows only a function detector has no
 * event to count from (a function detector has no emit): it must be
 * refused, or get an `after`, never be silently unbounded.
 */
static void test_detector_within_after_fn_detector(void **state)
{
    fixture *f = *state;
    pb_detector_info d;
    pb_status st;

    st = load(f, "bad.lua",
              "return principle { id = \"x\", items = { { id = \"a\" } },\n"
              "  detect = {\n"
              "    { on = \"agent.said\", fn = function() return nil end },\n"
              "    { on = \"customer.said\", pattern = \"yes\",\n"
              "      emit = \"x.yes\", within = 30 } } }\n");
    if (st == PB_INPUT) {
        assert_non_null(strstr(f->err.message, "within"));
        return;
    }
    assert_int_equal(st, PB_OK);
    pb_engine_detector(f->e, 0, 1, &d);
    assert_true(d.within == 30);
    if (d.after == NULL)
        fail_msg("within = 30 counts from no event: it is ignored");
}

/* Tables and lines. */

static void test_plain_table_accepted(void **state)
{
    fixture *f = *state;
    pb_item_info in;

    load_ok(f, "plain.lua",
            "return { id = \"plain\", items = {\n"
            "  { id = \"a\", done = function(case) "
            "return case:has(\"customer.said\") end },\n"
            "} }\n");
    assert_int_equal(pb_engine_nprinciples(f->e), 1);
    assert_good_still_works(f);
    pb_case_item(f->c, (size_t)pb_engine_find_item(f->e, "plain.a"), &in);
    assert_int_equal(in.state, PB_DONE);
}

/* Introspection. */

static void test_principles_in_order_then_load_order(void **state)
{
    static const char *const want[] = { "e", "a", "b", "c", "d" };
    fixture *f = *state;
    pb_principle_info p;
    size_t i, n = 0;

    load_ok(f, "b.lua", "return principle { id = \"b\", order = 20, "
                        "items = { { id = \"i\" } } }\n");
    load_ok(f, "a.lua", "return principle { id = \"a\", order = 10, "
                        "items = { { id = \"i\" }, { id = \"j\" } } }\n");
    load_ok(f, "c.lua", "return principle { id = \"c\", order = 20, "
                        "items = { { id = \"i\" } } }\n");
    load_ok(f, "d.lua", "return principle { id = \"d\", "
                        "items = { { id = \"i\" } } }\n");
    load_ok(f, "e.lua", "return principle { id = \"e\", order = 5.5, "
                        "items = { { id = \"i\" } } }\n");
    assert_int_equal(pb_engine_nprinciples(f->e), 5);
    for (i = 0; i < 5; i++) {
        pb_engine_principle(f->e, i, &p);
        assert_string_equal(p.id, want[i]);
        assert_int_equal(p.first_item, n);
        n += p.nitems;
        assert_int_equal(pb_engine_find_principle(f->e, want[i]), (long)i);
    }
    assert_int_equal(pb_engine_nitems(f->e), 6);
    pb_engine_principle(f->e, 4, &p);
    assert_true(p.order == 100);                 /* the default */
    pb_engine_principle(f->e, 0, &p);
    assert_true(p.order == 5.5);
}

static void test_principle_info(void **state)
{
    fixture *f = *state;
    pb_principle_info p;

    load_ok(f, "p.lua",
            "return principle { id = \"p\", title = \"P\", why = \"Why.\",\n"
            "  order = 1,\n"
            "  applies = function(case) return true end,\n"
            "  items = { { id = \"a\" } },\n"
            "}\n");
    load_ok(f, "q.lua", "return principle { id = \"q\", "
                        "items = { { id = \"a\" } } }\n");
    pb_engine_principle(f->e, 0, &p);
    assert_string_equal(p.id, "p");
    assert_string_equal(p.title, "P");
    assert_string_equal(p.why, "Why.");
    assert_string_equal(p.file, "p.lua");
    assert_int_equal(p.line, 1);                     /* principle{} call */
    assert_int_equal(p.has_applies, 1);
    assert_int_equal(p.ndetectors, 0);
    pb_engine_principle(f->e, 1, &p);
    assert_string_equal(p.title, "q");               /* title defaults */
    assert_null(p.why);
    assert_int_equal(p.has_applies, 0);
}

static const char ITEMS_SRC[] =
    "return principle { id = \"p\", items = {\n"
    "  { id = \"first\", must = true, prompt = \"Do the first thing.\" },\n"
    "  { id = \"order_id\", collects = \"order_id\", after = \"first\" },\n"
    "  { id = \"second\", after = { \"first\", \"order_id\" },\n"
    "    applies = function(case) return true end,\n"
    "    done = function(case) return false end,\n"
    "    violated = function(case) return false end,\n"
    "    prompt = function(case) return \"Computed.\" end },\n"
    "  { id = \"hear_out\" },\n"
    "} }\n";

/* Loads ITEMS_SRC as p.lua and gives the definition of its item ref. */
static void item_def(fixture *f, const char *ref, pb_item_def *out)
{
    long i;

    load_ok(f, "p.lua", ITEMS_SRC);
    i = pb_engine_find_item(f->e, ref);

    if (i < 0)
        fail_msg("no item %s", ref);
    pb_engine_item(f->e, (size_t)i, out);
}

static void test_item_fixed_prompt(void **state)
{
    fixture *f = *state;
    pb_item_def d;

    item_def(f, "p.first", &d);
    assert_string_equal(d.principle, "p");
    assert_string_equal(d.id, "first");
    assert_int_equal(d.must, 1);
    assert_string_equal(d.prompt, "Do the first thing.");
    assert_null(d.collects);
    assert_int_equal(d.nafter, 0);
    assert_int_equal(d.has_applies + d.has_done + d.has_violated +
                     d.has_prompt_fn, 0);
}

static void test_item_functions_and_after(void **state)
{
    fixture *f = *state;
    pb_item_def d;

    item_def(f, "p.second", &d);
    assert_int_equal(d.must, 0);
    assert_int_equal(d.nafter, 2);
    assert_string_equal(d.after[0], "first");
    assert_string_equal(d.after[1], "order_id");
    assert_int_equal(d.has_applies, 1);
    assert_int_equal(d.has_done, 1);
    assert_int_equal(d.has_violated, 1);
    assert_int_equal(d.has_prompt_fn, 1);
    assert_null(d.prompt);
    assert_int_equal(d.line, 6);                     /* done's line */
}

static void test_item_collects_default_prompt(void **state)
{
    fixture *f = *state;
    pb_item_def d;

    item_def(f, "p.order_id", &d);
    assert_string_equal(d.collects, "order_id");
    assert_string_equal(d.prompt, "Ask for the order id.");
    assert_int_equal(d.nafter, 1);
    assert_string_equal(d.after[0], "first");
}

static void test_item_default_prompt_from_id(void **state)
{
    fixture *f = *state;
    pb_item_def d;

    item_def(f, "p.hear_out", &d);
    assert_string_equal(d.prompt, "Hear out.");
    assert_null(d.collects);
}

static void test_detector_info(void **state)
{
    fixture *f = *state;
    pb_principle_info p;
    pb_detector_info d;

    load_ok(f, "d.lua",
            "return principle { id = \"d\", items = { { id = \"a\" } },\n"
            "  detect = {\n"
            "    { on = \"agent.said\", pattern = { \"so what\", "
            "\"just to confirm\" },\n"
            "      emit = \"agent.restated\" },\n"
            "    { on = \"customer.said\", pattern = \"^yes\",\n"
            "      emit = \"customer.confirmed\", within = 30 },\n"
            "    { on = \"customer.said\", pattern = \"ok\", emit = \"x.ok\",\n"
            "      within = 10, after = \"agent.proposed\" },\n"
            "    { on = \"customer.said\",\n"
            "      fn = function(case, ev) return nil end },\n"
            "  } }\n");
    pb_engine_principle(f->e, 0, &p);
    assert_int_equal(p.ndetectors, 4);

    pb_engine_detector(f->e, 0, 0, &d);
    assert_string_equal(d.on, "agent.said");
    assert_string_equal(d.emit, "agent.restated");
    assert_int_equal(d.npatterns, 2);
    assert_string_equal(d.patterns[0], "so what");
    assert_string_equal(d.patterns[1], "just to confirm");
    assert_null(d.after);
    assert_true(d.within == 0);

    pb_engine_detector(f->e, 0, 1, &d);
    assert_int_equal(d.npatterns, 1);
    assert_string_equal(d.patterns[0], "^yes");
    assert_true(d.within == 30);
    assert_string_equal(d.after, "agent.restated");  /* previous emit */

    pb_engine_detector(f->e, 0, 2, &d);
    assert_true(d.within == 10);
    assert_string_equal(d.after, "agent.proposed");  /* explicit */

    pb_engine_detector(f->e, 0, 3, &d);
    assert_string_equal(d.on, "customer.said");
    assert_null(d.emit);
    assert_int_equal(d.npatterns, 0);
    assert_int_equal(d.line, 10);
}

static void test_find_item_and_principle(void **state)
{
    fixture *f = *state;

    load_ok(f, "p.lua", ITEMS_SRC);
    load_ok(f, "good.lua", GOOD_SRC);
    /* Both order 100: load order. */
    assert_int_equal(pb_engine_find_principle(f->e, "p"), 0);
    assert_int_equal(pb_engine_find_principle(f->e, "good"), 1);
    assert_int_equal(pb_engine_find_principle(f->e, "nope"), -1);
    assert_int_equal(pb_engine_find_item(f->e, "p.first"), 0);
    assert_int_equal(pb_engine_find_item(f->e, "p.hear_out"), 3);
    assert_int_equal(pb_engine_find_item(f->e, "good.hear"), 4);
    assert_int_equal(pb_engine_find_item(f->e, "good.first"), -1);
    assert_int_equal(pb_engine_find_item(f->e, "hear"), -1);
    assert_int_equal(pb_engine_find_item(f->e, "good"), -1);
    assert_int_equal(pb_engine_find_item(f->e, ""), -1);
}

/* Folders. */

static void make_dir(fixture *f)
{
    snprintf(f->dir, sizeof f->dir, "/tmp/pb-loader-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        f->dir[0] = '\0';
        fail_msg("mkdtemp failed");
    }
}

static void write_file(const fixture *f, const char *name, const char *src)
{
    char path[512];
    FILE *fp;

    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(src, 1, strlen(src), fp), strlen(src));
    assert_int_equal(fclose(fp), 0);
}

static void test_load_folder_in_name_order(void **state)
{
    fixture *f = *state;
    pb_principle_info p;

    make_dir(f);
    write_file(f, "b.lua", "return principle { id = \"alpha\", "
                           "items = { { id = \"i\" } } }\n");
    write_file(f, "a.lua", "return principle { id = \"zeta\", "
                           "items = { { id = \"i\" } } }\n");
    write_file(f, "notes.txt", "not lua at all {{{\n");
    write_file(f, ".hidden.lua", "not lua at all {{{\n");
    assert_int_equal(pb_engine_load(f->e, f->dir, &f->err), PB_OK);
    assert_int_equal(pb_engine_nfailures(f->e), 0);
    assert_int_equal(pb_engine_nprinciples(f->e), 2);
    pb_engine_principle(f->e, 0, &p);
    assert_string_equal(p.id, "zeta");
    assert_true(ends_with(p.file, "/a.lua"));
    pb_engine_principle(f->e, 1, &p);
    assert_string_equal(p.id, "alpha");
    assert_true(ends_with(p.file, "/b.lua"));
}

static void test_load_folder_records_each_failure(void **state)
{
    fixture *f = *state;
    const pb_error *e1, *e2;

    make_dir(f);
    write_file(f, "1.lua", "return principle { id = \"one\", "
                           "items = { { id = \"i\" } } }\n");
    write_file(f, "2.lua", "-- broken\nlocal x = = 1\n");
    write_file(f, "3.lua", "return principle { id = \"three\", "
                           "items = { { id = \"i\" } } }\n");
    write_file(f, "4.lua", "return 42\n");
    assert_int_equal(pb_engine_load(f->e, f->dir, &f->err), PB_INPUT);
    assert_error_is(&f->err, "/2.lua", 2, "unexpected symbol");
    assert_int_equal(pb_engine_nfailures(f->e), 2);
    e1 = pb_engine_failure(f->e, 0);
    e2 = pb_engine_failure(f->e, 1);
    assert_error_is(e1, "/2.lua", 2, "unexpected symbol");
    assert_error_is(e2, "/4.lua", 1, "(it returned number)");
    assert_int_equal(pb_engine_nprinciples(f->e), 2);
    assert_int_equal(pb_engine_find_principle(f->e, "one"), 0);
    assert_int_equal(pb_engine_find_principle(f->e, "three"), 1);
    assert_good_still_works(f);
}

static void test_load_empty_folder(void **state)
{
    fixture *f = *state;

    make_dir(f);
    assert_failed(f, pb_engine_load(f->e, f->dir, &f->err), f->dir,
                  "no principle files");
}

static void test_load_missing_path(void **state)
{
    fixture *f = *state;

    assert_failed(f, pb_engine_load(f->e, "/nonexistent/pb/x.lua", &f->err),
                  "/nonexistent/pb/x.lua", "cannot open");
    assert_good_still_works(f);
}

/* The C memory cap is for all the principles of an engine: a second
 * file that would cross it is refused, the first stays. */
static void test_memory_for_all_principles(void **state)
{
    fixture *f = *state;
    static const char src[] =
        "local p = (\"x\"):rep(1 << 20)\n"
        "local items = {}\n"
        "for i = 1, 9 do items[i] = { id = \"i\" .. i, prompt = p } end\n"
        "return principle { id = NAME, items = items }\n";
    char buf[sizeof src + 16];
    const char *at = strstr(src, "NAME");

    snprintf(buf, sizeof buf, "%.*s\"one\"%s", (int)(at - src), src,
             at + 4);
    load_ok(f, "one.lua", buf);
    snprintf(buf, sizeof buf, "%.*s\"two\"%s", (int)(at - src), src,
             at + 4);
    assert_int_equal(load(f, "two.lua", buf), PB_INPUT);
    assert_error_is(&f->err, "two.lua", 4, "principle 'two' is too large");
    assert_int_equal(pb_engine_nprinciples(f->e), 1);
    assert_int_equal(pb_engine_find_principle(f->e, "one"), 0);
    assert_good_still_works(f);
}

static void test_load_after_case_is_state(void **state)
{
    fixture *f = *state;

    make_dir(f);
    write_file(f, "x.lua", "return principle { id = \"x\", "
                           "items = { { id = \"i\" } } }\n");
    load_ok(f, "good.lua", GOOD_SRC);
    f->c = pb_case_new(f->e, NULL, NULL, &f->err);
    assert_non_null(f->c);
    assert_int_equal(pb_engine_load(f->e, f->dir, &f->err), PB_STATE);
    assert_int_equal(load(f, "y.lua", "return principle { id = \"y\", "
                                      "items = { { id = \"i\" } } }\n"),
                     PB_STATE);
    assert_int_equal(pb_engine_nprinciples(f->e), 1);
    assert_int_equal(pb_engine_nfailures(f->e), 0);
    /* Once the case is gone, loading works again. */
    pb_case_free(f->c);
    f->c = NULL;
    assert_int_equal(pb_engine_load(f->e, f->dir, &f->err), PB_OK);
    assert_int_equal(pb_engine_nprinciples(f->e), 2);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
#define COUNT(a) (sizeof (a) / sizeof (a)[0])

static const struct CMUnitTest other_tests[] = {
    T(test_syntax_error),
    T(test_nul_byte),
    T(test_loop_while_loading),
    T(test_duplicate_principle_id),
    T(test_after_cycle_names_item),
    T(test_after_cycle_deep),
    T(test_memory_for_all_principles),
    T(test_detector_within_after_fn_detector),
    T(test_plain_table_accepted),
    T(test_principles_in_order_then_load_order),
    T(test_principle_info),
    T(test_item_fixed_prompt),
    T(test_item_functions_and_after),
    T(test_item_collects_default_prompt),
    T(test_item_default_prompt_from_id),
    T(test_detector_info),
    T(test_find_item_and_principle),
    T(test_load_folder_in_name_order),
    T(test_load_folder_records_each_failure),
    T(test_load_empty_folder),
    T(test_load_missing_path),
    T(test_load_after_case_is_state),
};

int main(void)
{
    struct CMUnitTest tests[COUNT(bad_rows) + COUNT(other_tests)];
    size_t i, n = 0;

    /* Each row a test of its own, named after it, the row its state. */
    for (i = 0; i < COUNT(bad_rows); i++) {
        memset(&tests[n], 0, sizeof tests[n]);
        tests[n].name = bad_rows[i].name;
        tests[n].test_func = test_bad_row;
        tests[n].setup_func = setup;
        tests[n].teardown_func = teardown;
        tests[n].initial_state = (void *)&bad_rows[i];
        n++;
    }
    for (i = 0; i < COUNT(other_tests); i++)
        tests[n++] = other_tests[i];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
