/*
 * calltime.c -- times within a case: the one reader (pb_time_parse) and
 * its writers (calltime.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ascii.h"
#include "calltime.h"
#include "playbook.h"

const char *pb__time_decimal(const char *s, double *out)
{
    double v = 0, frac = 0, scale = 1;
    int digits = 0, fdigits = 0;

    for (; pb__ascii_digit(*s); s++, digits++)
        v = v * 10 + (*s - '0');
    if (*s == '.') {
        for (s++; pb__ascii_digit(*s); s++, fdigits++) {
            if (fdigits < 15) {
                frac = frac * 10 + (*s - '0');
                scale *= 10;
            }
        }
        if (fdigits == 0)
            return NULL;
    }
    if (digits + fdigits == 0)
        return NULL;
    *out = v + frac / scale;
    return isfinite(*out) ? s : NULL;
}

pb_status pb_time_parse(const char *text, double *out)
{
    const char *p = text, *end;
    double v, t = 0;
    int fields = 0;

    if (text == NULL)
        return PB_INPUT;
    for (;;) {
        if ((end = pb__time_decimal(p, &v)) == NULL)
            return PB_INPUT;
        /* After a colon: two digits and under 60, so "1:75" is not 2:15.
         * Read from the text: "59.99999999999999999" rounds to 60. */
        if (fields > 0 && (!pb__ascii_digit(p[0]) ||
                           !pb__ascii_digit(p[1]) ||
                           pb__ascii_digit(p[2]) || p[0] > '5'))
            return PB_INPUT;
        t = t * 60 + v;
        fields++;
        if (*end != ':')
            break;
        /* Only the last field may have a fraction; at most h:mm:ss. */
        if (fields == 3 || memchr(p, '.', (size_t)(end - p)) != NULL)
            return PB_INPUT;
        p = end + 1;
    }
    if (*end != '\0' || !(t <= PB_TIME_MAX))
        return PB_INPUT;
    *out = t;
    return PB_OK;
}

/* Whole seconds s as mm:ss, or h:mm:ss past the hour; the length
 * written (as snprintf counts it). */
static int put_clock(long long s, char *buf, size_t size)
{
    if (s >= 3600)
        return snprintf(buf, size, "%lld:%02lld:%02lld", s / 3600,
                        s / 60 % 60, s % 60);
    return snprintf(buf, size, "%02lld:%02lld", s / 60, s % 60);
}

/* Tenths when the time has them.  What no reader accepts prints as
 * "--:--" (and is never cast). */
const char *pb_time_format(double t, char *buf, size_t size)
{
    long long s;
    int tenth, n;

    if (!(t >= 0 && t <= PB_TIME_MAX)) {
        snprintf(buf, size, "--:--");
        return buf;
    }
    s = (long long)floor(t);
    tenth = (int)floor((t - (double)s) * 10 + 0.5);
    if (tenth >= 10) {
        s++;
        tenth = 0;
    }
    n = put_clock(s, buf, size);
    if (tenth && n > 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, ".%d", tenth);
    return buf;
}

size_t pb__ms_text(long long ms, char *buf)
{
    unsigned long long u = ms < 0 ? 0ULL - (unsigned long long)ms
                                  : (unsigned long long)ms,
                       sec = u / 1000;
    unsigned frac = (unsigned)(u % 1000);
    char tmp[PB__MS_TEXT], *end = tmp + sizeof tmp, *p = end;
    int digits = 3;

    for (; frac % 10 == 0 && digits > 0; digits--)
        frac /= 10;
    while (digits-- > 0) {
        *--p = (char)('0' + frac % 10);
        frac /= 10;
    }
    if (p != end)
        *--p = '.';
    do {
        *--p = (char)('0' + sec % 10);
    } while ((sec /= 10) > 0);
    if (ms < 0)
        *--p = '-';
    memcpy(buf, p, (size_t)(end - p));
    buf[end - p] = '\0';
    return (size_t)(end - p);
}

/* t with at most three decimals, trailing zeros dropped, when that
 * reads back as t: what the loop below would find first for the
 * millisecond times of a live call, without its snprintf calls (a
 * shorter string that reads back as t is this one, trimmed). */
static int time_ms(double t, char *buf, size_t size)
{
    char tmp[PB__MS_TEXT];
    size_t n;
    double back;

    if (!(t >= 0 && t <= PB_TIME_MAX))
        return 0;
    n = pb__ms_text(llround(t * 1000), tmp);
    if (n >= size || pb_time_parse(tmp, &back) != PB_OK || back != t)
        return 0;
    memcpy(buf, tmp, n + 1);
    return 1;
}

/* pb_time_parse sums digits its own way, so "%.17g" would not do, and it
 * takes no exponent. */
const char *pb__time_seconds(double t, char *buf, size_t size)
{
    double back;
    size_t n;
    int prec;

    if (time_ms(t, buf, size))
        return buf;
    for (prec = 0; prec <= 15; prec++) {
        snprintf(buf, size, "%.*f", prec, t);
        if (prec > 0) {
            n = strlen(buf);
            while (n > 0 && buf[n - 1] == '0')
                buf[--n] = '\0';
            if (n > 0 && buf[n - 1] == '.')
                buf[--n] = '\0';
        }
        if (pb_time_parse(buf, &back) == PB_OK && back == t)
            return buf;
    }
    return buf; /* the closest with 15 decimals */
}

const char *pb__time_clock(double t, char *buf, size_t size)
{
    long long ms = llround(t * 1000);
    int frac = (int)(ms % 1000), n = put_clock(ms / 1000, buf, size);

    if (frac != 0 && n > 0 && (size_t)n < size) {
        snprintf(buf + n, size - (size_t)n, ".%03d", frac);
        n = (int)strlen(buf);
        while (buf[n - 1] == '0')
            buf[--n] = '\0';
    }
    return buf;
}
