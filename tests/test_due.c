/*
 * test_due.c -- due times (engine/case/due.c): every form pb_due_parse
 * reads and what it refuses, the kind of each, and due phrases found in
 * what people say (what principles get from due.find).
 *
 * The clock is UTC (TZ is set), and the base a Thursday, so weekdays,
 * weekends and the ends of weeks and months have known answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "due.h"
#include "playbook.h"

#define HOUR 3600.0
#define DAY 86400.0
/* Thursday 2026-11-26 09:30:00 UTC, and its midnight. */
#define BASE 1795685400.0
#define MIDNIGHT (BASE - 9.5 * HOUR)

static int utc(void **state)
{
    (void)state;
    if (setenv("TZ", "UTC", 1) != 0)
        return -1;
    tzset();
    return 0;
}

typedef struct due_row {
    const char *text;
    double offset; /* from the base day's midnight */
    pb__due_kind kind;
} due_row;

static void read_rows(const due_row *rows, size_t n, double base,
                      double midnight)
{
    size_t i;
    pb__due_kind kind;
    double t;

    for (i = 0; i < n; i++) {
        if (pb__due_read(rows[i].text, base, &t, &kind) != 0)
            fail_msg("'%s' not understood", rows[i].text);
        if (t != midnight + rows[i].offset)
            fail_msg("'%s': %.0f, want %.0f", rows[i].text, t - midnight,
                     rows[i].offset);
        if (kind != rows[i].kind)
            fail_msg("'%s': kind %d, want %d", rows[i].text, (int)kind,
                     (int)rows[i].kind);
        /* The public call reads the same. */
        assert_int_equal(pb_due_parse(rows[i].text, base, &t), PB_OK);
    }
}

static void days_and_times(void **state)
{
    static const due_row ok[] = {
        {"2026-11-26T10:00", 10 * HOUR, PB__DUE_DATE},
        {"2026-11-26 10:00", 10 * HOUR, PB__DUE_DATE},
        {"2026-11-26T10:00:30Z", 10 * HOUR + 30, PB__DUE_DATE},
        {"2026-11-26T11:00+01:00", 10 * HOUR, PB__DUE_DATE},
        {"2026-11-26T05:00-0500", 10 * HOUR, PB__DUE_DATE},
        {"2026-11-26", DAY - 1, PB__DUE_DATE},
        {"today 18:00", 18 * HOUR, PB__DUE_DAY},
        {"by tomorrow 10am", 34 * HOUR, PB__DUE_DAY},
        {"Tomorrow at 10:30 pm", 46.5 * HOUR, PB__DUE_DAY},
        {"tomorrow", 2 * DAY - 1, PB__DUE_DAY},
        {"tomorrow morning", 36 * HOUR, PB__DUE_DAY},
        {"10am tomorrow", 34 * HOUR, PB__DUE_DAY},
        {"Friday 12:00", 36 * HOUR, PB__DUE_WEEKDAY},
        {"friday", 2 * DAY - 1, PB__DUE_WEEKDAY},
        {"fri", 2 * DAY - 1, PB__DUE_WEEKDAY},
        {"next friday", 2 * DAY - 1, PB__DUE_WEEKDAY},
        {"Thursday 18:00", 18 * HOUR, PB__DUE_WEEKDAY}, /* today */
        {"monday 9:00", 4 * DAY + 9 * HOUR, PB__DUE_WEEKDAY},
        {"Thursday evening", 21 * HOUR, PB__DUE_WEEKDAY},
        {"friday end of day", 2 * DAY - 1, PB__DUE_WEEKDAY},
        {"by wednesday at the latest", 7 * DAY - 1, PB__DUE_WEEKDAY},
        {"noon", 12 * HOUR, PB__DUE_TIME},
        {"5pm", 17 * HOUR, PB__DUE_TIME},
        {"at 5 pm", 17 * HOUR, PB__DUE_TIME},
        {"tonight", 21 * HOUR, PB__DUE_TIME},
        {"this afternoon", 17 * HOUR, PB__DUE_TIME},
        {"midnight", DAY - 1, PB__DUE_TIME},
    };

    (void)state;
    read_rows(ok, sizeof ok / sizeof *ok, BASE, MIDNIGHT);
}

