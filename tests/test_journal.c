/*
 * test_journal.c -- the append-only journal: what a sync writes and in
 * which order, a torn tail cut at every byte, damage in the middle, the
 * lock, and write/fsync/rename failing through an injected I/O table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "playbook.h"

/* The injected I/O: real calls, a log of them, and one failure on
 * demand.  Everything lives in the context: no global state. */
enum { OP_NONE, OP_OPEN, OP_WRITE, OP_FSYNC, OP_TRUNC, OP_RENAME };

typedef struct fake {
    pb_io io;
    int fail_op, fail_errno, fail_times; /* fail_times < 0: always */
    long partial;        /* a failing write first writes this much */
    char paths[64][64];  /* fd -> base name */
    char log[8192];
} fake;

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');

    return s ? s + 1 : p;
}

static void note(fake *f, const char *op, const char *what)
{
    size_t n = strlen(f->log);

    snprintf(f->log + n, sizeof f->log - n, "%s%s:%s", n ? " " : "", op,
             what);
}

static int failing(fake *f, int op)
{
    if (f->fail_op != op || f->fail_times == 0)
        return 0;
    if (f->fail_times > 0)
        f->fail_times--;
    return 1;
}

static const char *fd_name(fake *f, int fd)
{
    return fd >= 0 && fd < 64 ? f->paths[fd] : "?";
}

static int f_open(void *ctx, const char *path, int flags, unsigned mode)
{
    fake *f = ctx;
    int fd;

    note(f, "open", base(path));
    if (failing(f, OP_OPEN)) {
        errno = f->fail_errno;
        return -1;
    }
    fd = open(path, flags, (mode_t)mode);
    if (fd >= 0 && fd < 64)
        snprintf(f->paths[fd], sizeof f->paths[fd], "%s", base(path));
    return fd;
}

static long f_write(void *ctx, int fd, const void *buf, size_t len)
{
    fake *f = ctx;

    note(f, "write", fd_name(f, fd));
    if (failing(f, OP_WRITE)) {
        if (f->partial > 0 && (size_t)f->partial < len) {
            long n = (long)write(fd, buf, (size_t)f->partial);

            f->partial = 0;
            if (f->fail_times >= 0)
                f->fail_times++; /* the error comes on the next call */
            return n;
        }
        errno = f->fail_errno;
        return -1;
    }
    return (long)write(fd, buf, len);
}

static int f_fsync(void *ctx, int fd)
{
    fake *f = ctx;

    note(f, "fsync", fd_name(f, fd));
    if (failing(f, OP_FSYNC)) {
        errno = f->fail_errno;
        return -1;
    }
    return fsync(fd);
}

static int f_ftruncate(void *ctx, int fd, long long len)
{
    fake *f = ctx;

    note(f, "ftruncate", fd_name(f, fd));
    if (failing(f, OP_TRUNC)) {
        errno = f->fail_errno;
        return -1;
    }
    return ftruncate(fd, (off_t)len);
}

static int f_rename(void *ctx, const char *from, const char *to)
{
    fake *f = ctx;
    char what[160];

    snprintf(what, sizeof what, "%s>%s", base(from), base(to));
    note(f, "rename", what);
    if (failing(f, OP_RENAME)) {
        errno = f->fail_errno;
        return -1;
    }
    return rename(from, to);
}

static int f_close(void *ctx, int fd)
{
    fake *f = ctx;

    note(f, "close", fd_name(f, fd));
    return close(fd);
}

static void fake_init(fake *f)
{
    memset(f, 0, sizeof *f);
    f->io.open = f_open;
    f->io.write = f_write;
    f->io.fsync = f_fsync;
    f->io.ftruncate = f_ftruncate;
    f->io.rename = f_rename;
    f->io.close = f_close;
    f->io.ctx = f;
}

static void fail_next(fake *f, int op, int err, int times)
{
    f->fail_op = op;
    f->fail_errno = err;
    f->fail_times = times;
    f->log[0] = '\0';
}

/* Fixture: a folder and a journal path in it. */
typedef struct fixture {
    char dir[64], path[128];
    fake f;
} fixture;

