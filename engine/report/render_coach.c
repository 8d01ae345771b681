/*
 * render_coach.c -- one agent's coaching page (coach.c) as text or one
 * HTML page: what they miss most with the moments that show it and
 * what to practise, where they do better than the team, and how they
 * went month by month.  Read through the public pb_coach and pb_stats
 * calls.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calltime.h"
#include "chart.h"
#include "html.h"
#include "playbook.h"
#include "report.h"
#include "text.h"

#define FOCUS_MAX 5      /* musts worked on at once */
#define MIN_CASES 3      /* fewer cases say nothing about a strength */
#define BETTER_SCORE 0.05
#define BETTER_SHARE 0.10

static double share(size_t num, size_t den)
{
    return den ? (double)num / (double)den : 0;
}

/* A principle is a strength when the agent's mean is clearly above the
 * team's over enough cases; a must when they do it clearly more often. */
static int principle_better(const pb_coach *c, size_t p,
                            pb_stats_principle_info *mine,
                            pb_stats_principle_info *all)
{
    pb_stats_principle(pb_coach_calls(c), p, mine);
    pb_stats_principle(pb_coach_everyone(c), p, all);
    return mine->score.cases >= MIN_CASES &&
           mine->score.mean >= all->score.mean + BETTER_SCORE;
}

static int item_better(const pb_coach *c, size_t i, pb_stats_item_info *mine,
                       pb_stats_item_info *all)
{
    pb_stats_item(pb_coach_calls(c), i, mine);
    pb_stats_item(pb_coach_everyone(c), i, all);
    return mine->must && mine->applied >= MIN_CASES &&
           share(mine->states[PB_DONE], mine->applied) >=
               share(all->states[PB_DONE], all->applied) + BETTER_SHARE;
}

/* The musts the agent missed most, at most FOCUS_MAX, leaving out those
 * they still do clearly better than the team: into out, how many. */
static size_t focus(const pb_coach *c, size_t *out)
{
    const pb_stats *mine = pb_coach_calls(c);
    size_t *rank = malloc((pb_stats_nitems(mine) + 1) * sizeof *rank);
    size_t n, i, k = 0;
    pb_stats_item_info a, b;

    if (rank == NULL)
        return 0;
    n = pb_stats_rank_missed(mine, rank);
    for (i = 0; i < n && k < FOCUS_MAX; i++)
        if (!item_better(c, rank[i], &a, &b))
            out[k++] = rank[i];
    free(rank);
    return k;
}

/* The team's group of a month, or 0 cases when it has none. */
static void team_month(const pb_coach *c, const char *month,
                       pb_stats_group_info *out)
{
    const pb_stats *all = pb_coach_everyone(c);
    size_t i;

    for (i = 0; i < pb_stats_ngroups(all, PB_STATS_MONTH); i++) {
        pb_stats_group(all, PB_STATS_MONTH, i, out);
        if (out->name && month && strcmp(out->name, month) == 0)
            return;
    }
    memset(out, 0, sizeof *out);
}

static void moment_text(const pb_coach_moment_info *m, char *buf, size_t size)
{
    char t[32];

    pb__time_clock(m->at, t, sizeof t);
    if (m->state == PB_VIOLATED)
        snprintf(buf, size, "violated at %s", t);
    else
        snprintf(buf, size, "still %s when the call ended at %s",
                 pb_state_name(m->state), t);
}

/* Text. */

static void put(FILE *f, const char *s)
{
    pb__text_write(f, s, strlen(s), SIZE_MAX, 0);
}

static void heading(FILE *f, int color, const char *t)
{
    fprintf(f, "\n%s%s%s\n", color ? PB__C_BOLD : "", t,
            color ? PB__C_RESET : "");
}

