/*
 * render_timeline.c -- the timeline picture of a replay on the HTML page
 * (render_html.c): one lane each for the customer, the agent and the
 * case, one per principle that applied, marks for events and for items
 * done, violated or in error, and for the musts missed at the end, as
 * inline SVG with a tooltip per mark.  Item marks carry their item's
 * name in the picture, so a printout keeps them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "render_timeline.h"
#include "report.h"

/* Timeline geometry, in SVG user units (about pixels at full width). */
#define TL_W 1100.0
#define TL_LEFT 104.0   /* lane labels */
#define TL_RIGHT 14.0
#define TL_PAD 10.0     /* inside each end of a segment */
#define TL_BREAK 56.0   /* a cut-out stretch of idle time */
#define TL_MAXSEG 6
#define TL_ROW 12.0     /* a row of marks inside a lane */
#define TL_ROWS 4       /* rows before marks overlap */
#define TL_AXIS 34.0    /* axis and tick labels under the lanes */
#define TL_TICK 84.0    /* least distance between tick labels */
#define TL_CUT 1200.0   /* idle stretches shorter than this stay, */
#define TL_CUT_SHARE 0.1 /* and those under this share of the case */
#define TL_HALF 5.0     /* half a mark's width */
#define TL_CHAR 6.2     /* a label character, at the labels' 11px */

/*
 * The time axis.  A phone call lasts minutes, an email case days with
 * hours of silence between messages; a linear axis would squash the
 * conversation into a dot.  So long idle stretches (at least TL_CUT
 * seconds and a tenth of the whole case, the longest first) are cut out
 * and drawn as a narrow band labelled with their length.  Shorter waits
 * (a reply two hours later) stay to scale: they are part of the story.
 * Each segment between cuts gets width for half by its length and half
 * by its events, so a five-minute call before a three-day follow-up is
 * still readable; each has its own ticks.
 */
typedef struct axis {
    double a[TL_MAXSEG], b[TL_MAXSEG]; /* segment start and end times */
    double x[TL_MAXSEG], w[TL_MAXSEG]; /* left edge and width */
    double pps[TL_MAXSEG];             /* units per second, 0 for a point */
    size_t nseg;
    double end;
} axis;

static double event_t(const pb_case *c, size_t i)
{
    pb_event_info ev;

    pb_case_event(c, i, &ev);
    return ev.t;
}

/* Idle stretches to cut, longest first; returns how many (at most max)
 * with their start times and lengths in time order. */
static size_t find_cuts(const pb_case *c, double end, double *cut,
                        double *len, size_t max)
{
    size_t n = pb_case_nevents(c), i, k, ncut = 0;

    while (ncut < max) {
        double prev = 0, best = 0, at = 0;

        for (i = 0; i < n; i++) {
            double t = event_t(c, i);
            int taken = 0;

            for (k = 0; k < ncut; k++)
                taken |= cut[k] == prev;
            if (!taken && t - prev > best) {
                best = t - prev;
                at = prev;
            }
            prev = t;
        }
        if (best < TL_CUT || best < TL_CUT_SHARE * end)
            break;
        cut[ncut] = at;
        len[ncut++] = best;
    }
    for (i = 1; i < ncut; i++)
        for (k = i; k > 0 && cut[k - 1] > cut[k]; k--) {
            double t = cut[k];

            cut[k] = cut[k - 1];
            cut[k - 1] = t;
            t = len[k];
            len[k] = len[k - 1];
            len[k - 1] = t;
        }
    return ncut;
}

