/*
 * import_json.c -- ABCD-style JSON transcripts (docs/import.md): a list
 * of conversations, each with "original": [[speaker, text], ...], or a
 * single conversation object.
 *
 * Apart from the text reader (import_text.c): the two share only what
 * they build (convo.c).  import.c has checked the whole input first.
 *
 * Memory stays near the size of the input: the top-level list is walked
 * here and only its elements go to json-c, so json-c holds the tree of
 * one conversation at a time.  ABCD's "delexed" copy with its candidate
 * lists is several times the text; it is parsed and dropped with its
 * conversation.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ascii.h"
#include "convo.h"
#include "error.h"
#include "import_json.h"
#include "playbook.h"

/* A numeric convo_id: a whole number that JSON numbers carry exactly
 * everywhere (2^53 - 1); larger ids go in strings. */
#define IM_MAX_NUMBER_ID 9007199254740991LL
#define IM_JSON_DEPTH 32        /* ABCD needs 6; deeper is hostile */
#define IM_JSON_VALUES 1000000u /* per conversation; ABCD's have ~1,500 */

/* ABCD flows (its ontology.json) to the topics of principles/ask.lua.
 * The first row whose flow matches and whose prefix starts the subflow
 * wins; docs/import.md has the reasons. */
static const struct {
    const char *flow, *subflow_prefix, *topic;
} abcd_topics[] = {
    { "product_defect", "refund_", "refund" },
    { "product_defect", "", "returns" },
    { "shipping_issue", "", "delivery" },
    { "order_issue", "status_delivery_time", "delivery" },
    { "order_issue", "manage_upgrade", "delivery" },
    { "order_issue", "manage_downgrade", "delivery" },
    { "order_issue", "", "billing" },
    { "purchase_dispute", "", "billing" },
    { "subscription_inquiry", "", "billing" },
    { "account_access", "", "account_access" },
    { "manage_account", "", "account_access" },
    { "troubleshoot_site", "", "technical" },
    { "single_item_query", "", "default" },
    { "storewide_query", "", "default" },
};

static const char *abcd_topic(const char *flow, const char *subflow)
{
    size_t i, n;

    if (flow == NULL)
        return NULL;
    for (i = 0; i < sizeof abcd_topics / sizeof *abcd_topics; i++) {
        n = strlen(abcd_topics[i].subflow_prefix);
        if (strcmp(flow, abcd_topics[i].flow) == 0 &&
            (n == 0 || (subflow != NULL &&
                        strncmp(subflow, abcd_topics[i].subflow_prefix,
                                n) == 0)))
            return abcd_topics[i].topic;
    }
    return NULL;
}

/* "return_size" -> "return size"; a trailing "_4" (ABCD numbers its FAQ
 * questions: "timing_4") is left out. */
static void humanize(const char *s, char *buf, size_t size)
{
    size_t n = strlen(s), i, k = n;

    while (k > 0 && pb__ascii_digit(s[k - 1]))
        k--;
    if (k > 1 && k < n && s[k - 1] == '_')
        n = k - 1;
    if (n >= size)
        n = size - 1;
    for (i = 0; i < n; i++)
        buf[i] = s[i] == '_' ? ' ' : s[i];
    buf[n] = '\0';
}

static const char *json_kind(json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_null: return "null";
    case json_type_boolean: return "a boolean";
    case json_type_double:
    case json_type_int: return "a number";
    case json_type_object: return "an object";
    case json_type_array: return "a list";
    case json_type_string: return "a string";
    }
    return "something else";
}

/* A string of the JSON as a checked, trimmed copy, or NULL (with an
 * error set) when it holds what a scenario cannot. */
static pb_status json_text(pb__convo_parser *p, json_object *o,
                           const char *what, char **out)
{
    const char *s = json_object_get_string(o);
    size_t n = (size_t)json_object_get_string_len(o), at, a = 0;
    unsigned cp;
    char msg[80];
    int kind;

    *out = NULL;
    if ((kind = pb__convo_bad_char(s, n, &at, &cp)) != PB__CONVO_CH_OK)
        return pb__convo_fail(p, "%s: %s", what,
                              pb__convo_bad_char_text(kind, cp, msg,
                                                      sizeof msg));
    while (a < n && pb__ascii_space(s[a]))
        a++;
    while (n > a && pb__ascii_space(s[n - 1]))
        n--;
    if ((*out = pb__convo_dup(s + a, n - a)) == NULL)
        return pb__convo_nomem(p);
    return PB_OK;
}