static void spans(void **state)
{
    static const due_row ok[] = {
        {"in 2h", 11.5 * HOUR, PB__DUE_SPAN},
        {"in 30min", 10 * HOUR, PB__DUE_SPAN},
        {"in 3 days", 9.5 * HOUR + 3 * DAY, PB__DUE_SPAN},
        {"within 48 hours", 9.5 * HOUR + 48 * HOUR, PB__DUE_SPAN},
        {"in an hour", 10.5 * HOUR, PB__DUE_SPAN},
        {"in 2 weeks", 9.5 * HOUR + 14 * DAY, PB__DUE_SPAN},
        /* A range is due at its later end. */
        {"in 2-3 days", 9.5 * HOUR + 3 * DAY, PB__DUE_SPAN},
        {"within 3 to 5 days", 9.5 * HOUR + 5 * DAY, PB__DUE_SPAN},
        {"in the next 10 - 15 minutes", 9.75 * HOUR, PB__DUE_SPAN},
        {"within the next 2 hours", 11.5 * HOUR, PB__DUE_SPAN},
        /* "the" and "the next" without a number: one. */
        {"within the hour", 10.5 * HOUR, PB__DUE_SPAN},
        {"within the next hour", 10.5 * HOUR, PB__DUE_SPAN},
        {"within the week", 9.5 * HOUR + 7 * DAY, PB__DUE_SPAN},
        /* An upper bound: due when it runs out. */
        {"less than a week", 9.5 * HOUR + 7 * DAY, PB__DUE_SPAN},
        {"in less than 2 days", 9.5 * HOUR + 2 * DAY, PB__DUE_SPAN},
        {"under an hour", 10.5 * HOUR, PB__DUE_SPAN},
        {"in under 20 minutes", 9.5 * HOUR + 1200, PB__DUE_SPAN},
        /* Business days skip Saturday and Sunday: Thursday plus 5 is
         * the next Thursday, plus 2 is Monday. */
        {"within 3-5 business days", 9.5 * HOUR + 7 * DAY, PB__DUE_SPAN},
        {"within 3 - 5 business days", 9.5 * HOUR + 7 * DAY, PB__DUE_SPAN},
        {"within 3 to 5 working days", 9.5 * HOUR + 7 * DAY, PB__DUE_SPAN},
        {"in 2 business days", 9.5 * HOUR + 4 * DAY, PB__DUE_SPAN},
        {"in 1 business day", 9.5 * HOUR + DAY, PB__DUE_SPAN},
        {"in up to 3 working days", 9.5 * HOUR + 5 * DAY, PB__DUE_SPAN},
        {"in 10 business days", 9.5 * HOUR + 14 * DAY, PB__DUE_SPAN},
        /* Calendar months: 2026-12-26, 2027-01-26. */
        {"in a month", 9.5 * HOUR + 30 * DAY, PB__DUE_SPAN},
        {"within 2 months", 9.5 * HOUR + 61 * DAY, PB__DUE_SPAN},
    };

    (void)state;
    read_rows(ok, sizeof ok / sizeof *ok, BASE, MIDNIGHT);
}

static void ends(void **state)
{
    static const due_row ok[] = {
        {"end of day", DAY - 1, PB__DUE_END},
        {"by end of the day.", DAY - 1, PB__DUE_END},
        {"eod", DAY - 1, PB__DUE_END},
        /* The week ends on Friday; the month on its last day. */
        {"by the end of the week", 2 * DAY - 1, PB__DUE_END},
        {"end of this week", 2 * DAY - 1, PB__DUE_END},
        {"end of the month", 5 * DAY - 1, PB__DUE_END},
    };

    (void)state;
    read_rows(ok, sizeof ok / sizeof *ok, BASE, MIDNIGHT);
}

/* From other days: a weekend, a Friday, the end of a month. */
static void other_bases(void **state)
{
    /* Saturday 2026-11-28 10:00 UTC. */
    const double sat = MIDNIGHT + 2 * DAY + 10 * HOUR;
    const double sat0 = MIDNIGHT + 2 * DAY;
    static const due_row from_saturday[] = {
        {"in 1 business day", 2 * DAY + 10 * HOUR, PB__DUE_SPAN}, /* Mon */
        {"within 5 business days", 6 * DAY + 10 * HOUR, PB__DUE_SPAN},
        {"in 6 business days", 9 * DAY + 10 * HOUR, PB__DUE_SPAN},
        {"by the end of the week", 7 * DAY - 1, PB__DUE_END}, /* Fri */
        {"friday", 7 * DAY - 1, PB__DUE_WEEKDAY},
    };
    /* Friday 2026-11-27 16:00 UTC. */
    static const due_row from_friday[] = {
        {"end of the week", DAY - 1, PB__DUE_END},
        {"in 1 business day", 3 * DAY + 16 * HOUR, PB__DUE_SPAN},
    };
    /* Saturday 2027-01-31 08:00 UTC: a month on is February's last. */
    const double jan31 = 1801353600.0 + 8 * HOUR;
    static const due_row from_jan31[] = {
        {"in 1 month", 28 * DAY + 8 * HOUR, PB__DUE_SPAN},
        {"end of the month", DAY - 1, PB__DUE_END},
    };

    (void)state;
    read_rows(from_saturday, sizeof from_saturday / sizeof *from_saturday,
              sat, sat0);
    read_rows(from_friday, sizeof from_friday / sizeof *from_friday,
              MIDNIGHT + DAY + 16 * HOUR, MIDNIGHT + DAY);
    read_rows(from_jan31, sizeof from_jan31 / sizeof *from_jan31, jan31,
              jan31 - 8 * HOUR);
}

