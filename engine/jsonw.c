/* jsonw.c -- a small streaming JSON writer. */
#include <math.h>

#include "jsonw.h"

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

static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        switch (ch) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (ch < 0x20)
                fprintf(f, "\\u%04x", ch);
            else
                fputc(ch, f);
        }
    }
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
