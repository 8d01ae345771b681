/*
 * live.c -- `playbook live`: the session an agent runs during a call.
 * Short commands (engine/files/command.c reads them) record events in a
 * case file through pb_casefile; after each one the agent sees what was
 * saved, what it changed, the checklist and what to do next (all that is
 * printed is live_view.c's).
 *
 * "saved" is printed only after pb_casefile_append returned PB_OK, that
 * is once the event is fsync'ed: what the agent saw acknowledged survives
 * kill -9.  A failed save (disk full) is said at once; the event stays in
 * memory and every later command retries, until one says it is saved.
 *
 * On a terminal, lines are edited with libedit (lineedit.c: history, Tab
 * completes commands, item refs and fact names, which this file lists);
 * from a pipe they are read with getline, without prompts or escape
 * codes, so sessions can be scripted and tested.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "lineedit.h"
#include "live_view.h"

static const char help_text[] =
    "usage: playbook live [-p DIR] [--case FILE] [--topic T] [--channel C]\n"
    "\n"
    "An interactive session for an agent during a call or chat.  Type what\n"
    "happens as short commands (c TEXT: the customer said, a TEXT: you\n"
    "said, commit tomorrow 10:00 ..., help lists them all); after each one\n"
    "the checklist shows what is done, what was missed and what is next.\n"
    "Every event is saved (fsync'ed) before \"saved\" is shown.  quit (or\n"
    "the end of the input) leaves the case open to resume with --case;\n"
    "end ends the call with a summary, and the case stays open for what is\n"
    "left for later (a follow-up) or closes itself; close closes it for\n"
    "good.  docs/agents.md is the guide.\n"
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

typedef struct live {
    live_view v;            /* what the agent sees */
    const char **refs;      /* "principle.item", for completion */
    const char **facts;     /* fact names the principles collect */
    size_t nfacts;
    pb_snapshot *at_close;  /* the case before end or close, once
                             * this session ended or closed it */
    int quit_warned;        /* quit refused once: events unsaved */
    int lost;               /* the session ended with events unsaved */
    lineedit *ed;           /* on a terminal, else NULL */
} live;

/* Retries a save that failed; says so when it now worked. */
static void retry_save(live *lv)
{
    live_view *v = &lv->v;
    size_t pending = pb_casefile_pending(v->cf);
    size_t nrec = pb_casefile_nrecorded(v->cf);
    pb_error err;
    pb_status st;

    if (pending == 0)
        return;
    st = pb_casefile_save(v->cf, &err);
    if (st == PB_OK)
        view_saved(v, st, &err, pending, nrec);
}

/* Names. */

static int known_fact(const live *lv, const char *name)
{
    const pb_case *c = view_case(&lv->v);
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
    live_view *v = &lv->v;
    long k;

    if (ref == NULL || pb_engine_find_item(v->e, ref) >= 0)
        return 0;
    k = pb_command_closest(ref, lv->refs, v->nitems);
    if (k >= 0)
        view_error(v, "no item '%s': did you mean %s?", ref, lv->refs[k]);
    else
        view_error(v, "no item '%s' (show lists them; Tab completes them "
                   "on a terminal)", ref);
    return -1;
}

/* Recording. */

/* Appends an event and says what happened: saved or not, what it
 * changed, the checklist.  0 when recorded (saved or pending). */
static int record(live *lv, const char *type, const char *text,
                  const pb_attr *attrs, size_t nattrs, const char *due)
{
    live_view *v = &lv->v;
    size_t pending = pb_casefile_pending(v->cf);
    size_t nrec = pb_casefile_nrecorded(v->cf);
    pb_error err;
    pb_status st;

    if (pb_case_closed(view_case(v))) {
        view_error(v, "the case is closed: no event can be added (show, "
                   "log and quit still work)");
        return -1;
    }
    view_before(v);
    st = pb_casefile_append(v->cf, pb_casefile_now(v->cf), type, text,
                            attrs, nattrs, &err);
    if (st != PB_OK && st != PB_IO) {
        char msg[1200];

        view_error(v, "%s", pb_error_text(&err, msg, sizeof msg));
        return -1;
    }
    view_saved(v, st, &err, pending, nrec);
    if (due != NULL)
        view_due(v, due);
    view_changes(v);
    return 0;
}

