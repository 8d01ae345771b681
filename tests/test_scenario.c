/*
 * test_scenario.c -- scenario files: the format of docs/scenarios.md,
 * every error with its line, and hostile input (entities, bombs, deep
 * nesting, bad encodings, truncation).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "playbook.h"

#define NS "urn:playbook:scenario:1"
#define HEAD "<scenario xmlns=\"" NS "\" id=\"s\">\n"
#define TAIL "</scenario>\n"

/* The format's reference example, verbatim: scenarios written against
 * the published format (docs/scenarios.md) must always read. */
static const char example[] =
    "<scenario xmlns=\"urn:playbook:scenario:1\" id=\"late-parcel\" "
    "title=\"Late parcel\">\n"
    "  <description>Gold customer, parcel a week late, angry."
    "</description>\n"
    "  <case topic=\"delivery\" channel=\"phone\">\n"
    "    <fact name=\"customer_tier\">gold</fact>\n"
    "  </case>\n"
    "  <events>\n"
    "    <event t=\"0\" type=\"customer.said\">My parcel is a week late!"
    "</event>\n"
    "    <event t=\"15\" type=\"agent.restated\">So the parcel ordered on "
    "the 3rd has not arrived.</event>\n"
    "    <event t=\"18\" type=\"customer.confirmed\"/>\n"
    "    <event t=\"30\" type=\"fact\" name=\"order_id\">A-1042</event>\n"
    "  </events>\n"
    "  <expect>\n"
    "    <item ref=\"listen.restate\" state=\"done\"/>\n"
    "    <item ref=\"own.commit\" state=\"open\"/>\n"
    "    <score min=\"0.4\" max=\"1\"/>\n"
    "  </expect>\n"
    "</scenario>\n";

/* Every attempt by libxml2 to load an external entity or DTD lands here. */
static int loads;

static xmlParserInputPtr spy_loader(const char *url, const char *id,
                                    xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    loads++;
    return NULL;
}

static int group_setup(void **state)
{
    (void)state;
    xmlInitParser();
    xmlSetExternalEntityLoader(spy_loader);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    xmlCleanupParser();
    return 0;
}

static pb_scenario *parse_ok(const char *xml)
{
    pb_scenario *s = NULL;
    pb_error err;
    char buf[1100];
    pb_status st;

    memset(&err, 0, sizeof err);
    st = pb_scenario_parse("t.xml", xml, strlen(xml), &s, &err);
    if (st != PB_OK)
        fail_msg("unexpected error: %s", pb_error_text(&err, buf, sizeof buf));
    assert_non_null(s);
    return s;
}

static void check_error_len(const char *xml, size_t len, int line,
                            const char *msg)
{
    pb_scenario *s = (pb_scenario *)&s; /* must come back NULL */
    pb_error err;
    pb_status st;

    memset(&err, 0, sizeof err);
    st = pb_scenario_parse("t.xml", xml, len, &s, &err);
    assert_int_equal(st, PB_INPUT);
    assert_null(s);
    assert_string_equal(err.file, "t.xml");
    assert_string_equal(err.message, msg);
    assert_int_equal(err.line, line);
}

static void check_error(const char *xml, int line, const char *msg)
{
    check_error_len(xml, strlen(xml), line, msg);
}

/* For libxml2's own messages, which belong to libxml2: a prefix. */
static void check_xml_error_len(const char *xml, size_t len, int line,
                                const char *prefix)
{
    pb_scenario *s = NULL;
    pb_error err;

    memset(&err, 0, sizeof err);
    assert_int_equal(pb_scenario_parse("t.xml", xml, len, &s, &err),
                     PB_INPUT);
    assert_null(s);
    assert_string_equal(err.file, "t.xml");
    if (strncmp(err.message, prefix, strlen(prefix)) != 0)
        fail_msg("message '%s' does not start with '%s'", err.message,
                 prefix);
    assert_null(strchr(err.message, '\n'));
    assert_int_equal(err.line, line);
}

static void check_xml_error(const char *xml, int line, const char *prefix)
{
    check_xml_error_len(xml, strlen(xml), line, prefix);
}

/*
 * A table of bad documents, each with the line of its error and the
 * message (BAD), or for libxml2's own messages its start (BAD_LIBXML).
 * The length is the literal's, NUL bytes included.
 */
typedef struct bad_xml {
    const char *xml;
    size_t len;
    int line;
    const char *msg;
    int libxml;
} bad_xml;

#define BAD(xml, line, msg) { xml, sizeof(xml) - 1, line, msg, 0 }
#define BAD_LIBXML(xml, line, prefix) { xml, sizeof(xml) - 1, line, prefix, 1 }
#define COUNT(a) (sizeof (a) / sizeof (a)[0])

static void check_bad_xml(const bad_xml *rows, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (rows[i].libxml)
            check_xml_error_len(rows[i].xml, rows[i].len, rows[i].line,
                                rows[i].msg);
        else
            check_error_len(rows[i].xml, rows[i].len, rows[i].line,
                            rows[i].msg);
    }
}

#define NO_DOCTYPE "DOCTYPE is not allowed in a scenario"
#define ELEM(e, in) "unexpected element <" e "> in <" in ">"
#define ATTR(a, on) "unexpected attribute '" a "' on <" on ">"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* check_error, in under a second. */
static void check_error_fast(const char *xml, int line, const char *msg)
{
    double t0 = now();

    check_error(xml, line, msg);
    assert_true(now() - t0 < 1.0);
}

/* A growable string for generated documents. */
typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void add(text *t, const char *s)
{
    size_t n = strlen(s);

    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
    memcpy(t->s + t->len, s, n + 1);
    t->len += n;
}

