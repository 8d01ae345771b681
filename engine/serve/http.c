/*
 * http.c -- libmicrohttpd behind http.h.
 *
 * libmicrohttpd calls the access handler several times per request:
 * once with the headers, then once per piece of the body, then once
 * more with nothing, when the reply is due.  A request's state lives in
 * *req_cls from the first call to the completion callback.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "http.h"

struct http_server {
    struct MHD_Daemon *d;
    http_handler handler;
    void *ud;
    http_limits lim;
    unsigned port;
    /* The open streams.  libmicrohttpd refuses to stop with a connection
     * suspended, so http_stop (on another thread) ends them all first:
     * the lock guards the list and each stream's suspended and ending. */
    pthread_mutex_t mu;
    struct http_stream *streams;
};

/* A stream's bytes not yet sent; the connection is suspended while
 * there are none, and resumed by http_stream_send. */
struct http_stream {
    http_server *srv;
    struct MHD_Connection *c;
    char *buf;
    size_t len, off, cap;
    int suspended, ending;
    http_stream_fn gone;
    void *ud;
    struct http_stream *next;
};

#define STREAM_BACKLOG (1u << 20)

typedef struct pending {
    char *body;
    size_t len, cap;
    int too_big;         /* the body went over max_body: drop the rest */
} pending;

static const char too_big[] =
    "{\"error\":{\"status\":413,\"field\":null,\"message\":"
    "\"the request body is over the limit\"}}\n";
static const char no_memory[] =
    "{\"error\":{\"status\":503,\"field\":null,\"message\":"
    "\"out of memory\"}}\n";

/* Every answer: no caching, no sniffing, no framing, and a page runs
 * only the server's own scripts and styles (docs/hardening.md). */
static void common_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; base-uri 'none'; "
                            "form-action 'none'; frame-ancestors 'none'");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
}

static enum MHD_Result send_reply(struct MHD_Connection *c, int status,
                                  char *body, size_t len, int owned,
                                  const char *type)
{
    struct MHD_Response *r;
    enum MHD_Result ok;

    r = MHD_create_response_from_buffer(len, body, owned
                                        ? MHD_RESPMEM_MUST_FREE
                                        : MHD_RESPMEM_PERSISTENT);
    if (r == NULL) {
        if (owned)
            free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type",
                            type ? type : "application/json");
    common_headers(r);
    if (status == 401)
        MHD_add_response_header(r, "WWW-Authenticate",
                                 "Bearer realm=\"playbook\"");
    ok = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ok;
}

/* Lets the client of s have what is queued: under the lock. */
static void wake(http_stream *s)
{
    if (s->suspended) {
        s->suspended = 0;
        MHD_resume_connection(s->c);
    }
}

/* Appends to what s has to send and wakes it: under the lock. */
static void queue(http_stream *s, const char *data, size_t len)
{
    if (s->ending)
        return;
    if (s->off > 0 && s->off == s->len)
        s->off = s->len = 0;
    if (s->len + len > STREAM_BACKLOG) {
        s->ending = 1;      /* a client that does not read is let go */
    } else {
        if (s->len + len > s->cap) {
            size_t cap = s->cap ? s->cap : 4096;
            char *b;

            while (cap < s->len + len)
                cap *= 2;
            if ((b = realloc(s->buf, cap)) == NULL) {
                s->ending = 1;
                wake(s);
                return;
            }
            s->buf = b;
            s->cap = cap;
        }
        memcpy(s->buf + s->len, data, len);
        s->len += len;
    }
    wake(s);
}

int http_stream_send(http_stream *s, const char *data, size_t len)
{
    int ending;

    pthread_mutex_lock(&s->srv->mu);
    queue(s, data, len);
    ending = s->ending;
    pthread_mutex_unlock(&s->srv->mu);
    return ending ? -1 : 0;
}

void http_ping(http_server *srv, const char *data, size_t len)
{
    http_stream *s;

    pthread_mutex_lock(&srv->mu);
    for (s = srv->streams; s != NULL; s = s->next)
        queue(s, data, len);
    pthread_mutex_unlock(&srv->mu);
}

/* What libmicrohttpd sends next: the queued bytes, or, with none, the
 * connection suspended until there are. */
static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
    http_stream *s = cls;
    size_t n;

    (void)pos;
    pthread_mutex_lock(&s->srv->mu);
    n = s->len - s->off;
    if (n == 0) {
        int ending = s->ending;

        if (!ending) {
            s->suspended = 1;
            MHD_suspend_connection(s->c);
        }
        pthread_mutex_unlock(&s->srv->mu);
        return ending ? MHD_CONTENT_READER_END_OF_STREAM : 0;
    }
    if (n > max)
        n = max;
    memcpy(out, s->buf + s->off, n);
    s->off += n;
    pthread_mutex_unlock(&s->srv->mu);
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    http_stream *s = cls, **p;

    pthread_mutex_lock(&s->srv->mu);
    for (p = &s->srv->streams; *p != s; p = &(*p)->next)
        ;
    *p = s->next;
    pthread_mutex_unlock(&s->srv->mu);
    s->gone(s->ud, s);
    free(s->buf);
    free(s);
}

