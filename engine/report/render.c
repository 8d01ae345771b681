/*
 * render.c -- the checklist and replays as text (for people) or JSON
 * (for programs; field names documented in docs/scenarios.md), and the
 * dispatch to the JUnit and HTML writers (render_junit.c, render_html.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "checklist.h"
#include "jsonw.h"
#include "render.h"
#include "text.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_CYAN "\033[36m"

typedef struct out {
    FILE *f;
    int color;
} out;

static void paint(const out *o, const char *code)
{
    if (o->color)
        fputs(code, o->f);
}

/* mm:ss, or h:mm:ss past the hour; tenths when the time has them.
 * What no reader accepts prints as "--:--" (and is never cast). */
const char *pb_time_format(double t, char *buf, size_t size)
{
    long s;
    int tenth;

    if (!(t >= 0 && t <= PB_TIME_MAX)) {
        snprintf(buf, size, "--:--");
        return buf;
    }
    s = (long)floor(t);
    tenth = (int)floor((t - (double)s) * 10 + 0.5);

    if (tenth >= 10) {
        s++;
        tenth = 0;
    }
    if (s >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60,
                 s % 60);
    else
        snprintf(buf, size, "%02ld:%02ld", s / 60, s % 60);
    if (tenth)
        snprintf(buf + strlen(buf), size - strlen(buf), ".%d", tenth);
    return buf;
}

const char *pb_state_mark(pb_state s)
{
    switch (s) {
    case PB_DONE: return "[x]";
    case PB_OPEN: return "[ ]";
    case PB_WAITING: return "[.]";
    case PB_SKIPPED: return "[-]";
    case PB_VIOLATED: return "[!]";
    case PB_ERROR: return "[E]";
    default: return "   ";
    }
}

const char *pb_state_color(pb_state s)
{
    switch (s) {
    case PB_DONE: return C_GREEN;
    case PB_VIOLATED:
    case PB_ERROR: return C_RED;
    case PB_OPEN: return C_YELLOW;
    default: return C_DIM;
    }
}

static void text_item(const out *o, const pb_item_info *it)
{
    char tb[32];

    fputs("    ", o->f);
    paint(o, pb_state_color(it->state));
    pb__text_printf(o->f, "%s %-20s", pb_state_mark(it->state), it->id);
    paint(o, C_RESET);
    pb__text_printf(o->f, " %-4s ", it->must ? "must" : "");
    switch (it->state) {
    case PB_DONE:
        pb__text_printf(o->f, "done at %s",
                        pb_time_format(it->done_at >= 0 ? it->done_at : 0, tb,
                                   sizeof tb));
        break;
    case PB_VIOLATED:
        pb__text_printf(o->f, "violated at %s",
                        pb_time_format(it->violated_at, tb, sizeof tb));
        break;
    case PB_SKIPPED:
        fputs("skipped: ", o->f);
        if (it->reason)
            pb__text_prose(o->f, it->reason);
        break;
    case PB_ERROR:
        pb__text_printf(o->f, "error: %s", it->error ? it->error : "");
        break;
    default:
        if (it->state == PB_WAITING)
            fputs("waiting: ", o->f);
        if (it->prompt)
            pb__text_prose(o->f, it->prompt);
    }
    fputc('\n', o->f);
}

static void text_score(const out *o, const pb_score *s)
{
    pb__text_printf(o->f, "%.2f (%d of %d musts done, %d violation%s)",
                    s->value, s->done, s->musts, s->violations,
                    s->violations == 1 ? "" : "s");
}

