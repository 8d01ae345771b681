/*
 * main.c -- the playbook command: verb dispatch and what verbs share.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "file.h"
#include "synclog.h"

#ifndef PB_DATADIR
#define PB_DATADIR "/usr/local/share/playbook"
#endif

static const char usage[] =
    "usage: playbook VERB [options] [args]\n"
    "\n"
    "Principles, not scripts: turns a team's principles (Lua) into a live\n"
    "checklist for each support case, and replays scenarios to score them.\n"
    "\n"
    "verbs:\n"
    "  new principle NAME     a principle to start from, and a first\n"
    "                         scenario for it\n"
    "  check [PATH...]        check principle files and scenarios\n"
    "  test [--watch] [SCENARIO...]  load, lint and replay in a few lines;\n"
    "                         again on every change\n"
    "  lint [PATH...]         what in the principles cannot work: types\n"
    "                         nothing records, shadowed phrases, ...\n"
    "  diff OLD NEW SCENARIO...  the calls that two versions of the\n"
    "                         principles score differently, and why\n"
    "  coverage SCENARIO...   what of the principles the scenarios\n"
    "                         exercise; --mutate: what none of them tests\n"
    "  show [-p DIR]          list the principles and their items\n"
    "  replay [-p DIR] FILE...  replay scenarios: timeline, checklist,\n"
    "                         score, expectations\n"
    "  review [-p DIR] FILE   step through a scenario with a trainee\n"
    "  import TRANSCRIPT      turn a call transcript into a scenario\n"
    "  stats PATH...          team statistics over scenarios and cases\n"
    "  coach AGENT PATH...    one agent's development path: what to work\n"
    "                         on, the moments, what to practise\n"
    "  live [--case FILE] [--topic T]  record a call as it happens, with\n"
    "                         the checklist after each step\n"
    "  event CASEFILE TYPE [name=value...] [TEXT]\n"
    "                         record one event in a case file (for CRM\n"
    "                         integrations); prints the checklist\n"
    "  followups PATH...      commitments and follow-ups of cases, overdue\n"
    "                         first\n"
    "  calibrate --labels CSV PATH...  the engine's checklists against a\n"
    "                         support lead's labels: agreement, kappa,\n"
    "                         every disagreement\n"
    "  serve [--data DIR]     the JSON API over HTTP (docs/api.md)\n"
    "\n"
    "`playbook VERB --help` tells more.  Exit codes: 0 success, 1\n"
    "expectations not met, 2 bad input or usage.\n";

int cli_usage_error(const char *verb, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "playbook %s: ", verb);
    va_start(ap, fmt);
    pb__text_vprintf(stderr, fmt, ap); /* it may quote a file name */
    va_end(ap);
    fprintf(stderr, " (see `playbook %s --help`)\n", verb);
    return -1;
}

/* Whether a is --name or --name=VALUE; sets *val for the latter. */
static int long_opt(const char *a, const char *name, const char **val)
{
    size_t n = strlen(name);

    if (strncmp(a, name, n) != 0 || (a[n] != '\0' && a[n] != '='))
        return 0;
    *val = a[n] == '=' ? a + n + 1 : NULL;
    return 1;
}

int cli_parse(int argc, char **argv, const char *verb, const char *takes,
              const cli_option *own, const char *help, cli_opts *o)
{
    static const struct {
        char letter;
        const char *s, *l;
    } shared[] = {
        { 'p', "-p", "--principles" },
        { 'f', "-f", "--format" },
        { 'o', "-o", "--output" },
    };
    int i, k;

    memset(o, 0, sizeof *o);
    o->dashes = -1;
    o->args = calloc((size_t)argc + 1, sizeof *o->args);
    if (o->args == NULL)
        return cli_usage_error(verb, "out of memory");
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL, **dest = NULL;
        char opt = 0;

        if (o->dashes >= 0 || a[0] != '-' || a[1] == '\0') {
            o->args[o->nargs++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            o->dashes = o->nargs;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(help, stdout);
            return 1;
        }
        for (k = 0; k < 3 && !opt; k++)
            if (strcmp(a, shared[k].s) == 0 ||
                long_opt(a, shared[k].l, &val))
                opt = shared[k].letter;
        if (opt && strchr(takes, opt) == NULL)
            opt = 0;
        /* An option listed n times may be given n times (--labels). */
        for (k = 0; !opt && own && own[k].name; k++)
            if (own[k].flag && strcmp(a, own[k].name) == 0) {
                *own[k].flag = 1;
                break;
            } else if (!own[k].flag && long_opt(a, own[k].name, &val)) {
                dest = own[k].value;
                if (*dest == NULL)
                    break;
            }
        if (!opt && own && own[k].name && own[k].flag)
            continue;
        if (!opt && !dest)
            return cli_usage_error(verb, "unknown option '%s'", a);
        if (val == NULL) {
            if (i + 1 >= argc)
                return cli_usage_error(verb, "option '%s' needs a value", a);
            val = argv[++i];
        }
        if (opt == 'p' && o->nprinciples == CLI_MAX_PRINCIPLES)
            return cli_usage_error(verb, "at most %d -p options",
                                   CLI_MAX_PRINCIPLES);
        if (opt == 'p')
            o->principles[o->nprinciples++] = val;
        else if (opt == 'f')
            o->format = val;
        else if (opt == 'o')
            o->output = val;
        else if (*dest != NULL)
            return cli_usage_error(verb, "option '%s' given twice", a);
        else
            *dest = val;
    }
    if (o->dashes < 0)
        o->dashes = o->nargs;
    return 0;
}

