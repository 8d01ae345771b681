/*
 * stats.c -- `playbook stats`: where the team stands, over many cases.
 *
 * Each file is replayed and folded into the statistics at once, then
 * freed: memory stays flat however many cases a team has.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: playbook stats [-p DIR] [--format text|json|html] [-o FILE] "
    "PATH...\n"
    "       playbook stats --partial [-p DIR] -o PARTIAL [--files-from "
    "LIST] PATH...\n"
    "       playbook stats --merge [--format text|json|html] [-o FILE] "
    "PARTIAL...\n"
    "\n"
    "Team statistics over scenario and case files (a folder means every\n"
    "*.xml in it, in name order).  Each case is replayed through the\n"
    "principles (its <expect> is ignored) and counted:\n"
    "  - root causes (fact root_cause): which operational failures bring\n"
    "    the most contacts, repeat contacts included, and how often each\n"
    "    was resolved;\n"
    "  - resolution and first-contact resolution;\n"
    "  - adherence per principle (mean and pooled score) and per item;\n"
    "  - per agent (<case agent=\"...\">) and per month (of started_at):\n"
    "    in HTML a heatmap of principles by agent and lines over time;\n"
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
    "      --partial          write what these files count, to be merged:\n"
    "                         one shard of a large run (docs/scale.md)\n"
    "      --files-from LIST  also the files named in LIST, one a line (a\n"
    "                         shard's list: more than a command line holds)\n"
    "      --merge            the report of partials added up: exactly the\n"
    "                         figures of one run over all their cases;\n"
    "                         partials of other versions of the engine or\n"
    "                         the principles are refused\n"
    "\n"
    "Exit: 0 success, 2 bad input or usage (a file that cannot be read or\n"
    "replayed is named with its line and left out; the others are still\n"
    "counted; a partial that is cut short, altered or of another version\n"
    "stops the merge, and nothing is written).\n";

/* One file into the statistics (cli_fold_file). */
static pb_status fold(void *s, const pb_replay *r, pb_error *err)
{
    return pb_stats_add_replay(s, r, err);
}

/* The files named in list, one a line (blank lines pass): 0, 1 after
 * saying why the list cannot be read, -1 when out of memory. */
static int files_from(cli_files *files, const char *list)
{
    FILE *f = fopen(list, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;

    if (f == NULL) {
        pb__text_printf(stderr, "%s: cannot open: %s\n", list,
                        strerror(errno));
        return 1;
    }
    while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n > 0 && cli_files_add(files, line) < 0)
            rc = -1;
    }
    if (rc == 0 && ferror(f)) {
        pb__text_printf(stderr, "%s: cannot read: %s\n", list,
                        strerror(errno));
        rc = 1;
    }
    free(line);
    fclose(f);
    return rc;
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
    int rc = EXIT_BAD, failed = 0, bad = 0, x, partial = 0, merge = 0;
    const char *from = NULL;
    const cli_option own[] = { { "--partial", NULL, &partial },
                               { "--merge", NULL, &merge },
                               { "--files-from", &from, NULL },
                               { NULL, NULL, NULL } };
    pb_error err;
    cli_out out;

    switch (cli_parse(argc, argv, "stats", "pfo", own, help, &o)) {
    case 1: rc = EXIT_OK; goto done;
    case -1: goto done;
    }
    if (cli_format("stats", o.format,
                   CLI_FMT(PB_FORMAT_TEXT) | CLI_FMT(PB_FORMAT_JSON) |
                       CLI_FMT(PB_FORMAT_HTML), &fmt) != 0)
        goto done;
    if (o.nargs == 0 && from == NULL) {
        cli_usage_error("stats", merge ? "no partial given"
                                       : "no scenario or case file given");
        goto done;
    }
    if (from && merge) {
        cli_usage_error("stats", "--files-from lists calls, not partials");
        goto done;
    }
    if (partial && (merge || o.format || o.output == NULL)) {
        cli_usage_error("stats", merge ? "--partial or --merge, not both"
                        : o.format ? "a partial has no --format"
                                   : "--partial needs -o PARTIAL");
        goto done;
    }
    if (merge && o.nprinciples) {
        cli_usage_error("stats", "--merge reads no principles: the "
                        "partials say what they counted");
        goto done;
    }
    if (merge) {   /* every partial, or nothing is written */
        for (i = 0; i < (size_t)o.nargs; i++)
            if (pb_stats_read_partial(&s, o.args[i], &err) != PB_OK) {
                cli_print_error(&err);
                goto done;
            }
        goto write;
    }
    for (i = 0; i < (size_t)o.nargs; i++) {
        if ((x = cli_files_add(&files, o.args[i])) < 0)
            goto nomem;
        bad |= x > 0;
    }
    if (from && (x = files_from(&files, from)) != 0) {
        if (x < 0)
            goto nomem;
        goto done;
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
        if (!cli_fold_file(e, schema, "stats", files.v[i], fold, s)) {
            pb_stats_add_unreadable(s);
            bad = 1;
        }
    /* A shard with a file it could not read still writes its partial
     * (the merge counts it as left out), and exits 2 to say so. */
write:
    if (cli_out_open(&out, o.output) != 0)
        goto done;
    if ((partial ? pb_stats_write_partial(s, out.f)
                 : pb_stats_render(s, out.f, fmt, o.output ? 0
                                   : cli_render_flags(stdout))) != PB_OK) {
        fprintf(stderr, "playbook stats: cannot write the %s\n",
                partial ? "partial" : "report");
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