static void add_n(text *t, const char *s, size_t times)
{
    while (times-- > 0)
        add(t, s);
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static char *temp_path(void)
{
    static char path[64];
    int fd;

    snprintf(path, sizeof path, "/tmp/pb-scenario-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    return path;
}

/* The format. */

static void test_example(void **state)
{
    pb_scenario *s = parse_ok(example);
    const pb_expect *x;
    pb_event_info ev;
    const char *name, *value;
    int line;

    (void)state;
    assert_string_equal(pb_scenario_path(s), "t.xml");
    assert_string_equal(pb_scenario_id(s), "late-parcel");
    assert_string_equal(pb_scenario_title(s), "Late parcel");
    assert_string_equal(pb_scenario_description(s),
                        "Gold customer, parcel a week late, angry.");
    assert_string_equal(pb_scenario_topic(s), "delivery");
    assert_string_equal(pb_scenario_channel(s), "phone");

    assert_int_equal(pb_scenario_nfacts(s), 1);
    pb_scenario_fact(s, 0, &name, &value, &line);
    assert_string_equal(name, "customer_tier");
    assert_string_equal(value, "gold");
    assert_int_equal(line, 4);

    assert_int_equal(pb_scenario_nevents(s), 4);
    pb_scenario_event(s, 0, &ev, &line);
    assert_true(ev.t == 0);
    assert_string_equal(ev.type, "customer.said");
    assert_string_equal(ev.text, "My parcel is a week late!");
    assert_int_equal(ev.nattrs, 0);
    assert_null(ev.detected_by);
    assert_int_equal(line, 7);
    pb_scenario_event(s, 1, &ev, &line);
    assert_true(ev.t == 15);
    assert_string_equal(ev.type, "agent.restated");
    assert_string_equal(ev.text,
                        "So the parcel ordered on the 3rd has not arrived.");
    assert_int_equal(line, 8);
    pb_scenario_event(s, 2, &ev, &line);
    assert_true(ev.t == 18);
    assert_string_equal(ev.type, "customer.confirmed");
    assert_null(ev.text);
    assert_int_equal(ev.nattrs, 0);
    assert_int_equal(line, 9);
    pb_scenario_event(s, 3, &ev, &line);
    assert_true(ev.t == 30);
    assert_string_equal(ev.type, "fact");
    assert_string_equal(ev.text, "A-1042");
    assert_int_equal(ev.nattrs, 1);
    assert_string_equal(ev.attrs[0].name, "name");
    assert_string_equal(ev.attrs[0].value, "order_id");
    assert_null(ev.detected_by);
    assert_int_equal(line, 10);

    assert_int_equal(pb_scenario_nexpects(s), 3);
    x = pb_scenario_expect(s, 0);
    assert_int_equal(x->kind, PB_EXPECT_ITEM);
    assert_string_equal(x->ref, "listen.restate");
    assert_int_equal(x->state, PB_DONE);
    assert_int_equal(x->line, 13);
    x = pb_scenario_expect(s, 1);
    assert_int_equal(x->kind, PB_EXPECT_ITEM);
    assert_string_equal(x->ref, "own.commit");
    assert_int_equal(x->state, PB_OPEN);
    assert_int_equal(x->line, 14);
    x = pb_scenario_expect(s, 2);
    assert_int_equal(x->kind, PB_EXPECT_SCORE);
    assert_null(x->ref);
    assert_null(x->principle);
    assert_true(x->min == 0.4);
    assert_true(x->max == 1);
    assert_int_equal(x->line, 15);
    assert_null(pb_scenario_expect(s, 3));
    pb_scenario_free(s);
}

/* Who handled the case: <case agent= team=>, optional. */
static void test_agent(void **state)
{
    pb_scenario *s = parse_ok(HEAD "<case topic=\"billing\" agent=\"amira\" "
                              "team=\"north\"/>" TAIL);

    (void)state;
    assert_string_equal(pb_scenario_agent(s), "amira");
    assert_string_equal(pb_scenario_team(s), "north");
    pb_scenario_free(s);
    s = parse_ok(HEAD "<case topic=\"billing\"/>" TAIL);
    assert_null(pb_scenario_agent(s));
    assert_null(pb_scenario_team(s));
    pb_scenario_free(s);
}

static void test_minimal(void **state)
{
    pb_scenario *s = parse_ok("<scenario xmlns=\"" NS "\" id=\"m\"/>");

    (void)state;
    assert_string_equal(pb_scenario_id(s), "m");
    assert_string_equal(pb_scenario_title(s), "m"); /* defaults to id */
    assert_null(pb_scenario_description(s));
    assert_null(pb_scenario_topic(s));
    assert_null(pb_scenario_channel(s));
    assert_int_equal(pb_scenario_nfacts(s), 0);
    assert_int_equal(pb_scenario_nevents(s), 0);
    assert_int_equal(pb_scenario_nexpects(s), 0);
    pb_scenario_free(s);

    s = parse_ok(HEAD "<description>  </description><case/><events/>"
                 "<expect/>" TAIL);
    assert_null(pb_scenario_description(s));
    assert_null(pb_scenario_topic(s));
    assert_int_equal(pb_scenario_nevents(s), 0);
    pb_scenario_free(s);
    pb_scenario_free(NULL);
}

static void test_getters_out_of_range(void **state)
{
    pb_scenario *s = parse_ok(example);
    pb_event_info ev;
    const char *name = "x", *value = "x";
    int line = 7;

    (void)state;
    pb_scenario_event(s, 4, &ev, &line);
    assert_null(ev.type);
    assert_int_equal(line, 0);
    pb_scenario_fact(s, 1, &name, &value, &line);
    assert_null(name);
    assert_null(value);
    pb_scenario_fact(s, 0, NULL, NULL, NULL);
    pb_scenario_event(s, 0, &ev, NULL);
    assert_string_equal(ev.type, "customer.said");
    pb_scenario_free(s);
}

static void test_prefixed_namespace(void **state)
{
    pb_scenario *s = parse_ok(
        "<p:scenario xmlns:p=\"" NS "\" id=\"x\" title=\"T\">"
        "<p:events><p:event type=\"a\"/></p:events></p:scenario>");

    (void)state;
    assert_string_equal(pb_scenario_title(s), "T");
    assert_int_equal(pb_scenario_nevents(s), 1);
    pb_scenario_free(s);
}

static void test_times(void **state)
{
    pb_scenario *s = parse_ok(
        HEAD "<events>\n"
        "<event type=\"a\"/>\n"                 /* 0: first defaults to 0 */
        "<event t=\"0:12\" type=\"b\"/>\n"      /* 12 */
        "<event type=\"c\"/>\n"                 /* previous: 12 */
        "<event t=\"1:05\" type=\"d\"/>\n"      /* 65 */
        "<event t=\"01:05.5\" type=\"e\"/>\n"   /* 65.5 */
        "<event t=\"65.5\" type=\"f\"/>\n"      /* the same time is fine */
        "<event t=\"90:00\" type=\"g\"/>\n"     /* 5400 */
        "<event t=\"1:30:00.25\" type=\"h\"/>\n" /* 5400.25 */
        "</events>\n" TAIL);
    static const double want[] = {0, 12, 12, 65, 65.5, 65.5, 5400, 5400.25};
    pb_event_info ev;
    size_t i;

    (void)state;
    assert_int_equal(pb_scenario_nevents(s), 8);
    for (i = 0; i < 8; i++) {
        pb_scenario_event(s, i, &ev, NULL);
        assert_true(ev.t == want[i]);
    }
    pb_scenario_free(s);
}

static void test_time_parse(void **state)
{
    static const struct {
        const char *text;
        double t;
    } good[] = {
        {"0", 0}, {"12", 12}, {"12.5", 12.5}, {".5", 0.5}, {"007", 7},
        {"0:00", 0}, {"0:59", 59}, {"1:05", 65}, {"12:30", 750},
        {"99:59", 5999}, {"1:05.25", 65.25}, {"0:00:01", 1},
        {"1:00:00", 3600}, {"2:03:04.5", 7384.5}, {"100:00:00", 360000},
        {"0.123456789012345678", 0.123456789012345},
        {"1000000000", 1e9}, {"277777:46:40", 1e9},
    };
    static const char *const bad[] = {
        "", " ", " 1", "1 ", "-1", "+1", "-0", "1e3", "0x10", "nan", "NaN",
        "inf", "-inf", "infinity", "1.", ".", "1..2", "1.2.3", "abc", "1a",
        "1:75", "1:60", "1:5", "1:005", "1:", ":5", "::", "1::05",
        "1:2:03", "1:00:60", "1:60:00", "1:00:00:00", "1.5:30",
        "1:30.5:00", "1:-5", "1,5", "12\n", "\xc2\xbd",
        "1000000000.1", "277777:46:41", "99999999999999999999",
        "1000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000000",
    };
    size_t i;
    double t;

    (void)state;
    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        t = -1;
        if (pb_time_parse(good[i].text, &t) != PB_OK)
            fail_msg("'%s' should parse", good[i].text);
        if (t != good[i].t)
            fail_msg("'%s' gave %.17g", good[i].text, t);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = -1;
        if (pb_time_parse(bad[i], &t) != PB_INPUT)
            fail_msg("'%s' should not parse", bad[i]);
        assert_true(t == -1); /* untouched */
    }
    assert_int_equal(pb_time_parse(NULL, &t), PB_INPUT);
}

static void test_time_format(void **state)
{
    static const struct {
        double t;
        const char *text;
    } rows[] = {
        {0, "00:00"}, {5.5, "00:05.5"}, {59.96, "01:00"}, {3723, "1:02:03"},
        {1e9, "277777:46:40"}, {1e9 + 1, "--:--"}, {-1, "--:--"},
        {9.3e18, "--:--"}, {1.0 / 0.0, "--:--"},
    };
    char buf[32];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_string_equal(pb_time_format(rows[i].t, buf, sizeof buf),
                            rows[i].text);
}

static void test_event_text_and_attrs(void **state)
{
    pb_scenario *s = parse_ok(
        HEAD "<events>\n"
        "<event type=\"say\" to=\"agent\" warm=\"yes\" due=\"\" "
        "outcome=\"a &amp; b &quot;c&quot;\">\n"
        "   Tom &amp; Jerry &lt;3 caf&#233; <!-- not text --> "
        "<?app ignored?><![CDATA[<raw>]]>\n   </event>\n"
        "<event type=\"x\">   \n\t </event>\n"
        "<event type=\"y\"><!-- only a comment --></event>\n"
        "<event type=\"x-1.Y_2\" ref=\"\xe2\x80\x94\">"
        "\xe6\x97\xa5\xe6\x9c\xac</event>\n"
        "</events>\n" TAIL);
    pb_event_info ev;

    (void)state;
    assert_int_equal(pb_scenario_nevents(s), 4);
    pb_scenario_event(s, 0, &ev, NULL);
    assert_string_equal(ev.type, "say");
    assert_string_equal(ev.text, "Tom & Jerry <3 caf\xc3\xa9  <raw>");
    assert_int_equal(ev.nattrs, 4);
    assert_string_equal(ev.attrs[0].name, "to");
    assert_string_equal(ev.attrs[0].value, "agent");
    assert_string_equal(ev.attrs[1].name, "warm");
    assert_string_equal(ev.attrs[1].value, "yes");
    assert_string_equal(ev.attrs[2].name, "due");
    assert_string_equal(ev.attrs[2].value, "");
    assert_string_equal(ev.attrs[3].name, "outcome");
    assert_string_equal(ev.attrs[3].value, "a & b \"c\"");
    pb_scenario_event(s, 1, &ev, NULL);
    assert_null(ev.text);
    pb_scenario_event(s, 2, &ev, NULL);
    assert_null(ev.text);
    pb_scenario_event(s, 3, &ev, NULL);
    assert_string_equal(ev.type, "x-1.Y_2");
    assert_string_equal(ev.text, "\xe6\x97\xa5\xe6\x9c\xac");
    assert_string_equal(ev.attrs[0].value, "\xe2\x80\x94");
    pb_scenario_free(s);
}

static void test_comments_and_pis(void **state)
{
    pb_scenario *s = parse_ok(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<!-- before -->\n<?style x?>\n"
        HEAD "<!-- c --><?pi?>\n"
        "<case><!-- c --><fact name=\"a\"> 1 <!-- c --> </fact></case>\n"
        "<events><!-- c --><?pi?><event type=\"a\"/></events>\n"
        "<expect><!-- c --><next ref=\"a.b\"><!-- c --></next></expect>\n"
        TAIL "<!-- after -->\n");
    const char *value;

    (void)state;
    pb_scenario_fact(s, 0, NULL, &value, NULL);
    assert_string_equal(value, "1");
    assert_int_equal(pb_scenario_nevents(s), 1);
    assert_int_equal(pb_scenario_nexpects(s), 1);
    pb_scenario_free(s);
}

static void test_facts(void **state)
{
    pb_scenario *s = parse_ok(
        HEAD "<case topic=\"\">\n"
        "<fact name=\"a\">  x y  </fact>\n"
        "<fact name=\"b\"/>\n"
        "</case>\n" TAIL);
    const char *name, *value;
    int line;

    (void)state;
    assert_string_equal(pb_scenario_topic(s), "");
    assert_null(pb_scenario_channel(s));
    assert_int_equal(pb_scenario_nfacts(s), 2);
    pb_scenario_fact(s, 0, &name, &value, &line);
    assert_string_equal(value, "x y");
    assert_int_equal(line, 3);
    pb_scenario_fact(s, 1, &name, &value, &line);
    assert_string_equal(name, "b");
    assert_string_equal(value, "");
    assert_int_equal(line, 4);
    pb_scenario_free(s);
}

/* Semantic errors, each with its line. */

/* An event (line 3) at time t, refused. */
#define BAD_TIME(t)                                                         \
    BAD(HEAD "<events>\n<event t=\"" t "\" type=\"a\"/></events>" TAIL, 3,  \
        "bad time '" t "' (seconds, mm:ss or h:mm:ss)")

/* An event (line 3) of type y, refused. */
#define BAD_TYPE(y)                                                         \
    BAD(HEAD "<events>\n<event type=\"" y "\"/></events>" TAIL, 3,          \
        "bad event type '" y "' (dotted words of letters, digits, _ and -)")

static const bad_xml event_errors[] = {
    BAD(HEAD "<events>\n<event t=\"1\"/>\n</events>" TAIL, 3,
        "event without type"),
    BAD(HEAD "<events>\n\n<event type=\"\"/></events>" TAIL, 4,
        "event without type"),
    BAD(HEAD "<events>\n<event t=\"15\" type=\"a\"/>\n"
        "<event t=\"10\" type=\"b\"/>\n</events>" TAIL, 4,
        "time goes backwards: 10 after 15"),
    BAD(HEAD "<events>\n<event t=\"0:15.5\" type=\"a\"/>\n"
        "<event type=\"b\"/>\n<event t=\"15.25\" type=\"c\"/>\n"
        "</events>" TAIL, 5, "time goes backwards: 15.25 after 15.5"),
    BAD_TIME("abc"),
    BAD_TIME("-1"),
    BAD_TIME("1:75"),
    BAD_TIME("nan"),
    BAD_TIME("inf"),
    BAD_TIME(""),
    BAD(HEAD "<events>\n<event type=\"a\">hi <b>there</b></event>"
        "</events>" TAIL, 3, ELEM("b", "event")),
    BAD(HEAD "<events>\n<event type=\"a\" x:y=\"1\" "
        "xmlns:x=\"urn:x\"/></events>" TAIL, 3,
        ATTR("x:y", "event")),
    /* The engine's rule for types, which the schema has too. */
    BAD_TYPE("customer said"),
    BAD_TYPE("caf\xc3\xa9"),
    BAD_TYPE("a..b"),
    BAD_TYPE(".a"),
    BAD_TYPE("a."),
};

static void test_event_errors(void **state)
{
    (void)state;
    check_bad_xml(event_errors, COUNT(event_errors));
}

static const bad_xml structure_errors[] = {
    BAD(HEAD "<events>\n<event type=\"a\"/>\n<evnt type=\"b\"/>\n"
        "</events>" TAIL, 4, ELEM("evnt", "events")),
    BAD(HEAD "<events xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n"
        "<xi:include href=\"/etc/passwd\" parse=\"text\"/>\n"
        "</events>" TAIL, 3,
        ELEM("xi:include", "events")),
    BAD(HEAD "<events>\n<event xmlns=\"urn:other\" type=\"a\"/>\n"
        "</events>" TAIL, 3,
        ELEM("{urn:other}event", "events")),
    BAD(HEAD "<events>\nloose text\n</events>" TAIL, 4,
        "unexpected text in <events>"),
    BAD(HEAD "\n<bogus/>" TAIL, 3, ELEM("bogus", "scenario")),
    BAD(HEAD "<case><topic/></case>" TAIL, 2, ELEM("topic", "case")),
    BAD(HEAD "<case><fact name=\"a\">x<y/></fact></case>" TAIL, 2,
        ELEM("y", "fact")),
    BAD(HEAD "<description>a <b>b</b></description>" TAIL, 2,
        ELEM("b", "description")),
    BAD(HEAD "<case/>\n<case/>" TAIL, 3, "duplicate <case> in <scenario>"),
    BAD(HEAD "<events/>\n<expect/>\n<events/>" TAIL, 4,
        "duplicate <events> in <scenario>"),
    BAD(HEAD "<expect>\n<maybe ref=\"a.b\"/></expect>" TAIL, 3,
        ELEM("maybe", "expect")),
    BAD(HEAD "<expect>\n<item ref=\"a.b\" state=\"done\">x</item>"
        "</expect>" TAIL, 3, "unexpected text in <item>"),
    BAD(HEAD "<expect>\n<next ref=\"a.b\"><item/></next>"
        "</expect>" TAIL, 3, ELEM("item", "next")),
};

static void test_structure_errors(void **state)
{
    (void)state;
    check_bad_xml(structure_errors, COUNT(structure_errors));
}

static const bad_xml attribute_errors[] = {
    BAD("<scenario xmlns=\"" NS "\" id=\"s\" titel=\"x\"/>", 1,
        ATTR("titel", "scenario")),
    BAD("<scenario xmlns=\"" NS "\" xmlns:x=\"urn:x\" id=\"s\" "
        "x:id=\"y\"/>", 1, ATTR("x:id", "scenario")),
    BAD(HEAD "<case topic=\"a\" mood=\"b\"/>" TAIL, 2, ATTR("mood", "case")),
    BAD(HEAD "<case>\n<fact name=\"a\" value=\"b\"/></case>" TAIL, 3,
        ATTR("value", "fact")),
    BAD(HEAD "<events n=\"1\"/>" TAIL, 2, ATTR("n", "events")),
    BAD(HEAD "<expect x=\"1\"/>" TAIL, 2, ATTR("x", "expect")),
    BAD(HEAD "<description lang=\"en\"/>" TAIL, 2,
        ATTR("lang", "description")),
    BAD(HEAD "<expect><item ref=\"a.b\" state=\"done\" t=\"1\"/>"
        "</expect>" TAIL, 2, ATTR("t", "item")),
    BAD(HEAD "<expect><score ref=\"a\"/></expect>" TAIL, 2,
        ATTR("ref", "score")),
    BAD(HEAD "<expect><next ref=\"a.b\" state=\"open\"/></expect>" TAIL, 2,
        ATTR("state", "next")),
    BAD(HEAD "<case>\n<fact>x</fact></case>" TAIL, 3, "fact without name"),
    BAD(HEAD "<case agent=\"\"/>" TAIL, 2, "an empty agent or team"),
    BAD(HEAD "<case agent=\"a\" team=\"\"/>" TAIL, 2,
        "an empty agent or team"),
    BAD(HEAD "<case>\n<fact name=\"\">x</fact></case>" TAIL, 3,
        "fact without name"),
    BAD("<scenario xmlns=\"" NS "\" title=\"t\"/>", 1, "scenario without id"),
    BAD("<scenario xmlns=\"" NS "\" id=\"\"/>", 1, "scenario without id"),
};

static void test_attribute_errors(void **state)
{
    (void)state;
    check_bad_xml(attribute_errors, COUNT(attribute_errors));
}

#define NOT_ROOT(found) "expected <scenario> in namespace " NS ", found " found

static const bad_xml root_errors[] = {
    BAD("<scenario id=\"s\"/>", 1, NOT_ROOT("<scenario> without namespace")),
    BAD("\n<scenario xmlns=\"urn:playbook:scenario:2\" id=\"s\"/>", 2,
        NOT_ROOT("<{urn:playbook:scenario:2}scenario>")),
    BAD("<case xmlns=\"" NS "\"/>", 1, NOT_ROOT("<case>")),
    BAD("<x:scenario xmlns:x=\"urn:x\"/>", 1, NOT_ROOT("<x:scenario>")),
    BAD("<html><body/></html>", 1, NOT_ROOT("<html> without namespace")),
};

static void test_root_errors(void **state)
{
    (void)state;
    check_bad_xml(root_errors, COUNT(root_errors));
}

/* Expectations. */

static void test_expect_kinds(void **state)
{
    pb_scenario *s = parse_ok(
        HEAD "<expect>\n"
        "<item ref=\"a.b\" state=\"done\"/>\n"
        "<item ref=\"a.b\" state=\"open\"/>\n"
        "<item ref=\"a.b\" state=\"waiting\"/>\n"
        "<item ref=\"a.b\" state=\"skipped\"/>\n"
        "<item ref=\"a.b\" state=\"violated\"/>\n"
        "<item ref=\"a.b\" state=\"error\"/>\n"
        "<item ref=\"a_1.b-2\" state=\"absent\"/>\n"
        "<score/>\n"
        "<score min=\".25\" max=\"0.75\" principle=\"listen\"/>\n"
        "<score min=\"1\" max=\"1.0\"/>\n"
        "<violation ref=\"own\"/>\n"
        "<violation ref=\"own.commit\"/>\n"
        "<no-violation ref=\"safety\"/>\n"
        "<no-violation ref=\"safety.pii\"/>\n"
        "<next ref=\"own.commit\"/>\n"
        "<case state=\"between_contacts\"/>\n"
        "</expect>\n" TAIL);
    static const pb_state states[] = {PB_DONE, PB_OPEN, PB_WAITING,
                                      PB_SKIPPED, PB_VIOLATED, PB_ERROR,
                                      PB_ABSENT};
    static const struct {
        pb_expect_kind kind;
        const char *ref;
    } refs[] = {                                        /* from 10 on */
        {PB_EXPECT_VIOLATION, "own"},
        {PB_EXPECT_VIOLATION, "own.commit"},
        {PB_EXPECT_NO_VIOLATION, "safety"},
        {PB_EXPECT_NO_VIOLATION, "safety.pii"},
        {PB_EXPECT_NEXT, "own.commit"},
        {PB_EXPECT_CASE, "between_contacts"},
    };
    const pb_expect *x;
    size_t i;

    (void)state;
    assert_int_equal(pb_scenario_nexpects(s), 16);
    for (i = 0; i < 7; i++) {
        x = pb_scenario_expect(s, i);
        assert_int_equal(x->kind, PB_EXPECT_ITEM);
        assert_int_equal(x->state, states[i]);
        assert_int_equal(x->line, (int)i + 3);
        assert_null(x->principle);
    }
    assert_string_equal(pb_scenario_expect(s, 6)->ref, "a_1.b-2");
    x = pb_scenario_expect(s, 7);
    assert_int_equal(x->kind, PB_EXPECT_SCORE);
    assert_true(x->min == 0 && x->max == 1);
    assert_null(x->principle);
    x = pb_scenario_expect(s, 8);
    assert_true(x->min == 0.25 && x->max == 0.75);
    assert_string_equal(x->principle, "listen");
    assert_null(x->ref);
    x = pb_scenario_expect(s, 9);
    assert_true(x->min == 1 && x->max == 1);
    for (i = 0; i < COUNT(refs); i++) {
        x = pb_scenario_expect(s, 10 + i);
        assert_int_equal(x->kind, refs[i].kind);
        assert_string_equal(x->ref, refs[i].ref);
    }
    assert_int_equal(x->line, 18);
    pb_scenario_free(s);
}

/* A scenario whose <expect> holds x, from line 3 on. */
#define EXPECT(x) HEAD "<expect>\n" x "</expect>" TAIL
#define BAD_STATE(s)                                                        \
    BAD(EXPECT("<item ref=\"a.b\" state=\"" s "\"/>"), 3,                   \
        "bad state '" s "' (done, open, waiting, skipped, violated, "       \
        "error or absent)")
/* A score (line 3) with the attribute a="v", refused. */
#define BAD_SCORE(a, v)                                                     \
    BAD(EXPECT("<score " a "=\"" v "\"/>"), 3,                              \
        "bad score " a " '" v "' (a number from 0 to 1)")

static const bad_xml expect_errors[] = {
    BAD_STATE("finished"),
    BAD_STATE("DONE"),
    BAD(EXPECT("<item ref=\"a.b\"/>"), 3, "item without state"),
    BAD(EXPECT("<item state=\"done\"/>"), 3, "item without ref"),
    BAD(EXPECT("<item ref=\"listen\" state=\"done\"/>"), 3,
        "bad ref 'listen' (principle.item)"),
    BAD(EXPECT("<item ref=\"a.b.c\" state=\"done\"/>"), 3,
        "bad ref 'a.b.c' (principle.item)"),
    BAD(EXPECT("<item ref=\"a.\" state=\"done\"/>"), 3,
        "bad ref 'a.' (principle.item)"),
    BAD(EXPECT("<next ref=\".b\"/>"), 3, "bad ref '.b' (principle.item)"),
    BAD(EXPECT("<next ref=\"a b.c\"/>"), 3,
        "bad ref 'a b.c' (principle.item)"),
    BAD(EXPECT("<next/>"), 3, "next without ref"),
    BAD(EXPECT("<violation ref=\"\"/>"), 3,
        "bad ref '' (principle or principle.item)"),
    BAD(EXPECT("<no-violation ref=\"a.b.c\"/>"), 3,
        "bad ref 'a.b.c' (principle or principle.item)"),
    BAD(EXPECT("<no-violation/>"), 3, "no-violation without ref"),
    BAD(EXPECT("<case/>"), 3, "case without state"),
    BAD(EXPECT("<case state=\"open\"/>"), 3, "bad case state 'open' "
        "(in_contact, between_contacts or closed)"),
    BAD(EXPECT("<case state=\"closed\" ref=\"x\"/>"), 3,
        "unexpected attribute 'ref' on <case>"),
    BAD(EXPECT("<score min=\"0.8\" max=\"0.5\"/>"), 3,
        "score min 0.8 is above max 0.5"),
    BAD(EXPECT("<score min=\"0.5\" max=\"0\"/>"), 3,
        "score min 0.5 is above max 0"),
    BAD_SCORE("min", "2"),
    BAD_SCORE("max", "1.5"),
    BAD_SCORE("min", "-0.1"),
    BAD_SCORE("min", "half"),
    BAD_SCORE("max", "nan"),
    BAD_SCORE("max", ""),
    BAD_SCORE("max", "1e0"),
    BAD_SCORE("max", "1.0000000000000001"), /* reads as 1; is over it */
    BAD(EXPECT("<score principle=\"a.b\"/>"), 3, "bad principle 'a.b'"),
};

static void test_expect_errors(void **state)
{
    (void)state;
    check_bad_xml(expect_errors, COUNT(expect_errors));
}

/* Hostile input: nothing is loaded, expanded or read. */

static const bad_xml doctypes[] = {
    BAD("<!DOCTYPE scenario>\n<scenario xmlns=\"" NS "\" id=\"s\"/>", 1,
        NO_DOCTYPE),
    BAD("<?xml version=\"1.0\"?>\n<!DOCTYPE scenario [\n"
        "<!ELEMENT scenario ANY>\n]>\n"
        "<scenario xmlns=\"" NS "\" id=\"s\"/>", 2, NO_DOCTYPE),
    BAD("<!DOCTYPE scenario SYSTEM \"http://127.0.0.1:9/x.dtd\">\n"
        "<scenario xmlns=\"" NS "\" id=\"s\"/>", 1, NO_DOCTYPE),
    BAD("<!DOCTYPE scenario SYSTEM \"file:///etc/passwd\">\n"
        "<scenario xmlns=\"" NS "\" id=\"s\"/>", 1, NO_DOCTYPE),
};

static void test_doctype(void **state)
{
    int before = loads;

    (void)state;
    check_bad_xml(doctypes, COUNT(doctypes));
    assert_int_equal(loads, before);
}

static void test_external_entity(void **state)
{
    const char *secret = "pb-secret-9d1c";
    char *path = temp_path();
    char xml[1024];
    pb_scenario *s = NULL;
    pb_error err;
    int before = loads;

    (void)state;
    write_file(path, secret, strlen(secret));
    snprintf(xml, sizeof xml,
             "<!DOCTYPE scenario [\n"
             "<!ENTITY pw SYSTEM \"file:///etc/passwd\">\n"
             "<!ENTITY sc SYSTEM \"file://%s\">\n"
             "<!ENTITY sc2 SYSTEM \"%s\">\n"
             "]>\n"
             "<scenario xmlns=\"" NS "\" id=\"s\" title=\"&sc;\">\n"
             "<events><event type=\"a\">&pw;&sc;&sc2;</event></events>\n"
             "</scenario>\n", path, path);
    check_error(xml, 1, NO_DOCTYPE);
    memset(&err, 0, sizeof err);
    assert_int_equal(pb_scenario_parse("t.xml", xml, strlen(xml), &s, &err),
                     PB_INPUT);
    assert_null(strstr(err.message, "root:"));
    assert_null(strstr(err.message, secret));
    assert_int_equal(loads, before);

    /* Parameter entities, the classic way to exfiltrate. */
    snprintf(xml, sizeof xml,
             "<!DOCTYPE scenario [\n"
             "<!ENTITY %% file SYSTEM \"file://%s\">\n"
             "<!ENTITY %% dtd SYSTEM \"http://127.0.0.1:9/evil.dtd\">\n"
             "%%dtd; %%file;\n"
             "]>\n<scenario xmlns=\"" NS "\" id=\"s\"/>\n", path);
    check_error(xml, 1, NO_DOCTYPE);
    assert_int_equal(loads, before);

    /* Without any DOCTYPE an entity is just undefined. */
    check_xml_error(HEAD "<events><event type=\"a\">&pw;</event></events>"
                    TAIL, 2, "Entity 'pw' not defined");
    assert_int_equal(loads, before);
    unlink(path);
}

static void test_http_entity(void **state)
{
    const char *xml =
        "<!DOCTYPE scenario [\n"
        "<!ENTITY remote SYSTEM \"http://127.0.0.1:9/leak?x=1\">\n"
        "<!ENTITY remote2 PUBLIC \"-//X//Y\" \"https://example.com/x\">\n"
        "]>\n"
        "<scenario xmlns=\"" NS "\" id=\"&remote;\">&remote2;</scenario>\n";
    int before = loads;

    (void)state;
    check_error_fast(xml, 1, NO_DOCTYPE); /* no connection was tried */
    assert_int_equal(loads, before);
}

static void test_billion_laughs(void **state)
{
    text t = {NULL, 0, 0};
    char line[300];
    int i;

    (void)state;
    add(&t, "<?xml version=\"1.0\"?>\n<!DOCTYPE scenario [\n"
            "<!ENTITY lol \"lol\">\n");
    for (i = 1; i <= 9; i++) {
        /* lolN is ten of lol(N-1): 10^9 "lol"s at the top */
        snprintf(line, sizeof line, "<!ENTITY lol%d \"", i);
        add(&t, line);
        snprintf(line, sizeof line, i == 1 ? "&lol;" : "&lol%d;", i - 1);
        add_n(&t, line, 10);
        add(&t, "\">\n");
    }
    add(&t, "]>\n<scenario xmlns=\"" NS "\" id=\"s\" title=\"&lol9;\">\n"
            "<events><event type=\"a\">&lol9;</event></events>\n"
            "</scenario>\n");
    check_error_fast(t.s, 2, NO_DOCTYPE);
    free(t.s);
}

static void test_quadratic_blowup(void **state)
{
    text t = {NULL, 0, 0};

    (void)state;
    add(&t, "<!DOCTYPE scenario [\n<!ENTITY a \"");
    add_n(&t, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 2000);
    add(&t, "\">\n]>\n<scenario xmlns=\"" NS "\" id=\"s\">\n<events>"
            "<event type=\"a\">");
    add_n(&t, "&a;", 50000);
    add(&t, "</event></events></scenario>\n");
    check_error_fast(t.s, 1, NO_DOCTYPE);
    free(t.s);
}

static void nested(text *t, size_t depth)
{
    add(t, HEAD "<events>\n<event type=\"a\">"); /* 3 levels */
    add_n(t, "<x>", depth - 3);
    add_n(t, "</x>", depth - 3);
    add(t, "</event></events>" TAIL);
}

static void test_deep_nesting(void **state)
{
    text t = {NULL, 0, 0};

    (void)state;
    nested(&t, 10000);
    check_error_fast(t.s, 3, "elements nested too deeply (over 64 levels)");
    free(t.s);

    /* At the limit the tree is built and the first <x> is refused. */
    t.s = NULL;
    t.len = t.cap = 0;
    nested(&t, 64);
    check_error(t.s, 3, ELEM("x", "event"));
    t.len = 0;
    nested(&t, 65);
    check_error(t.s, 3, "elements nested too deeply (over 64 levels)");
    free(t.s);

    /* The same at the top, unclosed, and deeper than libxml2's limit. */
    t.s = NULL;
    t.len = t.cap = 0;
    add_n(&t, "<scenario>\n", 100000);
    check_error(t.s, 65, "elements nested too deeply (over 64 levels)");
    free(t.s);
}

/* n attributes " a0=\"v\" a1=\"v\"..." (a value may be given). */
static void attrs(text *t, int n, const char *value)
{
    char one[64];
    int i;

    for (i = 0; i < n; i++) {
        snprintf(one, sizeof one, " a%d=\"%s\"", i, value);
        add(t, one);
    }
}

/* What costs libxml2 more than its size is refused before parsing:
 * attributes on an element (its parser and RELAX NG validator pay their
 * square), namespace declarations in scope (every element walks them). */
static void test_markup_limits(void **state)
{
    text t = {NULL, 0, 0};
    pb_scenario *s;
    char one[64];
    double t0;
    int i, k;

    (void)state;
    /* An event has 32 attributes of its own at most. */
    add(&t, HEAD "<events>\n<event t=\"0\" type=\"x\"");
    attrs(&t, 32, "a=b>c 'q'");
    add(&t, "/>\n</events>\n" TAIL);
    s = parse_ok(t.s);
    assert_int_equal(pb_scenario_nevents(s), 1);
    pb_scenario_free(s);
    t.len = 0;
    add(&t, HEAD "<events>\n<event t=\"0\" type=\"x\"");
    attrs(&t, 33, "v");
    add(&t, "/>\n</events>\n" TAIL);
    check_error(t.s, 3, "event has 33 attributes besides t and type (at "
                "most 32)");

    /* Any element, 64 attributes (a namespace declaration is one),
     * checked before libxml2 parses anything: no tree, no validation. */
    t.len = 0;
    add(&t, HEAD "<events>\n\n<event t=\"0\" type=\"x\"");
    attrs(&t, 63, "v");
    add(&t, "/>\n</events>\n" TAIL);
    check_error(t.s, 4, "<event> has 65 attributes (at most 64 on one "
                "element)");
    t.len = 0;
    add(&t, HEAD "<case>\n<fact name=\"n\" xmlns:p=\"urn:p\"");
    attrs(&t, 63, "v");
    add(&t, ">v</fact>\n</case>\n" TAIL);
    check_error(t.s, 3, "<fact> has 65 attributes (at most 64 on one "
                "element)");
    t.len = 0;
    add(&t, HEAD "<events>\n<event t=\"0\" type=\"x\"");
    attrs(&t, 20000, "v");
    add(&t, ">hi</event>\n</events>\n" TAIL);
    check_error_fast(t.s, 3, "<event> has 20002 attributes (at most 64 on "
                     "one element)");
    /* Unterminated, the tag is still counted: libxml2 would parse it. */
    t.len = 0;
    add(&t, HEAD "<events>\n<event");
    attrs(&t, 20000, "v");
    check_error_fast(t.s, 3, "<event> has 20000 attributes (at most 64 on "
                     "one element)");
    /* Commented out, in CDATA or a processing instruction: text. */
    t.len = 0;
    add(&t, HEAD "<!-- <x");
    attrs(&t, 100, "v");
    add(&t, "> --><?pi <x");
    attrs(&t, 100, "v");
    add(&t, "> ?>\n<events><event type=\"x\"><![CDATA[<x");
    attrs(&t, 100, "v");
    add(&t, ">]]></event></events>\n" TAIL);
    s = parse_ok(t.s);
    pb_scenario_free(s);
    /* "<!-->" and "<!--->" open a comment and do not close it: what
     * follows is counted. */
    for (k = 0; k < 2; k++) {
        static const char *const opener[] = {"<!-->", "<!--->"};

        t.len = 0;
        add(&t, HEAD "<events>");
        add(&t, opener[k]);
        add(&t, " <? -->\n<event type=\"x\"");
        attrs(&t, 100, "v");
        add(&t, "/>\n<!-- ?> -->\n</events>\n" TAIL);
        check_error_fast(t.s, 3, "<event> has 101 attributes (at most 64 "
                         "on one element)");
    }

    /* Namespace declarations: 32 in scope at most, the root's included;
     * an element's end takes its own out of scope. */
    t.len = 0;
    add(&t, HEAD "<events>\n");
    for (i = 0; i < 3; i++) {
        add(&t, "<event type=\"x\"");
        for (k = 0; k < 31; k++) {
            snprintf(one, sizeof one, " xmlns:p%d=\"urn:p\"", k);
            add(&t, one);
        }
        add(&t, "/>\n");
    }
    add(&t, "</events>\n" TAIL);
    s = parse_ok(t.s);
    assert_int_equal(pb_scenario_nevents(s), 3);
    pb_scenario_free(s);
    t.len = 0;
    add(&t, HEAD "<events xmlns:q=\"urn:q\">\n<event type=\"x\"");
    for (k = 0; k < 31; k++) {
        snprintf(one, sizeof one, " xmlns:p%d=\"urn:p\"", k);
        add(&t, one);
    }
    add(&t, "/>\n</events>\n" TAIL);
    check_error(t.s, 3, "<event> has 33 namespace declarations in scope (at "
                "most 32)");

    /* After its first error libxml2 parses nothing more: here a tag
     * with 200,000 attributes in a comment broken by a control
     * character, which its pull parser would otherwise read on into. */
    t.len = 0;
    add(&t, HEAD "<events>\n<!-- \001 <event type=\"x\"");
    attrs(&t, 200000, "");
    add(&t, "/> -->\n</events>\n" TAIL);
    t0 = now();
    check_xml_error(t.s, 3, "xmlParseComment: invalid xmlChar value 1");
    assert_true(now() - t0 < 1.0);
    free(t.s);
}

#define NOT_UTF8(enc)                                                       \
    "encoding " enc " is not supported (scenario files are UTF-8)"

static const bad_xml encoding_errors[] = {
    BAD(HEAD "<events><event type=\"a\">\xc3\x28</event>"
        "</events>" TAIL, 2, "invalid UTF-8, bytes: 0xC3 0x28 0x3C 0x2F"),
    /* an overlong "/", a lone continuation byte, a surrogate */
    BAD(HEAD "<description>\xc0\xaf</description>" TAIL, 2,
        "invalid UTF-8, bytes: 0xC0 0xAF 0x3C 0x2F"),
    BAD(HEAD "<description>a\x80</description>" TAIL, 2,
        "invalid UTF-8, bytes: 0x80 0x3C 0x2F 0x64"),
    BAD(HEAD "<description>\xed\xa0\x80</description>" TAIL, 2,
        "Char 0xD800 out of allowed range"),
    BAD("<scenario xmlns=\"" NS "\" id=\"\xff\"/>", 1,
        "invalid UTF-8, bytes: 0xFF 0x22 0x2F 0x3E"),
    BAD(HEAD "<events><event type=\"a\">x\0y</event></events>" TAIL, 2,
        "Char 0x0 out of allowed range"),
    BAD("\xff\xfe<\0s\0/\0>\0", 1, NOT_UTF8("UTF-16")),           /* LE */
    BAD("\0<\0?\0x\0m\0l\0 \0?\0>\0<\0s\0/\0>", 1, NOT_UTF8("UTF-16")),
    BAD("\0\0\0<\0\0\0s\0\0\0/\0\0\0>", 1, NOT_UTF8("ISO-10646-UCS-4")),
    BAD("\x4c\x6f\xa7\x94\x93\x40\x6f\x6e", 1, NOT_UTF8("EBCDIC")),
    /* Without a BOM or "<?xml" nothing is guessed: it is just not XML. */
    BAD_LIBXML("\0<\0s\0/\0>", 1, "Document is empty"),
    /* A declared encoding is ignored: the bytes must still be UTF-8. */
    BAD("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
        HEAD "<description>caf\xe9</description>" TAIL, 3,
        "invalid UTF-8, bytes: 0xE9 0x3C 0x2F 0x64"),
    BAD("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n"
        HEAD "<description>\x81\xff</description>" TAIL, 3,
        "invalid UTF-8, bytes: 0x81 0xFF 0x3C 0x2F"),
};

static void test_encodings(void **state)
{
    static const char bom[] = "\xef\xbb\xbf" HEAD TAIL;
    static const char bom_decl[] =
        "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" HEAD TAIL;
    pb_scenario *s;

    (void)state;
    check_bad_xml(encoding_errors, COUNT(encoding_errors));

    s = parse_ok(bom);
    assert_string_equal(pb_scenario_id(s), "s");
    pb_scenario_free(s);
    s = parse_ok(bom_decl);
    pb_scenario_free(s);
    /* A declared encoding is ignored: UTF-8 bytes are read as UTF-8. */
    s = parse_ok("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
                 HEAD "<description>caf\xc3\xa9</description>" TAIL);
    assert_string_equal(pb_scenario_description(s), "caf\xc3\xa9");
    pb_scenario_free(s);
}

static const bad_xml not_well_formed[] = {
    BAD("", 1, "empty file"),
    { NULL, 0, 1, "empty file", 0 },
    BAD_LIBXML("   \n", 2, "Start tag expected"),
    BAD_LIBXML("<scenario xmlns=\"" NS "\" id=\"s\">", 1,
               "Premature end of data"),
    BAD_LIBXML(HEAD "<events></event>" TAIL, 2,
               "Opening and ending tag mismatch"),
    BAD_LIBXML(HEAD TAIL "<scenario/>", 3,
               "Extra content at the end of the document"),
    BAD_LIBXML(HEAD "<x:events/>" TAIL, 2,
               "Namespace prefix x on events is not defined"),
    BAD_LIBXML("<scenario xmlns=\"" NS "\" id=\"a\" id=\"b\"/>", 1,
               "Attribute id redefined"),
};

static void test_not_well_formed(void **state)
{
    (void)state;
    check_bad_xml(not_well_formed, COUNT(not_well_formed));
}

static void test_too_large(void **state)
{
    size_t n = (size_t)PB_SCENARIO_MAX_BYTES + 1;
    char *big = malloc(n);
    char msg[100];

    (void)state;
    assert_non_null(big);
    memset(big, ' ', n);
    snprintf(msg, sizeof msg, "file too large (over %lu bytes)",
             (unsigned long)PB_SCENARIO_MAX_BYTES);
    check_error_len(big, n, 0, msg);
    free(big);
}

/* Every prefix of a valid file is an error or, once the root element is
 * closed, the same scenario; never a crash or a read past the end. */
static void test_truncation(void **state)
{
    static const char doc[] =
        "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<!-- caf\xc3\xa9 -->\n"
        "<scenario xmlns=\"urn:playbook:scenario:1\" id=\"late-parcel\" "
        "title=\"Late parcel \xe2\x80\x94 caf\xc3\xa9\">\n"
        "  <description>Gold customer, &lt;angry&gt; \xe6\x97\xa5"
        "</description>\n"
        "  <case topic=\"delivery\" channel=\"phone\">\n"
        "    <fact name=\"customer_tier\">gold</fact>\n"
        "  </case>\n"
        "  <events>\n"
        "    <event t=\"0\" type=\"customer.said\">My parcel &#233;"
        "<![CDATA[ <late> ]]></event>\n"
        "    <event t=\"0:15\" type=\"agent.restated\">So\xf0\x9f\x93\xa6"
        "</event>\n"
        "    <event t=\"18\" type=\"customer.confirmed\"/>\n"
        "    <event t=\"30\" type=\"fact\" name=\"order_id\">A-1042</event>\n"
        "  </events>\n"
        "  <expect>\n"
        "    <item ref=\"listen.restate\" state=\"done\"/>\n"
        "    <score min=\"0.4\" max=\"1\"/>\n"
        "    <no-violation ref=\"safety\"/>\n"
        "  </expect>\n"
        "</scenario>\n";
    size_t len = sizeof doc - 1, complete = len - 1, k, errors = 0;

    (void)state;
    assert_int_equal(doc[complete], '\n');
    for (k = 0; k <= len; k++) {
        char *buf = malloc(k > 0 ? k : 1);
        pb_scenario *s = NULL;
        pb_error err;
        pb_status st;

        assert_non_null(buf);
        memcpy(buf, doc, k);
        memset(&err, 0, sizeof err);
        st = pb_scenario_parse("t.xml", buf, k, &s, &err);
        if (k >= complete) {
            if (st != PB_OK)
                fail_msg("%zu bytes: %s", k, err.message);
            assert_int_equal(pb_scenario_nevents(s), 4);
            assert_int_equal(pb_scenario_nexpects(s), 3);
        } else {
            if (st != PB_INPUT)
                fail_msg("%zu bytes: status %d", k, (int)st);
            assert_null(s);
            assert_true(err.message[0] != '\0');
            assert_null(strchr(err.message, '\n'));
            assert_string_equal(err.file, "t.xml");
            assert_true(err.line >= 1 || k == 0);
            errors++;
        }
        pb_scenario_free(s);
        free(buf);
    }
    assert_int_equal(errors, complete);
}

/* libxml2 keeps 16 bits of line per element; big files still get the
 * right line. */
static void test_big_line_numbers(void **state)
{
    text t = {NULL, 0, 0};
    pb_scenario *s;
    pb_event_info ev;
    int line;

    (void)state;
    add(&t, HEAD "<events>\n");          /* lines 1-2 */
    add_n(&t, "\n", 69998);              /* up to line 70000 */
    add(&t, "<event t=\"5\" type=\"a\"/>\n"  /* line 70001 */
            "<event type=\"b\">x</event>\n"  /* line 70002 */
            "<event t=\"6\" type=\"c\">\n" /* lines 70003-70005 */
            "text\n</event>\n");
    add(&t, "</events>" TAIL);
    s = parse_ok(t.s);
    pb_scenario_event(s, 0, &ev, &line);
    assert_int_equal(line, 70001);
    pb_scenario_event(s, 1, &ev, &line);
    assert_int_equal(line, 70002);
    pb_scenario_event(s, 2, &ev, &line);
    assert_int_equal(line, 70003);
    pb_scenario_free(s);
    t.len -= strlen("</events>" TAIL);
    add(&t, "<event t=\"1\" type=\"d\"/>\n"); /* line 70006 */
    add(&t, "</events>" TAIL);
    check_error(t.s, 70006, "time goes backwards: 1 after 6");
    free(t.s);
}

/* Reading files. */

static void test_read(void **state)
{
    static const char no_type[] = HEAD "<events>\n<event/></events>" TAIL;
    char *path = temp_path();
    pb_scenario *s = NULL;
    pb_error err;

    (void)state;
    write_file(path, example, strlen(example));
    memset(&err, 0, sizeof err);
    assert_int_equal(pb_scenario_read(path, &s, &err), PB_OK);
    assert_string_equal(pb_scenario_path(s), path);
    assert_string_equal(pb_scenario_id(s), "late-parcel");
    assert_int_equal(pb_scenario_nevents(s), 4);
    pb_scenario_free(s);

    /* An error names the path it was given. */
    write_file(path, no_type, strlen(no_type));
    assert_int_equal(pb_scenario_read(path, &s, &err), PB_INPUT);
    assert_null(s);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.message, "event without type");

    write_file(path, "", 0);
    assert_int_equal(pb_scenario_read(path, &s, &err), PB_INPUT);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, 1);
    assert_string_equal(err.message, "empty file");
    unlink(path);
}

