/*
 * import.c -- call transcripts into scenario files (docs/import.md).
 *
 * Two inputs, one result.  ABCD-style JSON (a list of conversations, each
 * with "original": [[speaker, text], ...]) and plain text ("Agent: ..."
 * lines, optional [mm:ss] stamps) both become conversations of timed
 * turns, and each conversation is written as one scenario by the
 * scenario writer (writer.c).  Transcripts come from anywhere, so all of
 * the input is checked before anything is written: sizes, UTF-8,
 * characters XML cannot hold, speakers, times.  A transcript either
 * imports whole or not at all.
 *
 * Memory stays near the size of the input: the file (at most
 * PB_IMPORT_MAX_BYTES), the turns' texts in one arena, and, for JSON, the
 * json-c tree of one conversation at a time, because the top-level list
 * is walked here and only its elements go to json-c.  ABCD's "delexed"
 * copy with its candidate lists is several times the text; it is parsed
 * and dropped with its conversation.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ascii.h"
#include "calltime.h"
#include "error.h"
#include "file.h"
#include "playbook.h"
#include "scenario.h"
#include "utf8.h"
#include "writer.h"

#define IM_MAX_TEXT (1u << 20)  /* one utterance, as case/case.c takes */
#define IM_MAX_ID 64            /* scenario ids and topics */
/* A numeric convo_id: a whole number that JSON numbers carry exactly
 * everywhere (2^53 - 1); larger ids go in strings. */
#define IM_MAX_NUMBER_ID 9007199254740991LL
#define IM_JSON_DEPTH 32        /* ABCD needs 6; deeper is hostile */
#define IM_JSON_VALUES 1000000u /* per conversation; ABCD's have ~1,500 */

/* Synthetic times (docs/import.md): a turn starts IM_TURN_GAP seconds
 * after the one before, plus a second per IM_CHARS_PER_S characters of
 * it, roughly the pace of a chat.  Whole seconds keep the files tidy. */
#define IM_TURN_GAP 5
#define IM_CHARS_PER_S 15
#define IM_STR_(x) #x
#define IM_STR(x) IM_STR_(x)

enum { IM_AGENT, IM_CUSTOMER, IM_ACTION };

static const char *const speaker_names[] = { "agent", "customer", "action" };
static const char *const speaker_types[] = {
    "agent.said", "customer.said", "agent.action"
};

typedef struct im_turn {
    double t;
    size_t off, len;  /* text in the import's arena */
    int speaker;
} im_turn;

typedef struct im_convo {
    char *id, *title, *description;
    char *topic, *channel;  /* may be NULL */
    char *flow, *subflow;   /* ABCD's, may be NULL */
    im_turn *turns;
    size_t nturns, cap;
} im_convo;

struct pb_import {
    char *name;         /* the transcript's, for messages */
    im_convo *convos;
    size_t n, cap;
    char *text;         /* every turn's text, each NUL-terminated */
    size_t len, tcap;
};

/* One parse: where the input and the errors are. */
typedef struct im_parser {
    pb_import *im;
    const char *name, *base;   /* as given, and its last component */
    const char *buf;
    size_t len;
    const pb_import_opts *opts;
    pb_error *err;
    char where[96];            /* "conversation 2 (abcd-9489): " or "" */
} im_parser;

/* Helpers. */

static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);

    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static char *dup_str(const char *s)
{
    return dup_n(s, strlen(s));
}

/* printf into a new string. */
static char *dup_printf(const char *fmt, ...) PB__PRINTF(1, 2);

static char *dup_printf(const char *fmt, ...)
{
    va_list ap;
    char *p;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || (p = malloc((size_t)n + 1)) == NULL)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

static pb_status nomem(im_parser *p)
{
    return pb__error(p->err, PB_NOMEM, p->name, 0, "out of memory");
}

/* An error about a JSON conversation or turn: no line to give, so the
 * message says where instead. */
static pb_status fail_at(im_parser *p, const char *fmt, ...)
    PB__PRINTF(2, 3);

static pb_status fail_at(im_parser *p, const char *fmt, ...)
{
    char msg[600];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pb__error(p->err, PB_INPUT, p->name, 0, "%s%s", p->where, msg);
}

/* Lines end at "\n", "\r\n" or a lone "\r", as the text reader splits
 * them; the column counts characters, not bytes.  Both 1-based. */
static int line_col(const im_parser *p, size_t off, int *col)
{
    const char *buf = p->buf;
    size_t i, start = 0;
    int line = 1, c = 1;

    for (i = 0; i < off; i++) {
        if (buf[i] == '\n' || (buf[i] == '\r' && (i + 1 == p->len ||
                                                  buf[i + 1] != '\n'))) {
            if (line < INT_MAX)
                line++;
            start = i + 1;
        }
    }
    for (i = start; i < off; i++)
        c += ((unsigned char)buf[i] & 0xC0) != 0x80 && c < INT_MAX;
    if (col != NULL)
        *col = c;
    return line;
}

static pb_status fail_line(im_parser *p, size_t off, const char *fmt, ...)
    PB__PRINTF(3, 4);

static pb_status fail_line(im_parser *p, size_t off, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    pb__verror(p->err, PB_INPUT, p->name, line_col(p, off, NULL), fmt,
               ap);
    va_end(ap);
    return PB_INPUT;
}

/*
 * The first character XML 1.0 cannot carry in s[0..len): NUL, bytes that
 * are not UTF-8 (overlong forms and surrogates included), control
 * characters other than tab and line ends, U+FFFE and U+FFFF.  Returns
 * 0 when there is none, else 1 with its offset and a description.
 */
enum { IM_CH_OK, IM_CH_NUL, IM_CH_UTF8, IM_CH_CTRL };

