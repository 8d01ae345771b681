/*
 * review.c -- `playbook review`: a trainer steps through a scenario with
 * a trainee.  At each agent move the session stops and shows the
 * checklist as it stood just before the move, the trainee says what they
 * would do, their words go through the detectors in place of the move
 * (on a case of their own, played to that point), then the recorded
 * move is played and its effect shown beside theirs.
 *
 * The session drives its own pb_case event by event (rather than showing
 * a finished pb_replay) so that what the trainee sees at a step is
 * exactly what the agent's screen showed at that moment.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "file.h"
#include "utf8.h"

static const char help[] =
    "usage: playbook review [-p DIR] [--notes FILE] FILE\n"
    "\n"
    "Steps through a scenario with a trainee.  Customer turns and other\n"
    "events are shown as they pass.  At each agent move the session stops\n"
    "and shows the checklist as it stood just before the move; the trainee\n"
    "says what they would do (or just presses Enter).  An answer is said\n"
    "as the agent in place of the recorded move, and what the detectors\n"
    "make of it is shown (\"yours: ~ agent.restated, listen.restate\n"
    "done\"); then the recorded move is shown with its effect: items done,\n"
    "events detected in its words, violations.  At the end: the final\n"
    "checklist, the score, and a comparison (answers given, what each did\n"
    "against what the agent's move did, moves that caused violations).\n"
    "\n"
    "Agent moves are the events of type agent.*, case.* (transferred,\n"
    "escalated, resolved, closed) and followup.*.\n"
    "\n"
    "At the prompt:\n"
    "  Enter           show the agent's move\n"
    "  any other text  your answer; then the agent's move\n"
    "  c, checklist    show the checklist again\n"
    "  q, quit         stop here and show the summary so far\n"
    "  ?, help         list these commands\n"
    "\n"
    "  -p, --principles DIR   principle folder or file; repeat to combine\n"
    "                         (default: $PLAYBOOK_PRINCIPLES, else the\n"
    "                         installed library, else ./principles)\n"
    "  --notes FILE           at the end, append the answers (step, answer,\n"
    "                         recorded move) to FILE; FILE is replaced\n"
    "                         whole, never left half-written\n"
    "\n"
    "Input may come from a pipe: one line per agent move.  At the end of\n"
    "the input the rest plays as if Enter was pressed.  Colours only on a\n"
    "terminal, never with NO_COLOR set.\n"
    "\n"
    "Exit: 0 the session ran; 2 bad input or usage: the scenario cannot be\n"
    "read (a message names the file and line), an event was rejected, a\n"
    "principle file failed to load (the session still runs with the\n"
    "others), or the notes could not be written.\n";

#define ANSWER_MAX 1024  /* an answer is a line, not an essay */
#define WIDTH 78         /* when stdout is not a terminal */

/* A violation and the event that caused it. */
typedef struct hit {
    size_t event; /* scenario event */
    size_t step;  /* agent move, 1-based; 0 when not a move */
    size_t item;
} hit;

typedef struct review {
    const pb_scenario *s;
    pb_engine *e;
    pb_case *c;
    FILE *out, *in;
    unsigned flags;      /* for pb_render_checklist */
    int color, tty_in;
    size_t width;
    int eof;             /* input ended: the rest plays as Enter */
    int quit;
    size_t rejected;     /* events the case refused */
    size_t nitems;
    pb_snapshot *before;   /* the case before the current event */
    pb_change *changed;    /* what it changed, nitems long */
    pb_snapshot *shown;    /* the case when the last checklist was shown */
    size_t shown_step;
    size_t nsteps, step; /* agent moves; the one being played */
    size_t played;       /* scenario events played */
    size_t answered;
    char **answers;      /* per step, NULL when not answered */
    char **yours;        /* per step, what the answer did (or NULL) */
    char **theirs;       /* per step, what the recorded move did */
    size_t *moves;       /* scenario event of each step */
    hit *hits;
    size_t nhits, hcap;
} review;

/*
 * The agent's side of the call: what the agent says and does (agent.*),
 * what happens to the case by the agent's decision (case.transferred,
 * .escalated, .resolved, .closed) and follow-ups (followup.*).  Customer
 * turns, facts and the bookkeeping overrides item.checked/item.skipped
 * pass without a stop.
 */
