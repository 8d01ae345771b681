/*
 * test_import.c -- transcripts into scenarios: the plain text and ABCD
 * JSON readers, synthetic and stamped times, every bad input with its
 * exact message, escaping, several conversations, the size caps, and the
 * output read back by the scenario reader (what `playbook check` does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "playbook.h"

#define SAMPLE "tests/fixtures/import/abcd_sample.json"

/* Helpers. */

static pb_import *parse_as(const char *name, const char *src, size_t len,
                           pb_import_format fmt, const char *topic)
{
    pb_import_opts o = { fmt, topic, NULL, NULL, NULL, NULL };
    pb_import *im = NULL;
    pb_error err;
    char buf[1200];

    if (pb_import_parse(name, src, len, &o, &im, &err) != PB_OK)
        fail_msg("unexpected error: %s", pb_error_text(&err, buf,
                                                       sizeof buf));
    assert_non_null(im);
    return im;
}

static pb_import *parse(const char *name, const char *src)
{
    return parse_as(name, src, strlen(src), PB_IMPORT_AUTO, NULL);
}

/* The import error for src, as "file:line: message". */
static const char *error_of(const char *name, const char *src, size_t len,
                            pb_import_format fmt, char *buf, size_t size)
{
    pb_import_opts o = { fmt, NULL, NULL, NULL, NULL, NULL };
    pb_import *im = (pb_import *)&o; /* must come back NULL */
    pb_error err;

    assert_int_equal(pb_import_parse(name, src, len, &o, &im, &err),
                     PB_INPUT);
    assert_null(im);
    return pb_error_text(&err, buf, size);
}

static void expect_error(const char *name, const char *src,
                         pb_import_format fmt, const char *want)
{
    char buf[1200];

    assert_string_equal(error_of(name, src, strlen(src), fmt, buf,
                                 sizeof buf), want);
}

/* Conversation i as XML, in a malloc'd string. */
static char *xml_of(const pb_import *im, size_t i, size_t *len)
{
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    pb_error err;

    assert_non_null(f);
    assert_int_equal(pb_import_write(im, i, f, &err), PB_OK);
    assert_int_equal(fclose(f), 0);
    if (len != NULL)
        *len = n;
    return out;
}

/* Conversation i written and read back by the scenario reader. */
static pb_scenario *scenario_of(const pb_import *im, size_t i)
{
    size_t len;
    char *xml = xml_of(im, i, &len);
    pb_scenario *s = NULL;
    pb_error err;
    char buf[1200];

    if (pb_scenario_parse("out.xml", xml, len, &s, &err) != PB_OK)
        fail_msg("the output does not read back: %s\n%s",
                 pb_error_text(&err, buf, sizeof buf), xml);
    free(xml);
    return s;
}

static void expect_event(const pb_scenario *s, size_t i, double t,
                         const char *type, const char *text)
{
    pb_event_info ev;

    assert_true(i < pb_scenario_nevents(s));
    pb_scenario_event(s, i, &ev, NULL);
    assert_true(ev.t == t);
    assert_string_equal(ev.type, type);
    assert_string_equal(ev.text, text);
    assert_int_equal(ev.nattrs, 0);
}

