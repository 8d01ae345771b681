/*
 * test_text.c -- what reaches a terminal or a JSON reader: the strict
 * UTF-8 decoder (utf8.c), text from principles and input written for
 * people (text.c), and the strings the JSON and XML writers put out
 * (jsonw.c, html.c).  Each class of character the hardening guide names
 * has its row; a sweep over every one- and two-byte string (and the
 * three-byte ones that start a sequence) checks that no output is ever
 * other than UTF-8 without control characters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "html.h"
#include "jsonw.h"
#include "text.h"
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

/* A text cut to a size keeps whole characters only. */
static void test_utf8_cut(void **state)
{
    static const struct {
        const char *s;
        size_t n, want;
    } rows[] = {
        { "", 0, 0 },
        { "abc", 2, 2 },
        { "caf\xc3\xa9", 5, 5 },               /* whole */
        { "caf\xc3\xa9", 4, 3 },               /* lead of 2 alone */
        { "\xe2\x82\xac", 2, 0 },              /* 2 of 3 */
        { "a\xf0\x9f\x98\x80", 4, 1 },          /* 3 of 4 */
        { "a\xf0\x9f\x98\x80", 5, 5 },
        { "ab\x80\x80\x80\x80", 6, 6 },        /* no lead: left alone */
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof rows / sizeof *rows; i++)
        if (pb__utf8_cut(rows[i].s, rows[i].n) != rows[i].want)
            fail_msg("row %zu: %zu, want %zu", i,
                     pb__utf8_cut(rows[i].s, rows[i].n), rows[i].want);
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

/* --- text for people -------------------------------------------------- */

typedef struct text_row {
    const char *what, *in;
    unsigned flags;
    const char *out;
} text_row;

static const text_row text_rows[] = {
    { "ASCII", "hello, world", 0, "hello, world" },
    { "UTF-8", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", 0,
      "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80" },
    { "runs of spaces", "a   b  ", 0, "a   b  " },
    { "runs of spaces, prose", "a   b  ", PB__TEXT_PROSE, "a   b  " },
    { "a backslash stays", "C:\\tmp \\x1b", 0, "C:\\tmp \\x1b" },
    /* Escape sequences. */
    { "OSC 52 (the clipboard)", "\x1b]52;c;cHduZWQ=\x07", 0,
      "\\x1b]52;c;cHduZWQ=\\x07" },
    { "OSC 0 (the window title)", "\x1b]0;pwned\x1b\\", 0,
      "\\x1b]0;pwned\\x1b\\" },
    { "ESC[8m (hidden text)", "\x1b[8msecret\x1b[0m", 0,
      "\\x1b[8msecret\\x1b[0m" },
    { "ESC in prose", "x\x1b[2Jy", PB__TEXT_PROSE, "x\\x1b[2Jy" },
    { "BEL, BS, VT, FF", "\x07\x08\x0b\x0c", PB__TEXT_PROSE,
      "\\x07\\x08\\x0b\\x0c" },
    { "DEL", "a\x7f" "b", 0, "a\\x7fb" },
    /* Line breaks and tabs: shown in names, folded in prose. */
    { "LF forging a line", "A-1\n  ok    forged.x is done", 0,
      "A-1\\x0a  ok    forged.x is done" },
    { "CR forging a line", "A-1\r  ok    forged", 0,
      "A-1\\x0d  ok    forged" },
    { "a tab", "a\tb", 0, "a\\x09b" },
    { "LF forging a line, prose", "A-1\n  ok    forged.x is done",
      PB__TEXT_PROSE, "A-1 ok    forged.x is done" },
    { "CR, prose", "done\r  ok    forged", PB__TEXT_PROSE,
      "done ok    forged" },
    { "XML layout, prose", "angry.\n    The agent", PB__TEXT_PROSE,
      "angry. The agent" },
    { "mixed breaks, prose", "a \r\n\t b", PB__TEXT_PROSE, "a b" },
    { "breaks at the ends, prose", "\nx\n", PB__TEXT_PROSE, " x " },
    /* C1 controls, raw or encoded. */
    { "U+009B (CSI)", "\xc2\x9b" "2J", 0, "\\xc2\\x9b2J" },
    { "U+0085 (NEL)", "a\xc2\x85" "b", PB__TEXT_PROSE, "a\\xc2\\x85b" },
    { "U+0080", "\xc2\x80", 0, "\\xc2\\x80" },
    { "raw 0x9B (8-bit CSI)", "\x9b" "2J", 0, "\\x9b2J" },
    /* Separators and bidi controls ("Trojan Source"). */
    { "U+2028", "a\xe2\x80\xa8" "b", PB__TEXT_PROSE, "a\\xe2\\x80\\xa8b" },
    { "U+2029", "a\xe2\x80\xa9" "b", 0, "a\\xe2\\x80\\xa9b" },
    { "LRE", "\xe2\x80\xaa", 0, "\\xe2\\x80\\xaa" },
    { "RLE", "\xe2\x80\xab", 0, "\\xe2\\x80\\xab" },
    { "PDF", "\xe2\x80\xac", 0, "\\xe2\\x80\\xac" },
    { "LRO", "\xe2\x80\xad", 0, "\\xe2\\x80\\xad" },
    { "RLO", "\xe2\x80\xae" "desrever", 0, "\\xe2\\x80\\xaedesrever" },
    { "LRI", "\xe2\x81\xa6", 0, "\\xe2\\x81\\xa6" },
    { "RLI", "\xe2\x81\xa7", 0, "\\xe2\\x81\\xa7" },
    { "FSI", "\xe2\x81\xa8", 0, "\\xe2\\x81\\xa8" },
    { "PDI", "\xe2\x81\xa9", 0, "\\xe2\\x81\\xa9" },
    { "LRM stays (RTL text needs it)", "\xe2\x80\x8e", 0, "\xe2\x80\x8e" },
    /* Not UTF-8. */
    { "0xFF", "a\xff" "b", 0, "a\\xffb" },
    { "an overlong '/'", "\xc0\xaf", 0, "\\xc0\\xaf" },
    { "a surrogate", "\xed\xa0\x80", 0, "\\xed\\xa0\\x80" },
    { "cut short at the end", "x\xe2\x82", 0, "x\\xe2\\x82" },
    { "cut short before ASCII", "\xe2\x82" "A", 0, "\\xe2\\x82A" },
};

static void test_text_rows(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof text_rows / sizeof *text_rows; i++) {
        const text_row *r = &text_rows[i];
        capture c;
        size_t cols;
        char *got;

        cols = pb__text_write(capture_open(&c), r->in, strlen(r->in),
                              SIZE_MAX, r->flags);
        got = capture_close(&c);
        if (strcmp(got, r->out) != 0)
            fail_msg("%s: wrote \"%s\", want \"%s\"", r->what, got, r->out);
        if (cols != pb__text_width(r->in, strlen(r->in), r->flags))
            fail_msg("%s: %zu columns written, width says %zu", r->what,
                     cols, pb__text_width(r->in, strlen(r->in), r->flags));
        free(got);
    }
}