static void not_due_times(void **state)
{
    static const char *const bad[] = {
        "", "   ", "soon", "next month", "next week", "2026-02-30",
        "2026-13-01", "25:00", "tomorrow tomorrow", "in 2 fortnights",
        "13pm", "2026-11-26T10", "morning 10:00", "friday tonight",
        "in 0000000000000000000000000000002h", /* 31 characters */
        "in 12345678 days",              /* 8 digits */
        "in a few days", "in 2", "in", "within the", "in the morning",
        "within 5-3 days", "within 3-5", "within 3 - days",
        "within the 3 days", "within the next",
        "within 3-5 business", "in 3 business hours", "in 2 days at 10am",
        "less than", "less than a", "under", "under a new policy",
        "2 days", "3-5 business days", "end of the year", "end of the line",
        "the end", "by", "by phone", NULL,
    };
    char longest[200];
    size_t i;
    double t;

    (void)state;
    for (i = 0; bad[i] != NULL; i++)
        if (pb_due_parse(bad[i], BASE, &t) == PB_OK)
            fail_msg("'%s' understood as %.0f", bad[i], t - MIDNIGHT);
    assert_int_equal(pb_due_parse(NULL, BASE, &t), PB_INPUT);
    /* Over 127 bytes is never a due time, nor over 12 words. */
    snprintf(longest, sizeof longest, "tomorrow%120s", "10am");
    assert_int_equal(pb_due_parse(longest, BASE, &t), PB_INPUT);
    snprintf(longest, sizeof longest, "tomorrow%100s", "10am");
    assert_int_equal(pb_due_parse(longest, BASE, &t), PB_OK);
    assert_int_equal(pb_due_parse("by at at at at at at at at at at at "
                                  "tomorrow", BASE, &t), PB_INPUT);
    assert_int_equal(pb_due_parse("by at at at at at at at at at at "
                                  "tomorrow", BASE, &t), PB_OK);
}

/* What reads does not depend on the base (the live command parser reads
 * with base 0). */
static void base_does_not_matter(void **state)
{
    static const char *const texts[] = {
        "within 3-5 business days", "by the end of the week",
        "less than a week", "in 2 months", "friday", "tomorrow 10am",
    };
    size_t i;
    double a, b;

    (void)state;
    for (i = 0; i < sizeof texts / sizeof *texts; i++) {
        assert_int_equal(pb_due_parse(texts[i], 0, &a), PB_OK);
        assert_int_equal(pb_due_parse(texts[i], BASE, &b), PB_OK);
    }
}

typedef struct find_row {
    const char *text;
    const char *phrase; /* NULL: none */
    int by;
    pb__due_kind kind;
    const char *said;   /* the bytes it covers, "by" too */
} find_row;

