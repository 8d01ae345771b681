/*
 * labels.c -- a support lead's labels: CSV (RFC 4180) with a header row,
 * one label per row (docs/calibration.md, "The label format").
 *
 * The file is read whole under PB_LABELS_MAX_BYTES and parsed in place:
 * a quoted field is unquoted where it lies (it only shrinks), each field
 * ends with a NUL written over its delimiter, and the labels point into
 * that one buffer.  Memory is the file, a struct per row (at most
 * PB_LABELS_MAX_ROWS) and the (chat, item) keys of the duplicate check.
 * Every error names the line its row starts on, or for a quote left
 * open, the line where it was opened.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "error.h"
#include "file.h"
#include "index.h"
#include "playbook.h"
#include "utf8.h"

/* The columns a header may name. */
enum { COL_CHAT, COL_ITEM, COL_STATE, COL_BORDERLINE, COL_NOTE, NCOLS };

/* Each column once, and one of state or lead: more is a bad header. */
#define MAX_FIELDS NCOLS

struct pb_labels {
    char *name;
    char *buf;           /* the file, unquoted in place */
    pb_label *v;
    size_t n;
    char *keys;          /* "item\x1fchat\0" per label, for the index */
    size_t *key_at;      /* where label i's key starts in keys */
    pb__index index;
};

/* The parser: where it is, on which line, and the fields of one row. */
typedef struct csv {
    const char *name;
    char *b;
    size_t len, at;
    int line;
    char *field[MAX_FIELDS + 1];
    size_t nfields;
} csv;

static pb_status fail(const csv *p, int line, pb_error *err,
                      const char *fmt, ...) PB__PRINTF(4, 5);

static pb_status fail(const csv *p, int line, pb_error *err,
                      const char *fmt, ...)
{
    va_list ap;
    pb_status st;

    va_start(ap, fmt);
    st = pb__verror(err, PB_INPUT, p->name, line, fmt, ap);
    va_end(ap);
    return st;
}

/* The whole input is UTF-8 without NUL bytes, checked once up front so
 * that every field is, and the error has its line. */
static pb_status check_text(const csv *p, pb_error *err)
{
    size_t i = 0;
    int line = 1;

    while (i < p->len) {
        unsigned long cp;
        size_t k;

        if (p->b[i] == '\0')
            return fail(p, line, err, "NUL byte (a labels file is text)");
        if ((unsigned char)p->b[i] < 0x80) {
            /* Lines end as rows do: \n, \r\n or \r. */
            line += p->b[i] == '\n' ||
                    (p->b[i] == '\r' && (i + 1 == p->len ||
                                         p->b[i + 1] != '\n'));
            i++;
            continue;
        }
        k = pb__utf8_next(p->b + i, p->len - i, &cp);
        if (cp == PB__UTF8_BAD)
            return fail(p, line, err, "invalid UTF-8 (save the file as "
                        "UTF-8)");
        i += k;
    }
    return PB_OK;
}

static int line_end(char c)
{
    return c == '\n' || c == '\r';
}

/* Surrounding white space off s[0..n), in place. */
static char *trim(char *s, size_t n)
{
    while (n > 0 && pb__ascii_space((unsigned char)s[n - 1]))
        n--;
    while (n > 0 && pb__ascii_space((unsigned char)*s)) {
        s++;
        n--;
    }
    s[n] = '\0';
    return s;
}

/*
 * One field at p->at, unquoted in place, trimmed and NUL-terminated.
 * *delim is what ended it (',', '\n', '\r', or '\0' at the end of the
 * input), read before the NUL may be written over it; p->at is left just
 * past it.  row_line is where the row started, for the messages.
 */
static pb_status read_field(csv *p, int row_line, char **out, char *delim,
                            pb_error *err)
{
    char *b = p->b;
    size_t start = p->at, w = p->at;

    if (p->at < p->len && b[p->at] == '"') {
        int open_line = p->line;

        for (p->at++;; p->at++) {
            if (p->at >= p->len)
                return fail(p, open_line, err, "unterminated quote (a "
                            "quoted field ends with \"; write \"\" for a "
                            "quote inside it)");
            if (b[p->at] == '"') {
                if (p->at + 1 < p->len && b[p->at + 1] == '"')
                    p->at++;
                else
                    break;
            } else if (b[p->at] == '\n') {
                p->line++;
            }
            if (w - start >= PB_LABELS_MAX_FIELD)
                return fail(p, row_line, err, "field longer than %u bytes",
                            PB_LABELS_MAX_FIELD);
            b[w++] = b[p->at];
        }
        p->at++; /* the closing quote */
        while (p->at < p->len && (b[p->at] == ' ' || b[p->at] == '\t'))
            p->at++;
        if (p->at < p->len && b[p->at] != ',' && !line_end(b[p->at]))
            return fail(p, p->line, err, "text after the closing quote of "
                        "a field (write \"\" for a quote inside it)");
    } else {
        for (; p->at < p->len && b[p->at] != ',' && !line_end(b[p->at]);
             p->at++) {
            if (b[p->at] == '"')
                return fail(p, row_line, err, "quote inside a field that "
                            "does not start with one (quote the whole "
                            "field and write \"\" for the quote)");
            if (p->at - start >= PB_LABELS_MAX_FIELD)
                return fail(p, row_line, err, "field longer than %u bytes",
                            PB_LABELS_MAX_FIELD);
        }
        w = p->at;
    }
    *delim = p->at < p->len ? b[p->at] : '\0';
    if (p->at < p->len)
        p->at++;
    if (*delim == '\r' && p->at < p->len && b[p->at] == '\n')
        p->at++;
    if (line_end(*delim))
        p->line++;
    *out = trim(b + start, w - start); /* w <= the delimiter's place */
    return PB_OK;
}

