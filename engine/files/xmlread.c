/*
 * xmlread.c -- untrusted XML bytes into a libxml2 tree.
 *
 * Scenario files come from anywhere, so this is a security boundary.
 * The bytes are checked here, then parsed from memory by libxml2 through
 * a parser context of our own:
 *  - no DTD at all: the internalSubset SAX callback stops the parser at
 *    <!DOCTYPE, before any entity is declared, so entity bombs never
 *    expand and external entities are never fetched;
 *  - no option that loads or expands anything (NOENT, DTDLOAD, DTDVALID,
 *    XINCLUDE), no HUGE (which lifts the depth and size limits), NONET;
 *  - errors go to the context's own structured callback: no global
 *    handler is touched and libxml2 prints nothing;
 *  - UTF-8 only: other encodings are refused before parsing and the
 *    encoding declaration is ignored, which keeps iconv (whose errors
 *    would go to stderr) out of the way;
 *  - markup that costs libxml2 more than its size is refused before
 *    parsing (check_markup).
 * Apart from scenario.c, which walks the tree: this half knows libxml2,
 * not what a scenario holds.  The schema (schema.c) is read the same
 * way.  The context never outlives pb__xmlread_parse.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <libxml/encoding.h>
#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include "ascii.h"
#include "error.h"
#include "playbook.h"
#include "xmlread.h"

/* The format is three levels deep; anything past this is hostile.  Lower
 * than libxml2's own 256, whose message suggests XML_PARSE_HUGE. */
#define XR_MAX_DEPTH 64
/* Markup that costs libxml2 more than its size (check_markup): an event
 * has at most 2 + PB_EVENT_MAX_ATTRS attributes, a file one namespace
 * declaration; these are far past any real file. */
#define XR_MAX_ATTRS 64 /* on one element, namespace declarations included */
#define XR_MAX_NS 32    /* namespace declarations in scope */
#define XR_STR_(x) #x
#define XR_STR(x) XR_STR_(x)

/* A file the writer may make must read whole: past this libxml2 2.9.14
 * stops at long attribute values ("Huge input lookup") unless HUGE. */
_Static_assert(PB_SCENARIO_MAX_BYTES <= XML_MAX_LOOKUP_LIMIT,
               "scenario files larger than libxml2 reads without HUGE");

#define XR_OPTIONS                                                      \
    (XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR |        \
     XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC | XML_PARSE_BIG_LINES)

void pb__xmlread_init(pb__xmlread *r, const char *file, const char *buf,
                      size_t len, pb_error *err)
{
    r->file = file;
    r->buf = buf;
    r->len = len;
    r->err = err;
    r->failed = 0;
    r->status = PB_OK;
    r->located = 0;
}

pb_status pb__xmlread_nomem(pb__xmlread *r)
{
    return pb__error(r->err, PB_NOMEM, r->file, 0, "out of memory");
}

/* Elements past line 65535 carry their line in _private (on_start). */
int pb__xmlread_line(const xmlNode *n)
{
    long line;

    if (n->type == XML_ELEMENT_NODE && n->line == USHRT_MAX &&
        n->_private != NULL)
        return (int)(intptr_t)n->_private;
    line = xmlGetLineNo(n);
    return line < 0 ? 0 : line > INT_MAX ? INT_MAX : (int)line;
}

void pb__xmlread_one_line(char *msg, size_t size, size_t n, const char *m)
{
    for (; *m; m++) {
        if (n + 1 >= size)
            break;
        if (!pb__ascii_space(*m))
            msg[n++] = *m;
        else if (n > 0 && msg[n - 1] != ' ')
            msg[n++] = ' ';
    }
    while (n > 0 && msg[n - 1] == ' ')
        n--;
    msg[n] = '\0';
}

/* libxml2 callbacks; the context's userData is the context itself. */

