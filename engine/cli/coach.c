/*
 * coach.c -- `playbook coach AGENT`: one agent's development path over
 * their calls, against the team's (docs/trainers.md).
 *
 * Each call is replayed and counted, then freed, as stats does; only a
 * few moments per item are kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define PRACTICE_DIRS 4

static const char help[] =
    "usage: playbook coach AGENT [-p DIR] [--practice PATH]... "
    "[--format text|html]\n"
    "                      [-o FILE] PATH...\n"
    "\n"
    "One agent's development path, for a trainer to walk through with\n"
    "them: over the calls in PATH (scenario and case files; a folder\n"
    "means every *.xml in it) whose <case agent=\"...\"> is AGENT,\n"
    "  - the musts they miss most, against the team (every call given),\n"
    "    each with the first calls and moments that show it;\n"
    "  - scenarios to practise each one on (from --practice: those whose\n"
    "    <expect> checks the item), to run with `playbook review`;\n"
    "  - where they do clearly better than the team;\n"
    "  - their mean score and first-contact resolution month by month\n"
    "    (of the fact started_at), beside the team's.\n"
    "No durations or handle times: quality is resolution and adherence.\n"
    "\n"
    "  -p, --principles DIR   principle folder or file; repeat to combine\n"
    "      --practice PATH    scenarios to recommend practice from (a\n"
    "                         folder: its *.xml); up to 4 times\n"
    "  -f, --format FMT       text (default) or html\n"
    "  -o, --output FILE      write the page to FILE (replaced only when\n"
    "                         complete)\n"
    "\n"
    "Exit: 0 success, 2 bad input or usage: no call of AGENT among the\n"
    "files (the agents that have calls are listed), or a file that\n"
    "cannot be read (named with its line and left out; the rest are\n"
    "still counted).\n";

/* One call into the coaching (cli_fold_file). */
static pb_status fold(void *c, const pb_replay *r, pb_error *err)
{
    return pb_coach_add_replay(c, r, err);
}

static int add_practice(pb_engine *e, const pb_schema *schema, pb_coach *c,
                        const char *path)
{
    pb_scenario *scen = NULL;
    pb_error err;
    int ok = cli_read_scenario(e, schema, "coach", path, &scen, &err) ==
                 PB_OK &&
             pb_coach_add_practice(c, e, scen, &err) == PB_OK;

    if (!ok)
        cli_print_error(&err);
    pb_scenario_free(scen);
    return ok;
}

/* No call is the agent's: say which agents there are. */
static void no_calls(const pb_coach *c, size_t nfiles)
{
    const pb_stats *all = pb_coach_everyone(c);
    size_t i, n = 0, none = 0;
    pb_stats_group_info g;

    pb__text_printf(stderr, "playbook coach: no call of \"%s\" among the "
                    "%zu file%s", pb_coach_name(c), nfiles,
                    nfiles == 1 ? "" : "s");
    for (i = 0; i < pb_stats_ngroups(all, PB_STATS_AGENT); i++) {
        pb_stats_group(all, PB_STATS_AGENT, i, &g);
        if (g.name == NULL) {
            none = g.cases;
            continue;
        }
        pb__text_printf(stderr, "%s\"%s\"", n++ ? ", " : "; agents with "
                        "calls: ", g.name);
    }
    if (n == 0)
        fputs("; none of them names an agent (<case agent=\"...\">, or "
              "import --agent)", stderr);
    else if (none)
        fprintf(stderr, "; %zu name%s none", none, none == 1 ? "s" : "");
    fputc('\n', stderr);
}

int cli_coach(int argc, char **argv)
{
    const char *practice[PRACTICE_DIRS] = { NULL };
    const cli_option own[] = { { "--practice", &practice[0], NULL },
                               { "--practice", &practice[1], NULL },
                               { "--practice", &practice[2], NULL },
                               { "--practice", &practice[3], NULL },
                               { NULL, NULL, NULL } };
    cli_files calls = { NULL, 0 }, drills = { NULL, 0 };
    pb_engine *e = NULL;
    pb_schema *schema = NULL;
    pb_coach *c = NULL;
    int rc = EXIT_BAD, failed = 0, bad = 0, x;
    pb_stats_info in;
    pb_format fmt;
    cli_opts o;
    cli_out out;
    size_t i;

    switch (cli_parse(argc, argv, "coach", "pfo", own, help, &o)) {
    case 1: rc = EXIT_OK; goto done;
    case -1: goto done;
    }
    if (cli_format("coach", o.format, CLI_FMT(PB_FORMAT_TEXT) |
                   CLI_FMT(PB_FORMAT_HTML), &fmt) != 0)
        goto done;
    if (o.nargs < 2) {
        cli_usage_error("coach", o.nargs ? "no call given (a folder or "
                        "files after the agent's name)" : "no agent given");
        goto done;
    }
    if (o.args[0][0] == '\0') {
        cli_usage_error("coach", "the agent's name is empty");
        goto done;
    }
    for (i = 1; i < (size_t)o.nargs; i++) {
        if ((x = cli_files_add(&calls, o.args[i])) < 0)
            goto nomem;
        bad |= x > 0;
    }
    for (i = 0; i < PRACTICE_DIRS && practice[i]; i++) {
        if ((x = cli_files_add(&drills, practice[i])) < 0)
            goto nomem;
        bad |= x > 0;
    }
    if (calls.n == 0) {
        cli_usage_error("coach", "no scenario or case file given");
        goto done;
    }
    if ((e = cli_engine(&o, &failed)) == NULL)
        goto done;
    if ((c = pb_coach_new(e, o.args[0])) == NULL)
        goto nomem;
    schema = pb_schema_new(NULL);
    for (i = 0; i < calls.n; i++)
        if (!cli_fold_file(e, schema, "coach", calls.v[i], fold, c)) {
            pb_coach_add_unreadable(c);
            bad = 1;
        }
    for (i = 0; i < drills.n; i++)
        bad |= !add_practice(e, schema, c, drills.v[i]);
    pb_stats_overall(pb_coach_calls(c), &in);
    if (in.cases == 0) {
        no_calls(c, calls.n);
        goto done;
    }
    if (cli_out_open(&out, o.output) != 0)
        goto done;
    if (pb_coach_render(c, out.f, fmt, o.output ? 0
                        : cli_render_flags(stdout)) != PB_OK) {
        fprintf(stderr, "playbook coach: cannot write the page\n");
        cli_out_close(&out, 0);
        goto done;
    }
    if (cli_out_close(&out, 1) != 0)
        goto done;
    rc = failed || bad ? EXIT_BAD : EXIT_OK;
    goto done;
nomem:
    fprintf(stderr, "playbook coach: out of memory\n");
done:
    pb_schema_free(schema);
    pb_coach_free(c);
    pb_engine_free(e);
    cli_files_free(&calls);
    cli_files_free(&drills);
    free(o.args);
    return rc;
}
