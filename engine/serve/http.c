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
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "ascii.h"
#include "http.h"
#include "index.h"

/* What one owner's clients have not read (http_owner). */
typedef struct owner {
    char name[HTTP_MAX_OWNER + 1];
    size_t unread;
    int part;            /* an agent: their streams end past their part */
} owner;

struct http_server {
    struct MHD_Daemon *d;
    http_handler handler;
    void *ud;
    http_limits lim;
    unsigned port;
    /* The open streams and the held replies.  libmicrohttpd refuses to
     * stop with a connection suspended, so http_stop (on another
     * thread) ends them all first.  The lock guards the lists, what
     * follows, and each stream's and held reply's state. */
    pthread_mutex_t mu;
    struct http_stream *streams;
    struct pending *held;
    unsigned long long durable;       /* holds up to it are durable */
    int failed;                       /* holds past it never will be */
    /* Bytes of answers handed to libmicrohttpd and not yet sent, and of
     * the streams' buffers: what clients that do not read make us hold,
     * one budget for all (lim.max_unsent). */
    atomic_size_t unsent;
    /* What each owner's clients have not read, by name, under the lock:
     * answers, and streams' messages (docs/api.md, "Each agent's
     * share").  Never pruned: the names are the token file's. */
    owner *owners;
    size_t nowners, owners_cap;
    pb__index owner_ix;
    /* Every open connection, oldest first (make_room). */
    struct conn *conns, **conns_end;
    size_t nconns;
};

/* A connection, and since when it has been sending its next request:
 * libmicrohttpd's timeout counts idle time only, so a client that sends
 * a byte now and then would hold a connection for ever (http_reap). */
typedef struct conn {
    int fd;
    time_t since;        /* 0 while a request is served, or once let go */
    int trusted;         /* a request of it showed a token (http_owner) */
    struct conn *next, **pprev;
} conn;

/* Bytes of a stream queued with a hold: sendable once it is durable. */
typedef struct mark {
    size_t end;
    unsigned long long hold;
} mark;

/* A stream's bytes not yet sent: [off, ready) may go, [ready, len) wait
 * on their marks.  The connection is suspended while nothing may go,
 * and resumed by http_stream_send or http_release. */
struct http_stream {
    http_server *srv;
    struct MHD_Connection *c;
    char *buf;
    size_t len, off, cap, ready;
    mark *marks;
    size_t nmarks, mcap;
    int suspended, ending;
    size_t who;          /* its owner's slot + 1; 0: none */
    http_stream_fn gone;
    void *ud;
    struct http_stream *next;
};

#define STREAM_BACKLOG (1u << 20)
#define STREAM_KEEP (64u << 10)   /* a stream's buffer kept once sent */

/* Each connection's memory for its request line and headers and its
 * answer's headers.  libmicrohttpd zeroes all of it before every
 * request, and its default is 32 KiB: twice the memset per event
 * (docs/performance.md).  It answers 431 itself to a request that does
 * not fit, but one that fits so tightly that its answer's headers do
 * not would be acted on and the connection closed without an answer:
 * past MAX_HEAD, so with room left for any answer, we refuse it. */
#define CONNECTION_MEMORY (16u << 10)
#define MAX_HEAD (12u << 10)

/* Each connection's send buffer in the kernel (SO_SNDBUF: Linux keeps
 * twice as much), so that all of them together stay bounded beside
 * max_unsent (1,000 connections: 128 MiB); an answer larger than it goes
 * out as the client reads, like any.  Not less: over loopback (a proxy
 * on the same host) a segment is 64 KiB, and with one in flight each
 * waited for the client's delayed ACK (40 ms: a 3 MB answer took 2 s). */
#define KERNEL_SNDBUF (64 << 10)

/* A request: its body as it comes, then, while its reply is held, the
 * reply and its connection (suspended until http_release). */
