/*
 * test_scenario.c -- scenario files: the format of PRODUCT.md section 5,
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

/* PRODUCT.md section 5, verbatim. */
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

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
    };
    static const char *const bad[] = {
        "", " ", " 1", "1 ", "-1", "+1", "-0", "1e3", "0x10", "nan", "NaN",
        "inf", "-inf", "infinity", "1.", ".", "1..2", "1.2.3", "abc", "1a",
        "1:75", "1:60", "1:5", "1:005", "1:", ":5", "::", "1::05",
        "1:2:03", "1:00:60", "1:60:00", "1:00:00:00", "1.5:30",
        "1:30.5:00", "1:-5", "1,5", "12\n", "\xc2\xbd",
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
        if (pb_time_parse(good[i].text, &t) != 0)
            fail_msg("'%s' should parse", good[i].text);
        if (t != good[i].t)
            fail_msg("'%s' gave %.17g", good[i].text, t);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = -1;
        if (pb_time_parse(bad[i], &t) != -1)
            fail_msg("'%s' should not parse", bad[i]);
        assert_true(t == -1); /* untouched */
    }
    assert_int_equal(pb_time_parse(NULL, &t), -1);
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
        "<event type=\"caf\xc3\xa9\" ref=\"\xe2\x80\x94\">"
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
    assert_string_equal(ev.type, "caf\xc3\xa9");
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

static void test_event_errors(void **state)
{
    (void)state;
    check_error(HEAD "<events>\n<event t=\"1\"/>\n</events>" TAIL, 3,
                "event without type");
    check_error(HEAD "<events>\n\n<event type=\"\"/></events>" TAIL, 4,
                "event without type");
    check_error(HEAD "<events>\n<event t=\"15\" type=\"a\"/>\n"
                "<event t=\"10\" type=\"b\"/>\n</events>" TAIL, 4,
                "time goes backwards: 10 after 15");
    check_error(HEAD "<events>\n<event t=\"0:15.5\" type=\"a\"/>\n"
                "<event type=\"b\"/>\n<event t=\"15.25\" type=\"c\"/>\n"
                "</events>" TAIL, 5, "time goes backwards: 15.25 after 15.5");
    check_error(HEAD "<events>\n<event t=\"abc\" type=\"a\"/></events>" TAIL,
                3, "bad time 'abc' (seconds, mm:ss or h:mm:ss)");
    check_error(HEAD "<events>\n<event t=\"-1\" type=\"a\"/></events>" TAIL,
                3, "bad time '-1' (seconds, mm:ss or h:mm:ss)");
    check_error(HEAD "<events>\n<event t=\"1:75\" type=\"a\"/></events>" TAIL,
                3, "bad time '1:75' (seconds, mm:ss or h:mm:ss)");
    check_error(HEAD "<events>\n<event t=\"nan\" type=\"a\"/></events>" TAIL,
                3, "bad time 'nan' (seconds, mm:ss or h:mm:ss)");
    check_error(HEAD "<events>\n<event t=\"inf\" type=\"a\"/></events>" TAIL,
                3, "bad time 'inf' (seconds, mm:ss or h:mm:ss)");
    check_error(HEAD "<events>\n<event t=\"\" type=\"a\"/></events>" TAIL,
                3, "bad time '' (seconds, mm:ss or h:mm:ss)");
    check_error(HEAD "<events>\n<event type=\"a\">hi <b>there</b></event>"
                "</events>" TAIL, 3, "unexpected element <b> in <event>");
    check_error(HEAD "<events>\n<event type=\"a\" x:y=\"1\" "
                "xmlns:x=\"urn:x\"/></events>" TAIL, 3,
                "unexpected attribute 'x:y' on <event>");
}

