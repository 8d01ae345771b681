/*
 * test_render.c -- the JUnit and HTML reports of replays: their structure
 * (read back with libxml2 and XPath), counts and failure messages,
 * escaping of hostile scenario and principle strings, the timeline's
 * scaling, and PB_IO when the output cannot be written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "playbook.h"

#define NS "urn:playbook:scenario:1"
#define XSS "<script>alert(1)</script>"
#define IMG "\"><img src=x onerror=alert(1)>"
#define IMG_LUA "\\\"><img src=x onerror=alert(1)>" /* in a Lua string */

/*
 * A principle whose own strings are hostile too: title, why, prompts and
 * an error message all carry markup.  One detector, one item that can be
 * violated, one that raises.
 */
static const char principle_src[] =
    "return principle {\n"
    "  id = \"listen\", title = \"Listen <b>fully</b> & \\\"well\\\"\",\n"
    "  order = 10, why = \"Hear them ]]> out " XSS "\",\n"
    "  detect = { { on = \"agent.said\", pattern = { \"so what\" },\n"
    "               emit = \"agent.restated\" } },\n"
    "  items = {\n"
    "    { id = \"hear_out\", must = true, prompt = \"Talk " XSS "\",\n"
    "      done = function(case) return case:has(\"customer.said\") end },\n"
    "    { id = \"restate\", must = true, after = { \"hear_out\" },\n"
    "      prompt = \"Restate & confirm\",\n"
    "      done = function(case) return case:has(\"agent.restated\") end,\n"
    "      violated = function(case)\n"
    "        return case:before(\"agent.proposed\", \"agent.restated\")\n"
    "      end },\n"
    "    { id = \"boom\", prompt = \"x\",\n"
    "      done = function(case)\n"
    "        if case:has(\"agent.proposed\") then error(\"bad " XSS "\") end\n"
    "        return false\n"
    "      end },\n"
    "    { id = \"later\", must = true, prompt = \"Later " IMG_LUA "\",\n"
    "      done = function(case) return false end },\n"
    "  },\n"
    "}\n";

/* Customer utterances with markup, a CDATA end, and an entity that must
 * stay text ("&amp;" as typed). */
static const char hostile_xml[] =
    "<scenario xmlns=\"" NS "\" id=\"xss\"\n"
    "          title=\"Hostile &lt;script&gt;alert(1)&lt;/script&gt;\">\n"
    "  <description>Says ]]&gt; and &amp;amp; and \"&gt;&lt;img src=x "
    "onerror=alert(1)&gt;</description>\n"
    "  <case topic=\"t&amp;t\" channel=\"&lt;script&gt;\">\n"
    "    <fact name=\"note\">&lt;script&gt;alert(1)&lt;/script&gt;</fact>\n"
    "  </case>\n"
    "  <events>\n"
    "    <event t=\"0\" type=\"customer.said\">&lt;script&gt;alert(1)"
    "&lt;/script&gt;</event>\n"
    "    <event t=\"5\" type=\"customer.said\">\"&gt;&lt;img src=x "
    "onerror=alert(1)&gt; ]]&gt; &amp;amp;</event>\n"
    "    <event t=\"8\" type=\"agent.proposed\">try &lt;b&gt;this"
    "</event>\n"
    "    <event t=\"10\" type=\"agent.said\"><![CDATA[so what: <script>"
    "]]></event>\n"
    "  </events>\n"
    "  <expect>\n"
    "    <item ref=\"listen.hear_out\" state=\"done\"/>\n"
    "    <item ref=\"listen.later\" state=\"done\"/>\n"
    "    <score min=\"0.9\" max=\"1\"/>\n"
    "    <no-violation ref=\"listen\"/>\n"
    "  </expect>\n"
    "</scenario>\n";

static const char calm_xml[] =
    "<scenario xmlns=\"" NS "\" id=\"calm\" title=\"Calm\">\n"
    "  <events>\n"
    "    <event t=\"0\" type=\"customer.said\">Hello</event>\n"
    "    <event t=\"0:30\" type=\"agent.said\">So what you need is"
    "</event>\n"
    "  </events>\n"
    "  <expect><item ref=\"listen.restate\" state=\"done\"/></expect>\n"
    "</scenario>\n";

