/*
 * fuzz_labels.c -- a support lead's labels (playbook.h, "Labels"): the
 * CSV `playbook calibrate` reads.
 *
 * bytes -> pb_labels_parse, twice (the same answer both times) -> the
 * promises of the header checked on the result:
 *   PB_OK     at least one label and at most PB_LABELS_MAX_ROWS; each
 *             with a chat without control characters, an item that is
 *             principle.item, a lead's state, fields within
 *             PB_LABELS_MAX_FIELD, lines going up, and pb_labels_find
 *             giving it back; then the labels as two leads who agree
 *             on everything (pb_calib_new with the default principles:
 *             fuzz.h): when that is accepted, agreement is total and
 *             there is no disagreement, and the three reports render;
 *   PB_INPUT  err names the input, with a message and a line inside it.
 */
#include <string.h>

#include "fuzz.h"
#include "playbook.h"

static pb_engine *engine; /* introspection only: nothing changes it */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_principles_read();
    if ((engine = fuzz_engine_new()) == NULL)
        fuzz_setup_failed("out of memory");
    return 0;
}

static int item_shape(const char *s)
{
    const char *dot = strchr(s, '.');

    if (dot == NULL || dot == s || dot[1] == '\0' || strchr(dot + 1, '.'))
        return 0;
    for (; *s; s++)
        if (!(*s == '.' || *s == '_' || *s == '-' ||
              (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
              (*s >= 'A' && *s <= 'Z')))
            return 0;
    return 1;
}

static void check_label(const pb_labels *l, size_t i, int *last_line)
{
    const pb_label *lb = pb_labels_get(l, i);
    const unsigned char *p;

    if (lb->chat == NULL || lb->item == NULL || lb->note == NULL)
        fuzz_fail("label %zu has a NULL field", i);
    if (lb->chat[0] == '\0')
        fuzz_fail("label %zu has no chat", i);
    for (p = (const unsigned char *)lb->chat; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            fuzz_fail("label %zu: chat holds control character 0x%02x", i,
                      *p);
    if (!item_shape(lb->item))
        fuzz_fail("label %zu: item '%s' is not principle.item", i, lb->item);
    if (strlen(lb->chat) > PB_LABELS_MAX_FIELD ||
        strlen(lb->note) > PB_LABELS_MAX_FIELD)
        fuzz_fail("label %zu: a field over PB_LABELS_MAX_FIELD", i);
    if ((unsigned)lb->state > PB_LABEL_NA)
        fuzz_fail("label %zu: state %d is not a lead's", i, (int)lb->state);
    if (lb->borderline != 0 && lb->borderline != 1)
        fuzz_fail("label %zu: borderline %d", i, lb->borderline);
    if (lb->line < 2 || lb->line <= *last_line)
        fuzz_fail("label %zu: line %d after line %d", i, lb->line,
                  *last_line);
    *last_line = lb->line;
    if (pb_labels_find(l, lb->chat, lb->item) != (long)i)
        fuzz_fail("label %zu is not found by its chat and item", i);
}

static void same(const pb_labels *a, const pb_labels *b)
{
    size_t i;

    if (pb_labels_count(a) != pb_labels_count(b))
        fuzz_fail("two parses give %zu and %zu labels", pb_labels_count(a),
                  pb_labels_count(b));
    for (i = 0; i < pb_labels_count(a); i++) {
        const pb_label *x = pb_labels_get(a, i), *y = pb_labels_get(b, i);

        if (strcmp(x->chat, y->chat) != 0 || strcmp(x->item, y->item) ||
            strcmp(x->note, y->note) || x->state != y->state ||
            x->borderline != y->borderline || x->line != y->line)
            fuzz_fail("two parses differ at label %zu", i);
    }
}

/* The labels against themselves: total agreement, whatever they say. */
static void calibrate(const pb_labels *a, const pb_labels *b)
{
    pb_calib *c = NULL;
    pb_calib_figures f;
    pb_error err;
    FILE *out;
    int fmt;

    if (pb_calib_new(engine, a, b, &c, &err) != PB_OK)
        return; /* an item the principles lack: a bad input, not a bug */
    if (pb_calib_finish(c, &err) != PB_OK)
        fuzz_fail("finish without replays: %s", err.message);
    pb_calib_figures_of(c, PB_CALIB_ALL, &f);
    if (f.labels != pb_labels_count(a) || f.agree != f.labels ||
        pb_calib_ndisagreements(c) != 0)
        fuzz_fail("labels against themselves: %zu of %zu agree, %zu "
                  "disagreements", f.agree, f.labels,
                  pb_calib_ndisagreements(c));
    if (f.has_kappa && (f.kappa < 1 - 1e-9 || f.kappa > 1 + 1e-9))
        fuzz_fail("labels against themselves: kappa %g", f.kappa);
    if ((out = fopen("/dev/null", "w")) == NULL)
        fuzz_setup_failed("cannot open /dev/null");
    for (fmt = PB_FORMAT_TEXT; fmt <= PB_FORMAT_HTML; fmt++)
        if (fmt != PB_FORMAT_JUNIT &&
            pb_calib_render(c, out, (pb_format)fmt, PB_RENDER_COLOR) != PB_OK)
            fuzz_fail("the calibration does not render as format %d", fmt);
    fclose(out);
    pb_calib_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pb_labels *a = NULL, *b = NULL;
    pb_error ea, eb;
    pb_status sa, sb;
    size_t i, lines = 1;
    int last = 0;

    sa = pb_labels_parse("fuzz.csv", (const char *)data, size, &a, &ea);
    sb = pb_labels_parse("fuzz.csv", (const char *)data, size, &b, &eb);
    if (sa != sb)
        fuzz_fail("two parses give %d and %d", (int)sa, (int)sb);
    if (sa != PB_OK) {
        if (a != NULL)
            fuzz_fail("an error and labels");
        /* Lines end as the reader ends them: \n, \r\n or \r. */
        for (i = 0; i < size; i++)
            lines += data[i] == '\n' ||
                     (data[i] == '\r' &&
                      (i + 1 == size || data[i + 1] != '\n'));
        if (sa != PB_INPUT || strcmp(ea.file, "fuzz.csv") != 0 ||
            ea.message[0] == '\0' || ea.line < 0 || ea.line > (int)lines ||
            ea.line != eb.line || strcmp(ea.message, eb.message) != 0)
            fuzz_fail("bad error: status %d, '%s:%d: %s'", (int)sa, ea.file,
                      ea.line, ea.message);
        return 0;
    }
    if (pb_labels_count(a) == 0 || pb_labels_count(a) > PB_LABELS_MAX_ROWS)
        fuzz_fail("%zu labels", pb_labels_count(a));
    for (i = 0; i < pb_labels_count(a); i++)
        check_label(a, i, &last);
    same(a, b);
    calibrate(a, b);
    pb_labels_free(a);
    pb_labels_free(b);
    return 0;
}
