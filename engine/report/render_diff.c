/*
 * render_diff.c -- a diff of two versions of the principles (diff.c) as
 * text for a team lead, JSON for programs (fields in docs/authoring.md,
 * "Comparing two versions") or one HTML page, read through the public
 * pb_diff calls.
 */
#include <stdio.h>
#include <string.h>

#include "html.h"
#include "jsonw.h"
#include "playbook.h"
#include "report.h"
#include "text.h"

#define TEXT_CUT 90 /* an event's text in the text report, in bytes */

static const char *state_or(const char *s)
{
    return s ? s : "(no such item)";
}

static void text_item(FILE *f, const pb_diff_item *it, unsigned flags)
{
    int color = (flags & PB_RENDER_COLOR) != 0;
    char tbuf[32];

    pb__text_printf(f, "  %s  %s -> %s%s%s\n", it->ref,
                    state_or(it->old_state), color ? PB__C_BOLD : "",
                    state_or(it->new_state), color ? PB__C_RESET : "");
    if (it->event < 0)
        return;
    pb__text_printf(f, "    from event %ld at %s: %s", it->event + 1,
                    pb_time_format(it->t, tbuf, sizeof tbuf), it->type);
    if (it->text)
        pb__text_printf(f, " \"%.*s%s\"", TEXT_CUT, it->text,
                        strlen(it->text) > TEXT_CUT ? "..." : "");
    pb__text_printf(f, "\n      old: %s\n      new: %s\n",
                    *it->old_detected ? it->old_detected : "(nothing detected)",
                    *it->new_detected ? it->new_detected
                                      : "(nothing detected)");
}

static void render_text(FILE *f, unsigned flags, const pb_diff *d)
{
    size_t i, k, n = pb_diff_nchanged(d);

    pb__text_printf(f, "old: %s\nnew: %s\n%zu of %zu call%s change\n",
                    pb_diff_old_name(d), pb_diff_new_name(d), n,
                    pb_diff_ncompared(d),
                    pb_diff_ncompared(d) == 1 ? "" : "s");
    for (i = 0; i < n; i++) {
        const pb_diff_call *c = pb_diff_call_at(d, i);

        pb__text_printf(f, "\n%s%s%s%s  score %.2f -> %.2f (%+.2f)\n",
                        c->file, c->title ? "  \"" : "",
                        c->title ? c->title : "", c->title ? "\"" : "",
                        c->old_score, c->new_score,
                        c->new_score - c->old_score);
        for (k = 0; k < c->nitems; k++)
            text_item(f, pb_diff_item_at(d, i, k), flags);
    }
}

static void render_json(FILE *f, const pb_diff *d)
{
    size_t i, k, n = pb_diff_nchanged(d);
    char tbuf[32];
    pb__json j;

    pb__json_init(&j, f);
    pb__json_open(&j, '{');
    pb__json_kstr(&j, "old", pb_diff_old_name(d));
    pb__json_kstr(&j, "new", pb_diff_new_name(d));
    pb__json_kint(&j, "compared", (long)pb_diff_ncompared(d));
    pb__json_kint(&j, "changed", (long)n);
    pb__json_key(&j, "calls");
    pb__json_open(&j, '[');
    for (i = 0; i < n; i++) {
        const pb_diff_call *c = pb_diff_call_at(d, i);

        pb__json_open(&j, '{');
        pb__json_kstr(&j, "file", c->file);
        pb__json_kstr(&j, "title", c->title);
        pb__json_knum(&j, "old_score", c->old_score);
        pb__json_knum(&j, "new_score", c->new_score);
        pb__json_key(&j, "items");
        pb__json_open(&j, '[');
        for (k = 0; k < c->nitems; k++) {
            const pb_diff_item *it = pb_diff_item_at(d, i, k);

            pb__json_open(&j, '{');
            pb__json_kstr(&j, "ref", it->ref);
            pb__json_kstr(&j, "old", it->old_state);
            pb__json_kstr(&j, "new", it->new_state);
            pb__json_key(&j, "event");
            if (it->event < 0) {
                pb__json_str(&j, NULL);
            } else {
                pb__json_open(&j, '{');
                pb__json_kint(&j, "n", it->event + 1);
                pb__json_knum(&j, "t", it->t);
                pb__json_kstr(&j, "time",
                              pb_time_format(it->t, tbuf, sizeof tbuf));
                pb__json_kstr(&j, "type", it->type);
                pb__json_kstr(&j, "text", it->text);
                pb__json_kstr(&j, "old_detected", it->old_detected);
                pb__json_kstr(&j, "new_detected", it->new_detected);
                pb__json_close(&j, '}');
            }
            pb__json_close(&j, '}');
        }
        pb__json_close(&j, ']');
        pb__json_close(&j, '}');
    }
    pb__json_close(&j, ']');
    pb__json_close(&j, '}');
    fputc('\n', f);
}

