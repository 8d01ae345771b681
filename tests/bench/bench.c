/*
 * bench.c -- `make bench`: the quality bars of docs/performance.md, each figure
 * printed with a floor measured in the same run and the ratio to it.
 *
 *   bench PRINCIPLE_DIR PLAYBOOK_BINARY
 *         [event|replay|merge|memory|check|hostile [RUNS]]
 */
#define _GNU_SOURCE /* clock_gettime, mkdtemp */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <libxml/parser.h>
#include <lua.h>
#include <lualib.h>

#include "engine.h"
#include "playbook.h"

#define EVENTS 40
#define FILES 10000
#define CASES 10000

extern char **environ;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
    qsort(v, n, sizeof *v, cmp_double);
    return v[(size_t)(p * (double)(n - 1))];
}

static void die(const char *what, const pb_error *err)
{
    char buf[1200];

    fprintf(stderr, "bench: %s: %s\n", what,
            err ? pb_error_text(err, buf, sizeof buf) : strerror(errno));
    exit(2);
}

/* A realistic call: mostly utterances the default detectors read, a few
 * typed events, facts.  Varies with seed so no two files are equal. */
typedef struct ev {
    const char *type, *text, *attr, *value;
} ev;

static const ev script[EVENTS] = {
    { "customer.said", "Hi, my parcel still has not arrived and it is a gift.", 0, 0 },
    { "agent.said", "I'm sorry to hear that. Could I have your order number?", 0, 0 },
    { "customer.said", "Sure, order number 3348917502.", 0, 0 },
    { "agent.said", "Thank you. So what I'm hearing is the parcel is late.", 0, 0 },
    { "customer.said", "Yes, exactly, it was due on Monday.", 0, 0 },
    { "agent.asked", "And the delivery address?", "fact", "delivery_address" },
    { "fact", "12 Elm Street", "name", "delivery_address" },
    { "agent.said", "Let me check the tracking for you.", 0, 0 },
    { "agent.action", "Tracking looked up.", 0, 0 },
    { "agent.said", "The carrier reports a delay at the depot.", 0, 0 },
    { "customer.said", "That is really frustrating, I needed it this week.", 0, 0 },
    { "agent.said", "I understand this is frustrating.", 0, 0 },
    { "agent.said", "I'll make sure this is sorted for you.", 0, 0 },
    { "agent.said", "What I can do is send a replacement by express today.", 0, 0 },
    { "customer.said", "Okay, how would that work?", 0, 0 },
    { "agent.said", "First, I cancel the old shipment.", 0, 0 },
    { "agent.said", "Then you will receive a new tracking email.", 0, 0 },
    { "agent.said", "Does that make sense?", 0, 0 },
    { "customer.said", "Got it, makes sense.", 0, 0 },
    { "agent.said", "You'll have it by Friday noon, I will track it myself.", 0, 0 },
    { "customer.said", "Thank you, that helps a lot.", 0, 0 },
    { "agent.said", "Is there anything else about this order?", 0, 0 },
    { "customer.said", "Will I be charged for the express shipping?", 0, 0 },
    { "agent.said", "No, there is no charge for the replacement.", 0, 0 },
    { "customer.said", "Great. And the original parcel?", 0, 0 },
    { "agent.said", "If it arrives, you can refuse it at the door.", 0, 0 },
    { "customer.said", "Understood.", 0, 0 },
    { "agent.said", "I will follow up tomorrow to confirm it shipped.", 0, 0 },
    { "followup.scheduled", "Call back", "due", "tomorrow 10:00" },
    { "customer.said", "Perfect.", 0, 0 },
    { "agent.said", "I have noted everything on your case.", 0, 0 },
    { "fact", "carrier_delay", "name", "root_cause" },
    { "customer.said", "Thanks again for your help today.", 0, 0 },
    { "agent.said", "You're welcome, and sorry again for the delay.", 0, 0 },
    { "customer.said", "No problem, have a nice day.", 0, 0 },
    { "agent.said", "You too. Goodbye.", 0, 0 },
    { "case.resolved", NULL, 0, 0 },
    { "agent.said", "Closing the case now.", 0, 0 },
    { "customer.said", "Bye.", 0, 0 },
    { "case.closed", NULL, 0, 0 },
};

