/*
 * live.c -- `playbook live`: the agent's screen during a call.  Short
 * commands (engine/files/command.c reads them) record events in a case file
 * through pb_casefile; after each one the agent sees what was saved, what
 * it changed, the checklist and what to do next.
 *
 * "saved" is printed only after pb_casefile_append returned PB_OK, that
 * is once the event is fsync'ed: what the agent saw acknowledged survives
 * kill -9.  A failed save (disk full) is said at once; the event stays in
 * memory and every later command retries, until one says it is saved.
 *
 * On a terminal, lines are edited with libedit (history, Tab completes
 * commands, item refs and fact names); from a pipe they are read with
 * getline, without prompts or escape codes, so sessions can be scripted
 * and tested.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "lineedit.h"

static const char help_text[] =
    "usage: playbook live [-p DIR] [--case FILE] [--topic T] [--channel C]\n"
    "\n"
    "An interactive session for an agent during a call or chat.  Type what\n"
    "happens as short commands (c TEXT: the customer said, a TEXT: you\n"
    "said, commit tomorrow 10:00 ..., help lists them all); after each one\n"
    "the checklist shows what is done, what was missed and what is next.\n"
    "Every event is saved (fsync'ed) before \"saved\" is shown.  quit (or\n"
    "the end of the input) leaves the case open to resume with --case;\n"
    "close ends it with a summary.  docs/agents.md is the guide.\n"
    "\n"
    "  -p, --principles DIR   principle folder or file; repeat to combine\n"
    "                         (default: $PLAYBOOK_PRINCIPLES, else the\n"
    "                         installed library, else ./principles)\n"
    "      --case FILE        the case file: resumed when it exists, else\n"
    "                         created (default: a new case-DATE-TIME.xml\n"
    "                         in this folder)\n"
    "      --topic T          topic of a new case (delivery, billing, ...);\n"
    "                         an existing case must match\n"
    "      --channel C        channel of a new case (phone, chat, ...)\n"
    "\n"
    "On a terminal: line editing, history (this session only: calls hold\n"
    "customers' data) and Tab completion of commands, items and facts.\n"
    "From a pipe: one command per line, no prompts.  Colours only on a\n"
    "terminal, never with NO_COLOR set.\n"
    "\n"
    "Exit: 0 every event is saved; 2 bad usage, the case cannot be opened\n"
    "(in use by another session, not a case file, damaged), or events\n"
    "could not be saved when the session ended (the message says how\n"
    "many).\n";

#define WIDTH 80        /* of the output when it is not a terminal */
#define SHOWN_TEXT 60   /* characters of an event's text in messages */
#define NEXT_SHOWN 3    /* next items named after each command */

typedef struct live {
    pb_engine *e;
    pb_casefile *cf;
    const char *path;
    FILE *out;
    int color, width;
    size_t nitems, nprinciples;
    pb_snapshot *before;    /* the case before the command */
    pb_change *changed;     /* what it changed, pb_engine_nitems long */
    int *applied;           /* principles that applied before it */
    const char **refs;      /* "principle.item", for completion */
    const char **facts;     /* fact names the principles collect */
    size_t nfacts;
    pb_snapshot *at_close;  /* the case before case.closed, once
                             * this session closed the case */
    int quit_warned;        /* quit refused once: events unsaved */
    int lost;               /* the session ended with events unsaved */
    lineedit *ed;           /* on a terminal, else NULL */
} live;

/* Output. */

/* text quoted, cut to SHOWN_TEXT columns and "..." when longer. */
static void put_text(const live *lv, const char *text)
{
    fputc('"', lv->out);
    pb__text_write(lv->out, text, strlen(text), SHOWN_TEXT + 3,
                   PB__TEXT_PROSE);
    fputc('"', lv->out);
}

/* lead, then prose (a prompt, a title; NULL for none), then a newline. */
static void prose_line(const live *lv, const char *lead, const char *prose)
{
    fputs(lead, lv->out);
    if (prose)
        pb__text_prose(lv->out, prose);
    fputc('\n', lv->out);
}

