/*
 * xmlread.h -- untrusted XML bytes into a libxml2 tree (internal): the
 * parser context of the scenario reader (scenario.c) and of the schema
 * (schema.c), and the error state the two share while they read.
 */
#ifndef PB_XMLREAD_H
#define PB_XMLREAD_H

#include <stddef.h>

#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "playbook.h"

/* libxml2's structured error, whose pointer lost its non-const in 2.12. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *pb__xmlread_error;
#else
typedef xmlErrorPtr pb__xmlread_error;
#endif

/* One read: where errors go, and whether one was already reported. */
typedef struct pb__xmlread {
    const char *file; /* for messages */
    const char *buf;  /* the caller's bytes, never written */
    size_t len;
    pb_error *err;
    int failed;       /* err holds the first error */
    pb_status status; /* and this is its status */
    int located;      /* the error kept has a line (schema.c) */
} pb__xmlread;

/* r ready to read buf[0..len), errors named after file. */
void pb__xmlread_init(pb__xmlread *r, const char *file, const char *buf,
                      size_t len, pb_error *err);
/*
 * Parses r's bytes into *doc (the caller's to xmlFreeDoc) with the
 * checks and the parser context xmlread.c describes.  PB_INPUT with
 * the first error in r->err, PB_NOMEM; *doc is NULL then.
 */
pb_status pb__xmlread_parse(pb__xmlread *r, xmlDocPtr *doc);

/* PB_NOMEM, said in r->err. */
pb_status pb__xmlread_nomem(pb__xmlread *r);
/* A node's line, also past 65535, where libxml2's own stops; 0 when
 * unknown. */
int pb__xmlread_line(const xmlNode *n);
/*
 * Appends libxml2's message m to msg[0..n) as one line: libxml2 ends
 * messages with a newline and sometimes splits them; ours are one line.
 */
void pb__xmlread_one_line(char *msg, size_t size, size_t n, const char *m);

#endif