/* A call, then a follow-up three days later. */
static const char long_xml[] =
    "<scenario xmlns=\"" NS "\" id=\"long\" title=\"Long\">\n"
    "  <events>\n"
    "    <event t=\"0\" type=\"customer.said\">Hello</event>\n"
    "    <event t=\"2:00\" type=\"agent.said\">So what you need is"
    "</event>\n"
    "    <event t=\"72:05:00\" type=\"agent.said\">Checking in</event>\n"
    "  </events>\n"
    "</scenario>\n";

typedef struct fixture {
    pb_engine *e;
    pb_scenario *s[3];
    pb_replay *r[3];
    size_t n;
    char *buf;   /* the last rendering */
    size_t len;
    xmlDocPtr doc;
} fixture;

static void add(fixture *f, const char *name, const char *xml)
{
    pb_error err;
    pb_status st;

    st = pb_scenario_parse(name, xml, strlen(xml), &f->s[f->n], &err);
    if (st != PB_OK)
        fail_msg("%s:%d: %s", err.file, err.line, err.message);
    st = pb_replay_run(f->e, f->s[f->n], &f->r[f->n], &err);
    if (st != PB_OK)
        fail_msg("%s:%d: %s", err.file, err.line, err.message);
    f->n++;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    pb_error err;

    assert_non_null(f);
    assert_non_null(f->e = pb_engine_new());
    if (pb_engine_load_buffer(f->e, "listen.lua", principle_src,
                              strlen(principle_src), &err) != PB_OK)
        fail_msg("%s:%d: %s", err.file, err.line, err.message);
    add(f, "hostile.xml", hostile_xml);
    add(f, "calm.xml", calm_xml);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    size_t i;

    for (i = 0; i < f->n; i++) {
        pb_replay_free(f->r[i]);
        pb_scenario_free(f->s[i]);
    }
    pb_engine_free(f->e);
    free(f->buf);
    xmlFreeDoc(f->doc);
    free(f);
    return 0;
}

/* Renders the fixture's replays into f->buf and parses it as XML. */
static void render(fixture *f, pb_format fmt)
{
    FILE *m;

    free(f->buf);
    xmlFreeDoc(f->doc);
    f->buf = NULL;
    assert_non_null(m = open_memstream(&f->buf, &f->len));
    assert_int_equal(pb_render_replays(m, fmt, 0, f->r, f->n), PB_OK);
    assert_int_equal(fclose(m), 0);
    f->doc = xmlReadMemory(f->buf, (int)f->len, "report.xml", NULL,
                           XML_PARSE_NONET | XML_PARSE_NOERROR |
                               XML_PARSE_NOWARNING);
    if (f->doc == NULL)
        fail_msg("not well-formed XML:\n%s", f->buf);
}

/* The string value of an XPath expression ("count(//x)" gives "3"). */
static char *xpath(const fixture *f, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(f->doc);
    xmlXPathObjectPtr obj;
    char *out;

    assert_non_null(ctx);
    xmlXPathRegisterNs(ctx, BAD_CAST "h",
                       BAD_CAST "http://www.w3.org/1999/xhtml");
    xmlXPathRegisterNs(ctx, BAD_CAST "s",
                       BAD_CAST "http://www.w3.org/2000/svg");
    obj = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    if (obj == NULL)
        fail_msg("bad XPath %s", expr);
    out = (char *)xmlXPathCastToString(obj);
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    return out;
}

#define assert_xpath(f, expr, want)                                       \
    do {                                                                  \
        char *got_ = xpath(f, expr);                                      \
        if (strcmp(got_, want) != 0) {                                    \
            fail_msg("%s: got '%s', want '%s'", expr, got_, want);        \
        }                                                                 \
        xmlFree(got_);                                                    \
    } while (0)

static void assert_contains(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL)
        fail_msg("no '%s' in the output", needle);
}

