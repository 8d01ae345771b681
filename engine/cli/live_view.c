/*
 * live_view.c -- what `playbook live` shows the agent (live_view.h):
 * after each command, what was saved, what the command changed and the
 * checklist in short; the log, help, and the summary at close.  It
 * reads the case and prints; the session (live.c) decides what happens.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "live_view.h"

#define SHOWN_TEXT 60   /* characters of an event's text in messages */
#define NEXT_SHOWN 3    /* next items named after each command */

const pb_case *view_case(const live_view *v)
{
    return pb_casefile_case(v->cf);
}

int view_init(live_view *v, pb_engine *e)
{
    v->e = e;
    v->nitems = pb_engine_nitems(e);
    v->nprinciples = pb_engine_nprinciples(e);
    v->changed = calloc(v->nitems + 1, sizeof *v->changed);
    v->applied = calloc(v->nprinciples + 1, sizeof *v->applied);
    return v->changed && v->applied ? 0 : -1;
}

int view_open(live_view *v)
{
    v->before = pb_snapshot_new(view_case(v));
    return v->before ? 0 : -1;
}

void view_free(live_view *v)
{
    pb_snapshot_free(v->before);
    free(v->changed);
    free(v->applied);
}

/* Output. */

/* text quoted, cut to SHOWN_TEXT columns and "..." when longer. */
static void put_text(const live_view *v, const char *text)
{
    fputc('"', v->out);
    pb__text_write(v->out, text, strlen(text), SHOWN_TEXT + 3,
                   PB__TEXT_PROSE);
    fputc('"', v->out);
}

/* lead, then prose (a prompt, a title; NULL for none), then a newline. */
static void prose_line(const live_view *v, const char *lead,
                       const char *prose)
{
    fputs(lead, v->out);
    if (prose)
        pb__text_prose(v->out, prose);
    fputc('\n', v->out);
}

void view_error(const live_view *v, const char *fmt, ...)
{
    va_list ap;

    cli_paint(v->out, v->color, CLI_RED);
    fputs("error: ", v->out);
    cli_paint(v->out, v->color, CLI_RESET);
    va_start(ap, fmt);
    pb__text_vprintf(v->out, fmt, ap);
    va_end(ap);
    fputc('\n', v->out);
}

/* The recorded event numbered n (1-based) as its index among all events
 * (detected ones included), or (size_t)-1. */
static size_t event_index(const pb_case *c, size_t n)
{
    size_t i, k = 0;
    pb_event_info ev;

    for (i = 0; i < pb_case_nevents(c); i++) {
        pb_case_event(c, i, &ev);
        if (ev.detected_by == NULL && ++k == n)
            return i;
    }
    return (size_t)-1;
}

/* "type name=value... "text"" of an event, one line. */
static void put_event(const live_view *v, const pb_event_info *ev)
{
    size_t k;

    pb__text_put(v->out, ev->type);
    for (k = 0; k < ev->nattrs; k++)
        pb__text_printf(v->out, " %s=%s", ev->attrs[k].name,
                        ev->attrs[k].value);
    if (ev->text) {
        fputc(' ', v->out);
        put_text(v, ev->text);
    }
}

/* A due time as the agent wrote it and, when it reads (parsed), the
 * date it reads as. */
static void put_due(const live_view *v, const char *due, int parsed,
                    double at)
{
    char buf[64];
    struct tm tm;
    time_t t = (time_t)at;

    pb__text_printf(v->out, "%s", due);
    if (parsed && localtime_r(&t, &tm) != NULL &&
        strftime(buf, sizeof buf, "%a %Y-%m-%d %H:%M", &tm) > 0)
        pb__text_printf(v->out, " (%s)", buf);
}

/* The due time of the event just recorded, read as of now. */
void view_due(live_view *v, const char *due)
{
    double at = 0;
    int parsed = pb_case_due(view_case(v), pb_casefile_now(v->cf), due,
                             &at) == PB_OK;

    fputs("  due ", v->out);
    put_due(v, due, parsed, at);
    fputc('\n', v->out);
}

/*
 * The checklist, short, for after each command: one line per principle
 * with what is not done yet, open musts first, and how many items are
 * done; the principles with nothing left share one line.  `show` gives
 * the whole checklist with prompts and times.
 */

