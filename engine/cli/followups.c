/*
 * followups.c -- `playbook followups`: what the team promised customers
 * (agent.committed) and planned to check (followup.scheduled), across
 * case files, overdue first.
 *
 * Each case is read with its journal (a session may be running) and
 * replayed, so promises the detectors found in plain utterances count
 * too.  Due times are phrases ("tomorrow 10:00"): they are read relative
 * to when they were said, the case's started_at plus the event's time.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "jsonw.h"

static const char help[] =
    "usage: playbook followups [-p DIR] [--due-before WHEN] "
    "[--format text|json]\n"
    "                          PATH...\n"
    "\n"
    "Lists the commitments (agent.committed due=...) and follow-ups\n"
    "(followup.scheduled due=..., done once a later followup.done is\n"
    "recorded) of case files (a folder means every *.xml in it), overdue\n"
    "first, then by due time; a due time that cannot be read comes last as\n"
    "\"unparsed: TEXT\".  Cases are replayed through the principles, so\n"
    "promises the detectors find in what the agent said are listed too.\n"
    "\n"
    "Due times: ISO 8601 (2026-11-26T10:00, 2026-11-26 10:00, with Z or\n"
    "+01:00; a date alone means the end of that day), 'today 18:00',\n"
    "'tomorrow 10am', 'Friday', 'in 2h', 'in 3 days', 'within 48 hours',\n"
    "'within 3-5 business days', 'less than a week', 'end of day', 'by the\n"
    "end of the week', counted from when they were recorded, in the local\n"
    "time zone (TZ).\n"
    "\n"
    "  -p, --principles DIR   principle folder or file; repeat to combine\n"
    "      --due-before WHEN  only what is due before WHEN (same syntax,\n"
    "                         from now; follow-ups done are left out,\n"
    "                         unparsed ones kept)\n"
    "  -f, --format FMT       text (default) or json\n"
    "\n"
    "Exit: 0 success, 2 bad input or usage (a case that cannot be read is\n"
    "named and left out; the others are listed).\n";

typedef struct item {
    const char *file;
    const pb_case *c;
    pb_followup f;
} item;

typedef struct state {
    cli_files files;
    pb_case **cases;
    size_t ncases;
    item *items;
    size_t nitems, cap;
    double now, before;     /* before < 0: no --due-before */
} state;

/* The case's follow-ups (pb_case_followups), those --due-before keeps. */
static int add_items(state *s, const char *file, const pb_case *c)
{
    pb_followup *f;
    size_t i, n;

    if (pb_case_followups(c, s->now, &f, &n, NULL) != PB_OK)
        return -1;
    for (i = 0; i < n; i++) {
        item it;

        if (!pb_followup_listed(&f[i], s->before))
            continue;
        if (s->nitems == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 32;
            item *v = realloc(s->items, cap * sizeof *v);

            if (v == NULL) {
                free(f);
                return -1;
            }
            s->items = v;
            s->cap = cap;
        }
        it.file = file;
        it.c = c;
        it.f = f[i];
        s->items[s->nitems++] = it;
    }
    free(f);
    return 0;
}

static int by_due(const void *pa, const void *pb)
{
    const item *a = pa, *b = pb;
    int d;

    if ((d = pb_followup_order(&a->f, &b->f)) != 0 ||
        (d = strcmp(a->file, b->file)) != 0)
        return d;
    return a->f.event < b->f.event ? -1 : a->f.event > b->f.event;
}

static const char *local_stamp(double t, char *buf, size_t size)
{
    time_t tt = (time_t)floor(t);
    struct tm tm;

    if (localtime_r(&tt, &tm) == NULL ||
        strftime(buf, size, "%Y-%m-%d %H:%M", &tm) == 0)
        snprintf(buf, size, "?");
    return buf;
}

static const char *utc_stamp(double t, char *buf, size_t size)
{
    time_t tt = (time_t)floor(t);
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL ||
        strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, size, "?");
    return buf;
}

static const char *status(const item *it)
{
    if (it->f.done)
        return "done";
    return it->f.overdue ? "overdue" : "open";
}

static void print_text(const state *s, FILE *f)
{
    size_t i, overdue = 0;
    char when[64], col[160];

    for (i = 0; i < s->nitems; i++) {
        const item *it = &s->items[i];
        pb_event_info ev;

        pb_case_event(it->c, it->f.event, &ev);
        overdue += it->f.overdue;
        if (it->f.parsed)
            snprintf(col, sizeof col, "%s",
                     local_stamp(it->f.due, when, sizeof when));
        else
            snprintf(col, sizeof col, "unparsed: %s", it->f.due_text);
        pb__text_printf(f, "%-7s  %-16s  %-10s  %s  ", status(it), col,
                        it->f.kind == PB_FOLLOWUP_COMMITMENT ? "commitment"
                                                             : "follow-up",
                        it->file);
        pb__text_prose(f, ev.text ? ev.text : "(no text)");
        if (it->f.parsed)
            pb__text_printf(f, "  [due: %s]", it->f.due_text);
        if (ev.detected_by)
            pb__text_printf(f, "  [detected by %s]", ev.detected_by);
        if (it->f.done)
            pb__text_printf(f, "  [done%s%s]", it->f.outcome ? ": " : "",
                            it->f.outcome ? it->f.outcome : "");
        fputc('\n', f);
    }
    fprintf(f, "%zu listed, %zu overdue\n", s->nitems, overdue);
}