static void finding(void **state)
{
    static const find_row rows[] = {
        {"I will call you tomorrow", "tomorrow", 0, PB__DUE_DAY,
         "tomorrow"},
        {"less than a week", "less than a week", 0, PB__DUE_SPAN,
         "less than a week"},
        {"I'll make sure it reaches you by Friday noon.", "friday noon", 1,
         PB__DUE_WEEKDAY, "by Friday noon"},
        {"You'll have it back by Wednesday at the latest.",
         "wednesday at the latest", 1, PB__DUE_WEEKDAY,
         "by Wednesday at the latest"},
        /* A phrase ends at punctuation and before words that dangle. */
        {"we'll release it by Friday, and it installs itself", "friday", 1,
         PB__DUE_WEEKDAY, "by Friday"},
        {"by friday at the store", "friday", 1, PB__DUE_WEEKDAY,
         "by friday"},
        {"And I'll call you tomorrow morning, to make sure",
         "tomorrow morning", 0, PB__DUE_DAY, "tomorrow morning"},
        {"It should arrive within 3-5 business days.",
         "within 3-5 business days", 0, PB__DUE_SPAN,
         "within 3-5 business days"},
        {"we will have it by the end of the week", "end of the week", 1,
         PB__DUE_END, "by the end of the week"},
        {"expect a call in the next 10 - 15 minutes",
         "in the next 10 - 15 minutes", 0, PB__DUE_SPAN,
         "in the next 10 - 15 minutes"},
        {"I'll email you on Tuesday, to check", "tuesday", 0,
         PB__DUE_WEEKDAY, "Tuesday"},
        {"call me at 5pm", "5pm", 0, PB__DUE_TIME, "5pm"},
        {"call me at 5 PM", "5 pm", 0, PB__DUE_TIME, "5 PM"},
        {"by 5", "5", 1, PB__DUE_TIME, "by 5"},
        {"on 2026-12-01 10:00 sharp", "2026-12-01 10:00", 0, PB__DUE_DATE,
         "2026-12-01 10:00"},
        {"this  afternoon\tthen", "this afternoon", 0, PB__DUE_TIME,
         "this  afternoon"},
        /* "by" with nothing after it that reads is no deadline. */
        {"by phone tomorrow", "tomorrow", 0, PB__DUE_DAY, "tomorrow"},
        /* An apostrophe ends a word: "today's" starts with "today". */
        {"it goes out on today's courier", "today", 0, PB__DUE_DAY,
         "today"},
        /* Not a due time: bare numbers, short weekdays, words that only
         * contain one. */
        {"I sat on it wed", NULL, 0, 0, NULL},
        {"I ordered 2 items at 5", NULL, 0, 0, NULL},
        {"tomorrows and yesterdays", NULL, 0, 0, NULL},
        {"within reach, in time", NULL, 0, 0, NULL},
        {"at the end of the call", NULL, 0, 0, NULL},
        {"", NULL, 0, 0, NULL},
    };
    pb__due_found f;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof rows / sizeof *rows; i++) {
        const find_row *r = &rows[i];
        size_t len = strlen(r->text);
        int got = pb__due_find(r->text, len, 0, NULL, &f);

        if (r->phrase == NULL) {
            if (got != 0)
                fail_msg("'%s': found '%s'", r->text, f.text);
            continue;
        }
        if (got != 1)
            fail_msg("'%s': nothing found", r->text);
        assert_string_equal(f.text, r->phrase);
        assert_int_equal(f.by, r->by);
        assert_int_equal(f.kind, r->kind);
        assert_true(f.end <= len && f.first < f.end);
        if (f.end - f.first != strlen(r->said) ||
            memcmp(r->text + f.first, r->said, f.end - f.first) != 0)
            fail_msg("'%s': covers '%.*s', want '%s'", r->text,
                     (int)(f.end - f.first), r->text + f.first, r->said);
    }
}

/* Finding on from a place, as due.find(s, init) does. */
static void finding_from(void **state)
{
    static const char s[] =
        "within the hour, and by Friday. Tomorrow? tomorrow.";
    pb__due_found f;
    size_t at = 0;
    const char *want[] = {"within the hour", "friday", "tomorrow",
                          "tomorrow"};
    size_t i;

    (void)state;
    for (i = 0; i < 4; i++) {
        assert_int_equal(pb__due_find(s, strlen(s), at, NULL, &f), 1);
        assert_string_equal(f.text, want[i]);
        at = f.end;
    }
    assert_int_equal(pb__due_find(s, strlen(s), at, NULL, &f), 0);
    /* Past the end, or in the middle of a word. */
    assert_int_equal(pb__due_find(s, strlen(s), strlen(s), NULL, &f), 0);
    assert_int_equal(pb__due_find("tomorrow", 8, 2, NULL, &f), 0);
    /* Only len bytes are read. */
    assert_int_equal(pb__due_find("in 2 days", 4, 0, NULL, &f), 0);
}

/* The work is charged as it goes: a long text on a small budget stops
 * with -1, on a large one it is found. */
static void finding_is_charged(void **state)
{
    size_t n = 100000, i;
    char *s = malloc(n + 16);
    pb__budget b = {0, 1000, 0};
    pb__due_found f;

    (void)state;
    assert_non_null(s);
    for (i = 0; i + 3 <= n; i += 3)
        memcpy(s + i, "in ", 3);
    memcpy(s + i, "by friday", 10);
    assert_int_equal(pb__due_find(s, strlen(s), 0, &b, &f), -1);
    assert_true(b.exhausted);
    b.used = 0;
    b.exhausted = 0;
    b.limit = 1000000000;
    assert_int_equal(pb__due_find(s, strlen(s), 0, &b, &f), 1);
    assert_string_equal(f.text, "friday");
    assert_true(b.used > 1000);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(days_and_times),
        cmocka_unit_test(spans),
        cmocka_unit_test(ends),
        cmocka_unit_test(other_bases),
        cmocka_unit_test(not_due_times),
        cmocka_unit_test(base_does_not_matter),
        cmocka_unit_test(finding),
        cmocka_unit_test(finding_from),
        cmocka_unit_test(finding_is_charged),
    };

    return cmocka_run_group_tests(tests, utc, NULL);
}
