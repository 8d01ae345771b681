/*
 * test_text.c -- what reaches a terminal or a JSON reader: the strict
 * UTF-8 decoder (utf8.c) and the strings the JSON and XML writers put
 * out (jsonw.c, html.c).  Each class of character has its row; a sweep
 * over every one- and two-byte string (and the three-byte ones that
 * start a sequence) checks that no output is ever other than UTF-8
 * without control characters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "jsonw.h"
#include "utf8.h"

/* What a writer call printed, through a memstream. */
typedef struct capture {
    char *p;
    size_t n;
    FILE *f;
} capture;

static FILE *capture_open(capture *c)
{
    c->p = NULL;
    c->n = 0;
    c->f = open_memstream(&c->p, &c->n);
    assert_non_null(c->f);
    return c->f;
}

/* The text printed; free it with free(). */
static char *capture_close(capture *c)
{
    assert_int_equal(fclose(c->f), 0);
    return c->p;
}

/* Whether s[0..n) is UTF-8 with none of the characters pb__utf8_unsafe
 * names but those in allowed. */
static int safe_utf8(const char *s, size_t n, const char *allowed)
{
    unsigned long cp;
    size_t k;

    for (; n > 0; s += k, n -= k) {
        k = pb__utf8_next(s, n, &cp);
        if (cp == PB__UTF8_BAD)
            return 0;
        if (pb__utf8_unsafe(cp) &&
            (cp == 0 || cp > 0x7F || !strchr(allowed, (int)cp)))
            return 0;
    }
    return 1;
}

/* --- the decoder ------------------------------------------------------ */

typedef struct decode_row {
    const char *what, *s;
    size_t n, len;
    unsigned long cp;
} decode_row;

#define OK(what, s, cp) { what, s, sizeof(s) - 1, sizeof(s) - 1, cp }
#define BAD(what, s, len) { what, s, sizeof(s) - 1, len, PB__UTF8_BAD }

static const decode_row decode_rows[] = {
    OK("ASCII", "A", 0x41),
    OK("two bytes", "\xc3\xa9", 0xE9),
    OK("three bytes", "\xe2\x82\xac", 0x20AC),
    OK("four bytes", "\xf0\x9f\x98\x80", 0x1F600),
    OK("the last code point", "\xf4\x8f\xbf\xbf", 0x10FFFF),
    OK("just below the surrogates", "\xed\x9f\xbf", 0xD7FF),
    OK("just above the surrogates", "\xee\x80\x80", 0xE000),
    OK("the smallest three-byte form", "\xe0\xa0\x80", 0x800),
    OK("the smallest four-byte form", "\xf0\x90\x80\x80", 0x10000),
    OK("U+FFFD", "\xef\xbf\xbd", 0xFFFD),
    OK("C1 CSI, well-formed", "\xc2\x9b", 0x9B),
    BAD("a stray continuation byte", "\x80", 1),
    BAD("another", "\xbf", 1),
    BAD("lead C0 (overlong only)", "\xc0\xaf", 1),
    BAD("lead C1 (overlong only)", "\xc1\xbf", 1),
    BAD("overlong three bytes", "\xe0\x80\xaf", 1),
    BAD("overlong three bytes, high", "\xe0\x9f\xbf", 1),
    BAD("overlong four bytes", "\xf0\x80\x80\xaf", 1),
    BAD("overlong four bytes, high", "\xf0\x8f\xbf\xbf", 1),
    BAD("a high surrogate", "\xed\xa0\x80", 1),
    BAD("a low surrogate", "\xed\xbf\xbf", 1),
    BAD("past U+10FFFF", "\xf4\x90\x80\x80", 1),
    BAD("lead F5", "\xf5\x80\x80\x80", 1),
    BAD("FE", "\xfe", 1),
    BAD("FF", "\xff", 1),
    BAD("raw 8-bit CSI", "\x9b", 1),
    BAD("two bytes cut short", "\xc3", 1),
    BAD("two bytes, then ASCII", "\xc3" "A", 1),
    BAD("three bytes cut short", "\xe2\x82", 2),
    BAD("three bytes, then ASCII", "\xe2\x82" "A", 2),
    BAD("four bytes cut short", "\xf0\x9f\x98", 3),
    BAD("four bytes, then ASCII", "\xf0\x9f\x98" "A", 3),
};