static const char *fact(const pb_scenario *s, const char *name)
{
    size_t i;
    const char *n, *v;

    for (i = 0; i < pb_scenario_nfacts(s); i++) {
        pb_scenario_fact(s, i, &n, &v, NULL);
        if (strcmp(n, name) == 0)
            return v;
    }
    return NULL;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        fail_msg("cannot open %s (run from the repository root)", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Plain text. */

static void text_turns(void **state)
{
    pb_import *im;
    pb_scenario *s;

    (void)state;
    im = parse("calls/call 7.txt",
               "\n"
               "Customer: My parcel is late.\n"
               "   It was due on Monday.\n"
               "\n"
               "AGENT:   So what I'm hearing is it's late.   \n"
               "customer:Yes\n"
               "action: Looked it up\n"
               "Agent:\n"
               "  Note: the label may be alone on its line\n");
    assert_int_equal(pb_import_count(im), 1);
    assert_string_equal(pb_import_id(im, 0), "call-7");
    assert_int_equal(pb_import_nturns(im, 0), 5);
    s = scenario_of(im, 0);
    assert_string_equal(pb_scenario_id(s), "call-7");
    assert_string_equal(pb_scenario_title(s), "Transcript call 7.txt");
    /* "My parcel is late": the customer's words say delivery */
    assert_string_equal(pb_scenario_topic(s), "delivery");
    assert_null(pb_scenario_channel(s));
    assert_int_equal(pb_scenario_nfacts(s), 0);
    assert_int_equal(pb_scenario_nevents(s), 5);
    /* Each turn 5 s plus 1 s per 15 characters after the one before. */
    expect_event(s, 0, 0, "customer.said",
                 "My parcel is late. It was due on Monday.");   /* 40 */
    expect_event(s, 1, 7, "agent.said",
                 "So what I'm hearing is it's late.");          /* 33 */
    expect_event(s, 2, 14, "customer.said", "Yes");
    expect_event(s, 3, 19, "agent.action", "Looked it up");
    expect_event(s, 4, 24, "agent.said",
                 "Note: the label may be alone on its line");
    pb_scenario_free(s);
    pb_import_free(im);
}

/* 5 s per turn plus 1 s per 15 characters (not bytes) of the turn
 * before, in whole seconds. */
static void text_synthetic_times(void **state)
{
    char src[400];
    pb_import *im;
    pb_scenario *s;
    pb_event_info ev;

    (void)state;
    snprintf(src, sizeof src,
             "Agent: %s\n"
             "Customer: %s\n"
             "Agent: ok\n",
             "12345678901234",                  /* 14 chars: +5 */
             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
             "0123456789abcdef");               /* 31 chars (46 bytes): +7 */
    im = parse("t.txt", src);
    s = scenario_of(im, 0);
    pb_scenario_event(s, 0, &ev, NULL);
    assert_true(ev.t == 0);
    pb_scenario_event(s, 1, &ev, NULL);
    assert_true(ev.t == 5);
    pb_scenario_event(s, 2, &ev, NULL);
    assert_true(ev.t == 12);
    pb_scenario_free(s);
    pb_import_free(im);
}

static void text_stamps(void **state)
{
    pb_import *im;
    pb_scenario *s;
    char *xml;

    (void)state;
    im = parse("t.txt",
               "Agent: before any stamp\n"
               "[00:05] Customer: five\n"
               "Agent: no stamp: same time as the turn before\n"
               "  [not a stamp] continues\n"
               "[1:05.25] Customer: fraction\n"
               "[1:02:03] Agent: an hour in\n"
               "[1:02:03] Customer: equal is fine\n");
    s = scenario_of(im, 0);
    expect_event(s, 0, 0, "agent.said", "before any stamp");
    expect_event(s, 1, 5, "customer.said", "five");
    expect_event(s, 2, 5, "agent.said", "no stamp: same time as the turn "
                 "before [not a stamp] continues");
    expect_event(s, 3, 65.25, "customer.said", "fraction");
    expect_event(s, 4, 3723, "agent.said", "an hour in");
    expect_event(s, 5, 3723, "customer.said", "equal is fine");
    pb_scenario_free(s);
    /* Times are written as the reports show them. */
    xml = xml_of(im, 0, NULL);
    assert_non_null(strstr(xml, "<event t=\"01:05.25\" "));
    assert_non_null(strstr(xml, "<event t=\"1:02:03\" "));
    free(xml);
    pb_import_free(im);
}

/* A first '[' that opens a stamp is text, any other is JSON. */
static void format_auto(void **state)
{
    pb_import *im;

    (void)state;
    im = parse("t", "  \n[00:00] Agent: hi\n");
    assert_int_equal(pb_import_nturns(im, 0), 1);
    pb_import_free(im);
    expect_error("t", "[00:00] Agent: hi\n", PB_IMPORT_JSON,
                 "t: conversation 1: expected a conversation object, found "
                 "a number (the file must be a list of conversations with "
                 "\"original\" turns, as in ABCD)");
    expect_error("t", "[{\"original\": []}]", PB_IMPORT_TEXT,
                 "t:1: text before the first speaker (lines start with "
                 "Agent:, Customer: or Action:)");
    expect_error("t", "Agent: hi\n", PB_IMPORT_JSON,
                 "t:1: not a list of conversations: expected '[' or '{' at "
                 "column 1");
}

/* A byte order mark is skipped; \r\n and a lone \r end lines. */
static void bom_and_line_ends(void **state)
{
    pb_import *im;
    pb_scenario *s;

    (void)state;
    im = parse("t", "\xef\xbb\xbf" "Agent: one\r\nCustomer: two\rAgent: "
               "three\r\n  and more\r\n");
    s = scenario_of(im, 0);
    expect_event(s, 0, 0, "agent.said", "one");
    expect_event(s, 1, 5, "customer.said", "two");
    expect_event(s, 2, 10, "agent.said", "three and more");
    pb_scenario_free(s);
    pb_import_free(im);
    expect_error("t", "\xef\xbb\xbf" "Agent: a\r\nBot: b\r\n",
                 PB_IMPORT_AUTO, "t:2: unknown speaker 'Bot' (Agent, "
                 "Customer or Action; indent a continuation line that "
                 "starts with a word and a colon)");
    expect_error("t", "Agent: a\rCustomer: b\r\r[00:01] c\n",
                 PB_IMPORT_AUTO, "t:4: time stamp without a speaker "
                 "(Agent:, Customer: or Action:)");
}

static void ids(void **state)
{
    pb_import_opts o = { PB_IMPORT_AUTO, "billing", "my-call", NULL, NULL,
                         NULL };
    pb_import *im;
    pb_scenario *s;
    pb_error err;

    (void)state;
    im = parse("/a/b.c/x.y.txt", "Agent: hi\n");
    assert_string_equal(pb_import_id(im, 0), "x-y");
    pb_import_free(im);
    im = parse(".txt", "Agent: hi\n");
    assert_string_equal(pb_import_id(im, 0), "-txt");
    pb_import_free(im);
    im = parse("", "Agent: hi\n");
    assert_string_equal(pb_import_id(im, 0), "transcript");
    pb_import_free(im);
    assert_null(pb_import_id(im = parse("t", "Agent: hi\n"), 1));
    pb_import_free(im);
    assert_int_equal(pb_import_parse("<stdin>", "Agent: hi\n", 10, &o, &im,
                                     &err), PB_OK);
    s = scenario_of(im, 0);
    assert_string_equal(pb_scenario_id(s), "my-call");
    assert_string_equal(pb_scenario_topic(s), "billing");
    pb_scenario_free(s);
    pb_import_free(im);
}

/* A numeric convo_id is a whole number JSON carries exactly: 1.0 is 1,
 * and one json-c would silently cut to 64 bits is an error, named with
 * its conversation, never another conversation's id. */
static void number_ids(void **state)
{
    static const struct {
        const char *id, *want;
    } ok[] = {
        {"1.0", "abcd-1"}, {"1e3", "abcd-1000"}, {"0", "abcd-0"},
        {"9007199254740991", "abcd-9007199254740991"},
        {"9007199254740991.0", "abcd-9007199254740991"},
    };
    static const struct {
        const char *id, *want;
    } bad[] = {
        {"9007199254740992", "is too large (a number may be up to "
                             "9007199254740991; give a larger id as a "
                             "string)"},
        {"9223372036854775807", "is too large"},
        {"99999999999999999999", "is too large"},
        {"1e300", "is too large"},
        {"-3", "is below 0 (give such an id as a string)"},
        {"-99999999999999999999", "is below 0"},
        {"-0.5", "is below 0"},
        {"2.5e-1", "2.5e-1 is not a whole number"},
    };
    char src[200], buf[1200], want[300];
    pb_import *im;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof ok / sizeof *ok; i++) {
        snprintf(src, sizeof src, "[{\"convo_id\": %s, \"original\": "
                 "[[\"agent\", \"hi\"]]}]", ok[i].id);
        im = parse("a.json", src);
        assert_string_equal(pb_import_id(im, 0), ok[i].want);
        pb_import_free(im);
    }
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(src, sizeof src, "[{\"convo_id\": 1, \"original\": "
                 "[[\"agent\", \"hi\"]]}, {\"convo_id\": %s, "
                 "\"original\": [[\"agent\", \"hi\"]]}]", bad[i].id);
        snprintf(want, sizeof want, "a.json: conversation 2: convo_id %s",
                 bad[i].want);
        error_of("a.json", src, strlen(src), PB_IMPORT_AUTO, buf,
                 sizeof buf);
        if (strstr(buf, want) != buf)
            fail_msg("%s: '%s' does not start with '%s'", bad[i].id, buf,
                     want);
    }
}

