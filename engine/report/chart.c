/*
 * chart.c -- SVG line and bar charts and heat cells (chart.h).
 *
 * Sizes are in the SVG's own units with a viewBox, so the chart scales
 * with the page; labels are text elements, so they print and can be
 * selected.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chart.h"

#define W 720.0
#define LEFT 44.0   /* the axis labels */
#define RIGHT 16.0
#define INSET 36.0  /* the first and last points' labels stay inside */
#define TOP 26.0
#define PLOT_H 170.0

static void svg_open(pb__html *h, const char *alt, double height)
{
    pb__html_start(h, "svg", "ch");
    pb__html_attr(h, "xmlns", "http://www.w3.org/2000/svg");
    pb__html_attrf(h, "viewBox", "0 0 %.0f %.0f", W, height);
    pb__html_attr(h, "role", "img");
    pb__html_attr(h, "aria-label", alt);
}

static void legend(pb__html *h, const char *const *names,
                   const char *const *cls, size_t n)
{
    size_t i;

    pb__html_start(h, "div", "legend");
    for (i = 0; i < n; i++) {
        pb__html_start(h, "span", NULL);
        pb__html_start(h, "span", "ch-key");
        pb__html_start(h, "svg", NULL);
        pb__html_attr(h, "xmlns", "http://www.w3.org/2000/svg");
        pb__html_attr(h, "width", "14");
        pb__html_attr(h, "height", "10");
        pb__html_start(h, "rect", cls[i]);
        pb__html_attr(h, "width", "14");
        pb__html_attr(h, "height", "10");
        pb__html_attr(h, "rx", "2");
        pb__html_end(h);
        pb__html_end(h);
        pb__html_end(h);
        pb__html_text(h, names[i]);
        pb__html_end(h);
    }
    pb__html_end(h);
}

void pb__chart_lines(pb__html *h, const char *alt, const char *const *labels,
                     size_t n, const pb__series *s, size_t ns)
{
    const char *names[8], *cls[8];
    double x0 = LEFT + INSET;
    double step = n > 1 ? (W - RIGHT - INSET - x0) / (double)(n - 1) : 0;
    double bottom = TOP + PLOT_H;
    char buf[16];
    size_t i, k;

    for (k = 0; k < ns && k < 8; k++) {
        names[k] = s[k].name;
        cls[k] = s[k].cls;
    }
    legend(h, names, cls, k);
    svg_open(h, alt, bottom + 28);
    for (i = 0; i <= 4; i++) {     /* 0, 25, 50, 75, 100 % */
        double y = bottom - PLOT_H * (double)i / 4;

        pb__svg_line(h, i ? "ch-grid" : "ch-axis", LEFT, y, W - RIGHT, y);
        snprintf(buf, sizeof buf, "%zu%%", i * 25);
        pb__svg_text(h, NULL, LEFT - 6, y + 4, "end", buf);
    }
    for (i = 0; i < n; i++)
        pb__svg_text(h, NULL,
                     n > 1 ? x0 + step * (double)i : (LEFT + W) / 2,
                     bottom + 20, "middle", labels[i]);
    /* Segments join neighbouring months that both have a value: a gap
     * stays a gap rather than a made-up slope. */
    for (k = 0; k < ns; k++)
        for (i = 1; i < n; i++)
            if (!isnan(s[k].v[i - 1]) && !isnan(s[k].v[i]))
                pb__svg_line(h, s[k].cls, x0 + step * (double)(i - 1),
                             bottom - PLOT_H * s[k].v[i - 1],
                             x0 + step * (double)i,
                             bottom - PLOT_H * s[k].v[i]);
    for (k = 0; k < ns; k++)
        for (i = 0; i < n; i++) {
            double x = n > 1 ? x0 + step * (double)i : (LEFT + W) / 2;
            double y;

            if (isnan(s[k].v[i]))
                continue;
            /* ch-c is a dashed reference line (the team's), drawn
             * unlabelled: its figures would sit on top of the others' */
            y = bottom - PLOT_H * s[k].v[i];
            pb__html_start(h, "circle", s[k].cls);
            pb__html_attrf(h, "cx", "%.1f", x);
            pb__html_attrf(h, "cy", "%.1f", y);
            pb__html_attr(h, "r", "4");
            pb__html_end(h);
            if (strcmp(s[k].cls, "ch-c") == 0)
                continue;
            snprintf(buf, sizeof buf, "%.0f%%", s[k].v[i] * 100);
            pb__svg_text(h, "ch-val", x, y - 8, "middle", buf);
        }
    pb__html_end(h); /* svg */
}