/* The types that come from outside the principles: what live, serve
 * and event record (their commands; `followup done` records
 * followup.done besides its own type), and what import writes. */
void cli_recorded_types(const char **out, size_t room)
{
    static const char *const more[] = { "followup.done", "agent.action" };
    size_t i, n = 0, m = sizeof more / sizeof *more;
    const pb_command_info *c;

    for (i = 0; (c = pb_command_get(i)) != NULL && n + m + 1 < room; i++)
        if (c->type != NULL)
            out[n++] = c->type;
    for (i = 0; i < m; i++)
        out[n++] = more[i];
    out[n] = NULL;
}

void cli_print_finding(FILE *f, const pb_finding *fd, int warning)
{
    pb__text_printf(f, "%s:%d: %s%s [%s]\n", fd->file, fd->line,
                    warning ? "warning: " : "", fd->message, fd->code);
}

int cli_is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int cli_dir_has(const char *path, const char *suffix)
{
    DIR *d = opendir(path);
    struct dirent *de;
    size_t k = strlen(suffix), n;
    int found = 0;

    if (d == NULL)
        return 0;
    while (!found && (de = readdir(d)) != NULL) {
        n = strlen(de->d_name);
        found = de->d_name[0] != '.' && n > k &&
                strcmp(de->d_name + n - k, suffix) == 0;
    }
    closedir(d);
    return found;
}

/* The principle folder without -p, and where that choice came from:
 * "$PLAYBOOK_PRINCIPLES", "installed", or NULL for ./principles. */
static const char *default_principles(const char **from)
{
    const char *env = getenv("PLAYBOOK_PRINCIPLES");

    *from = "$PLAYBOOK_PRINCIPLES";
    if (env && *env)
        return env;
    *from = "installed";
    if (cli_is_dir(PB_DATADIR "/principles"))
        return PB_DATADIR "/principles";
    *from = NULL;
    return "principles";
}

const char *cli_default_principles(void)
{
    const char *from;

    return default_principles(&from);
}

void cli_print_error(const pb_error *err)
{
    char buf[1200];

    pb__text_printf(stderr, "%s\n", pb_error_text(err, buf, sizeof buf));
}

int cli_put_back(const char *verb, const char *path)
{
    char *dir = pb__folder_of(path), said[600];
    synclog_recovery rec;
    pb_error err;
    int rc = 0;

    if (dir == NULL) {
        fprintf(stderr, "playbook %s: out of memory\n", verb);
        return -1;
    }
    if (synclog_recover(dir, &rec, &err) != PB_OK) {
        cli_print_error(&err);
        rc = -1;
    } else {
        synclog_say(&rec, dir, said, sizeof said);
        if (said[0] != '\0')
            pb__text_printf(stderr, "playbook %s: %s\n", verb, said);
    }
    free(dir);
    return rc;
}

pb_status cli_read_scenario(pb_engine *e, const pb_schema *schema,
                            const char *verb, const char *path,
                            pb_scenario **out, pb_error *err)
{
    pb_error warn;
    char buf[1200];
    pb_status st = pb_casefile_scenario(e, schema, path, out, &warn, err);

    if (st == PB_OK && warn.message[0] != '\0')
        fprintf(stderr, "playbook %s: note: %s\n", verb,
                pb_error_text(&warn, buf, sizeof buf));
    return st;
}

