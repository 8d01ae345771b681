/*
 * diff.c -- `playbook diff OLD NEW SCENARIO...`: the same recorded calls
 * under two versions of the principles (pb_diff; docs/authoring.md,
 * "Comparing two versions").  A version is a folder or file, or a
 * folder as git has it at some revision (REV:PATH), checked out with
 * `git archive` into a temporary folder removed at the end.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

static const char help[] =
    "usage: playbook diff OLD NEW [--format text|json|html] [-o FILE] "
    "SCENARIO...\n"
    "\n"
    "Replays the same recorded calls (scenario or case files, or folders\n"
    "of them) under two versions of the principles, and lists the calls\n"
    "whose items end in another state or whose score moves, largest\n"
    "change first.  For each item that changes it shows the event from\n"
    "which the two versions part, and what each version's detectors\n"
    "added there: the phrase that decided it.\n"
    "\n"
    "OLD and NEW are each a principle folder or file, or a folder at a\n"
    "git revision of the repository you are in, as git spells it:\n"
    "\n"
    "  playbook diff HEAD~1:principles principles scenarios/\n"
    "  playbook diff v1.4:principles ./principles calls/ -f html -o d.html\n"
    "\n"
    "Both must hold the same principles (ids); items may differ.\n"
    "\n"
    "  -f, --format FMT       text (default), json or html\n"
    "  -o, --output FILE      write there (whole, or not at all)\n"
    "\n"
    "Exit: 0 no call changes, 1 some do, 2 bad input (a version that does\n"
    "not load or differs in its principles, a revision git does not know,\n"
    "a scenario that cannot be read) or bad usage.\n";

/* A version of the principles, and the folder made for it. */
typedef struct version {
    const char *arg;
    char tmp[64];       /* "" unless checked out of git */
    pb_engine *e;
} version;

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* Runs argv, waits; 0 when it exited 0. */
static int run(char *const argv[])
{
    pid_t pid = fork();
    int status;

    if (pid < 0)
        return -1;
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "playbook diff: cannot run %s: %s\n", argv[0],
                strerror(errno));
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* REV:PATH into v->tmp through git archive and tar; 0, or -1 after
 * saying why. */
static int checkout(version *v)
{
    char tar[96], rev[1024], git[] = "git", archive_[] = "archive",
         format[] = "--format=tar", o[] = "-o", tar_[] = "tar",
         xf[] = "-xf", c[] = "-C";
    char *archive[] = { git, archive_, format, o, tar, rev, NULL };
    char *untar[] = { tar_, xf, tar, c, v->tmp, NULL };
    int ok;

    /* An argument git would read as an option is not a revision. */
    if (v->arg[0] == '-' || strchr(v->arg, ':') == NULL ||
        strlen(v->arg) >= sizeof rev) {
        pb__text_printf(stderr, "playbook diff: %s: no such file or folder"
                        ", nor REV:PATH of a git revision\n", v->arg);
        return -1;
    }
    snprintf(v->tmp, sizeof v->tmp, "%s/playbook-diff.XXXXXX",
             getenv("TMPDIR") && strlen(getenv("TMPDIR")) < 30
                 ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(v->tmp) == NULL) {
        fprintf(stderr, "playbook diff: cannot make a temporary folder: "
                "%s\n", strerror(errno));
        v->tmp[0] = '\0';
        return -1;
    }
    snprintf(tar, sizeof tar, "%s.tar", v->tmp);
    snprintf(rev, sizeof rev, "%s", v->arg);
    fflush(stdout);
    ok = run(archive) == 0 && run(untar) == 0;
    remove(tar);
    if (!ok)
        pb__text_printf(stderr, "playbook diff: %s: git has no such "
                        "revision and folder (its message is above)\n",
                        v->arg);
    return ok ? 0 : -1;
}

/* Loads v; 0, or -1 after saying why. */
static int load(version *v)
{
    struct stat st;
    const char *path = v->arg;
    size_t i;

    if (stat(v->arg, &st) != 0) {
        if (checkout(v) != 0)
            return -1;
        path = v->tmp;
    }
    if ((v->e = pb_engine_new()) == NULL) {
        fprintf(stderr, "playbook diff: out of memory\n");
        return -1;
    }
    pb_engine_load(v->e, path, NULL);
    for (i = 0; i < pb_engine_nfailures(v->e); i++)
        cli_print_error(pb_engine_failure(v->e, i));
    if (pb_engine_nfailures(v->e) > 0)
        return -1;
    if (pb_engine_nprinciples(v->e) == 0) {
        pb__text_printf(stderr, "playbook diff: %s: no principle file "
                        "(*.lua) in it\n", v->arg);
        return -1;
    }
    return 0;
}