typedef struct pending {
    char *body;
    size_t len, cap;
    int too_big;         /* the body went over max_body: drop the rest */
    size_t head;         /* the request line's, headers' and query's bytes */
    enum { NOT_HELD, HELD, DURABLE, LOST } held;
    http_reply out;
    struct MHD_Connection *c;
    size_t unsent;       /* its answer's bytes, in the server's unsent */
    http_server *srv;
    size_t who;          /* its owner's slot + 1; 0: none */
    /* In the held replies: taken out in constant time, as each
     * answer is, among as many as there are connections. */
    struct pending *next, **pprev;
} pending;

static const char too_big[] =
    "{\"error\":{\"status\":413,\"field\":null,\"message\":"
    "\"the request body is over the limit\"}}\n";
static const char too_long[] =
    "{\"error\":{\"status\":431,\"field\":null,\"message\":"
    "\"the request line, headers and trailers are over 12 KiB\"}}\n";
static const char bad_length[] =
    "{\"error\":{\"status\":400,\"field\":\"Content-Length\","
    "\"message\":\"more than one Content-Length\"}}\n";
static const char bad_encoding[] =
    "{\"error\":{\"status\":400,\"field\":\"Transfer-Encoding\","
    "\"message\":\"the only Transfer-Encoding taken is chunked, alone, "
    "without a Content-Length\"}}\n";
static const char bad_name[] =
    "{\"error\":{\"status\":400,\"field\":null,\"message\":"
    "\"a header's name has a space or another byte no name may have\"}}\n";
static const char two_hosts[] =
    "{\"error\":{\"status\":400,\"field\":\"Host\","
    "\"message\":\"more than one Host\"}}\n";
static const char two_tokens[] =
    "{\"error\":{\"status\":400,\"field\":\"Authorization\","
    "\"message\":\"more than one Authorization\"}}\n";
static const char no_host[] =
    "{\"error\":{\"status\":400,\"field\":\"Host\",\"message\":"
    "\"an HTTP/1.1 request needs a Host\"}}\n";
static const char long_host[] =
    "{\"error\":{\"status\":400,\"field\":\"Host\",\"message\":"
    "\"the request's URI names a host of 256 bytes or more\"}}\n";
static const char busy[] =
    "{\"error\":{\"status\":503,\"field\":null,\"message\":"
    "\"" HTTP_BUSY_MESSAGE "\"}}\n";
static const char no_memory[] =
    "{\"error\":{\"status\":503,\"field\":null,\"message\":"
    "\"out of memory\"}}\n";
static const char not_durable[] =
    "{\"error\":{\"status\":503,\"field\":null,\"message\":"
    "\"the change could not be made durable; the server's log says "
    "why\"}}\n";

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

/* The handler's reply; its body is freed unless it is a built-in
 * file's (type set). */
