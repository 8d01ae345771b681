/*
 * render_text.c -- the checklist and replays as text, for people: what
 * an agent sees, and a replay's timeline with the changes each event
 * caused.  Colours only with PB_RENDER_COLOR.
 */
#include <stdio.h>
#include <string.h>

#include "render_text.h"
#include "report.h"
#include "text.h"

typedef struct out {
    FILE *f;
    int color;
} out;

static void paint(const out *o, const char *code)
{
    if (o->color)
        fputs(code, o->f);
}

static void text_item(const out *o, const pb_item_info *it)
{
    char tb[32];

    fputs("    ", o->f);
    paint(o, pb_state_color(it->state));
    pb__text_printf(o->f, "%s %-20s", pb_state_mark(it->state), it->id);
    paint(o, PB__C_RESET);
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
    const pb_engine *e = pb_case_engine(c);
    size_t i, j, next[8], nn;
    pb_principle_info p;
    pb_item_info it;
    pb_score sc;
    char state[96];

    for (i = 0; i < pb_engine_nprinciples(e); i++) {
        pb_engine_principle(e, i, &p);
        pb_case_score(c, p.id, &sc);
        if (!sc.applies)
            continue;
        paint(o, PB__C_BOLD);
        pb__text_printf(o->f, "  %s", p.id);
        paint(o, PB__C_RESET);
        fputs(" - ", o->f);
        pb__text_prose(o->f, p.title);
        fputs("  ", o->f);
        text_score(o, &sc);
        fputc('\n', o->f);
        for (j = 0; j < p.nitems; j++) {
            pb_case_item(c, p.first_item + j, &it);
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
        paint(o, i == 0 ? PB__C_BOLD PB__C_CYAN : "");
        pb__text_printf(o->f, "%s %s.%s", i == 0 ? "->" : "  ", it.principle,
                        it.id);
        paint(o, PB__C_RESET);
        fputs("  ", o->f);
        if (it.prompt)
            pb__text_prose(o->f, it.prompt);
        fputc('\n', o->f);
    }
    if (nn > sizeof next / sizeof *next)
        fprintf(o->f, "     ... and %zu more\n",
                nn - sizeof next / sizeof *next);
    for (i = 0; i < pb_engine_nitems(e); i++) {
        char tb[32];

        pb_case_item(c, i, &it);
        if (it.state != PB_VIOLATED)
            continue;
        paint(o, PB__C_RED);
        pb__text_printf(o->f, "Violation: %s.%s at %s\n", it.principle, it.id,
                        pb_time_format(it.violated_at, tb, sizeof tb));
        paint(o, PB__C_RESET);
    }
    for (i = 0; i < pb_case_nwarnings(c); i++)
        pb__text_printf(o->f, "Warning: %s\n", pb_case_warning(c, i));
    pb_case_score(c, NULL, &sc);
    paint(o, PB__C_BOLD);
    fputs("Score: ", o->f);
    paint(o, PB__C_RESET);
    text_score(o, &sc);
    fputc('\n', o->f);
    if (pb_case_closed(c) || !pb_case_in_contact(c)) { /* news only */
        pb__case_state_text(c, state, sizeof state);
        pb__text_printf(o->f, "Case: %s\n", state);
    }
}

void pb__render_text_checklist(FILE *f, unsigned flags, const pb_case *c)
{
    out o = { f, (flags & PB_RENDER_COLOR) != 0 };

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
        paint(o, PB__C_CYAN);
        pb__text_printf(o->f, "~ %s", ev.type);
        paint(o, PB__C_RESET);
    } else {
        pb__text_printf(o->f, "%s", ev.type);
    }
    for (k = 0; k < ev.nattrs; k++)
        pb__text_printf(o->f, " %s=%s", ev.attrs[k].name, ev.attrs[k].value);
    if (ev.detected_by) {
        char why[160];

        pb__evidence_text(&ev.evidence, why, sizeof why);
        if (why[0])
            pb__text_printf(o->f, "  [%s]", why);
        else
            pb__text_printf(o->f, "  (detected by %s)", ev.detected_by);
    } else if (ev.text) {
        fputs("  \"", o->f);
        pb__text_prose(o->f, ev.text);
        fputc('"', o->f);
    }
    fputc('\n', o->f);
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
        paint(o, PB__C_RESET);
        fputc('\n', o->f);
    }
}

