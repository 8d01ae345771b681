/*
 * command.c -- the live command line: what an agent types during a call
 * ("c My parcel is late", "commit tomorrow 10:00 I'll call you back"),
 * read into the event it records.
 *
 * A pure function of the line, so it can be fuzzed and tested alone: the
 * line is copied once into the command's own buffer and cut into words
 * there, so nothing is allocated and nothing outlives the pb_command.
 * Errors name the column (in characters) where the line goes wrong,
 * which the live session turns into a caret under the typed text.
 */
#include <stdio.h>
#include <string.h>

#include "ascii.h"
#include "error.h"
#include "playbook.h"
#include "utf8.h"
#include "writer.h"

#define MAX_DUE_WORDS 8 /* "by friday at 10:30 at the latest" is 7 */
#define MAX_NAME 64     /* fact names, item refs, typos worth fixing */

/* What follows a command's name. */
typedef enum {
    A_NONE,       /* nothing */
    A_TEXT,       /* <text> */
    A_OPT_TEXT,   /* [text] */
    A_FACT_TEXT,  /* <fact> [text] */
    A_DUE_TEXT,   /* <due> [text] */
    A_NAME_VALUE, /* name=value */
    A_TRANSFER,   /* <to> warm|cold [text] */
    A_TO_TEXT,    /* <to> [text] */
    A_FOLLOWUP,   /* <due> [text] | done fixed|not_fixed [text] */
    A_REF_TEXT,   /* <p.i> [text] */
    A_REF_REASON, /* <p.i> <reason> */
    A_UNDO,       /* [n] */
    A_EVENT,      /* <type> [name=value...] [text] */
    A_HELP        /* [command] */
} arg_shape;

typedef struct command_def {
    pb_command_info info;
    pb_command_kind kind;
    arg_shape shape;
    const char *attr; /* the attribute the first argument fills */
} command_def;

