/*
 * html.c -- pages and XML documents through xmlTextWriter.
 *
 * The writer sits on an xmlOutputBuffer whose write callback is fwrite, so
 * a report streams to its FILE* instead of growing in memory, and a short
 * write is seen at once and latched in the handle.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlIO.h>
#include <libxml/xmlwriter.h>

#include "html.h"
#include "utf8.h"

#define DEPTH_MAX 128

struct pb__html {
    FILE *f;
    xmlTextWriterPtr w;
    int failed;
    int page;    /* HTML void elements end as <br/>, others in full */
    int depth;
    unsigned char isvoid[DEPTH_MAX];
};

/*
 * The shared stylesheet.  It is written as escaped text like everything
 * else, so it must not contain '<', '>', '&' or '"' (browsers do not
 * decode entities inside <style>): no child selectors, no quoted names.
 * Colours follow the checklist states; print keeps them
 * (print-color-adjust) and drops the page background.
 */
static const char stylesheet[] =
    ":root{--ink:#1f2328;--muted:#59636e;--line:#d0d7de;--bg:#f4f6f8;"
    "--card:#fff;--done:#1a7f37;--open:#9a6700;--waiting:#6e7781;"
    "--skipped:#6e7781;--violated:#cf222e;--error:#8250df;"
    "--accent:#0969da}\n"
    "*{box-sizing:border-box}\n"
    "html{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
    "body{margin:0;background:var(--bg);color:var(--ink);"
    "font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,"
    "Helvetica Neue,Arial,sans-serif}\n"
    ".page{max-width:1200px;margin:0 auto;padding:24px 28px}\n"
    "h1{font-size:1.7em;margin:0 0 .15em;line-height:1.2}\n"
    "h2{font-size:1.3em;margin:0 0 .2em;line-height:1.25}\n"
    "h3{font-size:1em;margin:1.3em 0 .5em;text-transform:uppercase;"
    "letter-spacing:.05em;color:var(--muted)}\n"
    "h3 .mono{text-transform:none;letter-spacing:0;color:var(--ink);"
    "font-size:1.1em}\n"
    "p{margin:.3em 0 .6em}\n"
    "a{color:var(--accent)}\n"
    ".card{background:var(--card);border:1px solid var(--line);"
    "border-radius:10px;padding:18px 22px;margin:0 0 22px}\n"
    ".grid{display:flex;flex-wrap:wrap;gap:18px}\n"
    ".grid .cell{flex:1 1 300px;min-width:0}\n"
    ".muted{color:var(--muted)}\n"
    ".small{font-size:.86em}\n"
    ".mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"
    "monospace;font-size:.9em}\n"
    ".num{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".kv{display:flex;flex-wrap:wrap;gap:4px 18px;margin:.4em 0;"
    "padding:0;list-style:none}\n"
    ".kv li{max-width:100%;overflow-wrap:anywhere}\n"
    ".nowrap{white-space:nowrap}\n"
    ".kv b{font-weight:600;color:var(--muted);margin-right:.35em}\n"
    ".badge{display:inline-block;padding:0 .6em;border-radius:999px;"
    "font-size:.8em;font-weight:600;line-height:1.7;white-space:nowrap;"
    "border:1px solid currentColor;vertical-align:middle}\n"
    ".badge.pass,.badge.done{background:var(--done);color:#fff;"
    "border-color:var(--done)}\n"
    ".badge.fail,.badge.violated{background:var(--violated);color:#fff;"
    "border-color:var(--violated)}\n"
    ".badge.error{background:var(--error);color:#fff;"
    "border-color:var(--error)}\n"
    ".badge.open{background:#fff8c5;color:var(--open)}\n"
    ".badge.waiting,.badge.skipped,.badge.absent{background:#f6f8fa;"
    "color:var(--waiting)}\n"
    ".done{color:var(--done)}.open{color:var(--open)}\n"
    ".waiting,.skipped,.absent{color:var(--waiting)}\n"
    ".violated{color:var(--violated)}.error{color:var(--error)}\n"
    "table{border-collapse:collapse;width:100%;margin:.3em 0 .8em}\n"
    "th,td{text-align:left;vertical-align:top;padding:6px 10px;"
    "border-bottom:1px solid var(--line)}\n"
    "th{font-size:.8em;text-transform:uppercase;letter-spacing:.04em;"
    "color:var(--muted);font-weight:600}\n"
    "table.compact td,table.compact th{padding:3px 8px}\n"
    "tr.group td{background:#f6f8fa;font-weight:600;"
    "border-top:1px solid var(--line)}\n"
    ".meter{display:inline-block;width:110px;height:9px;"
    "background:#e6e9ed;border-radius:5px;overflow:hidden;"
    "vertical-align:middle;margin-right:.5em}\n"
    ".meter .fill{display:block;height:100%;background:var(--done)}\n"
    ".meter .fill.low{background:var(--violated)}\n"
    ".meter .fill.mid{background:#bf8700}\n"
    ".big{font-size:2.1em;font-weight:700;line-height:1.1}\n"
    ".tl{width:100%;height:auto;display:block;margin:.2em 0 .4em}\n"
    ".tl text{font-family:inherit;font-size:11px;fill:var(--muted)}\n"
    ".tl-axis{stroke:#8c959f;stroke-width:1}\n"
    ".tl-grid{stroke:#d8dee4;stroke-width:1;stroke-dasharray:2 3}\n"
    ".tl-lane{fill:#f6f8fa}.tl-lane2{fill:#fff}\n"
    ".tl-break{fill:#eaeef2}\n"
    ".tl .tl-gap{font-size:12px;font-weight:600;fill:#57606a}\n"
    ".tl-rec{fill:#57606a;stroke:#fff;stroke-width:1}\n"
    ".tl-det{fill:#fff;stroke:var(--accent);stroke-width:2}\n"
    ".tl-done{fill:var(--done)}\n"
    ".tl-violated{fill:var(--violated)}\n"
    ".tl-error{fill:var(--error)}\n"
    ".tl-missed{fill:#fff;stroke:var(--violated);stroke-width:2}\n"
    ".tl .tl-mark{font-size:11px;fill:var(--ink);paint-order:stroke;"
    "stroke:#fff;stroke-width:3px;stroke-linejoin:round}\n"
    ".tl .tl-label{font-size:12px;fill:var(--ink);font-weight:600}\n"
    ".ch{width:100%;height:auto;display:block;margin:.2em 0 .6em;"
    "overflow:hidden}\n"
    ".ch text{font-family:inherit;font-size:12px;fill:var(--muted)}\n"
    ".ch .ch-val{fill:var(--ink);font-weight:600;paint-order:stroke;"
    "stroke:#fff;stroke-width:3px;stroke-linejoin:round}\n"
    ".ch .ch-name{fill:var(--ink)}\n"
    ".ch-axis{stroke:#8c959f;stroke-width:1}\n"
    ".ch-grid{stroke:#d8dee4;stroke-width:1;stroke-dasharray:2 3}\n"
    ".ch-a{fill:var(--accent);stroke:var(--accent)}\n"
    ".ch-b{fill:#d4a72c;stroke:#bf8700}\n"
    ".ch-c{fill:#8c959f;stroke:#8c959f}\n"
    "line.ch-a,line.ch-b,line.ch-c{stroke-width:2.5}\n"
    "line.ch-c{stroke-dasharray:6 4}\n"
    "td.num{white-space:nowrap}\n"
    "td.heat{color:var(--ink);font-weight:600;"
    "-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:4px 18px;font-size:.85em;"
    "color:var(--muted);margin:0 0 .6em}\n"
    ".legend svg{vertical-align:middle;margin-right:4px}\n"
    "footer{color:var(--muted);font-size:.85em;text-align:center;"
    "margin:10px 0 30px}\n"
    "@media print{body{background:#fff;font-size:12px}"
    ".page{max-width:none;padding:0}"
    ".card{border-color:#999;break-inside:avoid-page}"
    "tr,svg{break-inside:avoid}}\n";

static const char *const void_tags[] = {
    "area", "base", "br", "col", "hr", "img", "input", "link", "meta",
    "source", "wbr",
};

static int is_void(const char *tag)
{
    size_t i;

    for (i = 0; i < sizeof void_tags / sizeof *void_tags; i++)
        if (strcmp(tag, void_tags[i]) == 0)
            return 1;
    return 0;
}

/*
 * A failed write is latched here and reported as written: told of it,
 * libxml2 would print "I/O error" on stderr itself, and a library must
 * not print.  Every writer call is followed by check(), which sees it.
 */
static int write_cb(void *ctx, const char *buf, int len)
{
    pb__html *h = ctx;

    if (!h->failed && len > 0 &&
        fwrite(buf, 1, (size_t)len, h->f) != (size_t)len)
        h->failed = 1;
    return len;
}

/* A writer call's result, latched: libxml2 returns < 0 on failure. */
static int check(pb__html *h, int rc)
{
    if (rc < 0)
        h->failed = 1;
    return h->failed ? -1 : 0;
}

static int valid_char(unsigned long c)
{
    /* XML 1.0 Char: text outside it makes the document unreadable.  Less
     * DEL and the C1 controls, which XML allows but HTML counts as parse
     * errors, and which a terminal obeys (U+009B is CSI) when a report
     * is shown with cat. */
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c < 0x7F) ||
           (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
           (c >= 0x10000 && c <= 0x10FFFF);
}

/*
 * Principle strings come from Lua and may hold any bytes; the writer
 * passes bytes through, so invalid UTF-8 or control characters would make
 * a report no XML parser reads.  Returns s itself when it is clean, else
 * a malloc'd copy with U+FFFD for each bad sequence or character (*copy
 * set to free it).
 */
static const char *clean(const char *s, char **copy)
{
    size_t i, k, n = strlen(s), bad = 0;
    unsigned long cp;
    char *out, *o;

    *copy = NULL;
    for (i = 0; i < n; i += k) {
        k = pb__utf8_next(s + i, n - i, &cp);
        bad += !valid_char(cp);
    }
    if (bad == 0)
        return s;
    /* Each bad piece is at least one byte and becomes three. */
    if ((out = malloc(n + bad * 2 + 1)) == NULL)
        return NULL;
    for (i = 0, o = out; i < n; i += k) {
        k = pb__utf8_next(s + i, n - i, &cp);
        if (valid_char(cp)) {
            memcpy(o, s + i, k);
            o += k;
        } else {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
        }
    }
    *o = '\0';
    *copy = out;
    return out;
}

static pb__html *open_doc(FILE *f, int page)
{
    xmlOutputBufferPtr buf;
    pb__html *h = calloc(1, sizeof *h);

    if (h == NULL)
        return NULL;
    h->f = f;
    h->page = page;
    buf = xmlOutputBufferCreateIO(write_cb, NULL, h, NULL);
    if (buf == NULL) {
        free(h);
        return NULL;
    }
    /* The writer owns buf once made; when it fails, buf is still ours. */
    if ((h->w = xmlNewTextWriter(buf)) == NULL) {
        xmlOutputBufferClose(buf);
        free(h);
        return NULL;
    }
    return h;
}

pb__html *pb__html_page(FILE *f, const char *title)
{
    pb__html *h = open_doc(f, 1);

    if (h == NULL)
        return NULL;
    /* No XML declaration: it would be a bogus comment to an HTML parser,
     * and XML parsers default to UTF-8 anyway. */
    check(h, xmlTextWriterWriteDTD(h->w, BAD_CAST "html", NULL, NULL,
                                   NULL));
    check(h, xmlTextWriterWriteRaw(h->w, BAD_CAST "\n"));
    pb__html_start(h, "html", NULL);
    pb__html_attr(h, "xmlns", "http://www.w3.org/1999/xhtml");
    pb__html_attr(h, "lang", "en");
    pb__html_start(h, "head", NULL);
    pb__html_start(h, "meta", NULL);
    pb__html_attr(h, "charset", "utf-8");
    pb__html_end(h);
    pb__html_start(h, "meta", NULL);
    pb__html_attr(h, "name", "viewport");
    pb__html_attr(h, "content", "width=device-width, initial-scale=1");
    pb__html_end(h);
    /* Nothing may load: no scripts, no fetches, no frames. */
    pb__html_start(h, "meta", NULL);
    pb__html_attr(h, "http-equiv", "Content-Security-Policy");
    pb__html_attr(h, "content", "default-src 'none'; "
                                "style-src 'unsafe-inline'; img-src data:");
    pb__html_end(h);
    pb__html_elem(h, "title", NULL, title ? title : "Playbook");
    pb__html_elem(h, "style", NULL, stylesheet);
    pb__html_end(h); /* head */
    pb__html_start(h, "body", NULL);
    return h;
}

pb__html *pb__html_xml(FILE *f)
{
    pb__html *h = open_doc(f, 0);

    if (h != NULL)
        check(h, xmlTextWriterStartDocument(h->w, NULL, "UTF-8", NULL));
    return h;
}

pb_status pb__html_finish(pb__html *h)
{
    int failed;

    if (h == NULL)
        return PB_NOMEM;
    while (h->depth > 0 && !h->failed)
        pb__html_end(h);
    if (!h->failed) {
        /* EndDocument also writes the final newline and flushes. */
        check(h, xmlTextWriterEndDocument(h->w));
        check(h, xmlTextWriterFlush(h->w));
    }
    xmlFreeTextWriter(h->w); /* closes the output buffer: flushes again */
    failed = h->failed || fflush(h->f) != 0 || ferror(h->f);
    free(h);
    return failed ? PB_IO : PB_OK;
}

int pb__html_start(pb__html *h, const char *tag, const char *cls)
{
    if (h->failed)
        return -1;
    if (h->depth == DEPTH_MAX)
        return check(h, -1);
    if (check(h, xmlTextWriterStartElement(h->w, BAD_CAST tag)) != 0)
        return -1;
    h->isvoid[h->depth++] = (unsigned char)(h->page && is_void(tag));
    return cls ? pb__html_attr(h, "class", cls) : 0;
}

int pb__html_attr(pb__html *h, const char *name, const char *value)
{
    char *copy;
    const char *v;
    int rc;

    if (h->failed)
        return -1;
    if (value == NULL)
        return 0;
    if ((v = clean(value, &copy)) == NULL)
        return check(h, -1);
    rc = xmlTextWriterWriteAttribute(h->w, BAD_CAST name, BAD_CAST v);
    free(copy);
    return check(h, rc);
}

/* vsnprintf into buf, or into a malloc'd string when it does not fit. */
static char *vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
    va_list again;
    int n;
    char *big;

    va_copy(again, ap);
    n = vsnprintf(buf, size, fmt, ap);
    if (n < 0 || (size_t)n < size) {
        va_end(again);
        return n < 0 ? NULL : buf;
    }
    big = malloc((size_t)n + 1);
    if (big != NULL)
        vsnprintf(big, (size_t)n + 1, fmt, again);
    va_end(again);
    return big;
}