static int setup(void **state)
{
    fixture *x = calloc(1, sizeof *x);

    if (x == NULL)
        return -1;
    snprintf(x->dir, sizeof x->dir, "/tmp/pb-journal-XXXXXX");
    if (mkdtemp(x->dir) == NULL) {
        free(x);
        return -1;
    }
    snprintf(x->path, sizeof x->path, "%s/case.xml.journal", x->dir);
    fake_init(&x->f);
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    fixture *x = *state;
    char cmd[128];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", x->dir);
    if (system(cmd) != 0)
        return -1;
    free(x);
    return 0;
}

/* What a scan saw. */
typedef struct seen {
    unsigned long long index[64];
    char payload[64][64];
    size_t n;
} seen;

static pb_status collect(void *ud, unsigned long long index,
                         const char *payload, size_t len, pb_error *err)
{
    seen *s = ud;

    (void)err;
    if (s->n < 64) {
        s->index[s->n] = index;
        snprintf(s->payload[s->n], sizeof s->payload[s->n], "%.*s",
                 (int)len, payload);
        s->n++;
    }
    return PB_OK;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc(1 << 16);

    assert_non_null(f);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

/* Three records through a journal, as they are on disk. */
static void three_records(fixture *x, const pb_io *io)
{
    static const char *const p[3] = {"{\"a\":1}", "second record",
                                     "the third one, a little longer"};
    pb__journal *j;
    pb_error err;
    int i;

    assert_int_equal(pb__journal_open(x->path, io, 0, &j, &err), PB_OK);
    for (i = 0; i < 3; i++)
        assert_int_equal(pb__journal_add(j, (unsigned long long)i + 7, p[i],
                                        strlen(p[i]), &err), PB_OK);
    assert_int_equal(pb__journal_pending(j), 3);
    assert_int_equal(pb__journal_sync(j, &err), PB_OK);
    assert_int_equal(pb__journal_pending(j), 0);
    pb__journal_free(j);
}

static void append_and_read_back(void **state)
{
    fixture *x = *state;
    pb_error err, warn;
    size_t len, valid;
    char *buf;
    seen s;

    three_records(x, &x->f.io);
    buf = slurp(x->path, &len);
    assert_int_equal(len, 3 * PB__JOURNAL_HEADER + 7 + 13 + 30);
    assert_memory_equal(buf, "\xffPBJ", 4);
    /* each record's check is zlib's CRC-32 of the rest of its header and
     * its payload (docs/agents.md, "The journal format"), so journals written by any version
     * read back: the values come from Python's zlib.crc32 */
    assert_memory_equal(buf + 4, "\xef\x3e\x40\xc0", 4);
    assert_memory_equal(buf + PB__JOURNAL_HEADER + 7 + 4,
                        "\xf4\x19\x5e\xc5", 4);
    assert_memory_equal(buf + 2 * PB__JOURNAL_HEADER + 20 + 4,
                        "\x41\x0b\xbc\x3b", 4);
    memset(&s, 0, sizeof s);
    assert_int_equal(pb__journal_scan("j", buf, len, collect, &s, &valid,
                                     &warn, &err), PB_OK);
    assert_int_equal(valid, len);
    assert_string_equal(warn.message, "");
    assert_int_equal(s.n, 3);
    assert_int_equal(s.index[0], 7);
    assert_int_equal(s.index[2], 9);
    assert_string_equal(s.payload[1], "second record");
    free(buf);
}

/* Nothing counts before the data is written and fsync'ed, and a new
 * journal's folder entry is synced too. */
static void sync_order(void **state)
{
    fixture *x = *state;
    const char *w, *s, *d;

    three_records(x, &x->f.io);
    w = strstr(x->f.log, "write:case.xml.journal");
    s = strstr(x->f.log, "fsync:case.xml.journal");
    d = strstr(x->f.log, "fsync:pb-journal-");
    assert_non_null(w);
    assert_non_null(s);
    assert_non_null(d);
    assert_true(w < s && s < d);
    /* one write for the batch */
    assert_null(strstr(w + 1, "write:"));
}

static void every_torn_tail_is_dropped(void **state)
{
    fixture *x = *state;
    size_t len, valid, cut, last;
    pb_error err, warn;
    char *buf;
    seen s;

    three_records(x, NULL);
    buf = slurp(x->path, &len);
    last = len - PB__JOURNAL_HEADER - 30; /* where the last record starts */
    for (cut = last; cut <= len; cut++) {
        memset(&s, 0, sizeof s);
        assert_int_equal(pb__journal_scan("j", buf, cut, collect, &s, &valid,
                                         &warn, &err), PB_OK);
        if (cut == last || cut == len) {
            assert_string_equal(warn.message, "");
            assert_int_equal(s.n, cut == len ? 3 : 2);
            continue;
        }
        assert_int_equal(valid, last);
        assert_int_equal(s.n, 2);
        assert_non_null(strstr(warn.message, "torn last record"));
    }
    /* A flipped byte in the last record is a torn tail as well. */
    for (cut = last; cut < len; cut++) {
        buf[cut] ^= 0x20;
        memset(&s, 0, sizeof s);
        assert_int_equal(pb__journal_scan("j", buf, len, collect, &s, &valid,
                                         &warn, &err), PB_OK);
        assert_int_equal(valid, last);
        assert_int_equal(s.n, 2);
        assert_string_not_equal(warn.message, "");
        buf[cut] ^= 0x20;
    }
    free(buf);
}

static void damage_in_the_middle_is_an_error(void **state)
{
    fixture *x = *state;
    size_t len, valid, i, first = PB__JOURNAL_HEADER + 7;
    pb_error err, warn;
    char *buf;

    three_records(x, NULL);
    buf = slurp(x->path, &len);
    /* every byte of the first record, header and payload */
    for (i = 0; i < first; i++) {
        buf[i] ^= 0x01;
        assert_int_equal(pb__journal_scan("j", buf, len, NULL, NULL, &valid,
                                         &warn, &err), PB_INPUT);
        assert_non_null(strstr(err.message, "corrupt"));
        assert_string_equal(err.file, "j");
        buf[i] ^= 0x01;
    }
    /* garbage inserted between two records */
    memmove(buf + first + 3, buf + first, len - first);
    memcpy(buf + first, "xyz", 3);
    assert_int_equal(pb__journal_scan("j", buf, len + 3, NULL, NULL, &valid,
                                     &warn, &err), PB_INPUT);
    free(buf);
}

/*
 * Headers 20 bytes apart after a damaged record, each claiming a
 * megabyte: the search for a valid record after the damage stops within
 * twice the bytes (it once took a CRC of a megabyte per header), and
 * the damage is corruption.  A header with a valid record a few fake
 * ones on is still found.
 */
static void fake_headers_after_damage(void **state)
{
    static const unsigned char head[PB__JOURNAL_HEADER] = {
        0xff, 'P', 'B', 'J', 0, 0, 0, 0, 0, 0, 0x10, 0 /* 1 MiB */
    };
    size_t n = 200000, len = n * PB__JOURNAL_HEADER, valid, i, rlen;
    fixture *x = *state;
    pb_error err, warn;
    char *buf = malloc(len), *rec;

    (void)x;
    assert_non_null(buf);
    for (i = 0; i < n; i++)
        memcpy(buf + i * PB__JOURNAL_HEADER, head, sizeof head);
    assert_int_equal(pb__journal_scan("j", buf, len, NULL, NULL, &valid,
                                     &warn, &err), PB_INPUT);
    assert_string_equal(err.message, "damaged record at byte 0 (after 0 "
                        "good records), with too many record headers "
                        "after it to check: the journal is corrupt");
    /* Three fake headers, then a real record. */
    three_records(x, NULL);
    rec = slurp(x->path, &rlen);
    memcpy(buf + 3 * PB__JOURNAL_HEADER, rec, rlen);
    assert_int_equal(pb__journal_scan("j", buf, 3 * PB__JOURNAL_HEADER + rlen,
                                     NULL, NULL, &valid, &warn, &err),
                     PB_INPUT);
    assert_non_null(strstr(err.message, "with valid records after it at "
                           "byte 60:"));
    free(rec);
    free(buf);
}

static void indexes_only_go_up(void **state)
{
    fixture *x = *state;
    pb__journal *j;
    pb_error err, warn;
    size_t len, valid;
    char *buf;

    assert_int_equal(pb__journal_open(x->path, NULL, 0, &j, &err), PB_OK);
    assert_int_equal(pb__journal_add(j, 5, "a", 1, &err), PB_OK);
    assert_int_equal(pb__journal_add(j, 5, "b", 1, &err), PB_OK);
    assert_int_equal(pb__journal_sync(j, &err), PB_OK);
    pb__journal_free(j);
    buf = slurp(x->path, &len);
    assert_int_equal(pb__journal_scan("j", buf, len, NULL, NULL, &valid,
                                     &warn, &err), PB_INPUT);
    free(buf);
}

/* The failure leaves nothing claimed; after it, one clean copy. */
/* The journal at x->path scanned into *s, with no warning: its length. */
static size_t read_back(fixture *x, seen *s)
{
    pb_error err, warn;
    size_t len, valid;
    char *buf = slurp(x->path, &len);

    memset(s, 0, sizeof *s);
    assert_int_equal(pb__journal_scan("j", buf, len, collect, s, &valid,
                                     &warn, &err), PB_OK);
    assert_string_equal(warn.message, "");
    free(buf);
    return len;
}

static void fault_then_retry(fixture *x, int op, int e, long partial)
{
    pb__journal *j;
    pb_error err;
    seen s;

    assert_int_equal(pb__journal_open(x->path, &x->f.io, 0, &j, &err), PB_OK);
    assert_int_equal(pb__journal_add(j, 0, "zero", 4, &err), PB_OK);
    assert_int_equal(pb__journal_sync(j, &err), PB_OK);
    assert_int_equal(pb__journal_add(j, 1, "one", 3, &err), PB_OK);
    fail_next(&x->f, op, e, 1);
    x->f.partial = partial;
    assert_int_equal(pb__journal_sync(j, &err), PB_IO);
    assert_non_null(strstr(err.message, strerror(e)));
    assert_string_equal(err.file, x->path);
    assert_int_equal(pb__journal_pending(j), 1);
    /* a retry while it still fails */
    fail_next(&x->f, op, e, 1);
    assert_int_equal(pb__journal_sync(j, &err), PB_IO);
    assert_int_equal(pb__journal_add(j, 2, "two", 3, &err), PB_OK);
    fail_next(&x->f, OP_NONE, 0, 0);
    assert_int_equal(pb__journal_sync(j, &err), PB_OK);
    assert_int_equal(pb__journal_pending(j), 0);
    pb__journal_free(j);
    read_back(x, &s);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.payload[1], "one");
    assert_string_equal(s.payload[2], "two");
}

