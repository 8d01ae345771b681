/*
 * fuzz_principle.c -- untrusted principle files (Lua source).
 *
 * bytes -> a fresh engine with small budgets (100,000 instructions per
 * call, 8 MiB per principle, so a hostile loop or allocation ends
 * quickly) -> pb_engine_load_buffer -> when it loads, the introspection
 * API, a case with a few events of each kind (detectors and predicates
 * run on every one), the checklist, the scores and the renderers.  A run
 * that takes far more CPU than its calls into principle code allow fails:
 * work escaped the budget.
 *
 * Input starting with a NUL byte (which no principle file may hold) is a
 * program for gen_work() instead: heavy string, table, comparison and
 * load work at load time, in predicates, prompts and detectors, the kind
 * of work mutating Lua source rarely reaches.  A witness principle is
 * loaded beside it, whose items must end as they do without it: the
 * generated one may fail only its own items.
 */
#include <string.h>
#include <time.h>

#include "engine.h" /* the call count, to judge the CPU time */
#include "fuzz.h"
#include "playbook.h"
#include "sandbox.h"

#define FUZZ_INSTRUCTIONS 100000u
#define FUZZ_MEMORY (8u * 1024u * 1024u)
/* CPU seconds a run may take: a second, plus FUZZ_CPU_PER_CALL for each
 * call into principle code and FUZZ_CPU_PER_ITEM for the engine's own
 * work on each item (states, prompts, four reports: linear, about 0.2 ms
 * an item for the whole run under ASan).  100,000 instructions take
 * about a millisecond; far more means some work escapes the budget (a C
 * loop that charges nothing), which libFuzzer's wall-clock -timeout would
 * only see when it is gross. */
#define FUZZ_CPU_BASE 1.0
#define FUZZ_CPU_PER_CALL 0.02
#define FUZZ_CPU_PER_ITEM 0.0005

/*
 * The generated program.  Each op is two bytes: which snippet, and a
 * parameter p (0-255) giving its size.  A and B are equal strings that
 * are not the same object, T a table keyed by A, K a list of copies of
 * A, KEEP what the principle holds on to.
 */
static const char *const snippets[] = {
    "A = D(%d %% 22) B = D(%d %% 22) T = { [A] = 1 } K = { A, B, A .. '' }",
    "for i = 1, %d * 1000 do local y = A .. B end",
    "for i = 1, %d * 1000 do local y = A == B end",
    "for i = 1, %d * 1000 do local y = A < B or A <= B end",
    "for i = 1, %d * 1000 do local y = T[B] end",
    "for i = 1, %d * 100 do local y = rawget(T, B) or next(T, B) end",
    "for i = 1, %d do K[#K + 1] = A .. i end",
    "for i = 1, %d * 100 do local y = table.concat(K) end",
    "for i = 1, %d * 100 do table.sort(K) end",
    "for i = 1, %d do load('do ' .. ('goto z '):rep(%d * 100) .. ' ::z:: end') end",
    "for i = 1, %d * 100 do local y = string.format('%%s%%s%%q', A, B, A) end",
    "for i = 1, %d do local y = A:rep(%d) end",
    "for i = 1, %d * 10 do local y = A:gsub('.', '%%0%%0') end",
    "for i = 1, %d * 100 do local y = { A:byte(1, -1) } end",
    "for i = 1, %d * 1000 do local y = tonumber(A) or utf8.len(A) end",
    "local P = T for i = 1, %d do P = setmetatable({}, { __index = P }) end "
        "for i = 1, %d * 100 do local y = P[B] end",
    "for i = 1, %d * 100 do local y = A:upper():lower():reverse() end",
    "for i = 1, %d * 100 do local y = A:find(B, 1, true) end",
    "for i = 1, %d * 100 do KEEP[#KEEP + 1] = A .. i end",
    "pcall(function() for i = 1, %d * 100000 do KEEP[i %% 7] = A .. B end end)",
    "for i = 1, %d * 100 do local y = select('#', table.unpack(K)) end",
    "for i = 1, %d * 1000 do local y = A:sub(i, -i) end",
    "for i = 1, %d * 100 do local y = tostring(A) .. tostring(T) end",
    "for i = 1, %d do local t = {} for j = 1, 1000 do t[A .. j] = j end end",
    "for i = 1, %d * 1000 do local y = rawequal(A, B) or rawlen(A) end",
    "for i = 1, %d * 10 do local y = utf8.char(table.unpack({ A:byte(1, 200) })) end",
    "for i = 1, %d %% 3 do A = A .. A B = B .. B T = { [A] = 1 } end",
    "local P = {} for i = 1, %d * 8 do P = setmetatable({}, { __newindex = P }) end "
        "for i = 1, %d * 100 do P[1] = nil end",
    "local function f(...) for i = 1, %d * 100 do local y = select('#', ...) end end "
        "f(table.unpack(K, 1, %d * 400))",
    "local S = 'a' .. ('\\x80'):rep(%d * 4000) local f = utf8.codes(S, true) "
        "for i = 1, %d * 100 do f(S, 1) end",
    "local S = ('1'):rep(%d * 2000) for i = 1, %d * 100 do local y = S + 0 end",
};
#define NSNIPPETS (sizeof snippets / sizeof snippets[0])

