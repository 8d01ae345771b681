/*
 * synclog.c -- the file store's sync log (synclog.h; docs/api.md, "How
 * fast").
 *
 * DIR/sync.log is LOG_SIZE bytes, written full of zeros once, so that
 * writing it again never changes its size or its blocks and fdatasync
 * has only the data to write.  Its first block holds the epoch; the
 * records follow, each stamped with the epoch it was written in, so a
 * record left from an earlier epoch ends the log as a torn one does.
 * A checkpoint syncs the whole file system, then starts the next epoch
 * at the first record: from then on the journals hold all that the log
 * held.  Every journal write is in the log from the last checkpoint on,
 * in order, so putting the writes back at their places and cutting the
 * journal where the last one ends gives the journal as it was told to
 * be, whatever of it reached the disk.
 */
#define _GNU_SOURCE /* syncfs(2) */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32.h"
#include "error.h"
#include "store_core.h"
#include "synclog.h"

#define LOG_NAME "sync.log"
/* About 16,000 events between checkpoints: each syncfs of those is
 * spread over them, and a new data folder costs 4 MiB of zeros. */
#define LOG_SIZE (4u << 20)
#define HEAD 4096u        /* the header's block; records from here */
#define REC_HEAD 26u      /* crc 4, length 4, epoch 8, offset 8, name 2 */
#define JOURNAL ".xml.journal"

static const char magic[8] = { 'P', 'B', 'S', 'Y', 'N', 'C', '1', '\n' };

typedef struct buf {
    unsigned char *b;
    size_t n, cap;
    int over;             /* more than the log holds: a checkpoint */
} buf;

struct synclog {
    int dirfd, fd;
    unsigned long long epoch;
    size_t at;            /* where the next record goes */
    buf add, taken;
};

static void put32(unsigned char *p, uint32_t v)
{
    int i;

    for (i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> 8 * i);
}

