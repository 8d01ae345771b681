/*
 * http.h -- HTTP for `playbook serve` (docs/api.md): libmicrohttpd
 * behind a small interface, so the API (api.c) sees whole requests and
 * gives whole replies, and never a socket.
 *
 * One thread serves every connection: handlers run one at a time.  The
 * limits bound what one client can hold: a body over max_body is
 * refused (413) before it is read, and a connection idle for timeout
 * seconds is closed (a slow client cannot keep a slot).
 */
#ifndef PB_HTTP_H
#define PB_HTTP_H

#include <stddef.h>

typedef struct http_request {
    const char *method, *path;
    const char *origin, *host;   /* headers, NULL when absent */
    const char *authorization;
    const char *content_type;
    const char *prefer;          /* RFC 7240: return=minimal */
    const char *body;            /* NUL-terminated; len bytes */
    size_t len;
    void *conn;                  /* http.c's, for http_query */
    void *req;                   /* http.c's, for http_owner */
} http_request;

/* The value of query argument name (?name=value, decoded), or NULL. */
const char *http_query(const http_request *rq, const char *name);

/* Whether the request's Prefer header (RFC 7240) holds pref, such as
 * "return=minimal". */
int http_prefers(const http_request *rq, const char *pref);

/* A reply that stays open (Server-Sent Events): the server calls
 * opened once the stream exists and gone once the client has left, after
 * which the stream is freed.  Both run on the server's thread. */
typedef struct http_stream http_stream;
typedef struct http_server http_server;
typedef void (*http_stream_fn)(void *ud, http_stream *s);

/* A reply: status and a JSON body, which the server frees; or a
 * built-in file (type set: its Content-Type; the body is not freed); or,
 * with opened set, a stream (body and len are ignored).  A reply with
 * hold set is sent once http_release says hold is durable. */
typedef struct http_reply {
    int status;
    char *body;
    size_t len;
    const char *type;
    const char *applied;         /* Preference-Applied, or NULL */
    int close;                   /* then close the connection */
    unsigned retry_after;        /* Retry-After, in seconds; 0: none */
    const char *allow;           /* Allow (a 405's methods), or NULL */
    unsigned long long hold;
    http_stream_fn opened, gone;
    void *stream_ud;
} http_reply;

/* An agent's part of max_unsent: an eighth, so that one agent's clients
 * that do not read cannot hold it all.  A stream of theirs whose next
 * message would take them past it is ended, unless they hold nothing
 * else (a message of any size, a large case's first, may then go). */
#define HTTP_OWNER_PART 8
#define HTTP_MAX_OWNER 64   /* longer names are not counted */

/* What http_owner says to do with a request. */
enum { HTTP_GO, HTTP_PAST_PART, HTTP_BUSY };
/* Why a request is refused past max_unsent (503). */
#define HTTP_BUSY_MESSAGE \
    "too many answers are waiting for clients to read them; try again"

/*
 * Names rq's owner, one who showed a valid token (NULL: none), before
 * the caller does anything: what the reply leaves unread (a stream's
 * messages included) is counted to them, by name, and their connection
 * is let go last when connections run short.  Says HTTP_PAST_PART when
 * what their clients have not read is over their part (part: an
 * agent's; leads have none), HTTP_BUSY when what all clients have not
 * read is over max_unsent and they hold some of it, or there is no
 * owner (those who hold none go on: others' clients cannot stop them),
 * else HTTP_GO.  Requests to /v1/ with an Authorization header are left
 * to this; others get 503 as they come while over max_unsent.
 */
int http_owner(const http_request *rq, const char *owner, int part);

/* Queues len bytes for the client of s, to be sent once hold is durable
 * (0: at once, after what it queued before).  -1 when the client is too
 * far behind (over 1 MiB queued): the stream is then ended. */
int http_stream_send(http_stream *s, const char *data, size_t len,
                     unsigned long long hold);
/* Ends s: its client gets what was queued and is durable, then the
 * end.  Safe from any thread while s is open. */
void http_stream_end(http_stream *s);

/*
 * Group commit (docs/api.md, "How fast"): what a reply shows may not be
 * durable yet, so it carries a hold, a number that only grows, and
 * waits for it.  http_release says every hold up to upto is durable (ok
 * 1), or never will be (ok 0): replies held for those are then answered
 * 503, their streams ended, and so is every later one.  Safe from any
 * thread.
 */
void http_release(http_server *s, unsigned long long upto, int ok);

/* Queues len bytes for every open stream, as http_stream_send does: a
 * keep-alive comment, so that proxies and clients see an idle stream is
 * still there.  Safe from any thread. */
void http_ping(http_server *s, const char *data, size_t len);

/* Cuts off every connection that has been sending one request for
 * longer than the timeout: call it at least every timeout / 2.  Safe
 * from any thread. */
void http_reap(http_server *s);

typedef void (*http_handler)(void *ud, const http_request *rq,
                             http_reply *out);

typedef struct http_limits {
    size_t max_body;         /* bytes */
    size_t max_unsent;       /* bytes of answers and streams not yet sent,
                              * all connections together (and an
                              * HTTP_OWNER_PART-th of it for each agent) */
    unsigned timeout;        /* seconds a connection may stay idle */
    unsigned max_connections; /* past three quarters of it, each new one
                               * lets the oldest waiting one go */
} http_limits;

/* Listens on addr:port (port 0: one the system picks) and serves from a
 * thread of its own.  NULL with a message in err when it cannot. */
http_server *http_start(const char *addr, unsigned port,
                        const http_limits *lim, http_handler h, void *ud,
                        char *err, size_t errlen);
/* The port it listens on. */
unsigned http_port(const http_server *s);
/* Stops serving and waits for the thread; NULL does nothing. */
void http_stop(http_server *s);

#endif
