/*
 * scenario.c -- reading scenario files (docs/scenarios.md): the
 * pb_scenario and the walk of the XML tree that fills it.
 *
 * Scenario files come from anywhere, so this is a security boundary.
 * The file is read here, with a size cap; xmlread.c turns the bytes
 * into a libxml2 tree with the parser locked down.  The tree is then
 * checked element by element and copied into the pb_scenario, and last
 * validated against the schema (schema.c, scenario.rng built into the
 * library): the hand checks come first because their messages say more
 * than libxml2's, the schema is the contract that other tools read too.
 * The xmlDoc never outlives pb_scenario_parse.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "ascii.h"
#include "calltime.h"
#include "error.h"
#include "file.h"
#include "playbook.h"
#include "scenario.h"
#include "schema.h"
#include "xmlread.h"

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
    char *agent, *team;                   /* may be NULL */
    sc_fact *facts;
    sc_event *events;
    pb_expect *expects; /* ref and principle owned */
    size_t nfacts, nevents, nexpects;
};

static pb_status fail(pb__xmlread *r, const xmlNode *n, const char *fmt, ...)
    PB__PRINTF(3, 4);

/* Helpers. */

static pb_status fail(pb__xmlread *r, const xmlNode *n, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    pb__verror(r->err, PB_INPUT, r->file, pb__xmlread_line(n), fmt, ap);
    va_end(ap);
    return PB_INPUT;
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
static pb_status unexpected(pb__xmlread *r, const xmlNode *n,
                            const xmlNode *parent)
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
static pb_status check_empty(pb__xmlread *r, const xmlNode *el)
{
    const xmlNode *n;
    pb_status st;

    for (n = el->children; n != NULL; n = n->next)
        if ((st = unexpected(r, n, el)) != PB_OK)
            return st;
    return PB_OK;
}

static pb_status bad_attr(pb__xmlread *r, const xmlNode *el, const xmlAttr *a)
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
static pb_status check_attrs(pb__xmlread *r, const xmlNode *el,
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
static pb_status get_attr(pb__xmlread *r, const xmlNode *el, const char *name,
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
    return pb__xmlread_nomem(r);
}

/* An element's trimmed text content; child elements are errors. */
static pb_status get_text(pb__xmlread *r, const xmlNode *el, char **out)
{
    const xmlNode *bad;

    if ((*out = gather_text(el->children, 1, &bad)) != NULL)
        return PB_OK;
    if (bad != NULL)
        return unexpected(r, bad, el);
    return pb__xmlread_nomem(r);
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

/* A fact's name, as long as a principle's may be (case/principle.c). */
#define MAX_FACT_NAME 128

static pb_status read_fact(pb__xmlread *r, const xmlNode *el, sc_fact *f)
{
    static const char *const attrs[] = {"name", NULL};
    pb_status st;

    f->line = pb__xmlread_line(el);
    if ((st = check_attrs(r, el, attrs)) != PB_OK ||
        (st = get_attr(r, el, "name", &f->name)) != PB_OK)
        return st;
    if (f->name == NULL || f->name[0] == '\0')
        return fail(r, el, "fact without name");
    if (strlen(f->name) > MAX_FACT_NAME)
        return fail(r, el, "a fact name longer than %d bytes", MAX_FACT_NAME);
    return get_text(r, el, &f->value);
}

static int by_name(const void *a, const void *b)
{
    const sc_fact *x = *(const sc_fact *const *)a;
    const sc_fact *y = *(const sc_fact *const *)b;
    int c = strcmp(x->name, y->name);

    return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

/* No fact twice: the second would silently replace the first.  Sorted,
 * so that many facts cost n log n. */
static pb_status facts_once(pb__xmlread *r, const pb_scenario *s)
{
    const sc_fact **v;
    pb_status st = PB_OK;
    size_t i;

    if (s->nfacts < 2)
        return PB_OK;
    if ((v = malloc(s->nfacts * sizeof *v)) == NULL)
        return pb__xmlread_nomem(r);
    for (i = 0; i < s->nfacts; i++)
        v[i] = &s->facts[i];
    qsort(v, s->nfacts, sizeof *v, by_name);
    for (i = 1; i < s->nfacts && st == PB_OK; i++)
        if (strcmp(v[i - 1]->name, v[i]->name) == 0)
            st = pb__error(r->err, PB_INPUT, r->file, v[i]->line,
                           "fact '%s' is given twice (first at line %d)",
                           v[i]->name, v[i - 1]->line);
    free(v);
    return st;
}

static pb_status read_case(pb__xmlread *r, const xmlNode *el, pb_scenario *s)
{
    static const char *const attrs[] = {"topic", "channel", "agent", "team",
                                        NULL};
    const xmlNode *n;
    size_t count = count_elements(el);
    pb_status st;

    if ((st = check_attrs(r, el, attrs)) != PB_OK ||
        (st = get_attr(r, el, "topic", &s->topic)) != PB_OK ||
        (st = get_attr(r, el, "channel", &s->channel)) != PB_OK ||
        (st = get_attr(r, el, "agent", &s->agent)) != PB_OK ||
        (st = get_attr(r, el, "team", &s->team)) != PB_OK)
        return st;
    if ((s->agent && s->agent[0] == '\0') || (s->team && s->team[0] == '\0'))
        return fail(r, el, "an empty agent or team");
    if (count > 0 && (s->facts = calloc(count, sizeof *s->facts)) == NULL)
        return pb__xmlread_nomem(r);
    for (n = el->children; n != NULL; n = n->next) {
        if (!is_ours(n, "fact"))
            st = unexpected(r, n, el);
        else
            st = read_fact(r, n, &s->facts[s->nfacts++]);
        if (st != PB_OK)
            return st;
    }
    return facts_once(r, s);
}

/* Events. */

static pb_status read_event(pb__xmlread *r, const xmlNode *el, sc_event *ev,
                            double *prev)
{
    const xmlAttr *a;
    char *t = NULL;
    size_t count = 0;
    pb_status st = PB_OK;

    ev->line = pb__xmlread_line(el);
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
        return pb__xmlread_nomem(r);
    /* Every attribute but t and type is the event's own. */
    for (a = el->properties; a != NULL; a = a->next) {
        const char *name = (const char *)a->name;
        pb_attr *pa;
        char *v;

        if (strcmp(name, "t") == 0 || strcmp(name, "type") == 0)
            continue;
        pa = &ev->attrs[ev->nattrs++];
        if ((pa->name = strdup(name)) == NULL)
            return pb__xmlread_nomem(r);
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

static pb_status read_events(pb__xmlread *r, const xmlNode *el, pb_scenario *s)
{
    static const char *const none[] = {NULL};
    const xmlNode *n;
    size_t count = count_elements(el);
    double prev = 0;
    pb_status st;

    if ((st = check_attrs(r, el, none)) != PB_OK)
        return st;
    if (count > 0 && (s->events = calloc(count, sizeof *s->events)) == NULL)
        return pb__xmlread_nomem(r);
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

static pb_status read_score_bound(pb__xmlread *r, const xmlNode *el,
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

static pb_status read_score(pb__xmlread *r, const xmlNode *el, pb_expect *x)
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

/* <case state="closed"/>: where the case stands at the end. */
static pb_status read_case_state(pb__xmlread *r, const xmlNode *el,
                                 pb_expect *x)
{
    static const char *const attrs[] = {"state", NULL};
    char *state;
    pb_status st;

    x->kind = PB_EXPECT_CASE;
    if ((st = check_attrs(r, el, attrs)) != PB_OK ||
        (st = get_attr(r, el, "state", &state)) != PB_OK)
        return st;
    x->ref = state;
    if (state == NULL)
        return fail(r, el, "case without state");
    if (strcmp(state, "in_contact") != 0 &&
        strcmp(state, "between_contacts") != 0 &&
        strcmp(state, "closed") != 0)
        return fail(r, el, "bad case state '%s' (in_contact, "
                    "between_contacts or closed)", state);
    return PB_OK;
}

static pb_status read_expect(pb__xmlread *r, const xmlNode *el, pb_expect *x)
{
    static const char *const ref_only[] = {"ref", NULL};
    static const char *const ref_state[] = {"ref", "state", "at", NULL};
    const char *name = (const char *)el->name;
    const char *shape = "principle.item";
    int min_dots = 1;
    char *ref, *state = NULL, *at = NULL;
    pb_status st;

    x->line = pb__xmlread_line(el);
    x->at = -1;
    if ((st = check_empty(r, el)) != PB_OK)
        return st;
    if (is_ours(el, "score"))
        return read_score(r, el, x);
    if (is_ours(el, "case"))
        return read_case_state(r, el, x);
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
    if (st == PB_OK && (st = get_attr(r, el, "at", &at)) == PB_OK &&
        at != NULL && pb_time_parse(at, &x->at) != PB_OK)
        st = fail(r, el, "bad time '%s' in at (seconds, mm:ss or h:mm:ss)",
                  at);
    free(at);
    return st;
}

static pb_status read_expects(pb__xmlread *r, const xmlNode *el,
                              pb_scenario *s)
{
    static const char *const none[] = {NULL};
    const xmlNode *n;
    size_t count = count_elements(el);
    pb_status st;

    if ((st = check_attrs(r, el, none)) != PB_OK)
        return st;
    if (count > 0 && (s->expects = calloc(count, sizeof *s->expects)) == NULL)
        return pb__xmlread_nomem(r);
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

static pb_status read_root(pb__xmlread *r, const xmlNode *root, pb_scenario *s)
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
    if (s->title == NULL && (s->title = strdup(s->id)) == NULL)
        return pb__xmlread_nomem(r);
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


pb_status pb_scenario_parse_with(const pb_schema *schema, const char *name,
                                 const char *buf, size_t len,
                                 pb_scenario **out, pb_error *err)
{
    pb__xmlread r;
    xmlDocPtr doc;
    pb_scenario *s = NULL;
    pb_status st;

    *out = NULL;
    pb__xmlread_init(&r, name != NULL ? name : "", buf, len, err);
    if (len == 0 || buf == NULL)
        return pb__error(err, PB_INPUT, r.file, 1, "empty file");
    if (len > PB_SCENARIO_MAX_BYTES)
        return pb__error(err, PB_INPUT, r.file, 0,
                         "file too large (over %lu bytes)",
                         (unsigned long)PB_SCENARIO_MAX_BYTES);
    if ((st = pb__xmlread_parse(&r, &doc)) != PB_OK)
        return st;
    if ((s = calloc(1, sizeof *s)) == NULL ||
        (s->path = strdup(r.file)) == NULL)
        st = pb__xmlread_nomem(&r);
    else if ((st = read_root(&r, xmlDocGetRootElement(doc), s)) == PB_OK)
        st = pb__schema_validate(&r, schema, doc);
    xmlFreeDoc(doc);
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

static pb_status read_scenario(const pb_schema *schema, const char *path,
                               int nofollow, pb_scenario **out,
                               pb_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    pb_status st;

    *out = NULL;
    if (path == NULL)
        return pb__error(err, PB_INPUT, "", 0, "no scenario file given");
    st = pb__read_input(path, nofollow, PB_SCENARIO_MAX_BYTES, &buf, &len,
                        err);
    if (st != PB_OK)
        return st;
    st = pb_scenario_parse_with(schema, path, buf, len, out, err);
    free(buf);
    return st;
}

pb_status pb_scenario_read_with(const pb_schema *schema, const char *path,
                                pb_scenario **out, pb_error *err)
{
    return read_scenario(schema, path, 0, out, err);
}

pb_status pb__scenario_read_plain(const pb_schema *schema, const char *path,
                                  pb_scenario **out, pb_error *err)
{
    return read_scenario(schema, path, 1, out, err);
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
    free(s->agent);
    free(s->team);
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
    if ((ev.type = strdup(type)) == NULL ||
        (text != NULL && (ev.text = strdup(text)) == NULL))
        goto nomem;
    if (nattrs > 0) {
        if ((ev.attrs = calloc(nattrs, sizeof *ev.attrs)) == NULL)
            goto nomem;
        ev.nattrs = nattrs; /* NULL until copied: free_event copes */
    }
    for (i = 0; i < nattrs; i++)
        if ((ev.attrs[i].name = strdup(attrs[i].name)) == NULL ||
            (ev.attrs[i].value = strdup(attrs[i].value)) == NULL)
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

const char *pb_scenario_agent(const pb_scenario *s) { return s->agent; }
const char *pb_scenario_team(const pb_scenario *s) { return s->team; }

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
    memset(&out->evidence, 0, sizeof out->evidence);
    out->evidence.score = -1;
}

size_t pb_scenario_nexpects(const pb_scenario *s)
{
    return s->nexpects;
}

const pb_expect *pb_scenario_expect(const pb_scenario *s, size_t i)
{
    return i < s->nexpects ? &s->expects[i] : NULL;
}