/* Flow and subflow from "scenario", when they are there. */
static pb_status read_flow(pb__convo_parser *p, json_object *conv,
                           pb__convo *cv)
{
    json_object *sc, *v;
    pb_status st;

    if (!json_object_object_get_ex(conv, "scenario", &sc) ||
        !json_object_is_type(sc, json_type_object))
        return PB_OK;
    if (json_object_object_get_ex(sc, "flow", &v) &&
        json_object_is_type(v, json_type_string) &&
        (st = json_text(p, v, "scenario flow", &cv->flow)) != PB_OK)
        return st;
    if (json_object_object_get_ex(sc, "subflow", &v) &&
        json_object_is_type(v, json_type_string) &&
        (st = json_text(p, v, "scenario subflow", &cv->subflow)) != PB_OK)
        return st;
    if (cv->flow != NULL && cv->flow[0] == '\0') {
        free(cv->flow);
        cv->flow = NULL;
    }
    if (cv->subflow != NULL && cv->subflow[0] == '\0') {
        free(cv->subflow);
        cv->subflow = NULL;
    }
    return PB_OK;
}

/*
 * A numeric convo_id as a whole number: 1.0 is 1.  json-c saturates an
 * integer too large for 64 bits without saying so, so anything near
 * that is refused rather than taken for another conversation's id.
 */
static pb_status number_id(pb__convo_parser *p, json_object *v,
                           long long *out)
{
    int64_t n = json_object_get_int64(v);
    double d = json_object_get_double(v);

    if (json_object_is_type(v, json_type_int)) {
        if (n >= 0 && n <= IM_MAX_NUMBER_ID) {
            *out = (long long)n;
            return PB_OK;
        }
        d = n < 0 ? -1 : IM_MAX_NUMBER_ID + 1.0;
    }
    if (d < 0)
        return pb__convo_fail(p, "convo_id is below 0 (give such an id as a "
                              "string)");
    if (!(d <= (double)IM_MAX_NUMBER_ID))
        return pb__convo_fail(p, "convo_id is too large (a number may be "
                              "up to %lld; give a larger id as a string)",
                              IM_MAX_NUMBER_ID);
    if (d != floor(d))
        return pb__convo_fail(p, "convo_id %.40s is not a whole number "
                              "(give such an id as a string)",
                              json_object_get_string(v));
    *out = (long long)d;
    return PB_OK;
}