static void test_read_errors(void **state)
{
    pb_scenario *s = (pb_scenario *)&s;
    pb_error err;
    char msg[300];

    (void)state;
    memset(&err, 0, sizeof err);
    assert_int_equal(pb_scenario_read("/nonexistent/pb/x.xml", &s, &err),
                     PB_IO);
    assert_null(s);
    assert_string_equal(err.file, "/nonexistent/pb/x.xml");
    assert_int_equal(err.line, 0);
    snprintf(msg, sizeof msg, "cannot open: %s", strerror(ENOENT));
    assert_string_equal(err.message, msg);

    assert_int_equal(pb_scenario_read("/tmp", &s, &err), PB_IO);
    snprintf(msg, sizeof msg, "cannot read: %s", strerror(EISDIR));
    assert_string_equal(err.message, msg);
}

static void test_read_size_cap(void **state)
{
    const size_t max = PB_SCENARIO_MAX_BYTES;
    char *path = temp_path();
    pb_scenario *s = NULL;
    pb_error err;
    char msg[100];
    text t = {NULL, 0, 0};
    char *buf;

    (void)state;
    /* Exactly at the cap: fine. */
    add(&t, HEAD "<description>");
    buf = malloc(max);
    assert_non_null(buf);
    memcpy(buf, t.s, t.len);
    memset(buf + t.len, ' ', max - t.len);
    memcpy(buf + max - strlen("</description>" TAIL),
           "</description>" TAIL, strlen("</description>" TAIL));
    write_file(path, buf, max);
    memset(&err, 0, sizeof err);
    if (pb_scenario_read(path, &s, &err) != PB_OK)
        fail_msg("%s", err.message);
    assert_null(pb_scenario_description(s));
    pb_scenario_free(s);
    free(buf);
    free(t.s);

    /* One byte more: refused, without parsing (a sparse file). */
    assert_int_equal(truncate(path, (off_t)max + 1), 0);
    assert_int_equal(pb_scenario_read(path, &s, &err), PB_INPUT);
    assert_null(s);
    snprintf(msg, sizeof msg, "file too large (over %lu bytes)",
             (unsigned long)max);
    assert_string_equal(err.message, msg);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, 0);
    unlink(path);
}

