/*
 * render_calibrate.c -- the calibration report (calibrate.c) as text for
 * a QA lead, JSON for programs (field names in docs/calibration.md) or
 * one HTML page, read through the public pb_calib calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "jsonw.h"
#include "playbook.h"
#include "report.h"
#include "text.h"

#define NST PB_LABEL_NSTATES
#define NAME_MAX_COLS 40 /* longer item names are cut, with "..." */

/* Who the two sides are: the lead is the columns, the other the rows. */
typedef struct sides {
    const char *col, *row;   /* "lead" / "engine", or "lead A" / "lead B" */
    const char *col_short, *row_short; /* for notes: "A", "B" */
} sides;

static sides sides_of(const pb_calib_info *in)
{
    sides s = { "lead", "engine", "lead", "engine" };

    if (in->other) {
        s.col = "lead A";
        s.row = "lead B";
        s.col_short = "A";
        s.row_short = "B";
    }
    return s;
}

/* The states a matrix shows: error only when some label has it. */
static size_t nstates(const pb_calib_figures *f)
{
    size_t j;

    for (j = 0; j < NST; j++)
        if (f->matrix[PB_LABEL_ERROR][j] || f->matrix[j][PB_LABEL_ERROR])
            return NST;
    return NST - 1;
}

static const char *pct(char *buf, size_t size, size_t num, size_t den)
{
    if (den == 0)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.1f%%", 100.0 * (double)num / (double)den);
    return buf;
}

static const char *kappa(char *buf, size_t size, const pb_calib_figures *f)
{
    if (!f->has_kappa)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.2f", f->kappa);
    return buf;
}

/* The engine's own state where it says more than the lead's word:
 * "waiting", "skipped", "not listed", "error". */
static const char *engine_detail(const pb_calib_pair *p)
{
    if (!p->replayed)
        return NULL;
    switch (p->engine) {
    case PB_WAITING: return "waiting";
    case PB_SKIPPED: return "skipped";
    case PB_ABSENT: return "not listed";
    default: return NULL;
    }
}

/* Text. */

typedef struct out {
    FILE *f;
    int color;
} out;

static void title(const out *o, const char *t)
{
    fputc('\n', o->f);
    if (o->color)
        fputs(PB__C_BOLD, o->f);
    fputs(t, o->f);
    if (o->color)
        fputs(PB__C_RESET, o->f);
    fputc('\n', o->f);
}

static void name_cell(FILE *f, const char *s, size_t cols)
{
    size_t w = pb__text_write(f, s, strlen(s), cols, 0);

    for (; w < cols; w++)
        fputc(' ', f);
}

static void text_head(const out *o, const pb_calib *c)
{
    pb_calib_info in;
    pb_calib_figures all, bl;

    pb_calib_overall(c, &in);
    pb_calib_figures_of(c, PB_CALIB_ALL, &all);
    pb_calib_figures_of(c, PB_CALIB_BORDERLINE, &bl);
    if (o->color)
        fputs(PB__C_BOLD, o->f);
    if (in.other)
        pb__text_printf(o->f, "Calibration: lead B (%s) against lead A "
                        "(%s)\n", in.other, in.lead);
    else
        pb__text_printf(o->f, "Calibration: the engine against a lead "
                        "(%s)\n", in.lead);
    if (o->color)
        fputs(PB__C_RESET, o->f);
    fprintf(o->f, "  %zu label%s of %zu chat%s compared, %zu borderline; "
            "%zu scenario%s replayed\n", all.labels,
            all.labels == 1 ? "" : "s", in.chats, in.chats == 1 ? "" : "s",
            bl.labels, in.replays, in.replays == 1 ? "" : "s");
    if (in.unpaired)
        fprintf(o->f, "  %zu label%s of one lead the other has not: not "
                "compared (see the warnings)\n", in.unpaired,
                in.unpaired == 1 ? "" : "s");
}