/* A write that fails half way and is given up (freed without a retry):
 * its part is cut off, so the next open finds the records before it and
 * no torn tail. */
static void given_up_write_is_cut_off(void **state)
{
    fixture *x = *state;
    pb__journal *j;
    pb_error err;
    seen s;

    assert_int_equal(pb__journal_open(x->path, &x->f.io, 0, &j, &err), PB_OK);
    assert_int_equal(pb__journal_add(j, 0, "zero", 4, &err), PB_OK);
    assert_int_equal(pb__journal_sync(j, &err), PB_OK);
    assert_int_equal(pb__journal_add(j, 1, "one, half written", 17, &err),
                     PB_OK);
    fail_next(&x->f, OP_WRITE, ENOSPC, 1);
    x->f.partial = 9;
    assert_int_equal(pb__journal_sync(j, &err), PB_IO);
    fail_next(&x->f, OP_NONE, 0, 0);
    pb__journal_free(j);
    assert_int_equal(read_back(x, &s), PB__JOURNAL_HEADER + 4);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.payload[0], "zero");
}

static void write_enospc(void **state)
{
    fault_then_retry(*state, OP_WRITE, ENOSPC, 0);
}

static void write_partial_then_enospc(void **state)
{
    fault_then_retry(*state, OP_WRITE, ENOSPC, 9);
}

