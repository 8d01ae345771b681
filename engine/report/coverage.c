/*
 * coverage.c -- what a suite of calls exercises of the principles
 * (pb_coverage; docs/authoring.md, "Coverage"): per item, in how many
 * calls it was done, violated or skipped; per detector, how often it
 * fired; per pattern, phrase and example, how often it was the match a
 * detected event names as its evidence.  Each case is folded in and not
 * kept.  Mutation results (pb_coverage_mutant) ride along for the
 * report.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "playbook.h"

struct pb_coverage {
    const pb_engine *e;
    size_t calls;
    size_t *item;               /* [3 * item]: done, violated, skipped */
    size_t *det_first;          /* per principle: its first detector */
    size_t ndet;
    size_t *fired;              /* per detector (flat) */
    size_t *match_first;        /* per detector: its first match slot */
    size_t nmatch;
    size_t *matched;            /* per pattern, then phrase, then example */
    signed char *item_noticed;  /* mutation: -1 not tried, 0, 1 */
    signed char *det_noticed;
};

static size_t nmatches(const pb_detector_info *d)
{
    return d->npatterns + d->nwords + d->nexamples;
}

pb_coverage *pb_coverage_new(const pb_engine *e)
{
    pb_coverage *cv = calloc(1, sizeof *cv);
    size_t np = pb_engine_nprinciples(e), ni = pb_engine_nitems(e), i, k;
    pb_principle_info p;
    pb_detector_info d;

    if (cv == NULL)
        return NULL;
    cv->e = e;
    cv->det_first = calloc(np + 1, sizeof *cv->det_first);
    if (cv->det_first == NULL)
        goto fail;
    for (i = 0; i < np; i++) {
        pb_engine_principle(e, i, &p);
        cv->det_first[i] = cv->ndet;
        cv->ndet += p.ndetectors;
    }
    cv->det_first[np] = cv->ndet;
    cv->match_first = calloc(cv->ndet + 1, sizeof *cv->match_first);
    if (cv->match_first == NULL)
        goto fail;
    for (i = 0; i < np; i++)
        for (k = 0; k < cv->det_first[i + 1] - cv->det_first[i]; k++) {
            pb_engine_detector(e, i, k, &d);
            cv->match_first[cv->det_first[i] + k] = cv->nmatch;
            cv->nmatch += nmatches(&d);
        }
    cv->match_first[cv->ndet] = cv->nmatch;
    cv->item = calloc(3 * ni + 1, sizeof *cv->item);
    cv->fired = calloc(cv->ndet + 1, sizeof *cv->fired);
    cv->matched = calloc(cv->nmatch + 1, sizeof *cv->matched);
    cv->item_noticed = malloc(ni + 1);
    cv->det_noticed = malloc(cv->ndet + 1);
    if (cv->item == NULL || cv->fired == NULL || cv->matched == NULL ||
        cv->item_noticed == NULL || cv->det_noticed == NULL)
        goto fail;
    memset(cv->item_noticed, -1, ni + 1);
    memset(cv->det_noticed, -1, cv->ndet + 1);
    return cv;
fail:
    pb_coverage_free(cv);
    return NULL;
}

void pb_coverage_free(pb_coverage *cv)
{
    if (cv == NULL)
        return;
    free(cv->item);
    free(cv->det_first);
    free(cv->fired);
    free(cv->match_first);
    free(cv->matched);
    free(cv->item_noticed);
    free(cv->det_noticed);
    free(cv);
}

/* The slot of what matched, among detector k of principle p's, or
 * SIZE_MAX: the kind says which list, the text which entry. */
static size_t match_slot(const pb_coverage *cv, size_t p, size_t k,
                         const pb_evidence *ev)
{
    pb_detector_info d;
    size_t i, base = cv->match_first[cv->det_first[p] + k];

    if (ev->match == NULL)
        return (size_t)-1;
    pb_engine_detector(cv->e, p, k, &d);
    if (strcmp(ev->kind, "pattern") == 0) {
        for (i = 0; i < d.npatterns; i++)
            if (strcmp(d.patterns[i], ev->match) == 0)
                return base + i;
    } else if (strcmp(ev->kind, "words") == 0) {
        for (i = 0; i < d.nwords; i++)
            if (strcmp(pb_engine_detector_words(cv->e, p, k, i, NULL),
                       ev->match) == 0)
                return base + d.npatterns + i;
    } else if (strcmp(ev->kind, "example") == 0) {
        for (i = 0; i < d.nexamples; i++)
            if (strcmp(d.examples[i], ev->match) == 0)
                return base + d.npatterns + d.nwords + i;
    }
    return (size_t)-1;
}