static void text_checklist(const out *o, const pb_case *c)
{
    const pb_engine *e = c->e;
    size_t i, j, next[8], nn;
    pb_item_info it;
    pb_score sc;

    for (i = 0; i < e->nprinciples; i++) {
        const pb__principle *p = e->principles[i];

        pb_case_score(c, p->id, &sc);
        if (!sc.applies)
            continue;
        paint(o, C_BOLD);
        pb__text_printf(o->f, "  %s", p->id);
        paint(o, C_RESET);
        fputs(" - ", o->f);
        pb__text_prose(o->f, p->title ? p->title : p->id);
        fputs("  ", o->f);
        text_score(o, &sc);
        fputc('\n', o->f);
        for (j = 0; j < p->nitems; j++) {
            pb_case_item(c, p->first_item + j, &it);
            if (it.state != PB_ABSENT)
                text_item(o, &it);
        }
    }
    nn = pb_case_next(c, next, sizeof next / sizeof *next);
    fputs("\nNext:", o->f);
    if (nn == 0)
        fputs(" nothing open\n", o->f);
    else
        fputc('\n', o->f);
    for (i = 0; i < nn && i < sizeof next / sizeof *next; i++) {
        pb_case_item(c, next[i], &it);
        fputs("  ", o->f);
        paint(o, i == 0 ? C_BOLD C_CYAN : "");
        pb__text_printf(o->f, "%s %s.%s", i == 0 ? "->" : "  ", it.principle,
                        it.id);
        paint(o, C_RESET);
        fputs("  ", o->f);
        if (it.prompt)
            pb__text_prose(o->f, it.prompt);
        fputc('\n', o->f);
    }
    if (nn > sizeof next / sizeof *next)
        fprintf(o->f, "     ... and %zu more\n",
                nn - sizeof next / sizeof *next);
    for (i = 0; i < e->nitems; i++) {
        char tb[32];

        pb_case_item(c, i, &it);
        if (it.state != PB_VIOLATED)
            continue;
        paint(o, C_RED);
        pb__text_printf(o->f, "Violation: %s.%s at %s\n", it.principle, it.id,
                        pb_time_format(it.violated_at, tb, sizeof tb));
        paint(o, C_RESET);
    }
    for (i = 0; i < pb_case_nwarnings(c); i++)
        pb__text_printf(o->f, "Warning: %s\n", pb_case_warning(c, i));
    pb_case_score(c, NULL, &sc);
    paint(o, C_BOLD);
    fputs("Score: ", o->f);
    paint(o, C_RESET);
    text_score(o, &sc);
    fputc('\n', o->f);
}

void pb__text_checklist(FILE *f, const pb_case *c)
{
    out o = { f, 0 };

    text_checklist(&o, c);
}

static void text_event(const out *o, const pb_case *c, size_t i)
{
    pb_event_info ev;
    char tb[32];
    size_t k;

    pb_case_event(c, i, &ev);
    pb__text_printf(o->f, "  %8s  ", pb_time_format(ev.t, tb, sizeof tb));
    if (ev.detected_by) {
        paint(o, C_CYAN);
        pb__text_printf(o->f, "~ %s", ev.type);
        paint(o, C_RESET);
    } else {
        pb__text_printf(o->f, "%s", ev.type);
    }
    for (k = 0; k < ev.nattrs; k++)
        pb__text_printf(o->f, " %s=%s", ev.attrs[k].name, ev.attrs[k].value);
    if (ev.detected_by)
        pb__text_printf(o->f, "  (detected by %s)", ev.detected_by);
    else if (ev.text) {
        fputs("  \"", o->f);
        pb__text_prose(o->f, ev.text);
        fputc('"', o->f);
    }
    fputc('\n', o->f);
}

