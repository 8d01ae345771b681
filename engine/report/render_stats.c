/*
 * render_stats.c -- team statistics (stats.c) as text tables for a team
 * lead, JSON for programs (field names in docs/stats.md) or one HTML
 * page, read through the public pb_stats calls.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "html.h"
#include "jsonw.h"
#include "playbook.h"
#include "report.h"
#include "text.h"

/* Text: tables for a team lead. */

#define NAME_MAX_COLS 40 /* longer names are cut, with "..." */

typedef struct out {
    FILE *f;
    int color;
} out;

/* "36.4%", or "-" when there is nothing to divide by. */
static const char *pct(char *buf, size_t size, size_t num, size_t den)
{
    if (den == 0)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.1f%%", 100.0 * (double)num / (double)den);
    return buf;
}

/* What a group without a name is called. */
static const char *group_name(pb_stats_by by, const char *name)
{
    static const char *const none[PB_STATS_NBY] = { "(none)", "(no agent)",
                                                    "(undated)" };

    return name ? name : none[by];
}

static const char *fixed2(char *buf, size_t size, double v, size_t cases)
{
    if (cases == 0)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.2f", v);
    return buf;
}

/* Names and root causes (free text from case files) are written through
 * text.c, so they cannot drive the terminal; widths are in columns. */
static size_t cell_width(const char *s)
{
    return pb__text_width(s, strlen(s), 0);
}

/* A name in a column of width cols, padded, cut with "..." when longer. */
static void name_cell(FILE *f, const char *s, size_t cols)
{
    size_t w = pb__text_write(f, s, strlen(s), cols, 0);

    for (; w < cols; w++)
        fputc(' ', f);
}

/* The same, right-aligned (a name as a column head over figures). */
static void right_cell(FILE *f, const char *s, size_t cols)
{
    size_t w = cell_width(s);

    for (; w < cols; w++)
        fputc(' ', f);
    pb__text_write(f, s, strlen(s), cols, 0);
}

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

static void text_overall(const out *o, const pb_stats *s)
{
    pb_stats_info in;
    char a[16], b[16], p[16];

    pb_stats_overall(s, &in);
    if (o->color)
        fputs(PB__C_BOLD, o->f);
    fprintf(o->f, "Team statistics: %zu case%s\n", in.cases,
            in.cases == 1 ? "" : "s");
    if (o->color)
        fputs(PB__C_RESET, o->f);
    if (in.unreadable)
        fprintf(o->f, "  %zu more file%s could not be read or replayed and "
                "%s not counted\n", in.unreadable,
                in.unreadable == 1 ? "" : "s",
                in.unreadable == 1 ? "is" : "are");
    title(o, "Overall");
    fprintf(o->f, "  mean score             %6s\n",
            fixed2(a, sizeof a, in.score.mean, in.cases));
    fprintf(o->f, "  pooled score           %6s  (%zu of %zu musts done, "
            "%zu violation%s)\n",
            fixed2(b, sizeof b, in.score.pooled, in.cases), in.score.done,
            in.score.musts, in.score.violations,
            in.score.violations == 1 ? "" : "s");
    fprintf(o->f, "  resolved               %6s  (%zu of %zu cases)\n",
            pct(p, sizeof p, in.resolved, in.cases), in.resolved, in.cases);
    fprintf(o->f, "  first-contact resolved %6s  (%zu of %zu cases)\n",
            pct(p, sizeof p, in.first_contact, in.cases), in.first_contact,
            in.cases);
    fprintf(o->f, "  contacts               %6zu  (%zu repeat contact%s, "
            "after one had ended)\n", in.contacts, in.contacts - in.cases,
            in.contacts - in.cases == 1 ? "" : "s");
}

/* The width of a group's name column: at least head's. */
static size_t group_cols(const pb_stats *s, pb_stats_by by, size_t head)
{
    size_t i, w = head, n;
    pb_stats_group_info g;

    for (i = 0; i < pb_stats_ngroups(s, by); i++) {
        pb_stats_group(s, by, i, &g);
        n = cell_width(group_name(by, g.name));
        if (n > w)
            w = n;
    }
    return w > NAME_MAX_COLS ? NAME_MAX_COLS : w;
}

static size_t item_cols(const pb_stats *s)
{
    pb_stats_item_info it;
    size_t i, w = 4, n;

    for (i = 0; i < pb_stats_nitems(s); i++) {
        pb_stats_item(s, i, &it);
        if ((n = cell_width(it.ref)) > w)
            w = n;
    }
    return w > NAME_MAX_COLS ? NAME_MAX_COLS : w;
}