static void test_text_put_and_prose(void **state)
{
    capture c;
    char *got;

    (void)state;
    assert_int_equal(pb__text_put(capture_open(&c), "a\nb"), 6);
    got = capture_close(&c);
    assert_string_equal(got, "a\\x0ab");
    free(got);
    assert_int_equal(pb__text_prose(capture_open(&c), "a\nb"), 3);
    got = capture_close(&c);
    assert_string_equal(got, "a b");
    free(got);
}

static void test_text_width(void **state)
{
    (void)state;
    assert_int_equal(pb__text_width("caf\xc3\xa9", 5, 0), 4);
    assert_int_equal(pb__text_width("\x1b", 1, 0), 4);
    assert_int_equal(pb__text_width("\xe2\x80\xae", 3, 0), 12);
    assert_int_equal(pb__text_width("a\n  b", 5, 0), 8);
    assert_int_equal(pb__text_width("a\n  b", 5, PB__TEXT_PROSE), 3);
}

/* Cut to a number of columns with "...", never inside an escape. */
static void test_text_cut(void **state)
{
    static const struct {
        const char *in;
        size_t max, cols;
        const char *out;
    } rows[] = {
        { "abcdefghij", 8, 8, "abcde..." },
        { "abcdefgh", 8, 8, "abcdefgh" },
        { "abc", 8, 3, "abc" },
        { "ab\x1b" "cd", 6, 5, "ab..." },
        { "ab\x1b" "cd", 8, 8, "ab\\x1bcd" },
        { "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 3, 3, "..." },
        { "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 4, 4,
          "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof rows / sizeof *rows; i++) {
        capture c;
        size_t cols = pb__text_write(capture_open(&c), rows[i].in,
                                     strlen(rows[i].in), rows[i].max, 0);
        char *got = capture_close(&c);

        if (strcmp(got, rows[i].out) != 0 || cols != rows[i].cols)
            fail_msg("row %zu: wrote \"%s\" (%zu columns), want \"%s\" "
                     "(%zu)", i, got, cols, rows[i].out, rows[i].cols);
        free(got);
    }
}

static void test_text_plain(void **state)
{
    (void)state;
    assert_true(pb__text_plain("listen.restate"));
    assert_true(pb__text_plain("a  b caf\xc3\xa9"));
    assert_true(pb__text_plain(""));
    assert_false(pb__text_plain("a\nb"));
    assert_false(pb__text_plain("a\tb"));
    assert_false(pb__text_plain("order\xe2\x80\xae"));
    assert_false(pb__text_plain("\xc2\x9b"));
    assert_false(pb__text_plain("\xff"));
}

/* The format is the engine's: its own newlines and words stay; each %s
 * argument is made safe and padded in columns; the other conversions are
 * printf's. */
static void test_text_printf(void **state)
{
    const char *volatile nil = NULL; /* printf prints it as (null) too */
    capture c;
    char *got, want[256];

    (void)state;
    pb__text_printf(capture_open(&c), "a\n%s\n", "b\nc\x1b[31m");
    got = capture_close(&c);
    assert_string_equal(got, "a\nb\\x0ac\\x1b[31m\n");
    free(got);

    pb__text_printf(capture_open(&c), "[%-6s][%6s][%.3s][%*s][%-*s][%s]",
                    "caf\xc3\xa9", "ab", "abcdef", 4, "x", 3, "y", nil);
    got = capture_close(&c);
    assert_string_equal(got, "[caf\xc3\xa9  ][    ab][abc][   x][y  ]"
                             "[(null)]");
    free(got);

    pb__text_printf(capture_open(&c), "%d|%5d|%-3d|%ld|%lld|%u|%lu|%zu|"
                    "%x|%X|%o|%c|%.2f|%6.1f|%g|%e|%%|%03d|%+d|%hd|%hhu",
                    -42, 7, 1, 123456789L, -5LL, 9u, 10UL, (size_t)11,
                    255u, 255u, 8u, 'z', 3.14159, 2.5, 0.5, 1e10, 5, 6,
                    (short)-3, (unsigned char)200);
    got = capture_close(&c);
    snprintf(want, sizeof want, "%d|%5d|%-3d|%ld|%lld|%u|%lu|%zu|"
             "%x|%X|%o|%c|%.2f|%6.1f|%g|%e|%%|%03d|%+d|%hd|%hhu",
             -42, 7, 1, 123456789L, -5LL, 9u, 10UL, (size_t)11, 255u,
             255u, 8u, 'z', 3.14159, 2.5, 0.5, 1e10, 5, 6, (short)-3,
             (unsigned char)200);
    assert_string_equal(got, want);
    free(got);

    /* A negative * width left-aligns, as in printf. */
    pb__text_printf(capture_open(&c), "[%*s]", -4, "x");
    got = capture_close(&c);
    assert_string_equal(got, "[x   ]");
    free(got);
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

/* Numbers as "%.10g" writes them, whole ones included (written
 * without printf), and what JSON cannot hold as null. */
static void test_json_numbers(void **state)
{
    static const double rows[] = {
        0, -0.0, 1, -1, 42, 9999999999.0, -9999999999.0, 1e10, -1e10,
        12345678901.0, 0.5, -2.25, 1.0 / 3, 1e-7, 123456.789, 2147483648.0,
        0.001, -0.001, 0.998, -0.05, 9999999.999, 10000000.5, 1e-3 / 3,
    };
    char want[64];
    capture c;
    pb__json j;
    char *got;
    size_t i;
    unsigned seed = 7;
    double v;

    (void)state;
    for (i = 0; i < sizeof rows / sizeof *rows; i++) {
        pb__json_init(&j, capture_open(&c));
        pb__json_num(&j, rows[i]);
        got = capture_close(&c);
        snprintf(want, sizeof want, "%.10g", rows[i]);
        assert_string_equal(got, want);
        free(got);
    }
    /* Times in milliseconds, written without printf, near and past the
     * edges of that path; and any doubles, written with it. */
    for (i = 0; i < 200000; i++) {
        long long k = (long long)rand_r(&seed) * RAND_MAX + rand_r(&seed);

        switch (i % 4) {
        case 0: v = (double)(k % 20000000000LL - 10000000000LL) / 1000; break;
        case 1: v = (double)(k % 2000 - 1000) / 1000; break;
        case 2: v = (double)(k % 1000000) / 1000 + 9999000; break;
        default: v = ((double)k / RAND_MAX - 1e9) / (1 + rand_r(&seed) % 1000);
        }
        pb__json_init(&j, capture_open(&c));
        pb__json_num(&j, v);
        got = capture_close(&c);
        snprintf(want, sizeof want, "%.10g", v);
        if (strcmp(got, want) != 0)
            fail_msg("%.17g: got %s, want %s", v, got, want);
        free(got);
    }
    pb__json_init(&j, capture_open(&c));
    pb__json_open(&j, '[');
    pb__json_num(&j, NAN);
    pb__json_num(&j, -INFINITY);
    pb__json_int(&j, -9223372036854775807L - 1);
    pb__json_int(&j, 0);
    pb__json_close(&j, ']');
    got = capture_close(&c);
    assert_string_equal(got, "[null,null,-9223372036854775808,0]");
    free(got);
}

/* Strings of every length from 0 to past the writer's buffer, some
 * with an escape, in one array: the bytes come out whole and in order,
 * all of them once the array ends (what the caller writes next lands
 * after it). */
static void test_json_long(void **state)
{
    size_t cap = 1 << 24, n = 0, len, i;
    char *want = malloc(cap), *s = malloc(9001), *got;
    capture c;
    pb__json j;

    (void)state;
    assert_non_null(want);
    assert_non_null(s);
    memset(s, 'a', 9000);
    want[n++] = '[';
    pb__json_init(&j, capture_open(&c));
    pb__json_open(&j, '[');
    for (len = 0; len <= 9000; len += 1 + len / 16) {
        s[len] = '\0';
        if (len % 3 == 1)
            s[len / 2] = '\n';
        pb__json_str(&j, s);
        n += (size_t)sprintf(want + n, "%s\"", len ? "," : "");
        for (i = 0; i < len; i++)
            n += (size_t)sprintf(want + n, "%s", s[i] == '\n' ? "\\n" : "a");
        want[n++] = '"';
        s[len] = 'a';
        s[len / 2] = 'a';
    }
    pb__json_close(&j, ']');
    fputs("\n", c.f);
    want[n++] = ']';
    want[n++] = '\n';
    want[n] = '\0';
    got = capture_close(&c);
    assert_string_equal(got, want);
    free(got);
    free(want);
    free(s);
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
 * a sequence, through each writer: what comes out is UTF-8, and holds no
 * character that acts on a terminal (but the newline the XML writer ends
 * its document with).
 */
static void sweep_one(const char *s)
{
    capture c;
    char *got;

    pb__text_write(capture_open(&c), s, strlen(s), SIZE_MAX, 0);
    got = capture_close(&c);
    if (!safe_utf8(got, strlen(got), ""))
        fail_msg("text of %02x %02x %02x is not safe", (unsigned char)s[0],
                 (unsigned char)s[1], s[1] ? (unsigned char)s[2] : 0);
    free(got);
    pb__text_write(capture_open(&c), s, strlen(s), SIZE_MAX,
                   PB__TEXT_PROSE);
    got = capture_close(&c);
    if (!safe_utf8(got, strlen(got), ""))
        fail_msg("prose of %02x %02x is not safe", (unsigned char)s[0],
                 (unsigned char)s[1]);
    free(got);
    got = json_of(s);
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
        cmocka_unit_test(test_utf8_cut),
        cmocka_unit_test(test_unsafe),
        cmocka_unit_test(test_text_rows),
        cmocka_unit_test(test_text_put_and_prose),
        cmocka_unit_test(test_text_width),
        cmocka_unit_test(test_text_cut),
        cmocka_unit_test(test_text_plain),
        cmocka_unit_test(test_text_printf),
        cmocka_unit_test(test_json_strings),
        cmocka_unit_test(test_json_keys),
        cmocka_unit_test(test_json_numbers),
        cmocka_unit_test(test_json_long),
        cmocka_unit_test(test_xml_strings),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_sweep_xml),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
