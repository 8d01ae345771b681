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
    auth_user who;
} follower;

struct follow {
    follower *v;
    size_t n, cap;
};

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
    if (who != NULL)
        f->v[f->n].who = *who;
    f->v[f->n++].s = s;
    return 0;
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