static void do_event(live *lv, const pb_command *cmd)
{
    live_view *v = &lv->v;
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
    if (pb_case_settled(view_case(v)))     /* event contact.ended */
        fputs("  Nothing is left to follow up: the case closed itself (show, "
              "log and quit\n  still work).\n", v->out);
    /* Recorded as typed: a fact may be one no principle knows. */
    if (typo != NULL)
        pb__text_printf(v->out, "  note: no principle collects '%s'; did "
                        "you mean %s? (fact %s=... records it)\n", fact, typo,
                        typo);
    view_checklist(v);
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
    live_view *v = &lv->v;
    size_t n = pb_casefile_nrecorded(v->cf);
    char msg[1200];
    pb_error err;
    pb_undo u;

    if (cmd->ref > n) {     /* said here to point at log's numbers */
        view_error(v, "no event #%lu: the case has %zu (log lists them)",
                   cmd->ref, n);
        return;
    }
    if (pb_case_undo_event(view_case(v), cmd->ref, &u, &err) != PB_OK) {
        view_error(v, "%s", pb_error_text(&err, msg, sizeof msg));
        return;
    }
    if (record(lv, u.type, u.text, u.attrs, u.nattrs, NULL) != 0)
        return;
    fprintf(v->out, "  #%zu is marked undone.  It stays in the case, and "
            "what it did to the\n  checklist stands (the engine takes "
            "nothing back); the reviewer sees both.\n", u.ref);
    view_checklist(v);
}

/* Saves everything, unlocks and ends.  0 when done; -1 when the case is
 * still open here (a save failed and events would be lost). */
static int finish(live *lv, int force)
{
    live_view *v = &lv->v;
    size_t pending;
    pb_error err;
    char msg[1200];

    if (pb_casefile_close(v->cf, &err) == PB_OK) {
        v->cf = NULL;
        return 0;
    }
    pending = pb_casefile_pending(v->cf);
    if (pending == 0) {
        /* The journal has every event; the next session merges it. */
        pb__text_printf(v->out, "note: %s; every event is in %s.journal, "
                        "which the next session merges\n",
                        pb_error_text(&err, msg, sizeof msg), v->path);
        pb_casefile_free(v->cf);
        v->cf = NULL;
        return 0;
    }
    cli_paint(v->out, v->color, CLI_BOLD CLI_RED);
    pb__text_printf(v->out, "NOT SAVED: %zu event%s: %s\n", pending,
                    pending == 1 ? "" : "s",
                    pb_error_text(&err, msg, sizeof msg));
    cli_paint(v->out, v->color, CLI_RESET);
    if (!force) {
        fputs("  Free some space and try again; quit once more leaves "
              "without them.\n", v->out);
        return -1;
    }
    pb__text_printf(v->out, "  Leaving: the last %zu event%s of the session "
                    "%s lost.\n", pending, pending == 1 ? "" : "s",
                    pending == 1 ? "is" : "are");
    pb_casefile_free(v->cf);
    v->cf = NULL;
    lv->lost = 1;
    return 0;
}

/* end (contact.ended) and close (case.closed): 1 when the session is
 * over. */