size_t pb__first_change(const pb_replay *r, size_t ev)
{
    size_t lo = 0, hi = pb_replay_nchanges(r);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (pb_replay_change(r, mid)->event < ev)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void text_changes(const out *o, const pb_replay *r, size_t ev)
{
    const pb_case *c = pb_replay_case(r);
    size_t i;

    for (i = pb__first_change(r, ev); i < pb_replay_nchanges(r) &&
                                      pb_replay_change(r, i)->event == ev;
         i++) {
        const pb_change *ch = pb_replay_change(r, i);
        pb_item_info it;

        if (ch->to == PB_ABSENT || ch->to == PB_WAITING || ch->to == PB_OPEN)
            continue;
        pb_case_item(c, ch->item, &it);
        fputs("            ", o->f);
        paint(o, pb_state_color(ch->to));
        pb__text_printf(o->f, "%s %s.%s %s", pb_state_mark(ch->to),
                        it.principle, it.id, pb_state_name(ch->to));
        paint(o, C_RESET);
        fputc('\n', o->f);
    }
}

const char *pb__expect_kind(pb_expect_kind k)
{
    switch (k) {
    case PB_EXPECT_ITEM: return "item";
    case PB_EXPECT_SCORE: return "score";
    case PB_EXPECT_VIOLATION: return "violation";
    case PB_EXPECT_NO_VIOLATION: return "no-violation";
    case PB_EXPECT_NEXT: return "next";
    }
    return "?";
}

/* What was expected, in words: "listen.restate is done". */
void pb__expect_text(const pb_expect *x, char *buf, size_t size)
{
    switch (x->kind) {
    case PB_EXPECT_ITEM:
        snprintf(buf, size, "%s is %s", x->ref, pb_state_name(x->state));
        break;
    case PB_EXPECT_SCORE:
        snprintf(buf, size, "score%s%s between %.2f and %.2f",
                 x->principle ? " of " : "",
                 x->principle ? x->principle : "", x->min, x->max);
        break;
    case PB_EXPECT_VIOLATION:
        snprintf(buf, size, "a violation in %s", x->ref);
        break;
    case PB_EXPECT_NO_VIOLATION:
        snprintf(buf, size, "no violation in %s", x->ref);
        break;
    case PB_EXPECT_NEXT:
        snprintf(buf, size, "next is %s", x->ref);
        break;
    }
}

static void text_replay(const out *o, const pb_replay *r)
{
    const pb_scenario *s = pb_replay_scenario(r);
    const pb_case *c = pb_replay_case(r);
    size_t i, n = pb_case_nevents(c), met = 0, detected = 0;

    for (i = 0; i < n; i++) {
        pb_event_info ev;

        pb_case_event(c, i, &ev);
        detected += ev.detected_by != NULL;
    }
    paint(o, C_BOLD);
    pb__text_prose(o->f, pb_scenario_title(s));
    paint(o, C_RESET);
    pb__text_printf(o->f, "  [%s]\n  %s", pb_scenario_id(s),
                    pb_scenario_path(s));
    if (pb_scenario_topic(s))
        pb__text_printf(o->f, "  topic %s", pb_scenario_topic(s));
    if (pb_scenario_channel(s))
        pb__text_printf(o->f, "  channel %s", pb_scenario_channel(s));
    fprintf(o->f, "  %zu events (%zu detected)\n", n, detected);
    if (pb_scenario_description(s)) {
        fputs("  ", o->f);
        pb__text_prose(o->f, pb_scenario_description(s));
        fputc('\n', o->f);
    }
    fputs("\nTimeline\n", o->f);
    for (i = 0; i < n; i++) {
        size_t rec = i;
        pb_event_info ev;

        pb_case_event(c, i, &ev);
        text_event(o, c, i);
        while (rec > 0 && (pb_case_event(c, rec, &ev), ev.detected_by))
            rec--;
        if (i + 1 == n || (pb_case_event(c, i + 1, &ev), !ev.detected_by))
            text_changes(o, r, rec);
    }
    fputs("\nChecklist\n", o->f);
    text_checklist(o, c);
    if (pb_replay_nresults(r) == 0) {
        fputc('\n', o->f);
        return;
    }
    for (i = 0; i < pb_replay_nresults(r); i++)
        met += pb_replay_result(r, i)->met;
    fprintf(o->f, "\nExpectations: %zu of %zu met\n", met,
            pb_replay_nresults(r));
    for (i = 0; i < pb_replay_nresults(r); i++) {
        const pb_expect_result *res = pb_replay_result(r, i);
        char want[256];

        pb__expect_text(res->expect, want, sizeof want);
        paint(o, res->met ? C_GREEN : C_RED);
        pb__text_printf(o->f, "  %-4s", res->met ? "ok" : "FAIL");
        paint(o, C_RESET);
        pb__text_printf(o->f, "  %s", want);
        if (!res->met)
            pb__text_printf(o->f, "  (got %s; %s:%d)", res->actual,
                            pb_scenario_path(s), res->expect->line);
        fputc('\n', o->f);
    }
    fputc('\n', o->f);
}

/* JSON. */

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
    const pb_engine *e = c->e;
    size_t i;
    pb_item_info it;
    pb_score sc;

    pb__json_key(j, "checklist");
    pb__json_open(j, '[');
    for (i = 0; i < e->nitems; i++) {
        pb_case_item(c, i, &it);
        if (it.state != PB_ABSENT)
            json_item(j, &it);
    }
    pb__json_close(j, ']');
    pb__json_key(j, "next");
    pb__json_open(j, '[');
    for (i = pb__case_next_after(c, PB__NONE); i != PB__NONE;
         i = pb__case_next_after(c, i))
        pb__json_str(j, e->items[i]->ref);
    pb__json_close(j, ']');
    pb__json_key(j, "violations");
    pb__json_open(j, '[');
    for (i = 0; i < e->nitems; i++) {
        pb_case_item(c, i, &it);
        if (it.state == PB_VIOLATED) {
            pb__json_open(j, '{');
            pb__json_kstr(j, "ref", e->items[i]->ref);
            pb__json_knum(j, "t", it.violated_at);
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
    for (i = 0; i < e->nprinciples; i++) {
        pb_case_score(c, e->principles[i]->id, &sc);
        if (!sc.applies)
            continue;
        pb__json_key(j, e->principles[i]->id);
        json_score(j, &sc);
    }
    pb__json_close(j, '}');
    pb__json_close(j, '}');
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
        pb__json_key(j, "changes");
        pb__json_open(j, '[');
        for (k = pb__first_change(r, i); k < pb_replay_nchanges(r) &&
                                         pb_replay_change(r, k)->event == i;
             k++) {
            const pb_change *ch = pb_replay_change(r, k);

            pb__json_open(j, '{');
            pb__json_kstr(j, "item", c->e->items[ch->item]->ref);
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

        pb__expect_text(res->expect, want, sizeof want);
        pb__json_open(j, '{');
        pb__json_kint(j, "line", res->expect->line);
        pb__json_kstr(j, "kind", pb__expect_kind(res->expect->kind));
        pb__json_kstr(j, "ref", res->expect->ref);
        pb__json_kstr(j, "principle", res->expect->principle);
        pb__json_kstr(j, "expected", want);
        pb__json_kstr(j, "actual", res->actual);
        pb__json_kbool(j, "met", res->met);
        pb__json_close(j, '}');
    }
    pb__json_close(j, ']');
    pb__json_close(j, '}');
}

pb_status pb_render_replays(FILE *f, pb_format fmt, unsigned flags,
                            pb_replay *const *replays, size_t n)
{
    out o = { f, (flags & PB_RENDER_COLOR) != 0 };
    size_t i, passed = 0;
    pb__json j;

    if (fmt == PB_FORMAT_JUNIT)
        return pb__render_junit(f, replays, n);
    if (fmt == PB_FORMAT_HTML)
        return pb__render_html(f, replays, n);
    for (i = 0; i < n; i++)
        passed += pb_replay_passed(replays[i]);
    if (fmt == PB_FORMAT_JSON) {
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
    } else {
        for (i = 0; i < n; i++)
            text_replay(&o, replays[i]);
        if (n > 1)
            fprintf(f, "%zu scenarios: %zu passed, %zu failed\n", n, passed,
                    n - passed);
    }
    return fflush(f) == 0 && !ferror(f) ? PB_OK : PB_IO;
}

pb_status pb_render_checklist(FILE *f, pb_format fmt, unsigned flags,
                              const pb_case *c)
{
    out o = { f, (flags & PB_RENDER_COLOR) != 0 };
    pb__json j;

    /* JUnit reports expectations, which only a replay has. */
    if (fmt == PB_FORMAT_JUNIT)
        return PB_INPUT;
    if (fmt == PB_FORMAT_HTML)
        return pb__render_html_checklist(f, c);
    if (fmt == PB_FORMAT_JSON) {
        pb__json_init(&j, f);
        pb__json_open(&j, '{');
        pb__json_kstr(&j, "topic", c->topic);
        pb__json_kstr(&j, "channel", c->channel);
        pb__json_kbool(&j, "closed", c->closed);
        pb__json_key(&j, "facts");
        json_facts(&j, c);
        json_case(&j, c);
        pb__json_close(&j, '}');
        fputc('\n', f);
    } else {
        text_checklist(&o, c);
    }
    return fflush(f) == 0 && !ferror(f) ? PB_OK : PB_IO;
}
