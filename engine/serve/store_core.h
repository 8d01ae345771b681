/*
 * store_core.h -- what a store (store_files.c, store_pg.c) gives the
 * part all stores share (store_core.c: store.h's calls, and the cases
 * open in this server, by id).  Internal to engine/serve/.
 */
#ifndef PB_STORE_CORE_H
#define PB_STORE_CORE_H

#include "index.h"
#include "store.h"

#define STORE_MAX_ID 64

struct store_case {
    char id[STORE_MAX_ID + 1];
    pb_casefile *cf;   /* files: the open case file; NULL after a failed
                        * write until it is read again */
    pb_engine *e;      /* the principles it is evaluated with */
    pb_case *c;        /* PostgreSQL: the case as committed */
    double started;    /* PostgreSQL: started_at, seconds since the epoch */
    long seq;          /* PostgreSQL: its recorded events committed */
    unsigned long long ticket; /* files: of its last write */
    pb_render_memo *memo;  /* its JSON as last written, or NULL */
    /* Its events' bytes in the store's count (store_set_max_bytes):
     * of the case `weighed`, its first `counted` events. */
    size_t bytes, counted;
    const pb_case *weighed;
    /* The open cases, most recently used first (store_set_max_open). */
    store_case *newer, *older;
};

typedef struct store_backend {
    /* Opens case sc->id into sc, with the principles sc->e: the
     * existing one when create is NULL (PB_INPUT: none), else a new one
     * (PB_STATE: taken). */
    pb_status (*open)(store *s, store_case *sc, const pb_casefile_opts *create,
                      pb_error *err);
    /* Brings an open case up to date (other servers' events), or reads
     * again one the store let go after a failed write; NULL when
     * neither happens. */
    pb_status (*sync)(store *s, store_case *sc, pb_error *err);
    pb_status (*record)(store *s, store_case *sc, const store_event *ev,
                        size_t n, size_t *at, pb_error *err);
    /* Every case id, sorted: the store's until its next call, or until
     * it closes (store_ids_free). */
    pb_status (*ids)(store *s, char *const **ids, size_t *n,
                     pb_error *err);
    /* A case not open, read for a moment: PB_OK or the failure. */
    pb_status (*read)(store *s, const char *id, pb_case **out, pb_error *err);
    /* store_owner, for a case not open: 0, or -1 when it cannot tell
     * without reading the case. */
    int (*owner)(store *s, const char *id, char *out, size_t size);
    /* The stamps (store_stamp) of cases ids[0..n), none of them open,
     * sorted as `ids` sorts them, into out: all zeros for one it cannot
     * tell; -1 when it cannot tell any.  NULL when the store has none. */
    int (*stamps)(store *s, char *const *ids, size_t n, store_stamp *out);
    /* store_watch; NULL when nobody else writes. */
    int (*watch)(store *s, store_changed fn, void *ud, pb_error *err);
    /* store_on_durable and store_pending; NULL when each write is
     * durable as it returns. */
    void (*on_durable)(store *s, store_durable fn, void *ud);
    unsigned long long (*pending)(store *s, const store_case *sc);
    /* PB_OK, or why no request can be served any more; NULL: never. */
    pb_status (*failed)(store *s, pb_error *err);
    void (*close_case)(store *s, store_case *sc);
    /* Lets an open case go for now, cheaply (no rewrite; the next open
     * reads it again): 1, or 0 when it holds what is not saved, or not
     * durable, yet. */
    int (*let_go)(store *s, store_case *sc);
    void (*close)(store *s);
} store_backend;

struct store {
    const store_backend *b;
    pb_engine *e;          /* for the cases opened from now on */
    void *impl;            /* the backend's */
    store_case **v;        /* the open cases */
    size_t n, cap;
    pb__index ix;          /* v by id */
    store_case *newest, *oldest; /* v by last use */
    size_t max_open;       /* past it, the least recently used go */
    size_t bytes, max_bytes; /* of events in the open cases: likewise */
    unsigned long long added; /* store_added */
};

/* A store with backend b and its state impl, or NULL (out of memory). */
store *store_new(const store_backend *b, pb_engine *e, void *impl);

/* ev[0..n) as the engine checks a batch (pb_case_check_batch), pointing
 * into ev; NULL when out of memory. */
pb_new_event *store_batch(const store_event *ev, size_t n);

/* Checks ev[0..n) on c at t, then appends them (the in-memory part of
 * store_record, shared by the stores that apply events themselves). */
pb_status store_apply(pb_case *c, double t, const store_event *ev, size_t n,
                      size_t *at, pb_error *err);

/* Frees n ids (malloc'd, each and all), a list a backend kept. */
void store_ids_free(char **ids, size_t n);

#endif