static void test_structure_errors(void **state)
{
    (void)state;
    check_error(HEAD "<events>\n<event type=\"a\"/>\n<evnt type=\"b\"/>\n"
                "</events>" TAIL, 4, "unexpected element <evnt> in <events>");
    check_error(HEAD "<events xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n"
                "<xi:include href=\"/etc/passwd\" parse=\"text\"/>\n"
                "</events>" TAIL, 3,
                "unexpected element <xi:include> in <events>");
    check_error(HEAD "<events>\n<event xmlns=\"urn:other\" type=\"a\"/>\n"
                "</events>" TAIL, 3,
                "unexpected element <{urn:other}event> in <events>");
    check_error(HEAD "<events>\nloose text\n</events>" TAIL, 4,
                "unexpected text in <events>");
    check_error(HEAD "\n<bogus/>" TAIL, 3,
                "unexpected element <bogus> in <scenario>");
    check_error(HEAD "<case><topic/></case>" TAIL, 2,
                "unexpected element <topic> in <case>");
    check_error(HEAD "<case><fact name=\"a\">x<y/></fact></case>" TAIL, 2,
                "unexpected element <y> in <fact>");
    check_error(HEAD "<description>a <b>b</b></description>" TAIL, 2,
                "unexpected element <b> in <description>");
    check_error(HEAD "<case/>\n<case/>" TAIL, 3,
                "duplicate <case> in <scenario>");
    check_error(HEAD "<events/>\n<expect/>\n<events/>" TAIL, 4,
                "duplicate <events> in <scenario>");
    check_error(HEAD "<expect>\n<maybe ref=\"a.b\"/></expect>" TAIL, 3,
                "unexpected element <maybe> in <expect>");
    check_error(HEAD "<expect>\n<item ref=\"a.b\" state=\"done\">x</item>"
                "</expect>" TAIL, 3, "unexpected text in <item>");
    check_error(HEAD "<expect>\n<next ref=\"a.b\"><item/></next>"
                "</expect>" TAIL, 3, "unexpected element <item> in <next>");
}

static void test_attribute_errors(void **state)
{
    (void)state;
    check_error("<scenario xmlns=\"" NS "\" id=\"s\" titel=\"x\"/>", 1,
                "unexpected attribute 'titel' on <scenario>");
    check_error("<scenario xmlns=\"" NS "\" xmlns:x=\"urn:x\" id=\"s\" "
                "x:id=\"y\"/>", 1,
                "unexpected attribute 'x:id' on <scenario>");
    check_error(HEAD "<case topic=\"a\" mood=\"b\"/>" TAIL, 2,
                "unexpected attribute 'mood' on <case>");
    check_error(HEAD "<case>\n<fact name=\"a\" value=\"b\"/></case>" TAIL, 3,
                "unexpected attribute 'value' on <fact>");
    check_error(HEAD "<events n=\"1\"/>" TAIL, 2,
                "unexpected attribute 'n' on <events>");
    check_error(HEAD "<expect x=\"1\"/>" TAIL, 2,
                "unexpected attribute 'x' on <expect>");
    check_error(HEAD "<description lang=\"en\"/>" TAIL, 2,
                "unexpected attribute 'lang' on <description>");
    check_error(HEAD "<expect><item ref=\"a.b\" state=\"done\" t=\"1\"/>"
                "</expect>" TAIL, 2, "unexpected attribute 't' on <item>");
    check_error(HEAD "<expect><score ref=\"a\"/></expect>" TAIL, 2,
                "unexpected attribute 'ref' on <score>");
    check_error(HEAD "<expect><next ref=\"a.b\" state=\"open\"/></expect>"
                TAIL, 2, "unexpected attribute 'state' on <next>");
    check_error(HEAD "<case>\n<fact>x</fact></case>" TAIL, 3,
                "fact without name");
    check_error(HEAD "<case>\n<fact name=\"\">x</fact></case>" TAIL, 3,
                "fact without name");
    check_error("<scenario xmlns=\"" NS "\" title=\"t\"/>", 1,
                "scenario without id");
    check_error("<scenario xmlns=\"" NS "\" id=\"\"/>", 1,
                "scenario without id");
}

