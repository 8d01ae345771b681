/*
 * test_http.c -- held replies (engine/serve/http.h, group commit): a
 * reply or a stream's bytes with a hold reach the client only once
 * http_release says the hold is durable; a hold that never will be is
 * answered 503, and so is every later one; http_stop answers a reply
 * still held.  What an owner's clients do not read is bounded to their
 * part of max_unsent, and another owner's requests and streams go on;
 * while all clients hold more than max_unsent, owners who hold none of
 * it go on.  Connections that wait for a request are let go when
 * connections run short, those that showed a token last.  Driven over
 * a real socket on 127.0.0.1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

/* The handler's orders, for the next request. */
typedef struct orders {
    unsigned long long hold;  /* of the reply, or of a stream's "b" */
    int stream;               /* 1: a stream, sent "a" then "b" */
    const char *owner;        /* the reply's (NULL: none) */
    size_t size;              /* a body, or a stream's one message, of
                               * this many bytes; 0: the usual */
    int part;                 /* the owner is an agent, with a part */
} orders;

/* The budget for what clients do not read, and an owner's part. */
#define UNSENT (128u << 20)
#define PART (UNSENT / HTTP_OWNER_PART)

/* Time for the server to have acted on what a client sent. */
static const struct timespec settle = { 0, 200 * 1000 * 1000 };

static char *filled(size_t n)
{
    char *b = malloc(n);

    assert_non_null(b);
    memset(b, 'x', n);
    return b;
}

static void opened(void *ud, http_stream *s)
{
    orders *o = ud;

    if (o->size > 0) {
        char *b = filled(o->size);

        http_stream_send(s, b, o->size, 0);
        free(b);
        return;
    }
    http_stream_send(s, "a", 1, 0);
    http_stream_send(s, "b", 1, o->hold);
}

static void gone(void *ud, http_stream *s)
{
    (void)ud;
    (void)s;
}

static void handler(void *ud, const http_request *rq, http_reply *out)
{
    orders *o = ud;

    switch (http_owner(rq, o->owner, o->part)) {   /* as the API does */
    case HTTP_PAST_PART:
        out->status = 429;
        out->body = strdup("{\"over\": \"part\"}\n");
        out->len = strlen(out->body);
        return;
    case HTTP_BUSY:
        out->status = 503;
        out->body = strdup("{\"over\": \"all\"}\n");
        out->len = strlen(out->body);
        return;
    }
    if (o->stream) {
        out->opened = opened;
        out->gone = gone;
        out->stream_ud = o;
        return;
    }
    out->status = 200;
    out->body = o->size > 0 ? filled(o->size) : strdup("{\"ok\": true}\n");
    out->len = o->size > 0 ? o->size : strlen(out->body);
    out->hold = o->hold;
}

static http_server *serve_with(orders *o, size_t unsent)
{
    http_limits lim = { .max_body = 4096, .max_unsent = unsent,
                        .timeout = 10, .max_connections = 16 };
    char err[200];
    http_server *s = http_start("127.0.0.1", 0, &lim, handler, o, err,
                                sizeof err);

    assert_non_null(s);
    return s;
}

static http_server *serve(orders *o) { return serve_with(o, UNSENT); }

/* A client connected to s, that has sent nothing yet, and reads slowly
 * if at all: the kernel takes little of what it is not reading. */
static int dial(const http_server *s)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0), small = 4096;

    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small,
                                sizeof small), 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)http_port(s));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