/* Bad input: exact messages and lines.  Nothing comes back. */

static void text_errors(void **state)
{
    (void)state;
    expect_error("c.txt", "Agent: hi\nBot: hello\n", PB_IMPORT_AUTO,
                 "c.txt:2: unknown speaker 'Bot' (Agent, Customer or "
                 "Action; indent a continuation line that starts with a "
                 "word and a colon)");
    expect_error("c.txt", "Agent: hi\n[00:03] Custmer: hello\n",
                 PB_IMPORT_AUTO, "c.txt:2: unknown speaker 'Custmer' "
                 "(Agent, Customer or Action; indent a continuation line "
                 "that starts with a word and a colon)");
    expect_error("c.txt", "Agent: hi\nCustomer:\n\nAgent: hm\n",
                 PB_IMPORT_AUTO, "c.txt:2: empty turn (a speaker with no "
                 "text)");
    expect_error("c.txt", "Agent: hi\nCustomer:   \t\n", PB_IMPORT_AUTO,
                 "c.txt:2: empty turn (a speaker with no text)");
    expect_error("c.txt", "\n\nhello\nAgent: hi\n", PB_IMPORT_AUTO,
                 "c.txt:3: text before the first speaker (lines start "
                 "with Agent:, Customer: or Action:)");
    expect_error("c.txt", "Agent: hi\n[00:10] hello\n", PB_IMPORT_AUTO,
                 "c.txt:2: time stamp without a speaker (Agent:, Customer: "
                 "or Action:)");
    expect_error("c.txt", "[00:00] Agent: hi\n[1:75] Customer: x\n",
                 PB_IMPORT_AUTO, "c.txt:2: bad time stamp '[1:75]' (mm:ss "
                 "or h:mm:ss)");
    expect_error("c.txt", "[00:00] Agent: hi\n[12] Customer: x\n",
                 PB_IMPORT_AUTO, "c.txt:2: bad time stamp '[12]' (mm:ss "
                 "or h:mm:ss)");
    expect_error("c.txt", "[00:00] Agent: hi\n[99999999999999999999999:00]"
                 " Customer: x\n", PB_IMPORT_AUTO, "c.txt:2: bad time stamp "
                 "'[99999999999999999999999:00]' (mm:ss or h:mm:ss)");
    expect_error("c.txt", "[00:00] Agent: hi\n[1:2:03:04] Customer: x\n",
                 PB_IMPORT_AUTO, "c.txt:2: bad time stamp '[1:2:03:04]' "
                 "(mm:ss or h:mm:ss)");
    expect_error("c.txt",
                 "[00:00] Agent: hi\n"
                 "[00:10] Customer: ten\n"
                 "Agent: no stamp\n"
                 "[00:09.5] Customer: back\n",
                 PB_IMPORT_AUTO, "c.txt:4: time goes backwards: [00:09.5] "
                 "after [00:10] on line 2");
    expect_error("c.txt", "   \n\t\n", PB_IMPORT_AUTO,
                 "c.txt: empty transcript");
    expect_error("c.txt", "", PB_IMPORT_AUTO, "c.txt: empty transcript");
    expect_error("c.txt", "\n\n  note: x\n", PB_IMPORT_TEXT,
                 "c.txt:3: text before the first speaker (lines start "
                 "with Agent:, Customer: or Action:)");
}

static void bad_bytes(void **state)
{
    char buf[1200];
    static const char nul[] = "Agent: hi\nCustomer: h\0i\n";

    (void)state;
    assert_string_equal(error_of("c.txt", nul, sizeof nul - 1,
                                 PB_IMPORT_AUTO, buf, sizeof buf),
                        "c.txt:2: NUL byte (a transcript is text) at "
                        "column 12");
    expect_error("c.txt", "Agent: hi\nCustomer: caf\xe9!\n", PB_IMPORT_AUTO,
                 "c.txt:2: invalid UTF-8 (byte 0xE9) at column 14");
    expect_error("c.txt", "Agent: \xc3\xa9\xc3\xa9\xc0\xaf\n",
                 PB_IMPORT_AUTO,
                 "c.txt:1: invalid UTF-8 (byte 0xC0) at column 10");
    expect_error("c.txt", "Agent: \xed\xa0\x80 surrogate\n", PB_IMPORT_AUTO,
                 "c.txt:1: invalid UTF-8 (byte 0xED) at column 8");
    expect_error("c.txt", "Agent: cut \xe2\x82", PB_IMPORT_AUTO,
                 "c.txt:1: invalid UTF-8 (byte 0xE2) at column 12");
    expect_error("c.txt", "Agent: \x1b[31mred\n", PB_IMPORT_AUTO,
                 "c.txt:1: character U+001B is not allowed in XML at "
                 "column 8");
    expect_error("c.txt", "Agent: \xef\xbf\xbf\n", PB_IMPORT_AUTO,
                 "c.txt:1: character U+FFFF is not allowed in XML at "
                 "column 8");
    /* The same checks apply to JSON, raw and after \u escapes. */
    expect_error("a.json", "[{\"original\": [[\"agent\", \"caf\xe9\"]]}]",
                 PB_IMPORT_AUTO,
                 "a.json:1: invalid UTF-8 (byte 0xE9) at column 30");
    expect_error("a.json", "[{\"original\": [[\"agent\", \"a\\u0000b\"]]}]",
                 PB_IMPORT_AUTO, "a.json: conversation 1 (a-1): turn 1: "
                 "NUL byte (a transcript is text)");
    expect_error("a.json", "[{\"original\": [[\"agent\", \"a\\u0007b\"]]}]",
                 PB_IMPORT_AUTO, "a.json: conversation 1 (a-1): turn 1: "
                 "character U+0007 is not allowed in XML");
    expect_error("a.json", "[{\"original\": [[\"agent\", \"\\uffff\"]]}]",
                 PB_IMPORT_AUTO, "a.json: conversation 1 (a-1): turn 1: "
                 "character U+FFFF is not allowed in XML");
}