static int bad_char(const char *s, size_t len, size_t *at, unsigned *cp)
{
    size_t i, k;
    unsigned long c;

    for (i = 0; i < len; i += k) {
        k = pb__utf8_next(s + i, len - i, &c);
        *at = i;
        if (c == PB__UTF8_BAD) {
            *cp = (unsigned char)s[i];
            return IM_CH_UTF8;
        }
        *cp = (unsigned)c;
        if (c == 0)
            return IM_CH_NUL;
        if (!pb__writer_char_ok(c))
            return IM_CH_CTRL;
    }
    return IM_CH_OK;
}

/* The message for bad_char's finding. */
static const char *bad_char_text(int kind, unsigned cp, char *buf,
                                 size_t size)
{
    if (kind == IM_CH_NUL)
        snprintf(buf, size, "NUL byte (a transcript is text)");
    else if (kind == IM_CH_UTF8)
        snprintf(buf, size, "invalid UTF-8 (byte 0x%02X)", cp);
    else
        snprintf(buf, size, "character U+%04X is not allowed in XML", cp);
    return buf;
}

/* Code points in s[0..len), which is valid UTF-8 by then. */
static size_t count_chars(const char *s, size_t len)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* Building the import. */

static int arena_reserve(pb_import *im, size_t more)
{
    size_t cap = im->tcap ? im->tcap : 4096;
    char *t;

    if (im->len + more < im->len)
        return -1;
    while (cap < im->len + more) {
        if (cap > SIZE_MAX / 2)
            return -1;
        cap *= 2;
    }
    if (cap != im->tcap) {
        if ((t = realloc(im->text, cap)) == NULL)
            return -1;
        im->text = t;
        im->tcap = cap;
    }
    return 0;
}

static im_convo *new_convo(pb_import *im)
{
    im_convo *v;

    if (im->n == im->cap) {
        size_t cap = im->cap ? im->cap * 2 : 4;

        if ((v = realloc(im->convos, cap * sizeof *v)) == NULL)
            return NULL;
        im->convos = v;
        im->cap = cap;
    }
    v = &im->convos[im->n++];
    memset(v, 0, sizeof *v);
    return v;
}

/* A new turn whose text starts empty at the end of the arena. */
static im_turn *new_turn(pb_import *im, im_convo *cv, int speaker)
{
    im_turn *t;

    if (cv->nturns == cv->cap) {
        size_t cap = cv->cap ? cv->cap * 2 : 32;

        if ((t = realloc(cv->turns, cap * sizeof *t)) == NULL)
            return NULL;
        cv->turns = t;
        cv->cap = cap;
    }
    if (arena_reserve(im, 1) != 0)
        return NULL;
    t = &cv->turns[cv->nturns++];
    t->t = 0;
    t->off = im->len;
    t->len = 0;
    t->speaker = speaker;
    im->text[im->len++] = '\0';
    return t;
}

/*
 * Appends s[0..n) to the last turn, which is the last text in the arena,
 * joined by a space when both sides have text.  Line ends become "\n" so
 * that a file read back gives the same text ("\r" would come out as
 * "&#13;").  Leading and trailing white space is trimmed at the end
 * (finish_turn), as the scenario reader trims it.
 */
static int append_text(pb_import *im, im_turn *t, const char *s, size_t n,
                       int join)
{
    size_t i;
    char *d;

    if (arena_reserve(im, n + 1) != 0)
        return -1;
    d = im->text + im->len - 1; /* over the NUL */
    if (join && t->len > 0 && n > 0)
        *d++ = ' ', t->len++;
    for (i = 0; i < n; i++) {
        if (s[i] == '\r') {
            if (i + 1 < n && s[i + 1] == '\n')
                continue;
            *d++ = '\n';
        } else {
            *d++ = s[i];
        }
        t->len++;
    }
    *d = '\0';
    im->len = t->off + t->len + 1;
    return 0;
}

/* Trims the last turn in place; it is at the end of the arena. */
static void finish_turn(pb_import *im, im_turn *t)
{
    char *s = im->text + t->off;
    size_t a = 0, b = t->len;

    while (a < b && pb__ascii_space(s[a]))
        a++;
    while (b > a && pb__ascii_space(s[b - 1]))
        b--;
    memmove(s, s + a, b - a);
    s[b - a] = '\0';
    t->len = b - a;
    im->len = t->off + t->len + 1;
}

/* The synthetic clock: each turn after the one before, by its length. */
static void synthetic_times(const pb_import *im, im_convo *cv)
{
    size_t i;
    double t = 0;

    for (i = 0; i < cv->nturns; i++) {
        cv->turns[i].t = t;
        t += IM_TURN_GAP +
             (double)(count_chars(im->text + cv->turns[i].off,
                                  cv->turns[i].len) / IM_CHARS_PER_S);
    }
}

/* s[0..n) as a scenario id: letters, digits, _ and -, others become -. */
static char *make_id(const char *s, size_t n)
{
    char *id;
    size_t i;

    if (n > IM_MAX_ID)
        n = IM_MAX_ID;
    if ((id = dup_n(s, n)) == NULL)
        return NULL;
    for (i = 0; i < n; i++)
        if (!pb__ascii_id(id[i]))
            id[i] = '-';
    return id;
}

/* The file name without folder and extension, for ids. */
static void stem(const im_parser *p, const char **s, size_t *n)
{
    const char *dot = strrchr(p->base, '.');

    *s = p->base;
    *n = dot != NULL && dot != p->base ? (size_t)(dot - p->base)
                                       : strlen(p->base);
}

static int valid_id(const char *s)
{
    size_t n = 0;

    for (; s[n] != '\0'; n++)
        if (!pb__ascii_id(s[n]))
            return 0;
    return n > 0 && n <= IM_MAX_ID;
}

/* Plain text. */

