/*
 * jsonw.h -- a small streaming JSON writer (internal).  Commas and
 * escaping are its business; callers say what comes next.
 *
 * The bytes gather in the writer and go to its FILE when the buffer is
 * full and when the outermost value is complete: only then may the
 * caller write to that FILE again.
 */
#ifndef PB_JSONW_H
#define PB_JSONW_H

#include <stdio.h>

#define PB__JSON_DEPTH 32

typedef struct pb__json {
    FILE *f;
    size_t out;                /* bytes already in f */
    int depth;
    int count[PB__JSON_DEPTH]; /* values written at each level */
    int after_key;
    size_t len;                /* bytes in buf, not yet in f */
    char buf[4096];
} pb__json;

void pb__json_init(pb__json *j, FILE *f);
/* A writer of part of a document: values, or keys and values, inside a
 * container written elsewhere (no comma before the first).  What stays
 * in its buffer goes to f at pb__json_flush. */
void pb__json_init_part(pb__json *j, FILE *f);
void pb__json_flush(pb__json *j);
/* Bytes written so far, to f or not; and where the next value at this
 * level will start: after them and the comma it needs, if any. */
size_t pb__json_tell(const pb__json *j);
size_t pb__json_next_at(const pb__json *j);
/* n bytes a writer wrote before (from one pb__json_tell to another), at
 * the same level: a value, or one or more keys with their values. */
void pb__json_raw(pb__json *j, const char *p, size_t n);
void pb__json_open(pb__json *j, char bracket);  /* '{' or '[' */
void pb__json_close(pb__json *j, char bracket); /* '}' or ']' */
void pb__json_key(pb__json *j, const char *key);
void pb__json_str(pb__json *j, const char *s);  /* NULL writes null */
/* Whether s goes out as it is, between its quotes. */
int pb__json_plain(const char *s);
void pb__json_num(pb__json *j, double v);
void pb__json_int(pb__json *j, long v);
void pb__json_bool(pb__json *j, int v);
/* Shorthands for a key and its value. */
void pb__json_kstr(pb__json *j, const char *key, const char *s);
void pb__json_knum(pb__json *j, const char *key, double v);
void pb__json_kint(pb__json *j, const char *key, long v);
void pb__json_kbool(pb__json *j, const char *key, int v);

#endif