/* id, title and description; k is the conversation's number (1-based). */
static pb_status name_convo(pb__convo_parser *p, json_object *conv,
                            pb__convo *cv, size_t k)
{
    json_object *v;
    const char *s;
    size_t n;
    char flow[80], sub[80];

    if (json_object_object_get_ex(conv, "convo_id", &v)) {
        if (json_object_is_type(v, json_type_int) ||
            json_object_is_type(v, json_type_double)) {
            long long id = 0;
            pb_status st = number_id(p, v, &id);

            if (st != PB_OK)
                return st;
            cv->id = pb__convo_printf("abcd-%lld", id);
        } else if (json_object_is_type(v, json_type_string)) {
            s = json_object_get_string(v);
            if (!pb__convo_valid_id(s))
                return pb__convo_fail(p, "bad convo_id '%.40s' (letters, "
                                      "digits, _ and -, at most %d)", s,
                                      PB__CONVO_MAX_ID);
            cv->id = pb__convo_printf("abcd-%s", s);
        } else {
            return pb__convo_fail(p, "convo_id is %s (it must be a number "
                                  "or a string)", json_kind(v));
        }
    } else {
        pb__convo_stem(p, &s, &n);
        cv->id = pb__convo_printf("%.*s-%zu", (int)(n > 40 ? 40 : n), s, k);
        if (cv->id != NULL)
            for (n = 0; cv->id[n] != '\0'; n++)
                if (!pb__ascii_id(cv->id[n]))
                    cv->id[n] = '-';
    }
    if (cv->id == NULL)
        return pb__convo_nomem(p);
    if (cv->flow != NULL) {
        humanize(cv->flow, flow, sizeof flow);
        if (flow[0] >= 'a' && flow[0] <= 'z')
            flow[0] = (char)(flow[0] - 'a' + 'A');
        humanize(cv->subflow != NULL ? cv->subflow : "", sub, sizeof sub);
        cv->title = pb__convo_printf("%s%s%s (%s)", flow, sub[0] ? ": " : "",
                                     sub, cv->id);
        cv->description = pb__convo_printf(
            "Conversation %s (flow %s%s%s), imported from %s. "
            PB__CONVO_SYNTHETIC,
            cv->id, cv->flow, cv->subflow ? ", subflow " : "",
            cv->subflow ? cv->subflow : "", p->base);
    } else {
        cv->title = pb__convo_printf("Conversation %s", cv->id);
        cv->description = pb__convo_printf(
            "Conversation %s, imported from %s. " PB__CONVO_SYNTHETIC,
            cv->id, p->base);
    }
    if (cv->title == NULL || cv->description == NULL)
        return pb__convo_nomem(p);
    return PB_OK;
}

static pb_status read_turns(pb__convo_parser *p, json_object *orig,
                            pb__convo *cv)
{
    size_t i, n = json_object_array_length(orig), first = p->im->len;
    json_object *turn, *who, *what;
    pb__convo_turn *t;
    int speaker;
    char *text;
    pb_status st;
    char what_buf[40];

    if (n == 0)
        return pb__convo_fail(p, "no turns (\"original\" is empty)");
    if (n > PB_IMPORT_MAX_TURNS)
        return pb__convo_fail(p, "too many turns (%zu, over %u)", n,
                              PB_IMPORT_MAX_TURNS);
    for (i = 0; i < n; i++) {
        turn = json_object_array_get_idx(orig, i);
        if (!json_object_is_type(turn, json_type_array) ||
            json_object_array_length(turn) != 2)
            return pb__convo_fail(p, "turn %zu: expected [speaker, text], "
                                  "found %s", i + 1, turn == NULL ? "null"
                                  : json_object_is_type(turn, json_type_array)
                                  ? "a list that is not a pair"
                                  : json_kind(turn));
        who = json_object_array_get_idx(turn, 0);
        what = json_object_array_get_idx(turn, 1);
        if (!json_object_is_type(who, json_type_string))
            return pb__convo_fail(p, "turn %zu: the speaker is %s (agent, "
                                  "customer or action)", i + 1,
                                  who == NULL ? "null" : json_kind(who));
        speaker = pb__convo_speaker(json_object_get_string(who),
                                    (size_t)json_object_get_string_len(who));
        if (speaker < 0)
            return pb__convo_fail(p, "turn %zu: unknown speaker '%.40s' "
                                  "(agent, customer or action)", i + 1,
                                  json_object_get_string(who));
        if (!json_object_is_type(what, json_type_string))
            return pb__convo_fail(p, "turn %zu: the text is %s, not a "
                                  "string", i + 1,
                                  what == NULL ? "null" : json_kind(what));
        snprintf(what_buf, sizeof what_buf, "turn %zu", i + 1);
        if ((st = json_text(p, what, what_buf, &text)) != PB_OK)
            return st;
        if (text[0] == '\0') {
            free(text);
            return pb__convo_fail(p, "turn %zu: empty turn (no text)", i + 1);
        }
        if (strlen(text) > PB__CONVO_MAX_TEXT) {
            free(text);
            return pb__convo_fail(p, "turn %zu: turn too long (over %u bytes)",
                                  i + 1, PB__CONVO_MAX_TEXT);
        }
        if ((t = pb__convo_new_turn(p->im, cv, speaker)) == NULL ||
            pb__convo_append(p->im, t, text, strlen(text), 0) != 0) {
            free(text);
            return pb__convo_nomem(p);
        }
        free(text);
        if (p->im->len - first > PB_SCENARIO_MAX_BYTES)
            return pb__convo_fail(p, "turn %zu: too long for one scenario "
                                  "(over %u bytes of text): split the "
                                  "conversation", i + 1,
                                  PB_SCENARIO_MAX_BYTES);
    }
    return PB_OK;
}