static void json_errors(void **state)
{
    (void)state;
    /* Not JSON, and JSON that is not a conversation list. */
    expect_error("a.json", "[{\"convo_id\": 1,\n \"original\": [\n"
                 "  [\"agent\", \"hi\"],]}]", PB_IMPORT_AUTO,
                 "a.json:3: invalid JSON: unexpected character at column "
                 "19");
    expect_error("a.json", "[{\"convo_id\": 1, \"original\": [[\"agent\", "
                 "\"hi\"]]}", PB_IMPORT_AUTO, "a.json:1: invalid JSON: the "
                 "file ends where ',' or ']' after a conversation should "
                 "be (truncated?)");
    expect_error("a.json", "[{\"convo_id\": 1, \"original\": [[\"ag",
                 PB_IMPORT_AUTO, "a.json:1: invalid JSON: the file ends "
                 "inside a value (truncated?)");
    expect_error("a.json", "[{\"original\": [[\"agent\", \"hi\"]]} "
                 "{\"original\": []}]", PB_IMPORT_AUTO, "a.json:1: invalid "
                 "JSON: expected ',' or ']' after a conversation at column "
                 "34");
    expect_error("a.json", "[{\"original\": [[\"agent\", \"hi\"]]}]\n,x",
                 PB_IMPORT_AUTO, "a.json:2: invalid JSON: text after the "
                 "end of the list at column 1");
    expect_error("a.json", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
                 PB_IMPORT_AUTO, "a.json:1: invalid JSON: nested too deeply "
                 "(over 32 levels) at column 34");
    expect_error("a.json", "[]", PB_IMPORT_AUTO,
                 "a.json: no conversations (the list is empty)");
    expect_error("a.json", "[1, 2]", PB_IMPORT_AUTO,
                 "a.json: conversation 1: expected a conversation object, "
                 "found a number (the file must be a list of conversations "
                 "with \"original\" turns, as in ABCD)");
    expect_error("a.json", "\"just a string\"", PB_IMPORT_JSON,
                 "a.json:1: not a list of conversations: expected '[' or "
                 "'{' at column 1");
    expect_error("a.json", "{\"train\": [], \"dev\": []}", PB_IMPORT_AUTO,
                 "a.json: no \"original\" list of [speaker, text] turns "
                 "(not an ABCD conversation)");
    expect_error("a.json", "[{\"convo_id\": 7, \"original\": {}}]",
                 PB_IMPORT_AUTO, "a.json: conversation 1 (abcd-7): no "
                 "\"original\" list of [speaker, text] turns (not an ABCD "
                 "conversation)");
    expect_error("a.json", "[{\"convo_id\": 7.5, \"original\": []}]",
                 PB_IMPORT_AUTO, "a.json: conversation 1: convo_id 7.5 is "
                 "not a whole number (give such an id as a string)");
    expect_error("a.json", "[{\"convo_id\": null, \"original\": []}]",
                 PB_IMPORT_AUTO, "a.json: conversation 1: convo_id is null "
                 "(it must be a number or a string)");
    expect_error("a.json", "[{\"convo_id\": \"../x\", \"original\": []}]",
                 PB_IMPORT_AUTO, "a.json: conversation 1: bad convo_id "
                 "'../x' (letters, digits, _ and -, at most 64)");
    /* Turns. */
    expect_error("a.json", "[{\"convo_id\": 7, \"original\": []}]",
                 PB_IMPORT_AUTO, "a.json: conversation 1 (abcd-7): no "
                 "turns (\"original\" is empty)");
    expect_error("a.json", "{\"original\": [[\"agent\", \"hi\"], "
                 "[\"customer\"]]}", PB_IMPORT_AUTO, "a.json: turn 2: "
                 "expected [speaker, text], found a list that is not a "
                 "pair");
    expect_error("a.json", "{\"original\": [\"agent: hi\"]}",
                 PB_IMPORT_AUTO, "a.json: turn 1: expected [speaker, text], "
                 "found a string");
    expect_error("a.json", "[{\"original\": [[\"agent\", \"hi\"]]},\n"
                 " {\"convo_id\": 9489, \"original\": [[\"agent\", \"hi\"], "
                 "[\"bot\", \"beep\"]]}]", PB_IMPORT_AUTO, "a.json: "
                 "conversation 2 (abcd-9489): turn 2: unknown speaker 'bot' "
                 "(agent, customer or action)");
    expect_error("a.json", "{\"original\": [[null, \"hi\"]]}",
                 PB_IMPORT_AUTO, "a.json: turn 1: the speaker is null "
                 "(agent, customer or action)");
    expect_error("a.json", "{\"original\": [[\"agent\", 42]]}",
                 PB_IMPORT_AUTO, "a.json: turn 1: the text is a number, not "
                 "a string");
    expect_error("a.json", "{\"original\": [[\"agent\", \"hi\"], "
                 "[\"customer\", \"  \\n \"]]}", PB_IMPORT_AUTO,
                 "a.json: turn 2: empty turn (no text)");
    expect_error("a.json", "[{\"convo_id\": 1, \"original\": [[\"agent\", "
                 "\"a\"]]}, {\"convo_id\": \"1\", \"original\": "
                 "[[\"agent\", \"a\"]]}]", PB_IMPORT_AUTO, "a.json: "
                 "conversation 2 (abcd-1): id abcd-1 again (conversation 1 "
                 "has it)");
}

