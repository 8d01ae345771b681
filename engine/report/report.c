/*
 * report.c -- the pieces every report writer shares: how a time, a
 * state and an expectation read, where an event's changes start, and
 * the counts every report heads with.
 */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "utf8.h"

const char *pb_state_mark(pb_state s)
{
    switch (s) {
    case PB_DONE: return "[x]";
    case PB_OPEN: return "[ ]";
    case PB_WAITING: return "[.]";
    case PB_SKIPPED: return "[-]";
    case PB_VIOLATED: return "[!]";
    case PB_ERROR: return "[E]";
    default: return "   ";
    }
}

const char *pb_state_color(pb_state s)
{
    switch (s) {
    case PB_DONE: return PB__C_GREEN;
    case PB_VIOLATED:
    case PB_ERROR: return PB__C_RED;
    case PB_OPEN: return PB__C_YELLOW;
    default: return PB__C_DIM;
    }
}

const char *pb__expect_kind(pb_expect_kind k)
{
    switch (k) {
    case PB_EXPECT_ITEM: return "item";
    case PB_EXPECT_SCORE: return "score";
    case PB_EXPECT_VIOLATION: return "violation";
    case PB_EXPECT_NO_VIOLATION: return "no-violation";
    case PB_EXPECT_NEXT: return "next";
    case PB_EXPECT_CASE: return "case";
    }
    return "?";
}

/* What was expected, in words: "listen.restate is done", "... is open
 * at 00:30". */
void pb_expect_text(const pb_expect *x, char *buf, size_t size)
{
    char tb[32];

    switch (x->kind) {
    case PB_EXPECT_ITEM:
        snprintf(buf, size, "%s is %s%s%s", x->ref, pb_state_name(x->state),
                 x->at >= 0 ? " at " : "",
                 x->at >= 0 ? pb_time_format(x->at, tb, sizeof tb) : "");
        break;
    case PB_EXPECT_SCORE:
        snprintf(buf, size, "score%s%s between %.2f and %.2f",
                 x->principle ? " of " : "",
                 x->principle ? x->principle : "", x->min, x->max);
        break;
    case PB_EXPECT_VIOLATION:
        snprintf(buf, size, "a violation in %s", x->ref);
        break;
    case PB_EXPECT_NO_VIOLATION:
        snprintf(buf, size, "no violation in %s", x->ref);
        break;
    case PB_EXPECT_NEXT:
        snprintf(buf, size, "next is %s", x->ref);
        break;
    case PB_EXPECT_CASE:
        snprintf(buf, size, "the case is %s", x->ref);
        break;
    }
}

size_t pb__first_change(const pb_replay *r, size_t ev)
{
    size_t lo = 0, hi = pb_replay_nchanges(r);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (pb_replay_change(r, mid)->event < ev)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t pb__met_count(const pb_replay *r)
{
    size_t i, met = 0;

    for (i = 0; i < pb_replay_nresults(r); i++)
        met += pb_replay_result(r, i)->met;
    return met;
}

void pb__case_state_text(const pb_case *c, char *buf, size_t size)
{
    char tb[32];

    if (!pb_case_closed(c))
        snprintf(buf, size, "%s", pb_case_in_contact(c) ? "in a contact"
                 : "between contacts");
    else
        snprintf(buf, size, "closed%s at %s%s",
                 pb_case_settled(c) ? " itself" : "",
                 pb_time_format(pb_case_closed_at(c), tb, sizeof tb),
                 pb_case_settled(c) ? " (nothing left to follow up)" : "");
}

size_t pb__detected_count(const pb_case *c)
{
    size_t i, n = 0;

    for (i = 0; i < pb_case_nevents(c); i++) {
        pb_event_info ev;

        pb_case_event(c, i, &ev);
        n += ev.detected_by != NULL;
    }
    return n;
}

/* The longest match shown, in bytes, before "...". */
#define MATCH_SHOWN 60

void pb__evidence_text(const pb_evidence *e, char *buf, size_t size)
{
    const char *file, *slash;
    size_t n, mlen;
    int used;

    if (size == 0)
        return;
    buf[0] = '\0';
    if (e->file == NULL)
        return;
    slash = strrchr(e->file, '/');
    file = slash ? slash + 1 : e->file;
    used = snprintf(buf, size, "%s:%d", file, e->line);
    if (used < 0 || (size_t)used >= size || e->match == NULL)
        return;
    n = (size_t)used;
    mlen = strlen(e->match);
    if (mlen > MATCH_SHOWN)
        mlen = pb__utf8_cut(e->match, MATCH_SHOWN);
    used = snprintf(buf + n, size - n, " %s \"%.*s%s\"", e->kind, (int)mlen,
                    e->match, mlen < strlen(e->match) ? "..." : "");
    if (used < 0 || (size_t)used >= size - n || e->score < 0)
        return;
    n += (size_t)used;
    snprintf(buf + n, size - n, " %.2f", e->score);
}