/*
 * Nothing after the first error is parsed.  libxml2's pull parser reads
 * on with the callbacks off from wherever it stopped (inside a broken
 * comment, say), where check_markup's counts do not hold, and may start
 * a tag there with any number of attributes.  Its own stop
 * (xmlStopParser) frees the input under the function that reported the
 * error, so the rest of its copy of the file (2.9 parses a copy) is made
 * NUL bytes instead, where every loop of the parser ends.  The caller's
 * bytes are never written: a libxml2 that parsed them in place would
 * not be stopped, and test_markup_limits would say so.
 */
static void end_input(pb__xmlread *r, xmlParserCtxtPtr ctxt)
{
    xmlParserInputPtr in = ctxt->input;
    uintptr_t cur, end, buf = (uintptr_t)r->buf;

    if (in == NULL || in->cur == NULL || in->end == NULL)
        return;
    cur = (uintptr_t)in->cur;
    end = (uintptr_t)in->end;
    if (cur < end && (end <= buf || cur >= buf + r->len))
        memset((xmlChar *)in->cur, 0, (size_t)(end - cur));
}

static void on_xml_error(void *data, pb__xmlread_error e)
{
    xmlParserCtxtPtr ctxt = data;
    pb__xmlread *r = ctxt != NULL ? ctxt->_private : NULL;
    const char *m, *b;
    char msg[512];
    size_t n = 0;

    /* The first error is the one that explains; later ones follow it. */
    if (r == NULL || r->failed || e == NULL || e->level < XML_ERR_ERROR)
        return;
    r->failed = 1;
    r->status = e->code == XML_ERR_NO_MEMORY ? PB_NOMEM : PB_INPUT;
    end_input(r, ctxt);
    m = e->message != NULL ? e->message : "XML error";
    /* libxml2 asks to "indicate encoding", which would not help: the
     * declaration is ignored and only UTF-8 is read. */
    if (strncmp(m, "Input is not proper UTF-8", 25) == 0 &&
        (b = strstr(m, "Bytes: ")) != NULL) {
        memcpy(msg, "invalid UTF-8, bytes: ", 22);
        n = 22;
        m = b + 7;
    }
    pb__xmlread_one_line(msg, sizeof msg, n, m);
    pb__error(r->err, r->status, r->file, e->line > 0 ? e->line : 0, "%s",
              msg);
}

/* Stops the parser with our own message, unless libxml2 spoke first. */
static void stop(xmlParserCtxtPtr ctxt, const char *msg)
{
    pb__xmlread *r = ctxt->_private;

    if (!r->failed) {
        r->failed = 1;
        r->status = PB_INPUT;
        pb__error(r->err, PB_INPUT, r->file,
                  ctxt->input != NULL ? ctxt->input->line : 0, "%s", msg);
    }
    xmlStopParser(ctxt);
}

/*
 * Each start tag.  Checks the depth, and keeps the line: libxml2 stores
 * an element's line in 16 bits (XML_PARSE_BIG_LINES only helps text
 * nodes), so a long file would say 65535 everywhere.
 */
static void on_start(void *data, const xmlChar *name, const xmlChar *prefix,
                     const xmlChar *uri, int nns, const xmlChar **ns,
                     int nattrs, int ndefaulted, const xmlChar **attrs)
{
    xmlParserCtxtPtr ctxt = data;
    xmlNodePtr parent = ctxt->node;
    int line = ctxt->input != NULL ? ctxt->input->line : 0;

    if (ctxt->nodeNr >= XR_MAX_DEPTH) {
        /* libxml2 does the same (xmlHaltParser) on its own depth limit */
        stop(ctxt, "elements nested too deeply (over " XR_STR(XR_MAX_DEPTH)
                    " levels)");
        return;
    }
    xmlSAX2StartElementNs(ctxt, name, prefix, uri, nns, ns, nattrs,
                          ndefaulted, attrs);
    if (line >= USHRT_MAX && ctxt->node != NULL && ctxt->node != parent)
        ctxt->node->_private = (void *)(intptr_t)line;
}

/* Called once the DOCTYPE's name and external id are read, before its
 * internal subset: stopping here means no declaration is ever seen. */
