/*
 * store_files.c -- the file store: DIR/ID.xml and its journal per case,
 * each held open (and locked) from the first request that names it
 * until the server stops.
 *
 * Group commit (docs/api.md, "How fast"): an event is written to its
 * case's journal at once, without fsync, and logged in DIR/sync.log
 * (synclog.c); a thread of ours makes everything logged durable
 * together with one fdatasync of the log, then says so
 * (store_on_durable).  One sync covers every case written while the
 * last one ran (and, when several are waiting, during GROUP_WAIT_NS
 * more), so the more requests wait, the less each pays.  The journals
 * reach the disk when the kernel writes them back, or at the log's
 * checkpoints: a syncfs(2) of the data folder's file system when the
 * log is full, and before a journal with writes in the log is cut.
 * After a failed sync nothing written since can be trusted to be on
 * disk (the kernel may have dropped the pages), so the store refuses
 * every request from then on.
 */
#define _GNU_SOURCE /* syncfs(2) */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "index.h"
#include "store_core.h"
#include "synclog.h"

/* Events between rewrites of a case file (docs/agents.md, "Crashes"):
 * the server keeps its cases open, so the journal is read again only
 * after a crash (or by a report), and a rewrite costs three fsyncs on
 * the serving thread.  At 256, a server of cases that grow together
 * spent a fifth more per event while they all crossed it. */
#define FILES_COMPACT_EVERY 2048u

/* How long the syncer lets a group grow when more than one write is
 * waiting, as PostgreSQL's commit_delay does: a sync costs about the
 * same for 2 events as for 20, and 1 ms is well inside what a client
 * waits anyway.  A lone writer is never delayed. */
#define GROUP_WAIT_NS 1000000L

/*
 * What was looked at of each case not open (files_stamps), kept while an
 * inotify watch on the data folder says nothing of it changed: a
 * follow-ups listing of 100,000 cases stat'ed their 200,000 files, 0.35
 * s, before reading any (docs/api.md, follow-ups).  The watch sees a
 * file written being closed, a rename, a removal, a new file, a time or
 * mode set: every way a case changes once whoever writes it is done
 * (one still writing is seen when it closes the file).  When its queue
 * overflows, or it cannot be had, every case is looked at again.
 */
typedef struct seen {
    char id[STORE_MAX_ID + 1];
    store_stamp stamp;
    int fresh;                /* nothing of it changed since */
} seen;

/* A file the case files opened through us (the io_ calls), by
 * descriptor: the journal's writes name none. */
typedef struct held {
    char name[STORE_MAX_ID + sizeof ".xml.journal"]; /* a journal's, or "" */
    long long size;           /* as written */
    unsigned long long last;  /* the count of log adds at its last write */
} held;

typedef struct files {
    char *dir;
    int dirfd;                /* the data folder */
    synclog *log;
    synclog_recovery rec;     /* what opening the log put back */
    pb_io io;                 /* the case files' calls, through the log */
    held *held;               /* by descriptor */
    size_t nheld;
    int watch;                /* inotify on it, or -1 */
    seen *seen;
    size_t nseen, seencap;
    pb__index seen_ix;        /* seen by id */
    /* The folder's cases, sorted, as last listed: kept while the watch
     * says no case file came or went (drain). */
    char **ids;
    size_t nids;
    int ids_kept;
    pthread_t syncer;
    pthread_mutex_t mu;       /* guards what follows */
    pthread_cond_t wake;      /* the syncer: something was written */
    pthread_cond_t settle;    /* store_on_durable(NULL): a sync ended */
    unsigned long long written, settled; /* tickets */
    /* Journal writes logged, and how many of them the last checkpoint
     * made durable in the journals themselves. */
    unsigned long long adds, synced;
    int busy;                 /* a sync or a checkpoint is running */
    int error;                /* errno of the sync that failed, or 0 */
    int stop;
    store_durable fn;
    void *ud;
} files;