static void text_agreement(const out *o, const pb_calib *c, const sides *sd)
{
    static const struct {
        pb_calib_part part;
        const char *name;
    } rows[] = {
        { PB_CALIB_ALL, "all labels" },
        { PB_CALIB_CLEAR, "clear labels (not borderline)" },
        { PB_CALIB_BORDERLINE, "borderline labels" },
    };
    pb_calib_figures f;
    char a[16], b[32], k[16], what[64];
    size_t i;

    title(o, "Agreement");
    fprintf(o->f, "  %-34s %7s  %14s  %5s\n", "", "share", "agree of", "kappa");
    for (i = 0; i < sizeof rows / sizeof *rows; i++) {
        pb_calib_figures_of(c, rows[i].part, &f);
        snprintf(b, sizeof b, "%zu of %zu", f.agree, f.labels);
        fprintf(o->f, "  %-34s %7s  %14s  %5s\n", rows[i].name,
                pct(a, sizeof a, f.agree, f.labels), b,
                kappa(k, sizeof k, &f));
        if (rows[i].part != PB_CALIB_ALL)
            continue;
        snprintf(b, sizeof b, "%zu of %zu", f.applying_agree, f.applying);
        snprintf(what, sizeof what, "where it applies (%s or %s)",
                 sd->col_short, sd->row_short);
        fprintf(o->f, "  %-34s %7s  %14s\n", what,
                pct(a, sizeof a, f.applying_agree, f.applying), b);
    }
}

static void text_matrix(const out *o, const pb_calib *c, const sides *sd)
{
    pb_calib_figures f;
    size_t i, j, n, tot, col[NST] = { 0 };
    char t[128];

    pb_calib_figures_of(c, PB_CALIB_ALL, &f);
    n = nstates(&f);
    snprintf(t, sizeof t, "Confusion (rows: %s, columns: %s; the diagonal "
             "agrees)", sd->row, sd->col);
    title(o, t);
    fprintf(o->f, "  %-10s", "");
    for (j = 0; j < n; j++)
        fprintf(o->f, " %8s", pb_label_state_name((pb_label_state)j));
    fprintf(o->f, " %8s\n", "total");
    for (i = 0; i < n; i++) {
        fprintf(o->f, "  %-10s", pb_label_state_name((pb_label_state)i));
        for (j = 0, tot = 0; j < n; j++) {
            fprintf(o->f, " %8zu", f.matrix[i][j]);
            tot += f.matrix[i][j];
            col[j] += f.matrix[i][j];
        }
        fprintf(o->f, " %8zu\n", tot);
    }
    fprintf(o->f, "  %-10s", "total");
    for (j = 0; j < n; j++)
        fprintf(o->f, " %8zu", col[j]);
    fprintf(o->f, " %8zu\n", f.labels);
}

static pb_status text_items(const out *o, const pb_calib *c)
{
    size_t n = pb_calib_nitems(c), i, w = 4;
    size_t *rank = malloc((n + 1) * sizeof *rank);
    pb_calib_figures f, bl;
    char a[16], b[40], k[16];

    if (rank == NULL)
        return PB_NOMEM;
    for (i = 0; i < n; i++) {
        const char *ref = pb_calib_item(c, i, PB_CALIB_ALL, &f);
        size_t cw = pb__text_width(ref, strlen(ref), 0) + 1;

        if (cw > w)
            w = cw;
    }
    if (w > NAME_MAX_COLS)
        w = NAME_MAX_COLS;
    title(o, "By item, worst first");
    fputs("  ", o->f);
    name_cell(o->f, "item", w);
    fprintf(o->f, "  %6s  %5s  %6s  %-18s  %5s  %10s\n", "labels", "agree",
            "share", "where it applies", "kappa", "borderline");
    pb_calib_rank_items(c, rank);
    for (i = 0; i < n; i++) {
        const char *ref = pb_calib_item(c, rank[i], PB_CALIB_ALL, &f);
        char app[64];

        pb_calib_item(c, rank[i], PB_CALIB_BORDERLINE, &bl);
        fputs("  ", o->f);
        if (!pb_calib_item_known(c, rank[i])) {
            char marked[300];

            snprintf(marked, sizeof marked, "%s*", ref);
            name_cell(o->f, marked, w);
        } else {
            name_cell(o->f, ref, w);
        }
        snprintf(b, sizeof b, "%zu/%zu", f.applying_agree, f.applying);
        snprintf(app, sizeof app, "%-9s %7s", b,
                 pct(a, sizeof a, f.applying_agree, f.applying));
        fprintf(o->f, "  %6zu  %5zu  %6s  %-18s  %5s  %10zu\n", f.labels,
                f.agree, pct(a, sizeof a, f.agree, f.labels), app,
                kappa(k, sizeof k, &f), bl.labels);
    }
    for (i = 0; i < n && pb_calib_item_known(c, i); i++)
        ;
    if (i < n)
        fputs("  * not an item of the loaded principles: the engine's side "
              "is n/a\n", o->f);
    free(rank);
    return PB_OK;
}

