/*
 * writer.h -- the one writer of scenario files (internal): case files
 * (pb__case_xml, in writer.c) and imported transcripts (import.c) are
 * written through it, in the format scenario.c reads back
 * (docs/scenarios.md).
 *
 * A document is built in memory, element by element, through
 * xmlTextWriter.  The first call that fails makes every later call do
 * nothing, and pb__writer_finish says what went wrong, so a caller checks
 * once, at the end.
 */
#ifndef PB_WRITER_H
#define PB_WRITER_H

#include <stddef.h>

#include "playbook.h"

/* What a scenario file can hold. */

/* PB_INPUT, saying that what ('event text', ...) s cannot be written. */
pb_status pb__writer_bad_text(pb_error *err, const char *what,
                              const char *s);

/* Writing a document. */

typedef struct pb__writer pb__writer;

/* A document with its XML declaration written, indented by two spaces;
 * NULL when out of memory.  pb__writer_free(NULL) does nothing. */
pb__writer *pb__writer_new(void);
void pb__writer_free(pb__writer *w);

/* <name ...> and </name>; an attribute of the element just started,
 * none when value is NULL. */
void pb__writer_start(pb__writer *w, const char *name);
void pb__writer_attr(pb__writer *w, const char *name, const char *value);
void pb__writer_end(pb__writer *w);
/* <name>text</name>; nothing when text is NULL. */
void pb__writer_element(pb__writer *w, const char *name, const char *text);
/* <fact name="name">value</fact> */
void pb__writer_fact(pb__writer *w, const char *name, const char *value);
/* <event t="t" type="type" attrs...>text</event>, text NULL for none. */
void pb__writer_event(pb__writer *w, const char *t, const char *type,
                      const char *text, const pb_attr *attrs,
                      size_t nattrs);

/*
 * Closes what is open and sets *xml and *len to the document, which w
 * owns.  PB_NOMEM when a call ran out of memory, PB_INPUT when the
 * document is over PB_SCENARIO_MAX_BYTES (which the reader would refuse;
 * checked as events are written too, so a huge one stops early); the
 * caller words the message.
 */
pb_status pb__writer_finish(pb__writer *w, const char **xml, size_t *len);

/* A case written as a scenario file: what casefile.c saves. */
typedef struct pb__case_header {
    const char *id, *title;     /* id required; title NULL: the id */
    const char *description;    /* or NULL */
    const pb_scenario *expect;  /* expectations to copy, or NULL */
} pb__case_header;

/*
 * The case as a scenario document: <case> with topic, channel and the
 * initial facts, <events> with the recorded events (times in decimal
 * seconds, the shortest that read back as the same double; to 1e-15 s
 * for the rare time that has no such form), then the expectations.
 * *out is malloc'd and NUL-terminated.  PB_INPUT when some text cannot
 * be XML (invalid UTF-8, control characters) or the document would be
 * over PB_SCENARIO_MAX_BYTES.  Event text reads back trimmed.
 */
pb_status pb__case_xml(const pb_case *c, const pb__case_header *h,
                      char **out, size_t *len, pb_error *err);
/* The same, saved with pb__io_replace (io NULL: pb_io_posix()). */
pb_status pb__case_save(const pb_case *c, const pb__case_header *h,
                       const char *path, const pb_io *io, pb_error *err);


#endif
