/* jsonw.c -- a small streaming JSON writer. */
#include <math.h>
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
        fputc(',', j->f);
}

void pb__json_open(pb__json *j, char bracket)
{
    sep(j);
    fputc(bracket, j->f);
    if (j->depth + 1 < PB__JSON_DEPTH)
        j->count[++j->depth] = 0;
}

void pb__json_close(pb__json *j, char bracket)
{
    if (j->depth > 0)
        j->depth--;
    fputc(bracket, j->f);
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

    fputc('"', f);
    for (; n > 0; s += k, n -= k) {
        unsigned char b = (unsigned char)*s;

        k = 1;
        if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\')
            continue;
        k = pb__utf8_next(s, n, &cp);
        if (cp != PB__UTF8_BAD && cp >= 0x80 && !pb__utf8_unsafe(cp))
            continue;
        fwrite(run, 1, (size_t)(s - run), f);
        run = s + k;
        if (cp == '"' || cp == '\\')
            fprintf(f, "\\%c", (int)cp);
        else if (cp == '\n')
            fputs("\\n", f);
        else if (cp == '\r')
            fputs("\\r", f);
        else if (cp == '\t')
            fputs("\\t", f);
        else if (cp == PB__UTF8_BAD)
            fputs("\xEF\xBF\xBD", f);
        else
            fprintf(f, "\\u%04lx", cp);
    }
    fwrite(run, 1, (size_t)(s - run), f);
    fputc('"', f);
}

void pb__json_key(pb__json *j, const char *key)
{
    sep(j);
    put_string(j->f, key);
    fputc(':', j->f);
    j->after_key = 1;
}

void pb__json_str(pb__json *j, const char *s)
{
    sep(j);
    if (s)
        put_string(j->f, s);
    else
        fputs("null", j->f);
}

void pb__json_num(pb__json *j, double v)
{
    sep(j);
    if (isfinite(v))
        fprintf(j->f, "%.10g", v);
    else
        fputs("null", j->f);
}

void pb__json_int(pb__json *j, long v)
{
    sep(j);
    fprintf(j->f, "%ld", v);
}

void pb__json_bool(pb__json *j, int v)
{
    sep(j);
    fputs(v ? "true" : "false", j->f);
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
