/*
 * test_ascii.c -- the ASCII classes (engine/base/ascii.h): every byte
 * value, as unsigned char and as a (possibly negative) plain char, in
 * exactly the classes it belongs to, whatever the locale.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <string.h>

#include "ascii.h"

static void each_byte(void **state)
{
    static const char spaces[] = " \t\n\r";
    static const char digits[] = "0123456789";
    static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static const char lower[] = "abcdefghijklmnopqrstuvwxyz";
    int c, sc;

    (void)state;
    /* a locale whose <ctype.h> calls bytes past 0x7f letters and spaces
     * (when installed) changes nothing */
    setlocale(LC_ALL, "C.UTF-8");
    for (c = 0; c < 256; c++) {
        int sp = c != 0 && strchr(spaces, c) != NULL;
        int di = c != 0 && strchr(digits, c) != NULL;
        int up = c != 0 && strchr(upper, c) != NULL;
        int lo = c != 0 && strchr(lower, c) != NULL;

        sc = (int)(signed char)c; /* what a plain char gives on x86 */
        assert_int_equal(pb__ascii_space(c), sp);
        assert_int_equal(pb__ascii_space(sc), sp);
        assert_int_equal(pb__ascii_digit(c), di);
        assert_int_equal(pb__ascii_digit(sc), di);
        assert_int_equal(pb__ascii_alpha(c), up || lo);
        assert_int_equal(pb__ascii_alpha(sc), up || lo);
        assert_int_equal(pb__ascii_id(c), up || lo || di || c == '_' ||
                                              c == '-');
        assert_int_equal(pb__ascii_id(sc), pb__ascii_id(c));
        assert_int_equal(pb__ascii_lower(c), up ? c + 32 : c);
        assert_int_equal(pb__ascii_lower(sc), up ? c + 32 : sc);
    }
    /* not even \v and \f, which isspace() takes */
    assert_false(pb__ascii_space('\v'));
    assert_false(pb__ascii_space('\f'));
    setlocale(LC_ALL, "C");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_byte),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