static int is_agent_move(const char *type)
{
    return strncmp(type, "agent.", 6) == 0 ||
           strncmp(type, "case.", 5) == 0 ||
           strncmp(type, "followup.", 9) == 0;
}

/*
 * Prints text from column col, wrapping at the width with indent spaces
 * before each further line.  Runs of white space become one space, and
 * each word goes out through text.c, so scenario and trainee text can
 * neither break the layout nor send escape codes.  quote wraps the text
 * in double quotes.  Returns the column reached.
 */
static size_t wrap(const review *r, size_t col, size_t indent,
                   const char *text, int quote)
{
    const char *p = text;
    int first = 1;

    if (quote) {
        fputc('"', r->out);
        col++;
    }
    for (;;) {
        const char *w;
        size_t n, wc;

        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (*p == '\0')
            break;
        for (w = p; *p && *p != ' ' && *p != '\t' && *p != '\n' &&
                    *p != '\r'; p++)
            ;
        n = (size_t)(p - w);
        wc = pb__text_width(w, n, 0);
        if (!first && col + 1 + wc > r->width && col > indent) {
            pb__text_printf(r->out, "\n%*s", (int)indent, "");
            col = indent;
        } else if (!first) {
            fputc(' ', r->out);
            col++;
        }
        pb__text_write(r->out, w, n, SIZE_MAX, 0);
        col += wc;
        first = 0;
    }
    if (quote) {
        fputc('"', r->out);
        col++;
    }
    return col;
}

/* "agent.asked fact=account_id" for event i of the case. */
static size_t put_type(const review *r, const pb_event_info *ev, size_t col)
{
    size_t k;

    col += pb__text_put(r->out, ev->type);
    for (k = 0; k < ev->nattrs; k++) {
        fputc(' ', r->out);
        col = wrap(r, col + 1, col + 1, ev->attrs[k].name, 0);
        fputc('=', r->out);
        col = wrap(r, col + 1, col + 1, ev->attrs[k].value, 0);
    }
    return col;
}

/* One item that changed state, under the event that changed it.  Moves
 * between open and waiting are left out: the checklist tells those. */
static void put_change(const review *r, size_t indent, size_t i,
                       pb_state from)
{
    pb_item_info it;

    pb_case_item(r->c, i, &it);
    if ((from == PB_OPEN || from == PB_WAITING) &&
        (it.state == PB_OPEN || it.state == PB_WAITING))
        return;
    pb__text_printf(r->out, "%*s", (int)indent, "");
    cli_paint(r->out, r->color,
              it.state == PB_DONE ? CLI_GREEN
              : it.state == PB_VIOLATED || it.state == PB_ERROR ? CLI_RED
              : CLI_DIM);
    if (it.state == PB_ABSENT) {
        pb__text_printf(r->out, "    %s.%s no longer applies", it.principle,
                        it.id);
    } else if (from == PB_ABSENT &&
               (it.state == PB_OPEN || it.state == PB_WAITING)) {
        pb__text_printf(r->out, "[+] %s.%s applies now", it.principle, it.id);
    } else {
        pb__text_printf(r->out, "%s %s.%s %s", pb_state_mark(it.state),
                        it.principle, it.id, pb_state_name(it.state));
        if (it.state == PB_SKIPPED && it.reason) {
            fputs(": ", r->out);
            pb__text_prose(r->out, it.reason);
        }
    }
    cli_paint(r->out, r->color, CLI_RESET);
    fputc('\n', r->out);
    if (it.state == PB_ERROR && it.error) {
        pb__text_printf(r->out, "%*s", (int)indent + 4, "");
        wrap(r, indent + 4, indent + 4, it.error, 0);
        fputc('\n', r->out);
    }
}

/* What the principle wants, to say why a violation matters: the item's
 * fixed prompt, else the principle's why. */
static const char *lesson(const review *r, size_t item)
{
    pb_principle_info p;
    pb_item_def d;
    long pi;

    pb_engine_item(r->e, item, &d);
    if (d.prompt)
        return d.prompt;
    if ((pi = pb_engine_find_principle(r->e, d.principle)) < 0)
        return NULL;
    pb_engine_principle(r->e, (size_t)pi, &p);
    return p.why;
}

/* What the last event appended to c did, from before: the events its
 * words were detected as and the items it settled, in a line ("~
 * agent.restated, listen.restate done"); "nothing detected, no item
 * changed" when nothing.  malloc'd; NULL when out of memory. */
