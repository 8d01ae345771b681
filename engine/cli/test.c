/*
 * test.c -- `playbook test [--watch]`: a team lead's quick loop.  Loads
 * the principles as check does, lints them, replays the scenarios and
 * says in a few lines what is wrong; with --watch, again whenever a
 * principle, lib or scenario file changes (inotify on their folders:
 * editors save by writing a new file and renaming it, which a watch on
 * the file itself would lose).  docs/authoring.md, "Workflow".
 */
#define _GNU_SOURCE /* signalfd, inotify */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const char help[] =
    "usage: playbook test [-p DIR] [--watch] [SCENARIO...]\n"
    "\n"
    "The quick loop while writing principles: loads them (as check),\n"
    "lints them (as lint), replays the scenarios and prints what is\n"
    "wrong, in a few lines.  SCENARIO is a file or a folder; without one,\n"
    "the *.xml files in each principle folder (-p DIR, or the folder of\n"
    "a -p FILE).\n"
    "\n"
    "  --watch                run again whenever a *.lua or *.xml file\n"
    "                         in those folders (or lib/) changes, until\n"
    "                         Ctrl-C\n"
    "\n"
    "Exit (without --watch): 0 all loaded and every expectation met (lint\n"
    "findings are warnings), 1 an expectation not met, 2 a principle or\n"
    "scenario that does not load.  With --watch: 0 when stopped.\n";

typedef struct run_state {
    const cli_opts *o;
    char **dirs;        /* the folders to watch (and read scenarios of) */
    size_t ndirs;
} run_state;

static void found(void *ud, const pb_finding *f)
{
    size_t *n = ud;

    cli_print_finding(stdout, f, 1);
    (*n)++;
}

/* The scenario files: the operands, or the *.xml of the principle
 * folders. */
static int scenarios(const run_state *rs, cli_files *files)
{
    int k, bad = 0;

    if (rs->o->nargs > 0) {
        for (k = 0; k < rs->o->nargs; k++)
            bad |= cli_files_add(files, rs->o->args[k]) != 0;
        return bad ? -1 : 0;
    }
    for (k = 0; (size_t)k < rs->ndirs; k++)
        if (cli_dir_has(rs->dirs[k], ".xml") &&
            cli_files_add(files, rs->dirs[k]) < 0)
            return -1;
    return 0;
}

static void unmet(const pb_replay *r)
{
    size_t i;
    char want[256];

    for (i = 0; i < pb_replay_nresults(r); i++) {
        const pb_expect_result *x = pb_replay_result(r, i);

        if (x->met)
            continue;
        pb_expect_text(x->expect, want, sizeof want);
        pb__text_printf(stdout, "    %s:%d: expected %s, found %s\n",
                        pb_scenario_path(pb_replay_scenario(r)),
                        x->expect->line, want, x->actual);
    }
}

/* One round: EXIT_OK, EXIT_UNMET or EXIT_BAD. */
static int round_(const run_state *rs)
{
    const char *types[128];
    cli_files files = { NULL, 0 };
    pb_schema *schema = NULL;
    pb_engine *e;
    size_t i, nfind = 0, pass = 0, nrun = 0;
    int failed = 0, bad = 0;
    pb_error err;

    if ((e = cli_engine(rs->o, &failed)) == NULL)
        return EXIT_BAD;
    pb__text_printf(stdout, "principles: %zu loaded%s\n",
                    pb_engine_nprinciples(e),
                    failed ? ", some failed (above)" : "");
    cli_recorded_types(types, sizeof types / sizeof *types);
    if (pb_engine_lint(e, types, found, &nfind, &err) != PB_OK)
        bad = 1;
    pb__text_printf(stdout, "lint: %zu finding%s\n", nfind,
                    nfind == 1 ? "" : "s");
    if (scenarios(rs, &files) != 0 || (schema = pb_schema_new(NULL)) == NULL)
        bad = 1;
    for (i = 0; schema && i < files.n; i++) {
        pb_scenario *s = NULL;
        pb_replay *r = NULL;

        if (cli_read_scenario(e, schema, "test", files.v[i], &s, &err) !=
                PB_OK ||
            pb_replay_run(e, s, &r, &err) != PB_OK) {
            cli_print_error(&err);
            bad = 1;
        } else {
            nrun++;
            if (pb_replay_passed(r)) {
                pass++;
            } else {
                pb__text_printf(stdout, "  FAIL %s\n", files.v[i]);
                unmet(r);
            }
        }
        pb_replay_free(r);
        pb_scenario_free(s);
    }
    pb__text_printf(stdout, "scenarios: %zu of %zu pass%s\n", pass, nrun,
                    files.n > nrun ? " (others did not load: above)" : "");
    pb_schema_free(schema);
    cli_files_free(&files);
    pb_engine_free(e);
    fflush(stdout);
    return failed || bad ? EXIT_BAD : pass < nrun ? EXIT_UNMET : EXIT_OK;
}

