/*
 * test_allocfail.c -- the main path with one allocation failing, for
 * every allocation: load the principles (the defaults and
 * docs/examples/ownership.lua), compile the schema, read a
 * scenario, replay it, write the report as text, JSON, JUnit and HTML,
 * free everything.  Each run must end in success or in an error status:
 * no crash, no leak, and a report that differs from the one of a run
 * without failures only where it says why (an item in error, a memory
 * error, a detector that "could not add" its event).
 *
 * Which allocations fail:
 *  - ours: malloc, calloc, realloc, strdup and free of libplaybook and
 *    of this file are linked to the __wrap_ functions below (the
 *    Makefile links this binary with -Wl,--wrap=...);
 *  - Lua's: the sandbox's lua_Alloc (engine/lua/sandbox.c) calls realloc
 *    and free from libplaybook, so the same wrappers see them;
 *  - libxml2's: xmlMemSetup hands it the same wrappers, before any
 *    other libxml2 call;
 *  - not json-c's: it allocates inside its shared library with the C
 *    library's malloc, which --wrap cannot reach (it rewrites references
 *    in the objects being linked, not in shared libraries).  json-c is on
 *    the journal and import paths, not on this one.  Neither are the C
 *    library's own (open_memstream, stdio buffers).
 *
 * An allocation is named by the call of the path it happens in and its
 * rank there, "load:1523": libxml2 seeds its hash tables from the clock,
 * so the count over the whole run varies a little from process to
 * process, while the count within a call that libxml2 does not run
 * (load, replay) does not.
 *
 * Runs happen in child processes, 200 to a child (under ASan a fork
 * costs more than a run), so a crash is a finding, not the end of the
 * sweep: the next child goes on after the case that killed the last.
 * The cases are shared between the machine's cores (ALLOCFAIL_JOBS to
 * say how many), each share run by a chain of children of its own.
 * Leaks: the wrappers keep the set of live blocks they handed out, each
 * with the allocation that made it; after a run (and libxml2's global
 * last error reset: it keeps a copy of the message) nothing the run made
 * may be left.  A finding of a new kind is run again out loud, with the
 * stack of the failed allocation and of the crash (ASan's report, under
 * `make SAN=1`) or of the leaked block.
 *
 * The sweep: each allocation failing alone (the code must also carry on
 * rightly after a failure it survived), then memory gone from an
 * allocation on (every one after it fails too).  ALLOCFAIL_RUNS (default
 * 6000; 0 skips the sweeps, as `make memcheck` does) bounds the runs of
 * the first, a sixth of it the second: every allocation of our own calls
 * when they fit, a stride through the ones inside libxml2's schema
 * compiler and XML writer.  On two cores: about 65 s under ASan, 20 s
 * without (125 and 35 s on one).
 *
 * Bugs it finds today are listed in known_bugs[] (by kind and call) and
 * counted, not failed; anything else fails the test.  To chase one:
 *   ALLOCFAIL_AT=replay:57 [ALLOCFAIL_PERSISTENT=1] [ALLOCFAIL_TRACE=K]
 *   [ALLOCFAIL_DUMP=FILE] build/asan/tests/test_allocfail
 * runs that one case in this process (for a debugger), printing what it
 * did, the stack of allocation K of that call (TRACE), and writing the
 * report to FILE and the one without failures to FILE.ref (DUMP).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <execinfo.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>

#include "playbook.h"

#if defined(__SANITIZE_ADDRESS__)
#define AF_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AF_ASAN 1
#endif
#endif
#ifdef AF_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

#define PRINCIPLES "principles"
/* Beside the defaults: detectors on words and examples, and the text
 * library in a predicate, for the failures inside engine/lang. */
#define WORDS_PRINCIPLE "docs/examples/ownership.lua"
#define SCENARIO "scenarios/late-delivery.xml"

/* The wrappers.  Prototypes for -Wmissing-prototypes. */
void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
void __wrap_free(void *p);

/* The calls of the path, in order: an allocation is blamed on the one it
 * happens in. */
enum {
    PH_ENGINE, PH_LOAD, PH_SCHEMA, PH_READ, PH_REPLAY, PH_TEXT, PH_JSON,
    PH_JUNIT, PH_HTML, PH_FREE, PH_COUNT
};

static const char *const ph_short[PH_COUNT] = {
    "engine", "load", "schema", "read", "replay", "text", "json", "junit",
    "html", "free"
};
static const char *const ph_long[PH_COUNT] = {
    "pb_engine_new", "pb_engine_load", "pb_schema_new",
    "pb_scenario_read_with", "pb_replay_run", "render text",
    "render json", "render junit", "render html", "the _free functions"
};

