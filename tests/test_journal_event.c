/*
 * test_journal_event.c -- an event as a journal record's payload
 * (engine/files/journal_event.c): the exact JSON written, decoded back
 * to the same event, and every payload that is not one refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal_event.h"
#include "playbook.h"

static char *encode(double t, const char *type, const char *text,
                    const pb_attr *attrs, size_t nattrs, size_t *len)
{
    pb_event_info ev;
    pb_error err;
    char *out;

    memset(&ev, 0, sizeof ev);
    ev.t = t;
    ev.type = type;
    ev.text = text;
    ev.attrs = attrs;
    ev.nattrs = nattrs;
    assert_int_equal(pb__journal_event_encode(&ev, &out, len, &err), PB_OK);
    assert_int_equal(*len, strlen(out));
    return out;
}

static void encoded(void **state)
{
    static const pb_attr attrs[] = {{"due", "tomorrow\n10:00 <&>"},
                                    {"x-y.z", "\"q\" / \\"}};
    char *p;
    size_t len;

    (void)state;
    p = encode(12.5, "customer.said", NULL, NULL, 0, &len);
    assert_string_equal(p, "{\"t\":\"12.5\",\"type\":\"customer.said\"}");
    free(p);
    p = encode(0.1, "agent.committed", "caf\xc3\xa9 \"q\"\t/", attrs, 2,
               &len);
    assert_string_equal(p, "{\"t\":\"0.1\",\"type\":\"agent.committed\","
                        "\"text\":\"caf\xc3\xa9 \\\"q\\\"\\t/\",\"attrs\":"
                        "{\"due\":\"tomorrow\\n10:00 <&>\",\"x-y.z\":"
                        "\"\\\"q\\\" / \\\\\"}}");
    free(p);
}

static void round_trip(void **state)
{
    static const pb_attr attrs[] = {{"due", "tomorrow\n10:00 <&>"},
                                    {"x-y.z", "\"q\" 'a' \t"}};
    static const double times[] = {0, 0.001, 1.1, 2.0000001, 86400.5,
                                   61.123456789};
    /* what the writer escapes (controls, a terminal's escape, DEL,
     * bidi and line separators) reads back as it was */
    static const char text[] = "\xc3\xbcn\xc3\xaf \xf0\x9f\x98\x80 <&>\n\tline"
                               "\x01\x1b[31m\x7f\xe2\x80\xae\xe2\x80\xa8\r\b\f";
    pb__journal_event ev;
    char *p;
    size_t len, i;

    (void)state;
    for (i = 0; i < sizeof times / sizeof *times; i++) {
        p = encode(times[i], "agent.committed", text, attrs, i % 3, &len);
        assert_int_equal(pb__journal_event_decode(p, len, &ev), 0);
        assert_true(ev.t == times[i]);
        assert_string_equal(ev.type, "agent.committed");
        assert_string_equal(ev.text, text);
        assert_int_equal(ev.nattrs, i % 3);
        if (ev.nattrs == 2) {
            assert_string_equal(ev.attrs[0].name, "due");
            assert_string_equal(ev.attrs[0].value, attrs[0].value);
            assert_string_equal(ev.attrs[1].name, "x-y.z");
            assert_string_equal(ev.attrs[1].value, attrs[1].value);
        }
        pb__journal_event_free(&ev);
        free(p);
    }
    /* without text: none comes back */
    p = encode(3, "case.resolved", NULL, NULL, 0, &len);
    assert_int_equal(pb__journal_event_decode(p, len, &ev), 0);
    assert_null(ev.text);
    assert_null(ev.attrs);
    pb__journal_event_free(&ev);
    free(p);
}

static void refused(void **state)
{
    static const char *const bad[] = {
        "",
        "not json",
        "[]",
        "\"a string\"",
        "{\"t\":\"1\",\"type\":\"x.y\"} trailing",
        "{\"t\":\"1\",\"type\":\"x.y\"",           /* cut short */
        "{\"type\":\"x.y\"}",                      /* no t */
        "{\"t\":1,\"type\":\"x.y\"}",              /* t a number */
        "{\"t\":\"soon\",\"type\":\"x.y\"}",       /* t no time */
        "{\"t\":\"-1\",\"type\":\"x.y\"}",
        "{\"t\":\"1\"}",                           /* no type */
        "{\"t\":\"1\",\"type\":null}",
        "{\"t\":\"1\",\"type\":\"x.y\",\"text\":5}",
        "{\"t\":\"1\",\"type\":\"x.y\",\"text\":\"a\\u0000b\"}", /* NUL */
        "{\"t\":\"1\",\"type\":\"x\\u0000y\"}",
        "{\"t\":\"1\",\"type\":\"x.y\",\"attrs\":[]}",
        "{\"t\":\"1\",\"type\":\"x.y\",\"attrs\":{\"k\":1}}",
        "{\"t\":\"1\",\"type\":\"x.y\",\"attrs\":{\"k\":\"a\\u0000\"}}",
    };
    pb__journal_event ev;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        memset(&ev, 0x5a, sizeof ev);
        if (pb__journal_event_decode(bad[i], strlen(bad[i]), &ev) != -1)
            fail_msg("taken: %s", bad[i]);
        assert_null(ev.root);
        assert_null(ev.attrs);
        pb__journal_event_free(&ev); /* harmless on an empty one */
    }
    /* the length counts, not a NUL: the same text one byte short */
    assert_int_equal(pb__journal_event_decode("{\"t\":\"1\",\"type\":\"x\"}",
                                              19, &ev), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encoded),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
