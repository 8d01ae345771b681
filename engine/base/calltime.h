/*
 * calltime.h -- times within a case (seconds from its start), read and
 * written in every form the engine uses: pb_time_parse and
 * pb_time_format (playbook.h) for people, the two exact forms below for
 * files.  One module, so what is written always reads back
 * (docs/scenarios.md, "Times").
 */
#ifndef PB_CALLTIME_H
#define PB_CALLTIME_H

#include <stddef.h>

/*
 * D+ | D* '.' D+ at s, as a double; the end of it, or NULL.  Hand-rolled
 * rather than strtod, which takes signs, exponents, hex, "inf", leading
 * space and, after setlocale(), a decimal comma.  Fraction digits past
 * the 15th are checked but do not count.
 */
const char *pb__time_decimal(const char *s, double *out);

/* ms milliseconds as decimal seconds, the fraction without its trailing
 * zeros ("12.5", "-0.25", "3"), into buf of at least PB__MS_TEXT bytes;
 * returns its length.  The one writer of millisecond times: case files,
 * journals and JSON. */
#define PB__MS_TEXT 32
size_t pb__ms_text(long long ms, char *buf);

/* t as decimal seconds ("12.5"): the shortest string that reads back as
 * exactly t.  For case files and journals.  Returns buf. */
const char *pb__time_seconds(double t, char *buf, size_t size);
/* t as a clock, mm:ss or h:mm:ss past the hour, with milliseconds when
 * there are any ("01:05.25"): for people reading an imported transcript.
 * Returns buf. */
const char *pb__time_clock(double t, char *buf, size_t size);

#endif
