/* utf8.c -- the strict UTF-8 decoder (Unicode 15, table 3-7), and what
 * of it XML text can hold. */
#include <string.h>

#include "ascii.h"
#include "utf8.h"

size_t pb__utf8_next(const char *str, size_t n, unsigned long *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char lo = 0x80, hi = 0xBF;
    unsigned long c = s[0];
    size_t len, i;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    /* The second byte's range rules out overlong forms (after E0, F0),
     * surrogates (after ED) and code points past U+10FFFF (after F4). */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
        c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
        c &= 0x07;
    } else {
        *cp = PB__UTF8_BAD;
        return 1;
    }
    for (i = 1; i < len; i++) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            *cp = PB__UTF8_BAD;
            return i;
        }
        c = c << 6 | (s[i] & 0x3F);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = c;
    return len;
}

size_t pb__utf8_cut(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i;

    for (i = n; i > 0 && n - i < 4; i--) {   /* back to the last lead */
        size_t len = s[i - 1] >= 0xF0 ? 4 : s[i - 1] >= 0xE0 ? 3
                   : s[i - 1] >= 0xC0 ? 2 : 1;

        if ((s[i - 1] & 0xC0) == 0x80)
            continue;
        return i - 1 + len > n ? i - 1 : n;
    }
    return n;
}

int pb__utf8_unsafe(unsigned long cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 ||
           cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

int pb__utf8_xml_char(unsigned long cp)
{
    return cp != PB__UTF8_BAD && (cp >= 0x20 || pb__ascii_space((int)cp))
           && cp != 0xfffe && cp != 0xffff;
}

int pb__utf8_xml_text(const char *s)
{
    size_t k, n = strlen(s);
    unsigned long cp;

    for (; n > 0; s += k, n -= k) {
        k = pb__utf8_next(s, n, &cp);
        if (!pb__utf8_xml_char(cp))
            return 0;
    }
    return 1;
}