/* What a line starts with, once its stamp and label are read. */
typedef struct im_line {
    size_t start, end;    /* the line, without its line end */
    size_t text;          /* where the utterance starts */
    int has_stamp;
    double t;
    size_t stamp, stamp_len; /* "[01:05]" as written */
    int speaker;          /* -1: a continuation line */
} im_line;

static int speaker_of(const char *s, size_t n)
{
    size_t k, i;

    for (k = 0; k < sizeof speaker_names / sizeof *speaker_names; k++) {
        if (strlen(speaker_names[k]) != n)
            continue;
        for (i = 0; i < n && pb__ascii_lower(s[i]) == speaker_names[k][i];
             i++)
            ;
        if (i == n)
            return (int)k;
    }
    return -1;
}

/*
 * Reads "[stamp] Speaker: text".  A stamp is '[' digits, ':' and '.' ']'.
 * A label is a word of letters and a colon.  A known one starts a turn.
 * An unknown one followed by a space or the end of the line is an error
 * at the start of a line (a typo must not vanish into the turn before)
 * and a continuation when indented ("  Note: ..." inside a long turn).
 */
static pb_status read_line(im_parser *p, im_line *ln)
{
    const char *b = p->buf;
    size_t i = ln->start, q, w;
    char stamp[40];
    int spaced;

    ln->has_stamp = 0;
    ln->speaker = -1;
    while (i < ln->end && (b[i] == ' ' || b[i] == '\t'))
        i++;
    if (i < ln->end && b[i] == '[') {
        for (q = i + 1; q < ln->end && (pb__ascii_digit(b[q]) ||
                                        b[q] == ':' || b[q] == '.'); q++)
            ;
        if (q < ln->end && b[q] == ']' && q > i + 1) {
            ln->stamp = i;
            ln->stamp_len = q + 1 - i;
            if (q - i - 1 >= sizeof stamp ||
                memchr(b + i + 1, ':', q - i - 1) == NULL ||
                (memcpy(stamp, b + i + 1, q - i - 1),
                 stamp[q - i - 1] = '\0',
                 pb_time_parse(stamp, &ln->t) != PB_OK))
                return fail_line(p, i, "bad time stamp '%.*s' (mm:ss or "
                                 "h:mm:ss)", (int)(q + 1 - i), b + i);
            ln->has_stamp = 1;
            for (i = q + 1; i < ln->end && (b[i] == ' ' || b[i] == '\t');
                 i++)
                ;
        }
    }
    for (w = i; w < ln->end && pb__ascii_alpha(b[w]); w++)
        ;
    q = w;
    while (q < ln->end && (b[q] == ' ' || b[q] == '\t'))
        q++;
    if (w > i && q < ln->end && b[q] == ':') {
        ln->speaker = speaker_of(b + i, w - i);
        /* "https://..." or "Note:x" is text, not a speaker. */
        spaced = q + 1 == ln->end || b[q + 1] == ' ' || b[q + 1] == '\t';
        if (ln->speaker < 0 && spaced && (i == ln->start || ln->has_stamp))
            return fail_line(p, i, "unknown speaker '%.*s' (Agent, "
                             "Customer or Action; indent a continuation "
                             "line that starts with a word and a colon)",
                             (int)(w - i > 40 ? 40 : w - i), b + i);
        if (ln->speaker >= 0)
            i = q + 1;
    }
    if (ln->has_stamp && ln->speaker < 0)
        return fail_line(p, ln->start, "time stamp without a speaker "
                         "(Agent:, Customer: or Action:)");
    ln->text = ln->speaker >= 0 ? i : ln->start;
    return PB_OK;
}

/* The end of the turn that starts on line `line`: it must say something. */
static pb_status end_turn(im_parser *p, im_turn *t, size_t line_off)
{
    if (t == NULL)
        return PB_OK;
    finish_turn(p->im, t);
    if (t->len == 0)
        return fail_line(p, line_off, "empty turn (a speaker with no text)");
    return PB_OK;
}