static pb_status text_causes(const out *o, const pb_stats *s)
{
    size_t n = pb_stats_ngroups(s, PB_STATS_CAUSE);
    size_t *rank = malloc((n + 1) * sizeof *rank);
    size_t i, w = group_cols(s, PB_STATS_CAUSE, 10); /* "root cause" */
    pb_stats_group_info k;
    pb_stats_info in;
    char a[16], b[16], c[16];

    if (rank == NULL)
        return PB_NOMEM;
    pb_stats_overall(s, &in);
    title(o, "Root causes (what brought the customers to us, by contacts)");
    n = pb_stats_rank_groups(s, PB_STATS_CAUSE, rank);
    if (n == 0)
        fputs("  no cases\n", o->f);
    else {
        fputs("  ", o->f);
        name_cell(o->f, "root cause", w);
        fputs("  cases   share  contacts  repeat    resolved   first "
              "contact\n", o->f);
    }
    for (i = 0; i < n; i++) {
        pb_stats_group(s, PB_STATS_CAUSE, rank[i], &k);
        fputs("  ", o->f);
        name_cell(o->f, group_name(PB_STATS_CAUSE, k.name), w);
        fprintf(o->f, "  %5zu  %6s  %8zu  %6zu  %3zu %6s  %7zu %6s\n",
                k.cases, pct(a, sizeof a, k.cases, in.cases), k.contacts,
                k.contacts - k.cases, k.resolved,
                pct(b, sizeof b, k.resolved, k.cases), k.first_contact,
                pct(c, sizeof c, k.first_contact, k.cases));
    }
    free(rank);
    return PB_OK;
}

/* A principle's column: its id (at most NAME_MAX_COLS), or a score. */
static size_t col(const pb_stats_principle_info *pi)
{
    size_t w = cell_width(pi->id);

    return w < 5 ? 5 : w > NAME_MAX_COLS ? NAME_MAX_COLS : w;
}

/* Agents or months: each group's overall figures, then its mean score
 * per principle ("-" where the principle never applied). */
static pb_status text_groups(const out *o, const pb_stats *s, pb_stats_by by)
{
    size_t n = pb_stats_ngroups(s, by), np = pb_stats_nprinciples(s);
    size_t *rank = malloc((n + 1) * sizeof *rank);
    size_t i, p, w = group_cols(s, by, 5);
    pb_stats_principle_info pi;
    pb_stats_group_info g;
    pb_stats_score sc;
    char a[16], b[16], c[16];

    if (rank == NULL)
        return PB_NOMEM;
    title(o, by == PB_STATS_AGENT
                 ? "By agent (mean score per principle; no ranking)"
                 : "By month (of started_at, UTC)");
    n = pb_stats_rank_groups(s, by, rank);
    if (n > 0)
        pb_stats_group(s, by, rank[0], &g);
    if (n == 0 || (n == 1 && g.name == NULL)) { /* no name at all */
        fputs(by == PB_STATS_AGENT ? "  no case names its agent (import "
              "--agent, <case agent=\"...\">)\n" : "  no case has a start "
              "date (fact started_at)\n", o->f);
        free(rank);
        return PB_OK;
    }
    fputs("  ", o->f);
    name_cell(o->f, by == PB_STATS_AGENT ? "agent" : "month", w);
    fputs("  cases  repeat   mean  resolved  first contact", o->f);
    for (p = 0; p < np; p++) {
        pb_stats_principle(s, p, &pi);
        fputs("  ", o->f);
        right_cell(o->f, pi.id, col(&pi));
    }
    fputc('\n', o->f);
    for (i = 0; i < n; i++) {
        pb_stats_group(s, by, rank[i], &g);
        fputs("  ", o->f);
        name_cell(o->f, group_name(by, g.name), w);
        fprintf(o->f, "  %5zu  %6zu  %5s  %8s  %13s", g.cases,
                g.contacts - g.cases,
                fixed2(a, sizeof a, g.score.mean, g.cases),
                pct(b, sizeof b, g.resolved, g.cases),
                pct(c, sizeof c, g.first_contact, g.cases));
        for (p = 0; p < np; p++) {
            pb_stats_principle(s, p, &pi);
            pb_stats_group_principle(s, by, rank[i], p, &sc);
            fprintf(o->f, "  %*s", (int)col(&pi),
                    fixed2(a, sizeof a, sc.mean, sc.cases));
        }
        fputc('\n', o->f);
    }
    free(rank);
    return PB_OK;
}

static void text_principles(const out *o, const pb_stats *s)
{
    pb_stats_principle_info pi;
    size_t i, w = 9; /* "principle" */
    char a[16], b[16], c[32];

    for (i = 0; i < pb_stats_nprinciples(s); i++) {
        pb_stats_principle(s, i, &pi);
        if (cell_width(pi.id) > w)
            w = cell_width(pi.id);
    }
    if (w > NAME_MAX_COLS)
        w = NAME_MAX_COLS;
    title(o, "Adherence by principle (over the cases where it applied)");
    fputs("  ", o->f);
    name_cell(o->f, "principle", w);
    fputs("  cases   mean  pooled   musts done  violations\n", o->f);
    for (i = 0; i < pb_stats_nprinciples(s); i++) {
        pb_stats_principle(s, i, &pi);
        snprintf(c, sizeof c, "%zu of %zu", pi.score.done, pi.score.musts);
        fputs("  ", o->f);
        name_cell(o->f, pi.id, w);
        fprintf(o->f, "  %5zu  %5s  %6s  %11s  %10zu\n", pi.score.cases,
                fixed2(a, sizeof a, pi.score.mean, pi.score.cases),
                fixed2(b, sizeof b, pi.score.pooled, pi.score.cases), c,
                pi.score.violations);
    }
}