static void axis_build(axis *ax, const pb_case *c)
{
    size_t n = pb_case_nevents(c), i, k, ncut, nev[TL_MAXSEG] = { 0 };
    double cut[TL_MAXSEG - 1], len[TL_MAXSEG - 1], span = 0, inner;

    memset(ax, 0, sizeof *ax);
    ax->end = n ? event_t(c, n - 1) : 0;
    ncut = find_cuts(c, ax->end, cut, len, TL_MAXSEG - 1);
    ax->nseg = ncut + 1;
    ax->a[0] = 0;
    for (k = 0; k < ncut; k++) {
        ax->b[k] = cut[k];
        ax->a[k + 1] = cut[k] + len[k];
    }
    ax->b[ncut] = ax->end;
    for (i = 0, k = 0; i < n; i++) {
        double t = event_t(c, i);

        while (k + 1 < ax->nseg && t > ax->b[k])
            k++;
        nev[k]++;
    }
    for (k = 0; k < ax->nseg; k++)
        span += ax->b[k] - ax->a[k];
    inner = TL_W - TL_LEFT - TL_RIGHT - (double)ncut * TL_BREAK -
            (double)ax->nseg * 2 * TL_PAD;
    for (k = 0; k < ax->nseg; k++) {
        double len_k = ax->b[k] - ax->a[k];
        double share = span > 0 ? len_k / span : 1.0 / (double)ax->nseg;
        double w;

        if (ax->nseg > 1 && n > 0)
            share = (share + (double)nev[k] / (double)n) / 2;
        w = inner * share;
        ax->pps[k] = len_k > 0 ? w / len_k : 0;
        ax->w[k] = 2 * TL_PAD + w;
        ax->x[k] = k ? ax->x[k - 1] + ax->w[k - 1] + TL_BREAK : TL_LEFT;
    }
}

static double axis_x(const axis *ax, double t)
{
    size_t k;

    for (k = 0; k + 1 < ax->nseg && t > ax->b[k]; k++)
        ;
    if (ax->pps[k] == 0)
        return ax->x[k] + ax->w[k] / 2;
    return ax->x[k] + TL_PAD + (t - ax->a[k]) * ax->pps[k];
}

/* The first step that keeps tick labels TL_TICK apart in segment k. */
static double tick_step(const axis *ax, size_t k)
{
    static const double steps[] = {
        1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
        10800, 21600, 43200, 86400, 172800, 604800,
    };
    size_t i;

    for (i = 0; i < sizeof steps / sizeof *steps; i++)
        if (steps[i] * ax->pps[k] >= TL_TICK)
            return steps[i];
    return 0;
}

/* mm:ss for calls under an hour, h:mm:ss past it: the checklist's and
 * the text report's format (pb_time_format), so a time reads the same
 * everywhere. */
static const char *tick_text(double t, int hours, char *buf, size_t size)
{
    long s = lround(t);

    if (!hours)
        snprintf(buf, size, "%02ld:%02ld", s / 60, s % 60);
    else
        pb_time_format((double)s, buf, size);
    return buf;
}

/* "+3d 4h", "+5h 20m", "+45m": the length of a cut-out stretch. */
static const char *gap_text(double secs, char *buf, size_t size)
{
    long m = lround(secs / 60), h = m / 60, d = h / 24;

    if (d > 0 && h % 24)
        snprintf(buf, size, "+%ldd %ldh", d, h % 24);
    else if (d > 0)
        snprintf(buf, size, "+%ldd", d);
    else if (h > 0 && m % 60)
        snprintf(buf, size, "+%ldh %ldm", h, m % 60);
    else if (h > 0)
        snprintf(buf, size, "+%ldh", h);
    else
        snprintf(buf, size, "+%ldm", m);
    return buf;
}

/* Marks on the timeline. */
enum { MK_REC, MK_DET, MK_DONE, MK_VIOLATED, MK_ERROR, MK_MISSED };
enum { LANE_CUSTOMER, LANE_AGENT, LANE_CASE, LANE_PRINCIPLES };

typedef struct mark {
    double x;
    double left, right;    /* what it covers, its label included */
    size_t lane, row, ref; /* ref: event, change or (missed) item index */
    int kind;
} mark;

static size_t event_lane(const char *type)
{
    if (strncmp(type, "customer.", 9) == 0)
        return LANE_CUSTOMER;
    if (strncmp(type, "agent.", 6) == 0)
        return LANE_AGENT;
    return LANE_CASE;
}

static const char *const mark_class[] = {
    "tl-rec", "tl-det", "tl-done", "tl-violated", "tl-error", "tl-missed",
};

/* Opens one mark centred on (x, y); the caller adds a tooltip and
 * closes it. */