int cli_fold_file(pb_engine *e, const pb_schema *schema, const char *verb,
                  const char *path, cli_fold fold, void *into)
{
    pb_scenario *scen = NULL;
    pb_replay *rep = NULL;
    pb_error err;
    int ok = cli_read_scenario(e, schema, verb, path, &scen, &err) ==
                 PB_OK &&
             pb_replay_run(e, scen, &rep, &err) == PB_OK &&
             fold(into, rep, &err) == PB_OK;

    if (!ok)
        cli_print_error(&err);
    pb_replay_free(rep);
    pb_scenario_free(scen);
    return ok;
}

/* Why folder dir gave no principle. */
static const char *why_none(const char *dir)
{
    struct stat st;

    if (stat(dir, &st) != 0)
        return "no such file or folder";
    if (S_ISDIR(st.st_mode) && !cli_dir_has(dir, ".lua"))
        return "no principle file (*.lua) in it";
    return "what it holds did not load (above)";
}

/* No principle at all: every verb would check nothing and call it a
 * pass, so say where they were looked for and how to point to them
 * (docs/authoring.md, "Where the principles are"). */
static void no_principles(const cli_opts *o)
{
    const char *dir, *from;
    int k;

    fprintf(stderr, "playbook: no principles were loaded, so there is "
            "nothing to check against.  Looked in:\n");
    for (k = 0; k < o->nprinciples; k++)
        pb__text_printf(stderr, "  %s (-p): %s\n", o->principles[k],
                        why_none(o->principles[k]));
    if (o->nprinciples == 0) {
        dir = default_principles(&from);
        if (from != NULL)
            pb__text_printf(stderr, "  %s (%s): %s\n", dir, from,
                            why_none(dir));
        else
            pb__text_printf(stderr, "  ./principles (the default: no -p, "
                            "no $PLAYBOOK_PRINCIPLES, none installed in "
                            "%s/principles): %s\n", PB_DATADIR,
                            why_none(dir));
    }
    fprintf(stderr, "Point to them with -p DIR, or set "
            "PLAYBOOK_PRINCIPLES=DIR, or install them (make install).\n");
}

pb_engine *cli_engine(const cli_opts *o, int *failed)
{
    pb_engine *e = pb_engine_new();
    pb_error err;
    size_t i;
    int k;

    *failed = 0;
    if (e == NULL) {
        fprintf(stderr, "playbook: out of memory\n");
        return NULL;
    }
    pb_engine_set_bare_names(e, o->bare_names);
    if (o->nprinciples == 0)
        pb_engine_load(e, cli_default_principles(), &err);
    for (k = 0; k < o->nprinciples; k++)
        pb_engine_load(e, o->principles[k], &err);
    for (i = 0; i < pb_engine_nfailures(e); i++) {
        cli_print_error(pb_engine_failure(e, i));
        *failed = 1;
    }
    if (pb_engine_nprinciples(e) == 0) {
        no_principles(o);
        *failed = 1;
        pb_engine_free(e);
        return NULL;
    }
    return e;
}

int cli_format(const char *verb, const char *name, unsigned allowed,
               pb_format *out)
{
    static const char *const names[] = { "text", "json", "junit", "html" };
    char list[64] = "";
    size_t i;

    for (i = 0; i < sizeof names / sizeof *names; i++) {
        if (!(allowed & (1u << i)))
            continue;
        if (name == NULL || strcmp(name, names[i]) == 0) {
            *out = (pb_format)i;
            return 0;
        }
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                 list[0] ? ", " : "", names[i]);
    }
    return cli_usage_error(verb, "unknown format '%s' (%s)", name, list);
}

unsigned cli_render_flags(FILE *f)
{
    const char *nc = getenv("NO_COLOR");

    if (nc && *nc)
        return 0;
    return isatty(fileno(f)) ? PB_RENDER_COLOR : 0;
}

void cli_paint(FILE *out, int color, const char *code)
{
    if (color)
        fputs(code, out);
}

int cli_term_width(FILE *f)
{
    struct winsize ws;

    if (isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0)
        return ws.ws_col;
    return 0;
}

