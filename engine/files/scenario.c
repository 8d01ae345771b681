/*
 * scenario.c -- reading scenario files (docs/scenarios.md).
 *
 * Scenario files come from anywhere, so this is a security boundary.  The
 * file is read here, with a size cap, and parsed from memory by libxml2
 * through a parser context of our own:
 *  - no DTD at all: the internalSubset SAX callback stops the parser at
 *    <!DOCTYPE, before any entity is declared, so entity bombs never
 *    expand and external entities are never fetched;
 *  - no option that loads or expands anything (NOENT, DTDLOAD, DTDVALID,
 *    XINCLUDE), no HUGE (which lifts the depth and size limits), NONET;
 *  - errors go to the context's own structured callback: no global
 *    handler is touched and libxml2 prints nothing;
 *  - UTF-8 only: other encodings are refused before parsing and the
 *    encoding declaration is ignored, which keeps iconv (whose errors
 *    would go to stderr) out of the way.
 * The tree is then checked element by element and copied into the
 * pb_scenario, and last validated against the schema (scenario.rng,
 * built into the library): the hand checks come first because their
 * messages say more than libxml2's, the schema is the contract that other
 * tools read too.  The xmlDoc never outlives pb_scenario_parse.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/encoding.h>
#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "ascii.h"
#include "calltime.h"
#include "error.h"
#include "file.h"
#include "playbook.h"
#include "scenario.h"
#include "schema.h"

#define SC_RNG_NS "http://relaxng.org/ns/structure/1.0"

/* The format is three levels deep; anything past this is hostile.  Lower
 * than libxml2's own 256, whose message suggests XML_PARSE_HUGE. */
#define SC_MAX_DEPTH 64
/* Markup that costs libxml2 more than its size (check_markup): an event
 * has at most 2 + PB_EVENT_MAX_ATTRS attributes, a file one namespace
 * declaration; these are far past any real file. */
#define SC_MAX_ATTRS 64 /* on one element, namespace declarations included */
#define SC_MAX_NS 32    /* namespace declarations in scope */
#define SC_STR_(x) #x
#define SC_STR(x) SC_STR_(x)

#define SC_XML_OPTIONS                                                  \
    (XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR |        \
     XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC | XML_PARSE_BIG_LINES)

/* The structured error callback lost its pointer to non-const in 2.12. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *sc_xml_error;
#else
typedef xmlErrorPtr sc_xml_error;
#endif

typedef struct sc_fact {
    char *name, *value;
    int line;
} sc_fact;

typedef struct sc_event {
    double t;
    char *type, *text;  /* text may be NULL */
    pb_attr *attrs;     /* names and values owned */
    size_t nattrs;
    int line;
} sc_event;

struct pb_scenario {
    char *path, *id, *title;
    char *description, *topic, *channel; /* may be NULL */
    sc_fact *facts;
    sc_event *events;
    pb_expect *expects; /* ref and principle owned */
    size_t nfacts, nevents, nexpects;
};

struct pb_schema {
    xmlRelaxNGPtr rng;
};

/* One read: where errors go, and whether libxml2 already reported one. */
typedef struct reader {
    const char *file;
    const char *buf; /* the caller's bytes, never written (end_input) */
    size_t len;
    pb_error *err;
    int failed;
    pb_status status;
    int located; /* the error kept has a line */
} reader;

static pb_status fail(reader *r, const xmlNode *n, const char *fmt, ...)
    PB__PRINTF(3, 4);

/* Helpers. */

/* Elements past line 65535 carry their line in _private (on_start). */
static int line_of(const xmlNode *n)
{
    long line;

    if (n->type == XML_ELEMENT_NODE && n->line == USHRT_MAX &&
        n->_private != NULL)
        return (int)(intptr_t)n->_private;
    line = xmlGetLineNo(n);
    return line < 0 ? 0 : line > INT_MAX ? INT_MAX : (int)line;
}

static pb_status fail(reader *r, const xmlNode *n, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    pb__verror(r->err, PB_INPUT, r->file, line_of(n), fmt, ap);
    va_end(ap);
    return PB_INPUT;
}

static pb_status nomem(reader *r)
{
    return pb__error(r->err, PB_NOMEM, r->file, 0, "out of memory");
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);

    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

static int is_ours(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
           n->ns->href != NULL &&
           strcmp((const char *)n->ns->href, PB__SCENARIO_NS) == 0 &&
           strcmp((const char *)n->name, name) == 0;
}

/* An element's name as written, or {uri}name for an unprefixed one from
 * another namespace, so <event xmlns="urn:other"> does not read <event>. */
static const char *label(const xmlNode *n, char *buf, size_t size)
{
    const char *name = (const char *)n->name;

    if (n->ns != NULL && n->ns->prefix != NULL)
        snprintf(buf, size, "%s:%s", (const char *)n->ns->prefix, name);
    else if (n->ns != NULL && n->ns->href != NULL &&
             strcmp((const char *)n->ns->href, PB__SCENARIO_NS))
        snprintf(buf, size, "{%s}%s", (const char *)n->ns->href, name);
    else
        snprintf(buf, size, "%s", name);
    return buf;
}

