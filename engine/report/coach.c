/*
 * coach.c -- one agent's development path (`playbook coach`): their
 * calls counted against the team's, the moments that show each missed
 * must, and the practice scenarios that exercise it (docs/trainers.md).
 *
 * Streaming like stats.c: two pb_stats (everyone, and the agent's calls)
 * and, per item, at most MOMENTS_MAX moments and PRACTICE_MAX practice
 * scenarios, so ten thousand calls cost what a few do.  render_coach.c
 * writes the page.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "playbook.h"

#define MOMENTS_MAX 3
#define PRACTICE_MAX 3

typedef struct moment {
    char *path, *title, *said, *said_type;
    double at;
    pb_state state;
} moment;

typedef struct citem {
    moment m[MOMENTS_MAX];
    size_t nm;
    size_t practice[PRACTICE_MAX];  /* into pb_coach.practice, best */
    size_t fit[PRACTICE_MAX];       /* first (see fit) */
    size_t np;
} citem;

typedef struct scen {
    char *path, *title;
} scen;

struct pb_coach {
    char *agent, *team;     /* team: as the agent's first call names it */
    pb_stats *all, *mine;
    citem *items;
    size_t nitems;
    scen *practice;
    size_t npractice;
};

static char *dup_str(const char *s)
{
    size_t n;
    char *d;

    if (s == NULL)
        return NULL;
    n = strlen(s) + 1;
    if ((d = malloc(n)) != NULL)
        memcpy(d, s, n);
    return d;
}

pb_coach *pb_coach_new(const pb_engine *e, const char *agent)
{
    pb_coach *c = calloc(1, sizeof *c);

    if (c == NULL)
        return NULL;
    c->nitems = pb_engine_nitems(e);
    if ((c->agent = dup_str(agent)) == NULL ||
        (c->all = pb_stats_new(e)) == NULL ||
        (c->mine = pb_stats_new(e)) == NULL ||
        (c->items = calloc(c->nitems + 1, sizeof *c->items)) == NULL) {
        pb_coach_free(c);
        return NULL;
    }
    return c;
}

void pb_coach_free(pb_coach *c)
{
    size_t i, k;

    if (c == NULL)
        return;
    for (i = 0; c->items && i < c->nitems; i++)
        for (k = 0; k < c->items[i].nm; k++) {
            free(c->items[i].m[k].path);
            free(c->items[i].m[k].title);
            free(c->items[i].m[k].said);
            free(c->items[i].m[k].said_type);
        }
    for (i = 0; i < c->npractice; i++) {
        free(c->practice[i].path);
        free(c->practice[i].title);
    }
    free(c->practice);
    free(c->items);
    pb_stats_free(c->all);
    pb_stats_free(c->mine);
    free(c->agent);
    free(c->team);
    free(c);
}

/* The recorded event with text at event ev, or the last before it (a
 * detected event carries no text; what it was read from does): what the
 * agent or customer said or did there.  0 when there is none. */
static int said_at(const pb_case *cs, size_t ev, pb_event_info *out)
{
    size_t i = ev + 1;

    while (i-- > 0) {
        pb_case_event(cs, i, out);
        if (out->text && out->detected_by == NULL &&
            (strncmp(out->type, "agent.", 6) == 0 ||
             strncmp(out->type, "customer.", 9) == 0))
            return 1;
    }
    return 0;
}

/* When a must still open at the end was missed: as the first contact
 * ended, else as the last event happened. */
static double call_end(const pb_case *cs)
{
    pb_event_info e;
    size_t i, n = pb_case_nevents(cs);

    for (i = 0; i < n; i++) {
        pb_case_event(cs, i, &e);
        if (strcmp(e.type, "contact.ended") == 0)
            return e.t;
    }
    if (n == 0)
        return 0;
    pb_case_event(cs, n - 1, &e);
    return e.t;
}

/* Keeps the moment item info was missed in the call of r, while the
 * item has room for one more. */
static pb_status keep_moment(citem *it, const pb_replay *r,
                             const pb_item_info *info)
{
    const pb_scenario *s = pb_replay_scenario(r);
    const pb_case *cs = pb_replay_case(r);
    moment *m = &it->m[it->nm];
    pb_event_info ev;
    int said = 0;

    memset(m, 0, sizeof *m);
    m->state = info->state;
    if (info->state == PB_VIOLATED) {
        m->at = info->violated_at;
        said = said_at(cs, info->violated_event, &ev);
    } else
        m->at = call_end(cs);
    if ((m->path = dup_str(pb_scenario_path(s))) == NULL ||
        (m->title = dup_str(pb_scenario_title(s))) == NULL ||
        (said && ((m->said = dup_str(ev.text)) == NULL ||
                  (m->said_type = dup_str(ev.type)) == NULL))) {
        free(m->path);
        free(m->title);
        free(m->said);
        return PB_NOMEM;
    }
    it->nm++;
    return PB_OK;
}