static int rank(const pb_item_info *it)
{
    switch (it->state) {
    case PB_OPEN: return it->must ? 0 : 1;
    case PB_WAITING: return it->must ? 2 : 3;
    case PB_VIOLATED: return 4;
    case PB_ERROR: return 5;
    case PB_SKIPPED: return 6;
    default: return 7; /* done, absent: counted, not listed */
    }
}

/* One principle's line; 0 when nothing is left in it. */
static int principle_line(live_view *v, const pb_principle_info *pi, int idw)
{
    const pb_case *c = view_case(v);
    size_t j, col, w, ndone = 0, nleft = 0;
    pb_item_info it;
    pb_score sc;
    char more[32];
    int r;

    for (j = 0; j < pi->nitems; j++) {
        pb_case_item(c, pi->first_item + j, &it);
        ndone += it.state == PB_DONE;
        nleft += it.state != PB_DONE && it.state != PB_ABSENT;
    }
    if (nleft == 0)
        return 0;
    pb_case_score(c, pi->id, &sc);
    cli_paint(v->out, v->color, CLI_BOLD);
    pb__text_printf(v->out, "  %-*s", idw, pi->id);
    cli_paint(v->out, v->color, CLI_RESET);
    snprintf(more, sizeof more, " %d/%d", sc.done, sc.musts);
    fputs(more, v->out);
    col = 2 + (size_t)idw + strlen(more);
    for (r = 0; r < 7; r++) {
        for (j = 0; j < pi->nitems; j++) {
            pb_case_item(c, pi->first_item + j, &it);
            if (it.state == PB_ABSENT || rank(&it) != r)
                continue;
            w = 2 + 4 + strlen(it.id) + (it.must && r <= 3);
            if (col + w > (size_t)v->width) {
                pb__text_printf(v->out, "\n  %*s     ", idw, "");
                col = 2 + (size_t)idw + 5;
            }
            fputs("  ", v->out);
            cli_paint(v->out, v->color, pb_state_color(it.state));
            pb__text_printf(v->out, "%s %s", pb_state_mark(it.state), it.id);
            cli_paint(v->out, v->color, CLI_RESET);
            if (it.must && r <= 3)
                fputc('*', v->out);
            col += w;
        }
    }
    if (ndone > 0) {
        snprintf(more, sizeof more, "  +%zu done", ndone);
        if (col + strlen(more) > (size_t)v->width)
            pb__text_printf(v->out, "\n  %*s   ", idw, "");
        cli_paint(v->out, v->color, CLI_DIM);
        fputs(more, v->out);
        cli_paint(v->out, v->color, CLI_RESET);
    }
    fputc('\n', v->out);
    return 1;
}

void view_checklist(live_view *v)
{
    const pb_case *c = view_case(v);
    size_t i, idw = 0, next[NEXT_SHOWN + 1], nn;
    pb_principle_info pi;
    pb_item_info it;
    pb_score sc;
    int ndone = 0;

    for (i = 0; i < v->nprinciples; i++) {
        pb_engine_principle(v->e, i, &pi);
        if (strlen(pi.id) > idw)
            idw = strlen(pi.id);
    }
    for (i = 0; i < v->nprinciples; i++) {
        pb_engine_principle(v->e, i, &pi);
        if (pb_case_score(c, pi.id, &sc) == PB_OK && sc.applies)
            principle_line(v, &pi, (int)idw);
    }
    for (i = 0; i < v->nprinciples; i++) {
        pb_engine_principle(v->e, i, &pi);
        if (pb_case_score(c, pi.id, &sc) != PB_OK || !sc.applies)
            continue;
        for (nn = 0; nn < pi.nitems; nn++) {
            pb_case_item(c, pi.first_item + nn, &it);
            if (it.state != PB_DONE && it.state != PB_ABSENT)
                break;
        }
        if (nn < pi.nitems)
            continue;
        if (ndone++ == 0) {
            cli_paint(v->out, v->color, CLI_GREEN);
            fputs("  all done:", v->out);
            cli_paint(v->out, v->color, CLI_RESET);
        }
        pb__text_printf(v->out, "%s %s", ndone > 1 ? "," : "", pi.id);
    }
    if (ndone > 0)
        fputc('\n', v->out);
    nn = pb_case_next(c, next, NEXT_SHOWN + 1);
    if (nn == 0) {
        fputs("  next: nothing open\n", v->out);
        return;
    }
    pb_case_item(c, next[0], &it);
    fputs("  ", v->out);
    cli_paint(v->out, v->color, CLI_BOLD CLI_CYAN);
    pb__text_printf(v->out, "next: %s.%s", it.principle, it.id);
    cli_paint(v->out, v->color, CLI_RESET);
    prose_line(v, "  ", it.prompt);
    for (i = 1; i < nn && i < NEXT_SHOWN; i++) {
        pb_case_item(c, next[i], &it);
        pb__text_printf(v->out, "%s%s.%s", i == 1 ? "        then " : ", ",
                        it.principle, it.id);
    }
    if (nn > NEXT_SHOWN)
        fputs(", ...", v->out);
    if (nn > 1)
        fputc('\n', v->out);
}