static void print_json(const state *s, FILE *f)
{
    char buf[64];
    size_t i;
    pb__json j;

    pb__json_init(&j, f);
    pb__json_open(&j, '{');
    pb__json_kstr(&j, "now", utc_stamp(s->now, buf, sizeof buf));
    pb__json_kstr(&j, "due_before", s->before >= 0
                  ? utc_stamp(s->before, buf, sizeof buf) : NULL);
    pb__json_key(&j, "items");
    pb__json_open(&j, '[');
    for (i = 0; i < s->nitems; i++) {
        const item *it = &s->items[i];
        pb_event_info ev;

        pb_case_event(it->c, it->f.event, &ev);
        pb__json_open(&j, '{');
        pb__json_kstr(&j, "file", it->file);
        pb__json_kstr(&j, "kind", it->f.kind == PB_FOLLOWUP_COMMITMENT
                                      ? "commitment" : "followup");
        pb__json_kstr(&j, "status", status(it));
        pb__json_kbool(&j, "overdue", it->f.overdue);
        pb__json_kstr(&j, "due_text", it->f.due_text);
        pb__json_kstr(&j, "due", it->f.parsed
                      ? utc_stamp(it->f.due, buf, sizeof buf) : NULL);
        pb__json_knum(&j, "t", ev.t);
        pb__json_kstr(&j, "text", ev.text);
        pb__json_kstr(&j, "topic", pb_case_topic(it->c));
        pb__json_kstr(&j, "detected_by", ev.detected_by);
        pb__json_kbool(&j, "done", it->f.done);
        pb__json_kstr(&j, "outcome", it->f.outcome);
        pb__json_close(&j, '}');
    }
    pb__json_close(&j, ']');
    pb__json_close(&j, '}');
    fputc('\n', f);
}

int cli_followups(int argc, char **argv)
{
    state s;
    cli_opts o;
    pb_format fmt;
    pb_engine *e = NULL;
    const char *before = NULL;
    const cli_option own[] = { { "--due-before", &before, NULL },
                               { NULL, NULL, NULL } };
    size_t i;
    int failed = 0, bad = 0, rc = EXIT_BAD;

    memset(&s, 0, sizeof s);
    s.now = (double)time(NULL);
    s.before = -1;
    switch (cli_parse(argc, argv, "followups", "pf", own, help, &o)) {
    case 1: rc = EXIT_OK; goto done;
    case -1: goto done;
    }
    if (cli_format("followups", o.format,
                   CLI_FMT(PB_FORMAT_TEXT) | CLI_FMT(PB_FORMAT_JSON),
                   &fmt) != 0)
        goto done;
    if (before != NULL && pb_due_parse(before, s.now, &s.before) != PB_OK) {
        cli_usage_error("followups", "cannot read --due-before '%s'", before);
        goto done;
    }
    if (o.nargs == 0) {
        cli_usage_error("followups", "no case file or folder given");
        goto done;
    }
    for (i = 0; i < (size_t)o.nargs; i++) {
        int x = cli_files_add(&s.files, o.args[i]);

        if (x < 0)
            goto nomem;
        bad |= x > 0;
    }
    if ((e = cli_engine(&o, &failed)) == NULL)
        goto done;
    if ((s.cases = calloc(s.files.n + 1, sizeof *s.cases)) == NULL)
        goto nomem;
    for (i = 0; i < s.files.n; i++) {
        pb_error err, warn;
        pb_case *c;

        if (pb_casefile_read(e, s.files.v[i], &c, &warn, &err) != PB_OK) {
            cli_print_error(&err);
            bad = 1;
            continue;
        }
        if (warn.message[0] != '\0') {
            char buf[1200];

            pb__text_printf(stderr, "playbook followups: note: %s\n",
                            pb_error_text(&warn, buf, sizeof buf));
        }
        s.cases[s.ncases++] = c;
        if (add_items(&s, s.files.v[i], c) != 0)
            goto nomem;
    }
    if (s.nitems > 0)
        qsort(s.items, s.nitems, sizeof *s.items, by_due);
    if (fmt == PB_FORMAT_JSON)
        print_json(&s, stdout);
    else
        print_text(&s, stdout);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "playbook followups: cannot write the list\n");
        goto done;
    }
    rc = failed || bad ? EXIT_BAD : EXIT_OK;
    goto done;
nomem:
    fprintf(stderr, "playbook followups: out of memory\n");
done:
    for (i = 0; i < s.ncases; i++)
        pb_case_free(s.cases[i]);
    cli_files_free(&s.files);
    free(s.cases);
    free(s.items);
    pb_engine_free(e);
    free(o.args);
    return rc;
}