/* An allocation: the call it happens in and its rank there (from 1). */
typedef struct site {
    int ph;
    unsigned long k;
} site;

/* Live blocks: open addressing, linear probing, deletion by backward
 * shift (no tombstones).  Its own memory comes from the real calloc. */
typedef struct block {
    void *p;
    unsigned long run; /* 0: made outside a run */
    site at;
    size_t size;
} block;

static struct {
    block *slot;
    size_t cap, n;
} live;

/* What fails, and what the current run has done. */
static struct {
    int armed, persistent;
    site target;         /* the allocation that fails (ph -1: none) */
    site trace[2];       /* allocations to print the stack of */
    int ph;              /* the call running */
    int fail_ph;         /* the call of the first failure, or -1 */
    unsigned long run, failed;
    unsigned long count[PH_COUNT]; /* allocations in each call */
} inj = { .target = { -1, 0 }, .trace = { { -1, 0 }, { -1, 0 } },
          .fail_ph = -1 };

static size_t slot_of(const void *p, size_t cap)
{
    uint64_t h = (uint64_t)(uintptr_t)p;

    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (size_t)h & (cap - 1);
}

static void live_put(const block *b);

static void live_grow(void)
{
    block *old = live.slot;
    size_t oldcap = live.cap, i;

    live.cap = oldcap ? oldcap * 2 : 1u << 16;
    live.slot = __real_calloc(live.cap, sizeof *live.slot);
    if (live.slot == NULL) {
        static const char m[] = "test_allocfail: no memory for the table\n";

        (void)!write(2, m, sizeof m - 1);
        abort();
    }
    live.n = 0;
    for (i = 0; i < oldcap; i++)
        if (old[i].p != NULL)
            live_put(&old[i]);
    __real_free(old);
}

static void live_put(const block *b)
{
    size_t i;

    if ((live.n + 1) * 2 > live.cap)
        live_grow();
    for (i = slot_of(b->p, live.cap); live.slot[i].p != NULL;
         i = (i + 1) & (live.cap - 1))
        ;
    live.slot[i] = *b;
    live.n++;
}

/* 1 when p was live (and is no more). */
static int live_take(const void *p)
{
    size_t i, j, k, mask = live.cap - 1;

    if (live.cap == 0)
        return 0;
    for (i = slot_of(p, live.cap); live.slot[i].p != p; i = (i + 1) & mask)
        if (live.slot[i].p == NULL)
            return 0;
    live.slot[i].p = NULL;
    live.n--;
    /* Pull back the entries after i whose home is not in (i, j]. */
    for (j = (i + 1) & mask; live.slot[j].p != NULL; j = (j + 1) & mask) {
        k = slot_of(live.slot[j].p, live.cap);
        if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
            live.slot[i] = live.slot[j];
            live.slot[j].p = NULL;
            i = j;
        }
    }
    return 1;
}

static void print_stack(void)
{
#ifdef AF_ASAN
    __sanitizer_print_stack_trace();
#else
    void *frames[64];

    /* Addresses in this binary: addr2line -f -i -e BINARY +OFFSET. */
    backtrace_symbols_fd(frames, backtrace(frames, 64), 2);
#endif
}

static int same_site(site a, site b)
{
    return a.ph == b.ph && a.k == b.k;
}

static int should_fail(void)
{
    site now;

    if (!inj.armed)
        return 0;
    now.ph = inj.ph;
    now.k = ++inj.count[inj.ph];
    if (same_site(now, inj.trace[0]) || same_site(now, inj.trace[1])) {
        fprintf(stderr, "allocation %s:%lu is made in:\n", ph_short[now.ph],
                now.k);
        print_stack();
    }
    if (inj.target.ph < 0)
        return 0;
    if (same_site(now, inj.target) ||
        (inj.persistent && (now.ph > inj.target.ph ||
                            (now.ph == inj.target.ph &&
                             now.k > inj.target.k)))) {
        if (inj.failed++ == 0)
            inj.fail_ph = now.ph;
        return 1;
    }
    return 0;
}

/* Notes a block just made (p may be NULL). */
static void *made(void *p, size_t n)
{
    block b;

    if (p != NULL) {
        b.p = p;
        b.run = inj.armed ? inj.run : 0;
        b.at.ph = inj.ph;
        b.at.k = inj.armed ? inj.count[inj.ph] : 0;
        b.size = n;
        live_put(&b);
    }
    return p;
}

void *__wrap_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return made(__real_malloc(n), n);
}

void *__wrap_calloc(size_t k, size_t n)
{
    if (should_fail())
        return NULL;
    return made(__real_calloc(k, n), k * n);
}

