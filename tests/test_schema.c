/*
 * test_schema.c -- the scenario schema (scenarios/scenario.rng): built
 * into the library byte for byte, met by every bundled scenario, giving
 * the same verdicts as the hand checks, reporting file:line, and never
 * writing to stderr.  Run from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>

#include "playbook.h"
#include "schema.h"

#define RNG_FILE "scenarios/scenario.rng"
#define NS "urn:playbook:scenario:1"
#define HEAD "<scenario xmlns=\"" NS "\" id=\"s\">\n"
#define TAIL "</scenario>\n"
#define INVALID "not valid against scenario.rng: "

typedef struct fixture {
    pb_schema *schema;  /* what playbook validates with */
    xmlRelaxNGPtr full; /* the whole file, patterns too, as xmllint reads it */
} fixture;

/* libxml2 messages for the full schema are not wanted here. */
static void quiet(void *data, xmlErrorPtr e)
{
    (void)data;
    (void)e;
}

static int group_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    xmlRelaxNGParserCtxtPtr p;
    pb_error err;

    if (f == NULL)
        return -1;
    xmlInitParser();
    if ((f->schema = pb_schema_new(&err)) == NULL) {
        fprintf(stderr, "pb_schema_new: %s\n", err.message);
        return -1;
    }
    p = xmlRelaxNGNewMemParserCtxt((const char *)pb__scenario_rng,
                                   (int)pb__scenario_rng_len);
    if (p == NULL)
        return -1;
    xmlRelaxNGSetParserStructuredErrors(p, quiet, NULL);
    f->full = xmlRelaxNGParse(p);
    xmlRelaxNGFreeParserCtxt(p);
    if (f->full == NULL)
        return -1;
    *state = f;
    return 0;
}

static int group_teardown(void **state)
{
    fixture *f = *state;

    pb_schema_free(f->schema);
    xmlRelaxNGFree(f->full);
    free(f);
    xmlCleanupParser();
    return 0;
}

/* 1 when the whole schema accepts xml, 0 when not (-1: not well-formed). */
static int full_valid(const fixture *f, const char *xml, size_t len)
{
    xmlRelaxNGValidCtxtPtr v;
    xmlDocPtr doc;
    int rc;

    doc = xmlReadMemory(xml, (int)len, "t.xml", NULL, XML_PARSE_NONET |
                        XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL)
        return -1;
    v = xmlRelaxNGNewValidCtxt(f->full);
    assert_non_null(v);
    xmlRelaxNGSetValidStructuredErrors(v, quiet, NULL);
    rc = xmlRelaxNGValidateDoc(v, doc);
    xmlRelaxNGFreeValidCtxt(v);
    xmlFreeDoc(doc);
    assert_true(rc >= 0);
    return rc == 0;
}