static void text_items(const out *o, const pb_stats *s)
{
    pb_stats_item_info it;
    size_t i, w = item_cols(s);
    char a[16];

    title(o, "Adherence by item (cases where it applied, by state at "
             "the end)");
    fputs("  ", o->f);
    name_cell(o->f, "item", w);
    fputs("  must applied done open wait skip viol  err  done%\n", o->f);
    for (i = 0; i < pb_stats_nitems(s); i++) {
        pb_stats_item(s, i, &it);
        fputs("  ", o->f);
        name_cell(o->f, it.ref, w);
        fprintf(o->f, "  %4s %7zu %4zu %4zu %4zu %4zu %4zu %4zu %6s\n",
                it.must ? "must" : "", it.applied, it.states[PB_DONE],
                it.states[PB_OPEN], it.states[PB_WAITING],
                it.states[PB_SKIPPED], it.states[PB_VIOLATED],
                it.states[PB_ERROR],
                pct(a, sizeof a, it.states[PB_DONE], it.applied));
    }
}

/* Most-missed musts and violations: the same table over two rankings. */
static pb_status text_ranked(const out *o, const pb_stats *s, int missed_list)
{
    size_t *rank = malloc((pb_stats_nitems(s) + 1) * sizeof *rank);
    size_t i, n, w = item_cols(s);
    pb_stats_item_info it;
    char a[16];

    if (rank == NULL)
        return PB_NOMEM;
    if (missed_list) {
        title(o, "Most-missed musts (applied, not done at the end: open, "
                 "waiting or violated)");
        n = pb_stats_rank_missed(s, rank);
    } else {
        title(o, "Violations (cases where the item ended violated)");
        n = pb_stats_rank_violations(s, rank);
    }
    if (n == 0)
        fprintf(o->f, "  none\n");
    else {
        fputs("  ", o->f);
        name_cell(o->f, "item", w);
        fprintf(o->f, "  %6s  of applied   share\n",
                missed_list ? "missed" : "cases");
    }
    for (i = 0; i < n; i++) {
        size_t k;

        pb_stats_item(s, rank[i], &it);
        k = missed_list ? it.missed : it.states[PB_VIOLATED];
        fputs("  ", o->f);
        name_cell(o->f, it.ref, w);
        fprintf(o->f, "  %6zu  %10zu  %6s\n", k, it.applied,
                pct(a, sizeof a, k, it.applied));
    }
    free(rank);
    return PB_OK;
}

static pb_status render_text(const pb_stats *s, FILE *f, unsigned flags)
{
    out o = { f, (flags & PB_RENDER_COLOR) != 0 };

    text_overall(&o, s);
    if (text_causes(&o, s) != PB_OK)
        return PB_NOMEM;
    text_principles(&o, s);
    if (text_groups(&o, s, PB_STATS_AGENT) != PB_OK ||
        text_groups(&o, s, PB_STATS_MONTH) != PB_OK ||
        text_ranked(&o, s, 1) != PB_OK || text_ranked(&o, s, 0) != PB_OK)
        return PB_NOMEM;
    text_items(&o, s);
    return PB_OK;
}

/* JSON: field names documented in docs/stats.md. */

/* A ratio, or null when there is nothing to divide by. */
static void json_rate(pb__json *j, const char *key, size_t num, size_t den)
{
    pb__json_key(j, key);
    if (den == 0)
        pb__json_str(j, NULL);
    else
        pb__json_num(j, (double)num / (double)den);
}

static void json_score(pb__json *j, const pb_stats_score *sc)
{
    pb__json_kint(j, "cases", (long)sc->cases);
    pb__json_key(j, "mean");
    if (sc->cases)
        pb__json_num(j, sc->mean);
    else
        pb__json_str(j, NULL);
    pb__json_key(j, "pooled");
    if (sc->cases)
        pb__json_num(j, sc->pooled);
    else
        pb__json_str(j, NULL);
    pb__json_kint(j, "musts", (long)sc->musts);
    pb__json_kint(j, "done", (long)sc->done);
    pb__json_kint(j, "violations", (long)sc->violations);
}

static void json_items(pb__json *j, const pb_stats *s)
{
    pb_stats_item_info it;
    size_t i, k;

    pb__json_key(j, "items");
    pb__json_open(j, '[');
    for (i = 0; i < pb_stats_nitems(s); i++) {
        pb_stats_item(s, i, &it);
        pb__json_open(j, '{');
        pb__json_kstr(j, "ref", it.ref);
        pb__json_kstr(j, "principle", it.principle);
        pb__json_kstr(j, "item", it.id);
        pb__json_kbool(j, "must", it.must);
        pb__json_kint(j, "applied", (long)it.applied);
        for (k = PB_ABSENT + 1; k <= PB_ERROR; k++)
            pb__json_kint(j, pb_state_name((pb_state)k),
                          (long)it.states[k]);
        pb__json_kint(j, "missed", (long)it.missed);
        pb__json_close(j, '}');
    }
    pb__json_close(j, ']');
}