static void shape(pb__html *h, int kind, double x, double y)
{
    switch (kind) {
    case MK_REC:
    case MK_DET:
        pb__html_start(h, "circle", mark_class[kind]);
        pb__html_attrf(h, "cx", "%.1f", x);
        pb__html_attrf(h, "cy", "%.1f", y);
        pb__html_attr(h, "r", kind == MK_REC ? "5" : "4.2");
        break;
    case MK_DONE:
    case MK_MISSED: /* a square, hollow: what should be there is not */
        pb__html_start(h, "rect", mark_class[kind]);
        pb__html_attrf(h, "x", "%.1f", x - 5);
        pb__html_attrf(h, "y", "%.1f", y - 5);
        pb__html_attr(h, "width", "10");
        pb__html_attr(h, "height", "10");
        pb__html_attr(h, "rx", "1.5");
        break;
    case MK_VIOLATED: /* a diamond: shape and colour both say it */
        pb__html_start(h, "path", mark_class[kind]);
        pb__html_attrf(h, "d", "M%.1f %.1fl6.5 6.5-6.5 6.5-6.5-6.5z", x,
                       y - 6.5);
        break;
    default: /* error: a triangle */
        pb__html_start(h, "path", mark_class[kind]);
        pb__html_attrf(h, "d", "M%.1f %.1fl6.5 11.5h-13z", x, y - 6.5);
    }
}

static void mark_tip(pb__html *h, const pb_replay *r, const mark *m)
{
    const pb_case *c = pb_replay_case(r);
    pb_event_info ev;
    char tb[32];
    size_t k;

    pb__html_start(h, "title", NULL);
    if (m->kind == MK_MISSED) {
        pb_item_info it;

        pb_case_item(c, m->ref, &it);
        pb__html_textf(h, "%s  must, %s at the end: missed", it.ref,
                       pb_state_name(it.state));
    } else if (m->kind == MK_REC || m->kind == MK_DET) {
        pb_case_event(c, m->ref, &ev);
        pb__html_textf(h, "%s  %s%s", pb_time_format(ev.t, tb, sizeof tb),
                       ev.detected_by ? "~ " : "", ev.type);
        if (ev.detected_by) {
            char why[160];

            pb__evidence_text(&ev.evidence, why, sizeof why);
            pb__html_textf(h, " (detected by %s%s%s)", ev.detected_by,
                           why[0] ? ": " : "", why);
        }
        for (k = 0; k < ev.nattrs; k++)
            pb__html_textf(h, " %s=%s", ev.attrs[k].name,
                           ev.attrs[k].value);
        if (ev.text) {
            pb__html_text(h, "\n");
            pb__html_text(h, ev.text);
        }
    } else {
        const pb_change *ch = pb_replay_change(r, m->ref);
        pb_item_info it;

        pb_case_event(c, ch->event, &ev);
        pb_case_item(c, ch->item, &it);
        pb__html_textf(h, "%s  %s %s (at %s)",
                       pb_time_format(ev.t, tb, sizeof tb), it.ref,
                       pb_state_name(ch->to), ev.type);
    }
    pb__html_end(h);
}

/* The lane of each principle, or 0 when it does not apply: one after
 * the other, in checklist order; and the lane of each item, its
 * principle's.  Counted once for the page, not once per mark or lane. */
static void principle_lanes(const pb_case *c, size_t *lanes,
                            size_t *item_lanes)
{
    const pb_engine *e = pb_case_engine(c);
    pb_principle_info p;
    pb_score sc;
    size_t i, j, lane = LANE_PRINCIPLES;

    for (i = 0; i < pb_engine_nprinciples(e); i++) {
        pb_engine_principle(e, i, &p);
        pb_case_score(c, p.id, &sc);
        lanes[i] = sc.applies ? lane++ : 0;
        for (j = 0; j < p.nitems; j++)
            item_lanes[p.first_item + j] = lanes[i];
    }
}

/* The id of item i, the label of its marks. */
static const char *item_id(const pb_case *c, size_t i)
{
    pb_item_info it;

    pb_case_item(c, i, &it);
    return it.id;
}

/* Sets what m covers: the mark, and its label on the side with room. */
static void extent(mark *m, const char *label)
{
    double w = label ? 4 + TL_CHAR * (double)strlen(label) : 0;

    m->left = m->x - TL_HALF;
    m->right = m->x + TL_HALF;
    if (label && m->x + TL_HALF + w > TL_W - TL_RIGHT)
        m->left -= w;
    else
        m->right += w;
}

