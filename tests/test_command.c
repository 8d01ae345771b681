/*
 * test_command.c -- the live command parser: every command, every kind of
 * bad input with the column it names, the closest-command suggestion,
 * the line length limit, and random lines (never a crash, always either
 * a command or a "column N: " message).
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

static const char *kind_name(pb_command_kind k)
{
    switch (k) {
    case PB_CMD_NOTHING: return "nothing";
    case PB_CMD_EVENT: return "event";
    case PB_CMD_CLOSE: return "close";
    case PB_CMD_UNDO: return "undo";
    case PB_CMD_SHOW: return "show";
    case PB_CMD_LOG: return "log";
    case PB_CMD_HELP: return "help";
    case PB_CMD_QUIT: return "quit";
    }
    return "?";
}

/* A parsed command as one line: kind type [name=value...] |text|, plus
 * the due, topic and ref when set. */
static const char *describe(const pb_command *c, char *buf, size_t size)
{
    size_t i, n;

    snprintf(buf, size, "%s", kind_name(c->kind));
    if (c->type)
        snprintf(buf + strlen(buf), size - strlen(buf), " %s", c->type);
    for (i = 0; i < c->nattrs; i++) {
        n = strlen(buf);
        snprintf(buf + n, size - n, " %s=%s", c->attrs[i].name,
                 c->attrs[i].value);
    }
    n = strlen(buf);
    if (c->text)
        snprintf(buf + n, size - n, " |%s|", c->text);
    n = strlen(buf);
    if (c->topic)
        snprintf(buf + n, size - n, " topic=%s", c->topic);
    n = strlen(buf);
    if (c->ref)
        snprintf(buf + n, size - n, " ref=%lu", c->ref);
    return buf;
}