/* HTML and script in utterances come back as the same text, escaped in
 * the file. */
static void escaping(void **state)
{
    static const char nasty[] =
        "<script>alert(\"x\")</script> & <b>bold</b> ]]> &amp; 'q' "
        "<!-- c --> <?pi?> \xe2\x80\xa8 \xf0\x9f\x98\x80";
    char src[400];
    pb_import *im;
    pb_scenario *s;
    char *xml;

    (void)state;
    snprintf(src, sizeof src, "Customer: %s\nAgent: ok\n", nasty);
    im = parse("t", src);
    xml = xml_of(im, 0, NULL);
    assert_null(strstr(xml, "<script"));
    assert_null(strstr(xml, "<b>"));
    assert_null(strstr(xml, "<!-- c"));
    assert_non_null(strstr(xml, "&lt;script&gt;"));
    free(xml);
    s = scenario_of(im, 0);
    expect_event(s, 0, 0, "customer.said", nasty);
    pb_scenario_free(s);
    pb_import_free(im);
    /* The same from JSON, and in the attributes made from it. */
    im = parse("t", "[{\"convo_id\": 1, \"scenario\": {\"flow\": \"a\\\"<b>"
               "&\", \"subflow\": \"x_y\"}, \"original\": [[\"customer\", "
               "\"<script>alert(1)</script>\\r\\nline two\"]]}]");
    s = scenario_of(im, 0);
    expect_event(s, 0, 0, "customer.said",
                 "<script>alert(1)</script>\nline two");
    assert_string_equal(pb_scenario_title(s), "A\"<b>&: x y (abcd-1)");
    assert_string_equal(fact(s, "abcd_flow"), "a\"<b>&");
    pb_scenario_free(s);
    pb_import_free(im);
}

/* ABCD JSON. */

static void abcd_sample(void **state)
{
    static const struct {
        const char *id, *title, *topic, *flow, *subflow;
        size_t nturns;
    } want[] = {
        { "abcd-3592", "Product defect: return size (abcd-3592)", "returns",
          "product_defect", "return_size", 29 },
        { "abcd-9489", "Product defect: refund status (abcd-9489)", "refund",
          "product_defect", "refund_status", 21 },
        { "abcd-3695", "Storewide query: timing (abcd-3695)", "default",
          "storewide_query", "timing_4", 22 },
    };
    size_t len, i;
    char *src = read_all(SAMPLE, &len);
    pb_import *im;
    pb_scenario *s;

    (void)state;
    im = parse_as(SAMPLE, src, len, PB_IMPORT_AUTO, NULL);
    assert_int_equal(pb_import_count(im), 3);
    for (i = 0; i < 3; i++) {
        assert_string_equal(pb_import_id(im, i), want[i].id);
        assert_int_equal(pb_import_nturns(im, i), want[i].nturns);
        s = scenario_of(im, i);
        assert_string_equal(pb_scenario_id(s), want[i].id);
        assert_string_equal(pb_scenario_title(s), want[i].title);
        assert_string_equal(pb_scenario_topic(s), want[i].topic);
        assert_string_equal(pb_scenario_channel(s), "chat");
        /* No customer facts: the agent has to ask for them. */
        assert_int_equal(pb_scenario_nfacts(s), 3);
        assert_string_equal(fact(s, "abcd_flow"), want[i].flow);
        assert_string_equal(fact(s, "abcd_subflow"), want[i].subflow);
        assert_string_equal(fact(s, "root_cause"), want[i].subflow);
        assert_null(fact(s, "order_id"));
        assert_int_equal(pb_scenario_nevents(s), want[i].nturns);
        assert_int_equal(pb_scenario_nexpects(s), 0);
        if (i == 0) {
            expect_event(s, 0, 0, "agent.said", "Hi!");
            expect_event(s, 1, 5, "agent.said", "How can I help you?");
            expect_event(s, 2, 11, "customer.said", "Hi! I need to return "
                         "an item, can you help me with that?");
            expect_event(s, 6, 38, "agent.action", "Account has been "
                         "pulled up for Crystal Minh.");
            expect_event(s, 23, 158, "agent.action",
                         "The manager has been notified.");
        }
        pb_scenario_free(s);
    }
    pb_import_free(im);
    /* --topic wins over the mapping, for every conversation. */
    im = parse_as(SAMPLE, src, len, PB_IMPORT_JSON, "billing");
    for (i = 0; i < 3; i++) {
        s = scenario_of(im, i);
        assert_string_equal(pb_scenario_topic(s), "billing");
        pb_scenario_free(s);
    }
    pb_import_free(im);
    free(src);
}

/* The ABCD flow -> topic map of docs/import.md. */
static void topic_map(void **state)
{
    static const struct {
        const char *flow, *subflow, *topic; /* topic NULL: none */
    } rows[] = {
        { "product_defect", "return_size", "returns" },
        { "product_defect", "return_stain", "returns" },
        { "product_defect", "refund_initiate", "refund" },
        { "product_defect", "refund_status", "refund" },
        { "shipping_issue", "missing", "delivery" },
        { "order_issue", "status_delivery_time", "delivery" },
        { "order_issue", "manage_upgrade", "delivery" },
        { "order_issue", "status_mystery_fee", "billing" },
        { "purchase_dispute", "bad_price_competitor", "billing" },
        { "subscription_inquiry", "status_due_amount", "billing" },
        { "account_access", "recover_password", "account_access" },
        { "manage_account", "manage_change_address", "account_access" },
        { "troubleshoot_site", "slow_speed", "technical" },
        { "single_item_query", "boots_2", "default" },
        { "storewide_query", "timing_4", "default" },
        { "time_travel", "paradox", NULL },
        { NULL, NULL, NULL },
    };
    char src[300];
    size_t i;
    pb_import *im;
    pb_scenario *s;

    (void)state;
    for (i = 0; i < sizeof rows / sizeof *rows; i++) {
        if (rows[i].flow != NULL)
            snprintf(src, sizeof src, "{\"scenario\": {\"flow\": \"%s\", "
                     "\"subflow\": \"%s\"}, \"original\": [[\"agent\", "
                     "\"hi\"]]}", rows[i].flow, rows[i].subflow);
        else
            snprintf(src, sizeof src, "{\"original\": [[\"agent\", "
                     "\"hi\"]]}");
        im = parse("x.json", src);
        s = scenario_of(im, 0);
        if (rows[i].topic == NULL)
            assert_null(pb_scenario_topic(s));
        else
            assert_string_equal(pb_scenario_topic(s), rows[i].topic);
        if (rows[i].flow == NULL) {
            assert_string_equal(pb_scenario_id(s), "x-1");
            assert_string_equal(pb_scenario_title(s), "Conversation x-1");
            assert_int_equal(pb_scenario_nfacts(s), 0);
        }
        pb_scenario_free(s);
        pb_import_free(im);
    }
}

