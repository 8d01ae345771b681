/*
 * schema.c -- the scenario schema (scenarios/scenario.rng, built into the
 * library): compiled once into a pb_schema, and every scenario validated
 * against it after the reader's own checks (docs/scenarios.md).
 *
 * Apart from scenario.c because it is the other half of reading: the
 * hand checks there come first because their messages say more than
 * libxml2's, the schema is the contract that other tools read too.
 * Both read their XML through xmlread.c.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/relaxng.h>
#include <libxml/tree.h>

#include "error.h"
#include "playbook.h"
#include "schema.h"
#include "xmlread.h"

#define SC_RNG_NS "http://relaxng.org/ns/structure/1.0"
#define SC_INVALID "not valid against scenario.rng"

struct pb_schema {
    xmlRelaxNGPtr rng;
};

/* Compiling the built-in schema fails only when out of memory, or when
 * a broken scenario.rng was built in (tests/test_schema.c). */
static void on_schema_error(void *data, pb__xmlread_error e)
{
    pb__xmlread *r = data;
    char msg[512];

    if (r->failed || e == NULL || e->level < XML_ERR_ERROR)
        return;
    r->failed = 1;
    r->status = e->code == XML_ERR_NO_MEMORY ? PB_NOMEM : PB_INPUT;
    pb__xmlread_one_line(msg, sizeof msg, 0,
                         e->message != NULL ? e->message : "error");
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
        if (is_rng(n, "data", "type", "string") &&
            xmlChildElementCount(n) == 0 &&
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
    xmlRelaxNGParserCtxtPtr pctxt = NULL;
    xmlDocPtr doc = NULL;
    pb_schema *sc = NULL;
    pb_status st;
    pb__xmlread r;

    *out = NULL;
    /* Read like a scenario, so that errors stay in this read. */
    pb__xmlread_init(&r, "scenario.rng", text, len, err);
    if ((st = pb__xmlread_parse(&r, &doc)) != PB_OK)
        return st;
    simplify(xmlDocGetRootElement(doc));
    if ((sc = calloc(1, sizeof *sc)) == NULL ||
        (pctxt = xmlRelaxNGNewDocParserCtxt(doc)) == NULL) {
        st = pb__xmlread_nomem(&r);
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
static void on_invalid(void *data, pb__xmlread_error e)
{
    pb__xmlread *r = data;
    const xmlNode *n;
    char msg[512];
    int line = 0;

    if (e == NULL || e->level < XML_ERR_ERROR || r->located ||
        r->status == PB_NOMEM)
        return;
    if (e->code == XML_ERR_NO_MEMORY) {
        r->failed = 1;
        r->status = pb__xmlread_nomem(r);
        return;
    }
    /* The node's line, as e->line stops at 65535 (pb__xmlread_line). */
    if ((n = e->node) != NULL && n->type == XML_ATTRIBUTE_NODE)
        n = n->parent;
    if (n != NULL)
        line = pb__xmlread_line(n);
    if (line == 0 && e->line > 0)
        line = e->line;
    if (r->failed && line == 0)
        return;
    r->failed = 1;
    r->status = PB_INPUT;
    r->located = line > 0;
    memcpy(msg, SC_INVALID ": ", sizeof SC_INVALID + 1);
    pb__xmlread_one_line(msg, sizeof msg, sizeof SC_INVALID + 1,
                         e->message != NULL ? e->message : "error");
    pb__error(r->err, r->status, r->file, line, "%s", msg);
}

/* The validation context is the only place errors go: libxml2's global
 * handler is not used, nothing reaches stderr. */
pb_status pb__schema_validate(pb__xmlread *r, const pb_schema *schema,
                              xmlDocPtr doc)
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
        return pb__xmlread_nomem(r);
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