/* Says that events are waiting to be saved, when some are. */
void view_pending(live_view *v)
{
    size_t n = pb_casefile_pending(v->cf);

    if (n == 0)
        return;
    cli_paint(v->out, v->color, CLI_BOLD CLI_RED);
    pb__text_printf(v->out, "NOT SAVED: %zu event%s only in memory; saving "
                    "is retried with each command.\n", n,
                    n == 1 ? " is" : "s are");
    cli_paint(v->out, v->color, CLI_RESET);
}

/* What a command changed. */

void view_before(live_view *v)
{
    const pb_case *c = view_case(v);
    pb_principle_info pi;
    pb_score sc;
    size_t i;

    pb_snapshot_take(v->before, c);
    for (i = 0; i < v->nprinciples; i++) {
        pb_engine_principle(v->e, i, &pi);
        v->applied[i] = pb_case_score(c, pi.id, &sc) == PB_OK &&
                        sc.applies;
    }
}

/* The events the detectors added, principles that now apply, items done,
 * violations and errors: each since the snapshot. */
void view_changes(live_view *v)
{
    const pb_case *c = view_case(v);
    size_t nch = pb_snapshot_diff(v->before, c, v->changed, v->nitems);
    pb_principle_info pi;
    pb_event_info ev;
    pb_item_info it;
    pb_item_def def;
    pb_score sc;
    size_t i;
    int n = 0;

    for (i = pb_snapshot_nevents(v->before); i < pb_case_nevents(c); i++) {
        pb_case_event(c, i, &ev);
        if (ev.detected_by == NULL)
            continue;
        fputs("  ~ ", v->out);
        put_event(v, &ev);
        pb__text_printf(v->out, "  (detected by %s)\n", ev.detected_by);
    }
    for (i = 0; i < v->nprinciples; i++) {
        pb_engine_principle(v->e, i, &pi);
        if (!v->applied[i] && pb_case_score(c, pi.id, &sc) == PB_OK &&
            sc.applies) {
            cli_paint(v->out, v->color, CLI_BOLD);
            pb__text_printf(v->out, "  now applies: %s", pi.id);
            cli_paint(v->out, v->color, CLI_RESET);
            prose_line(v, " - ", pi.title ? pi.title : pi.id);
        }
    }
    for (i = 0; i < nch; i++) {
        if (v->changed[i].to != PB_DONE)
            continue;
        pb_case_item(c, v->changed[i].item, &it);
        if (n++ == 0) {
            cli_paint(v->out, v->color, CLI_GREEN);
            fputs("  done:", v->out);
            cli_paint(v->out, v->color, CLI_RESET);
        }
        pb__text_printf(v->out, "%s %s.%s", n > 1 ? "," : "", it.principle,
                        it.id);
    }
    if (n > 0)
        fputc('\n', v->out);
    for (i = 0; i < nch; i++) {
        if (v->changed[i].to != PB_VIOLATED && v->changed[i].to != PB_ERROR)
            continue;
        pb_case_item(c, v->changed[i].item, &it);
        pb_engine_item(v->e, v->changed[i].item, &def);
        cli_paint(v->out, v->color, CLI_BOLD CLI_RED);
        if (it.state == PB_VIOLATED)
            pb__text_printf(v->out, "  VIOLATION %s.%s", it.principle, it.id);
        else
            pb__text_printf(v->out, "  ERROR in %s.%s", it.principle, it.id);
        cli_paint(v->out, v->color, CLI_RESET);
        if (it.state == PB_ERROR)
            pb__text_printf(v->out, ": %s\n", it.error ? it.error : "");
        else if (def.prompt)
            prose_line(v, ": ", def.prompt);
        else
            fputc('\n', v->out);
    }
}