/* The detector of principle p that a detected event's evidence names:
 * the one on its line (of several on one line, the one holding the
 * match), or SIZE_MAX. */
static size_t detector_of(const pb_coverage *cv, size_t p,
                          const pb_evidence *ev, size_t *slot)
{
    size_t k, n = cv->det_first[p + 1] - cv->det_first[p], first = n;
    pb_detector_info d;

    *slot = (size_t)-1;
    for (k = 0; k < n; k++) {
        pb_engine_detector(cv->e, p, k, &d);
        if (d.line != ev->line)
            continue;
        if (first == n)
            first = k;
        if ((*slot = match_slot(cv, p, k, ev)) != (size_t)-1)
            return k;
    }
    return first < n ? first : (size_t)-1;
}

pb_status pb_coverage_add(pb_coverage *cv, const pb_case *c)
{
    size_t i, n = pb_engine_nitems(cv->e);

    if (pb_case_engine(c) != cv->e)
        return PB_INPUT;
    cv->calls++;
    for (i = 0; i < n; i++) {
        pb_item_info it;

        pb_case_item(c, i, &it);
        cv->item[3 * i] += it.done_at >= 0;
        cv->item[3 * i + 1] += it.violated_at >= 0;
        cv->item[3 * i + 2] += it.state == PB_SKIPPED;
    }
    n = pb_case_nevents(c);
    for (i = 0; i < n; i++) {
        pb_event_info ev;
        long p;
        size_t k, slot;

        pb_case_event(c, i, &ev);
        if (ev.detected_by == NULL || ev.evidence.file == NULL ||
            (p = pb_engine_find_principle(cv->e, ev.detected_by)) < 0)
            continue;
        if ((k = detector_of(cv, (size_t)p, &ev.evidence, &slot)) ==
            (size_t)-1)
            continue;
        cv->fired[cv->det_first[p] + k]++;
        if (slot != (size_t)-1)
            cv->matched[slot]++;
    }
    return PB_OK;
}

void pb_coverage_mutant(pb_coverage *cv, int detector, size_t principle,
                        size_t index, int noticed)
{
    if (detector)
        cv->det_noticed[cv->det_first[principle] + index] =
            (signed char)(noticed != 0);
    else
        cv->item_noticed[index] = (signed char)(noticed != 0);
}

const pb_engine *pb_coverage_engine(const pb_coverage *cv) { return cv->e; }
size_t pb_coverage_ncalls(const pb_coverage *cv) { return cv->calls; }

void pb_coverage_item(const pb_coverage *cv, size_t item,
                      pb_coverage_counts *out)
{
    memset(out, 0, sizeof *out);
    out->done = cv->item[3 * item];
    out->violated = cv->item[3 * item + 1];
    out->skipped = cv->item[3 * item + 2];
    out->noticed = cv->item_noticed[item];
}

void pb_coverage_detector(const pb_coverage *cv, size_t principle,
                          size_t detector, pb_coverage_counts *out)
{
    size_t k = cv->det_first[principle] + detector;

    memset(out, 0, sizeof *out);
    out->fired = cv->fired[k];
    out->noticed = cv->det_noticed[k];
}

size_t pb_coverage_matched(const pb_coverage *cv, size_t principle,
                           size_t detector, size_t k)
{
    return cv->matched[cv->match_first[cv->det_first[principle] + detector] +
                       k];
}

void pb_coverage_figures(const pb_coverage *cv, pb_coverage_totals *out)
{
    size_t i, ni = pb_engine_nitems(cv->e);

    memset(out, 0, sizeof *out);
    out->items = ni;
    out->detectors = cv->ndet;
    out->matches = cv->nmatch;
    for (i = 0; i < ni; i++) {
        out->items_done += cv->item[3 * i] > 0;
        out->mutants += cv->item_noticed[i] >= 0;
        out->noticed += cv->item_noticed[i] > 0;
    }
    for (i = 0; i < cv->ndet; i++) {
        out->detectors_fired += cv->fired[i] > 0;
        out->mutants += cv->det_noticed[i] >= 0;
        out->noticed += cv->det_noticed[i] > 0;
    }
    for (i = 0; i < cv->nmatch; i++)
        out->matched += cv->matched[i] > 0;
    i = out->items + out->detectors + out->matches;
    out->percent = i ? 100.0 * (double)(out->items_done +
                                        out->detectors_fired +
                                        out->matched) / (double)i
                     : 100.0;
}
