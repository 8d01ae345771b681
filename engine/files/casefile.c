/*
 * casefile.c -- a live case on disk: written as a scenario file so any
 * call can be replayed, with the journal (journal.c) in front of it so
 * no acknowledged event is lost to a crash.
 *
 * What is in memory is the truth while a session runs; the disk holds a
 * prefix of it: FILE has the first in_file recorded events, the journal
 * some after that, and anything past `saved` is pending (a save failed:
 * disk full, read-only, I/O error).  Each save writes what is pending;
 * each rewrite of FILE writes everything.  Journal records carry the
 * event's index among the recorded events, so records FILE already holds
 * (a crash between the rename and the journal's truncation) are skipped
 * rather than replayed twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ascii.h"
#include "calltime.h"
#include "error.h"
#include "file.h"
#include "journal.h"
#include "journal_event.h"
#include "playbook.h"
#include "scenario.h"
#include "utf8.h"
#include "writer.h"

/* Room kept under PB_SCENARIO_MAX_BYTES for markup and escaping. */
#define MAX_EVENT_BYTES (PB_SCENARIO_MAX_BYTES / 4 * 3)

/* Strings. */

/* Attribute names the format can hold: ASCII XML names, no prefix, not
 * reserved by XML or by <event> itself. */
static int attr_name_ok(const char *s)
{
    const char *p = s;

    if (!pb__ascii_alpha(*p) && *p != '_')
        return 0;
    for (p++; *p; p++)
        if (!pb__ascii_id(*p) && *p != '.')
            return 0;
    if (pb__ascii_lower(s[0]) == 'x' && pb__ascii_lower(s[1]) == 'm' &&
        pb__ascii_lower(s[2]) == 'l')
        return 0;
    return strcmp(s, "t") != 0 && strcmp(s, "type") != 0;
}

/* s without surrounding white space, as the reader will give it back;
 * NULL for nothing left.  *nomem is set when a copy failed. */