/* How many ids of a b lacks; listed on stderr when say is set. */
static size_t only_in(const version *a, const version *b, int say)
{
    size_t i, n = 0;
    pb_principle_info p;

    for (i = 0; i < pb_engine_nprinciples(a->e); i++) {
        pb_engine_principle(a->e, i, &p);
        if (pb_engine_find_principle(b->e, p.id) < 0 && say)
            pb__text_printf(stderr, "%s%s", n ? ", " : "", p.id);
        n += pb_engine_find_principle(b->e, p.id) < 0;
    }
    return n;
}

/* 1 when a and b hold the same principles, else 0 after saying which
 * differ. */
static int same_principles(const version *a, const version *b)
{
    if (only_in(a, b, 0) + only_in(b, a, 0) == 0)
        return 1;
    pb__text_printf(stderr, "playbook diff: %s and %s hold different "
                    "principles; compare versions of the same ones.\n"
                    "  only in %s: ", a->arg, b->arg, a->arg);
    if (only_in(a, b, 1) == 0)
        fputs("(none)", stderr);
    pb__text_printf(stderr, "\n  only in %s: ", b->arg);
    if (only_in(b, a, 1) == 0)
        fputs("(none)", stderr);
    fputc('\n', stderr);
    return 0;
}

int cli_diff(int argc, char **argv)
{
    version v[2];
    cli_files files = { NULL, 0 };
    pb_schema *schema = NULL;
    pb_diff *d = NULL;
    pb_format fmt;
    cli_opts o;
    cli_out out;
    size_t i;
    int rc = EXIT_BAD, bad = 0, k;

    memset(v, 0, sizeof v);
    switch (cli_parse(argc, argv, "diff", "fo", NULL, help, &o)) {
    case 1: rc = EXIT_OK; goto done;
    case -1: goto done;
    }
    if (cli_format("diff", o.format, CLI_FMT(PB_FORMAT_TEXT) |
                   CLI_FMT(PB_FORMAT_JSON) | CLI_FMT(PB_FORMAT_HTML),
                   &fmt) != 0)
        goto done;
    if (o.nargs < 3) {
        cli_usage_error("diff", "give the two versions and the recorded "
                        "calls: diff OLD NEW SCENARIO...");
        goto done;
    }
    if (o.output && cli_out_regular(o.output) != 0)
        goto done;
    v[0].arg = o.args[0];
    v[1].arg = o.args[1];
    for (k = 0; k < 2; k++)
        if (load(&v[k]) != 0)
            goto done;
    if (!same_principles(&v[0], &v[1]))
        goto done;
    for (k = 2; k < o.nargs; k++) {
        int x = cli_files_add(&files, o.args[k]);

        if (x < 0)
            goto nomem;
        bad |= x > 0;
    }
    if ((d = pb_diff_new(v[0].arg, v[1].arg)) == NULL ||
        (schema = pb_schema_new(NULL)) == NULL)
        goto nomem;
    for (i = 0; i < files.n; i++) {
        pb_scenario *s = NULL;
        pb_replay *a = NULL, *b = NULL;
        pb_error err;

        if (cli_read_scenario(v[0].e, schema, "diff", files.v[i], &s,
                              &err) != PB_OK ||
            pb_replay_play(v[0].e, s, &a, &err) != PB_OK ||
            pb_replay_play(v[1].e, s, &b, &err) != PB_OK ||
            pb_diff_add(d, a, b, &err) != PB_OK) {
            cli_print_error(&err);
            bad = 1;
        }
        pb_replay_free(a);
        pb_replay_free(b);
        pb_scenario_free(s);
    }
    /* A call that could not be compared makes the whole answer wrong:
     * nothing is written. */
    if (bad)
        goto done;
    if (cli_out_open(&out, o.output) != 0)
        goto done;
    if (pb_render_diff(out.f, fmt, o.output ? 0 : cli_render_flags(stdout),
                       d) != PB_OK) {
        fprintf(stderr, "playbook diff: cannot write the report\n");
        cli_out_close(&out, 0);
        goto done;
    }
    if (cli_out_close(&out, 1) != 0)
        goto done;
    rc = pb_diff_nchanged(d) > 0 ? EXIT_UNMET : EXIT_OK;
    goto done;
nomem:
    fprintf(stderr, "playbook diff: out of memory\n");
done:
    pb_diff_free(d);
    pb_schema_free(schema);
    cli_files_free(&files);
    for (k = 0; k < 2; k++) {
        pb_engine_free(v[k].e);
        if (v[k].tmp[0])
            nftw(v[k].tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    }
    free(o.args);
    return rc;
}