/* A file at the cap made of long attribute values, as a case full of
 * events with long attributes is written: libxml2 stops such a file
 * past 10,000,000 bytes ("Huge input lookup") unless told HUGE, so the
 * cap is there and the file reads whole. */
static void test_read_long_attributes_at_cap(void **state)
{
    const size_t max = PB_SCENARIO_MAX_BYTES;
    const char *head = HEAD "<events>\n", *tail = "</events>\n" TAIL;
    char *path = temp_path(), *buf = malloc(max), *ev;
    size_t len = strlen(head), elen, n, k;
    pb_scenario *s = NULL;
    pb_error err;

    (void)state;
    assert_non_null(buf);
    assert_non_null(ev = malloc(32 * 2000 + 64));
    elen = (size_t)sprintf(ev, "<event t=\"0\" type=\"note\"");
    for (k = 0; k < 32; k++) {
        elen += (size_t)sprintf(ev + elen, " a%zu=\"", k);
        memset(ev + elen, 'x', 1900);
        elen += 1900;
        ev[elen++] = '"';
    }
    elen += (size_t)sprintf(ev + elen, "/>\n");
    /* what is left over goes first: the events run to the end tags,
     * as in a case file (text near the end would let libxml2 move on) */
    n = (max - len - strlen(tail)) / elen;
    memcpy(buf, head, len);
    memset(buf + len, ' ', max - len - strlen(tail) - n * elen);
    len = max - strlen(tail) - n * elen;
    for (k = 0; k < n; k++, len += elen)
        memcpy(buf + len, ev, elen);
    memcpy(buf + len, tail, strlen(tail));
    write_file(path, buf, max);
    memset(&err, 0, sizeof err);
    if (pb_scenario_read(path, &s, &err) != PB_OK)
        fail_msg("%s:%d: %s", err.file, err.line, err.message);
    assert_int_equal(pb_scenario_nevents(s), n);
    pb_scenario_free(s);
    unlink(path);
    free(ev);
    free(buf);
}

