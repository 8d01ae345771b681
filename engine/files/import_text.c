/*
 * import_text.c -- plain-text transcripts (docs/import.md): "Agent: ..."
 * lines, optional [mm:ss] stamps, wrapped lines and indented
 * continuations, into one conversation.
 *
 * Apart from the JSON reader (import_json.c): the two share only what
 * they build (convo.c).  import.c has checked the whole input first.
 */
#include <string.h>

#include "ascii.h"
#include "convo.h"
#include "error.h"
#include "import_text.h"
#include "playbook.h"

/* What a line starts with, once its stamp and label are read. */
typedef struct im_line {
    size_t start, end;    /* the line, without its line end */
    size_t text;          /* where the utterance starts */
    int has_stamp;
    double t;
    size_t stamp, stamp_len; /* "[01:05]" as written */
    int speaker;          /* -1: a continuation line */
} im_line;

/*
 * Reads "[stamp] Speaker: text".  A stamp is '[' digits, ':' and '.' ']'.
 * A label is a word of letters and a colon.  A known one starts a turn.
 * An unknown one followed by a space or the end of the line is an error
 * at the start of a line (a typo must not vanish into the turn before)
 * and a continuation when indented ("  Note: ..." inside a long turn).
 */
static pb_status read_line(pb__convo_parser *p, im_line *ln)
{
    const char *b = p->buf;
    size_t i = ln->start, q, w;
    char stamp[40];
    int spaced;

    ln->has_stamp = 0;
    ln->speaker = -1;
    while (i < ln->end && (b[i] == ' ' || b[i] == '\t'))
        i++;
    if (i < ln->end && b[i] == '[') {
        for (q = i + 1; q < ln->end && (pb__ascii_digit(b[q]) ||
                                        b[q] == ':' || b[q] == '.'); q++)
            ;
        if (q < ln->end && b[q] == ']' && q > i + 1) {
            ln->stamp = i;
            ln->stamp_len = q + 1 - i;
            if (q - i - 1 >= sizeof stamp ||
                memchr(b + i + 1, ':', q - i - 1) == NULL ||
                (memcpy(stamp, b + i + 1, q - i - 1),
                 stamp[q - i - 1] = '\0',
                 pb_time_parse(stamp, &ln->t) != PB_OK))
                return pb__convo_fail_line(p, i, "bad time stamp '%.*s' "
                                           "(mm:ss or h:mm:ss)",
                                           (int)(q + 1 - i), b + i);
            ln->has_stamp = 1;
            for (i = q + 1; i < ln->end && (b[i] == ' ' || b[i] == '\t');
                 i++)
                ;
        }
    }
    for (w = i; w < ln->end && pb__ascii_alpha(b[w]); w++)
        ;
    q = w;
    while (q < ln->end && (b[q] == ' ' || b[q] == '\t'))
        q++;
    if (w > i && q < ln->end && b[q] == ':') {
        ln->speaker = pb__convo_speaker(b + i, w - i);
        /* "https://..." or "Note:x" is text, not a speaker. */
        spaced = q + 1 == ln->end || b[q + 1] == ' ' || b[q + 1] == '\t';
        if (ln->speaker < 0 && spaced && (i == ln->start || ln->has_stamp))
            return pb__convo_fail_line(p, i, "unknown speaker '%.*s' "
                                       "(Agent, Customer or Action; indent a "
                                       "continuation line that starts with a "
                                       "word and a colon)",
                                       (int)(w - i > 40 ? 40 : w - i), b + i);
        if (ln->speaker >= 0)
            i = q + 1;
    }
    if (ln->has_stamp && ln->speaker < 0)
        return pb__convo_fail_line(p, ln->start, "time stamp without a "
                                   "speaker (Agent:, Customer: or Action:)");
    ln->text = ln->speaker >= 0 ? i : ln->start;
    return PB_OK;
}

/* The end of the turn that starts on line `line`: it must say something. */
static pb_status end_turn(pb__convo_parser *p, pb__convo_turn *t,
                          size_t line_off)
{
    if (t == NULL)
        return PB_OK;
    pb__convo_finish_turn(p->im, t);
    if (t->len == 0)
        return pb__convo_fail_line(p, line_off, "empty turn (a speaker "
                                   "with no text)");
    return PB_OK;
}