/* Saving. */

/* After pb_casefile_append or _save: "saved" for the events that became
 * durable, or "NOT SAVED" with the reason. */
void view_saved(live_view *v, pb_status st, const pb_error *err,
                size_t pending_before, size_t nrec_before)
{
    size_t nrec = pb_casefile_nrecorded(v->cf);
    size_t first = nrec_before - pending_before + 1, idx;
    char tb[32], msg[1200];
    pb_event_info ev;

    if (st == PB_OK) {
        if (nrec < first)
            return;
        cli_paint(v->out, v->color, CLI_GREEN);
        if (first == nrec)
            fprintf(v->out, "saved #%zu", nrec);
        else
            fprintf(v->out, "saved #%zu..#%zu", first, nrec);
        cli_paint(v->out, v->color, CLI_RESET);
        if (pending_before > 0)
            fprintf(v->out, "  (%zu waited to be saved)", pending_before);
        if (nrec > nrec_before) {
            idx = event_index(view_case(v), nrec);
            pb_case_event(view_case(v), idx, &ev);
            pb__text_printf(v->out, "  %s  ",
                            pb_time_format(ev.t, tb, sizeof tb));
            put_event(v, &ev);
        }
        fputc('\n', v->out);
        return;
    }
    cli_paint(v->out, v->color, CLI_BOLD CLI_RED);
    if (nrec > nrec_before)
        fprintf(v->out, "NOT SAVED #%zu", nrec);
    else
        fputs("still NOT SAVED", v->out);
    cli_paint(v->out, v->color, CLI_RESET);
    pb__text_printf(v->out, ": %s\n", pb_error_text(err, msg, sizeof msg));
    pb__text_printf(v->out, "  kept in memory (%zu event%s waiting); saving "
                    "is retried with each command\n",
                    pb_casefile_pending(v->cf),
                    pb_casefile_pending(v->cf) == 1 ? "" : "s");
}

/* What undos take back (pb_case_undone), or NULL when out of memory:
 * then nothing shows as undone. */
static unsigned char *undone_marks(const pb_case *c)
{
    unsigned char *mark = malloc(pb_case_nevents(c) + 1);

    if (mark != NULL)
        pb_case_undone(c, mark);
    return mark;
}

void view_log(live_view *v)
{
    const pb_case *c = view_case(v);
    size_t i, k = 0, nrec = pb_casefile_nrecorded(v->cf);
    size_t unsaved_from = nrec - pb_casefile_pending(v->cf);
    unsigned char *gone = undone_marks(c);
    pb_event_info ev;
    char tb[32];

    if (pb_case_nevents(c) == 0)
        fputs("no events yet\n", v->out);
    for (i = 0; i < pb_case_nevents(c); i++) {
        pb_case_event(c, i, &ev);
        if (ev.detected_by == NULL)
            pb__text_printf(v->out, "  #%-3zu %-7s  ", ++k,
                            pb_time_format(ev.t, tb, sizeof tb));
        else
            fputs("              ~ ", v->out);
        put_event(v, &ev);
        if (ev.detected_by)
            pb__text_printf(v->out, "  (detected by %s)", ev.detected_by);
        else if (gone != NULL && gone[i])
            fputs("  (undone)", v->out);
        if (ev.detected_by == NULL && k > unsaved_from)
            fputs("  NOT SAVED", v->out);
        fputc('\n', v->out);
    }
    free(gone);
}

