/*
 * import.c -- call transcripts into scenario files (docs/import.md).
 *
 * Two inputs, one result.  ABCD-style JSON (import_json.c) and plain
 * text (import_text.c) both become conversations of timed turns
 * (convo.c), and each conversation is written as one scenario by the
 * scenario writer (writer.c).  Transcripts come from anywhere, so all of
 * the input is checked before anything is written: sizes, UTF-8 and
 * characters XML cannot hold here, speakers and times by the readers.
 * A transcript either imports whole or not at all.
 *
 * Memory stays near the size of the input: the file (at most
 * PB_IMPORT_MAX_BYTES), the turns' texts in one arena, and, for JSON,
 * the json-c tree of one conversation at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "calltime.h"
#include "convo.h"
#include "error.h"
#include "file.h"
#include "import_json.h"
#include "import_text.h"
#include "playbook.h"
#include "scenario.h"
#include "writer.h"

/* Public API. */

/* "[01:05]" at buf[at]: a text transcript's first stamp, not JSON. */
static int is_stamp(const char *buf, size_t at, size_t len)
{
    size_t i = at + 1;

    while (i < len && (pb__ascii_digit(buf[i]) || buf[i] == ':' ||
                       buf[i] == '.'))
        i++;
    return i > at + 1 && i < len && buf[i] == ']';
}

/* Every conversation without a topic (none given, none mapped from
 * ABCD's flow) gets the one the customer's words point at, said in its
 * description.  Where they point at none clearly it keeps none, and its
 * note says why: the front end warns (a wrong topic would ask for the
 * wrong facts; no topic asks for the default ones). */
static pb_status infer_topics(pb__convo_parser *p)
{
    char why[160], *d;
    const char *topic;
    size_t i;

    for (i = 0; i < p->im->n; i++) {
        pb__convo *cv = &p->im->convos[i];

        if (cv->topic != NULL)
            continue;
        topic = pb__convo_topic(p->im, cv, why, sizeof why);
        cv->topic_note = pb__convo_printf(
            "%s from the customer's words (%s)",
            topic ? "inferred" : "none inferred", why[0] ? why : "no cue");
        if (cv->topic_note == NULL)
            return pb__convo_nomem(p);
        if (topic == NULL)
            continue;
        d = pb__convo_printf("%s Topic %s %s.", cv->description, topic,
                             cv->topic_note);
        if (d == NULL || (cv->topic = strdup(topic)) == NULL) {
            free(d);
            return pb__convo_nomem(p);
        }
        free(cv->description);
        cv->description = d;
    }
    return PB_OK;
}