/* The table help prints, in this order: most used first. */
static const command_def commands[] = {
    {{"customer", "c", "<text>", "what the customer said",
      "customer.said"}, PB_CMD_EVENT, A_TEXT, NULL},
    {{"say", "a agent", "<text>", "what you said", "agent.said"},
     PB_CMD_EVENT, A_TEXT, NULL},
    {{"ask", "", "<fact> [text]", "you asked for a fact (order_id, ...)",
      "agent.asked"}, PB_CMD_EVENT, A_FACT_TEXT, "fact"},
    {{"fact", "", "name=value", "a fact you learned", "fact"},
     PB_CMD_EVENT, A_NAME_VALUE, "name"},
    {{"restate", "", "<text>", "you restated the problem",
      "agent.restated"}, PB_CMD_EVENT, A_TEXT, NULL},
    {{"confirmed", "", "[text]", "the customer agreed",
      "customer.confirmed"}, PB_CMD_EVENT, A_OPT_TEXT, NULL},
    {{"propose", "", "<text>", "you proposed a solution",
      "agent.proposed"}, PB_CMD_EVENT, A_TEXT, NULL},
    {{"explain", "", "<text>", "you explained the steps",
      "agent.explained"}, PB_CMD_EVENT, A_TEXT, NULL},
    {{"understood", "", "[text]", "the customer can follow the steps",
      "customer.understood"}, PB_CMD_EVENT, A_OPT_TEXT, NULL},
    {{"own", "", "[text]", "you took ownership", "agent.owned"},
     PB_CMD_EVENT, A_OPT_TEXT, NULL},
    {{"commit", "", "<due> [text]", "you committed to something by a time",
      "agent.committed"}, PB_CMD_EVENT, A_DUE_TEXT, "due"},
    {{"transfer", "", "<to> warm|cold [text]", "you handed the case over",
      "case.transferred"}, PB_CMD_EVENT, A_TRANSFER, "to"},
    {{"escalate", "", "<to> [text]", "you escalated the case",
      "case.escalated"}, PB_CMD_EVENT, A_TO_TEXT, "to"},
    {{"followup", "", "<due> [text] | done fixed|not_fixed",
      "a follow-up planned, or done", "followup.scheduled"},
     PB_CMD_EVENT, A_FOLLOWUP, "due"},
    {{"abusive", "", "[text]", "the customer became abusive",
      "customer.abusive"}, PB_CMD_EVENT, A_OPT_TEXT, NULL},
    {{"acknowledge", "ack", "[text]", "you acknowledged their frustration",
      "agent.acknowledged"}, PB_CMD_EVENT, A_OPT_TEXT, NULL},
    {{"boundary", "", "[text]", "you set a professional boundary",
      "agent.boundary"}, PB_CMD_EVENT, A_OPT_TEXT, NULL},
    {{"offer", "", "[text]", "you offered a supervisor or another channel",
      "agent.offered_escalation"}, PB_CMD_EVENT, A_OPT_TEXT, NULL},
    {{"recovered", "", "[text]", "you took a moment after a hard call",
      "agent.recovered"}, PB_CMD_EVENT, A_OPT_TEXT, NULL},
    {{"check", "", "<item> [text]", "tick an item (listen.restate) by hand",
      "item.checked"}, PB_CMD_EVENT, A_REF_TEXT, "ref"},
    {{"skip", "", "<item> <reason>", "skip an item, with a reason",
      "item.skipped"}, PB_CMD_EVENT, A_REF_REASON, "ref"},
    {{"resolve", "", "[text]", "the problem is resolved", "case.resolved"},
     PB_CMD_EVENT, A_OPT_TEXT, NULL},
    {{"event", "", "<type> [name=value...] [text]", "any other event",
      "(any)"}, PB_CMD_EVENT, A_EVENT, NULL},
    {{"undo", "", "[n]", "mark your last event (or event n) as a mistake",
      "event.undone"}, PB_CMD_UNDO, A_UNDO, NULL},
    {{"end", "", "[text]", "the call or chat is over: see the summary; "
      "the case stays open for follow-ups", "contact.ended"}, PB_CMD_CLOSE,
     A_OPT_TEXT, NULL},
    {{"close", "", "[text]", "close the case for good: no event can follow",
      "case.closed"}, PB_CMD_CLOSE, A_OPT_TEXT, NULL},
    {{"show", "", "", "the whole checklist, with prompts", NULL},
     PB_CMD_SHOW, A_NONE, NULL},
    {{"log", "", "", "the events so far, numbered", NULL}, PB_CMD_LOG,
     A_NONE, NULL},
    {{"help", "h ?", "[command]", "this list, or one command", NULL},
     PB_CMD_HELP, A_HELP, NULL},
    {{"quit", "q exit", "", "leave; the case stays open to resume", NULL},
     PB_CMD_QUIT, A_NONE, NULL},
};

#define NCOMMANDS (sizeof commands / sizeof *commands)

size_t pb_command_count(void) { return NCOMMANDS; }

const pb_command_info *pb_command_get(size_t i)
{
    return i < NCOMMANDS ? &commands[i].info : NULL;
}

/* Command names, ASCII case ignored. */

static int same_word(const char *a, const char *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (b[i] == '\0' || pb__ascii_lower(a[i]) != pb__ascii_lower(b[i]))
            return 0;
    return b[n] == '\0';
}

/* Whether word (n bytes) is one of the space-separated names in list. */
static int in_list(const char *word, size_t n, const char *list)
{
    while (*list) {
        size_t k = strcspn(list, " ");

        if (k == n) {
            size_t i;

            for (i = 0; i < n && pb__ascii_lower(word[i]) == list[i];
                 i++)
                ;
            if (i == n)
                return 1;
        }
        list += k;
        while (*list == ' ')
            list++;
    }
    return 0;
}

static const command_def *find(const char *word, size_t n)
{
    size_t i;

    for (i = 0; i < NCOMMANDS; i++)
        if (same_word(word, commands[i].info.name, n) ||
            in_list(word, n, commands[i].info.aliases))
            return &commands[i];
    return NULL;
}

const char *pb_command_lookup(const char *word)
{
    const command_def *d = word ? find(word, strlen(word)) : NULL;

    return d ? d->info.name : NULL;
}

