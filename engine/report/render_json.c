/*
 * render_json.c -- the checklist and replays as JSON, for programs; the
 * field names are documented in docs/scenarios.md.
 */
#include <stdio.h>

#include "jsonw.h"
#include "render_json.h"
#include "report.h"

static void json_item(pb__json *j, const pb_item_info *it)
{
    pb__json_open(j, '{');
    pb__json_kstr(j, "principle", it->principle);
    pb__json_kstr(j, "item", it->id);
    pb__json_kstr(j, "state", pb_state_name(it->state));
    pb__json_kbool(j, "must", it->must);
    pb__json_kstr(j, "prompt", it->prompt);
    pb__json_kstr(j, "error", it->error);
    pb__json_kstr(j, "reason", it->reason);
    pb__json_key(j, "done_at");
    if (it->done_at >= 0)
        pb__json_num(j, it->done_at);
    else
        pb__json_str(j, NULL);
    pb__json_key(j, "violated_at");
    if (it->violated_at >= 0)
        pb__json_num(j, it->violated_at);
    else
        pb__json_str(j, NULL);
    pb__json_close(j, '}');
}

static void json_score(pb__json *j, const pb_score *s)
{
    pb__json_open(j, '{');
    pb__json_knum(j, "value", s->value);
    pb__json_kint(j, "musts", s->musts);
    pb__json_kint(j, "done", s->done);
    pb__json_kint(j, "violations", s->violations);
    pb__json_close(j, '}');
}

static void json_case(pb__json *j, const pb_case *c)
{
    const pb_engine *e = pb_case_engine(c);
    size_t i, n = pb_engine_nitems(e);
    pb_principle_info p;
    pb_item_info it;
    pb_score sc;

    pb__json_key(j, "checklist");
    pb__json_open(j, '[');
    for (i = 0; i < n; i++) {
        pb_case_item(c, i, &it);
        if (it.state != PB_ABSENT)
            json_item(j, &it);
    }
    pb__json_close(j, ']');
    pb__json_key(j, "next");
    pb__json_open(j, '[');
    for (i = pb_case_next_after(c, PB_NO_ITEM); i != PB_NO_ITEM;
         i = pb_case_next_after(c, i)) {
        pb_case_item(c, i, &it);
        pb__json_str(j, it.ref);
    }
    pb__json_close(j, ']');
    pb__json_key(j, "violations");
    pb__json_open(j, '[');
    for (i = 0; i < n; i++) {
        pb_case_item(c, i, &it);
        if (it.state == PB_VIOLATED) {
            pb__json_open(j, '{');
            pb__json_kstr(j, "ref", it.ref);
            pb__json_knum(j, "t", it.violated_at);
            pb__json_kint(j, "event", (long)it.violated_event);
            pb__json_close(j, '}');
        }
    }
    pb__json_close(j, ']');
    pb__json_key(j, "score");
    pb__json_open(j, '{');
    pb_case_score(c, NULL, &sc);
    pb__json_key(j, "overall");
    json_score(j, &sc);
    pb__json_key(j, "principles");
    pb__json_open(j, '{');
    for (i = 0; i < pb_engine_nprinciples(e); i++) {
        pb_engine_principle(e, i, &p);
        pb_case_score(c, p.id, &sc);
        if (!sc.applies)
            continue;
        pb__json_key(j, p.id);
        json_score(j, &sc);
    }
    pb__json_close(j, '}');
    pb__json_close(j, '}');
    pb__json_kstr(j, "state", pb_case_status(c));
    pb__json_key(j, "closed_at");
    if (pb_case_closed(c))
        pb__json_num(j, pb_case_closed_at(c));
    else
        pb__json_str(j, NULL);
    pb__json_kstr(j, "closed_by", !pb_case_closed(c) ? NULL
                  : pb_case_settled(c) ? "principles" : "case.closed");
    pb__json_key(j, "warnings");
    pb__json_open(j, '[');
    for (i = 0; i < pb_case_nwarnings(c); i++)
        pb__json_str(j, pb_case_warning(c, i));
    pb__json_close(j, ']');
}

/* The facts as the case ended, as an object. */
static void json_facts(pb__json *j, const pb_case *c)
{
    const char *name, *value;
    size_t i;

    pb__json_open(j, '{');
    for (i = 0; i < pb_case_nfacts(c); i++) {
        pb_case_fact(c, i, &name, &value);
        pb__json_kstr(j, name, value);
    }
    pb__json_close(j, '}');
}