int pb__html_attrf(pb__html *h, const char *name, const char *fmt, ...)
{
    char buf[256], *s;
    va_list ap;
    int rc;

    va_start(ap, fmt);
    s = vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (s == NULL)
        return check(h, -1);
    rc = pb__html_attr(h, name, s);
    if (s != buf)
        free(s);
    return rc;
}

int pb__html_text(pb__html *h, const char *text)
{
    char *copy;
    const char *v;
    int rc;

    if (h->failed)
        return -1;
    if (text == NULL || *text == '\0')
        return 0;
    /* Outside any element the writer would copy text unescaped. */
    if (h->depth == 0)
        return check(h, -1);
    if ((v = clean(text, &copy)) == NULL)
        return check(h, -1);
    rc = xmlTextWriterWriteString(h->w, BAD_CAST v);
    free(copy);
    return check(h, rc);
}

int pb__html_textf(pb__html *h, const char *fmt, ...)
{
    char buf[256], *s;
    va_list ap;
    int rc;

    va_start(ap, fmt);
    s = vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (s == NULL)
        return check(h, -1);
    rc = pb__html_text(h, s);
    if (s != buf)
        free(s);
    return rc;
}

int pb__html_end(pb__html *h)
{
    if (h->failed)
        return -1;
    if (h->depth == 0)
        return check(h, -1);
    /* HTML parsers read <div/> as an opening tag: only void elements may
     * be self-closed, the rest always get an end tag. */
    if (h->isvoid[--h->depth])
        return check(h, xmlTextWriterEndElement(h->w));
    return check(h, xmlTextWriterFullEndElement(h->w));
}

int pb__html_elem(pb__html *h, const char *tag, const char *cls,
                  const char *text)
{
    if (pb__html_start(h, tag, cls) != 0 || pb__html_text(h, text) != 0)
        return -1;
    return pb__html_end(h);
}

void pb__svg_line(pb__html *h, const char *cls, double x1, double y1,
                  double x2, double y2)
{
    pb__html_start(h, "line", cls);
    pb__html_attrf(h, "x1", "%.1f", x1);
    pb__html_attrf(h, "y1", "%.1f", y1);
    pb__html_attrf(h, "x2", "%.1f", x2);
    pb__html_attrf(h, "y2", "%.1f", y2);
    pb__html_end(h);
}

void pb__svg_text(pb__html *h, const char *cls, double x, double y,
                  const char *anchor, const char *text)
{
    pb__html_start(h, "text", cls);
    pb__html_attrf(h, "x", "%.1f", x);
    pb__html_attrf(h, "y", "%.1f", y);
    pb__html_attr(h, "text-anchor", anchor);
    pb__html_text(h, text);
    pb__html_end(h);
}