static void write_eio(void **state)
{
    fault_then_retry(*state, OP_WRITE, EIO, 0);
}

static void fsync_eio(void **state)
{
    fault_then_retry(*state, OP_FSYNC, EIO, 0);
}

static void fsync_enospc(void **state)
{
    fault_then_retry(*state, OP_FSYNC, ENOSPC, 0);
}

static void write_erofs(void **state)
{
    fault_then_retry(*state, OP_WRITE, EROFS, 0);
}

/* Cutting off a failed write may fail too: nothing is written after
 * unsaved bytes until the cut succeeds. */
static void cut_fails_too(void **state)
{
    fixture *x = *state;
    pb__journal *j;
    pb_error err;
    seen s;

    assert_int_equal(pb__journal_open(x->path, &x->f.io, 0, &j, &err), PB_OK);
    assert_int_equal(pb__journal_add(j, 0, "zero", 4, &err), PB_OK);
    fail_next(&x->f, OP_FSYNC, EIO, 1);
    assert_int_equal(pb__journal_sync(j, &err), PB_IO);
    fail_next(&x->f, OP_TRUNC, EIO, 1);
    assert_int_equal(pb__journal_sync(j, &err), PB_IO);
    assert_null(strstr(x->f.log, "write:"));
    fail_next(&x->f, OP_NONE, 0, 0);
    assert_int_equal(pb__journal_sync(j, &err), PB_OK);
    pb__journal_free(j);
    read_back(x, &s);
    assert_int_equal(s.n, 1);
}