static void on_doctype(void *data, const xmlChar *name,
                       const xmlChar *public_id, const xmlChar *system_id)
{
    (void)name;
    (void)public_id;
    (void)system_id;
    stop(data, "DOCTYPE is not allowed in a scenario");
}

/* libxml2 would switch to UTF-16, UCS-4 or EBCDIC on these first bytes
 * despite XML_PARSE_IGNORE_ENC; refuse them instead. */
static pb_status check_encoding(pb__xmlread *r, const char *buf, size_t len)
{
    xmlCharEncoding enc;
    const char *name;

    if (len < 4)
        return PB_OK;
    enc = xmlDetectCharEncoding((const unsigned char *)buf, 4);
    if (enc == XML_CHAR_ENCODING_NONE || enc == XML_CHAR_ENCODING_UTF8)
        return PB_OK;
    name = xmlGetCharEncodingName(enc);
    return pb__error(r->err, PB_INPUT, r->file, 1,
                     "encoding %s is not supported (scenario files are "
                     "UTF-8)", name != NULL ? name : "unknown");
}

/* The shape of the markup, before libxml2 sees it. */

/* s, short, in [p, end), or NULL. */
static const char *find(const char *p, const char *end, const char *s)
{
    size_t n = strlen(s);

    while ((size_t)(end - p) >= n) {
        if ((p = memchr(p, s[0], (size_t)(end - p) - n + 1)) == NULL)
            return NULL;
        if (memcmp(p, s, n) == 0)
            return p;
        p++;
    }
    return NULL;
}

static int starts(const char *p, const char *end, const char *s)
{
    size_t n = strlen(s);

    return (size_t)(end - p) >= n && memcmp(p, s, n) == 0;
}

/* Whether the attribute whose '=' is at eq, in the tag at tag, is a
 * namespace declaration (xmlns or xmlns:prefix).  Walks back over its
 * own name only, so a tag costs its length. */
static int is_xmlns(const char *tag, const char *eq)
{
    const char *e = eq, *s;

    while (e > tag && pb__ascii_space(e[-1]))
        e--;
    for (s = e; s > tag && !pb__ascii_space(s[-1]) && s[-1] != '"'
                && s[-1] != '\'' && s[-1] != '='; s--)
        ;
    return (e - s == 5 || (e - s > 6 && s[5] == ':')) &&
           memcmp(s, "xmlns", 5) == 0;
}

/* The element name after '<' for a message: ASCII name characters only
 * (nothing here is known to be UTF-8 yet), "?" when there are none. */
static const char *tag_name(const char *p, const char *end, char *buf,
                            size_t size)
{
    size_t n = 0;

    while (p < end && n + 1 < size &&
           (pb__ascii_id(*p) || *p == '.' || *p == ':'))
        buf[n++] = *p++;
    if (n == 0)
        buf[n++] = '?';
    buf[n] = '\0';
    return buf;
}

static pb_status markup_error(pb__xmlread *r, const char *buf, const char *tag,
                              const char *end, const char *what,
                              size_t count, int max, const char *where)
{
    const char *p;
    char name[48];
    int line = 1;

    for (p = buf; (p = memchr(p, '\n', (size_t)(tag - p))) != NULL; p++)
        line++;
    return pb__error(r->err, PB_INPUT, r->file, line, "<%s> has %zu %s "
                     "(at most %d%s)", tag_name(tag + 1, end, name,
                                                sizeof name), count, what,
                     max, where);
}

/* Where markup libxml2 skips whole ends, p past its '<': a processing
 * instruction, comment or CDATA section ends at the first closer after
 * its whole opener ("<!-->" opens a comment that goes on past it); end
 * when none does; NULL when p starts none of them. */
static const char *skipped(const char *p, const char *end)
{
    const char *q;

    if (*p == '?')
        q = find(p + 1, end, "?>");
    else if (starts(p, end, "!--"))
        q = find(p + 3, end, "-->");
    else if (starts(p, end, "![CDATA["))
        q = find(p + 8, end, "]]>");
    else
        return NULL;
    return q != NULL ? q + 1 : end;
}

