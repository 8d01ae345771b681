/*
 * render_coverage.c -- coverage (coverage.c) as text for a team lead,
 * JSON for programs (fields in docs/authoring.md, "Coverage") or one
 * HTML page, read through the public pb_coverage calls.
 */
#include <stdio.h>
#include <string.h>

#include "file.h"
#include "html.h"
#include "jsonw.h"
#include "playbook.h"
#include "report.h"
#include "text.h"

/* Match k of a detector: its kind and text. */
static const char *match_of(const pb_engine *e, size_t p, size_t d,
                            const pb_detector_info *di, size_t k,
                            const char **kind)
{
    if (k < di->npatterns) {
        *kind = "pattern";
        return di->patterns[k];
    }
    k -= di->npatterns;
    if (k < di->nwords) {
        *kind = "words";
        return pb_engine_detector_words(e, p, d, k, NULL);
    }
    *kind = "example";
    return di->examples[k - di->nwords];
}

static size_t nmatches(const pb_detector_info *d)
{
    return d->npatterns + d->nwords + d->nexamples;
}

static const char *noticed_text(int n)
{
    return n < 0 ? "" : n ? "noticed" : "not noticed";
}

static void text_totals(FILE *f, const pb_coverage_totals *t, size_t calls)
{
    pb__text_printf(f, "Coverage over %zu call%s: %.1f%%  (items done "
                    "%zu/%zu, detectors fired %zu/%zu, patterns, phrases "
                    "and examples matched %zu/%zu)\n", calls,
                    calls == 1 ? "" : "s", t->percent, t->items_done,
                    t->items, t->detectors_fired, t->detectors, t->matched,
                    t->matches);
    if (t->mutants > 0)
        pb__text_printf(f, "Mutation: %zu of %zu dropped in turn were "
                        "noticed by some call\n", t->noticed, t->mutants);
}

static void render_text(FILE *f, const pb_coverage *cv)
{
    const pb_engine *e = pb_coverage_engine(cv);
    pb_coverage_totals t;
    size_t p, i, k;

    pb_coverage_figures(cv, &t);
    text_totals(f, &t, pb_coverage_ncalls(cv));
    for (p = 0; p < pb_engine_nprinciples(e); p++) {
        pb_principle_info pi;

        pb_engine_principle(e, p, &pi);
        pb__text_printf(f, "\n%s  %s\n  %-24s %6s %9s %8s  %s\n", pi.id,
                        pi.title, "item", "done", "violated", "skipped",
                        t.mutants ? "dropped" : "");
        for (i = pi.first_item; i < pi.first_item + pi.nitems; i++) {
            pb_item_def def;
            pb_coverage_counts c;

            pb_engine_item(e, i, &def);
            pb_coverage_item(cv, i, &c);
            pb__text_printf(f, "  %-24s %6zu %9zu %8zu  %s%s\n", def.id,
                            c.done, c.violated, c.skipped,
                            noticed_text(c.noticed),
                            c.done == 0 ? "  (never done)" : "");
        }
        for (k = 0; k < pi.ndetectors; k++) {
            pb_detector_info d;
            pb_coverage_counts c;
            size_t m, n, hit = 0;

            pb_engine_detector(e, p, k, &d);
            pb_coverage_detector(cv, p, k, &c);
            n = nmatches(&d);
            for (m = 0; m < n; m++)
                hit += pb_coverage_matched(cv, p, k, m) > 0;
            pb__text_printf(f, "  detector %s:%d  %s -> %s  fired %zu",
                            pb__file_name(pi.file), d.line, d.on,
                            d.emit ? d.emit : "(function)", c.fired);
            if (n)
                pb__text_printf(f, ", matched %zu of %zu", hit, n);
            pb__text_printf(f, "%s%s\n", c.noticed >= 0 ? "  " : "",
                            noticed_text(c.noticed));
            for (m = 0; m < n && hit < n; m++) {
                const char *kind, *s = match_of(e, p, k, &d, m, &kind);

                if (pb_coverage_matched(cv, p, k, m) == 0)
                    pb__text_printf(f, "    never matched: %s \"%s\"\n",
                                    kind, s);
            }
        }
    }
}

static void json_counts(pb__json *j, const pb_coverage_counts *c, int item)
{
    if (item) {
        pb__json_kint(j, "done", (long)c->done);
        pb__json_kint(j, "violated", (long)c->violated);
        pb__json_kint(j, "skipped", (long)c->skipped);
    } else {
        pb__json_kint(j, "fired", (long)c->fired);
    }
    pb__json_key(j, "noticed");
    if (c->noticed < 0)
        pb__json_str(j, NULL);
    else
        pb__json_bool(j, c->noticed);
}

