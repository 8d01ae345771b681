/*
 * jsonw.c -- a small streaming JSON writer.  A writer's FILE is written
 * by one thread (the server makes one per answer), so the bytes go out
 * with the unlocked stdio calls: a case is hundreds of small writes.
 */
#define _GNU_SOURCE /* fwrite_unlocked, fputs_unlocked */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "utf8.h"

void pb__json_init(pb__json *j, FILE *f)
{
    j->f = f;
    j->depth = 0;
    j->count[0] = 0;
    j->after_key = 0;
}

/* Separator before a value (or a key) at the current level. */
static void sep(pb__json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->count[j->depth]++ > 0)
        putc_unlocked(',', j->f);
}

void pb__json_open(pb__json *j, char bracket)
{
    sep(j);
    putc_unlocked(bracket, j->f);
    if (j->depth + 1 < PB__JSON_DEPTH)
        j->count[++j->depth] = 0;
}

void pb__json_close(pb__json *j, char bracket)
{
    if (j->depth > 0)
        j->depth--;
    putc_unlocked(bracket, j->f);
}

/* n bytes as they are: short runs (most keys and words) byte by byte
 * through the buffer, which costs less than fwrite's call. */
static void put_run(FILE *f, const char *p, size_t n)
{
    if (n > 32) {
        fwrite_unlocked(p, 1, n, f);
        return;
    }
    while (n-- > 0)
        putc_unlocked(*p++, f);
}

/*
 * A JSON string, always valid UTF-8 (RFC 8259): what is not UTF-8
 * (principle strings are any bytes Lua made) becomes U+FFFD; the control
 * characters JSON requires escaped are, and so are the others a
 * terminal or a reader would act on (pb__utf8_unsafe), so a report shown
 * with cat is as safe as the text one.
 */
static void put_string(FILE *f, const char *s)
{
    const char *run = s; /* bytes that go out as they are, not written yet */
    size_t k, n = strlen(s);
    unsigned long cp;

    putc_unlocked('"', f);
    for (; n > 0; s += k, n -= k) {
        unsigned char b = (unsigned char)*s;

        k = 1;
        if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\')
            continue;
        k = pb__utf8_next(s, n, &cp);
        if (cp != PB__UTF8_BAD && cp >= 0x80 && !pb__utf8_unsafe(cp))
            continue;
        put_run(f, run, (size_t)(s - run));
        run = s + k;
        if (cp == '"' || cp == '\\')
            fprintf(f, "\\%c", (int)cp);
        else if (cp == '\n')
            fputs_unlocked("\\n", f);
        else if (cp == '\r')
            fputs_unlocked("\\r", f);
        else if (cp == '\t')
            fputs_unlocked("\\t", f);
        else if (cp == PB__UTF8_BAD)
            fputs_unlocked("\xEF\xBF\xBD", f);
        else
            fprintf(f, "\\u%04lx", cp);
    }
    put_run(f, run, (size_t)(s - run));
    putc_unlocked('"', f);
}

void pb__json_key(pb__json *j, const char *key)
{
    sep(j);
    put_string(j->f, key);
    putc_unlocked(':', j->f);
    j->after_key = 1;
}

void pb__json_str(pb__json *j, const char *s)
{
    sep(j);
    if (s)
        put_string(j->f, s);
    else
        fputs_unlocked("null", j->f);
}

/* v in decimal, without printf: counts and indexes are most numbers. */
static void put_long(FILE *f, long long v)
{
    char buf[24], *p = buf + sizeof buf;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
                                 : (unsigned long long)v;

    do {
        *--p = (char)('0' + u % 10);
    } while ((u /= 10) > 0);
    if (v < 0)
        *--p = '-';
    put_run(f, p, (size_t)(buf + sizeof buf - p));
}

void pb__json_num(pb__json *j, double v)
{
    sep(j);
    /* A whole number under 1e10 is what "%.10g" writes as digits; -0
     * keeps its sign there. */
    if (v == floor(v) && fabs(v) < 1e10 && (v != 0 || !signbit(v)))
        put_long(j->f, (long long)v);
    else if (isfinite(v))
        fprintf(j->f, "%.10g", v);
    else
        fputs_unlocked("null", j->f);
}

void pb__json_int(pb__json *j, long v)
{
    sep(j);
    put_long(j->f, v);
}

void pb__json_bool(pb__json *j, int v)
{
    sep(j);
    fputs_unlocked(v ? "true" : "false", j->f);
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
