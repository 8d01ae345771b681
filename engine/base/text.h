/*
 * text.h -- text from principles and input, written for people
 * (internal).  Every writer of text output (the text reports, the CLI's
 * screens and messages) prints such strings through here, so that what
 * they hold cannot drive the terminal or forge a line of the report
 * (docs/hardening.md, "What reaches a terminal or a JSON reader"):
 *
 *   - each byte of a character pb__utf8_unsafe names (the C0 controls,
 *     line breaks and tabs among them, DEL, C1 controls, separators, bidi
 *     overrides) and each byte that is not UTF-8 is written as \xNN, so
 *     nothing acts on the terminal and a reader sees that it was there;
 *   - in prose (PB__TEXT_PROSE: titles, descriptions, prompts, what
 *     someone said), where line breaks are layout, a run of white space
 *     with a line break or a tab in it is one space instead;
 *   - everything else is written as it is.
 *
 * Widths are in columns: one per character, four per \xNN.
 */
#ifndef PB_TEXT_H
#define PB_TEXT_H

#include <stdarg.h>
#include <stdio.h>

#include "error.h"

#define PB__TEXT_PROSE 1u

/* s[0..n) made safe on f, in at most max columns (SIZE_MAX: no limit):
 * text that does not fit is cut where it leaves room for "...".  Returns
 * the columns written. */
size_t pb__text_write(FILE *f, const char *s, size_t n, size_t max,
                      unsigned flags);
/* The columns pb__text_write takes for s[0..n). */
size_t pb__text_width(const char *s, size_t n, unsigned flags);
/* All of s, as a name or value, or as prose; the columns written. */
size_t pb__text_put(FILE *f, const char *s);
size_t pb__text_prose(FILE *f, const char *s);
/* Whether pb__text_put writes s as it is. */
int pb__text_plain(const char *s);
/*
 * fprintf where every %s argument is written as pb__text_put writes it,
 * its field width counted in columns; the format itself (the engine's
 * own words, newlines and layout) is written as it is.  Conversions: % c
 * s d i u o x X e E f F g G, with flags, widths and precisions (also *)
 * and the hh h l ll z lengths.
 */
void pb__text_printf(FILE *f, const char *fmt, ...) PB__PRINTF(2, 3);
void pb__text_vprintf(FILE *f, const char *fmt, va_list ap);

#endif