static size_t collect_marks(const pb_replay *r, const axis *ax,
                            const size_t *item_lanes, mark *mk)
{
    const pb_case *c = pb_replay_case(r);
    size_t i, n = 0;

    for (i = 0; i < pb_case_nevents(c); i++) {
        pb_event_info ev;

        pb_case_event(c, i, &ev);
        mk[n].x = axis_x(ax, ev.t);
        mk[n].lane = event_lane(ev.type);
        mk[n].ref = i;
        mk[n].kind = ev.detected_by ? MK_DET : MK_REC;
        extent(&mk[n++], NULL);
    }
    for (i = 0; i < pb_replay_nchanges(r); i++) {
        const pb_change *ch = pb_replay_change(r, i);
        size_t lane;

        if (ch->to != PB_DONE && ch->to != PB_VIOLATED && ch->to != PB_ERROR)
            continue;
        lane = item_lanes[ch->item];
        if (lane == 0)
            continue;
        mk[n].x = axis_x(ax, event_t(c, ch->event));
        mk[n].lane = lane;
        mk[n].ref = i;
        mk[n].kind = ch->to == PB_DONE       ? MK_DONE
                     : ch->to == PB_VIOLATED ? MK_VIOLATED
                                             : MK_ERROR;
        extent(&mk[n++], item_id(c, ch->item));
    }
    /* The musts still open or waiting at the end, at the end. */
    for (i = 0; i < pb_engine_nitems(pb_case_engine(c)); i++) {
        pb_item_info it;

        pb_case_item(c, i, &it);
        if (!it.must || item_lanes[i] == 0 ||
            (it.state != PB_OPEN && it.state != PB_WAITING))
            continue;
        mk[n].x = axis_x(ax, ax->end);
        mk[n].lane = item_lanes[i];
        mk[n].ref = i;
        mk[n].kind = MK_MISSED;
        extent(&mk[n++], it.id);
    }
    return n;
}

/*
 * Stacks marks that would touch (labels included) into rows of their
 * lane; marks come in time order per lane, so the right end of the last
 * mark of each row is all it takes.  rows[lane] gets the rows the lane
 * needs.
 */
static void stack_marks(mark *mk, size_t n, size_t nlanes, size_t *rows)
{
    double (*last)[TL_ROWS] = calloc(nlanes, sizeof *last);
    size_t i, k;

    for (i = 0; i < nlanes; i++)
        rows[i] = 1;
    for (i = 0; i < n; i++) {
        size_t best = 0;

        if (last == NULL) {
            mk[i].row = 0;
            continue;
        }
        for (k = 0; k < TL_ROWS; k++) {
            /* 0 is an empty row: no mark sits left of TL_LEFT. */
            if (last[mk[i].lane][k] == 0 ||
                mk[i].left - last[mk[i].lane][k] >= TL_ROW - 2 * TL_HALF) {
                best = k;
                break;
            }
            if (last[mk[i].lane][k] < last[mk[i].lane][best])
                best = k;
        }
        mk[i].row = best;
        last[mk[i].lane][best] = mk[i].right;
        if (best + 1 > rows[mk[i].lane])
            rows[mk[i].lane] = best + 1;
    }
    free(last);
}

static void lane_label(pb__html *h, double y, double height,
                       const char *label)
{
    pb__html_start(h, "text", "tl-label");
    pb__html_attr(h, "x", "8");
    pb__html_attrf(h, "y", "%.1f", y + height / 2 + 4);
    pb__html_text(h, label);
    pb__html_end(h);
}