/* 1 when playbook reads xml (hand checks, then the built-in schema). */
static int reads(const fixture *f, const char *xml, pb_error *err)
{
    pb_scenario *s = NULL;
    pb_status st;

    st = pb_scenario_parse_with(f->schema, "t.xml", xml, strlen(xml), &s,
                                err);
    assert_true(st == PB_OK || st == PB_INPUT);
    assert_true((st == PB_OK) == (s != NULL));
    pb_scenario_free(s);
    return st == PB_OK;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf;
    long n;

    if (fp == NULL)
        fail_msg("cannot open %s (run from the repository root)", path);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    n = ftell(fp);
    assert_true(n >= 0);
    rewind(fp);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

/* The built-in text with `from` replaced by `to`, compiled. */
static pb_schema *variant(const char *from, const char *to)
{
    const char *rng = (const char *)pb__scenario_rng, *at;
    size_t len = pb__scenario_rng_len, n, k;
    pb_schema *sc = NULL;
    pb_error err;
    char *text;

    at = strstr(rng, from);
    assert_non_null(at);
    k = strlen(from);
    n = len - k + strlen(to);
    text = malloc(n + 1);
    assert_non_null(text);
    memcpy(text, rng, (size_t)(at - rng));
    memcpy(text + (at - rng), to, strlen(to));
    memcpy(text + (at - rng) + strlen(to), at + k,
           len - (size_t)(at - rng) - k + 1);
    if (pb__schema_compile(text, n, &sc, &err) != PB_OK)
        fail_msg("variant: %s:%d: %s", err.file, err.line, err.message);
    free(text);
    return sc;
}

/* The schema is the file. */

static void test_built_in_is_the_file(void **state)
{
    size_t len;
    char *file = slurp(RNG_FILE, &len);

    (void)state;
    assert_int_equal(pb__scenario_rng_len, len);
    assert_memory_equal(pb__scenario_rng, file, len);
    assert_int_equal(pb__scenario_rng[len], '\0');
    free(file);
}

/* Every bundled scenario, and the guide's example, is valid: as playbook
 * reads it and as xmllint would, against the whole file. */
static void test_bundled_scenarios(void **state)
{
    fixture *f = *state;
    glob_t g;
    size_t i, len;

    assert_int_equal(glob("scenarios/*.xml", 0, NULL, &g), 0);
    assert_int_equal(glob("docs/examples/*.xml", GLOB_APPEND, NULL, &g), 0);
    assert_true(g.gl_pathc >= 12);
    for (i = 0; i < g.gl_pathc; i++) {
        const char *path = g.gl_pathv[i];
        pb_scenario *s = NULL;
        pb_error err;
        char *xml;

        if (pb_scenario_read_with(f->schema, path, &s, &err) != PB_OK)
            fail_msg("%s:%d: %s", err.file, err.line, err.message);
        pb_scenario_free(s);
        xml = slurp(path, &len);
        if (full_valid(f, xml, len) != 1)
            fail_msg("%s is not valid against " RNG_FILE, path);
        free(xml);
    }
    globfree(&g);
}

/* Without a schema, one is compiled for the call. */
static void test_default_compiles_one(void **state)
{
    pb_scenario *s = NULL;
    pb_error err;

    (void)state;
    assert_int_equal(pb_scenario_read("scenarios/late-delivery.xml", &s,
                                      &err), PB_OK);
    pb_scenario_free(s);
    assert_int_equal(pb_scenario_read_with(NULL,
                                           "scenarios/late-delivery.xml",
                                           &s, &err), PB_OK);
    pb_scenario_free(s);
    assert_int_equal(pb_scenario_parse("t.xml", HEAD TAIL,
                                       strlen(HEAD TAIL), &s, &err), PB_OK);
    pb_scenario_free(s);
    pb_schema_free(NULL);
}

/*
 * Same verdicts.  playbook compiles the schema without its pattern
 * facets and checks those values by hand; each value here is read by
 * playbook and validated against the whole file, and both must agree.
 */

static void same(const fixture *f, const char *xml)
{
    pb_error err;
    int ours = reads(f, xml, &err), theirs = full_valid(f, xml, strlen(xml));

    assert_true(theirs >= 0);
    if (ours != theirs)
        fail_msg("playbook %s, " RNG_FILE " %s:\n%s%s%s",
                 ours ? "accepts" : "refuses",
                 theirs ? "accepts" : "refuses", xml,
                 ours ? "" : "playbook says: ", ours ? "" : err.message);
}

/* A document with one value put in; fmt has one %s. */
static void same_with(const fixture *f, const char *fmt, const char *v)
{
    char xml[1024];

    assert_true(snprintf(xml, sizeof xml, fmt, v) < (int)sizeof xml);
    same(f, xml);
}

static void same_all(const fixture *f, const char *fmt,
                     const char *const *values, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        same_with(f, fmt, values[i]);
}

#define SAME_ALL(f, fmt, values) \
    same_all(f, fmt, values, sizeof values / sizeof values[0])

static void test_same_values(void **state)
{
    static const char *const times[] = {
        "0", "12", "12.5", ".5", "007", "0:00", "0:59", "1:05", "12:30",
        "99:59", "1:05.25", "0:00:01", "1:00:00", "2:03:04.5", "100:00:00",
        "0.123456789012345678", "59:59.99999999999999999",
        "", " ", " 1", "1 ", "-1", "+1", "-0", "1e3", "0x10", "nan", "inf",
        "1.", ".", "1..2", "1.2.3", "abc", "1a", "1:75", "1:60", "1:5",
        "1:005", "1:", ":5", "::", "1::05", "1:2:03", "1:00:60", "1:60:00",
        "1:00:00:00", "1.5:30", "1:30.5:00", "1:-5", "1,5",
        "\xc2\xbd", "\xd9\xa1", "1:0\xd9\xa1",
    };
    static const char *const types[] = {
        "a", "customer.said", "x-1.Y_2", "A_b-9.c.d", "1", "-", "_._",
        "", " ", " a", "a ", "a b", "a..b", ".a", "a.", ".", "caf\xc3\xa9",
        "a:b", "a/b", "a\tb", "\xd9\xa1",
    };
    static const char *const item_refs[] = {
        "a.b", "a_1.b-2", "A.B", "1.2", "-._",
        "", "a", "a.b.c", "a.", ".b", "a b.c", " a.b", "a.b ", "a..b",
        "caf\xc3\xa9.b",
    };
    static const char *const refs[] = {
        "a", "a.b", "own", "own.commit", "a-b_c",
        "", ".", "a.", ".b", "a.b.c", "a b", " a", "\xc3\xa9",
    };
    static const char *const principles[] = {
        "listen", "a_b-1", "", "a.b", " x", "x ", "\xc3\xa9",
    };
    static const char *const units[] = {
        "0", "00", "0.0", ".25", "0.75", "1", "1.0", "1.000", "01", "001.0",
        "0.99999999999999999999", "0000.5",
        "2", "1.5", "10", "1.0000000000000001", "1.01", "-0.1", "-0",
        "+0.5", "half", "nan", "inf", "", " ", " 1", "1 ", "1e0", "1.",
        ".", "0x1", "1,0", "\xd9\xa1",
    };
    static const char *const states[] = {
        "done", "open", "waiting", "skipped", "violated", "error", "absent",
        "DONE", "finished", " done", "done ", "", "ok",
    };
    static const char *const ids[] = {"s", " ", "a b", "", "\xc3\xa9"};
    fixture *f = *state;

    SAME_ALL(f, HEAD "<events><event t=\"%s\" type=\"a\"/></events>" TAIL,
             times);
    SAME_ALL(f, HEAD "<events><event type=\"%s\"/></events>" TAIL, types);
    SAME_ALL(f, HEAD "<events><event type=\"%s\" to=\"x\"/></events>" TAIL,
             types);
    SAME_ALL(f, HEAD "<expect><item ref=\"%s\" state=\"done\"/></expect>"
             TAIL, item_refs);
    SAME_ALL(f, HEAD "<expect><next ref=\"%s\"/></expect>" TAIL, item_refs);
    SAME_ALL(f, HEAD "<expect><violation ref=\"%s\"/></expect>" TAIL, refs);
    SAME_ALL(f, HEAD "<expect><no-violation ref=\"%s\"/></expect>" TAIL,
             refs);
    SAME_ALL(f, HEAD "<expect><score principle=\"%s\"/></expect>" TAIL,
             principles);
    SAME_ALL(f, HEAD "<expect><score min=\"%s\"/></expect>" TAIL, units);
    SAME_ALL(f, HEAD "<expect><score max=\"%s\"/></expect>" TAIL, units);
    SAME_ALL(f, HEAD "<expect><item ref=\"a.b\" state=\"%s\"/></expect>"
             TAIL, states);
    SAME_ALL(f, "<scenario xmlns=\"" NS "\" id=\"%s\"/>", ids);
    SAME_ALL(f, HEAD "<case><fact name=\"%s\">x</fact></case>" TAIL, ids);
    SAME_ALL(f, "<scenario xmlns=\"" NS "\" id=\"s\" title=\"%s\"/>", ids);
    SAME_ALL(f, HEAD "<case topic=\"%s\" channel=\"\"/>" TAIL, ids);
}

static void test_same_structure(void **state)
{
    static const char *const docs[] = {
        /* valid */
        "<scenario xmlns=\"" NS "\" id=\"s\"/>",
        "<p:scenario xmlns:p=\"" NS "\" id=\"x\" title=\"T\"><p:events>"
        "<p:event type=\"a\"/></p:events></p:scenario>",
        "<?xml version=\"1.0\"?>\n<!-- c --><?pi x?>\n" HEAD
        "<!-- c --><?pi?>\n<description>a <!-- c --> b<![CDATA[<c>]]>"
        "</description>\n<case><!-- c --><fact name=\"a\"> 1 </fact></case>"
        "<events><?pi?><event type=\"a\" due=\"\" x=\"&amp;\">t<!-- c -->"
        "</event><event type=\"b\"/></events>\n<expect><!-- c -->"
        "<next ref=\"a.b\"><!-- c --></next><score/>"
        "<score min=\".25\" max=\"0.75\" principle=\"listen\"/>"
        "<violation ref=\"own\"/><no-violation ref=\"own.commit\"/>"
        "<item ref=\"a.b\" state=\"absent\"/></expect>\n" TAIL,
        HEAD "<description>  </description><case/><events/><expect/>" TAIL,
        HEAD "<events><event type=\"a\">   \n\t </event></events>" TAIL,
        /* invalid */
        "<scenario id=\"s\"/>",
        "<scenario xmlns=\"urn:playbook:scenario:2\" id=\"s\"/>",
        "<case xmlns=\"" NS "\"/>",
        "<html><body/></html>",
        "<scenario xmlns=\"" NS "\" title=\"t\"/>",
        "<scenario xmlns=\"" NS "\" id=\"s\" titel=\"x\"/>",
        "<scenario xmlns=\"" NS "\" xmlns:x=\"urn:x\" id=\"s\" x:id=\"y\"/>",
        "<scenario xmlns=\"" NS "\" id=\"s\" xml:lang=\"en\"/>",
        HEAD "text" TAIL,
        HEAD "<bogus/>" TAIL,
        HEAD "<case/><case/>" TAIL,
        HEAD "<description/><description/>" TAIL,
        HEAD "<events/><expect/><events/>" TAIL,
        HEAD "<expect/><case/><expect/>" TAIL,
        HEAD "<description lang=\"en\"/>" TAIL,
        HEAD "<description>a <b>b</b></description>" TAIL,
        HEAD "<case topic=\"a\" mood=\"b\"/>" TAIL,
        HEAD "<case><topic/></case>" TAIL,
        HEAD "<case>x</case>" TAIL,
        HEAD "<case><fact>x</fact></case>" TAIL,
        HEAD "<case><fact name=\"a\" value=\"b\"/></case>" TAIL,
        HEAD "<case><fact name=\"a\">x<y/></fact></case>" TAIL,
        HEAD "<events n=\"1\"/>" TAIL,
        HEAD "<events>loose</events>" TAIL,
        HEAD "<events><evnt type=\"a\"/></events>" TAIL,
        HEAD "<events><event t=\"1\"/></events>" TAIL,
        HEAD "<events><event type=\"a\">hi <b>x</b></event></events>" TAIL,
        HEAD "<events><event type=\"a\" x:y=\"1\" xmlns:x=\"urn:x\"/>"
        "</events>" TAIL,
        HEAD "<events><event type=\"a\" p:t=\"1\" xmlns:p=\"" NS "\"/>"
        "</events>" TAIL,
        HEAD "<events><event xmlns=\"urn:other\" type=\"a\"/></events>" TAIL,
        HEAD "<events xmlns:xi=\"http://www.w3.org/2001/XInclude\">"
        "<xi:include href=\"/etc/passwd\" parse=\"text\"/></events>" TAIL,
        HEAD "<expect x=\"1\"/>" TAIL,
        HEAD "<expect>x</expect>" TAIL,
        HEAD "<expect><maybe ref=\"a.b\"/></expect>" TAIL,
        HEAD "<expect><event type=\"a\"/></expect>" TAIL,
        HEAD "<expect><item ref=\"a.b\"/></expect>" TAIL,
        HEAD "<expect><item state=\"done\"/></expect>" TAIL,
        HEAD "<expect><item ref=\"a.b\" state=\"done\">x</item></expect>"
        TAIL,
        HEAD "<expect><item ref=\"a.b\" state=\"done\" t=\"1\"/></expect>"
        TAIL,
        HEAD "<expect><score ref=\"a\"/></expect>" TAIL,
        HEAD "<expect><next/></expect>" TAIL,
        HEAD "<expect><next ref=\"a.b\" state=\"open\"/></expect>" TAIL,
        HEAD "<expect><next ref=\"a.b\"><item/></next></expect>" TAIL,
        HEAD "<expect><violation/></expect>" TAIL,
        HEAD "<expect><no-violation/></expect>" TAIL,
    };
    static const char *const parts[] = {
        "<description>d</description>", "<case topic=\"t\"/>",
        "<events><event type=\"a\"/></events>",
        "<expect><score/></expect>",
    };
    fixture *f = *state;
    char xml[512];
    size_t i;
    int a, b, c, d;

    for (i = 0; i < sizeof docs / sizeof docs[0]; i++)
        same(f, docs[i]);
    /* Each part at most once, in any order: every sequence of up to 5
     * parts, duplicates included. */
    for (a = -1; a < 4; a++)
        for (b = -1; b < 4; b++)
            for (c = -1; c < 4; c++)
                for (d = -1; d < 4; d++) {
                    snprintf(xml, sizeof xml, "%s%s%s%s%s%s%s", HEAD,
                             a < 0 ? "" : parts[a], b < 0 ? "" : parts[b],
                             c < 0 ? "" : parts[c], d < 0 ? "" : parts[d],
                             a == 0 ? parts[0] : "", TAIL);
                    same(f, xml);
                }
}

/* What the hand checks refuse and RELAX NG cannot say; the schema's
 * comment lists these. */
static void test_only_the_reader(void **state)
{
    static const char *const docs[] = {
        HEAD "<events><event t=\"15\" type=\"a\"/><event t=\"10\" "
        "type=\"b\"/></events>" TAIL,
        HEAD "<expect><score min=\"0.8\" max=\"0.5\"/></expect>" TAIL,
        /* 10^400 seconds is no number */
        HEAD "<events><event type=\"a\" t=\"1"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "00000000000000\"/></events>" TAIL,
    };
    fixture *f = *state;
    pb_error err;
    size_t i;

    for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        assert_int_equal(reads(f, docs[i], &err), 0);
        assert_int_equal(full_valid(f, docs[i], strlen(docs[i])), 1);
    }
}

