/*
 * cli.h -- what the playbook verbs share.  Exit codes are the contract:
 * 0 success, 1 expectations not met, 2 bad input or usage.
 */
#ifndef PB_CLI_H
#define PB_CLI_H

#include <stdio.h>

#include "playbook.h"
#include "text.h"

enum { EXIT_OK = 0, EXIT_UNMET = 1, EXIT_BAD = 2 };

#define CLI_MAX_PRINCIPLES 16

typedef struct cli_opts {
    const char *principles[CLI_MAX_PRINCIPLES]; /* each -p DIR */
    int nprinciples;
    const char *format;     /* --format */
    const char *output;     /* -o FILE */
    char **args;            /* operands */
    int nargs;
    int dashes;             /* operands from this index came after "--" */
    int bare_names;         /* cli_engine's files named without their
                             * folder (pb_engine_set_bare_names) */
} cli_opts;

/* A verb's own option taking a value: --name VALUE or --name=VALUE.  An
 * option listed twice may be given twice, filling the entries in order. */
typedef struct cli_option {
    const char *name;       /* "--notes"; NULL ends a list */
    const char **value;     /* NULL until given; given twice is an error */
    int *flag;              /* instead of value: set to 1, takes none */
} cli_option;

/* Shared options a verb takes, as a string of letters: p (-p DIR), f
 * (--format), o (-o FILE); own lists its other options (or NULL).
 * Returns 0, 1 after printing help, or -1 after a usage error on stderr.
 * o->args must be freed. */
int cli_parse(int argc, char **argv, const char *verb, const char *takes,
              const cli_option *own, const char *help, cli_opts *o);
int cli_usage_error(const char *verb, const char *fmt, ...);

/* The principle folder without -p: $PLAYBOOK_PRINCIPLES, else the
 * installed library, else ./principles. */
const char *cli_default_principles(void);
/* An engine with the principles of every -p (or the default) loaded;
 * failures go to stderr and set *failed.  NULL, after saying why on
 * stderr, when out of memory or when no principle loaded at all: a verb
 * then exits 2. */
pb_engine *cli_engine(const cli_opts *o, int *failed);
void cli_print_error(const pb_error *err);
/* Before a verb writes the case file at path: when its folder is a
 * server's data folder left by a machine crash (a sync.log that no
 * server holds), what the log has is put back into the journals first
 * (docs/agents.md, "Crashes"), and said.  -1 when it cannot be (said). */
int cli_put_back(const char *verb, const char *path);
/* Whether path is a folder; whether it holds a file (not hidden) whose
 * name ends in suffix. */
int cli_is_dir(const char *path);
int cli_dir_has(const char *path, const char *suffix);
/* A scenario, or a case file with the events of its journal when one is
 * there (pb_casefile_scenario); a torn journal tail is noted on stderr. */
pb_status cli_read_scenario(pb_engine *e, const pb_schema *schema,
                            const char *verb, const char *path,
                            pb_scenario **out, pb_error *err);
/* Verbs that fold many calls into counts (stats, coach, calibrate):
 * the file at path read, replayed and given to fold, then freed at
 * once, so memory stays flat however many files.  1 when folded, 0
 * after printing why not. */
typedef pb_status (*cli_fold)(void *into, const pb_replay *r, pb_error *err);
int cli_fold_file(pb_engine *e, const pb_schema *schema, const char *verb,
                  const char *path, cli_fold fold, void *into);

/* --format NAME among the allowed ones (CLI_FMT_* bits); NULL is the
 * first allowed.  0, or -1 after a usage error. */
#define CLI_FMT(f) (1u << (f))
int cli_format(const char *verb, const char *name, unsigned allowed,
               pb_format *out);
unsigned cli_render_flags(FILE *f);

/* SGR escapes for what a session (live, review) writes to a terminal;
 * cli_paint sends one only when color is set (cli_render_flags). */
#define CLI_RESET "\033[0m"
#define CLI_BOLD "\033[1m"
#define CLI_DIM "\033[2m"
#define CLI_RED "\033[31m"
#define CLI_GREEN "\033[32m"
#define CLI_CYAN "\033[36m"
void cli_paint(FILE *out, int color, const char *code);
/* The columns of the terminal f is, read again at each call (the window
 * may change); 0 when f is not a terminal. */
int cli_term_width(FILE *f);

/* The files a verb works on: each path as given, or the *.xml files of a
 * folder in name order. */
typedef struct cli_files {
    char **v;
    size_t n;
} cli_files;
/* 0, 1 for a folder with no *.xml file (after saying so on stderr), -1
 * when out of memory. */
int cli_files_add(cli_files *l, const char *path);
void cli_files_free(cli_files *l);

/* Output to -o FILE goes to a temporary file renamed into place at the
 * end, so a failed run leaves no partial report; "-" is standard output,
 * and anything that exists and is not a regular file is refused. */
typedef struct cli_out {
    FILE *f;
    char *path, *tmp;
} cli_out;
int cli_out_open(cli_out *out, const char *path);
/* 0 when path is a regular file or nothing yet; -1 after saying it is
 * not a regular file (a FIFO, a device, a folder). */
int cli_out_regular(const char *path);
int cli_out_close(cli_out *out, int ok);

/* The event types recorded from outside the principles, for lint:
 * out gets them, NULL-terminated, within room entries. */
void cli_recorded_types(const char **out, size_t room);
/* A lint finding as file:line: [warning: ]message [code]. */
void cli_print_finding(FILE *f, const pb_finding *fd, int warning);

int cli_check(int argc, char **argv);
int cli_show(int argc, char **argv);
int cli_replay(int argc, char **argv);
int cli_review(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_stats(int argc, char **argv);
int cli_event(int argc, char **argv);
int cli_followups(int argc, char **argv);
int cli_live(int argc, char **argv);
int cli_calibrate(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_new(int argc, char **argv);
int cli_lint(int argc, char **argv);
int cli_diff(int argc, char **argv);
int cli_coverage(int argc, char **argv);
int cli_test(int argc, char **argv);
int cli_coach(int argc, char **argv);

#endif
