/*
 * convo.h -- a transcript on its way to scenarios (internal): the
 * conversations of timed turns that both transcript readers build
 * (import_text.c, import_json.c) and import.c writes, and the state of
 * one parse, with its errors (docs/import.md).
 */
#ifndef PB_CONVO_H
#define PB_CONVO_H

#include <stddef.h>

#include "error.h"
#include "playbook.h"

#define PB__CONVO_MAX_TEXT (1u << 20) /* one utterance, as case/case.c takes */
#define PB__CONVO_MAX_ID 64           /* scenario ids and topics */

/* Synthetic times (docs/import.md): a turn starts PB__CONVO_TURN_GAP
 * seconds after the one before, plus a second per PB__CONVO_CHARS_PER_S
 * characters of it, roughly the pace of a chat.  Whole seconds keep the
 * files tidy.  PB__CONVO_SYNTHETIC says so in a scenario's
 * description. */
#define PB__CONVO_TURN_GAP 5
#define PB__CONVO_CHARS_PER_S 15
#define PB__CONVO_STR_(x) #x
#define PB__CONVO_STR(x) PB__CONVO_STR_(x)
#define PB__CONVO_SYNTHETIC                                             \
    "Times are synthetic: " PB__CONVO_STR(PB__CONVO_TURN_GAP) " s per " \
    "turn plus 1 s per " PB__CONVO_STR(PB__CONVO_CHARS_PER_S)           \
    " characters of the turn before."

typedef struct pb__convo_turn {
    double t;
    size_t off, len;  /* text in the import's arena */
    int speaker;      /* pb__convo_speaker's number */
} pb__convo_turn;

typedef struct pb__convo {
    char *id, *title, *description;
    char *topic, *channel;  /* may be NULL */
    char *topic_note;       /* how the topic was found, or NULL (given) */
    char *flow, *subflow;   /* ABCD's, may be NULL */
    pb__convo_turn *turns;
    size_t nturns, cap;
} pb__convo;

struct pb_import {
    char *name;         /* the transcript's, for messages */
    char *agent, *team; /* who handled every conversation, or NULL */
    pb__convo *convos;
    size_t n, cap;
    char *text;         /* every turn's text, each NUL-terminated */
    size_t len, tcap;
};

/* One parse: where the input and the errors are. */
typedef struct pb__convo_parser {
    pb_import *im;
    const char *name, *base;   /* as given, and its last component */
    const char *buf;
    size_t len;
    const pb_import_opts *opts;
    pb_error *err;
    char where[96];            /* "conversation 2 (abcd-9489): " or "" */
} pb__convo_parser;

/* Strings. */

/* s[0..n) as a new string; NULL when out of memory. */
char *pb__convo_dup(const char *s, size_t n);
/* printf into a new string; NULL when out of memory. */
char *pb__convo_printf(const char *fmt, ...) PB__PRINTF(1, 2);
/* The first offset from i on in b[0..len) that is not white space. */
size_t pb__convo_skip_space(const char *b, size_t i, size_t len);

/* Errors. */

/* PB_NOMEM, said in p->err. */
pb_status pb__convo_nomem(pb__convo_parser *p);
/* PB_INPUT about a JSON conversation or turn: no line to give, so the
 * message starts with p->where instead. */
pb_status pb__convo_fail(pb__convo_parser *p, const char *fmt, ...)
    PB__PRINTF(2, 3);
/* PB_INPUT on the line of offset off in p->buf. */
pb_status pb__convo_fail_line(pb__convo_parser *p, size_t off,
                              const char *fmt, ...) PB__PRINTF(3, 4);
/* The line of offset off in p->buf, and in *col (when not NULL) its
 * column in characters; both 1-based.  Lines end at "\n", "\r\n" or a
 * lone "\r", as the text reader splits them. */
int pb__convo_line(const pb__convo_parser *p, size_t off, int *col);

/*
 * The first character XML 1.0 cannot carry in s[0..len): NUL, bytes that
 * are not UTF-8 (overlong forms and surrogates included), control
 * characters other than tab and line ends, U+FFFE and U+FFFF.  Returns
 * PB__CONVO_CH_OK when there is none, else its kind with its offset in
 * *at and, for pb__convo_bad_char_text, its code point or byte in *cp.
 */
enum { PB__CONVO_CH_OK, PB__CONVO_CH_NUL, PB__CONVO_CH_UTF8,
       PB__CONVO_CH_CTRL };
int pb__convo_bad_char(const char *s, size_t len, size_t *at, unsigned *cp);
/* The message for pb__convo_bad_char's finding, in buf. */
const char *pb__convo_bad_char_text(int kind, unsigned cp, char *buf,
                                    size_t size);

/* Building the import. */

/* A new, empty conversation at the end of im; NULL when out of memory. */
pb__convo *pb__convo_new(pb_import *im);
/* A new turn whose text starts empty at the end of the arena. */
pb__convo_turn *pb__convo_new_turn(pb_import *im, pb__convo *cv,
                                   int speaker);
/*
 * Appends s[0..n) to the last turn t, which is the last text in the
 * arena, joined by a space when join is set and both sides have text.
 * -1 when out of memory.
 */
int pb__convo_append(pb_import *im, pb__convo_turn *t, const char *s,
                     size_t n, int join);
/* Trims the last turn t in place, as the scenario reader trims text. */
void pb__convo_finish_turn(pb_import *im, pb__convo_turn *t);
/* The synthetic clock: each turn of cv after the one before. */
void pb__convo_times(const pb_import *im, pb__convo *cv);

/* Names. */

/* s[0..n) as a scenario id: letters, digits, _ and -, others become -. */
char *pb__convo_make_id(const char *s, size_t n);
/* Whether s is such an id, at most PB__CONVO_MAX_ID long. */
int pb__convo_valid_id(const char *s);
/* A person's or team's name as a scenario carries it: not empty, at most
 * PB__CONVO_MAX_NAME bytes of UTF-8 text without control characters. */
#define PB__CONVO_MAX_NAME 128
int pb__convo_valid_name(const char *s);
/* The transcript's file name without folder and extension, for ids. */
void pb__convo_stem(const pb__convo_parser *p, const char **s, size_t *n);
/* Topics (topic.c, docs/import.md): the topic of principles/ask.lua
 * the customer's words in cv point at clearly, or NULL; why gets the
 * cue words found per topic ("delivery 3, billing 1"), for the
 * description or the message.  topics: their names, for a message. */
const char *pb__convo_topic(const pb_import *im, const pb__convo *cv,
                            char *why, size_t size);
const char *pb__convo_topics(void);

/* The speaker s[0..n) names (agent, customer or action, in any case) as
 * a number, or -1; and the event type a turn of that speaker becomes. */
int pb__convo_speaker(const char *s, size_t n);
const char *pb__convo_speaker_type(int speaker);

#endif