/* No markup from the input survived as markup. */
static void assert_escaped(const char *out)
{
    const char *p;

    for (p = out; (p = strchr(p, '<')) != NULL; p++)
        if (strncasecmp(p, "<script", 7) == 0 ||
            strncasecmp(p, "<img", 4) == 0 ||
            strncasecmp(p, "<b>fully", 8) == 0)
            fail_msg("raw markup in the output: %.40s", p);
}

static void test_junit_shape(void **state)
{
    fixture *f = *state;

    render(f, PB_FORMAT_JUNIT);
    assert_xpath(f, "name(/*)", "testsuites");
    assert_xpath(f, "count(/testsuites/testsuite)", "1");
    assert_xpath(f, "/testsuites/testsuite/@name", "playbook");
    assert_xpath(f, "/testsuites/testsuite/@tests", "2");
    assert_xpath(f, "/testsuites/testsuite/@failures", "1");
    assert_xpath(f, "/testsuites/testsuite/@errors", "0");
    assert_xpath(f, "/testsuites/@tests", "2");
    assert_xpath(f, "/testsuites/@failures", "1");
    assert_xpath(f, "count(/testsuites/testsuite/@time)", "1");
    assert_xpath(f, "count(//testcase)", "2");
    assert_xpath(f, "count(//testcase[@classname='playbook.scenario'])",
                 "2");
    assert_xpath(f, "//testcase[1]/@name",
                 "xss: Hostile " XSS);
    assert_xpath(f, "//testcase[1]/@file", "hostile.xml");
    assert_xpath(f, "//testcase[2]/@name", "calm: Calm");
    /* One failure per failing testcase, none for the passing one. */
    assert_xpath(f, "count(//testcase[1]/failure)", "1");
    assert_xpath(f, "count(//testcase[2]/failure)", "0");
    assert_xpath(f, "count(//testcase/system-out)", "2");
}

static void test_junit_failure_message(void **state)
{
    fixture *f = *state;
    char *msg, *body, *out;

    render(f, PB_FORMAT_JUNIT);
    msg = xpath(f, "//testcase[1]/failure/@message");
    assert_true(strncmp(msg, "3 of 4 expectations not met: ", 29) == 0);
    assert_contains(msg, "listen.later is done (got open)");
    assert_contains(msg, "score between 0.90 and 1.00 (got ");
    assert_contains(msg, "no violation in listen (got ");
    assert_null(strstr(msg, "hear_out"));
    xmlFree(msg);
    body = xpath(f, "//testcase[1]/failure");
    assert_contains(body, "hostile.xml:15: expected listen.later is done, "
                          "got open\n");
    assert_contains(body, "hostile.xml:16: expected score between");
    xmlFree(body);
    assert_xpath(f, "//testcase[1]/failure/@type", "expectation");
    out = xpath(f, "//testcase[1]/system-out");
    assert_contains(out, "Score: 0.");
    assert_contains(out, "Expectations: 1 of 4 met");
    assert_contains(out, "FAIL  listen.later is done");
    xmlFree(out);
    out = xpath(f, "//testcase[2]/system-out");
    assert_contains(out, "Score: 0.67 (2 of 3 musts done, 0 violations)");
    xmlFree(out);
}

static void test_junit_escaping(void **state)
{
    fixture *f = *state;

    render(f, PB_FORMAT_JUNIT);
    assert_escaped(f->buf);
    assert_contains(f->buf, "Hostile &lt;script&gt;alert(1)&lt;/script&gt;");
    /* The principle's prompt and error message reach system-out. */
    assert_contains(f->buf, "Later &quot;&gt;&lt;img src=x");
    assert_contains(f->buf, "bad &lt;script&gt;");
}

static void test_junit_empty(void **state)
{
    fixture *f = *state;
    size_t n = f->n;

    f->n = 0;
    render(f, PB_FORMAT_JUNIT);
    f->n = n;
    assert_xpath(f, "/testsuites/testsuite/@tests", "0");
    assert_xpath(f, "/testsuites/testsuite/@failures", "0");
    assert_xpath(f, "count(//testcase)", "0");
}

