/*
 * topic.c -- the topic of an imported conversation, from what the
 * customer says (docs/import.md, "Topics").
 *
 * The topic decides which facts the `ask` principle wants, so a wrong
 * one is worse than none: a topic is inferred only when the customer's
 * words point at it clearly, else import asks for --topic.  Each topic
 * has a few cue stems, matched at the start of a word ("deliver" is
 * "delivered", "delivery"), so wording the list was not built from
 * still counts.  The topics are those of principles/ask.lua.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ascii.h"
#include "convo.h"

#define CUES_MAX 16

static const struct {
    const char *topic;
    const char *cues[CUES_MAX];
} topics[] = {
    { "delivery", { "deliver", "parcel", "packag", "courier", "shipp",
                    "shipment", "track", "arriv", "dispatch", "postman",
                    "depot", "in transit", NULL } },
    { "returns", { "return", "exchang", "send it back", "wrong size",
                   "too small", "too big", "doesn't fit", NULL } },
    { "refund", { "refund", "money back", "reimburs", "chargeback",
                  NULL } },
    { "billing", { "bill", "charged", "invoice", "overcharg", "overpa",
                   "statement", "direct debit", "subscription", "payment",
                   "price", "promo", "coupon", "discount", NULL } },
    { "account_access", { "password", "log in", "login", "locked out",
                          "sign in", "two-factor", "two factor", "2fa",
                          "authenticat", "username", "access",
                          "verification code", "get back into", "hacked",
                          NULL } },
    { "technical", { "crash", "error", "not working", "doesn't work",
                     "bug", "freez", "install", "router", "wifi",
                     "internet", "connection", "reboot", NULL } },
    { "medical_appointment", { "appointment", "doctor", "clinic",
                               "prescription", "nurse", "symptom",
                               NULL } },
};
#define NTOPICS (sizeof topics / sizeof *topics)

/* What a conversation's topic is read from: the start of what the
 * customer says, which names the problem; it bounds the cost whatever
 * the transcript's size. */
#define READ_MAX (64u * 1024u)

/* Hits of each cue at the starts of words in s[0..len) (case folded; a
 * cue of several words is matched across single spaces as written). */
static void count_cues(const char *s, size_t len, size_t (*hits)[CUES_MAX])
{
    size_t t, c, i;
    const char *p, *end = s + len;

    for (p = s; p < end; p++) {
        if (p > s && (pb__ascii_alpha(p[-1]) || pb__ascii_digit(p[-1]) ||
                      p[-1] == '\''))
            continue;             /* not the start of a word */
        for (t = 0; t < NTOPICS; t++)
            for (c = 0; topics[t].cues[c]; c++) {
                const char *cue = topics[t].cues[c];

                for (i = 0; p + i < end && cue[i] &&
                            pb__ascii_lower(p[i]) == cue[i]; i++)
                    ;
                hits[t][c] += cue[i] == '\0';
            }
    }
}

/* Appends to buf[0..size) at *at, cut when full. */
static void put(char *buf, size_t size, size_t *at, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*at + 1 >= size)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf + *at, size - *at, fmt, ap);
    va_end(ap);
    if (n > 0)
        *at = *at + (size_t)n < size ? *at + (size_t)n : size - 1;
}

const char *pb__convo_topic(const pb_import *im, const pb__convo *cv,
                            char *why, size_t size)
{
    size_t hits[NTOPICS][CUES_MAX] = { { 0 } }, score[NTOPICS] = { 0 };
    size_t t, c, i, best = 0, second = 1, at = 0, read = 0, n;
    int customer = pb__convo_speaker("customer", 8);

    for (i = 0; i < cv->nturns && read < READ_MAX; i++)
        if (cv->turns[i].speaker == customer) {
            n = cv->turns[i].len < READ_MAX - read ? cv->turns[i].len
                                                   : READ_MAX - read;
            count_cues(im->text + cv->turns[i].off, n, hits);
            read += n;
        }
    for (t = 0; t < NTOPICS; t++)
        for (c = 0; topics[t].cues[c]; c++)
            score[t] += hits[t][c];
    if (score[1] > score[0]) {
        best = 1;
        second = 0;
    }
    for (t = 2; t < NTOPICS; t++)
        if (score[t] > score[best]) {
            second = best;
            best = t;
        } else if (score[t] > score[second])
            second = t;
    /* the cues said, by topic: "delivery: parcel 2, track" */
    why[0] = '\0';
    for (t = 0; t < NTOPICS; t++) {
        if (score[t] == 0)
            continue;
        put(why, size, &at, "%s%s:", at ? "; " : "", topics[t].topic);
        for (c = 0, i = 0; topics[t].cues[c]; c++)
            if (hits[t][c] == 1)
                put(why, size, &at, "%s %s", i++ ? "," : "",
                    topics[t].cues[c]);
            else if (hits[t][c] > 1)
                put(why, size, &at, "%s %s %zu", i++ ? "," : "",
                    topics[t].cues[c], hits[t][c]);
    }
    /* clearly: said at least once, and twice as often as the next */
    if (score[best] == 0 || score[best] < 2 * score[second])
        return NULL;
    return topics[best].topic;
}

const char *pb__convo_topics(void)
{
    return "delivery, returns, refund, billing, account_access, technical, "
           "medical_appointment or default";
}
