/*
 * api.h -- the JSON API of `playbook serve` (docs/api.md): a request in,
 * a reply out, over the store (store.h) and the loaded principles.
 */
#ifndef PB_API_H
#define PB_API_H

#include "auth.h"
#include "follow.h"
#include "http.h"
#include "playbook.h"
#include "store.h"

typedef struct api {
    pb_engine *e;
    store *st;
    const auth *auth;  /* NULL: no tokens, every request is let in */
    follow *fol;       /* the open event streams */
    pb_schema *schema; /* for /v1/replay, made at its first request */
    FILE *log;         /* what went wrong on our side, never in replies */
} api;

/* An http_handler: ud is the api. */
void api_handle(void *ud, const http_request *rq, http_reply *out);

#endif
