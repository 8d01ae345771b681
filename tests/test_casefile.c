/*
 * test_casefile.c -- case files: written as scenarios that replay to the
 * same checklist, resumed from FILE plus the journal after a crash (torn
 * tail at every byte, damage kept aside, records FILE already has
 * skipped), saves that fail (injected, and a full tmpfs when allowed)
 * keeping the case in memory until a later save, and the lock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"
#include "playbook.h"
#include "writer.h"

/* Injected I/O (as in test_journal.c): real calls, logged, and a chosen
 * one failing.  The state is the context, not a global. */
enum { OP_NONE, OP_OPEN, OP_WRITE, OP_FSYNC, OP_TRUNC, OP_RENAME };

typedef struct fake {
    pb_io io;
    int fail_op, fail_errno, fail_times; /* fail_times < 0: always */
    char paths[64][64];
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

    if (n + 200 < sizeof f->log)
        snprintf(f->log + n, sizeof f->log - n, "%s%s:%s", n ? " " : "", op,
                 what);
}

static int failing(fake *f, int op)
{
    if (f->fail_op != op || f->fail_times == 0)
        return 0;
    if (f->fail_times > 0)
        f->fail_times--;
    errno = f->fail_errno;
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
    if (failing(f, OP_OPEN))
        return -1;
    fd = open(path, flags, (mode_t)mode);
    if (fd >= 0 && fd < 64)
        snprintf(f->paths[fd], sizeof f->paths[fd], "%s", base(path));
    return fd;
}

static long f_write(void *ctx, int fd, const void *buf, size_t len)
{
    fake *f = ctx;

    note(f, "write", fd_name(f, fd));
    return failing(f, OP_WRITE) ? -1 : (long)write(fd, buf, len);
}

static int f_fsync(void *ctx, int fd)
{
    fake *f = ctx;

    note(f, "fsync", fd_name(f, fd));
    return failing(f, OP_FSYNC) ? -1 : fsync(fd);
}

static int f_ftruncate(void *ctx, int fd, long long len)
{
    fake *f = ctx;

    note(f, "ftruncate", fd_name(f, fd));
    return failing(f, OP_TRUNC) ? -1 : ftruncate(fd, (off_t)len);
}

static int f_rename(void *ctx, const char *from, const char *to)
{
    fake *f = ctx;

    note(f, "rename", base(to));
    return failing(f, OP_RENAME) ? -1 : rename(from, to);
}

static int f_close(void *ctx, int fd)
{
    fake *f = ctx;

    note(f, "close", fd_name(f, fd));
    return close(fd);
}

static void fail_next(fake *f, int op, int err, int times)
{
    f->fail_op = op;
    f->fail_errno = err;
    f->fail_times = times;
    f->log[0] = '\0';
}

/* Fixture: an engine with a small principle (and a detector), a folder,
 * a case path in it. */
static const char small_src[] =
    "return principle {\n"
    "  id = 'p', order = 1,\n"
    "  items = {\n"
    "    { id = 'heard', must = true,\n"
    "      done = function(c) return c:has('customer.said') end },\n"
    "    { id = 'greeted', must = true, after = { 'heard' },\n"
    "      done = function(c) return c:has('agent.greeted') end },\n"
    "    { id = 'order', collects = 'order_id' },\n"
    "  },\n"
    "  detect = {\n"
    "    { on = 'agent.said', pattern = { 'hello' },\n"
    "      emit = 'agent.greeted' },\n"
    "  },\n"
    "}\n";

typedef struct fixture {
    pb_engine *e;
    char dir[64], path[256], jpath[272], mnt[128];
    fake f;
    pb_casefile_opts o;
} fixture;

