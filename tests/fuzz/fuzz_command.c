/*
 * fuzz_command.c -- the live command parser (playbook.h, "Live
 * commands"): the lines an agent types during a call.
 *
 * bytes -> pb_command_parse, twice (a pure function gives the same
 * answer) -> the promises of the header checked on the result:
 *   PB_OK     every string is free of control characters; an event has
 *             a type and at most PB_COMMAND_MAX_ATTRS attributes, each
 *             named; a due time reads with pb_due_parse; the event is
 *             then recorded in a case (pb_case_append, a fresh engine
 *             with the default principles: fuzz.h), as `playbook live`
 *             would, which may refuse it but must not crash;
 *   PB_INPUT  err->message is "column N: ..." with N == out->column >= 1,
 *             err->file "" and err->line 0.
 * The name lookups (pb_command_lookup, pb_command_closest) get the first
 * word of the input too.
 */
#include <string.h>

#include "fuzz.h"
#include "playbook.h"

static const char *names[64];
static size_t nnames;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const pb_command_info *ci;

    (void)argc;
    (void)argv;
    fuzz_principles_read();
    for (nnames = 0; nnames < sizeof names / sizeof names[0] &&
                     (ci = pb_command_get(nnames)) != NULL;
         nnames++)
        names[nnames] = ci->name;
    if (nnames != pb_command_count())
        fuzz_fail("pb_command_count %zu, pb_command_get gives %zu",
                  pb_command_count(), nnames);
    return 0;
}

static void clean_text(const char *what, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    if (s == NULL)
        return;
    for (; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            fuzz_fail("%s holds control character 0x%02x", what, *p);
}

static int same_str(const char *a, const char *b)
{
    return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

static void same(const pb_command *a, const pb_command *b)
{
    size_t i;

    if (a->kind != b->kind || !same_str(a->name, b->name) ||
        !same_str(a->type, b->type) || !same_str(a->text, b->text) ||
        !same_str(a->due, b->due) || !same_str(a->topic, b->topic) ||
        a->ref != b->ref || a->column != b->column ||
        a->nattrs != b->nattrs)
        fuzz_fail("two parses of the same line differ");
    for (i = 0; i < a->nattrs && i < PB_COMMAND_MAX_ATTRS; i++)
        if (!same_str(a->attrs[i].name, b->attrs[i].name) ||
            !same_str(a->attrs[i].value, b->attrs[i].value))
            fuzz_fail("two parses of the same line differ (attribute)");
}

static void record(const pb_command *cmd)
{
    pb_engine *e;
    pb_case *c;
    pb_error err;

    if (cmd->type == NULL || (e = fuzz_engine_new()) == NULL)
        return;
    if ((c = pb_case_new(e, "delivery", "phone", &err)) != NULL) {
        pb_case_append(c, 1, "customer.said", "My parcel is late.", NULL,
                       0, &err);
        pb_case_append(c, 2, cmd->type, cmd->text, cmd->attrs, cmd->nattrs,
                       &err);
    }
    pb_case_free(c);
    pb_engine_free(e);
}

static void check_ok(const pb_command *cmd)
{
    double t;
    size_t i;

    if (cmd->nattrs > PB_COMMAND_MAX_ATTRS)
        fuzz_fail("%zu attributes", cmd->nattrs);
    if ((cmd->kind == PB_CMD_EVENT) && cmd->type == NULL)
        fuzz_fail("an event command without a type");
    clean_text("name", cmd->name);
    clean_text("type", cmd->type);
    clean_text("text", cmd->text);
    clean_text("due", cmd->due);
    clean_text("topic", cmd->topic);
    for (i = 0; i < cmd->nattrs; i++) {
        if (cmd->attrs[i].name == NULL || cmd->attrs[i].value == NULL)
            fuzz_fail("attribute %zu without a name or a value", i);
        clean_text("attribute name", cmd->attrs[i].name);
        clean_text("attribute value", cmd->attrs[i].value);
    }
    if (cmd->due != NULL && pb_due_parse(cmd->due, 1.8e9, &t) != PB_OK)
        fuzz_fail("due time '%s' accepted, but pb_due_parse cannot read "
                  "it", cmd->due);
    if (cmd->name != NULL && pb_command_lookup(cmd->name) == NULL)
        fuzz_fail("command name '%s' does not look up", cmd->name);
    record(cmd);
}

static void check_error(const pb_command *cmd, const pb_error *err)
{
    char want[32];

    if (cmd->column < 1)
        fuzz_fail("an error at column %d", cmd->column);
    snprintf(want, sizeof want, "column %d: ", cmd->column);
    if (strncmp(err->message, want, strlen(want)) != 0)
        fuzz_fail("error '%s' does not start with '%s'", err->message,
                  want);
    if (err->file[0] != '\0' || err->line != 0)
        fuzz_fail("error with a file or a line: %s:%d", err->file,
                  err->line);
}

static void lookups(const uint8_t *data, size_t size)
{
    char word[80];
    size_t n = 0;

    while (n < size && n < sizeof word - 1 && data[n] != ' ' &&
           data[n] != '\0')
        n++;
    memcpy(word, data, n);
    word[n] = '\0';
    pb_command_lookup(word);
    pb_command_closest(word, names, nnames);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static pb_command a, b; /* over 4 KiB each */
    /* Filled with two patterns first: a field the parser leaves unset
     * makes the comparison differ (or read a wild pointer). */
    pb_error ea, eb;
    pb_status sa, sb;

    memset(&a, 0xa5, sizeof a);
    memset(&b, 0x5a, sizeof b);
    sa = pb_command_parse((const char *)data, size, &a, &ea);
    sb = pb_command_parse((const char *)data, size, &b, &eb);
    if (sa != sb)
        fuzz_fail("two parses of the same line: %s, then %s",
                  pb_strstatus(sa), pb_strstatus(sb));
    if (sa == PB_OK) {
        same(&a, &b);
        check_ok(&a);
    } else if (sa == PB_INPUT) {
        if (strcmp(ea.message, eb.message) != 0)
            fuzz_fail("two parses of the same line, two errors");
        check_error(&a, &ea);
    } else {
        fuzz_fail("pb_command_parse gave %s", pb_strstatus(sa));
    }
    if (size > PB_COMMAND_MAX_LINE + 2 && sa == PB_OK) /* + "\r\n" */
        fuzz_fail("a %zu-byte line accepted", size);
    pb_command_parse((const char *)data, size, &a, NULL);
    lookups(data, size);
    return 0;
}
