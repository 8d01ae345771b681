/*
 * writer.c -- scenario files written: the checks of what they can hold,
 * the time forms, the document writer (writer.h), and a case written as a
 * scenario (pb__case_xml, pb__case_save), which is how a case file is kept
 * on disk (casefile.c).
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include "ascii.h"
#include "calltime.h"
#include "error.h"
#include "scenario.h"
#include "journal.h"
#include "utf8.h"
#include "writer.h"

/* Events between checks of the document's size. */
#define FLUSH_EVERY 256

/* What a scenario file can hold. */

pb_status pb__writer_bad_text(pb_error *err, const char *what,
                              const char *s)
{
    return pb__error(err, PB_INPUT, "", 0, "%s '%.40s%s' is not valid "
                     "UTF-8 text for XML (control characters?)", what, s,
                     strlen(s) > 40 ? "..." : "");
}

/* Writing a document. */

struct pb__writer {
    xmlBufferPtr buf;
    xmlTextWriterPtr w;
    size_t nevents;
    pb_status st; /* PB_OK until a call fails */
};

/* xmlTextWriter calls return -1 on failure, which writing to memory
 * does only when memory runs out. */
#define W(call)                                    \
    do {                                           \
        if (w->st == PB_OK && (call) < 0)          \
            w->st = PB_NOMEM;                      \
    } while (0)

pb__writer *pb__writer_new(void)
{
    pb__writer *w = calloc(1, sizeof *w);

    if (w == NULL)
        return NULL;
    if ((w->buf = xmlBufferCreate()) == NULL ||
        (w->w = xmlNewTextWriterMemory(w->buf, 0)) == NULL) {
        pb__writer_free(w);
        return NULL;
    }
    /* Grown by doubling, not to the size each write needs (libxml2's
     * default): a large case is written in linear time, not quadratic
     * where realloc cannot grow in place. */
    xmlBufferSetAllocationScheme(w->buf, XML_BUFFER_ALLOC_DOUBLEIT);
    W(xmlTextWriterSetIndent(w->w, 1));
    W(xmlTextWriterSetIndentString(w->w, BAD_CAST "  "));
    W(xmlTextWriterStartDocument(w->w, "1.0", "UTF-8", NULL));
    if (w->st != PB_OK) {
        pb__writer_free(w);
        return NULL;
    }
    return w;
}

void pb__writer_free(pb__writer *w)
{
    if (w == NULL)
        return;
    xmlFreeTextWriter(w->w);
    xmlBufferFree(w->buf);
    free(w);
}

void pb__writer_start(pb__writer *w, const char *name)
{
    W(xmlTextWriterStartElement(w->w, BAD_CAST name));
}

void pb__writer_attr(pb__writer *w, const char *name, const char *value)
{
    if (value != NULL)
        W(xmlTextWriterWriteAttribute(w->w, BAD_CAST name,
                                      BAD_CAST value));
}

void pb__writer_end(pb__writer *w)
{
    W(xmlTextWriterEndElement(w->w));
}

void pb__writer_element(pb__writer *w, const char *name, const char *text)
{
    if (text == NULL)
        return;
    pb__writer_start(w, name);
    W(xmlTextWriterWriteString(w->w, BAD_CAST text));
    pb__writer_end(w);
}

void pb__writer_fact(pb__writer *w, const char *name, const char *value)
{
    pb__writer_start(w, "fact");
    pb__writer_attr(w, "name", name);
    W(xmlTextWriterWriteString(w->w, BAD_CAST value));
    pb__writer_end(w);
}

void pb__writer_event(pb__writer *w, const char *t, const char *type,
                      const char *text, const pb_attr *attrs,
                      size_t nattrs)
{
    size_t k;

    pb__writer_start(w, "event");
    pb__writer_attr(w, "t", t);
    pb__writer_attr(w, "type", type);
    for (k = 0; k < nattrs; k++)
        pb__writer_attr(w, attrs[k].name, attrs[k].value);
    if (text != NULL)
        W(xmlTextWriterWriteString(w->w, BAD_CAST text));
    pb__writer_end(w);
    /* A transcript can be far over the limit: stop early. */
    if (++w->nevents % FLUSH_EVERY == 0) {
        W(xmlTextWriterFlush(w->w));
        if (w->st == PB_OK &&
            (size_t)xmlBufferLength(w->buf) > PB_SCENARIO_MAX_BYTES)
            w->st = PB_INPUT;
    }
}