/* One side's line of a disagreement: who, the state, and (when more
 * follows) room for why. */
static void side_line(const out *o, const char *who, pb_label_state st,
                      const char *detail, int more)
{
    char state[48];

    snprintf(state, sizeof state, "%s%s%s%s", pb_label_state_name(st),
             detail ? " (" : "", detail ? detail : "", detail ? ")" : "");
    if (more)
        fprintf(o->f, "      %-7s %-17s", who, state);
    else
        fprintf(o->f, "      %-7s %s", who, state);
}

/* Why the engine's state is what it is: the event after which it was
 * final, or none. */
static void engine_why(const out *o, const pb_calib_pair *p)
{
    char tb[32];

    if (!p->changed) {
        fputs("from the start: no event changed it\n", o->f);
        return;
    }
    pb__text_printf(o->f, "since %s, %s", pb_time_format(p->t, tb, sizeof tb),
                    p->type);
    if (p->text) {
        fputs(": \"", o->f);
        pb__text_prose(o->f, p->text);
        fputc('"', o->f);
    }
    fputc('\n', o->f);
    if (p->detected[0])
        pb__text_printf(o->f, "%32sdetected then: %s\n", "", p->detected);
}

static void text_pair(const out *o, const pb_calib_pair *p, const sides *sd)
{
    pb__text_printf(o->f, "  %s  %s\n", p->chat, p->item);
    side_line(o, sd->col, p->lead, NULL, p->lead_note[0] != '\0');
    pb__text_prose(o->f, p->lead_note);
    fputc('\n', o->f);
    if (p->other_note) {
        side_line(o, sd->row, p->other, NULL, p->other_note[0] != '\0');
        pb__text_prose(o->f, p->other_note);
        fputc('\n', o->f);
    }
    if (!p->replayed)
        return;
    side_line(o, "engine", pb_label_state_of(p->engine), engine_detail(p),
              1);
    engine_why(o, p);
}

static void text_pairs(const out *o, const pb_calib *c, const sides *sd)
{
    size_t i, n = pb_calib_ndisagreements(c), nb = 0;
    pb_calib_pair p;
    char t[96];
    int part;

    for (i = 0; i < n; i++) {
        pb_calib_disagreement(c, i, &p);
        nb += p.borderline != 0;
    }
    for (part = 0; part < 2; part++) {
        size_t count = part ? nb : n - nb;

        snprintf(t, sizeof t, "%s: %zu", part ? "Borderline disagreements"
                                              : "Disagreements", count);
        title(o, t);
        if (count == 0)
            fputs("  none\n", o->f);
        for (i = 0; i < n; i++) {
            pb_calib_disagreement(c, i, &p);
            if ((p.borderline != 0) == part)
                text_pair(o, &p, sd);
        }
    }
}

static pb_status render_text(const pb_calib *c, FILE *f, unsigned flags)
{
    out o = { f, (flags & PB_RENDER_COLOR) != 0 };
    pb_calib_info in;
    sides sd;
    size_t i;

    pb_calib_overall(c, &in);
    sd = sides_of(&in);
    text_head(&o, c);
    text_agreement(&o, c, &sd);
    text_matrix(&o, c, &sd);
    if (text_items(&o, c) != PB_OK)
        return PB_NOMEM;
    text_pairs(&o, c, &sd);
    if (pb_calib_nwarnings(c) > 0) {
        title(&o, "Warnings");
        for (i = 0; i < pb_calib_nwarnings(c); i++)
            pb__text_printf(f, "  %s\n", pb_calib_warning(c, i));
    }
    return PB_OK;
}

/* JSON: field names documented in docs/calibration.md. */

static void json_ratio(pb__json *j, const char *key, size_t num, size_t den)
{
    pb__json_key(j, key);
    if (den == 0)
        pb__json_str(j, NULL);
    else
        pb__json_num(j, (double)num / (double)den);
}

