/*
 * import.c -- `playbook import`: a transcript into scenario files.
 *
 * Nothing is written until the whole transcript has been read and every
 * scenario made; each file goes to a temporary name in its own folder and
 * all are renamed into place at the end, so a failed import leaves no
 * file behind, partial or whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char help[] =
    "usage: playbook import [--topic T] [--channel C] [--agent NAME] "
    "[--team NAME]\n"
    "                       [--format auto|json|text] [-o FILE|DIR "
    "[--force]]\n"
    "                       TRANSCRIPT\n"
    "\n"
    "Turns a call or chat transcript into a scenario (one per conversation)\n"
    "that `playbook replay` can score.  TRANSCRIPT is a file, or - for\n"
    "standard input.  Two formats:\n"
    "  json  ABCD-style: a list of conversations, each with \"original\":\n"
    "        [[speaker, text], ...], speaker agent, customer or action\n"
    "  text  one turn per line: \"Agent: ...\", \"Customer: ...\" or\n"
    "        \"Action: ...\", optionally after a [mm:ss] or [h:mm:ss]\n"
    "        stamp; other lines continue the turn above\n"
    "\n"
    "      --topic T          the case topic (default: mapped from ABCD's\n"
    "                         flow, else inferred from the customer's\n"
    "                         words, and said in the description; a\n"
    "                         warning when they point at no topic)\n"
    "      --channel C        the case channel: phone, chat, email, ...\n"
    "                         (default: chat for ABCD; none for text)\n"
    "      --agent NAME       who handled the conversations, and their\n"
    "      --team NAME        team (for stats by agent; default: none)\n"
    "  -f, --format FMT       auto (default: json when it starts with {\n"
    "                         or a [ that is not a [mm:ss] stamp), json\n"
    "                         or text\n"
    "  -o, --output FILE|DIR  write to FILE (one conversation), or to\n"
    "                         DIR/<id>.xml for each conversation when DIR\n"
    "                         is an existing folder (default: standard\n"
    "                         output, one conversation only)\n"
    "      --force            replace files that exist (without it, an\n"
    "                         existing file is refused and nothing is\n"
    "                         written)\n"
    "\n"
    "Turns without stamps get synthetic times: 5 s per turn plus 1 s per\n"
    "15 characters of the turn before.  docs/import.md has the details.\n"
    "\n"
    "Exit: 0 written, 2 bad input or usage (a message names the file and\n"
    "line, or the conversation and turn); nothing is written then.\n";

/* One scenario on its way to its file. */
typedef struct pending {
    char *path, *tmp;
} pending;

/* Standard input, capped like a file. */
static pb_status read_stdin(char **out, size_t *len)
{
    size_t cap = 64 * 1024, n;
    char *buf = NULL, *nb;

    *len = 0;
    for (;;) {
        if (buf == NULL || *len == cap) {
            if (buf != NULL)
                cap = cap <= PB_IMPORT_MAX_BYTES / 2 ? cap * 2
                                                     : PB_IMPORT_MAX_BYTES + 1;
            if ((nb = realloc(buf, cap)) == NULL) {
                free(buf);
                return PB_NOMEM;
            }
            buf = nb;
        }
        n = fread(buf + *len, 1, cap - *len, stdin);
        *len += n;
        if (*len > PB_IMPORT_MAX_BYTES)
            break; /* pb_import_parse says it is too large */
        if (*len < cap) {
            if (ferror(stdin)) {
                free(buf);
                return PB_IO;
            }
            break;
        }
    }
    *out = buf;
    return PB_OK;
}

/* Conversation i into a new temporary file next to path; without
 * force, not when path exists. */
static int write_one(const pb_import *im, size_t i, const char *path,
                     int force, pending *p)
{
    size_t n = strlen(path) + 16;
    pb_error err;
    mode_t mask;
    FILE *f = NULL;
    int fd, ok;

    if (cli_out_regular(path) != 0)
        return -1;
    if (!force && access(path, F_OK) == 0) {
        pb__text_printf(stderr, "%s: exists; not overwritten (give --force "
                        "to replace it)\n", path);
        return -1;
    }
    p->tmp = malloc(n);
    if ((p->path = strdup(path)) == NULL || p->tmp == NULL) {
        fprintf(stderr, "playbook import: out of memory\n");
        return -1;
    }
    snprintf(p->tmp, n, "%s.tmp.XXXXXX", path);
    if ((fd = mkstemp(p->tmp)) < 0) {
        pb__text_printf(stderr, "%s: cannot write: %s\n", path,
                        strerror(errno));
        free(p->tmp);
        p->tmp = NULL;
        return -1;
    }
    /* mkstemp makes the file private; a scenario is as shareable as any
     * file the user creates. */
    mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || (f = fdopen(fd, "w")) == NULL) {
        pb__text_printf(stderr, "%s: cannot write: %s\n", path,
                        strerror(errno));
        close(fd);
        return -1;
    }
    ok = pb_import_write(im, i, f, &err) == PB_OK;
    if (!ok)
        cli_print_error(&err);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        if (ok)
            pb__text_printf(stderr, "%s: cannot write: %s\n", path,
                            strerror(errno));
        ok = 0;
    }
    if (fclose(f) != 0 && ok) {
        pb__text_printf(stderr, "%s: cannot write: %s\n", path,
                        strerror(errno));
        ok = 0;
    }
    return ok ? 0 : -1;
}

/* Every scenario to its temporary file, then every rename; on failure
 * the temporary files go and the folder is as it was.  Without force, a
 * file that exists stops it before anything is written. */
