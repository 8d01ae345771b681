/*
 * utf8.h -- the one strict UTF-8 decoder (internal), shared by the
 * readers that refuse text that is not UTF-8 and the writers that must
 * never emit it (docs/hardening.md).
 */
#ifndef PB_UTF8_H
#define PB_UTF8_H

#include <stddef.h>

/* Not a code point: what pb__utf8_next gives for ill-formed bytes. */
#define PB__UTF8_BAD 0x110000ul

/*
 * The character at s[0..n), n > 0: returns its length in bytes and sets
 * *cp.  Bytes that are not well-formed UTF-8 (a stray continuation byte,
 * C0, C1, F5..FF, an overlong form, a surrogate, a code point past
 * U+10FFFF, a sequence cut short) set *cp to PB__UTF8_BAD and return the
 * length of the ill-formed part, 1 to 3 bytes (Unicode's "maximal
 * subpart"), which one U+FFFD replaces.
 */
size_t pb__utf8_next(const char *s, size_t n, unsigned long *cp);

/* n, or less so that s[0..n) does not end inside a character: where a
 * text cut to a size leaves the start of a sequence, it goes too. */
size_t pb__utf8_cut(const char *s, size_t n);

/*
 * Whether cp can act on a terminal or change how a line reads: the C0
 * controls, DEL, the C1 controls (U+0080..U+009F, U+009B is CSI), the
 * line and paragraph separators U+2028 and U+2029, and the bidi
 * embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069)
 * that reorder a line ("Trojan Source").
 */
int pb__utf8_unsafe(unsigned long cp);

/* Whether XML 1.0 text can carry cp, one character from pb__utf8_next:
 * not an ill-formed part (surrogates and overlong forms are), no C0
 * control but tab and the line ends, not U+FFFE or U+FFFF. */
int pb__utf8_xml_char(unsigned long cp);
/* Whether all of s is such characters (and UTF-8): what a case file,
 * a scenario or a journal can hold. */
int pb__utf8_xml_text(const char *s);

#endif
