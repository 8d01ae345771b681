/*
 * test_labels.c -- a support lead's labels (engine/files/labels.c): the
 * CSV of RFC 4180 (quotes, "" inside them, commas and line breaks in a
 * quoted field, CRLF, a byte order mark), the header by name, lines in
 * messages, and every bad input with its line and message: a bad
 * header, an unterminated quote, a state or borderline outside the
 * vocabulary, an item that is not principle.item, a duplicate, a field
 * or a file over its cap, too many rows, invalid UTF-8, an empty file,
 * a file that is not a regular file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "playbook.h"

static pb_labels *parse_ok(const char *src)
{
    pb_labels *l = NULL;
    pb_error err;
    char buf[1200];

    if (pb_labels_parse("t.csv", src, strlen(src), &l, &err) != PB_OK)
        fail_msg("%s", pb_error_text(&err, buf, sizeof buf));
    assert_non_null(l);
    return l;
}

/* Parsing src fails at line with a message containing what. */
static void parse_bad_n(const char *src, size_t len, int line,
                        const char *what)
{
    pb_labels *l = (pb_labels *)1;
    pb_error err;
    char buf[1200];

    memset(&err, 0, sizeof err);
    assert_int_equal(pb_labels_parse("t.csv", src, len, &l, &err), PB_INPUT);
    assert_null(l);
    pb_error_text(&err, buf, sizeof buf);
    if (err.line != line || strstr(err.message, what) == NULL)
        fail_msg("want line %d and '%s', got '%s'", line, what, buf);
    assert_string_equal(err.file, "t.csv");
}

static void parse_bad(const char *src, int line, const char *what)
{
    parse_bad_n(src, strlen(src), line, what);
}

#define HEAD "chat,item,lead,borderline,note\n"

static void test_real_header(void **state)
{
    pb_labels *l;
    const pb_label *lb;

    (void)state;
    l = parse_ok(HEAD
                 "abcd-4989,listen.hear_out,done,,\n"
                 "abcd-4989,listen.restate,violated,,\"no restatement: "
                 "'Yes, let me look', then \"\"the answer\"\"\"\n"
                 "abcd-4989,explain.explain_steps,done,yes,timing\n");
    assert_int_equal(pb_labels_count(l), 3);
    assert_string_equal(pb_labels_name(l), "t.csv");
    lb = pb_labels_get(l, 0);
    assert_string_equal(lb->chat, "abcd-4989");
    assert_string_equal(lb->item, "listen.hear_out");
    assert_int_equal(lb->state, PB_LABEL_DONE);
    assert_string_equal(lb->note, "");
    assert_int_equal(lb->borderline, 0);
    assert_int_equal(lb->line, 2);
    lb = pb_labels_get(l, 1);
    assert_int_equal(lb->state, PB_LABEL_VIOLATED);
    assert_string_equal(lb->note, "no restatement: 'Yes, let me look', "
                                  "then \"the answer\"");
    lb = pb_labels_get(l, 2);
    assert_int_equal(lb->borderline, 1);
    assert_int_equal(lb->line, 4);
    assert_int_equal(pb_labels_find(l, "abcd-4989", "listen.restate"), 1);
    assert_int_equal(pb_labels_find(l, "abcd-4989", "listen.nope"), -1);
    assert_int_equal(pb_labels_find(l, "abcd-0000", "listen.restate"), -1);
    pb_labels_free(l);
}

/* Columns in any order, state instead of lead, optional ones left out,
 * CRLF, a byte order mark, white space and case, blank rows, a line
 * break inside a quoted note (the next row's line counts it). */
static void test_forms(void **state)
{
    pb_labels *l;
    const pb_label *lb;

    (void)state;
    l = parse_ok("\xef\xbb\xbf" "Note , STATE,Item,chat\r\n"
                 "\"two\r\nlines, and a comma\", Open ,ask.order_id, c1 \r\n"
                 "\r\n"
                 ",,,\r\n"
                 "\"\",n/a,boundaries.recover,c1\r\n"
                 "x,N/A,ask.account_id,\"c 2\"");
    assert_int_equal(pb_labels_count(l), 3);
    lb = pb_labels_get(l, 0);
    assert_string_equal(lb->chat, "c1");
    assert_string_equal(lb->item, "ask.order_id");
    assert_int_equal(lb->state, PB_LABEL_OPEN);
    assert_string_equal(lb->note, "two\r\nlines, and a comma");
    assert_int_equal(lb->line, 2);
    lb = pb_labels_get(l, 1);
    assert_int_equal(lb->state, PB_LABEL_NA);
    assert_int_equal(lb->line, 6);
    lb = pb_labels_get(l, 2);
    assert_string_equal(lb->chat, "c 2");
    assert_int_equal(lb->line, 7);
    pb_labels_free(l);

    /* Only the three columns that must be there; "?" and "no". */
    l = parse_ok("chat,item,state\nc,a.b,done\n");
    assert_string_equal(pb_labels_get(l, 0)->note, "");
    assert_int_equal(pb_labels_get(l, 0)->borderline, 0);
    pb_labels_free(l);
    l = parse_ok("chat,item,state,borderline\nc,a.b,done,?\nc,a.c,done,No\n");
    assert_int_equal(pb_labels_get(l, 0)->borderline, 1);
    assert_int_equal(pb_labels_get(l, 1)->borderline, 0);
    pb_labels_free(l);
}

