/*
 * chart.h -- small SVG charts, a month axis, heat cells and the footer of
 * the team pages (stats, coach), written through html.h (internal).
 * Every value is printed on the chart itself, so a page reads the same
 * printed and needs no script or hover to be understood.
 */
#ifndef PB_CHART_H
#define PB_CHART_H

#include <stddef.h>

#include "html.h"

/* One line of a chart: a value in 0..1 per label (a NaN: none), drawn
 * with the stylesheet's class cls: ch-a, ch-b, or ch-c for a dashed
 * reference line whose points carry no figures. */
typedef struct pb__series {
    const char *name, *cls;
    const double *v;
} pb__series;

/* A line chart of ns series over n labels (months), 0..100 %, with a
 * legend; what alt says is the chart's accessible name. */
void pb__chart_lines(pb__html *h, const char *alt, const char *const *labels,
                     size_t n, const pb__series *s, size_t ns);

/* Horizontal bars, one per label: a first part (cls ch-a) and a second
 * stacked after it (ch-b), both counts, with the two names in a
 * legend. */
void pb__chart_bars(pb__html *h, const char *alt, const char *const *labels,
                    const size_t *first, const size_t *second, size_t n,
                    const char *first_name, const char *second_name);

/* A time axis of months for pb__chart_lines: from the first "YYYY-MM"
 * given to the last, every month between with its label, so a month
 * without figures is a gap and not a shorter step. */
#define PB__MONTHS_MAX 240  /* twenty years drawn; tables list them all */
typedef struct pb__months {
    long first;             /* months since year 0; -1 before the first */
    size_t n;               /* months on the axis so far */
    char label[PB__MONTHS_MAX][16];
    const char *labels[PB__MONTHS_MAX];
} pb__months;

void pb__months_init(pb__months *ax);
/* The place of month name on the axis (names given in time order), the
 * axis grown to it; -1 for a name that is not a month, or past
 * PB__MONTHS_MAX. */
long pb__months_slot(pb__months *ax, const char *name);

/* The footer every team page ends with: the version, and why there is
 * no figure of speed. */
void pb__team_footer(pb__html *h);

/* A table cell coloured by v in 0..1 (red, amber, green, pale enough
 * to read the text on), or plain when defined is 0. */
void pb__heat_cell(pb__html *h, double v, int defined, const char *text);

#endif