void view_help(live_view *v, const char *topic)
{
    size_t i, n = pb_command_count();
    const pb_command_info *in;
    int session = 0;

    if (topic != NULL) {
        for (i = 0; i < n; i++) {
            in = pb_command_get(i);
            if (strcmp(in->name, topic) != 0)
                continue;
            pb__text_printf(v->out, "%s%s%s%s %s\n  %s", in->name,
                            *in->aliases ? " (or " : "", in->aliases,
                            *in->aliases ? ")" : "", in->args, in->summary);
            if (in->type && strcmp(in->name, "event") != 0)
                pb__text_printf(v->out, "; records %s", in->type);
            fputs(".\n", v->out);
        }
        if (strcmp(topic, "commit") == 0 || strcmp(topic, "followup") == 0)
            fputs("  Due times: in 2h, in 3 days, tomorrow 10:00, friday "
                  "9:30, end of day,\n  2026-12-01T10:00 (the text after "
                  "the due time is the event's text).\n", v->out);
        if (strcmp(topic, "undo") == 0)
            fputs("  Records event.undone ref=N (log numbers the events); "
                  "nothing is erased.\n  What the event did to the "
                  "checklist stands: the engine takes nothing\n  back, and "
                  "a replay of the case shows what you see.\n", v->out);
        if (strcmp(topic, "quit") == 0)
            fputs("  Resume later with playbook live --case FILE.\n",
                  v->out);
        return;
    }
    fputs("Record what happens (\"saved\" once it is on disk):\n", v->out);
    for (i = 0; i < n; i++) {
        char left[128];
        size_t k, a;

        in = pb_command_get(i);
        if (in->type == NULL && !session) {
            fputs("The session:\n", v->out);
            session = 1;
        }
        /* "a, agent, say <text>": the aliases, then the name. */
        for (a = k = 0; in->aliases[a] && k + 3 < sizeof left; a++) {
            left[k++] = in->aliases[a];
            if (in->aliases[a] == ' ')
                left[k - 1] = ',', left[k++] = ' ';
        }
        snprintf(left + k, sizeof left - k, "%s%s%s%s", k ? ", " : "",
                 in->name, *in->args ? " " : "", in->args);
        if (strlen(left) > 35)
            pb__text_printf(v->out, "  %s\n  %-35s  %s\n", left, "",
                            in->summary);
        else
            pb__text_printf(v->out, "  %-35s  %s\n", left, in->summary);
    }
    fputs("Marks: [ ] open  [.] waiting  [x] done  [-] skipped  "
          "[!] violated  * must\n"
          "help COMMAND tells more; Tab completes commands, items and "
          "facts.\n", v->out);
}

/* Ending. */

/* The commitments and follow-ups of the case (pb_case_followups), with
 * their due times; -1 when out of memory, else how many. */
static int list_followups(live_view *v)
{
    const pb_case *c = view_case(v);
    unsigned char *gone = undone_marks(c);
    pb_followup *f;
    pb_event_info ev;
    size_t i, j = 0, nf;

    if (pb_case_followups(c, 0, &f, &nf, NULL) != PB_OK) {
        free(gone);
        view_error(v, "out of memory: the follow-ups cannot be listed");
        return -1;
    }
    for (i = 0; j < nf && i < pb_case_nevents(c); i++) {
        pb_case_event(c, i, &ev);
        if (f[j].event != i)
            continue;
        if (j == 0)
            fputs("Follow-ups and commitments:\n", v->out);
        pb__text_printf(v->out, "  %-10s  due ",
                        f[j].kind == PB_FOLLOWUP_COMMITMENT ? "commitment"
                                                            : "follow-up");
        put_due(v, f[j].due_text, f[j].parsed, f[j].due);
        if (ev.text) {
            fputs("  ", v->out);
            put_text(v, ev.text);
        }
        if (ev.detected_by)
            pb__text_printf(v->out, "  (detected by %s)", ev.detected_by);
        else if (gone != NULL && gone[i])
            fputs("  (undone)", v->out);
        fputc('\n', v->out);
        j++;
    }
    free(gone);
    free(f);
    for (i = 0; i < pb_case_nevents(c); i++) {
        const char *outcome;

        pb_case_event(c, i, &ev);
        outcome = pb_attr_value(ev.attrs, ev.nattrs, "outcome");
        if (strcmp(ev.type, "followup.done") == 0)
            pb__text_printf(v->out, "  follow-up done: %s\n",
                            outcome ? outcome : "?");
    }
    return (int)nf;
}

/* An item the case stays open for: not missed, only not done yet. */
static int left_for_later(const pb_case *c, const pb_item_def *def,
                          const pb_item_info *it)
{
    return def->later && !pb_case_closed(c) &&
           (it->state == PB_OPEN || it->state == PB_WAITING);
}

/* The summary after end or close: score, musts missed, violations,
 * follow-ups, the prompts that only the end brought (such as
 * boundaries.recover, the agent's own recovery after a hard call;
 * before_close is NULL when an earlier session ended it), and what the
 * case stays open for. */