/* One row into p->field; *got is 0 at the end of the input.  No header
 * has more than MAX_FIELDS columns, so a row with more is refused as it
 * is read. */
static pb_status read_row(csv *p, int *row_line, int *got, pb_error *err)
{
    pb_status st;
    char *f = NULL, delim = 0;

    *got = 0;
    *row_line = p->line;
    p->nfields = 0;
    if (p->at >= p->len)
        return PB_OK;
    do {
        if (p->nfields == MAX_FIELDS)
            return fail(p, *row_line, err, "more than %d fields in a row "
                        "(the columns are chat, item, state or lead, "
                        "borderline and note)", MAX_FIELDS);
        if ((st = read_field(p, *row_line, &f, &delim, err)) != PB_OK)
            return st;
        p->field[p->nfields++] = f;
    } while (delim == ',');
    *got = 1;
    return PB_OK;
}

static int blank_row(const csv *p)
{
    size_t i;

    for (i = 0; i < p->nfields; i++)
        if (p->field[i][0] != '\0')
            return 0;
    return 1;
}

/* Header. */

static int lower_is(const char *s, const char *name)
{
    for (; *s && *name; s++, name++)
        if (pb__ascii_lower((unsigned char)*s) != *name)
            return 0;
    return *s == '\0' && *name == '\0';
}

/* col[k] is the field index of column k, or -1. */
static pb_status read_header(csv *p, int line, int *col, pb_error *err)
{
    static const char *const names[] = { "chat", "item", "state", "lead",
                                         "borderline", "note" };
    static const int column[] = { COL_CHAT, COL_ITEM, COL_STATE, COL_STATE,
                                  COL_BORDERLINE, COL_NOTE };
    size_t i, k;

    for (k = 0; k < NCOLS; k++)
        col[k] = -1;
    for (i = 0; i < p->nfields; i++) {
        const char *h = p->field[i];

        if (h[0] == '\0')
            return fail(p, line, err, "header: column %zu has no name "
                        "(the columns are chat, item, state or lead, "
                        "borderline and note)", i + 1);
        for (k = 0; k < sizeof names / sizeof *names; k++)
            if (lower_is(h, names[k]))
                break;
        if (k == sizeof names / sizeof *names)
            return fail(p, line, err, "header: unknown column '%.64s' (the "
                        "columns are chat, item, state or lead, borderline "
                        "and note)", h);
        if (col[column[k]] >= 0)
            return fail(p, line, err, "header: column '%s' given twice%s",
                        names[k], column[k] == COL_STATE
                                      ? " (state and lead are one column)"
                                      : "");
        col[column[k]] = (int)i;
    }
    if (col[COL_CHAT] < 0 || col[COL_ITEM] < 0 || col[COL_STATE] < 0)
        return fail(p, line, err, "header: no '%s' column (a labels file "
                    "starts with a header row such as "
                    "chat,item,state,borderline,note)",
                    col[COL_CHAT] < 0 ? "chat"
                    : col[COL_ITEM] < 0 ? "item" : "state' or 'lead");
    return PB_OK;
}

/* Rows. */

static int parse_state(const char *s, pb_label_state *out)
{
    static const char *const names[] = { "done", "open", "violated",
                                         "n/a" };
    size_t i;

    for (i = 0; i < sizeof names / sizeof *names; i++)
        if (lower_is(s, names[i])) {
            *out = (pb_label_state)i;
            return 0;
        }
    return -1;
}

/* "p.i", each part a non-empty id of at most 128 bytes (as in the
 * principles). */