static void text_head(FILE *f, const pb_coach *c, int color)
{
    pb_stats_info mine, all;

    pb_stats_overall(pb_coach_calls(c), &mine);
    pb_stats_overall(pb_coach_everyone(c), &all);
    fprintf(f, "%sCoaching: ", color ? PB__C_BOLD : "");
    put(f, pb_coach_name(c));
    if (pb_coach_team_name(c)) {
        fputs(" (", f);
        put(f, pb_coach_team_name(c));
        fputc(')', f);
    }
    fprintf(f, "%s\n  %zu call%s, against the team's %zu\n",
            color ? PB__C_RESET : "", mine.cases,
            mine.cases == 1 ? "" : "s", all.cases);
    fprintf(f, "  mean score              %.2f   team %.2f\n",
            mine.score.mean, all.score.mean);
    fprintf(f, "  first-contact resolved %5.1f%%  team %.1f%%\n",
            100 * share(mine.first_contact, mine.cases),
            100 * share(all.first_contact, all.cases));
}

static void text_focus(FILE *f, const pb_coach *c, int color)
{
    size_t idx[FOCUS_MAX], n = focus(c, idx), i, k;
    pb_stats_item_info mine, all;
    pb_coach_moment_info m;
    const char *path, *title;
    char buf[96];

    heading(f, color, "Work on (the musts missed most)");
    if (n == 0)
        fputs("  nothing: every must that applied was done\n", f);
    else if (pb_coach_nscenarios(c) == 0)
        fputs("  (give --practice DIR for scenarios to practise on)\n", f);
    for (i = 0; i < n; i++) {
        pb_stats_item(pb_coach_calls(c), idx[i], &mine);
        pb_stats_item(pb_coach_everyone(c), idx[i], &all);
        fprintf(f, "  %zu. ", i + 1);
        put(f, mine.ref);
        fprintf(f, ": missed in %zu of %zu calls (%.0f%%), the team %.0f%%\n",
                mine.missed, mine.applied,
                100 * share(mine.missed, mine.applied),
                100 * share(all.missed, all.applied));
        for (k = 0; k < pb_coach_nmoments(c, idx[i]); k++) {
            pb_coach_moment(c, idx[i], k, &m);
            moment_text(&m, buf, sizeof buf);
            fputs("     ", f);
            put(f, m.path);
            fprintf(f, ": %s", buf);
            if (m.said) {
                fputs(", ", f);
                put(f, m.said_type);
                fputs(" \"", f);
                pb__text_write(f, m.said, strlen(m.said), 60, 0);
                fputc('"', f);
            }
            fputc('\n', f);
        }
        if (pb_coach_nscenarios(c) > 0 && pb_coach_npractice(c, idx[i]) == 0)
            fprintf(f, "     practise: none of the %zu scenarios checks it; "
                    "write one (docs/scenarios.md)\n",
                    pb_coach_nscenarios(c));
        for (k = 0; k < pb_coach_npractice(c, idx[i]); k++) {
            pb_coach_practice(c, idx[i], k, &path, &title);
            fputs("     practise: playbook review ", f);
            put(f, path);
            fputs("  (", f);
            put(f, title);
            fputs(")\n", f);
        }
    }
}

static void text_strengths(FILE *f, const pb_coach *c, int color)
{
    const pb_stats *mine = pb_coach_calls(c);
    pb_stats_principle_info pm, pa;
    pb_stats_item_info im, ia;
    size_t i, n = 0;

    heading(f, color, "Going well (clearly better than the team)");
    for (i = 0; i < pb_stats_nprinciples(mine); i++)
        if (principle_better(c, i, &pm, &pa)) {
            fputs("  ", f);
            put(f, pm.id);
            fprintf(f, ": mean score %.2f, the team %.2f\n", pm.score.mean,
                    pa.score.mean);
            n++;
        }
    for (i = 0; i < pb_stats_nitems(mine); i++)
        if (item_better(c, i, &im, &ia)) {
            fputs("  ", f);
            put(f, im.ref);
            fprintf(f, ": done in %.0f%% of calls, the team %.0f%%\n",
                    100 * share(im.states[PB_DONE], im.applied),
                    100 * share(ia.states[PB_DONE], ia.applied));
            n++;
        }
    if (n == 0)
        fprintf(f, "  none clearly yet (a strength needs %d calls or more "
                "and a clear lead)\n", MIN_CASES);
}

