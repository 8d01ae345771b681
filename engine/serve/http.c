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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "http.h"

struct http_server {
    struct MHD_Daemon *d;
    http_handler handler;
    void *ud;
    http_limits lim;
    unsigned port;
};

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

static enum MHD_Result send_reply(struct MHD_Connection *c, int status,
                                  char *body, size_t len, int owned)
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
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (status == 401)
        MHD_add_response_header(r, "WWW-Authenticate",
                                 "Bearer realm=\"playbook\"");
    ok = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ok;
}

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
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
                              sizeof no_memory - 1, 0);
        *req_cls = p;
        /* Refused before a byte of the body is read. */
        cl = header(c, "Content-Length");
        if (cl != NULL && strtoull(cl, NULL, 10) > s->lim.max_body)
            return send_reply(c, 413, (char *)too_big, sizeof too_big - 1,
                              0);
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (take(p, upload, *upload_size, s->lim.max_body) != 0)
            return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    if (p->too_big)
        return send_reply(c, 413, (char *)too_big, sizeof too_big - 1, 0);
    memset(&rq, 0, sizeof rq);
    rq.method = method;
    rq.path = url;
    rq.origin = header(c, "Origin");
    rq.host = header(c, "Host");
    rq.authorization = header(c, "Authorization");
    rq.content_type = header(c, "Content-Type");
    rq.body = p->body ? p->body : "";
    rq.len = p->len;
    memset(&out, 0, sizeof out);
    s->handler(s->ud, &rq, &out);
    if (out.body == NULL)
        return send_reply(c, 503, (char *)no_memory, sizeof no_memory - 1,
                          0);
    return send_reply(c, out.status, out.body, out.len, 1);
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
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
                            MHD_USE_EPOLL, (unsigned short)port, NULL, NULL,
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
    if (s == NULL)
        return;
    MHD_stop_daemon(s->d);
    free(s);
}