static void test_root_errors(void **state)
{
    (void)state;
    check_error("<scenario id=\"s\"/>", 1,
                "expected <scenario> in namespace " NS
                ", found <scenario> without namespace");
    check_error("\n<scenario xmlns=\"urn:playbook:scenario:2\" id=\"s\"/>", 2,
                "expected <scenario> in namespace " NS
                ", found <{urn:playbook:scenario:2}scenario>");
    check_error("<case xmlns=\"" NS "\"/>", 1,
                "expected <scenario> in namespace " NS ", found <case>");
    check_error("<x:scenario xmlns:x=\"urn:x\"/>", 1,
                "expected <scenario> in namespace " NS
                ", found <x:scenario>");
    check_error("<html><body/></html>", 1,
                "expected <scenario> in namespace " NS
                ", found <html> without namespace");
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
        "</expect>\n" TAIL);
    static const pb_state states[] = {PB_DONE, PB_OPEN, PB_WAITING,
                                      PB_SKIPPED, PB_VIOLATED, PB_ERROR,
                                      PB_ABSENT};
    const pb_expect *x;
    size_t i;

    (void)state;
    assert_int_equal(pb_scenario_nexpects(s), 15);
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
    x = pb_scenario_expect(s, 10);
    assert_int_equal(x->kind, PB_EXPECT_VIOLATION);
    assert_string_equal(x->ref, "own");
    x = pb_scenario_expect(s, 11);
    assert_int_equal(x->kind, PB_EXPECT_VIOLATION);
    assert_string_equal(x->ref, "own.commit");
    x = pb_scenario_expect(s, 12);
    assert_int_equal(x->kind, PB_EXPECT_NO_VIOLATION);
    assert_string_equal(x->ref, "safety");
    x = pb_scenario_expect(s, 13);
    assert_int_equal(x->kind, PB_EXPECT_NO_VIOLATION);
    assert_string_equal(x->ref, "safety.pii");
    x = pb_scenario_expect(s, 14);
    assert_int_equal(x->kind, PB_EXPECT_NEXT);
    assert_string_equal(x->ref, "own.commit");
    assert_int_equal(x->line, 17);
    pb_scenario_free(s);
}

static void test_expect_errors(void **state)
{
    (void)state;
    check_error(HEAD "<expect>\n<item ref=\"a.b\" state=\"finished\"/>"
                "</expect>" TAIL, 3,
                "bad state 'finished' (done, open, waiting, skipped, "
                "violated, error or absent)");
    check_error(HEAD "<expect>\n<item ref=\"a.b\" state=\"DONE\"/>"
                "</expect>" TAIL, 3,
                "bad state 'DONE' (done, open, waiting, skipped, "
                "violated, error or absent)");
    check_error(HEAD "<expect>\n<item ref=\"a.b\"/></expect>" TAIL, 3,
                "item without state");
    check_error(HEAD "<expect>\n<item state=\"done\"/></expect>" TAIL, 3,
                "item without ref");
    check_error(HEAD "<expect>\n<item ref=\"listen\" state=\"done\"/>"
                "</expect>" TAIL, 3, "bad ref 'listen' (principle.item)");
    check_error(HEAD "<expect>\n<item ref=\"a.b.c\" state=\"done\"/>"
                "</expect>" TAIL, 3, "bad ref 'a.b.c' (principle.item)");
    check_error(HEAD "<expect>\n<item ref=\"a.\" state=\"done\"/>"
                "</expect>" TAIL, 3, "bad ref 'a.' (principle.item)");
    check_error(HEAD "<expect>\n<next ref=\".b\"/></expect>" TAIL, 3,
                "bad ref '.b' (principle.item)");
    check_error(HEAD "<expect>\n<next ref=\"a b.c\"/></expect>" TAIL, 3,
                "bad ref 'a b.c' (principle.item)");
    check_error(HEAD "<expect>\n<next/></expect>" TAIL, 3,
                "next without ref");
    check_error(HEAD "<expect>\n<violation ref=\"\"/></expect>" TAIL, 3,
                "bad ref '' (principle or principle.item)");
    check_error(HEAD "<expect>\n<no-violation ref=\"a.b.c\"/></expect>" TAIL,
                3, "bad ref 'a.b.c' (principle or principle.item)");
    check_error(HEAD "<expect>\n<no-violation/></expect>" TAIL, 3,
                "no-violation without ref");
    check_error(HEAD "<expect>\n<score min=\"0.8\" max=\"0.5\"/></expect>"
                TAIL, 3, "score min 0.8 is above max 0.5");
    check_error(HEAD "<expect>\n<score min=\"0.5\" max=\"0\"/></expect>"
                TAIL, 3, "score min 0.5 is above max 0");
    check_error(HEAD "<expect>\n<score min=\"2\"/></expect>" TAIL, 3,
                "bad score min '2' (a number from 0 to 1)");
    check_error(HEAD "<expect>\n<score max=\"1.5\"/></expect>" TAIL, 3,
                "bad score max '1.5' (a number from 0 to 1)");
    check_error(HEAD "<expect>\n<score min=\"-0.1\"/></expect>" TAIL, 3,
                "bad score min '-0.1' (a number from 0 to 1)");
    check_error(HEAD "<expect>\n<score min=\"half\"/></expect>" TAIL, 3,
                "bad score min 'half' (a number from 0 to 1)");
    check_error(HEAD "<expect>\n<score max=\"nan\"/></expect>" TAIL, 3,
                "bad score max 'nan' (a number from 0 to 1)");
    check_error(HEAD "<expect>\n<score max=\"\"/></expect>" TAIL, 3,
                "bad score max '' (a number from 0 to 1)");
    check_error(HEAD "<expect>\n<score max=\"1e0\"/></expect>" TAIL, 3,
                "bad score max '1e0' (a number from 0 to 1)");
    check_error(HEAD "<expect>\n<score principle=\"a.b\"/></expect>" TAIL, 3,
                "bad principle 'a.b'");
}

