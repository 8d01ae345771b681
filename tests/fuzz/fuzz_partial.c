/*
 * fuzz_partial.c -- a shard's partial statistics (playbook.h,
 * "Partials"; docs/scale.md): the file `playbook stats --merge` reads.
 *
 * bytes -> pb_stats_parse_partial -> when accepted: written back with
 * pb_stats_write_partial and read again, which must give the same
 * partial byte for byte; merged with itself, which must be accepted
 * (the same version) and double every count within the caps; and the
 * three reports render.  When refused: no pb_stats, and err names the
 * input.
 */
#define _GNU_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "playbook.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static char *written(const pb_stats *s, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);

    if (f == NULL || pb_stats_write_partial(s, f) != PB_OK)
        fuzz_fail("cannot write a partial that was read");
    fclose(f);
    return buf;
}

static void renders(const pb_stats *s)
{
    static const pb_format fmts[] = { PB_FORMAT_TEXT, PB_FORMAT_JSON,
                                      PB_FORMAT_HTML };
    size_t i;

    for (i = 0; i < sizeof fmts / sizeof *fmts; i++) {
        char *buf = NULL;
        size_t len;
        FILE *f = open_memstream(&buf, &len);

        if (f == NULL)
            fuzz_fail("open_memstream");
        if (pb_stats_render(s, f, fmts[i], 0) != PB_OK)
            fuzz_fail("a partial that was read does not render (%zu)", i);
        fclose(f);
        free(buf);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pb_stats *s = NULL, *t = NULL;
    char *a, *b;
    size_t la, lb;
    pb_error err;
    pb_status st;

    st = pb_stats_parse_partial(&s, "fuzz.part", (const char *)data, size,
                                &err);
    if (st != PB_OK) {
        if (s != NULL)
            fuzz_fail("an error and statistics");
        if (strcmp(err.file, "fuzz.part") != 0 || err.message[0] == '\0')
            fuzz_fail("an error that does not name the input");
        return 0;
    }
    a = written(s, &la);
    if (pb_stats_parse_partial(&t, "again.part", a, la, &err) != PB_OK)
        fuzz_fail("a partial written back is refused: %s", err.message);
    b = written(t, &lb);
    if (la != lb || memcmp(a, b, la) != 0)
        fuzz_fail("a partial written back reads as another");
    free(b);
    renders(s);
    /* merged with itself: the same version, so accepted */
    if (pb_stats_parse_partial(&t, "again.part", a, la, &err) != PB_OK)
        fuzz_fail("a partial merged with itself is refused: %s",
                  err.message);
    renders(t);
    free(a);
    pb_stats_free(s);
    pb_stats_free(t);
    return 0;
}