static int do_close(live *lv, const pb_command *cmd)
{
    live_view *v = &lv->v;
    const pb_case *c = view_case(v);
    int closed, settled;

    if (!pb_case_closed(c)) {
        if (lv->at_close == NULL &&
            (lv->at_close = pb_snapshot_new(view_case(v))) == NULL) {
            view_error(v, "out of memory");
            return 0;
        }
        pb_snapshot_take(lv->at_close, view_case(v));
        if (record(lv, cmd->type, cmd->text, cmd->attrs, cmd->nattrs,
                   NULL) != 0)
            return 0;
    }
    view_summary(v, lv->at_close);
    closed = pb_case_closed(c);         /* finish frees the case */
    settled = pb_case_settled(c);
    if (finish(lv, 0) != 0) {
        pb__text_printf(v->out, "  Not saved yet: %s again to retry.\n",
                        cmd->name);
        return 0;
    }
    if (!closed)
        pb__text_printf(v->out, "The contact ended; the case stays open and "
                        "is saved in %s.\n  playbook live --case %s resumes "
                        "it for the next contact.\n", v->path, v->path);
    else if (settled)
        pb__text_printf(v->out, "Nothing is left to follow up: the case "
                        "closed itself and is saved in %s.\n", v->path);
    else
        pb__text_printf(v->out, "The case is closed and saved in %s.\n",
                        v->path);
    return 1;
}

/* 1 when the session is over. */
static int do_quit(live *lv)
{
    live_view *v = &lv->v;
    int force = lv->quit_warned, closed = pb_case_closed(view_case(v));

    lv->quit_warned = 1;
    if (finish(lv, force) != 0)
        return 0;
    if (lv->lost)
        return 1;
    if (closed)
        pb__text_printf(v->out, "The case is closed; it is in %s.\n",
                        v->path);
    else
        pb__text_printf(v->out, "Left the case open: playbook live --case %s "
                        "resumes it.\n", v->path);
    return 1;
}

/* One line of input.  1 when the session is over. */
static int handle(live *lv, const char *line, size_t len, int tty)
{
    live_view *v = &lv->v;
    pb_command *cmd = malloc(sizeof *cmd);
    pb_error err;
    int over = 0;

    if (cmd == NULL) {
        view_error(v, "out of memory");
        return 0;
    }
    if (pb_command_parse(line, len, cmd, &err) != PB_OK) {
        /* A caret under the typed line, which the prompt "> " precedes. */
        if (tty && cmd->column > 0 && cmd->column < v->width - 2)
            pb__text_printf(v->out, "%*s^\n", cmd->column + 1, "");
        view_error(v, "%s", err.message);
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
        pb_render_checklist(v->out, PB_FORMAT_TEXT,
                            v->color ? PB_RENDER_COLOR : 0, view_case(v));
        break;
    case PB_CMD_LOG:
        retry_save(lv);
        view_log(v);
        break;
    case PB_CMD_HELP:
        retry_save(lv);
        view_help(v, cmd->topic);
        break;
    case PB_CMD_QUIT:
        over = do_quit(lv);
        break;
    }
    if (!over)
        view_pending(v);
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
    const pb_case *c = view_case(&lv->v);
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
        for (i = 0; i < lv->v.nitems && n < max; i++)
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
    collected *all = malloc((lv->v.nitems + 1) * sizeof *all);
    unsigned char *first = calloc(lv->v.nitems + 1, 1);
    pb_item_def def;
    size_t i, n = 0;

    if (all == NULL || first == NULL) {
        free(all);
        free(first);
        return -1;
    }
    for (i = 0; i < lv->v.nitems; i++) {
        pb_engine_item(lv->v.e, i, &def);
        if (def.collects != NULL) {
            all[n].name = def.collects;
            all[n++].at = i;
        }
    }
    qsort(all, n, sizeof *all, by_name_then_place);
    for (i = 0; i < n; i++)
        first[all[i].at] = i == 0 || strcmp(all[i].name, all[i - 1].name) != 0;
    for (i = 0; i < lv->v.nitems; i++) {
        if (first[i]) {
            pb_engine_item(lv->v.e, i, &def);
            lv->facts[lv->nfacts++] = def.collects;
        }
    }
    free(all);
    free(first);
    return 0;
}

static int names_init(live *lv)
{
    live_view *v = &lv->v;
    pb_item_def def;
    size_t i;

    lv->refs = calloc(v->nitems + 1, sizeof *lv->refs);
    lv->facts = calloc(v->nitems + 1, sizeof *lv->facts);
    if (!lv->refs || !lv->facts)
        return -1;
    for (i = 0; i < v->nitems; i++) {
        pb_engine_item(v->e, i, &def);
        lv->refs[i] = def.ref;
    }
    return collected_facts(lv);
}