/* Hostile input: nothing is loaded, expanded or read. */

static void test_doctype(void **state)
{
    int before = loads;

    (void)state;
    check_error("<!DOCTYPE scenario>\n<scenario xmlns=\"" NS "\" id=\"s\"/>",
                1, "DOCTYPE is not allowed in a scenario");
    check_error("<?xml version=\"1.0\"?>\n<!DOCTYPE scenario [\n"
                "<!ELEMENT scenario ANY>\n]>\n"
                "<scenario xmlns=\"" NS "\" id=\"s\"/>",
                2, "DOCTYPE is not allowed in a scenario");
    check_error("<!DOCTYPE scenario SYSTEM \"http://127.0.0.1:9/x.dtd\">\n"
                "<scenario xmlns=\"" NS "\" id=\"s\"/>",
                1, "DOCTYPE is not allowed in a scenario");
    check_error("<!DOCTYPE scenario SYSTEM \"file:///etc/passwd\">\n"
                "<scenario xmlns=\"" NS "\" id=\"s\"/>",
                1, "DOCTYPE is not allowed in a scenario");
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
    check_error(xml, 1, "DOCTYPE is not allowed in a scenario");
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
    check_error(xml, 1, "DOCTYPE is not allowed in a scenario");
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
    double t0 = now();

    (void)state;
    check_error(xml, 1, "DOCTYPE is not allowed in a scenario");
    assert_int_equal(loads, before);
    assert_true(now() - t0 < 1.0); /* no connection was tried */
}

static void test_billion_laughs(void **state)
{
    text t = {NULL, 0, 0};
    char line[300];
    double t0;
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
    t0 = now();
    check_error(t.s, 2, "DOCTYPE is not allowed in a scenario");
    assert_true(now() - t0 < 1.0);
    free(t.s);
}