/* Any child node that is not an expected element: white space, comments
 * and processing instructions pass, the rest is an error. */
static pb_status unexpected(reader *r, const xmlNode *n, const xmlNode *parent)
{
    const char *pname = (const char *)parent->name;
    const char *p;
    char buf[160];

    switch (n->type) {
    case XML_COMMENT_NODE:
    case XML_PI_NODE:
        return PB_OK;
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
        for (p = (const char *)n->content; p && *p; p++)
            if (!pb__ascii_space(*p))
                return fail(r, n, "unexpected text in <%s>", pname);
        return PB_OK;
    case XML_ELEMENT_NODE:
        return fail(r, n, "unexpected element <%s> in <%s>",
                    label(n, buf, sizeof buf), pname);
    default:
        return fail(r, n, "unexpected content in <%s>", pname);
    }
}

/* For elements that hold nothing. */
static pb_status check_empty(reader *r, const xmlNode *el)
{
    const xmlNode *n;
    pb_status st;

    for (n = el->children; n != NULL; n = n->next)
        if ((st = unexpected(r, n, el)) != PB_OK)
            return st;
    return PB_OK;
}

static pb_status bad_attr(reader *r, const xmlNode *el, const xmlAttr *a)
{
    if (a->ns != NULL && a->ns->prefix != NULL)
        return fail(r, el, "unexpected attribute '%s:%s' on <%s>",
                    (const char *)a->ns->prefix, (const char *)a->name,
                    (const char *)el->name);
    return fail(r, el, "unexpected attribute '%s' on <%s>",
                (const char *)a->name, (const char *)el->name);
}

/* Attributes outside `allowed` (NULL-terminated) are errors; so are
 * namespaced ones, which nothing here reads. */
static pb_status check_attrs(reader *r, const xmlNode *el,
                             const char *const *allowed)
{
    const xmlAttr *a;
    const char *const *k;

    for (a = el->properties; a != NULL; a = a->next) {
        for (k = allowed; a->ns == NULL && *k != NULL; k++)
            if (strcmp((const char *)a->name, *k) == 0)
                break;
        if (a->ns == NULL && *k != NULL)
            continue;
        return bad_attr(r, el, a);
    }
    return PB_OK;
}

/*
 * The text of a node list (an element's content or an attribute's value):
 * text joined, comments and processing instructions skipped, optionally
 * trimmed.  Any other node goes to *bad and NULL comes back; NULL with
 * *bad unset means out of memory.
 */
static char *gather_text(const xmlNode *first, int trim, const xmlNode **bad)
{
    const xmlNode *n;
    size_t len = 0, start = 0, end, k;
    char *s;

    *bad = NULL;
    for (n = first; n != NULL; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content != NULL)
                len += strlen((const char *)n->content);
        } else if (n->type != XML_COMMENT_NODE && n->type != XML_PI_NODE) {
            *bad = n;
            return NULL;
        }
    }
    if ((s = malloc(len + 1)) == NULL)
        return NULL;
    len = 0;
    for (n = first; n != NULL; n = n->next) {
        if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
            && n->content != NULL) {
            k = strlen((const char *)n->content);
            memcpy(s + len, n->content, k);
            len += k;
        }
    }
    s[len] = '\0';
    if (trim) {
        while (start < len && pb__ascii_space(s[start]))
            start++;
        end = len;
        while (end > start && pb__ascii_space(s[end - 1]))
            end--;
        memmove(s, s + start, end - start);
        s[end - start] = '\0';
    }
    return s;
}

/* The value of the unnamespaced attribute `name` in *out, or NULL when
 * there is none. */
static pb_status get_attr(reader *r, const xmlNode *el, const char *name,
                          char **out)
{
    const xmlAttr *a;
    const xmlNode *bad;

    *out = NULL;
    for (a = el->properties; a != NULL; a = a->next)
        if (a->ns == NULL && strcmp((const char *)a->name, name) == 0)
            break;
    if (a == NULL)
        return PB_OK;
    if ((*out = gather_text(a->children, 0, &bad)) != NULL)
        return PB_OK;
    if (bad != NULL)
        return fail(r, el, "unexpected content in attribute '%s'", name);
    return nomem(r);
}

/* An element's trimmed text content; child elements are errors. */
static pb_status get_text(reader *r, const xmlNode *el, char **out)
{
    const xmlNode *bad;

    if ((*out = gather_text(el->children, 1, &bad)) != NULL)
        return PB_OK;
    if (bad != NULL)
        return unexpected(r, bad, el);
    return nomem(r);
}

static size_t count_elements(const xmlNode *el)
{
    const xmlNode *n;
    size_t count = 0;

    for (n = el->children; n != NULL; n = n->next)
        count += n->type == XML_ELEMENT_NODE;
    return count;
}