static char *effect(const review *r, const pb_case *c,
                    const pb_snapshot *before)
{
    size_t k, n = pb_case_nevents(c), nch, len = 0, cap = 256;
    char *out = malloc(cap), one[256];

    if (out == NULL)
        return NULL;
    out[0] = '\0';
    nch = pb_snapshot_diff(before, c, r->changed, r->nitems);
    for (k = pb_snapshot_nevents(before); k < n + nch; k++) {
        size_t m;

        if (k < n) {
            pb_event_info ev;

            pb_case_event(c, k, &ev);
            if (ev.detected_by == NULL)
                continue;
            snprintf(one, sizeof one, "%s~ %s", len ? ", " : "", ev.type);
        } else {
            pb_item_info it;
            const pb_change *ch = &r->changed[k - n];

            pb_case_item(c, ch->item, &it);
            if (it.state != PB_DONE && it.state != PB_VIOLATED &&
                it.state != PB_SKIPPED && it.state != PB_ERROR)
                continue;
            snprintf(one, sizeof one, "%s%s %s", len ? ", " : "", it.ref,
                     pb_state_name(it.state));
        }
        m = strlen(one);
        if (len + m + 1 > cap) {
            char *grown = realloc(out, cap = 2 * (len + m + 1));

            if (grown == NULL) {
                free(out);
                return NULL;
            }
            out = grown;
        }
        memcpy(out + len, one, m + 1);
        len += m;
    }
    if (len == 0)
        snprintf(out, cap, "nothing detected, no item settled");
    return out;
}

/* The trainee's answer said in place of move i, on a case of its own
 * played to just before it: what the detectors and the items make of
 * it, into r->yours.  -1 when out of memory. */
static int try_answer(review *r, size_t i, const char *answer)
{
    pb_snapshot *before = NULL;
    pb_event_info ev;
    pb_error err;
    pb_case *c;
    size_t k;
    int line;

    /* The session's case started the same way: only memory can fail. */
    if (pb_replay_start(r->e, r->s, &c, &err) != PB_OK)
        return -1;
    for (k = 0; k < i; k++) {  /* refused here as in the session */
        pb_scenario_event(r->s, k, &ev, &line);
        pb_case_append(c, ev.t, ev.type, ev.text, ev.attrs, ev.nattrs, &err);
    }
    pb_scenario_event(r->s, i, &ev, &line);
    if ((before = pb_snapshot_new(c)) == NULL) {
        pb_case_free(c);
        return -1;
    }
    if (pb_case_append(c, ev.t, "agent.said", answer, NULL, 0, &err) ==
        PB_OK &&
        (r->yours[r->step - 1] = effect(r, c, before)) == NULL) {
        pb_snapshot_free(before);
        pb_case_free(c);
        return -1;
    }
    pb_snapshot_free(before);
    pb_case_free(c);
    if (r->yours[r->step - 1] != NULL) {
        cli_paint(r->out, r->color, CLI_CYAN);
        fputs("  yours: ", r->out);
        wrap(r, 9, 9, r->yours[r->step - 1], 0);
        cli_paint(r->out, r->color, CLI_RESET);
        fputc('\n', r->out);
    }
    return 0;
}

static int add_hit(review *r, size_t event, size_t step, size_t item)
{
    if (r->nhits == r->hcap) {
        size_t cap = r->hcap ? r->hcap * 2 : 8;
        hit *v = realloc(r->hits, cap * sizeof *v);

        if (v == NULL)
            return -1;
        r->hits = v;
        r->hcap = cap;
    }
    r->hits[r->nhits].event = event;
    r->hits[r->nhits].step = step;
    r->hits[r->nhits].item = item;
    r->nhits++;
    return 0;
}

/*
 * Plays scenario event i (step is its agent move number, 0 for events
 * that pass) and shows it with what it caused.  A move is shown after
 * "Agent:" (the step header gave its time); other events after their
 * time.  Returns -1 when out of memory.
 */
