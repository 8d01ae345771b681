/*
 * membuf.c -- a FILE into memory, over fopencookie(3).  Unbuffered:
 * every write lands in the buffer at once, so stdio allocates nothing
 * of its own; callers write in large pieces (jsonw.c gathers its own).
 */
#define _GNU_SOURCE /* fopencookie */
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "membuf.h"

static ssize_t mb_write(void *cookie, const char *p, size_t n)
{
    pb__membuf *m = cookie;
    size_t need = m->pos + n + 1, cap = m->cap;
    char *b;

    if (m->failed)
        return -1;
    if (need > cap) {
        while (cap < need)
            cap *= 2;
        if ((b = realloc(m->buf, cap)) == NULL) {
            m->failed = 1;
            return -1;
        }
        m->buf = b;
        m->cap = cap;
    }
    memcpy(m->buf + m->pos, p, n);
    m->pos += n;
    if (m->pos > m->len)
        m->len = m->pos;
    m->buf[m->len] = '\0';
    return (ssize_t)n;
}

static int mb_seek(void *cookie, off64_t *off, int whence)
{
    pb__membuf *m = cookie;
    off64_t to = *off + (whence == SEEK_CUR ? (off64_t)m->pos
                         : whence == SEEK_END ? (off64_t)m->len : 0);

    if (to < 0 || to > (off64_t)m->len)
        return -1;
    m->pos = (size_t)to;
    *off = to;
    return 0;
}

static int mb_close(void *cookie)
{
    pb__membuf *m = cookie;

    if (m->failed) {
        free(m->buf);
        m->buf = NULL;
        m->len = 0;
        return -1;
    }
    return 0;
}

FILE *pb__membuf_open(pb__membuf *m, size_t first)
{
    static const cookie_io_functions_t io = {
        NULL, mb_write, mb_seek, mb_close
    };
    FILE *f;

    m->len = m->pos = 0;
    m->failed = 0;
    m->cap = first > 0 ? first : 1;
    if ((m->buf = malloc(m->cap)) == NULL)
        return NULL;
    m->buf[0] = '\0';
    if ((f = fopencookie(m, "w", io)) == NULL) {
        free(m->buf);
        m->buf = NULL;
        return NULL;
    }
    setvbuf(f, NULL, _IONBF, 0);
    __fsetlocking(f, FSETLOCKING_BYCALLER); /* one thread writes it */
    return f;
}
