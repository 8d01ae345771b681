/*
 * render_html.c -- replays as one self-contained HTML page for trainers:
 * per scenario the score, the expectations, a timeline picture (inline
 * SVG, render_timeline.c), the checklist as it ended and the transcript.
 *
 * Everything goes through html.c, which escapes it: scenario texts are
 * what customers typed.  No script, no external asset, so the file can be
 * mailed, archived by CI or printed as it is.
 */
#include <string.h>

#include "html.h"
#include "render_html.h"
#include "render_timeline.h"
#include "report.h"

/* Scores. */

/* pb_engine_principle gives the id as the title of a principle without
 * one; here the id stands next to it, so such a title is left blank. */
static const char *own_title(const pb_principle_info *p)
{
    return strcmp(p->title, p->id) != 0 ? p->title : "";
}

static void meter(pb__html *h, double v)
{
    pb__html_start(h, "span", "meter");
    pb__html_start(h, "span", v < 0.5 ? "fill low" : v < 0.8 ? "fill mid"
                                                            : "fill");
    pb__html_attrf(h, "style", "width:%.0f%%", v * 100);
    pb__html_end(h);
    pb__html_end(h);
}

static void score_words(pb__html *h, const pb_score *s)
{
    pb__html_textf(h, "%d of %d musts done, %d violation%s", s->done,
                   s->musts, s->violations, s->violations == 1 ? "" : "s");
}

static void scores(pb__html *h, const pb_case *c)
{
    const pb_engine *e = pb_case_engine(c);
    pb_principle_info p;
    pb_score sc;
    size_t i;

    pb_case_score(c, NULL, &sc);
    pb__html_elem(h, "h3", NULL, "Score");
    pb__html_start(h, "div", NULL);
    pb__html_start(h, "span", "big");
    pb__html_textf(h, "%.2f", sc.value);
    pb__html_end(h);
    pb__html_text(h, " ");
    meter(h, sc.value);
    pb__html_start(h, "span", "muted");
    score_words(h, &sc);
    pb__html_end(h);
    pb__html_end(h);
    pb__html_start(h, "table", "compact");
    pb__html_start(h, "tr", NULL);
    pb__html_elem(h, "th", NULL, "principle");
    pb__html_elem(h, "th", NULL, "score");
    pb__html_elem(h, "th", "num", "musts");
    pb__html_elem(h, "th", "num", "violations");
    pb__html_end(h);
    for (i = 0; i < pb_engine_nprinciples(e); i++) {
        pb_engine_principle(e, i, &p);
        pb_case_score(c, p.id, &sc);
        if (!sc.applies)
            continue;
        pb__html_start(h, "tr", NULL);
        pb__html_start(h, "td", NULL);
        pb__html_elem(h, "b", NULL, p.id);
        pb__html_start(h, "span", "muted small");
        pb__html_textf(h, "  %s", own_title(&p));
        pb__html_end(h);
        pb__html_end(h);
        pb__html_start(h, "td", "nowrap");
        meter(h, sc.value);
        pb__html_textf(h, "%.2f", sc.value);
        pb__html_end(h);
        pb__html_start(h, "td", "num");
        pb__html_textf(h, "%d / %d", sc.done, sc.musts);
        pb__html_end(h);
        pb__html_start(h, "td", sc.violations ? "num violated" : "num");
        pb__html_textf(h, "%d", sc.violations);
        pb__html_end(h);
        pb__html_end(h);
    }
    pb__html_end(h);
}

static void expectations(pb__html *h, const pb_replay *r)
{
    size_t i, n = pb_replay_nresults(r);

    pb__html_elem(h, "h3", NULL, "Expectations");
    if (n == 0) {
        pb__html_elem(h, "p", "muted", "The scenario sets no expectations.");
        return;
    }
    pb__html_start(h, "p", NULL);
    pb__html_textf(h, "%zu of %zu met", pb__met_count(r), n);
    pb__html_end(h);
    pb__html_start(h, "table", "compact");
    for (i = 0; i < n; i++) {
        const pb_expect_result *res = pb_replay_result(r, i);
        char want[256];

        pb_expect_text(res->expect, want, sizeof want);
        pb__html_start(h, "tr", NULL);
        pb__html_start(h, "td", NULL);
        pb__html_elem(h, "span", res->met ? "badge pass" : "badge fail",
                      res->met ? "ok" : "FAIL");
        pb__html_end(h);
        pb__html_start(h, "td", NULL);
        pb__html_text(h, want);
        if (!res->met) {
            pb__html_start(h, "div", "small violated");
            pb__html_textf(h, "got %s", res->actual);
            pb__html_end(h);
        }
        pb__html_end(h);
        pb__html_start(h, "td", "num muted small");
        pb__html_textf(h, "line %d", res->expect->line);
        pb__html_end(h);
        pb__html_end(h);
    }
    pb__html_end(h);
}