static int play(review *r, size_t i, size_t step)
{
    const char *path = pb_scenario_path(r->s);
    size_t k, n, nch, indent, col;
    pb_event_info ev;
    pb_error err;
    char tb[32];
    int line;

    pb_scenario_event(r->s, i, &ev, &line);
    r->played = i + 1;
    pb_snapshot_take(r->before, r->c);
    if (pb_case_append(r->c, ev.t, ev.type, ev.text, ev.attrs, ev.nattrs,
                       &err) != PB_OK) {
        /* The case is unchanged: report it, and go on with the rest. */
        snprintf(err.file, sizeof err.file, "%s", path);
        err.line = line;
        cli_print_error(&err);
        cli_paint(r->out, r->color, CLI_RED);
        pb__text_printf(r->out, "  %s  %s: event rejected (line %d), "
                        "skipped\n", pb_time_format(ev.t, tb, sizeof tb),
                        ev.type, line);
        cli_paint(r->out, r->color, CLI_RESET);
        r->rejected++;
        return 0;
    }
    if (step) {
        cli_paint(r->out, r->color, CLI_BOLD);
        fputs("  Agent: ", r->out);
        cli_paint(r->out, r->color, CLI_RESET);
        indent = 9;
    } else {
        pb_time_format(ev.t, tb, sizeof tb);
        pb__text_printf(r->out, "  %-5s  ", tb);
        indent = 4 + (strlen(tb) > 5 ? strlen(tb) : 5);
    }
    col = put_type(r, &ev, indent);
    if (ev.text) {
        fputs("  ", r->out);
        wrap(r, col + 2, indent, ev.text, 1);
    }
    fputc('\n', r->out);
    n = pb_case_nevents(r->c);
    for (k = pb_snapshot_nevents(r->before) + 1; k < n; k++) {
        pb_case_event(r->c, k, &ev);
        if (ev.detected_by == NULL)
            continue;
        pb__text_printf(r->out, "%*s", (int)indent, "");
        cli_paint(r->out, r->color, CLI_CYAN);
        fputs("~ ", r->out);
        put_type(r, &ev, indent + 2);
        cli_paint(r->out, r->color, CLI_RESET);
        pb__text_printf(r->out, "  (detected by %s)\n", ev.detected_by);
    }
    nch = pb_snapshot_diff(r->before, r->c, r->changed, r->nitems);
    for (k = 0; k < nch; k++)
        put_change(r, indent, r->changed[k].item, r->changed[k].from);
    for (k = pb_snapshot_nwarnings(r->before); k < pb_case_nwarnings(r->c);
         k++) {
        pb__text_printf(r->out, "%*sWarning: ", (int)indent, "");
        wrap(r, indent + 9, indent + 4, pb_case_warning(r->c, k), 0);
        fputc('\n', r->out);
    }
    for (k = 0; k < nch; k++) {
        size_t item = r->changed[k].item;
        pb_item_info it;
        const char *why;

        if (r->changed[k].to != PB_VIOLATED)
            continue;
        /* (r->changed is effect()'s too: theirs is taken below) */
        pb_case_item(r->c, item, &it);
        if (add_hit(r, i, step, item) != 0)
            return -1;
        cli_paint(r->out, r->color, CLI_BOLD CLI_RED);
        pb__text_printf(r->out, "  !! Violation: %s.%s", it.principle, it.id);
        cli_paint(r->out, r->color, CLI_RESET);
        if ((why = lesson(r, item)) != NULL) {
            fputs(" - ", r->out);
            wrap(r, 20 + strlen(it.principle) + strlen(it.id), 5, why, 0);
        }
        fputc('\n', r->out);
    }
    if (step && r->answers[step - 1] &&
        (r->theirs[step - 1] = effect(r, r->c, r->before)) == NULL)
        return -1;
    return 0;
}

/* The checklist as it stands.  When nothing changed since the last one
 * shown, one line says so, to keep the screen for the conversation. */
static void show_checklist(review *r, int force)
{
    size_t next;
    pb_item_info it;

    if (!force && r->shown_step &&
        pb_snapshot_nwarnings(r->shown) == pb_case_nwarnings(r->c) &&
        pb_snapshot_diff(r->shown, r->c, NULL, 0) == 0) {
        cli_paint(r->out, r->color, CLI_DIM);
        fprintf(r->out, "  Checklist unchanged since step %zu.",
                r->shown_step);
        cli_paint(r->out, r->color, CLI_RESET);
        if (pb_case_next(r->c, &next, 1) == 0) {
            fputs("  Next: nothing open\n", r->out);
            return;
        }
        pb_case_item(r->c, next, &it);
        pb__text_printf(r->out, "  Next: %s.%s\n", it.principle, it.id);
        return;
    }
    pb_render_checklist(r->out, PB_FORMAT_TEXT, r->flags, r->c);
    pb_snapshot_take(r->shown, r->c);
    r->shown_step = r->step;
}