static void render_json(FILE *f, const pb_coverage *cv)
{
    const pb_engine *e = pb_coverage_engine(cv);
    pb_coverage_totals t;
    size_t p, i, k, m;
    pb__json j;

    pb_coverage_figures(cv, &t);
    pb__json_init(&j, f);
    pb__json_open(&j, '{');
    pb__json_kint(&j, "calls", (long)pb_coverage_ncalls(cv));
    pb__json_knum(&j, "percent", t.percent);
    pb__json_kint(&j, "items", (long)t.items);
    pb__json_kint(&j, "items_done", (long)t.items_done);
    pb__json_kint(&j, "detectors", (long)t.detectors);
    pb__json_kint(&j, "detectors_fired", (long)t.detectors_fired);
    pb__json_kint(&j, "matches", (long)t.matches);
    pb__json_kint(&j, "matched", (long)t.matched);
    pb__json_kint(&j, "mutants", (long)t.mutants);
    pb__json_kint(&j, "noticed", (long)t.noticed);
    pb__json_key(&j, "principles");
    pb__json_open(&j, '[');
    for (p = 0; p < pb_engine_nprinciples(e); p++) {
        pb_principle_info pi;

        pb_engine_principle(e, p, &pi);
        pb__json_open(&j, '{');
        pb__json_kstr(&j, "id", pi.id);
        pb__json_kstr(&j, "file", pi.file);
        pb__json_key(&j, "items");
        pb__json_open(&j, '[');
        for (i = pi.first_item; i < pi.first_item + pi.nitems; i++) {
            pb_item_def def;
            pb_coverage_counts c;

            pb_engine_item(e, i, &def);
            pb_coverage_item(cv, i, &c);
            pb__json_open(&j, '{');
            pb__json_kstr(&j, "id", def.id);
            json_counts(&j, &c, 1);
            pb__json_close(&j, '}');
        }
        pb__json_close(&j, ']');
        pb__json_key(&j, "detectors");
        pb__json_open(&j, '[');
        for (k = 0; k < pi.ndetectors; k++) {
            pb_detector_info d;
            pb_coverage_counts c;

            pb_engine_detector(e, p, k, &d);
            pb_coverage_detector(cv, p, k, &c);
            pb__json_open(&j, '{');
            pb__json_kint(&j, "line", d.line);
            pb__json_kstr(&j, "on", d.on);
            pb__json_kstr(&j, "emit", d.emit);
            json_counts(&j, &c, 0);
            pb__json_key(&j, "matches");
            pb__json_open(&j, '[');
            for (m = 0; m < nmatches(&d); m++) {
                const char *kind, *s = match_of(e, p, k, &d, m, &kind);

                pb__json_open(&j, '{');
                pb__json_kstr(&j, "kind", kind);
                pb__json_kstr(&j, "text", s);
                pb__json_kint(&j, "count",
                              (long)pb_coverage_matched(cv, p, k, m));
                pb__json_close(&j, '}');
            }
            pb__json_close(&j, ']');
            pb__json_close(&j, '}');
        }
        pb__json_close(&j, ']');
        pb__json_close(&j, '}');
    }
    pb__json_close(&j, ']');
    pb__json_close(&j, '}');
    fputc('\n', f);
}

static void html_count(pb__html *h, size_t n)
{
    pb__html_start(h, "td", n ? "num" : "num muted");
    pb__html_textf(h, "%zu", n);
    pb__html_end(h);
}

static void html_noticed(pb__html *h, int n)
{
    pb__html_start(h, "td", NULL);
    if (n >= 0)
        pb__html_elem(h, "span", n ? "badge pass" : "badge fail",
                      n ? "noticed" : "not noticed");
    pb__html_end(h);
}