/* Checklist. */

static void item_detail(pb__html *h, const pb_case *c, size_t idx,
                        const pb_item_info *it)
{
    pb_item_def def;
    char tb[32];
    size_t k;

    switch (it->state) {
    case PB_DONE:
        pb__html_textf(h, "done at %s",
                       pb_time_format(it->done_at >= 0 ? it->done_at : 0, tb,
                                 sizeof tb));
        break;
    case PB_VIOLATED:
        pb__html_textf(h, "violated at %s",
                       pb_time_format(it->violated_at, tb, sizeof tb));
        break;
    case PB_SKIPPED:
        pb__html_text(h, "skipped: ");
        pb__html_text(h, it->reason);
        break;
    case PB_ERROR:
        pb__html_elem(h, "span", "mono", it->error);
        break;
    default:
        pb__html_text(h, it->prompt);
        pb_engine_item(pb_case_engine(c), idx, &def);
        if (it->state == PB_WAITING && def.nafter) {
            pb__html_start(h, "div", "small muted");
            pb__html_text(h, "after ");
            for (k = 0; k < def.nafter; k++)
                pb__html_textf(h, "%s%s", k ? ", " : "", def.after[k]);
            pb__html_end(h);
        }
    }
}

static void checklist_table(pb__html *h, const pb_case *c)
{
    const pb_engine *e = pb_case_engine(c);
    pb_principle_info p;
    pb_item_info it;
    pb_score sc;
    size_t i, j;

    pb__html_start(h, "table", NULL);
    pb__html_start(h, "tr", NULL);
    pb__html_elem(h, "th", NULL, "state");
    pb__html_elem(h, "th", NULL, "item");
    pb__html_elem(h, "th", NULL, "prompt, or when it happened");
    pb__html_end(h);
    for (i = 0; i < pb_engine_nprinciples(e); i++) {
        pb_engine_principle(e, i, &p);
        pb_case_score(c, p.id, &sc);
        if (!sc.applies)
            continue;
        pb__html_start(h, "tr", "group");
        pb__html_start(h, "td", NULL);
        pb__html_attr(h, "colspan", "3");
        pb__html_text(h, p.id);
        pb__html_start(h, "span", "muted");
        pb__html_textf(h, " \xe2\x80\x94 %s  ", own_title(&p));
        pb__html_end(h);
        pb__html_start(h, "span", "small");
        pb__html_textf(h, "%.2f \xc2\xb7 ", sc.value);
        score_words(h, &sc);
        pb__html_end(h);
        if (p.why)
            pb__html_elem(h, "div", "small muted", p.why);
        pb__html_end(h);
        pb__html_end(h);
        for (j = 0; j < p.nitems; j++) {
            pb_case_item(c, p.first_item + j, &it);
            if (it.state == PB_ABSENT)
                continue;
            pb__html_start(h, "tr", NULL);
            pb__html_start(h, "td", "nowrap");
            pb__html_start(h, "span", NULL);
            pb__html_attrf(h, "class", "badge %s", pb_state_name(it.state));
            pb__html_text(h, pb_state_name(it.state));
            pb__html_end(h);
            pb__html_end(h);
            pb__html_start(h, "td", "nowrap");
            pb__html_elem(h, "span", "mono", it.id);
            if (it.must)
                pb__html_elem(h, "span", "small muted", "  must");
            pb__html_end(h);
            pb__html_start(h, "td", it.state == PB_VIOLATED ? "violated"
                                    : it.state == PB_ERROR  ? "error"
                                                            : NULL);
            item_detail(h, c, p.first_item + j, &it);
            pb__html_end(h);
            pb__html_end(h);
        }
    }
    pb__html_end(h);
}