/* realloc(p, 0) is a free here, as it is for glibc (nothing in the
 * engine relies on it; Lua frees with nsize 0 itself). */
void *__wrap_realloc(void *p, size_t n)
{
    void *q;

    if (p != NULL && n == 0) {
        __wrap_free(p);
        return NULL;
    }
    if (should_fail())
        return NULL; /* p stays live, as realloc leaves it */
    if ((q = __real_realloc(p, n)) == NULL)
        return NULL;
    if (p != NULL)
        live_take(p);
    return made(q, n);
}

char *__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = __wrap_malloc(n);

    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

/* A block not in the set came from the C library (open_memstream) or
 * from before the table: freed all the same. */
void __wrap_free(void *p)
{
    if (p != NULL)
        live_take(p);
    __real_free(p);
}

/* libxml2's xmlMemSetup wants these exact types. */
static void *xml_malloc(size_t n) { return __wrap_malloc(n); }
static void *xml_realloc(void *p, size_t n) { return __wrap_realloc(p, n); }
static char *xml_strdup(const char *s) { return __wrap_strdup(s); }
static void xml_free(void *p) { __wrap_free(p); }

static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

/* One run of the path. */

typedef struct run_result {
    pb_status load, scenario, replay, render[4];
    int engine, schema;   /* 1 when made */
    char *report;         /* the four reports, one after another */
    size_t len;
    size_t leaked;        /* blocks the run made and left */
    site leak;            /* the first allocation of them */
} run_result;

/* The blocks the last run made and left: how many, and the first of
 * them in *first; printed when print is set. */
static size_t run_leaks(site *first, int print)
{
    size_t i, n = 0;

    first->ph = -1;
    first->k = 0;
    for (i = 0; i < live.cap; i++) {
        const block *b = &live.slot[i];

        if (b->p == NULL || b->run != inj.run)
            continue;
        if (n == 0 || b->at.ph < first->ph ||
            (b->at.ph == first->ph && b->at.k < first->k))
            *first = b->at;
        if (print && n < 8)
            fprintf(stderr, " %s:%lu (%zu bytes)", ph_short[b->at.ph],
                    b->at.k, b->size);
        n++;
    }
    if (print)
        fprintf(stderr, "%s\n", n > 8 ? " ..." : "");
    return n;
}

/* The path, call by call. */
typedef struct path {
    pb_engine *e;
    pb_schema *schema;
    pb_scenario *s;
    pb_replay *r;
    FILE *f;
    run_result *out;
} path;

static void path_begin(path *p, run_result *out)
{
    size_t i;

    memset(p, 0, sizeof *p);
    memset(out, 0, sizeof *out);
    p->out = out;
    for (i = 0; i < 4; i++)
        out->render[i] = PB_STATE; /* not reached */
    out->scenario = out->replay = out->load = PB_STATE;
    /* The C library's buffer, outside the count: it cannot fail here. */
    if ((p->f = open_memstream(&out->report, &out->len)) == NULL)
        abort();
    inj.run++;
    inj.failed = 0;
    inj.fail_ph = -1;
    memset(inj.count, 0, sizeof inj.count);
    inj.armed = 1;
}

/* The call ph of the path, as the CLI makes them: a principle file that
 * failed is skipped, the rest goes on; without a schema each read
 * compiles its own. */
static void path_step(path *p, int ph)
{
    static const pb_format fmts[4] = {PB_FORMAT_TEXT, PB_FORMAT_JSON,
                                      PB_FORMAT_JUNIT, PB_FORMAT_HTML};
    run_result *out = p->out;
    pb_error err;

    inj.ph = ph;
    if (ph != PH_ENGINE && p->e == NULL)
        return;
    switch (ph) {
    case PH_ENGINE:
        p->e = pb_engine_new();
        out->engine = p->e != NULL;
        break;
    case PH_LOAD:
        out->load = pb_engine_load(p->e, PRINCIPLES, &err);
        if (out->load == PB_OK)
            out->load = pb_engine_load(p->e, WORDS_PRINCIPLE, &err);
        break;
    case PH_SCHEMA:
        p->schema = pb_schema_new(&err);
        out->schema = p->schema != NULL;
        break;
    case PH_READ:
        out->scenario = pb_scenario_read_with(p->schema, SCENARIO, &p->s,
                                              &err);
        break;
    case PH_REPLAY:
        if (out->scenario == PB_OK)
            out->replay = pb_replay_run(p->e, p->s, &p->r, &err);
        break;
    case PH_FREE:
        pb_replay_free(p->r);
        pb_scenario_free(p->s);
        pb_schema_free(p->schema);
        pb_engine_free(p->e);
        p->e = NULL;
        break;
    default: /* the renders */
        if (out->replay == PB_OK)
            out->render[ph - PH_TEXT] = pb_render_replays(
                p->f, fmts[ph - PH_TEXT], 0, &p->r, 1);
        break;
    }
}

