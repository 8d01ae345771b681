/*
 * replay.c -- `playbook replay`: scenarios through the principles.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: playbook replay [-p DIR] [--format text|json|junit|html] "
    "[-o FILE]\n"
    "                       FILE|DIR...\n"
    "\n"
    "Replays each scenario (a folder means every *.xml in it) through the\n"
    "principles and shows the timeline (which items changed state at which\n"
    "event; events added by detectors are marked ~), the final checklist,\n"
    "what is next, the score, and each <expect> of the scenario.\n"
    "\n"
    "  -p, --principles DIR   principle folder or file; repeat to combine\n"
    "                         (default: $PLAYBOOK_PRINCIPLES, else the\n"
    "                         installed library, else ./principles)\n"
    "  -f, --format FMT       text (default), json (for programs), junit\n"
    "                         (JUnit XML for CI: one testcase per\n"
    "                         scenario) or html (one self-contained page\n"
    "                         with a timeline picture; see docs/reports.md)\n"
    "  -o, --output FILE      write the report to FILE (replaced only when\n"
    "                         complete)\n"
    "\n"
    "Exit: 0 every expectation met, 1 some not met, 2 bad input (a message\n"
    "names the file and line).\n";

int cli_replay(int argc, char **argv)
{
    cli_opts o;
    pb_format fmt;
    pb_engine *e = NULL;
    pb_schema *schema = NULL;
    pb_scenario **scen = NULL;
    pb_replay **reps = NULL;
    cli_files files = { NULL, 0 };
    size_t i, nrep = 0;
    int rc = EXIT_BAD, failed = 0, bad = 0, passed = 1;
    cli_out out;

    switch (cli_parse(argc, argv, "replay", "pfo", NULL, help, &o)) {
    case 1: rc = EXIT_OK; goto done;
    case -1: goto done;
    }
    if (cli_format("replay", o.format,
                   CLI_FMT(PB_FORMAT_TEXT) | CLI_FMT(PB_FORMAT_JSON) |
                       CLI_FMT(PB_FORMAT_JUNIT) | CLI_FMT(PB_FORMAT_HTML),
                   &fmt) != 0)
        goto done;
    if (o.nargs == 0) {
        cli_usage_error("replay", "no scenario given");
        goto done;
    }
    for (i = 0; i < (size_t)o.nargs; i++) {
        int x = cli_files_add(&files, o.args[i]);

        if (x < 0)
            goto nomem;
        bad |= x > 0;
    }
    if ((e = cli_engine(&o, &failed)) == NULL)
        goto done;
    scen = calloc(files.n + 1, sizeof *scen);
    reps = calloc(files.n + 1, sizeof *reps);
    if (scen == NULL || reps == NULL)
        goto nomem;
    schema = pb_schema_new(NULL); /* NULL: each read compiles one */
    for (i = 0; i < files.n; i++) {
        pb_error err;

        if (cli_read_scenario(e, schema, "replay", files.v[i], &scen[i],
                              &err) != PB_OK ||
            pb_replay_run(e, scen[i], &reps[nrep], &err) != PB_OK) {
            cli_print_error(&err);
            bad = 1;
            continue;
        }
        passed &= pb_replay_passed(reps[nrep]);
        nrep++;
    }
    if (cli_out_open(&out, o.output) != 0)
        goto done;
    if (pb_render_replays(out.f, fmt, o.output ? 0 : cli_render_flags(stdout),
                          reps, nrep) != PB_OK) {
        fprintf(stderr, "playbook replay: cannot write the report\n");
        cli_out_close(&out, 0);
        goto done;
    }
    if (cli_out_close(&out, 1) != 0)
        goto done;
    rc = failed || bad ? EXIT_BAD : passed ? EXIT_OK : EXIT_UNMET;
    goto done;
nomem:
    fprintf(stderr, "playbook replay: out of memory\n");
done:
    pb_schema_free(schema);
    for (i = 0; i < nrep; i++)
        pb_replay_free(reps[i]);
    for (i = 0; scen && i < files.n; i++)
        pb_scenario_free(scen[i]);
    cli_files_free(&files);
    free(scen);
    free(reps);
    pb_engine_free(e);
    free(o.args);
    return rc;
}