pb_status pb__writer_finish(pb__writer *w, const char **xml, size_t *len)
{
    W(xmlTextWriterEndDocument(w->w));
    W(xmlTextWriterFlush(w->w));
    if (w->st == PB_OK &&
        (size_t)xmlBufferLength(w->buf) > PB_SCENARIO_MAX_BYTES)
        w->st = PB_INPUT;
    *xml = w->st == PB_OK ? (const char *)xmlBufferContent(w->buf) : NULL;
    *len = w->st == PB_OK ? (size_t)xmlBufferLength(w->buf) : 0;
    return w->st;
}

/* A case as a scenario. */

/* Attribute names an event can carry: any XML name without a prefix
 * (events from a file or pb_case_append), so that what is written reads
 * back. */
static int attr_name_fits(const char *s)
{
    return strcmp(s, "t") != 0 && strcmp(s, "type") != 0 &&
           pb__utf8_xml_text(s) && xmlValidateNCName(BAD_CAST s, 0) == 0;
}

/* Every string the document will hold can be XML. */
static pb_status check_case(const pb_case *c, const pb__case_header *h,
                            pb_error *err)
{
    static const char *const header_names[] = {
        "topic", "channel", "agent", "team"
    };
    const char *header[4], *name, *value;
    pb_event_info ev;
    size_t i, k;

    header[0] = pb_case_topic(c);
    header[1] = pb_case_channel(c);
    header[2] = pb_case_agent(c);
    header[3] = pb_case_team(c);
    if (h->id == NULL || h->id[0] == '\0')
        return pb__error(err, PB_INPUT, "", 0, "a scenario needs an id");
    if (!pb__utf8_xml_text(h->id) ||
        (h->title && !pb__utf8_xml_text(h->title)) ||
        (h->description && !pb__utf8_xml_text(h->description)))
        return pb__writer_bad_text(err, "id, title or description", h->id);
    for (i = 0; i < 4; i++)
        if (header[i] != NULL && !pb__utf8_xml_text(header[i]))
            return pb__writer_bad_text(err, header_names[i], header[i]);
    for (i = 0; i < pb_case_ninitial(c); i++) {
        pb_case_initial(c, i, &name, &value);
        if (!pb__utf8_xml_text(name) || !pb__utf8_xml_text(value))
            return pb__writer_bad_text(err, "fact", name);
    }
    for (i = 0; i < pb_case_nevents(c); i++) {
        pb_case_event(c, i, &ev);
        if (ev.detected_by != NULL)
            continue;
        if (ev.text && !pb__utf8_xml_text(ev.text))
            return pb__writer_bad_text(err, "event text", ev.text);
        for (k = 0; k < ev.nattrs; k++) {
            if (!attr_name_fits(ev.attrs[k].name))
                return pb__error(err, PB_INPUT, "", 0, "event attribute "
                                 "name '%s' cannot be saved",
                                 ev.attrs[k].name);
            if (!pb__utf8_xml_text(ev.attrs[k].value))
                return pb__writer_bad_text(err, "attribute",
                                           ev.attrs[k].value);
        }
    }
    return PB_OK;
}