/* One conversation object; k is its number in the list (1-based), 0 for
 * a file that holds a single conversation. */
static pb_status read_convo(pb__convo_parser *p, json_object *conv, size_t k)
{
    json_object *orig;
    pb__convo *cv;
    const char *topic;
    size_t i;
    pb_status st;

    if (k > 0)
        snprintf(p->where, sizeof p->where, "conversation %zu: ", k);
    else
        p->where[0] = '\0';
    if (!json_object_is_type(conv, json_type_object))
        return pb__convo_fail(p, "expected a conversation object, found %s "
                              "(the file must be a list of conversations "
                              "with \"original\" turns, as in ABCD)",
                              json_kind(conv));
    if (p->im->n >= PB_IMPORT_MAX_CONVERSATIONS)
        return pb__convo_fail(p, "too many conversations (over %u in one "
                              "file)", PB_IMPORT_MAX_CONVERSATIONS);
    if ((cv = pb__convo_new(p->im)) == NULL)
        return pb__convo_nomem(p);
    if ((st = read_flow(p, conv, cv)) != PB_OK ||
        (st = name_convo(p, conv, cv, k > 0 ? k : 1)) != PB_OK)
        return st;
    if (k > 0)
        snprintf(p->where, sizeof p->where, "conversation %zu (%s): ", k,
                 cv->id);
    for (i = 0; i + 1 < p->im->n; i++)
        if (strcmp(p->im->convos[i].id, cv->id) == 0)
            return pb__convo_fail(p, "id %s again (conversation %zu has it)",
                                  cv->id, i + 1);
    if (!json_object_object_get_ex(conv, "original", &orig) ||
        !json_object_is_type(orig, json_type_array))
        return pb__convo_fail(p, "no \"original\" list of [speaker, text] "
                              "turns (not an ABCD conversation)");
    if ((st = read_turns(p, orig, cv)) != PB_OK)
        return st;
    pb__convo_times(p->im, cv);
    topic = p->opts->topic != NULL ? p->opts->topic
                                   : abcd_topic(cv->flow, cv->subflow);
    if (topic != NULL && (cv->topic = strdup(topic)) == NULL)
        return pb__convo_nomem(p);
    if ((cv->channel = strdup(p->opts->channel ? p->opts->channel
                                                : "chat")) == NULL)
        return pb__convo_nomem(p);
    p->where[0] = '\0';
    return PB_OK;
}

/*
 * json-c spends 30 to 70 bytes on every value it parses, so a list of
 * two-byte numbers costs 30 times its size.  Before a conversation goes
 * to json-c, its values (openings and commas outside strings) are counted
 * here, up to its end or the cap; syntax is left to json-c.
 */
static pb_status json_budget(pb__convo_parser *p, size_t at)
{
    const char *b = p->buf;
    size_t i, count = 0;
    int depth = 0;

    for (i = at; i < p->len; i++) {
        switch (b[i]) {
        case '"':
            for (i++; i < p->len && b[i] != '"'; i++)
                i += b[i] == '\\';
            break;
        case '[':
        case '{':
            depth++;
            count++;
            break;
        case ']':
        case '}':
            if (--depth <= 0)
                return PB_OK;
            break;
        case ',':
            count++;
            break;
        }
        if (count > IM_JSON_VALUES)
            return pb__convo_fail(p, "too many JSON values (over %u in one "
                                  "conversation)", IM_JSON_VALUES);
    }
    return PB_OK;
}