/* Without --topic or an ABCD flow, the topic is the one the customer's
 * words point at clearly; else none, with a note saying why. */
static void topic_inferred(void **state)
{
    static const struct {
        const char *text, *topic, *note;   /* topic NULL: none */
    } rows[] = {
        { "Customer: My parcel never arrived and the tracking is stuck.\n",
          "delivery", "inferred from the customer's words (delivery: "
          "parcel, track, arriv)" },
        { "Customer: I was charged twice on my last bill.\n"
          "Customer: Is there a refund?\n", "billing",
          "inferred from the customer's words (refund: refund; billing: "
          "bill, charged)" },
        /* one each: not clear, so none */
        { "Customer: The parcel came and I was charged for it.\n", NULL,
          "none inferred from the customer's words (delivery: parcel; "
          "billing: charged)" },
        /* the agent's words do not count; nor do cues inside words */
        { "Agent: Let me check your refund and the delivery.\n"
          "Customer: Thanks, the feedback undelivered is fine.\n", NULL,
          "none inferred from the customer's words (no cue)" },
        { "CUSTOMER: I FORGOT MY PASSWORD and I'm locked out\n",
          "account_access", "inferred from the customer's words "
          "(account_access: password, locked out)" },
    };
    pb_import *im;
    pb_scenario *s;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof rows / sizeof *rows; i++) {
        im = parse("call.txt", rows[i].text);
        s = scenario_of(im, 0);
        if (rows[i].topic == NULL) {
            assert_null(pb_scenario_topic(s));
            assert_null(pb_import_topic(im, 0));
        } else {
            assert_string_equal(pb_scenario_topic(s), rows[i].topic);
            assert_string_equal(pb_import_topic(im, 0), rows[i].topic);
            /* the description says so, for the trainer reading it */
            assert_non_null(strstr(pb_scenario_description(s),
                                   rows[i].note));
        }
        assert_string_equal(pb_import_topic_note(im, 0), rows[i].note);
        pb_scenario_free(s);
        pb_import_free(im);
    }
    /* a given topic is taken as it is, with no note */
    im = parse_as("call.txt", rows[0].text, strlen(rows[0].text),
                  PB_IMPORT_AUTO, "billing");
    assert_string_equal(pb_import_topic(im, 0), "billing");
    assert_null(pb_import_topic_note(im, 0));
    pb_import_free(im);
}

static void several_conversations(void **state)
{
    pb_import *im;
    pb_scenario *s;

    (void)state;
    im = parse("many.json",
               "[\n"
               " {\"convo_id\": \"a_1\", \"original\": [[\"customer\", "
               "\"one\"], [\"Agent\", \"two\"]]},\n"
               " {\"original\": [[\"action\", \"three\"]], \"delexed\": "
               "[{\"x\": [1, 2, [3]]}]},\n"
               " {\"convo_id\": 12, \"original\": [[\"agent\", \"four\"]]}\n"
               "]\n");
    assert_int_equal(pb_import_count(im), 3);
    assert_string_equal(pb_import_id(im, 0), "abcd-a_1");
    assert_string_equal(pb_import_id(im, 1), "many-2");
    assert_string_equal(pb_import_id(im, 2), "abcd-12");
    assert_null(pb_import_id(im, 3));
    assert_int_equal(pb_import_nturns(im, 3), 0);
    s = scenario_of(im, 0);
    expect_event(s, 0, 0, "customer.said", "one");
    expect_event(s, 1, 5, "agent.said", "two");
    assert_null(pb_scenario_topic(s));
    assert_string_equal(pb_scenario_channel(s), "chat");
    pb_scenario_free(s);
    s = scenario_of(im, 1);
    expect_event(s, 0, 0, "agent.action", "three");
    pb_scenario_free(s);
    s = scenario_of(im, 2);
    expect_event(s, 0, 0, "agent.said", "four");
    pb_scenario_free(s);
    pb_import_free(im);
}

/* Same input, same bytes. */
static void deterministic(void **state)
{
    size_t len, n1, n2;
    char *src = read_all(SAMPLE, &len), *a, *b;
    pb_import *i1, *i2;

    (void)state;
    i1 = parse_as(SAMPLE, src, len, PB_IMPORT_AUTO, NULL);
    i2 = parse_as(SAMPLE, src, len, PB_IMPORT_AUTO, NULL);
    a = xml_of(i1, 1, &n1);
    b = xml_of(i2, 1, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    free(a);
    free(b);
    pb_import_free(i1);
    pb_import_free(i2);
    free(src);
}

/* Sizes: caps with clear messages, in bounded time. */

static char *repeat_lines(const char *line, size_t total, size_t *len)
{
    size_t n = strlen(line), i;
    char *buf = malloc(total + 1);

    assert_non_null(buf);
    for (i = 0; i + n <= total; i += n)
        memcpy(buf + i, line, n);
    buf[i] = '\0';
    *len = i;
    return buf;
}

static void large_text(void **state)
{
    size_t len;
    char *src, buf[1200];
    clock_t t0 = clock();

    (void)state;
    /* 50 MB of short turns: too many turns. */
    src = repeat_lines("Agent: the same short line, over and over\n",
                       50u * 1000 * 1000, &len);
    assert_string_equal(error_of("big.txt", src, len, PB_IMPORT_AUTO, buf,
                                 sizeof buf),
                        "big.txt:100001: too many turns (over 100000)");
    free(src);
    /* 50 MB of long turns: more text than one scenario holds. */
    src = repeat_lines("Customer: "
                       "Lorem ipsum dolor sit amet, consectetur adipiscing "
                       "elit, sed do eiusmod tempor incididunt ut labore et "
                       "dolore magna aliqua. Ut enim ad minim veniam, quis "
                       "nostrud exercitation ullamco laboris nisi ut aliquip "
                       "ex ea commodo consequat. Duis aute irure dolor in "
                       "reprehenderit in voluptate velit esse cillum dolore "
                       "eu fugiat nulla pariatur.\n", 50u * 1000 * 1000,
                       &len);
    assert_string_equal(error_of("big.txt", src, len, PB_IMPORT_AUTO, buf,
                                 sizeof buf),
                        "big.txt:29851: too long for one scenario (over "
                        "10000000 bytes of text): split the transcript");
    free(src);
    /* Over the file cap. */
    assert_string_equal(error_of("huge.txt", "Agent: x\n",
                                 PB_IMPORT_MAX_BYTES + 1u, PB_IMPORT_AUTO,
                                 buf, sizeof buf),
                        "huge.txt: transcript too large (over 67108864 "
                        "bytes)");
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 30);
}

