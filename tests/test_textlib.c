/*
 * test_textlib.c -- words and examples in the engine (engine/case:
 * textlib.c, detect.c, principle.c): detectors by phrase and by
 * example on real utterances, the evidence each detected event keeps,
 * the IDF over the engine's examples, the `text` library principle code
 * calls, and its budget.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "playbook.h"

typedef struct fixture {
    pb_engine *e;
    pb_case *c;
} fixture;

/* Detectors of every kind; the lines matter (evidence). */
static const char detect_src[] =
    "return principle {\n"                                            /* 1 */
    "  id = 'own', order = 1,\n"                                      /* 2 */
    "  items = { { id = 'a', done = function(c)\n"                    /* 3 */
    "    return c:has('agent.owned') end } },\n"                      /* 4 */
    "  detect = {\n"                                                  /* 5 */
    "    { on = 'agent.said', emit = 'agent.owned',\n"                /* 6 */
    "      words = { 'look into', 'take care of', 'help you with' } },\n"
    "    { on = 'agent.said', emit = 'agent.proposed',\n"             /* 8 */
    "      examples = { 'I have issued you a refund',\n"              /* 9 */
    "                   'Your order has been updated' },\n"           /* 10 */
    "      threshold = 0.5 },\n"                                      /* 11 */
    "    { on = 'agent.said', emit = 'agent.restated',\n"             /* 12 */
    "      words = { { 'let me make sure i understand', need = 4 } },\n"
    "      gap = 3 },\n"                                              /* 14 */
    "    { on = 'customer.said', pattern = 'moron', emit = 'x.rude' },\n"
    "    { on = 'customer.said', words = 'reset password',\n"         /* 16 */
    "      fn = function(case, event)\n"                              /* 17 */
    "        return 'x.reset', { why = 'guarded' }\n"                 /* 18 */
    "      end },\n"                                                  /* 19 */
    "    { on = 'agent.action', fn = function(case, event)\n"         /* 20 */
    "        return 'x.action'\n"                                     /* 21 */
    "      end },\n"                                                  /* 22 */
    "    { on = 'customer.said', emit = 'x.any', pattern = 'zzzz',\n"  /* 23 */
    "      words = 'charged twice',\n"                                /* 24 */
    "      examples = { 'my parcel is late again' } },\n"             /* 25 */
    "  },\n"
    "}\n";

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    pb_error err;

    if (f == NULL || (f->e = pb_engine_new()) == NULL)
        return -1;
    if (pb_engine_load_buffer(f->e, "own.lua", detect_src,
                              strlen(detect_src), &err) != PB_OK) {
        fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.message);
        return -1;
    }
    if ((f->c = pb_case_new(f->e, NULL, NULL, &err)) == NULL)
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

/* Appends one event; returns the type the detectors added right after
 * it (NULL: none), its evidence in *why. */
static const char *say(fixture *f, const char *type, const char *text,
                       pb_evidence *why)
{
    size_t n = pb_case_nevents(f->c);
    pb_event_info ev;
    pb_error err;

    assert_int_equal(pb_case_append(f->c, 1, type, text, NULL, 0, &err),
                     PB_OK);
    if (pb_case_nevents(f->c) == n + 1)
        return NULL;
    pb_case_event(f->c, n + 1, &ev);
    if (why)
        *why = ev.evidence;
    return ev.type;
}

static void test_words_detector(void **state)
{
    fixture *f = *state;
    pb_evidence why;

    assert_string_equal(say(f, "agent.said", "I'll look into that for you",
                            &why), "agent.owned");
    assert_string_equal(why.file, "own.lua");
    assert_int_equal(why.line, 6);
    assert_string_equal(why.kind, "words");
    assert_string_equal(why.match, "look into");
    assert_true(why.score == -1);
    assert_string_equal(say(f, "agent.said", "I can help you with that",
                            &why), "agent.owned");
    assert_string_equal(why.match, "help you with");
    assert_null(say(f, "agent.said", "I can't help you with that", NULL));
    assert_string_equal(say(f, "agent.said", "I'll take care of it for you",
                            &why), "agent.owned");
    assert_string_equal(why.match, "take care of");
    /* need = 4 of 6, with gap 3 */
    assert_string_equal(say(f, "agent.said", "Let me make sure I've got "
                            "this right", &why), "agent.restated");
    assert_int_equal(why.line, 12);
    assert_string_equal(why.match, "let me make sure i understand");
}