/* Edit distance with adjacent swaps (optimal string alignment), ASCII
 * case ignored.  Three rows on the stack: words are short. */
static size_t distance(const char *a, size_t la, const char *b, size_t lb)
{
    size_t rows[3][MAX_NAME + 1], *pp = rows[0], *p = rows[1], *c = rows[2];
    size_t i, j;

    for (j = 0; j <= lb; j++)
        p[j] = j;
    for (i = 1; i <= la; i++) {
        size_t *t;

        c[0] = i;
        for (j = 1; j <= lb; j++) {
            int ca = pb__ascii_lower(a[i - 1]);
            int cb = pb__ascii_lower(b[j - 1]);
            size_t best = p[j - 1] + (ca != cb);

            if (p[j] + 1 < best)
                best = p[j] + 1;
            if (c[j - 1] + 1 < best)
                best = c[j - 1] + 1;
            if (i > 1 && j > 1 && ca == pb__ascii_lower(b[j - 2]) &&
                pb__ascii_lower(a[i - 2]) == cb && pp[j - 2] + 1 < best)
                best = pp[j - 2] + 1;
            c[j] = best;
        }
        t = pp, pp = p, p = c, c = t;
    }
    return p[lb];
}

/* Close enough to be a typo: about one edit in three characters. */
static int close_enough(size_t d, size_t la, size_t lb)
{
    return d > 0 && d * 3 <= (la > lb ? la : lb);
}

static long closest(const char *word, size_t lw, const char *const *names,
                    size_t n)
{
    size_t i, best = (size_t)-1, bestd = (size_t)-1;

    if (lw > MAX_NAME)
        return -1;
    for (i = 0; i < n; i++) {
        size_t ln = names[i] ? strlen(names[i]) : MAX_NAME + 1, d;

        if (ln > MAX_NAME)
            continue;
        d = distance(word, lw, names[i], ln);
        if (d == 0)
            return (long)i;
        if (d < bestd && close_enough(d, lw, ln)) {
            bestd = d;
            best = i;
        }
    }
    return best == (size_t)-1 ? -1 : (long)best;
}

long pb_command_closest(const char *word, const char *const *names,
                        size_t n)
{
    return word ? closest(word, strlen(word), names, n) : -1;
}

/* The command whose name or alias is closest to a word that is neither,
 * by its name: the aliases are split in a buffer on this stack. */
static const char *suggest(const char *word, size_t n)
{
    const char *names[NCOMMANDS * 3];
    size_t owner[NCOMMANDS * 3];
    char split[NCOMMANDS][32];
    size_t i, k = 0;
    long best;

    for (i = 0; i < NCOMMANDS; i++) {
        const char *a = commands[i].info.aliases;
        char *s = split[i];

        owner[k] = i;
        names[k++] = commands[i].info.name;
        snprintf(s, sizeof split[i], "%s", a);
        while (*s && k < sizeof names / sizeof *names) {
            owner[k] = i;
            names[k++] = s;
            s += strcspn(s, " ");
            if (*s)
                *s++ = '\0';
        }
    }
    best = closest(word, n, names, k);
    /* A one-letter alias is too easy to hit by chance to suggest. */
    if (best < 0 || strlen(names[best]) < 2)
        return NULL;
    return commands[owner[best]].info.name;
}

/* Parsing. */

typedef struct parser {
    pb_command *cmd;
    char *p;        /* next unread byte of cmd->buf */
    pb_error *err;
} parser;

/* 1-based column of position q, in characters (valid UTF-8 by now). */
static int column_of(const pb_command *cmd, const char *q)
{
    const unsigned char *s = (const unsigned char *)cmd->buf;
    int col = 1;

    for (; (const char *)s < q; s++)
        if ((*s & 0xc0) != 0x80)
            col++;
    return col;
}

static pb_status fail_at(parser *ps, const char *at, const char *fmt, ...)
    PB__PRINTF(3, 4);

