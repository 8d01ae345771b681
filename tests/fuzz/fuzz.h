/*
 * fuzz.h -- what the fuzz targets share.
 *
 * Each tests/fuzz/fuzz_*.c is one libFuzzer target.  The same file links
 * either with libFuzzer (`make fuzz`, build/fuzz) or with replay.c, a
 * plain main() that feeds it the files of the corpus (`make check`, in
 * the release and the ASan builds).  Targets run from the repository
 * root, where principles/ is.
 */
#ifndef PB_FUZZ_H
#define PB_FUZZ_H

#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "playbook.h"
#include "writer.h"

/* The libFuzzer entry points; every target defines both. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A broken promise of the library (not a crash the sanitizers see by
 * themselves): say which and abort, so libFuzzer keeps the input as a
 * crash and the replay fails.
 */
static inline void fuzz_fail(const char *fmt, ...)
{
    va_list ap;

    fputs("fuzz: contract broken: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

/* Setup that cannot fail on a sound checkout. */
static inline void fuzz_setup_failed(const char *what)
{
    fprintf(stderr, "fuzz: setup failed: %s (run from the repository "
            "root, where principles/ is)\n", what);
    exit(2);
}

/* The principles the targets replay against: PB_FUZZ_PRINCIPLES, else
 * principles/ of the current folder. */
static inline const char *fuzz_principles(void)
{
    const char *p = getenv("PB_FUZZ_PRINCIPLES");

    return p != NULL && *p != '\0' ? p : "principles";
}

/*
 * The default principles, read from disk once (fuzz_principles_read, at
 * start) and loaded from memory into a fresh engine for every input
 * (fuzz_engine_new): a run then leaves nothing behind for the next one,
 * so a finding reproduces from its input alone, and libFuzzer's leak
 * check (which runs whenever a run's mallocs and frees differ) stays
 * rare and meaningful.
 */
#define FUZZ_MAX_PRINCIPLES 64

typedef struct fuzz_source {
    char *name, *src;
    size_t len;
} fuzz_source;

static fuzz_source fuzz_sources[FUZZ_MAX_PRINCIPLES];
static size_t fuzz_nsources;

static inline int fuzz_cmp_sources(const void *a, const void *b)
{
    return strcmp(((const fuzz_source *)a)->name,
                  ((const fuzz_source *)b)->name);
}

static inline void fuzz_principles_read(void)
{
    const char *dir = fuzz_principles();
    DIR *d = opendir(dir);
    struct dirent *de;

    if (d == NULL)
        fuzz_setup_failed("cannot open the principles folder");
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name), cap = 0;
        fuzz_source *s = &fuzz_sources[fuzz_nsources];
        FILE *f;

        if (de->d_name[0] == '.' || n < 5 ||
            strcmp(de->d_name + n - 4, ".lua") != 0)
            continue;
        if (fuzz_nsources == FUZZ_MAX_PRINCIPLES)
            fuzz_setup_failed("too many principle files");
        n += strlen(dir) + 2;
        if ((s->name = malloc(n)) == NULL)
            fuzz_setup_failed("out of memory");
        snprintf(s->name, n, "%s/%s", dir, de->d_name);
        if ((f = fopen(s->name, "rb")) == NULL)
            fuzz_setup_failed("cannot read a principle file");
        s->len = 0;
        do {
            if (s->len == cap &&
                (s->src = realloc(s->src, cap = cap * 2 + 4096)) == NULL)
                fuzz_setup_failed("out of memory");
            n = fread(s->src + s->len, 1, cap - s->len, f);
            s->len += n;
        } while (n > 0);
        fclose(f);
        fuzz_nsources++;
    }
    closedir(d);
    if (fuzz_nsources == 0)
        fuzz_setup_failed("no principle files");
    qsort(fuzz_sources, fuzz_nsources, sizeof *fuzz_sources,
          fuzz_cmp_sources);
}

static inline pb_engine *fuzz_engine_new(void)
{
    pb_engine *e = pb_engine_new();
    pb_error err;
    size_t i;

    if (e == NULL)
        return NULL;
    for (i = 0; i < fuzz_nsources; i++)
        if (pb_engine_load_buffer(e, fuzz_sources[i].name,
                                  fuzz_sources[i].src, fuzz_sources[i].len,
                                  &err) != PB_OK)
            fuzz_setup_failed("the default principles do not load");
    return e;
}