static void test_example_detector(void **state)
{
    fixture *f = *state;
    pb_evidence why;

    assert_string_equal(say(f, "agent.said", "Okay I have issued you a "
                            "refund", &why), "agent.proposed");
    assert_string_equal(why.kind, "example");
    assert_string_equal(why.match, "I have issued you a refund");
    assert_int_equal(why.line, 8);
    assert_true(why.score >= 0.5 && why.score <= 1);
    assert_string_equal(say(f, "agent.said", "Your order is updated now",
                            &why), "agent.proposed");
    assert_string_equal(why.match, "Your order has been updated");
    assert_null(say(f, "agent.said", "I haven't issued a refund yet",
                    NULL));
    assert_null(say(f, "agent.said", "What is your order number?", NULL));
}

static void test_guards_and_functions(void **state)
{
    fixture *f = *state;
    pb_evidence why;

    assert_string_equal(say(f, "customer.said", "You are a moron", &why),
                        "x.rude");
    assert_string_equal(why.kind, "pattern");
    assert_string_equal(why.match, "moron");
    assert_int_equal(why.line, 15);
    /* a function guarded by words: the words are the evidence */
    assert_string_equal(say(f, "customer.said", "Can you reset my pasword?",
                            &why), "x.reset");
    assert_string_equal(why.kind, "words");
    assert_string_equal(why.match, "reset password");
    assert_int_equal(why.line, 17);
    assert_null(say(f, "customer.said", "My password is fine", NULL));
    /* a bare function: file and line only */
    assert_string_equal(say(f, "agent.action", "A refund has been made",
                            &why), "x.action");
    assert_string_equal(why.kind, "function");
    assert_null(why.match);
    assert_int_equal(why.line, 20);
}

/* Patterns, words and examples on one detector: any of them fires it,
 * and the evidence names the one that did. */
static void test_combined(void **state)
{
    fixture *f = *state;
    pb_evidence why;

    assert_string_equal(say(f, "customer.said", "I was charged twice!",
                            &why), "x.any");
    assert_string_equal(why.kind, "words");
    assert_int_equal(why.line, 23);
    assert_string_equal(say(f, "customer.said", "The parcel is late again.",
                            &why), "x.any");
    assert_string_equal(why.kind, "example");
    assert_string_equal(say(f, "customer.said", "zzzz", &why), "x.any");
    assert_string_equal(why.kind, "pattern");
    assert_null(say(f, "customer.said", "Nothing of the sort", NULL));
}

static void test_recorded_have_none(void **state)
{
    fixture *f = *state;
    pb_event_info ev;

    say(f, "agent.said", "I'll look into that", NULL);
    pb_case_event(f->c, 0, &ev);
    assert_null(ev.evidence.file);
    assert_null(ev.evidence.match);
    assert_true(ev.evidence.score == -1);
}

/* The `text` library, from principle code: each check raises with what
 * it got, so a failure names itself in the item's error. */