static int write_all(const pb_import *im, const char *dir, const char *file,
                     int force)
{
    size_t i, n = pb_import_count(im), len;
    pending *p = calloc(n, sizeof *p);
    char *path;
    int rc = -1;

    if (p == NULL) {
        fprintf(stderr, "playbook import: out of memory\n");
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (file != NULL) {
            path = strdup(file);
        } else {
            len = strlen(dir) + strlen(pb_import_id(im, i)) + 6;
            if ((path = malloc(len)) != NULL)
                snprintf(path, len, "%s/%s.xml", dir, pb_import_id(im, i));
        }
        if (path == NULL) {
            fprintf(stderr, "playbook import: out of memory\n");
            goto done;
        }
        if (write_one(im, i, path, force, &p[i]) != 0) {
            free(path);
            goto done;
        }
        free(path);
    }
    for (i = 0; i < n; i++) {
        if (rename(p[i].tmp, p[i].path) != 0) {
            pb__text_printf(stderr, "%s: cannot write: %s\n", p[i].path,
                            strerror(errno));
            goto done;
        }
        free(p[i].tmp);
        p[i].tmp = NULL;
    }
    for (i = 0; i < n; i++)
        pb__text_printf(stdout, "wrote %s (%zu turns)\n", p[i].path,
                        pb_import_nturns(im, i));
    rc = fflush(stdout) == 0 ? 0 : -1;
done:
    for (i = 0; i < n; i++) {
        if (p[i].tmp != NULL)
            unlink(p[i].tmp);
        free(p[i].tmp);
        free(p[i].path);
    }
    free(p);
    return rc;
}

/* A conversation left without a topic is written (the default facts
 * apply, as before topics were inferred), with a word on how to give
 * one. */
static void topic_warnings(const pb_import *im, const char *name)
{
    size_t i;

    for (i = 0; i < pb_import_count(im); i++)
        if (pb_import_topic(im, i) == NULL && pb_import_topic_note(im, i))
            pb__text_printf(stderr, "%s: warning: %s: no topic, %s: ask "
                            "wants the default facts; give --topic T "
                            "(docs/import.md, \"Topics\")\n", name,
                            pb_import_id(im, i), pb_import_topic_note(im, i));
}

int cli_import(int argc, char **argv)
{
    cli_opts o;
    pb_import_opts opts = { PB_IMPORT_AUTO, NULL, NULL, NULL, NULL, NULL };
    pb_import *im = NULL;
    pb_error err;
    const char *name;
    char *buf = NULL;
    size_t len = 0;
    int rc = EXIT_BAD, force = 0;
    pb_status st;

    const cli_option own[] = { { "--topic", &opts.topic, NULL },
                               { "--channel", &opts.channel, NULL },
                               { "--agent", &opts.agent, NULL },
                               { "--team", &opts.team, NULL },
                               { "--force", NULL, &force },
                               { NULL, NULL, NULL } };

    switch (cli_parse(argc, argv, "import", "fo", own, help, &o)) {
    case 1: rc = EXIT_OK; goto done;
    case -1: goto done;
    }
    if (o.format == NULL || strcmp(o.format, "auto") == 0)
        opts.format = PB_IMPORT_AUTO;
    else if (strcmp(o.format, "json") == 0)
        opts.format = PB_IMPORT_JSON;
    else if (strcmp(o.format, "text") == 0)
        opts.format = PB_IMPORT_TEXT;
    else {
        cli_usage_error("import", "unknown format '%s' (auto, json, text)",
                        o.format);
        goto done;
    }
    if (opts.topic != NULL && opts.topic[0] == '\0') {
        cli_usage_error("import", "empty --topic");
        goto done;
    }
    if (opts.channel != NULL && opts.channel[0] == '\0') {
        cli_usage_error("import", "empty --channel");
        goto done;
    }
    if (o.nargs != 1) {
        cli_usage_error("import", o.nargs == 0 ? "no transcript given (- "
                        "reads standard input)" : "one transcript at a time");
        goto done;
    }
    name = o.args[0];
    if (strcmp(name, "-") == 0) {
        name = "<stdin>";
        opts.id = "transcript";
        if ((st = read_stdin(&buf, &len)) != PB_OK) {
            pb__text_printf(stderr, "<stdin>: %s\n", st == PB_NOMEM
                            ? "out of memory" : "cannot read");
            goto done;
        }
        st = pb_import_parse(name, buf, len, &opts, &im, &err);
    } else {
        st = pb_import_read(name, &opts, &im, &err);
    }
    if (st != PB_OK) {
        cli_print_error(&err);
        goto done;
    }
    topic_warnings(im, name);
    if (o.output != NULL && strcmp(o.output, "-") != 0 &&
        cli_is_dir(o.output)) {
        rc = write_all(im, o.output, NULL, force) == 0 ? EXIT_OK : EXIT_BAD;
        goto done;
    }
    if (pb_import_count(im) > 1) {
        pb__text_printf(stderr, "%s: %zu conversations: give -o DIR (an "
                        "existing folder) to write one scenario per "
                        "conversation\n", name, pb_import_count(im));
        goto done;
    }
    if (o.output != NULL && strcmp(o.output, "-") != 0) {
        rc = write_all(im, NULL, o.output, force) == 0 ? EXIT_OK : EXIT_BAD;
        goto done;
    }
    if (pb_import_write(im, 0, stdout, &err) != PB_OK) {
        cli_print_error(&err);
        goto done;
    }
    rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_BAD;
    if (rc != EXIT_OK)
        pb__text_printf(stderr, "playbook import: cannot write: %s\n",
                        strerror(errno));
done:
    pb_import_free(im);
    free(buf);
    free(o.args);
    return rc;
}