static void path_end(path *p)
{
    inj.armed = 0;
    /* libxml2 keeps a copy of its last error (message, file) globally
     * until the next one: not the run's to free. */
    xmlResetLastError();
    fclose(p->f);
    p->out->leaked = run_leaks(&p->out->leak, 0);
}

static void one_run(run_result *out)
{
    path p;
    int ph;

    path_begin(&p, out);
    for (ph = 0; ph < PH_COUNT; ph++)
        path_step(&p, ph);
    path_end(&p);
}

static int all_ok(const run_result *r)
{
    size_t i;

    if (!r->engine || r->load != PB_OK || r->scenario != PB_OK ||
        r->replay != PB_OK)
        return 0;
    for (i = 0; i < 4; i++)
        if (r->render[i] != PB_OK)
            return 0;
    return 1;
}

/* What became of a run. */
enum { K_SAME, K_DEGRADED, K_ERROR, K_SILENT, K_LEAK, K_CRASH, K_KINDS };

static const char *const kind_names[K_KINDS] = {
    "as without failures", "an error in the report", "an error status",
    "silent", "leak", "crash"
};

typedef struct outcome {
    int kind;        /* K_SAME .. K_SILENT */
    int fail_ph;     /* -1: nothing failed */
    size_t leaked;
    site leak;
} outcome;

static run_result ref;                     /* the run without failures */
static unsigned long ref_counts[PH_COUNT]; /* its allocations, per call */

static unsigned long ref_count(int ph)
{
    return ref_counts[ph];
}

/* How often a report says something went wrong: an item in error (for
 * a while: the timeline keeps it), a memory error, a detector that
 * could not add its event. */
static size_t says_why(const char *report)
{
    static const char *const words[] = {"error", "memory", "could not"};
    const char *p;
    size_t i, n = 0;

    for (i = 0; i < sizeof words / sizeof *words; i++)
        for (p = report; (p = strstr(p, words[i])) != NULL; p++)
            n++;
    return n;
}

static void judge(const run_result *r, outcome *o)
{
    o->fail_ph = inj.fail_ph;
    o->leaked = r->leaked;
    o->leak = r->leak;
    if (!all_ok(r))
        o->kind = K_ERROR;
    else if (r->len == ref.len && memcmp(r->report, ref.report, r->len) == 0)
        o->kind = K_SAME;
    else if (says_why(r->report) > says_why(ref.report))
        o->kind = K_DEGRADED; /* an item or a detector says why */
    else
        o->kind = K_SILENT;   /* success, another report, and no why */
}

/*
 * What this test finds today, by what goes wrong and in which call the
 * first failed allocation was: counted and listed, not failed.  A
 * finding that matches none fails the test; take a line out once its
 * bug is fixed (the summary says when a line matched nothing).
 */
static const struct known_bug {
    int kind, ph;
    const char *bug;
} known_bugs[] = {
    { K_LEAK, PH_HTML, "libxml2 2.9.14: xmlTextWriterStartElement ignores "
      "a failed xmlListPushFront and leaks its stack entry and name" },
    { K_SILENT, PH_HTML, "libxml2 2.9.14: xmlTextWriterWriteString returns "
      "0, not -1, when xmlEncodeSpecialChars fails: the text is left out" },
    { K_SILENT, PH_JUNIT, "libxml2 2.9.14: as for html "
      "(xmlTextWriterWriteString)" },
    { K_LEAK, PH_JUNIT, "libxml2 2.9.14: as for html "
      "(xmlTextWriterStartElement)" },
    { K_CRASH, PH_SCHEMA, "libxml2 2.9.14: when xmlHashAddEntry3 fails "
      "in xmlRelaxNGParse (the table of defines), "
      "xmlRelaxNGFreeParserCtxt then crashes (SEGV)" },
    { K_LEAK, PH_SCHEMA, "libxml2 2.9.14: xmlCopyDoc (called by "
      "xmlRelaxNGNewDocParserCtxt) leaks the part of the copy it made "
      "when an allocation fails" },
    { K_CRASH, PH_READ, "libxml2 2.9.14: xmlRelaxNGValidateDoc "
      "dereferences NULL after a failed allocation (xmlNodeListGetString, "
      "xmlRegExecPushString2)" },
};

#define NKNOWN (sizeof known_bugs / sizeof known_bugs[0])

static int known_seen[NKNOWN]; /* over both sweeps */
static const site nowhere = { -1, 0 };