static pb_engine *engine(const char *dir)
{
    pb_engine *e = pb_engine_new();
    pb_error err;

    if (e == NULL || pb_engine_load(e, dir, &err) != PB_OK)
        die("loading principles", e ? &err : NULL);
    return e;
}

static void append(pb_case *c, int i, int seed)
{
    pb_attr a = { script[i].attr, script[i].value };
    pb_error err;
    char text[256];

    if (script[i].text)
        snprintf(text, sizeof text, "%s%s", script[i].text,
                 seed % 3 == 0 ? "" : seed % 3 == 1 ? " Right." : " Okay.");
    if (pb_case_append(c, i * 7.0, script[i].type,
                       script[i].text ? text : NULL, script[i].attr ? &a : NULL,
                       script[i].attr ? 1 : 0, &err) != PB_OK)
        die("append", &err);
}

/* 1. Per-event re-evaluation, against empty Lua calls. */

static double empty_call_floor(size_t calls_per_event)
{
    lua_State *L = luaL_newstate();
    size_t i, k, reps = 20000;
    double t0, t;

    if (luaL_dostring(L, "return function(case) end") != LUA_OK)
        die("lua", NULL);
    lua_setglobal(L, "f");
    t0 = now();
    for (k = 0; k < reps; k++) {
        for (i = 0; i < calls_per_event; i++) {
            lua_getglobal(L, "f");
            lua_pushnil(L);
            lua_pcall(L, 1, 1, 0);
            lua_pop(L, 1);
        }
    }
    t = (now() - t0) / (double)reps;
    lua_close(L);
    return t;
}

static void bench_event(const char *dir, size_t runs)
{
    pb_engine *e = engine(dir);
    size_t n = 0, calls0;
    double *v = malloc(runs * EVENTS * sizeof *v), med, p99, floor;
    int r, i;

    calls0 = pb__sandbox_calls(e->sb);
    for (r = 0; r < (int)runs; r++) {
        pb_case *c = pb_case_new(e, "delivery", "phone", NULL);

        for (i = 0; i < EVENTS; i++) {
            double t0 = now();

            append(c, i, r);
            v[n++] = now() - t0;
        }
        pb_case_free(c);
    }
    floor = empty_call_floor((pb__sandbox_calls(e->sb) - calls0) / n);
    printf("per-event evaluation  %zu principles, %.1f Lua calls/event\n",
           pb_engine_nprinciples(e),
           (double)(pb__sandbox_calls(e->sb) - calls0) / (double)n);
    med = pct(v, n, 0.5);
    p99 = pct(v, n, 0.99);
    printf("  median %.1f us  p99 %.1f us  floor %.1f us (as many empty Lua "
           "calls)  ratio %.1fx   [target median < 20 us, <= 3x]\n",
           med * 1e6, p99 * 1e6, floor * 1e6, med / floor);
    free(v);
    pb_engine_free(e);
}

/* 2. Replay of generated files, against libxml2 parsing them. */

