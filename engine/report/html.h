/*
 * html.h -- self-contained HTML pages (and plain XML documents) written
 * through libxml2's xmlTextWriter (internal).
 *
 * Every name, attribute value and text goes through the writer, so it is
 * escaped: scenario and principle strings are untrusted (customers type
 * them).  Pages are XHTML-compatible (closed tags, namespaced <html>), so
 * browsers show them and XML tools parse them.  A page carries no script,
 * no external asset and makes no request: one inline stylesheet, shared by
 * every report, holds the look.
 *
 * Errors are sticky: after the first failed write every call does nothing
 * and returns -1, and pb__html_finish returns PB_IO.  Callers may check
 * each return, or write on and check the end.
 *
 * Classes of the shared stylesheet (combine freely):
 *   layout   .page (centred column), .card (a bordered section),
 *            .muted, .small, .mono, .num (right-aligned figures),
 *            .grid (cards side by side when wide), .kv (label/value list)
 *   states   .done .open .waiting .skipped .violated .error .absent on
 *            any element colour its text; on .badge they fill it
 *   badges   .badge (a pill), .pass / .fail (green / red pill)
 *   tables   plain <table> is styled; .compact for dense ones
 *   scores   .meter > .fill with style width: a horizontal bar
 *   svg      .tl-* classes used by the replay timeline
 */
#ifndef PB_HTML_H
#define PB_HTML_H

#include <stdio.h>

#include "playbook.h"

typedef struct pb__html pb__html;

/*
 * Starts a page on f: <!DOCTYPE html>, <html>, a <head> with the charset,
 * the title (escaped) and the shared stylesheet, then opens <body>.
 * NULL when out of memory.
 */
pb__html *pb__html_page(FILE *f, const char *title);
/* Starts a plain XML document (XML declaration, UTF-8) on f, for XML
 * reports that are not pages (JUnit).  NULL when out of memory. */
pb__html *pb__html_xml(FILE *f);
/*
 * Closes every open element, ends the document, flushes f and frees h.
 * PB_OK, PB_IO when any write failed, PB_NOMEM when h is NULL (the open
 * call failed).
 */
pb_status pb__html_finish(pb__html *h);

/* Opens <tag> with class cls (NULL for none). */
int pb__html_start(pb__html *h, const char *tag, const char *cls);
/* An attribute of the element just opened; a NULL value writes none. */
int pb__html_attr(pb__html *h, const char *name, const char *value);
int pb__html_attrf(pb__html *h, const char *name, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Text content; NULL writes nothing. */
int pb__html_text(pb__html *h, const char *text);
int pb__html_textf(pb__html *h, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Closes the innermost open element. */
int pb__html_end(pb__html *h);
/* <tag class="cls">text</tag> in one call; cls and text may be NULL. */
int pb__html_elem(pb__html *h, const char *tag, const char *cls,
                  const char *text);

/* SVG pieces, in user units: a line, and text anchored start, middle or
 * end at (x, y); cls may be NULL. */
void pb__svg_line(pb__html *h, const char *cls, double x1, double y1,
                  double x2, double y2);
void pb__svg_text(pb__html *h, const char *cls, double x, double y,
                  const char *anchor, const char *text);

#endif