/* A bar's name fits its room (230 units of 12px text): a longer one is
 * cut at a character's start and ends in an ellipsis; the table below
 * the chart has it whole. */
#define NAME_MAX_BYTES 34

static const char *cut(const char *s, char *buf, size_t size)
{
    size_t n = strlen(s);

    if (n <= NAME_MAX_BYTES)
        return s;
    n = NAME_MAX_BYTES - 1;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;                    /* not inside a UTF-8 sequence */
    snprintf(buf, size, "%.*s\xe2\x80\xa6", (int)n, s);
    return buf;
}

void pb__chart_bars(pb__html *h, const char *alt, const char *const *labels,
                    const size_t *first, const size_t *second, size_t n,
                    const char *first_name, const char *second_name)
{
    static const char *const cls[] = { "ch-a", "ch-b" };
    const char *names[2];
    double label_w = 230, bar_h = 18, gap = 8, top = 4, scale;
    double room = W - label_w - 60;
    size_t i, max = 1;
    char buf[48], name[NAME_MAX_BYTES + 4];

    names[0] = first_name;
    names[1] = second_name;
    for (i = 0; i < n; i++)
        if (first[i] + second[i] > max)
            max = first[i] + second[i];
    scale = room / (double)max;
    legend(h, names, cls, 2);
    svg_open(h, alt, top + (double)n * (bar_h + gap));
    for (i = 0; i < n; i++) {
        double y = top + (double)i * (bar_h + gap);
        double w1 = (double)first[i] * scale, w2 = (double)second[i] * scale;

        pb__svg_text(h, "ch-name", label_w - 8, y + bar_h - 5, "end",
                     cut(labels[i], name, sizeof name));
        pb__html_start(h, "rect", "ch-a");
        pb__html_attrf(h, "x", "%.1f", label_w);
        pb__html_attrf(h, "y", "%.1f", y);
        pb__html_attrf(h, "width", "%.1f", w1);
        pb__html_attrf(h, "height", "%.1f", bar_h);
        pb__html_end(h);
        if (second[i]) {
            pb__html_start(h, "rect", "ch-b");
            pb__html_attrf(h, "x", "%.1f", label_w + w1);
            pb__html_attrf(h, "y", "%.1f", y);
            pb__html_attrf(h, "width", "%.1f", w2);
            pb__html_attrf(h, "height", "%.1f", bar_h);
            pb__html_end(h);
        }
        if (second[i])
            snprintf(buf, sizeof buf, "%zu + %zu", first[i], second[i]);
        else
            snprintf(buf, sizeof buf, "%zu", first[i]);
        pb__svg_text(h, "ch-val", label_w + w1 + w2 + 6, y + bar_h - 5,
                     "start", buf);
    }
    pb__html_end(h);
}

void pb__heat_cell(pb__html *h, double v, int defined, const char *text_)
{
    pb__html_start(h, "td", defined ? "num heat" : "num muted");
    if (defined) {
        /* hue 0 (red) at 0.4 and below, 120 (green) at 1: the range
         * where adherence differs in practice */
        double x = v < 0.4 ? 0 : (v - 0.4) / 0.6;

        pb__html_attrf(h, "style", "background:hsl(%.0f,70%%,%.0f%%)",
                       120 * x, 86 - 6 * (1 - fabs(2 * x - 1)));
    }
    pb__html_text(h, text_);
    pb__html_end(h);
}

void pb__months_init(pb__months *ax)
{
    ax->first = -1;
    ax->n = 0;
}

long pb__months_slot(pb__months *ax, const char *name)
{
    int y, mo;
    char end;
    long m;

    if (name == NULL || strlen(name) != 7 ||
        sscanf(name, "%4d-%2d%c", &y, &mo, &end) != 2 || y < 0 || mo < 1 ||
        mo > 12)
        return -1;
    m = (long)y * 12 + mo - 1;
    if (ax->first < 0)
        ax->first = m;
    if (m < ax->first || m - ax->first >= (long)PB__MONTHS_MAX)
        return -1;
    for (; ax->n <= (size_t)(m - ax->first); ax->n++) {
        long k = ax->first + (long)ax->n;

        snprintf(ax->label[ax->n], sizeof ax->label[ax->n], "%04ld-%02ld",
                 k / 12 % 10000, k % 12 + 1);
        ax->labels[ax->n] = ax->label[ax->n];
    }
    return m - ax->first;
}

void pb__team_footer(pb__html *h)
{
    pb__html_start(h, "footer", NULL);
    pb__html_textf(h, "playbook %s. No durations or handle times: quality "
                   "is resolution and principle adherence, never speed.",
                   PB_VERSION);
    pb__html_end(h);
}