/* DIR/ID.xml, malloc'd. */
static char *case_path(const store *s, const char *id)
{
    const char *dir = ((files *)s->impl)->dir;
    size_t n = strlen(dir) + strlen(id) + 6;
    char *p = malloc(n);

    if (p != NULL)
        snprintf(p, n, "%s/%s.xml", dir, id);
    return p;
}

/* Opens the existing case sc->id with sc->e. */
static pb_status open_existing(store *s, store_case *sc, pb_error *err)
{
    char *path = case_path(s, sc->id);
    pb_casefile_opts o;
    pb_status st;

    if (path == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    memset(&o, 0, sizeof o);
    o.nosync = 1;
    o.compact_every = FILES_COMPACT_EVERY;
    o.io = &((files *)s->impl)->io;
    st = pb_casefile_open(sc->e, path, &o, &sc->cf, err);
    free(path);
    return st == PB_INPUT ? PB_IO : st; /* damaged: the server's to mend */
}

static pb_status files_open(store *s, store_case *sc,
                            const pb_casefile_opts *create, pb_error *err)
{
    char *path = case_path(s, sc->id);
    pb_casefile_opts with_id;
    struct stat sb;
    pb_status st;

    if (path == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    if (create == NULL && stat(path, &sb) != 0) {
        st = pb__error(err, PB_INPUT, "", 0, "no case '%s'", sc->id);
    } else if (create == NULL) {
        st = open_existing(s, sc, err);
    } else if (stat(path, &sb) == 0) {
        st = pb__error(err, PB_STATE, "", 0, "case '%s' exists", sc->id);
    } else {
        with_id = *create;
        with_id.id = sc->id;
        with_id.nosync = 1;
        with_id.compact_every = FILES_COMPACT_EVERY;
        with_id.io = &((files *)s->impl)->io;
        st = pb_casefile_open(sc->e, path, &with_id, &sc->cf, err);
        /* Written now: a case the client was told exists must outlive
         * us. */
        if (st == PB_OK && (st = pb_casefile_compact(sc->cf, err)) != PB_OK) {
            pb_casefile_free(sc->cf);
            sc->cf = NULL;
        }
    }
    free(path);
    return st;
}

/* Brings back a case whose write failed, from its file. */
static pb_status files_sync(store *s, store_case *sc, pb_error *err)
{
    return sc->cf != NULL ? PB_OK : open_existing(s, sc, err);
}

static pb_status files_record(store *s, store_case *sc, const store_event *ev,
                              size_t n, size_t *at, pb_error *err)
{
    files *f = s->impl;
    double t = pb_casefile_now(sc->cf);
    pb_new_event *b = store_batch(ev, n);
    pb_status st;
    size_t i;

    if (b == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    st = pb_casefile_check(sc->cf, t, b, n, at, err);
    free(b);
    if (st != PB_OK)
        return st;
    /* Each is written to the journal at once; one that is not stays
     * pending in the case file, which retries it with the next write. */
    for (i = 0; i < n && st == PB_OK; i++)
        st = pb_casefile_append(sc->cf, t, ev[i].type, ev[i].text,
                                ev[i].attrs, ev[i].nattrs, err);
    *at = st == PB_OK ? n : i - 1;
    if (*at > 0) {
        pthread_mutex_lock(&f->mu);
        sc->ticket = ++f->written;
        pthread_cond_signal(&f->wake);
        pthread_mutex_unlock(&f->mu);
    }
    if (st != PB_OK && st != PB_INPUT) {
        /* The event that failed is in memory, and the case file would
         * write it with the next event: recorded after the client was
         * told it was not, and recorded twice when it sends it again.
         * So the case is read again from its file, which has what was
         * written before it (a failed write is cut off). */
        pb_error ignored;

        pb_casefile_free(sc->cf);
        sc->cf = NULL;
        open_existing(s, sc, &ignored); /* or at its next request */
    }
    return st == PB_INPUT ? PB_STATE : st;
}

/* Under f->mu: the writes of tickets up to upto are durable (or lost:
 * rc), and with a checkpoint, the journal writes up to add `synced`
 * are in the journals on disk. */
static void settle(files *f, unsigned long long upto,
                   unsigned long long synced, int rc)
{
    if (f->error == 0)
        f->error = rc;
    if (upto > f->settled)
        f->settled = upto;
    if (synced > f->synced)
        f->synced = synced;
    f->busy = 0;
    /* Under the lock, so that store_on_durable(NULL) knows no call is
     * running when it returns. */
    if (f->fn != NULL)
        f->fn(f->ud, f->settled, f->error);
    pthread_cond_broadcast(&f->settle);
    pthread_cond_signal(&f->wake);
}

/* Under f->mu, no other sync running: the log synced (a checkpoint
 * when `whole`, or when the log is full), the lock let go meanwhile,
 * then the news.  0, or an errno. */
static int sync_now(files *f, int whole)
{
    unsigned long long upto = f->written, adds = f->adds;
    int rc = f->error;

    f->busy = 1;
    synclog_take(f->log);
    pthread_mutex_unlock(&f->mu);
    if (rc == 0)
        rc = whole ? synclog_checkpoint(f->log)
                   : synclog_sync(f->log, &whole);
    pthread_mutex_lock(&f->mu);
    settle(f, upto, rc == 0 && whole ? adds : 0, rc);
    return rc;
}

/* The syncer: one sync of the log for whatever was written while the
 * last one ran, then the news, until the store closes with nothing
 * left. */
static void *syncer(void *arg)
{
    files *f = arg;
    int grouped = 0;

    pthread_mutex_lock(&f->mu);
    for (;;) {
        while (f->busy || (!f->stop && f->settled == f->written))
            pthread_cond_wait(&f->wake, &f->mu);
        if (f->settled == f->written)
            break;
        if (!grouped && f->written - f->settled > 1 && !f->stop) {
            struct timespec wait = { 0, GROUP_WAIT_NS };

            pthread_mutex_unlock(&f->mu);
            nanosleep(&wait, NULL);
            pthread_mutex_lock(&f->mu);
            grouped = 1;
            continue;         /* a checkpoint may have come meanwhile */
        }
        grouped = 0;
        sync_now(f, 0);
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

/* A checkpoint now, on the serving thread: every write so far durable
 * in its journal, and the log empty.  0, or an errno. */
static int checkpoint(files *f)
{
    int rc;

    pthread_mutex_lock(&f->mu);
    while (f->busy)
        pthread_cond_wait(&f->settle, &f->mu);
    rc = sync_now(f, 1);
    pthread_mutex_unlock(&f->mu);
    return rc;
}

/*
 * The case files' calls (pb_io): each write to a journal is logged
 * with where it went.  What the log holds of a journal must stay what
 * the journal is told to be, so a checkpoint comes first when a logged
 * part of a journal is cut (a failed write's bytes, or all of it once
 * its case file holds its events), and when a journal with writes in
 * the log is closed: once unlocked, another program may write it
 * (docs/api.md, "Where the cases are"), and the log must not put back
 * the server's writes over its own.
 */
static held *held_at(files *f, int fd)
{
    return fd >= 0 && (size_t)fd < f->nheld ? &f->held[fd] : NULL;
}

static int io_open(void *ctx, const char *path, int flags, unsigned mode)
{
    files *f = ctx;
    const char *base = strrchr(path, '/');
    size_t n, k = sizeof ".xml.journal" - 1;
    held *h;
    int fd = open(path, flags, (mode_t)mode);

    if (fd < 0)
        return fd;
    if ((size_t)fd >= f->nheld) {
        size_t cap = (size_t)fd + 64;

        if ((h = realloc(f->held, cap * sizeof *h)) == NULL) {
            close(fd);
            errno = ENOMEM;
            return -1;
        }
        memset(h + f->nheld, 0, (cap - f->nheld) * sizeof *h);
        f->held = h;
        f->nheld = cap;
    }
    h = &f->held[fd];
    memset(h, 0, sizeof *h);
    base = base != NULL ? base + 1 : path;
    n = strlen(base);
    if (n > k && n < sizeof h->name &&
        strcmp(base + n - k, ".xml.journal") == 0) {
        memcpy(h->name, base, n + 1);
        h->size = -1;         /* read at the first write, under the lock */
    }
    return fd;
}

/* Whether the log has writes to h's journal past byte `from` that a
 * restart would put back. */
static int logged_past(files *f, const held *h, long long from)
{
    int logged;

    if (h == NULL || h->name[0] == '\0' || h->size < 0 || from >= h->size)
        return 0;
    pthread_mutex_lock(&f->mu);
    logged = h->last > f->synced;
    pthread_mutex_unlock(&f->mu);
    return logged;
}

static long io_write(void *ctx, int fd, const void *buf, size_t len)
{
    files *f = ctx;
    held *h = held_at(f, fd);
    struct stat sb;
    ssize_t n;
    int rc;

    /* The journal's end, once it is locked: another program may have
     * written it between its open and the lock. */
    if (h != NULL && h->name[0] != '\0' && h->size < 0) {
        if (fstat(fd, &sb) != 0)
            return -1;
        h->size = (long long)sb.st_size;
    }
    n = write(fd, buf, len);
    if (n <= 0 || h == NULL || h->name[0] == '\0')
        return (long)n;
    pthread_mutex_lock(&f->mu);
    rc = synclog_add(f->log, h->name, h->size, buf, (size_t)n);
    h->last = ++f->adds;
    pthread_mutex_unlock(&f->mu);
    h->size += n;
    if (rc != 0) {            /* not logged: the journal cuts it off */
        errno = ENOMEM;
        return -1;
    }
    return (long)n;
}

static int io_fsync(void *ctx, int fd)
{
    (void)ctx;
    return fsync(fd);
}

static int io_ftruncate(void *ctx, int fd, long long len)
{
    files *f = ctx;
    held *h = held_at(f, fd);
    int rc;

    if (logged_past(f, h, len) && (rc = checkpoint(f)) != 0) {
        errno = rc;
        return -1;
    }
    if (ftruncate(fd, (off_t)len) != 0)
        return -1;
    if (h != NULL && h->size >= 0)
        h->size = len;
    return 0;
}

static int io_rename(void *ctx, const char *from, const char *to)
{
    (void)ctx;
    return rename(from, to);
}

static int io_close(void *ctx, int fd)
{
    files *f = ctx;
    held *h = held_at(f, fd);

    /* a failed checkpoint fails the store (f->error): it is closed
     * all the same */
    if (logged_past(f, h, 0))
        checkpoint(f);
    if (h != NULL)
        memset(h, 0, sizeof *h);
    return close(fd);
}

static void files_on_durable(store *s, store_durable fn, void *ud)
{
    files *f = s->impl;

    pthread_mutex_lock(&f->mu);
    if (fn == NULL)
        while (f->settled != f->written)
            pthread_cond_wait(&f->settle, &f->mu);
    f->fn = fn;
    f->ud = ud;
    if (fn != NULL)
        fn(ud, f->settled, f->error);
    pthread_mutex_unlock(&f->mu);
}

static unsigned long long files_pending(store *s, const store_case *sc)
{
    files *f = s->impl;
    unsigned long long t;

    pthread_mutex_lock(&f->mu);
    t = sc != NULL ? sc->ticket : f->written;
    if (t <= f->settled)
        t = 0;
    pthread_mutex_unlock(&f->mu);
    return t;
}

static pb_status files_failed(store *s, pb_error *err)
{
    files *f = s->impl;
    int e;

    pthread_mutex_lock(&f->mu);
    e = f->error;
    pthread_mutex_unlock(&f->mu);
    return e == 0 ? PB_OK
           : pb__error(err, PB_IO, f->dir, 0, "cannot sync the data "
                       "folder's file system: %s; what was written since "
                       "the last sync may be lost, so nothing is served "
                       "until the server is restarted", strerror(e));
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void drain(files *f);

/* Every case in the folder, sorted: listed and sorted again only when
 * the watch says a case file came or went since (0.13 s a listing at
 * 100,000 cases). */
static pb_status files_ids(store *s, char *const **out, size_t *nout,
                           pb_error *err)
{
    files *f = s->impl;
    const char *dir = f->dir;
    DIR *d;
    struct dirent *de;
    char **ids = NULL, **v;
    size_t n = 0, cap = 0;

    drain(f);
    if (f->watch >= 0 && f->ids_kept) {
        *out = f->ids;
        *nout = f->nids;
        return PB_OK;
    }
    if ((d = opendir(dir)) == NULL)
        return pb__error(err, PB_IO, dir, 0, "cannot list: %s",
                         strerror(errno));
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        char *id;

        if (len < 5 || strcmp(de->d_name + len - 4, ".xml") != 0)
            continue;
        if ((id = strndup(de->d_name, len - 4)) == NULL ||
            !store_id_ok(id)) {
            free(id);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            if ((v = realloc(ids, cap * sizeof *v)) == NULL) {
                free(id);
                break;
            }
            ids = v;
        }
        ids[n++] = id;
    }
    closedir(d);
    if (de != NULL) {   /* out of memory half way */
        store_ids_free(ids, n);
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    }
    if (n > 0)
        qsort(ids, n, sizeof *ids, by_name);
    store_ids_free(f->ids, f->nids);
    *out = f->ids = ids;
    *nout = f->nids = n;
    f->ids_kept = 1;
    return PB_OK;
}

static pb_status files_read(store *s, const char *id, pb_case **out,
                            pb_error *err)
{
    char *path = case_path(s, id);
    pb_error warn;
    pb_status st;

    if (path == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    st = pb_casefile_read(s->e, path, out, &warn, err);
    free(path);
    return st;
}

static int files_owner(store *s, const char *id, char *out, size_t size)
{
    char *path = case_path(s, id);
    pb_error err;
    int known = path != NULL &&
                pb_casefile_agent(path, out, size, &err) == PB_OK;

    free(path);
    return known ? 0 : -1;
}

/* A case file and its journal as they are now: a write changes the
 * journal's size, a rewrite the file's inode (a rename) and the
 * journal's size, and the times catch what keeps both.  All zeros when
 * the file cannot be looked at. */
static void files_stamp(store *s, const char *id, store_stamp *out)
{
    char *path = case_path(s, id), *journal = NULL;
    struct stat sb;
    int i;

    memset(out, 0, sizeof *out);
    if (path != NULL && (journal = malloc(strlen(path) + 9)) != NULL) {
        sprintf(journal, "%s.journal", path);
        for (i = 0; i < 2; i++) {
            unsigned long long *v = out->v + 4 * i;

            if (stat(i == 0 ? path : journal, &sb) != 0) {
                if (i == 0 || errno != ENOENT) /* no journal: 0s */
                    memset(out, 0, sizeof *out);
                break;
            }
            v[0] = (unsigned long long)sb.st_ino;
            v[1] = (unsigned long long)sb.st_size;
            v[2] = (unsigned long long)sb.st_mtim.tv_sec * 1000000000u +
                   (unsigned long long)sb.st_mtim.tv_nsec;
            v[3] = (unsigned long long)sb.st_ctim.tv_sec * 1000000000u +
                   (unsigned long long)sb.st_ctim.tv_nsec;
        }
    }
    free(journal);
    free(path);
}

static const char *seen_key(const void *v, size_t i)
{
    return ((const seen *)v)[i].id;
}

static void forget_all(files *f)
{
    size_t i;

    for (i = 0; i < f->nseen; i++)
        f->seen[i].fresh = 0;
}

/* Whether the folder's listing as last made holds case id. */
static int listed(const files *f, const char *id)
{
    return f->nids > 0 &&
           bsearch(&id, f->ids, f->nids, sizeof *f->ids, by_name) != NULL;
}

/* Takes in what the watch says has changed since it was last asked:
 * each case named, by its file, its journal or a temporary beside
 * them ("ID.xml..."), is looked at again; a case file made that the
 * listing lacks, or one gone, has the folder listed again. */
static void drain(files *f)
{
    union {
        struct inotify_event ev;
        char bytes[4096];
    } buf;
    const struct inotify_event *ev;
    const char *end;
    char id[STORE_MAX_ID + 1];
    ssize_t n;
    size_t len;
    long k;

    while (f->watch >= 0 && (n = read(f->watch, buf.bytes, sizeof buf)) > 0)
        for (end = buf.bytes; end < buf.bytes + n;
             end += sizeof *ev + ev->len) {
            ev = (const struct inotify_event *)(const void *)end;
            if (ev->mask & (IN_Q_OVERFLOW | IN_IGNORED)) {
                forget_all(f);
                f->ids_kept = 0;
                if (ev->mask & IN_IGNORED) {  /* the folder went */
                    close(f->watch);
                    f->watch = -1;
                }
            } else if (ev->len > 0 &&
                       (len = strcspn(ev->name, ".")) < sizeof id) {
                memcpy(id, ev->name, len);
                id[len] = '\0';
                if ((k = pb__index_find(&f->seen_ix, id, seen_key,
                                        f->seen)) >= 0)
                    f->seen[k].fresh = 0;
                if (strcmp(ev->name + len, ".xml") == 0 &&
                    ((ev->mask & (IN_DELETE | IN_MOVED_FROM)) ||
                     !listed(f, id)))
                    f->ids_kept = 0;
            }
        }
}

/* Keeps what was looked at of case id; when memory is short, nothing
 * (it is looked at again next time). */
static void remember(files *f, const char *id, const store_stamp *st)
{
    long k = pb__index_find(&f->seen_ix, id, seen_key, f->seen);

    if (k < 0) {
        if (f->nseen == f->seencap) {
            size_t cap = f->seencap ? f->seencap * 2 : 64;
            seen *v = realloc(f->seen, cap * sizeof *v);

            if (v == NULL)
                return;
            f->seen = v;
            f->seencap = cap;
        }
        if (strlen(id) >= sizeof f->seen->id ||
            pb__index_reserve(&f->seen_ix, f->nseen + 1, seen_key,
                              f->seen) != 0)
            return;
        k = (long)f->nseen++;
        strcpy(f->seen[k].id, id);
        pb__index_add(&f->seen_ix, (size_t)k, seen_key, f->seen);
    }
    f->seen[k].stamp = *st;
    f->seen[k].fresh = 1;
}

static int files_stamps(store *s, char *const *ids, size_t n,
                        store_stamp *out)
{
    files *f = s->impl;
    size_t i;
    long k;

    drain(f);
    for (i = 0; i < n; i++) {
        if (f->watch >= 0 &&
            (k = pb__index_find(&f->seen_ix, ids[i], seen_key,
                                f->seen)) >= 0 && f->seen[k].fresh) {
            out[i] = f->seen[k].stamp;
            continue;
        }
        files_stamp(s, ids[i], &out[i]);
        if (f->watch >= 0)
            remember(f, ids[i], &out[i]);
    }
    return 0;
}

static void files_close_case(store *s, store_case *sc)
{
    pb_error err;

    (void)s;
    /* Every acknowledged event is in the journal already; a failed close
     * leaves it for the next open to merge. */
    if (pb_casefile_close(sc->cf, &err) != PB_OK)
        pb_casefile_free(sc->cf);
}

/* Without compacting, which would sync three times on the serving
 * thread: the journal has every event, and the next open merges it.
 * Not while its last write waits for the sync: its ticket goes with
 * it, and the case read again would show that write at once, before it
 * is durable (docs/api.md, "How fast"). */
static int files_let_go(store *s, store_case *sc)
{
    if ((sc->cf != NULL && pb_casefile_pending(sc->cf) > 0) ||
        files_pending(s, sc) != 0)
        return 0;
    pb_casefile_free(sc->cf);
    return 1;
}

/* Stops the syncer once it has synced all there is, and frees f. */
static void files_free(files *f, int started)
{
    if (started) {
        pthread_mutex_lock(&f->mu);
        f->stop = 1;
        pthread_cond_signal(&f->wake);
        pthread_mutex_unlock(&f->mu);
        pthread_join(f->syncer, NULL);
    }
    synclog_close(f->log, f->error == 0);
    pthread_cond_destroy(&f->wake);
    pthread_cond_destroy(&f->settle);
    pthread_mutex_destroy(&f->mu);
    if (f->dirfd >= 0)
        close(f->dirfd);
    if (f->watch >= 0)
        close(f->watch);
    pb__index_free(&f->seen_ix);
    free(f->seen);
    store_ids_free(f->ids, f->nids);
    free(f->held);
    free(f->dir);
    free(f);
}

static void files_close(store *s)
{
    files_free(s->impl, 1);
}

static const store_backend backend = {
    files_open, files_sync, files_record, files_ids, files_read, files_owner,
    files_stamps,
    NULL, files_on_durable, files_pending, files_failed, files_close_case,
    files_let_go, files_close
};

store *store_open_files(pb_engine *e, const char *dir, char *said,
                        size_t size, pb_error *err)
{
    static const pb_io io = { io_open, io_write, io_fsync, io_ftruncate,
                              io_rename, io_close, NULL };
    files *f;
    store *s;

    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        pb__error(err, PB_IO, dir, 0, "cannot create the data folder: %s",
                  strerror(errno));
        return NULL;
    }
    if ((f = calloc(1, sizeof *f)) == NULL ||
        (f->dir = strdup(dir)) == NULL) {
        free(f);
        pb__error(err, PB_NOMEM, "", 0, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->wake, NULL);
    pthread_cond_init(&f->settle, NULL);
    /* Without a watch (no inotify instance left, say) every case is
     * looked at for each listing, as before. */
    if ((f->watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) >= 0 &&
        inotify_add_watch(f->watch, dir, IN_CLOSE_WRITE | IN_MOVED_TO |
                          IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB |
                          IN_ONLYDIR) < 0) {
        close(f->watch);
        f->watch = -1;
    }
    if ((f->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        if (errno == ENOTDIR)
            pb__error(err, PB_IO, dir, 0, "not a folder");
        else
            pb__error(err, PB_IO, dir, 0, "cannot open the data folder: %s",
                      strerror(errno));
        files_free(f, 0);
        return NULL;
    }
    if ((f->log = synclog_open(f->dirfd, dir, &f->rec, err)) == NULL) {
        files_free(f, 0);
        return NULL;
    }
    f->io = io;
    f->io.ctx = f;
    synclog_say(&f->rec, dir, said, size);
    if (pthread_create(&f->syncer, NULL, syncer, f) != 0) {
        pb__error(err, PB_NOMEM, "", 0, "cannot start a thread");
        files_free(f, 0);
        return NULL;
    }
    if ((s = store_new(&backend, e, f)) == NULL) {
        files_free(f, 1);
        pb__error(err, PB_NOMEM, "", 0, "out of memory");
    }
    return s;
}
