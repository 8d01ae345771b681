/*
 * follow.c -- the followers of every case, as one list: a server has a
 * few hundred, and a change is sent to those of one case by a scan.
 */
#include <stdlib.h>
#include <string.h>

#include "follow.h"

typedef struct follower {
    char id[80];
    http_stream *s;
    size_t told;    /* the case's events it has been sent */
    int tokens;     /* who holds: the server has tokens */
    int ending;     /* ended to make room (make_room), not gone yet */
    unsigned long long since;   /* the order streams were added in */
    auth_user who;
} follower;

struct follow {
    follower *v;
    size_t n, cap;
    unsigned long long added;
};

/* Makes room for one more of the agent's streams once they have as
 * many as they may, by ending their oldest: 0, or -1 when one of theirs
 * is ending already.  Those ending count until they are gone (a client
 * that does not read holds its connection until --timeout), so no more
 * than one is ever ending for want of room. */
static int make_room(follow *f, const auth_user *who)
{
    size_t i, n = 0, old = f->n;
    int ending = 0;

    for (i = 0; i < f->n; i++) {
        follower *x = &f->v[i];

        if (!x->tokens || x->who.role != AUTH_AGENT ||
            strcmp(x->who.name, who->name) != 0)
            continue;
        n++;
        if (x->ending)
            ending = 1;
        else if (old == f->n || x->since < f->v[old].since)
            old = i;
    }
    if (n < FOLLOW_MAX_AGENT)
        return 0;
    if (ending || old == f->n)
        return -1;
    f->v[old].ending = 1;
    http_stream_end(f->v[old].s);
    return 0;
}

follow *follow_new(void)
{
    return calloc(1, sizeof(follow));
}

void follow_free(follow *f)
{
    if (f == NULL)
        return;
    free(f->v);
    free(f);
}

int follow_add(follow *f, const char *id, http_stream *s, size_t told,
               const auth_user *who)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        follower *v = realloc(f->v, cap * sizeof *v);

        if (v == NULL)
            return -1;
        f->v = v;
        f->cap = cap;
    }
    if (strlen(id) >= sizeof f->v[f->n].id)
        return -1;
    strcpy(f->v[f->n].id, id);
    f->v[f->n].told = told;
    f->v[f->n].tokens = who != NULL;
    f->v[f->n].ending = who != NULL && who->role == AUTH_AGENT &&
                        make_room(f, who) != 0;
    if (f->v[f->n].ending)
        http_stream_end(s);
    f->v[f->n].since = f->added++;
    if (who != NULL)
        f->v[f->n].who = *who;
    f->v[f->n].s = s;
    return f->v[f->n++].ending;
}

void follow_revoke(follow *f, const auth *users)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        if (f->v[i].tokens && !auth_has(users, &f->v[i].who))
            http_stream_end(f->v[i].s);
}

void follow_remove(follow *f, http_stream *s)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        if (f->v[i].s == s) {
            f->v[i] = f->v[--f->n];
            return;
        }
}

size_t follow_told(const follow *f, const char *id)
{
    size_t i, told = FOLLOW_NONE;

    for (i = 0; i < f->n; i++)
        if (strcmp(f->v[i].id, id) == 0 && f->v[i].told < told)
            told = f->v[i].told;
    return told;
}

void follow_send(follow *f, const char *id, const char *data, size_t len,
                 size_t told, unsigned long long hold)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        if (strcmp(f->v[i].id, id) == 0) {
            http_stream_send(f->v[i].s, data, len, hold);
            f->v[i].told = told;
        }
}