static void text_months(FILE *f, const pb_coach *c, int color)
{
    const pb_stats *mine = pb_coach_calls(c);
    size_t n = pb_stats_ngroups(mine, PB_STATS_MONTH), i;
    size_t *rank = malloc((n + 1) * sizeof *rank);
    pb_stats_group_info g, t;

    heading(f, color, "By month (mean score; first-contact resolution)");
    if (rank == NULL)
        return;
    n = pb_stats_rank_groups(mine, PB_STATS_MONTH, rank);
    for (i = 0; i < n; i++) {
        pb_stats_group(mine, PB_STATS_MONTH, rank[i], &g);
        team_month(c, g.name, &t);
        fprintf(f, "  %-10s %3zu call%s  %.2f (team %.2f)  %5.1f%% (team "
                "%.1f%%)\n", g.name ? g.name : "(undated)", g.cases,
                g.cases == 1 ? " " : "s", g.score.mean, t.score.mean,
                100 * share(g.first_contact, g.cases),
                100 * share(t.first_contact, t.cases));
    }
    free(rank);
}

static pb_status render_text(const pb_coach *c, FILE *f, unsigned flags)
{
    int color = (flags & PB_RENDER_COLOR) != 0;

    text_head(f, c, color);
    text_focus(f, c, color);
    text_strengths(f, c, color);
    text_months(f, c, color);
    return PB_OK;
}

/* HTML. */

static void figure(pb__html *h, const char *label, const char *value,
                   const char *note)
{
    pb__html_start(h, "div", "card cell");
    pb__html_elem(h, "div", "muted small", label);
    pb__html_elem(h, "div", "big", value);
    pb__html_elem(h, "div", "muted small", note);
    pb__html_end(h);
}

static void html_head(pb__html *h, const pb_coach *c)
{
    pb_stats_info mine, all;
    char a[32], b[64];

    pb_stats_overall(pb_coach_calls(c), &mine);
    pb_stats_overall(pb_coach_everyone(c), &all);
    pb__html_start(h, "h1", NULL);
    pb__html_textf(h, "Coaching: %s", pb_coach_name(c));
    pb__html_end(h);
    pb__html_start(h, "p", "muted");
    if (pb_coach_team_name(c))
        pb__html_textf(h, "Team %s. ", pb_coach_team_name(c));
    pb__html_textf(h, "%zu call%s, compared with the team's %zu. A page "
                   "to walk through together: what to work on, the "
                   "moments that show it, what to practise, and what is "
                   "already going well.", mine.cases,
                   mine.cases == 1 ? "" : "s", all.cases);
    pb__html_end(h);
    pb__html_start(h, "div", "grid");
    snprintf(a, sizeof a, "%.2f", mine.score.mean);
    snprintf(b, sizeof b, "the team %.2f", all.score.mean);
    figure(h, "Mean adherence score", a, b);
    snprintf(a, sizeof a, "%.0f%%", 100 * share(mine.first_contact,
                                                 mine.cases));
    snprintf(b, sizeof b, "the team %.0f%%",
             100 * share(all.first_contact, all.cases));
    figure(h, "First-contact resolution", a, b);
    snprintf(a, sizeof a, "%zu", mine.cases);
    snprintf(b, sizeof b, "of %zu", all.cases);
    figure(h, "Calls", a, b);
    pb__html_end(h);
}

static void html_principles(pb__html *h, const pb_coach *c)
{
    const pb_stats *mine = pb_coach_calls(c);
    pb_stats_principle_info pm, pa;
    char a[16], b[16];
    size_t p;

    pb__html_start(h, "div", "card");
    pb__html_elem(h, "h2", NULL, "Principles");
    pb__html_elem(h, "p", "muted", "Mean score over the calls where each "
                  "principle applied.");
    pb__html_start(h, "table", NULL);
    pb__html_start(h, "thead", NULL);
    pb__html_start(h, "tr", NULL);
    pb__html_elem(h, "th", NULL, "Principle");
    pb__html_elem(h, "th", "num", "Calls");
    pb__html_elem(h, "th", "num", pb_coach_name(c));
    pb__html_elem(h, "th", "num", "The team");
    pb__html_end(h);
    pb__html_end(h);
    pb__html_start(h, "tbody", NULL);
    for (p = 0; p < pb_stats_nprinciples(mine); p++) {
        int better = principle_better(c, p, &pm, &pa);

        pb__html_start(h, "tr", NULL);
        pb__html_start(h, "td", NULL);
        pb__html_elem(h, "b", "mono", pm.id);
        pb__html_text(h, " ");
        pb__html_elem(h, "span", "muted small", pm.title);
        if (better) {
            pb__html_text(h, " ");
            pb__html_elem(h, "span", "badge done", "strength");
        }
        pb__html_end(h);
        pb__html_start(h, "td", "num");
        pb__html_textf(h, "%zu", pm.score.cases);
        pb__html_end(h);
        snprintf(a, sizeof a, "%.2f", pm.score.mean);
        snprintf(b, sizeof b, "%.2f", pa.score.mean);
        pb__heat_cell(h, pm.score.mean, pm.score.cases != 0,
                      pm.score.cases ? a : "-");
        pb__html_elem(h, "td", "num", pa.score.cases ? b : "-");
        pb__html_end(h);
    }
    pb__html_end(h);
    pb__html_end(h);
    pb__html_end(h);
}