static char *trimmed(const char *s, int *nomem)
{
    size_t len;
    char *d;

    *nomem = 0;
    if (s == NULL)
        return NULL;
    while (pb__ascii_space(*s))
        s++;
    len = strlen(s);
    while (len > 0 && pb__ascii_space(s[len - 1]))
        len--;
    if (len == 0)
        return NULL;
    if ((d = malloc(len + 1)) == NULL) {
        *nomem = 1;
        return NULL;
    }
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

/* t as it will read back from the file. */
static double canonical_time(double t)
{
    char buf[64];
    double back;

    if (!(t >= 0 && t <= PB_TIME_MAX))
        return t; /* pb_case_append says what is wrong with it */
    if (pb_time_parse(pb__time_seconds(t, buf, sizeof buf), &back) != PB_OK)
        return t;
    return back;
}

/* The event as the file will give it back, or PB_INPUT. */
static pb_status check_saveable(const char *text, const pb_attr *attrs,
                                size_t nattrs, pb_error *err)
{
    size_t i, k;

    if (text != NULL && !pb__utf8_xml_text(text))
        return pb__writer_bad_text(err, "event text", text);
    /* Before the pairwise look for duplicates below. */
    if (nattrs > PB_EVENT_MAX_ATTRS)
        return pb__error(err, PB_INPUT, "", 0, "event has %zu attributes "
                         "(at most %u)", nattrs, PB_EVENT_MAX_ATTRS);
    for (i = 0; i < nattrs; i++) {
        if (attrs[i].name == NULL || attrs[i].value == NULL)
            return pb__error(err, PB_INPUT, "", 0, "attribute without a "
                             "name or value");
        if (!attr_name_ok(attrs[i].name))
            return pb__error(err, PB_INPUT, "", 0, "bad attribute name "
                             "'%s' (letters, digits, _, - and ., not t, "
                             "type or xml...)", attrs[i].name);
        if (!pb__utf8_xml_text(attrs[i].value))
            return pb__writer_bad_text(err, "attribute value",
                                       attrs[i].value);
        for (k = 0; k < i; k++)
            if (strcmp(attrs[k].name, attrs[i].name) == 0)
                return pb__error(err, PB_INPUT, "", 0, "attribute '%s' "
                                 "given twice", attrs[i].name);
    }
    return PB_OK;
}

/* The case file. */

struct pb_casefile {
    pb_engine *e;
    pb_case *c;
    pb__journal *j;        /* NULL when only reading */
    pb_io io;
    const pb_schema *schema; /* for reading FILE; NULL compiles one */
    pb_scenario *meta;    /* FILE as read: its header and expectations */
    char *path, *jpath, *id, *title;
    size_t *rec;          /* case event index of each recorded event */
    size_t nrec, caprec;
    size_t saved;         /* recorded events that are durable (with
                           * nosync: written, for the caller to sync) */
    size_t queued;        /* ... that are durable or queued in j */
    size_t in_file;       /* ... that FILE holds */
    int file_exists;
    int journal_used;     /* the journal may hold records */
    unsigned compact_every;
    size_t compact_after; /* recorded events before the next rewrite is
                           * tried: one failed (a full disk) is tried
                           * again compact_every events later, not at
                           * each event, which would write the case */
    int nosync;           /* opts->nosync: the caller syncs the journal */
    size_t bytes;         /* text of the events, to keep FILE readable */
    double started;
    char **warnings;
    size_t nwarnings;
};

static pb_status nomem(pb_error *err)
{
    return pb__error(err, PB_NOMEM, "", 0, "out of memory");
}

static pb_status full(pb_error *err)
{
    return pb__error(err, PB_INPUT, "", 0, "the case is full (its events "
                     "would be over %u bytes); start a new case",
                     MAX_EVENT_BYTES);
}

static pb_status add_warning(pb_casefile *cf, const pb_error *w)
{
    char buf[1200], **v;

    v = realloc(cf->warnings, (cf->nwarnings + 1) * sizeof *v);
    if (v == NULL)
        return PB_NOMEM;
    cf->warnings = v;
    if ((v[cf->nwarnings] = strdup(pb_error_text(w, buf, sizeof buf))) ==
        NULL)
        return PB_NOMEM;
    cf->nwarnings++;
    return PB_OK;
}

/* Into memory only: the case and the map of recorded events. */
static pb_status record(pb_casefile *cf, double t, const char *type,
                        const char *text, const pb_attr *attrs,
                        size_t nattrs, pb_error *err)
{
    size_t at = pb_case_nevents(cf->c), bytes;
    pb_status st;

    bytes = pb_event_bytes(type ? type : "", text, attrs, nattrs);
    if (cf->nrec == cf->caprec) {
        size_t cap = cf->caprec ? cf->caprec * 2 : 32;
        size_t *v = realloc(cf->rec, cap * sizeof *v);

        if (v == NULL)
            return nomem(err);
        cf->rec = v;
        cf->caprec = cap;
    }
    if (cf->bytes + bytes > MAX_EVENT_BYTES)
        return full(err);
    if ((st = pb_case_append(cf->c, t, type, text, attrs, nattrs, err)) !=
        PB_OK)
        return st;
    cf->rec[cf->nrec++] = at;
    cf->bytes += bytes;
    return PB_OK;
}

/* Whether the file takes ev after *bytes of a batch's events before
 * it (what it can hold, the case not full): then *bytes counts it. */
static pb_status file_takes(const pb_casefile *cf, const pb_new_event *ev,
                            size_t *bytes, pb_error *err)
{
    pb_status st = check_saveable(ev->text, ev->attrs, ev->nattrs, err);
    size_t b;

    if (st != PB_OK)
        return st;
    b = pb_event_bytes(ev->type ? ev->type : "", ev->text, ev->attrs,
                       ev->nattrs);
    if (cf->bytes + *bytes + b > MAX_EVENT_BYTES)
        return full(err);
    *bytes += b;
    return PB_OK;
}

static pb_casefile *casefile_new(pb_engine *e, const char *path,
                                 const pb_casefile_opts *o)
{
    pb_casefile *cf = calloc(1, sizeof *cf);
    size_t n = strlen(path) + 9;

    if (cf == NULL)
        return NULL;
    cf->e = e;
    cf->io = o != NULL && o->io != NULL ? *o->io : *pb_io_posix();
    cf->compact_every = o != NULL && o->compact_every > 0
                            ? o->compact_every : PB_CASEFILE_COMPACT_EVERY;
    cf->nosync = o != NULL && o->nosync;
    cf->started = -1;
    cf->path = strdup(path);
    if ((cf->jpath = malloc(n)) != NULL)
        snprintf(cf->jpath, n, "%s.journal", path);
    if (cf->path == NULL || cf->jpath == NULL) {
        pb_casefile_free(cf);
        return NULL;
    }
    return cf;
}

static pb_status set_fact(pb_casefile *cf, const char *name,
                          const char *value, pb_error *err)
{
    int oom;
    char *v = trimmed(value, &oom);
    pb_status st;

    if (oom)
        return nomem(err);
    if (!pb__utf8_xml_text(name) || !pb__utf8_xml_text(v ? v : "")) {
        free(v);
        return pb__writer_bad_text(err, "fact", name);
    }
    if (v == NULL)
        return pb__error(err, PB_INPUT, "", 0, "fact '%s' has no value",
                         name);
    st = pb_case_set_fact(cf->c, name, v, err);
    free(v);
    return st;
}

/* A case that does not exist yet: started now. */
static pb_status create(pb_casefile *cf, const pb_casefile_opts *o,
                        pb_error *err)
{
    const char *dot;
    char stamp[32];
    struct tm tm;
    time_t now = time(NULL);
    size_t i, n;
    int has_start = 0;
    pb_status st;

    if (o == NULL || o->topic == NULL || o->topic[0] == '\0')
        return pb__error(err, PB_INPUT, cf->path, 0, "no such case (a "
                         "topic is needed to create one)");
    for (i = 0; i < o->nfacts; i++) {
        has_start |= strcmp(o->facts[i].name, "started_at") == 0;
        if ((st = pb_fact_check_initial(o->facts[i].name, o->facts[i].value,
                                        (double)now, err)) != PB_OK)
            return st;
    }
    cf->c = pb_case_new(cf->e, o->topic, o->channel, err);
    if (cf->c == NULL)
        return PB_NOMEM;
    if ((st = pb_case_set_agent(cf->c, o->agent, o->team, err)) != PB_OK)
        return st;
    if (!has_start) {
        if (gmtime_r(&now, &tm) == NULL ||
            strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
            return pb__error(err, PB_IO, "", 0, "cannot read the clock");
        if ((st = pb_case_set_fact(cf->c, "started_at", stamp, err)) !=
            PB_OK)
            return st;
    }
    for (i = 0; i < o->nfacts; i++)
        if ((st = set_fact(cf, o->facts[i].name, o->facts[i].value, err)) !=
            PB_OK)
            return st;
    if (o->id != NULL) {
        cf->id = strdup(o->id);
    } else {
        const char *b = pb__file_name(cf->path);

        dot = strrchr(b, '.');
        n = dot != NULL && dot != b && strcmp(dot, ".xml") == 0
                ? (size_t)(dot - b) : strlen(b);
        if ((cf->id = malloc(n + 1)) != NULL) {
            memcpy(cf->id, b, n);
            cf->id[n] = '\0';
        }
    }
    if (cf->id == NULL || (o->title && (cf->title = strdup(o->title)) ==
                           NULL))
        return nomem(err);
    return PB_OK;
}

/* err's message between before and after (cut to fit), from file. */
static void reword(pb_error *err, const char *file, const char *before,
                   const char *after)
{
    char msg[sizeof err->message];
    size_t nb = strlen(before), na = strlen(after), nm;

    nm = strlen(err->message);
    if (nb + na >= sizeof msg)
        return;
    if (nm > sizeof msg - 1 - nb - na)
        nm = sizeof msg - 1 - nb - na;
    memcpy(msg, before, nb);
    memcpy(msg + nb, err->message, nm);
    memcpy(msg + nb + nm, after, na);
    msg[nb + nm + na] = '\0';
    if (file != err->file)
        snprintf(err->file, sizeof err->file, "%s", file);
    err->line = 0;
    memcpy(err->message, msg, nb + nm + na + 1);
}

/* Errors of an event or fact read from FILE carry its line. */
static pb_status at_line(pb_error *err, pb_status st, const char *path,
                         int line)
{
    if (err != NULL) {
        snprintf(err->file, sizeof err->file, "%s", path);
        err->line = line;
    }
    return st;
}

/* The case as FILE has it. */
static pb_status from_file(pb_casefile *cf, pb_error *err)
{
    const pb_scenario *s;
    pb_event_info ev;
    struct stat sb;
    size_t i;
    pb_status st;
    int line;

    /* Not through a symlink, as the journal is not (journal.c): a case
     * is rewritten in its place, and a link could show any file the
     * reader may read as the case (a server's data folder). */
    if (lstat(cf->path, &sb) == 0 && S_ISLNK(sb.st_mode))
        return pb__error(err, PB_INPUT, cf->path, 0, "the case file is a "
                         "symbolic link; it must be a plain file");
    if ((st = pb__scenario_read_plain(cf->schema, cf->path, &cf->meta, err))
        != PB_OK)
        return st;
    s = cf->meta;
    cf->c = pb_case_new(cf->e, pb_scenario_topic(s), pb_scenario_channel(s),
                        err);
    if (cf->c == NULL)
        return PB_NOMEM;
    /* what was recorded stands, even an undo from before undos were
     * checked (load turns this off) */
    pb_case_set_old_record(cf->c, 1);
    if ((st = pb_case_set_agent(cf->c, pb_scenario_agent(s),
                                pb_scenario_team(s), err)) != PB_OK)
        return st;
    if ((cf->id = strdup(pb_scenario_id(s))) == NULL ||
        (cf->title = strdup(pb_scenario_title(s))) == NULL)
        return nomem(err);
    for (i = 0; i < pb_scenario_nfacts(s); i++) {
        const char *name, *value;

        pb_scenario_fact(s, i, &name, &value, &line);
        if ((st = pb_case_set_fact(cf->c, name, value, err)) != PB_OK)
            return at_line(err, st, cf->path, line);
    }
    for (i = 0; i < pb_scenario_nevents(s); i++) {
        pb_scenario_event(s, i, &ev, &line);
        st = record(cf, ev.t, ev.type, ev.text, ev.attrs, ev.nattrs, err);
        if (st != PB_OK)
            return at_line(err, st, cf->path, line);
    }
    cf->file_exists = 1;
    cf->in_file = cf->nrec;
    return PB_OK;
}

/* One journal record: the next recorded event, unless FILE has it. */
static pb_status on_record(void *ud, unsigned long long index,
                           const char *payload, size_t len, pb_error *err)
{
    pb_casefile *cf = ud;
    pb__journal_event ev;
    pb_status st;
    char where[64];

    if (index < cf->in_file)
        return PB_OK; /* rewritten into FILE before the journal was cut */
    if (index != cf->nrec)
        return pb__error(err, PB_INPUT, cf->jpath, 0, "the next record "
                         "is for event %llu, but the case has %zu events: "
                         "events are missing", index, cf->nrec);
    if (pb__journal_event_decode(payload, len, &ev) != 0)
        return pb__error(err, PB_INPUT, cf->jpath, 0, "record for event "
                         "%llu is not an event (a journal of another "
                         "version?)", index);
    /* What pb_casefile_append would have refused was not written by it. */
    st = check_saveable(ev.text, ev.attrs, ev.nattrs, err);
    if (st == PB_OK)
        st = record(cf, ev.t, ev.type, ev.text, ev.attrs, ev.nattrs, err);
    pb__journal_event_free(&ev);
    if (st != PB_OK && err != NULL) {
        snprintf(where, sizeof where, "record for event %llu: ", index);
        reword(err, cf->jpath, where, "");
    }
    return st;
}

/*
 * FILE, then the journal's records after it.  The journal bytes are
 * read before FILE by the caller: FILE only grows by rewrites that come
 * before the journal is cut, so a journal older than FILE is merely
 * skipped, never missing events.  *from_journal tells a failure of the
 * journal from one of FILE.
 */
static pb_status load(pb_casefile *cf, const pb_casefile_opts *o,
                      const char *jbuf, size_t jlen, size_t *valid,
                      pb_error *warn, int *from_journal, pb_error *err)
{
    struct stat sb;
    pb_status st;

    *from_journal = 0;
    *valid = 0;
    if (stat(cf->path, &sb) == 0) {
        st = from_file(cf, err);
    } else if (errno != ENOENT) {
        st = pb__error(err, PB_IO, cf->path, 0, "cannot read: %s",
                       strerror(errno));
    } else if (jlen > 0) {
        *from_journal = 1;
        st = pb__error(err, PB_INPUT, cf->jpath, 0, "journal without its "
                       "case file %s: restore the case file, or move the "
                       "journal away to start again", cf->path);
    } else {
        st = create(cf, o, err);
    }
    if (st != PB_OK)
        return st;
    *from_journal = 1;
    st = pb__journal_scan(cf->jpath, jbuf, jlen, on_record, cf, valid, warn,
                         err);
    if (st != PB_OK)
        return st;
    *from_journal = 0;
    pb_case_set_old_record(cf->c, 0);   /* new events are held to it */
    cf->started = pb_case_started(cf->c);
    cf->saved = cf->queued = cf->nrec;
    cf->journal_used = *valid > 0;
    return PB_OK;
}

/* A copy of a journal that will not load, for whoever repairs it. */
static void keep_damaged(pb_casefile *cf, const char *buf, size_t len,
                         pb_error *err)
{
    const pb_io *io = &cf->io;
    char stamp[32], *copy, msg[512];
    time_t now = time(NULL);
    struct tm tm;
    size_t n = strlen(cf->jpath) + 48;
    int fd, ok = 0;

    if ((copy = malloc(n)) == NULL || gmtime_r(&now, &tm) == NULL ||
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm) == 0) {
        free(copy);
        return;
    }
    snprintf(copy, n, "%s.damaged-%s", cf->jpath, stamp);
    fd = io->open(io->ctx, copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                  0644);
    if (fd >= 0) {
        const char *p = buf;
        size_t left = len;
        long w = 0;

        while (left > 0 && (w = io->write(io->ctx, fd, p, left)) > 0) {
            p += w;
            left -= (size_t)w;
        }
        ok = left == 0 && io->fsync(io->ctx, fd) == 0;
        io->close(io->ctx, fd);
    } else if (errno == EEXIST) {
        ok = 1; /* made this very second by an earlier attempt */
    }
    if (err != NULL) {
        snprintf(msg, sizeof msg, "; nothing was changed%s%s",
                 ok ? ", a copy is kept as " : " (and no copy could be "
                 "made)", ok ? pb__file_name(copy) : "");
        reword(err, err->file, "", msg);
    }
    free(copy);
}

/* A started_at the clock cannot count from (a file written by hand, or
 * a client's start taken before starts were checked) would refuse every
 * event or give each the same time: events take the last one's time, as
 * without started_at, and opening says so. */
static pb_status check_start(pb_casefile *cf)
{
    const char *name, *value;
    pb_error why, w;
    size_t i;

    for (i = 0; i < pb_case_ninitial(cf->c); i++) {
        pb_case_initial(cf->c, i, &name, &value);
        if (pb_fact_check_initial(name, value, (double)time(NULL), &why) ==
            PB_OK)
            continue;
        cf->started = -1;
        pb__error(&w, PB_INPUT, cf->path, 0, "%s; events take the time of "
                  "the last one", why.message);
        return add_warning(cf, &w);
    }
    return PB_OK;
}

pb_status pb_casefile_open(pb_engine *e, const char *path,
                           const pb_casefile_opts *opts, pb_casefile **out,
                           pb_error *err)
{
    pb_casefile *cf = casefile_new(e, path, opts);
    char *jbuf = NULL;
    size_t jlen = 0, valid;
    pb_error warn;
    pb_status st;
    int from_journal;

    *out = NULL;
    if (cf == NULL)
        return nomem(err);
    st = pb__journal_open(cf->jpath, &cf->io, opts ? opts->wait : 0, &cf->j,
                         err);
    if (st == PB_STATE) {
        pb__error(err, PB_STATE, "", 0, "case %s is in use by another "
                  "session", path);
        goto fail;
    }
    if (st != PB_OK ||
        (st = pb__journal_contents(cf->j, &jbuf, &jlen, err)) != PB_OK)
        goto fail;
    st = load(cf, opts, jbuf, jlen, &valid, &warn, &from_journal, err);
    if (st != PB_OK) {
        if (from_journal)
            keep_damaged(cf, jbuf, jlen, err);
        goto fail;
    }
    if (warn.message[0] != '\0') {
        if (add_warning(cf, &warn) != PB_OK) {
            st = nomem(err);
            goto fail;
        }
        /* Cut the torn bytes now; failing that, before the next write. */
        pb__journal_truncate(cf->j, valid, NULL);
    }
    if ((st = check_start(cf)) != PB_OK) {
        nomem(err);
        goto fail;
    }
    free(jbuf);
    *out = cf;
    return PB_OK;
fail:
    free(jbuf);
    pb_casefile_free(cf);
    return st;
}

/* What a file looked like, to notice a writer at work while we read. */
typedef struct snap {
    int exists, error;
    struct stat sb;
} snap;

static void take_snap(const char *path, snap *s)
{
    memset(s, 0, sizeof *s);
    s->exists = stat(path, &s->sb) == 0;
    s->error = s->exists ? 0 : errno;
}

static int same_snap(const snap *a, const snap *b)
{
    if (a->exists != b->exists)
        return 0;
    return !a->exists ||
           (a->sb.st_ino == b->sb.st_ino && a->sb.st_size == b->sb.st_size &&
            a->sb.st_mtim.tv_sec == b->sb.st_mtim.tv_sec &&
            a->sb.st_mtim.tv_nsec == b->sb.st_mtim.tv_nsec);
}

/* One attempt at FILE and its journal, into cf; *moved when either
 * changed meanwhile. */
static pb_status read_once(pb_casefile *cf, pb_error *warn, pb_error *err,
                           int *moved)
{
    char *jbuf = NULL;
    size_t jlen = 0, valid;
    snap j0, j1, f0, f1;
    struct stat sb;
    pb_status st;
    int from_journal;

    *moved = 0;
    take_snap(cf->jpath, &j0);
    take_snap(cf->path, &f0);
    /* Not through a symlink, as a session would not (journal.c): it
     * could name any file the reader may read. */
    if (lstat(cf->jpath, &sb) == 0 && S_ISLNK(sb.st_mode))
        return pb__error(err, PB_INPUT, cf->jpath, 0, "the journal is a "
                         "symbolic link; it must be a plain file");
    if (j0.exists) {
        st = pb__read_input(cf->jpath, 1, PB__JOURNAL_MAX_BYTES, &jbuf,
                            &jlen, err);
        /* removed since: a session closed it after a rewrite of FILE */
        if (st == PB_IO && stat(cf->jpath, &j1.sb) != 0 && errno == ENOENT)
            st = PB_OK;
        if (st != PB_OK)
            goto done;
    }
    if (!f0.exists) {
        st = pb__error(err, PB_IO, cf->path, 0, "cannot read: %s",
                       strerror(f0.error));
        goto done;
    }
    st = load(cf, NULL, jbuf, jlen, &valid, warn, &from_journal, err);
    take_snap(cf->jpath, &j1);
    take_snap(cf->path, &f1);
    *moved = !same_snap(&j0, &j1) || !same_snap(&f0, &f1);
done:
    free(jbuf);
    return st;
}

/*
 * FILE and its journal without locking or changing them.  Reading the
 * journal before FILE is always consistent, but a journal cut and
 * rewritten during a read could look damaged: when anything moved
 * meanwhile, read again (a few times; a busy session then gets the last
 * reading, which is still consistent).
 */
static pb_status read_case(pb_engine *e, const pb_schema *schema,
                           const char *path, pb_casefile **out,
                           pb_error *warn, pb_error *err)
{
    pb_casefile *cf;
    pb_status st;
    int tries, moved;

    for (tries = 0;; tries++) {
        if ((cf = casefile_new(e, path, NULL)) == NULL)
            return nomem(err);
        cf->schema = schema;
        st = read_once(cf, warn, err, &moved);
        if (st == PB_OK && (!moved || tries == 2)) {
            *out = cf;
            return PB_OK;
        }
        pb_casefile_free(cf);
        if (!moved || tries == 2)
            return st;
    }
}

pb_status pb_casefile_read(pb_engine *e, const char *path, pb_case **out,
                           pb_error *warn, pb_error *err)
{
    pb_casefile *cf;
    pb_status st;

    *out = NULL;
    if ((st = read_case(e, NULL, path, &cf, warn, err)) != PB_OK)
        return st;
    *out = cf->c;
    cf->c = NULL;
    pb_casefile_free(cf);
    return PB_OK;
}

/* How much of a case file's head pb_casefile_agent reads: the writer
 * puts <case> right after <scenario>, its facts after its attributes. */
#define AGENT_HEAD 4096

static pb_status unclear(pb_error *err, const char *path)
{
    return pb__error(err, PB_INPUT, path, 0, "no plain <case agent> in "
                     "the file's first %d bytes", AGENT_HEAD);
}

pb_status pb_casefile_agent(const char *path, char *out, size_t size,
                            pb_error *err)
{
    static const char space[] = " \t\r\n";
    char head[AGENT_HEAD + 1];
    const char *p, *name, *v;
    size_t n = 0, len;
    ssize_t got = 1;
    pb_status st;
    char quote;
    int fd;

    if ((st = pb__open_input(path, 1, &fd, err)) != PB_OK)
        return st;
    while (n < AGENT_HEAD && (got = read(fd, head + n, AGENT_HEAD - n)) > 0)
        n += (size_t)got;
    close(fd);
    if (got < 0)
        return pb__error(err, PB_IO, path, 0, "cannot read: %s",
                         strerror(errno));
    head[n] = '\0';
    for (p = head; (p = strstr(p, "<case")) != NULL; p += 5)
        if (p[5] != '\0' && strchr(" \t\r\n/>", p[5]) != NULL)
            break;
    if (p == NULL)
        return unclear(err, path);
    /* its attributes, up to the tag's end: agent's value, or none */
    for (p += 5;;) {
        p += strspn(p, space);
        if (*p == '>' || *p == '/') {
            *out = '\0';
            return PB_OK;
        }
        name = p;
        p += strcspn(p, "= \t\r\n>");
        len = (size_t)(p - name);
        p += strspn(p, space);
        if (*p++ != '=')
            return unclear(err, path);
        p += strspn(p, space);
        if (*p != '"' && *p != '\'')
            return unclear(err, path);
        quote = *p++;
        v = p;
        if ((p = strchr(p, quote)) == NULL)
            return unclear(err, path);
        if (len == 5 && memcmp(name, "agent", 5) == 0) {
            /* a reference or a character XML would change: not plain */
            if ((size_t)(p - v) >= size || strcspn(v, "&<\t\r\n") <
                                               (size_t)(p - v))
                return unclear(err, path);
            memcpy(out, v, (size_t)(p - v));
            out[p - v] = '\0';
            return PB_OK;
        }
        p++;
    }
}

pb_status pb_casefile_scenario(pb_engine *e, const pb_schema *schema,
                               const char *path, pb_scenario **out,
                               pb_error *warn, pb_error *err)
{
    pb_casefile *cf;
    pb_event_info ev;
    struct stat sb;
    pb_error local;
    char *jpath;
    size_t i, n = strlen(path) + 9;
    pb_status st;
    int alone;

    *out = NULL;
    if (warn == NULL)
        warn = &local;
    pb__error(warn, PB_OK, "", 0, "%s", "");
    if ((jpath = malloc(n)) == NULL)
        return nomem(err);
    snprintf(jpath, n, "%s.journal", path);
    /* No journal, or an empty one: a scenario like any other, without
     * building its case. */
    alone = lstat(jpath, &sb) != 0 ? errno == ENOENT
                                   : S_ISREG(sb.st_mode) && sb.st_size == 0;
    free(jpath);
    if (alone)
        return pb_scenario_read_with(schema, path, out, err);
    if ((st = read_case(e, schema, path, &cf, warn, err)) != PB_OK)
        return st;
    /* The journal's events, as the case recorded them after FILE's. */
    for (i = cf->in_file; i < cf->nrec && st == PB_OK; i++) {
        pb_case_event(cf->c, cf->rec[i], &ev);
        st = pb__scenario_add_event(cf->meta, ev.t, ev.type, ev.text,
                                    ev.attrs, ev.nattrs);
    }
    if (st == PB_OK) {
        *out = cf->meta;
        cf->meta = NULL;
    } else {
        st = nomem(err);
    }
    pb_casefile_free(cf);
    return st;
}

static pb__case_header header(const pb_casefile *cf)
{
    pb__case_header h;

    h.id = cf->id;
    h.title = cf->title;
    h.description = cf->meta ? pb_scenario_description(cf->meta) : NULL;
    h.expect = cf->meta;
    return h;
}

pb_status pb_casefile_compact(pb_casefile *cf, pb_error *err)
{
    pb__case_header h = header(cf);
    pb_status st;

    if (cf->j == NULL)
        return pb__error(err, PB_STATE, cf->path, 0, "not open for "
                         "writing");
    if ((st = pb__case_save(cf->c, &h, cf->path, &cf->io, err)) != PB_OK)
        return st;
    cf->file_exists = 1;
    cf->in_file = cf->saved = cf->queued = cf->nrec;
    /* Records left behind (the cut failed) are skipped by index. */
    cf->journal_used = pb__journal_truncate(cf->j, 0, NULL) != PB_OK;
    return PB_OK;
}

pb_status pb_casefile_save(pb_casefile *cf, pb_error *err)
{
    pb_event_info ev;
    char *payload;
    size_t len = 0;
    pb_status st;

    if (cf->j == NULL)
        return pb__error(err, PB_STATE, cf->path, 0, "not open for "
                         "writing");
    if (cf->saved == cf->nrec)
        return PB_OK;
    /* Until FILE exists, a journal would not say which case it is. */
    if (!cf->file_exists)
        return pb_casefile_compact(cf, err);
    for (; cf->queued < cf->nrec; cf->queued++) {
        pb_case_event(cf->c, cf->rec[cf->queued], &ev);
        if ((st = pb__journal_event_encode(&ev, &payload, &len, err)) !=
            PB_OK)
            return st;
        st = pb__journal_add(cf->j, cf->queued, payload, len, err);
        free(payload);
        if (st != PB_OK)
            return st;
    }
    cf->journal_used = 1;
    st = cf->nosync ? pb__journal_write(cf->j, err)
                    : pb__journal_sync(cf->j, err);
    if (st != PB_OK)
        return st;
    cf->saved = cf->nrec;
    return PB_OK;
}

pb_status pb_casefile_check(const pb_casefile *cf, double t,
                            const pb_new_event *ev, size_t n, size_t *at,
                            pb_error *err)
{
    size_t i, bytes = 0;
    pb_status st;

    for (i = 0; i < n; i++)
        if (file_takes(cf, &ev[i], &bytes, NULL) != PB_OK)
            break;
    /* the first refused: by the case, or the first the file cannot take */
    st = pb_case_check_batch(cf->c, canonical_time(t), ev, i, at, err);
    if (st != PB_OK || i == n)
        return st;
    *at = i;
    return file_takes(cf, &ev[i], &bytes, err);
}

pb_status pb_casefile_append(pb_casefile *cf, double t, const char *type,
                             const char *text, const pb_attr *attrs,
                             size_t nattrs, pb_error *err)
{
    char *trim = NULL;
    pb_status st;
    int oom;

    if (cf->j == NULL)
        return pb__error(err, PB_STATE, cf->path, 0, "not open for "
                         "writing");
    if ((st = check_saveable(text, attrs, nattrs, err)) != PB_OK ||
        (st = pb_fact_check_event(type, attrs, nattrs, err)) != PB_OK)
        return st;
    trim = trimmed(text, &oom);
    if (oom)
        return nomem(err);
    st = record(cf, canonical_time(t), type, trim, attrs, nattrs, err);
    free(trim);
    if (st != PB_OK)
        return st;
    if ((st = pb_casefile_save(cf, err)) != PB_OK)
        return st; /* in memory, pending; the next call retries */
    /* Bounds the journal, hence the replay at the next open.  A failed
     * rewrite loses nothing: the journal has it all. */
    if (cf->nrec - cf->in_file >= cf->compact_every &&
        cf->nrec >= cf->compact_after &&
        pb_casefile_compact(cf, NULL) != PB_OK)
        cf->compact_after = cf->nrec + cf->compact_every;
    return PB_OK;
}

pb_status pb_casefile_close(pb_casefile *cf, pb_error *err)
{
    pb_status st;

    if (cf == NULL)
        return PB_OK;
    if (cf->j != NULL && (!cf->file_exists || cf->in_file != cf->nrec ||
                          cf->journal_used)) {
        if ((st = pb_casefile_compact(cf, err)) != PB_OK) {
            pb_casefile_save(cf, NULL); /* the journal, at least */
            return st;
        }
    }
    pb_casefile_free(cf);
    return PB_OK;
}

void pb_casefile_free(pb_casefile *cf)
{
    size_t i;

    if (cf == NULL)
        return;
    pb__journal_free(cf->j);
    pb_case_free(cf->c);
    pb_scenario_free(cf->meta);
    for (i = 0; i < cf->nwarnings; i++)
        free(cf->warnings[i]);
    free(cf->warnings);
    free(cf->rec);
    free(cf->path);
    free(cf->jpath);
    free(cf->id);
    free(cf->title);
    free(cf);
}

const pb_case *pb_casefile_case(const pb_casefile *cf) { return cf->c; }
const char *pb_casefile_path(const pb_casefile *cf) { return cf->path; }
size_t pb_casefile_nrecorded(const pb_casefile *cf) { return cf->nrec; }
size_t pb_casefile_nwarnings(const pb_casefile *cf) { return cf->nwarnings; }

size_t pb_casefile_pending(const pb_casefile *cf)
{
    return cf->nrec - cf->saved;
}

const char *pb_casefile_warning(const pb_casefile *cf, size_t i)
{
    return i < cf->nwarnings ? cf->warnings[i] : NULL;
}

double pb_casefile_now(const pb_casefile *cf)
{
    size_t n = pb_case_nevents(cf->c);
    double last = 0, t, back;
    pb_event_info ev;
    struct timespec ts;
    char ms[PB__MS_TEXT];

    if (n > 0) {
        pb_case_event(cf->c, n - 1, &ev);
        last = ev.t;
    }
    if (cf->started < 0 || clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return last;
    t = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - cf->started;
    /* A start too long ago (a file written by hand, or before clients'
     * starts were checked) would give times no event may have. */
    if (t > PB_TIME_MAX)
        return last;
    /* Milliseconds are plenty, read back from their text: the time as
     * the file will give it (canonical_time), without looking for the
     * shortest text of a time between two milliseconds. */
    if (t >= 0 && t <= PB_TIME_MAX) {
        pb__ms_text(llround(t * 1000), ms);
        if (pb_time_parse(ms, &back) == PB_OK)
            t = back;
    }
    return t > last ? t : last;
}
