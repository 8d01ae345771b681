/*
 * test_writer.c -- the scenario writer (engine/files/writer.c): which
 * characters a scenario can hold, the two time forms read back exactly,
 * a document byte for byte (escaping, attributes left out, the order the
 * caller gives), read back by the scenario reader, the size limit, and
 * libxml2 running out of memory at every allocation of a document.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>

#include "calltime.h"
#include "playbook.h"
#include "scenario.h"
#include "utf8.h"
#include "writer.h"

static void chars(void **state)
{
    static const struct {
        unsigned long cp;
        int ok;
    } rows[] = {
        {'\t', 1}, {'\n', 1}, {'\r', 1}, {' ', 1}, {'a', 1},
        {0x7f, 1},    /* DEL: XML 1.0 allows it */
        {0x85, 1},    /* a C1 control: allowed too */
        {0xd7ff, 1}, {0xe000, 1}, {0xfffd, 1}, {0x10000, 1}, {0x10ffff, 1},
        {0, 0}, {0x01, 0}, {0x08, 0}, {0x0b, 0}, {0x0c, 0}, {0x1f, 0},
        {0xfffe, 0}, {0xffff, 0}, {PB__UTF8_BAD, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof rows / sizeof *rows; i++)
        if (pb__utf8_xml_char(rows[i].cp) != rows[i].ok)
            fail_msg("U+%04lX: want %d", rows[i].cp, rows[i].ok);
}

static void texts(void **state)
{
    static const char *const good[] = {
        "", "plain", "caf\xc3\xa9 \xe2\x98\x95 \xf0\x9f\x98\x80",
        "tab\tline\nreturn\r", "\xef\xbf\xbd",
    };
    static const char *const bad[] = {
        "\x01", "a\x1b[2J", "\xc0\xaf" /* overlong '/' */,
        "\xe0\x80\xaf" /* overlong, three bytes */,
        "\xed\xa0\x80" /* a surrogate */, "\xed\xbf\xbf",
        "\xf4\x90\x80\x80" /* past U+10FFFF */, "\xef\xbf\xbe" /* U+FFFE */,
        "\xef\xbf\xbf", "cut \xe2\x98", "\xff", "\x80",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof good / sizeof *good; i++)
        if (!pb__utf8_xml_text(good[i]))
            fail_msg("good[%zu] refused", i);
    for (i = 0; i < sizeof bad / sizeof *bad; i++)
        if (pb__utf8_xml_text(bad[i]))
            fail_msg("bad[%zu] taken", i);
}

static void bad_text_message(void **state)
{
    pb_error err;

    (void)state;
    assert_int_equal(pb__writer_bad_text(&err, "fact", "x\x01y"), PB_INPUT);
    assert_string_equal(err.message, "fact 'x\x01y' is not valid UTF-8 "
                        "text for XML (control characters?)");
    pb__writer_bad_text(&err, "event text",
                        "0123456789012345678901234567890123456789XYZ");
    assert_string_equal(err.message, "event text '0123456789012345678901"
                        "234567890123456789...' is not valid UTF-8 text "
                        "for XML (control characters?)");
}

static void seconds_form(void **state)
{
    static const struct {
        double t;
        const char *want;
    } rows[] = {
        {0, "0"}, {12.5, "12.5"}, {0.1, "0.1"}, {1.25, "1.25"},
        {61.123456789, "61.123456789"}, {86400, "86400"},
        {2.0000001, "2.0000001"}, {0.001, "0.001"},
        /* milliseconds, the times of a live call, and what is not */
        {0.005, "0.005"}, {59.999, "59.999"}, {100.01, "100.01"},
        {3600.1, "3600.1"}, {999999999.999, "999999999.999"},
        {0.0005, "0.0005"}, {1e9, "1000000000"},
    };
    char buf[64], again[64];
    double back, t;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof rows / sizeof *rows; i++) {
        assert_string_equal(pb__time_seconds(rows[i].t, buf, sizeof buf),
                            rows[i].want);
        assert_int_equal(pb_time_parse(buf, &back), PB_OK);
        assert_true(back == rows[i].t);
    }
    /* A double that no 15 decimals give exactly is written as the
     * closest, which then reads back and is written the same: what a
     * case file holds after one round is its fixed point. */
    srand(7);
    for (i = 0; i < 20000; i++) {
        t = (double)rand() / RAND_MAX * (i % 2 ? 1e6 : 100);
        pb__time_seconds(t, buf, sizeof buf);
        assert_int_equal(pb_time_parse(buf, &back), PB_OK);
        assert_true(fabs(back - t) < 1e-9 * (t + 1));
        pb__time_seconds(back, again, sizeof again);
        assert_string_equal(again, buf);
        assert_int_equal(pb_time_parse(again, &t), PB_OK);
        assert_true(t == back);
    }
    /* A time in whole milliseconds is its "%.3f" without trailing
     * zeros: the shortest that reads back. */
    for (i = 0; i < 20000; i++) {
        size_t n;

        snprintf(again, sizeof again, "%.3f",
                 (double)(rand() % 100000000) / (i % 3 ? 1000 : 10));
        n = strlen(again);
        while (again[n - 1] == '0')
            again[--n] = '\0';
        if (again[n - 1] == '.')
            again[--n] = '\0';
        assert_int_equal(pb_time_parse(again, &t), PB_OK);
        assert_string_equal(pb__time_seconds(t, buf, sizeof buf), again);
    }
}