static inline int fuzz_same_str(const char *a, const char *b)
{
    return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* Event texts as a case file keeps them: trimmed, and none when empty.
 * (A journal record is replayed as it is, untrimmed, while appends trim:
 * only the checklist, compared below, must not tell them apart.) */
static inline int fuzz_same_text(const char *a, const char *b)
{
    static const char ws[] = " \t\r\n";
    size_t la, lb;

    a = a != NULL ? a + strspn(a, ws) : "";
    b = b != NULL ? b + strspn(b, ws) : "";
    for (la = strlen(a); la > 0 && strchr(ws, a[la - 1]) != NULL; la--)
        ;
    for (lb = strlen(b); lb > 0 && strchr(ws, b[lb - 1]) != NULL; lb--)
        ;
    return la == lb && memcmp(a, b, la) == 0;
}

/*
 * A case written as a scenario file (pb__case_xml, what case files and
 * their compaction write) must read back as the same case: the same
 * header, initial facts, recorded events and expectations, and, replayed
 * through a fresh engine with the same principles, the same checklist --
 * a case reopened after a crash is the case that was saved.  h->expect
 * may be NULL.  Text that cannot be XML is refused, which is allowed.
 */
static inline void fuzz_round_trip(const pb_schema *schema, const pb_case *c,
                                   const pb__case_header *h)
{
    pb_scenario *back = NULL;
    pb_engine *e = NULL;
    pb_replay *r = NULL;
    const pb_case *c2;
    pb_error err;
    char *xml = NULL, msg[1200];
    size_t len = 0, i, k, n = 0;

    if (pb__case_xml(c, h, &xml, &len, &err) != PB_OK)
        return;
    if (pb_scenario_parse_with(schema, "round-trip.xml", xml, len, &back,
                               &err) != PB_OK) {
        fuzz_fail("pb__case_xml wrote a scenario that does not read back: "
                  "%s\n--- written:\n%s",
                  pb_error_text(&err, msg, sizeof msg), xml);
    }
    if (!fuzz_same_str(pb_case_topic(c), pb_scenario_topic(back)) ||
        !fuzz_same_str(pb_case_channel(c), pb_scenario_channel(back)) ||
        !fuzz_same_str(pb_case_agent(c), pb_scenario_agent(back)) ||
        !fuzz_same_str(pb_case_team(c), pb_scenario_team(back)))
        fuzz_fail("round trip: topic, channel, agent or team changed");
    if (pb_case_ninitial(c) != pb_scenario_nfacts(back))
        fuzz_fail("round trip: %zu initial facts, %zu read back",
                  pb_case_ninitial(c), pb_scenario_nfacts(back));
    for (i = 0; i < pb_case_ninitial(c); i++) {
        const char *n1, *v1, *n2, *v2;
        int line;

        pb_case_initial(c, i, &n1, &v1);
        pb_scenario_fact(back, i, &n2, &v2, &line);
        if (strcmp(n1, n2) != 0 || strcmp(v1, v2) != 0)
            fuzz_fail("round trip: fact %s='%s' reads back as %s='%s'",
                      n1, v1, n2, v2);
    }
    for (i = 0; i < pb_case_nevents(c); i++) {
        pb_event_info a, b;
        int line;

        pb_case_event(c, i, &a);
        if (a.detected_by != NULL)
            continue;
        if (n >= pb_scenario_nevents(back))
            fuzz_fail("round trip: events lost");
        pb_scenario_event(back, n++, &b, &line);
        if (a.t != b.t || strcmp(a.type, b.type) != 0)
            fuzz_fail("round trip: event %zu was %.17g %s, reads back as "
                      "%.17g %s", i, a.t, a.type, b.t, b.type);
        if (!fuzz_same_text(a.text, b.text))
            fuzz_fail("round trip: event %zu text '%s' reads back as "
                      "'%s'", i, a.text ? a.text : "(none)",
                      b.text ? b.text : "(none)");
        if (a.nattrs != b.nattrs)
            fuzz_fail("round trip: event %zu had %zu attributes, %zu read "
                      "back", i, a.nattrs, b.nattrs);
        for (k = 0; k < a.nattrs; k++)
            if (strcmp(a.attrs[k].name, b.attrs[k].name) != 0 ||
                strcmp(a.attrs[k].value, b.attrs[k].value) != 0)
                fuzz_fail("round trip: event %zu attribute %s='%s' reads "
                          "back as %s='%s'", i, a.attrs[k].name,
                          a.attrs[k].value, b.attrs[k].name,
                          b.attrs[k].value);
    }
    if (n != pb_scenario_nevents(back))
        fuzz_fail("round trip: %zu recorded events, %zu read back", n,
                  pb_scenario_nevents(back));
    if (h->expect != NULL) {
        if (pb_scenario_nexpects(h->expect) != pb_scenario_nexpects(back))
            fuzz_fail("round trip: %zu expectations, %zu read back",
                      pb_scenario_nexpects(h->expect),
                      pb_scenario_nexpects(back));
        for (i = 0; i < pb_scenario_nexpects(back); i++) {
            const pb_expect *x = pb_scenario_expect(h->expect, i),
                            *y = pb_scenario_expect(back, i);

            if (x->kind != y->kind || !fuzz_same_str(x->ref, y->ref) ||
                !fuzz_same_str(x->principle, y->principle) ||
                (x->kind == PB_EXPECT_ITEM && x->state != y->state) ||
                (x->kind == PB_EXPECT_SCORE &&
                 (x->min != y->min || x->max != y->max)))
                fuzz_fail("round trip: expectation %zu changed", i);
        }
    }
    /* The same checklist from the file. */
    if ((e = fuzz_engine_new()) == NULL)
        goto done;
    if (pb_replay_run(e, back, &r, &err) != PB_OK)
        fuzz_fail("a case saved by pb__case_xml does not replay: %s\n"
                  "--- written:\n%s",
                  pb_error_text(&err, msg, sizeof msg), xml);
    c2 = pb_replay_case(r);
    if (pb_case_nevents(c) != pb_case_nevents(c2))
        fuzz_fail("round trip: %zu events with the detected ones, %zu "
                  "on replay\n--- written:\n%s", pb_case_nevents(c),
                  pb_case_nevents(c2), xml);
    for (i = 0; i < pb_engine_nitems(e); i++) {
        pb_item_info a, b;

        pb_case_item(c, i, &a);
        pb_case_item(c2, i, &b);
        if (a.state != b.state)
            fuzz_fail("round trip: item %s.%s was %s, is %s after "
                      "reading the saved case back\n--- written:\n%s",
                      a.principle, a.id, pb_state_name(a.state),
                      pb_state_name(b.state), xml);
    }
done:
    pb_replay_free(r);
    pb_engine_free(e);
    pb_scenario_free(back);
    free(xml);
}

/* A sink for renderers: the bytes are produced, not kept. */
static inline FILE *fuzz_null(void)
{
    static FILE *f;

    if (f == NULL && (f = fopen("/dev/null", "w")) == NULL)
        fuzz_setup_failed("cannot open /dev/null");
    return f;
}

#endif