static void json_figures(pb__json *j, const pb_calib_figures *f)
{
    size_t r, k;

    pb__json_kint(j, "labels", (long)f->labels);
    pb__json_kint(j, "agree", (long)f->agree);
    json_ratio(j, "agreement", f->agree, f->labels);
    pb__json_kint(j, "applying", (long)f->applying);
    pb__json_kint(j, "applying_agree", (long)f->applying_agree);
    json_ratio(j, "applying_agreement", f->applying_agree, f->applying);
    pb__json_key(j, "kappa");
    if (f->has_kappa)
        pb__json_num(j, f->kappa);
    else
        pb__json_str(j, NULL);
    pb__json_key(j, "matrix");
    pb__json_open(j, '[');
    for (r = 0; r < NST; r++) {
        pb__json_open(j, '[');
        for (k = 0; k < NST; k++)
            pb__json_int(j, (long)f->matrix[r][k]);
        pb__json_close(j, ']');
    }
    pb__json_close(j, ']');
}

static void json_part(pb__json *j, const char *key, const pb_calib *c,
                      pb_calib_part part)
{
    pb_calib_figures f;

    pb_calib_figures_of(c, part, &f);
    pb__json_key(j, key);
    pb__json_open(j, '{');
    json_figures(j, &f);
    pb__json_close(j, '}');
}

static void json_pair(pb__json *j, const pb_calib_pair *p)
{
    char tb[32];

    pb__json_open(j, '{');
    pb__json_kstr(j, "chat", p->chat);
    pb__json_kstr(j, "item", p->item);
    pb__json_kstr(j, "lead", pb_label_state_name(p->lead));
    pb__json_kstr(j, "other", pb_label_state_name(p->other));
    pb__json_kbool(j, "borderline", p->borderline);
    pb__json_kstr(j, "lead_note", p->lead_note);
    pb__json_kint(j, "lead_line", p->lead_line);
    if (p->other_note) {
        pb__json_kstr(j, "other_note", p->other_note);
        pb__json_kint(j, "other_line", p->other_line);
    }
    pb__json_key(j, "engine");
    if (!p->replayed) {
        pb__json_str(j, NULL);
    } else {
        pb__json_open(j, '{');
        pb__json_kstr(j, "state", pb_state_name(p->engine));
        pb__json_key(j, "decided_by");
        if (!p->changed) {
            pb__json_str(j, NULL);
        } else {
            pb__json_open(j, '{');
            pb__json_kint(j, "event", (long)p->event);
            pb__json_knum(j, "t", p->t);
            pb__json_kstr(j, "time", pb_time_format(p->t, tb, sizeof tb));
            pb__json_kstr(j, "type", p->type);
            pb__json_kstr(j, "text", p->text);
            pb__json_kstr(j, "detected", p->detected);
            pb__json_close(j, '}');
        }
        pb__json_close(j, '}');
    }
    pb__json_close(j, '}');
}