static void clock_form(void **state)
{
    static const struct {
        double t;
        const char *want;
    } rows[] = {
        {0, "00:00"}, {5, "00:05"}, {65.25, "01:05.25"},
        {599.5, "09:59.5"}, {3599, "59:59"}, {3600, "1:00:00"},
        {3725.125, "1:02:05.125"}, {36000, "10:00:00"},
        {59.9996, "01:00"}, /* milliseconds, rounded */
    };
    char buf[32];
    double back;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof rows / sizeof *rows; i++) {
        assert_string_equal(pb__time_clock(rows[i].t, buf, sizeof buf),
                            rows[i].want);
        assert_int_equal(pb_time_parse(buf, &back), PB_OK);
        assert_true(back == (double)((long long)(rows[i].t * 1000 + 0.5)) /
                                1000);
    }
}

/* The document of the tests below: every call, once. */
static void sample(pb__writer *w, const char *ns_where)
{
    static const pb_attr attrs[] = {{"due", "tomorrow <10:00> & \"so\""},
                                    {"x-y.z", "it's"}};

    pb__writer_start(w, "scenario");
    if (strcmp(ns_where, "first") == 0)
        pb__writer_attr(w, "xmlns", PB__SCENARIO_NS);
    pb__writer_attr(w, "id", "s-1");
    pb__writer_attr(w, "title", "Fish & <chips>");
    pb__writer_attr(w, "gone", NULL);
    if (strcmp(ns_where, "last") == 0)
        pb__writer_attr(w, "xmlns", PB__SCENARIO_NS);
    pb__writer_element(w, "description", "one\ntwo");
    pb__writer_element(w, "nothing", NULL);
    pb__writer_start(w, "case");
    pb__writer_attr(w, "topic", "delivery");
    pb__writer_attr(w, "channel", NULL);
    pb__writer_fact(w, "order_id", "A-1042 <b>");
    pb__writer_end(w);
    pb__writer_start(w, "events");
    pb__writer_event(w, "0", "customer.said", "caf\xc3\xa9 ]]> \"q\"",
                     NULL, 0);
    pb__writer_event(w, "1.5", "agent.committed", "I will", attrs, 2);
    pb__writer_event(w, "02:00", "agent.action", NULL, NULL, 0);
    pb__writer_end(w);
}

static const char sample_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<scenario xmlns=\"urn:playbook:scenario:1\" id=\"s-1\" "
    "title=\"Fish &amp; &lt;chips&gt;\">\n"
    "  <description>one\ntwo</description>\n"
    "  <case topic=\"delivery\">\n"
    "    <fact name=\"order_id\">A-1042 &lt;b&gt;</fact>\n"
    "  </case>\n"
    "  <events>\n"
    "    <event t=\"0\" type=\"customer.said\">caf\xc3\xa9 ]]&gt; "
    "&quot;q&quot;</event>\n"
    "    <event t=\"1.5\" type=\"agent.committed\" due=\"tomorrow "
    "&lt;10:00&gt; &amp; &quot;so&quot;\" x-y.z=\"it's\">I will</event>\n"
    "    <event t=\"02:00\" type=\"agent.action\"/>\n"
    "  </events>\n"
    "</scenario>\n";

static void document(void **state)
{
    pb__writer *w = pb__writer_new();
    pb_scenario *s;
    pb_event_info ev;
    pb_error err;
    const char *xml, *at;
    size_t len;
    int line;

    (void)state;
    assert_non_null(w);
    sample(w, "first");
    assert_int_equal(pb__writer_finish(w, &xml, &len), PB_OK);
    assert_int_equal(len, strlen(xml));
    assert_string_equal(xml, sample_xml);
    /* what the reader takes */
    assert_int_equal(pb_scenario_parse("w.xml", xml, len, &s, &err), PB_OK);
    assert_string_equal(pb_scenario_title(s), "Fish & <chips>");
    assert_int_equal(pb_scenario_nevents(s), 3);
    pb_scenario_event(s, 1, &ev, &line);
    assert_true(ev.t == 1.5);
    assert_int_equal(ev.nattrs, 2);
    assert_string_equal(ev.attrs[0].value, "tomorrow <10:00> & \"so\"");
    pb_scenario_event(s, 2, &ev, &line);
    assert_true(ev.t == 120);
    pb_scenario_free(s);
    pb__writer_free(w);
    /* The namespace where the caller puts it: case files have it last. */
    w = pb__writer_new();
    sample(w, "last");
    assert_int_equal(pb__writer_finish(w, &xml, &len), PB_OK);
    at = strstr(xml, "<scenario id=\"s-1\" title=\"Fish &amp; "
                "&lt;chips&gt;\" xmlns=\"urn:playbook:scenario:1\">\n");
    assert_non_null(at);
    pb__writer_free(w);
    pb__writer_free(NULL);
}