static int setup(void **state)
{
    fixture *x = calloc(1, sizeof *x);
    pb_error err;

    if (x == NULL)
        return -1;
    snprintf(x->dir, sizeof x->dir, "/tmp/pb-casefile-XXXXXX");
    if (mkdtemp(x->dir) == NULL)
        return -1;
    snprintf(x->path, sizeof x->path, "%s/case.xml", x->dir);
    snprintf(x->jpath, sizeof x->jpath, "%s.journal", x->path);
    x->e = pb_engine_new();
    if (x->e == NULL || pb_engine_load_buffer(x->e, "small.lua", small_src,
                                              strlen(small_src), &err) !=
                            PB_OK)
        return -1;
    x->f.io.open = f_open;
    x->f.io.write = f_write;
    x->f.io.fsync = f_fsync;
    x->f.io.ftruncate = f_ftruncate;
    x->f.io.rename = f_rename;
    x->f.io.close = f_close;
    x->f.io.ctx = &x->f;
    x->o.topic = "delivery";
    x->o.channel = "phone";
    x->o.io = &x->f.io;
    x->o.compact_every = 100;
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    fixture *x = *state;
    char cmd[128];

    pb_engine_free(x->e);
    if (x->mnt[0] != '\0')
        umount(x->mnt); /* a failed check left it mounted */
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", x->dir);
    if (system(cmd) != 0)
        return -1;
    free(x);
    return 0;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc(1 << 20);

    assert_non_null(f);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

static void spill(const char *path, const char *buf, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static long file_size(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

static pb_casefile *open_ok(fixture *x)
{
    pb_casefile *cf;
    pb_error err;
    char buf[1200];
    pb_status st = pb_casefile_open(x->e, x->path, &x->o, &cf, &err);

    if (st != PB_OK)
        fail_msg("open: %s", pb_error_text(&err, buf, sizeof buf));
    return cf;
}

static void add(pb_casefile *cf, double t, const char *type,
                const char *text)
{
    pb_error err;
    char buf[1200];

    if (pb_casefile_append(cf, t, type, text, NULL, 0, &err) != PB_OK)
        fail_msg("append %s: %s", type,
                 pb_error_text(&err, buf, sizeof buf));
}

static void close_ok(pb_casefile *cf)
{
    pb_error err;
    char buf[1200];

    if (pb_casefile_close(cf, &err) != PB_OK)
        fail_msg("close: %s", pb_error_text(&err, buf, sizeof buf));
}

/* Events and item states the same, detected ones included. */
static void same_case(const pb_engine *e, const pb_case *a, const pb_case *b)
{
    pb_event_info x, y;
    pb_item_info ia, ib;
    size_t i, k;

    assert_int_equal(pb_case_nevents(a), pb_case_nevents(b));
    for (i = 0; i < pb_case_nevents(a); i++) {
        pb_case_event(a, i, &x);
        pb_case_event(b, i, &y);
        assert_true(x.t == y.t);
        assert_string_equal(x.type, y.type);
        assert_true((x.text == NULL) == (y.text == NULL));
        if (x.text)
            assert_string_equal(x.text, y.text);
        assert_true((x.detected_by == NULL) == (y.detected_by == NULL));
        assert_int_equal(x.nattrs, y.nattrs);
        for (k = 0; k < x.nattrs; k++) {
            assert_string_equal(x.attrs[k].name, y.attrs[k].name);
            assert_string_equal(x.attrs[k].value, y.attrs[k].value);
        }
    }
    for (i = 0; i < pb_engine_nitems(e); i++) {
        pb_case_item(a, i, &ia);
        pb_case_item(b, i, &ib);
        assert_int_equal(ia.state, ib.state);
        assert_true(ia.done_at == ib.done_at);
        assert_true(ia.violated_at == ib.violated_at);
    }
}

/* Round trips. */

static int is_xml(const struct dirent *d)
{
    size_t n = strlen(d->d_name);

    return n > 4 && strcmp(d->d_name + n - 4, ".xml") == 0;
}

/* Every bundled scenario: replay, write, read, replay: the same. */
static void scenarios_round_trip(void **state)
{
    struct dirent **names;
    pb_engine *e = pb_engine_new();
    pb_error err;
    char path[512], buf[1200];
    int n, i;
    size_t k;

    (void)state;
    assert_non_null(e);
    assert_int_equal(pb_engine_load(e, "principles", &err), PB_OK);
    n = scandir("scenarios", &names, is_xml, alphasort);
    assert_true(n > 5);
    for (i = 0; i < n; i++) {
        pb_scenario *s, *s2;
        pb_replay *r, *r2;
        pb__case_header h;
        char *xml;
        size_t len;

        snprintf(path, sizeof path, "scenarios/%s", names[i]->d_name);
        free(names[i]);
        assert_int_equal(pb_scenario_read(path, &s, &err), PB_OK);
        if (pb_replay_run(e, s, &r, &err) != PB_OK)
            fail_msg("%s", pb_error_text(&err, buf, sizeof buf));
        h.id = pb_scenario_id(s);
        h.title = pb_scenario_title(s);
        h.description = pb_scenario_description(s);
        h.expect = s;
        assert_int_equal(pb__case_xml(pb_replay_case(r), &h, &xml, &len,
                                     &err), PB_OK);
        if (pb_scenario_parse(path, xml, len, &s2, &err) != PB_OK)
            fail_msg("%s\n%s", pb_error_text(&err, buf, sizeof buf), xml);
        assert_int_equal(pb_replay_run(e, s2, &r2, &err), PB_OK);
        same_case(e, pb_replay_case(r), pb_replay_case(r2));
        assert_string_equal(pb_scenario_id(s2), pb_scenario_id(s));
        assert_int_equal(pb_scenario_nexpects(s2), pb_scenario_nexpects(s));
        assert_int_equal(pb_replay_nresults(r2), pb_replay_nresults(r));
        for (k = 0; k < pb_replay_nresults(r); k++)
            assert_int_equal(pb_replay_result(r2, k)->met,
                             pb_replay_result(r, k)->met);
        /* only recorded events are written */
        assert_int_equal(pb_scenario_nevents(s2), pb_scenario_nevents(s));
        free(xml);
        pb_replay_free(r);
        pb_replay_free(r2);
        pb_scenario_free(s);
        pb_scenario_free(s2);
    }
    free(names);
    pb_engine_free(e);
}

/* Markup, quotes, newlines, tabs, CR, non-ASCII, odd times. */
static void awkward_text_round_trip(void **state)
{
    static const pb_attr attrs[] = {
        {"note", " a\nb\tc\rd <&> \"q\" 'a' "}, {"due", "tomorrow 10:00"}};
    static const double times[] = {0, 0.001, 1.5, 12.345, 59.999, 3600.25,
                                   86399.125, 1e6 + 0.1};
    fixture *x = *state;
    pb_case *c = pb_case_new(x->e, "billing & <co>", "\"chat\"", NULL);
    pb__case_header h = {"id \"1\" <&>", "Title: ünïcødé 😀", "d\nd",
                        NULL};
    pb_scenario *s;
    pb_replay *r;
    pb_error err;
    char *xml, buf[1200];
    size_t len, i;

    assert_non_null(c);
    assert_int_equal(pb_case_set_fact(c, "tier", "gold & <silver>", &err),
                     PB_OK);
    for (i = 0; i < sizeof times / sizeof *times; i++)
        assert_int_equal(pb_case_append(c, times[i], i % 2 ? "agent.said"
                                                           : "customer.said",
                                        "<b>&amp;</b> \"x\"\n\tline2\r\n"
                                        "ünï 😀 ]]>", attrs, 2, &err),
                         PB_OK);
    assert_int_equal(pb_case_append(c, 1e6 + 1, "agent.said", "Hello there",
                                    NULL, 0, &err), PB_OK);
    assert_int_equal(pb__case_xml(c, &h, &xml, &len, &err), PB_OK);
    if (pb_scenario_parse("mem", xml, len, &s, &err) != PB_OK)
        fail_msg("%s\n%s", pb_error_text(&err, buf, sizeof buf), xml);
    assert_string_equal(pb_scenario_id(s), h.id);
    assert_string_equal(pb_scenario_title(s), h.title);
    assert_string_equal(pb_scenario_topic(s), "billing & <co>");
    assert_string_equal(pb_scenario_channel(s), "\"chat\"");
    assert_int_equal(pb_replay_run(x->e, s, &r, &err), PB_OK);
    same_case(x->e, c, pb_replay_case(r));
    assert_null(strstr(xml, "agent.greeted")); /* detected: not written */
    free(xml);
    pb_replay_free(r);
    pb_scenario_free(s);
    /* What XML cannot hold is refused, not written broken. */
    assert_int_equal(pb_case_append(c, 1e6 + 2, "agent.said", "bell \a",
                                    NULL, 0, &err), PB_OK);
    assert_int_equal(pb__case_xml(c, &h, &xml, &len, &err), PB_INPUT);
    assert_null(xml);
    pb_case_free(c);
    /* Attribute names that are not XML names, from pb_case_append. */
    for (i = 0; i < 3; i++) {
        static const char *const names[] = {"(", "1st", "a:b"};
        pb_attr a = {names[i], "v"};

        assert_non_null(c = pb_case_new(x->e, "billing", NULL, NULL));
        assert_int_equal(pb_case_append(c, 1, "agent.said", "hi", &a, 1,
                                        &err), PB_OK);
        assert_int_equal(pb__case_xml(c, &h, &xml, &len, &err), PB_INPUT);
        assert_non_null(strstr(err.message, "cannot be saved"));
        pb_case_free(c);
    }
}

/* Sessions. */

static void create_append_reopen(void **state)
{
    static const pb_attr fact[] = {{"name", "order_id"}};
    fixture *x = *state;
    pb_casefile *cf = open_ok(x);
    const pb_case *c;
    pb_case *copy, *again;
    pb_scenario *s;
    pb_error err, warn;
    double started;

    assert_int_equal(access(x->path, F_OK), -1); /* nothing yet */
    add(cf, 1, "customer.said", "  My parcel is late  ");
    assert_int_equal(access(x->path, F_OK), 0); /* created with it */
    add(cf, 2, "agent.said", "Hello, sorry to hear that");
    assert_int_equal(pb_casefile_append(cf, 3, "fact", "A-1042", fact, 1,
                                        &err), PB_OK);
    c = pb_casefile_case(cf);
    assert_int_equal(pb_casefile_nrecorded(cf), 3);
    assert_int_equal(pb_case_nevents(c), 4); /* agent.greeted detected */
    started = pb_case_started(c);
    assert_true(started > 1e9 && started <= (double)time(NULL));
    assert_int_equal(pb_casefile_read(x->e, x->path, &copy, &warn, &err),
                     PB_OK);
    same_case(x->e, c, copy);
    close_ok(cf);
    assert_int_equal(access(x->jpath, F_OK), -1); /* journal gone */
    assert_int_equal(pb_casefile_read(x->e, x->path, &again, &warn, &err),
                     PB_OK);
    same_case(x->e, copy, again);
    assert_true(pb_case_started(again) == started);
    assert_int_equal(pb_scenario_read(x->path, &s, &err), PB_OK);
    assert_int_equal(pb_scenario_nevents(s), 3); /* recorded only */
    assert_int_equal(pb_scenario_nfacts(s), 1);  /* started_at */
    assert_string_equal(pb_scenario_id(s), "case");
    assert_string_equal(pb_scenario_topic(s), "delivery");
    assert_string_equal(pb_scenario_channel(s), "phone");
    pb_scenario_free(s);
    pb_case_free(copy);
    pb_case_free(again);
}

/* started_at is the case's clock: a client gives it only as a time in
 * the past that events can count from, never as an event; a file that
 * holds a bad one (by hand, or from before) still takes events. */
static void reserved_facts(void **state)
{
    static const char *const bad[] = {
        "1970-01-01T00:00:00Z", "2099-01-01T00:00:00Z", "x", ""
    };
    static const pb_attr start_fact[] = {{"name", "started_at"}};
    fixture *x = *state;
    pb_attr given = {"started_at", NULL};
    char past[32], *xml, *at;
    time_t then = time(NULL) - 3600;
    pb_casefile *cf;
    pb_error err;
    struct tm tm;
    size_t i, len, where;
    pb_new_event fact_ev;
    double t;

    x->o.facts = &given;
    x->o.nfacts = 1;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        given.value = bad[i];
        assert_int_equal(pb_casefile_open(x->e, x->path, &x->o, &cf, &err),
                         PB_INPUT);
        assert_non_null(strstr(err.message, "started_at"));
        assert_int_equal(access(x->path, F_OK), -1);
        assert_int_equal(access(x->jpath, F_OK), -1);
    }
    /* a past start: the clock counts from it */
    assert_non_null(gmtime_r(&then, &tm));
    strftime(past, sizeof past, "%Y-%m-%dT%H:%M:%SZ", &tm);
    given.value = past;
    cf = open_ok(x);
    assert_int_equal(pb_casefile_nwarnings(cf), 0);
    t = pb_casefile_now(cf);
    assert_true(t >= 3599 && t < 3700);
    add(cf, t, "customer.said", "Hello?");
    /* never as an event */
    fact_ev.type = "fact";
    fact_ev.text = "2026-01-01";
    fact_ev.attrs = start_fact;
    fact_ev.nattrs = 1;
    assert_int_equal(pb_casefile_check(cf, t, &fact_ev, 1, &where, &err),
                     PB_INPUT);
    assert_int_equal(pb_casefile_append(cf, t, "fact", "2026-01-01",
                                        start_fact, 1, &err), PB_INPUT);
    assert_int_equal(pb_casefile_nrecorded(cf), 1);
    close_ok(cf);
    x->o.facts = NULL;
    x->o.nfacts = 0;
    /* a file whose start is 1970: a warning, and events still recorded
     * at the last one's time */
    xml = slurp(x->path, &len);
    xml[len] = '\0';
    assert_non_null(at = strstr(xml, past));
    memcpy(at, "1970-01-01T00:00:00Z", 20);
    spill(x->path, xml, len);
    free(xml);
    cf = open_ok(x);
    assert_int_equal(pb_casefile_nwarnings(cf), 1);
    assert_non_null(strstr(pb_casefile_warning(cf, 0), "started_at"));
    t = pb_casefile_now(cf);
    assert_true(t >= 3599 && t < 3700);  /* the last event's */
    add(cf, t, "agent.said", "Hi");
    assert_int_equal(pb_casefile_nrecorded(cf), 2);
    close_ok(cf);
}

static void rejected_events_change_nothing(void **state)
{
    static const pb_attr t_attr[] = {{"t", "5"}};
    static const pb_attr dup[] = {{"a", "1"}, {"a", "2"}};
    static const pb_attr bad_ref[] = {{"ref", "p.nope"}};
    static const pb_attr ctl[] = {{"a", "x\001"}};
    pb_attr many[PB_EVENT_MAX_ATTRS + 1];
    fixture *x = *state;
    pb_casefile *cf = open_ok(x);
    pb_event_info ev;
    pb_error err;
    char *before, *after;
    size_t blen, alen, i;

    add(cf, 1, "customer.said", "  hi  \n");
    pb_case_event(pb_casefile_case(cf), 0, &ev);
    assert_string_equal(ev.text, "hi"); /* as the file gives it back */
    before = slurp(x->path, &blen);
    assert_int_equal(pb_casefile_append(cf, 2, "x.y", NULL, t_attr, 1, &err),
                     PB_INPUT);
    assert_int_equal(pb_casefile_append(cf, 2, "x.y", NULL, dup, 2, &err),
                     PB_INPUT);
    assert_int_equal(pb_casefile_append(cf, 2, "item.checked", NULL, bad_ref,
                                        1, &err), PB_INPUT);
    assert_int_equal(pb_casefile_append(cf, 2, "item.skipped", NULL, NULL, 0,
                                        &err), PB_INPUT);
    assert_int_equal(pb_casefile_append(cf, 2, "x.y", NULL, ctl, 1, &err),
                     PB_INPUT);
    assert_int_equal(pb_casefile_append(cf, 2, "x.y", "\xff\xfe", NULL, 0,
                                        &err), PB_INPUT);
    assert_int_equal(pb_casefile_append(cf, 0.5, "x.y", NULL, NULL, 0,
                                        &err), PB_INPUT); /* backwards */
    assert_int_equal(pb_casefile_append(cf, 2, "fact", "v", NULL, 0, &err),
                     PB_INPUT);
    /* Counted before the names are compared pair by pair. */
    for (i = 0; i <= PB_EVENT_MAX_ATTRS; i++) {
        many[i].name = "a";
        many[i].value = "1";
    }
    assert_int_equal(pb_casefile_append(cf, 2, "x.y", NULL, many,
                                        PB_EVENT_MAX_ATTRS + 1, &err), PB_INPUT);
    assert_string_equal(err.message, "event has 33 attributes (at most 32)");
    assert_int_equal(pb_casefile_nrecorded(cf), 1);
    assert_int_equal(pb_casefile_pending(cf), 0);
    close_ok(cf);
    after = slurp(x->path, &alen);
    assert_int_equal(alen, blen);
    assert_memory_equal(before, after, alen);
    free(before);
    free(after);
}

/* A session that ends without closing (kill -9): FILE has the first
 * event, the journal the rest. */
static void crashed_session(fixture *x, int n)
{
    pb_casefile *cf = open_ok(x);
    int i;

    for (i = 0; i < n; i++)
        add(cf, i, i % 2 ? "agent.said" : "customer.said",
            i == 1 ? "hello" : "something");
    pb_casefile_free(cf); /* no close: as if killed */
    assert_true(file_size(x->jpath) > 0);
}

static void resume_from_journal(void **state)
{
    fixture *x = *state;
    pb_casefile *cf;
    pb_case *copy;
    pb_error err, warn;

    crashed_session(x, 4);
    /* a reader sees the journal too, and changes nothing */
    assert_int_equal(pb_casefile_read(x->e, x->path, &copy, &warn, &err),
                     PB_OK);
    assert_string_equal(warn.message, "");
    assert_int_equal(pb_case_nevents(copy), 5);
    cf = open_ok(x);
    assert_int_equal(pb_casefile_nwarnings(cf), 0);
    assert_int_equal(pb_casefile_nrecorded(cf), 4);
    same_case(x->e, copy, pb_casefile_case(cf));
    add(cf, 9, "case.resolved", NULL);
    close_ok(cf);
    pb_case_free(copy);
    assert_int_equal(pb_casefile_read(x->e, x->path, &copy, &warn, &err),
                     PB_OK);
    assert_int_equal(pb_case_nevents(copy), 6);
    pb_case_free(copy);
}

/* Through the journal: the same events as in memory, to the bit. */
static void journal_round_trip(void **state)
{
    static const pb_attr attrs[] = {{"due", "tomorrow\n10:00 <&>"},
                                    {"x-y.z", "\"q\" 'a' \t"}};
    fixture *x = *state;
    pb_casefile *cf = open_ok(x);
    pb_case *copy;
    pb_error err, warn;

    add(cf, 0.001, "customer.said", "first");
    assert_int_equal(pb_casefile_append(cf, 1.1, "agent.committed",
                                        "ünï 😀 \"q\" <&>\n\tsecond line",
                                        attrs, 2, &err), PB_OK);
    add(cf, 2.0000001, "agent.said", "hello \\ back/slash");
    add(cf, 86400.5, "customer.said", "a day later");
    assert_true(file_size(x->jpath) > 0); /* three of them in the journal */
    assert_int_equal(pb_casefile_read(x->e, x->path, &copy, &warn, &err),
                     PB_OK);
    same_case(x->e, pb_casefile_case(cf), copy);
    pb_case_free(copy);
    close_ok(cf);
    assert_int_equal(pb_casefile_read(x->e, x->path, &copy, &warn, &err),
                     PB_OK);
    assert_int_equal(pb_case_nevents(copy), 5);
    pb_case_free(copy);
}

/* The last record cut at every byte: dropped with a warning, the ones
 * before kept, the journal cut back so later records follow good ones. */
static void torn_tail_at_every_byte(void **state)
{
    fixture *x = *state;
    char *xml, *j;
    size_t xlen, jlen, cut, last;
    pb_casefile *cf;
    pb_case *copy;
    pb_error err, warn;

    crashed_session(x, 3); /* FILE: 1 event, journal: 2 records */
    xml = slurp(x->path, &xlen);
    j = slurp(x->jpath, &jlen);
    /* the last record starts after the first: find its magic */
    for (last = jlen - 1; last > 0; last--)
        if (memcmp(j + last, "\xffPBJ", 4) == 0)
            break;
    assert_true(last > 0);
    for (cut = last + 1; cut < jlen; cut++) {
        spill(x->jpath, j, cut);
        assert_int_equal(pb_casefile_read(x->e, x->path, &copy, &warn, &err),
                         PB_OK);
        assert_non_null(strstr(warn.message, "torn"));
        assert_int_equal(pb_case_nevents(copy), 2 + 1); /* + detected */
        pb_case_free(copy);
        cf = open_ok(x);
        assert_int_equal(pb_casefile_nwarnings(cf), 1);
        assert_non_null(strstr(pb_casefile_warning(cf, 0), "torn"));
        assert_int_equal(pb_casefile_nrecorded(cf), 2);
        assert_int_equal(file_size(x->jpath), (long)last);
        add(cf, 5, "agent.said", "after the crash");
        pb_casefile_free(cf);
        cf = open_ok(x);
        assert_int_equal(pb_casefile_nwarnings(cf), 0);
        assert_int_equal(pb_casefile_nrecorded(cf), 3);
        pb_casefile_free(cf);
        spill(x->path, xml, xlen);
    }
    free(xml);
    free(j);
}

static int count_damaged(const fixture *x)
{
    DIR *d = opendir(x->dir);
    struct dirent *de;
    int n = 0;

    assert_non_null(d);
    while ((de = readdir(d)) != NULL)
        n += strstr(de->d_name, ".journal.damaged-") != NULL;
    closedir(d);
    return n;
}

/*
 * pb_casefile_agent: whose case a file is, from its first kilobytes
 * alone (a server refuses another agent's case without opening it): the
 * agent it was made for, "" for none; not plainly said there (an escape
 * in the name, no <case> in the head), a link or no file: not told.
 */
static void agent_from_the_head(void **state)
{
    fixture *x = *state;
    static const char *const names[] = {"amira", NULL, "a&b"};
    char out[64], link[300], pad[6000];
    pb_casefile *cf;
    pb_error err;
    FILE *f;
    int i;

    for (i = 0; i < 3; i++) {
        unlink(x->path);
        x->o.agent = names[i];
        assert_int_equal(pb_casefile_open(x->e, x->path, &x->o, &cf, &err),
                         PB_OK);
        assert_int_equal(pb_casefile_append(cf, 1, "customer.said", "hi",
                                            NULL, 0, &err), PB_OK);
        assert_int_equal(pb_casefile_close(cf, &err), PB_OK);
        strcpy(out, "?");
        if (i < 2) {
            assert_int_equal(pb_casefile_agent(x->path, out, sizeof out,
                                               &err), PB_OK);
            assert_string_equal(out, names[i] ? names[i] : "");
        } else {    /* written a&amp;b */
            assert_int_equal(pb_casefile_agent(x->path, out, sizeof out,
                                               &err), PB_INPUT);
        }
    }
    x->o.agent = NULL;
    /* a name longer than the room for it */
    unlink(x->path);
    x->o.agent = "amira";
    assert_int_equal(pb_casefile_open(x->e, x->path, &x->o, &cf, &err),
                     PB_OK);
    assert_int_equal(pb_casefile_close(cf, &err), PB_OK);
    x->o.agent = NULL;
    assert_int_equal(pb_casefile_agent(x->path, out, 5, &err), PB_INPUT);
    assert_int_equal(pb_casefile_agent(x->path, out, 6, &err), PB_OK);
    snprintf(link, sizeof link, "%s/link.xml", x->dir);
    assert_int_equal(symlink(x->path, link), 0);
    assert_int_not_equal(pb_casefile_agent(link, out, sizeof out, &err),
                         PB_OK);
    snprintf(link, sizeof link, "%s/none.xml", x->dir);
    assert_int_equal(pb_casefile_agent(link, out, sizeof out, &err), PB_IO);
    /* <case> past the head */
    memset(pad, 'x', sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    assert_non_null(f = fopen(x->path, "w"));
    fprintf(f, "<scenario xmlns=\"urn:playbook:scenario:1\" id=\"c\">\n"
               "<!-- %s -->\n<case topic=\"t\" agent=\"amira\"/>\n"
               "</scenario>\n", pad);
    fclose(f);
    assert_int_equal(pb_casefile_agent(x->path, out, sizeof out, &err),
                     PB_INPUT);
}

/* As a scenario (replay, stats): FILE's events, then the journal's, the
 * same replay as the case a session would resume; nothing changed. */
static void scenario_with_journal(void **state)
{
    static const pb_attr attrs[] = {{"due", "Friday"}};
    fixture *x = *state;
    pb_casefile *cf = open_ok(x);
    pb_scenario *s, *alone;
    pb_replay *r;
    pb_case *copy;
    pb_event_info ev;
    pb_error err, warn;
    char *xml, *j, *xml2, *j2;
    size_t xlen, jlen, len;
    int line;

    add(cf, 0, "customer.said", "my parcel is late");
    add(cf, 3, "agent.said", "hello there");
    assert_int_equal(pb_casefile_append(cf, 4, "agent.committed", "I will",
                                        attrs, 1, &err), PB_OK);
    pb_casefile_free(cf); /* killed: FILE has 1 event, the journal 2 */
    xml = slurp(x->path, &xlen);
    j = slurp(x->jpath, &jlen);
    assert_int_equal(pb_scenario_read(x->path, &alone, &err), PB_OK);
    assert_int_equal(pb_scenario_nevents(alone), 1);
    assert_int_equal(pb_casefile_scenario(x->e, NULL, x->path, &s, &warn,
                                          &err), PB_OK);
    assert_string_equal(warn.message, "");
    assert_int_equal(pb_scenario_nevents(s), 3);
    assert_string_equal(pb_scenario_id(s), pb_scenario_id(alone));
    pb_scenario_event(s, 0, &ev, &line);
    assert_true(line > 0);
    pb_scenario_event(s, 2, &ev, &line);
    assert_int_equal(line, 0);
    assert_string_equal(ev.type, "agent.committed");
    assert_string_equal(ev.text, "I will");
    assert_int_equal(ev.nattrs, 1);
    assert_string_equal(ev.attrs[0].name, "due");
    assert_string_equal(ev.attrs[0].value, "Friday");
    assert_int_equal(pb_replay_run(x->e, s, &r, &err), PB_OK);
    assert_int_equal(pb_casefile_read(x->e, x->path, &copy, &warn, &err),
                     PB_OK);
    same_case(x->e, copy, pb_replay_case(r));
    pb_case_free(copy);
    pb_replay_free(r);
    pb_scenario_free(s);
    pb_scenario_free(alone);
    /* read only */
    xml2 = slurp(x->path, &len);
    assert_int_equal(len, xlen);
    assert_memory_equal(xml, xml2, len);
    free(xml2);
    j2 = slurp(x->jpath, &len);
    assert_int_equal(len, jlen);
    assert_memory_equal(j, j2, len);
    free(j2);

    /* Damaged in the middle: an error naming the journal and the record,
     * and still nothing changed, no copy made. */
    j[PB__JOURNAL_HEADER + 3] ^= 0x04;
    spill(x->jpath, j, jlen);
    s = (pb_scenario *)&s;
    assert_int_equal(pb_casefile_scenario(x->e, NULL, x->path, &s, NULL,
                                          &err), PB_INPUT);
    assert_null(s);
    assert_string_equal(err.file, x->jpath);
    assert_non_null(strstr(err.message, "damaged record at byte 0"));
    assert_int_equal(count_damaged(x), 0);
    j2 = slurp(x->jpath, &len);
    assert_memory_equal(j, j2, len);
    free(j2);

    /* An empty journal, or none: the file alone. */
    spill(x->jpath, "", 0);
    assert_int_equal(pb_casefile_scenario(x->e, NULL, x->path, &s, &warn,
                                          &err), PB_OK);
    assert_int_equal(pb_scenario_nevents(s), 1);
    pb_scenario_free(s);
    unlink(x->jpath);
    assert_int_equal(pb_casefile_scenario(x->e, NULL, x->path, &s, &warn,
                                          &err), PB_OK);
    assert_int_equal(pb_scenario_nevents(s), 1);
    pb_scenario_free(s);

    /* A journal that is a symlink is not followed. */
    assert_int_equal(symlink(x->path, x->jpath), 0);
    assert_int_equal(pb_casefile_scenario(x->e, NULL, x->path, &s, &warn,
                                          &err), PB_INPUT);
    assert_non_null(strstr(err.message, "symbolic link"));
    free(xml);
    free(j);
}

static void damage_in_the_middle_is_kept(void **state)
{
    fixture *x = *state;
    char *xml, *j, *xml2, *j2, copy[512];
    size_t xlen, jlen, len;
    pb_casefile *cf;
    pb_case *c;
    pb_error err, warn;
    DIR *d;
    struct dirent *de;

    crashed_session(x, 4); /* journal: 3 records */
    xml = slurp(x->path, &xlen);
    j = slurp(x->jpath, &jlen);
    j[PB__JOURNAL_HEADER + 3] ^= 0x04; /* the first record's payload */
    spill(x->jpath, j, jlen);
    assert_int_equal(pb_casefile_open(x->e, x->path, &x->o, &cf, &err),
                     PB_INPUT);
    assert_null(cf);
    assert_non_null(strstr(err.message, "corrupt"));
    assert_non_null(strstr(err.message, "nothing was changed"));
    assert_non_null(strstr(err.message, "damaged-"));
    assert_int_equal(count_damaged(x), 1);
    /* nothing deleted or changed */
    xml2 = slurp(x->path, &len);
    assert_int_equal(len, xlen);
    assert_memory_equal(xml, xml2, len);
    j2 = slurp(x->jpath, &len);
    assert_int_equal(len, jlen);
    assert_memory_equal(j, j2, len);
    free(j2);
    d = opendir(x->dir);
    while ((de = readdir(d)) != NULL)
        if (strstr(de->d_name, "damaged-"))
            snprintf(copy, sizeof copy, "%s/%s", x->dir, de->d_name);
    closedir(d);
    j2 = slurp(copy, &len);
    assert_int_equal(len, jlen);
    assert_memory_equal(j, j2, len);
    /* readers refuse it too, without copies */
    assert_int_equal(pb_casefile_read(x->e, x->path, &c, &warn, &err),
                     PB_INPUT);
    assert_int_equal(count_damaged(x), 1);
    free(xml);
    free(xml2);
    free(j);
    free(j2);
}

/* A crash between the rename of FILE and the journal's truncation: the
 * journal's records are in FILE already and must not come twice. */
static void records_in_file_are_skipped(void **state)
{
    fixture *x = *state;
    char *j;
    size_t jlen;
    pb_casefile *cf;
    pb__journal *jh;
    pb_event_info ev;
    pb_error err;
    static const char next[] = "{\"t\":\"7.5\",\"type\":\"case.resolved\"}";
    static const char gap[] = "{\"t\":\"8\",\"type\":\"x.y\"}";

    crashed_session(x, 3);
    j = slurp(x->jpath, &jlen);
    cf = open_ok(x);
    close_ok(cf); /* FILE has all 3; the journal is gone */
    assert_int_equal(access(x->jpath, F_OK), -1);
    spill(x->jpath, j, jlen); /* ... as if the cut never happened */
    cf = open_ok(x);
    assert_int_equal(pb_casefile_nrecorded(cf), 3);
    pb_casefile_free(cf);
    /* and a record after them still counts */
    assert_int_equal(pb__journal_open(x->jpath, NULL, 0, &jh, &err), PB_OK);
    assert_int_equal(pb__journal_add(jh, 3, next, strlen(next), &err), PB_OK);
    assert_int_equal(pb__journal_sync(jh, &err), PB_OK);
    pb__journal_free(jh);
    cf = open_ok(x);
    assert_int_equal(pb_casefile_nrecorded(cf), 4);
    pb_case_event(pb_casefile_case(cf), pb_case_nevents(pb_casefile_case(cf))
                  - 1, &ev);
    assert_string_equal(ev.type, "case.resolved");
    assert_true(ev.t == 7.5);
    pb_casefile_free(cf);
    /* a gap is lost events: refused */
    assert_int_equal(pb__journal_open(x->jpath, NULL, 0, &jh, &err), PB_OK);
    assert_int_equal(pb__journal_add(jh, 9, gap, strlen(gap), &err), PB_OK);
    assert_int_equal(pb__journal_sync(jh, &err), PB_OK);
    pb__journal_free(jh);
    assert_int_equal(pb_casefile_open(x->e, x->path, &x->o, &cf, &err),
                     PB_INPUT);
    assert_non_null(strstr(err.message, "missing"));
    free(j);
}

/* A record whose text or attribute is not UTF-8 (an overlong '/', a
 * surrogate) was not written by a session: refused, naming the journal
 * and the record, the journal kept aside.  A surrogate as a JSON escape
 * is read as U+FFFD (json-c's choice), so it never enters the case. */
static void journal_record_not_utf8_is_refused(void **state)
{
    static const char *const bad[] = {
        "{\"t\":\"9\",\"type\":\"x.y\",\"text\":\"a\xc0\xaf\"}",
        "{\"t\":\"9\",\"type\":\"x.y\",\"text\":\"a\xed\xa0\x80\"}",
        "{\"t\":\"9\",\"type\":\"x.y\",\"attrs\":{\"k\":\"\xed\xbf\xbf\"}}",
    };
    static const char escaped[] =
        "{\"t\":\"9\",\"type\":\"x.y\",\"text\":\"a\\ud800\"}";
    fixture *x = *state;
    pb_casefile *cf;
    pb__journal *jh;
    pb_event_info ev;
    pb_error err;
    size_t i;

    cf = open_ok(x);
    add(cf, 1, "customer.said", "hello");
    close_ok(cf); /* FILE has the event; no journal */
    for (i = 0; i <= sizeof bad / sizeof *bad; i++) {
        const char *rec = i < sizeof bad / sizeof *bad ? bad[i] : escaped;

        assert_int_equal(pb__journal_open(x->jpath, NULL, 0, &jh, &err),
                         PB_OK);
        assert_int_equal(pb__journal_add(jh, 1, rec, strlen(rec), &err),
                         PB_OK);
        assert_int_equal(pb__journal_sync(jh, &err), PB_OK);
        pb__journal_free(jh);
        if (rec == escaped)
            break;
        assert_int_equal(pb_casefile_open(x->e, x->path, &x->o, &cf, &err),
                         PB_INPUT);
        assert_null(cf);
        assert_string_equal(err.file, x->jpath);
        assert_non_null(strstr(err.message, "record for event 1: "));
        assert_non_null(strstr(err.message, "is not valid UTF-8"));
        assert_non_null(strstr(err.message, "a copy is kept"));
        assert_int_equal(unlink(x->jpath), 0);
    }
    cf = open_ok(x);
    pb_case_event(pb_casefile_case(cf), pb_case_nevents(pb_casefile_case(cf))
                  - 1, &ev);
    assert_string_equal(ev.text, "a\xef\xbf\xbd");
    pb_casefile_free(cf);
}

static void journal_without_file_is_refused(void **state)
{
    fixture *x = *state;
    pb_casefile *cf;
    pb_error err;

    crashed_session(x, 3);
    assert_int_equal(unlink(x->path), 0);
    assert_int_equal(pb_casefile_open(x->e, x->path, &x->o, &cf, &err),
                     PB_INPUT);
    assert_non_null(strstr(err.message, "without its case file"));
    assert_true(file_size(x->jpath) > 0);
}

static void new_case_needs_a_topic(void **state)
{
    fixture *x = *state;
    pb_casefile *cf;
    pb_error err;

    x->o.topic = NULL;
    assert_int_equal(pb_casefile_open(x->e, x->path, &x->o, &cf, &err),
                     PB_INPUT);
    assert_non_null(strstr(err.message, "topic"));
    assert_int_equal(access(x->jpath, F_OK), -1);
}

static void compacts_every_n(void **state)
{
    fixture *x = *state;
    pb_casefile *cf;
    pb_scenario *s;
    pb_error err;
    int i;

    x->o.compact_every = 3;
    cf = open_ok(x);
    for (i = 0; i < 7; i++)
        add(cf, i, "customer.said", "again");
    /* created with the first; rewritten after 3 more, then 3 more */
    assert_int_equal(file_size(x->jpath), 0);
    assert_int_equal(pb_scenario_read(x->path, &s, &err), PB_OK);
    assert_int_equal(pb_scenario_nevents(s), 7);
    pb_scenario_free(s);
    add(cf, 8, "customer.said", "again");
    assert_true(file_size(x->jpath) > 0);
    close_ok(cf);
}

/* A rewrite that fails (a full disk, a file size limit) leaves the
 * events in the journal and is tried again compact_every events later:
 * not at each event, each time writing the whole case. */
static void failed_rewrite_waits(void **state)
{
    fixture *x = *state;
    pb_casefile *cf;
    pb_scenario *s;
    pb_error err;
    int i, tries = 0;

    x->o.compact_every = 3;
    cf = open_ok(x);
    add(cf, 1, "customer.said", "first"); /* FILE made */
    for (i = 2; i <= 13; i++) {
        fail_next(&x->f, OP_RENAME, EIO, -1);
        add(cf, i, "customer.said", "again");
        tries += strstr(x->f.log, "rename:") != NULL;
    }
    /* due at 4; failed there, then tried at 7, 10 and 13 only */
    assert_int_equal(tries, 4);
    fail_next(&x->f, OP_NONE, 0, 0);
    for (i = 14; i <= 16; i++)
        add(cf, i, "customer.said", "again");
    assert_int_equal(file_size(x->jpath), 0);
    assert_int_equal(pb_scenario_read(x->path, &s, &err), PB_OK);
    assert_int_equal(pb_scenario_nevents(s), 16);
    pb_scenario_free(s);
    close_ok(cf);
}

/* A batch that would fill the case past what its file holds is refused
 * whole, at the event that would: not recorded half way. */
static void batch_past_full(void **state)
{
    static char big[1000001];
    fixture *x = *state;
    pb_casefile *cf = open_ok(x);
    pb_new_event ev[3];
    pb_error err;
    size_t at, n = 0;
    int i;

    memset(big, 'x', sizeof big - 1);
    for (i = 0; i < 7; i++)     /* 7 MB of the 7.5 MB a case holds */
        add(cf, 1, "customer.said", big);
    n = pb_casefile_nrecorded(cf);
    memset(ev, 0, sizeof ev);
    ev[0].type = "agent.said";
    ev[0].text = "a short one fits";
    ev[1].type = ev[2].type = "customer.said";
    ev[1].text = ev[2].text = big + 600000;   /* 400 KB each */
    assert_int_equal(pb_casefile_check(cf, 2, ev, 2, &at, NULL), PB_OK);
    assert_int_equal(pb_casefile_check(cf, 2, ev, 3, &at, &err), PB_INPUT);
    assert_int_equal(at, 2);
    assert_non_null(strstr(err.message, "the case is full"));
    assert_int_equal(pb_casefile_nrecorded(cf), n);
    close_ok(cf);
}

/* Faults. */

static void full_disk_keeps_events_in_memory(void **state)
{
    fixture *x = *state;
    pb_casefile *cf = open_ok(x);
    pb_error err;

    /* a new case: the first save creates FILE */
    fail_next(&x->f, OP_WRITE, ENOSPC, -1);
    assert_int_equal(pb_casefile_append(cf, 1, "customer.said", "one", NULL,
                                        0, &err), PB_IO);
    assert_non_null(strstr(err.message, strerror(ENOSPC)));
    assert_int_equal(pb_casefile_pending(cf), 1);
    assert_int_equal(pb_casefile_nrecorded(cf), 1); /* in the checklist */
    assert_int_equal(access(x->path, F_OK), -1);
    assert_int_equal(pb_casefile_append(cf, 2, "agent.said", "hello", NULL,
                                        0, &err), PB_IO);
    assert_int_equal(pb_casefile_pending(cf), 2);
    assert_int_equal(pb_casefile_close(cf, &err), PB_IO); /* still open */
    assert_int_equal(pb_casefile_pending(cf), 2);
    fail_next(&x->f, OP_NONE, 0, 0);
    add(cf, 3, "agent.said", "there");
    assert_int_equal(pb_casefile_pending(cf), 0);
    /* an existing case: the journal's write and fsync */
    fail_next(&x->f, OP_WRITE, EIO, -1);
    assert_int_equal(pb_casefile_append(cf, 4, "x.y", NULL, NULL, 0, &err),
                     PB_IO);
    assert_non_null(strstr(err.message, strerror(EIO)));
    fail_next(&x->f, OP_FSYNC, EIO, -1);
    assert_int_equal(pb_casefile_append(cf, 5, "x.y", NULL, NULL, 0, &err),
                     PB_IO);
    fail_next(&x->f, OP_WRITE, EROFS, -1);
    assert_int_equal(pb_casefile_save(cf, &err), PB_IO);
    assert_non_null(strstr(err.message, strerror(EROFS)));
    assert_int_equal(pb_casefile_pending(cf), 2);
    fail_next(&x->f, OP_NONE, 0, 0);
    assert_int_equal(pb_casefile_save(cf, &err), PB_OK);
    assert_int_equal(pb_casefile_pending(cf), 0);
    pb_casefile_free(cf); /* a crash: all of it must be there */
    cf = open_ok(x);
    assert_int_equal(pb_casefile_nrecorded(cf), 5);
    close_ok(cf);
}

static void failed_rewrite_at_close(void **state)
{
    fixture *x = *state;
    pb_casefile *cf = open_ok(x);
    pb_error err;
    int ops[3] = {OP_WRITE, OP_FSYNC, OP_RENAME}, i;

    add(cf, 1, "customer.said", "one");
    for (i = 0; i < 3; i++) {
        add(cf, 2 + i, "agent.said", "more");
        fail_next(&x->f, ops[i], i == 2 ? EACCES : ENOSPC, -1);
        assert_int_equal(pb_casefile_close(cf, &err), PB_IO);
        assert_non_null(strstr(err.message, strerror(x->f.fail_errno)));
        /* the journal has everything: nothing would be lost */
        assert_int_equal(pb_casefile_pending(cf), 0);
        fail_next(&x->f, OP_NONE, 0, 0);
    }
    close_ok(cf);
    cf = open_ok(x);
    assert_int_equal(pb_casefile_nrecorded(cf), 4);
    close_ok(cf);
    assert_int_equal(access(x->jpath, F_OK), -1);
}

/* Acknowledged means written, then fsync'ed; a rewrite is tmp, fsync,
 * rename, folder fsync, then the journal's cut. */
static void save_order(void **state)
{
    fixture *x = *state;
    pb_casefile *cf = open_ok(x);
    const char *w, *s, *o, *r, *d, *t;
    size_t n;

    add(cf, 1, "customer.said", "one");
    x->f.log[0] = '\0';
    add(cf, 2, "customer.said", "two");
    n = strlen(x->f.log);
    assert_true(n > 40);
    w = strstr(x->f.log, "write:case.xml.journal");
    s = strstr(x->f.log, "fsync:case.xml.journal");
    assert_true(w && s && w < s);
    assert_null(strstr(x->f.log, "case.xml.tmp"));
    x->f.log[0] = '\0';
    close_ok(cf);
    o = strstr(x->f.log, "open:case.xml.tmp");
    w = strstr(x->f.log, "write:case.xml.tmp");
    s = strstr(x->f.log, "fsync:case.xml.tmp");
    r = strstr(x->f.log, "rename:case.xml");
    d = strstr(x->f.log, "fsync:pb-casefile-");
    t = strstr(x->f.log, "ftruncate:case.xml.journal");
    assert_true(o && w && s && r && d && t);
    assert_true(o < w && w < s && s < r && r < d && d < t);
}

/* With nosync the journal is written and not synced (the caller syncs
 * the file system, as `playbook serve` does); a rewrite of FILE is
 * synced all the same, and what was written reads back. */
static void nosync_writes_the_journal_only(void **state)
{
    fixture *x = *state;
    pb_casefile *cf;
    pb_case *c;
    pb_error err, warn;

    x->o.nosync = 1;
    cf = open_ok(x);
    add(cf, 1, "customer.said", "one");
    x->f.log[0] = '\0';
    add(cf, 2, "customer.said", "two");
    add(cf, 3, "agent.said", "hello");
    assert_non_null(strstr(x->f.log, "write:case.xml.journal"));
    assert_null(strstr(x->f.log, "fsync"));
    assert_int_equal(pb_casefile_pending(cf), 0);
    assert_int_equal(pb_casefile_read(x->e, x->path, &c, &warn, &err),
                     PB_OK);
    assert_int_equal(pb_case_nevents(c), pb_case_nevents(pb_casefile_case(cf)));
    pb_case_free(c);
    x->f.log[0] = '\0';
    close_ok(cf);
    assert_non_null(strstr(x->f.log, "open:case.xml.tmp write:case.xml.tmp "
                                     "fsync:case.xml.tmp"));
    assert_non_null(strstr(x->f.log, "rename:case.xml"));
}

static void read_only_folder(void **state)
{
    fixture *x = *state;
    pb_casefile *cf;
    pb_error err;

    fail_next(&x->f, OP_OPEN, EROFS, -1);
    assert_int_equal(pb_casefile_open(x->e, x->path, &x->o, &cf, &err),
                     PB_IO);
    assert_non_null(strstr(err.message, strerror(EROFS)));
}

/* A real full disk: a 64 KiB tmpfs, when this test may mount one. */
static void tmpfs_full_disk(void **state)
{
    fixture *x = *state;
    char *mnt = x->mnt, filler[160], big[4096];
    pb_casefile_opts o = x->o;
    pb_casefile *cf;
    pb_error err;
    FILE *f;
    int i;

    snprintf(mnt, sizeof x->mnt, "%s/mnt", x->dir);
    assert_int_equal(mkdir(mnt, 0700), 0);
    if (mount("tmpfs", mnt, "tmpfs", 0, "size=64k") != 0) {
        mnt[0] = '\0';
        skip(); /* not root, or no mount in this container */
        return;
    }
    snprintf(x->path, sizeof x->path, "%s/case.xml", mnt);
    snprintf(x->jpath, sizeof x->jpath, "%s.journal", x->path);
    snprintf(filler, sizeof filler, "%s/filler", mnt);
    o.io = NULL;
    assert_int_equal(pb_casefile_open(x->e, x->path, &o, &cf, &err), PB_OK);
    add(cf, 1, "customer.said", "before the disk filled up");
    memset(big, 'x', sizeof big);
    f = fopen(filler, "wb");
    assert_non_null(f);
    setvbuf(f, NULL, _IONBF, 0);
    while (fwrite(big, 1, sizeof big, f) == sizeof big)
        ;
    fclose(f);
    for (i = 0; i < 3; i++) {
        assert_int_equal(pb_casefile_append(cf, 2 + i, "agent.said",
                                            "while it is full", NULL, 0,
                                            &err), PB_IO);
        assert_non_null(strstr(err.message, strerror(ENOSPC)));
    }
    assert_int_equal(pb_casefile_pending(cf), 3);
    assert_int_equal(unlink(filler), 0);
    add(cf, 9, "customer.said", "space again");
    assert_int_equal(pb_casefile_pending(cf), 0);
    pb_casefile_free(cf);
    assert_int_equal(pb_casefile_open(x->e, x->path, &o, &cf, &err), PB_OK);
    assert_int_equal(pb_casefile_nrecorded(cf), 5);
    close_ok(cf);
    assert_int_equal(umount(mnt), 0);
    mnt[0] = '\0';
}

static void lock_and_read_only_readers(void **state)
{
    fixture *x = *state;
    pb_casefile *a = open_ok(x), *b;
    pb_case *copy;
    pb_error err, warn;

    add(a, 1, "customer.said", "one");
    add(a, 2, "customer.said", "two");
    x->o.wait = 0.1;
    assert_int_equal(pb_casefile_open(x->e, x->path, &x->o, &b, &err),
                     PB_STATE);
    assert_non_null(strstr(err.message, "is in use by another session"));
    assert_non_null(strstr(err.message, x->path));
    assert_int_equal(pb_casefile_read(x->e, x->path, &copy, &warn, &err),
                     PB_OK);
    assert_int_equal(pb_case_nevents(copy), 2);
    pb_case_free(copy);
    close_ok(a);
    b = open_ok(x);
    close_ok(b);
}

static void clock_and_time_base(void **state)
{
    fixture *x = *state;
    pb_casefile *cf = open_ok(x);
    double now = pb_casefile_now(cf), ms;

    assert_true(now >= 0 && now < 5);
    add(cf, now + 100, "customer.said", "later than the clock");
    assert_true(pb_casefile_now(cf) >= now + 100); /* never backwards */
    ms = pb_casefile_now(cf) * 1000;
    assert_true(fabs(ms - floor(ms + 0.5)) < 1e-6);
    add(cf, 200.123456789, "x.y", NULL); /* read back the same */
    close_ok(cf);
    cf = open_ok(x);
    assert_true(pb_casefile_now(cf) >= 200.123456789);
    close_ok(cf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scenarios_round_trip),
        cmocka_unit_test_setup_teardown(awkward_text_round_trip, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(create_append_reopen, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(reserved_facts, setup, teardown),
        cmocka_unit_test_setup_teardown(rejected_events_change_nothing,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(resume_from_journal, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(scenario_with_journal, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(journal_round_trip, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(torn_tail_at_every_byte, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(damage_in_the_middle_is_kept, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(records_in_file_are_skipped, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(journal_record_not_utf8_is_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(journal_without_file_is_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(new_case_needs_a_topic, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(compacts_every_n, setup, teardown),
        cmocka_unit_test_setup_teardown(failed_rewrite_waits, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(batch_past_full, setup, teardown),
        cmocka_unit_test_setup_teardown(full_disk_keeps_events_in_memory,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(failed_rewrite_at_close, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(save_order, setup, teardown),
        cmocka_unit_test_setup_teardown(nosync_writes_the_journal_only,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(read_only_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(tmpfs_full_disk, setup, teardown),
        cmocka_unit_test_setup_teardown(lock_and_read_only_readers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(agent_from_the_head, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(clock_and_time_base, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