static void test_decode(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof decode_rows / sizeof *decode_rows; i++) {
        const decode_row *r = &decode_rows[i];
        unsigned long cp = 0;
        size_t len = pb__utf8_next(r->s, r->n, &cp);

        if (len != r->len || cp != r->cp)
            fail_msg("%s: length %zu, code point %lx; want %zu, %lx",
                     r->what, len, cp, r->len, r->cp);
    }
}

/* The decoder never reads past n, whatever follows. */
static void test_decode_stops_at_n(void **state)
{
    unsigned long cp;

    (void)state;
    assert_int_equal(pb__utf8_next("\xc3\xa9", 1, &cp), 1);
    assert_true(cp == PB__UTF8_BAD);
    assert_int_equal(pb__utf8_next("\xf0\x9f\x98\x80", 3, &cp), 3);
    assert_true(cp == PB__UTF8_BAD);
}

static void test_unsafe(void **state)
{
    static const struct {
        unsigned long cp;
        int unsafe;
    } rows[] = {
        { 0x00, 1 }, { 0x07, 1 }, { 0x09, 1 }, { 0x0A, 1 }, { 0x0D, 1 },
        { 0x1B, 1 }, { 0x1F, 1 }, { 0x20, 0 }, { 0x7E, 0 }, { 0x7F, 1 },
        { 0x80, 1 }, { 0x85, 1 }, { 0x9B, 1 }, { 0x9F, 1 }, { 0xA0, 0 },
        { 0xE9, 0 }, { 0x200E, 0 }, { 0x200F, 0 }, { 0x2027, 0 },
        { 0x2028, 1 }, { 0x2029, 1 }, { 0x202A, 1 }, { 0x202B, 1 },
        { 0x202C, 1 }, { 0x202D, 1 }, { 0x202E, 1 }, { 0x202F, 0 },
        { 0x2065, 0 }, { 0x2066, 1 }, { 0x2067, 1 }, { 0x2068, 1 },
        { 0x2069, 1 }, { 0x206A, 0 }, { 0xFFFD, 0 }, { 0x1F600, 0 },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof rows / sizeof *rows; i++)
        if (pb__utf8_unsafe(rows[i].cp) != rows[i].unsafe)
            fail_msg("U+%04lX: unsafe is %d, want %d", rows[i].cp,
                     pb__utf8_unsafe(rows[i].cp), rows[i].unsafe);
}

/* --- JSON and XML strings --------------------------------------------- */

static char *json_of(const char *s)
{
    capture c;
    pb__json j;

    pb__json_init(&j, capture_open(&c));
    pb__json_str(&j, s);
    return capture_close(&c);
}

