/*
 * test_text.c -- what reaches a terminal or a JSON reader: the strict
 * UTF-8 decoder (utf8.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_decode_stops_at_n),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