static const char lib_src[] =
    "local function eq(what, got, want)\n"
    "  if got ~= want then\n"
    "    error(what .. ': got ' .. tostring(got) .. ', want ' ..\n"
    "          tostring(want), 2)\n"
    "  end\n"
    "end\n"
    "local function checks()\n"
    "  eq('has', text.has('I can look into that for you', "
    "{ 'look into', 'help with' }), 'look into')\n"
    "  eq('has negated', text.has(\"I can't help with that\", "
    "'help with'), nil)\n"
    "  eq('has need', text.has('let me make sure I got it', "
    "{ { 'let me make sure i understand', need = 4 } }), "
    "'let me make sure i understand')\n"
    "  eq('has gap', text.has('I will personally look', 'will look', 0), "
    "nil)\n"
    "  eq('has gap 1', text.has('I will personally look', 'will look', 1), "
    "'will look')\n"
    "  local s, i = text.similar('Okay, I have issued you a refund', "
    "{ 'Your order has been updated', 'I have issued you a refund' })\n"
    "  eq('similar index', i, 2)\n"
    "  eq('similar score', s > 0.5, true)\n"
    "  s, i = text.similar('nothing alike here', { 'parcel late' })\n"
    "  eq('similar none', s, 0)\n"
    "  eq('similar none index', i, nil)\n"
    "  eq('question ?', text.question('the boots, correct?'), true)\n"
    "  eq('question aux', text.question('Okay, can you tell me more'), "
    "true)\n"
    "  eq('statement', text.question('That is all. Thank you'), false)\n"
    "  local f, n = text.echo('sounds like you ned me to reset your "
    "two-factor authentication?', 'I need to reset my two-factor "
    "authentication')\n"
    "  eq('echo count', n, 4)\n"
    "  eq('echo share', f, 0.8)\n"
    "  f, n = text.echo('so the boots arrived in the wrong colour', "
    "'I ordered a phone case')\n"
    "  eq('echo none', n, 0)\n"
    "  local w = text.words(\"I'll be looking\")\n"
    "  eq('words', table.concat(w, ' '), 'i will be look')\n"
    "  eq('value is', text.value('my order id is 4870952797', "
    "{ 'order id', 'order number' }), '4870952797')\n"
    "  eq('value colon', text.value('Account ID: B3BLRKKZQQ', "
    "'account id'), 'B3BLRKKZQQ')\n"
    "  eq('value label only', text.value('Account: ID B3BLRKKZQQ', "
    "'account'), 'B3BLRKKZQQ')\n"
    "  eq('value none', text.value('I forgot my username like a moron', "
    "'username'), nil)\n"
    "  eq('value phone', text.value('call me on 555 123 4567 please', "
    "'call me on'), '555 123 4567')\n"
    "  eq('value email', text.value('my email = jo@example.com.', "
    "'email'), 'jo@example.com')\n"
    "  eq('value date', text.value('my birthday is March 3rd, 1990', "
    "'birthday'), 'March 3rd, 1990')\n"
    "  eq('shape id', text.shape('LTKOYPMLPU'), 'id')\n"
    "  eq('shape number', text.shape('4870952797'), 'number')\n"
    "  eq('shape email', text.shape('its a@b.com'), 'email')\n"
    "  eq('shape phone', text.shape('555-123-4567'), 'phone')\n"
    "  eq('shape phone spaced', text.shape('my number is 555 123 4567'), "
    "'phone')\n"
    "  eq('shape date', text.shape('2024-03-12'), 'date')\n"
    "  eq('shape date words', text.shape('March 3rd'), 'date')\n"
    "  eq('shape id mixed', text.shape(\"it's A-1042, thanks\"), 'id')\n"
    "  eq('shape sentence', text.shape('That I know!!!'), nil)\n"
    "  eq('shape word', text.shape('like'), nil)\n"
    "  eq('shape empty', text.shape(''), nil)\n"
    "  eq('sentences', table.concat(text.sentences(' That is correct.Is "
    "it 3.5 kg? Yes!! ok...  '), '|'), 'That is correct.|Is it 3.5 kg?|"
    "Yes!!|ok...')\n"
    "  eq('sentences none', #text.sentences('  '), 0)\n"
    "  local l = { 'look into' }\n"
    "  eq('list', text.has('I can look into it', l), 'look into')\n"
    "  l[1] = 'help with'\n"
    "  eq('list changed', text.has('I can look into it', l), nil)\n"
    "  eq('list changed hit', text.has('I can help with it', l), "
    "'help with')\n"
    "  local src = { 'help with', { 'order id|number', need = 2 } }\n"
    "  local ph = text.phrases(src)\n"
    "  src[1] = 'zzz'\n"
    "  eq('phrases', text.has('I can help with it', ph), 'help with')\n"
    "  eq('phrases again', text.has('I can help with it', ph), 'help with')\n"
    "  eq('phrases value', text.value('my order number is 123456', ph), "
    "'123456')\n"
    "  eq('phrases of phrases', text.phrases(ph), ph)\n"
    "  eq('phrases sealed', getmetatable(ph), false)\n"
    "  eq('phrases empty', pcall(text.phrases, {}), false)\n"
    "  eq('phrases bad', pcall(text.phrases, { 'a', 3 }), false)\n"
    "  for i = 1, 16 do text.has('alpha beta gamma ' .. i, 'x') end\n"
    "  text.has('alpha beta gamma', 'x')\n"
    "  for i = 1, 15 do text.has('filler words ' .. i, 'x') end\n"
    "  eq('echo kept', text.echo('alpha beta gamma', 'delta epsilon zeta'), "
    "0)\n"
    "  local long = 'look ' .. string.rep('very ', 20) .. 'closely'\n"
    "  eq('long', text.has('look very closely', { long, 'look' }), "
    "'look')\n"
    "  eq('long again', text.has('look very closely', { long:upper(), "
    "'closely' }), 'closely')\n"
    "  local ok, err = pcall(text.has, 'x', '...')\n"
    "  eq('bad phrase', ok, false)\n"
    "  eq('bad phrase message', tostring(err):find('has no words', 1, "
    "true) ~= nil, true)\n"
    "  ok, err = pcall(text.similar, 'x', {})\n"
    "  eq('empty examples', ok, false)\n"
    "  ok, err = pcall(text.has, 'x', 'y', 9)\n"
    "  eq('bad gap', ok, false)\n"
    "  return true\n"
    "end\n"
    "local loaded = checks()\n"
    "return principle {\n"
    "  id = 'lib', order = 2,\n"
    "  items = {\n"
    "    { id = 'at_load', done = function(c) return loaded end },\n"
    "    { id = 'in_predicate', done = function(c) return checks() end },\n"
    "    { id = 'budget', done = function(c)\n"
    "        local s = string.rep('refund parcel ', 200000)\n"
    "        for i = 1, 1000 do text.has(s, 'parcel refund parcel') end\n"
    "        return true end },\n"
    "  },\n"
    "}\n";

