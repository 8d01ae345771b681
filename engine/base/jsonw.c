/*
 * jsonw.c -- a small streaming JSON writer.  A case is hundreds of small
 * writes, so they go into the writer's own buffer, and stdio sees one
 * write per 4 KiB.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "calltime.h"
#include "jsonw.h"
#include "utf8.h"

void pb__json_init(pb__json *j, FILE *f)
{
    j->f = f;
    j->out = 0;
    j->depth = 0;
    j->count[0] = 0;
    j->after_key = 0;
    j->len = 0;
}

void pb__json_init_part(pb__json *j, FILE *f)
{
    pb__json_init(j, f);
    j->depth = 1;
    j->count[1] = 0;
}

static void flush(pb__json *j)
{
    fwrite(j->buf, 1, j->len, j->f);
    j->out += j->len;
    j->len = 0;
}

void pb__json_flush(pb__json *j) { flush(j); }

size_t pb__json_tell(const pb__json *j) { return j->out + j->len; }

size_t pb__json_next_at(const pb__json *j)
{
    return j->out + j->len + (!j->after_key && j->count[j->depth] > 0);
}

/* After a value: the outermost one complete, its bytes go out. */
static void done(pb__json *j)
{
    if (j->depth == 0)
        flush(j);
}

static void put(pb__json *j, const char *p, size_t n)
{
    if (n > sizeof j->buf - j->len) {
        flush(j);
        if (n > sizeof j->buf) {
            fwrite(p, 1, n, j->f);
            j->out += n;
            return;
        }
    }
    memcpy(j->buf + j->len, p, n);
    j->len += n;
}

static void put1(pb__json *j, char c)
{
    if (j->len == sizeof j->buf)
        flush(j);
    j->buf[j->len++] = c;
}

/* Separator before a value (or a key) at the current level. */
static void sep(pb__json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->count[j->depth]++ > 0)
        put1(j, ',');
}

void pb__json_open(pb__json *j, char bracket)
{
    sep(j);
    put1(j, bracket);
    if (j->depth + 1 < PB__JSON_DEPTH)
        j->count[++j->depth] = 0;
}

void pb__json_close(pb__json *j, char bracket)
{
    if (j->depth > 0)
        j->depth--;
    put1(j, bracket);
    done(j);
}

/*
 * A JSON string, always valid UTF-8 (RFC 8259): what is not UTF-8
 * (principle strings are any bytes Lua made) becomes U+FFFD; the control
 * characters JSON requires escaped are, and so are the others a
 * terminal or a reader would act on (pb__utf8_unsafe), so a report shown
 * with cat is as safe as the text one.
 *
 * plain_end: the first byte of s that does not go out as it is, and
 * how many bytes it takes with its code point (PB__UTF8_BAD when not
 * UTF-8); or s's NUL.
 */
static const char *plain_end(const char *s, size_t *k, unsigned long *cp)
{
    for (;; s += *k) {
        unsigned char b = (unsigned char)*s;

        *k = 1;
        if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\')
            continue;
        if (b == '\0')
            return s;
        /* 4, the longest sequence: the decoder stops at the first byte
         * that does not continue one, so it never reads past the NUL */
        *k = pb__utf8_next(s, 4, cp);
        if (*cp == PB__UTF8_BAD || *cp < 0x80 || pb__utf8_unsafe(*cp))
            return s;
    }
}

int pb__json_plain(const char *s)
{
    size_t k;
    unsigned long cp;

    return *plain_end(s, &k, &cp) == '\0';
}

static void put_string(pb__json *j, const char *s)
{
    const char *e;
    size_t k;
    unsigned long cp;
    char esc[8];

    put1(j, '"');
    for (;; s = e + k) {
        e = plain_end(s, &k, &cp);
        put(j, s, (size_t)(e - s));
        if (*e == '\0')
            break;
        if (cp == '"' || cp == '\\') {
            put1(j, '\\');
            put1(j, (char)cp);
        } else if (cp == '\n') {
            put(j, "\\n", 2);
        } else if (cp == '\r') {
            put(j, "\\r", 2);
        } else if (cp == '\t') {
            put(j, "\\t", 2);
        } else if (cp == PB__UTF8_BAD) {
            put(j, "\xEF\xBF\xBD", 3);
        } else {
            snprintf(esc, sizeof esc, "\\u%04lx", cp);
            put(j, esc, 6);
        }
    }
    put1(j, '"');
}

void pb__json_key(pb__json *j, const char *key)
{
    sep(j);
    put_string(j, key);
    put1(j, ':');
    j->after_key = 1;
}

void pb__json_raw(pb__json *j, const char *p, size_t n)
{
    sep(j);
    put(j, p, n);
    done(j);
}

void pb__json_str(pb__json *j, const char *s)
{
    sep(j);
    if (s)
        put_string(j, s);
    else
        put(j, "null", 4);
    done(j);
}

/* v in decimal, without printf: counts and indexes are most numbers. */
static void put_long(pb__json *j, long long v)
{
    char buf[24], *p = buf + sizeof buf;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
                                 : (unsigned long long)v;

    do {
        *--p = (char)('0' + u % 10);
    } while ((u /= 10) > 0);
    if (v < 0)
        *--p = '-';
    put(j, p, (size_t)(buf + sizeof buf - p));
}

/*
 * v as "%.10g" writes it.  Without printf for whole numbers under 1e10,
 * which it writes as digits (-0 keeps its sign there), and for the
 * times of a case, milliseconds: v is then the double nearest k / 1000
 * for a whole k under 1e10, which ten significant digits write exactly,
 * without an exponent from 0.001 to 1e7.
 */
void pb__json_num(pb__json *j, double v)
{
    char buf[PB__MS_TEXT];
    long long k;
    int n;

    sep(j);
    if (v == floor(v) && fabs(v) < 1e10 && (v != 0 || !signbit(v))) {
        put_long(j, (long long)v);
    } else if (v != 0 && fabs(v) < 1e7 &&
               (double)(k = llround(v * 1000)) / 1000 == v) {
        put(j, buf, pb__ms_text(k, buf));
    } else if (isfinite(v)) {
        n = snprintf(buf, sizeof buf, "%.10g", v);
        put(j, buf, (size_t)n);
    } else {
        put(j, "null", 4);
    }
    done(j);
}

void pb__json_int(pb__json *j, long v)
{
    sep(j);
    put_long(j, v);
    done(j);
}

void pb__json_bool(pb__json *j, int v)
{
    sep(j);
    if (v)
        put(j, "true", 4);
    else
        put(j, "false", 5);
    done(j);
}

void pb__json_kstr(pb__json *j, const char *key, const char *s)
{
    pb__json_key(j, key);
    pb__json_str(j, s);
}

void pb__json_knum(pb__json *j, const char *key, double v)
{
    pb__json_key(j, key);
    pb__json_num(j, v);
}

void pb__json_kint(pb__json *j, const char *key, long v)
{
    pb__json_key(j, key);
    pb__json_int(j, v);
}

void pb__json_kbool(pb__json *j, const char *key, int v)
{
    pb__json_key(j, key);
    pb__json_bool(j, v);
}