static void test_quadratic_blowup(void **state)
{
    text t = {NULL, 0, 0};
    double t0;

    (void)state;
    add(&t, "<!DOCTYPE scenario [\n<!ENTITY a \"");
    add_n(&t, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 2000);
    add(&t, "\">\n]>\n<scenario xmlns=\"" NS "\" id=\"s\">\n<events>"
            "<event type=\"a\">");
    add_n(&t, "&a;", 50000);
    add(&t, "</event></events></scenario>\n");
    t0 = now();
    check_error(t.s, 1, "DOCTYPE is not allowed in a scenario");
    assert_true(now() - t0 < 1.0);
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
    double t0;

    (void)state;
    nested(&t, 10000);
    t0 = now();
    check_error(t.s, 3, "elements nested too deeply (over 64 levels)");
    assert_true(now() - t0 < 1.0);
    free(t.s);

    /* At the limit the tree is built and the first <x> is refused. */
    t.s = NULL;
    t.len = t.cap = 0;
    nested(&t, 64);
    check_error(t.s, 3, "unexpected element <x> in <event>");
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

static void test_encodings(void **state)
{
    static const char nul[] = HEAD "<events><event type=\"a\">x\0y</event>"
                                   "</events>" TAIL;
    static const char bom[] = "\xef\xbb\xbf" HEAD TAIL;
    static const char bom_decl[] =
        "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" HEAD TAIL;
    static const char utf16le[] = "\xff\xfe<\0s\0/\0>\0";
    static const char utf16be[] = "\0<\0?\0x\0m\0l\0 \0?\0>\0<\0s\0/\0>";
    static const char ucs4[] = "\0\0\0<\0\0\0s\0\0\0/\0\0\0>";
    static const char ebcdic[] = "\x4c\x6f\xa7\x94\x93\x40\x6f\x6e";
    pb_scenario *s;

    (void)state;
    check_error(HEAD "<events><event type=\"a\">\xc3\x28</event>"
                "</events>" TAIL, 2,
                "invalid UTF-8, bytes: 0xC3 0x28 0x3C 0x2F");
    /* an overlong "/", a lone continuation byte, a surrogate */
    check_error(HEAD "<description>\xc0\xaf</description>" TAIL, 2,
                "invalid UTF-8, bytes: 0xC0 0xAF 0x3C 0x2F");
    check_error(HEAD "<description>a\x80</description>" TAIL, 2,
                "invalid UTF-8, bytes: 0x80 0x3C 0x2F 0x64");
    check_error(HEAD "<description>\xed\xa0\x80</description>" TAIL, 2,
                "Char 0xD800 out of allowed range");
    check_error("<scenario xmlns=\"" NS "\" id=\"\xff\"/>", 1,
                "invalid UTF-8, bytes: 0xFF 0x22 0x2F 0x3E");
    check_error_len(nul, sizeof nul - 1, 2, "Char 0x0 out of allowed range");

    s = parse_ok(bom);
    assert_string_equal(pb_scenario_id(s), "s");
    pb_scenario_free(s);
    s = parse_ok(bom_decl);
    pb_scenario_free(s);

    check_error_len(utf16le, sizeof utf16le - 1, 1,
                    "encoding UTF-16 is not supported (scenario files are "
                    "UTF-8)");
    check_error_len(utf16be, sizeof utf16be - 1, 1,
                    "encoding UTF-16 is not supported (scenario files are "
                    "UTF-8)");
    check_error_len(ucs4, sizeof ucs4 - 1, 1,
                    "encoding ISO-10646-UCS-4 is not supported (scenario "
                    "files are UTF-8)");
    check_error_len(ebcdic, sizeof ebcdic - 1, 1,
                    "encoding EBCDIC is not supported (scenario files are "
                    "UTF-8)");
    /* Without a BOM or "<?xml" nothing is guessed: it is just not XML. */
    check_xml_error_len("\0<\0s\0/\0>", 8, 1, "Document is empty");
    /* A declared encoding is ignored: the bytes must still be UTF-8. */
    s = parse_ok("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
                 HEAD "<description>caf\xc3\xa9</description>" TAIL);
    assert_string_equal(pb_scenario_description(s), "caf\xc3\xa9");
    pb_scenario_free(s);
    check_error("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
                HEAD "<description>caf\xe9</description>" TAIL, 3,
                "invalid UTF-8, bytes: 0xE9 0x3C 0x2F 0x64");
    check_error("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n"
                HEAD "<description>\x81\xff</description>" TAIL, 3,
                "invalid UTF-8, bytes: 0x81 0xFF 0x3C 0x2F");
}

static void test_not_well_formed(void **state)
{
    (void)state;
    check_error_len("", 0, 1, "empty file");
    check_error_len(NULL, 0, 1, "empty file");
    check_xml_error("   \n", 2, "Start tag expected");
    check_xml_error("<scenario xmlns=\"" NS "\" id=\"s\">", 1,
                    "Premature end of data");
    check_xml_error(HEAD "<events></event>" TAIL, 2,
                    "Opening and ending tag mismatch");
    check_xml_error(HEAD TAIL "<scenario/>", 3,
                    "Extra content at the end of the document");
    check_xml_error(HEAD "<x:events/>" TAIL, 2,
                    "Namespace prefix x on events is not defined");
    check_xml_error("<scenario xmlns=\"" NS "\" id=\"a\" id=\"b\"/>", 1,
                    "Attribute id redefined");
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
    write_file(path, HEAD "<events>\n<event/></events>" TAIL,
               strlen(HEAD "<events>\n<event/></events>" TAIL));
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
        cmocka_unit_test(test_getters_out_of_range),
        cmocka_unit_test(test_prefixed_namespace),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_time_parse),
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
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_not_well_formed),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_big_line_numbers),
        cmocka_unit_test(test_read),
        cmocka_unit_test(test_read_errors),
        cmocka_unit_test(test_read_size_cap),
        cmocka_unit_test(test_no_loads_at_all),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