static void test_bad_header(void **state)
{
    (void)state;
    parse_bad("", 0, "empty file");
    parse_bad("\n\n,,\n", 0, "empty file");
    parse_bad("\xef\xbb\xbf", 0, "empty file");
    parse_bad(HEAD, 1, "no labels after the header");
    parse_bad("\n" HEAD "\n\n", 2, "no labels after the header");
    parse_bad("chat,item,lead,comment\nc,a.b,done,x\n", 1,
              "unknown column 'comment'");
    parse_bad("chat,item,lead,state\nc,a.b,done,done\n", 1,
              "column 'state' given twice (state and lead are one column)");
    parse_bad("chat,chat,lead\nc,c,done\n", 1, "column 'chat' given twice");
    parse_bad("chat,,lead\nc,a.b,done\n", 1, "column 2 has no name");
    parse_bad("chat,lead\nc,done\n", 1, "no 'item' column");
    parse_bad("item,lead\na.b,done\n", 1, "no 'chat' column");
    parse_bad("chat,item,note\nc,a.b,x\n", 1, "no 'state' or 'lead' column");
    parse_bad("chat,item,lead,borderline,note,\n", 1,
              "more than 5 fields in a row");
}

static void test_bad_rows(void **state)
{
    (void)state;
    parse_bad(HEAD "c,a.b,done,,\nc,a.c,finished,,\n", 3,
              "state 'finished' is not one of done, open, violated, n/a");
    parse_bad(HEAD "c,a.b,waiting,,\n", 2, "state 'waiting'");
    parse_bad(HEAD "c,a.b,,,\n", 2, "state '' is not one of");
    parse_bad(HEAD "c,a.b,done,maybe,\n", 2,
              "borderline 'maybe' is not yes, ?, no or empty");
    parse_bad(HEAD "c,listen,done,,\n", 2,
              "item 'listen' is not principle.item");
    parse_bad(HEAD "c,a.b.c,done,,\n", 2, "item 'a.b.c' is not");
    parse_bad(HEAD "c,a b.c,done,,\n", 2, "item 'a b.c' is not");
    parse_bad(HEAD "c,.c,done,,\n", 2, "item '.c' is not");
    parse_bad(HEAD ",a.b,done,,\n", 2, "no chat");
    parse_bad(HEAD "\"c\x01\",a.b,done,,\n", 2, "control character");
    parse_bad(HEAD "c,a.b,done,,\nd,a.b,done,,\n\"x\ny\",n\nc,a.b,open,,\n",
              4, "2 fields, but the header has 5");
    parse_bad(HEAD "c,a.b,done,,\nd,a.b,done,,\nc,a.b,open,,\n", 4,
              "chat 'c' item 'a.b' is labelled twice (first at line 2)");
    parse_bad(HEAD "c,a.b,done,,,\n", 2, "more than 5 fields in a row");
    parse_bad(HEAD "c,a.b,done\n", 2, "3 fields, but the header has 5");
}

static void test_bad_quotes(void **state)
{
    (void)state;
    /* Left open: the line where the quote was opened. */
    parse_bad(HEAD "c,a.b,done,,ok\nc,a.c,done,,\"open\nand on\nand on\n",
              3, "unterminated quote");
    parse_bad(HEAD "c,a.b,done,,\"closed\" and more\n", 2,
              "text after the closing quote");
    parse_bad(HEAD "c,a.b,done,,he said \"hi\"\n", 2,
              "quote inside a field that does not start with one");
    /* After a multi-line note, lines still count. */
    parse_bad(HEAD "c,a.b,done,,\"1\n2\n3\"\nc,a.c,bad,,\n", 5,
              "state 'bad'");
}

static void test_bad_bytes(void **state)
{
    static const char nul[] = HEAD "c,a.b,done,,\nc,a.c,done,,x\0y\n";

    (void)state;
    parse_bad(HEAD "c,a.b,done,,\nc,a.c,done,,caf\xe9\n", 3,
              "invalid UTF-8");
    parse_bad(HEAD "c,a.b,done,,\xc0\xaf\n", 2, "invalid UTF-8");
    /* Lines that end in a lone CR count too. */
    parse_bad("chat,item,state\rc,a.b,done\rc,a.c,caf\xe9\r", 3,
              "invalid UTF-8");
    parse_bad("chat,item,state\r\nc,a.b,done\r\nc,a.c,caf\xe9\r\n", 3,
              "invalid UTF-8");
    parse_bad_n(nul, sizeof nul - 1, 3, "NUL byte");
}

