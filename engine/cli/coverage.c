/*
 * coverage.c -- `playbook coverage`: what a suite of calls exercises of
 * the principles, and with --mutate which items and detectors no call
 * notices when they are dropped (pb_coverage; docs/authoring.md,
 * "Coverage").
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: playbook coverage [-p DIR] [--mutate] [--min PCT]\n"
    "                         [--format text|json|html] [-o FILE] "
    "SCENARIO...\n"
    "\n"
    "Replays the scenarios (files or folders) and says what of the\n"
    "principles they exercise: per item, in how many calls it was done,\n"
    "violated or skipped; per detector, how often it fired; per pattern,\n"
    "phrase and example, how often it was what matched.  The figure is\n"
    "the share of items done, detectors fired and matches matched, all\n"
    "together.\n"
    "\n"
    "  --mutate               also drop each item and each detector in\n"
    "                         turn and replay: those whose loss changes\n"
    "                         no expectation of any call are untested\n"
    "  --min PCT              exit 1 when the figure is below PCT\n"
    "  -f, --format FMT       text (default), json or html\n"
    "  -o, --output FILE      write there (whole, or not at all)\n"
    "\n"
    "Exit: 0, 1 below --min, 2 bad input (a principle or scenario that\n"
    "does not load, an expectation naming no item) or bad usage.\n";

/* A call kept for mutation: the scenario and which expectations held. */
typedef struct kept {
    pb_scenario *s;
    char *met;
} kept;

/* Whether some call's expectations come out otherwise now. */
static int noticed(pb_engine *e, const kept *calls, size_t n)
{
    size_t i, k;
    int changed = 0;

    for (i = 0; i < n && !changed; i++) {
        pb_replay *r = NULL;

        if (pb_replay_run(e, calls[i].s, &r, NULL) != PB_OK) {
            changed = 1;     /* an event refused: noticed indeed */
            continue;
        }
        for (k = 0; k < pb_replay_nresults(r) && !changed; k++)
            changed = pb_replay_result(r, k)->met != calls[i].met[k];
        pb_replay_free(r);
    }
    return changed;
}

static void mutate(pb_engine *e, pb_coverage *cv, const kept *calls,
                   size_t n)
{
    size_t i, p, k;
    pb_principle_info pi;

    for (i = 0; i < pb_engine_nitems(e); i++) {
        pb_engine_drop_item(e, i, 1);
        pb_coverage_mutant(cv, 0, 0, i, noticed(e, calls, n));
        pb_engine_drop_item(e, i, 0);
    }
    for (p = 0; p < pb_engine_nprinciples(e); p++) {
        pb_engine_principle(e, p, &pi);
        for (k = 0; k < pi.ndetectors; k++) {
            pb_engine_drop_detector(e, p, k, 1);
            pb_coverage_mutant(cv, 1, p, k, noticed(e, calls, n));
            pb_engine_drop_detector(e, p, k, 0);
        }
    }
}

int cli_coverage(int argc, char **argv)
{
    int mut = 0, failed = 0, bad = 0, rc = EXIT_BAD, k;
    const char *min_s = NULL;
    const cli_option own[] = { { "--mutate", NULL, &mut },
                               { "--min", &min_s, NULL },
                               { NULL, NULL, NULL } };
    cli_files files = { NULL, 0 };
    pb_schema *schema = NULL;
    pb_coverage *cv = NULL;
    pb_engine *e = NULL;
    kept *calls = NULL;
    size_t i, ncalls = 0;
    pb_coverage_totals t;
    double min = -1;
    pb_format fmt;
    cli_opts o;
    cli_out out;
    char *end;

    switch (cli_parse(argc, argv, "coverage", "pfo", own, help, &o)) {
    case 1: rc = EXIT_OK; goto done;
    case -1: goto done;
    }
    if (cli_format("coverage", o.format, CLI_FMT(PB_FORMAT_TEXT) |
                   CLI_FMT(PB_FORMAT_JSON) | CLI_FMT(PB_FORMAT_HTML),
                   &fmt) != 0)
        goto done;
    if (min_s != NULL && ((min = strtod(min_s, &end)) < 0 || min > 100 ||
                          end == min_s || *end != '\0')) {
        cli_usage_error("coverage", "--min takes a percentage, 0 to 100 "
                        "(got '%s')", min_s);
        goto done;
    }
    if (o.nargs == 0) {
        cli_usage_error("coverage", "no scenario given");
        goto done;
    }
    if (o.output && cli_out_regular(o.output) != 0)
        goto done;
    for (k = 0; k < o.nargs; k++) {
        int x = cli_files_add(&files, o.args[k]);

        if (x < 0)
            goto nomem;
        bad |= x > 0;
    }
    if ((e = cli_engine(&o, &failed)) == NULL)
        goto done;
    if ((cv = pb_coverage_new(e)) == NULL ||
        (schema = pb_schema_new(NULL)) == NULL ||
        (calls = calloc(files.n + 1, sizeof *calls)) == NULL)
        goto nomem;
    for (i = 0; i < files.n; i++) {
        pb_scenario *s = NULL;
        pb_replay *r = NULL;
        pb_error err;

        if (cli_read_scenario(e, schema, "coverage", files.v[i], &s,
                              &err) != PB_OK ||
            pb_replay_run(e, s, &r, &err) != PB_OK) {
            cli_print_error(&err);
            pb_scenario_free(s);
            bad = 1;
            continue;
        }
        pb_coverage_add(cv, pb_replay_case(r));
        if (mut) {  /* kept, with what its expectations gave */
            size_t n = pb_replay_nresults(r), m;

            calls[ncalls].s = s;
            if ((calls[ncalls].met = malloc(n + 1)) == NULL) {
                pb_replay_free(r);
                pb_scenario_free(s);
                goto nomem;
            }
            for (m = 0; m < n; m++)
                calls[ncalls].met[m] = (char)pb_replay_result(r, m)->met;
            ncalls++;
            s = NULL;
        }
        pb_replay_free(r);
        pb_scenario_free(s);
    }
    if (failed || bad)
        goto done;
    if (mut)
        mutate(e, cv, calls, ncalls);
    if (cli_out_open(&out, o.output) != 0)
        goto done;
    if (pb_render_coverage(out.f, fmt, 0, cv) != PB_OK) {
        fprintf(stderr, "playbook coverage: cannot write the report\n");
        cli_out_close(&out, 0);
        goto done;
    }
    if (cli_out_close(&out, 1) != 0)
        goto done;
    pb_coverage_figures(cv, &t);
    rc = min >= 0 && t.percent < min ? EXIT_UNMET : EXIT_OK;
    if (rc == EXIT_UNMET)
        fprintf(stderr, "playbook coverage: %.1f%% is below --min %s\n",
                t.percent, min_s);
    goto done;
nomem:
    fprintf(stderr, "playbook coverage: out of memory\n");
done:
    for (i = 0; i < ncalls; i++) {
        pb_scenario_free(calls[i].s);
        free(calls[i].met);
    }
    free(calls);
    pb_coverage_free(cv);
    pb_schema_free(schema);
    cli_files_free(&files);
    pb_engine_free(e);
    free(o.args);
    return rc;
}