static pb_status parse_text(im_parser *p)
{
    const char *b = p->buf;
    im_convo *cv;
    im_turn *t = NULL;
    im_line ln;
    size_t i = 0, turn_line = 0, k, last_stamp = 0, last_stamp_len = 0;
    double last_t = -1;
    int stamps = 0;
    pb_status st;
    const char *s;
    size_t n;

    if ((cv = new_convo(p->im)) == NULL)
        return nomem(p);
    while (i < p->len) {
        ln.start = i;
        while (i < p->len && b[i] != '\n' && b[i] != '\r')
            i++;
        ln.end = i;
        if (i < p->len)
            i += b[i] == '\r' && i + 1 < p->len && b[i + 1] == '\n' ? 2 : 1;
        for (k = ln.start; k < ln.end && pb__ascii_space(b[k]); k++)
            ;
        if (k == ln.end)
            continue; /* blank lines separate nothing */
        if ((st = read_line(p, &ln)) != PB_OK)
            return st;
        if (ln.speaker < 0) {
            if (t == NULL)
                return fail_line(p, ln.start, "text before the first "
                                 "speaker (lines start with Agent:, "
                                 "Customer: or Action:)");
        } else {
            if ((st = end_turn(p, t, turn_line)) != PB_OK)
                return st;
            if (cv->nturns >= PB_IMPORT_MAX_TURNS)
                return fail_line(p, ln.start, "too many turns (over %u)",
                                 PB_IMPORT_MAX_TURNS);
            if ((t = new_turn(p->im, cv, ln.speaker)) == NULL)
                return nomem(p);
            turn_line = ln.start;
            t->t = -1;
            if (ln.has_stamp) {
                if (stamps && ln.t < last_t)
                    return fail_line(p, ln.stamp, "time goes backwards: "
                                     "%.*s after %.*s on line %d",
                                     (int)ln.stamp_len, b + ln.stamp,
                                     (int)last_stamp_len, b + last_stamp,
                                     line_col(p, last_stamp, NULL));
                t->t = last_t = ln.t;
                last_stamp = ln.stamp;
                last_stamp_len = ln.stamp_len;
                stamps = 1;
            }
        }
        /* Each line trimmed: wrapped lines join with one space. */
        for (k = ln.text; k < ln.end && pb__ascii_space(b[k]); k++)
            ;
        for (n = ln.end; n > k && pb__ascii_space(b[n - 1]); n--)
            ;
        if (t->len + (n - k) + (t->len > 0 && n > k) > IM_MAX_TEXT)
            return fail_line(p, ln.start, "turn too long (over %u bytes)",
                             IM_MAX_TEXT);
        if (append_text(p->im, t, b + k, n - k, ln.speaker < 0) != 0)
            return nomem(p);
        if (p->im->len > PB_SCENARIO_MAX_BYTES)
            return fail_line(p, ln.start, "too long for one scenario "
                             "(over %u bytes of text): split the "
                             "transcript", PB_SCENARIO_MAX_BYTES);
    }
    if (t == NULL)
        return pb__error(p->err, PB_INPUT, p->name, 0, "no turns (lines "
                         "start with Agent:, Customer: or Action:)");
    if ((st = end_turn(p, t, turn_line)) != PB_OK)
        return st;
    /* With stamps, a turn without one shares the time of the turn before
     * (0 before the first stamp): the stamps are the clock. */
    if (!stamps) {
        synthetic_times(p->im, cv);
    } else {
        last_t = 0;
        for (k = 0; k < cv->nturns; k++) {
            if (cv->turns[k].t < 0)
                cv->turns[k].t = last_t;
            last_t = cv->turns[k].t;
        }
    }
    if (p->opts->id != NULL)
        cv->id = dup_str(p->opts->id);
    else {
        stem(p, &s, &n);
        cv->id = n > 0 ? make_id(s, n) : dup_str("transcript");
    }
    cv->title = dup_printf("Transcript %s", p->base);
    cv->description = dup_printf(
        "Imported from %s.%s", p->base,
        stamps ? " Times are the transcript's own stamps."
               : " Times are synthetic: " IM_STR(IM_TURN_GAP) " s per "
                 "turn plus 1 s per " IM_STR(IM_CHARS_PER_S) " characters "
                 "of the turn before.");
    if (p->opts->topic != NULL)
        cv->topic = dup_str(p->opts->topic);
    if (cv->id == NULL || cv->title == NULL || cv->description == NULL ||
        (p->opts->topic != NULL && cv->topic == NULL))
        return nomem(p);
    return PB_OK;
}

/* JSON (ABCD). */

/* ABCD flows (its ontology.json) to the topics of principles/ask.lua.
 * The first row whose flow matches and whose prefix starts the subflow
 * wins; docs/import.md has the reasons. */
static const struct {
    const char *flow, *subflow_prefix, *topic;
} abcd_topics[] = {
    { "product_defect", "refund_", "refund" },
    { "product_defect", "", "returns" },
    { "shipping_issue", "", "delivery" },
    { "order_issue", "status_delivery_time", "delivery" },
    { "order_issue", "manage_upgrade", "delivery" },
    { "order_issue", "manage_downgrade", "delivery" },
    { "order_issue", "", "billing" },
    { "purchase_dispute", "", "billing" },
    { "subscription_inquiry", "", "billing" },
    { "account_access", "", "account_access" },
    { "manage_account", "", "account_access" },
    { "troubleshoot_site", "", "technical" },
    { "single_item_query", "", "default" },
    { "storewide_query", "", "default" },
};

static const char *abcd_topic(const char *flow, const char *subflow)
{
    size_t i, n;

    if (flow == NULL)
        return NULL;
    for (i = 0; i < sizeof abcd_topics / sizeof *abcd_topics; i++) {
        n = strlen(abcd_topics[i].subflow_prefix);
        if (strcmp(flow, abcd_topics[i].flow) == 0 &&
            (n == 0 || (subflow != NULL &&
                        strncmp(subflow, abcd_topics[i].subflow_prefix,
                                n) == 0)))
            return abcd_topics[i].topic;
    }
    return NULL;
}

/* "return_size" -> "return size"; a trailing "_4" (ABCD numbers its FAQ
 * questions: "timing_4") is left out. */
static void humanize(const char *s, char *buf, size_t size)
{
    size_t n = strlen(s), i, k = n;

    while (k > 0 && pb__ascii_digit(s[k - 1]))
        k--;
    if (k > 1 && k < n && s[k - 1] == '_')
        n = k - 1;
    if (n >= size)
        n = size - 1;
    for (i = 0; i < n; i++)
        buf[i] = s[i] == '_' ? ' ' : s[i];
    buf[n] = '\0';
}

static const char *json_kind(json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_null: return "null";
    case json_type_boolean: return "a boolean";
    case json_type_double:
    case json_type_int: return "a number";
    case json_type_object: return "an object";
    case json_type_array: return "a list";
    case json_type_string: return "a string";
    }
    return "something else";
}

/* A string of the JSON as a checked, trimmed copy, or NULL (with an
 * error set) when it holds what a scenario cannot. */
static pb_status json_text(im_parser *p, json_object *o, const char *what,
                           char **out)
{
    const char *s = json_object_get_string(o);
    size_t n = (size_t)json_object_get_string_len(o), at, a = 0;
    unsigned cp;
    char msg[80];
    int kind;

    *out = NULL;
    if ((kind = bad_char(s, n, &at, &cp)) != IM_CH_OK)
        return fail_at(p, "%s: %s", what,
                       bad_char_text(kind, cp, msg, sizeof msg));
    while (a < n && pb__ascii_space(s[a]))
        a++;
    while (n > a && pb__ascii_space(s[n - 1]))
        n--;
    if ((*out = dup_n(s + a, n - a)) == NULL)
        return nomem(p);
    return PB_OK;
}