/* Next, violations and warnings: only the lists that have something. */
static void checklist_notes(pb__html *h, const pb_case *c)
{
    size_t i, nv = 0, n = pb_engine_nitems(pb_case_engine(c));
    pb_item_info it;
    char tb[32];

    if ((i = pb_case_next_after(c, PB_NO_ITEM)) != PB_NO_ITEM) {
        pb__html_elem(h, "h3", NULL, "Next");
        pb__html_start(h, "ol", NULL);
        for (; i != PB_NO_ITEM; i = pb_case_next_after(c, i)) {
            pb_case_item(c, i, &it);
            pb__html_start(h, "li", NULL);
            pb__html_elem(h, "span", "mono", it.ref);
            pb__html_text(h, " ");
            pb__html_text(h, it.prompt);
            if (it.must)
                pb__html_elem(h, "span", "small muted", " (must)");
            pb__html_end(h);
        }
        pb__html_end(h);
    }
    for (i = 0; i < n; i++) {
        pb_case_item(c, i, &it);
        if (it.state != PB_VIOLATED)
            continue;
        if (nv++ == 0) {
            pb__html_elem(h, "h3", NULL, "Violations");
            pb__html_start(h, "ul", "violated");
        }
        pb__html_start(h, "li", NULL);
        pb__html_elem(h, "span", "mono", it.ref);
        pb__html_textf(h, " at %s", pb_time_format(it.violated_at, tb,
                                              sizeof tb));
        pb__html_end(h);
    }
    if (nv)
        pb__html_end(h);
    if (pb_case_nwarnings(c)) {
        pb__html_elem(h, "h3", NULL, "Warnings");
        pb__html_start(h, "ul", "error");
        for (i = 0; i < pb_case_nwarnings(c); i++)
            pb__html_elem(h, "li", "mono", pb_case_warning(c, i));
        pb__html_end(h);
    }
}

static void facts(pb__html *h, const pb_case *c)
{
    const char *name, *value;
    size_t i;

    if (pb_case_nfacts(c) == 0)
        return;
    pb__html_elem(h, "h3", NULL, "Facts at the end");
    pb__html_start(h, "ul", "kv");
    for (i = 0; i < pb_case_nfacts(c); i++) {
        pb_case_fact(c, i, &name, &value);
        pb__html_start(h, "li", NULL);
        pb__html_elem(h, "b", NULL, name);
        pb__html_text(h, value);
        pb__html_end(h);
    }
    pb__html_end(h);
}

/* Why each detected event was added, not folded, so that a printed
 * page has it: the time, the event, and in small type the detector's
 * file and line and what matched. */
static void detections(pb__html *h, const pb_replay *r)
{
    const pb_case *c = pb_replay_case(r);
    size_t i, k, n = pb_case_nevents(c);
    char tb[32], why[160];

    if (pb__detected_count(c) == 0)
        return;
    pb__html_elem(h, "h3", NULL, "Why events were detected");
    pb__html_start(h, "table", "compact");
    for (i = 0; i < n; i++) {
        pb_event_info ev;

        pb_case_event(c, i, &ev);
        if (!ev.detected_by)
            continue;
        pb__html_start(h, "tr", NULL);
        pb__html_elem(h, "td", "num mono", pb_time_format(ev.t, tb, sizeof tb));
        pb__html_start(h, "td", "mono");
        pb__html_textf(h, "~ %s", ev.type);
        for (k = 0; k < ev.nattrs; k++)
            pb__html_textf(h, " %s=%s", ev.attrs[k].name,
                           ev.attrs[k].value);
        pb__html_end(h);
        pb__evidence_text(&ev.evidence, why, sizeof why);
        pb__html_elem(h, "td", "small mono", why[0] ? why : ev.detected_by);
        pb__html_end(h);
    }
    pb__html_end(h);
}

