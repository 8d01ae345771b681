/*
 * calibrate.c -- `playbook calibrate`: the engine's final checklists
 * against a support lead's labels, or one lead against another.
 *
 * Everything is read and checked before anything is written: a bad
 * label, scenario or principle is exit 2 with no report (and nothing at
 * -o).  Replays are folded into the calibration one at a time and freed.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: playbook calibrate [-p DIR] --labels FILE [--labels FILE2]\n"
    "                          [--format text|json|html] [-o OUT]\n"
    "                          [--min AGREEMENT] [--min-applying "
    "AGREEMENT]\n"
    "                          SCENARIO|DIR...\n"
    "\n"
    "Compares the engine's final checklist of each scenario (a folder\n"
    "means every *.xml in it) with a support lead's labels, item by item:\n"
    "agreement over all labels and over those where either side says the\n"
    "item applies, Cohen's kappa overall and per item, the confusion\n"
    "matrix (rows: the engine, columns: the lead), borderline labels\n"
    "apart, and every disagreement with the lead's note and the event\n"
    "after which the engine's state was final.  The engine's waiting\n"
    "counts as open; an item it does not list, or skipped, as n/a.\n"
    "\n"
    "With two --labels, the second lead is compared with the first (rows:\n"
    "the second); scenarios are then optional and only quote what the\n"
    "engine made of each disagreement.\n"
    "\n"
    "Labels are CSV with a header row: chat (the scenario's id), item\n"
    "(principle.item), state or lead (done, open, violated, n/a), and\n"
    "optionally borderline (yes or empty) and note.  docs/calibration.md\n"
    "says more.\n"
    "\n"
    "  -p, --principles DIR   principle folder or file; repeat to combine\n"
    "                         (default: $PLAYBOOK_PRINCIPLES, else the\n"
    "                         installed library, else ./principles)\n"
    "  --labels FILE          the lead's labels; a second one: another\n"
    "                         lead's, compared with the first\n"
    "  -f, --format FMT       text (default), json or html\n"
    "  -o, --output FILE      write the report to FILE (replaced only when\n"
    "                         complete; nothing is written on bad input)\n"
    "  --min AGREEMENT        exit 1 when the agreement over all labels is\n"
    "                         below it: a fraction (0.9) or a percentage\n"
    "                         (90%)\n"
    "  --min-applying AGREEMENT  the same for the agreement where either\n"
    "                         side says the item applies\n"
    "\n"
    "Exit: 0 success, 1 an agreement below --min or --min-applying, 2 bad\n"
    "input or usage (a message names the file and line).\n";

/* "0.9" or "90%" into 0..1; -1 when it is neither. */
static double parse_share(const char *s)
{
    char *end;
    double v;

    if (s == NULL || *s == '\0')
        return -1;
    v = strtod(s, &end);
    if (end == s)
        return -1;
    if (*end == '%' && end[1] == '\0')
        v /= 100;
    else if (*end != '\0')
        return -1;
    return v >= 0 && v <= 1 ? v : -1;
}

/* One file into the calibration (cli_fold_file). */
static pb_status fold(void *cal, const pb_replay *r, pb_error *err)
{
    return pb_calib_add_replay(cal, r, err);
}

static pb_labels *read_labels(const char *path)
{
    pb_labels *l = NULL;
    pb_error err;

    if (pb_labels_read(path, &l, &err) != PB_OK)
        cli_print_error(&err);
    return l;
}

/* Whether the share of a figure is below min, said on stderr. */
static int below(const char *what, const char *given, double min,
                 size_t num, size_t den)
{
    if (min < 0 || den == 0 || (double)num >= min * (double)den - 1e-9)
        return 0;
    fprintf(stderr, "playbook calibrate: %s %.1f%% (%zu of %zu) is below "
            "%s\n", what, 100.0 * (double)num / (double)den, num, den,
            given);
    return 1;
}

