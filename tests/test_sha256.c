/*
 * test_sha256.c -- SHA-256 against the vectors of FIPS 180-4's examples
 * (one block, two blocks of padding, a million bytes) and the lengths
 * around a block's end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sha256.h"

static void known_vectors(void **state)
{
    char hex[PB__SHA256_HEX];
    char *m;

    (void)state;
    pb__sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
                             "27ae41e4649b934ca495991b7852b855");
    pb__sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
                             "b00361a396177a9cb410ff61f20015ad");
    pb__sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                   56, hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039"
                             "a33ce45964ff2167f6ecedd419db06c1");
    m = malloc(1000000);
    assert_non_null(m);
    memset(m, 'a', 1000000);
    pb__sha256_hex(m, 1000000, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
                             "f1809a48a497200e046d39ccc7112cd0");
    free(m);
}

/* Lengths 55, 56 and 64 pad differently; each differs from its
 * neighbours, and the same input gives the same hash. */
static void block_edges(void **state)
{
    char a[PB__SHA256_HEX], b[PB__SHA256_HEX];
    char buf[130];
    size_t n;

    (void)state;
    memset(buf, 'x', sizeof buf);
    for (n = 54; n <= 129; n++) {
        pb__sha256_hex(buf, n, a);
        pb__sha256_hex(buf, n, b);
        assert_string_equal(a, b);
        pb__sha256_hex(buf, n - 1, b);
        assert_string_not_equal(a, b);
        assert_int_equal(strlen(a), 64);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_vectors),
        cmocka_unit_test(block_edges),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