/* Sends GET / on fd. */
static int get_on(int fd)
{
    static const char get[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    assert_int_equal(write(fd, get, sizeof get - 1), (long)sizeof get - 1);
    return fd;
}

/* A client that has sent GET /. */
static int ask(const http_server *s) { return get_on(dial(s)); }

/* One that has sent GET /v1/x with a token, as the API's clients do. */
static int ask_v1(const http_server *s)
{
    static const char get[] = "GET /v1/x HTTP/1.1\r\nHost: x\r\n"
                              "Authorization: Bearer t\r\n\r\n";
    int fd = dial(s);

    assert_int_equal(write(fd, get, sizeof get - 1), (long)sizeof get - 1);
    return fd;
}

/* What the client got within ms milliseconds ("" for nothing), up to
 * the end of the headers' blank line and the body after it. */
static const char *got(int fd, int ms, char *buf, size_t size)
{
    struct pollfd p = { fd, POLLIN, 0 };
    size_t n = 0;
    long k;

    while (n + 1 < size && poll(&p, 1, ms) == 1 &&
           (k = read(fd, buf + n, size - 1 - n)) > 0) {
        n += (size_t)k;
        ms = 50;   /* the rest follows at once */
    }
    buf[n] = '\0';
    return buf;
}

/* A new client of s, asking as `asking` does, gets `status` (as
 * "HTTP/1.1 200"). */
static void answered(const http_server *s, int (*asking)(const http_server *),
                     const char *status)
{
    char buf[4096];
    int fd = asking(s);

    assert_non_null(strstr(got(fd, 2000, buf, sizeof buf), status));
    close(fd);
}

static void a_held_reply_waits_for_its_hold(void **state)
{
    orders o = { 5, 0, NULL, 0, 0 };
    http_server *s = serve(&o);
    char buf[4096];
    int fd = ask(s);

    (void)state;
    assert_string_equal(got(fd, 300, buf, sizeof buf), "");
    http_release(s, 4, 1);
    assert_string_equal(got(fd, 200, buf, sizeof buf), "");
    http_release(s, 5, 1);
    got(fd, 2000, buf, sizeof buf);
    assert_non_null(strstr(buf, "HTTP/1.1 200"));
    assert_non_null(strstr(buf, "{\"ok\": true}"));
    close(fd);
    /* a hold already durable is not waited for */
    o.hold = 3;
    answered(s, ask, "HTTP/1.1 200");
    http_stop(s);
}

static void a_hold_that_cannot_be_met_is_refused(void **state)
{
    orders o = { 7, 0, NULL, 0, 0 };
    http_server *s = serve(&o);
    char buf[4096];
    int fd = ask(s);

    (void)state;
    assert_string_equal(got(fd, 200, buf, sizeof buf), "");
    http_release(s, 7, 0);
    got(fd, 2000, buf, sizeof buf);
    assert_non_null(strstr(buf, "HTTP/1.1 503"));
    assert_non_null(strstr(buf, "could not be made durable"));
    assert_null(strstr(buf, "\"ok\""));
    close(fd);
    /* and every later one, at once */
    o.hold = 8;
    answered(s, ask, "HTTP/1.1 503");
    http_stop(s);
}

static void a_stream_sends_what_is_durable(void **state)
{
    orders o = { 12, 1, NULL, 0, 0 };
    http_server *s = serve(&o);
    char buf[4096];
    const char *body;
    int fd = ask(s);

    (void)state;
    got(fd, 2000, buf, sizeof buf);
    assert_non_null(body = strstr(buf, "\r\n\r\n"));
    /* chunked: "1\r\na\r\n", and nothing of b */
    assert_non_null(strstr(body, "\r\na\r\n"));
    assert_null(strstr(body, "\r\nb\r\n"));
    http_release(s, 12, 1);
    assert_non_null(strstr(got(fd, 2000, buf, sizeof buf), "\r\nb\r\n"));
    close(fd);
    http_stop(s);
}

static void a_stream_whose_hold_fails_ends(void **state)
{
    orders o = { 9, 1, NULL, 0, 0 };
    http_server *s = serve(&o);
    char buf[4096];
    int fd = ask(s);

    (void)state;
    got(fd, 2000, buf, sizeof buf);
    assert_null(strstr(buf, "\r\nb\r\n"));
    http_release(s, 9, 0);
    /* the last chunk, and never b */
    got(fd, 2000, buf, sizeof buf);
    assert_non_null(strstr(buf, "0\r\n\r\n"));
    assert_null(strstr(buf, "\r\nb\r\n"));
    close(fd);
    http_stop(s);
}

static void stopping_answers_a_held_reply(void **state)
{
    orders o = { 20, 0, NULL, 0, 0 };
    http_server *s = serve(&o);
    char buf[4096];
    int fd = ask(s);

    (void)state;
    assert_string_equal(got(fd, 200, buf, sizeof buf), "");
    http_stop(s);   /* must not wait for ever, nor leak the reply */
    got(fd, 2000, buf, sizeof buf);
    assert_null(strstr(buf, "HTTP/1.1 200"));
    close(fd);
}

/* Reads fd until it has n bytes or more, or the stream's end. */
static size_t drain(int fd, size_t n)
{
    static char buf[1 << 16];
    struct pollfd p = { fd, POLLIN, 0 };
    size_t total = 0;
    long k;

    while (total < n && poll(&p, 1, 5000) == 1 &&
           (k = read(fd, buf, sizeof buf)) > 0) {
        total += (size_t)k;
        if (k >= 5 && memcmp(buf + k - 5, "0\r\n\r\n", 5) == 0)
            break;
    }
    return total;
}

static void an_owner_whose_clients_do_not_read_waits_alone(void **state)
{
    orders o = { 0, 0, "amira", PART + PART / 2, 1 };
    http_server *s = serve(&o);
    int big = ask(s);

    (void)state;
    /* her answer, over her part, is not read; her next request is
     * refused, another owner's and a request without one are served */
    nanosleep(&settle, NULL);
    o.size = 0;
    answered(s, ask, "HTTP/1.1 429");
    o.owner = "ben";
    answered(s, ask, "HTTP/1.1 200");
    o.owner = NULL;
    answered(s, ask, "HTTP/1.1 200");
    /* once she has read it, she is served again */
    assert_true(drain(big, PART + PART / 2) >= PART + PART / 2);
    nanosleep(&settle, NULL);
    o.owner = "amira";
    answered(s, ask, "HTTP/1.1 200");
    close(big);
    http_stop(s);
}

static void an_owners_stream_past_their_part_ends(void **state)
{
    orders o = { 0, 1, "amira", PART - PART / 8, 1 };
    http_server *s = serve(&o);
    int first = ask(s), second, other;

    (void)state;
    /* her first stream's message, not read, is all she holds: it goes;
     * her second's would take her past her part: that stream ends */
    nanosleep(&settle, NULL);
    second = ask(s);
    nanosleep(&settle, NULL);
    o.owner = "ben";
    other = ask(s);
    assert_true(drain(second, PART) < PART / 2);
    assert_true(drain(other, PART - PART / 8) >= PART - PART / 8);
    assert_true(drain(first, PART - PART / 8) >= PART - PART / 8);
    close(first);
    close(second);
    close(other);
    http_stop(s);
}

/* Five leads' clients (no part) each leave 8 MiB unread, more than the
 * server's 16 MiB together: those who hold some of it and requests
 * without an owner are refused, an agent who holds none is served. */
static void owners_who_hold_nothing_go_on(void **state)
{
    static const char *const leads[] = { "l1", "l2", "l3", "l4", "l5" };
    orders o = { 0, 0, NULL, 8u << 20, 0 };
    http_server *s = serve_with(&o, 16u << 20);
    int big[5], i;

    (void)state;
    for (i = 0; i < 5; i++) {
        o.owner = leads[i];
        big[i] = ask_v1(s);
        nanosleep(&settle, NULL);
    }
    o.size = 0;
    o.owner = "l1";
    answered(s, ask_v1, "HTTP/1.1 503");
    o.owner = NULL;
    answered(s, ask_v1, "HTTP/1.1 503");
    answered(s, ask, "HTTP/1.1 503");    /* no token: refused as it comes */
    o.owner = "zoe";
    o.part = 1;
    answered(s, ask_v1, "HTTP/1.1 200");
    /* once they have read, they are served again */
    for (i = 0; i < 5; i++) {
        assert_true(drain(big[i], 8u << 20) >= 8u << 20);
        close(big[i]);
    }
    nanosleep(&settle, NULL);
    o.owner = "l1";
    o.part = 0;
    answered(s, ask_v1, "HTTP/1.1 200");
    http_stop(s);
}

/* Whether the server closed fd (which asked nothing) within ms. */
static int closed(int fd, int ms)
{
    struct pollfd p = { fd, POLLIN, 0 };
    char c;

    return poll(&p, 1, ms) == 1 && read(fd, &c, 1) <= 0;
}

static void connections_that_wait_make_room(void **state)
{
    orders o = { 0, 0, "ben", 0, 0 };
    http_server *s = serve(&o);   /* 16 connections: room made past 12 */
    char buf[4096];
    int kept, idle[14], i;

    (void)state;
    /* the oldest connection showed a token, and waits for its next
     * request; 14 more send nothing: the 13th to 15th to come each let
     * the oldest of those go */
    kept = ask(s);
    assert_non_null(strstr(got(kept, 2000, buf, sizeof buf), "HTTP/1.1 200"));
    o.owner = NULL;
    for (i = 0; i < 14; i++)
        idle[i] = dial(s);
    for (i = 0; i < 3; i++)
        assert_true(closed(idle[i], 2000));
    nanosleep(&settle, NULL);
    for (i = 3; i < 14; i++)
        assert_false(closed(idle[i], 0));
    /* a new client is served, and so is the one that showed a token */
    answered(s, ask, "HTTP/1.1 200");
    get_on(kept);
    assert_non_null(strstr(got(kept, 2000, buf, sizeof buf), "HTTP/1.1 200"));
    close(kept);
    for (i = 0; i < 14; i++)
        close(idle[i]);
    http_stop(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_held_reply_waits_for_its_hold),
        cmocka_unit_test(a_hold_that_cannot_be_met_is_refused),
        cmocka_unit_test(a_stream_sends_what_is_durable),
        cmocka_unit_test(a_stream_whose_hold_fails_ends),
        cmocka_unit_test(stopping_answers_a_held_reply),
        cmocka_unit_test(an_owner_whose_clients_do_not_read_waits_alone),
        cmocka_unit_test(an_owners_stream_past_their_part_ends),
        cmocka_unit_test(owners_who_hold_nothing_go_on),
        cmocka_unit_test(connections_that_wait_make_room),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
