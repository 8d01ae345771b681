/*
 * event.c -- `playbook event`: one recorded event into a case file, for
 * CRM integrations and scripts.  The exit status is the acknowledgement:
 * 0 only once the event is durably saved.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: playbook event [-p DIR] [--topic T] [--channel C] [--agent A]\n"
    "                      [--team T] [--wait SECS] [--format text|json]\n"
    "                      CASEFILE TYPE [name=value...] [TEXT]\n"
    "\n"
    "Records one event in a case file and prints the new checklist.  The\n"
    "event's time is the seconds since the case started (the case's fact\n"
    "started_at).  A missing CASEFILE is created: --topic is needed then.\n"
    "Operands after TYPE of the form name=value are the event's attributes;\n"
    "the rest, joined by spaces, is its text (put -- before a text that\n"
    "looks like name=value).  docs/agents.md tells more.\n"
    "\n"
    "  -p, --principles DIR   principle folder or file; repeat to combine\n"
    "                         (default: $PLAYBOOK_PRINCIPLES, else the\n"
    "                         installed library, else ./principles)\n"
    "      --topic T          topic of a new case (an existing case must\n"
    "                         match)\n"
    "      --channel C        channel of a new case (phone, chat, ...)\n"
    "      --agent A          the agent handling a new case\n"
    "      --team T           the agent's team\n"
    "      --wait SECS        how long to wait for a case another session\n"
    "                         holds (default 5)\n"
    "  -f, --format FMT       text (default) or json\n"
    "\n"
    "examples:\n"
    "  playbook event --topic delivery --channel phone case.xml \\\n"
    "      customer.said 'My parcel is a week late!'\n"
    "  playbook event case.xml fact name=order_id A-1042\n"
    "  playbook event case.xml agent.committed due='tomorrow 10:00' \\\n"
    "      I will call you back with the tracking number.\n"
    "  playbook event case.xml contact.ended\n"
    "  playbook event case.xml followup.done outcome=fixed It works now.\n"
    "\n"
    "contact.ended ends a call or chat; the case stays open for what its\n"
    "principles leave for later (a follow-up), and closes itself when a\n"
    "contact ends with nothing left.  After that, and after case.closed,\n"
    "no event can be added.\n"
    "\n"
    "Exit: 0 the event is saved (it survives a crash from then on), 2 it is\n"
    "not: bad input or usage, the case is in use by another session, or it\n"
    "could not be saved (the message says why, e.g. disk full).\n";

/* name=value with an attribute-like name. */
static int is_attr(const char *s)
{
    const char *eq = strchr(s, '=');
    const char *p;

    if (eq == NULL || eq == s)
        return 0;
    for (p = s; p < eq; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              *p == '_' || (p > s && ((*p >= '0' && *p <= '9') ||
                                      *p == '-' || *p == '.'))))
            return 0;
    return 1;
}

static int parse_wait(const char *s, double *out)
{
    if (s == NULL) {
        *out = 5;
        return 0;
    }
    if (pb_time_parse(s, out) != PB_OK || *out > 3600)
        return cli_usage_error("event", "bad --wait '%s' (seconds)", s);
    return 0;
}

/* Operands from `from` on, joined by spaces; NULL when there are none. */
static char *join_text(const cli_opts *o, int from)
{
    size_t n = 0;
    char *s;
    int k;

    if (from >= o->nargs)
        return NULL;
    for (k = from; k < o->nargs; k++)
        n += strlen(o->args[k]) + 1;
    if ((s = malloc(n)) == NULL)
        return NULL;
    s[0] = '\0';
    for (n = 0, k = from; k < o->nargs; k++) {
        size_t len = strlen(o->args[k]);

        if (k > from)
            s[n++] = ' ';
        memcpy(s + n, o->args[k], len + 1);
        n += len;
    }
    return s;
}

/* Topic, channel, agent and team given for an existing case must be its
 * own. */
static int check_matches(const char *path, const char *what,
                         const char *want, const char *have)
{
    if (want == NULL || (have != NULL && strcmp(want, have) == 0))
        return 0;
    pb__text_printf(stderr, "playbook event: %s: the case's %s is '%s', "
                    "not '%s'\n", path, what, have ? have : "(none)", want);
    return -1;
}