/* Appends s to the string in buf, as much as fits. */
static void put(char *buf, size_t cap, const char *s)
{
    size_t len = strlen(buf);

    snprintf(buf + len, cap - len, "%s", s);
}

/* Appends the ops of data[*pos..] to buf until a 0xFF op or the end,
 * leaving room for the rest of the program. */
static void gen_ops(char *buf, size_t cap, const uint8_t *data, size_t size,
                    size_t *pos)
{
    char op[512];

    while (*pos + 1 < size && data[*pos] != 0xFF) {
        int p = data[*pos + 1];

        snprintf(op, sizeof op, snippets[data[*pos] % NSNIPPETS], p, p);
        *pos += 2;
        if (strlen(buf) + strlen(op) + 1024 >= cap)
            break;
        put(buf, cap, "  ");
        put(buf, cap, op);
        put(buf, cap, "\n");
    }
    (*pos)++;
}

/* A principle doing the work the ops in data say, in four places: its
 * top-level chunk, a predicate, a prompt and a detector function. */
static size_t gen_work(char *buf, size_t cap, const uint8_t *data,
                       size_t size)
{
    size_t pos = 1;

    buf[0] = '\0';
    put(buf, cap, "local function D(k) local s = 'xy' "
        "for i = 1, k do s = s .. s end return s end\n"
        "local A, B, T, K, KEEP = D(10), D(10), {}, {}, {}\n");
    gen_ops(buf, cap, data, size, &pos);
    put(buf, cap, "return principle { id = 'gen', title = 'Gen', items = {\n"
        "{ id = 'a', done = function(case)\n");
    gen_ops(buf, cap, data, size, &pos);
    put(buf, cap, "return false end },\n"
        "{ id = 'b', prompt = function(case)\n");
    gen_ops(buf, cap, data, size, &pos);
    put(buf, cap, "return 'p' end } },\n"
        "detect = { function(case, event)\n");
    gen_ops(buf, cap, data, size, &pos);
    put(buf, cap, "return nil end } }\n");
    return strlen(buf);
}

/* Items whose states do not depend on anything the generated principle
 * does: heard (done), asked (open, waits for nothing), late (waiting). */
static const char witness[] =
    "return principle { id = 'witness', title = 'Witness', order = 1,\n"
    "  items = {\n"
    "    { id = 'heard', done = function(case)\n"
    "        return case:has('customer.said', 'parcel') end },\n"
    "    { id = 'asked', done = function(case) return case.now < 0 end },\n"
    "    { id = 'late', after = { 'asked' } },\n"
    "  } }\n";