static void json_ranked(pb__json *j, const pb_stats *s, const size_t *rank,
                        size_t n, int missed_list)
{
    pb_stats_item_info it;
    size_t i, k;

    pb__json_key(j, missed_list ? "most_missed" : "violations");
    pb__json_open(j, '[');
    for (i = 0; i < n; i++) {
        pb_stats_item(s, rank[i], &it);
        k = missed_list ? it.missed : it.states[PB_VIOLATED];
        pb__json_open(j, '{');
        pb__json_kstr(j, "ref", it.ref);
        pb__json_kint(j, missed_list ? "missed" : "cases", (long)k);
        pb__json_kint(j, "applied", (long)it.applied);
        json_rate(j, "share", k, it.applied);
        pb__json_close(j, '}');
    }
    pb__json_close(j, ']');
}

/* A group's figures, its name under key; an agent's or month's scores
 * per principle too. */
static void json_group(pb__json *j, const pb_stats *s, pb_stats_by by,
                       size_t i, const char *key, size_t all)
{
    pb_stats_principle_info pi;
    pb_stats_group_info g;
    pb_stats_score sc;
    size_t p;

    pb_stats_group(s, by, i, &g);
    pb__json_open(j, '{');
    pb__json_kstr(j, key, g.name);
    pb__json_kint(j, "cases", (long)g.cases);
    json_rate(j, "share", g.cases, all);
    pb__json_kint(j, "contacts", (long)g.contacts);
    pb__json_kint(j, "repeat_contacts", (long)(g.contacts - g.cases));
    pb__json_kint(j, "resolved", (long)g.resolved);
    json_rate(j, "resolved_rate", g.resolved, g.cases);
    pb__json_kint(j, "first_contact", (long)g.first_contact);
    json_rate(j, "first_contact_rate", g.first_contact, g.cases);
    pb__json_key(j, "score");
    pb__json_open(j, '{');
    json_score(j, &g.score);
    pb__json_close(j, '}');
    if (by != PB_STATS_CAUSE) {
        pb__json_key(j, "principles");
        pb__json_open(j, '[');
        for (p = 0; p < pb_stats_nprinciples(s); p++) {
            pb_stats_principle(s, p, &pi);
            pb_stats_group_principle(s, by, i, p, &sc);
            pb__json_open(j, '{');
            pb__json_kstr(j, "id", pi.id);
            json_score(j, &sc);
            pb__json_close(j, '}');
        }
        pb__json_close(j, ']');
    }
    pb__json_close(j, '}');
}

static void json_groups(pb__json *j, const pb_stats *s, pb_stats_by by,
                        size_t *rank)
{
    static const char *const list[PB_STATS_NBY] = { "root_causes", "agents",
                                                    "months" };
    static const char *const key[PB_STATS_NBY] = { "root_cause", "agent",
                                                   "month" };
    pb_stats_info in;
    size_t i, n = pb_stats_rank_groups(s, by, rank);

    pb_stats_overall(s, &in);
    pb__json_key(j, list[by]);
    pb__json_open(j, '[');
    for (i = 0; i < n; i++)
        json_group(j, s, by, rank[i], key[by], in.cases);
    pb__json_close(j, ']');
}

/* Room for any ranking: the items or the groups of any kind. */
static size_t *rank_room(const pb_stats *s)
{
    size_t n = pb_stats_nitems(s), k;

    for (k = 0; k < PB_STATS_NBY; k++)
        if (pb_stats_ngroups(s, (pb_stats_by)k) > n)
            n = pb_stats_ngroups(s, (pb_stats_by)k);
    return malloc((n + 1) * sizeof(size_t));
}

static pb_status render_json(const pb_stats *s, FILE *f)
{
    size_t *rank = rank_room(s);
    pb_stats_principle_info pi;
    pb_stats_info in;
    size_t i, n;
    pb__json j;

    if (rank == NULL)
        return PB_NOMEM;
    pb_stats_overall(s, &in);
    pb__json_init(&j, f);
    pb__json_open(&j, '{');
    pb__json_kstr(&j, "playbook", PB_VERSION);
    pb__json_kint(&j, "cases", (long)in.cases);
    pb__json_kint(&j, "unreadable", (long)in.unreadable);
    pb__json_key(&j, "score");
    pb__json_open(&j, '{');
    json_score(&j, &in.score);
    pb__json_close(&j, '}');
    pb__json_key(&j, "resolution");
    pb__json_open(&j, '{');
    pb__json_kint(&j, "resolved", (long)in.resolved);
    json_rate(&j, "resolved_rate", in.resolved, in.cases);
    pb__json_kint(&j, "first_contact", (long)in.first_contact);
    json_rate(&j, "first_contact_rate", in.first_contact, in.cases);
    pb__json_kint(&j, "contacts", (long)in.contacts);
    pb__json_kint(&j, "repeat_contacts", (long)(in.contacts - in.cases));
    pb__json_close(&j, '}');
    json_groups(&j, s, PB_STATS_CAUSE, rank);
    pb__json_key(&j, "principles");
    pb__json_open(&j, '[');
    for (i = 0; i < pb_stats_nprinciples(s); i++) {
        pb_stats_principle(s, i, &pi);
        pb__json_open(&j, '{');
        pb__json_kstr(&j, "id", pi.id);
        pb__json_kstr(&j, "title", pi.title);
        json_score(&j, &pi.score);
        pb__json_close(&j, '}');
    }
    pb__json_close(&j, ']');
    json_groups(&j, s, PB_STATS_AGENT, rank);
    json_groups(&j, s, PB_STATS_MONTH, rank);
    n = pb_stats_rank_missed(s, rank);
    json_ranked(&j, s, rank, n, 1);
    n = pb_stats_rank_violations(s, rank);
    json_ranked(&j, s, rank, n, 0);
    json_items(&j, s);
    pb__json_close(&j, '}');
    fputc('\n', f);
    free(rank);
    return PB_OK;
}