static void write_expect(pb__writer *w, const pb_expect *x)
{
    static const char *const names[] = {"item", "score", "violation",
                                        "no-violation", "next", "case"};
    char lo[64], hi[64];

    pb__writer_start(w, names[x->kind]);
    pb__writer_attr(w, x->kind == PB_EXPECT_CASE ? "state" : "ref", x->ref);
    if (x->kind == PB_EXPECT_ITEM)
        pb__writer_attr(w, "state", pb_state_name(x->state));
    if (x->kind == PB_EXPECT_ITEM && x->at >= 0)
        pb__writer_attr(w, "at", pb__time_seconds(x->at, lo, sizeof lo));
    if (x->kind == PB_EXPECT_SCORE) {
        pb__writer_attr(w, "min", pb__time_seconds(x->min, lo, sizeof lo));
        pb__writer_attr(w, "max", pb__time_seconds(x->max, hi, sizeof hi));
        pb__writer_attr(w, "principle", x->principle);
    }
    pb__writer_end(w);
}

static void write_case(pb__writer *w, const pb_case *c,
                       const pb__case_header *h)
{
    const char *name, *value;
    pb_event_info ev;
    char tb[64];
    size_t i, n;

    pb__writer_start(w, "scenario");
    pb__writer_attr(w, "id", h->id);
    pb__writer_attr(w, "title", h->title ? h->title : h->id);
    /* After id and title, where case files have always had it. */
    pb__writer_attr(w, "xmlns", PB__SCENARIO_NS);
    pb__writer_element(w, "description", h->description);
    pb__writer_start(w, "case");
    pb__writer_attr(w, "topic", pb_case_topic(c));
    pb__writer_attr(w, "channel", pb_case_channel(c));
    pb__writer_attr(w, "agent", pb_case_agent(c));
    pb__writer_attr(w, "team", pb_case_team(c));
    for (i = 0; i < pb_case_ninitial(c); i++) {
        pb_case_initial(c, i, &name, &value);
        pb__writer_fact(w, name, value);
    }
    pb__writer_end(w);
    pb__writer_start(w, "events");
    for (i = 0; i < pb_case_nevents(c); i++) {
        pb_case_event(c, i, &ev);
        if (ev.detected_by != NULL)
            continue; /* found again by the detectors on replay */
        pb__writer_event(w, pb__time_seconds(ev.t, tb, sizeof tb),
                         ev.type, ev.text, ev.attrs, ev.nattrs);
    }
    pb__writer_end(w);
    n = h->expect ? pb_scenario_nexpects(h->expect) : 0;
    if (n > 0) {
        pb__writer_start(w, "expect");
        for (i = 0; i < n; i++)
            write_expect(w, pb_scenario_expect(h->expect, i));
        pb__writer_end(w);
    }
    pb__writer_end(w);
}

pb_status pb__case_xml(const pb_case *c, const pb__case_header *h,
                      char **out, size_t *len, pb_error *err)
{
    pb__writer *w;
    const char *xml;
    pb_status st;

    *out = NULL;
    *len = 0;
    if ((st = check_case(c, h, err)) != PB_OK)
        return st;
    if ((w = pb__writer_new()) == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    write_case(w, c, h);
    st = pb__writer_finish(w, &xml, len);
    if (st == PB_NOMEM)
        /* every string was checked: only memory can have failed */
        pb__error(err, PB_NOMEM, "", 0, "cannot write the case as XML "
                  "(out of memory)");
    else if (st == PB_INPUT)
        pb__error(err, PB_INPUT, "", 0, "the case is over %u bytes as "
                  "XML, too large to read back", PB_SCENARIO_MAX_BYTES);
    else if ((*out = malloc(*len + 1)) == NULL)
        st = pb__error(err, PB_NOMEM, "", 0, "out of memory");
    else {
        memcpy(*out, xml, *len);
        (*out)[*len] = '\0';
    }
    if (st != PB_OK)
        *len = 0;
    pb__writer_free(w);
    return st;
}

pb_status pb__case_save(const pb_case *c, const pb__case_header *h,
                       const char *path, const pb_io *io, pb_error *err)
{
    char *xml;
    size_t len;
    pb_status st;

    if ((st = pb__case_xml(c, h, &xml, &len, err)) != PB_OK) {
        if (err != NULL && err->file[0] == '\0')
            snprintf(err->file, sizeof err->file, "%s", path);
        return st;
    }
    st = pb__io_replace(io, path, xml, len, err);
    free(xml);
    return st;
}