static void write_files(const char *tmp)
{
    int f, i;

    for (f = 0; f < FILES; f++) {
        char path[512];
        FILE *out;

        snprintf(path, sizeof path, "%s/s%05d.xml", tmp, f);
        if ((out = fopen(path, "w")) == NULL)
            die(path, NULL);
        fprintf(out, "<scenario xmlns=\"urn:playbook:scenario:1\" "
                     "id=\"gen-%d\" title=\"Generated call %d\">\n"
                     "  <case topic=\"delivery\" channel=\"phone\">\n"
                     "    <fact name=\"customer_tier\">gold</fact>\n"
                     "  </case>\n  <events>\n", f, f);
        for (i = 0; i < EVENTS; i++) {
            fprintf(out, "    <event t=\"%d\" type=\"%s\"", i * 7,
                    script[i].type);
            if (script[i].attr)
                fprintf(out, " %s=\"%s\"", script[i].attr, script[i].value);
            if (script[i].text)
                fprintf(out, ">%s (%d)</event>\n", script[i].text, f);
            else
                fprintf(out, "/>\n");
        }
        fprintf(out, "  </events>\n</scenario>\n");
        fclose(out);
    }
}

/* Seconds to read and replay the files (and count them in cv). */
static double replay_files(pb_engine *e, pb_schema *schema, const char *tmp,
                           pb_coverage *cv)
{
    double t0 = now();
    char path[512];
    int f;

    for (f = 0; f < FILES; f++) {
        pb_scenario *s;
        pb_replay *r;
        pb_error err;

        snprintf(path, sizeof path, "%s/s%05d.xml", tmp, f);
        if (pb_scenario_read_with(schema, path, &s, &err) != PB_OK ||
            pb_replay_run(e, s, &r, &err) != PB_OK)
            die(path, &err);
        if (cv && pb_coverage_add(cv, pb_replay_case(r)) != PB_OK)
            die("coverage", NULL);
        pb_replay_free(r);
        pb_scenario_free(s);
    }
    return now() - t0;
}

static void bench_replay(const char *dir)
{
    char tmp[] = "/tmp/pb-bench.XXXXXX", path[512];
    pb_engine *e = engine(dir);
    pb_schema *schema = pb_schema_new(NULL);
    pb_coverage *cv;
    double t0, floor, full, covered;
    int f;

    if (mkdtemp(tmp) == NULL)
        die("mkdtemp", NULL);
    write_files(tmp);
    t0 = now();
    for (f = 0; f < FILES; f++) {
        xmlDocPtr doc;

        snprintf(path, sizeof path, "%s/s%05d.xml", tmp, f);
        doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOWARNING);
        if (doc == NULL)
            die(path, NULL);
        xmlFreeDoc(doc);
    }
    floor = now() - t0;
    full = replay_files(e, schema, tmp, NULL);
    /* The same files again, each case folded into coverage too. */
    if ((cv = pb_coverage_new(e)) == NULL)
        die("out of memory", NULL);
    covered = replay_files(e, schema, tmp, cv);
    pb_coverage_free(cv);
    printf("replay                %d files x %d events, one core\n", FILES,
           EVENTS);
    printf("  %.2f s  (%.0f files/s, %.0f events/s)  floor %.2f s (libxml2 "
           "parse only)  ratio %.1fx   [target < 5 s, <= 2x]\n",
           full, FILES / full, FILES * (double)EVENTS / full, floor,
           full / floor);
    printf("coverage              the same files, each case counted\n");
    printf("  %.2f s  floor %.2f s (their replay)  ratio %.2fx   "
           "[target <= 1.5x]\n", covered, full, covered / full);
    for (f = 0; f < FILES; f++) {
        snprintf(path, sizeof path, "%s/s%05d.xml", tmp, f);
        unlink(path);
    }
    rmdir(tmp);
    pb_schema_free(schema);
    pb_engine_free(e);
}

/* 2b. Statistics of 100,000 calls in 8 shards, merged: the same bytes
 * as one run (docs/scale.md), and the calls counted per second. */

#define MERGE_CALLS 100000
#define SHARDS 8

/* Call i: 12 events of the script from a place i decides, a root cause
 * of 37, one of 40 agents, a month of 12, resolved or not, reopened now
 * and then. */
