/*
 * journal.c -- durable storage for live cases: the append-only journal
 * of recorded events and the atomic replacement of a case file.
 *
 * Durability is claimed only after fsync (ours, or the caller's syncfs
 * after pb__journal_write).  Whatever a failed write or
 * fsync left in the file is cut off before the next write, so a record
 * that was never acknowledged cannot end up between two that were.  The
 * format is checked record by record with a CRC: a crash can only tear
 * the last record, so damage anywhere else is corruption, reported and
 * never repaired silently.
 */
#define _DEFAULT_SOURCE /* flock(2), which Linux and the BSDs share */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "crc32.h"
#include "error.h"
#include "file.h"
#include "journal.h"
#include "playbook.h"

/* The I/O table. */

static int posix_open(void *ctx, const char *path, int flags, unsigned mode)
{
    (void)ctx;
    return open(path, flags, (mode_t)mode);
}

static long posix_write(void *ctx, int fd, const void *buf, size_t len)
{
    (void)ctx;
    return (long)write(fd, buf, len);
}

static int posix_fsync(void *ctx, int fd)
{
    (void)ctx;
    return fsync(fd);
}

static int posix_ftruncate(void *ctx, int fd, long long len)
{
    (void)ctx;
    return ftruncate(fd, (off_t)len);
}

static int posix_rename(void *ctx, const char *from, const char *to)
{
    (void)ctx;
    return rename(from, to);
}

static int posix_close(void *ctx, int fd)
{
    (void)ctx;
    return close(fd);
}

static const pb_io posix_io = {
    posix_open, posix_write, posix_fsync, posix_ftruncate, posix_rename,
    posix_close, NULL
};

const pb_io *pb_io_posix(void)
{
    return &posix_io;
}

static pb_status io_error(pb_error *err, const char *path, const char *what)
{
    return pb__error(err, PB_IO, path, 0, "cannot %s: %s", what,
                     strerror(errno));
}