/* "p" (dots 0) or "p.i" (dots 1), each part a non-empty id. */
static int ref_shape(const char *ref, int min_dots, int max_dots)
{
    int dots = 0;
    size_t len = 0;

    for (;; ref++) {
        if (*ref == '.' || *ref == '\0') {
            if (len == 0)
                return 0;
            if (*ref == '\0')
                break;
            dots++;
            len = 0;
        } else if (!pb__ascii_id(*ref)) {
            return 0;
        } else {
            len++;
        }
    }
    return dots >= min_dots && dots <= max_dots;
}

/* Case. */

static pb_status read_fact(reader *r, const xmlNode *el, sc_fact *f)
{
    static const char *const attrs[] = {"name", NULL};
    pb_status st;

    f->line = line_of(el);
    if ((st = check_attrs(r, el, attrs)) != PB_OK ||
        (st = get_attr(r, el, "name", &f->name)) != PB_OK)
        return st;
    if (f->name == NULL || f->name[0] == '\0')
        return fail(r, el, "fact without name");
    return get_text(r, el, &f->value);
}

static pb_status read_case(reader *r, const xmlNode *el, pb_scenario *s)
{
    static const char *const attrs[] = {"topic", "channel", NULL};
    const xmlNode *n;
    size_t count = count_elements(el);
    pb_status st;

    if ((st = check_attrs(r, el, attrs)) != PB_OK ||
        (st = get_attr(r, el, "topic", &s->topic)) != PB_OK ||
        (st = get_attr(r, el, "channel", &s->channel)) != PB_OK)
        return st;
    if (count > 0 && (s->facts = calloc(count, sizeof *s->facts)) == NULL)
        return nomem(r);
    for (n = el->children; n != NULL; n = n->next) {
        if (!is_ours(n, "fact"))
            st = unexpected(r, n, el);
        else
            st = read_fact(r, n, &s->facts[s->nfacts++]);
        if (st != PB_OK)
            return st;
    }
    return PB_OK;
}

/* Events. */

static pb_status read_event(reader *r, const xmlNode *el, sc_event *ev,
                            double *prev)
{
    const xmlAttr *a;
    char *t = NULL;
    size_t count = 0;
    pb_status st = PB_OK;

    ev->line = line_of(el);
    for (a = el->properties; a != NULL; a = a->next) {
        const char *name = (const char *)a->name;

        if (a->ns != NULL)
            return bad_attr(r, el, a);
        count += strcmp(name, "t") != 0 && strcmp(name, "type") != 0;
    }
    if (count > PB_EVENT_MAX_ATTRS)
        return fail(r, el, "event has %zu attributes besides t and type "
                    "(at most %u)", count, PB_EVENT_MAX_ATTRS);
    if (count > 0 && (ev->attrs = calloc(count, sizeof *ev->attrs)) == NULL)
        return nomem(r);
    /* Every attribute but t and type is the event's own. */
    for (a = el->properties; a != NULL; a = a->next) {
        const char *name = (const char *)a->name;
        pb_attr *pa;
        char *v;

        if (strcmp(name, "t") == 0 || strcmp(name, "type") == 0)
            continue;
        pa = &ev->attrs[ev->nattrs++];
        if ((pa->name = dup_str(name)) == NULL)
            return nomem(r);
        if ((st = get_attr(r, el, name, &v)) != PB_OK)
            return st;
        pa->value = v;
    }
    if ((st = get_attr(r, el, "type", &ev->type)) != PB_OK)
        return st;
    if (ev->type == NULL || ev->type[0] == '\0')
        return fail(r, el, "event without type");
    /* The engine's rule (pb_case_append), so that reading alone refuses
     * what the schema refuses. */
    if (!ref_shape(ev->type, 0, INT_MAX))
        return fail(r, el, "bad event type '%s' (dotted words of letters, "
                    "digits, _ and -)", ev->type);
    if ((st = get_attr(r, el, "t", &t)) != PB_OK)
        return st;
    if (t == NULL) {
        ev->t = *prev;
    } else if (pb_time_parse(t, &ev->t) != PB_OK) {
        st = fail(r, el, "bad time '%s' (seconds, mm:ss or h:mm:ss)", t);
    } else if (ev->t < *prev) {
        st = fail(r, el, "time goes backwards: %.15g after %.15g", ev->t,
                  *prev);
    }
    free(t);
    if (st != PB_OK)
        return st;
    *prev = ev->t;
    if ((st = get_text(r, el, &ev->text)) != PB_OK)
        return st;
    if (ev->text[0] == '\0') {
        free(ev->text);
        ev->text = NULL;
    }
    return PB_OK;
}

static pb_status read_events(reader *r, const xmlNode *el, pb_scenario *s)
{
    static const char *const none[] = {NULL};
    const xmlNode *n;
    size_t count = count_elements(el);
    double prev = 0;
    pb_status st;

    if ((st = check_attrs(r, el, none)) != PB_OK)
        return st;
    if (count > 0 && (s->events = calloc(count, sizeof *s->events)) == NULL)
        return nomem(r);
    for (n = el->children; n != NULL; n = n->next) {
        if (!is_ours(n, "event"))
            st = unexpected(r, n, el);
        else
            st = read_event(r, n, &s->events[s->nevents++], &prev);
        if (st != PB_OK)
            return st;
    }
    return PB_OK;
}