static void test_no_loads_at_all(void **state)
{
    (void)state;
    assert_int_equal(loads, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example),
        cmocka_unit_test(test_minimal),
        cmocka_unit_test(test_agent),
        cmocka_unit_test(test_getters_out_of_range),
        cmocka_unit_test(test_prefixed_namespace),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_time_parse),
        cmocka_unit_test(test_time_format),
        cmocka_unit_test(test_event_text_and_attrs),
        cmocka_unit_test(test_comments_and_pis),
        cmocka_unit_test(test_facts),
        cmocka_unit_test(test_event_errors),
        cmocka_unit_test(test_structure_errors),
        cmocka_unit_test(test_attribute_errors),
        cmocka_unit_test(test_root_errors),
        cmocka_unit_test(test_expect_kinds),
        cmocka_unit_test(test_expect_errors),
        cmocka_unit_test(test_doctype),
        cmocka_unit_test(test_external_entity),
        cmocka_unit_test(test_http_entity),
        cmocka_unit_test(test_billion_laughs),
        cmocka_unit_test(test_quadratic_blowup),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_markup_limits),
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_not_well_formed),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_big_line_numbers),
        cmocka_unit_test(test_read),
        cmocka_unit_test(test_read_errors),
        cmocka_unit_test(test_read_size_cap),
        cmocka_unit_test(test_read_long_attributes_at_cap),
        cmocka_unit_test(test_no_loads_at_all),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