static void replace_is_atomic(void **state)
{
    fixture *x = *state;
    char path[160], tmp[170], *buf;
    size_t len;
    pb_error err;
    int ops[3] = {OP_WRITE, OP_FSYNC, OP_RENAME}, i;
    const char *o, *w, *s, *r, *d;

    snprintf(path, sizeof path, "%s/case.xml", x->dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    x->f.log[0] = '\0';
    assert_int_equal(pb__io_replace(&x->f.io, path, "old", 3, &err), PB_OK);
    o = strstr(x->f.log, "open:case.xml.tmp");
    w = strstr(x->f.log, "write:case.xml.tmp");
    s = strstr(x->f.log, "fsync:case.xml.tmp");
    r = strstr(x->f.log, "rename:case.xml.tmp>case.xml");
    d = strstr(x->f.log, "fsync:pb-journal-");
    assert_true(o && w && s && r && d);
    assert_true(o < w && w < s && s < r && r < d);
    for (i = 0; i < 3; i++) {
        fail_next(&x->f, ops[i], i == 2 ? EACCES : ENOSPC, 1);
        assert_int_equal(pb__io_replace(&x->f.io, path, "new", 3, &err),
                         PB_IO);
        assert_non_null(strstr(err.message, strerror(x->f.fail_errno)));
        buf = slurp(path, &len);
        assert_int_equal(len, 3);
        assert_memory_equal(buf, "old", 3);
        free(buf);
        assert_int_equal(access(tmp, F_OK), -1);
    }
}

static void lock_is_exclusive(void **state)
{
    fixture *x = *state;
    pb__journal *a, *b;
    pb_error err;

    assert_int_equal(pb__journal_open(x->path, NULL, 0, &a, &err), PB_OK);
    assert_int_equal(pb__journal_open(x->path, NULL, 0.1, &b, &err),
                     PB_STATE);
    assert_null(b);
    pb__journal_free(a);
    /* left empty, so removed; the next one starts afresh */
    assert_int_equal(access(x->path, F_OK), -1);
    assert_int_equal(pb__journal_open(x->path, NULL, 0, &b, &err), PB_OK);
    pb__journal_free(b);
}

static void truncate_and_contents(void **state)
{
    fixture *x = *state;
    pb__journal *j;
    pb_error err;
    char *buf;
    size_t len;

    three_records(x, NULL);
    assert_int_equal(pb__journal_open(x->path, NULL, 0, &j, &err), PB_OK);
    assert_int_equal(pb__journal_contents(j, &buf, &len, &err), PB_OK);
    assert_int_equal(len, 3 * PB__JOURNAL_HEADER + 50);
    free(buf);
    assert_int_equal(pb__journal_truncate(j, PB__JOURNAL_HEADER + 7, &err),
                     PB_OK);
    assert_int_equal(pb__journal_add(j, 8, "x", 1, &err), PB_OK);
    assert_int_equal(pb__journal_sync(j, &err), PB_OK);
    assert_int_equal(pb__journal_contents(j, &buf, &len, &err), PB_OK);
    assert_int_equal(len, 2 * PB__JOURNAL_HEADER + 8);
    free(buf);
    assert_int_equal(pb__journal_truncate(j, 0, &err), PB_OK);
    pb__journal_free(j);
    assert_int_equal(access(x->path, F_OK), -1);
}

static void open_fails_cleanly(void **state)
{
    fixture *x = *state;
    pb__journal *j;
    pb_error err;

    fail_next(&x->f, OP_OPEN, EROFS, -1);
    assert_int_equal(pb__journal_open(x->path, &x->f.io, 0, &j, &err),
                     PB_IO);
    assert_null(j);
    assert_non_null(strstr(err.message, strerror(EROFS)));
}

/* Links are never followed: not into the journal, not through FILE.tmp
 * (both are written and removed, so a link would aim that anywhere). */
static void links_are_refused(void **state)
{
    fixture *x = *state;
    char target[160], path[160], tmp[170], *buf;
    size_t len;
    pb__journal *j;
    pb_error err;
    FILE *f;

    snprintf(target, sizeof target, "%s/secret", x->dir);
    assert_non_null(f = fopen(target, "w"));
    fputs("secret", f);
    fclose(f);
    assert_int_equal(symlink(target, x->path), 0);
    assert_int_equal(pb__journal_open(x->path, NULL, 0, &j, &err), PB_INPUT);
    assert_null(j);
    assert_non_null(strstr(err.message, "symbolic link"));
    buf = slurp(target, &len);
    assert_int_equal(len, 6);
    free(buf);

    /* Dangling: refused the same way, not created through, no spin. */
    unlink(x->path);
    snprintf(path, sizeof path, "%s/nowhere", x->dir);
    assert_int_equal(symlink(path, x->path), 0);
    assert_int_equal(pb__journal_open(x->path, NULL, 0, &j, &err), PB_INPUT);
    assert_int_equal(access(path, F_OK), -1);

    unlink(x->path);
    assert_int_equal(mkfifo(x->path, 0600), 0);
    assert_int_equal(pb__journal_open(x->path, NULL, 0, &j, &err), PB_INPUT);
    assert_non_null(strstr(err.message, "not a plain file"));

    /* A link planted as FILE.tmp is replaced, its target untouched. */
    snprintf(path, sizeof path, "%s/case.xml", x->dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_equal(symlink(target, tmp), 0);
    assert_int_equal(pb__io_replace(NULL, path, "new", 3, &err), PB_OK);
    buf = slurp(target, &len);
    assert_int_equal(len, 6);
    assert_memory_equal(buf, "secret", 6);
    free(buf);
    buf = slurp(path, &len);
    assert_int_equal(len, 3);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(append_and_read_back, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(sync_order, setup, teardown),
        cmocka_unit_test_setup_teardown(every_torn_tail_is_dropped, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(fake_headers_after_damage, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(damage_in_the_middle_is_an_error,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(indexes_only_go_up, setup, teardown),
        cmocka_unit_test_setup_teardown(given_up_write_is_cut_off, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(write_enospc, setup, teardown),
        cmocka_unit_test_setup_teardown(write_partial_then_enospc, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(write_eio, setup, teardown),
        cmocka_unit_test_setup_teardown(write_erofs, setup, teardown),
        cmocka_unit_test_setup_teardown(fsync_eio, setup, teardown),
        cmocka_unit_test_setup_teardown(fsync_enospc, setup, teardown),
        cmocka_unit_test_setup_teardown(cut_fails_too, setup, teardown),
        cmocka_unit_test_setup_teardown(replace_is_atomic, setup, teardown),
        cmocka_unit_test_setup_teardown(lock_is_exclusive, setup, teardown),
        cmocka_unit_test_setup_teardown(truncate_and_contents, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(open_fails_cleanly, setup, teardown),
        cmocka_unit_test_setup_teardown(links_are_refused, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
