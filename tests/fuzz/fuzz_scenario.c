/*
 * fuzz_scenario.c -- untrusted scenario XML, end to end.
 *
 * bytes -> pb_scenario_parse_with (one schema, compiled at start) -> if it
 * parses, its event times as reports print them (pb_time_format), a
 * replay through the default principles (read at start, a fresh engine
 * each time: fuzz.h), every report format, and the case written back as
 * a scenario (pb__case_xml, what case files are made of), which must read
 * back as the same case with the same checklist (fuzz_round_trip).
 */
#include <string.h>

#include "fuzz.h"
#include "playbook.h"

static pb_schema *schema;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    pb_error err;

    (void)argc;
    (void)argv;
    if ((schema = pb_schema_new(&err)) == NULL)
        fuzz_setup_failed("cannot compile the scenario schema");
    fuzz_principles_read();
    return 0;
}

/* Times as reports show them (pb_time_format): digits, ':' and '.'. */
static void check_times(const pb_scenario *s)
{
    char buf[64];
    size_t i;

    for (i = 0; i < pb_scenario_nevents(s); i++) {
        pb_event_info ev;
        int line;

        pb_scenario_event(s, i, &ev, &line);
        pb_time_format(ev.t, buf, sizeof buf);
        if (ev.t >= 0 && (buf[0] == '\0' ||
                          buf[strspn(buf, "0123456789:.")] != '\0'))
            fuzz_fail("event time %.17g formats as '%s'", ev.t, buf);
    }
}

static void render(pb_replay *r)
{
    static const pb_format fmts[] = {
        PB_FORMAT_TEXT, PB_FORMAT_JSON, PB_FORMAT_JUNIT, PB_FORMAT_HTML
    };
    FILE *out = fuzz_null();
    size_t i;

    for (i = 0; i < sizeof fmts / sizeof fmts[0]; i++)
        pb_render_replays(out, fmts[i], i == 0 ? PB_RENDER_COLOR : 0, &r, 1);
    pb_render_checklist(out, PB_FORMAT_TEXT, 0, pb_replay_case(r));
    pb_render_checklist(out, PB_FORMAT_JSON, 0, pb_replay_case(r));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pb_scenario *s = NULL;
    pb_replay *r = NULL;
    pb_engine *engine;
    pb_error err;

    if (pb_scenario_parse_with(schema, "fuzz.xml", (const char *)data, size,
                               &s, &err) != PB_OK) {
        pb_scenario_free(s);
        return 0;
    }
    check_times(s);
    if ((engine = fuzz_engine_new()) != NULL &&
        pb_replay_run(engine, s, &r, &err) == PB_OK) {
        pb_replay_passed(r);
        render(r);
        pb__case_header h;

        memset(&h, 0, sizeof h);
        h.id = pb_scenario_id(s);
        h.title = pb_scenario_title(s);
        h.description = pb_scenario_description(s);
        h.expect = s;
        fuzz_round_trip(schema, pb_replay_case(r), &h);
    }
    pb_replay_free(r);
    pb_engine_free(engine);
    pb_scenario_free(s);
    return 0;
}