static void text_replay(const out *o, const pb_replay *r)
{
    const pb_scenario *s = pb_replay_scenario(r);
    const pb_case *c = pb_replay_case(r);
    size_t i, n = pb_case_nevents(c);

    paint(o, PB__C_BOLD);
    pb__text_prose(o->f, pb_scenario_title(s));
    paint(o, PB__C_RESET);
    pb__text_printf(o->f, "  [%s]\n  %s", pb_scenario_id(s),
                    pb_scenario_path(s));
    if (pb_scenario_topic(s))
        pb__text_printf(o->f, "  topic %s", pb_scenario_topic(s));
    if (pb_scenario_channel(s))
        pb__text_printf(o->f, "  channel %s", pb_scenario_channel(s));
    fprintf(o->f, "  %zu events (%zu detected)\n", n,
            pb__detected_count(c));
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
    fprintf(o->f, "\nExpectations: %zu of %zu met\n", pb__met_count(r),
            pb_replay_nresults(r));
    for (i = 0; i < pb_replay_nresults(r); i++) {
        const pb_expect_result *res = pb_replay_result(r, i);
        char want[256];

        pb_expect_text(res->expect, want, sizeof want);
        paint(o, res->met ? PB__C_GREEN : PB__C_RED);
        pb__text_printf(o->f, "  %-4s", res->met ? "ok" : "FAIL");
        paint(o, PB__C_RESET);
        pb__text_printf(o->f, "  %s", want);
        if (!res->met)
            pb__text_printf(o->f, "  (got %s; %s:%d)", res->actual,
                            pb_scenario_path(s), res->expect->line);
        fputc('\n', o->f);
    }
    fputc('\n', o->f);
}

/* The closing table of a batch: one line a call, to read the run at a
 * glance after pages of timelines. */
static void summary_table(const out *o, pb_replay *const *replays, size_t n)
{
    size_t i, w = 8;

    for (i = 0; i < n; i++) {
        size_t k = strlen(pb_scenario_path(pb_replay_scenario(replays[i])));

        if (k > w)
            w = k < 60 ? k : 60;
    }
    pb__text_printf(o->f, "%-*s  score  expectations\n", (int)w,
                    "scenario");
    for (i = 0; i < n; i++) {
        const char *path = pb_scenario_path(pb_replay_scenario(replays[i]));
        size_t met = pb__met_count(replays[i]);
        size_t all = pb_replay_nresults(replays[i]);
        pb_score sc;

        if (pb_case_score(pb_replay_case(replays[i]), NULL, &sc) != PB_OK)
            sc.value = 0;
        pb__text_printf(o->f, "%-*.*s  %5.2f  %zu of %zu met%s\n", (int)w,
                        (int)w, path, sc.value, met, all,
                        met < all ? (o->color ? "  " PB__C_RED "FAIL"
                                                PB__C_RESET : "  FAIL")
                                  : "");
    }
}

void pb__render_text_replays(FILE *f, unsigned flags,
                             pb_replay *const *replays, size_t n)
{
    out o = { f, (flags & PB_RENDER_COLOR) != 0 };
    size_t i, passed = 0;

    for (i = 0; i < n; i++) {
        passed += pb_replay_passed(replays[i]);
        text_replay(&o, replays[i]);
    }
    if (n > 1) {
        summary_table(&o, replays, n);
        fprintf(f, "\n%zu scenarios: %zu passed, %zu failed\n", n, passed,
                n - passed);
    }
}