static int gen_call(char *buf, size_t size, int i)
{
    int n = 0, k, from = i % (EVENTS - 14);

    n += snprintf(buf + n, size - (size_t)n,
                  "<scenario xmlns=\"urn:playbook:scenario:1\" id=\"g%d\">"
                  "<case topic=\"%s\" agent=\"agent %02d\">"
                  "<fact name=\"started_at\">2026-%02d-%02dT10:00:00Z</fact>"
                  "<fact name=\"root_cause\">cause_%d</fact></case><events>",
                  i, i % 3 ? "delivery" : "billing", i % 40, i % 12 + 1,
                  i % 28 + 1, i % 37);
    for (k = 0; k < 12; k++) {
        const ev *e = &script[from + k];

        if (strcmp(e->type, "case.closed") == 0 ||
            strcmp(e->type, "fact") == 0)
            continue;
        n += snprintf(buf + n, size - (size_t)n, "<event t=\"%d\" "
                      "type=\"%s\"", k * 9, e->type);
        if (e->attr)
            n += snprintf(buf + n, size - (size_t)n, " %s=\"%s\"", e->attr,
                          e->value);
        n += snprintf(buf + n, size - (size_t)n, e->text ? ">%s</event>"
                      : "/>", e->text ? e->text : "");
    }
    if (i % 2)
        n += snprintf(buf + n, size - (size_t)n, "<event t=\"200\" "
                      "type=\"case.resolved\"/>");
    if (i % 7 == 0)
        n += snprintf(buf + n, size - (size_t)n, "<event t=\"900\" "
                      "type=\"followup.done\" outcome=\"not_fixed\"/>");
    n += snprintf(buf + n, size - (size_t)n, "</events></scenario>");
    return n;
}

/* Call i replayed, its time added to *spent; the scenario freed with
 * the replay (pb_replay_scenario). */
static pb_replay *replay_gen(pb_engine *e, int i, double *spent)
{
    char xml[8192];
    int n = gen_call(xml, sizeof xml, i);
    double t0 = now();
    pb_scenario *s;
    pb_replay *r;
    pb_error err;

    if (pb_scenario_parse("gen.xml", xml, (size_t)n, &s, &err) != PB_OK ||
        pb_replay_run(e, s, &r, &err) != PB_OK)
        die("gen.xml", &err);
    *spent += now() - t0;
    return r;
}

static void free_gen(pb_replay *r)
{
    pb_scenario *s = (pb_scenario *)pb_replay_scenario(r);

    pb_replay_free(r);
    pb_scenario_free(s);
}

static char *rendered(const pb_stats *s, pb_format fmt, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);

    if (f == NULL || pb_stats_render(s, f, fmt, 0) != PB_OK)
        die("render", NULL);
    fclose(f);
    return buf;
}