typedef struct sweep {
    int persistent, verbose;
    unsigned long runs, kinds[K_KINDS];
    unsigned long known[NKNOWN];
    site known_first[NKNOWN];
    unsigned long unknown;
    unsigned long count[K_KINDS][PH_COUNT + 1];
    site first[K_KINDS][PH_COUNT + 1];
} sweep;

static long known_index(int kind, int ph)
{
    size_t i;

    for (i = 0; i < NKNOWN; i++)
        if (known_bugs[i].kind == kind && known_bugs[i].ph == ph)
            return (long)i;
    return -1;
}

/*
 * cmocka catches SIGSEGV and the like to fail a test and go on with the
 * next: in a child that would run the rest of the suite.  A child takes
 * back the handlers main found (ASan's, whose report has the stack), or,
 * without ASan, prints a stack itself and dies of the signal.
 */
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL,
                                    SIGABRT};
#define NFATAL (sizeof fatal_signals / sizeof fatal_signals[0])
static struct sigaction first_handlers[NFATAL];

static void on_fatal(int sig)
{
    static const char m[] = "test_allocfail: fatal signal, in:\n";

    (void)!write(2, m, sizeof m - 1);
    print_stack();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void child_signals(void)
{
    size_t i;

    for (i = 0; i < NFATAL; i++) {
#ifdef AF_ASAN
        if (first_handlers[i].sa_handler != SIG_DFL) {
            sigaction(fatal_signals[i], &first_handlers[i], NULL);
            continue;
        }
#endif
        signal(fatal_signals[i], on_fatal);
    }
}

/* Reads all of n bytes, or fewer at the end: how many. */
static size_t read_all(int fd, void *buf, size_t n)
{
    size_t k = 0;
    ssize_t m;

    while (k < n) {
        m = read(fd, (char *)buf + k, n - k);
        if (m < 0 && errno == EINTR)
            continue;
        if (m <= 0)
            break;
        k += (size_t)m;
    }
    return k;
}

/*
 * Runs the cases targets[from..n) in child processes, many to a child
 * (a fork costs more than a run under ASan): each child does the whole
 * path once per case and tells the parent its outcome as it goes.  A
 * child that dies crashed on the case after the last it told of; the
 * next child goes on after that one.  outcomes[i] gets each case's
 * outcome; crashed[i] is set for the ones that crashed.
 */
typedef struct told {
    size_t i;
    outcome o;
} told;

#define CASES_PER_CHILD 200

static void run_cases(const site *targets, size_t n, int persistent,
                      int loud, site trace, outcome *outcomes, int *crashed)
{
    size_t next = 0, end, i;
    int fds[2], status;
    told t;
    pid_t pid;

    while (next < n) {
        end = n - next < CASES_PER_CHILD ? n : next + CASES_PER_CHILD;
        if (pipe(fds) != 0)
            abort();
        fflush(stdout);
        fflush(stderr);
        if ((pid = fork()) < 0)
            abort();
        if (pid == 0) {
            run_result r;

            close(fds[0]);
            child_signals();
            if (!loud) {
                int fd = open("/dev/null", O_WRONLY);

                if (fd >= 0)
                    dup2(fd, 2);
            }
            for (i = next; i < end; i++) {
                inj.target = targets[i];
                inj.persistent = persistent;
                inj.trace[0] = loud ? targets[i] : nowhere;
                inj.trace[1] = trace;
                one_run(&r);
                memset(&t, 0, sizeof t);
                t.i = i;
                judge(&r, &t.o);
                if (loud && r.leaked > 0) {
                    fprintf(stderr, "left by the run, by allocation:");
                    run_leaks(&t.o.leak, 1);
                }
                free(r.report);
                (void)!write(fds[1], &t, sizeof t);
            }
            /* No LeakSanitizer pass, no atexit: the parent judges. */
            _exit(0);
        }
        close(fds[1]);
        while (read_all(fds[0], &t, sizeof t) == sizeof t && t.i < end) {
            outcomes[t.i] = t.o;
            crashed[t.i] = 0;
            next = t.i + 1;
        }
        close(fds[0]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (next < end) { /* died on that case */
            memset(&outcomes[next], 0, sizeof outcomes[next]);
            outcomes[next].fail_ph = targets[next].ph;
            crashed[next] = 1;
            next++;
        }
    }
}

static void finding(sweep *sw, site at, int kind, const outcome *o)
{
    long k = known_index(kind, o->fail_ph);
    int ph = o->fail_ph + 1; /* 0: no failed allocation */
    outcome again;
    int died;

    sw->kinds[kind]++;
    if (k >= 0) {
        if (sw->known[k]++ == 0)
            sw->known_first[k] = at;
        known_seen[k] = 1;
        return;
    }
    sw->unknown++;
    if (sw->count[kind][ph]++ == 0)
        sw->first[kind][ph] = at;
    if (sw->count[kind][ph] > 3)
        return; /* the summary counts the rest */
    fprintf(stderr, "%s: allocation %s:%lu failing%s", kind_names[kind],
            ph_short[at.ph], at.k,
            sw->persistent ? ", and every one after it" : "");
    if (kind == K_LEAK)
        fprintf(stderr, ": %zu block(s) left, the first by allocation "
                "%s:%lu", o->leaked, ph_short[o->leak.ph], o->leak.k);
    fprintf(stderr, "\n");
    /* The first of its kind again, out loud: the stack of the failed
     * allocation, then of the crash or of the leaked block. */
    if (sw->count[kind][ph] == 1) {
        fprintf(stderr, "--- again, out loud (ALLOCFAIL_AT=%s:%lu%s runs it "
                "alone):\n", ph_short[at.ph], at.k,
                sw->persistent ? " ALLOCFAIL_PERSISTENT=1" : "");
        run_cases(&at, 1, sw->persistent, 1,
                  kind == K_LEAK ? o->leak : nowhere, &again, &died);
        fprintf(stderr, "---\n");
    }
}

static void judge_case(sweep *sw, site at, const outcome *o, int crashed)
{
    sw->runs++;
    if (crashed) {
        finding(sw, at, K_CRASH, o);
        return;
    }
    if (o->kind == K_SILENT)
        finding(sw, at, K_SILENT, o);
    else
        sw->kinds[o->kind]++;
    if (o->leaked > 0)
        finding(sw, at, K_LEAK, o);
    if (sw->verbose)
        fprintf(stderr, "%s:%lu: %s, %zu block(s) left\n", ph_short[at.ph],
                at.k, kind_names[o->kind], o->leaked);
}

static unsigned long env_ul(const char *name, unsigned long dflt)
{
    const char *v = getenv(name);
    char *end;
    unsigned long n;

    if (v == NULL || *v == '\0')
        return dflt;
    n = strtoul(v, &end, 10);
    return *end == '\0' ? n : dflt;
}

/*
 * Strides for a sweep of about max runs.  The schema compiler and the
 * XML writer are libxml2 inside, thousands of allocations that go the
 * same few ways: each gets at most a tenth of the runs.  The rest, our
 * own calls (with Lua's allocations among them), get all their
 * allocations when they fit.
 */
static void strides(unsigned long max, unsigned long step[PH_COUNT])
{
    unsigned long cap = max / 10, ours = 0, left = max, n;
    int ph;

    for (ph = 0; ph < PH_COUNT; ph++) {
        step[ph] = 1;
        n = ref_count(ph);
        if (ph == PH_SCHEMA || ph == PH_HTML) {
            if (n > cap)
                step[ph] = cap > 0 ? (n + cap - 1) / cap : n;
            n = step[ph] > 0 ? (n + step[ph] - 1) / step[ph] : 0;
            left = n < left ? left - n : 0;
        } else {
            ours += n;
        }
    }
    if (ours > left)
        for (ph = 0; ph < PH_COUNT; ph++)
            if (ph != PH_SCHEMA && ph != PH_HTML)
                step[ph] = left > 0 ? (ours + left - 1) / left : ours;
}

static void summary(const sweep *sw, const char *what)
{
    size_t i;

    fprintf(stderr, "allocfail, %s: %lu runs: %lu as without failures, "
            "%lu with an error in the report, %lu ended in an error "
            "status; %lu crashed, %lu leaked, %lu silent; %lu unknown\n",
            what, sw->runs, sw->kinds[K_SAME], sw->kinds[K_DEGRADED],
            sw->kinds[K_ERROR], sw->kinds[K_CRASH], sw->kinds[K_LEAK],
            sw->kinds[K_SILENT], sw->unknown);
    for (i = 0; i < K_KINDS * (PH_COUNT + 1); i++) {
        size_t kind = i / (PH_COUNT + 1), ph = i % (PH_COUNT + 1);

        if (sw->count[kind][ph] > 0)
            fprintf(stderr, "NEW: %s in %s, %lu runs, first with "
                    "allocation %s:%lu failing\n", kind_names[kind],
                    ph ? ph_long[ph - 1] : "no failed allocation",
                    sw->count[kind][ph],
                    ph_short[sw->first[kind][ph].ph],
                    sw->first[kind][ph].k);
    }
    for (i = 0; i < NKNOWN; i++)
        if (sw->known[i] > 0)
            fprintf(stderr, "KNOWN BUG (%s in %s, %lu runs, first with "
                    "allocation %s:%lu failing): %s\n",
                    kind_names[known_bugs[i].kind],
                    ph_long[known_bugs[i].ph], sw->known[i],
                    ph_short[sw->known_first[i].ph], sw->known_first[i].k,
                    known_bugs[i].bug);
}

/* Writes all n bytes of buf, or fewer when the pipe breaks. */
static void write_all(int fd, const void *buf, size_t n)
{
    size_t k = 0;
    ssize_t m;

    while (k < n) {
        m = write(fd, (const char *)buf + k, n - k);
        if (m < 0 && errno == EINTR)
            continue;
        if (m <= 0)
            break;
        k += (size_t)m;
    }
}

#define MAX_LANES 8

/*
 * run_cases over the machine's cores (ALLOCFAIL_JOBS lanes, one per
 * core by default; one when loud): the cases are cut into that many
 * shares, a helper process runs each share after the first with
 * run_cases and sends back the outcomes, and this process runs the
 * first meanwhile.
 */
static void run_lanes(const site *targets, size_t n, int persistent,
                      int loud, outcome *outcomes, int *crashed)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned long lanes = env_ul("ALLOCFAIL_JOBS",
                                 cores > 0 ? (unsigned long)cores : 1);
    size_t lo[MAX_LANES + 1], l;
    int fd[MAX_LANES], fds[2], status;
    pid_t pid[MAX_LANES];

    if (lanes < 1 || loud)
        lanes = 1;
    if (lanes > MAX_LANES)
        lanes = MAX_LANES;
    for (l = 0; l <= lanes; l++)
        lo[l] = n * l / lanes;
    for (l = 1; l < lanes; l++) {
        if (pipe(fds) != 0)
            abort();
        fflush(stdout);
        fflush(stderr);
        if ((pid[l] = fork()) < 0)
            abort();
        if (pid[l] == 0) {
            close(fds[0]);
            run_cases(targets + lo[l], lo[l + 1] - lo[l], persistent, 0,
                      nowhere, outcomes + lo[l], crashed + lo[l]);
            write_all(fds[1], outcomes + lo[l],
                      (lo[l + 1] - lo[l]) * sizeof *outcomes);
            write_all(fds[1], crashed + lo[l],
                      (lo[l + 1] - lo[l]) * sizeof *crashed);
            _exit(0);
        }
        close(fds[1]);
        fd[l] = fds[0];
    }
    run_cases(targets, lo[1], persistent, loud, nowhere, outcomes, crashed);
    for (l = 1; l < lanes; l++) {
        size_t k = lo[l + 1] - lo[l];

        assert_int_equal(read_all(fd[l], outcomes + lo[l],
                                  k * sizeof *outcomes), k * sizeof *outcomes);
        assert_int_equal(read_all(fd[l], crashed + lo[l], k * sizeof *crashed),
                         k * sizeof *crashed);
        close(fd[l]);
        while (waitpid(pid[l], &status, 0) < 0 && errno == EINTR)
            ;
    }
}

static void sweep_all(int persistent, unsigned long max)
{
    unsigned long step[PH_COUNT], k;
    outcome *outcomes;
    site *targets;
    int *crashed;
    size_t n = 0, cap = 0, i;
    sweep sw;
    int ph;

    if (max == 0)
        skip(); /* ALLOCFAIL_RUNS=0: the runs without failures only */
    memset(&sw, 0, sizeof sw);
    sw.persistent = persistent;
    sw.verbose = getenv("ALLOCFAIL_VERBOSE") != NULL;
    strides(max, step);
    for (ph = 0; ph < PH_COUNT; ph++)
        cap += ref_count(ph) / step[ph] + 1;
    targets = calloc(cap, sizeof *targets);
    outcomes = calloc(cap, sizeof *outcomes);
    crashed = calloc(cap, sizeof *crashed);
    assert_true(targets != NULL && outcomes != NULL && crashed != NULL);
    for (ph = 0; ph < PH_COUNT; ph++)
        for (k = 1; k <= ref_count(ph) && n < cap; k += step[ph]) {
            targets[n].ph = ph;
            targets[n++].k = k;
        }
    run_lanes(targets, n, persistent, sw.verbose, outcomes, crashed);
    for (i = 0; i < n; i++)
        judge_case(&sw, targets[i], &outcomes[i], crashed[i]);
    free(targets);
    free(outcomes);
    free(crashed);
    summary(&sw, persistent ? "memory gone from an allocation on"
                            : "each allocation failing alone");
    assert_int_equal(sw.unknown, 0);
}

static void each_allocation_fails_alone(void **state)
{
    (void)state;
    sweep_all(0, env_ul("ALLOCFAIL_RUNS", 6000));
}

static void memory_runs_out(void **state)
{
    size_t i;

    (void)state;
    sweep_all(1, env_ul("ALLOCFAIL_RUNS", 6000) / 6);
    for (i = 0; i < NKNOWN; i++)
        if (!known_seen[i])
            fprintf(stderr, "known bug not seen in this sweep (fixed? then "
                    "take it out of known_bugs[]): %s\n", known_bugs[i].bug);
}

/* ALLOCFAIL_AT=call:k: that one case, in this process. */
static int one_case(const char *spec)
{
    const char *colon = strchr(spec, ':');
    run_result r;
    outcome o;
    site at = { -1, 0 };
    int ph;

    for (ph = 0; colon != NULL && ph < PH_COUNT; ph++)
        if (strlen(ph_short[ph]) == (size_t)(colon - spec) &&
            strncmp(spec, ph_short[ph], (size_t)(colon - spec)) == 0)
            at.ph = ph;
    if (at.ph < 0 || (at.k = strtoul(colon + 1, NULL, 10)) == 0) {
        fprintf(stderr, "test_allocfail: ALLOCFAIL_AT is CALL:K, CALL one "
                "of engine load schema read replay text json junit html "
                "free\n");
        return 1;
    }
    inj.target = at;
    inj.persistent = env_ul("ALLOCFAIL_PERSISTENT", 0) != 0;
    inj.trace[0].ph = at.ph;
    inj.trace[0].k = env_ul("ALLOCFAIL_TRACE", 0);
    one_run(&r);
    judge(&r, &o);
    if (getenv("ALLOCFAIL_DUMP") != NULL) {
        char refpath[4096];
        FILE *f;

        snprintf(refpath, sizeof refpath, "%s.ref", getenv("ALLOCFAIL_DUMP"));
        if ((f = fopen(getenv("ALLOCFAIL_DUMP"), "w")) != NULL) {
            fwrite(r.report, 1, r.len, f);
            fclose(f);
        }
        if ((f = fopen(refpath, "w")) != NULL) {
            fwrite(ref.report, 1, ref.len, f);
            fclose(f);
        }
    }
    fprintf(stderr, "allocation %s:%lu failing%s: engine %d, load %s, "
            "schema %d, read %s, replay %s, render %s/%s/%s/%s: %s; %zu "
            "block(s) left", ph_short[at.ph], at.k,
            inj.persistent ? ", and every one after it" : "", r.engine,
            pb_strstatus(r.load), r.schema, pb_strstatus(r.scenario),
            pb_strstatus(r.replay), pb_strstatus(r.render[0]),
            pb_strstatus(r.render[1]), pb_strstatus(r.render[2]),
            pb_strstatus(r.render[3]), kind_names[o.kind], r.leaked);
    if (r.leaked > 0) {
        fprintf(stderr, ", by allocation");
        run_leaks(&o.leak, 1);
    } else {
        fprintf(stderr, "\n");
    }
    free(r.report);
    return r.leaked > 0 || o.kind == K_SILENT;
}

int main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_allocation_fails_alone),
        cmocka_unit_test(memory_runs_out),
    };
    size_t i;

    for (i = 0; i < NFATAL; i++)
        sigaction(fatal_signals[i], NULL, &first_handlers[i]);
    /* Before anything else touches libxml2. */
    if (xmlMemSetup(xml_free, xml_malloc, xml_realloc, xml_strdup) != 0) {
        fprintf(stderr, "test_allocfail: xmlMemSetup failed\n");
        return 1;
    }
    /* libxml2 reports a failed allocation on its generic handler too. */
    xmlSetGenericErrorFunc(NULL, quiet);
    /* Warm up: libxml2's one-time set-up (parser globals, the RELAX NG
     * type library) happens here, outside any count. */
    one_run(&ref);
    free(ref.report);
    one_run(&ref);
    memcpy(ref_counts, inj.count, sizeof ref_counts);
    if (!all_ok(&ref) || ref.leaked != 0) {
        fprintf(stderr, "test_allocfail: the run without failures fails "
                "or leaks (run it from the repository root)\n");
        return 1;
    }
    fprintf(stderr, "allocfail: allocations per run:");
    for (i = 0; i < PH_COUNT; i++)
        fprintf(stderr, "%s %lu in %s", i ? "," : "", ref_counts[i],
                ph_long[i]);
    fprintf(stderr, "\n");
    if (getenv("ALLOCFAIL_AT") != NULL)
        return one_case(getenv("ALLOCFAIL_AT"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