static void html_state(pb__html *h, const char *s)
{
    if (s == NULL) {
        pb__html_elem(h, "span", "muted", "no such item");
        return;
    }
    pb__html_start(h, "span", NULL);
    pb__html_attrf(h, "class", "badge %s", s);
    pb__html_text(h, s);
    pb__html_end(h);
}

static void html_call(pb__html *h, const pb_diff *d, size_t i)
{
    const pb_diff_call *c = pb_diff_call_at(d, i);
    double delta = c->new_score - c->old_score;
    char tbuf[32];
    size_t k;

    pb__html_start(h, "section", "card");
    pb__html_start(h, "h2", NULL);
    pb__html_text(h, c->title ? c->title : c->file);
    pb__html_end(h);
    pb__html_elem(h, "p", "muted small mono", c->file);
    pb__html_start(h, "p", NULL);
    pb__html_textf(h, "Score %.2f \xe2\x86\x92 %.2f ", c->old_score,
                   c->new_score);
    pb__html_start(h, "span", delta < 0 ? "badge fail"
                              : delta > 0 ? "badge pass" : "badge");
    pb__html_textf(h, "%+.2f", delta);
    pb__html_end(h);
    pb__html_end(h);
    pb__html_start(h, "table", "compact");
    pb__html_start(h, "tr", NULL);
    pb__html_elem(h, "th", NULL, "item");
    pb__html_elem(h, "th", NULL, "old");
    pb__html_elem(h, "th", NULL, "new");
    pb__html_elem(h, "th", NULL, "from the event");
    pb__html_elem(h, "th", NULL, "old detected");
    pb__html_elem(h, "th", NULL, "new detected");
    pb__html_end(h);
    for (k = 0; k < c->nitems; k++) {
        const pb_diff_item *it = pb_diff_item_at(d, i, k);

        pb__html_start(h, "tr", NULL);
        pb__html_elem(h, "td", "mono", it->ref);
        pb__html_start(h, "td", NULL);
        html_state(h, it->old_state);
        pb__html_end(h);
        pb__html_start(h, "td", NULL);
        html_state(h, it->new_state);
        pb__html_end(h);
        if (it->event < 0) {
            pb__html_elem(h, "td", "muted", "not changed by an event");
            pb__html_elem(h, "td", NULL, NULL);
            pb__html_elem(h, "td", NULL, NULL);
        } else {
            pb__html_start(h, "td", NULL);
            pb__html_start(h, "span", "mono small");
            pb__html_textf(h, "%s %s ", pb_time_format(it->t, tbuf,
                                                       sizeof tbuf),
                           it->type);
            pb__html_end(h);
            pb__html_text(h, it->text);
            pb__html_end(h);
            pb__html_elem(h, "td", "small mono", *it->old_detected
                          ? it->old_detected : "\xe2\x80\x94");
            pb__html_elem(h, "td", "small mono", *it->new_detected
                          ? it->new_detected : "\xe2\x80\x94");
        }
        pb__html_end(h);
    }
    pb__html_end(h);
    pb__html_end(h);
}

static pb_status render_html(FILE *f, const pb_diff *d)
{
    pb__html *h = pb__html_page(f, "Playbook: two versions compared");
    size_t i, n = pb_diff_nchanged(d);

    if (h == NULL)
        return PB_NOMEM;
    pb__html_start(h, "main", "page");
    pb__html_elem(h, "h1", NULL, "Two versions of the principles");
    pb__html_start(h, "section", "card");
    pb__html_start(h, "dl", "kv");
    pb__html_elem(h, "dt", NULL, "old");
    pb__html_elem(h, "dd", "mono", pb_diff_old_name(d));
    pb__html_elem(h, "dt", NULL, "new");
    pb__html_elem(h, "dd", "mono", pb_diff_new_name(d));
    pb__html_elem(h, "dt", NULL, "calls");
    pb__html_start(h, "dd", NULL);
    pb__html_textf(h, "%zu of %zu change%s", n, pb_diff_ncompared(d),
                   n ? ", largest change first" : "");
    pb__html_end(h);
    pb__html_end(h);
    pb__html_end(h);
    for (i = 0; i < n; i++)
        html_call(h, d, i);
    return pb__html_finish(h);
}

pb_status pb_render_diff(FILE *out, pb_format fmt, unsigned flags,
                         const pb_diff *d)
{
    switch (fmt) {
    case PB_FORMAT_TEXT: render_text(out, flags, d); break;
    case PB_FORMAT_JSON: render_json(out, d); break;
    case PB_FORMAT_HTML: return render_html(out, d);
    default: return PB_INPUT;
    }
    return ferror(out) ? PB_IO : PB_OK;
}