pb_status pb_import_parse(const char *name, const char *buf, size_t len,
                          const pb_import_opts *opts, pb_import **out,
                          pb_error *err)
{
    static const pb_import_opts defaults = { PB_IMPORT_AUTO, NULL, NULL,
                                             NULL, NULL, NULL };
    pb__convo_parser p;
    size_t at, bom = 0;
    unsigned cp;
    int kind, col, line, json;
    char msg[80];
    pb_status st;

    *out = NULL;
    memset(&p, 0, sizeof p);
    p.name = name != NULL ? name : "";
    p.base = strrchr(p.name, '/') ? strrchr(p.name, '/') + 1 : p.name;
    p.buf = buf;
    p.len = len;
    p.opts = opts != NULL ? opts : &defaults;
    p.err = err;
    if (buf == NULL)
        p.len = len = 0;
    if (len > PB_IMPORT_MAX_BYTES)
        return pb__error(err, PB_INPUT, p.name, 0, "transcript too large "
                         "(over %u bytes)", PB_IMPORT_MAX_BYTES);
    if (p.opts->topic != NULL && !pb__convo_valid_id(p.opts->topic))
        return pb__error(err, PB_INPUT, p.name, 0, "bad topic '%.40s' "
                         "(letters, digits, _ and -)", p.opts->topic);
    if (p.opts->channel != NULL && !pb__convo_valid_id(p.opts->channel))
        return pb__error(err, PB_INPUT, p.name, 0, "bad channel '%.40s' "
                         "(letters, digits, _ and -)", p.opts->channel);
    if (p.opts->agent != NULL && !pb__convo_valid_name(p.opts->agent))
        return pb__error(err, PB_INPUT, p.name, 0, "bad agent '%.40s' (not "
                         "empty, no control characters, at most %d bytes)",
                         p.opts->agent, PB__CONVO_MAX_NAME);
    if (p.opts->team != NULL && !pb__convo_valid_name(p.opts->team))
        return pb__error(err, PB_INPUT, p.name, 0, "bad team '%.40s' (not "
                         "empty, no control characters, at most %d bytes)",
                         p.opts->team, PB__CONVO_MAX_NAME);
    if (p.opts->id != NULL && !pb__convo_valid_id(p.opts->id))
        return pb__error(err, PB_INPUT, p.name, 0, "bad id '%.40s' "
                         "(letters, digits, _ and -)", p.opts->id);
    if ((kind = pb__convo_bad_char(buf, len, &at, &cp)) != PB__CONVO_CH_OK) {
        line = pb__convo_line(&p, at, &col);
        return pb__error(err, PB_INPUT, p.name, line, "%s at column %d",
                         pb__convo_bad_char_text(kind, cp, msg, sizeof msg),
                         col);
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        bom = 3; /* what some editors put first; it says nothing */
    at = pb__convo_skip_space(buf, bom, len);
    if (at == len)
        return pb__error(err, PB_INPUT, p.name, 0, "empty transcript");
    json = p.opts->format == PB_IMPORT_JSON ||
           (p.opts->format == PB_IMPORT_AUTO &&
            (buf[at] == '{' || (buf[at] == '[' && !is_stamp(buf, at, len))));
    if ((p.im = calloc(1, sizeof *p.im)) == NULL ||
        (p.im->name = strdup(p.name)) == NULL ||
        (p.opts->agent && (p.im->agent = strdup(p.opts->agent)) == NULL) ||
        (p.opts->team && (p.im->team = strdup(p.opts->team)) == NULL)) {
        pb_import_free(p.im);
        return pb__convo_nomem(&p);
    }
    if (json) {
        st = pb__import_json(&p, bom);
    } else {
        p.buf = buf + bom;   /* lines and columns still match */
        p.len = len - bom;
        st = pb__import_text(&p);
    }
    if (st == PB_OK)
        st = infer_topics(&p);
    if (st != PB_OK) {
        pb_import_free(p.im);
        return st;
    }
    *out = p.im;
    return PB_OK;
}

pb_status pb_import_read(const char *path, const pb_import_opts *opts,
                         pb_import **out, pb_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    pb_status st;

    *out = NULL;
    if (path == NULL)
        return pb__error(err, PB_INPUT, "", 0, "no transcript given");
    st = pb__read_file(path, PB_IMPORT_MAX_BYTES, &buf, &len, err);
    if (st != PB_OK)
        return st;
    st = pb_import_parse(path, buf, len, opts, out, err);
    free(buf);
    return st;
}

void pb_import_free(pb_import *im)
{
    size_t i;

    if (im == NULL)
        return;
    for (i = 0; i < im->n; i++) {
        pb__convo *cv = &im->convos[i];

        free(cv->id);
        free(cv->title);
        free(cv->description);
        free(cv->topic);
        free(cv->topic_note);
        free(cv->channel);
        free(cv->flow);
        free(cv->subflow);
        free(cv->turns);
    }
    free(im->convos);
    free(im->text);
    free(im->name);
    free(im->agent);
    free(im->team);
    free(im);
}

size_t pb_import_count(const pb_import *im)
{
    return im->n;
}

const char *pb_import_id(const pb_import *im, size_t i)
{
    return i < im->n ? im->convos[i].id : NULL;
}

size_t pb_import_nturns(const pb_import *im, size_t i)
{
    return i < im->n ? im->convos[i].nturns : 0;
}

const char *pb_import_topic(const pb_import *im, size_t i)
{
    return i < im->n ? im->convos[i].topic : NULL;
}

const char *pb_import_topic_note(const pb_import *im, size_t i)
{
    return i < im->n ? im->convos[i].topic_note : NULL;
}

/* Writing. */

static pb_status too_large(const pb_import *im, const pb__convo *cv,
                           pb_error *err)
{
    return pb__error(err, PB_INPUT, im->name, 0, "conversation %s: too long "
                     "for one scenario (over %u bytes of XML, the scenario "
                     "limit): split the transcript", cv->id,
                     PB_SCENARIO_MAX_BYTES);
}

static void write_convo(pb__writer *w, const pb_import *im,
                        const pb__convo *cv)
{
    char t[32];
    size_t i;

    pb__writer_start(w, "scenario");
    pb__writer_attr(w, "xmlns", PB__SCENARIO_NS);
    pb__writer_attr(w, "id", cv->id);
    pb__writer_attr(w, "title", cv->title);
    pb__writer_element(w, "description", cv->description);
    if (cv->topic != NULL || cv->channel != NULL || cv->flow != NULL ||
        cv->subflow != NULL || im->agent != NULL || im->team != NULL) {
        pb__writer_start(w, "case");
        pb__writer_attr(w, "topic", cv->topic);
        pb__writer_attr(w, "channel", cv->channel);
        pb__writer_attr(w, "agent", im->agent);
        pb__writer_attr(w, "team", im->team);
        /* Only what the agent knows before the chat starts: the intent
         * and, for statistics, the root cause.  The customer's name,
         * order id and so on are what the agent has to ask for; as case
         * facts they would make every question a repeat (ask.no_repeat). */
        if (cv->flow != NULL)
            pb__writer_fact(w, "abcd_flow", cv->flow);
        if (cv->subflow != NULL) {
            pb__writer_fact(w, "abcd_subflow", cv->subflow);
            pb__writer_fact(w, "root_cause", cv->subflow);
        }
        pb__writer_end(w);
    }
    pb__writer_start(w, "events");
    for (i = 0; i < cv->nturns; i++) {
        const pb__convo_turn *tu = &cv->turns[i];

        pb__writer_event(w, pb__time_clock(tu->t, t, sizeof t),
                         pb__convo_speaker_type(tu->speaker), im->text + tu->off,
                         NULL, 0);
    }
    pb__writer_end(w);
    pb__writer_end(w);
}

pb_status pb_import_write(const pb_import *im, size_t i, FILE *out,
                          pb_error *err)
{
    pb__writer *w;
    const char *xml;
    pb_status st;
    size_t n;

    if (i >= im->n)
        return pb__error(err, PB_INPUT, im->name, 0, "no conversation %zu",
                         i);
    /* All of it in memory first: a scenario that turns out too large
     * leaves nothing half-written behind. */
    if ((w = pb__writer_new()) == NULL)
        return pb__error(err, PB_NOMEM, im->name, 0, "out of memory");
    write_convo(w, im, &im->convos[i]);
    st = pb__writer_finish(w, &xml, &n);
    if (st == PB_INPUT)
        too_large(im, &im->convos[i], err);
    else if (st == PB_NOMEM)
        pb__error(err, PB_NOMEM, im->name, 0, "out of memory writing XML");
    else if (fwrite(xml, 1, n, out) != n || ferror(out))
        st = pb__error(err, PB_IO, im->name, 0, "conversation %s: "
                       "cannot write the scenario", im->convos[i].id);
    pb__writer_free(w);
    return st;
}