int cli_event(int argc, char **argv)
{
    const char *topic = NULL, *channel = NULL, *wait_s = NULL;
    const char *agent = NULL, *team = NULL;
    const cli_option own[] = {
        { "--topic", &topic, NULL }, { "--channel", &channel, NULL },
        { "--agent", &agent, NULL }, { "--team", &team, NULL },
        { "--wait", &wait_s, NULL }, { NULL, NULL, NULL },
    };
    pb_casefile_opts co;
    pb_casefile *cf = NULL;
    pb_engine *e = NULL;
    pb_attr *attrs = NULL;
    char *text = NULL;
    size_t nattrs = 0, i;
    pb_format fmt;
    pb_error err;
    pb_status st;
    cli_opts o;
    int rc = EXIT_BAD, failed, k;
    double wait;

    switch (cli_parse(argc, argv, "event", "pf", own, help, &o)) {
    case 1: rc = EXIT_OK; goto done;
    case -1: goto done;
    }
    if (cli_format("event", o.format,
                   CLI_FMT(PB_FORMAT_TEXT) | CLI_FMT(PB_FORMAT_JSON),
                   &fmt) != 0 || parse_wait(wait_s, &wait) != 0)
        goto done;
    if (o.nargs < 2) {
        cli_usage_error("event", o.nargs == 0 ? "no case file given"
                                              : "no event type given");
        goto done;
    }
    if ((attrs = calloc((size_t)o.nargs, sizeof *attrs)) == NULL)
        goto nomem;
    for (k = 2; k < o.nargs && k < o.dashes && is_attr(o.args[k]); k++) {
        char *eq = strchr(o.args[k], '=');

        *eq = '\0'; /* argv is ours to change */
        attrs[nattrs].name = o.args[k];
        attrs[nattrs++].value = eq + 1;
    }
    text = join_text(&o, k);
    if (k < o.nargs && text == NULL)
        goto nomem;
    /* A principle that fails to load is reported; the event is still
     * recorded (refusing would stop an agent mid-call). */
    if ((e = cli_engine(&o, &failed)) == NULL)
        goto done;
    memset(&co, 0, sizeof co);
    co.topic = topic;
    co.channel = channel;
    co.agent = agent;
    co.team = team;
    co.wait = wait;
    if (cli_put_back("event", o.args[0]) != 0)
        goto done;
    st = pb_casefile_open(e, o.args[0], &co, &cf, &err);
    if (st != PB_OK) {
        if (st == PB_STATE)
            pb__text_printf(stderr, "playbook event: %s\n", err.message);
        else
            cli_print_error(&err);
        goto done;
    }
    for (i = 0; i < pb_casefile_nwarnings(cf); i++)
        pb__text_printf(stderr, "playbook event: warning: %s\n",
                        pb_casefile_warning(cf, i));
    if (check_matches(o.args[0], "topic", topic,
                      pb_case_topic(pb_casefile_case(cf))) != 0 ||
        check_matches(o.args[0], "channel", channel,
                      pb_case_channel(pb_casefile_case(cf))) != 0 ||
        check_matches(o.args[0], "agent", agent,
                      pb_case_agent(pb_casefile_case(cf))) != 0 ||
        check_matches(o.args[0], "team", team,
                      pb_case_team(pb_casefile_case(cf))) != 0)
        goto done;
    st = pb_casefile_append(cf, pb_casefile_now(cf), o.args[1], text, attrs,
                            nattrs, &err);
    if (st == PB_IO) {
        cli_print_error(&err);
        fprintf(stderr, "playbook event: the event was NOT saved\n");
        goto done;
    }
    if (st != PB_OK) {
        pb__text_printf(stderr, "playbook event: %s: ", o.args[0]);
        cli_print_error(&err);
        goto done;
    }
    /* Saved: from here on the answer is yes, whatever else happens. */
    rc = EXIT_OK;
    if (pb_render_checklist(stdout, fmt, cli_render_flags(stdout),
                            pb_casefile_case(cf)) != PB_OK)
        fprintf(stderr, "playbook event: cannot write the checklist\n");
    if (pb_casefile_close(cf, &err) != PB_OK) {
        /* The event is in the journal, which the next open merges. */
        fprintf(stderr, "playbook event: warning: ");
        cli_print_error(&err);
        pb__text_printf(stderr, "playbook event: the event is saved in "
                        "%s.journal\n", o.args[0]);
        pb_casefile_free(cf);
    }
    cf = NULL;
    goto done;
nomem:
    fprintf(stderr, "playbook event: out of memory\n");
done:
    pb_casefile_free(cf);
    pb_engine_free(e);
    free(text);
    free(attrs);
    free(o.args);
    return rc;
}
