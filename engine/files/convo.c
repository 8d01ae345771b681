/*
 * convo.c -- the conversations of an import (convo.h): the text arena
 * and the turns in it, the synthetic clock, ids, speakers, and the
 * errors of one parse with their lines and columns.
 *
 * Apart from the readers (import_text.c, import_json.c), which both
 * build with it, and from import.c, which checks the whole input first
 * and writes the result: what a transcript becomes does not depend on
 * how it was written.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "convo.h"
#include "error.h"
#include "playbook.h"
#include "utf8.h"
#include "writer.h"

/* A turn's speaker is its number in these: its name in a transcript,
 * and the type of the event it becomes. */
static const char *const speaker_names[] = { "agent", "customer", "action" };
static const char *const speaker_types[] = {
    "agent.said", "customer.said", "agent.action"
};

/* Strings. */

char *pb__convo_dup(const char *s, size_t n)
{
    char *p = malloc(n + 1);

    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *pb__convo_printf(const char *fmt, ...)
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

size_t pb__convo_skip_space(const char *b, size_t i, size_t len)
{
    while (i < len && pb__ascii_space(b[i]))
        i++;
    return i;
}

/* Errors. */

pb_status pb__convo_nomem(pb__convo_parser *p)
{
    return pb__error(p->err, PB_NOMEM, p->name, 0, "out of memory");
}

pb_status pb__convo_fail(pb__convo_parser *p, const char *fmt, ...)
{
    char msg[600];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pb__error(p->err, PB_INPUT, p->name, 0, "%s%s", p->where, msg);
}

int pb__convo_line(const pb__convo_parser *p, size_t off, int *col)
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

pb_status pb__convo_fail_line(pb__convo_parser *p, size_t off,
                              const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    pb__verror(p->err, PB_INPUT, p->name, pb__convo_line(p, off, NULL), fmt,
               ap);
    va_end(ap);
    return PB_INPUT;
}

int pb__convo_bad_char(const char *s, size_t len, size_t *at, unsigned *cp)
{
    size_t i, k;
    unsigned long c;

    for (i = 0; i < len; i += k) {
        k = pb__utf8_next(s + i, len - i, &c);
        *at = i;
        if (c == PB__UTF8_BAD) {
            *cp = (unsigned char)s[i];
            return PB__CONVO_CH_UTF8;
        }
        *cp = (unsigned)c;
        if (c == 0)
            return PB__CONVO_CH_NUL;
        if (!pb__utf8_xml_char(c))
            return PB__CONVO_CH_CTRL;
    }
    return PB__CONVO_CH_OK;
}

const char *pb__convo_bad_char_text(int kind, unsigned cp, char *buf,
                                    size_t size)
{
    if (kind == PB__CONVO_CH_NUL)
        snprintf(buf, size, "NUL byte (a transcript is text)");
    else if (kind == PB__CONVO_CH_UTF8)
        snprintf(buf, size, "invalid UTF-8 (byte 0x%02X)", cp);
    else
        snprintf(buf, size, "character U+%04X is not allowed in XML", cp);
    return buf;
}

/* Building the import. */

/* Code points in s[0..len), which is valid UTF-8 by then. */
static size_t count_chars(const char *s, size_t len)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

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

pb__convo *pb__convo_new(pb_import *im)
{
    pb__convo *v;

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

pb__convo_turn *pb__convo_new_turn(pb_import *im, pb__convo *cv,
                                   int speaker)
{
    pb__convo_turn *t;

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
 * Line ends become "\n" so that a file read back gives the same text
 * ("\r" would come out as "&#13;").  Leading and trailing white space is
 * trimmed at the end (pb__convo_finish_turn).
 */
int pb__convo_append(pb_import *im, pb__convo_turn *t, const char *s,
                     size_t n, int join)
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

void pb__convo_finish_turn(pb_import *im, pb__convo_turn *t)
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

void pb__convo_times(const pb_import *im, pb__convo *cv)
{
    size_t i;
    double t = 0;

    for (i = 0; i < cv->nturns; i++) {
        cv->turns[i].t = t;
        t += PB__CONVO_TURN_GAP +
             (double)(count_chars(im->text + cv->turns[i].off,
                                  cv->turns[i].len) / PB__CONVO_CHARS_PER_S);
    }
}

/* Names. */

char *pb__convo_make_id(const char *s, size_t n)
{
    char *id;
    size_t i;

    if (n > PB__CONVO_MAX_ID)
        n = PB__CONVO_MAX_ID;
    if ((id = pb__convo_dup(s, n)) == NULL)
        return NULL;
    for (i = 0; i < n; i++)
        if (!pb__ascii_id(id[i]))
            id[i] = '-';
    return id;
}

void pb__convo_stem(const pb__convo_parser *p, const char **s, size_t *n)
{
    const char *dot = strrchr(p->base, '.');

    *s = p->base;
    *n = dot != NULL && dot != p->base ? (size_t)(dot - p->base)
                                       : strlen(p->base);
}

int pb__convo_valid_id(const char *s)
{
    size_t n = 0;

    for (; s[n] != '\0'; n++)
        if (!pb__ascii_id(s[n]))
            return 0;
    return n > 0 && n <= PB__CONVO_MAX_ID;
}

int pb__convo_valid_name(const char *s)
{
    size_t n = strlen(s), i, at;
    unsigned cp;

    if (n == 0 || n > PB__CONVO_MAX_NAME ||
        pb__convo_bad_char(s, n, &at, &cp) != PB__CONVO_CH_OK)
        return 0;
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20)
            return 0;       /* tab and line ends too: a name is a line */
    return 1;
}

int pb__convo_speaker(const char *s, size_t n)
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

const char *pb__convo_speaker_type(int speaker)
{
    return speaker_types[speaker];
}
