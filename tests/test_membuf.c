/*
 * test_membuf.c -- the server's stream into memory (membuf.h), as the
 * answers use it: printf, single bytes and large writes past the first
 * buffer, a seek back that writes over the last byte, the bytes after
 * fclose; and the same writes through open_memstream give the same
 * bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "membuf.h"

/* What an answer does: a prefix, a body ending in a newline that is
 * then taken back, the rest. */
static void write_answer(FILE *f, size_t big)
{
    size_t i;

    fprintf(f, "%s{\"id\": \"%s\", \"case\": ", "data: ", "T-1");
    for (i = 0; i < big; i++)
        fputc('a' + (int)(i % 26), f);
    fputc('\n', f);
    assert_int_equal(fseek(f, -1, SEEK_CUR), 0);
    fprintf(f, ", \"n\": %zu}\n\n", big);
}

static void same_as_memstream(void **state)
{
    static const size_t sizes[] = { 0, 1, 10, 4000, 4096, 5000, 70000 };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        pb__membuf m;
        char *want = NULL;
        size_t wlen = 0;
        FILE *f = pb__membuf_open(&m, 16), *g = open_memstream(&want, &wlen);

        assert_non_null(f);
        assert_non_null(g);
        write_answer(f, sizes[i]);
        write_answer(g, sizes[i]);
        assert_int_equal(fclose(f), 0);
        assert_int_equal(fclose(g), 0);
        assert_int_equal(m.len, wlen);
        assert_memory_equal(m.buf, want, wlen);
        assert_int_equal(m.buf[m.len], '\0');
        free(m.buf);
        free(want);
    }
}

/* A seek outside what was written is refused and moves nothing. */
static void bad_seeks(void **state)
{
    pb__membuf m;
    FILE *f = pb__membuf_open(&m, 4);

    (void)state;
    assert_non_null(f);
    fputs("abc", f);
    assert_int_not_equal(fseek(f, -4, SEEK_CUR), 0);
    assert_int_not_equal(fseek(f, 1, SEEK_END), 0);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    fputs("X", f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    fputs("d", f);
    assert_int_equal(fclose(f), 0);
    assert_string_equal(m.buf, "Xbcd");
    assert_int_equal(m.len, 4);
    free(m.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_as_memstream),
        cmocka_unit_test(bad_seeks),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