static void test_library(void **state)
{
    fixture *f = *state;
    pb_engine *e = pb_engine_new();
    pb_case *c;
    pb_item_info it;
    pb_error err;
    long i;

    (void)f;
    assert_non_null(e);
    if (pb_engine_load_buffer(e, "lib.lua", lib_src, strlen(lib_src),
                              &err) != PB_OK)
        fail_msg("%s:%d: %s", err.file, err.line, err.message);
    c = pb_case_new(e, NULL, NULL, &err);
    assert_non_null(c);
    assert_int_equal(pb_case_append(c, 1, "customer.said", "hi", NULL, 0,
                                    &err), PB_OK);
    i = pb_engine_find_item(e, "lib.in_predicate");
    pb_case_item(c, (size_t)i, &it);
    if (it.state != PB_DONE)
        fail_msg("in_predicate: %s", it.error ? it.error : "not done");
    i = pb_engine_find_item(e, "lib.at_load");
    pb_case_item(c, (size_t)i, &it);
    assert_int_equal(it.state, PB_DONE);
    /* 1,000 searches of 400,000 words: the budget stops it */
    i = pb_engine_find_item(e, "lib.budget");
    pb_case_item(c, (size_t)i, &it);
    assert_int_equal(it.state, PB_ERROR);
    assert_non_null(strstr(it.error, "instruction budget exceeded"));
    pb_case_free(c);
    pb_engine_free(e);
}

/* The IDF is over every example of the engine: a second principle's
 * examples change the weights of the first's.  Same input, same
 * score. */
static void test_idf_over_engine(void **state)
{
    static const char other[] =
        "return principle { id = 'other', items = { { id = 'a' } },\n"
        "  detect = { { on = 'agent.said', emit = 'x.other', examples = {\n"
        "    'I have a refund for you', 'a refund is on its way',\n"
        "    'your refund', 'the refund was sent' } } } }\n";
    fixture *f = *state;
    pb_engine *e = pb_engine_new();
    pb_evidence one, two;
    fixture g;
    pb_error err;

    assert_non_null(e);
    assert_int_equal(pb_engine_load_buffer(e, "own.lua", detect_src,
                                           strlen(detect_src), &err), PB_OK);
    assert_int_equal(pb_engine_load_buffer(e, "other.lua", other,
                                           strlen(other), &err), PB_OK);
    g.e = e;
    g.c = pb_case_new(e, NULL, NULL, &err);
    assert_non_null(g.c);
    assert_string_equal(say(f, "agent.said", "I issued a refund to you",
                            &one), "agent.proposed");
    assert_string_equal(say(&g, "agent.said", "I issued a refund to you",
                            &two), "agent.proposed");
    /* "refund" is common in the second engine: it weighs less there */
    assert_true(one.score != two.score);
    pb_case_free(g.c);
    g.c = pb_case_new(e, NULL, NULL, &err);
    say(&g, "agent.said", "I issued a refund to you", &one);
    assert_memory_equal(&one.score, &two.score, sizeof one.score);
    pb_case_free(g.c);
    pb_engine_free(e);
}