static void html_focus(pb__html *h, const pb_coach *c)
{
    size_t idx[FOCUS_MAX], n = focus(c, idx), i, k;
    pb_stats_item_info mine, all;
    const char *path, *title;
    pb_coach_moment_info m;
    char buf[96];

    pb__html_start(h, "div", "card");
    pb__html_elem(h, "h2", NULL, "Work on");
    if (n == 0)
        pb__html_elem(h, "p", NULL, "Nothing: every must that applied was "
                      "done.");
    else
        pb__html_elem(h, "p", "muted", pb_coach_nscenarios(c)
                      ? "The musts missed most, each with the first calls "
                        "that show it (open the call with playbook replay "
                        "--format html) and scenarios to practise it on."
                      : "The musts missed most, each with the first calls "
                        "that show it (open the call with playbook replay "
                        "--format html). Give --practice DIR for scenarios "
                        "to practise on.");
    for (i = 0; i < n; i++) {
        pb_stats_item(pb_coach_calls(c), idx[i], &mine);
        pb_stats_item(pb_coach_everyone(c), idx[i], &all);
        pb__html_start(h, "h3", NULL);
        pb__html_textf(h, "%zu. ", i + 1);
        pb__html_elem(h, "span", "mono", mine.ref);
        pb__html_end(h);
        pb__html_start(h, "p", NULL);
        pb__html_textf(h, "Missed in %zu of %zu calls (%.0f%%); the team "
                       "%.0f%%.", mine.missed, mine.applied,
                       100 * share(mine.missed, mine.applied),
                       100 * share(all.missed, all.applied));
        pb__html_end(h);
        pb__html_start(h, "ul", NULL);
        for (k = 0; k < pb_coach_nmoments(c, idx[i]); k++) {
            pb_coach_moment(c, idx[i], k, &m);
            moment_text(&m, buf, sizeof buf);
            pb__html_start(h, "li", NULL);
            pb__html_elem(h, "span", "mono", m.path);
            pb__html_text(h, " ");
            pb__html_elem(h, "span", m.state == PB_VIOLATED ? "violated"
                          : "open", buf);
            if (m.said) {
                pb__html_textf(h, ", %s ", m.said_type);
                pb__html_elem(h, "q", NULL, m.said);
            }
            pb__html_end(h);
        }
        if (pb_coach_nscenarios(c) > 0 && pb_coach_npractice(c, idx[i]) == 0)
            pb__html_elem(h, "li", "muted", "None of the practice "
                          "scenarios checks it: write one.");
        for (k = 0; k < pb_coach_npractice(c, idx[i]); k++) {
            pb_coach_practice(c, idx[i], k, &path, &title);
            pb__html_start(h, "li", NULL);
            pb__html_text(h, "Practise: ");
            pb__html_elem(h, "code", NULL, "playbook review");
            pb__html_text(h, " ");
            pb__html_elem(h, "code", NULL, path);
            pb__html_textf(h, " (%s)", title);
            pb__html_end(h);
        }
        pb__html_end(h);
    }
    pb__html_end(h);
}