static int item_shape(const char *s)
{
    const char *dot = strchr(s, '.');
    size_t i, a, b;

    if (dot == NULL || strchr(dot + 1, '.') != NULL)
        return 0;
    a = (size_t)(dot - s);
    b = strlen(dot + 1);
    if (a == 0 || b == 0 || a > 128 || b > 128)
        return 0;
    for (i = 0; s[i]; i++)
        if (s[i] != '.' && !pb__ascii_id((unsigned char)s[i]))
            return 0;
    return 1;
}

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

static const char *label_key(const void *array, size_t pos)
{
    const pb_labels *l = array;

    return l->keys + l->key_at[pos];
}

static pb_status add_label(pb_labels *l, const csv *p, const int *col,
                           int line, size_t *keys_len, pb_error *err)
{
    const char *get[NCOLS];
    pb_label *lb;
    size_t k, need;
    long dup;

    if ((int)p->nfields != col[NCOLS])
        return fail(p, line, err, "%zu field%s, but the header has %d",
                    p->nfields, p->nfields == 1 ? "" : "s", col[NCOLS]);
    for (k = 0; k < NCOLS; k++)
        get[k] = col[k] >= 0 ? p->field[col[k]] : "";
    if (l->n == PB_LABELS_MAX_ROWS)
        return fail(p, line, err, "more than %u labels",
                    PB_LABELS_MAX_ROWS);
    if (get[COL_CHAT][0] == '\0')
        return fail(p, line, err, "no chat (the id of the scenario the "
                    "label is about)");
    if (has_control(get[COL_CHAT]))
        return fail(p, line, err, "chat '%.64s' has a control character",
                    get[COL_CHAT]);
    if (!item_shape(get[COL_ITEM]))
        return fail(p, line, err, "item '%.300s' is not principle.item "
                    "(e.g. listen.restate)", get[COL_ITEM]);
    lb = &l->v[l->n];
    if (parse_state(get[COL_STATE], &lb->state) != 0)
        return fail(p, line, err, "state '%.64s' is not one of done, open, "
                    "violated, n/a", get[COL_STATE]);
    lb->borderline = 0;
    if (lower_is(get[COL_BORDERLINE], "yes") ||
        strcmp(get[COL_BORDERLINE], "?") == 0)
        lb->borderline = 1;
    else if (get[COL_BORDERLINE][0] != '\0' &&
             !lower_is(get[COL_BORDERLINE], "no"))
        return fail(p, line, err, "borderline '%.64s' is not yes, ?, no or "
                    "empty", get[COL_BORDERLINE]);
    lb->chat = get[COL_CHAT];
    lb->item = get[COL_ITEM];
    lb->note = get[COL_NOTE];
    lb->line = line;
    /* The key: item, a unit separator (neither an id character nor
     * allowed in a chat), the chat. */
    need = strlen(lb->item) + 1 + strlen(lb->chat) + 1;
    l->key_at[l->n] = *keys_len;
    snprintf(l->keys + *keys_len, need, "%s\x1f%s", lb->item, lb->chat);
    *keys_len += need;
    if ((dup = pb__index_find(&l->index, l->keys + l->key_at[l->n],
                              label_key, l)) >= 0)
        return fail(p, line, err, "chat '%.64s' item '%s' is labelled "
                    "twice (first at line %d)", lb->chat, lb->item,
                    l->v[dup].line);
    if (pb__index_add(&l->index, l->n, label_key, l) != 0)
        return pb__error(err, PB_NOMEM, p->name, 0, "out of memory");
    l->n++;
    return PB_OK;
}

/*
 * Parses l->buf (len bytes, NUL-terminated).  Rows are at most one per
 * line plus one, and keys at most the file's size plus two bytes a row,
 * so both arrays are sized once from the input.
 */
static pb_status parse(pb_labels *l, size_t len, pb_error *err)
{
    csv p;
    int col[NCOLS + 1], got, line, header_line;
    size_t rows = 1, i, keys_len = 0;
    pb_status st;

    memset(&p, 0, sizeof p);
    p.name = l->name;
    p.b = l->buf;
    p.len = len;
    p.line = 1;
    if ((st = check_text(&p, err)) != PB_OK)
        return st;
    if (len >= 3 && memcmp(p.b, "\xef\xbb\xbf", 3) == 0)
        p.at = 3; /* the byte order mark spreadsheets write */
    for (i = p.at; i < len; i++)
        rows += line_end(p.b[i]);
    if (rows > PB_LABELS_MAX_ROWS + 1)
        rows = PB_LABELS_MAX_ROWS + 1;
    l->v = calloc(rows, sizeof *l->v);
    l->key_at = calloc(rows, sizeof *l->key_at);
    l->keys = malloc(len + 2 * rows + 1);
    if (l->v == NULL || l->key_at == NULL || l->keys == NULL ||
        pb__index_reserve(&l->index, rows, label_key, l) != 0)
        return pb__error(err, PB_NOMEM, l->name, 0, "out of memory");
    do {
        if ((st = read_row(&p, &line, &got, err)) != PB_OK)
            return st;
    } while (got && blank_row(&p));
    if (!got)
        return fail(&p, 0, err, "empty file (a labels file starts with a "
                    "header row such as chat,item,state,borderline,note)");
    if ((st = read_header(&p, line, col, err)) != PB_OK)
        return st;
    header_line = line;
    col[NCOLS] = (int)p.nfields;
    for (;;) {
        if ((st = read_row(&p, &line, &got, err)) != PB_OK)
            return st;
        if (!got)
            break;
        if (blank_row(&p))
            continue;
        if ((st = add_label(l, &p, col, line, &keys_len, err)) != PB_OK)
            return st;
    }
    if (l->n == 0)
        return fail(&p, header_line, err, "no labels after the header");
    return PB_OK;
}