static void html_principle(pb__html *h, const pb_coverage *cv, size_t p,
                           int mutants)
{
    const pb_engine *e = pb_coverage_engine(cv);
    pb_principle_info pi;
    size_t i, k, m;

    pb_engine_principle(e, p, &pi);
    pb__html_start(h, "section", "card");
    pb__html_start(h, "h2", NULL);
    pb__html_textf(h, "%s", pi.title);
    pb__html_end(h);
    pb__html_elem(h, "p", "muted small mono", pi.file);
    pb__html_start(h, "table", "compact");
    pb__html_start(h, "tr", NULL);
    pb__html_elem(h, "th", NULL, "item");
    pb__html_elem(h, "th", "num", "done");
    pb__html_elem(h, "th", "num", "violated");
    pb__html_elem(h, "th", "num", "skipped");
    pb__html_elem(h, "th", NULL, mutants ? "when dropped" : NULL);
    pb__html_end(h);
    for (i = pi.first_item; i < pi.first_item + pi.nitems; i++) {
        pb_item_def def;
        pb_coverage_counts c;

        pb_engine_item(e, i, &def);
        pb_coverage_item(cv, i, &c);
        pb__html_start(h, "tr", NULL);
        pb__html_elem(h, "td", c.done ? "mono" : "mono violated", def.id);
        html_count(h, c.done);
        html_count(h, c.violated);
        html_count(h, c.skipped);
        html_noticed(h, c.noticed);
        pb__html_end(h);
    }
    pb__html_end(h);
    for (k = 0; k < pi.ndetectors; k++) {
        pb_detector_info d;
        pb_coverage_counts c;

        pb_engine_detector(e, p, k, &d);
        pb_coverage_detector(cv, p, k, &c);
        pb__html_start(h, "h3", c.fired ? NULL : "violated");
        pb__html_textf(h, "%s:%d  %s \xe2\x86\x92 %s: fired %zu",
                       pb__file_name(pi.file), d.line, d.on,
                       d.emit ? d.emit : "function", c.fired);
        if (c.noticed >= 0) {
            pb__html_text(h, " ");
            pb__html_elem(h, "span", c.noticed ? "badge pass" : "badge fail",
                          c.noticed ? "noticed" : "not noticed");
        }
        pb__html_end(h);
        if (nmatches(&d) == 0)
            continue;
        pb__html_start(h, "table", "compact");
        for (m = 0; m < nmatches(&d); m++) {
            const char *kind, *s = match_of(e, p, k, &d, m, &kind);
            size_t n = pb_coverage_matched(cv, p, k, m);

            pb__html_start(h, "tr", NULL);
            pb__html_elem(h, "td", "muted small", kind);
            pb__html_elem(h, "td", n ? "mono" : "mono muted", s);
            html_count(h, n);
            pb__html_end(h);
        }
        pb__html_end(h);
    }
    pb__html_end(h);
}

static pb_status render_html(FILE *f, const pb_coverage *cv)
{
    pb__html *h = pb__html_page(f, "Playbook: coverage");
    const pb_engine *e = pb_coverage_engine(cv);
    pb_coverage_totals t;
    size_t p;

    if (h == NULL)
        return PB_NOMEM;
    pb_coverage_figures(cv, &t);
    pb__html_start(h, "main", "page");
    pb__html_elem(h, "h1", NULL, "What the calls exercise");
    pb__html_start(h, "section", "card");
    pb__html_start(h, "p", NULL);
    pb__html_textf(h, "%.1f%% over %zu calls: items done %zu of %zu, "
                   "detectors fired %zu of %zu, patterns, phrases and "
                   "examples matched %zu of %zu.", t.percent,
                   pb_coverage_ncalls(cv), t.items_done, t.items,
                   t.detectors_fired, t.detectors, t.matched, t.matches);
    pb__html_end(h);
    if (t.mutants > 0) {
        pb__html_start(h, "p", NULL);
        pb__html_textf(h, "Dropped in turn, %zu of %zu were noticed by "
                       "some call; the others no call tests.", t.noticed,
                       t.mutants);
        pb__html_end(h);
    }
    pb__html_start(h, "div", "meter");
    pb__html_start(h, "div", "fill");
    pb__html_attrf(h, "style", "width: %.1f%%", t.percent);
    pb__html_end(h);
    pb__html_end(h);
    pb__html_end(h);
    for (p = 0; p < pb_engine_nprinciples(e); p++)
        html_principle(h, cv, p, t.mutants > 0);
    return pb__html_finish(h);
}

pb_status pb_render_coverage(FILE *out, pb_format fmt, unsigned flags,
                             const pb_coverage *cv)
{
    (void)flags;
    switch (fmt) {
    case PB_FORMAT_TEXT: render_text(out, cv); break;
    case PB_FORMAT_JSON: render_json(out, cv); break;
    case PB_FORMAT_HTML: return render_html(out, cv);
    default: return PB_INPUT;
    }
    return ferror(out) ? PB_IO : PB_OK;
}