/* Expectations. */

/* Over 1, also where the digits that do not count would make it so:
 * "1.0000000000000001" reads as 1 but is not a number from 0 to 1. */
static int above_one(const char *text, double v)
{
    const char *p;

    if (v != 1)
        return v > 1;
    if ((p = strchr(text, '.')) == NULL)
        return 0;
    while (*++p == '0')
        ;
    return *p != '\0';
}

static pb_status read_score_bound(reader *r, const xmlNode *el,
                                  const char *name, double *out)
{
    const char *end;
    char *v;
    pb_status st;

    if ((st = get_attr(r, el, name, &v)) != PB_OK || v == NULL)
        return st;
    end = pb__time_decimal(v, out);
    if (end == NULL || *end != '\0' || above_one(v, *out))
        st = fail(r, el, "bad score %s '%s' (a number from 0 to 1)", name, v);
    free(v);
    return st;
}

static pb_status read_score(reader *r, const xmlNode *el, pb_expect *x)
{
    static const char *const attrs[] = {"min", "max", "principle", NULL};
    char *p;
    pb_status st;

    x->kind = PB_EXPECT_SCORE;
    x->min = 0;
    x->max = 1;
    if ((st = check_attrs(r, el, attrs)) != PB_OK ||
        (st = read_score_bound(r, el, "min", &x->min)) != PB_OK ||
        (st = read_score_bound(r, el, "max", &x->max)) != PB_OK ||
        (st = get_attr(r, el, "principle", &p)) != PB_OK)
        return st;
    x->principle = p;
    if (p != NULL && !ref_shape(p, 0, 0))
        return fail(r, el, "bad principle '%s'", p);
    if (x->min > x->max)
        return fail(r, el, "score min %.15g is above max %.15g", x->min,
                    x->max);
    return PB_OK;
}

static pb_status read_expect(reader *r, const xmlNode *el, pb_expect *x)
{
    static const char *const ref_only[] = {"ref", NULL};
    static const char *const ref_state[] = {"ref", "state", NULL};
    const char *name = (const char *)el->name;
    const char *shape = "principle.item";
    int min_dots = 1;
    char *ref, *state = NULL;
    pb_status st;

    x->line = line_of(el);
    if ((st = check_empty(r, el)) != PB_OK)
        return st;
    if (is_ours(el, "score"))
        return read_score(r, el, x);
    if (is_ours(el, "item")) {
        x->kind = PB_EXPECT_ITEM;
    } else if (is_ours(el, "next")) {
        x->kind = PB_EXPECT_NEXT;
    } else if (is_ours(el, "violation") || is_ours(el, "no-violation")) {
        x->kind = name[0] == 'v' ? PB_EXPECT_VIOLATION
                                 : PB_EXPECT_NO_VIOLATION;
        shape = "principle or principle.item";
        min_dots = 0;
    } else {
        return unexpected(r, el, el->parent);
    }
    st = check_attrs(r, el, x->kind == PB_EXPECT_ITEM ? ref_state : ref_only);
    if (st != PB_OK || (st = get_attr(r, el, "ref", &ref)) != PB_OK)
        return st;
    x->ref = ref;
    if (ref == NULL)
        return fail(r, el, "%s without ref", name);
    if (!ref_shape(ref, min_dots, 1))
        return fail(r, el, "bad ref '%s' (%s)", ref, shape);
    if (x->kind != PB_EXPECT_ITEM)
        return PB_OK;
    if ((st = get_attr(r, el, "state", &state)) != PB_OK)
        return st;
    if (state == NULL)
        st = fail(r, el, "item without state");
    else if (pb_state_parse(state, &x->state) != PB_OK)
        st = fail(r, el, "bad state '%s' (done, open, waiting, skipped, "
                  "violated, error or absent)", state);
    free(state);
    return st;
}

static pb_status read_expects(reader *r, const xmlNode *el, pb_scenario *s)
{
    static const char *const none[] = {NULL};
    const xmlNode *n;
    size_t count = count_elements(el);
    pb_status st;

    if ((st = check_attrs(r, el, none)) != PB_OK)
        return st;
    if (count > 0 && (s->expects = calloc(count, sizeof *s->expects)) == NULL)
        return nomem(r);
    for (n = el->children; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            st = unexpected(r, n, el);
        else
            st = read_expect(r, n, &s->expects[s->nexpects++]);
        if (st != PB_OK)
            return st;
    }
    return PB_OK;
}

/* Scenario. */