/* Flow and subflow from "scenario", when they are there. */
static pb_status read_flow(im_parser *p, json_object *conv, im_convo *cv)
{
    json_object *sc, *v;
    pb_status st;

    if (!json_object_object_get_ex(conv, "scenario", &sc) ||
        !json_object_is_type(sc, json_type_object))
        return PB_OK;
    if (json_object_object_get_ex(sc, "flow", &v) &&
        json_object_is_type(v, json_type_string) &&
        (st = json_text(p, v, "scenario flow", &cv->flow)) != PB_OK)
        return st;
    if (json_object_object_get_ex(sc, "subflow", &v) &&
        json_object_is_type(v, json_type_string) &&
        (st = json_text(p, v, "scenario subflow", &cv->subflow)) != PB_OK)
        return st;
    if (cv->flow != NULL && cv->flow[0] == '\0') {
        free(cv->flow);
        cv->flow = NULL;
    }
    if (cv->subflow != NULL && cv->subflow[0] == '\0') {
        free(cv->subflow);
        cv->subflow = NULL;
    }
    return PB_OK;
}

/*
 * A numeric convo_id as a whole number: 1.0 is 1.  json-c saturates an
 * integer too large for 64 bits without saying so, so anything near
 * that is refused rather than taken for another conversation's id.
 */
static pb_status number_id(im_parser *p, json_object *v, long long *out)
{
    int64_t n = json_object_get_int64(v);
    double d = json_object_get_double(v);

    if (json_object_is_type(v, json_type_int)) {
        if (n >= 0 && n <= IM_MAX_NUMBER_ID) {
            *out = (long long)n;
            return PB_OK;
        }
        d = n < 0 ? -1 : IM_MAX_NUMBER_ID + 1.0;
    }
    if (d < 0)
        return fail_at(p, "convo_id is below 0 (give such an id as a "
                       "string)");
    if (!(d <= (double)IM_MAX_NUMBER_ID))
        return fail_at(p, "convo_id is too large (a number may be up to "
                       "%lld; give a larger id as a string)",
                       IM_MAX_NUMBER_ID);
    if (d != floor(d))
        return fail_at(p, "convo_id %.40s is not a whole number (give such "
                       "an id as a string)", json_object_get_string(v));
    *out = (long long)d;
    return PB_OK;
}

/* id, title and description; k is the conversation's number (1-based). */
static pb_status name_convo(im_parser *p, json_object *conv, im_convo *cv,
                            size_t k)
{
    json_object *v;
    const char *s;
    size_t n;
    char flow[80], sub[80];

    if (json_object_object_get_ex(conv, "convo_id", &v)) {
        if (json_object_is_type(v, json_type_int) ||
            json_object_is_type(v, json_type_double)) {
            long long id = 0;
            pb_status st = number_id(p, v, &id);

            if (st != PB_OK)
                return st;
            cv->id = dup_printf("abcd-%lld", id);
        } else if (json_object_is_type(v, json_type_string)) {
            s = json_object_get_string(v);
            if (!valid_id(s))
                return fail_at(p, "bad convo_id '%.40s' (letters, digits, "
                               "_ and -, at most %d)", s, IM_MAX_ID);
            cv->id = dup_printf("abcd-%s", s);
        } else {
            return fail_at(p, "convo_id is %s (it must be a number or a "
                           "string)", json_kind(v));
        }
    } else {
        stem(p, &s, &n);
        cv->id = dup_printf("%.*s-%zu", (int)(n > 40 ? 40 : n), s, k);
        if (cv->id != NULL)
            for (n = 0; cv->id[n] != '\0'; n++)
                if (!pb__ascii_id(cv->id[n]))
                    cv->id[n] = '-';
    }
    if (cv->id == NULL)
        return nomem(p);
    if (cv->flow != NULL) {
        humanize(cv->flow, flow, sizeof flow);
        if (flow[0] >= 'a' && flow[0] <= 'z')
            flow[0] = (char)(flow[0] - 'a' + 'A');
        humanize(cv->subflow != NULL ? cv->subflow : "", sub, sizeof sub);
        cv->title = dup_printf("%s%s%s (%s)", flow, sub[0] ? ": " : "",
                               sub, cv->id);
        cv->description = dup_printf(
            "Conversation %s (flow %s%s%s), imported from %s. Times are "
            "synthetic: " IM_STR(IM_TURN_GAP) " s per turn plus 1 s per "
            IM_STR(IM_CHARS_PER_S) " characters of the turn before.",
            cv->id, cv->flow, cv->subflow ? ", subflow " : "",
            cv->subflow ? cv->subflow : "", p->base);
    } else {
        cv->title = dup_printf("Conversation %s", cv->id);
        cv->description = dup_printf(
            "Conversation %s, imported from %s. Times are synthetic: "
            IM_STR(IM_TURN_GAP) " s per turn plus 1 s per "
            IM_STR(IM_CHARS_PER_S) " characters of the turn before.",
            cv->id, p->base);
    }
    if (cv->title == NULL || cv->description == NULL)
        return nomem(p);
    return PB_OK;
}