/*
 * The schema's own messages.  The shipped schema and the hand checks
 * agree (above), so a schema that asks for more shows what a file the
 * hand checks accept and the schema refuses gets: the schema's message,
 * with the file and the line of the element.
 */
static void test_schema_message(void **state)
{
    static const char doc[] =
        HEAD "<events>\n<event t=\"1\" type=\"a\"/>\n"
        "<event type=\"b\">\ntext\n</event>\n</events>\n" TAIL;
    pb_schema *title = variant("<optional><attribute name=\"title\"/>"
                               "</optional>", "<attribute name=\"title\"/>");
    pb_schema *t = variant("<optional>\n"
                           "            <attribute name=\"t\"><ref "
                           "name=\"time\"/></attribute>\n"
                           "          </optional>",
                           "<attribute name=\"t\"><ref name=\"time\"/>"
                           "</attribute>");
    pb_schema *one = variant("<ref name=\"parts-DCEX\"/>",
                             "<ref name=\"events\"/>");
    pb_scenario *s = (pb_scenario *)&s;
    pb_error err;

    (void)state;
    memset(&err, 0, sizeof err);
    assert_int_equal(pb_scenario_parse_with(title, "t.xml", doc,
                                            sizeof doc - 1, &s, &err),
                     PB_INPUT);
    assert_null(s);
    assert_string_equal(err.file, "t.xml");
    assert_int_equal(err.line, 1);
    assert_string_equal(err.message, INVALID "Element scenario failed to "
                        "validate attributes");

    assert_int_equal(pb_scenario_parse_with(t, "t.xml", doc, sizeof doc - 1,
                                            &s, &err), PB_INPUT);
    assert_int_equal(err.line, 4);
    assert_string_equal(err.message, INVALID "Element event failed to "
                        "validate attributes");

    /* Not the reader's: a scenario without <events>. */
    assert_int_equal(pb_scenario_parse_with(one, "t.xml", HEAD TAIL,
                                            strlen(HEAD TAIL), &s, &err),
                     PB_INPUT);
    assert_int_equal(err.line, 1);
    assert_true(strncmp(err.message, INVALID, strlen(INVALID)) == 0);
    assert_null(strchr(err.message, '\n'));

    /* The hand checks still come first. */
    assert_int_equal(pb_scenario_parse_with(title, "t.xml",
                                            HEAD "<bogus/>" TAIL,
                                            strlen(HEAD "<bogus/>" TAIL), &s,
                                            &err), PB_INPUT);
    assert_string_equal(err.message, "unexpected element <bogus> in "
                        "<scenario>");
    pb_schema_free(title);
    pb_schema_free(t);
    pb_schema_free(one);
}