/* One JSON value at offset *at, into *out; *at moves past it. */
static pb_status json_value(pb__convo_parser *p, json_tokener *tok,
                            size_t *at, json_object **out)
{
    size_t rest = p->len - *at, end;
    enum json_tokener_error e;
    int col, line;

    json_tokener_reset(tok);
    *out = json_tokener_parse_ex(tok, p->buf + *at, (int)rest);
    e = json_tokener_get_error(tok);
    end = json_tokener_get_parse_end(tok);
    if (e == json_tokener_success && *out != NULL) {
        *at += end;
        return PB_OK;
    }
    json_object_put(*out);
    *out = NULL;
    if (e == json_tokener_success)
        return pb__convo_nomem(p); /* a value parsed, and nothing to show */
    line = pb__convo_line(p, *at + end, &col);
    if (e == json_tokener_continue)
        return pb__error(p->err, PB_INPUT, p->name, line,
                         "invalid JSON: the file ends inside a value "
                         "(truncated?)");
    if (e == json_tokener_error_depth)
        return pb__error(p->err, PB_INPUT, p->name, line, "invalid JSON: "
                         "nested too deeply (over %d levels) at column %d",
                         IM_JSON_DEPTH, col);
    return pb__error(p->err, PB_INPUT, p->name, line,
                     "invalid JSON: %s at column %d",
                     json_tokener_error_desc(e), col);
}

static pb_status json_expected(pb__convo_parser *p, size_t at,
                               const char *what)
{
    int col, line = pb__convo_line(p, at, &col);

    if (at >= p->len)
        return pb__error(p->err, PB_INPUT, p->name, line, "invalid JSON: "
                         "the file ends where %s should be (truncated?)",
                         what);
    return pb__error(p->err, PB_INPUT, p->name, line, "invalid JSON: "
                     "expected %s at column %d", what, col);
}

/*
 * A list of conversations, walked here so that json-c holds one at a
 * time; or a single conversation object.
 */
pb_status pb__import_json(pb__convo_parser *p, size_t at)
{
    const char *b = p->buf;
    json_tokener *tok;
    json_object *conv = NULL;
    size_t k = 0;
    pb_status st = PB_OK;
    int col, line;

    if ((tok = json_tokener_new_ex(IM_JSON_DEPTH)) == NULL)
        return pb__convo_nomem(p);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
                                JSON_TOKENER_ALLOW_TRAILING_CHARS);
    at = pb__convo_skip_space(b, at, p->len);
    if (at < p->len && b[at] == '{') {
        if ((st = json_budget(p, at)) != PB_OK ||
            (st = json_value(p, tok, &at, &conv)) != PB_OK ||
            (st = read_convo(p, conv, 0)) != PB_OK)
            goto done;
    } else if (at < p->len && b[at] == '[') {
        at = pb__convo_skip_space(b, at + 1, p->len);
        if (at < p->len && b[at] == ']') {
            st = pb__error(p->err, PB_INPUT, p->name, 0, "no conversations "
                           "(the list is empty)");
            goto done;
        }
        for (;;) {
            snprintf(p->where, sizeof p->where, "conversation %zu: ", ++k);
            if ((st = json_budget(p, at)) != PB_OK ||
                (st = json_value(p, tok, &at, &conv)) != PB_OK ||
                (st = read_convo(p, conv, k)) != PB_OK)
                goto done;
            json_object_put(conv);
            conv = NULL;
            at = pb__convo_skip_space(b, at, p->len);
            if (at < p->len && b[at] == ']')
                break;
            if (at >= p->len || b[at] != ',') {
                st = json_expected(p, at, "',' or ']' after a conversation");
                goto done;
            }
            at = pb__convo_skip_space(b, at + 1, p->len);
        }
        at++;
    } else {
        line = pb__convo_line(p, at, &col);
        st = pb__error(p->err, PB_INPUT, p->name, line, "not a list of "
                       "conversations: expected '[' or '{' at column %d",
                       col);
        goto done;
    }
    at = pb__convo_skip_space(b, at, p->len);
    if (at < p->len) {
        line = pb__convo_line(p, at, &col);
        st = pb__error(p->err, PB_INPUT, p->name, line, "invalid JSON: "
                       "text after the end of the %s at column %d",
                       k > 0 ? "list" : "conversation", col);
    }
done:
    json_object_put(conv);
    json_tokener_free(tok);
    return st;
}