static void bench_merge(const char *dir)
{
    static const pb_format fmts[] = { PB_FORMAT_TEXT, PB_FORMAT_JSON,
                                      PB_FORMAT_HTML };
    char tmp[] = "/tmp/pb-merge.XXXXXX", path[64];
    pb_engine *e = engine(dir);
    pb_stats *one = pb_stats_new(e), *shard[SHARDS], *merged = NULL;
    double t0, replayed = 0, counted = 0, merging;
    size_t i, same = 0;
    pb_error err;

    if (mkdtemp(tmp) == NULL || one == NULL)
        die("mkdtemp", NULL);
    for (i = 0; i < SHARDS; i++)
        if ((shard[i] = pb_stats_new(e)) == NULL)
            die("out of memory", NULL);
    for (i = 0; i < MERGE_CALLS; i++) {
        pb_replay *r = replay_gen(e, (int)i, &replayed);

        t0 = now();
        if (pb_stats_add_replay(one, r, &err) != PB_OK)
            die("gen.xml", &err);
        counted += now() - t0;
        if (pb_stats_add_replay(shard[i % SHARDS], r, &err) != PB_OK)
            die("gen.xml", &err);
        free_gen(r);
    }
    t0 = now();
    for (i = 0; i < SHARDS; i++) {
        FILE *f;

        snprintf(path, sizeof path, "%s/%zu.part", tmp, i);
        if ((f = fopen(path, "w")) == NULL ||
            pb_stats_write_partial(shard[i], f) != PB_OK || fclose(f) != 0)
            die(path, NULL);
    }
    for (i = SHARDS; i-- > 0;) {   /* merged in another order */
        snprintf(path, sizeof path, "%s/%zu.part", tmp, i);
        if (pb_stats_read_partial(&merged, path, &err) != PB_OK)
            die(path, &err);
        unlink(path);
    }
    merging = now() - t0;
    rmdir(tmp);
    for (i = 0; i < sizeof fmts / sizeof *fmts; i++) {
        size_t la, lb;
        char *a = rendered(one, fmts[i], &la), *b = rendered(merged, fmts[i],
                                                             &lb);

        same += la == lb && memcmp(a, b, la) == 0;
        free(a);
        free(b);
    }
    printf("stats, sharded        %d calls in %d shards, merged\n",
           MERGE_CALLS, SHARDS);
    printf("  %.2f s  (%.0f calls/s on one core, counted)  floor %.2f s "
           "(their replay)  ratio %.2fx   [target < 2x]\n",
           replayed + counted, MERGE_CALLS / (replayed + counted), replayed,
           (replayed + counted) / replayed);
    printf("  write %d partials and merge them: %.3f s; text, JSON and HTML "
           "%s one run's (%zu of 3)   [target: identical]\n", SHARDS,
           merging, same == 3 ? "byte-identical to" : "DIFFER from", same);
    for (i = 0; i < SHARDS; i++)
        pb_stats_free(shard[i]);
    pb_stats_free(one);
    pb_stats_free(merged);
    pb_engine_free(e);
}

/* 2c. Coaching one agent over 10,000 calls: every call counted for the
 * team, the agent's (one in 40) for them too, with their moments. */

#define COACH_CALLS 10000

static void bench_coach(const char *dir)
{
    pb_engine *e = engine(dir);
    pb_coach *c = pb_coach_new(e, "agent 07");
    double replayed = 0, counted = 0, t0;
    pb_stats_info mine;
    char *page = NULL;
    size_t i, len;
    pb_error err;
    FILE *f;

    if (c == NULL)
        die("out of memory", NULL);
    for (i = 0; i < COACH_CALLS; i++) {
        pb_replay *r = replay_gen(e, (int)i, &replayed);

        t0 = now();
        if (pb_coach_add_replay(c, r, &err) != PB_OK)
            die("gen.xml", &err);
        counted += now() - t0;
        free_gen(r);
    }
    t0 = now();
    if ((f = open_memstream(&page, &len)) == NULL ||
        pb_coach_render(c, f, PB_FORMAT_HTML, 0) != PB_OK || fclose(f) != 0)
        die("render", NULL);
    counted += now() - t0;
    pb_stats_overall(pb_coach_calls(c), &mine);
    printf("coach, one agent      %d calls (%zu of them the agent's), "
           "HTML page %zu bytes\n", COACH_CALLS, mine.cases, len);
    printf("  %.2f s  (%.0f calls/s on one core)  floor %.2f s (their "
           "replay)  ratio %.2fx   [target < 2x]\n", replayed + counted,
           COACH_CALLS / (replayed + counted), replayed,
           (replayed + counted) / replayed);
    free(page);
    pb_coach_free(c);
    pb_engine_free(e);
}

