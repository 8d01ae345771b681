/*
 * membuf.h -- a FILE that writes into memory (internal): what
 * open_memstream does, without the 8 KiB it zeroes at every open, which
 * the server paid for every answer (docs/performance.md).
 */
#ifndef PB_MEMBUF_H
#define PB_MEMBUF_H

#include <stdio.h>

typedef struct pb__membuf {
    char *buf;      /* after fclose: the bytes, NUL-terminated, to free() */
    size_t len;     /* after fclose: how many */
    size_t cap, pos;
    int failed;     /* out of memory: buf is NULL after fclose */
} pb__membuf;

/* A stream into m, its first buffer first bytes (it grows as needed);
 * NULL when out of memory.  It may seek back within what was written
 * and write over it.  After fclose, m->buf and m->len are the bytes
 * written, or m->buf is NULL (and m->failed set) when memory ran out. */
FILE *pb__membuf_open(pb__membuf *m, size_t first);

#endif
