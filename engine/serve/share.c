/*
 * share.c -- a token bucket per name (share.h).  The names
 * are those of the token file, so the table is as large as that file
 * has names: it is never pruned.
 */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "index.h"
#include "share.h"

typedef struct account {
    char name[AUTH_MAX_NAME + 1];
    double left;    /* allowance; below 0, a debt */
    double at;      /* when left was last brought up to date */
} account;

struct share {
    double rate, most;
    account *v;
    size_t n, cap;
    pb__index ix;
};

static const char *key(const void *array, size_t pos)
{
    return ((const account *)array)[pos].name;
}

share *share_new(double rate, double most)
{
    share *s = calloc(1, sizeof *s);

    if (s != NULL) {
        s->rate = rate;
        s->most = most;
    }
    return s;
}

void share_free(share *s)
{
    if (s == NULL)
        return;
    pb__index_free(&s->ix);
    free(s->v);
    free(s);
}

/* name's account brought up to now: refilled for the time since, up to
 * most; NULL when name has none yet. */
static account *find(share *s, const char *name, double now)
{
    long i = pb__index_find(&s->ix, name, key, s->v);
    account *a;

    if (i < 0)
        return NULL;
    a = &s->v[i];
    if (now > a->at) {
        a->left += (now - a->at) * s->rate;
        if (a->left > s->most)
            a->left = s->most;
        a->at = now;
    }
    return a;
}

double share_wait(share *s, const char *name, double now)
{
    account *a = find(s, name, now);

    return a == NULL || a->left >= 0 ? 0 : -a->left / s->rate;
}

int share_charge(share *s, const char *name, double now, double took)
{
    account *a = find(s, name, now);

    if (a == NULL) {
        if (strlen(name) > AUTH_MAX_NAME)
            return -1;
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 16;
            account *v = realloc(s->v, cap * sizeof *v);

            if (v == NULL)
                return -1;
            s->v = v;
            s->cap = cap;
        }
        if (pb__index_reserve(&s->ix, s->n + 1, key, s->v) != 0)
            return -1;
        a = &s->v[s->n];
        strcpy(a->name, name);
        a->left = s->most;
        a->at = now;
        pb__index_add(&s->ix, s->n++, key, s->v);
    }
    a->left -= took;
    return 0;
}