static enum MHD_Result send_answer(struct MHD_Connection *c,
                                   const http_reply *out)
{
    int owned = out->type == NULL;
    struct MHD_Response *r;
    enum MHD_Result ok;

    r = MHD_create_response_from_buffer(out->len, out->body, owned
                                        ? MHD_RESPMEM_MUST_FREE
                                        : MHD_RESPMEM_PERSISTENT);
    if (r == NULL) {
        if (owned)
            free(out->body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type",
                            owned ? "application/json" : out->type);
    common_headers(r);
    if (out->applied != NULL)
        MHD_add_response_header(r, "Preference-Applied", out->applied);
    if (out->status == 401)
        MHD_add_response_header(r, "WWW-Authenticate",
                                 "Bearer realm=\"playbook\"");
    if (out->retry_after != 0) {
        char secs[16];

        snprintf(secs, sizeof secs, "%u", out->retry_after);
        MHD_add_response_header(r, "Retry-After", secs);
    }
    if (out->allow != NULL)
        MHD_add_response_header(r, "Allow", out->allow);
    if (out->close)
        MHD_add_response_header(r, "Connection", "close");
    ok = MHD_queue_response(c, (unsigned)out->status, r);
    MHD_destroy_response(r);
    return ok;
}

/* A reply of the server's own: status and a constant JSON body; the
 * connection closed after it when close is set. */
static enum MHD_Result reply_close(struct MHD_Connection *c, int status,
                                   const char *body, size_t len, int close)
{
    http_reply out;

    memset(&out, 0, sizeof out);
    out.status = status;
    out.body = (char *)body;
    out.len = len;
    out.type = "application/json";  /* a type: the body is not freed */
    out.close = close;
    return send_answer(c, &out);
}

static enum MHD_Result send_reply(struct MHD_Connection *c, int status,
                                  const char *body, size_t len)
{
    return reply_close(c, status, body, len, 0);
}

/* Lets the client of s have what is queued: under the lock. */
static void wake(http_stream *s)
{
    if (s->suspended) {
        s->suspended = 0;
        MHD_resume_connection(s->c);
    }
}

/* Lets what s holds go up to what is durable, or ends it when that
 * never will be: under the lock. */
static void let_go(http_stream *s)
{
    http_server *srv = s->srv;
    size_t k = 0;

    while (k < s->nmarks && s->marks[k].hold <= srv->durable)
        s->ready = s->marks[k++].end;
    if (k > 0) {    /* marks is NULL while none was ever queued */
        s->nmarks -= k;
        memmove(s->marks, s->marks + k, s->nmarks * sizeof *s->marks);
    }
    if (s->nmarks > 0 && srv->failed)
        s->ending = 1;
    if (s->ready > s->off || s->ending)
        wake(s);
}

static const char *owner_key(const void *array, size_t pos)
{
    return ((const owner *)array)[pos].name;
}

/* name's slot + 1, the name added if new; 0 for none (too long, or out
 * of memory: what they do not read is then counted in the budget for
 * all only).  Under the lock. */
static size_t owner_slot(http_server *srv, const char *name)
{
    long i = pb__index_find(&srv->owner_ix, name, owner_key, srv->owners);

    if (i >= 0)
        return (size_t)i + 1;
    if (strlen(name) > HTTP_MAX_OWNER)
        return 0;
    if (srv->nowners == srv->owners_cap) {
        size_t cap = srv->owners_cap ? srv->owners_cap * 2 : 16;
        owner *v = realloc(srv->owners, cap * sizeof *v);

        if (v == NULL)
            return 0;
        srv->owners = v;
        srv->owners_cap = cap;
    }
    if (pb__index_reserve(&srv->owner_ix, srv->nowners + 1, owner_key,
                          srv->owners) != 0)
        return 0;
    strcpy(srv->owners[srv->nowners].name, name);
    srv->owners[srv->nowners].unread = 0;
    srv->owners[srv->nowners].part = 0;
    pb__index_add(&srv->owner_ix, srv->nowners, owner_key, srv->owners);
    return ++srv->nowners;
}

/* Adds n bytes to what slot who's clients have not read (n wraps to
 * take them off): under the lock. */
static void unread(http_server *srv, size_t who, size_t n)
{
    if (who != 0)
        srv->owners[who - 1].unread += n;
}

/* What on_connection keeps of c, or NULL. */
static conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    return info != NULL ? info->socket_context : NULL;
}

int http_owner(const http_request *rq, const char *name, int part)
{
    pending *p = rq->req;
    http_server *srv = p->srv;
    int over = atomic_load(&srv->unsent) > srv->lim.max_unsent, r;
    size_t held = 0;
    conn *k;

    if (name == NULL)   /* no one's: p->who stays 0 */
        return over ? HTTP_BUSY : HTTP_GO;
    k = conn_of(rq->conn);
    pthread_mutex_lock(&srv->mu);
    if (k != NULL)
        k->trusted = 1;
    p->who = owner_slot(srv, name);
    if (p->who != 0) {
        srv->owners[p->who - 1].part = part;
        held = srv->owners[p->who - 1].unread;
    }
    r = part && held > srv->lim.max_unsent / HTTP_OWNER_PART ? HTTP_PAST_PART
        : over && (p->who == 0 || held > 0)                  ? HTTP_BUSY
                                                             : HTTP_GO;
    pthread_mutex_unlock(&srv->mu);
    return r;
}