int cli_calibrate(int argc, char **argv)
{
    const char *labels[2] = { NULL, NULL }, *min_s = NULL, *mina_s = NULL;
    const cli_option own[] = {
        { "--labels", &labels[0], NULL }, { "--labels", &labels[1], NULL },
        { "--min", &min_s, NULL },        { "--min-applying", &mina_s, NULL },
        { NULL, NULL, NULL },
    };
    cli_opts o;
    pb_format fmt;
    pb_engine *e = NULL;
    pb_schema *schema = NULL;
    pb_labels *lead = NULL, *other = NULL;
    pb_calib *cal = NULL;
    pb_calib_figures fig;
    cli_files files = { NULL, 0 };
    double min = -1, mina = -1;
    size_t i;
    int rc = EXIT_BAD, failed = 0, bad = 0, low, x;
    pb_error err;
    cli_out out;

    switch (cli_parse(argc, argv, "calibrate", "pfo", own, help, &o)) {
    case 1: rc = EXIT_OK; goto done;
    case -1: goto done;
    }
    if (cli_format("calibrate", o.format,
                   CLI_FMT(PB_FORMAT_TEXT) | CLI_FMT(PB_FORMAT_JSON) |
                       CLI_FMT(PB_FORMAT_HTML), &fmt) != 0)
        goto done;
    if (labels[0] == NULL) {
        cli_usage_error("calibrate", "no --labels FILE given");
        goto done;
    }
    if ((min_s && (min = parse_share(min_s)) < 0) ||
        (mina_s && (mina = parse_share(mina_s)) < 0)) {
        cli_usage_error("calibrate", "'%s' is not an agreement: a fraction "
                        "from 0 to 1 (0.9) or a percentage (90%%)",
                        min_s && min < 0 ? min_s : mina_s);
        goto done;
    }
    if (o.nargs == 0 && labels[1] == NULL) {
        cli_usage_error("calibrate", "no scenario given (the chats the "
                        "labels are about)");
        goto done;
    }
    for (i = 0; i < (size_t)o.nargs; i++) {
        if ((x = cli_files_add(&files, o.args[i])) < 0)
            goto nomem;
        bad |= x > 0;
    }
    if ((lead = read_labels(labels[0])) == NULL ||
        (labels[1] && (other = read_labels(labels[1])) == NULL))
        goto done;
    if ((e = cli_engine(&o, &failed)) == NULL)
        goto done;
    if (failed || bad)
        goto done;
    if (pb_calib_new(e, lead, other, &cal, &err) != PB_OK) {
        cli_print_error(&err);
        goto done;
    }
    schema = pb_schema_new(NULL); /* NULL: each read compiles one */
    for (i = 0; i < files.n; i++)
        bad |= !cli_fold_file(e, schema, "calibrate", files.v[i], fold,
                              cal);
    if (bad)
        goto done;
    if (pb_calib_finish(cal, &err) != PB_OK) {
        cli_print_error(&err);
        goto done;
    }
    if (cli_out_open(&out, o.output) != 0)
        goto done;
    if (pb_calib_render(cal, out.f, fmt,
                        o.output ? 0 : cli_render_flags(stdout)) != PB_OK) {
        fprintf(stderr, "playbook calibrate: cannot write the report\n");
        cli_out_close(&out, 0);
        goto done;
    }
    if (cli_out_close(&out, 1) != 0)
        goto done;
    pb_calib_figures_of(cal, PB_CALIB_ALL, &fig);
    low = below("agreement", min_s, min, fig.agree, fig.labels);
    low |= below("agreement where it applies", mina_s, mina,
                 fig.applying_agree, fig.applying);
    rc = low ? EXIT_UNMET : EXIT_OK;
    goto done;
nomem:
    fprintf(stderr, "playbook calibrate: out of memory\n");
done:
    pb_calib_free(cal);
    pb_schema_free(schema);
    pb_engine_free(e);
    pb_labels_free(other);
    pb_labels_free(lead);
    cli_files_free(&files);
    free(o.args);
    return rc;
}