static pb_status read_root(reader *r, const xmlNode *root, pb_scenario *s)
{
    static const char *const attrs[] = {"id", "title", NULL};
    static const char *const none[] = {NULL};
    const xmlNode *n, *seen[4] = {NULL, NULL, NULL, NULL};
    char buf[160];
    pb_status st;
    int k;

    if (!is_ours(root, "scenario"))
        return fail(r, root, "expected <scenario> in namespace "
                    PB__SCENARIO_NS ", found <%s>%s",
                    label(root, buf, sizeof buf),
                    root->ns == NULL ? " without namespace" : "");
    if ((st = check_attrs(r, root, attrs)) != PB_OK ||
        (st = get_attr(r, root, "id", &s->id)) != PB_OK ||
        (st = get_attr(r, root, "title", &s->title)) != PB_OK)
        return st;
    if (s->id == NULL || s->id[0] == '\0')
        return fail(r, root, "scenario without id");
    if (s->title == NULL && (s->title = dup_str(s->id)) == NULL)
        return nomem(r);
    for (n = root->children; n != NULL; n = n->next) {
        if (is_ours(n, "description"))
            k = 0;
        else if (is_ours(n, "case"))
            k = 1;
        else if (is_ours(n, "events"))
            k = 2;
        else if (is_ours(n, "expect"))
            k = 3;
        else if ((st = unexpected(r, n, root)) != PB_OK)
            return st;
        else
            continue; /* white space, a comment */
        if (seen[k] != NULL)
            return fail(r, n, "duplicate <%s> in <scenario>",
                        (const char *)n->name);
        seen[k] = n;
        switch (k) {
        case 0:
            if ((st = check_attrs(r, n, none)) == PB_OK &&
                (st = get_text(r, n, &s->description)) == PB_OK &&
                s->description[0] == '\0') {
                free(s->description);
                s->description = NULL;
            }
            break;
        case 1:
            st = read_case(r, n, s);
            break;
        case 2:
            st = read_events(r, n, s);
            break;
        default:
            st = read_expects(r, n, s);
            break;
        }
        if (st != PB_OK)
            return st;
    }
    return PB_OK;
}

/* libxml2 callbacks; the context's userData is the context itself. */

/*
 * Appends libxml2's message m to msg[0..n) as one line: libxml2 ends
 * messages with a newline and sometimes splits them; ours are one line.
 */
static void one_line(char *msg, size_t size, size_t n, const char *m)
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
static void end_input(reader *r, xmlParserCtxtPtr ctxt)
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

static void on_xml_error(void *data, sc_xml_error e)
{
    xmlParserCtxtPtr ctxt = data;
    reader *r = ctxt != NULL ? ctxt->_private : NULL;
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
    one_line(msg, sizeof msg, n, m);
    pb__error(r->err, r->status, r->file, e->line > 0 ? e->line : 0, "%s",
              msg);
}