static void json_events(pb__json *j, const pb_replay *r)
{
    const pb_case *c = pb_replay_case(r);
    size_t i, k;

    pb__json_key(j, "events");
    pb__json_open(j, '[');
    for (i = 0; i < pb_case_nevents(c); i++) {
        pb_event_info ev;

        pb_case_event(c, i, &ev);
        pb__json_open(j, '{');
        pb__json_knum(j, "t", ev.t);
        pb__json_kstr(j, "type", ev.type);
        pb__json_kstr(j, "text", ev.text);
        pb__json_key(j, "attrs");
        pb__json_open(j, '{');
        for (k = 0; k < ev.nattrs; k++)
            pb__json_kstr(j, ev.attrs[k].name, ev.attrs[k].value);
        pb__json_close(j, '}');
        pb__json_kstr(j, "detected_by", ev.detected_by);
        if (ev.evidence.file != NULL) {
            pb__json_key(j, "evidence");
            pb__json_open(j, '{');
            pb__json_kstr(j, "file", ev.evidence.file);
            pb__json_kint(j, "line", ev.evidence.line);
            pb__json_kstr(j, "kind", ev.evidence.kind);
            pb__json_kstr(j, "match", ev.evidence.match);
            if (ev.evidence.score >= 0)
                pb__json_knum(j, "score", ev.evidence.score);
            pb__json_close(j, '}');
        }
        pb__json_key(j, "changes");
        pb__json_open(j, '[');
        for (k = pb__first_change(r, i); k < pb_replay_nchanges(r) &&
                                         pb_replay_change(r, k)->event == i;
             k++) {
            const pb_change *ch = pb_replay_change(r, k);
            pb_item_info it;

            pb_case_item(c, ch->item, &it);
            pb__json_open(j, '{');
            pb__json_kstr(j, "item", it.ref);
            pb__json_kstr(j, "from", pb_state_name(ch->from));
            pb__json_kstr(j, "to", pb_state_name(ch->to));
            pb__json_close(j, '}');
        }
        pb__json_close(j, ']');
        pb__json_close(j, '}');
    }
    pb__json_close(j, ']');
}

static void json_replay(pb__json *j, const pb_replay *r)
{
    const pb_scenario *s = pb_replay_scenario(r);
    size_t i;

    pb__json_open(j, '{');
    pb__json_kstr(j, "file", pb_scenario_path(s));
    pb__json_kstr(j, "id", pb_scenario_id(s));
    pb__json_kstr(j, "title", pb_scenario_title(s));
    pb__json_kstr(j, "topic", pb_scenario_topic(s));
    pb__json_kstr(j, "channel", pb_scenario_channel(s));
    pb__json_kstr(j, "agent", pb_scenario_agent(s));
    pb__json_kstr(j, "team", pb_scenario_team(s));
    pb__json_kstr(j, "description", pb_scenario_description(s));
    pb__json_key(j, "facts");
    json_facts(j, pb_replay_case(r));
    pb__json_kbool(j, "passed", pb_replay_passed(r));
    json_events(j, r);
    json_case(j, pb_replay_case(r));
    pb__json_key(j, "expectations");
    pb__json_open(j, '[');
    for (i = 0; i < pb_replay_nresults(r); i++) {
        const pb_expect_result *res = pb_replay_result(r, i);
        char want[256];

        pb_expect_text(res->expect, want, sizeof want);
        pb__json_open(j, '{');
        pb__json_kint(j, "line", res->expect->line);
        pb__json_kstr(j, "kind", pb__expect_kind(res->expect->kind));
        pb__json_kstr(j, "ref", res->expect->ref);
        pb__json_kstr(j, "principle", res->expect->principle);
        pb__json_key(j, "at");
        if (res->expect->at >= 0)
            pb__json_num(j, res->expect->at);
        else
            pb__json_str(j, NULL);
        pb__json_kstr(j, "expected", want);
        pb__json_kstr(j, "actual", res->actual);
        pb__json_kbool(j, "met", res->met);
        pb__json_close(j, '}');
    }
    pb__json_close(j, ']');
    pb__json_close(j, '}');
}

void pb__render_json_replays(FILE *f, pb_replay *const *replays, size_t n)
{
    size_t i, passed = 0;
    pb__json j;

    for (i = 0; i < n; i++)
        passed += pb_replay_passed(replays[i]);
    pb__json_init(&j, f);
    pb__json_open(&j, '{');
    pb__json_kstr(&j, "playbook", PB_VERSION);
    pb__json_key(&j, "scenarios");
    pb__json_open(&j, '[');
    for (i = 0; i < n; i++)
        json_replay(&j, replays[i]);
    pb__json_close(&j, ']');
    pb__json_key(&j, "summary");
    pb__json_open(&j, '{');
    pb__json_kint(&j, "scenarios", (long)n);
    pb__json_kint(&j, "passed", (long)passed);
    pb__json_kint(&j, "failed", (long)(n - passed));
    pb__json_close(&j, '}');
    pb__json_close(&j, '}');
    fputc('\n', f);
}

void pb__render_json_checklist(FILE *f, const pb_case *c)
{
    pb__json j;

    pb__json_init(&j, f);
    pb__json_open(&j, '{');
    pb__json_kstr(&j, "topic", pb_case_topic(c));
    pb__json_kstr(&j, "channel", pb_case_channel(c));
    pb__json_kstr(&j, "agent", pb_case_agent(c));
    pb__json_kstr(&j, "team", pb_case_team(c));
    pb__json_kbool(&j, "closed", pb_case_closed(c));
    pb__json_key(&j, "facts");
    json_facts(&j, c);
    json_case(&j, c);
    pb__json_close(&j, '}');
    fputc('\n', f);
}