static void show_commands(const review *r)
{
    fputs("  Enter           show the agent's move\n"
          "  any other text  your answer; then the agent's move\n"
          "  c, checklist    show the checklist again\n"
          "  q, quit         stop here and show the summary so far\n"
          "  ?, help         list these commands\n", r->out);
}

/*
 * One line of input without its line end; the rest of a line longer than
 * the buffer is dropped.  -1 at the end of input or on a read error:
 * either way nothing more will come, so the caller stops asking.
 */
static int read_line(FILE *in, char *buf, size_t size)
{
    size_t n = 0;
    int ch, got = 0, cut = 0;

    while ((ch = getc(in)) != EOF && ch != '\n') {
        got = 1;
        if (n + 1 < size)
            buf[n++] = (char)ch;
        else
            cut = 1;
    }
    buf[n] = '\0';
    if (ch == EOF && !got)
        return -1;
    /* A cut line may end inside a UTF-8 sequence: drop that part. */
    if (cut)
        buf[n = pb__utf8_cut(buf, n)] = '\0';
    while (n > 0 && (buf[n - 1] == '\r' || buf[n - 1] == ' ' ||
                     buf[n - 1] == '\t'))
        buf[--n] = '\0';
    return 0;
}

/* Case-insensitive match of a typed command. */
static int is_cmd(const char *s, const char *a, const char *b)
{
    size_t i;

    for (i = 0; s[i] && a[i]; i++)
        if (tolower((unsigned char)s[i]) != a[i])
            break;
    if (s[i] == '\0' && a[i] == '\0')
        return 1;
    return b ? is_cmd(s, b, NULL) : 0;
}

/* Asks for the trainee's move at the current step.  0 to go on, -1 when
 * out of memory. */
static int ask(review *r)
{
    char line[ANSWER_MAX];
    const char *a;

    for (;;) {
        if (r->eof || r->quit)
            return 0;
        cli_paint(r->out, r->color, CLI_BOLD);
        fputs("Your move> ", r->out);
        cli_paint(r->out, r->color, CLI_RESET);
        fflush(r->out);
        if (read_line(r->in, line, sizeof line) != 0) {
            r->eof = 1;
            cli_paint(r->out, r->color, CLI_DIM);
            fputs("\n  (end of input: the rest plays without stopping)\n",
                  r->out);
            cli_paint(r->out, r->color, CLI_RESET);
            return 0;
        }
        for (a = line; *a == ' ' || *a == '\t'; a++)
            ;
        if (!r->tty_in) {
            /* Nobody saw it typed: show it, as a terminal would. */
            wrap(r, 11, 11, a, 0);
            fputc('\n', r->out);
        }
        if (*a == '\0')
            return 0;
        if (is_cmd(a, "q", "quit")) {
            r->quit = 1;
            return 0;
        }
        if (is_cmd(a, "?", "help")) {
            show_commands(r);
            continue;
        }
        if (is_cmd(a, "c", "checklist")) {
            show_checklist(r, 1);
            continue;
        }
        if ((r->answers[r->step - 1] = strdup(a)) == NULL)
            return -1;
        r->answered++;
        cli_paint(r->out, r->color, CLI_BOLD);
        fputs("  You:   ", r->out);
        cli_paint(r->out, r->color, CLI_RESET);
        wrap(r, 9, 9, a, 0);
        fputc('\n', r->out);
        return 0;
    }
}

static void rule(const review *r, const char *title)
{
    size_t n = strlen(title) + 4;

    fputc('\n', r->out);
    cli_paint(r->out, r->color, CLI_BOLD);
    pb__text_printf(r->out, "-- %s ", title);
    for (; n < r->width; n++)
        fputc('-', r->out);
    cli_paint(r->out, r->color, CLI_RESET);
    fputc('\n', r->out);
}

