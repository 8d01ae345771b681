/*
 * fuzz_principle.c -- untrusted principle files (Lua source).
 *
 * bytes -> a fresh engine with small budgets (100,000 instructions per
 * call, 8 MiB for the whole state, so a hostile loop or allocation ends
 * quickly) -> pb_engine_load_buffer -> when it loads, the introspection
 * API, a case with a few events of each kind (detectors and predicates
 * run on every one), the checklist, the scores and the renderers.  A run
 * that takes far more CPU than its calls into principle code allow fails:
 * work escaped the budget.
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
    clock_t start = clock();
    pb_engine *e = pb_engine_new();
    pb_case *c = NULL;
    pb_error err;
    double cpu;
    size_t i, calls, items;

    if (e == NULL)
        return 0;
    pb_engine_set_limits(e, FUZZ_INSTRUCTIONS, FUZZ_MEMORY);
    if (pb_engine_load_buffer(e, "fuzz.lua", (const char *)data, size,
                              &err) != PB_OK) {
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
