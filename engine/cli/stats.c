/*
 * stats.c -- `playbook stats`: where the team stands, over many cases.
 *
 * Each file is replayed and folded into the statistics at once, then
 * freed: memory stays flat however many cases a team has.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: playbook stats [-p DIR] [--format text|json|html] [-o FILE] "
    "PATH...\n"
    "\n"
    "Team statistics over scenario and case files (a folder means every\n"
    "*.xml in it, in name order).  Each case is replayed through the\n"
    "principles (its <expect> is ignored) and counted:\n"
    "  - root causes (fact root_cause): which operational failures bring\n"
    "    the most contacts, and how often each was resolved;\n"
    "  - resolution and first-contact resolution;\n"
    "  - adherence per principle (mean and pooled score) and per item;\n"
    "  - the musts most often missed, and violations by item.\n"
    "No durations or handle times: quality is resolution and adherence,\n"
    "never speed.  docs/stats.md says how each figure is computed.\n"
    "\n"
    "  -p, --principles DIR   principle folder or file; repeat to combine\n"
    "                         (default: $PLAYBOOK_PRINCIPLES, else the\n"
    "                         installed library, else ./principles)\n"
    "  -f, --format FMT       text (default), json or html\n"
    "  -o, --output FILE      write the report to FILE (replaced only when\n"
    "                         complete)\n"
    "\n"
    "Exit: 0 success, 2 bad input or usage (a file that cannot be read or\n"
    "replayed is named with its line and left out; the others are still\n"
    "counted).\n";

/* One file into the statistics; its replay is not kept. */
static int add_file(pb_engine *e, const pb_schema *schema, pb_stats *s,
                    const char *path)
{
    pb_scenario *scen = NULL;
    pb_replay *rep = NULL;
    pb_error err;
    int ok = cli_read_scenario(e, schema, "stats", path, &scen, &err) ==
                 PB_OK &&
             pb_replay_run(e, scen, &rep, &err) == PB_OK &&
             pb_stats_add_replay(s, rep, &err) == PB_OK;

    if (!ok) {
        cli_print_error(&err);
        pb_stats_add_unreadable(s);
    }
    pb_replay_free(rep);
    pb_scenario_free(scen);
    return ok;
}

int cli_stats(int argc, char **argv)
{
    cli_opts o;
    pb_format fmt;
    pb_engine *e = NULL;
    pb_stats *s = NULL;
    pb_schema *schema = NULL;
    cli_files files = { NULL, 0 };
    size_t i;
    int rc = EXIT_BAD, failed = 0, bad = 0, x;
    cli_out out;

    switch (cli_parse(argc, argv, "stats", "pfo", NULL, help, &o)) {
    case 1: rc = EXIT_OK; goto done;
    case -1: goto done;
    }
    if (cli_format("stats", o.format,
                   CLI_FMT(PB_FORMAT_TEXT) | CLI_FMT(PB_FORMAT_JSON) |
                       CLI_FMT(PB_FORMAT_HTML), &fmt) != 0)
        goto done;
    if (o.nargs == 0) {
        cli_usage_error("stats", "no scenario or case file given");
        goto done;
    }
    for (i = 0; i < (size_t)o.nargs; i++) {
        if ((x = cli_files_add(&files, o.args[i])) < 0)
            goto nomem;
        bad |= x > 0;
    }
    if (files.n == 0) {
        cli_usage_error("stats", "no scenario or case file given");
        goto done;
    }
    if ((e = cli_engine(&o, &failed)) == NULL)
        goto done;
    if ((s = pb_stats_new(e)) == NULL)
        goto nomem;
    schema = pb_schema_new(NULL); /* NULL: each read compiles one */
    for (i = 0; i < files.n; i++)
        bad |= !add_file(e, schema, s, files.v[i]);
    if (cli_out_open(&out, o.output) != 0)
        goto done;
    if (pb_stats_render(s, out.f, fmt,
                        o.output ? 0 : cli_render_flags(stdout)) != PB_OK) {
        fprintf(stderr, "playbook stats: cannot write the report\n");
        cli_out_close(&out, 0);
        goto done;
    }
    if (cli_out_close(&out, 1) != 0)
        goto done;
    rc = failed || bad ? EXIT_BAD : EXIT_OK;
    goto done;
nomem:
    fprintf(stderr, "playbook stats: out of memory\n");
done:
    pb_schema_free(schema);
    pb_stats_free(s);
    pb_engine_free(e);
    cli_files_free(&files);
    free(o.args);
    return rc;
}
