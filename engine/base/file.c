/*
 * file.c -- opening an input file (a regular file, never waited on) and
 * reading it whole, with a size cap.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "file.h"

/*
 * Only a regular file is an input.  The open itself must not wait: a
 * FIFO blocks open(O_RDONLY) until a writer comes, so O_NONBLOCK (which a
 * regular file ignores), then fstat on what was opened, so nothing can
 * be swapped in between.  A device would be read to the cap (/dev/zero)
 * or for ever (a terminal), so it is refused like a FIFO or a socket.
 */
pb_status pb__open_input(const char *path, int nofollow, int *fd,
                         pb_error *err)
{
    struct stat sb;
    int flags, code = 0;

    *fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
                         (nofollow ? O_NOFOLLOW : 0));
    if (*fd < 0)
        return pb__error(err, PB_IO, path, 0, "cannot open: %s",
                         strerror(errno));
    if (fstat(*fd, &sb) != 0)
        code = errno;
    else if (S_ISDIR(sb.st_mode))
        code = EISDIR;
    else if (!S_ISREG(sb.st_mode))
        code = -1;
    /* Blocking again: callers read it to the end like any file. */
    else if ((flags = fcntl(*fd, F_GETFL)) == -1 ||
             fcntl(*fd, F_SETFL, flags & ~O_NONBLOCK) == -1)
        code = errno;
    if (code == 0)
        return PB_OK;
    close(*fd);
    *fd = -1;
    if (code < 0)
        return pb__error(err, PB_INPUT, path, 0, "not a regular file");
    return pb__error(err, PB_IO, path, 0, "cannot read: %s",
                     strerror(code));
}

pb_status pb__read_file(const char *path, size_t max, char **out,
                        size_t *outlen, pb_error *err)
{
    return pb__read_input(path, 0, max, out, outlen, err);
}

/* The whole file, capped: a read, not a map, so a file that grows while
 * we read it cannot push us past the cap. */
pb_status pb__read_input(const char *path, int nofollow, size_t max,
                         char **out, size_t *outlen, pb_error *err)
{
    struct stat sb;
    char *buf = NULL, *nbuf;
    size_t len = 0, cap = 64 * 1024;
    ssize_t n;
    pb_status st = PB_OK;
    int fd;

    if ((st = pb__open_input(path, nofollow, &fd, err)) != PB_OK)
        return st;
    if (fstat(fd, &sb) == 0 && sb.st_size > 0)
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
        n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = pb__error(err, PB_IO, path, 0, "cannot read: %s",
                           strerror(errno));
            goto done;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > max) {
            st = pb__error(err, PB_INPUT, path, 0,
                           "file too large (over %lu bytes)",
                           (unsigned long)max);
            goto done;
        }
    }
done:
    close(fd);
    if (st != PB_OK) {
        free(buf);
        return st;
    }
    buf[len] = '\0'; /* the end came with room to spare: len < cap */
    *out = buf;
    *outlen = len;
    return PB_OK;
}

const char *pb__file_name(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash != NULL ? slash + 1 : path;
}

char *pb__folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash == NULL || slash == path ? 1 : (size_t)(slash - path);
    char *dir = malloc(n + 1);

    if (dir != NULL) {
        memcpy(dir, slash == NULL ? "." : path, n);
        dir[n] = '\0';
    }
    return dir;
}