static pb_status render_json(const pb_calib *c, FILE *f)
{
    size_t n = pb_calib_nitems(c), i;
    size_t *rank = malloc((n + 1) * sizeof *rank);
    pb_calib_info in;
    pb_calib_figures fg, bl;
    pb_calib_pair p;
    pb__json j;

    if (rank == NULL)
        return PB_NOMEM;
    pb_calib_overall(c, &in);
    pb__json_init(&j, f);
    pb__json_open(&j, '{');
    pb__json_kstr(&j, "playbook", PB_VERSION);
    pb__json_kstr(&j, "lead", in.lead);
    pb__json_kstr(&j, "other", in.other ? in.other : "engine");
    pb__json_kint(&j, "chats", (long)in.chats);
    pb__json_kint(&j, "scenarios", (long)in.replays);
    pb__json_kint(&j, "unpaired", (long)in.unpaired);
    pb__json_key(&j, "states");
    pb__json_open(&j, '[');
    for (i = 0; i < NST; i++)
        pb__json_str(&j, pb_label_state_name((pb_label_state)i));
    pb__json_close(&j, ']');
    json_part(&j, "overall", c, PB_CALIB_ALL);
    json_part(&j, "clear", c, PB_CALIB_CLEAR);
    json_part(&j, "borderline", c, PB_CALIB_BORDERLINE);
    pb__json_key(&j, "items");
    pb__json_open(&j, '[');
    pb_calib_rank_items(c, rank);
    for (i = 0; i < n; i++) {
        const char *ref = pb_calib_item(c, rank[i], PB_CALIB_ALL, &fg);

        pb_calib_item(c, rank[i], PB_CALIB_BORDERLINE, &bl);
        pb__json_open(&j, '{');
        pb__json_kstr(&j, "item", ref);
        pb__json_kbool(&j, "known", pb_calib_item_known(c, rank[i]));
        json_figures(&j, &fg);
        pb__json_kint(&j, "borderline", (long)bl.labels);
        pb__json_close(&j, '}');
    }
    pb__json_close(&j, ']');
    pb__json_key(&j, "disagreements");
    pb__json_open(&j, '[');
    for (i = 0; i < pb_calib_ndisagreements(c); i++) {
        pb_calib_disagreement(c, i, &p);
        json_pair(&j, &p);
    }
    pb__json_close(&j, ']');
    pb__json_key(&j, "warnings");
    pb__json_open(&j, '[');
    for (i = 0; i < pb_calib_nwarnings(c); i++)
        pb__json_str(&j, pb_calib_warning(c, i));
    pb__json_close(&j, ']');
    pb__json_close(&j, '}');
    fputc('\n', f);
    free(rank);
    return PB_OK;
}

/* HTML: one self-contained page (html.h escapes every string). */

static void html_count(pb__html *h, const char *cls, size_t n)
{
    pb__html_start(h, "td", cls);
    pb__html_textf(h, "%zu", n);
    pb__html_end(h);
}

/* A share as a bar and a figure; red below one half, amber below 0.8
 * (the bar of the product brief is 0.9). */
static void html_meter(pb__html *h, size_t num, size_t den)
{
    double v = den ? (double)num / (double)den : 0;
    char a[16];

    pb__html_start(h, "td", "num nowrap");
    if (den) {
        pb__html_start(h, "span", "meter");
        pb__html_start(h, "span", v < 0.5 ? "fill low"
                                  : v < 0.8 ? "fill mid" : "fill");
        pb__html_attrf(h, "style", "width:%.0f%%", v * 100);
        pb__html_end(h);
        pb__html_end(h);
    }
    pb__html_text(h, pct(a, sizeof a, num, den));
    pb__html_end(h);
}

static void html_head(pb__html *h, const char *const *cols, size_t n,
                      size_t first_num)
{
    size_t i;

    pb__html_start(h, "thead", NULL);
    pb__html_start(h, "tr", NULL);
    for (i = 0; i < n; i++)
        pb__html_elem(h, "th", i >= first_num ? "num" : NULL, cols[i]);
    pb__html_end(h);
    pb__html_end(h);
}

static void html_figure(pb__html *h, const char *label, const char *value,
                        const char *note)
{
    pb__html_start(h, "div", "card cell");
    pb__html_elem(h, "div", "muted small", label);
    pb__html_elem(h, "div", "big", value);
    pb__html_elem(h, "div", "muted small", note);
    pb__html_end(h);
}