static pb_status read_turns(im_parser *p, json_object *orig, im_convo *cv)
{
    size_t i, n = json_object_array_length(orig), first = p->im->len;
    json_object *turn, *who, *what;
    im_turn *t;
    int speaker;
    char *text;
    pb_status st;
    char what_buf[40];

    if (n == 0)
        return fail_at(p, "no turns (\"original\" is empty)");
    if (n > PB_IMPORT_MAX_TURNS)
        return fail_at(p, "too many turns (%zu, over %u)", n,
                       PB_IMPORT_MAX_TURNS);
    for (i = 0; i < n; i++) {
        turn = json_object_array_get_idx(orig, i);
        if (!json_object_is_type(turn, json_type_array) ||
            json_object_array_length(turn) != 2)
            return fail_at(p, "turn %zu: expected [speaker, text], found "
                           "%s", i + 1, turn == NULL ? "null"
                           : json_object_is_type(turn, json_type_array)
                           ? "a list that is not a pair" : json_kind(turn));
        who = json_object_array_get_idx(turn, 0);
        what = json_object_array_get_idx(turn, 1);
        if (!json_object_is_type(who, json_type_string))
            return fail_at(p, "turn %zu: the speaker is %s (agent, "
                           "customer or action)", i + 1,
                           who == NULL ? "null" : json_kind(who));
        speaker = speaker_of(json_object_get_string(who),
                             (size_t)json_object_get_string_len(who));
        if (speaker < 0)
            return fail_at(p, "turn %zu: unknown speaker '%.40s' (agent, "
                           "customer or action)", i + 1,
                           json_object_get_string(who));
        if (!json_object_is_type(what, json_type_string))
            return fail_at(p, "turn %zu: the text is %s, not a string",
                           i + 1, what == NULL ? "null" : json_kind(what));
        snprintf(what_buf, sizeof what_buf, "turn %zu", i + 1);
        if ((st = json_text(p, what, what_buf, &text)) != PB_OK)
            return st;
        if (text[0] == '\0') {
            free(text);
            return fail_at(p, "turn %zu: empty turn (no text)", i + 1);
        }
        if (strlen(text) > IM_MAX_TEXT) {
            free(text);
            return fail_at(p, "turn %zu: turn too long (over %u bytes)",
                           i + 1, IM_MAX_TEXT);
        }
        if ((t = new_turn(p->im, cv, speaker)) == NULL ||
            append_text(p->im, t, text, strlen(text), 0) != 0) {
            free(text);
            return nomem(p);
        }
        free(text);
        if (p->im->len - first > PB_SCENARIO_MAX_BYTES)
            return fail_at(p, "turn %zu: too long for one scenario (over "
                           "%u bytes of text): split the conversation",
                           i + 1, PB_SCENARIO_MAX_BYTES);
    }
    return PB_OK;
}

/* One conversation object; k is its number in the list (1-based), 0 for
 * a file that holds a single conversation. */
static pb_status read_convo(im_parser *p, json_object *conv, size_t k)
{
    json_object *orig;
    im_convo *cv;
    const char *topic;
    size_t i;
    pb_status st;

    if (k > 0)
        snprintf(p->where, sizeof p->where, "conversation %zu: ", k);
    else
        p->where[0] = '\0';
    if (!json_object_is_type(conv, json_type_object))
        return fail_at(p, "expected a conversation object, found %s (the "
                       "file must be a list of conversations with "
                       "\"original\" turns, as in ABCD)", json_kind(conv));
    if (p->im->n >= PB_IMPORT_MAX_CONVERSATIONS)
        return fail_at(p, "too many conversations (over %u in one file)",
                       PB_IMPORT_MAX_CONVERSATIONS);
    if ((cv = new_convo(p->im)) == NULL)
        return nomem(p);
    if ((st = read_flow(p, conv, cv)) != PB_OK ||
        (st = name_convo(p, conv, cv, k > 0 ? k : 1)) != PB_OK)
        return st;
    if (k > 0)
        snprintf(p->where, sizeof p->where, "conversation %zu (%s): ", k,
                 cv->id);
    for (i = 0; i + 1 < p->im->n; i++)
        if (strcmp(p->im->convos[i].id, cv->id) == 0)
            return fail_at(p, "id %s again (conversation %zu has it)",
                           cv->id, i + 1);
    if (!json_object_object_get_ex(conv, "original", &orig) ||
        !json_object_is_type(orig, json_type_array))
        return fail_at(p, "no \"original\" list of [speaker, text] turns "
                       "(not an ABCD conversation)");
    if ((st = read_turns(p, orig, cv)) != PB_OK)
        return st;
    synthetic_times(p->im, cv);
    topic = p->opts->topic != NULL ? p->opts->topic
                                   : abcd_topic(cv->flow, cv->subflow);
    if (topic != NULL && (cv->topic = dup_str(topic)) == NULL)
        return nomem(p);
    if ((cv->channel = dup_str("chat")) == NULL)
        return nomem(p);
    p->where[0] = '\0';
    return PB_OK;
}

static size_t skip_ws(const char *b, size_t i, size_t len)
{
    while (i < len && pb__ascii_space(b[i]))
        i++;
    return i;
}

/*
 * json-c spends 30 to 70 bytes on every value it parses, so a list of
 * two-byte numbers costs 30 times its size.  Before a conversation goes
 * to json-c, its values (openings and commas outside strings) are counted
 * here, up to its end or the cap; syntax is left to json-c.
 */
static pb_status json_budget(im_parser *p, size_t at)
{
    const char *b = p->buf;
    size_t i, count = 0;
    int depth = 0;

    for (i = at; i < p->len; i++) {
        switch (b[i]) {
        case '"':
            for (i++; i < p->len && b[i] != '"'; i++)
                i += b[i] == '\\';
            break;
        case '[':
        case '{':
            depth++;
            count++;
            break;
        case ']':
        case '}':
            if (--depth <= 0)
                return PB_OK;
            break;
        case ',':
            count++;
            break;
        }
        if (count > IM_JSON_VALUES)
            return fail_at(p, "too many JSON values (over %u in one "
                           "conversation)", IM_JSON_VALUES);
    }
    return PB_OK;
}