static void test_html_structure(void **state)
{
    fixture *f = *state;

    render(f, PB_FORMAT_HTML);
    assert_true(strncmp(f->buf, "<!DOCTYPE html>\n", 16) == 0);
    assert_xpath(f, "name(/*)", "html");
    assert_xpath(f, "count(//h:head/h:meta[@charset='utf-8'])", "1");
    assert_xpath(f, "count(//h:style)", "1");
    /* Self-contained: nothing to run, nothing to fetch. */
    assert_xpath(f, "count(//h:script | //h:link | //h:img | //h:iframe)",
                 "0");
    assert_xpath(f, "count(//@src | //@href[not(starts-with(., '#'))])",
                 "0");
    assert_xpath(f, "count(//h:section[@class='card'])", "2");
    assert_xpath(f, "normalize-space(//h:section[1]/h:h2/text()[1])",
                 "Hostile " XSS);
    /* expectations, not a verdict on the call: met is drawn plain */
    assert_xpath(f, "//h:section[1]/h:h2/h:span", "expectations not met");
    assert_xpath(f, "//h:section[1]/h:h2/h:span/@class", "badge fail");
    assert_xpath(f, "//h:section[2]/h:h2/h:span", "expectations met");
    assert_xpath(f, "//h:section[2]/h:h2/h:span/@class", "badge");
    assert_xpath(f, "count(//h:section[1]//h:span[.='FAIL'])", "3");
    assert_xpath(f, "count(//h:section[1]//h:span[.='ok'])", "1");
    /* One SVG timeline per scenario, with a tooltip on every mark. */
    assert_xpath(f, "count(//s:svg[@class='tl'])", "2");
    assert_xpath(f, "count(//s:svg[@class='tl'][1]//s:circle"
                    "[not(s:title)])", "0");
    /* Hostile: 4 recorded events, 1 detected (agent.restated). */
    assert_xpath(f, "count((//s:svg[@class='tl'])[1]//s:circle"
                    "[@class='tl-rec'])", "4");
    assert_xpath(f, "count((//s:svg[@class='tl'])[1]//s:circle"
                    "[@class='tl-det'])", "1");
    assert_xpath(f, "count((//s:svg[@class='tl'])[1]//*"
                    "[@class='tl-done'])", "1");
    assert_xpath(f, "count((//s:svg[@class='tl'])[1]//*"
                    "[@class='tl-violated'])", "1");
    assert_xpath(f, "count((//s:svg[@class='tl'])[1]//*"
                    "[@class='tl-error'])", "1");
    /* The checklist as it ended, grouped by principle. */
    assert_xpath(f, "count(//h:section[1]//h:tr[@class='group'])", "1");
#define CHECKLIST "//h:section[1]//h:table[h:tr[@class='group']]"
    assert_xpath(f, "count(" CHECKLIST "//h:span[@class='badge error'])",
                 "1");
    assert_xpath(f, "count(" CHECKLIST "//h:span[@class='badge open'])",
                 "1");
    assert_xpath(f, "count(" CHECKLIST "//h:span[@class='badge violated'])",
                 "1");
    assert_xpath(f, "count(" CHECKLIST "//h:span[@class='badge done'])",
                 "1");
    assert_xpath(f, "count(" CHECKLIST "//h:td[@class='error']"
                    "/h:span[starts-with(., 'listen.lua:')])", "1");
}

static void test_html_escaping(void **state)
{
    fixture *f = *state;
    char *tip;

    render(f, PB_FORMAT_HTML);
    assert_escaped(f->buf);
    assert_null(strstr(f->buf, "]]>"));
    /* "&amp;" typed by a customer stays visible as "&amp;". */
    assert_contains(f->buf, "&amp;amp;");
    assert_contains(f->buf, "&lt;script&gt;alert(1)&lt;/script&gt;");
    assert_contains(f->buf, "Listen &lt;b&gt;fully&lt;/b&gt; &amp;");
    tip = xpath(f, "((//s:svg[@class='tl'])[1]//s:circle)[2]/s:title");
    assert_contains(tip, "00:05  customer.said\n\"><img src=x");
    xmlFree(tip);
    assert_xpath(f, "count(//h:section[1]//h:li[h:b='note'])", "1");
}