/* One turn over 1 MiB (engine/case/case.c's limit for an utterance). */
static void long_turn(void **state)
{
    size_t n = (1u << 20) + 1, len;
    char *src = malloc(n + 64), *json, buf[1200];

    (void)state;
    assert_non_null(src);
    len = (size_t)snprintf(src, 64, "Agent: hi\nCustomer: ");
    memset(src + len, 'y', n);
    len += n;
    src[len] = '\0';
    assert_string_equal(error_of("t.txt", src, len, PB_IMPORT_AUTO, buf,
                                 sizeof buf),
                        "t.txt:2: turn too long (over 1048576 bytes)");
    /* Exactly 1 MiB is fine. */
    src[--len] = '\0';
    pb_import_free(parse_as("t.txt", src, len, PB_IMPORT_AUTO, NULL));
    json = malloc(n + 64);
    assert_non_null(json);
    len = (size_t)snprintf(json, 64, "{\"original\": [[\"agent\", \"");
    memset(json + len, 'y', n);
    len += n;
    len += (size_t)snprintf(json + len, 64, "\"]]}");
    assert_string_equal(error_of("t.json", json, len, PB_IMPORT_AUTO, buf,
                                 sizeof buf),
                        "t.json: turn 1: turn too long (over 1048576 "
                        "bytes)");
    free(json);
    free(src);
}

/* A JSON list of about 50 MB imports, one conversation at a time. */
static void large_json(void **state)
{
    static const char conv[] =
        "{\"convo_id\": %zu, \"scenario\": {\"flow\": \"shipping_issue\", "
        "\"subflow\": \"missing\"}, \"original\": [[\"customer\", \"Where "
        "is my parcel?\"], [\"agent\", \"Could I have your order "
        "number?\"], [\"customer\", \"Order ID: 1234567\"]], \"delexed\": "
        "[%s]}";
    char cands[8000], *src;
    size_t len = 0, cap = 52u * 1000 * 1000, i, n = 0, k;
    pb_import *im;
    pb_scenario *s;
    clock_t t0 = clock();

    (void)state;
    /* ABCD's delexed candidate lists are most of its bytes. */
    for (k = 0, cands[0] = '\0'; k < 1000; k++)
        snprintf(cands + strlen(cands), sizeof cands - strlen(cands),
                 "%s%zu", k ? "," : "", 10000 + k);
    src = malloc(cap);
    assert_non_null(src);
    src[len++] = '[';
    while (len < 50u * 1000 * 1000) {
        if (n > 0)
            src[len++] = ',';
        len += (size_t)snprintf(src + len, cap - len, conv, n + 1, cands);
        n++;
    }
    src[len++] = ']';
    assert_true(n < PB_IMPORT_MAX_CONVERSATIONS);
    im = parse_as("big.json", src, len, PB_IMPORT_AUTO, NULL);
    assert_int_equal(pb_import_count(im), n);
    for (i = 0; i < n; i += n - 1) {
        s = scenario_of(im, i);
        assert_string_equal(pb_scenario_topic(s), "delivery");
        expect_event(s, 2, 13, "customer.said", "Order ID: 1234567");
        pb_scenario_free(s);
    }
    pb_import_free(im);
    free(src);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 60);
}

static void too_many(void **state)
{
    size_t len = 0, cap = 8u * 1000 * 1000, n;
    char *src = malloc(cap), buf[1200];

    (void)state;
    assert_non_null(src);
    src[len++] = '[';
    for (n = 0; n <= PB_IMPORT_MAX_CONVERSATIONS; n++)
        len += (size_t)snprintf(src + len, cap - len, "%s{\"convo_id\": %zu, "
                                "\"original\": [[\"agent\", \"hi\"]]}",
                                n ? "," : "", n);
    src[len++] = ']';
    assert_string_equal(error_of("m.json", src, len, PB_IMPORT_AUTO, buf,
                                 sizeof buf),
                        "m.json: conversation 10001: too many conversations "
                        "(over 10000 in one file)");
    free(src);
}

/* json-c spends tens of bytes per value: a conversation of small numbers
 * is refused before it is parsed. */