/* One JSON value at offset *at, into *out; *at moves past it. */
static pb_status json_value(im_parser *p, json_tokener *tok, size_t *at,
                            json_object **out)
{
    size_t rest = p->len - *at, end;
    enum json_tokener_error e;
    int col, line;

    json_tokener_reset(tok);
    *out = json_tokener_parse_ex(tok, p->buf + *at, (int)rest);
    e = json_tokener_get_error(tok);
    end = json_tokener_get_parse_end(tok);
    if (e == json_tokener_success && *out != NULL) {
        *at += end;
        return PB_OK;
    }
    json_object_put(*out);
    *out = NULL;
    if (e == json_tokener_success)
        return nomem(p); /* a value parsed, and nothing to show for it */
    line = line_col(p, *at + end, &col);
    if (e == json_tokener_continue)
        return pb__error(p->err, PB_INPUT, p->name, line,
                         "invalid JSON: the file ends inside a value "
                         "(truncated?)");
    if (e == json_tokener_error_depth)
        return pb__error(p->err, PB_INPUT, p->name, line, "invalid JSON: "
                         "nested too deeply (over %d levels) at column %d",
                         IM_JSON_DEPTH, col);
    return pb__error(p->err, PB_INPUT, p->name, line,
                     "invalid JSON: %s at column %d",
                     json_tokener_error_desc(e), col);
}

static pb_status json_expected(im_parser *p, size_t at, const char *what)
{
    int col, line = line_col(p, at, &col);

    if (at >= p->len)
        return pb__error(p->err, PB_INPUT, p->name, line, "invalid JSON: "
                         "the file ends where %s should be (truncated?)",
                         what);
    return pb__error(p->err, PB_INPUT, p->name, line, "invalid JSON: "
                     "expected %s at column %d", what, col);
}

/*
 * A list of conversations, walked here so that json-c holds one at a
 * time; or a single conversation object.
 */
static pb_status parse_json(im_parser *p, size_t at)
{
    const char *b = p->buf;
    json_tokener *tok;
    json_object *conv = NULL;
    size_t k = 0;
    pb_status st = PB_OK;
    int col, line;

    if ((tok = json_tokener_new_ex(IM_JSON_DEPTH)) == NULL)
        return nomem(p);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
                                JSON_TOKENER_ALLOW_TRAILING_CHARS);
    at = skip_ws(b, at, p->len);
    if (at < p->len && b[at] == '{') {
        if ((st = json_budget(p, at)) != PB_OK ||
            (st = json_value(p, tok, &at, &conv)) != PB_OK ||
            (st = read_convo(p, conv, 0)) != PB_OK)
            goto done;
    } else if (at < p->len && b[at] == '[') {
        at = skip_ws(b, at + 1, p->len);
        if (at < p->len && b[at] == ']') {
            st = pb__error(p->err, PB_INPUT, p->name, 0, "no conversations "
                           "(the list is empty)");
            goto done;
        }
        for (;;) {
            snprintf(p->where, sizeof p->where, "conversation %zu: ", ++k);
            if ((st = json_budget(p, at)) != PB_OK ||
                (st = json_value(p, tok, &at, &conv)) != PB_OK ||
                (st = read_convo(p, conv, k)) != PB_OK)
                goto done;
            json_object_put(conv);
            conv = NULL;
            at = skip_ws(b, at, p->len);
            if (at < p->len && b[at] == ']')
                break;
            if (at >= p->len || b[at] != ',') {
                st = json_expected(p, at, "',' or ']' after a conversation");
                goto done;
            }
            at = skip_ws(b, at + 1, p->len);
        }
        at++;
    } else {
        line = line_col(p, at, &col);
        st = pb__error(p->err, PB_INPUT, p->name, line, "not a list of "
                       "conversations: expected '[' or '{' at column %d",
                       col);
        goto done;
    }
    at = skip_ws(b, at, p->len);
    if (at < p->len) {
        line = line_col(p, at, &col);
        st = pb__error(p->err, PB_INPUT, p->name, line, "invalid JSON: "
                       "text after the end of the %s at column %d",
                       k > 0 ? "list" : "conversation", col);
    }
done:
    json_object_put(conv);
    json_tokener_free(tok);
    return st;
}

/* Public API. */

/* "[01:05]" at buf[at]: a text transcript's first stamp, not JSON. */
static int is_stamp(const char *buf, size_t at, size_t len)
{
    size_t i = at + 1;

    while (i < len && (pb__ascii_digit(buf[i]) || buf[i] == ':' ||
                       buf[i] == '.'))
        i++;
    return i > at + 1 && i < len && buf[i] == ']';
}

