/*
 * check.c -- `playbook check`: are these principles and scenarios sound?
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const char help[] =
    "usage: playbook check [-p DIR] [PATH...]\n"
    "\n"
    "Checks principle files (*.lua) and scenario files (*.xml); a folder\n"
    "means every such file in it.  Without PATH, checks the principle\n"
    "folder.  Principles are loaded in the sandbox exactly as replay loads\n"
    "them; scenarios are read and replayed against the principles (from\n"
    "the PATHs given, else -p DIR) so unknown items in <expect> are found.\n"
    "Every problem is printed as file:line: message.  What `playbook\n"
    "lint` finds that needs no other file (a pattern that cannot match,\n"
    "a shadowed phrase, a function that always says no) is printed as\n"
    "file:line: warning: message, and does not change the exit code.\n"
    "\n"
    "  -p, --principles DIR   principles for checking scenarios\n"
    "\n"
    "Exit: 0 all good, 2 something is wrong.\n";

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n > k && strcmp(s + n - k, suffix) == 0;
}

static void report_principles(const pb_engine *e, size_t from)
{
    size_t i;

    for (i = from; i < pb_engine_nprinciples(e); i++) {
        pb_principle_info p;

        pb_engine_principle(e, i, &p);
        pb__text_printf(stdout, "ok  %s  %s: %zu item%s, %zu detector%s\n",
                        p.file, p.id, p.nitems, p.nitems == 1 ? "" : "s",
                        p.ndetectors, p.ndetectors == 1 ? "" : "s");
    }
}

/* lint's findings that hold whatever else is loaded. */
static void warn(void *ud, const pb_finding *f)
{
    (void)ud;
    if (f->local)
        cli_print_finding(stdout, f, 1);
}

static int check_scenario(pb_engine *e, const pb_schema *schema,
                          const char *path)
{
    pb_scenario *s = NULL;
    pb_replay *r = NULL;
    pb_error err;
    int ok;

    ok = cli_read_scenario(e, schema, "check", path, &s, &err) == PB_OK &&
         pb_replay_run(e, s, &r, &err) == PB_OK;
    if (ok)
        pb__text_printf(stdout, "ok  %s  %zu events, %zu expectations\n",
                        path, pb_scenario_nevents(s),
                        pb_scenario_nexpects(s));
    else
        cli_print_error(&err);
    pb_replay_free(r);
    pb_scenario_free(s);
    return ok;
}

static int check_scenarios_in(pb_engine *e, const pb_schema *schema,
                              const char *dir)
{
    struct dirent **names;
    int n, i, ok = 1;

    n = scandir(dir, &names, NULL, alphasort);
    if (n < 0)
        return 0;
    for (i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.' &&
            ends_with(names[i]->d_name, ".xml")) {
            char path[4096];

            snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
            ok &= check_scenario(e, schema, path);
        }
        free(names[i]);
    }
    free(names);
    return ok;
}

int cli_check(int argc, char **argv)
{
    cli_opts o;
    pb_engine *e = NULL;
    pb_schema *schema;
    pb_error err;
    int i, ok = 1, any_lua = 0, failed;
    size_t before;

    switch (cli_parse(argc, argv, "check", "p", NULL, help, &o)) {
    case 1: free(o.args); return EXIT_OK;
    case -1: free(o.args); return EXIT_BAD;
    }
    if (o.nargs == 0)
        o.args[o.nargs++] = (char *)(o.nprinciples ? o.principles[0]
                                                   : cli_default_principles());
    /* Principles first: scenarios are checked against them. */
    if ((e = pb_engine_new()) == NULL) {
        free(o.args);
        fprintf(stderr, "playbook check: out of memory\n");
        return EXIT_BAD;
    }
    for (i = 0; i < o.nargs; i++) {
        const char *a = o.args[i];

        if (!(cli_is_dir(a) ? cli_dir_has(a, ".lua") : !ends_with(a, ".xml")))
            continue;
        any_lua = 1;
        before = pb_engine_nfailures(e);
        pb_engine_load(e, a, &err);
        for (; before < pb_engine_nfailures(e); before++) {
            cli_print_error(pb_engine_failure(e, before));
            ok = 0;
        }
    }
    report_principles(e, 0);
    if (any_lua && pb_engine_lint(e, NULL, warn, NULL, &err) != PB_OK)
        fprintf(stderr, "playbook check: out of memory\n");
    if (!any_lua) {
        pb_engine_free(e);
        if ((e = cli_engine(&o, &failed)) == NULL) {
            free(o.args);
            return EXIT_BAD;
        }
        ok &= !failed;
    }
    schema = pb_schema_new(NULL); /* NULL: each read compiles one */
    for (i = 0; i < o.nargs; i++) {
        const char *a = o.args[i];

        if (cli_is_dir(a))
            ok &= check_scenarios_in(e, schema, a);
        else if (ends_with(a, ".xml"))
            ok &= check_scenario(e, schema, a);
    }
    pb_schema_free(schema);
    pb_engine_free(e);
    free(o.args);
    return ok ? EXIT_OK : EXIT_BAD;
}