static void json_values(void **state)
{
    size_t n = 1000u * 1000u + 1, len, i, k;
    char *src = malloc(2 * n + 100), buf[1200];
    pb_import *im;
    clock_t t0 = clock();

    (void)state;
    assert_non_null(src);
    len = (size_t)snprintf(src, 100, "[{\"original\": [[\"agent\", \"x\"]], "
                           "\"delexed\": [");
    for (i = 0; i < n; i++) {
        src[len++] = '0';
        src[len++] = ',';
    }
    memcpy(src + len - 1, "]}]", 3);
    len += 2;
    assert_string_equal(error_of("v.json", src, len, PB_IMPORT_AUTO, buf,
                                 sizeof buf),
                        "v.json: conversation 1: too many JSON values (over "
                        "1000000 in one conversation)");
    free(src);
    /* Commas inside strings are not values, escaped quotes do not end a
     * string, and an escaped backslash does not escape the quote after
     * it: 1.2 million commas in four turns import. */
    src = malloc(4 * (3 * 300000 + 40) + 100);
    assert_non_null(src);
    len = (size_t)snprintf(src, 100, "{\"original\": [");
    for (k = 0; k < 4; k++) {
        len += (size_t)snprintf(src + len, 40, "%s[\"agent\", \"",
                                k ? ", " : "");
        for (i = 0; i < 300000; i++) {
            memcpy(src + len, ",\\\"", 3);
            len += 3;
        }
        memcpy(src + len, "\\\\\"]", 4);
        len += 4;
    }
    memcpy(src + len, "]}", 2);
    len += 2;
    im = parse_as("v.json", src, len, PB_IMPORT_AUTO, NULL);
    assert_int_equal(pb_import_nturns(im, 0), 4);
    pb_import_free(im);
    free(src);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 10);
}

/* Escaping can make the XML outgrow a scenario when the text did not:
 * the write says so and writes nothing. */
static void write_too_large(void **state)
{
    size_t n = 1000 * 1000, len = 0, k;
    char *src = malloc(5 * (n + 16) + 1), *out = NULL, buf[1200];
    pb_import *im;
    pb_error err;
    FILE *f;

    (void)state;
    assert_non_null(src);
    for (k = 0; k < 5; k++) {
        memcpy(src + len, "Agent: ", 7);
        len += 7;
        memset(src + len, '<', n);
        len += n;
        src[len++] = '\n';
    }
    im = parse_as("lt.txt", src, len, PB_IMPORT_AUTO, NULL);
    f = open_memstream(&out, &n);
    assert_non_null(f);
    assert_int_equal(pb_import_write(im, 0, f, &err), PB_INPUT);
    assert_string_equal(pb_error_text(&err, buf, sizeof buf),
                        "lt.txt: conversation lt: too long for one scenario "
                        "(over 10000000 bytes of XML, the scenario limit): "
                        "split the transcript");
    fclose(f);
    assert_int_equal(n, 0);
    free(out);
    pb_import_free(im);
    free(src);
}

static void write_fails(void **state)
{
    pb_import *im = parse("t", "Agent: hi\n");
    FILE *f = fopen("/dev/null", "r");
    pb_error err;
    char buf[1200];

    (void)state;
    assert_non_null(f);
    assert_int_equal(pb_import_write(im, 0, f, &err), PB_IO);
    assert_string_equal(pb_error_text(&err, buf, sizeof buf),
                        "t: conversation t: cannot write the scenario");
    fclose(f);
    assert_int_equal(pb_import_write(im, 1, stdout, &err), PB_INPUT);
    pb_import_free(im);
}

static void options(void **state)
{
    pb_import_opts o = { PB_IMPORT_AUTO, "bad topic", NULL, NULL, NULL,
                         NULL };
    pb_import *im;
    pb_error err;
    char buf[1200];

    (void)state;
    assert_int_equal(pb_import_parse("t", "Agent: hi", 9, &o, &im, &err),
                     PB_INPUT);
    assert_null(im);
    assert_string_equal(pb_error_text(&err, buf, sizeof buf),
                        "t: bad topic 'bad topic' (letters, digits, _ and -)");
    o.topic = NULL;
    o.id = "../etc";
    assert_int_equal(pb_import_parse("t", "Agent: hi", 9, &o, &im, &err),
                     PB_INPUT);
    assert_string_equal(pb_error_text(&err, buf, sizeof buf),
                        "t: bad id '../etc' (letters, digits, _ and -)");
    /* NULL options are the defaults. */
    assert_int_equal(pb_import_parse("t", "Agent: hi", 9, NULL, &im, &err),
                     PB_OK);
    pb_import_free(im);
    assert_int_equal(pb_import_read("tests/fixtures/import/nope.txt", NULL,
                                    &im, &err), PB_IO);
    assert_null(im);
    assert_int_equal(pb_import_read(NULL, NULL, &im, &err), PB_INPUT);
    pb_import_free(NULL);
}

static void read_file(void **state)
{
    pb_import *im = NULL;
    pb_error err;
    pb_scenario *s;

    (void)state;
    assert_int_equal(pb_import_read("tests/fixtures/import/late-parcel.txt",
                                    NULL, &im, &err), PB_OK);
    assert_string_equal(pb_import_id(im, 0), "late-parcel");
    assert_int_equal(pb_import_nturns(im, 0), 9);
    s = scenario_of(im, 0);
    expect_event(s, 1, 16, "agent.said", "I'm sorry about that. So what I'm "
                 "hearing is the parcel hasn't arrived and you need it "
                 "before Saturday.");
    expect_event(s, 5, 41, "agent.action", "Tracking for A-1042: held at "
                 "the depot since Friday.");
    pb_scenario_free(s);
    pb_import_free(im);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_turns),
        cmocka_unit_test(text_synthetic_times),
        cmocka_unit_test(text_stamps),
        cmocka_unit_test(format_auto),
        cmocka_unit_test(bom_and_line_ends),
        cmocka_unit_test(ids),
        cmocka_unit_test(text_errors),
        cmocka_unit_test(bad_bytes),
        cmocka_unit_test(json_errors),
        cmocka_unit_test(number_ids),
        cmocka_unit_test(escaping),
        cmocka_unit_test(abcd_sample),
        cmocka_unit_test(topic_map),
        cmocka_unit_test(topic_inferred),
        cmocka_unit_test(several_conversations),
        cmocka_unit_test(deterministic),
        cmocka_unit_test(large_text),
        cmocka_unit_test(long_turn),
        cmocka_unit_test(large_json),
        cmocka_unit_test(too_many),
        cmocka_unit_test(json_values),
        cmocka_unit_test(write_too_large),
        cmocka_unit_test(write_fails),
        cmocka_unit_test(options),
        cmocka_unit_test(read_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