/* Stops the parser with our own message, unless libxml2 spoke first. */
static void stop(xmlParserCtxtPtr ctxt, const char *msg)
{
    reader *r = ctxt->_private;

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

    if (ctxt->nodeNr >= SC_MAX_DEPTH) {
        /* libxml2 does the same (xmlHaltParser) on its own depth limit */
        stop(ctxt, "elements nested too deeply (over " SC_STR(SC_MAX_DEPTH)
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
static pb_status check_encoding(reader *r, const char *buf, size_t len)
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

static pb_status markup_error(reader *r, const char *buf, const char *tag,
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
static pb_status check_markup(reader *r, const char *buf, size_t len)
{
    const char *p = buf, *end = buf + len, *tag, *q;
    size_t nattrs, decls, inscope = 0, scope[SC_MAX_DEPTH];
    int depth = 0;
    char quote;

    while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        tag = p++;
        if (p == end)
            break;
        if (*p == '?' || starts(p, end, "!--") || starts(p, end, "![CDATA[")) {
            q = find(p, end, *p == '?' ? "?>" : p[1] == '-' ? "-->" : "]]>");
            if (q == NULL)
                break;
            p = q + 1;
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
        if (nattrs > SC_MAX_ATTRS)
            return markup_error(r, buf, tag, end, "attributes", nattrs,
                                SC_MAX_ATTRS, " on one element");
        if (inscope + decls > SC_MAX_NS)
            return markup_error(r, buf, tag, end, "namespace declarations "
                                "in scope", inscope + decls, SC_MAX_NS, "");
        if (p == end)
            break;
        if (p[-1] == '/')
            continue; /* empty: its declarations end with it */
        if (depth == SC_MAX_DEPTH)
            break; /* on_start stops the parser here */
        scope[depth++] = decls;
        inscope += decls;
    }
    return PB_OK;
}

/* The schema. */

#define SC_INVALID "not valid against scenario.rng"

/* Compiling the built-in schema fails only when out of memory, or when
 * a broken scenario.rng was built in (tests/test_schema.c). */
static void on_schema_error(void *data, sc_xml_error e)
{
    reader *r = data;
    char msg[512];

    if (r->failed || e == NULL || e->level < XML_ERR_ERROR)
        return;
    r->failed = 1;
    r->status = e->code == XML_ERR_NO_MEMORY ? PB_NOMEM : PB_INPUT;
    one_line(msg, sizeof msg, 0, e->message != NULL ? e->message : "error");
    pb__error(r->err, r->status, r->file, e->line > 0 ? e->line : 0, "%s",
              msg);
}

/* A RELAX NG element `name`, with attribute `attr` equal to `value` when
 * attr is not NULL. */
static int is_rng(xmlNodePtr n, const char *name, const char *attr,
                  const char *value)
{
    xmlChar *v;
    int yes;

    if (n->type != XML_ELEMENT_NODE || n->ns == NULL ||
        n->ns->href == NULL || strcmp((const char *)n->ns->href, SC_RNG_NS) ||
        strcmp((const char *)n->name, name))
        return 0;
    if (attr == NULL)
        return 1;
    v = xmlGetNoNsProp(n, (const xmlChar *)attr);
    yes = v != NULL && strcmp((const char *)v, value) == 0;
    xmlFree(v);
    return yes;
}

/*
 * What libxml2 compiles differs from scenario.rng in two ways, and
 * accepts the same files once the hand checks have passed:
 *  - no pattern facets.  libxml2 compiles a facet's regular expression
 *    again for every value it checks (xmlRelaxNGSchemaFacetCheck): a
 *    40-event scenario took 5.5 times its parse to validate.  Every
 *    pattern in scenario.rng is on a value the hand checks test first
 *    with the same rule (times, event types, refs, score bounds), and
 *    tests/test_schema.c holds the two to the same verdicts;
 *  - <data type="string"/> left without facets is any string, <text/>,
 *    which libxml2 checks without its datatype machinery.
 * Validation then costs a twelfth of that, under half the parse.  Other
 * tools read the whole file.
 */
static void simplify(xmlNodePtr n)
{
    xmlNodePtr next;

    for (; n != NULL; n = next) {
        next = n->next;
        if (is_rng(n, "param", "name", "pattern")) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
            continue;
        }
        if (n->type != XML_ELEMENT_NODE)
            continue;
        simplify(n->children);
        if (is_rng(n, "data", "type", "string") && count_elements(n) == 0 &&
            xmlUnsetProp(n, (const xmlChar *)"type") == 0) {
            xmlFreeNodeList(n->children); /* white space */
            n->children = n->last = NULL;
            xmlNodeSetName(n, (const xmlChar *)"text");
        }
    }
}

pb_status pb__schema_compile(const char *text, size_t len, pb_schema **out,
                             pb_error *err)
{
    xmlParserCtxtPtr ctxt = NULL;
    xmlRelaxNGParserCtxtPtr pctxt = NULL;
    xmlDocPtr doc = NULL;
    xmlNodePtr root;
    pb_schema *sc = NULL;
    pb_status st = PB_OK;
    reader r;

    *out = NULL;
    r.file = "scenario.rng";
    r.err = err;
    r.failed = 0;
    r.status = PB_OK;
    r.located = 0;
    r.buf = text;
    r.len = len;
    if (len > INT_MAX)
        return pb__error(err, PB_INPUT, r.file, 0, "schema too large");
    xmlInitParser();
    if ((ctxt = xmlNewParserCtxt()) == NULL ||
        (sc = calloc(1, sizeof *sc)) == NULL) {
        st = nomem(&r);
        goto done;
    }
    /* Read like a scenario, so that errors stay in this context. */
    ctxt->_private = &r;
    ctxt->sax->serror = on_xml_error;
    doc = xmlCtxtReadMemory(ctxt, text, (int)len, r.file, NULL,
                            SC_XML_OPTIONS);
    if (r.failed) {
        st = r.status;
        goto done;
    }
    if (doc == NULL || (root = xmlDocGetRootElement(doc)) == NULL) {
        st = pb__error(err, PB_INPUT, r.file, 0, "not a well-formed document");
        goto done;
    }
    simplify(root);
    if ((pctxt = xmlRelaxNGNewDocParserCtxt(doc)) == NULL) {
        st = nomem(&r);
        goto done;
    }
    xmlRelaxNGSetParserStructuredErrors(pctxt, on_schema_error, &r);
    if ((sc->rng = xmlRelaxNGParse(pctxt)) == NULL)
        st = r.failed ? r.status
                      : pb__error(err, PB_INPUT, r.file, 0,
                                  "cannot compile the schema");
done:
    xmlRelaxNGFreeParserCtxt(pctxt);
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    if (st != PB_OK) {
        free(sc);
        return st;
    }
    *out = sc;
    return PB_OK;
}

pb_schema *pb_schema_new(pb_error *err)
{
    pb_schema *sc;

    pb__schema_compile((const char *)pb__scenario_rng, pb__scenario_rng_len,
                       &sc, err);
    return sc;
}

void pb_schema_free(pb_schema *schema)
{
    if (schema == NULL)
        return;
    xmlRelaxNGFree(schema->rng);
    free(schema);
}

/*
 * Validation errors.  The first one with a line is kept: libxml2 follows
 * a specific error ("Did not expect element b there") with its
 * consequences, but sometimes precedes it with a vague one that has no
 * node ("Element event failed to validate attributes").
 */
static void on_invalid(void *data, sc_xml_error e)
{
    reader *r = data;
    const xmlNode *n;
    char msg[512];
    int line = 0;

    if (e == NULL || e->level < XML_ERR_ERROR || r->located ||
        r->status == PB_NOMEM)
        return;
    if (e->code == XML_ERR_NO_MEMORY) {
        r->failed = 1;
        r->status = nomem(r);
        return;
    }
    /* The node's line, as e->line stops at 65535 (see on_start). */
    if ((n = e->node) != NULL && n->type == XML_ATTRIBUTE_NODE)
        n = n->parent;
    if (n != NULL)
        line = line_of(n);
    if (line == 0 && e->line > 0)
        line = e->line;
    if (r->failed && line == 0)
        return;
    r->failed = 1;
    r->status = PB_INPUT;
    r->located = line > 0;
    memcpy(msg, SC_INVALID ": ", sizeof SC_INVALID + 1);
    one_line(msg, sizeof msg, sizeof SC_INVALID + 1,
             e->message != NULL ? e->message : "error");
    pb__error(r->err, r->status, r->file, line, "%s", msg);
}

/*
 * The contract check, after the hand checks.  schema NULL compiles one
 * for this document.  The validation context is the only place errors
 * go: libxml2's global handler is not used, nothing reaches stderr.
 */
static pb_status validate(reader *r, const pb_schema *schema, xmlDocPtr doc)
{
    xmlRelaxNGValidCtxtPtr vctxt;
    pb_schema *own = NULL;
    pb_status st;
    int rc;

    if (schema == NULL) {
        st = pb__schema_compile((const char *)pb__scenario_rng,
                                pb__scenario_rng_len, &own, r->err);
        if (st != PB_OK)
            return st;
        schema = own;
    }
    if ((vctxt = xmlRelaxNGNewValidCtxt(schema->rng)) == NULL) {
        pb_schema_free(own);
        return nomem(r);
    }
    xmlRelaxNGSetValidStructuredErrors(vctxt, on_invalid, r);
    rc = xmlRelaxNGValidateDoc(vctxt, doc);
    xmlRelaxNGFreeValidCtxt(vctxt);
    pb_schema_free(own);
    if (rc == 0)
        return PB_OK;
    if (r->failed)
        return r->status;
    if (rc > 0)
        return pb__error(r->err, PB_INPUT, r->file, 0, SC_INVALID);
    /* libxml2 could not validate at all: says nothing of the file. */
    return pb__error(r->err, PB_INPUT, r->file, 0, "cannot validate "
                     "against scenario.rng (libxml2 error %d)", rc);
}

pb_status pb_scenario_parse_with(const pb_schema *schema, const char *name,
                                 const char *buf, size_t len,
                                 pb_scenario **out, pb_error *err)
{
    reader r;
    xmlParserCtxtPtr ctxt = NULL;
    xmlDocPtr doc = NULL;
    xmlNodePtr root;
    pb_scenario *s = NULL;
    pb_status st;

    *out = NULL;
    r.file = name != NULL ? name : "";
    r.err = err;
    r.failed = 0;
    r.status = PB_OK;
    r.located = 0;
    r.buf = buf;
    r.len = len;
    if (len == 0 || buf == NULL)
        return pb__error(err, PB_INPUT, r.file, 1, "empty file");
    if (len > PB_SCENARIO_MAX_BYTES)
        return pb__error(err, PB_INPUT, r.file, 0,
                         "file too large (over %lu bytes)",
                         (unsigned long)PB_SCENARIO_MAX_BYTES);
    if ((st = check_encoding(&r, buf, len)) != PB_OK ||
        (st = check_markup(&r, buf, len)) != PB_OK)
        return st;
    xmlInitParser(); /* once per process in fact; cheap after that */
    if ((ctxt = xmlNewParserCtxt()) == NULL)
        return nomem(&r);
    /* The SAX handler belongs to this context: changing it is local. */
    ctxt->_private = &r;
    ctxt->sax->serror = on_xml_error;
    ctxt->sax->internalSubset = on_doctype;
    ctxt->sax->externalSubset = NULL;
    ctxt->sax->startElementNs = on_start;
    doc = xmlCtxtReadMemory(ctxt, buf, (int)len, name, NULL, SC_XML_OPTIONS);
    if (r.failed) {
        st = r.status;
        goto done;
    }
    if (doc == NULL || (root = xmlDocGetRootElement(doc)) == NULL) {
        st = pb__error(err, PB_INPUT, r.file, 0, "not a well-formed document");
        goto done;
    }
    if ((s = calloc(1, sizeof *s)) == NULL ||
        (s->path = dup_str(r.file)) == NULL) {
        st = nomem(&r);
        goto done;
    }
    if ((st = read_root(&r, root, s)) == PB_OK)
        st = validate(&r, schema, doc);
done:
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    if (st != PB_OK) {
        pb_scenario_free(s);
        return st;
    }
    *out = s;
    return PB_OK;
}

pb_status pb_scenario_parse(const char *name, const char *buf, size_t len,
                            pb_scenario **out, pb_error *err)
{
    return pb_scenario_parse_with(NULL, name, buf, len, out, err);
}

pb_status pb_scenario_read_with(const pb_schema *schema, const char *path,
                                pb_scenario **out, pb_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    pb_status st;

    *out = NULL;
    if (path == NULL)
        return pb__error(err, PB_INPUT, "", 0, "no scenario file given");
    st = pb__read_file(path, PB_SCENARIO_MAX_BYTES, &buf, &len, err);
    if (st != PB_OK)
        return st;
    st = pb_scenario_parse_with(schema, path, buf, len, out, err);
    free(buf);
    return st;
}

pb_status pb_scenario_read(const char *path, pb_scenario **out,
                           pb_error *err)
{
    return pb_scenario_read_with(NULL, path, out, err);
}

static void free_event(sc_event *ev)
{
    size_t j;

    for (j = 0; j < ev->nattrs; j++) {
        free((char *)ev->attrs[j].name);
        free((char *)ev->attrs[j].value);
    }
    free(ev->attrs);
    free(ev->type);
    free(ev->text);
}

void pb_scenario_free(pb_scenario *s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; i < s->nfacts; i++) {
        free(s->facts[i].name);
        free(s->facts[i].value);
    }
    for (i = 0; i < s->nevents; i++)
        free_event(&s->events[i]);
    for (i = 0; i < s->nexpects; i++) {
        free((char *)s->expects[i].ref);
        free((char *)s->expects[i].principle);
    }
    free(s->facts);
    free(s->events);
    free(s->expects);
    free(s->path);
    free(s->id);
    free(s->title);
    free(s->description);
    free(s->topic);
    free(s->channel);
    free(s);
}

pb_status pb__scenario_add_event(pb_scenario *s, double t, const char *type,
                                 const char *text, const pb_attr *attrs,
                                 size_t nattrs)
{
    sc_event *v, ev;
    size_t i;

    memset(&ev, 0, sizeof ev);
    ev.t = t;
    if ((v = realloc(s->events, (s->nevents + 1) * sizeof *v)) == NULL)
        return PB_NOMEM;
    s->events = v;
    if ((ev.type = dup_str(type)) == NULL ||
        (text != NULL && (ev.text = dup_str(text)) == NULL))
        goto nomem;
    if (nattrs > 0) {
        if ((ev.attrs = calloc(nattrs, sizeof *ev.attrs)) == NULL)
            goto nomem;
        ev.nattrs = nattrs; /* NULL until copied: free_event copes */
    }
    for (i = 0; i < nattrs; i++)
        if ((ev.attrs[i].name = dup_str(attrs[i].name)) == NULL ||
            (ev.attrs[i].value = dup_str(attrs[i].value)) == NULL)
            goto nomem;
    s->events[s->nevents++] = ev;
    return PB_OK;
nomem:
    free_event(&ev);
    return PB_NOMEM;
}

/* Getters. */

const char *pb_scenario_path(const pb_scenario *s)
{
    return s->path;
}

const char *pb_scenario_id(const pb_scenario *s)
{
    return s->id;
}

const char *pb_scenario_title(const pb_scenario *s)
{
    return s->title;
}

const char *pb_scenario_description(const pb_scenario *s)
{
    return s->description;
}

const char *pb_scenario_topic(const pb_scenario *s)
{
    return s->topic;
}

const char *pb_scenario_channel(const pb_scenario *s)
{
    return s->channel;
}

size_t pb_scenario_nfacts(const pb_scenario *s)
{
    return s->nfacts;
}

void pb_scenario_fact(const pb_scenario *s, size_t i, const char **name,
                      const char **value, int *line)
{
    const sc_fact *f = i < s->nfacts ? &s->facts[i] : NULL;

    if (name != NULL)
        *name = f != NULL ? f->name : NULL;
    if (value != NULL)
        *value = f != NULL ? f->value : NULL;
    if (line != NULL)
        *line = f != NULL ? f->line : 0;
}

size_t pb_scenario_nevents(const pb_scenario *s)
{
    return s->nevents;
}

void pb_scenario_event(const pb_scenario *s, size_t i, pb_event_info *out,
                       int *line)
{
    const sc_event *ev = i < s->nevents ? &s->events[i] : NULL;

    memset(out, 0, sizeof *out);
    if (line != NULL)
        *line = ev != NULL ? ev->line : 0;
    if (ev == NULL)
        return;
    out->t = ev->t;
    out->type = ev->type;
    out->text = ev->text;
    out->attrs = ev->attrs;
    out->nattrs = ev->nattrs;
    out->detected_by = NULL;
}

size_t pb_scenario_nexpects(const pb_scenario *s)
{
    return s->nexpects;
}

const pb_expect *pb_scenario_expect(const pb_scenario *s, size_t i)
{
    return i < s->nexpects ? &s->expects[i] : NULL;
}