static void header(const review *r)
{
    const pb_scenario *s = r->s;
    const char *name, *value;
    size_t i, col;
    int line;

    cli_paint(r->out, r->color, CLI_BOLD);
    fputs("Review: ", r->out);
    col = wrap(r, 8, 8, pb_scenario_title(s), 0);
    cli_paint(r->out, r->color, CLI_RESET);
    pb__text_printf(r->out, "  [%s]\n  %s", pb_scenario_id(s),
                    pb_scenario_path(s));
    if (pb_scenario_topic(s))
        pb__text_printf(r->out, "  topic %s", pb_scenario_topic(s));
    if (pb_scenario_channel(s))
        pb__text_printf(r->out, "  channel %s", pb_scenario_channel(s));
    fputc('\n', r->out);
    if (pb_scenario_description(s)) {
        fputs("  ", r->out);
        wrap(r, 2, 2, pb_scenario_description(s), 0);
        fputc('\n', r->out);
    }
    if (pb_scenario_nfacts(s) > 0) {
        fputs("  Known from the start:", r->out);
        col = 22;
        for (i = 0; i < pb_scenario_nfacts(s); i++) {
            pb_scenario_fact(s, i, &name, &value, &line);
            if (col + 2 + strlen(name) + 1 +
                pb__text_width(value, strlen(value), 0) >
                r->width && col > 4) {
                fputs("\n   ", r->out);
                col = 3;
            }
            pb__text_printf(r->out, " %s=", name);
            col = wrap(r, col + 2 + strlen(name), 4, value, 0);
        }
        fputc('\n', r->out);
    }
    for (i = 0; i < pb_engine_nfailures(r->e); i++) {
        cli_paint(r->out, r->color, CLI_RED);
        pb__text_printf(r->out, "  Not loaded: %s (the checklist is without "
                        "it)\n", pb_engine_failure(r->e, i)->file);
        cli_paint(r->out, r->color, CLI_RESET);
    }
    pb__text_printf(r->out, "  %zu agent move%s to review.  At each, say "
                    "what you would do, then Enter;\n  ? for help, q to "
                    "stop.\n\n", r->nsteps, r->nsteps == 1 ? "" : "s");
}

static void summary(const review *r)
{
    size_t i, n = pb_scenario_nevents(r->s);
    pb_event_info ev;
    char tb[32];
    int line;

    rule(r, "Summary");
    if (r->quit)
        fprintf(r->out, "Stopped at step %zu of %zu, before the agent's "
                "move (%zu of %zu events played).\n", r->step, r->nsteps,
                r->played, n);
    else if (r->rejected)
        fprintf(r->out, "All %zu events played (%zu rejected).\n", n,
                r->rejected);
    else
        fprintf(r->out, "All %zu events played.\n", n);
    pb_render_checklist(r->out, PB_FORMAT_TEXT, r->flags, r->c);
    pb__text_printf(r->out, "\nYou answered %zu of %zu agent move%s.\n",
                    r->answered, r->nsteps, r->nsteps == 1 ? "" : "s");
    if (r->nhits == 0)
        fputs("No move caused a violation.\n", r->out);
    else
        fputs("Moves that caused violations:\n", r->out);
    for (i = 0; i < r->nhits; i++) {
        const hit *h = &r->hits[i];
        pb_item_info it;

        pb_scenario_event(r->s, h->event, &ev, &line);
        pb_case_item(r->c, h->item, &it);
        if (h->step)
            fprintf(r->out, "  step %-3zu", h->step);
        else
            fputs("  (passing)", r->out);
        pb__text_printf(r->out, " %-5s  %-20s ",
                        pb_time_format(ev.t, tb, sizeof tb), ev.type);
        cli_paint(r->out, r->color, CLI_RED);
        pb__text_printf(r->out, "%s.%s", it.principle, it.id);
        cli_paint(r->out, r->color, CLI_RESET);
        fputc('\n', r->out);
        if (h->step && r->answers[h->step - 1]) {
            fputs("            you: ", r->out);
            wrap(r, 17, 17, r->answers[h->step - 1], 0);
            fputc('\n', r->out);
        }
    }
    if (r->answered == 0)
        return;
    fputs("Your answers:\n", r->out);
    for (i = 0; i < r->nsteps; i++) {
        if (r->answers[i] == NULL)
            continue;
        pb_scenario_event(r->s, r->moves[i], &ev, &line);
        pb__text_printf(r->out, "  step %-3zu %-18s you: ", i + 1, ev.type);
        wrap(r, 35, 35, r->answers[i], 0);
        fputc('\n', r->out);
        if (r->yours[i]) {
            fputs("                               did: ", r->out);
            wrap(r, 37, 37, r->yours[i], 0);
            fputc('\n', r->out);
        }
        if (r->theirs[i]) {
            fputs("                     the agent's did: ", r->out);
            wrap(r, 37, 37, r->theirs[i], 0);
            fputc('\n', r->out);
        }
    }
}

