/*
 * text.c -- text from principles and input, written for people: the rules
 * are in text.h, the reasons in docs/hardening.md.
 */
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "text.h"
#include "utf8.h"

static int is_break(char c)
{
    return c == '\t' || c == '\n' || c == '\r';
}

/*
 * The next piece of s[0..n), n > 0: returns the bytes it takes, and sets
 * what stands for it (*out, *outn: the bytes themselves, one space, or
 * \xNN escapes made in esc) and the columns that takes.
 */
static size_t piece(const char *s, size_t n, unsigned flags, char esc[12],
                    const char **out, size_t *outn, size_t *cols)
{
    static const char hex[] = "0123456789abcdef";
    unsigned long cp;
    size_t k = 0, len, i;
    int brk = 0;

    /* Runs of spaces in one piece: a long run costs one look. */
    while (k < n && (s[k] == ' ' ||
                     ((flags & PB__TEXT_PROSE) && is_break(s[k]))))
        brk |= is_break(s[k++]);
    if (k > 0) {
        *out = brk ? " " : s;
        *outn = *cols = brk ? 1 : k;
        return k;
    }
    len = pb__utf8_next(s, n, &cp);
    if (cp != PB__UTF8_BAD && !pb__utf8_unsafe(cp)) {
        *out = s;
        *outn = len;
        *cols = 1;
        return len;
    }
    /* Unsafe characters and ill-formed parts are 1 to 3 bytes: esc
     * holds their escapes. */
    for (i = 0; i < len; i++) {
        unsigned char b = (unsigned char)s[i];

        esc[4 * i] = '\\';
        esc[4 * i + 1] = 'x';
        esc[4 * i + 2] = hex[b >> 4];
        esc[4 * i + 3] = hex[b & 15];
    }
    *out = esc;
    *outn = *cols = 4 * len;
    return len;
}

size_t pb__text_width(const char *s, size_t n, unsigned flags)
{
    const char *out;
    size_t k, outn, cols, w = 0;
    char esc[12];

    for (; n > 0; s += k, n -= k) {
        k = piece(s, n, flags, esc, &out, &outn, &cols);
        w += cols;
    }
    return w;
}

size_t pb__text_write(FILE *f, const char *s, size_t n, size_t max,
                      unsigned flags)
{
    const char *out, *run = s; /* bytes that go out as they are */
    size_t k, outn, cols, w = 0, limit = SIZE_MAX;
    int cut = max != SIZE_MAX && pb__text_width(s, n, flags) > max;
    char esc[12];

    if (cut)
        limit = max > 3 ? max - 3 : 0;
    for (; n > 0; s += k, n -= k) {
        k = piece(s, n, flags, esc, &out, &outn, &cols);
        if (w + cols > limit)
            break;
        w += cols;
        if (out == s && outn == k)
            continue;
        fwrite(run, 1, (size_t)(s - run), f);
        fwrite(out, 1, outn, f);
        run = s + k;
    }
    fwrite(run, 1, (size_t)(s - run), f);
    if (cut) {
        fputs("...", f);
        w += 3;
    }
    return w;
}

size_t pb__text_put(FILE *f, const char *s)
{
    return pb__text_write(f, s, strlen(s), SIZE_MAX, 0);
}

size_t pb__text_prose(FILE *f, const char *s)
{
    return pb__text_write(f, s, strlen(s), SIZE_MAX, PB__TEXT_PROSE);
}

int pb__text_plain(const char *s)
{
    const char *out;
    size_t k, outn, cols, n = strlen(s);
    char esc[12];

    for (; n > 0; s += k, n -= k) {
        k = piece(s, n, 0, esc, &out, &outn, &cols);
        if (out != s || outn != k)
            return 0;
    }
    return 1;
}

static void pad(FILE *f, long n)
{
    for (; n > 0; n--)
        fputc(' ', f);
}

/* One %s: made safe, padded to width columns. */
static void put_string(FILE *f, const char *s, int left, long width,
                       long prec)
{
    size_t n, w;

    if (s == NULL)
        s = "(null)";
    n = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
    w = width > 0 ? pb__text_width(s, n, 0) : 0;
    if (!left)
        pad(f, width - (long)w);
    pb__text_write(f, s, n, SIZE_MAX, 0);
    if (left)
        pad(f, width - (long)w);
}

enum { LEN_INT, LEN_LONG, LEN_LLONG, LEN_SIZE };

/* A width or precision written in the format (bounded: the engine's own
 * formats have small ones). */
static long digits(const char **p)
{
    long v = 0;

    for (; **p >= '0' && **p <= '9'; (*p)++)
        if (v < 100000)
            v = v * 10 + (**p - '0');
    return v;
}

void pb__text_vprintf(FILE *f, const char *fmt, va_list ap)
{
    const char *p = fmt, *pct;

    while ((pct = strchr(p, '%')) != NULL) {
        char spec[48];
        size_t k = 1;
        long width, prec = -1;
        int left = 0, len = LEN_INT;
        char conv;

        fwrite(p, 1, (size_t)(pct - p), f);
        p = pct + 1;
        spec[0] = '%';
        for (; *p && strchr("-+ #0", *p); p++) {
            left |= *p == '-';
            if (k < 8)
                spec[k++] = *p;
        }
        if (*p == '*') {
            width = va_arg(ap, int);
            p++;
        } else {
            width = digits(&p);
        }
        if (width < 0) { /* a negative * width is '-' with its size */
            left = 1;
            width = -width;
            spec[k++] = '-';
        }
        if (*p == '.') {
            p++;
            if (*p == '*') {
                prec = va_arg(ap, int);
                p++;
            } else {
                prec = digits(&p);
            }
        }
        if (width > 0)
            k += (size_t)snprintf(spec + k, sizeof spec - k, "%ld", width);
        if (prec >= 0)
            k += (size_t)snprintf(spec + k, sizeof spec - k, ".%ld", prec);
        for (; *p && strchr("hlz", *p); p++) {
            if (*p == 'l')
                len = len == LEN_LONG ? LEN_LLONG : LEN_LONG;
            else if (*p == 'z')
                len = LEN_SIZE;
            if (k < sizeof spec - 2)
                spec[k++] = *p;
        }
        conv = *p ? *p++ : '%';
        spec[k++] = conv;
        spec[k] = '\0';
        switch (conv) {
        case 's':
            put_string(f, va_arg(ap, const char *), left, width, prec);
            break;
        case 'c':
            fprintf(f, spec, va_arg(ap, int));
            break;
        case 'd':
        case 'i':
            if (len == LEN_LONG)
                fprintf(f, spec, va_arg(ap, long));
            else if (len == LEN_LLONG)
                fprintf(f, spec, va_arg(ap, long long));
            else if (len == LEN_SIZE)
                fprintf(f, spec, va_arg(ap, ssize_t));
            else
                fprintf(f, spec, va_arg(ap, int));
            break;
        case 'u':
        case 'o':
        case 'x':
        case 'X':
            if (len == LEN_LONG)
                fprintf(f, spec, va_arg(ap, unsigned long));
            else if (len == LEN_LLONG)
                fprintf(f, spec, va_arg(ap, unsigned long long));
            else if (len == LEN_SIZE)
                fprintf(f, spec, va_arg(ap, size_t));
            else
                fprintf(f, spec, va_arg(ap, unsigned));
            break;
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
            fprintf(f, spec, va_arg(ap, double));
            break;
        default:
            fputc('%', f);
        }
    }
    fputs(p, f);
}

void pb__text_printf(FILE *f, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    pb__text_vprintf(f, fmt, ap);
    va_end(ap);
}