static void html_overall(pb__html *h, const pb_calib *c, const sides *sd)
{
    pb_calib_info in;
    pb_calib_figures all, clear, bl;
    char a[32], b[160], k[16], k2[16];

    pb_calib_overall(c, &in);
    pb_calib_figures_of(c, PB_CALIB_ALL, &all);
    pb_calib_figures_of(c, PB_CALIB_CLEAR, &clear);
    pb_calib_figures_of(c, PB_CALIB_BORDERLINE, &bl);
    pb__html_elem(h, "h1", NULL, in.other ? "Calibration: lead against lead"
                                          : "Calibration: engine against "
                                            "lead");
    pb__html_start(h, "p", "muted");
    if (in.other)
        pb__html_textf(h, "Lead A: %s. Lead B: %s. ", in.lead, in.other);
    else
        pb__html_textf(h, "The lead's labels: %s. ", in.lead);
    pb__html_textf(h, "%zu label%s of %zu chat%s compared, %zu borderline; "
                   "%zu scenario%s replayed.", all.labels,
                   all.labels == 1 ? "" : "s", in.chats,
                   in.chats == 1 ? "" : "s", bl.labels, in.replays,
                   in.replays == 1 ? "" : "s");
    if (in.unpaired)
        pb__html_textf(h, " %zu label%s of one lead the other has not are "
                       "left out (see the warnings).", in.unpaired,
                       in.unpaired == 1 ? "" : "s");
    pb__html_end(h);
    pb__html_start(h, "div", "grid");
    snprintf(b, sizeof b, "%zu of %zu labels the same state; clear labels "
             "%s, borderline %s (%zu of %zu)", all.agree, all.labels,
             pct(k, sizeof k, clear.agree, clear.labels),
             pct(k2, sizeof k2, bl.agree, bl.labels), bl.agree, bl.labels);
    html_figure(h, "Agreement", pct(a, sizeof a, all.agree, all.labels), b);
    snprintf(b, sizeof b, "%zu of %zu labels where %s or %s says the item "
             "applies", all.applying_agree, all.applying, sd->col,
             sd->row);
    html_figure(h, "Where it applies",
                pct(a, sizeof a, all.applying_agree, all.applying), b);
    snprintf(b, sizeof b, "agreement beyond chance (1 is perfect, 0 is "
             "chance); clear labels %s", kappa(k2, sizeof k2, &clear));
    html_figure(h, "Cohen's kappa", kappa(k, sizeof k, &all), b);
    pb__html_end(h);
}

static void html_matrix(pb__html *h, const pb_calib *c, const sides *sd)
{
    pb_calib_figures f;
    size_t i, j, n, tot, col[NST] = { 0 };

    pb_calib_figures_of(c, PB_CALIB_ALL, &f);
    n = nstates(&f);
    pb__html_start(h, "div", "card");
    pb__html_elem(h, "h2", NULL, "Confusion");
    pb__html_start(h, "p", "muted");
    pb__html_textf(h, "Rows: what %s says; columns: what %s says. The "
                   "diagonal agrees.", strcmp(sd->row, "engine") == 0
                                           ? "the engine" : sd->row,
                   strcmp(sd->col, "lead") == 0 ? "the lead" : sd->col);
    pb__html_end(h);
    pb__html_start(h, "table", "compact");
    pb__html_start(h, "thead", NULL);
    pb__html_start(h, "tr", NULL);
    pb__html_start(h, "th", NULL);
    pb__html_textf(h, "%s \\ %s", sd->row, sd->col);
    pb__html_end(h);
    for (j = 0; j < n; j++)
        pb__html_elem(h, "th", "num", pb_label_state_name((pb_label_state)j));
    pb__html_elem(h, "th", "num", "total");
    pb__html_end(h);
    pb__html_end(h);
    pb__html_start(h, "tbody", NULL);
    for (i = 0; i < n; i++) {
        pb__html_start(h, "tr", NULL);
        pb__html_elem(h, "th", NULL, pb_label_state_name((pb_label_state)i));
        for (j = 0, tot = 0; j < n; j++) {
            /* Agreement in green, disagreement that happened in red. */
            html_count(h, i == j ? "num done" : f.matrix[i][j] ? "num violated"
                                                            : "num muted",
                       f.matrix[i][j]);
            tot += f.matrix[i][j];
            col[j] += f.matrix[i][j];
        }
        html_count(h, "num", tot);
        pb__html_end(h);
    }
    pb__html_start(h, "tr", NULL);
    pb__html_elem(h, "th", NULL, "total");
    for (j = 0; j < n; j++)
        html_count(h, "num", col[j]);
    html_count(h, "num", f.labels);
    pb__html_end(h);
    pb__html_end(h); /* tbody */
    pb__html_end(h); /* table */
    pb__html_end(h); /* card */
}