/* Appends to what s has to send, and lets it go: under the lock. */
static void queue(http_stream *s, const char *data, size_t len,
                  unsigned long long hold)
{
    if (s->ending)
        return;
    /* An agent's clients that do not read are let go past their part;
     * a message of any size goes when it is all they have not read. */
    if (s->who != 0 && s->srv->owners[s->who - 1].part) {
        size_t held = s->srv->owners[s->who - 1].unread;

        if (held != 0 &&
            held + len > s->srv->lim.max_unsent / HTTP_OWNER_PART) {
            s->ending = 1;
            wake(s);
            return;
        }
    }
    /* A client that does not read is let go; one that has read all
     * takes a message of any size (a large case's first). */
    if (s->off < s->len && s->len + len > STREAM_BACKLOG) {
        s->ending = 1;
        wake(s);
        return;
    }
    if (s->len + len > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        char *b;

        while (cap < s->len + len)
            cap *= 2;
        if (atomic_load(&s->srv->unsent) + (cap - s->cap) >
                s->srv->lim.max_unsent ||
            (b = realloc(s->buf, cap)) == NULL) {
            s->ending = 1;
            wake(s);
            return;
        }
        atomic_fetch_add(&s->srv->unsent, cap - s->cap);
        s->buf = b;
        s->cap = cap;
    }
    if (s->nmarks == s->mcap) {
        size_t cap = s->mcap ? s->mcap * 2 : 8;
        mark *m = realloc(s->marks, cap * sizeof *m);

        if (m == NULL) {
            s->ending = 1;
            wake(s);
            return;
        }
        s->marks = m;
        s->mcap = cap;
    }
    memcpy(s->buf + s->len, data, len);
    s->len += len;
    unread(s->srv, s->who, len);
    s->marks[s->nmarks].end = s->len;
    s->marks[s->nmarks++].hold = hold;
    let_go(s);
}

int http_stream_send(http_stream *s, const char *data, size_t len,
                     unsigned long long hold)
{
    int ending;

    pthread_mutex_lock(&s->srv->mu);
    queue(s, data, len, hold);
    ending = s->ending;
    pthread_mutex_unlock(&s->srv->mu);
    return ending ? -1 : 0;
}

void http_ping(http_server *srv, const char *data, size_t len)
{
    http_stream *s;

    pthread_mutex_lock(&srv->mu);
    for (s = srv->streams; s != NULL; s = s->next)
        queue(s, data, len, 0);
    pthread_mutex_unlock(&srv->mu);
}

/* Takes p out of the held replies, if it is there: under the lock. */
static void unhold(pending *p)
{
    if (p->pprev == NULL)
        return;
    *p->pprev = p->next;
    if (p->next != NULL)
        p->next->pprev = p->pprev;
    p->next = NULL;
    p->pprev = NULL;
}

void http_release(http_server *srv, unsigned long long upto, int ok)
{
    http_stream *s;
    pending *p;

    pthread_mutex_lock(&srv->mu);
    if (!ok)
        srv->failed = 1;
    else if (upto > srv->durable)
        srv->durable = upto;
    /* Resumed, each is answered by on_request, which unholds it. */
    for (p = srv->held; p != NULL; p = p->next)
        if (p->held == HELD && (srv->failed || p->out.hold <= srv->durable)) {
            p->held = p->out.hold <= srv->durable ? DURABLE : LOST;
            MHD_resume_connection(p->c);
        }
    for (s = srv->streams; s != NULL; s = s->next)
        let_go(s);
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
    n = s->ready - s->off;
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
    unread(s->srv, s->who, -n);
    if (s->off == s->len) {     /* all sent (so no marks): start over */
        s->off = s->len = s->ready = 0;
        /* a buffer grown for a large message (a large case's first) is
         * given back, not held in the budget for the stream's life */
        if (s->cap > STREAM_KEEP) {
            atomic_fetch_sub(&s->srv->unsent, s->cap);
            free(s->buf);
            s->buf = NULL;
            s->cap = 0;
        }
    }
    pthread_mutex_unlock(&s->srv->mu);
    return (ssize_t)n;
}

void http_stream_end(http_stream *s)
{
    pthread_mutex_lock(&s->srv->mu);
    s->ending = 1;
    wake(s);
    pthread_mutex_unlock(&s->srv->mu);
}