/* The session's record appended to the notes file: the old content and
 * the new record go to a temporary file renamed into place, so a crash
 * or a full disk never costs the notes of earlier sessions. */
static int write_notes(const review *r, const char *path)
{
    char buf[8192], stamp[64];
    pb_event_info ev;
    struct stat st;
    cli_out out;
    time_t now = time(NULL);
    struct tm tm;
    size_t i, n;
    FILE *old;
    pb_error err;
    int ok = 1, line, fd;

    if (cli_out_open(&out, path) != 0)
        return -1;
    /* The old notes first.  Opened as any input (file.h): a FIFO put
     * there since cli_out_open looked must not block the open. */
    if (out.tmp && stat(path, &st) == 0) {
        fchmod(fileno(out.f), st.st_mode & 07777);
        if (pb__open_input(path, 0, &fd, &err) != PB_OK) {
            cli_print_error(&err);
            ok = 0;
        } else if ((old = fdopen(fd, "rb")) == NULL) {
            pb__text_printf(stderr, "%s: cannot read: %s\n", path,
                            strerror(errno));
            close(fd);
            ok = 0;
        } else {
            while ((n = fread(buf, 1, sizeof buf, old)) > 0)
                if (fwrite(buf, 1, n, out.f) != n)
                    ok = 0;
            if (ferror(old)) {
                pb__text_printf(stderr, "%s: cannot read: %s\n", path,
                                strerror(errno));
                ok = 0;
            }
            fclose(old);
        }
    }
    if (localtime_r(&now, &tm) == NULL ||
        strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M", &tm) == 0)
        snprintf(stamp, sizeof stamp, "?");
    pb__text_printf(out.f, "Review of %s [%s], %s\n", pb_scenario_path(r->s),
                    pb_scenario_id(r->s), stamp);
    for (i = 0; i < r->nsteps; i++) {
        char tb[32];

        if (r->answers[i] == NULL)
            continue;
        pb_scenario_event(r->s, r->moves[i], &ev, &line);
        pb__text_printf(out.f, "  step %zu at %s: ", i + 1,
                        pb_time_format(ev.t, tb, sizeof tb));
        pb__text_prose(out.f, r->answers[i]);
        pb__text_printf(out.f, "\n    recorded: %s", ev.type);
        for (n = 0; n < ev.nattrs; n++) {
            fputc(' ', out.f);
            pb__text_put(out.f, ev.attrs[n].name);
            fputc('=', out.f);
            pb__text_put(out.f, ev.attrs[n].value);
        }
        if (ev.text) {
            fputs("  \"", out.f);
            pb__text_prose(out.f, ev.text);
            fputc('"', out.f);
        }
        fputc('\n', out.f);
        if (r->yours[i])
            pb__text_printf(out.f, "    yours did: %s\n", r->yours[i]);
        if (r->theirs[i])
            pb__text_printf(out.f, "    the agent's did: %s\n",
                            r->theirs[i]);
    }
    pb__text_printf(out.f, "  answered %zu of %zu agent moves%s\n\n",
                    r->answered, r->nsteps, r->quit ? " (stopped early)" : "");
    if (ferror(out.f))
        ok = 0;
    if (cli_out_close(&out, ok) != 0) {
        pb__text_printf(stderr, "playbook review: the notes were not saved "
                        "to %s\n", path);
        return -1;
    }
    return 0;
}

static size_t term_width(FILE *f)
{
    int w = cli_term_width(f);

    if (w >= 40)
        return w > 120 ? 119 : (size_t)w - 1;
    return WIDTH;
}

static int session(review *r)
{
    size_t i, n = pb_scenario_nevents(r->s);

    header(r);
    for (i = 0; i < n && !r->quit; i++) {
        pb_event_info ev;
        char tb[32], title[96];
        int line;

        pb_scenario_event(r->s, i, &ev, &line);
        if (!is_agent_move(ev.type)) {
            if (play(r, i, 0) != 0)
                return -1;
            continue;
        }
        r->step++;
        snprintf(title, sizeof title, "Step %zu of %zu at %s", r->step,
                 r->nsteps, pb_time_format(ev.t, tb, sizeof tb));
        rule(r, title);
        show_checklist(r, 0);
        if (ask(r) != 0)
            return -1;
        if (r->answers[r->step - 1] &&
            try_answer(r, i, r->answers[r->step - 1]) != 0)
            return -1;
        if (!r->quit && play(r, i, r->step) != 0)
            return -1;
    }
    summary(r);
    return 0;
}

int cli_review(int argc, char **argv)
{
    review r;
    cli_opts o;
    pb_error err;
    const char *notes = NULL;
    const cli_option own[] = { { "--notes", &notes, NULL },
                               { NULL, NULL, NULL } };
    pb_scenario *s = NULL;
    size_t i;
    int rc = EXIT_BAD, failed = 0;

    memset(&r, 0, sizeof r);
    switch (cli_parse(argc, argv, "review", "p", own, help, &o)) {
    case 1: rc = EXIT_OK; goto done;
    case -1: goto done;
    }
    if (notes != NULL && *notes == '\0') {
        cli_usage_error("review", "--notes needs a file name");
        goto done;
    }
    if (o.nargs != 1) {
        cli_usage_error("review", o.nargs ? "one scenario at a time"
                                          : "no scenario given");
        goto done;
    }
    /* A notes file that cannot be written is found now, not after the
     * trainee has answered every step. */
    if (notes) {
        cli_out probe;

        if (cli_out_open(&probe, notes) != 0)
            goto done;
        cli_out_close(&probe, 0);
    }
    if ((r.e = cli_engine(&o, &failed)) == NULL)
        goto done;
    if (cli_read_scenario(r.e, NULL, "review", o.args[0], &s, &err) !=
        PB_OK) {
        cli_print_error(&err);
        goto done;
    }
    r.s = s;
    r.out = stdout;
    r.in = stdin;
    r.flags = cli_render_flags(stdout);
    r.color = (r.flags & PB_RENDER_COLOR) != 0;
    r.tty_in = isatty(fileno(stdin));
    r.width = term_width(stdout);
    r.nitems = pb_engine_nitems(r.e);
    r.changed = calloc(r.nitems + 1, sizeof *r.changed);
    r.moves = calloc(pb_scenario_nevents(s) + 1, sizeof *r.moves);
    r.answers = calloc(pb_scenario_nevents(s) + 1, sizeof *r.answers);
    r.yours = calloc(pb_scenario_nevents(s) + 1, sizeof *r.yours);
    r.theirs = calloc(pb_scenario_nevents(s) + 1, sizeof *r.theirs);
    if (r.changed == NULL || r.moves == NULL || r.answers == NULL ||
        r.yours == NULL || r.theirs == NULL)
        goto nomem;
    for (i = 0; i < pb_scenario_nevents(s); i++) {
        pb_event_info ev;
        int line;

        pb_scenario_event(s, i, &ev, &line);
        if (is_agent_move(ev.type))
            r.moves[r.nsteps++] = i;
    }
    if (pb_replay_start(r.e, s, &r.c, &err) != PB_OK) {
        cli_print_error(&err);
        goto done;
    }
    if ((r.before = pb_snapshot_new(r.c)) == NULL ||
        (r.shown = pb_snapshot_new(r.c)) == NULL)
        goto nomem;
    if (session(&r) != 0)
        goto nomem;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "playbook review: cannot write the session\n");
        goto done;
    }
    if (notes && write_notes(&r, notes) != 0)
        goto done;
    if (failed)
        pb__text_printf(stderr, "playbook review: %zu principle file%s did "
                        "not load (listed above)\n", pb_engine_nfailures(r.e),
                        pb_engine_nfailures(r.e) == 1 ? "" : "s");
    rc = failed || r.rejected ? EXIT_BAD : EXIT_OK;
    goto done;
nomem:
    fprintf(stderr, "playbook review: out of memory\n");
done:
    for (i = 0; r.answers && i < r.nsteps; i++)
        free(r.answers[i]);
    for (i = 0; r.yours && r.theirs && i < r.nsteps; i++) {
        free(r.yours[i]);
        free(r.theirs[i]);
    }
    free(r.answers);
    free(r.yours);
    free(r.theirs);
    free(r.moves);
    free(r.hits);
    pb_snapshot_free(r.before);
    free(r.changed);
    pb_snapshot_free(r.shown);
    pb_case_free(r.c);
    pb_engine_free(r.e);
    pb_scenario_free(s);
    free(o.args);
    return rc;
}