static pb_status fail_at(parser *ps, const char *at, const char *fmt, ...)
{
    char msg[sizeof ps->err->message];
    va_list ap;
    pb_command *cmd = ps->cmd;
    int col = at ? column_of(cmd, at) : (int)PB_COMMAND_MAX_LINE + 1;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    memset(cmd, 0, offsetof(pb_command, buf));
    cmd->kind = PB_CMD_NOTHING;
    cmd->column = col;
    return pb__error(ps->err, PB_INPUT, "", 0, "column %d: %s", col, msg);
}

static void skip_space(parser *ps)
{
    while (pb__ascii_space(*ps->p))
        ps->p++;
}

/* The next word, NUL-terminated in place; NULL at the end of the line. */
static char *word(parser *ps)
{
    char *w;

    skip_space(ps);
    if (*ps->p == '\0')
        return NULL;
    w = ps->p;
    while (*ps->p && !pb__ascii_space(*ps->p))
        ps->p++;
    if (*ps->p)
        *ps->p++ = '\0';
    return w;
}

/* The rest of the line, trimmed; NULL when empty. */
static char *rest(parser *ps)
{
    char *s, *e;

    skip_space(ps);
    s = ps->p;
    e = s + strlen(s);
    while (e > s && pb__ascii_space(e[-1]))
        *--e = '\0';
    ps->p = e;
    return *s ? s : NULL;
}

/* Letters, digits, _, - and . after a letter or _: a name the case file
 * can carry as a fact or attribute. */
static int is_name(const char *s)
{
    const char *p = s;

    if (!pb__ascii_alpha(*p) && *p != '_')
        return 0;
    for (p++; *p; p++)
        if (!pb__ascii_alpha(*p) && !pb__ascii_digit(*p) &&
            *p != '_' && *p != '-' && *p != '.')
            return 0;
    return p - s <= MAX_NAME;
}

/* One part of "principle.item" or of an event type. */
static const char *ident(const char *p)
{
    const char *s = p;

    while (pb__ascii_alpha(*p) || pb__ascii_digit(*p) ||
           *p == '_' || *p == '-')
        p++;
    return p > s ? p : NULL;
}

static int is_ref(const char *s)
{
    const char *p = ident(s);

    if (p == NULL || *p != '.' || (p = ident(p + 1)) == NULL)
        return 0;
    return *p == '\0' && strlen(s) <= MAX_NAME * 2;
}

static int is_type(const char *s)
{
    const char *p = s;

    for (;;) {
        if ((p = ident(p)) == NULL)
            return 0;
        if (*p == '\0')
            return p - s <= MAX_NAME * 2;
        if (*p++ != '.')
            return 0;
    }
}

static void add_attr(pb_command *cmd, const char *name, const char *value)
{
    cmd->attrs[cmd->nattrs].name = name;
    cmd->attrs[cmd->nattrs].value = value;
    cmd->nattrs++;
}