static void test_json_strings(void **state)
{
    static const struct {
        const char *what, *in, *out;
    } rows[] = {
        { "JSON's own escapes", "a\"b\\c\n\r\t",
          "\"a\\\"b\\\\c\\n\\r\\t\"" },
        { "C0", "\x01\x1f", "\"\\u0001\\u001f\"" },
        { "OSC 52", "\x1b]52;c;x\x07", "\"\\u001b]52;c;x\\u0007\"" },
        { "DEL", "\x7f", "\"\\u007f\"" },
        { "C1 CSI", "\xc2\x9b" "2J", "\"\\u009b2J\"" },
        { "U+2028", "\xe2\x80\xa8", "\"\\u2028\"" },
        { "RLO", "\xe2\x80\xae", "\"\\u202e\"" },
        { "PDI", "\xe2\x81\xa9", "\"\\u2069\"" },
        { "UTF-8 as it is", "caf\xc3\xa9 \xf0\x9f\x98\x80 /",
          "\"caf\xc3\xa9 \xf0\x9f\x98\x80 /\"" },
        { "0xFF", "a\xff" "b", "\"a\xef\xbf\xbd" "b\"" },
        { "raw 0x9B", "\x9b", "\"\xef\xbf\xbd\"" },
        { "a surrogate (ED A0 80)", "\xed\xa0\x80",
          "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
        { "an overlong '/'", "\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },
        { "cut short", "\xe2\x82", "\"\xef\xbf\xbd\"" },
        { "cut short before ASCII", "\xe2\x82" "A",
          "\"\xef\xbf\xbd" "A\"" },
        { "past U+10FFFF", "\xf4\x90\x80\x80",
          "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof rows / sizeof *rows; i++) {
        char *got = json_of(rows[i].in);

        if (strcmp(got, rows[i].out) != 0)
            fail_msg("%s: wrote %s, want %s", rows[i].what, got,
                     rows[i].out);
        free(got);
    }
}

static void test_json_keys(void **state)
{
    capture c;
    pb__json j;
    char *got;

    (void)state;
    pb__json_init(&j, capture_open(&c));
    pb__json_open(&j, '{');
    pb__json_kstr(&j, "name\xff\x1b", "v\xed\xa0\x80");
    pb__json_close(&j, '}');
    got = capture_close(&c);
    assert_string_equal(got, "{\"name\xef\xbf\xbd\\u001b\":"
                             "\"v\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}");
    free(got);
}

/* An XML document with a text and an attribute made of s. */
static char *xml_of(const char *s)
{
    capture c;
    pb__html *h = pb__html_xml(capture_open(&c));

    assert_non_null(h);
    pb__html_start(h, "t", NULL);
    pb__html_attr(h, "a", s);
    pb__html_text(h, s);
    assert_int_equal(pb__html_finish(h), PB_OK);
    return capture_close(&c);
}

static void test_xml_strings(void **state)
{
    char *got;

    (void)state;
    got = xml_of("a\xff\x1b\xc2\x9b\x7f\xed\xa0\x80" "b");
    assert_true(safe_utf8(got, strlen(got), "\n"));
    assert_non_null(strstr(got, ">a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                                "\xef\xbf\xbd"));
    free(got);
}

/*
 * Every string of one or two bytes, and of three whose first byte leads
 * a sequence, through the JSON writer: what comes out is UTF-8, and holds
 * no character that acts on a terminal.
 */
static void sweep_one(const char *s)
{
    char *got = json_of(s);

    if (!safe_utf8(got, strlen(got), ""))
        fail_msg("JSON of %02x %02x is not safe", (unsigned char)s[0],
                 (unsigned char)s[1]);
    free(got);
}

static void test_sweep(void **state)
{
    char s[4] = { 0 };
    int a, b, d;

    (void)state;
    for (a = 1; a < 256; a++) {
        s[0] = (char)a;
        s[1] = '\0';
        sweep_one(s);
        for (b = 1; b < 256; b++) {
            s[1] = (char)b;
            s[2] = '\0';
            sweep_one(s);
            if (a < 0xE0 || a > 0xF4 || b < 0x80 || b > 0xBF)
                continue;
            for (d = 1; d < 256; d += 3) {
                s[2] = (char)d;
                sweep_one(s);
            }
            s[2] = '\0';
        }
    }
}

/* The XML writer, on the same strings but fewer of them (it is slower). */
static void test_sweep_xml(void **state)
{
    char s[3] = { 0 };
    int a, b;

    (void)state;
    for (a = 1; a < 256; a++) {
        for (b = 0x7F; b < 256; b += 5) {
            char *got;

            s[0] = (char)a;
            s[1] = (char)b;
            got = xml_of(s);
            if (!safe_utf8(got, strlen(got), "\t\n"))
                fail_msg("XML of %02x %02x is not safe", a, b);
            free(got);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_decode_stops_at_n),
        cmocka_unit_test(test_unsafe),
        cmocka_unit_test(test_json_strings),
        cmocka_unit_test(test_json_keys),
        cmocka_unit_test(test_xml_strings),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_sweep_xml),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