/* libxml2 keeps 16 bits of line per element; schema errors far down a
 * file still name the right line. */
static void test_big_line_numbers(void **state)
{
    pb_schema *t = variant("<optional>\n"
                           "            <attribute name=\"t\"><ref "
                           "name=\"time\"/></attribute>\n"
                           "          </optional>",
                           "<attribute name=\"t\"><ref name=\"time\"/>"
                           "</attribute>");
    static const char head[] = HEAD "<events>\n";        /* lines 1-2 */
    static const char tail[] = "<event type=\"b\"/>\n"   /* line 70001 */
                               "</events>\n" TAIL;
    size_t n = strlen(head) + 69998 + strlen(tail);
    char *xml = malloc(n + 1);
    pb_scenario *s = NULL;
    pb_error err;

    (void)state;
    assert_non_null(xml);
    memcpy(xml, head, strlen(head));
    memset(xml + strlen(head), '\n', 69998);
    memcpy(xml + strlen(head) + 69998, tail, strlen(tail) + 1);
    assert_int_equal(pb_scenario_parse_with(t, "t.xml", xml, n, &s, &err),
                     PB_INPUT);
    assert_int_equal(err.line, 70001);
    free(xml);
    pb_schema_free(t);
}

static void test_compile_errors(void **state)
{
    static const char rng_ns[] = "http://relaxng.org/ns/structure/1.0";
    static const char not_xml[] = "<grammar>\n<start>\n</grammar>";
    char bad_rng[512];
    pb_schema *sc = (pb_schema *)&sc;
    pb_error err;

    (void)state;
    memset(&err, 0, sizeof err);
    assert_int_equal(pb__schema_compile(not_xml, sizeof not_xml - 1, &sc,
                                        &err), PB_INPUT);
    assert_null(sc);
    assert_string_equal(err.file, "scenario.rng");
    assert_int_equal(err.line, 3);
    assert_null(strchr(err.message, '\n'));

    snprintf(bad_rng, sizeof bad_rng,
             "<grammar xmlns=\"%s\">\n<start>\n<element name=\"a\">\n"
             "<bogus/>\n</element>\n</start>\n</grammar>\n", rng_ns);
    assert_int_equal(pb__schema_compile(bad_rng, strlen(bad_rng), &sc,
                                        &err), PB_INPUT);
    assert_null(sc);
    assert_string_equal(err.file, "scenario.rng");
    assert_true(err.message[0] != '\0');
    assert_null(strchr(err.message, '\n'));

    assert_int_equal(pb__schema_compile("", 0, &sc, &err), PB_INPUT);
    assert_null(sc);
}