static void stream_free(void *cls)
{
    http_stream *s = cls, **p;

    pthread_mutex_lock(&s->srv->mu);
    for (p = &s->srv->streams; *p != s; p = &(*p)->next)
        ;
    *p = s->next;
    unread(s->srv, s->who, -(s->len - s->off));
    pthread_mutex_unlock(&s->srv->mu);
    s->gone(s->ud, s);
    atomic_fetch_sub(&s->srv->unsent, s->cap);
    free(s->buf);
    free(s->marks);
    free(s);
}

static enum MHD_Result send_stream(http_server *srv,
                                   struct MHD_Connection *c,
                                   const pending *p, const http_reply *out)
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
    s->who = p->who;
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

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes %XX in the path and query arguments, in place, as
 * libmicrohttpd would, but leaves %00 as it is: a NUL would cut what
 * follows it off silently ("/v1/cases/A-1%00x" naming A-1), where
 * "%00" makes an id or a number that does not read. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    char *w = s;
    const char *r = s;

    (void)cls;
    (void)c;
    while (*r != '\0') {
        int hi, lo;

        if (r[0] == '%' && (hi = hex_digit(r[1])) >= 0 &&
            (lo = hex_digit(r[2])) >= 0 && (hi | lo) != 0) {
            *w++ = (char)(hi << 4 | lo);
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* What a request's headers say about where it ends, and whom it is
 * for and from. */
typedef struct framing {
    int lengths, encodings;  /* Content-Length and Transfer-Encoding */
    int chunked;             /* the encoding is chunked, alone */
    int hosts, auths;
    int bad_name;            /* a name with a byte no name may have */
} framing;

/* A byte of a header's name (RFC 9110, 5.6.2: a token). */
static int name_byte(unsigned char c)
{
    return pb__ascii_digit(c) || pb__ascii_alpha(c) ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static enum MHD_Result add_framing(void *cls, enum MHD_ValueKind kind,
                                   const char *key, const char *value)
{
    framing *f = cls;
    const char *k;

    (void)kind;
    /* libmicrohttpd 0.9.75 keeps "Content-Length :" as a name with a
     * space in it, which the counts below would not see. */
    for (k = key; *k != '\0'; k++)
        f->bad_name |= !name_byte((unsigned char)*k);
    if (*key == '\0')
        f->bad_name = 1;
    if (strcasecmp(key, "Host") == 0) {
        f->hosts++;
    } else if (strcasecmp(key, "Authorization") == 0) {
        f->auths++;
    } else if (strcasecmp(key, "Content-Length") == 0) {
        f->lengths++;
    } else if (strcasecmp(key, "Transfer-Encoding") == 0) {
        f->encodings++;
        f->chunked = value != NULL && strcasecmp(value, "chunked") == 0;
    }
    return MHD_YES;
}

/*
 * Why the end of a request cannot be trusted, or NULL.  A proxy in front
 * that reads its end another way (the last Content-Length, say) would
 * take the rest as a request of its own (request smuggling): refused,
 * and the connection closed (RFC 9112, 6.3).
 */
static const char *bad_framing(struct MHD_Connection *c, const char *version)
{
    framing f = { 0, 0, 0, 0, 0, 0 };

    MHD_get_connection_values(c, MHD_HEADER_KIND, add_framing, &f);
    if (f.bad_name)
        return bad_name;
    if (f.hosts > 1)
        return two_hosts;
    /* a proxy in front may read the other one (RFC 9110, 5.3) */
    if (f.auths > 1)
        return two_tokens;
    if (f.lengths > 1)
        return bad_length;
    if (f.encodings > 0 && (!f.chunked || f.encodings > 1 || f.lengths > 0))
        return bad_encoding;
    if (strcmp(version, "HTTP/1.1") == 0 && header(c, "Host") == NULL)
        return no_host;
    return NULL;
}

/*
 * A request line may name the whole URI, "GET http://host/path" (the
 * absolute form, which proxies send), and a server must take it (RFC
 * 9112, 3.2.2): its path is the path, and its host stands for the Host
 * header.  The path of url, with *host pointing at that host (copied
 * into buf) when url names one; NULL when the host does not fit.
 */
static const char *target_path(const char *url, char *buf, size_t size,
                               const char **host)
{
    const char *a, *slash;
    size_t n;

    if (strncasecmp(url, "http://", 7) == 0)
        a = url + 7;
    else if (strncasecmp(url, "https://", 8) == 0)
        a = url + 8;
    else
        return url;
    slash = strchr(a, '/');
    n = slash != NULL ? (size_t)(slash - a) : strlen(a);
    if (n >= size)
        return NULL;
    memcpy(buf, a, n);
    buf[n] = '\0';
    *host = buf;
    return slash != NULL ? slash : "/";
}

static time_t now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1; /* never 0 */
}

/*
 * Connections are few (max_connections), and anyone who reaches the
 * port can open them: at the limit libmicrohttpd accepts no more, so
 * clients that connect and wait would keep every agent out.  Past three
 * quarters of the limit each new connection lets the oldest go that is
 * waiting for a request (none is being served on it): one that never
 * showed a token first, else one that did (its client connects again).
 * A client's request comes right after its connection, so it is those
 * that wait that go (docs/hardening.md, "What a client can hold").
 * Under the lock.
 */
static void make_room(http_server *s, const conn *fresh)
{
    conn *k, *idle = NULL;

    if (s->nconns <= s->lim.max_connections - s->lim.max_connections / 4)
        return;
    for (k = s->conns; k != NULL && k != fresh; k = k->next) {
        if (k->since != 0 && (idle == NULL || !k->trusted))
            idle = k;
        if (idle != NULL && !idle->trusted)
            break;
    }
    if (idle != NULL) {
        shutdown(idle->fd, SHUT_RDWR); /* libmicrohttpd sees the end */
        idle->since = 0;
    }
}

/* Keeps the list of open connections (MHD_OPTION_NOTIFY_CONNECTION). */
static void on_connection(void *cls, struct MHD_Connection *c,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    http_server *s = cls;
    conn *k = *socket_context;

    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

        if (info == NULL)
            return;     /* not watched: the idle timeout still counts */
        /* What the kernel holds for a client is not counted in
         * max_unsent: a fixed buffer bounds it (an attack review's 150
         * clients that did not read held 181 MiB there, autotuned). */
        setsockopt(info->connect_fd, SOL_SOCKET, SO_SNDBUF,
                   &(int){KERNEL_SNDBUF}, sizeof(int));
        if ((k = calloc(1, sizeof *k)) == NULL)
            return;
        k->fd = info->connect_fd;
        k->since = now_s();
        pthread_mutex_lock(&s->mu);
        k->pprev = s->conns_end;
        *s->conns_end = k;
        s->conns_end = &k->next;
        s->nconns++;
        make_room(s, k);
        pthread_mutex_unlock(&s->mu);
        *socket_context = k;
    } else if (k != NULL) {     /* closed: before its socket is */
        pthread_mutex_lock(&s->mu);
        *k->pprev = k->next;
        if (k->next != NULL)
            k->next->pprev = k->pprev;
        else
            s->conns_end = k->pprev;
        s->nconns--;
        pthread_mutex_unlock(&s->mu);
        free(k);
        *socket_context = NULL;
    }
}

/* c's request is whole (since 0), or served and the next awaited. */
static void request_state(http_server *s, struct MHD_Connection *c,
                          time_t since)
{
    conn *k = conn_of(c);

    if (k != NULL) {
        pthread_mutex_lock(&s->mu);
        k->since = since;
        pthread_mutex_unlock(&s->mu);
    }
}

void http_reap(http_server *s)
{
    time_t now = now_s();
    conn *k;

    pthread_mutex_lock(&s->mu);
    for (k = s->conns; k != NULL; k = k->next)
        if (k->since != 0 && now - k->since > (time_t)s->lim.timeout) {
            /* libmicrohttpd sees the end, and closes it */
            shutdown(k->fd, SHUT_RDWR);
            k->since = 0;
        }
    pthread_mutex_unlock(&s->mu);
}

/* Adds the bytes of a header or query argument to *cls. */
static enum MHD_Result add_length(void *cls, enum MHD_ValueKind kind,
                                  const char *key, const char *value)
{
    (void)kind;
    *(size_t *)cls += strlen(key) + (value != NULL ? strlen(value) : 0) + 4;
    return MHD_YES;
}

/* The bytes of c's values of the kinds given: with the request line,
 * what libmicrohttpd keeps of the request in the connection's memory,
 * where the answer's headers must fit too. */
static size_t values_size(struct MHD_Connection *c, unsigned kinds)
{
    size_t n = 0;

    MHD_get_connection_values(c, (enum MHD_ValueKind)kinds, add_length, &n);
    return n;
}

const char *http_query(const http_request *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND,
                                       name);
}