static void put64(unsigned char *p, unsigned long long v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static unsigned long long get64(const unsigned char *p)
{
    return get32(p) | (unsigned long long)get32(p + 4) << 32;
}

static int pwrite_all(int fd, const void *p, size_t n, off_t at)
{
    const char *c = p;
    ssize_t w;

    while (n > 0) {
        if ((w = pwrite(fd, c, n, at)) <= 0) {
            if (w < 0 && errno == EINTR)
                continue;
            if (w == 0)
                errno = EIO;
            return -1;
        }
        c += w;
        n -= (size_t)w;
        at += w;
    }
    return 0;
}

/* The journal a record names: ID.xml.journal, ID a case id. */
static int journal_name_ok(const unsigned char *name, size_t n)
{
    char id[STORE_MAX_ID + 1];
    size_t k = sizeof JOURNAL - 1;

    if (n <= k || n - k > STORE_MAX_ID ||
        memcmp(name + n - k, JOURNAL, k) != 0)
        return 0;
    memcpy(id, name, n - k);
    id[n - k] = '\0';
    return store_id_ok(id);
}

int synclog_add(synclog *l, const char *name, long long off,
                const void *bytes, size_t n)
{
    buf *a = &l->add;
    size_t len = strlen(name), need = REC_HEAD + len + n;
    unsigned char *h;

    if (a->over)
        return 0;
    if (need > LOG_SIZE - HEAD - a->n) {
        /* more than the log takes: the folder is synced instead */
        a->over = 1;
        return 0;
    }
    if (a->n + need > a->cap) {
        size_t cap = a->cap ? a->cap : 16384;
        unsigned char *b;

        while (cap < a->n + need)
            cap *= 2;
        if ((b = realloc(a->b, cap)) == NULL)
            return -1;
        a->b = b;
        a->cap = cap;
    }
    /* crc and epoch are the sync's to stamp: a checkpoint may come
     * between */
    h = a->b + a->n;
    put32(h + 4, (uint32_t)n);
    put64(h + 16, (unsigned long long)off);
    h[24] = (unsigned char)len;
    h[25] = (unsigned char)(len >> 8);
    memcpy(h + REC_HEAD, name, len);
    memcpy(h + REC_HEAD + len, bytes, n);
    a->n += need;
    return 0;
}

void synclog_take(synclog *l)
{
    buf *a = &l->add, *t = &l->taken, swap;

    if (t->n == 0 && !t->over) {
        swap = *t;
        *t = *a;
        *a = swap;
    } else if (!a->over && t->cap - t->n >= a->n) {
        memcpy(t->b + t->n, a->b, a->n); /* after a sync that failed */
        t->n += a->n;
    } else {
        t->over = 1;
    }
    a->n = 0;
    a->over = 0;
}

static int write_header(synclog *l, unsigned long long epoch)
{
    unsigned char h[20];

    memcpy(h, magic, 8);
    put64(h + 8, epoch);
    put32(h + 16, pb__crc32(0, h, 16));
    if (pwrite_all(l->fd, h, sizeof h, 0) != 0 || fdatasync(l->fd) != 0)
        return errno;
    return 0;
}

int synclog_checkpoint(synclog *l)
{
    int rc;

    if (syncfs(l->dirfd) != 0)
        return errno;
    if ((rc = write_header(l, l->epoch + 1)) != 0)
        return rc;
    l->epoch++;
    l->at = HEAD;
    l->taken.n = 0;
    l->taken.over = 0;
    return 0;
}

int synclog_sync(synclog *l, int *whole)
{
    buf *t = &l->taken;
    size_t at, len;

    *whole = t->over || t->n > LOG_SIZE - l->at;
    if (*whole)
        return synclog_checkpoint(l);
    if (t->n == 0)
        return 0;
    for (at = 0; at < t->n; at += len) {
        unsigned char *h = t->b + at;

        len = REC_HEAD + (h[24] | (size_t)h[25] << 8) + get32(h + 4);
        put64(h + 8, l->epoch);
        put32(h, pb__crc32(0, h + 4, len - 4));
    }
    if (pwrite_all(l->fd, t->b, t->n, (off_t)l->at) != 0 ||
        fdatasync(l->fd) != 0)
        return errno;
    l->at += t->n;
    t->n = 0;
    return 0;
}

/* Putting back. */

typedef struct logged {
    const unsigned char *name, *bytes;
    size_t namelen, n, seq;
    unsigned long long off;
} logged;

/* Records by journal name, then as logged. */
static int by_name(const logged *x, const logged *y)
{
    size_t n = x->namelen < y->namelen ? x->namelen : y->namelen;
    int c = memcmp(x->name, y->name, n);

    if (c != 0 || x->namelen == y->namelen)
        return c;
    return x->namelen < y->namelen ? -1 : 1;
}

static int by_journal(const void *a, const void *b)
{
    const logged *x = a, *y = b;
    int c = by_name(x, y);

    return c != 0 ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The records of epoch `epoch` in log[0, len) into *out (n of them),
 * in order, up to the first that is torn, of another epoch, or names no
 * journal of ours.  -1: out of memory. */
static int scan(const unsigned char *log, size_t len,
                unsigned long long epoch, logged **out, size_t *nout)
{
    logged *r = NULL, *v;
    size_t n = 0, cap = 0, at = HEAD, namelen, k;

    *out = NULL;
    *nout = 0;
    while (len - at >= REC_HEAD) {
        const unsigned char *h = log + at;

        namelen = h[24] | (size_t)h[25] << 8;
        k = get32(h + 4);
        if (get64(h + 8) != epoch || k > len - at - REC_HEAD ||
            namelen > len - at - REC_HEAD - k ||
            pb__crc32(0, h + 4, REC_HEAD - 4 + namelen + k) != get32(h) ||
            !journal_name_ok(h + REC_HEAD, namelen))
            break;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            if ((v = realloc(r, cap * sizeof *r)) == NULL) {
                free(r);
                return -1;
            }
            r = v;
        }
        r[n].name = h + REC_HEAD;
        r[n].namelen = namelen;
        r[n].bytes = h + REC_HEAD + namelen;
        r[n].n = k;
        r[n].off = get64(h + 16);
        r[n].seq = n;
        n++;
        at += REC_HEAD + namelen + k;
    }
    *out = r;
    *nout = n;
    return 0;
}

/* Whether journal fd holds n bytes at off as they are in p. */
static int holds(int fd, unsigned long long off, const unsigned char *p,
                 size_t n)
{
    unsigned char chunk[4096];
    ssize_t got;
    size_t k;

    while (n > 0) {
        k = n < sizeof chunk ? n : sizeof chunk;
        got = pread(fd, chunk, k, (off_t)off);
        if (got != (ssize_t)k || memcmp(chunk, p, k) != 0)
            return 0;
        p += k;
        off += k;
        n -= k;
    }
    return 1;
}

/* Puts back one journal's writes r[0, n).  PB_STATE when another
 * program holds the case. */
static pb_status put_back(synclog *l, const char *dir, const logged *r,
                          size_t n, synclog_recovery *out, pb_error *err)
{
    char name[STORE_MAX_ID + sizeof JOURNAL], cased[sizeof name];
    struct stat sb;
    unsigned long long size, end = 0;
    size_t i, lacked = 0;
    int fd, cut;

    memcpy(name, r[0].name, r[0].namelen);
    name[r[0].namelen] = '\0';
    memcpy(cased, name, r[0].namelen - (sizeof ".journal" - 1));
    cased[r[0].namelen - (sizeof ".journal" - 1)] = '\0';
    /* No case file, no journal to bring back.  A journal that is gone
     * is made again only from its first byte on; not a file, not ours. */
    fd = -1;
    if (fstatat(l->dirfd, cased, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISREG(sb.st_mode) &&
        (fd = openat(l->dirfd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC |
                     O_NONBLOCK)) < 0 && errno == ENOENT && r[0].off == 0)
        fd = openat(l->dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
                    O_CLOEXEC | O_NONBLOCK, 0600);
    if (fd < 0) {
        out->skipped += n;
        return PB_OK;
    }
    /* another name for the file would be written through */
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_nlink > 1) {
        close(fd);
        out->skipped += n;
        return PB_OK;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return pb__error(err, PB_STATE, dir, 0, "%s is in use by another "
                         "program, and %s has writes for it that it may "
                         "lack: start the server again once it is free",
                         name, LOG_NAME);
    }
    size = (unsigned long long)sb.st_size;
    for (i = 0; i < n; i++) {
        if (r[i].off > size)
            break;            /* a hole: not a journal we wrote */
        if (!holds(fd, r[i].off, r[i].bytes, r[i].n)) {
            if (pwrite_all(fd, r[i].bytes, r[i].n, (off_t)r[i].off) != 0) {
                pb__error(err, PB_IO, dir, 0, "cannot write %s: %s", name,
                          strerror(errno));
                close(fd);
                return PB_IO;
            }
            lacked++;
        }
        end = r[i].off + r[i].n;
        if (end > size)
            size = end;
    }
    /* past the last write logged is one never acknowledged */
    cut = i > 0 && size > end;
    if (cut && ftruncate(fd, (off_t)end) != 0) {
        pb__error(err, PB_IO, dir, 0, "cannot cut %s: %s", name,
                  strerror(errno));
        close(fd);
        return PB_IO;
    }
    close(fd);
    out->writes += lacked;
    out->cases += lacked > 0 || cut;
    out->skipped += n - i;
    return PB_OK;
}

/* Puts back what log[0, len) holds, if it is a log. */
static pb_status recover(synclog *l, const char *dir, const unsigned char *log,
                         size_t len, synclog_recovery *out, pb_error *err)
{
    logged *r;
    size_t n, i, j;
    pb_status st = PB_OK;

    if (len < HEAD || memcmp(log, magic, 8) != 0 ||
        pb__crc32(0, log, 16) != get32(log + 16))
        return PB_OK;
    l->epoch = get64(log + 8);
    if (scan(log, len, l->epoch, &r, &n) != 0)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    out->logged = n;
    if (n > 1)
        qsort(r, n, sizeof *r, by_journal);
    /* A journal another program holds stops the start, after the others
     * are put back: the log is kept for the next one, which finds them
     * whole. */
    for (i = 0; i < n && (st == PB_OK || st == PB_STATE); i = j) {
        pb_error held;
        pb_status s1;

        for (j = i + 1; j < n && by_name(&r[j], &r[i]) == 0; j++)
            ;
        s1 = put_back(l, dir, r + i, j - i, out, st == PB_OK ? err : &held);
        if (st == PB_OK) {
            st = s1;
        } else if (s1 != PB_OK && s1 != PB_STATE) {
            *err = held;      /* worse than a journal held */
            st = s1;
        }
    }
    free(r);
    /* What was put back is on disk before anything trusts it: the log
     * is emptied next, or kept for a start that redoes it. */
    if (out->cases > 0 && syncfs(l->dirfd) != 0 && st == PB_OK)
        st = pb__error(err, PB_IO, dir, 0, "cannot sync the data folder: "
                       "%s", strerror(errno));
    return st;
}

/* Reads the log whole (at most LOG_SIZE), into *out. */
static pb_status read_log(synclog *l, const char *dir, size_t size,
                          unsigned char **out, pb_error *err)
{
    size_t got = 0;
    ssize_t k;

    if ((*out = malloc(size + 1)) == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    while (got < size) {
        k = pread(l->fd, *out + got, size - got, (off_t)got);
        if (k <= 0) {
            if (k < 0 && errno == EINTR)
                continue;
            free(*out);
            return pb__error(err, PB_IO, dir, 0, "cannot read %s: %s",
                             LOG_NAME, k < 0 ? strerror(errno)
                                             : "shorter than it was");
        }
        got += (size_t)k;
    }
    return PB_OK;
}

/* Whether the log may hold records: a header, and a first record of
 * its epoch (a look at 4 KiB, before reading it all). */
static int may_hold(const synclog *l)
{
    unsigned char b[HEAD + REC_HEAD];

    return pread(l->fd, b, sizeof b, 0) == (ssize_t)sizeof b &&
           memcmp(b, magic, 8) == 0 && pb__crc32(0, b, 16) == get32(b + 16) &&
           get64(b + HEAD + 8) == get64(b + 8);
}

/* Makes the log LOG_SIZE zeros, on disk. */
static int zero_fill(synclog *l)
{
    static const unsigned char zeros[65536];
    size_t at;

    if (ftruncate(l->fd, 0) != 0)
        return -1;
    for (at = 0; at < LOG_SIZE; at += sizeof zeros)
        if (pwrite_all(l->fd, zeros, sizeof zeros, (off_t)at) != 0)
            return -1;
    return fsync(l->fd) != 0 || fsync(l->dirfd) != 0 ? -1 : 0;
}

/* Opens and locks DIR/sync.log, made when missing if `create`, and puts
 * back what it holds; then starts it afresh.  PB_OK with *out NULL: no
 * log (not create), or another process holds it (`held`: 0 then an
 * error). */
static pb_status open_log(int dirfd, const char *dir, int create, int held,
                          synclog **out, synclog_recovery *rec,
                          pb_error *err)
{
    synclog *l = calloc(1, sizeof *l);
    unsigned char *log = NULL;
    struct stat sb;
    size_t size;
    int fresh, rc;
    pb_status st;

    *out = NULL;
    memset(rec, 0, sizeof *rec);
    memset(&sb, 0, sizeof sb);
    if (l == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    l->dirfd = dirfd;
    l->fd = openat(dirfd, LOG_NAME, O_RDWR | O_NOFOLLOW | O_CLOEXEC |
                   O_NONBLOCK | (create ? O_CREAT : 0), 0600);
    if (l->fd < 0 && errno == ENOENT && !create) {
        free(l);
        return PB_OK;
    }
    if (l->fd < 0 || fstat(l->fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        sb.st_nlink > 1) {
        st = pb__error(err, PB_IO, dir, 0, "cannot use %s: %s", LOG_NAME,
                       l->fd < 0 ? strerror(errno)
                       : S_ISREG(sb.st_mode)
                           ? "it has other names (hard links), which it "
                             "would write through"
                           : "not a regular file");
        goto done;
    }
    if (flock(l->fd, LOCK_EX | LOCK_NB) != 0) {
        if (!held) {
            close(l->fd);
            free(l);
            return PB_OK;
        }
        st = pb__error(err, PB_STATE, dir, 0, "the data folder is in use "
                       "by another server (%s is locked)", LOG_NAME);
        goto done;
    }
    if (!create && !may_hold(l)) {
        st = PB_OK;           /* the command line: nothing logged */
        goto done;
    }
    size = sb.st_size < (off_t)LOG_SIZE ? (size_t)sb.st_size : LOG_SIZE;
    if ((st = read_log(l, dir, size, &log, err)) != PB_OK ||
        (st = recover(l, dir, log, size, rec, err)) != PB_OK)
        goto done;
    if (!create && rec->logged == 0) {
        st = PB_OK;           /* the command line: a log with nothing in it */
        goto done;
    }
    /* A log of another size, or whose header is not one, may hold
     * records of any epoch: zeros first. */
    fresh = sb.st_size != (off_t)LOG_SIZE || l->epoch == 0;
    if (fresh && zero_fill(l) != 0) {
        st = pb__error(err, PB_IO, dir, 0, "cannot write %s: %s", LOG_NAME,
                       strerror(errno));
        goto done;
    }
    if ((rc = synclog_checkpoint(l)) != 0) {
        st = pb__error(err, PB_IO, dir, 0, "cannot sync the data folder: %s",
                       strerror(rc));
        goto done;
    }
    free(log);
    *out = l;
    return PB_OK;
done:                         /* without a log: failed, or nothing to do */
    free(log);
    if (l->fd >= 0)
        close(l->fd);
    free(l);
    return st;
}

synclog *synclog_open(int dirfd, const char *dir, synclog_recovery *rec,
                      pb_error *err)
{
    synclog *l;

    flock(dirfd, LOCK_EX);    /* a command line's putting back first */
    open_log(dirfd, dir, 1, 1, &l, rec, err);
    flock(dirfd, LOCK_UN);
    return l;
}

pb_status synclog_recover(const char *dir, synclog_recovery *rec,
                          pb_error *err)
{
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    synclog *l;
    pb_status st;

    memset(rec, 0, sizeof *rec);
    if (dirfd < 0)
        return PB_OK;         /* no folder, no log: opening the case says */
    /* One at a time with other command lines and a server starting;
     * a server that runs holds the log, not the folder. */
    flock(dirfd, LOCK_EX);
    st = open_log(dirfd, dir, 0, 0, &l, rec, err);
    if (l != NULL) {
        close(l->fd);         /* started afresh: nothing to sync again */
        free(l);
    }
    close(dirfd);
    return st;
}

void synclog_say(const synclog_recovery *rec, const char *dir, char *out,
                 size_t size)
{
    out[0] = '\0';
    if (rec->cases > 0 || rec->skipped > 0)
        snprintf(out, size, "%s/%s: the journals of %zu cases put back as "
                 "they were acknowledged (%zu writes had not reached the "
                 "disk); %zu writes left out (no case file, or a hole)",
                 dir, LOG_NAME, rec->cases, rec->writes, rec->skipped);
}

void synclog_close(synclog *l, int sync)
{
    if (l == NULL)
        return;
    if (sync)
        synclog_checkpoint(l);
    close(l->fd);
    free(l->add.b);
    free(l->taken.b);
    free(l);
}