/* Nothing reaches stderr: errors of every kind come back in pb_error. */
static void test_nothing_on_stderr(void **state)
{
    static const char *const docs[] = {
        HEAD "<bogus/>" TAIL,
        HEAD "<events><event type=\"a b\"/></events>" TAIL,
        HEAD "<events></event>" TAIL,
        "<!DOCTYPE scenario>\n" HEAD TAIL,
        HEAD "<description>\xc3\x28</description>" TAIL,
        HEAD "<events><event type=\"a\">&pw;</event></events>" TAIL,
    };
    static const char utf16[] = "\xff\xfe<\0s\0/\0>\0";
    static const char rng[] =
        "<grammar xmlns=\"http://relaxng.org/ns/structure/1.0\">\n"
        "<start><element name=\"a\"><bogus/></element></start></grammar>";
    fixture *f = *state;
    pb_schema *title = variant("<optional><attribute name=\"title\"/>"
                               "</optional>", "<attribute name=\"title\"/>");
    char path[] = "/tmp/pb-stderr-XXXXXX";
    pb_scenario *s;
    pb_schema *sc;
    pb_error err;
    struct stat st;
    size_t i;
    int fd, saved;

    fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    saved = dup(2);
    assert_true(saved >= 0);
    assert_true(dup2(fd, 2) >= 0);

    for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        pb_scenario_parse_with(f->schema, "t.xml", docs[i],
                               strlen(docs[i]), &s, &err);
        pb_scenario_parse(NULL, docs[i], strlen(docs[i]), &s, &err);
    }
    pb_scenario_parse_with(f->schema, "t.xml", utf16, sizeof utf16 - 1, &s,
                           &err);
    pb_scenario_parse_with(title, "t.xml", HEAD TAIL, strlen(HEAD TAIL), &s,
                           &err);
    pb_scenario_read_with(f->schema, "/nonexistent/pb.xml", &s, &err);
    pb__schema_compile(rng, sizeof rng - 1, &sc, &err);
    pb__schema_compile("<a", 2, &sc, &err);
    pb_schema_free(pb_schema_new(&err));

    fflush(stderr);
    assert_true(dup2(saved, 2) >= 0);
    close(saved);
    assert_int_equal(fstat(fd, &st), 0);
    close(fd);
    unlink(path);
    if (st.st_size != 0)
        fail_msg("%ld bytes written to stderr", (long)st.st_size);
    pb_schema_free(title);
}

/* One schema serves any number of reads, valid and not, in turn. */
static void test_shared(void **state)
{
    fixture *f = *state;
    pb_scenario *s;
    pb_error err;
    int i;

    for (i = 0; i < 200; i++) {
        assert_int_equal(reads(f, HEAD "<events><event type=\"a\"/>"
                               "</events>" TAIL, &err), 1);
        assert_int_equal(reads(f, HEAD "<bogus/>" TAIL, &err), 0);
    }
    assert_int_equal(pb_scenario_read_with(f->schema,
                                           "scenarios/late-delivery.xml",
                                           &s, &err), PB_OK);
    pb_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_built_in_is_the_file),
        cmocka_unit_test(test_bundled_scenarios),
        cmocka_unit_test(test_default_compiles_one),
        cmocka_unit_test(test_same_values),
        cmocka_unit_test(test_same_structure),
        cmocka_unit_test(test_only_the_reader),
        cmocka_unit_test(test_schema_message),
        cmocka_unit_test(test_big_line_numbers),
        cmocka_unit_test(test_compile_errors),
        cmocka_unit_test(test_nothing_on_stderr),
        cmocka_unit_test(test_shared),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