void view_summary(live_view *v, const pb_snapshot *before_close)
{
    const pb_case *c = view_case(v);
    pb_item_info it;
    pb_item_def def;
    pb_score sc;
    size_t i;
    char tb[32];
    int n;

    pb_case_score(c, NULL, &sc);
    cli_paint(v->out, v->color, CLI_BOLD);
    fputs("Summary", v->out);
    cli_paint(v->out, v->color, CLI_RESET);
    pb__text_printf(v->out, ": score %.2f (%d of %d musts done, %d "
                    "violation%s)\n", sc.value, sc.done, sc.musts,
                    sc.violations, sc.violations == 1 ? "" : "s");
    for (i = 0, n = 0; i < v->nitems; i++) {
        pb_case_item(c, i, &it);
        pb_engine_item(v->e, i, &def);
        if (!it.must || (it.state != PB_OPEN && it.state != PB_WAITING &&
                         it.state != PB_VIOLATED) || left_for_later(c, &def,
                                                                   &it))
            continue;
        if (n++ == 0)
            fputs("Musts missed:\n", v->out);
        pb__text_printf(v->out, "  %s.%s", it.principle, it.id);
        prose_line(v, "  ", it.prompt ? it.prompt : def.prompt);
    }
    if (n == 0)
        fputs("Musts missed: none\n", v->out);
    for (i = 0, n = 0; i < v->nitems; i++) {
        pb_case_item(c, i, &it);
        if (it.state != PB_VIOLATED)
            continue;
        if (n++ == 0)
            fputs("Violations:\n", v->out);
        cli_paint(v->out, v->color, CLI_RED);
        pb__text_printf(v->out, "  %s.%s at %s\n", it.principle, it.id,
                        pb_time_format(it.violated_at, tb, sizeof tb));
        cli_paint(v->out, v->color, CLI_RESET);
    }
    if (n == 0)
        fputs("Violations: none\n", v->out);
    if (list_followups(v) == 0)
        fputs("Follow-ups and commitments: none\n", v->out);
    for (i = 0, n = 0; i < v->nitems; i++) {
        pb_case_item(c, i, &it);
        if (before_close == NULL ||
            pb_snapshot_state(before_close, i) != PB_ABSENT ||
            it.state != PB_OPEN)
            continue;
        if (n++ == 0) {
            cli_paint(v->out, v->color, CLI_BOLD CLI_CYAN);
            fputs("For you, after this call:\n", v->out);
            cli_paint(v->out, v->color, CLI_RESET);
        }
        prose_line(v, "  ", it.prompt ? it.prompt : it.id);
    }
    for (i = 0, n = 0; i < v->nitems; i++) {
        pb_case_item(c, i, &it);
        pb_engine_item(v->e, i, &def);
        if (!left_for_later(c, &def, &it))
            continue;
        pb__text_printf(v->out, "%s%s", n++ == 0 ? "The case stays open "
                        "for: " : ", ", it.ref);
    }
    if (n > 0)
        fputs("\n", v->out);
}

void view_greeting(live_view *v, int created)
{
    const pb_case *c = view_case(v);
    const char *topic = pb_case_topic(c), *channel = pb_case_channel(c);
    size_t i, n = pb_casefile_nrecorded(v->cf);

    pb__text_printf(v->out, "%s %s: topic %s, channel %s",
                    created ? "New case" : "Resumed case", v->path,
                    topic ? topic : "(none)", channel ? channel : "(none)");
    if (!created)
        pb__text_printf(v->out, ", %zu event%s", n, n == 1 ? "" : "s");
    fputs(".\n", v->out);
    for (i = 0; i < pb_casefile_nwarnings(v->cf); i++)
        pb__text_printf(v->out, "warning: %s\n",
                        pb_casefile_warning(v->cf, i));
    if (pb_case_closed(c))
        fputs("This case is closed: show, log and quit still work.\n",
              v->out);
    else if (!pb_case_in_contact(c))
        fputs("The last contact ended: what you record now (a follow-up, "
              "or what is said\nin the next contact) goes on the same "
              "case.\n", v->out);
    fputs("Type help for the commands, quit to leave (the case stays "
          "open).\n", v->out);
    view_checklist(v);
}