static void names_free(live *lv)
{
    free((void *)lv->refs);
    free((void *)lv->facts);
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
    const live_view *v = &lv->v;
    pb_principle_info pi;
    size_t i;

    pb__text_printf(stderr, "playbook live: %zu principle file%s failed to "
                    "load (above); going on with", pb_engine_nfailures(v->e),
                    pb_engine_nfailures(v->e) == 1 ? "" : "s");
    for (i = 0; i < v->nprinciples; i++) {
        pb_engine_principle(v->e, i, &pi);
        pb__text_printf(stderr, " %s", pi.id);
    }
    pb__text_printf(stderr, "%s\n", v->nprinciples ? "" : " none (events are "
                    "still recorded)");
}

static int term_width(void)
{
    int w = cli_term_width(stdout);

    return w >= 40 ? w : WIDTH;
}

/* The session loop: lines from the editor or from stdin. */
static void session(live *lv, int tty)
{
    live_view *v = &lv->v;
    char *buf = NULL, prompt[64];
    size_t cap = 0, len, n;
    ssize_t got;
    int r;

    for (;;) {
        const char *line;

        fflush(v->out);
        if (tty) {
            v->width = term_width(); /* the window may have changed */
            if ((n = pb_casefile_pending(v->cf)) > 0)
                snprintf(prompt, sizeof prompt, "[%zu NOT SAVED] > ", n);
            else
                snprintf(prompt, sizeof prompt, "> ");
            r = lineedit_read(lv->ed, prompt, &line, &len);
            if (r == LINEEDIT_INTERRUPTED) {
                fputc('\n', v->out); /* Ctrl-C: a fresh line */
                continue;
            }
            if (r == LINEEDIT_END) {
                fputc('\n', v->out);
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
    fflush(v->out);
    free(buf);
}

int cli_live(int argc, char **argv)
{
    const char *path = NULL, *topic = NULL, *channel = NULL;
    const cli_option own[] = {
        { "--case", &path, NULL }, { "--topic", &topic, NULL },
        { "--channel", &channel, NULL }, { NULL, NULL, NULL },
    };
    pb_casefile_opts co;
    pb_engine *e = NULL;
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
    if ((e = cli_engine(&o, &failed)) == NULL)
        goto done;
    if (view_init(&lv.v, e) != 0 || names_init(&lv) != 0)
        goto nomem;
    if (failed)
        loaded_note(&lv);
    memset(&co, 0, sizeof co);
    co.topic = topic;
    co.channel = channel;
    co.wait = 0; /* a held case fails at once, not after a silent wait */
    if (cli_put_back("live", path) != 0)
        goto done;
    st = pb_casefile_open(e, path, &co, &lv.v.cf, &err);
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
                      pb_case_topic(view_case(&lv.v))) != 0 ||
        check_matches(path, "channel", channel,
                      pb_case_channel(view_case(&lv.v))) != 0)
        goto done;
    if (view_open(&lv.v) != 0)
        goto nomem;
    lv.v.path = path;
    lv.v.out = stdout;
    lv.v.color = cli_render_flags(stdout) & PB_RENDER_COLOR ? 1 : 0;
    tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    lv.v.width = tty ? term_width() : WIDTH;
    if (tty && (lv.ed = lineedit_open("playbook", lv.v.out, candidates,
                                      &lv)) == NULL)
        goto nomem;
    view_greeting(&lv.v, created);
    session(&lv, tty);
    rc = lv.lost ? EXIT_BAD : EXIT_OK;
    goto done;
nomem:
    fprintf(stderr, "playbook live: out of memory\n");
done:
    lineedit_close(lv.ed);
    pb_casefile_free(lv.v.cf);
    names_free(&lv);
    view_free(&lv.v);
    pb_engine_free(e);
    free(made);
    free(o.args);
    return rc;
}