/* 3. Memory per open case. */

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;

    if (f == NULL || fscanf(f, "%ld %ld", &size, &resident) != 2)
        die("/proc/self/statm", NULL);
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void bench_memory(const char *dir)
{
    pb_engine *e;
    pb_case **cases = calloc(CASES, sizeof *cases);
    long before, after, floor;
    int c, i;

    e = engine(dir);
    pb_engine_set_limits(e, 0, (size_t)2 << 30); /* room for all cases */
    before = rss_kib();
    for (c = 0; c < CASES; c++) {
        cases[c] = pb_case_new(e, "delivery", "phone", NULL);
        for (i = 0; i < EVENTS; i++)
            append(cases[c], i, c);
    }
    after = rss_kib();
    floor = 0;
    {   /* the floor: the same events as plain strings in C */
        size_t bytes = 0;

        for (i = 0; i < EVENTS; i++)
            bytes += 64 + (script[i].text ? strlen(script[i].text) + 8 : 0);
        floor = (long)(bytes / 1024);
    }
    printf("open cases            %d cases x %d events in one process\n",
           CASES, EVENTS);
    printf("  %.1f KiB per case (%ld MiB in all)  floor %.1f KiB (the event "
           "text alone)  ratio %.1fx   [target < 64 KiB, < 1 GiB]\n",
           (double)(after - before) / CASES, (after - before) / 1024,
           (double)floor, (double)(after - before) / CASES /
                              (floor > 0 ? (double)floor : 1.0));
    for (c = 0; c < CASES; c++)
        pb_case_free(cases[c]);
    free(cases);
    pb_engine_free(e);
}

/* 4. `playbook check` of the default principles, start to exit. */

/* posix_spawn, not fork: this process is large by now, and copying its
 * page tables would be timed too. */
static double run_wall(char *const argv[])
{
    posix_spawn_file_actions_t fa;
    double t0;
    pid_t pid;
    int st;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    t0 = now();
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0)
        die("posix_spawn", NULL);
    waitpid(pid, &st, 0);
    posix_spawn_file_actions_destroy(&fa);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        die("playbook check failed", NULL);
    return now() - t0;
}

static void bench_check(const char *dir, const char *playbook)
{
    char verb[] = "check", flag[] = "--version";
    char *check[] = { (char *)playbook, verb, (char *)dir, NULL };
    char *version[] = { (char *)playbook, flag, NULL };
    double v[50], f[50];
    int i;

    for (i = 0; i < 50; i++) {
        v[i] = run_wall(check);
        f[i] = run_wall(version);
    }
    printf("playbook check        the default principles, start to exit\n");
    printf("  median %.1f ms  floor %.1f ms (playbook --version)  ratio "
           "%.1fx   [target < 10 ms]\n",
           pct(v, 50, 0.5) * 1e3, pct(f, 50, 0.5) * 1e3,
           pct(v, 50, 0.5) / pct(f, 50, 0.5));
}

/* 5. Hostile calls: a call doing the heaviest work one instruction can
 * hide (docs/hardening.md, the budget model), against a plain loop
 * spending the same budget. */