/* The events as a table, folded away: the timeline is the overview. */
static void transcript(pb__html *h, const pb_replay *r)
{
    const pb_case *c = pb_replay_case(r);
    size_t i, k, n = pb_case_nevents(c);
    char tb[32];

    pb__html_start(h, "details", NULL);
    pb__html_start(h, "summary", NULL);
    pb__html_textf(h, "Transcript (%zu events)", n);
    pb__html_end(h);
    pb__html_start(h, "table", "compact");
    for (i = 0; i < n; i++) {
        pb_event_info ev;

        pb_case_event(c, i, &ev);
        pb__html_start(h, "tr", ev.detected_by ? "muted" : NULL);
        pb__html_elem(h, "td", "num mono", pb_time_format(ev.t, tb, sizeof tb));
        pb__html_start(h, "td", "mono");
        pb__html_textf(h, "%s%s", ev.detected_by ? "~ " : "", ev.type);
        for (k = 0; k < ev.nattrs; k++)
            pb__html_textf(h, " %s=%s", ev.attrs[k].name,
                           ev.attrs[k].value);
        pb__html_end(h);
        pb__html_start(h, "td", NULL);
        if (ev.detected_by) {
            char why[160];

            pb__html_textf(h, "(detected by %s)", ev.detected_by);
            /* In the page, not only in a tooltip: it must print. */
            pb__evidence_text(&ev.evidence, why, sizeof why);
            if (why[0]) {
                pb__html_text(h, " ");
                pb__html_elem(h, "span", "small mono", why);
            }
        } else {
            pb__html_text(h, ev.text);
        }
        for (k = pb__first_change(r, i); k < pb_replay_nchanges(r) &&
                                         pb_replay_change(r, k)->event == i;
             k++) {
            const pb_change *ch = pb_replay_change(r, k);
            pb_item_info it;

            if (ch->to == PB_ABSENT || ch->to == PB_OPEN ||
                ch->to == PB_WAITING)
                continue;
            pb_case_item(c, ch->item, &it);
            pb__html_text(h, " ");
            pb__html_start(h, "span", NULL);
            pb__html_attrf(h, "class", "badge %s", pb_state_name(ch->to));
            pb__html_textf(h, "%s %s", it.ref, pb_state_name(ch->to));
            pb__html_end(h);
        }
        pb__html_end(h);
        pb__html_end(h);
    }
    pb__html_end(h);
    pb__html_end(h);
}

/* Whether the call is what its scenario says it is: not whether it
 * was a good call, which is the score's to say (a call can meet every
 * expectation and score 0.25), so the words say "expectations". */
static void result_badge(pb__html *h, const pb_replay *r)
{
    if (pb_replay_nresults(r) == 0)
        pb__html_elem(h, "span", "badge absent", "no expectations");
    else if (pb_replay_passed(r))
        pb__html_elem(h, "span", "badge", "expectations met");
    else
        pb__html_elem(h, "span", "badge fail", "expectations not met");
}

static void kv(pb__html *h, const char *key, const char *value)
{
    if (value == NULL)
        return;
    pb__html_start(h, "li", NULL);
    pb__html_elem(h, "b", NULL, key);
    pb__html_text(h, value);
    pb__html_end(h);
}

static void scenario(pb__html *h, const pb_replay *r, size_t idx)
{
    const pb_scenario *s = pb_replay_scenario(r);
    const pb_case *c = pb_replay_case(r);
    size_t n = pb_case_nevents(c);
    char ev[64];

    pb__html_start(h, "section", "card");
    pb__html_attrf(h, "id", "s%zu", idx + 1);
    pb__html_start(h, "h2", NULL);
    pb__html_text(h, pb_scenario_title(s));
    pb__html_text(h, " ");
    result_badge(h, r);
    pb__html_end(h);
    pb__html_start(h, "ul", "kv small");
    kv(h, "id", pb_scenario_id(s));
    kv(h, "file", pb_scenario_path(s));
    kv(h, "topic", pb_scenario_topic(s));
    kv(h, "channel", pb_scenario_channel(s));
    snprintf(ev, sizeof ev, "%zu (%zu detected)", n, pb__detected_count(c));
    kv(h, "events", ev);
    pb__html_end(h);
    if (pb_scenario_description(s))
        pb__html_elem(h, "p", NULL, pb_scenario_description(s));
    pb__html_start(h, "div", "grid");
    pb__html_start(h, "div", "cell");
    scores(h, c);
    pb__html_end(h);
    pb__html_start(h, "div", "cell");
    expectations(h, r);
    pb__html_end(h);
    pb__html_end(h);
    pb__html_elem(h, "h3", NULL, "Timeline");
    pb__render_timeline(h, r);
    detections(h, r);
    pb__html_elem(h, "h3", NULL, "Checklist at the end");
    checklist_table(h, c);
    checklist_notes(h, c);
    facts(h, c);
    transcript(h, r);
    pb__html_end(h);
}

