/*
 * render_junit.c -- replays as JUnit XML, for CI servers.
 *
 * The shape Jenkins, GitLab, Azure and most tools read:
 *   <testsuites> <testsuite name="playbook"> <testcase ...>
 *     <failure message="..." type="expectation">one line per unmet</failure>
 *     <system-out>score and checklist</system-out>
 * One scenario is one testcase; all its unmet expectations go in a single
 * <failure>, because Jenkins shows only the first failure of a testcase
 * and GitLab keeps one per testcase (docs/reports.md).
 */
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "render_junit.h"
#include "render_text.h"
#include "report.h"

/* Counts of the whole run, for both container elements. */
static void attrs_counts(pb__html *h, size_t tests, size_t failures)
{
    pb__html_attrf(h, "tests", "%zu", tests);
    pb__html_attrf(h, "failures", "%zu", failures);
    pb__html_attr(h, "errors", "0");
    pb__html_attr(h, "skipped", "0");
    /* Replays are not timed: a case's call length is not test time, and
     * CI dashboards add these up. */
    pb__html_attr(h, "time", "0");
}

/*
 * The failure message (every unmet expectation on one line, so a CI
 * summary shows them all) and its body (one "file:line: expected ..., got
 * ..." per unmet, the form editors jump to).
 */
static pb_status failure(pb__html *h, const pb_replay *r)
{
    const pb_scenario *s = pb_replay_scenario(r);
    size_t i, nmsg, nbody, total = pb_replay_nresults(r);
    char *msg = NULL, *body = NULL;
    FILE *m, *b;
    int ok, first = 1;

    m = open_memstream(&msg, &nmsg);
    b = open_memstream(&body, &nbody);
    ok = m != NULL && b != NULL;
    if (ok)
        fprintf(m, "%zu of %zu expectation%s not met: ",
                total - pb__met_count(r), total, total == 1 ? "" : "s");
    for (i = 0; ok && i < total; i++) {
        const pb_expect_result *res = pb_replay_result(r, i);
        char want[256];

        if (res->met)
            continue;
        pb_expect_text(res->expect, want, sizeof want);
        fprintf(m, "%s%s (got %s)", first ? "" : "; ", want, res->actual);
        fprintf(b, "%s:%d: expected %s, got %s\n", pb_scenario_path(s),
                res->expect->line, want, res->actual);
        first = 0;
    }
    /* Closing a memstream is what makes its buffer final. */
    if (m != NULL && fclose(m) != 0)
        ok = 0;
    if (b != NULL && fclose(b) != 0)
        ok = 0;
    if (ok) {
        pb__html_start(h, "failure", NULL);
        pb__html_attr(h, "message", msg);
        pb__html_attr(h, "type", "expectation");
        pb__html_text(h, body);
        pb__html_end(h);
    }
    free(msg);
    free(body);
    return ok ? PB_OK : PB_NOMEM;
}

/* The score, the checklist as text and each expectation: what a reviewer
 * opening the test in CI wants next to the failure. */
static pb_status system_out(pb__html *h, const pb_replay *r)
{
    const pb_case *c = pb_replay_case(r);
    char *text = NULL;
    size_t i, len;
    pb_score sc;
    FILE *m;

    if ((m = open_memstream(&text, &len)) == NULL)
        return PB_NOMEM;
    pb_case_score(c, NULL, &sc);
    fprintf(m, "Score: %.2f (%d of %d musts done, %d violation%s)\n\n",
            sc.value, sc.done, sc.musts, sc.violations,
            sc.violations == 1 ? "" : "s");
    pb__render_text_checklist(m, 0, c);
    fprintf(m, "\nExpectations: %zu of %zu met\n", pb__met_count(r),
            pb_replay_nresults(r));
    for (i = 0; i < pb_replay_nresults(r); i++) {
        const pb_expect_result *res = pb_replay_result(r, i);
        char want[256];

        pb_expect_text(res->expect, want, sizeof want);
        fprintf(m, "  %-4s  %s", res->met ? "ok" : "FAIL", want);
        if (!res->met)
            fprintf(m, "  (got %s; line %d)", res->actual,
                    res->expect->line);
        fputc('\n', m);
    }
    if (fclose(m) != 0) {
        free(text);
        return PB_NOMEM;
    }
    pb__html_elem(h, "system-out", NULL, text);
    free(text);
    return PB_OK;
}

static pb_status testcase(pb__html *h, const pb_replay *r)
{
    const pb_scenario *s = pb_replay_scenario(r);
    pb_status st = PB_OK;

    pb__html_start(h, "testcase", NULL);
    pb__html_attr(h, "classname", "playbook.scenario");
    pb__html_attrf(h, "name", "%s: %s", pb_scenario_id(s),
                   pb_scenario_title(s));
    pb__html_attr(h, "file", pb_scenario_path(s));
    pb__html_attrf(h, "assertions", "%zu", pb_replay_nresults(r));
    pb__html_attr(h, "time", "0");
    if (!pb_replay_passed(r))
        st = failure(h, r);
    if (st == PB_OK)
        st = system_out(h, r);
    pb__html_end(h);
    return st;
}

pb_status pb__render_junit(FILE *f, pb_replay *const *replays, size_t n)
{
    pb__html *h = pb__html_xml(f);
    size_t i, failed = 0;
    pb_status st = PB_OK, fin;

    if (h == NULL)
        return PB_NOMEM;
    for (i = 0; i < n; i++)
        failed += !pb_replay_passed(replays[i]);
    pb__html_start(h, "testsuites", NULL);
    pb__html_attr(h, "name", "playbook");
    attrs_counts(h, n, failed);
    pb__html_start(h, "testsuite", NULL);
    pb__html_attr(h, "name", "playbook");
    attrs_counts(h, n, failed);
    for (i = 0; i < n && st == PB_OK; i++)
        st = testcase(h, replays[i]);
    fin = pb__html_finish(h);
    return st != PB_OK ? st : fin;
}