/* `unless`: once the case has the type, the detector is not run (nor its
 * words looked for); until then it is.  `after` and `within` hold a
 * function detector back as they do a declared one. */
static void test_unless(void **state)
{
    static const char src[] =
        "return principle { id = 'u', items = { { id = 'a' } },\n"
        "  detect = {\n"
        "    { on = 'agent.said', words = 'look into', emit = 'x.owned',\n"
        "      unless = 'x.owned' },\n"
        "    { on = 'customer.said', unless = 'x.thanked',\n"
        "      fn = function(case, event)\n"
        "        if event.text:find('thanks') then return 'x.thanked' end\n"
        "      end },\n"
        "    { on = 'agent.said', after = 'x.thanked', within = 10,\n"
        "      fn = function(case, event) return 'x.after' end } } }\n";
    fixture g;
    pb_error err;

    (void)state;
    g.e = pb_engine_new();
    assert_non_null(g.e);
    if (pb_engine_load_buffer(g.e, "u.lua", src, strlen(src), &err) != PB_OK)
        fail_msg("%s:%d: %s", err.file, err.line, err.message);
    g.c = pb_case_new(g.e, NULL, NULL, &err);
    assert_non_null(g.c);
    assert_string_equal(say(&g, "agent.said", "I'll look into it", NULL),
                        "x.owned");
    assert_null(say(&g, "agent.said", "Let me look into it again", NULL));
    assert_null(say(&g, "customer.said", "hmm", NULL));
    assert_string_equal(say(&g, "customer.said", "thanks", NULL),
                        "x.thanked");
    /* not run again, though it would say so */
    assert_null(say(&g, "customer.said", "thanks again", NULL));
    /* a function with after and within: only 10 s after x.thanked */
    assert_int_equal(pb_case_append(g.c, 5, "agent.said", "ok", NULL, 0,
                                    &err), PB_OK);
    assert_int_equal(pb_case_nevents(g.c), 9);
    assert_int_equal(pb_case_append(g.c, 30, "agent.said", "ok", NULL, 0,
                                    &err), PB_OK);
    assert_int_equal(pb_case_nevents(g.c), 10);
    pb_case_free(g.c);
    pb_engine_free(g.e);
}

/* Detectors on words share the principle's budget with patterns: a
 * 1 MB utterance against many phrases, none of which the index can rule
 * out (two words of three will do), stops with one warning. */
static void test_detector_budget(void **state)
{
    static const char src[] =
        "local words = {}\n"
        "for i = 1, 1000 do\n"
        "  words[i] = { 'parcel refund word' .. i, need = 2 }\n"
        "end\n"
        "return principle { id = 'big', items = { { id = 'a' } },\n"
        "  detect = { { on = 'customer.said', emit = 'x.y', words = words },\n"
        "             { on = 'customer.said', emit = 'x.z',\n"
        "               pattern = 'zzz' } } }\n";
    fixture *f = *state;
    pb_engine *e = pb_engine_new();
    pb_case *c;
    pb_error err;
    char *text = malloc(1 << 20);
    size_t i;

    (void)f;
    assert_non_null(e);
    assert_non_null(text);
    for (i = 0; i + 8 < (1 << 20); i += 7)
        memcpy(text + i, "parcel ", 7);
    text[i] = '\0';
    assert_int_equal(pb_engine_load_buffer(e, "big.lua", src, strlen(src),
                                           &err), PB_OK);
    c = pb_case_new(e, NULL, NULL, &err);
    assert_non_null(c);
    assert_int_equal(pb_case_append(c, 1, "customer.said", text, NULL, 0,
                                    &err), PB_OK);
    assert_int_equal(pb_case_nevents(c), 1);
    assert_int_equal(pb_case_nwarnings(c), 1);
    assert_non_null(strstr(pb_case_warning(c, 0),
                           "words: instruction budget exceeded"));
    pb_case_free(c);
    pb_engine_free(e);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_words_detector, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_example_detector, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_guards_and_functions, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_combined, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recorded_have_none, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_library, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idf_over_engine, setup,
                                        teardown),
        cmocka_unit_test(test_unless),
        cmocka_unit_test_setup_teardown(test_detector_budget, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
