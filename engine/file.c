/*
 * file.c -- reading a whole input file, with a size cap.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "file.h"

/* The whole file, capped: a read, not a map, so a file that grows while
 * we read it cannot push us past the cap. */
pb_status pb__read_file(const char *path, size_t max, char **out,
                        size_t *outlen, pb_error *err)
{
    FILE *f;
    struct stat sb;
    char *buf = NULL, *nbuf;
    size_t len = 0, cap = 64 * 1024, n;
    pb_status st = PB_OK;

    if ((f = fopen(path, "rb")) == NULL)
        return pb__error(err, PB_IO, path, 0, "cannot open: %s",
                         strerror(errno));
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0)
        cap = (size_t)sb.st_size < max ? (size_t)sb.st_size + 1 : max + 1;
    for (;;) {
        if (buf == NULL || len == cap) {
            if (buf != NULL)
                cap = cap <= max / 2 ? cap * 2 : max + 1;
            if ((nbuf = realloc(buf, cap)) == NULL) {
                st = pb__error(err, PB_NOMEM, path, 0, "out of memory");
                goto done;
            }
            buf = nbuf;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (len > max) {
            st = pb__error(err, PB_INPUT, path, 0,
                           "file too large (over %lu bytes)",
                           (unsigned long)max);
            goto done;
        }
        if (len < cap) { /* a short read: end of file or an error */
            if (ferror(f)) {
                st = pb__error(err, PB_IO, path, 0, "cannot read: %s",
                               strerror(errno));
                goto done;
            }
            break;
        }
    }
done:
    fclose(f);
    if (st != PB_OK) {
        free(buf);
        return st;
    }
    buf[len] = '\0';                      /* len < cap: room for it */
    *out = buf;
    *outlen = len;
    return PB_OK;
}

