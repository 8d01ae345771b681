/*
 * fuzz_import.c -- untrusted transcripts (docs/import.md).
 *
 * bytes -> pb_import_parse as JSON, as text and by guess -> each
 * conversation written as scenario XML, twice (the same import must give
 * the same bytes) -> the XML read back with pb_scenario_parse_with, which
 * must accept it: playbook.h promises that what the importer accepts is
 * written as a valid scenario.
 */
#include <string.h>

#include "fuzz.h"
#include "playbook.h"

#define MAX_CONVERSATIONS 16 /* written per input; the rest only parsed */

static pb_schema *schema;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    pb_error err;

    (void)argc;
    (void)argv;
    if ((schema = pb_schema_new(&err)) == NULL)
        fuzz_setup_failed("cannot compile the scenario schema");
    return 0;
}

/* Conversation i as XML in memory; NULL when pb_import_write refused. */
static char *write_xml(const pb_import *im, size_t i, size_t in_size,
                       size_t *len)
{
    char *buf = NULL, msg[1200];
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    pb_error err;
    pb_status st;

    if (f == NULL)
        return NULL;
    st = pb_import_write(im, i, f, &err);
    if (fclose(f) != 0 && st == PB_OK)
        st = PB_IO;
    if (st == PB_INPUT && in_size < 1024u * 1024u)
        fuzz_fail("pb_import_write refused conversation %zu of a %zu-byte "
                  "transcript it accepted: %s", i, in_size,
                  pb_error_text(&err, msg, sizeof msg));
    if (st != PB_OK) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static void import(const uint8_t *data, size_t size, pb_import_format fmt,
                   const char *topic, const char *id)
{
    pb_import_opts opts;
    pb_import *im = NULL;
    pb_error err;
    char msg[1200];
    size_t i;

    memset(&opts, 0, sizeof opts);
    opts.format = fmt;
    opts.topic = topic;
    opts.id = id;
    if (pb_import_parse("fuzz.txt", (const char *)data, size, &opts, &im,
                        &err) != PB_OK) {
        pb_import_free(im);
        return;
    }
    for (i = 0; i < pb_import_count(im); i++) {
        pb_scenario *s = NULL;
        char *a, *b;
        size_t alen = 0, blen = 0;

        pb_import_id(im, i);
        pb_import_nturns(im, i);
        if (i >= MAX_CONVERSATIONS)
            continue;
        if ((a = write_xml(im, i, size, &alen)) == NULL)
            continue;
        b = write_xml(im, i, size, &blen);
        if (b != NULL && (alen != blen || memcmp(a, b, alen) != 0))
            fuzz_fail("conversation %zu written twice differs", i);
        free(b);
        if (pb_scenario_parse_with(schema, "import.xml", a, alen, &s,
                                   &err) != PB_OK)
            fuzz_fail("conversation %zu was written as a scenario that "
                      "does not read back: %s\n--- written:\n%.*s", i,
                      pb_error_text(&err, msg, sizeof msg), (int)alen, a);
        if (pb_scenario_nevents(s) != pb_import_nturns(im, i))
            fuzz_fail("conversation %zu: %zu turns, %zu events read back",
                      i, pb_import_nturns(im, i), pb_scenario_nevents(s));
        pb_scenario_free(s);
        free(a);
    }
    pb_import_free(im);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    import(data, size, PB_IMPORT_JSON, NULL, NULL);
    import(data, size, PB_IMPORT_TEXT, NULL, NULL);
    import(data, size, PB_IMPORT_AUTO, "billing", "fuzz-id");
    return 0;
}