/* The folders: each -p folder, or the folder of a -p file (the default
 * folder without -p), their lib/, and the folders of the operands. */
static int folders(run_state *rs)
{
    const char *p[CLI_MAX_PRINCIPLES + 1];
    size_t n = 0, i, k;
    char *d;

    if (rs->o->nprinciples == 0)
        p[n++] = cli_default_principles();
    for (k = 0; k < (size_t)rs->o->nprinciples; k++)
        p[n++] = rs->o->principles[k];
    rs->dirs = calloc(2 * (n + (size_t)rs->o->nargs) + 1, sizeof *rs->dirs);
    if (rs->dirs == NULL)
        return -1;
    for (i = 0; i < n + (size_t)rs->o->nargs; i++) {
        const char *path = i < n ? p[i] : rs->o->args[i - n];
        const char *slash = strrchr(path, '/');

        if (cli_is_dir(path))
            d = strdup(path);
        else if (slash)
            d = strndup(path, slash > path ? (size_t)(slash - path) : 1);
        else
            d = strdup(".");
        if (d == NULL)
            return -1;
        rs->dirs[rs->ndirs++] = d;
        if (i < n) {   /* and its lib/ */
            size_t len = strlen(d) + 5;

            if ((rs->dirs[rs->ndirs] = malloc(len)) == NULL)
                return -1;
            snprintf(rs->dirs[rs->ndirs++], len, "%s/lib", d);
        }
    }
    return 0;
}

static int wanted(const struct inotify_event *ev)
{
    size_t n = ev->len ? strlen(ev->name) : 0;

    return n > 4 && ev->name[0] != '.' &&
           (strcmp(ev->name + n - 4, ".lua") == 0 ||
            strcmp(ev->name + n - 4, ".xml") == 0);
}

/* Waits for a change worth a round: 1, or 0 on a signal (or an error,
 * said). */
static int wait_change(int in, int sig)
{
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    struct pollfd pf[2] = { { in, POLLIN, 0 }, { sig, POLLIN, 0 } };
    int changed = 0;

    for (;;) {
        int r = poll(pf, 2, changed ? 150 : -1);
        ssize_t len;
        char *p;

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return 0;
        if (r == 0)
            return 1;  /* quiet for 150 ms after a change: a save is done */
        if (pf[1].revents)
            return 0;
        if ((len = read(in, buf, sizeof buf)) <= 0)
            return 0;
        for (p = buf; p < buf + len;
             p += sizeof(struct inotify_event) +
                  ((struct inotify_event *)(void *)p)->len)
            changed |= wanted((struct inotify_event *)(void *)p);
    }
}

static int watch(const run_state *rs)
{
    sigset_t set;
    int in, sig, watched = 0;
    size_t i;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0 ||
        (sig = signalfd(-1, &set, SFD_CLOEXEC)) < 0 ||
        (in = inotify_init1(IN_CLOEXEC)) < 0) {
        fprintf(stderr, "playbook test: cannot watch: %s\n",
                strerror(errno));
        return EXIT_BAD;
    }
    for (i = 0; i < rs->ndirs; i++)
        watched += inotify_add_watch(in, rs->dirs[i], IN_CLOSE_WRITE |
                                     IN_MOVED_TO | IN_MOVED_FROM |
                                     IN_CREATE | IN_DELETE) >= 0;
    if (watched == 0) {
        fprintf(stderr, "playbook test: no folder to watch\n");
        close(in);
        close(sig);
        return EXIT_BAD;
    }
    for (;;) {
        pb__text_printf(stdout, "watching %zu folder%s; Ctrl-C stops\n",
                        (size_t)watched, watched == 1 ? "" : "s");
        fflush(stdout);
        if (!wait_change(in, sig))
            break;
        {
            char stamp[16];
            time_t t = time(NULL);

            strftime(stamp, sizeof stamp, "%H:%M:%S", localtime(&t));
            pb__text_printf(stdout, "\n--- %s: changed; again\n", stamp);
        }
        round_(rs);
    }
    close(in);
    close(sig);
    return EXIT_OK;
}

int cli_test(int argc, char **argv)
{
    int watching = 0, rc = EXIT_BAD;
    const cli_option own[] = { { "--watch", NULL, &watching },
                               { NULL, NULL, NULL } };
    run_state rs = { NULL, NULL, 0 };
    cli_opts o;
    size_t i;

    switch (cli_parse(argc, argv, "test", "p", own, help, &o)) {
    case 1: rc = EXIT_OK; goto done;
    case -1: goto done;
    }
    rs.o = &o;
    if (folders(&rs) != 0) {
        fprintf(stderr, "playbook test: out of memory\n");
        goto done;
    }
    rc = round_(&rs);
    if (watching)
        rc = watch(&rs);
done:
    for (i = 0; i < rs.ndirs; i++)
        free(rs.dirs[i]);
    free(rs.dirs);
    free(o.args);
    return rc;
}