/* Grid lines and tick labels of every segment, and the breaks. */
static void draw_axis(pb__html *h, const axis *ax, double top, double bottom)
{
    int hours = ax->end >= 3600;
    char tb[32];
    size_t k;

    for (k = 0; k < ax->nseg; k++) {
        double x0 = axis_x(ax, ax->a[k]), t, step = tick_step(ax, k);

        pb__svg_line(h, "tl-axis", ax->x[k], bottom, ax->x[k] + ax->w[k],
                     bottom);
        pb__svg_line(h, "tl-axis", x0, bottom, x0, bottom + 5);
        pb__svg_text(h, NULL, x0, bottom + 18, "middle",
                     tick_text(ax->a[k], hours, tb, sizeof tb));
        if (step == 0)
            continue;
        for (t = ceil(ax->a[k] / step) * step; t <= ax->b[k]; t += step) {
            double x = axis_x(ax, t);

            if (x - x0 < TL_TICK * 0.75)
                continue;
            pb__svg_line(h, "tl-grid", x, top, x, bottom);
            pb__svg_line(h, "tl-axis", x, bottom, x, bottom + 5);
            pb__svg_text(h, NULL, x, bottom + 18, "middle",
                         tick_text(t, hours, tb, sizeof tb));
        }
    }
    for (k = 0; k + 1 < ax->nseg; k++) {
        double x = ax->x[k] + ax->w[k], mid = x + TL_BREAK / 2;

        pb__html_start(h, "rect", "tl-break");
        pb__html_attrf(h, "x", "%.1f", x + 4);
        pb__html_attrf(h, "y", "%.1f", top);
        pb__html_attrf(h, "width", "%.1f", TL_BREAK - 8);
        pb__html_attrf(h, "height", "%.1f", bottom - top + 8);
        pb__html_attr(h, "rx", "3");
        pb__html_start(h, "title", NULL);
        pb__html_textf(h, "%s with no events (cut out)",
                       gap_text(ax->a[k + 1] - ax->b[k], tb, sizeof tb));
        pb__html_end(h);
        pb__html_end(h);
        pb__svg_line(h, "tl-axis", mid - 7, bottom + 4, mid - 1, bottom - 4);
        pb__svg_line(h, "tl-axis", mid + 1, bottom + 4, mid + 7, bottom - 4);
        /* Upright inside the band: the axis below has no room for it. */
        pb__html_start(h, "text", "tl-gap");
        pb__html_attr(h, "text-anchor", "middle");
        pb__html_attrf(h, "transform", "translate(%.1f %.1f) rotate(-90)",
                       mid + 4, (top + bottom) / 2);
        pb__html_text(h, gap_text(ax->a[k + 1] - ax->b[k], tb, sizeof tb));
        pb__html_end(h);
    }
    pb__svg_text(h, NULL, 8, bottom + 18, "start",
                 hours ? "h:mm:ss" : "mm:ss");
}

static void legend_item(pb__html *h, int kind, const char *label)
{
    pb__html_start(h, "span", NULL);
    pb__html_start(h, "svg", NULL);
    pb__html_attr(h, "xmlns", "http://www.w3.org/2000/svg");
    pb__html_attr(h, "width", "14");
    pb__html_attr(h, "height", "14");
    pb__html_attr(h, "viewBox", "0 0 14 14");
    pb__html_attr(h, "aria-hidden", "true");
    shape(h, kind, 7, 7);
    pb__html_end(h);
    pb__html_end(h);
    pb__html_text(h, label);
    pb__html_end(h);
}