int http_prefers(const http_request *rq, const char *pref)
{
    size_t n = strlen(pref), k;
    const char *p = rq->prefer;

    /* preferences are separated by commas, their parameters by ';' */
    while (p != NULL && *p != '\0') {
        p += strspn(p, " \t,");
        k = strcspn(p, " \t,;");
        if (k == n && strncasecmp(p, pref, n) == 0)
            return 1;
        p = strchr(p, ',');
    }
    return 0;
}

/* Appends a piece of the body, or marks it too big. */
static int take(pending *p, const char *data, size_t n, size_t max)
{
    if (p->too_big || n > max - p->len) {
        p->too_big = 1;
        return 0;
    }
    if (p->len + n + 1 > p->cap) {
        /* Under 1 KiB, glibc's first large size: a large allocation
         * first gathers the small free lists, on every request. */
        size_t cap = p->cap ? p->cap : 512;
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

/* The handler's reply to p's request, its bytes counted in the
 * server's unsent until on_done. */
static enum MHD_Result send_counted(http_server *s, struct MHD_Connection *c,
                                    pending *p, const http_reply *out)
{
    if (out->type == NULL) {
        p->unsent = out->len;
        atomic_fetch_add(&s->unsent, out->len);
        if (p->who != 0) {
            pthread_mutex_lock(&s->mu);
            unread(s, p->who, out->len);
            pthread_mutex_unlock(&s->mu);
        }
    }
    return send_answer(c, out);
}

/* The reply that was held for p, or a 503 when it never will be
 * durable. */
static enum MHD_Result answer_held(http_server *s, struct MHD_Connection *c,
                                   pending *p)
{
    int durable;

    pthread_mutex_lock(&s->mu);
    durable = p->held == DURABLE;
    unhold(p);
    pthread_mutex_unlock(&s->mu);
    p->held = NOT_HELD;
    if (durable)
        return send_counted(s, c, p, &p->out);
    if (p->out.type == NULL)
        free(p->out.body);
    return send_reply(c, 503, not_durable, sizeof not_durable - 1);
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
    const char *cl, *bad;
    char authority[256];

    if (p == NULL) {
        if ((p = calloc(1, sizeof *p)) == NULL)
            return send_reply(c, 503, no_memory, sizeof no_memory - 1);
        p->srv = s;
        *req_cls = p;
        /* Refused before a byte of the body is read. */
        p->head = strlen(method) + strlen(url) + 16 +
                  values_size(c, MHD_HEADER_KIND | MHD_GET_ARGUMENT_KIND);
        if (p->head > MAX_HEAD)
            return send_reply(c, 431, too_long, sizeof too_long - 1);
        if ((bad = bad_framing(c, version)) != NULL)
            return reply_close(c, 400, bad, strlen(bad), 1);
        /* Clients that do not read hold all we may hold for them: no
         * more work until they do, or are cut off; but those who show a
         * token and hold none of it go on (http_owner). */
        if (atomic_load(&s->unsent) > s->lim.max_unsent &&
            (strncmp(url, "/v1/", 4) != 0 ||
             header(c, "Authorization") == NULL))
            return send_reply(c, 503, busy, sizeof busy - 1);
        cl = header(c, "Content-Length");
        if (cl != NULL && strtoull(cl, NULL, 10) > s->lim.max_body)
            return send_reply(c, 413, too_big, sizeof too_big - 1);
        return MHD_YES;
    }
    if (p->held != NOT_HELD)    /* resumed by http_release */
        return answer_held(s, c, p);
    if (*upload_size > 0) {
        if (take(p, upload, *upload_size, s->lim.max_body) != 0)
            return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    if (p->too_big)
        return send_reply(c, 413, too_big, sizeof too_big - 1);
    /* A chunked body's trailers come after it, in the same memory: past
     * the limit, no room may be left for the answer, and a request
     * acted on without one would be sent again. */
    if (p->head + values_size(c, MHD_FOOTER_KIND) > MAX_HEAD)
        return send_reply(c, 431, too_long, sizeof too_long - 1);
    request_state(s, c, 0);
    memset(&rq, 0, sizeof rq);
    rq.method = method;
    rq.host = header(c, "Host");
    rq.path = target_path(url, authority, sizeof authority, &rq.host);
    if (rq.path == NULL)
        return send_reply(c, 400, long_host, sizeof long_host - 1);
    rq.origin = header(c, "Origin");
    rq.authorization = header(c, "Authorization");
    rq.content_type = header(c, "Content-Type");
    rq.prefer = header(c, "Prefer");
    rq.body = p->body ? p->body : "";
    rq.len = p->len;
    rq.conn = c;
    rq.req = p;
    memset(&out, 0, sizeof out);
    s->handler(s->ud, &rq, &out);
    if (out.opened != NULL)
        return send_stream(s, c, p, &out);
    if (out.body == NULL && out.type == NULL)
        return send_reply(c, 503, no_memory, sizeof no_memory - 1);
    if (out.hold != 0) {
        pthread_mutex_lock(&s->mu);
        if (out.hold > s->durable) {
            /* Not yet durable: the connection waits, and so does what
             * the handler said; or it never will be. */
            p->out = out;
            p->held = s->failed ? LOST : HELD;
            if (p->held == HELD) {
                p->c = c;
                p->next = s->held;
                if (s->held != NULL)
                    s->held->pprev = &p->next;
                s->held = p;
                p->pprev = &s->held;
                MHD_suspend_connection(c);
                pthread_mutex_unlock(&s->mu);
                return MHD_YES;
            }
        }
        pthread_mutex_unlock(&s->mu);
        if (p->held == LOST)
            return answer_held(s, c, p);
    }
    return send_counted(s, c, p, &out);
}

static void on_done(void *cls, struct MHD_Connection *c, void **req_cls,
                    enum MHD_RequestTerminationCode why)
{
    http_server *s = cls;
    pending *p = *req_cls;

    (void)why;
    request_state(s, c, now_s());   /* the next one's time starts */
    if (p != NULL) {
        atomic_fetch_sub(&s->unsent, p->unsent);
        if (p->who != 0) {
            pthread_mutex_lock(&s->mu);
            unread(s, p->who, -p->unsent);
            pthread_mutex_unlock(&s->mu);
        }
        if (p->held != NOT_HELD) {  /* gone before its answer */
            pthread_mutex_lock(&s->mu);
            unhold(p);
            pthread_mutex_unlock(&s->mu);
            if (p->out.type == NULL)
                free(p->out.body);
        }
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
    s->conns_end = &s->conns;
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
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                            (size_t)CONNECTION_MEMORY,
                            MHD_OPTION_NOTIFY_COMPLETED, on_done, s,
                            MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
                            MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
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
    pending *p;
    int i, left = 1;

    if (s == NULL)
        return;
    /* Every stream ends; its client gets what was queued and durable.
     * A held reply is answered 503: the server does not wait for it.
     * Up to two seconds for the server's thread to close them. */
    for (i = 0; i < 200 && left; i++) {
        pthread_mutex_lock(&s->mu);
        for (st = s->streams; st != NULL; st = st->next) {
            st->ending = 1;
            wake(st);
        }
        for (p = s->held; p != NULL; p = p->next)
            if (p->held == HELD) {
                p->held = LOST;
                MHD_resume_connection(p->c);
            }
        left = s->streams != NULL || s->held != NULL;
        pthread_mutex_unlock(&s->mu);
        if (left)
            nanosleep(&tick, NULL);
    }
    MHD_stop_daemon(s->d);
    pthread_mutex_destroy(&s->mu);
    pb__index_free(&s->owner_ix);
    free(s->owners);
    free(s);
}
