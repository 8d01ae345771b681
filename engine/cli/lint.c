/*
 * lint.c -- `playbook lint`: what the principles say that cannot work
 * (pb_engine_lint; docs/authoring.md, "Lint").
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jsonw.h"

static const char help[] =
    "usage: playbook lint [-p DIR] [--strict] [--format text|json] "
    "[PATH...]\n"
    "\n"
    "Reads principle files (PATH: files or folders, else each -p DIR,\n"
    "else the principle folder) and says what in them cannot work,\n"
    "without running a call:\n"
    "\n"
    "  type-never-recorded    an event type read (case:has, on, after,\n"
    "                         unless) that no detector emits, no file\n"
    "                         names elsewhere and no tool records\n"
    "  fact-never-collected   a fact read that no item collects and no\n"
    "                         file names elsewhere\n"
    "  never-applies          applies always returns false\n"
    "  never-done             done always returns false, nothing collected\n"
    "  after-never-applies    after names an item that never applies\n"
    "  pattern-never-matches  a pattern that matches no ordinary speech\n"
    "  shadowed               a pattern, phrase or example that another of\n"
    "                         the same detector's job always beats\n"
    "  partial, more          a file of over 100,000 names was not read to\n"
    "                         its end; past 100 findings a file's are cut\n"
    "\n"
    "Lint the whole set together: a type one file reads, another may\n"
    "emit.  `playbook check` shows the findings that need no other file.\n"
    "\n"
    "  --strict               exit 1 when there is any finding\n"
    "  -f, --format FMT       text (default) or json\n"
    "\n"
    "Exit: 0 read (findings are not failures without --strict), 1 a\n"
    "finding with --strict, 2 a principle failed to load or bad usage.\n";

typedef struct found {
    pb_finding *v;
    size_t n;
    int oom;
} found;

/* Findings are kept, not printed at once: JSON says how many first. */
static void keep(void *ud, const pb_finding *f)
{
    found *fd = ud;
    pb_finding *v = realloc(fd->v, (fd->n + 1) * sizeof *v);

    if (v == NULL) {
        fd->oom = 1;
        return;
    }
    fd->v = v;
    v[fd->n] = *f;
    v[fd->n].message = strdup(f->message);
    v[fd->n].file = strdup(f->file); /* a lib file's name is lint's */
    if (v[fd->n].message == NULL || v[fd->n].file == NULL) {
        free((char *)v[fd->n].message);
        free((char *)v[fd->n].file);
        fd->oom = 1;
        return;
    }
    fd->n++;
}

static void print_text(const found *fd)
{
    size_t i;

    for (i = 0; i < fd->n; i++)
        cli_print_finding(stdout, &fd->v[i], 0);
    pb__text_printf(stdout, "%zu finding%s\n", fd->n, fd->n == 1 ? "" : "s");
}

static void print_json(const found *fd)
{
    pb__json j;
    size_t i;

    pb__json_init(&j, stdout);
    pb__json_open(&j, '{');
    pb__json_kint(&j, "count", (long)fd->n);
    pb__json_key(&j, "findings");
    pb__json_open(&j, '[');
    for (i = 0; i < fd->n; i++) {
        pb__json_open(&j, '{');
        pb__json_kstr(&j, "file", fd->v[i].file);
        pb__json_kint(&j, "line", fd->v[i].line);
        pb__json_kstr(&j, "principle", fd->v[i].principle);
        pb__json_kstr(&j, "code", fd->v[i].code);
        pb__json_kstr(&j, "message", fd->v[i].message);
        pb__json_kbool(&j, "local", fd->v[i].local);
        pb__json_close(&j, '}');
    }
    pb__json_close(&j, ']');
    pb__json_close(&j, '}');
    fputc('\n', stdout);
}

int cli_lint(int argc, char **argv)
{
    int strict = 0, failed = 0, i, rc = EXIT_BAD;
    const char *types[128];
    const cli_option own[] = { { "--strict", NULL, &strict },
                               { NULL, NULL, NULL } };
    found fd = { NULL, 0, 0 };
    pb_engine *e = NULL;
    pb_format fmt;
    pb_error err;
    cli_opts o;
    size_t k;

    switch (cli_parse(argc, argv, "lint", "pf", own, help, &o)) {
    case 1: rc = EXIT_OK; goto done;
    case -1: goto done;
    }
    if (cli_format("lint", o.format, CLI_FMT(PB_FORMAT_TEXT) |
                   CLI_FMT(PB_FORMAT_JSON), &fmt) != 0)
        goto done;
    /* Operands are principles, as -p's are. */
    for (i = 0; i < o.nargs && o.nprinciples < CLI_MAX_PRINCIPLES; i++)
        o.principles[o.nprinciples++] = o.args[i];
    if (i < o.nargs) {
        cli_usage_error("lint", "at most %d principle paths",
                        CLI_MAX_PRINCIPLES);
        goto done;
    }
    if ((e = cli_engine(&o, &failed)) == NULL)
        goto done;
    if (failed)
        goto done;
    cli_recorded_types(types, sizeof types / sizeof *types);
    if (pb_engine_lint(e, types, keep, &fd, &err) != PB_OK ||
        fd.oom) {
        fprintf(stderr, "playbook lint: out of memory\n");
        goto done;
    }
    if (fmt == PB_FORMAT_JSON)
        print_json(&fd);
    else
        print_text(&fd);
    rc = strict && fd.n > 0 ? EXIT_UNMET : EXIT_OK;
done:
    for (k = 0; k < fd.n; k++) {
        free((char *)fd.v[k].message);
        free((char *)fd.v[k].file);
    }
    free(fd.v);
    pb_engine_free(e);
    free(o.args);
    return rc;
}