/* HTML: one self-contained page (html.h escapes every string). */

static void html_pct(pb__html *h, size_t num, size_t den)
{
    char a[16];

    pb__html_elem(h, "td", "num", pct(a, sizeof a, num, den));
}

static void html_count(pb__html *h, size_t n)
{
    pb__html_start(h, "td", "num");
    pb__html_textf(h, "%zu", n);
    pb__html_end(h);
}

/* A score or rate as a bar and a figure; red below one half, amber
 * below 0.8, so the eye finds the weak spots. */
static void html_meter(pb__html *h, double v, int defined, const char *fig)
{
    pb__html_start(h, "td", "num");
    if (defined) {
        pb__html_start(h, "span", "meter");
        pb__html_start(h, "span", v < 0.5 ? "fill low"
                                  : v < 0.8 ? "fill mid" : "fill");
        pb__html_attrf(h, "style", "width:%.0f%%", v * 100);
        pb__html_end(h);
        pb__html_end(h);
    }
    pb__html_text(h, fig);
    pb__html_end(h);
}

static void html_rate(pb__html *h, size_t num, size_t den)
{
    char a[16];

    html_meter(h, den ? (double)num / (double)den : 0, den != 0,
               pct(a, sizeof a, num, den));
}

static void html_head(pb__html *h, const char *const *cols, size_t n)
{
    size_t i;

    pb__html_start(h, "thead", NULL);
    pb__html_start(h, "tr", NULL);
    for (i = 0; i < n; i++)
        pb__html_elem(h, "th", i > 0 ? "num" : NULL, cols[i]);
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

static void html_overall(pb__html *h, const pb_stats *s)
{
    pb_stats_info in;
    char a[32], b[96], p[16];

    pb_stats_overall(s, &in);
    pb__html_elem(h, "h1", NULL, "Team statistics");
    pb__html_start(h, "p", "muted");
    pb__html_textf(h, "%zu case%s replayed through the principles.",
                   in.cases, in.cases == 1 ? "" : "s");
    if (in.unreadable)
        pb__html_textf(h, " %zu more file%s could not be read or "
                       "replayed and %s not counted.", in.unreadable,
                       in.unreadable == 1 ? "" : "s",
                       in.unreadable == 1 ? "is" : "are");
    pb__html_end(h);
    pb__html_start(h, "div", "grid");
    snprintf(b, sizeof b, "%zu of %zu cases", in.resolved, in.cases);
    html_figure(h, "Resolved", pct(a, sizeof a, in.resolved, in.cases), b);
    snprintf(b, sizeof b, "%zu of %zu cases", in.first_contact, in.cases);
    html_figure(h, "First-contact resolution",
                pct(a, sizeof a, in.first_contact, in.cases), b);
    snprintf(b, sizeof b, "pooled %s; %zu of %zu musts done, %zu "
             "violation%s", fixed2(p, sizeof p, in.score.pooled, in.cases),
             in.score.done, in.score.musts, in.score.violations,
             in.score.violations == 1 ? "" : "s");
    html_figure(h, "Mean adherence score",
                fixed2(a, sizeof a, in.score.mean, in.cases), b);
    pb__html_end(h);
}

#define BARS_MAX 12 /* root causes drawn; the table lists them all */

static pb_status html_causes(pb__html *h, const pb_stats *s)
{
    static const char *const cols[] = { "Root cause", "Cases", "Share",
                                        "Contacts", "Repeat contacts",
                                        "Resolved", "First contact" };
    size_t n = pb_stats_ngroups(s, PB_STATS_CAUSE);
    size_t *rank = malloc((n + 1) * sizeof *rank);
    size_t first[BARS_MAX], repeat[BARS_MAX], i, nb;
    const char *labels[BARS_MAX];
    pb_stats_group_info k;
    pb_stats_info in;

    if (rank == NULL)
        return PB_NOMEM;
    pb_stats_overall(s, &in);
    pb__html_start(h, "div", "card");
    pb__html_elem(h, "h2", NULL, "Root causes");
    pb__html_elem(h, "p", "muted", "The operational failures behind the "
                  "contacts (fact root_cause as each case ended), by the "
                  "contacts they brought: fix the system, not the "
                  "symptom. A repeat contact is one after an earlier "
                  "contact of the case had ended.");
    n = pb_stats_rank_groups(s, PB_STATS_CAUSE, rank);
    nb = n < BARS_MAX ? n : BARS_MAX;
    for (i = 0; i < nb; i++) {
        pb_stats_group(s, PB_STATS_CAUSE, rank[i], &k);
        labels[i] = group_name(PB_STATS_CAUSE, k.name);
        first[i] = k.cases;
        repeat[i] = k.contacts - k.cases;
    }
    if (nb > 0)
        pb__chart_bars(h, "Contacts by root cause", labels, first, repeat,
                       nb, "first contacts", "repeat contacts");
    pb__html_start(h, "table", NULL);
    html_head(h, cols, sizeof cols / sizeof *cols);
    pb__html_start(h, "tbody", NULL);
    for (i = 0; i < n; i++) {
        pb_stats_group(s, PB_STATS_CAUSE, rank[i], &k);
        pb__html_start(h, "tr", NULL);
        pb__html_elem(h, "td", k.name ? "mono" : "muted",
                      group_name(PB_STATS_CAUSE, k.name));
        html_count(h, k.cases);
        html_pct(h, k.cases, in.cases);
        html_count(h, k.contacts);
        html_count(h, k.contacts - k.cases);
        html_rate(h, k.resolved, k.cases);
        html_rate(h, k.first_contact, k.cases);
        pb__html_end(h);
    }
    pb__html_end(h); /* tbody */
    pb__html_end(h); /* table */
    pb__html_end(h); /* card */
    free(rank);
    return PB_OK;
}

/* Whether any case of the kind has a name (an agent, a start date). */
static int any_named(const pb_stats *s, pb_stats_by by)
{
    pb_stats_group_info g;
    size_t i;

    for (i = 0; i < pb_stats_ngroups(s, by); i++) {
        pb_stats_group(s, by, i, &g);
        if (g.name)
            return 1;
    }
    return 0;
}

static void heat_score(pb__html *h, const pb_stats_score *sc)
{
    char a[16];

    pb__heat_cell(h, sc->mean, sc->cases != 0,
                  fixed2(a, sizeof a, sc->mean, sc->cases));
}

/* The heatmap: an agent a row, a principle a column, each cell the mean
 * score of the agent's cases where the principle applied; the team's
 * row last.  Agents in name order: a picture to coach from, not a
 * league table. */
static pb_status html_agents(pb__html *h, const pb_stats *s)
{
    size_t n = pb_stats_ngroups(s, PB_STATS_AGENT), i, p;
    size_t np = pb_stats_nprinciples(s);
    size_t *rank = malloc((n + 1) * sizeof *rank);
    pb_stats_principle_info pi;
    pb_stats_group_info g;
    pb_stats_score sc;
    pb_stats_info in;

    if (rank == NULL)
        return PB_NOMEM;
    pb__html_start(h, "div", "card");
    pb__html_elem(h, "h2", NULL, "Principles by agent");
    if (!any_named(s, PB_STATS_AGENT)) {
        pb__html_elem(h, "p", "muted", "No case names the agent who "
                      "handled it: import with --agent, or give <case "
                      "agent=\"...\">.");
        pb__html_end(h);
        free(rank);
        return PB_OK;
    }
    pb__html_elem(h, "p", "muted", "The mean score of each agent's cases "
                  "where the principle applied (red low, green high; "
                  "blank: it never applied). In name order: use it to "
                  "see what to coach, with playbook coach AGENT.");
    n = pb_stats_rank_groups(s, PB_STATS_AGENT, rank);
    pb__html_start(h, "table", "compact");
    pb__html_start(h, "thead", NULL);
    pb__html_start(h, "tr", NULL);
    pb__html_elem(h, "th", NULL, "Agent");
    pb__html_elem(h, "th", "num", "Cases");
    for (p = 0; p < np; p++) {
        pb_stats_principle(s, p, &pi);
        pb__html_start(h, "th", "num mono");
        pb__html_attr(h, "title", pi.title);
        pb__html_text(h, pi.id);
        pb__html_end(h);
    }
    pb__html_elem(h, "th", "num", "Overall");
    pb__html_elem(h, "th", "num", "First contact");
    pb__html_end(h);
    pb__html_end(h);
    pb__html_start(h, "tbody", NULL);
    for (i = 0; i <= n; i++) {
        int team = i == n;

        if (!team)
            pb_stats_group(s, PB_STATS_AGENT, rank[i], &g);
        pb__html_start(h, "tr", team ? "group" : NULL);
        pb__html_elem(h, "td", team || g.name == NULL ? "muted" : NULL,
                      team ? "Team" : group_name(PB_STATS_AGENT, g.name));
        if (team) {
            pb_stats_overall(s, &in);
            html_count(h, in.cases);
        } else
            html_count(h, g.cases);
        for (p = 0; p < np; p++) {
            if (team) {
                pb_stats_principle(s, p, &pi);
                sc = pi.score;
            } else
                pb_stats_group_principle(s, PB_STATS_AGENT, rank[i], p, &sc);
            heat_score(h, &sc);
        }
        heat_score(h, team ? &in.score : &g.score);
        if (team)
            html_pct(h, in.first_contact, in.cases);
        else
            html_pct(h, g.first_contact, g.cases);
        pb__html_end(h);
    }
    pb__html_end(h);
    pb__html_end(h);
    pb__html_end(h);
    free(rank);
    return PB_OK;
}

/* Adherence and resolution over time: a line per figure, a point per
 * month from the first dated case to the last (a month without cases
 * is a gap), then the figures as a table. */
static pb_status html_months(pb__html *h, const pb_stats *s)
{
    static const char *const cols[] = { "Month", "Cases", "Mean score",
                                        "Resolved", "First contact",
                                        "Repeat contacts" };
    size_t n = pb_stats_ngroups(s, PB_STATS_MONTH), i;
    size_t *rank = malloc((n + 1) * sizeof *rank);
    double v[2][PB__MONTHS_MAX];
    pb_stats_group_info g;
    pb__series ser[2];
    pb__months ax;
    long k;

    if (rank == NULL)
        return PB_NOMEM;
    pb__html_start(h, "div", "card");
    pb__html_elem(h, "h2", NULL, "Over time");
    if (!any_named(s, PB_STATS_MONTH)) {
        pb__html_elem(h, "p", "muted", "No case has a start date (the "
                      "fact started_at): cases from playbook serve and "
                      "event have one.");
        goto end;
    }
    pb__html_elem(h, "p", "muted", "Per month the cases started (UTC): "
                  "the mean adherence score and the share of cases "
                  "resolved at the first contact.");
    n = pb_stats_rank_groups(s, PB_STATS_MONTH, rank);
    pb__months_init(&ax);
    for (k = 0; k < (long)PB__MONTHS_MAX; k++)
        v[0][k] = v[1][k] = NAN;
    for (i = 0; i < n; i++) {
        pb_stats_group(s, PB_STATS_MONTH, rank[i], &g);
        if ((k = pb__months_slot(&ax, g.name)) < 0)
            continue;
        v[0][k] = g.score.mean;
        v[1][k] = (double)g.first_contact / (double)g.cases;
    }
    ser[0].name = "mean adherence score";
    ser[0].cls = "ch-a";
    ser[0].v = v[0];
    ser[1].name = "first-contact resolution";
    ser[1].cls = "ch-b";
    ser[1].v = v[1];
    if (ax.n > 0)
        pb__chart_lines(h, "Adherence and first-contact resolution by "
                        "month", ax.labels, ax.n, ser, 2);
    pb__html_start(h, "table", "compact");
    html_head(h, cols, sizeof cols / sizeof *cols);
    pb__html_start(h, "tbody", NULL);
    for (i = 0; i < n; i++) {
        char a[16];

        pb_stats_group(s, PB_STATS_MONTH, rank[i], &g);
        pb__html_start(h, "tr", NULL);
        pb__html_elem(h, "td", g.name ? "mono" : "muted",
                      group_name(PB_STATS_MONTH, g.name));
        html_count(h, g.cases);
        html_meter(h, g.score.mean, 1, fixed2(a, sizeof a, g.score.mean, 1));
        html_rate(h, g.resolved, g.cases);
        html_rate(h, g.first_contact, g.cases);
        html_count(h, g.contacts - g.cases);
        pb__html_end(h);
    }
    pb__html_end(h);
    pb__html_end(h);
end:
    pb__html_end(h);
    free(rank);
    return PB_OK;
}

static void html_principles(pb__html *h, const pb_stats *s)
{
    static const char *const cols[] = { "Principle", "Cases", "Mean score",
                                        "Pooled", "Musts done",
                                        "Violations" };
    pb_stats_principle_info pi;
    char a[16], b[16];
    size_t i;

    pb__html_start(h, "div", "card");
    pb__html_elem(h, "h2", NULL, "Adherence by principle");
    pb__html_elem(h, "p", "muted", "Over the cases where the principle "
                  "applied.");
    pb__html_start(h, "table", NULL);
    html_head(h, cols, sizeof cols / sizeof *cols);
    pb__html_start(h, "tbody", NULL);
    for (i = 0; i < pb_stats_nprinciples(s); i++) {
        pb_stats_principle(s, i, &pi);
        pb__html_start(h, "tr", NULL);
        pb__html_start(h, "td", NULL);
        pb__html_elem(h, "b", "mono", pi.id);
        pb__html_text(h, " ");
        pb__html_elem(h, "span", "muted small", pi.title);
        pb__html_end(h);
        html_count(h, pi.score.cases);
        html_meter(h, pi.score.mean, pi.score.cases != 0,
                   fixed2(a, sizeof a, pi.score.mean, pi.score.cases));
        pb__html_elem(h, "td", "num",
                      fixed2(b, sizeof b, pi.score.pooled, pi.score.cases));
        pb__html_start(h, "td", "num");
        pb__html_textf(h, "%zu of %zu", pi.score.done, pi.score.musts);
        pb__html_end(h);
        html_count(h, pi.score.violations);
        pb__html_end(h);
    }
    pb__html_end(h);
    pb__html_end(h);
    pb__html_end(h);
}

static pb_status html_ranked(pb__html *h, const pb_stats *s, int missed_list)
{
    static const char *const mcols[] = { "Must item", "Missed",
                                         "Of applied", "Share" };
    static const char *const vcols[] = { "Item", "Violated in",
                                         "Of applied", "Share" };
    size_t *rank = malloc((pb_stats_nitems(s) + 1) * sizeof *rank);
    pb_stats_item_info it;
    size_t i, n, k;

    if (rank == NULL)
        return PB_NOMEM;
    pb__html_start(h, "div", "card");
    if (missed_list) {
        pb__html_elem(h, "h2", NULL, "Most-missed musts");
        pb__html_elem(h, "p", "muted", "Musts that applied but were not "
                      "done at the end (open, waiting or violated).");
        n = pb_stats_rank_missed(s, rank);
    } else {
        pb__html_elem(h, "h2", NULL, "Violations");
        pb__html_elem(h, "p", "muted", "Cases where the item ended "
                      "violated.");
        n = pb_stats_rank_violations(s, rank);
    }
    if (n == 0)
        pb__html_elem(h, "p", NULL, "None.");
    else {
        pb__html_start(h, "table", NULL);
        html_head(h, missed_list ? mcols : vcols, 4);
        pb__html_start(h, "tbody", NULL);
    }
    for (i = 0; i < n; i++) {
        pb_stats_item(s, rank[i], &it);
        k = missed_list ? it.missed : it.states[PB_VIOLATED];
        pb__html_start(h, "tr", NULL);
        pb__html_elem(h, "td", "mono", it.ref);
        html_count(h, k);
        html_count(h, it.applied);
        html_pct(h, k, it.applied);
        pb__html_end(h);
    }
    if (n > 0) {
        pb__html_end(h);
        pb__html_end(h);
    }
    pb__html_end(h);
    free(rank);
    return PB_OK;
}

static void html_items(pb__html *h, const pb_stats *s)
{
    static const char *const cols[] = { "Item", "Applied", "Done", "Open",
                                        "Waiting", "Skipped", "Violated",
                                        "Error", "Done %" };
    /* The state columns, in the order of the header. */
    static const pb_state order[] = { PB_DONE, PB_OPEN, PB_WAITING,
                                      PB_SKIPPED, PB_VIOLATED, PB_ERROR };
    pb_stats_item_info it;
    size_t i, k;

    pb__html_start(h, "div", "card");
    pb__html_elem(h, "h2", NULL, "Adherence by item");
    pb__html_elem(h, "p", "muted", "Cases where the item applied, by its "
                  "state at the end.");
    pb__html_start(h, "table", "compact");
    html_head(h, cols, sizeof cols / sizeof *cols);
    pb__html_start(h, "tbody", NULL);
    for (i = 0; i < pb_stats_nitems(s); i++) {
        pb_stats_item(s, i, &it);
        pb__html_start(h, "tr", NULL);
        pb__html_start(h, "td", NULL);
        pb__html_elem(h, "span", "mono", it.ref);
        if (it.must) {
            pb__html_text(h, " ");
            pb__html_elem(h, "span", "badge", "must");
        }
        pb__html_end(h);
        html_count(h, it.applied);
        for (k = 0; k < sizeof order / sizeof *order; k++) {
            pb_state st = order[k];
            int look = it.states[st] > 0 && st != PB_DONE;
            char cls[32];

            /* Colour only what needs a look: anything but done. */
            snprintf(cls, sizeof cls, "num%s%s", look ? " " : "",
                     look ? pb_state_name(st) : "");
            pb__html_start(h, "td", cls);
            pb__html_textf(h, "%zu", it.states[st]);
            pb__html_end(h);
        }
        html_rate(h, it.states[PB_DONE], it.applied);
        pb__html_end(h);
    }
    pb__html_end(h);
    pb__html_end(h);
    pb__html_end(h);
}

static pb_status render_html(const pb_stats *s, FILE *f)
{
    pb__html *h = pb__html_page(f, "Team statistics - Playbook");
    pb_status st = PB_OK;

    if (h == NULL)
        return PB_NOMEM;
    pb__html_start(h, "div", "page");
    html_overall(h, s);
    if (html_causes(h, s) != PB_OK)
        st = PB_NOMEM;
    html_principles(h, s);
    if (st == PB_OK && (html_agents(h, s) != PB_OK ||
                        html_months(h, s) != PB_OK))
        st = PB_NOMEM;
    if (st == PB_OK && (html_ranked(h, s, 1) != PB_OK ||
                        html_ranked(h, s, 0) != PB_OK))
        st = PB_NOMEM;
    html_items(h, s);
    pb__team_footer(h);
    if (pb__html_finish(h) != PB_OK && st == PB_OK)
        st = PB_IO;
    return st;
}

pb_status pb_stats_render(const pb_stats *s, FILE *f, pb_format fmt,
                          unsigned flags)
{
    pb_status st;

    switch (fmt) {
    case PB_FORMAT_TEXT:
        st = render_text(s, f, flags);
        break;
    case PB_FORMAT_JSON:
        st = render_json(s, f);
        break;
    case PB_FORMAT_HTML:
        return render_html(s, f);
    default:
        return PB_INPUT;
    }
    if (st != PB_OK)
        return st;
    return fflush(f) == 0 && !ferror(f) ? PB_OK : PB_IO;
}