/* Public API. */

static pb_status finish(pb_labels *l, size_t len, pb_labels **out,
                        pb_error *err)
{
    pb_status st = parse(l, len, err);

    if (st != PB_OK) {
        pb_labels_free(l);
        return st;
    }
    *out = l;
    return PB_OK;
}

pb_status pb_labels_read(const char *path, pb_labels **out, pb_error *err)
{
    pb_labels *l = calloc(1, sizeof *l);
    pb_error local;
    size_t len;
    pb_status st;

    *out = NULL;
    if (err == NULL)
        err = &local;
    if (l == NULL || (l->name = strdup(path)) == NULL) {
        free(l);
        return pb__error(err, PB_NOMEM, path, 0, "out of memory");
    }
    st = pb__read_file(path, PB_LABELS_MAX_BYTES, &l->buf, &len, err);
    if (st != PB_OK) {
        pb_labels_free(l);
        return st;
    }
    return finish(l, len, out, err);
}

pb_status pb_labels_parse(const char *name, const char *buf, size_t len,
                          pb_labels **out, pb_error *err)
{
    pb_labels *l = calloc(1, sizeof *l);
    pb_error local;

    *out = NULL;
    if (err == NULL)
        err = &local;
    if (name == NULL)
        name = "";
    if (len > PB_LABELS_MAX_BYTES) {
        free(l);
        return pb__error(err, PB_INPUT, name, 0, "file too large (over "
                         "%lu bytes)", (unsigned long)PB_LABELS_MAX_BYTES);
    }
    if (l == NULL || (l->name = strdup(name)) == NULL ||
        (l->buf = malloc(len + 1)) == NULL) {
        pb_labels_free(l);
        return pb__error(err, PB_NOMEM, name, 0, "out of memory");
    }
    if (len > 0)
        memcpy(l->buf, buf, len);
    l->buf[len] = '\0';
    return finish(l, len, out, err);
}

void pb_labels_free(pb_labels *l)
{
    if (l == NULL)
        return;
    pb__index_free(&l->index);
    free(l->keys);
    free(l->key_at);
    free(l->v);
    free(l->buf);
    free(l->name);
    free(l);
}

const char *pb_labels_name(const pb_labels *l) { return l->name; }
size_t pb_labels_count(const pb_labels *l) { return l->n; }

const pb_label *pb_labels_get(const pb_labels *l, size_t i)
{
    return &l->v[i];
}

long pb_labels_find(const pb_labels *l, const char *chat, const char *item)
{
    size_t a = strlen(item), b = strlen(chat);
    char stack[512], *key = a + b + 2 <= sizeof stack ? stack
                                                       : malloc(a + b + 2);
    long at;

    if (key == NULL)
        return -1;
    memcpy(key, item, a);
    key[a] = '\x1f';
    memcpy(key + a + 1, chat, b + 1);
    at = pb__index_find(&l->index, key, label_key, l);
    if (key != stack)
        free(key);
    return at;
}

const char *pb_label_state_name(pb_label_state s)
{
    switch (s) {
    case PB_LABEL_DONE: return "done";
    case PB_LABEL_OPEN: return "open";
    case PB_LABEL_VIOLATED: return "violated";
    case PB_LABEL_NA: return "n/a";
    case PB_LABEL_ERROR: return "error";
    }
    return "?";
}

pb_label_state pb_label_state_of(pb_state s)
{
    switch (s) {
    case PB_DONE: return PB_LABEL_DONE;
    case PB_OPEN:
    case PB_WAITING: return PB_LABEL_OPEN;
    case PB_VIOLATED: return PB_LABEL_VIOLATED;
    case PB_ERROR: return PB_LABEL_ERROR;
    case PB_ABSENT:
    case PB_SKIPPED: break;
    }
    return PB_LABEL_NA;
}