static pb_status html_items(pb__html *h, const pb_calib *c)
{
    static const char *const cols[] = { "Item", "Labels", "Agree",
                                        "Agreement", "Where it applies",
                                        "Kappa", "Borderline" };
    size_t n = pb_calib_nitems(c), i;
    size_t *rank = malloc((n + 1) * sizeof *rank);
    pb_calib_figures f, bl;
    char k[16];
    int unknown = 0;

    if (rank == NULL)
        return PB_NOMEM;
    pb__html_start(h, "div", "card");
    pb__html_elem(h, "h2", NULL, "By item, worst first");
    pb__html_elem(h, "p", "muted", "Agreement over every label of the item, "
                  "then over those where either side says it applies; "
                  "kappa corrects for the agreement chance alone gives "
                  "(- when one state was given throughout).");
    pb__html_start(h, "table", "compact");
    html_head(h, cols, sizeof cols / sizeof *cols, 1);
    pb__html_start(h, "tbody", NULL);
    pb_calib_rank_items(c, rank);
    for (i = 0; i < n; i++) {
        const char *ref = pb_calib_item(c, rank[i], PB_CALIB_ALL, &f);

        pb_calib_item(c, rank[i], PB_CALIB_BORDERLINE, &bl);
        pb__html_start(h, "tr", NULL);
        pb__html_start(h, "td", NULL);
        pb__html_elem(h, "span", "mono", ref);
        if (!pb_calib_item_known(c, rank[i])) {
            pb__html_text(h, " ");
            pb__html_elem(h, "span", "badge absent", "not listed");
            unknown = 1;
        }
        pb__html_end(h);
        html_count(h, "num", f.labels);
        html_count(h, "num", f.agree);
        html_meter(h, f.agree, f.labels);
        html_meter(h, f.applying_agree, f.applying);
        pb__html_elem(h, "td", "num", kappa(k, sizeof k, &f));
        html_count(h, bl.labels ? "num" : "num muted", bl.labels);
        pb__html_end(h);
    }
    pb__html_end(h);
    pb__html_end(h);
    if (unknown)
        pb__html_elem(h, "p", "muted small", "Not listed: not an item of the "
                      "loaded principles (a fact item they do not list "
                      "here); the engine's side is n/a.");
    pb__html_end(h);
    free(rank);
    return PB_OK;
}

static void html_state(pb__html *h, pb_label_state s, const char *detail)
{
    static const char *const cls[] = { "badge done", "badge open",
                                       "badge violated", "badge absent",
                                       "badge error" };

    pb__html_start(h, "td", "nowrap");
    pb__html_elem(h, "span", cls[s], pb_label_state_name(s));
    if (detail) {
        pb__html_text(h, " ");
        pb__html_elem(h, "span", "muted small", detail);
    }
    pb__html_end(h);
}

static void html_decided(pb__html *h, const pb_calib_pair *p)
{
    char tb[32];

    pb__html_start(h, "td", "small");
    if (!p->replayed) {
        pb__html_elem(h, "span", "muted", "not replayed");
        pb__html_end(h);
        return;
    }
    if (p->other_note) {
        pb__html_text(h, "engine: ");
        pb__html_elem(h, "b", NULL,
                      pb_label_state_name(pb_label_state_of(p->engine)));
        pb__html_text(h, " ");
    }
    if (!p->changed) {
        pb__html_elem(h, "span", "muted", "from the start: no event "
                      "changed it");
    } else {
        pb__html_start(h, "div", NULL);
        pb__html_elem(h, "span", "mono", pb_time_format(p->t, tb, sizeof tb));
        pb__html_text(h, " ");
        pb__html_elem(h, "b", NULL, p->type);
        pb__html_end(h);
        if (p->text)
            pb__html_elem(h, "div", NULL, p->text);
        if (p->detected[0]) {
            pb__html_start(h, "div", "muted");
            pb__html_textf(h, "detected then: %s", p->detected);
            pb__html_end(h);
        }
    }
    pb__html_end(h);
}

static void html_note(pb__html *h, const char *who, const char *note)
{
    if (note == NULL || note[0] == '\0')
        return;
    pb__html_start(h, "div", NULL);
    if (who) {
        pb__html_elem(h, "b", "muted small", who);
        pb__html_text(h, " ");
    }
    pb__html_text(h, note);
    pb__html_end(h);
}

