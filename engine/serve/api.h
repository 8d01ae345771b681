/*
 * api.h -- the JSON API of `playbook serve` (docs/api.md): a request in,
 * a reply out, over the store (store.h) and the loaded principles.
 */
#ifndef PB_API_H
#define PB_API_H

#include <pthread.h>

#include "auth.h"
#include "follow.h"
#include "followups.h"
#include "http.h"
#include "playbook.h"
#include "share.h"
#include "store.h"

typedef struct api {
    pthread_mutex_t mu; /* held by each request, and by api_swap */
    pb_engine *e;       /* for new cases, the principles, replays */
    store *st;
    auth *auth;        /* NULL: no tokens, every request is let in */
    share *share;      /* each agent's share of the thread, or NULL */
    share *disk;       /* ... of what requests add to the data folder */
    follow *fol;       /* the open event streams */
    pb_schema *schema; /* for /v1/replay, made at its first request */
    followups *due;    /* for /v1/followups, made at its first request */
    const char *due_cache; /* its cache file (followups.h), or NULL */
    double due_budget;     /* seconds a listing may read cases for */
    FILE *log;         /* what went wrong on our side, never in replies */
    http_server *srv;  /* for api_durable */
} api;

/* An http_handler: ud is the api. */
void api_handle(void *ud, const http_request *rq, http_reply *out);

/* Puts *e and *users in place for the requests to come, from any
 * thread, between two requests; gives back the ones they replace.  The
 * cases already open keep their engine, so the caller keeps the old one
 * while api_uses says so (docs/api.md, "Reloading the principles"). */
void api_swap(api *a, pb_engine **e, auth **users);
/* Whether a case open now uses e, from any thread.  Once an engine
 * replaced by api_swap is not used, it never is again. */
int api_uses(api *a, const pb_engine *e);

/* A store_durable: the replies waiting for upto go (error 0), or are
 * refused and the reason logged (docs/api.md, "How fast"). */
void api_durable(void *ud, unsigned long long upto, int error);

/* A store_changed: case id changed on another server, so its followers
 * here are told (docs/deploy.md, "Several servers"). */
void api_changed(void *ud, const char *id);

#endif