static void parses(const char *line, const char *want)
{
    pb_command c;
    pb_error err;
    char got[512];
    pb_status st;

    memset(&err, 0, sizeof err);
    st = pb_command_parse(line, strlen(line), &c, &err);
    if (st != PB_OK)
        fail_msg("'%s': %s", line, err.message);
    describe(&c, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("'%s':\n  got  %s\n  want %s", line, got, want);
    assert_int_equal(c.column, 0);
}

static void refused(const char *line, size_t len, int column,
                    const char *want)
{
    pb_command c;
    pb_error err;
    char prefix[32];
    pb_status st;

    memset(&err, 0, sizeof err);
    st = pb_command_parse(line, len, &c, &err);
    if (st != PB_INPUT)
        fail_msg("'%s': accepted, want an error at column %d", line,
                 column);
    snprintf(prefix, sizeof prefix, "column %d: ", column);
    if (strncmp(err.message, prefix, strlen(prefix)) != 0 ||
        strstr(err.message, want) == NULL)
        fail_msg("'%s':\n  got  %s\n  want %s...%s", line, err.message,
                 prefix, want);
    assert_int_equal(c.column, column);
    assert_int_equal(c.kind, PB_CMD_NOTHING);
    assert_null(c.type);
    assert_int_equal(c.nattrs, 0);
    assert_string_equal(err.file, "");
    assert_int_equal(err.line, 0);
}

static void test_events(void **state)
{
    static const struct {
        const char *line, *want;
    } t[] = {
        {"c My parcel is a week late!",
         "event customer.said |My parcel is a week late!|"},
        {"customer   hello  there  ", "event customer.said |hello  there|"},
        {"C shouting", "event customer.said |shouting|"},
        {"a Hello, Sam here.", "event agent.said |Hello, Sam here.|"},
        {"say hi", "event agent.said |hi|"},
        {"agent hi", "event agent.said |hi|"},
        {"ask order_id Could I have your order number?",
         "event agent.asked fact=order_id |Could I have your order "
         "number?|"},
        {"ask delivery_address", "event agent.asked fact=delivery_address"},
        {"fact order_id=A-1042", "event fact name=order_id |A-1042|"},
        {"fact problem = parcel stuck in the depot",
         "event fact name=problem |parcel stuck in the depot|"},
        {"fact note=a=b", "event fact name=note |a=b|"},
        {"restate So the parcel has not arrived.",
         "event agent.restated |So the parcel has not arrived.|"},
        {"confirmed", "event customer.confirmed"},
        {"confirmed Yes, exactly.", "event customer.confirmed |Yes, "
         "exactly.|"},
        {"propose A replacement today.",
         "event agent.proposed |A replacement today.|"},
        {"explain First you will get a mail.",
         "event agent.explained |First you will get a mail.|"},
        {"understood", "event customer.understood"},
        {"own", "event agent.owned"},
        {"own I will see this through.",
         "event agent.owned |I will see this through.|"},
        {"commit tomorrow 10:00 I will call you back.",
         "event agent.committed due=tomorrow 10:00 |I will call you "
         "back.|"},
        {"commit in 2h", "event agent.committed due=in 2h"},
        {"commit 2026-12-01T10:00Z refund", "event agent.committed "
         "due=2026-12-01T10:00Z |refund|"},
        {"commit by friday at 9:30 at the latest call",
         "event agent.committed due=by friday at 9:30 at the latest "
         "|call|"},
        {"transfer billing warm", "event case.transferred to=billing "
         "warm=yes"},
        {"transfer billing COLD no time",
         "event case.transferred to=billing warm=no |no time|"},
        {"escalate tier2", "event case.escalated to=tier2"},
        {"escalate tier2 Courier lost it",
         "event case.escalated to=tier2 |Courier lost it|"},
        {"followup in 3 days Check it arrived",
         "event followup.scheduled due=in 3 days |Check it arrived|"},
        {"followup done fixed", "event followup.done outcome=fixed"},
        {"followup done not_fixed still broken",
         "event followup.done outcome=not_fixed |still broken|"},
        {"followup done not-fixed", "event followup.done "
         "outcome=not_fixed"},
        {"followup tomorrow", "event followup.scheduled due=tomorrow"},
        {"abusive", "event customer.abusive"},
        {"abusive You people are useless",
         "event customer.abusive |You people are useless|"},
        {"ack I can hear this is frustrating",
         "event agent.acknowledged |I can hear this is frustrating|"},
        {"acknowledge", "event agent.acknowledged"},
        {"boundary", "event agent.boundary"},
        {"boundary Let's keep this respectful.",
         "event agent.boundary |Let's keep this respectful.|"},
        {"offer a supervisor", "event agent.offered_escalation |a "
         "supervisor|"},
        {"check listen.restate", "event item.checked ref=listen.restate"},
        {"check ask.order_id on the screen",
         "event item.checked ref=ask.order_id |on the screen|"},
        {"skip listen.real_problem customer had to leave",
         "event item.skipped ref=listen.real_problem |customer had to "
         "leave|"},
        {"resolve", "event case.resolved"},
        {"resolve It works now", "event case.resolved |It works now|"},
        {"event agent.checked_understanding",
         "event agent.checked_understanding"},
        {"event x.y a=1 b=\"two words\" the text",
         "event x.y a=1 b=two words |the text|"},
        {"event x.y -- a=1 is text", "event x.y |a=1 is text|"},
        {"event x.y 1+1=2", "event x.y |1+1=2|"},
        {"close", "close case.closed"},
        {"close Thanks for calling", "close case.closed |Thanks for "
         "calling|"},
        {"undo", "undo"},
        {"undo 7", "undo ref=7"},
        {"undo #12", "undo ref=12"},
        {"show", "show"},
        {"log", "log"},
        {"help", "help"},
        {"?", "help"},
        {"help commit", "help topic=commit"},
        {"h c", "help topic=customer"},
        {"quit", "quit"},
        {"q", "quit"},
        {"exit", "quit"},
        {"", "nothing"},
        {"   ", "nothing"},
        {"# a note to self", "nothing"},
        {"c tab\there", "event customer.said |tab here|"},
        {"c caf\xc3\xa9 \xe2\x82\xac 5 \xf0\x9f\x99\x82",
         "event customer.said |caf\xc3\xa9 \xe2\x82\xac 5 "
         "\xf0\x9f\x99\x82|"},
        {"c windows line\r\n", "event customer.said |windows line|"},
        {"c unix line\n", "event customer.said |unix line|"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof t / sizeof *t; i++)
        parses(t[i].line, t[i].want);
}

static void test_bad_input(void **state)
{
    static const struct {
        const char *line;
        int column;
        const char *want;
    } t[] = {
        {"cusotmer hi", 1, "unknown command 'cusotmer': did you mean "
         "'customer'?"},
        {"restat So", 1, "did you mean 'restate'?"},
        {"shwo", 1, "did you mean 'show'?"},
        {"  clsoe", 3, "did you mean 'close'?"},
        {"confirm", 1, "did you mean 'confirmed'?"},
        {"my parcel is late", 1, "start the line with a command: c TEXT"},
        {"x", 1, "unknown command 'x' ("},
        {"c", 2, "customer needs a text"},
        {"c    ", 6, "customer needs a text"},
        {"say", 4, "say needs a text"},
        {"restate", 8, "restate needs a text"},
        {"ask", 4, "ask needs the fact asked for"},
        {"ask order-id?", 5, "'order-id?' is not a fact name"},
        {"fact order_id A-1042", 6, "fact needs name=value"},
        {"fact", 5, "fact needs name=value"},
        {"fact =A-1042", 6, "no fact name before '='"},
        {"fact order id=A-1042", 6, "'order id' is not a fact name"},
        {"fact order_id=", 15, "fact 'order_id' needs a value"},
        {"fact order_id=   ", 18, "fact 'order_id' needs a value"},
        {"commit", 7, "commit needs a due time"},
        {"commit next month I will call", 8, "cannot read the due time "
         "'next month I will call'"},
        {"commit soon", 8, "(try in 2h, tomorrow 10:00"},
        {"followup", 9, "followup needs a due time"},
        {"followup whenever", 10, "cannot read the due time 'whenever'"},
        {"followup done", 14, "say fixed or not_fixed"},
        {"followup done maybe", 15, "say fixed or not_fixed"},
        {"transfer", 9, "transfer needs who to"},
        {"transfer billing", 17, "say warm or cold"},
        {"transfer billing lukewarm", 18, "say warm or cold"},
        {"escalate", 9, "escalate needs who to"},
        {"check", 6, "check needs an item"},
        {"check restate", 7, "'restate' is not an item: principle.item"},
        {"check listen.", 7, "is not an item"},
        {"check .restate", 7, "is not an item"},
        {"check a.b.c", 7, "is not an item"},
        {"skip listen.restate", 20, "skip needs a reason"},
        {"skip", 5, "skip needs an item"},
        {"undo x", 6, "undo takes an event number"},
        {"undo 0", 6, "undo takes an event number"},
        {"undo #", 6, "undo takes an event number"},
        {"undo 99999999999999", 6, "undo takes an event number"},
        {"undo 1 2", 8, "at most one event number"},
        {"show me", 6, "show takes nothing after it"},
        {"quit now", 6, "quit takes nothing after it"},
        {"log 3", 5, "log takes nothing"},
        {"help nothing", 6, "no command 'nothing'"},
        {"help comit", 6, "no command 'comit' (did you mean commit?)"},
        {"help c a", 8, "help takes one command name"},
        {"event", 6, "event needs a type"},
        {"event Not..a.type", 7, "is not an event type"},
        {"event x.y t=5", 11, "attribute 't' is taken"},
        {"event x.y type=a", 11, "attribute 'type' is taken"},
        {"event x.y a=", 13, "attribute 'a' has no value"},
        {"event x.y a=\"open", 13, "no closing quote"},
        {"event x.y a=\"b\"c", 16, "a space must follow"},
        {"event x.y a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9", 43,
         "at most 8 attributes"},
        {"c \x1b[A", 3, "control character 0x1b in the line (an escape "
         "sequence?)"},
        {"c a\x7f", 4, "control character 0x7f"},
        {"c \xff", 3, "not valid UTF-8 (byte 0xff)"},
        {"c caf\xc3", 6, "not valid UTF-8"},
        {"c \xc0\xaf", 3, "not valid UTF-8"},        /* overlong */
        {"c \xed\xa0\x80", 3, "not valid UTF-8"},    /* surrogate */
        {"c \xef\xbf\xbe", 3, "not valid UTF-8"},    /* U+FFFE */
        {"c \xf4\x90\x80\x80", 3, "not valid UTF-8"}, /* past U+10FFFF */
        /* Columns count characters, not bytes. */
        {"c \xc3\xa9\xc3\xa9 \xff", 6, "not valid UTF-8"},
        {"ask \xc3\xa9t\xc3\xa9", 5, "is not a fact name"},
        {"line\nbreak", 5, "control character 0x0a"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof t / sizeof *t; i++)
        refused(t[i].line, strlen(t[i].line), t[i].column, t[i].want);
}

static void test_nul_byte(void **state)
{
    static const char line[] = "c abc\0def";

    (void)state;
    refused(line, sizeof line - 1, 6, "NUL byte 0x00 in the line");
}

static void test_long_lines(void **state)
{
    size_t max = PB_COMMAND_MAX_LINE;
    char *line = malloc(max + 3);
    pb_command c;
    pb_error err;
    char want[64];

    (void)state;
    assert_non_null(line);
    memcpy(line, "c ", 2);
    memset(line + 2, 'x', max + 1 - 2);
    line[max + 1] = '\n';
    line[max + 2] = '\0';
    /* Exactly the limit, with and without its newline. */
    assert_int_equal(pb_command_parse(line, max, &c, &err), PB_OK);
    assert_int_equal(strlen(c.text), max - 2);
    memmove(line + max, "\n", 2);
    assert_int_equal(pb_command_parse(line, max + 1, &c, &err), PB_OK);
    memmove(line + max, "\r\n", 3);
    assert_int_equal(pb_command_parse(line, max + 2, &c, &err), PB_OK);
    /* One byte more. */
    memset(line + 2, 'x', max - 1);
    line[max + 1] = '\0';
    snprintf(want, sizeof want, "line too long: %zu bytes, at most %zu",
             max + 1, max);
    refused(line, max + 1, (int)max + 1, want);
    /* Far more, and a long word for the suggestion. */
    free(line);
    line = malloc(100000);
    assert_non_null(line);
    memset(line, 'q', 99999);
    line[99999] = '\0';
    refused(line, 99999, (int)max + 1, "line too long");
    line[200] = '\0';
    refused(line, 200, 1, "unknown command");
    free(line);
}

/* Every command in the table parses with arguments shaped as its args
 * say, and its name and aliases find it. */
static void test_table(void **state)
{
    size_t i, n = pb_command_count();

    (void)state;
    assert_true(n >= 25);
    assert_null(pb_command_get(n));
    for (i = 0; i < n; i++) {
        const pb_command_info *info = pb_command_get(i);
        char line[256], alias[32];
        const char *a, *sample = "";
        pb_command c;
        pb_error err;

        assert_non_null(info->name);
        assert_non_null(info->aliases);
        assert_non_null(info->summary);
        assert_string_equal(pb_command_lookup(info->name), info->name);
        if (strstr(info->args, "<type>"))
            sample = " x.y";
        else if (strstr(info->args, "<text>"))
            sample = " some text";
        else if (strstr(info->args, "<fact>"))
            sample = " order_id";
        else if (strstr(info->args, "name=value"))
            sample = " order_id=A-1";
        else if (strstr(info->args, "<due>"))
            sample = " tomorrow 10:00";
        else if (strstr(info->args, "warm|cold"))
            sample = " billing warm";
        else if (strstr(info->args, "<to>"))
            sample = " billing";
        else if (strstr(info->args, "<reason>"))
            sample = " listen.restate a reason";
        else if (strstr(info->args, "<item>"))
            sample = " listen.restate";
        snprintf(line, sizeof line, "%s%s", info->name, sample);
        if (pb_command_parse(line, strlen(line), &c, &err) != PB_OK)
            fail_msg("'%s': %s", line, err.message);
        assert_string_equal(c.name, info->name);
        if (info->type && c.kind == PB_CMD_EVENT && strcmp(info->name,
                                                           "event") != 0)
            assert_string_equal(c.type, info->type);
        for (a = info->aliases; *a;) {
            size_t k = strcspn(a, " ");

            snprintf(alias, sizeof alias, "%.*s", (int)k, a);
            assert_string_equal(pb_command_lookup(alias), info->name);
            a += k;
            while (*a == ' ')
                a++;
        }
    }
    assert_string_equal(pb_command_lookup("C"), "customer");
    assert_string_equal(pb_command_lookup("QUIT"), "quit");
    assert_null(pb_command_lookup("custom"));
    assert_null(pb_command_lookup(""));
    assert_null(pb_command_lookup(NULL));
}

static void test_closest(void **state)
{
    static const char *const refs[] = {
        "listen.hear_out", "listen.restate", "listen.real_problem",
        "ask.order_id", "ask.delivery_address", "own.commit",
    };
    size_t n = sizeof refs / sizeof *refs;
    char big[100];

    (void)state;
    assert_int_equal(pb_command_closest("listen.restat", refs, n), 1);
    assert_int_equal(pb_command_closest("LISTEN.RESTATE", refs, n), 1);
    assert_int_equal(pb_command_closest("listne.restate", refs, n), 1);
    assert_int_equal(pb_command_closest("ask.order", refs, n), 3);
    assert_int_equal(pb_command_closest("own.comit", refs, n), 5);
    assert_int_equal(pb_command_closest("explain.propose", refs, n), -1);
    assert_int_equal(pb_command_closest("", refs, n), -1);
    assert_int_equal(pb_command_closest(NULL, refs, n), -1);
    assert_int_equal(pb_command_closest("x", refs, 0), -1);
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(pb_command_closest(big, refs, n), -1);
}

/* A struct used before holds nothing of the earlier line. */
static void test_reuse(void **state)
{
    pb_command c;
    pb_error err;

    (void)state;
    assert_int_equal(pb_command_parse("transfer x warm hi", 18, &c, &err),
                     PB_OK);
    assert_int_equal(c.nattrs, 2);
    assert_int_equal(pb_command_parse("show", 4, &c, NULL), PB_OK);
    assert_int_equal(c.nattrs, 0);
    assert_null(c.text);
    assert_null(c.type);
    assert_int_equal(pb_command_parse("fact x", 6, &c, NULL), PB_INPUT);
    assert_int_equal(c.column, 6);
    assert_int_equal(pb_command_parse(NULL, 0, &c, &err), PB_OK);
    assert_int_equal(c.kind, PB_CMD_NOTHING);
}

/* Random lines made of command words, spaces, '=', '#', quotes, digits
 * and arbitrary bytes: never a crash or an overrun (under ASan), always
 * either a command or a "column N: " message. */
static void test_random(void **state)
{
    static const char *const parts[] = {
        "c", "a", "fact", "commit", "followup", "done", "event", "x.y",
        "undo", "transfer", "warm", "skip", "check", "listen.restate",
        "=", "\"", "#", "tomorrow", "10:00", "in", "2h", " ", "  ", "\t",
        "\xc3\xa9", "\xc3", "\xff", "\x1b", "7", "--", "help", "q",
    };
    unsigned long seed = 12345;
    char line[300];
    int i;

    (void)state;
    for (i = 0; i < 20000; i++) {
        size_t len = 0;
        int k, nparts;
        pb_command c;
        pb_error err;
        pb_status st;

        seed = seed * 6364136223846793005ul + 1442695040888963407ul;
        nparts = (int)(seed >> 60);
        for (k = 0; k < nparts; k++) {
            const char *p;

            seed = seed * 6364136223846793005ul + 1442695040888963407ul;
            if ((seed >> 33) % 8 == 0) {
                line[len++] = (char)(seed >> 41);
                continue;
            }
            p = parts[(seed >> 33) % (sizeof parts / sizeof *parts)];
            if (len + strlen(p) + 1 >= sizeof line)
                break;
            memcpy(line + len, p, strlen(p));
            len += strlen(p);
            if ((seed >> 50) % 2)
                line[len++] = ' ';
        }
        memset(&err, 0, sizeof err);
        st = pb_command_parse(line, len, &c, &err);
        if (st == PB_OK) {
            assert_int_equal(c.column, 0);
            if (c.kind == PB_CMD_EVENT || c.kind == PB_CMD_CLOSE)
                assert_non_null(c.type);
        } else {
            assert_int_equal(st, PB_INPUT);
            assert_true(c.column >= 1);
            assert_memory_equal(err.message, "column ", 7);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_closest),
        cmocka_unit_test(test_reuse),
        cmocka_unit_test(test_random),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
