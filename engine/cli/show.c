/*
 * show.c -- `playbook show`: the principles as a team lead reads them.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jsonw.h"

static const char help[] =
    "usage: playbook show [-p DIR] [--format text|json]\n"
    "\n"
    "Lists the loaded principles in checklist order: what each is for,\n"
    "its items (must items count for the score; 'after' items wait for\n"
    "others; 'collects' items are done when the fact is known) and the\n"
    "detectors that turn utterances into typed events.\n"
    "\n"
    "  -p, --principles DIR   principle folder or file; repeat to combine\n"
    "  -f, --format FMT       text (default) or json\n"
    "\n"
    "Exit: 0, or 2 when a principle file failed to load (the others are\n"
    "still shown).\n";

static void text_item(const pb_item_def *d)
{
    size_t k;

    pb__text_printf(stdout, "  %-4s %-18s ", d->must ? "must" : "", d->id);
    if (d->prompt)
        pb__text_prose(stdout, d->prompt);
    else
        printf("(prompt depends on the case)");
    putchar('\n');
    if (d->nafter || d->collects || d->has_applies || d->has_violated) {
        printf("%24s", "");
        if (d->nafter) {
            printf("after ");
            for (k = 0; k < d->nafter; k++)
                pb__text_printf(stdout, "%s%s", k ? ", " : "", d->after[k]);
            printf("  ");
        }
        if (d->collects)
            pb__text_printf(stdout, "collects fact %s  ", d->collects);
        if (d->has_applies)
            printf("only when it applies  ");
        if (d->has_violated)
            printf("can be violated");
        putchar('\n');
    }
}

/* What a detector looks for: " when it matches "a" | "b" or says "look
 * into" (gap 3) or is like "..." (threshold 0.5)". */
static void patterns(const pb_engine *e, size_t pi, size_t di,
                     const pb_detector_info *d)
{
    const char *lead = " when it";
    size_t k;

    if (d->npatterns > 0) {
        fputs(" when it matches ", stdout);
        for (k = 0; k < d->npatterns; k++)
            pb__text_printf(stdout, "%s\"%s\"", k ? " | " : "",
                            d->patterns[k]);
        lead = " or";
    }
    if (d->nwords > 0) {
        pb__text_printf(stdout, "%s says ", lead);
        for (k = 0; k < d->nwords; k++) {
            unsigned need;
            const char *w = pb_engine_detector_words(e, pi, di, k, &need);

            pb__text_printf(stdout, "%s\"%s\"", k ? " | " : "", w);
            if (need > 0)
                printf(" (%u of its words)", need);
        }
        if (d->gap != 2)
            printf(" (gap %u)", d->gap);
        lead = " or";
    }
    if (d->nexamples > 0) {
        pb__text_printf(stdout, "%s is like ", lead);
        for (k = 0; k < d->nexamples; k++)
            pb__text_printf(stdout, "%s\"%s\"", k ? " | " : "",
                            d->examples[k]);
        printf(" (threshold %g)", d->threshold);
    }
}

static void text_detector(const pb_engine *e, size_t pi, size_t di,
                          const pb_detector_info *d)
{
    if (d->emit == NULL) {
        pb__text_printf(stdout, "  detect %s -> (function, line %d)",
                        d->on ? d->on : "any event", d->line);
        patterns(e, pi, di, d);
        if (d->unless)
            pb__text_printf(stdout, " unless %s", d->unless);
        putchar('\n');
        return;
    }
    pb__text_printf(stdout, "  detect %s -> %s", d->on, d->emit);
    patterns(e, pi, di, d);
    if (d->within > 0 && d->after)
        pb__text_printf(stdout, " within %gs of %s", d->within, d->after);
    if (d->unless)
        pb__text_printf(stdout, " unless %s", d->unless);
    putchar('\n');
}

static void show_text(const pb_engine *e)
{
    size_t i, j;

    for (i = 0; i < pb_engine_nprinciples(e); i++) {
        pb_principle_info p;

        pb_engine_principle(e, i, &p);
        if (i)
            putchar('\n');
        pb__text_printf(stdout, "%s - ", p.id);
        pb__text_prose(stdout, p.title);
        pb__text_printf(stdout, "  (order %g, %s)\n", p.order, p.file);
        if (p.why) {
            fputs("  ", stdout);
            pb__text_prose(stdout, p.why);
            putchar('\n');
        }
        if (p.has_applies)
            printf("  Applies only to some cases.\n");
        for (j = 0; j < p.nitems; j++) {
            pb_item_def d;

            pb_engine_item(e, p.first_item + j, &d);
            text_item(&d);
        }
        for (j = 0; j < p.ndetectors; j++) {
            pb_detector_info d;

            pb_engine_detector(e, i, j, &d);
            text_detector(e, i, j, &d);
        }
    }
}