/* The run at a glance: one row per scenario, linking to its section. */
static void overview(pb__html *h, pb_replay *const *replays, size_t n)
{
    size_t i, passed = 0, without = 0;

    for (i = 0; i < n; i++) {
        without += pb_replay_nresults(replays[i]) == 0;
        passed += pb_replay_nresults(replays[i]) &&
                  pb_replay_passed(replays[i]);
    }
    pb__html_start(h, "header", "card");
    pb__html_elem(h, "h1", NULL, "Playbook replay report");
    pb__html_start(h, "p", "muted");
    pb__html_textf(h, "%zu scenario%s: %zu met their expectations, %zu "
                   "did not", n, n == 1 ? "" : "s", passed,
                   n - passed - without);
    if (without)
        pb__html_textf(h, ", %zu without expectations", without);
    pb__html_end(h);
    if (n == 0) {
        pb__html_end(h);
        return;
    }
    pb__html_start(h, "table", "compact");
    pb__html_start(h, "tr", NULL);
    pb__html_elem(h, "th", NULL, "scenario");
    pb__html_elem(h, "th", NULL, "topic");
    pb__html_elem(h, "th", NULL, "channel");
    pb__html_elem(h, "th", NULL, "score");
    pb__html_elem(h, "th", "num", "expectations");
    pb__html_elem(h, "th", NULL, "as expected?");
    pb__html_end(h);
    for (i = 0; i < n; i++) {
        const pb_scenario *s = pb_replay_scenario(replays[i]);
        pb_score sc;

        pb_case_score(pb_replay_case(replays[i]), NULL, &sc);
        pb__html_start(h, "tr", NULL);
        pb__html_start(h, "td", NULL);
        pb__html_start(h, "a", NULL);
        pb__html_attrf(h, "href", "#s%zu", i + 1);
        pb__html_text(h, pb_scenario_title(s));
        pb__html_end(h);
        pb__html_end(h);
        pb__html_elem(h, "td", NULL, pb_scenario_topic(s));
        pb__html_elem(h, "td", NULL, pb_scenario_channel(s));
        pb__html_start(h, "td", "nowrap");
        meter(h, sc.value);
        pb__html_textf(h, "%.2f", sc.value);
        pb__html_end(h);
        pb__html_start(h, "td", "num");
        pb__html_textf(h, "%zu / %zu", pb__met_count(replays[i]),
                       pb_replay_nresults(replays[i]));
        pb__html_end(h);
        pb__html_start(h, "td", NULL);
        result_badge(h, replays[i]);
        pb__html_end(h);
        pb__html_end(h);
    }
    pb__html_end(h);
    pb__html_end(h);
}

static void footer(pb__html *h)
{
    pb__html_start(h, "footer", NULL);
    pb__html_text(h, "playbook " PB_VERSION " \xc2\xb7 score = done musts "
                     "\xc3\xb7 applicable musts, lowered by violations");
    pb__html_end(h);
}

pb_status pb__render_html(FILE *f, pb_replay *const *replays, size_t n)
{
    pb__html *h = pb__html_page(f, n == 1
        ? pb_scenario_title(pb_replay_scenario(replays[0]))
        : "Playbook replay report");
    size_t i;

    if (h == NULL)
        return PB_NOMEM;
    pb__html_start(h, "main", "page");
    overview(h, replays, n);
    for (i = 0; i < n; i++)
        scenario(h, replays[i], i);
    footer(h);
    return pb__html_finish(h);
}

pb_status pb__render_html_checklist(FILE *f, const pb_case *c)
{
    pb__html *h = pb__html_page(f, "Playbook checklist");
    char state[96];

    if (h == NULL)
        return PB_NOMEM;
    pb__html_start(h, "main", "page");
    pb__html_start(h, "section", "card");
    pb__html_elem(h, "h1", NULL, "Checklist");
    pb__html_start(h, "ul", "kv small");
    kv(h, "topic", pb_case_topic(c));
    kv(h, "channel", pb_case_channel(c));
    pb__case_state_text(c, state, sizeof state);
    kv(h, "state", state);
    pb__html_end(h);
    scores(h, c);
    pb__html_elem(h, "h3", NULL, "Checklist");
    checklist_table(h, c);
    checklist_notes(h, c);
    facts(h, c);
    pb__html_end(h);
    footer(h);
    return pb__html_finish(h);
}