static enum MHD_Result send_stream(http_server *srv,
                                   struct MHD_Connection *c,
                                   const http_reply *out)
{
    http_stream *s = calloc(1, sizeof *s);
    struct MHD_Response *r;
    enum MHD_Result ok;

    if (s == NULL)
        return MHD_NO;
    s->srv = srv;
    s->c = c;
    s->gone = out->gone;
    s->ud = out->stream_ud;
    r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
                                          stream_read, s, stream_free);
    if (r == NULL) {
        free(s);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/event-stream");
    common_headers(r);
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    pthread_mutex_lock(&srv->mu);
    s->next = srv->streams;
    srv->streams = s;
    pthread_mutex_unlock(&srv->mu);
    out->opened(out->stream_ud, s);
    ok = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ok;
}

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

const char *http_query(const http_request *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND,
                                       name);
}

/* Appends a piece of the body, or marks it too big. */
static int take(pending *p, const char *data, size_t n, size_t max)
{
    if (p->too_big || n > max - p->len) {
        p->too_big = 1;
        return 0;
    }
    if (p->len + n + 1 > p->cap) {
        size_t cap = p->cap ? p->cap : 1024;
        char *b;

        while (cap < p->len + n + 1)
            cap *= 2;
        if ((b = realloc(p->body, cap)) == NULL)
            return -1;
        p->body = b;
        p->cap = cap;
    }
    memcpy(p->body + p->len, data, n);
    p->len += n;
    p->body[p->len] = '\0';
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version,
                                  const char *upload, size_t *upload_size,
                                  void **req_cls)
{
    http_server *s = cls;
    pending *p = *req_cls;
    http_request rq;
    http_reply out;
    const char *cl;

    (void)version;
    if (p == NULL) {
        if ((p = calloc(1, sizeof *p)) == NULL)
            return send_reply(c, 503, (char *)no_memory,
                              sizeof no_memory - 1, 0, NULL);
        *req_cls = p;
        /* Refused before a byte of the body is read. */
        cl = header(c, "Content-Length");
        if (cl != NULL && strtoull(cl, NULL, 10) > s->lim.max_body)
            return send_reply(c, 413, (char *)too_big, sizeof too_big - 1,
                              0, NULL);
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (take(p, upload, *upload_size, s->lim.max_body) != 0)
            return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    if (p->too_big)
        return send_reply(c, 413, (char *)too_big, sizeof too_big - 1, 0,
                          NULL);
    memset(&rq, 0, sizeof rq);
    rq.method = method;
    rq.path = url;
    rq.origin = header(c, "Origin");
    rq.host = header(c, "Host");
    rq.authorization = header(c, "Authorization");
    rq.content_type = header(c, "Content-Type");
    rq.body = p->body ? p->body : "";
    rq.len = p->len;
    rq.conn = c;
    memset(&out, 0, sizeof out);
    s->handler(s->ud, &rq, &out);
    if (out.opened != NULL)
        return send_stream(s, c, &out);
    if (out.body == NULL && out.type == NULL)
        return send_reply(c, 503, (char *)no_memory, sizeof no_memory - 1,
                          0, NULL);
    return send_reply(c, out.status, out.body, out.len, out.type == NULL,
                      out.type);
}

static void on_done(void *cls, struct MHD_Connection *c, void **req_cls,
                    enum MHD_RequestTerminationCode why)
{
    pending *p = *req_cls;

    (void)cls;
    (void)c;
    (void)why;
    if (p != NULL) {
        free(p->body);
        free(p);
        *req_cls = NULL;
    }
}

http_server *http_start(const char *addr, unsigned port,
                        const http_limits *lim, http_handler h, void *ud,
                        char *err, size_t errlen)
{
    http_server *s = calloc(1, sizeof *s);
    struct sockaddr_in sa;
    const union MHD_DaemonInfo *info;

    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    if (port > 65535 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        snprintf(err, errlen, "cannot listen on %s:%u (an IPv4 address "
                 "and a port up to 65535)", addr, port);
        free(s);
        return NULL;
    }
    s->handler = h;
    s->ud = ud;
    s->lim = *lim;
    pthread_mutex_init(&s->mu, NULL);
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
                            MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME,
                            (unsigned short)port, NULL, NULL,
                            on_request, s,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                            MHD_OPTION_CONNECTION_TIMEOUT,
                            (unsigned int)lim->timeout,
                            MHD_OPTION_CONNECTION_LIMIT,
                            (unsigned int)lim->max_connections,
                            MHD_OPTION_NOTIFY_COMPLETED, on_done, s,
                            MHD_OPTION_END);
    if (s->d == NULL) {
        snprintf(err, errlen, "cannot listen on %s:%u (in use, or not "
                 "allowed)", addr, port);
        pthread_mutex_destroy(&s->mu);
        free(s);
        return NULL;
    }
    info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : port;
    return s;
}

unsigned http_port(const http_server *s) { return s->port; }

void http_stop(http_server *s)
{
    struct timespec tick = { 0, 10 * 1000 * 1000 };
    http_stream *st;
    int i, left = 1;

    if (s == NULL)
        return;
    /* Every stream ends; its client gets what was queued.  Up to two
     * seconds for the server's thread to close them. */
    for (i = 0; i < 200 && left; i++) {
        pthread_mutex_lock(&s->mu);
        for (st = s->streams; st != NULL; st = st->next) {
            st->ending = 1;
            wake(st);
        }
        left = s->streams != NULL;
        pthread_mutex_unlock(&s->mu);
        if (left)
            nanosleep(&tick, NULL);
    }
    MHD_stop_daemon(s->d);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