static int files_push(cli_files *l, const char *dir, const char *name)
{
    size_t n = (dir ? strlen(dir) + 1 : 0) + strlen(name) + 1;
    char **v = realloc(l->v, (l->n + 1) * sizeof *v);

    if (v == NULL)
        return -1;
    l->v = v;
    if ((v[l->n] = malloc(n)) == NULL)
        return -1;
    if (dir) /* "scenarios/" gives scenarios/x.xml, not scenarios//x.xml */
        snprintf(v[l->n], n, "%s%s%s", dir,
                 *dir && dir[strlen(dir) - 1] == '/' ? "" : "/", name);
    else
        snprintf(v[l->n], n, "%s", name);
    l->n++;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int cli_files_add(cli_files *l, const char *path)
{
    struct stat st;
    struct dirent *de;
    size_t first = l->n;
    DIR *d;

    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode) ||
        (d = opendir(path)) == NULL)
        return files_push(l, NULL, path);
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);

        if (de->d_name[0] == '.' || n < 5 ||
            strcmp(de->d_name + n - 4, ".xml") != 0)
            continue;
        if (files_push(l, path, de->d_name) != 0) {
            closedir(d);
            return -1;
        }
    }
    closedir(d);
    if (l->n == first) {
        pb__text_printf(stderr, "%s: no *.xml files in this folder\n", path);
        return 1;
    }
    qsort(l->v + first, l->n - first, sizeof *l->v, cmp_names);
    return 0;
}

void cli_files_free(cli_files *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/*
 * Output goes to regular files only.  The rename that puts a report in
 * place would replace a FIFO or a device with a plain file (/dev/null,
 * when run as root), and writing into one is what standard output is for.
 */
int cli_out_regular(const char *path)
{
    struct stat st;

    if (stat(path, &st) != 0 || S_ISREG(st.st_mode))
        return 0;
    fprintf(stderr, "%s: not a regular file (write to a file, or to - for "
            "standard output)\n", path);
    return -1;
}

int cli_out_open(cli_out *out, const char *path)
{
    int fd;

    memset(out, 0, sizeof *out);
    if (path == NULL || strcmp(path, "-") == 0) {
        out->f = stdout;
        return 0;
    }
    if (cli_out_regular(path) != 0)
        return -1;
    out->path = strdup(path);
    out->tmp = malloc(strlen(path) + 16);
    if (out->path == NULL || out->tmp == NULL) {
        fprintf(stderr, "playbook: out of memory\n");
        goto fail;
    }
    snprintf(out->tmp, strlen(path) + 16, "%s.tmp.XXXXXX", path);
    fd = mkstemp(out->tmp);
    if (fd >= 0) {
        /* mkstemp makes it 0600; a report is as readable as any file. */
        mode_t mask = umask(0);

        umask(mask);
        fchmod(fd, 0666 & ~mask);
    }
    if (fd < 0 || (out->f = fdopen(fd, "w")) == NULL) {
        pb__text_printf(stderr, "%s: cannot write: %s\n", path,
                        strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(out->tmp);
        }
        goto fail;
    }
    return 0;
fail:
    free(out->tmp);
    free(out->path);
    memset(out, 0, sizeof *out);
    return -1;
}

int cli_out_close(cli_out *out, int ok)
{
    int rc = 0;

    if (out->tmp == NULL) {
        free(out->path);
        return fflush(stdout) == 0 ? 0 : -1;
    }
    if (fflush(out->f) != 0 || fsync(fileno(out->f)) != 0)
        ok = 0;
    if (fclose(out->f) != 0)
        ok = 0;
    if (ok && rename(out->tmp, out->path) != 0) {
        pb__text_printf(stderr, "%s: cannot write: %s\n", out->path,
                        strerror(errno));
        ok = 0;
    }
    if (!ok) {
        unlink(out->tmp);
        rc = -1;
    }
    free(out->tmp);
    free(out->path);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } verbs[] = {
        { "check", cli_check },   { "show", cli_show },
        { "replay", cli_replay }, { "review", cli_review },
        { "import", cli_import }, { "stats", cli_stats },
        { "event", cli_event },   { "followups", cli_followups },
        { "live", cli_live },     { "calibrate", cli_calibrate },
        { "serve", cli_serve },   { "new", cli_new },
        { "lint", cli_lint },     { "diff", cli_diff },
        { "coverage", cli_coverage }, { "test", cli_test },
        { "coach", cli_coach },
    };
    size_t i;

    /* A write past a file size limit (ulimit -f, systemd's LimitFSIZE)
     * fails with EFBIG, as on a full disk, and is reported as one: the
     * signal's default would end a server with all its clients. */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_BAD;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("playbook %s\n", PB_VERSION);
        return EXIT_OK;
    }
    for (i = 0; i < sizeof verbs / sizeof *verbs; i++)
        if (strcmp(argv[1], verbs[i].name) == 0)
            return verbs[i].fn(argc - 1, argv + 1);
    pb__text_printf(stderr, "playbook: unknown verb '%s'\n\n", argv[1]);
    fputs(usage, stderr);
    return EXIT_BAD;
}