static void html_strengths(pb__html *h, const pb_coach *c)
{
    const pb_stats *mine = pb_coach_calls(c);
    pb_stats_principle_info pm, pa;
    pb_stats_item_info im, ia;
    size_t i, n = 0;

    pb__html_start(h, "div", "card");
    pb__html_elem(h, "h2", NULL, "Going well");
    pb__html_start(h, "ul", NULL);
    for (i = 0; i < pb_stats_nprinciples(mine); i++)
        if (principle_better(c, i, &pm, &pa)) {
            pb__html_start(h, "li", NULL);
            pb__html_elem(h, "b", "mono", pm.id);
            pb__html_textf(h, ": mean score %.2f, the team %.2f.",
                           pm.score.mean, pa.score.mean);
            pb__html_end(h);
            n++;
        }
    for (i = 0; i < pb_stats_nitems(mine); i++)
        if (item_better(c, i, &im, &ia)) {
            pb__html_start(h, "li", NULL);
            pb__html_elem(h, "span", "mono", im.ref);
            pb__html_textf(h, ": done in %.0f%% of calls, the team %.0f%%.",
                           100 * share(im.states[PB_DONE], im.applied),
                           100 * share(ia.states[PB_DONE], ia.applied));
            pb__html_end(h);
            n++;
        }
    pb__html_end(h);
    if (n == 0)
        pb__html_textf(h, "Nothing clearly above the team yet (it takes "
                       "%d calls or more and a clear lead).", MIN_CASES);
    pb__html_end(h);
}

static pb_status html_months(pb__html *h, const pb_coach *c)
{
    const pb_stats *mine = pb_coach_calls(c);
    size_t n = pb_stats_ngroups(mine, PB_STATS_MONTH), i;
    size_t *rank = malloc((n + 1) * sizeof *rank);
    double v[3][PB__MONTHS_MAX];
    pb_stats_group_info g, t;
    pb__series ser[3];
    pb__months ax;
    long k;

    if (rank == NULL)
        return PB_NOMEM;
    pb__html_start(h, "div", "card");
    pb__html_elem(h, "h2", NULL, "Month by month");
    n = pb_stats_rank_groups(mine, PB_STATS_MONTH, rank);
    pb__months_init(&ax);
    for (k = 0; k < (long)PB__MONTHS_MAX; k++)
        v[0][k] = v[1][k] = v[2][k] = NAN;
    for (i = 0; i < n; i++) {
        pb_stats_group(mine, PB_STATS_MONTH, rank[i], &g);
        if ((k = pb__months_slot(&ax, g.name)) < 0)
            continue;
        team_month(c, g.name, &t);
        v[0][k] = g.score.mean;
        v[1][k] = t.score.mean;
        v[2][k] = share(g.first_contact, g.cases);
    }
    if (ax.n == 0)
        pb__html_elem(h, "p", "muted", "None of the calls has a start "
                      "date (the fact started_at).");
    else {
        ser[0].name = "mean score";
        ser[0].cls = "ch-a";
        ser[0].v = v[0];
        ser[1].name = "the team's mean score";
        ser[1].cls = "ch-c";
        ser[1].v = v[1];
        ser[2].name = "first-contact resolution";
        ser[2].cls = "ch-b";
        ser[2].v = v[2];
        pb__chart_lines(h, "Mean score and first-contact resolution by "
                        "month, with the team's mean score", ax.labels,
                        ax.n, ser, 3);
    }
    pb__html_end(h);
    free(rank);
    return PB_OK;
}

static pb_status render_html(const pb_coach *c, FILE *f)
{
    pb__html *h = pb__html_page(f, "Coaching - Playbook");
    pb_status st = PB_OK;

    if (h == NULL)
        return PB_NOMEM;
    pb__html_start(h, "div", "page");
    html_head(h, c);
    html_focus(h, c);
    html_principles(h, c);
    html_strengths(h, c);
    st = html_months(h, c);
    pb__team_footer(h);
    if (pb__html_finish(h) != PB_OK && st == PB_OK)
        st = PB_IO;
    return st;
}

pb_status pb_coach_render(const pb_coach *c, FILE *f, pb_format fmt,
                          unsigned flags)
{
    pb_status st;

    switch (fmt) {
    case PB_FORMAT_TEXT:
        st = render_text(c, f, flags);
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