static const struct {
    const char *name, *setup, *body;
} attacks[] = {
    { "while true do end (the floor)", "", "while true do end" },
    { "== of two 2 MB strings", "A, B = D(20), D(20)",
      "for i = 1, 1e6 do local y = A == B end" },
    { "< of two 2 MB strings", "A, B = D(20), D(20)",
      "for i = 1, 1e6 do local y = A < B end" },
    { "2 MB .. 2 MB", "A = D(20)", "for i = 1, 1e6 do local y = A .. A end" },
    { "table.concat of 8 MB", "A = D(20) T = { A, A, A, A }",
      "for i = 1, 1e6 do local y = table.concat(T) end" },
    { "lookup of an equal 1 MB key", "A, B = D(19), D(19) T = { [A] = 1 }",
      "for i = 1, 1e6 do local y = T[B] end" },
    { "new 1 MB keys", "A = D(19)",
      "local t = {} for i = 1, 1e6 do t[A .. i] = i end" },
    { "load of 32,000 gotos", "S = 'do ' .. ('goto z '):rep(32000) .. "
      "' ::z:: end'", "for i = 1, 1e6 do load(S) end" },
    { "sort of 40 equal 128 kB strings",
      "A = D(16) T = {} for i = 1, 40 do T[i] = A .. '' end",
      "for i = 1, 1e6 do table.sort(T) end" },
    { "tonumber of 2 MB", "A = D(20)",
      "for i = 1, 1e6 do local y = tonumber(A) end" },
    { "an __index chain of 1,900 tables",
      "T = {} for i = 1, 1900 do T = setmetatable({}, { __index = T }) end",
      "for i = 1, 1e6 do local y = T.x end" },
    { "100,000 arguments passed on",
      "T = {} for i = 1, 100000 do T[i] = i end",
      "local function f(...) for i = 1, 1e6 do local y = select('#', ...) "
      "end end f(table.unpack(T))" },
    { "sort of 1,000 numbers", "T = {} for i = 1, 1000 do T[i] = (i * 7919) % 1000 end",
      "for i = 1, 1e6 do table.sort(T) end" },
    { "sort of 100 short strings", "T = {} for i = 1, 100 do T[i] = tostring((i * 7919) % 100) end",
      "for i = 1, 1e6 do table.sort(T) end" },
    { "insert at the front of 10,000", "T = {} for i = 1, 10000 do T[i] = i end",
      "for i = 1, 1e6 do table.insert(T, 1, i) table.remove(T, 1) end" },
    { "concat of 10,000 short strings", "T = {} for i = 1, 10000 do T[i] = 'x' end",
      "for i = 1, 1e6 do local y = table.concat(T) end" },
    { "move of 10,000", "T = {} for i = 1, 10000 do T[i] = i end",
      "for i = 1, 1e6 do table.move(T, 1, 10000, 2) end" },
    { "unpack of 10,000", "T = {} for i = 1, 10000 do T[i] = i end",
      "for i = 1, 1e6 do local y = select('#', table.unpack(T)) end" },
    { "text.words of 20,000 words",
      "local t = {} for i = 1, 20000 do t[i] = string.char(97 + i % 26, "
      "97 + i // 26 % 26, 97 + i // 676 % 26, 98 + i // 17576 % 26) end "
      "S = table.concat(t, 'ing ')",
      "for i = 1, 1e6 do local y = text.words(S .. i) end" },
    { "text.has of 300,000 words",
      "S = ('refund parcel issued '):rep(100000)",
      "for i = 1, 1e6 do local y = text.has(S, "
      "'zzzzzz|yyyyyy|xxxxxx|wwwwww|vvvvvv|parcels refund') end" },
    { "text.similar of 300,000 words",
      "S = ('refund parcel issued. '):rep(100000)",
      "for i = 1, 1e6 do local y = text.similar(S, "
      "{ 'refund issued', 'parcel late' }) end" },
    { "text.echo of 300,000 words",
      "S = ('refund parcel issued '):rep(100000)",
      "for i = 1, 1e6 do local y = text.echo(S, S) end" },
    { "text.sentences of 300,000 sentences",
      "S = ('No. '):rep(300000)",
      "for i = 1, 1e6 do local y = text.sentences(S) end" },
    { "text.phrases of 30,000 phrases",
      "T = {} for i = 1, 30000 do T[i] = 'word' .. i end",
      "for i = 1, 1e6 do local y = text.phrases(T) end" },
    { "next over 100,000 empty slots",
      "T = { table.unpack({}, 1, 100000) }",
      "for i = 1, 1e6 do local k = next(T) end" },
    { "string.format('%.99f', 1e308)", "",
      "for i = 1, 1e6 do local y = string.format('%.99f', 1e308) end" },
    { "a float as text (1.2e-300 .. '')", "A = 1.2345678901234e-300",
      "for i = 1, 1e6 do local y = A .. '' end" },
    { "format('%q') of 3,000 control bytes",
      "A = ('\\1\\2\\3'):rep(1000)",
      "for i = 1, 1e6 do local y = string.format('%q', A) end" },
    { "due.find over '1 in 3 in' x 1,000",
      "T = {} for i = 1, 2000 do T[i] = i % 2 == 0 and 'in' or tostring(i) "
      "end S = table.concat(T, ' ')",
      "for i = 1, 1e6 do local y = due.find(S) end" },
    { "utf8.codes over 1 MB of \\x80",
      "S = 'a' .. ('\\x80'):rep(1 << 20) T = utf8.codes(S, true)",
      "for i = 1, 1e6 do T(S, 1) end" },
};