static void html_pairs(pb__html *h, const pb_calib *c, const sides *sd,
                       int borderline)
{
    size_t i, n = pb_calib_ndisagreements(c), count = 0;
    pb_calib_pair p;
    const char *cols[5], *last = NULL;

    for (i = 0; i < n; i++) {
        pb_calib_disagreement(c, i, &p);
        count += (p.borderline != 0) == borderline;
    }
    cols[0] = "Item";
    cols[1] = sd->col;
    cols[2] = sd->row;
    cols[3] = strcmp(sd->row, "engine") == 0 ? "The lead's note" : "Notes";
    cols[4] = "The engine's state since";
    pb__html_start(h, "div", "card");
    pb__html_start(h, "h2", NULL);
    pb__html_textf(h, "%s: %zu", borderline ? "Borderline disagreements"
                                            : "Disagreements", count);
    pb__html_end(h);
    pb__html_elem(h, "p", "muted", borderline
                  ? "Labels marked borderline: two fair leads could give "
                    "them differently. They count in every figure."
                  : "Every label where the two sides differ, by chat in "
                    "the order of the lead's file, with the event after "
                    "which the engine's state was final.");
    if (count == 0) {
        pb__html_elem(h, "p", NULL, "None.");
        pb__html_end(h);
        return;
    }
    pb__html_start(h, "table", "compact");
    html_head(h, cols, 5, 5);
    pb__html_start(h, "tbody", NULL);
    for (i = 0; i < n; i++) {
        pb_calib_disagreement(c, i, &p);
        if ((p.borderline != 0) != borderline)
            continue;
        /* A row per chat heads its disagreements. */
        if (last == NULL || strcmp(last, p.chat) != 0) {
            pb__html_start(h, "tr", "group");
            pb__html_start(h, "td", "mono");
            pb__html_attr(h, "colspan", "5");
            pb__html_text(h, p.chat);
            pb__html_end(h);
            pb__html_end(h);
            last = p.chat;
        }
        pb__html_start(h, "tr", NULL);
        pb__html_elem(h, "td", "mono", p.item);
        html_state(h, p.lead, NULL);
        html_state(h, p.other, p.other_note ? NULL : engine_detail(&p));
        pb__html_start(h, "td", "small");
        html_note(h, p.other_note ? "A:" : NULL, p.lead_note);
        html_note(h, "B:", p.other_note);
        pb__html_end(h);
        html_decided(h, &p);
        pb__html_end(h);
    }
    pb__html_end(h);
    pb__html_end(h);
    pb__html_end(h);
}

static pb_status render_html(const pb_calib *c, FILE *f)
{
    pb__html *h = pb__html_page(f, "Calibration - Playbook");
    pb_calib_info in;
    pb_status st = PB_OK;
    sides sd;
    size_t i;

    if (h == NULL)
        return PB_NOMEM;
    pb_calib_overall(c, &in);
    sd = sides_of(&in);
    pb__html_start(h, "div", "page");
    html_overall(h, c, &sd);
    html_matrix(h, c, &sd);
    if (html_items(h, c) != PB_OK)
        st = PB_NOMEM;
    html_pairs(h, c, &sd, 0);
    html_pairs(h, c, &sd, 1);
    if (pb_calib_nwarnings(c) > 0) {
        pb__html_start(h, "div", "card");
        pb__html_elem(h, "h2", NULL, "Warnings");
        pb__html_start(h, "ul", NULL);
        for (i = 0; i < pb_calib_nwarnings(c); i++)
            pb__html_elem(h, "li", "small", pb_calib_warning(c, i));
        pb__html_end(h);
        pb__html_end(h);
    }
    pb__html_start(h, "footer", NULL);
    pb__html_textf(h, "playbook %s. The engine's waiting counts as open; "
                   "an item it does not list, or skipped, as n/a "
                   "(docs/calibration.md).", PB_VERSION);
    pb__html_end(h);
    if (pb__html_finish(h) != PB_OK && st == PB_OK)
        st = PB_IO;
    return st;
}

pb_status pb_calib_render(const pb_calib *c, FILE *f, pb_format fmt,
                          unsigned flags)
{
    pb_status st;

    switch (fmt) {
    case PB_FORMAT_TEXT:
        st = render_text(c, f, flags);
        break;
    case PB_FORMAT_JSON:
        st = render_json(c, f);
        break;
    case PB_FORMAT_HTML:
        return render_html(c, f);
    default:
        return PB_INPUT;
    }
    if (st != PB_OK)
        return st;
    return fflush(f) == 0 && !ferror(f) ? PB_OK : PB_IO;
}