static int due_ok(const char *s, size_t n)
{
    char buf[128];
    double t;

    if (n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return pb_due_parse(buf, 0, &t) == PB_OK;
}

/*
 * A due time at the start of the rest: the longest run of words (up to
 * MAX_DUE_WORDS) that pb_due_parse reads, so "tomorrow 10:00 I'll call"
 * is due "tomorrow 10:00" with the text "I'll call".
 */
static pb_status due(parser *ps, const char *what)
{
    pb_command *cmd = ps->cmd;
    char *start, *ends[MAX_DUE_WORDS], *q;
    int n = 0, k;

    skip_space(ps);
    start = ps->p;
    if (*start == '\0')
        return fail_at(ps, start, "%s needs a due time (in 2h, tomorrow "
                       "10:00, friday, 2026-12-01T10:00)", what);
    for (q = start; *q && n < MAX_DUE_WORDS;) {
        while (*q && !pb__ascii_space(*q))
            q++;
        ends[n++] = q;
        while (pb__ascii_space(*q))
            q++;
    }
    for (k = n - 1; k >= 0; k--)
        if (due_ok(start, (size_t)(ends[k] - start)))
            break;
    if (k < 0) {
        size_t shown = (size_t)(ends[n - 1] - start);

        return fail_at(ps, start, "cannot read the due time '%.*s' (try "
                       "in 2h, tomorrow 10:00, friday 9:30, end of day, "
                       "2026-12-01T10:00)", (int)(shown > 60 ? 60 : shown),
                       start);
    }
    ps->p = ends[k];
    if (*ps->p)
        *ps->p++ = '\0';
    cmd->due = start;
    add_attr(cmd, "due", start);
    return PB_OK;
}

/* "name=value", "name=\"a value\"" of the event command.  *taken is 0
 * (and nothing moves) when the next word is no attribute. */
static pb_status event_attr(parser *ps, int *taken)
{
    pb_command *cmd = ps->cmd;
    char *s, *eq, *v, *end;

    *taken = 0;
    skip_space(ps);
    s = ps->p;
    for (eq = s; *eq && *eq != '=' && !pb__ascii_space(*eq); eq++)
        ;
    if (*eq != '=' || eq == s)
        return PB_OK;
    *eq = '\0';
    if (!is_name(s)) {
        *eq = '=';
        return PB_OK; /* text that happens to hold a '=' */
    }
    if (strcmp(s, "t") == 0 || strcmp(s, "type") == 0)
        return fail_at(ps, s, "attribute '%s' is taken by the event itself",
                       s);
    if (cmd->nattrs == PB_COMMAND_MAX_ATTRS)
        return fail_at(ps, s, "at most %u attributes",
                       PB_COMMAND_MAX_ATTRS);
    v = eq + 1;
    if (*v == '"') {
        if ((end = strchr(v + 1, '"')) == NULL)
            return fail_at(ps, v, "no closing quote");
        *end = '\0';
        ps->p = end + 1;
        if (*ps->p && !pb__ascii_space(*ps->p))
            return fail_at(ps, ps->p, "a space must follow the closing "
                           "quote");
        v++;
    } else {
        for (end = v; *end && !pb__ascii_space(*end); end++)
            ;
        ps->p = end;
        if (*end)
            *ps->p++ = '\0';
    }
    if (*v == '\0')
        return fail_at(ps, eq + 1, "attribute '%s' has no value", s);
    add_attr(cmd, s, v);
    *taken = 1;
    return PB_OK;
}

static pb_status parse_args(parser *ps, const command_def *d, char *after)
{
    pb_command *cmd = ps->cmd;
    const char *name = d->info.name;
    char *w, *q;
    pb_status st;
    int taken;

    switch (d->shape) {
    case A_NONE:
        skip_space(ps);
        if (*ps->p)
            return fail_at(ps, ps->p, "%s takes nothing after it", name);
        return PB_OK;
    case A_TEXT:
        if ((cmd->text = rest(ps)) == NULL)
            return fail_at(ps, ps->p, "%s needs a text (%s %s)", name,
                           name, d->info.args);
        return PB_OK;
    case A_OPT_TEXT:
        cmd->text = rest(ps);
        return PB_OK;
    case A_FACT_TEXT:
        if ((w = word(ps)) == NULL)
            return fail_at(ps, ps->p, "%s needs the fact asked for (ask "
                           "order_id Could I have your order number?)",
                           name);
        if (!is_name(w))
            return fail_at(ps, w, "'%s' is not a fact name (letters, "
                           "digits, _, - and .)", w);
        add_attr(cmd, d->attr, w);
        cmd->text = rest(ps);
        return PB_OK;
    case A_DUE_TEXT:
        if ((st = due(ps, name)) != PB_OK)
            return st;
        cmd->text = rest(ps);
        return PB_OK;
    case A_NAME_VALUE:
        skip_space(ps);
        w = ps->p;
        if ((q = strchr(w, '=')) == NULL)
            return fail_at(ps, *w ? w : after, "fact needs name=value "
                           "(fact order_id=A-1042)");
        *q = '\0';
        ps->p = q + 1;
        for (; q > w && pb__ascii_space(q[-1]); q--)
            q[-1] = '\0';
        if (*w == '\0')
            return fail_at(ps, w, "no fact name before '=' (fact "
                           "order_id=A-1042)");
        if (!is_name(w))
            return fail_at(ps, w, "'%s' is not a fact name (letters, "
                           "digits, _, - and ., no spaces)", w);
        add_attr(cmd, d->attr, w);
        if ((cmd->text = rest(ps)) == NULL)
            return fail_at(ps, ps->p, "fact '%s' needs a value after '='",
                           w);
        return PB_OK;
    case A_TRANSFER:
    case A_TO_TEXT:
        if ((w = word(ps)) == NULL)
            return fail_at(ps, ps->p, "%s needs who to (%s %s)", name, name,
                           d->info.args);
        add_attr(cmd, d->attr, w);
        if (d->shape == A_TRANSFER) {
            q = word(ps);
            if (q == NULL || (!same_word(q, "warm", strlen(q)) &&
                              !same_word(q, "cold", strlen(q))))
                return fail_at(ps, q ? q : ps->p, "say warm or cold after "
                               "who to (transfer billing warm: you "
                               "introduced the case first)");
            add_attr(cmd, "warm", pb__ascii_lower(*q) == 'w' ? "yes"
                                                                  : "no");
        }
        cmd->text = rest(ps);
        return PB_OK;
    case A_FOLLOWUP:
        skip_space(ps);
        q = ps->p;
        if ((w = word(ps)) != NULL && same_word(w, "done", strlen(w))) {
            cmd->type = "followup.done";
            if ((w = word(ps)) != NULL && same_word(w, "fixed", strlen(w)))
                add_attr(cmd, "outcome", "fixed");
            else if (w != NULL && (same_word(w, "not_fixed", strlen(w)) ||
                                   same_word(w, "not-fixed", strlen(w))))
                add_attr(cmd, "outcome", "not_fixed");
            else
                return fail_at(ps, w ? w : ps->p, "say fixed or not_fixed "
                               "after followup done");
            cmd->text = rest(ps);
            return PB_OK;
        }
        if (w != NULL && ps->p > w + strlen(w))
            w[strlen(w)] = ' '; /* put the word back for due() */
        ps->p = q;
        if ((st = due(ps, name)) != PB_OK)
            return st;
        cmd->text = rest(ps);
        return PB_OK;
    case A_REF_TEXT:
    case A_REF_REASON:
        if ((w = word(ps)) == NULL)
            return fail_at(ps, ps->p, "%s needs an item (%s %s)", name,
                           name, d->info.args);
        if (!is_ref(w))
            return fail_at(ps, w, "'%s' is not an item: principle.item, "
                           "as in listen.restate", w);
        add_attr(cmd, d->attr, w);
        cmd->text = rest(ps);
        if (d->shape == A_REF_REASON && cmd->text == NULL)
            return fail_at(ps, ps->p, "skip needs a reason after the item "
                           "(skip %s customer had to leave)", w);
        return PB_OK;
    case A_UNDO:
        if ((w = word(ps)) != NULL) {
            unsigned long n = 0;

            q = w + (*w == '#');
            if (*q == '\0')
                return fail_at(ps, w, "undo takes an event number (undo "
                               "or undo 7)");
            for (; pb__ascii_digit(*q) && n < 1000000000ul; q++)
                n = n * 10 + (unsigned long)(*q - '0');
            if (*q != '\0' || n == 0)
                return fail_at(ps, w, "undo takes an event number as log "
                               "shows it (undo 7), not '%s'", w);
            cmd->ref = n;
        }
        skip_space(ps);
        if (*ps->p)
            return fail_at(ps, ps->p, "undo takes at most one event number");
        return PB_OK;
    case A_EVENT:
        if ((w = word(ps)) == NULL)
            return fail_at(ps, ps->p, "event needs a type (event "
                           "agent.acknowledged I can hear this is hard)");
        if (!is_type(w))
            return fail_at(ps, w, "'%s' is not an event type (dotted words "
                           "of letters, digits, _ and -)", w);
        cmd->type = w;
        do {
            if ((st = event_attr(ps, &taken)) != PB_OK)
                return st;
        } while (taken);
        skip_space(ps);
        if (ps->p[0] == '-' && ps->p[1] == '-' &&
            (ps->p[2] == '\0' || pb__ascii_space(ps->p[2])))
            ps->p += 2;
        cmd->text = rest(ps);
        return PB_OK;
    case A_HELP:
        if ((w = word(ps)) != NULL) {
            const command_def *t = find(w, strlen(w));

            if (t == NULL) {
                const char *s = suggest(w, strlen(w));

                return fail_at(ps, w, "no command '%s'%s%s%s", w,
                               s ? " (did you mean " : "", s ? s : "",
                               s ? "?)" : "");
            }
            cmd->topic = t->info.name;
        }
        skip_space(ps);
        if (*ps->p)
            return fail_at(ps, ps->p, "help takes one command name");
        return PB_OK;
    }
    return PB_OK;
}

/*
 * Copies the line into buf: without its newline, tabs as spaces, and
 * refusing what no event text may hold (XML 1.0 text in UTF-8: no
 * control characters, no surrogates, no U+FFFE or U+FFFF).
 */
static pb_status copy_line(parser *ps, const char *line, size_t len)
{
    pb_command *cmd = ps->cmd;
    const unsigned char *s = (const unsigned char *)line;
    size_t i;
    int col = 1;

    if (len > 0 && line[len - 1] == '\n')
        len--;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len > PB_COMMAND_MAX_LINE) {
        cmd->buf[0] = '\0';
        return fail_at(ps, NULL, "line too long: %zu bytes, at most %u",
                       len, PB_COMMAND_MAX_LINE);
    }
    for (i = 0; i < len; col++) {
        unsigned long cp;
        size_t n;

        if (s[i] < 0x80) {
            if (s[i] == '\t') {
                cmd->buf[i++] = ' ';
                continue;
            }
            if (s[i] < 0x20 || s[i] == 0x7f) {
                cmd->buf[i] = '\0';
                return fail_at(ps, cmd->buf + i, "%s 0x%02x in the line%s",
                               s[i] ? "control character" : "NUL byte",
                               s[i], s[i] == 0x1b ? " (an escape sequence?)"
                                                  : "");
            }
            cmd->buf[i] = (char)s[i];
            i++;
            continue;
        }
        n = pb__utf8_next(line + i, len - i, &cp);
        if (!pb__utf8_xml_char(cp)) {
            cmd->buf[i] = '\0';
            return fail_at(ps, cmd->buf + i, "not valid UTF-8 (byte "
                           "0x%02x)", s[i]);
        }
        memcpy(cmd->buf + i, s + i, n);
        i += n;
    }
    cmd->buf[len] = '\0';
    return PB_OK;
}

