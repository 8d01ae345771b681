/*
 * due.c -- due times: when something was promised for, as people and
 * detectors write it ("tomorrow 10am", "within 3-5 business days", "by
 * the end of the week"), read as seconds since the epoch, and found in
 * what was said.
 *
 * One grammar for everyone: `playbook followups` and `live` read due
 * attributes with pb_due_parse, the live command parser checks a typed
 * due time with it, and principle code finds due phrases in utterances
 * with due.find (docs/authoring.md, "Due times"), so a phrase a
 * principle detects is one the verbs can read.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>

#include "ascii.h"
#include "due.h"
#include "playbook.h"
#include "sandbox.h"

/* Calendar. */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil): timegm is not POSIX. */
static long days_from_civil(long y, long m, long d)
{
    long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(long y, long m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
                                 30, 31};

    if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
        return 29;
    return days[m - 1];
}

/* Exactly n digits at *p, as a number; advances *p.  -1 when not. */
static long digits(const char **p, int n)
{
    long v = 0;
    int i;

    for (i = 0; i < n; i++) {
        if (!pb__ascii_digit((*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    return v;
}

/* The local time on y-m-d at h:mi:s, as seconds since the epoch. */
static int local_time(long y, long m, long d, long h, long mi, double s,
                      double *out)
{
    struct tm tm;
    time_t t;

    memset(&tm, 0, sizeof tm);
    tm.tm_year = (int)(y - 1900);
    tm.tm_mon = (int)(m - 1);
    tm.tm_mday = (int)d;
    tm.tm_hour = (int)h;
    tm.tm_min = (int)mi;
    tm.tm_sec = (int)s;
    tm.tm_isdst = -1;
    if ((t = mktime(&tm)) == (time_t)-1)
        return -1;
    *out = (double)t + (s - floor(s));
    return 0;
}

/*
 * ISO 8601: YYYY-MM-DD, then optionally T (or a space) and hh:mm[:ss[.f]],
 * then optionally Z or +hh[:mm] / -hh[:mm].  Case-insensitive.
 */
int pb__due_iso(const char *s, double *out)
{
    const char *p = s;
    long y, m, d, h = 23, mi = 59, oh, om = 0, off = 0;
    double sec = 59;
    int zone = 0, timed = 0;

    if ((y = digits(&p, 4)) < 0 || *p++ != '-' || (m = digits(&p, 2)) < 0
        || *p++ != '-' || (d = digits(&p, 2)) < 0)
        return -1;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    if (*p == 'T' || *p == 't' || (*p == ' ' && p[1] != '\0')) {
        p++;
        timed = 1;
        if ((h = digits(&p, 2)) < 0 || *p++ != ':' ||
            (mi = digits(&p, 2)) < 0 || h > 23 || mi > 59)
            return -1;
        sec = 0;
        if (*p == ':') {
            p++;
            if ((sec = (double)digits(&p, 2)) < 0 || sec > 60)
                return -1;
            if (*p == '.' && pb__ascii_digit(p[1])) {
                double scale = 0.1;

                for (p++; pb__ascii_digit(*p); p++, scale /= 10)
                    sec += (*p - '0') * scale;
            }
        }
    }
    if (timed && (*p == 'Z' || *p == 'z')) {
        p++;
        zone = 1;
    } else if (timed && (*p == '+' || *p == '-')) {
        int sign = *p++ == '-' ? -1 : 1;

        if ((oh = digits(&p, 2)) < 0)
            return -1;
        if (*p == ':')
            p++;
        if (pb__ascii_digit(*p) && (om = digits(&p, 2)) < 0)
            return -1;
        if (oh > 23 || om > 59)
            return -1;
        off = sign * (oh * 3600 + om * 60);
        zone = 1;
    }
    if (*p != '\0')
        return -1;
    if (!zone)
        return local_time(y, m, d, h, mi, sec, out);
    *out = (double)days_from_civil(y, m, d) * 86400.0 +
           (double)(h * 3600 + mi * 60) + sec - (double)off;
    return 0;
}

/* The day tm is on, plus n days, at h:mi:s local time. */
static int local_day(const struct tm *tm, long n, long h, long mi, double s,
                     double *out)
{
    return local_time(tm->tm_year + 1900L, tm->tm_mon + 1L,
                      tm->tm_mday + n, h, mi, s, out);
}

static int local_tm(double base, struct tm *tm)
{
    time_t b = (time_t)floor(base);

    return localtime_r(&b, tm) == NULL ? -1 : 0;
}

/* Amounts of time. */

typedef struct unit {
    double secs;  /* a fixed length, or 0 */
    int months;   /* calendar months */
} unit;

/* "h", "days", "month": a unit of time; -1 if none. */
static int unit_of(const char *w, unit *u)
{
    static const struct {
        const char *name;
        double secs;
    } units[] = {
        {"s", 1}, {"sec", 1}, {"secs", 1}, {"second", 1}, {"seconds", 1},
        {"m", 60}, {"min", 60}, {"mins", 60}, {"minute", 60},
        {"minutes", 60}, {"h", 3600}, {"hr", 3600}, {"hrs", 3600},
        {"hour", 3600}, {"hours", 3600}, {"d", 86400}, {"day", 86400},
        {"days", 86400}, {"w", 604800}, {"wk", 604800}, {"week", 604800},
        {"weeks", 604800},
    };
    size_t i;

    u->secs = 0;
    u->months = strcmp(w, "month") == 0 || strcmp(w, "months") == 0;
    for (i = 0; i < sizeof units / sizeof *units; i++)
        if (strcmp(w, units[i].name) == 0)
            u->secs = units[i].secs;
    return u->secs > 0 || u->months ? 0 : -1;
}

/* Digits at *p, at most 7 of them, as a number; advances *p.  -1 when
 * none. */
static double number(const char **p)
{
    double n = 0;
    int k = 0;

    for (; pb__ascii_digit(**p); (*p)++, k++) {
        if (k == 7)
            return -1;
        n = n * 10 + (**p - '0');
    }
    return k == 0 ? -1 : n;
}

/* "2", "a", "an", "one": a whole word as an amount; -1 if it is not. */
static double amount(const char *w)
{
    const char *p = w;
    double n;

    if (strcmp(w, "a") == 0 || strcmp(w, "an") == 0 ||
        strcmp(w, "one") == 0)
        return 1;
    n = number(&p);
    return *p == '\0' ? n : -1;
}

/* base plus n business days (Monday to Friday) at base's time of day:
 * the day the n-th weekday after base's day falls on. */
static int add_business_days(double base, double n, double *out)
{
    struct tm tm;
    long days, left, wd;

    if (n < 1 || local_tm(base, &tm) != 0)
        return -1;
    /* Any 7 days in a row hold 5 weekdays. */
    days = ((long)n - 1) / 5 * 7;
    left = ((long)n - 1) % 5 + 1;
    for (wd = tm.tm_wday; left > 0;) {
        days++;
        wd = (wd + 1) % 7;
        left -= wd != 0 && wd != 6;
    }
    return local_day(&tm, days, tm.tm_hour, tm.tm_min,
                     tm.tm_sec + (base - floor(base)), out);
}

/* base plus n calendar months, the day kept when the month has it (the
 * 31st of January plus a month is the 28th or 29th of February). */
static int add_months(double base, double n, double *out)
{
    struct tm tm;
    long y, m, d;

    if (local_tm(base, &tm) != 0)
        return -1;
    m = tm.tm_mon + (long)n;
    y = tm.tm_year + 1900L + m / 12;
    m = m % 12 + 1;
    d = tm.tm_mday;
    if (d > days_in_month(y, m))
        d = days_in_month(y, m);
    return local_time(y, m, d, tm.tm_hour, tm.tm_min,
                      tm.tm_sec + (base - floor(base)), out);
}

/*
 * A span from base, to the end of its range: "in 2 days", "in 2h",
 * "within 48 hours", "within 3-5 business days", "within 3 to 5 days",
 * "in the next 10 - 15 minutes", "within the hour", "within the next
 * hour", "less than a week", "under an hour", "in up to 3 working
 * days".  w[i..nw) must be all of it.
 */
static int read_span(char *const *w, int nw, int i, double base,
                     double *out)
{
    double lo = -1, hi;
    int inside = 0, one = 0;
    const char *p;
    unit u;

    if (i < nw && (strcmp(w[i], "in") == 0 || strcmp(w[i], "within") == 0))
        inside = 1, i++;
    if (nw - i >= 2 && strcmp(w[i], "the") == 0 &&
        strcmp(w[i + 1], "next") == 0 && inside)
        i += 2, one = 1;                 /* "the next hour" is one */
    else if (nw - i == 2 && strcmp(w[i], "the") == 0 && inside)
        i += 1, one = 1;                 /* "within the hour" */
    else if (nw - i >= 2 && strcmp(w[i], "up") == 0 &&
             strcmp(w[i + 1], "to") == 0 && inside)
        i += 2;
    else if (nw - i >= 2 && strcmp(w[i], "less") == 0 &&
             strcmp(w[i + 1], "than") == 0)
        i += 2;
    else if (nw - i >= 1 && strcmp(w[i], "under") == 0)
        i += 1;
    else if (!inside)
        return -1;
    if (i >= nw)
        return -1;
    /* "2h", "30min": number and unit in one word. */
    p = w[i];
    if (nw - i == 1 && !one && (lo = number(&p)) >= 0 && *p != '\0') {
        if (unit_of(p, &u) != 0 || u.months)
            return -1;
        *out = base + lo * u.secs;
        return 0;
    }
    /* The amount: "3", "a", "3-5", "3 - 5", "3 to 5"; "the next" may
     * leave it out. */
    p = w[i];
    if ((lo = amount(w[i])) >= 0) {
        hi = lo;
        i++;
        if (nw - i >= 2 && (strcmp(w[i], "-") == 0 ||
                            strcmp(w[i], "to") == 0)) {
            if ((hi = amount(w[i + 1])) < 0)
                return -1;
            i += 2;
        }
    } else if ((lo = number(&p)) >= 0 && *p == '-') {
        if ((hi = amount(p + 1)) < 0)          /* "3-5" */
            return -1;
        i++;
    } else if (one) {
        lo = hi = 1;
    } else {
        return -1;
    }
    if (hi < lo || i >= nw)
        return -1;
    if (nw - i == 2 && (strcmp(w[i], "business") == 0 ||
                        strcmp(w[i], "working") == 0)) {
        if (strcmp(w[i + 1], "day") != 0 && strcmp(w[i + 1], "days") != 0)
            return -1;
        return add_business_days(base, hi, out);
    }
    if (nw - i != 1 || unit_of(w[i], &u) != 0)
        return -1;
    if (u.months)
        return add_months(base, hi, out);
    *out = base + hi * u.secs;
    return 0;
}

/*
 * The end of a period, alone: "end of day", "eod", "end of the week"
 * (Friday, base's own day when it is one, at 23:59:59), "end of this
 * month".  A leading "the" is allowed ("by the end of the week").
 */
static int read_end(char *const *w, int nw, int i, double base,
                    double *out)
{
    const char *what = "day";
    struct tm tm;
    long y, m;

    if (i < nw && strcmp(w[i], "the") == 0)
        i++;
    if (nw - i == 1 && strcmp(w[i], "eod") == 0) {
        i++;
    } else if (nw - i >= 3 && strcmp(w[i], "end") == 0 &&
               strcmp(w[i + 1], "of") == 0) {
        i += 2;
        if (nw - i == 2 && (strcmp(w[i], "the") == 0 ||
                            strcmp(w[i], "this") == 0))
            i++;
        if (nw - i != 1)
            return -1;
        what = w[i];
    } else {
        return -1;
    }
    if (local_tm(base, &tm) != 0)
        return -1;
    if (strcmp(what, "day") == 0)
        return local_day(&tm, 0, 23, 59, 59, out);
    if (strcmp(what, "week") == 0)
        return local_day(&tm, (5 - tm.tm_wday + 7) % 7, 23, 59, 59, out);
    if (strcmp(what, "month") != 0)
        return -1;
    y = tm.tm_year + 1900L;
    m = tm.tm_mon + 1L;
    return local_time(y, m, days_in_month(y, m), 23, 59, 59, out);
}

/* Days and times of day. */

/* "10", "10:30", "10am", "10:30pm", "14:05:10" (ampm: "am", "pm" or
 * NULL).  -1 when it is no time of day. */
static int parse_clock(const char *w, const char *ampm, long *h, long *mi,
                       long *s)
{
    const char *p = w;
    long v[3] = {0, 0, 0};
    int n = 0;

    for (;;) {
        long x = 0;
        int k = 0;

        for (; pb__ascii_digit(*p) && k < 3; p++, k++)
            x = x * 10 + (*p - '0');
        if (k == 0 || k > 2 || (n > 0 && k != 2))
            return -1;
        v[n++] = x;
        if (*p != ':' || n == 3)
            break;
        p++;
    }
    if (ampm == NULL && (strcmp(p, "am") == 0 || strcmp(p, "pm") == 0))
        ampm = p, p += 2;
    if (*p != '\0' || v[1] > 59 || v[2] > 59)
        return -1;
    if (ampm != NULL) {
        if (v[0] < 1 || v[0] > 12)
            return -1;
        v[0] = v[0] % 12 + (ampm[0] == 'p' ? 12 : 0);
    } else if (v[0] > 23) {
        return -1;
    }
    *h = v[0];
    *mi = v[1];
    *s = v[2];
    return 0;
}

static int weekday(const char *w)
{
    static const char *const names[7] = {"sunday", "monday", "tuesday",
        "wednesday", "thursday", "friday", "saturday"};
    int i;

    for (i = 0; i < 7; i++)
        if (strcmp(w, names[i]) == 0 ||
            (strlen(w) == 3 && strncmp(w, names[i], 3) == 0))
            return i;
    return -1;
}

/* "morning" and the like, as the hour they are over; -1 if none. */
static int day_part(const char *w)
{
    if (strcmp(w, "morning") == 0)
        return 12;
    if (strcmp(w, "afternoon") == 0)
        return 17;
    if (strcmp(w, "evening") == 0 || strcmp(w, "tonight") == 0)
        return 21;
    return -1;
}

/* Reading. */

#define MAX_WORDS 12

static const char *const kind_names[] = {
    "span", "end", "day", "weekday", "time", "date"
};

/* "by", "at the latest": words that say nothing of when. */
static int filler(const char *w)
{
    return strcmp(w, "at") == 0 || strcmp(w, "this") == 0 ||
           strcmp(w, "next") == 0 || strcmp(w, "on") == 0 ||
           strcmp(w, "by") == 0 || strcmp(w, "the") == 0 ||
           strcmp(w, "latest") == 0;
}

/* A day, a weekday and a time of day, in any order: "tomorrow 10am",
 * "friday at 9:30", "Thursday evening", "noon", "by Wednesday at the
 * latest", "friday end of day". */
static int read_day(char *const *w, int nw, int i, double base,
                    double *out, pb__due_kind *kind)
{
    long h = 23, mi = 59, s = 59, add_days = 0;
    int day = -1, wday = -1, timed = 0, named = 0;
    struct tm tm;

    for (; i < nw; i++) {
        const char *ampm = NULL;
        long hh, mm, ss;
        int k;

        if (filler(w[i]))
            continue;
        if (strcmp(w[i], "tonight") == 0) {
            if (day >= 0 || wday >= 0 || timed)
                return -1;
            day = 0;
        }
        /* Parts of the day: by the time that part is over. */
        if ((k = day_part(w[i])) >= 0) {
            if (timed)
                return -1;
            timed = 1;
            h = k, mi = 0, s = 0;
            continue;
        }
        if (strcmp(w[i], "today") == 0 || strcmp(w[i], "tomorrow") == 0) {
            if (day >= 0 || wday >= 0)
                return -1;
            day = w[i][1] == 'o' && w[i][2] == 'm' ? 1 : 0;
            named = 1;
            continue;
        }
        if ((k = weekday(w[i])) >= 0) {
            if (day >= 0 || wday >= 0)
                return -1;
            wday = k;
            continue;
        }
        if (timed)
            return -1;
        timed = 1;
        if (strcmp(w[i], "eod") == 0 || strcmp(w[i], "midnight") == 0)
            continue; /* the end of the day, as without a time */
        if (strcmp(w[i], "end") == 0 && i + 2 < nw &&
            strcmp(w[i + 1], "of") == 0) {
            i += 2;
            if (strcmp(w[i], "the") == 0 && i + 1 < nw)
                i++;
            if (strcmp(w[i], "day") != 0)
                return -1;
            continue;
        }
        if (strcmp(w[i], "noon") == 0 || strcmp(w[i], "midday") == 0) {
            h = 12, mi = 0, s = 0;
            continue;
        }
        if (i + 1 < nw && (strcmp(w[i + 1], "am") == 0 ||
                           strcmp(w[i + 1], "pm") == 0))
            ampm = w[i + 1];
        if (parse_clock(w[i], ampm, &hh, &mm, &ss) != 0)
            return -1;
        if (ampm != NULL)
            i++;
        h = hh, mi = mm, s = ss;
    }
    if (day < 0 && wday < 0 && !timed)
        return -1;
    if (local_tm(base, &tm) != 0)
        return -1;
    if (day > 0)
        add_days = day;
    if (wday >= 0)
        add_days = (wday - tm.tm_wday + 7) % 7;
    /* "tonight" is a time today, as "this evening" is. */
    *kind = named ? PB__DUE_DAY : wday >= 0 ? PB__DUE_WEEKDAY : PB__DUE_TIME;
    return local_day(&tm, add_days, h, mi, (double)s, out);
}

int pb__due_read(const char *text, double base, double *out,
                 pb__due_kind *kind)
{
    char buf[PB__DUE_TEXT], *w[MAX_WORDS], *p;
    pb__due_kind k;
    int nw = 0, i;
    size_t n;

    if (text == NULL)
        return -1;
    if (kind == NULL)
        kind = &k;
    while (pb__ascii_space((unsigned char)*text))
        text++;
    n = strlen(text);
    while (n > 0 && (pb__ascii_space((unsigned char)text[n - 1]) ||
                     text[n - 1] == '.'))
        n--;
    if (n == 0 || n >= sizeof buf)
        return -1;
    for (i = 0; (size_t)i < n; i++) {
        char c = text[i];

        buf[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        if (c == ',' || pb__ascii_space((unsigned char)c))
            buf[i] = ' ';
    }
    buf[n] = '\0';
    for (p = buf; *p && nw < MAX_WORDS;) {
        while (*p == ' ')
            *p++ = '\0';
        if (*p == '\0')
            break;
        w[nw++] = p;
        while (*p && *p != ' ')
            p++;
    }
    if (*p != '\0')
        return -1;
    i = 0;
    while (i < nw && (strcmp(w[i], "by") == 0 || strcmp(w[i], "on") == 0 ||
                      strcmp(w[i], "at") == 0 || strcmp(w[i], "before") == 0
                      || strcmp(w[i], "until") == 0 ||
                      strcmp(w[i], "due") == 0))
        i++;
    if (i == nw)
        return -1;
    /* An ISO date and time may be one word or two. */
    *kind = PB__DUE_DATE;
    if (nw - i == 1 && pb__due_iso(w[i], out) == 0)
        return 0;
    if (nw - i == 2) {
        char two[2 * PB__DUE_TEXT];

        snprintf(two, sizeof two, "%s %s", w[i], w[i + 1]);
        if (pb__due_iso(two, out) == 0)
            return 0;
    }
    *kind = PB__DUE_SPAN;
    if (strcmp(w[i], "in") == 0 || strcmp(w[i], "within") == 0 ||
        strcmp(w[i], "less") == 0 || strcmp(w[i], "under") == 0)
        return read_span(w, nw, i, base, out);
    *kind = PB__DUE_END;
    if (read_end(w, nw, i, base, out) == 0)
        return 0;
    return read_day(w, nw, i, base, out, kind);
}

pb_status pb_due_parse(const char *text, double base, double *out)
{
    return pb__due_read(text, base, out, NULL) == 0 ? PB_OK : PB_INPUT;
}

/* Finding. */

static int word_char(int c)
{
    return pb__ascii_alpha(c) || pb__ascii_digit(c) || c == ':' ||
           c == '+' || c == '-';
}

/* A word only a due time starts with; next is the word after it ("" at
 * the end).  Not a bare number ("2 items"), nor a weekday's short form
 * ("sat", "wed"), nor what may stand before other things ("at", "on"). */
static int starts_due(const char *w, const char *next)
{
    static const char *const words[] = {
        "in", "within", "under", "end", "eod", "today", "tonight",
        "tomorrow", "noon", "midday", "midnight", "this", "next",
        "sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", NULL
    };
    const char *const *k;
    const char *p = w;
    long h, mi, s;

    for (k = words; *k; k++)
        if (**k == *w && strcmp(w, *k) == 0)   /* most differ at once */
            return 1;
    if (strcmp(w, "less") == 0)
        return strcmp(next, "than") == 0;
    if (!pb__ascii_digit(*w))
        return 0;
    if (strlen(w) >= 10 && w[4] == '-')
        return 1;                              /* 2026-11-26 */
    if (strcmp(next, "am") == 0 || strcmp(next, "pm") == 0)
        return parse_clock(w, next, &h, &mi, &s) == 0;
    for (; pb__ascii_digit(*p); p++)
        ;
    return (*p == ':' || strcmp(p, "am") == 0 || strcmp(p, "pm") == 0) &&
           parse_clock(w, NULL, &h, &mi, &s) == 0;     /* 10:30, 5pm */
}

/* Words a phrase does not end with: "friday at" is "friday". */
static int dangles(const char *w)
{
    return filler(w) && strcmp(w, "latest") != 0;
}

/* Reads the word at *q as word *n of a run: its place, and its
 * lowercase copy unless it is too long to read (then *n stays).  1 when
 * another word follows after spaces or tabs only (*q is then its start),
 * else 0 (*q is this word's end). */
static int run_word(const char *s, size_t len, size_t *q, size_t *at,
                    size_t *end, char low[][PB__DUE_TEXT], int *n)
{
    size_t w = *q, k, r;

    at[*n] = w;
    while (w < len && word_char((unsigned char)s[w]))
        w++;
    end[*n] = *q = w;
    if (w - at[*n] >= PB__DUE_TEXT)
        return 0;
    for (k = 0; at[*n] + k < w; k++) {
        char c = s[at[*n] + k];

        low[*n][k] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    low[(*n)++][k] = '\0';
    for (r = w; r < len && (s[r] == ' ' || s[r] == '\t'); r++)
        ;
    if (r == w || r >= len || !word_char((unsigned char)s[r]))
        return 0;
    *q = r;
    return 1;
}

int pb__due_find(const char *s, size_t len, size_t from, pb__budget *b,
                 pb__due_found *out)
{
    size_t p = from, q, at[MAX_WORDS], end[MAX_WORDS];
    char low[MAX_WORDS][PB__DUE_TEXT];

    while (p < len) {
        int n = 0, j, k, by, more, may;

        while (p < len && !word_char((unsigned char)s[p]))
            p++;
        if (p >= len)
            break;
        /* The run of words from here joined by spaces or tabs only; its
         * first two say whether a due time may start here, and only
         * then is the rest read. */
        q = p;
        more = run_word(s, len, &q, at, end, low, &n);
        if (more)
            more = run_word(s, len, &q, at, end, low, &n);
        by = n > 0 && strcmp(low[0], "by") == 0;
        may = n > 0 && (by || starts_due(low[0], n > 1 ? low[1] : ""));
        while (may && more && n < MAX_WORDS)
            more = run_word(s, len, &q, at, end, low, &n);
        if (b != NULL && pb__budget_charge(b, 4 + (q - p) / 4) != 0)
            return -1;
        if (may)
            /* The longest run that reads. */
            for (j = n; j > by; j--) {
                char *t = out->text;
                size_t used = 0;
                double when;

                if (dangles(low[j - 1]))
                    continue;
                for (k = by; k < j; k++) {
                    size_t wl = strlen(low[k]);

                    if (used + wl + 1 >= PB__DUE_TEXT)
                        break;
                    if (used > 0)
                        t[used++] = ' ';
                    memcpy(t + used, low[k], wl + 1);
                    used += wl;
                }
                if (k < j)
                    continue;
                /* A reading tried costs about what 200 instructions do
                 * (its words matched against every form a due time
                 * takes): measured, docs/hardening.md. */
                if (b != NULL && pb__budget_charge(b, 200 + 4 * used) != 0)
                    return -1;
                /* Any date does: what reads does not depend on it. */
                if (pb__due_read(t, 1e9, &when, &out->kind) != 0)
                    continue;
                for (k = by; k < j - 1 && (strcmp(low[k], "on") == 0 ||
                                           strcmp(low[k], "at") == 0 ||
                                           strcmp(low[k], "the") == 0);
                     k++)
                    t += strlen(low[k]) + 1;
                memmove(out->text, t, strlen(t) + 1);
                out->first = at[0];
                out->end = end[j - 1];
                out->by = by;
                return 1;
            }
        p = end[0] > p ? end[0] : p + 1;
    }
    return 0;
}

/* due.find(s [, init]): the first due phrase in s from byte init on, as
 * { text, first, last, by, kind }, or nil. */
static int due_find(lua_State *L)
{
    pb__budget *b = lua_touserdata(L, lua_upvalueindex(1));
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    lua_Integer init = luaL_optinteger(L, 2, 1);
    pb__due_found f;
    int r;

    if (init < 0)
        init = 0u - (lua_Unsigned)init > len ? 1
                                             : (lua_Integer)len + init + 1;
    else if (init == 0)
        init = 1;
    if ((lua_Unsigned)init > len + 1) {
        lua_pushnil(L);
        return 1;
    }
    r = pb__due_find(s, len, (size_t)init - 1, b, &f);
    if (r < 0)
        pb__lua_charge(L, 16, 1); /* the budget is spent: raises */
    if (r <= 0) {
        lua_pushnil(L);
        return 1;
    }
    lua_createtable(L, 0, 5);
    lua_pushstring(L, f.text);
    lua_setfield(L, -2, "text");
    lua_pushinteger(L, (lua_Integer)f.first + 1);
    lua_setfield(L, -2, "first");
    lua_pushinteger(L, (lua_Integer)f.end);
    lua_setfield(L, -2, "last");
    lua_pushboolean(L, f.by);
    lua_setfield(L, -2, "by");
    lua_pushstring(L, kind_names[f.kind]);
    lua_setfield(L, -2, "kind");
    return 1;
}

void pb__due_openlib(lua_State *L, pb__budget *b)
{
    lua_createtable(L, 0, 1);
    lua_pushlightuserdata(L, b);
    lua_pushcclosure(L, due_find, 1);
    lua_setfield(L, -2, "find");
}