static void test_caps(void **state)
{
    size_t n = PB_LABELS_MAX_FIELD + 64, i, at;
    char *src = malloc(n + 128), *big;
    pb_labels *l = NULL;
    pb_error err;

    (void)state;
    assert_non_null(src);
    /* A note of exactly the cap reads; one byte more does not, quoted or
     * not. */
    at = (size_t)snprintf(src, n + 128, HEAD "c,a.b,done,,\"");
    memset(src + at, 'x', PB_LABELS_MAX_FIELD);
    snprintf(src + at + PB_LABELS_MAX_FIELD, 8, "\"\n");
    l = parse_ok(src);
    assert_int_equal(strlen(pb_labels_get(l, 0)->note), PB_LABELS_MAX_FIELD);
    pb_labels_free(l);
    memset(src + at, 'x', PB_LABELS_MAX_FIELD + 1);
    snprintf(src + at + PB_LABELS_MAX_FIELD + 1, 8, "\"\n");
    parse_bad(src, 2, "field longer than 4096 bytes");
    memset(src + at - 1, 'x', PB_LABELS_MAX_FIELD + 2);
    snprintf(src + at + PB_LABELS_MAX_FIELD + 1, 8, "\n");
    parse_bad(src, 2, "field longer than 4096 bytes");
    free(src);

    /* One row past the cap. */
    n = (size_t)PB_LABELS_MAX_ROWS + 1;
    src = malloc(n * 24 + 64);
    assert_non_null(src);
    at = (size_t)snprintf(src, 64, HEAD);
    for (i = 0; i < n; i++)
        at += (size_t)snprintf(src + at, 24, "%zu,a.b,done,,\n", i);
    parse_bad_n(src, at, (int)n + 1, "more than 200000 labels");
    free(src);

    /* A buffer over the file cap is refused before it is looked at. */
    big = calloc(PB_LABELS_MAX_BYTES + 1, 1);
    assert_non_null(big);
    assert_int_equal(pb_labels_parse("t.csv", big, PB_LABELS_MAX_BYTES + 1,
                                     &l, &err), PB_INPUT);
    assert_null(l);
    assert_non_null(strstr(err.message, "file too large"));
    free(big);
}

static void test_files(void **state)
{
    char dir[] = "/tmp/pb-labels-XXXXXX", path[96], cmd[128];
    pb_labels *l = NULL;
    pb_error err;
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/labels.csv", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(HEAD "c,a.b,done,,\n", f);
    fclose(f);
    assert_int_equal(pb_labels_read(path, &l, &err), PB_OK);
    assert_string_equal(pb_labels_name(l), path);
    assert_int_equal(pb_labels_count(l), 1);
    pb_labels_free(l);

    snprintf(path, sizeof path, "%s/empty.csv", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(pb_labels_read(path, &l, &err), PB_INPUT);
    assert_null(l);
    assert_string_equal(err.file, path);
    assert_non_null(strstr(err.message, "empty file"));

    snprintf(path, sizeof path, "%s/fifo.csv", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(pb_labels_read(path, &l, &err), PB_INPUT);
    assert_non_null(strstr(err.message, "not a regular file"));
    assert_int_equal(pb_labels_read(dir, &l, &err), PB_IO);
    snprintf(path, sizeof path, "%s/none.csv", dir);
    assert_int_equal(pb_labels_read(path, &l, &err), PB_IO);
    assert_null(l);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_states(void **state)
{
    (void)state;
    assert_string_equal(pb_label_state_name(PB_LABEL_NA), "n/a");
    assert_string_equal(pb_label_state_name(PB_LABEL_ERROR), "error");
    assert_int_equal(pb_label_state_of(PB_DONE), PB_LABEL_DONE);
    assert_int_equal(pb_label_state_of(PB_OPEN), PB_LABEL_OPEN);
    assert_int_equal(pb_label_state_of(PB_WAITING), PB_LABEL_OPEN);
    assert_int_equal(pb_label_state_of(PB_VIOLATED), PB_LABEL_VIOLATED);
    assert_int_equal(pb_label_state_of(PB_SKIPPED), PB_LABEL_NA);
    assert_int_equal(pb_label_state_of(PB_ABSENT), PB_LABEL_NA);
    assert_int_equal(pb_label_state_of(PB_ERROR), PB_LABEL_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_header),
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_bad_header),
        cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_bad_quotes),
        cmocka_unit_test(test_bad_bytes),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_states),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