void pb__render_timeline(pb__html *h, const pb_replay *r)
{
    const pb_case *c = pb_replay_case(r);
    const pb_engine *e = pb_case_engine(c);
    size_t np = pb_engine_nprinciples(e), ni = pb_engine_nitems(e);
    size_t nmarks = pb_case_nevents(c) + pb_replay_nchanges(r) + ni;
    size_t nlanes = LANE_PRINCIPLES + np, i, n, lane;
    mark *mk = malloc((nmarks ? nmarks : 1) * sizeof *mk);
    size_t *rows = malloc(nlanes * sizeof *rows);
    double *y = malloc((nlanes + 1) * sizeof *y);
    int *shown = calloc(nlanes, sizeof *shown);
    size_t *lanes = malloc((np + 1) * sizeof *lanes);
    size_t *item_lanes = malloc((ni + 1) * sizeof *item_lanes);
    size_t *owner = malloc(nlanes * sizeof *owner); /* lane -> principle */
    pb_principle_info p;
    axis ax;

    if (mk == NULL || rows == NULL || y == NULL || shown == NULL ||
        lanes == NULL || item_lanes == NULL || owner == NULL) {
        pb__html_elem(h, "p", "muted", "(timeline left out: out of memory)");
        goto done;
    }
    principle_lanes(c, lanes, item_lanes);
    axis_build(&ax, c);
    n = collect_marks(r, &ax, item_lanes, mk);
    stack_marks(mk, n, nlanes, rows);
    /* Customer and agent always; the rest when something is on them. */
    shown[LANE_CUSTOMER] = shown[LANE_AGENT] = 1;
    for (i = 0; i < n; i++)
        shown[mk[i].lane] = 1;
    for (lane = 0; lane < nlanes; lane++)
        owner[lane] = np;
    for (i = 0; i < np; i++) {
        if (lanes[i] != 0) {
            shown[lanes[i]] = 1;
            owner[lanes[i]] = i;
        }
    }
    /* y[lane] is where a lane starts; the principles sit a little apart
     * from the events. */
    y[0] = 6;
    for (lane = 0; lane < nlanes; lane++) {
        y[lane + 1] = y[lane];
        if (shown[lane])
            y[lane + 1] += (double)rows[lane] * TL_ROW + 12 +
                           (lane == LANE_PRINCIPLES ? 8 : 0);
    }

    pb__html_start(h, "div", "legend");
    legend_item(h, MK_REC, "recorded event");
    legend_item(h, MK_DET, "detected event (by a principle)");
    legend_item(h, MK_DONE, "item done");
    legend_item(h, MK_VIOLATED, "item violated");
    legend_item(h, MK_ERROR, "item error");
    legend_item(h, MK_MISSED, "a must missed at the end");
    pb__html_elem(h, "span", NULL, "hover a mark for its text");
    pb__html_end(h);

    pb__html_start(h, "svg", "tl");
    pb__html_attr(h, "xmlns", "http://www.w3.org/2000/svg");
    pb__html_attrf(h, "viewBox", "0 0 %.0f %.0f", TL_W,
                   y[nlanes] + TL_AXIS);
    pb__html_attrf(h, "width", "%.0f", TL_W);
    pb__html_attrf(h, "height", "%.0f", y[nlanes] + TL_AXIS);
    pb__html_attr(h, "role", "img");
    pb__html_attr(h, "aria-label", "Timeline of events and checklist");
    for (lane = 0; lane < nlanes; lane++) {
        static const char *const names[] = { "Customer", "Agent", "Case" };
        double top = y[lane] + (lane == LANE_PRINCIPLES ? 8 : 0);

        if (!shown[lane])
            continue;
        pb__html_start(h, "rect", lane % 2 ? "tl-lane" : "tl-lane2");
        pb__html_attr(h, "x", "0");
        pb__html_attrf(h, "y", "%.1f", top);
        pb__html_attrf(h, "width", "%.0f", TL_W);
        pb__html_attrf(h, "height", "%.1f", y[lane + 1] - top);
        pb__html_end(h);
        if (lane < LANE_PRINCIPLES) {
            lane_label(h, top, y[lane + 1] - top, names[lane]);
            continue;
        }
        if (owner[lane] < np) {
            pb_engine_principle(e, owner[lane], &p);
            lane_label(h, top, y[lane + 1] - top, p.id);
        }
    }
    draw_axis(h, &ax, y[0], y[nlanes]);
    for (i = 0; i < n; i++) {
        double top = y[mk[i].lane] + (mk[i].lane == LANE_PRINCIPLES ? 8 : 0);

        double my = top + 12 + (double)mk[i].row * TL_ROW;

        shape(h, mk[i].kind, mk[i].x, my);
        mark_tip(h, r, &mk[i]);
        pb__html_end(h);
        if (mk[i].kind >= MK_DONE) {   /* an item's: its name beside it */
            int right = mk[i].right > mk[i].x + TL_HALF;

            pb__html_start(h, "text", "tl-mark");
            pb__html_attrf(h, "x", "%.1f", mk[i].x +
                           (right ? TL_HALF + 3 : -TL_HALF - 3));
            pb__html_attrf(h, "y", "%.1f", my + 4);
            pb__html_attr(h, "text-anchor", right ? "start" : "end");
            pb__html_text(h, mk[i].kind == MK_MISSED
                                 ? item_id(c, mk[i].ref)
                                 : item_id(c, pb_replay_change(
                                                  r, mk[i].ref)->item));
            pb__html_end(h);
        }
    }
    pb__html_end(h); /* svg */
done:
    free(mk);
    free(rows);
    free(y);
    free(shown);
    free(lanes);
    free(item_lanes);
    free(owner);
}