pb_status pb_import_parse(const char *name, const char *buf, size_t len,
                          const pb_import_opts *opts, pb_import **out,
                          pb_error *err)
{
    static const pb_import_opts defaults = { PB_IMPORT_AUTO, NULL, NULL };
    im_parser p;
    size_t at, bom = 0;
    unsigned cp;
    int kind, col, line, json;
    char msg[80];
    pb_status st;

    *out = NULL;
    memset(&p, 0, sizeof p);
    p.name = name != NULL ? name : "";
    p.base = strrchr(p.name, '/') ? strrchr(p.name, '/') + 1 : p.name;
    p.buf = buf;
    p.len = len;
    p.opts = opts != NULL ? opts : &defaults;
    p.err = err;
    if (buf == NULL)
        p.len = len = 0;
    if (len > PB_IMPORT_MAX_BYTES)
        return pb__error(err, PB_INPUT, p.name, 0, "transcript too large "
                         "(over %u bytes)", PB_IMPORT_MAX_BYTES);
    if (p.opts->topic != NULL && !valid_id(p.opts->topic))
        return pb__error(err, PB_INPUT, p.name, 0, "bad topic '%.40s' "
                         "(letters, digits, _ and -)", p.opts->topic);
    if (p.opts->id != NULL && !valid_id(p.opts->id))
        return pb__error(err, PB_INPUT, p.name, 0, "bad id '%.40s' "
                         "(letters, digits, _ and -)", p.opts->id);
    if ((kind = bad_char(buf, len, &at, &cp)) != IM_CH_OK) {
        line = line_col(&p, at, &col);
        return pb__error(err, PB_INPUT, p.name, line, "%s at column %d",
                         bad_char_text(kind, cp, msg, sizeof msg), col);
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        bom = 3; /* what some editors put first; it says nothing */
    at = skip_ws(buf, bom, len);
    if (at == len)
        return pb__error(err, PB_INPUT, p.name, 0, "empty transcript");
    json = p.opts->format == PB_IMPORT_JSON ||
           (p.opts->format == PB_IMPORT_AUTO &&
            (buf[at] == '{' || (buf[at] == '[' && !is_stamp(buf, at, len))));
    if ((p.im = calloc(1, sizeof *p.im)) == NULL ||
        (p.im->name = dup_str(p.name)) == NULL) {
        free(p.im);
        return nomem(&p);
    }
    if (json) {
        st = parse_json(&p, bom);
    } else {
        p.buf = buf + bom;   /* lines and columns still match */
        p.len = len - bom;
        st = parse_text(&p);
    }
    if (st != PB_OK) {
        pb_import_free(p.im);
        return st;
    }
    *out = p.im;
    return PB_OK;
}

pb_status pb_import_read(const char *path, const pb_import_opts *opts,
                         pb_import **out, pb_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    pb_status st;

    *out = NULL;
    if (path == NULL)
        return pb__error(err, PB_INPUT, "", 0, "no transcript given");
    st = pb__read_file(path, PB_IMPORT_MAX_BYTES, &buf, &len, err);
    if (st != PB_OK)
        return st;
    st = pb_import_parse(path, buf, len, opts, out, err);
    free(buf);
    return st;
}

void pb_import_free(pb_import *im)
{
    size_t i;

    if (im == NULL)
        return;
    for (i = 0; i < im->n; i++) {
        im_convo *cv = &im->convos[i];

        free(cv->id);
        free(cv->title);
        free(cv->description);
        free(cv->topic);
        free(cv->channel);
        free(cv->flow);
        free(cv->subflow);
        free(cv->turns);
    }
    free(im->convos);
    free(im->text);
    free(im->name);
    free(im);
}

size_t pb_import_count(const pb_import *im)
{
    return im->n;
}

const char *pb_import_id(const pb_import *im, size_t i)
{
    return i < im->n ? im->convos[i].id : NULL;
}

size_t pb_import_nturns(const pb_import *im, size_t i)
{
    return i < im->n ? im->convos[i].nturns : 0;
}

/* Writing. */

static pb_status too_large(const pb_import *im, const im_convo *cv,
                           pb_error *err)
{
    return pb__error(err, PB_INPUT, im->name, 0, "conversation %s: too long "
                     "for one scenario (over %u bytes of XML, the scenario "
                     "limit): split the transcript", cv->id,
                     PB_SCENARIO_MAX_BYTES);
}

static void write_convo(pb__writer *w, const pb_import *im,
                        const im_convo *cv)
{
    char t[32];
    size_t i;

    pb__writer_start(w, "scenario");
    pb__writer_attr(w, "xmlns", PB__SCENARIO_NS);
    pb__writer_attr(w, "id", cv->id);
    pb__writer_attr(w, "title", cv->title);
    pb__writer_element(w, "description", cv->description);
    if (cv->topic != NULL || cv->channel != NULL || cv->flow != NULL ||
        cv->subflow != NULL) {
        pb__writer_start(w, "case");
        pb__writer_attr(w, "topic", cv->topic);
        pb__writer_attr(w, "channel", cv->channel);
        /* Only what the agent knows before the chat starts: the intent
         * and, for statistics, the root cause.  The customer's name,
         * order id and so on are what the agent has to ask for; as case
         * facts they would make every question a repeat (ask.no_repeat). */
        if (cv->flow != NULL)
            pb__writer_fact(w, "abcd_flow", cv->flow);
        if (cv->subflow != NULL) {
            pb__writer_fact(w, "abcd_subflow", cv->subflow);
            pb__writer_fact(w, "root_cause", cv->subflow);
        }
        pb__writer_end(w);
    }
    pb__writer_start(w, "events");
    for (i = 0; i < cv->nturns; i++) {
        const im_turn *tu = &cv->turns[i];

        pb__writer_event(w, pb__time_clock(tu->t, t, sizeof t),
                         speaker_types[tu->speaker], im->text + tu->off,
                         NULL, 0);
    }
    pb__writer_end(w);
    pb__writer_end(w);
}

pb_status pb_import_write(const pb_import *im, size_t i, FILE *out,
                          pb_error *err)
{
    pb__writer *w;
    const char *xml;
    pb_status st;
    size_t n;

    if (i >= im->n)
        return pb__error(err, PB_INPUT, im->name, 0, "no conversation %zu",
                         i);
    /* All of it in memory first: a scenario that turns out too large
     * leaves nothing half-written behind. */
    if ((w = pb__writer_new()) == NULL)
        return pb__error(err, PB_NOMEM, im->name, 0, "out of memory");
    write_convo(w, im, &im->convos[i]);
    st = pb__writer_finish(w, &xml, &n);
    if (st == PB_INPUT)
        too_large(im, &im->convos[i], err);
    else if (st == PB_NOMEM)
        pb__error(err, PB_NOMEM, im->name, 0, "out of memory writing XML");
    else if (fwrite(xml, 1, n, out) != n || ferror(out))
        st = pb__error(err, PB_IO, im->name, 0, "conversation %s: "
                       "cannot write the scenario", im->convos[i].id);
    pb__writer_free(w);
    return st;
}