pb_status pb_command_parse(const char *line, size_t len, pb_command *out,
                           pb_error *err)
{
    parser ps;
    const command_def *d;
    const char *s;
    char *w;
    pb_status st;

    memset(out, 0, offsetof(pb_command, buf));
    out->buf[0] = '\0';
    ps.cmd = out;
    ps.p = out->buf;
    ps.err = err;
    if (line == NULL)
        len = 0;
    if ((st = copy_line(&ps, line, len)) != PB_OK)
        return st;
    skip_space(&ps);
    if (*ps.p == '\0' || *ps.p == '#')
        return PB_OK; /* nothing to do */
    w = word(&ps);
    if ((d = find(w, strlen(w))) == NULL) {
        if ((s = suggest(w, strlen(w))) != NULL)
            return fail_at(&ps, w, "unknown command '%s': did you mean "
                           "'%s'? (help lists the commands)", w, s);
        return fail_at(&ps, w, "unknown command '%s' (start the line with "
                       "a command: c TEXT for what the customer said, a "
                       "TEXT for what you said; help lists them all)", w);
    }
    out->kind = d->kind;
    out->name = d->info.name;
    if (d->info.type != NULL && d->shape != A_EVENT)
        out->type = d->info.type;
    if (d->kind == PB_CMD_UNDO)
        out->type = NULL; /* the caller finds the event and records it */
    return parse_args(&ps, d, ps.p);
}