static void check_witness(const pb_engine *e, const pb_case *c)
{
    static const struct { const char *ref; pb_state want; } w[] = {
        { "witness.heard", PB_DONE },
        { "witness.asked", PB_OPEN },
        { "witness.late", PB_WAITING },
    };
    size_t i;

    for (i = 0; i < sizeof w / sizeof w[0]; i++) {
        long k = pb_engine_find_item(e, w[i].ref);
        pb_item_info info;

        if (k < 0)
            fuzz_fail("%s is not loaded", w[i].ref);
        pb_case_item(c, (size_t)k, &info);
        if (info.state != w[i].want)
            fuzz_fail("%s is %s, not %s: another principle's work reached "
                      "it", w[i].ref, pb_state_name(info.state),
                      pb_state_name(w[i].want));
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

typedef struct ev {
    double t;
    const char *type, *text;
    pb_attr attrs[2];
    size_t nattrs;
} ev;

static const ev events[] = {
    { 0, "agent.said", "Thanks for calling, my name is Sam. How can I help?",
      { { NULL, NULL } }, 0 },
    { 5, "customer.said", "My parcel is a week late and I'm really worried!",
      { { NULL, NULL } }, 0 },
    { 12, "agent.said", "So what I'm hearing is the parcel hasn't arrived. "
      "Can I have your order number?", { { NULL, NULL } }, 0 },
    { 20, "customer.said", "Yes, exactly. Order number: A-1042",
      { { NULL, NULL } }, 0 },
    { 25, "fact", "A-1042", { { "name", "order_id" } }, 1 },
    { 30, "agent.proposed", "I'll send a replacement by Friday noon.",
      { { "kind", "replacement" }, { "due", "Friday noon" } }, 2 },
    { 40, "case.resolved", NULL, { { NULL, NULL } }, 0 },
};

static void inspect(const pb_engine *e)
{
    size_t i, k;

    for (i = 0; i < pb_engine_nprinciples(e); i++) {
        pb_principle_info p;

        pb_engine_principle(e, i, &p);
        for (k = 0; k < p.ndetectors; k++) {
            pb_detector_info d;

            pb_engine_detector(e, i, k, &d);
        }
        pb_engine_find_principle(e, p.id);
    }
    for (i = 0; i < pb_engine_nitems(e); i++) {
        pb_item_def d;
        char ref[512];

        pb_engine_item(e, i, &d);
        snprintf(ref, sizeof ref, "%s.%s", d.principle, d.id);
        pb_engine_find_item(e, ref);
    }
}

static void checklist(const pb_engine *e, const pb_case *c)
{
    FILE *out = fuzz_null();
    size_t i, next[64];
    pb_score sc;

    for (i = 0; i < pb_engine_nitems(e); i++) {
        pb_item_info info;

        pb_case_item(c, i, &info);
    }
    pb_case_next(c, next, sizeof next / sizeof next[0]);
    pb_case_score(c, NULL, &sc);
    for (i = 0; i < pb_engine_nprinciples(e); i++) {
        pb_principle_info p;

        pb_engine_principle(e, i, &p);
        pb_case_score(c, p.id, &sc);
    }
    for (i = 0; i < pb_case_nwarnings(c); i++)
        pb_case_warning(c, i);
    pb_render_checklist(out, PB_FORMAT_TEXT, PB_RENDER_COLOR, c);
    pb_render_checklist(out, PB_FORMAT_JSON, 0, c);
    pb_render_checklist(out, PB_FORMAT_HTML, 0, c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char program[64 * 1024];
    clock_t start = clock();
    pb_engine *e = pb_engine_new();
    pb_case *c = NULL;
    pb_error err;
    double cpu;
    size_t i, calls, items;
    int generated = size > 0 && data[0] == 0;

    if (e == NULL)
        return 0;
    pb_engine_set_limits(e, FUZZ_INSTRUCTIONS, FUZZ_MEMORY);
    if (generated) {
        if (pb_engine_load_buffer(e, "witness.lua", witness,
                                  sizeof witness - 1, &err) != PB_OK)
            fuzz_fail("the witness does not load: %s", err.message);
        size = gen_work(program, sizeof program, data, size);
        data = (const uint8_t *)program;
        if (getenv("PB_FUZZ_PRINT") != NULL) /* to see what an input is */
            fputs(program, stderr);
    }
    if (pb_engine_load_buffer(e, "fuzz.lua", (const char *)data, size,
                              &err) != PB_OK && !generated) {
        if (pb_engine_nfailures(e) == 0)
            fuzz_fail("a principle failed to load without a failure "
                      "recorded");
        pb_engine_free(e);
        return 0;
    }
    inspect(e);
    c = pb_case_new(e, "delivery", "phone", &err);
    if (c != NULL) {
        pb_case_set_fact(c, "customer_tier", "gold", &err);
        for (i = 0; i < sizeof events / sizeof events[0]; i++)
            pb_case_append(c, events[i].t, events[i].type, events[i].text,
                           events[i].attrs, events[i].nattrs, &err);
        checklist(e, c);
        if (generated)
            check_witness(e, c);
    }
    pb_case_free(c);
    calls = pb__sandbox_calls(e->sb);
    items = pb_engine_nitems(e);
    pb_engine_free(e);
    cpu = (double)(clock() - start) / CLOCKS_PER_SEC;
    if (cpu > FUZZ_CPU_BASE + FUZZ_CPU_PER_CALL * (double)calls +
                  FUZZ_CPU_PER_ITEM * (double)items)
        fuzz_fail("a run took %.2f s of CPU for %zu calls and %zu items "
                  "under a budget of %u instructions a call", cpu, calls,
                  items, FUZZ_INSTRUCTIONS);
    return 0;
}