static void show_json(const pb_engine *e)
{
    pb__json j;
    size_t i, k, n;

    pb__json_init(&j, stdout);
    pb__json_open(&j, '{');
    pb__json_key(&j, "principles");
    pb__json_open(&j, '[');
    for (i = 0; i < pb_engine_nprinciples(e); i++) {
        pb_principle_info p;

        pb_engine_principle(e, i, &p);
        pb__json_open(&j, '{');
        pb__json_kstr(&j, "id", p.id);
        pb__json_kstr(&j, "title", p.title);
        pb__json_kstr(&j, "why", p.why);
        pb__json_knum(&j, "order", p.order);
        pb__json_kstr(&j, "file", p.file);
        pb__json_key(&j, "items");
        pb__json_open(&j, '[');
        for (n = 0; n < p.nitems; n++) {
            pb_item_def d;

            pb_engine_item(e, p.first_item + n, &d);
            pb__json_open(&j, '{');
            pb__json_kstr(&j, "id", d.id);
            pb__json_kbool(&j, "must", d.must);
            pb__json_kbool(&j, "later", d.later);
            pb__json_kstr(&j, "prompt", d.prompt);
            pb__json_kstr(&j, "collects", d.collects);
            pb__json_key(&j, "after");
            pb__json_open(&j, '[');
            for (k = 0; k < d.nafter; k++)
                pb__json_str(&j, d.after[k]);
            pb__json_close(&j, ']');
            pb__json_close(&j, '}');
        }
        pb__json_close(&j, ']');
        pb__json_key(&j, "detectors");
        pb__json_open(&j, '[');
        for (n = 0; n < p.ndetectors; n++) {
            pb_detector_info d;

            pb_engine_detector(e, i, n, &d);
            pb__json_open(&j, '{');
            pb__json_kstr(&j, "on", d.on);
            pb__json_kstr(&j, "emit", d.emit);
            pb__json_kstr(&j, "unless", d.unless);
            pb__json_key(&j, "patterns");
            pb__json_open(&j, '[');
            for (k = 0; k < d.npatterns; k++)
                pb__json_str(&j, d.patterns[k]);
            pb__json_close(&j, ']');
            pb__json_key(&j, "words");
            pb__json_open(&j, '[');
            for (k = 0; k < d.nwords; k++) {
                unsigned need;
                const char *w = pb_engine_detector_words(e, i, n, k, &need);

                pb__json_open(&j, '{');
                pb__json_kstr(&j, "phrase", w);
                pb__json_key(&j, "need");
                if (need > 0)
                    pb__json_int(&j, (long)need);
                else
                    pb__json_str(&j, NULL);
                pb__json_close(&j, '}');
            }
            pb__json_close(&j, ']');
            pb__json_key(&j, "gap");
            if (d.nwords > 0)
                pb__json_int(&j, (long)d.gap);
            else
                pb__json_str(&j, NULL);
            pb__json_key(&j, "examples");
            pb__json_open(&j, '[');
            for (k = 0; k < d.nexamples; k++)
                pb__json_str(&j, d.examples[k]);
            pb__json_close(&j, ']');
            pb__json_key(&j, "threshold");
            if (d.nexamples > 0)
                pb__json_num(&j, d.threshold);
            else
                pb__json_str(&j, NULL);
            pb__json_kstr(&j, "after", d.after);
            pb__json_key(&j, "within");
            if (d.within > 0)
                pb__json_num(&j, d.within);
            else
                pb__json_str(&j, NULL);
            pb__json_kint(&j, "line", d.line);
            pb__json_close(&j, '}');
        }
        pb__json_close(&j, ']');
        pb__json_close(&j, '}');
    }
    pb__json_close(&j, ']');
    pb__json_close(&j, '}');
    putchar('\n');
}

int cli_show(int argc, char **argv)
{
    cli_opts o;
    pb_format fmt;
    pb_engine *e;
    int failed, rc;

    switch (cli_parse(argc, argv, "show", "pf", NULL, help, &o)) {
    case 1: free(o.args); return EXIT_OK;
    case -1: free(o.args); return EXIT_BAD;
    }
    if (cli_format("show", o.format,
                   CLI_FMT(PB_FORMAT_TEXT) | CLI_FMT(PB_FORMAT_JSON),
                   &fmt) != 0 || o.nargs > 0) {
        if (o.nargs > 0)
            cli_usage_error("show", "unexpected argument '%s'", o.args[0]);
        free(o.args);
        return EXIT_BAD;
    }
    if ((e = cli_engine(&o, &failed)) == NULL) {
        free(o.args);
        return EXIT_BAD;
    }
    if (fmt == PB_FORMAT_JSON)
        show_json(e);
    else
        show_text(e);
    rc = fflush(stdout) != 0 ? EXIT_BAD : failed ? EXIT_BAD : EXIT_OK;
    pb_engine_free(e);
    free(o.args);
    return rc;
}