/*
 * libxml2 reads a start tag whole before any callback, and an element
 * costs it the square of its attributes (the duplicate check, the
 * property list), the RELAX NG validator as much in memory (20,000
 * attributes took 6 GB), and every element a walk of the namespace
 * declarations in scope.  So these are counted on the bytes first.  In a
 * well-formed document '<' opens markup only outside comments, CDATA
 * sections and processing instructions, and an '=' outside quotes in a
 * start tag follows an attribute's name, so the counts are exact.  The
 * scan stops where the document stops being well formed, and so does
 * the parser (end_input), once it has reported that place.
 */
static pb_status check_markup(pb__xmlread *r, const char *buf, size_t len)
{
    const char *p = buf, *end = buf + len, *tag, *q;
    size_t nattrs, decls, inscope = 0, scope[XR_MAX_DEPTH];
    int depth = 0;
    char quote;

    while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        tag = p++;
        if (p == end)
            break;
        if ((q = skipped(p, end)) != NULL) {
            if (q == end)
                break;
            p = q;
            continue;
        }
        if (*p == '!')
            break; /* a DOCTYPE (refused), or not well formed */
        if (*p == '/') {
            if (depth == 0 || (p = memchr(p, '>', (size_t)(end - p))) ==
                NULL)
                break;
            inscope -= scope[--depth];
            continue;
        }
        nattrs = decls = 0;
        for (quote = 0; p < end && (quote || *p != '>'); p++) {
            if (quote) {
                if (*p == quote)
                    quote = 0;
            } else if (*p == '"' || *p == '\'') {
                quote = *p;
            } else if (*p == '=') {
                nattrs++;
                decls += is_xmlns(tag, p);
            }
        }
        /* Unterminated, it is still parsed whole before the error. */
        if (nattrs > XR_MAX_ATTRS)
            return markup_error(r, buf, tag, end, "attributes", nattrs,
                                XR_MAX_ATTRS, " on one element");
        if (inscope + decls > XR_MAX_NS)
            return markup_error(r, buf, tag, end, "namespace declarations "
                                "in scope", inscope + decls, XR_MAX_NS, "");
        if (p == end)
            break;
        if (p[-1] == '/')
            continue; /* empty: its declarations end with it */
        if (depth == XR_MAX_DEPTH)
            break; /* on_start stops the parser here */
        scope[depth++] = decls;
        inscope += decls;
    }
    return PB_OK;
}

pb_status pb__xmlread_parse(pb__xmlread *r, xmlDocPtr *doc)
{
    xmlParserCtxtPtr ctxt;
    pb_status st;

    *doc = NULL;
    if (r->len > INT_MAX) /* libxml2 takes an int; callers cap far below */
        return pb__error(r->err, PB_INPUT, r->file, 0, "file too large");
    if ((st = check_encoding(r, r->buf, r->len)) != PB_OK ||
        (st = check_markup(r, r->buf, r->len)) != PB_OK)
        return st;
    xmlInitParser(); /* once per process in fact; cheap after that */
    if ((ctxt = xmlNewParserCtxt()) == NULL)
        return pb__xmlread_nomem(r);
    /* The SAX handler belongs to this context: changing it is local. */
    ctxt->_private = r;
    ctxt->sax->serror = on_xml_error;
    ctxt->sax->internalSubset = on_doctype;
    ctxt->sax->externalSubset = NULL;
    ctxt->sax->startElementNs = on_start;
    *doc = xmlCtxtReadMemory(ctxt, r->buf, (int)r->len, r->file, NULL,
                             XR_OPTIONS);
    /* The tree holds its own reference to the context's dictionary. */
    xmlFreeParserCtxt(ctxt);
    if (r->failed)
        st = r->status;
    else if (*doc == NULL || xmlDocGetRootElement(*doc) == NULL)
        st = pb__error(r->err, PB_INPUT, r->file, 0,
                       "not a well-formed document");
    if (st != PB_OK) {
        xmlFreeDoc(*doc);
        *doc = NULL;
    }
    return st;
}