/* The median time of a call of attack k, over runs events. */
static double attack_call(size_t k, size_t runs)
{
    char src[1024];
    pb_engine *e = pb_engine_new();
    pb_case *c;
    pb_error err;
    double *v = malloc(runs * sizeof *v), med;
    size_t i;

    snprintf(src, sizeof src,
             "local function D(k) local s = 'xy' for i = 1, k do "
             "s = s .. s end return s end\n"
             "local A, B, T, S\n%s\n"
             "return principle { id = 'h', title = 'H', items = {\n"
             "  { id = 'bad', done = function(case) %s end } } }\n",
             attacks[k].setup, attacks[k].body);
    if (e == NULL || v == NULL ||
        pb_engine_load_buffer(e, "hostile.lua", src, strlen(src), &err) !=
            PB_OK)
        die(attacks[k].name, &err);
    c = pb_case_new(e, "delivery", "phone", &err);
    if (c == NULL)
        die("case", &err);
    for (i = 0; i < runs; i++) {
        double t0 = now();

        if (pb_case_append(c, (double)i, "customer.said", "hello", NULL, 0,
                           &err) != PB_OK)
            die("append", &err);
        v[i] = now() - t0;
    }
    med = pct(v, runs, 0.5);
    pb_case_free(c);
    pb_engine_free(e);
    free(v);
    return med;
}

static void bench_hostile(size_t runs)
{
    size_t k, worst = 1, n = sizeof attacks / sizeof attacks[0];
    double floor = attack_call(0, runs), t[sizeof attacks / sizeof *attacks];

    for (k = 1; k < n; k++) {
        t[k] = attack_call(k, runs);
        if (t[k] > t[worst])
            worst = k;
    }
    printf("hostile calls         %zu kinds of work hidden in one "
           "instruction, a call each\n", n - 1);
    for (k = 1; k < n; k++)
        printf("  %-34s %6.1f ms  ratio %.1fx\n", attacks[k].name,
               t[k] * 1e3, t[k] / floor);
    printf("  worst %.1f ms (%s)  floor %.1f ms (%s)  ratio %.1fx   "
           "[target <= 2x]\n", t[worst] * 1e3, attacks[worst].name,
           floor * 1e3, attacks[0].name, t[worst] / floor);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "principles";
    const char *playbook = argc > 2 ? argv[2] : "build/release/playbook";
    const char *only = argc > 3 ? argv[3] : "";
    /* Fewer runs make the event figure usable under callgrind, whose
     * instruction counts do not move with the machine's load. */
    size_t runs = argc > 4 ? strtoul(argv[4], NULL, 10) : 300;

    if (!*only || strcmp(only, "event") == 0)
        bench_event(dir, runs ? runs : 1);
    if (!*only || strcmp(only, "replay") == 0)
        bench_replay(dir);
    if (!*only || strcmp(only, "merge") == 0)
        bench_merge(dir);
    if (!*only || strcmp(only, "coach") == 0)
        bench_coach(dir);
    if (!*only || strcmp(only, "memory") == 0)
        bench_memory(dir);
    if (!*only || strcmp(only, "check") == 0)
        bench_check(dir, playbook);
    if (!*only || strcmp(only, "hostile") == 0)
        bench_hostile(runs > 20 ? 20 : runs ? runs : 1);
    return 0;
}