/* All of buf, through short writes and EINTR. */
static int write_all(const pb_io *io, int fd, const char *buf, size_t len)
{
    long n;

    while (len > 0) {
        n = io->write(io->ctx, fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO; /* no progress and no reason: give up */
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/*
 * fsync of the folder holding path, so a file created or renamed there
 * survives a crash.  EINVAL means the file system cannot sync folders
 * (and then does not need to).
 */
static pb_status sync_folder(const pb_io *io, const char *path,
                             pb_error *err)
{
    char *dir = pb__folder_of(path);
    int fd, rc, saved;

    if (dir == NULL)
        return pb__error(err, PB_NOMEM, path, 0, "out of memory");
    fd = io->open(io->ctx, dir, O_RDONLY, 0);
    if (fd < 0) {
        pb__error(err, PB_IO, dir, 0, "cannot open the folder to sync it: "
                  "%s", strerror(errno));
        free(dir);
        return PB_IO;
    }
    rc = io->fsync(io->ctx, fd);
    saved = errno;
    io->close(io->ctx, fd);
    if (rc != 0 && saved != EINVAL) {
        errno = saved;
        io_error(err, dir, "sync the folder");
        free(dir);
        return PB_IO;
    }
    free(dir);
    return PB_OK;
}

pb_status pb__io_replace(const pb_io *io, const char *path, const void *buf,
                        size_t len, pb_error *err)
{
    size_t n = strlen(path) + 5;
    char *tmp = malloc(n);
    int fd = -1;
    pb_status st = PB_IO;

    if (io == NULL)
        io = &posix_io;
    if (tmp == NULL)
        return pb__error(err, PB_NOMEM, path, 0, "out of memory");
    snprintf(tmp, n, "%s.tmp", path);
    /* Only the lock holder writes FILE.tmp, so what is there is a crash's
     * leftover, or a link planted to have us write through it: gone. */
    if (unlink(tmp) != 0 && errno != ENOENT) {
        io_error(err, tmp, "remove");
        goto done;
    }
    fd = io->open(io->ctx, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
                  O_CLOEXEC, 0644);
    if (fd < 0) {
        io_error(err, tmp, "create");
        goto done;
    }
    if (write_all(io, fd, buf, len) != 0) {
        io_error(err, tmp, "write");
        goto done;
    }
    if (io->fsync(io->ctx, fd) != 0) {
        io_error(err, tmp, "sync");
        goto done;
    }
    if (io->close(io->ctx, fd) != 0) {
        fd = -1;
        io_error(err, tmp, "close");
        goto done;
    }
    fd = -1;
    if (io->rename(io->ctx, tmp, path) != 0) {
        io_error(err, path, "replace");
        goto done;
    }
    st = sync_folder(io, path, err);
done:
    if (fd >= 0)
        io->close(io->ctx, fd);
    if (st != PB_OK)
        unlink(tmp); /* the old file is intact; the copy is useless */
    free(tmp);
    return st;
}

static const unsigned char magic[4] = { 0xff, 'P', 'B', 'J' };

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* Scanning. */

/* A whole valid record at off: its payload length in *plen. */
static int record_at(const unsigned char *b, size_t len, size_t off,
                     uint32_t *plen, unsigned long long *index)
{
    const unsigned char *h = b + off;
    uint32_t n;

    if (len - off < PB__JOURNAL_HEADER || memcmp(h, magic, 4) != 0)
        return 0;
    n = get32(h + 8);
    if (n > PB__JOURNAL_MAX_RECORD || len - off - PB__JOURNAL_HEADER < n)
        return 0;
    if (pb__crc32(pb__crc32(0, h + 8, 12), h + PB__JOURNAL_HEADER,
                     n) != get32(h + 4))
        return 0;
    *plen = n;
    *index = (unsigned long long)get32(h + 12) |
             (unsigned long long)get32(h + 16) << 32;
    return 1;
}

/*
 * Whether a valid record starts anywhere after off: 1 yes (at *where),
 * 0 no, -1 could not tell.  Each candidate costs a CRC of the length it
 * claims, and headers 20 bytes apart claiming a megabyte each would cost
 * a megabyte per 20 bytes: past twice the bytes after off (a torn tail
 * has no header in it at all) the search gives up, and the damage counts
 * as corruption: nothing is dropped.
 */
static int valid_after(const unsigned char *b, size_t len, size_t off,
                       size_t *where)
{
    const unsigned char *p;
    unsigned long long index;
    size_t budget = 2 * (len - off);
    uint32_t n;

    for (off++; off < len; off = (size_t)(p - b) + 1) {
        p = memchr(b + off, magic[0], len - off);
        if (p == NULL)
            return 0;
        if (len - (size_t)(p - b) >= PB__JOURNAL_HEADER &&
            memcmp(p, magic, 4) == 0) {
            n = get32(p + 8);
            if (n <= len - (size_t)(p - b) - PB__JOURNAL_HEADER) {
                if (n + 12 > budget)
                    return -1;
                budget -= n + 12;
            }
        }
        if (record_at(b, len, (size_t)(p - b), &n, &index)) {
            *where = (size_t)(p - b);
            return 1;
        }
    }
    return 0;
}

pb_status pb__journal_scan(const char *name, const char *buf, size_t len,
                          pb__journal_fn fn, void *ud, size_t *valid,
                          pb_error *warn, pb_error *err)
{
    const unsigned char *b = (const unsigned char *)buf;
    unsigned long long index, prev = 0;
    size_t off = 0, nrec = 0, next;
    uint32_t n;
    pb_status st;

    if (warn != NULL)
        pb__error(warn, PB_OK, "", 0, "%s", "");
    while (off < len) {
        if (!record_at(b, len, off, &n, &index)) {
            int after = valid_after(b, len, off, &next);

            if (after > 0)
                return pb__error(err, PB_INPUT, name, 0, "damaged record "
                                 "at byte %zu (after %zu good record%s), "
                                 "with valid records after it at byte %zu:"
                                 " the journal is corrupt", off, nrec,
                                 nrec == 1 ? "" : "s", next);
            if (after < 0)
                return pb__error(err, PB_INPUT, name, 0, "damaged record "
                                 "at byte %zu (after %zu good record%s), "
                                 "with too many record headers after it "
                                 "to check: the journal is corrupt", off,
                                 nrec, nrec == 1 ? "" : "s");
            *valid = off;
            return pb__error(warn, PB_OK, name, 0, "dropped a torn last "
                             "record (%zu byte%s at byte %zu, after %zu "
                             "good record%s): it was never acknowledged",
                             len - off, len - off == 1 ? "" : "s", off,
                             nrec, nrec == 1 ? "" : "s");
        }
        if (nrec > 0 && index <= prev)
            return pb__error(err, PB_INPUT, name, 0, "record at byte %zu "
                             "has index %llu after %llu: the journal is "
                             "corrupt", off, index, prev);
        if (fn != NULL && (st = fn(ud, index, buf + off + PB__JOURNAL_HEADER,
                                   n, err)) != PB_OK)
            return st;
        prev = index;
        nrec++;
        off += PB__JOURNAL_HEADER + n;
    }
    *valid = off;
    return PB_OK;
}

/* The journal handle. */

struct pb__journal {
    pb_io io;
    char *path;
    int fd;
    size_t valid;        /* bytes of valid records written */
    int dirty;           /* the file may hold bytes past valid */
    int new_file;        /* created here: the folder needs a sync */
    int locked;          /* this handle holds the lock */
    unsigned char *q;    /* queued records, encoded */
    size_t qlen, qcap, nq;
};

static void pause_ms(long ms)
{
    struct timespec ts;

    ts.tv_sec = ms / 1000;
    ts.tv_nsec = ms % 1000 * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/*
 * Takes the lock on an open journal.  1 locked, 0 still held by someone
 * else at the deadline, -1 error (errno).  A journal is removed when a
 * session leaves it empty, so after locking we check that path still
 * names the file we hold; otherwise the caller opens it again.
 */
static int take_lock(int fd, double deadline)
{
    long ms = 2;

    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return 1;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return -1;
        if (pb__monotonic() >= deadline)
            return 0;
        pause_ms(ms);
        if (ms < 20)
            ms *= 2;
    }
}

static int same_file(int fd, const char *path)
{
    struct stat a, b;

    return fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
           a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

pb_status pb__journal_open(const char *path, const pb_io *io, double wait,
                          pb__journal **out, pb_error *err)
{
    pb__journal *j = calloc(1, sizeof *j);
    double deadline = pb__monotonic() + (wait > 0 ? wait : 0);
    struct stat sb;
    pb_status st;
    int rc;

    *out = NULL;
    if (j == NULL || (j->path = strdup(path)) == NULL) {
        free(j);
        return pb__error(err, PB_NOMEM, path, 0, "out of memory");
    }
    j->io = io != NULL ? *io : posix_io;
    j->fd = -1;
    /* Never through a symlink: the journal is truncated and removed, and
     * a link could aim that at any file the user can write.  Nor waiting
     * on the open of a FIFO or a device (O_NONBLOCK, dropped once it is
     * known to be a plain file). */
    for (;;) {
        j->new_file = 0;
        j->fd = j->io.open(j->io.ctx, path, O_RDWR | O_APPEND | O_CLOEXEC |
                           O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0);
        if (j->fd < 0 && errno == ENOENT) {
            j->new_file = 1;
            j->fd = j->io.open(j->io.ctx, path, O_RDWR | O_APPEND |
                               O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                               0644);
            if (j->fd < 0 && errno == EEXIST)
                continue; /* another session created it first */
        }
        if (j->fd < 0 && errno == ELOOP) {
            st = pb__error(err, PB_INPUT, path, 0, "the journal is a "
                           "symbolic link; it must be a plain file");
            goto fail;
        }
        if (j->fd < 0) {
            st = io_error(err, path, "open the journal");
            goto fail;
        }
        if (fstat(j->fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            st = pb__error(err, PB_INPUT, path, 0, "the journal is not a "
                           "plain file");
            goto fail;
        }
        if ((rc = fcntl(j->fd, F_GETFL)) == -1 ||
            fcntl(j->fd, F_SETFL, rc & ~O_NONBLOCK) == -1) {
            st = io_error(err, path, "open the journal");
            goto fail;
        }
        rc = take_lock(j->fd, deadline);
        if (rc < 0) {
            st = io_error(err, path, "lock the journal");
            goto fail;
        }
        if (rc == 0) {
            st = pb__error(err, PB_STATE, path, 0, "locked by another "
                           "session");
            goto fail;
        }
        j->locked = 1;
        if (same_file(j->fd, path))
            break;
        j->io.close(j->io.ctx, j->fd); /* removed under us: again */
        j->fd = -1;
        j->locked = 0;
    }
    if (fstat(j->fd, &sb) != 0) {
        st = io_error(err, path, "read the journal's size");
        goto fail;
    }
    j->valid = (size_t)sb.st_size;
    *out = j;
    return PB_OK;
fail:
    pb__journal_free(j);
    return st;
}

void pb__journal_free(pb__journal *j)
{
    if (j == NULL)
        return;
    if (j->fd >= 0) {
        struct stat sb;

        /* A write that failed may have left part of itself: what the
         * caller gives up on must not come back at the next open. */
        if (j->locked && j->dirty)
            j->io.ftruncate(j->io.ctx, j->fd, (long long)j->valid);
        /* Ours and empty: nobody else can be writing it, and a session
         * at rest is then just its case file.  Without the lock it is
         * another session's, and never ours to remove. */
        if (j->locked && j->nq == 0 && !j->dirty &&
            fstat(j->fd, &sb) == 0 &&
            sb.st_size == 0 && same_file(j->fd, j->path))
            unlink(j->path);
        j->io.close(j->io.ctx, j->fd); /* releases the lock */
    }
    free(j->q);
    free(j->path);
    free(j);
}

pb_status pb__journal_contents(pb__journal *j, char **buf, size_t *len,
                              pb_error *err)
{
    struct stat sb;
    size_t size, got = 0;
    ssize_t n = 0;
    char *b;

    *buf = NULL;
    *len = 0;
    if (fstat(j->fd, &sb) != 0)
        return io_error(err, j->path, "read the journal's size");
    if ((unsigned long long)sb.st_size > PB__JOURNAL_MAX_BYTES)
        return pb__error(err, PB_INPUT, j->path, 0, "journal too large "
                         "(over %u bytes)", PB__JOURNAL_MAX_BYTES);
    size = (size_t)sb.st_size;
    if ((b = malloc(size + 1)) == NULL)
        return pb__error(err, PB_NOMEM, j->path, 0, "out of memory");
    /* pread on the locked descriptor: nobody else writes it now */
    while (got < size) {
        n = pread(j->fd, b + got, size - got, (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got < size && n < 0) {
        free(b);
        return io_error(err, j->path, "read the journal");
    }
    b[got] = '\0';
    *buf = b;
    *len = got;
    return PB_OK;
}

pb_status pb__journal_add(pb__journal *j, unsigned long long index,
                         const char *payload, size_t len, pb_error *err)
{
    unsigned char *h;
    size_t need;

    if (len > PB__JOURNAL_MAX_RECORD)
        return pb__error(err, PB_INPUT, j->path, 0, "record of %zu bytes "
                         "(the most is %u)", len, PB__JOURNAL_MAX_RECORD);
    need = j->qlen + PB__JOURNAL_HEADER + len;
    if (need > j->qcap) {
        size_t cap = j->qcap ? j->qcap : 1024;
        unsigned char *q;

        while (cap < need)
            cap *= 2;
        if ((q = realloc(j->q, cap)) == NULL)
            return pb__error(err, PB_NOMEM, j->path, 0, "out of memory");
        j->q = q;
        j->qcap = cap;
    }
    h = j->q + j->qlen;
    memcpy(h, magic, 4);
    put32(h + 8, (uint32_t)len);
    put32(h + 12, (uint32_t)index);
    put32(h + 16, (uint32_t)(index >> 32));
    memcpy(h + PB__JOURNAL_HEADER, payload, len);
    put32(h + 4, pb__crc32(pb__crc32(0, h + 8, 12),
                              h + PB__JOURNAL_HEADER, len));
    j->qlen = need;
    j->nq++;
    return PB_OK;
}

size_t pb__journal_pending(const pb__journal *j)
{
    return j->nq;
}

/* Writes the queue, then fsyncs it unless the caller syncs instead. */
static pb_status flush(pb__journal *j, int fsync_it, pb_error *err)
{
    pb_status st;

    if (j->dirty) {
        if (j->io.ftruncate(j->io.ctx, j->fd, (long long)j->valid) != 0)
            return io_error(err, j->path, "cut off an unsaved write");
        j->dirty = 0;
    }
    if (j->nq == 0)
        return PB_OK;
    /* From here until fsync succeeds the file may hold part of the
     * queue: cut it off before any later write. */
    j->dirty = 1;
    if (write_all(&j->io, j->fd, (const char *)j->q, j->qlen) != 0)
        return io_error(err, j->path, "write");
    if (fsync_it) {
        if (j->io.fsync(j->io.ctx, j->fd) != 0)
            return io_error(err, j->path, "sync");
        if (j->new_file) {
            if ((st = sync_folder(&j->io, j->path, err)) != PB_OK)
                return st;
            j->new_file = 0;
        }
    }
    j->dirty = 0;
    j->valid += j->qlen;
    j->qlen = 0;
    j->nq = 0;
    return PB_OK;
}

pb_status pb__journal_sync(pb__journal *j, pb_error *err)
{
    return flush(j, 1, err);
}

pb_status pb__journal_write(pb__journal *j, pb_error *err)
{
    return flush(j, 0, err);
}

pb_status pb__journal_truncate(pb__journal *j, size_t len, pb_error *err)
{
    j->qlen = 0;
    j->nq = 0;
    if (len > j->valid)
        len = j->valid;
    j->valid = len;
    j->dirty = 1;
    if (j->io.ftruncate(j->io.ctx, j->fd, (long long)len) != 0)
        return io_error(err, j->path, "truncate");
    j->dirty = 0;
    return PB_OK;
}