static void test_html_time_axis(void **state)
{
    fixture *f = *state;
    char *t;

    /* A 30 s call: mm:ss ticks, no cut-out stretch. */
    render(f, PB_FORMAT_HTML);
    assert_xpath(f, "count((//s:svg[@class='tl'])[2]//s:rect"
                    "[@class='tl-break'])", "0");
    assert_xpath(f, "count((//s:svg[@class='tl'])[2]//s:text[.='00:30'])",
                 "1");
    assert_xpath(f, "count((//s:svg[@class='tl'])[2]//s:text[.='mm:ss'])",
                 "1");
    /* Three days later: the idle stretch is cut out and labelled, the
     * ticks are h:mm:ss, as the checklist writes times. */
    add(f, "long.xml", long_xml);
    render(f, PB_FORMAT_HTML);
    assert_xpath(f, "count((//s:svg[@class='tl'])[3]//s:rect"
                    "[@class='tl-break'])", "1");
    t = xpath(f, "(//s:svg[@class='tl'])[3]//s:text[@class='tl-gap']");
    assert_string_equal(t, "+3d");
    xmlFree(t);
    assert_xpath(f, "count((//s:svg[@class='tl'])[3]//s:text[.='h:mm:ss'])",
                 "1");
    assert_xpath(f, "count((//s:svg[@class='tl'])[3]//s:text"
                    "[.='72:05:00'])", "1");
}

static void test_html_checklist(void **state)
{
    fixture *f = *state;
    char *buf = NULL;
    size_t len;
    FILE *m;

    assert_non_null(m = open_memstream(&buf, &len));
    assert_int_equal(pb_render_checklist(m, PB_FORMAT_HTML, 0,
                                         pb_replay_case(f->r[0])),
                     PB_OK);
    assert_int_equal(fclose(m), 0);
    f->doc = xmlReadMemory(buf, (int)len, "c.html", NULL, XML_PARSE_NONET);
    assert_non_null(f->doc);
    assert_escaped(buf);
    assert_xpath(f, "count(//h:tr[@class='group'])", "1");
    free(buf);
    /* JUnit reports expectations, which a bare case has not. */
    assert_non_null(m = fopen("/dev/null", "w"));
    assert_int_equal(pb_render_checklist(m, PB_FORMAT_JUNIT, 0,
                                         pb_replay_case(f->r[0])),
                     PB_INPUT);
    fclose(m);
}

/* /dev/full takes the bytes into stdio's buffer and fails the write. */
static void test_write_failure(void **state)
{
    static const pb_format fmts[] = {
        PB_FORMAT_TEXT, PB_FORMAT_JSON, PB_FORMAT_JUNIT, PB_FORMAT_HTML,
    };
    fixture *f = *state;
    size_t i;
    FILE *full;

    for (i = 0; i < sizeof fmts / sizeof *fmts; i++) {
        full = fopen("/dev/full", "w");
        if (full == NULL)
            skip();
        assert_int_equal(pb_render_replays(full, fmts[i], 0, f->r, f->n),
                         PB_IO);
        fclose(full);
        /* An unbuffered stream fails on the first write instead. */
        assert_non_null(full = fopen("/dev/full", "w"));
        setvbuf(full, NULL, _IONBF, 0);
        assert_int_equal(pb_render_replays(full, fmts[i], 0, f->r, f->n),
                         PB_IO);
        fclose(full);
    }
    assert_non_null(full = fopen("/dev/full", "w"));
    assert_int_equal(pb_render_checklist(full, PB_FORMAT_HTML, 0,
                                         pb_replay_case(f->r[0])),
                     PB_IO);
    fclose(full);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_junit_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_junit_failure_message, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_junit_escaping, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_junit_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_html_structure, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_html_escaping, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_html_time_axis, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_html_checklist, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_write_failure, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