pb_status pb__import_text(pb__convo_parser *p)
{
    const char *b = p->buf;
    pb__convo *cv;
    pb__convo_turn *t = NULL;
    im_line ln;
    size_t i = 0, turn_line = 0, k, last_stamp = 0, last_stamp_len = 0;
    double last_t = -1;
    int stamps = 0;
    pb_status st;
    const char *s;
    size_t n;

    if ((cv = pb__convo_new(p->im)) == NULL)
        return pb__convo_nomem(p);
    while (i < p->len) {
        ln.start = i;
        while (i < p->len && b[i] != '\n' && b[i] != '\r')
            i++;
        ln.end = i;
        if (i < p->len)
            i += b[i] == '\r' && i + 1 < p->len && b[i + 1] == '\n' ? 2 : 1;
        for (k = ln.start; k < ln.end && pb__ascii_space(b[k]); k++)
            ;
        if (k == ln.end)
            continue; /* blank lines separate nothing */
        if ((st = read_line(p, &ln)) != PB_OK)
            return st;
        if (ln.speaker < 0) {
            if (t == NULL)
                return pb__convo_fail_line(p, ln.start, "text before the "
                                           "first speaker (lines start with "
                                           "Agent:, Customer: or Action:)");
        } else {
            if ((st = end_turn(p, t, turn_line)) != PB_OK)
                return st;
            if (cv->nturns >= PB_IMPORT_MAX_TURNS)
                return pb__convo_fail_line(p, ln.start, "too many turns "
                                           "(over %u)", PB_IMPORT_MAX_TURNS);
            if ((t = pb__convo_new_turn(p->im, cv, ln.speaker)) == NULL)
                return pb__convo_nomem(p);
            turn_line = ln.start;
            t->t = -1;
            if (ln.has_stamp) {
                if (stamps && ln.t < last_t)
                    return pb__convo_fail_line(
                        p, ln.stamp, "time goes backwards: %.*s after %.*s "
                        "on line %d", (int)ln.stamp_len, b + ln.stamp,
                        (int)last_stamp_len, b + last_stamp,
                        pb__convo_line(p, last_stamp, NULL));
                t->t = last_t = ln.t;
                last_stamp = ln.stamp;
                last_stamp_len = ln.stamp_len;
                stamps = 1;
            }
        }
        /* Each line trimmed: wrapped lines join with one space. */
        for (k = ln.text; k < ln.end && pb__ascii_space(b[k]); k++)
            ;
        for (n = ln.end; n > k && pb__ascii_space(b[n - 1]); n--)
            ;
        if (t->len + (n - k) + (t->len > 0 && n > k) > PB__CONVO_MAX_TEXT)
            return pb__convo_fail_line(p, ln.start, "turn too long (over %u "
                                       "bytes)", PB__CONVO_MAX_TEXT);
        if (pb__convo_append(p->im, t, b + k, n - k, ln.speaker < 0) != 0)
            return pb__convo_nomem(p);
        if (p->im->len > PB_SCENARIO_MAX_BYTES)
            return pb__convo_fail_line(p, ln.start, "too long for one "
                                       "scenario (over %u bytes of text): "
                                       "split the transcript",
                                       PB_SCENARIO_MAX_BYTES);
    }
    if (t == NULL)
        return pb__error(p->err, PB_INPUT, p->name, 0, "no turns (lines "
                         "start with Agent:, Customer: or Action:)");
    if ((st = end_turn(p, t, turn_line)) != PB_OK)
        return st;
    /* With stamps, a turn without one shares the time of the turn before
     * (0 before the first stamp): the stamps are the clock. */
    if (!stamps) {
        pb__convo_times(p->im, cv);
    } else {
        last_t = 0;
        for (k = 0; k < cv->nturns; k++) {
            if (cv->turns[k].t < 0)
                cv->turns[k].t = last_t;
            last_t = cv->turns[k].t;
        }
    }
    if (p->opts->id != NULL)
        cv->id = strdup(p->opts->id);
    else {
        pb__convo_stem(p, &s, &n);
        cv->id = n > 0 ? pb__convo_make_id(s, n) : strdup("transcript");
    }
    cv->title = pb__convo_printf("Transcript %s", p->base);
    cv->description = pb__convo_printf(
        "Imported from %s.%s", p->base,
        stamps ? " Times are the transcript's own stamps."
               : " " PB__CONVO_SYNTHETIC);
    if (p->opts->topic != NULL)
        cv->topic = strdup(p->opts->topic);
    if (p->opts->channel != NULL)
        cv->channel = strdup(p->opts->channel);
    if (cv->id == NULL || cv->title == NULL || cv->description == NULL ||
        (p->opts->topic != NULL && cv->topic == NULL) ||
        (p->opts->channel != NULL && cv->channel == NULL))
        return pb__convo_nomem(p);
    return PB_OK;
}