pb_status pb_coach_add_replay(pb_coach *c, const pb_replay *r,
                              pb_error *err)
{
    const pb_case *cs = pb_replay_case(r);
    const char *agent = pb_case_agent(cs), *team = pb_case_team(cs);
    pb_item_info info;
    pb_status st;
    size_t i;

    if (agent == NULL || strcmp(agent, c->agent) != 0)
        return pb_stats_add_replay(c->all, r, err);
    if (c->team == NULL && team && (c->team = dup_str(team)) == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    if ((st = pb_stats_add_replay(c->all, r, err)) != PB_OK ||
        (st = pb_stats_add_replay(c->mine, r, err)) != PB_OK)
        return st;
    for (i = 0; i < c->nitems; i++) {
        pb_case_item(cs, i, &info);
        if (!info.must || c->items[i].nm == MOMENTS_MAX ||
            (info.state != PB_OPEN && info.state != PB_WAITING &&
             info.state != PB_VIOLATED))
            continue;
        if (keep_moment(&c->items[i], r, &info) != PB_OK)
            return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    }
    return PB_OK;
}

void pb_coach_add_unreadable(pb_coach *c)
{
    pb_stats_add_unreadable(c->all);
}

/* How well scenario s fits practising an item it expects: one that
 * expects the item done shows the move (better than one expecting it
 * missed), and one that checks few items is about it (better than one
 * that checks everything).  Lower is better. */
static size_t fit(const pb_scenario *s, const pb_expect *x)
{
    size_t i, n = 0;

    for (i = 0; i < pb_scenario_nexpects(s); i++)
        n += pb_scenario_expect(s, i)->kind == PB_EXPECT_ITEM;
    return (x->state == PB_DONE ? 0 : 1000000) + n;
}

/* Keeps practice scenario at (fitting as well as f) among the item's
 * best, in order; 1 when kept. */
static int offer(citem *it, size_t at, size_t f)
{
    size_t k, j;

    for (k = 0; k < it->np; k++) {
        if (it->practice[k] == at)
            return 0;        /* expected twice: counted once */
        if (f < it->fit[k])
            break;
    }
    if (k == PRACTICE_MAX)
        return 0;
    if (it->np < PRACTICE_MAX)
        it->np++;
    for (j = it->np - 1; j > k; j--) {
        it->practice[j] = it->practice[j - 1];
        it->fit[j] = it->fit[j - 1];
    }
    it->practice[k] = at;
    it->fit[k] = f;
    return 1;
}

/* A practice scenario exercises the items its <expect> names: the
 * replay checks exactly those, so practising it with `playbook review`
 * trains them.  Each item keeps the PRACTICE_MAX that fit it best. */
pb_status pb_coach_add_practice(pb_coach *c, const pb_engine *e,
                                const pb_scenario *s, pb_error *err)
{
    size_t i, n = pb_scenario_nexpects(s), at = c->npractice;
    scen *v;

    if ((v = realloc(c->practice, (at + 1) * sizeof *v)) == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    c->practice = v;
    v[at].path = dup_str(pb_scenario_path(s));
    v[at].title = dup_str(pb_scenario_title(s));
    c->npractice++;
    if (v[at].path == NULL || v[at].title == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    for (i = 0; i < n; i++) {
        const pb_expect *x = pb_scenario_expect(s, i);
        long item;

        if (x->kind == PB_EXPECT_ITEM &&
            (item = pb_engine_find_item(e, x->ref)) >= 0)
            offer(&c->items[item], at, fit(s, x));
    }
    return PB_OK;
}

const char *pb_coach_name(const pb_coach *c) { return c->agent; }
const char *pb_coach_team_name(const pb_coach *c) { return c->team; }
const pb_stats *pb_coach_everyone(const pb_coach *c) { return c->all; }
const pb_stats *pb_coach_calls(const pb_coach *c) { return c->mine; }

size_t pb_coach_nmoments(const pb_coach *c, size_t item)
{
    return c->items[item].nm;
}

void pb_coach_moment(const pb_coach *c, size_t item, size_t k,
                     pb_coach_moment_info *out)
{
    const moment *m = &c->items[item].m[k];

    out->path = m->path;
    out->title = m->title;
    out->said = m->said;
    out->said_type = m->said_type;
    out->at = m->at;
    out->state = m->state;
}

size_t pb_coach_nscenarios(const pb_coach *c)
{
    return c->npractice;
}

size_t pb_coach_npractice(const pb_coach *c, size_t item)
{
    return c->items[item].np;
}

void pb_coach_practice(const pb_coach *c, size_t item, size_t k,
                       const char **path, const char **title)
{
    const scen *s = &c->practice[c->items[item].practice[k]];

    *path = s->path;
    *title = s->title;
}