/* Over PB_SCENARIO_MAX_BYTES: PB_INPUT, found while events are written
 * (the document stops growing) or at the end. */
static void too_large(void **state)
{
    size_t n = 1u << 20, i;
    char *text = malloc(n + 1);
    pb__writer *w;
    const char *xml;
    size_t len;

    (void)state;
    assert_non_null(text);
    memset(text, 'x', n);
    text[n] = '\0';
    /* 17 events of 1 MiB: the end finds it */
    w = pb__writer_new();
    pb__writer_start(w, "events");
    for (i = 0; i < 17; i++)
        pb__writer_event(w, "0", "x.y", text, NULL, 0);
    assert_int_equal(pb__writer_finish(w, &xml, &len), PB_INPUT);
    assert_null(xml);
    assert_int_equal(len, 0);
    pb__writer_free(w);
    /* many events of 64 KiB: found on the way (every 256 events) */
    text[65536] = '\0';
    w = pb__writer_new();
    pb__writer_start(w, "events");
    for (i = 0; i < 2000; i++)
        pb__writer_event(w, "0", "x.y", text, NULL, 0);
    assert_int_equal(pb__writer_finish(w, &xml, &len), PB_INPUT);
    pb__writer_free(w);
    /* just under: taken */
    w = pb__writer_new();
    pb__writer_start(w, "events");
    for (i = 0; i < 15; i++)
        pb__writer_event(w, "0", "x.y", text, NULL, 0);
    assert_int_equal(pb__writer_finish(w, &xml, &len), PB_OK);
    assert_true(len > 15 * 65536);
    pb__writer_free(w);
    free(text);
}

/* libxml2's allocations, failing from the nth on, and the blocks they
 * handed out that are not freed yet. */
static long alloc_left;
static void *live[1024];
static size_t nlive;

static void *track(void *p)
{
    if (p != NULL) {
        assert_true(nlive < sizeof live / sizeof *live);
        live[nlive++] = p;
    }
    return p;
}

static void untrack(void *p)
{
    size_t i;

    for (i = 0; i < nlive; i++)
        if (live[i] == p) {
            live[i] = live[--nlive];
            return;
        }
}

static void t_free(void *p)
{
    untrack(p);
    free(p);
}

static void *t_malloc(size_t n)
{
    return alloc_left-- > 0 ? track(malloc(n)) : NULL;
}

static void *t_realloc(void *p, size_t n)
{
    void *q;

    if (alloc_left-- <= 0)
        return NULL;
    untrack(p);
    if ((q = realloc(p, n)) == NULL) {
        track(p); /* still there */
        return NULL;
    }
    return track(q);
}

static char *t_strdup(const char *s)
{
    return alloc_left-- > 0 ? track(strdup(s)) : NULL;
}

static void quiet(void *ctx, const char *fmt, ...)
{
    (void)ctx;
    (void)fmt;
}

/*
 * Every allocation failing in turn: the writer says PB_NOMEM (or could
 * not be made), never gives a document cut short, and frees what it
 * made.  libxml2 2.9 itself loses an element's stack entry and its name
 * when xmlTextWriterStartElement cannot link them in (it ignores
 * xmlListPushFront's failure): those two blocks are allowed, and freed
 * here so that ASan sees no leak.
 */
static void out_of_memory(void **state)
{
    pb__writer *w;
    const char *xml;
    size_t len;
    long n;
    pb_status st;
    int fails = 0;

    (void)state;
    xmlSetGenericErrorFunc(NULL, quiet); /* libxml2's "out of memory" */
    assert_int_equal(xmlMemSetup(t_free, t_malloc, t_realloc, t_strdup),
                     0);
    for (n = 0;; n++) {
        alloc_left = n;
        nlive = 0;
        if ((w = pb__writer_new()) == NULL) {
            st = PB_NOMEM;
        } else {
            sample(w, "first");
            st = pb__writer_finish(w, &xml, &len);
            if (st == PB_OK)
                assert_string_equal(xml, sample_xml);
            else
                assert_null(xml);
            pb__writer_free(w);
        }
        xmlResetLastError(); /* libxml2 keeps a copy of the message */
        if (st == PB_OK) {
            assert_int_equal(nlive, 0);
            break;
        }
        assert_int_equal(st, PB_NOMEM);
        if (nlive > 2)
            fail_msg("allocation %ld failing: %zu blocks left", n, nlive);
        while (nlive > 0)
            t_free(live[0]);
        fails++;
    }
    alloc_left = 1L << 30;
    assert_true(fails > 5);
    assert_int_equal(xmlMemSetup(free, malloc, realloc, strdup), 0);
    xmlSetGenericErrorFunc(NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chars),
        cmocka_unit_test(texts),
        cmocka_unit_test(bad_text_message),
        cmocka_unit_test(seconds_form),
        cmocka_unit_test(clock_form),
        cmocka_unit_test(document),
        cmocka_unit_test(too_large),
        cmocka_unit_test(out_of_memory),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