static void error_msg(const live *lv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void error_msg(const live *lv, const char *fmt, ...)
{
    va_list ap;

    cli_paint(lv->out, lv->color, CLI_RED);
    fputs("error: ", lv->out);
    cli_paint(lv->out, lv->color, CLI_RESET);
    va_start(ap, fmt);
    pb__text_vprintf(lv->out, fmt, ap);
    va_end(ap);
    fputc('\n', lv->out);
}

static const pb_case *the_case(const live *lv)
{
    return pb_casefile_case(lv->cf);
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
static void put_event(const live *lv, const pb_event_info *ev)
{
    size_t k;

    pb__text_put(lv->out, ev->type);
    for (k = 0; k < ev->nattrs; k++)
        pb__text_printf(lv->out, " %s=%s", ev->attrs[k].name,
                        ev->attrs[k].value);
    if (ev->text) {
        fputc(' ', lv->out);
        put_text(lv, ev->text);
    }
}

/* A due time as the agent wrote it and, when it reads (parsed), the
 * date it reads as. */
static void put_due(const live *lv, const char *due, int parsed, double at)
{
    char buf[64];
    struct tm tm;
    time_t t = (time_t)at;

    pb__text_printf(lv->out, "%s", due);
    if (parsed && localtime_r(&t, &tm) != NULL &&
        strftime(buf, sizeof buf, "%a %Y-%m-%d %H:%M", &tm) > 0)
        pb__text_printf(lv->out, " (%s)", buf);
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
static int principle_line(live *lv, const pb_principle_info *pi, int idw)
{
    const pb_case *c = the_case(lv);
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
    cli_paint(lv->out, lv->color, CLI_BOLD);
    pb__text_printf(lv->out, "  %-*s", idw, pi->id);
    cli_paint(lv->out, lv->color, CLI_RESET);
    snprintf(more, sizeof more, " %d/%d", sc.done, sc.musts);
    fputs(more, lv->out);
    col = 2 + (size_t)idw + strlen(more);
    for (r = 0; r < 7; r++) {
        for (j = 0; j < pi->nitems; j++) {
            pb_case_item(c, pi->first_item + j, &it);
            if (it.state == PB_ABSENT || rank(&it) != r)
                continue;
            w = 2 + 4 + strlen(it.id) + (it.must && r <= 3);
            if (col + w > (size_t)lv->width) {
                pb__text_printf(lv->out, "\n  %*s     ", idw, "");
                col = 2 + (size_t)idw + 5;
            }
            fputs("  ", lv->out);
            cli_paint(lv->out, lv->color, pb_state_color(it.state));
            pb__text_printf(lv->out, "%s %s", pb_state_mark(it.state), it.id);
            cli_paint(lv->out, lv->color, CLI_RESET);
            if (it.must && r <= 3)
                fputc('*', lv->out);
            col += w;
        }
    }
    if (ndone > 0) {
        snprintf(more, sizeof more, "  +%zu done", ndone);
        if (col + strlen(more) > (size_t)lv->width)
            pb__text_printf(lv->out, "\n  %*s   ", idw, "");
        cli_paint(lv->out, lv->color, CLI_DIM);
        fputs(more, lv->out);
        cli_paint(lv->out, lv->color, CLI_RESET);
    }
    fputc('\n', lv->out);
    return 1;
}

static void short_checklist(live *lv)
{
    const pb_case *c = the_case(lv);
    size_t i, idw = 0, next[NEXT_SHOWN + 1], nn;
    pb_principle_info pi;
    pb_item_info it;
    pb_score sc;
    int ndone = 0;

    for (i = 0; i < lv->nprinciples; i++) {
        pb_engine_principle(lv->e, i, &pi);
        if (strlen(pi.id) > idw)
            idw = strlen(pi.id);
    }
    for (i = 0; i < lv->nprinciples; i++) {
        pb_engine_principle(lv->e, i, &pi);
        if (pb_case_score(c, pi.id, &sc) == PB_OK && sc.applies)
            principle_line(lv, &pi, (int)idw);
    }
    for (i = 0; i < lv->nprinciples; i++) {
        pb_engine_principle(lv->e, i, &pi);
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
            cli_paint(lv->out, lv->color, CLI_GREEN);
            fputs("  all done:", lv->out);
            cli_paint(lv->out, lv->color, CLI_RESET);
        }
        pb__text_printf(lv->out, "%s %s", ndone > 1 ? "," : "", pi.id);
    }
    if (ndone > 0)
        fputc('\n', lv->out);
    nn = pb_case_next(c, next, NEXT_SHOWN + 1);
    if (nn == 0) {
        fputs("  next: nothing open\n", lv->out);
        return;
    }
    pb_case_item(c, next[0], &it);
    fputs("  ", lv->out);
    cli_paint(lv->out, lv->color, CLI_BOLD CLI_CYAN);
    pb__text_printf(lv->out, "next: %s.%s", it.principle, it.id);
    cli_paint(lv->out, lv->color, CLI_RESET);
    prose_line(lv, "  ", it.prompt);
    for (i = 1; i < nn && i < NEXT_SHOWN; i++) {
        pb_case_item(c, next[i], &it);
        pb__text_printf(lv->out, "%s%s.%s", i == 1 ? "        then " : ", ",
                        it.principle, it.id);
    }
    if (nn > NEXT_SHOWN)
        fputs(", ...", lv->out);
    if (nn > 1)
        fputc('\n', lv->out);
}

/* Says that events are waiting to be saved, when some are. */
static void pending_note(live *lv)
{
    size_t n = pb_casefile_pending(lv->cf);

    if (n == 0)
        return;
    cli_paint(lv->out, lv->color, CLI_BOLD CLI_RED);
    pb__text_printf(lv->out, "NOT SAVED: %zu event%s only in memory; saving "
                    "is retried with each command.\n", n,
                    n == 1 ? " is" : "s are");
    cli_paint(lv->out, lv->color, CLI_RESET);
}

/* What a command changed. */

static void snapshot(live *lv)
{
    const pb_case *c = the_case(lv);
    pb_principle_info pi;
    pb_score sc;
    size_t i;

    pb_snapshot_take(lv->before, c);
    for (i = 0; i < lv->nprinciples; i++) {
        pb_engine_principle(lv->e, i, &pi);
        lv->applied[i] = pb_case_score(c, pi.id, &sc) == PB_OK &&
                         sc.applies;
    }
}

/* The events the detectors added, principles that now apply, items done,
 * violations and errors: each since the snapshot. */
static void changes(live *lv)
{
    const pb_case *c = the_case(lv);
    size_t nch = pb_snapshot_diff(lv->before, c, lv->changed, lv->nitems);
    pb_principle_info pi;
    pb_event_info ev;
    pb_item_info it;
    pb_item_def def;
    pb_score sc;
    size_t i;
    int n = 0;

    for (i = pb_snapshot_nevents(lv->before); i < pb_case_nevents(c); i++) {
        pb_case_event(c, i, &ev);
        if (ev.detected_by == NULL)
            continue;
        fputs("  ~ ", lv->out);
        put_event(lv, &ev);
        pb__text_printf(lv->out, "  (detected by %s)\n", ev.detected_by);
    }
    for (i = 0; i < lv->nprinciples; i++) {
        pb_engine_principle(lv->e, i, &pi);
        if (!lv->applied[i] && pb_case_score(c, pi.id, &sc) == PB_OK &&
            sc.applies) {
            cli_paint(lv->out, lv->color, CLI_BOLD);
            pb__text_printf(lv->out, "  now applies: %s", pi.id);
            cli_paint(lv->out, lv->color, CLI_RESET);
            prose_line(lv, " - ", pi.title ? pi.title : pi.id);
        }
    }
    for (i = 0; i < nch; i++) {
        if (lv->changed[i].to != PB_DONE)
            continue;
        pb_case_item(c, lv->changed[i].item, &it);
        if (n++ == 0) {
            cli_paint(lv->out, lv->color, CLI_GREEN);
            fputs("  done:", lv->out);
            cli_paint(lv->out, lv->color, CLI_RESET);
        }
        pb__text_printf(lv->out, "%s %s.%s", n > 1 ? "," : "", it.principle,
                        it.id);
    }
    if (n > 0)
        fputc('\n', lv->out);
    for (i = 0; i < nch; i++) {
        if (lv->changed[i].to != PB_VIOLATED && lv->changed[i].to != PB_ERROR)
            continue;
        pb_case_item(c, lv->changed[i].item, &it);
        pb_engine_item(lv->e, lv->changed[i].item, &def);
        cli_paint(lv->out, lv->color, CLI_BOLD CLI_RED);
        if (it.state == PB_VIOLATED)
            pb__text_printf(lv->out, "  VIOLATION %s.%s", it.principle, it.id);
        else
            pb__text_printf(lv->out, "  ERROR in %s.%s", it.principle, it.id);
        cli_paint(lv->out, lv->color, CLI_RESET);
        if (it.state == PB_ERROR)
            pb__text_printf(lv->out, ": %s\n", it.error ? it.error : "");
        else if (def.prompt)
            prose_line(lv, ": ", def.prompt);
        else
            fputc('\n', lv->out);
    }
}

/* Saving. */

/* After pb_casefile_append or _save: "saved" for the events that became
 * durable, or "NOT SAVED" with the reason. */
static void report_save(live *lv, pb_status st, const pb_error *err,
                        size_t pending_before, size_t nrec_before)
{
    size_t nrec = pb_casefile_nrecorded(lv->cf);
    size_t first = nrec_before - pending_before + 1, idx;
    char tb[32], msg[1200];
    pb_event_info ev;

    if (st == PB_OK) {
        if (nrec < first)
            return;
        cli_paint(lv->out, lv->color, CLI_GREEN);
        if (first == nrec)
            fprintf(lv->out, "saved #%zu", nrec);
        else
            fprintf(lv->out, "saved #%zu..#%zu", first, nrec);
        cli_paint(lv->out, lv->color, CLI_RESET);
        if (pending_before > 0)
            fprintf(lv->out, "  (%zu waited to be saved)", pending_before);
        if (nrec > nrec_before) {
            idx = event_index(the_case(lv), nrec);
            pb_case_event(the_case(lv), idx, &ev);
            pb__text_printf(lv->out, "  %s  ",
                            pb_time_format(ev.t, tb, sizeof tb));
            put_event(lv, &ev);
        }
        fputc('\n', lv->out);
        return;
    }
    cli_paint(lv->out, lv->color, CLI_BOLD CLI_RED);
    if (nrec > nrec_before)
        fprintf(lv->out, "NOT SAVED #%zu", nrec);
    else
        fputs("still NOT SAVED", lv->out);
    cli_paint(lv->out, lv->color, CLI_RESET);
    pb__text_printf(lv->out, ": %s\n", pb_error_text(err, msg, sizeof msg));
    pb__text_printf(lv->out, "  kept in memory (%zu event%s waiting); saving "
                    "is retried with each command\n",
                    pb_casefile_pending(lv->cf),
                    pb_casefile_pending(lv->cf) == 1 ? "" : "s");
}

/* Retries a save that failed; says so when it now worked. */
static void retry_save(live *lv)
{
    size_t pending = pb_casefile_pending(lv->cf);
    size_t nrec = pb_casefile_nrecorded(lv->cf);
    pb_error err;
    pb_status st;

    if (pending == 0)
        return;
    st = pb_casefile_save(lv->cf, &err);
    if (st == PB_OK)
        report_save(lv, st, &err, pending, nrec);
}

/* Names. */

static int known_fact(const live *lv, const char *name)
{
    const pb_case *c = the_case(lv);
    const char *n, *v;
    size_t i;

    for (i = 0; i < lv->nfacts; i++)
        if (strcmp(lv->facts[i], name) == 0)
            return 1;
    for (i = 0; i < pb_case_nfacts(c); i++) {
        pb_case_fact(c, i, &n, &v);
        if (strcmp(n, name) == 0)
            return 1;
    }
    return 0;
}

/* For a fact name neither the principles nor the case know, the known
 * one it is likely a typo of; NULL when none. */
static const char *fact_typo(const live *lv, const char *name)
{
    long k;

    if (name == NULL || known_fact(lv, name))
        return NULL;
    k = pb_command_closest(name, lv->facts, lv->nfacts);
    return k >= 0 ? lv->facts[k] : NULL;
}

/* An item ref the principles have; else an error with the closest. */
static int check_ref(live *lv, const char *ref)
{
    long k;

    if (ref == NULL || pb_engine_find_item(lv->e, ref) >= 0)
        return 0;
    k = pb_command_closest(ref, lv->refs, lv->nitems);
    if (k >= 0)
        error_msg(lv, "no item '%s': did you mean %s?", ref, lv->refs[k]);
    else
        error_msg(lv, "no item '%s' (show lists them; Tab completes them "
                  "on a terminal)", ref);
    return -1;
}

/* Recording. */

/* Appends an event and says what happened: saved or not, what it
 * changed, the checklist.  0 when recorded (saved or pending). */
static int record(live *lv, const char *type, const char *text,
                  const pb_attr *attrs, size_t nattrs, const char *due)
{
    size_t pending = pb_casefile_pending(lv->cf);
    size_t nrec = pb_casefile_nrecorded(lv->cf);
    pb_error err;
    pb_status st;

    if (pb_case_closed(the_case(lv))) {
        error_msg(lv, "the case is closed: no event can be added (show, "
                  "log and quit still work)");
        return -1;
    }
    snapshot(lv);
    st = pb_casefile_append(lv->cf, pb_casefile_now(lv->cf), type, text,
                            attrs, nattrs, &err);
    if (st != PB_OK && st != PB_IO) {
        char msg[1200];

        error_msg(lv, "%s", pb_error_text(&err, msg, sizeof msg));
        return -1;
    }
    report_save(lv, st, &err, pending, nrec);
    if (due != NULL) {
        double at = 0;
        int parsed = pb_case_due(the_case(lv), pb_casefile_now(lv->cf), due,
                                 &at) == PB_OK;

        fputs("  due ", lv->out);
        put_due(lv, due, parsed, at);
        fputc('\n', lv->out);
    }
    changes(lv);
    return 0;
}

static void do_event(live *lv, const pb_command *cmd)
{
    const pb_attr *a = cmd->attrs;
    size_t n = cmd->nattrs;
    const char *due = pb_attr_value(a, n, "due"), *fact = NULL, *typo;

    if (strncmp(cmd->type, "item.", 5) == 0 &&
        check_ref(lv, pb_attr_value(a, n, "ref")) != 0)
        return;
    if (strcmp(cmd->type, "agent.asked") == 0)
        fact = pb_attr_value(a, n, "fact");
    else if (strcmp(cmd->type, "fact") == 0)
        fact = pb_attr_value(a, n, "name");
    typo = fact_typo(lv, fact);
    if (record(lv, cmd->type, cmd->text, a, n, due) != 0)
        return;
    /* Recorded as typed: a fact may be one no principle knows. */
    if (typo != NULL)
        pb__text_printf(lv->out, "  note: no principle collects '%s'; did "
                        "you mean %s? (fact %s=... records it)\n", fact, typo,
                        typo);
    short_checklist(lv);
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

/*
 * undo records the event.undone pb_case_undo_event gives: the case file
 * only ever grows, so the mistake and its correction both stay on record
 * for the reviewer.  What the undone event did to the checklist stands,
 * and live shows the checklist the engine computes, so that what the
 * agent sees is what a replay of the file shows.
 */
static void do_undo(live *lv, const pb_command *cmd)
{
    size_t n = pb_casefile_nrecorded(lv->cf);
    char msg[1200];
    pb_error err;
    pb_undo u;

    if (cmd->ref > n) {     /* said here to point at log's numbers */
        error_msg(lv, "no event #%lu: the case has %zu (log lists them)",
                  cmd->ref, n);
        return;
    }
    if (pb_case_undo_event(the_case(lv), cmd->ref, &u, &err) != PB_OK) {
        error_msg(lv, "%s", pb_error_text(&err, msg, sizeof msg));
        return;
    }
    if (record(lv, u.type, u.text, u.attrs, u.nattrs, NULL) != 0)
        return;
    fprintf(lv->out, "  #%zu is marked undone.  It stays in the case, and "
            "what it did to the\n  checklist stands (the engine takes "
            "nothing back); the reviewer sees both.\n", u.ref);
    short_checklist(lv);
}

static void do_log(live *lv)
{
    const pb_case *c = the_case(lv);
    size_t i, k = 0, nrec = pb_casefile_nrecorded(lv->cf);
    size_t unsaved_from = nrec - pb_casefile_pending(lv->cf);
    unsigned char *gone = undone_marks(c);
    pb_event_info ev;
    char tb[32];

    if (pb_case_nevents(c) == 0)
        fputs("no events yet\n", lv->out);
    for (i = 0; i < pb_case_nevents(c); i++) {
        pb_case_event(c, i, &ev);
        if (ev.detected_by == NULL)
            pb__text_printf(lv->out, "  #%-3zu %-7s  ", ++k,
                            pb_time_format(ev.t, tb, sizeof tb));
        else
            fputs("              ~ ", lv->out);
        put_event(lv, &ev);
        if (ev.detected_by)
            pb__text_printf(lv->out, "  (detected by %s)", ev.detected_by);
        else if (gone != NULL && gone[i])
            fputs("  (undone)", lv->out);
        if (ev.detected_by == NULL && k > unsaved_from)
            fputs("  NOT SAVED", lv->out);
        fputc('\n', lv->out);
    }
    free(gone);
}

static void do_help(live *lv, const char *topic)
{
    size_t i, n = pb_command_count();
    const pb_command_info *in;
    int session = 0;

    if (topic != NULL) {
        for (i = 0; i < n; i++) {
            in = pb_command_get(i);
            if (strcmp(in->name, topic) != 0)
                continue;
            pb__text_printf(lv->out, "%s%s%s%s %s\n  %s", in->name,
                            *in->aliases ? " (or " : "", in->aliases,
                            *in->aliases ? ")" : "", in->args, in->summary);
            if (in->type && strcmp(in->name, "event") != 0)
                pb__text_printf(lv->out, "; records %s", in->type);
            fputs(".\n", lv->out);
        }
        if (strcmp(topic, "commit") == 0 || strcmp(topic, "followup") == 0)
            fputs("  Due times: in 2h, in 3 days, tomorrow 10:00, friday "
                  "9:30, end of day,\n  2026-12-01T10:00 (the text after "
                  "the due time is the event's text).\n", lv->out);
        if (strcmp(topic, "undo") == 0)
            fputs("  Records event.undone ref=N (log numbers the events); "
                  "nothing is erased.\n  What the event did to the "
                  "checklist stands: the engine takes nothing\n  back, and "
                  "a replay of the case shows what you see.\n", lv->out);
        if (strcmp(topic, "quit") == 0)
            fputs("  Resume later with playbook live --case FILE.\n",
                  lv->out);
        return;
    }
    fputs("Record what happens (\"saved\" once it is on disk):\n", lv->out);
    for (i = 0; i < n; i++) {
        char left[128];
        size_t k, a;

        in = pb_command_get(i);
        if (in->type == NULL && !session) {
            fputs("The session:\n", lv->out);
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
            pb__text_printf(lv->out, "  %s\n  %-35s  %s\n", left, "",
                            in->summary);
        else
            pb__text_printf(lv->out, "  %-35s  %s\n", left, in->summary);
    }
    fputs("Marks: [ ] open  [.] waiting  [x] done  [-] skipped  "
          "[!] violated  * must\n"
          "help COMMAND tells more; Tab completes commands, items and "
          "facts.\n", lv->out);
}

/* Ending. */

/* The commitments and follow-ups of the case (pb_case_followups), with
 * their due times; -1 when out of memory, else how many. */
static int list_followups(live *lv)
{
    const pb_case *c = the_case(lv);
    unsigned char *gone = undone_marks(c);
    pb_followup *f;
    pb_event_info ev;
    size_t i, j = 0, nf;

    if (pb_case_followups(c, 0, &f, &nf, NULL) != PB_OK) {
        free(gone);
        error_msg(lv, "out of memory: the follow-ups cannot be listed");
        return -1;
    }
    for (i = 0; j < nf && i < pb_case_nevents(c); i++) {
        pb_case_event(c, i, &ev);
        if (f[j].event != i)
            continue;
        if (j == 0)
            fputs("Follow-ups and commitments:\n", lv->out);
        pb__text_printf(lv->out, "  %-10s  due ",
                        f[j].kind == PB_FOLLOWUP_COMMITMENT ? "commitment"
                                                            : "follow-up");
        put_due(lv, f[j].due_text, f[j].parsed, f[j].due);
        if (ev.text) {
            fputs("  ", lv->out);
            put_text(lv, ev.text);
        }
        if (ev.detected_by)
            pb__text_printf(lv->out, "  (detected by %s)", ev.detected_by);
        else if (gone != NULL && gone[i])
            fputs("  (undone)", lv->out);
        fputc('\n', lv->out);
        j++;
    }
    free(gone);
    free(f);
    for (i = 0; i < pb_case_nevents(c); i++) {
        const char *outcome;

        pb_case_event(c, i, &ev);
        outcome = pb_attr_value(ev.attrs, ev.nattrs, "outcome");
        if (strcmp(ev.type, "followup.done") == 0)
            pb__text_printf(lv->out, "  follow-up done: %s\n",
                            outcome ? outcome : "?");
    }
    return (int)nf;
}

/* The summary after close: score, musts missed, violations, follow-ups,
 * and the prompts that only closing brought (such as boundaries.recover,
 * the agent's own recovery after a hard call; before_close is NULL when
 * an earlier session closed the case). */
static void summary(live *lv, const pb_snapshot *before_close)
{
    const pb_case *c = the_case(lv);
    pb_item_info it;
    pb_item_def def;
    pb_score sc;
    size_t i;
    char tb[32];
    int n;

    pb_case_score(c, NULL, &sc);
    cli_paint(lv->out, lv->color, CLI_BOLD);
    fputs("Summary", lv->out);
    cli_paint(lv->out, lv->color, CLI_RESET);
    pb__text_printf(lv->out, ": score %.2f (%d of %d musts done, %d "
                    "violation%s)\n", sc.value, sc.done, sc.musts,
                    sc.violations, sc.violations == 1 ? "" : "s");
    for (i = 0, n = 0; i < lv->nitems; i++) {
        pb_case_item(c, i, &it);
        if (!it.must || (it.state != PB_OPEN && it.state != PB_WAITING &&
                         it.state != PB_VIOLATED))
            continue;
        if (n++ == 0)
            fputs("Musts missed:\n", lv->out);
        pb_engine_item(lv->e, i, &def);
        pb__text_printf(lv->out, "  %s.%s", it.principle, it.id);
        prose_line(lv, "  ", it.prompt ? it.prompt : def.prompt);
    }
    if (n == 0)
        fputs("Musts missed: none\n", lv->out);
    for (i = 0, n = 0; i < lv->nitems; i++) {
        pb_case_item(c, i, &it);
        if (it.state != PB_VIOLATED)
            continue;
        if (n++ == 0)
            fputs("Violations:\n", lv->out);
        cli_paint(lv->out, lv->color, CLI_RED);
        pb__text_printf(lv->out, "  %s.%s at %s\n", it.principle, it.id,
                        pb_time_format(it.violated_at, tb, sizeof tb));
        cli_paint(lv->out, lv->color, CLI_RESET);
    }
    if (n == 0)
        fputs("Violations: none\n", lv->out);
    if (list_followups(lv) == 0)
        fputs("Follow-ups and commitments: none\n", lv->out);
    for (i = 0, n = 0; i < lv->nitems; i++) {
        pb_case_item(c, i, &it);
        if (before_close == NULL ||
            pb_snapshot_state(before_close, i) != PB_ABSENT ||
            it.state != PB_OPEN)
            continue;
        if (n++ == 0) {
            cli_paint(lv->out, lv->color, CLI_BOLD CLI_CYAN);
            fputs("For you, after this call:\n", lv->out);
            cli_paint(lv->out, lv->color, CLI_RESET);
        }
        prose_line(lv, "  ", it.prompt ? it.prompt : it.id);
    }
}

/* Saves everything, unlocks and ends.  0 when done; -1 when the case is
 * still open here (a save failed and events would be lost). */
static int finish(live *lv, int force)
{
    size_t pending;
    pb_error err;
    char msg[1200];

    if (pb_casefile_close(lv->cf, &err) == PB_OK) {
        lv->cf = NULL;
        return 0;
    }
    pending = pb_casefile_pending(lv->cf);
    if (pending == 0) {
        /* The journal has every event; the next session merges it. */
        pb__text_printf(lv->out, "note: %s; every event is in %s.journal, "
                        "which the next session merges\n",
                        pb_error_text(&err, msg, sizeof msg), lv->path);
        pb_casefile_free(lv->cf);
        lv->cf = NULL;
        return 0;
    }
    cli_paint(lv->out, lv->color, CLI_BOLD CLI_RED);
    pb__text_printf(lv->out, "NOT SAVED: %zu event%s: %s\n", pending,
                    pending == 1 ? "" : "s",
                    pb_error_text(&err, msg, sizeof msg));
    cli_paint(lv->out, lv->color, CLI_RESET);
    if (!force) {
        fputs("  Free some space and try again; quit once more leaves "
              "without them.\n", lv->out);
        return -1;
    }
    pb__text_printf(lv->out, "  Leaving: the last %zu event%s of the session "
                    "%s lost.\n", pending, pending == 1 ? "" : "s",
                    pending == 1 ? "is" : "are");
    pb_casefile_free(lv->cf);
    lv->cf = NULL;
    lv->lost = 1;
    return 0;
}

/* 1 when the session is over. */
static int do_close(live *lv, const pb_command *cmd)
{
    if (!pb_case_closed(the_case(lv))) {
        if (lv->at_close == NULL &&
            (lv->at_close = pb_snapshot_new(the_case(lv))) == NULL) {
            error_msg(lv, "out of memory");
            return 0;
        }
        pb_snapshot_take(lv->at_close, the_case(lv));
        if (record(lv, cmd->type, cmd->text, cmd->attrs, cmd->nattrs,
                   NULL) != 0)
            return 0;
    }
    summary(lv, lv->at_close);
    if (finish(lv, 0) != 0) {
        fputs("  The case is closed but not saved yet: close again to "
              "retry.\n", lv->out);
        return 0;
    }
    pb__text_printf(lv->out, "The case is closed and saved in %s.\n",
                    lv->path);
    return 1;
}

/* 1 when the session is over. */
static int do_quit(live *lv)
{
    int force = lv->quit_warned, closed = pb_case_closed(the_case(lv));

    lv->quit_warned = 1;
    if (finish(lv, force) != 0)
        return 0;
    if (lv->lost)
        return 1;
    if (closed)
        pb__text_printf(lv->out, "The case is closed; it is in %s.\n",
                        lv->path);
    else
        pb__text_printf(lv->out, "Left the case open: playbook live --case %s "
                        "resumes it.\n", lv->path);
    return 1;
}

/* One line of input.  1 when the session is over. */
static int handle(live *lv, const char *line, size_t len, int tty)
{
    pb_command *cmd = malloc(sizeof *cmd);
    pb_error err;
    int over = 0;

    if (cmd == NULL) {
        error_msg(lv, "out of memory");
        return 0;
    }
    if (pb_command_parse(line, len, cmd, &err) != PB_OK) {
        /* A caret under the typed line, which the prompt "> " precedes. */
        if (tty && cmd->column > 0 && cmd->column < lv->width - 2)
            pb__text_printf(lv->out, "%*s^\n", cmd->column + 1, "");
        error_msg(lv, "%s", err.message);
        retry_save(lv);
        free(cmd);
        return 0;
    }
    if (cmd->kind != PB_CMD_QUIT)
        lv->quit_warned = 0;
    switch (cmd->kind) {
    case PB_CMD_NOTHING:
        retry_save(lv);
        break;
    case PB_CMD_EVENT:
        do_event(lv, cmd);
        break;
    case PB_CMD_UNDO:
        do_undo(lv, cmd);
        break;
    case PB_CMD_CLOSE:
        over = do_close(lv, cmd);
        break;
    case PB_CMD_SHOW:
        retry_save(lv);
        pb_render_checklist(lv->out, PB_FORMAT_TEXT,
                            lv->color ? PB_RENDER_COLOR : 0, the_case(lv));
        break;
    case PB_CMD_LOG:
        retry_save(lv);
        do_log(lv);
        break;
    case PB_CMD_HELP:
        retry_save(lv);
        do_help(lv, cmd->topic);
        break;
    case PB_CMD_QUIT:
        over = do_quit(lv);
        break;
    }
    if (!over)
        pending_note(lv);
    free(cmd);
    return over;
}

/* Completion on a terminal (lineedit_words): the words that can come
 * at a place in a command; a fact name is followed by "=". */
static size_t candidates(void *ud, const char *const *words, int nwords,
                         const char **out, size_t max, const char **suffix)
{
    const char *cmd = nwords > 0 ? pb_command_lookup(words[0]) : NULL;
    live *lv = ud;
    const pb_case *c = the_case(lv);
    size_t n = 0, i;

/* Names from the case file that text.c would change are not offered:
 * completion inserts them into the line as they are. */
#define ADD(s) do { if (n < max && pb__text_plain(s)) out[n++] = (s); } \
    while (0)
    if (nwords == 0) {
        for (i = 0; i < pb_command_count(); i++)
            ADD(pb_command_get(i)->name);
    } else if (cmd == NULL) {
        return 0;
    } else if (nwords == 1 && (strcmp(cmd, "check") == 0 ||
                               strcmp(cmd, "skip") == 0)) {
        for (i = 0; i < lv->nitems && n < max; i++)
            ADD(lv->refs[i]);
    } else if (nwords == 1 && (strcmp(cmd, "ask") == 0 ||
                               strcmp(cmd, "fact") == 0)) {
        if (strcmp(cmd, "fact") == 0)
            *suffix = "=";
        for (i = 0; i < lv->nfacts && n < max; i++)
            ADD(lv->facts[i]);
        /* Full once max are in: the rest would compare each of the
         * case's facts with all the collected names, for nothing. */
        for (i = 0; i < pb_case_nfacts(c) && n < max; i++) {
            const char *name, *value;
            size_t k;

            pb_case_fact(c, i, &name, &value);
            for (k = 0; k < lv->nfacts; k++)
                if (strcmp(lv->facts[k], name) == 0)
                    break;
            if (k == lv->nfacts) /* not a duplicate */
                ADD(name);
        }
    } else if (nwords == 1 && strcmp(cmd, "help") == 0) {
        for (i = 0; i < pb_command_count(); i++)
            ADD(pb_command_get(i)->name);
    } else if (nwords == 2 && strcmp(cmd, "transfer") == 0) {
        ADD("warm");
        ADD("cold");
    } else if (nwords == 1 && strcmp(cmd, "followup") == 0) {
        ADD("done");
        ADD("tomorrow");
    } else if (nwords == 2 && strcmp(cmd, "followup") == 0 &&
               strcmp(words[1], "done") == 0) {
        ADD("fixed");
        ADD("not_fixed");
    } else if (nwords == 1 && strcmp(cmd, "commit") == 0) {
        ADD("tomorrow");
        ADD("today");
    }
#undef ADD
    return n;
}

/* Set-up. */

/* A new file name for a case started without --case. */
static char *new_case_name(void)
{
    char stamp[32], *name = malloc(64);
    time_t now = time(NULL);
    struct stat sb;
    struct tm tm;
    int k;

    if (name == NULL || localtime_r(&now, &tm) == NULL ||
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm) == 0) {
        free(name);
        return NULL;
    }
    for (k = 1; k < 100; k++) {
        if (k == 1)
            snprintf(name, 64, "case-%s.xml", stamp);
        else
            snprintf(name, 64, "case-%s-%d.xml", stamp, k);
        if (stat(name, &sb) != 0)
            return name;
    }
    free(name);
    return NULL;
}

/* A fact name an item collects, and where (checklist order). */
typedef struct collected {
    const char *name;
    size_t at;
} collected;

static int by_name_then_place(const void *a, const void *b)
{
    const collected *x = a, *y = b;
    int d = strcmp(x->name, y->name);

    return d != 0 ? d : (x->at > y->at) - (x->at < y->at);
}

/* The fact names the items collect, each once, in checklist order: a
 * sorted copy finds the first of each, where comparing each name with
 * all those before it cost the items squared at start-up. */
static int collected_facts(live *lv)
{
    collected *v = malloc((lv->nitems + 1) * sizeof *v);
    unsigned char *first = calloc(lv->nitems + 1, 1);
    pb_item_def def;
    size_t i, n = 0;

    if (v == NULL || first == NULL) {
        free(v);
        free(first);
        return -1;
    }
    for (i = 0; i < lv->nitems; i++) {
        pb_engine_item(lv->e, i, &def);
        if (def.collects != NULL) {
            v[n].name = def.collects;
            v[n++].at = i;
        }
    }
    qsort(v, n, sizeof *v, by_name_then_place);
    for (i = 0; i < n; i++)
        first[v[i].at] = i == 0 || strcmp(v[i].name, v[i - 1].name) != 0;
    for (i = 0; i < lv->nitems; i++) {
        if (first[i]) {
            pb_engine_item(lv->e, i, &def);
            lv->facts[lv->nfacts++] = def.collects;
        }
    }
    free(v);
    free(first);
    return 0;
}

static int names_init(live *lv)
{
    pb_item_def def;
    size_t i;

    lv->nitems = pb_engine_nitems(lv->e);
    lv->nprinciples = pb_engine_nprinciples(lv->e);
    lv->changed = calloc(lv->nitems + 1, sizeof *lv->changed);
    lv->applied = calloc(lv->nprinciples + 1, sizeof *lv->applied);
    lv->refs = calloc(lv->nitems + 1, sizeof *lv->refs);
    lv->facts = calloc(lv->nitems + 1, sizeof *lv->facts);
    if (!lv->changed || !lv->applied || !lv->refs || !lv->facts)
        return -1;
    for (i = 0; i < lv->nitems; i++) {
        pb_engine_item(lv->e, i, &def);
        lv->refs[i] = def.ref;
    }
    return collected_facts(lv);
}

static void names_free(live *lv)
{
    free((void *)lv->refs);
    free((void *)lv->facts);
    pb_snapshot_free(lv->before);
    free(lv->changed);
    free(lv->applied);
    pb_snapshot_free(lv->at_close);
}

static int check_matches(const char *path, const char *what,
                         const char *want, const char *have)
{
    if (want == NULL || (have != NULL && strcmp(want, have) == 0))
        return 0;
    pb__text_printf(stderr, "playbook live: %s: the case's %s is '%s', not "
                    "'%s'\n", path, what, have ? have : "(none)", want);
    return -1;
}

/* Which principles the session runs with, after some failed to load. */
static void loaded_note(const live *lv)
{
    pb_principle_info pi;
    size_t i;

    pb__text_printf(stderr, "playbook live: %zu principle file%s failed to "
                    "load (above); going on with", pb_engine_nfailures(lv->e),
                    pb_engine_nfailures(lv->e) == 1 ? "" : "s");
    for (i = 0; i < lv->nprinciples; i++) {
        pb_engine_principle(lv->e, i, &pi);
        pb__text_printf(stderr, " %s", pi.id);
    }
    pb__text_printf(stderr, "%s\n", lv->nprinciples ? "" : " none (events are "
                    "still recorded)");
}

static void greeting(live *lv, int created)
{
    const pb_case *c = the_case(lv);
    const char *topic = pb_case_topic(c), *channel = pb_case_channel(c);
    size_t i, n = pb_casefile_nrecorded(lv->cf);

    pb__text_printf(lv->out, "%s %s: topic %s, channel %s",
                    created ? "New case" : "Resumed case", lv->path,
                    topic ? topic : "(none)", channel ? channel : "(none)");
    if (!created)
        pb__text_printf(lv->out, ", %zu event%s", n, n == 1 ? "" : "s");
    fputs(".\n", lv->out);
    for (i = 0; i < pb_casefile_nwarnings(lv->cf); i++)
        pb__text_printf(lv->out, "warning: %s\n",
                        pb_casefile_warning(lv->cf, i));
    if (pb_case_closed(c))
        fputs("This case is closed: show, log and quit still work.\n",
              lv->out);
    fputs("Type help for the commands, quit to leave (the case stays "
          "open).\n", lv->out);
    short_checklist(lv);
}

static int term_width(void)
{
    int w = cli_term_width(stdout);

    return w >= 40 ? w : WIDTH;
}

/* The session loop: lines from the editor or from stdin. */
static void session(live *lv, int tty)
{
    char *buf = NULL, prompt[64];
    size_t cap = 0, len, n;
    ssize_t got;
    int r;

    for (;;) {
        const char *line;

        fflush(lv->out);
        if (tty) {
            lv->width = term_width(); /* the window may have changed */
            if ((n = pb_casefile_pending(lv->cf)) > 0)
                snprintf(prompt, sizeof prompt, "[%zu NOT SAVED] > ", n);
            else
                snprintf(prompt, sizeof prompt, "> ");
            r = lineedit_read(lv->ed, prompt, &line, &len);
            if (r == LINEEDIT_INTERRUPTED) {
                fputc('\n', lv->out); /* Ctrl-C: a fresh line */
                continue;
            }
            if (r == LINEEDIT_END) {
                fputc('\n', lv->out);
                if (handle(lv, "quit", 4, tty))
                    break;
                continue;
            }
        } else {
            if ((got = getline(&buf, &cap, stdin)) < 0) {
                /* The end of the input: quit, whatever is pending. */
                lv->quit_warned = 1;
                handle(lv, "quit", 4, tty);
                break;
            }
            line = buf;
            len = (size_t)got;
        }
        if (handle(lv, line, len, tty))
            break;
    }
    fflush(lv->out);
    free(buf);
}

int cli_live(int argc, char **argv)
{
    const char *path = NULL, *topic = NULL, *channel = NULL;
    const cli_option own[] = {
        { "--case", &path }, { "--topic", &topic },
        { "--channel", &channel }, { NULL, NULL },
    };
    pb_casefile_opts co;
    char *made = NULL;
    struct stat sb;
    pb_error err;
    pb_status st;
    cli_opts o;
    live lv;
    int rc = EXIT_BAD, failed, created, tty;

    memset(&lv, 0, sizeof lv);
    switch (cli_parse(argc, argv, "live", "p", own, help_text, &o)) {
    case 1: rc = EXIT_OK; goto done;
    case -1: goto done;
    }
    if (o.nargs > 0) {
        cli_usage_error("live", "unexpected '%s' (the case file goes after "
                        "--case)", o.args[0]);
        goto done;
    }
    if (path == NULL && (path = made = new_case_name()) == NULL) {
        fprintf(stderr, "playbook live: cannot name a new case file\n");
        goto done;
    }
    created = stat(path, &sb) != 0;
    if (created && topic == NULL) {
        cli_usage_error("live", "a new case needs --topic (delivery, "
                        "billing, technical, ...)");
        goto done;
    }
    if ((lv.e = cli_engine(&o, &failed)) == NULL || names_init(&lv) != 0)
        goto nomem;
    if (failed)
        loaded_note(&lv);
    memset(&co, 0, sizeof co);
    co.topic = topic;
    co.channel = channel;
    co.wait = 0; /* a held case fails at once, not after a silent wait */
    st = pb_casefile_open(lv.e, path, &co, &lv.cf, &err);
    if (st == PB_STATE) {
        pb__text_printf(stderr, "playbook live: %s (a live session or "
                        "playbook event has it open; end that one first)\n",
                        err.message);
        goto done;
    }
    if (st != PB_OK) {
        fprintf(stderr, "playbook live: cannot open the case: ");
        cli_print_error(&err);
        if (st == PB_INPUT && strcmp(err.file, path) == 0)
            pb__text_printf(stderr, "playbook live: %s is not a case file (a "
                            "scenario file, docs/scenarios.md); to start a "
                            "new case, give --case a new name\n", path);
        goto done;
    }
    if (check_matches(path, "topic", topic,
                      pb_case_topic(the_case(&lv))) != 0 ||
        check_matches(path, "channel", channel,
                      pb_case_channel(the_case(&lv))) != 0)
        goto done;
    if ((lv.before = pb_snapshot_new(the_case(&lv))) == NULL)
        goto nomem;
    lv.path = path;
    lv.out = stdout;
    lv.color = cli_render_flags(stdout) & PB_RENDER_COLOR ? 1 : 0;
    tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    lv.width = tty ? term_width() : WIDTH;
    if (tty && (lv.ed = lineedit_open("playbook", lv.out, candidates,
                                       &lv)) == NULL)
        goto nomem;
    greeting(&lv, created);
    session(&lv, tty);
    rc = lv.lost ? EXIT_BAD : EXIT_OK;
    goto done;
nomem:
    fprintf(stderr, "playbook live: out of memory\n");
done:
    lineedit_close(lv.ed);
    pb_casefile_free(lv.cf);
    names_free(&lv);
    pb_engine_free(lv.e);
    free(made);
    free(o.args);
    return rc;
}
