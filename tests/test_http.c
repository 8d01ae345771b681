/*
 * test_http.c -- held replies (engine/serve/http.h, group commit): a
 * reply or a stream's bytes with a hold reach the client only once
 * http_release says the hold is durable; a hold that never will be is
 * answered 503, and so is every later one; http_stop answers a reply
 * still held.  Driven over a real socket on 127.0.0.1.
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
#include <unistd.h>

#include "http.h"

/* The handler's orders, for the next request. */
typedef struct orders {
    unsigned long long hold;  /* of the reply, or of a stream's "b" */
    int stream;               /* 1: a stream, sent "a" then "b" */
} orders;

static void opened(void *ud, http_stream *s)
{
    orders *o = ud;

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

    (void)rq;
    if (o->stream) {
        out->opened = opened;
        out->gone = gone;
        out->stream_ud = o;
        return;
    }
    out->status = 200;
    out->body = strdup("{\"ok\": true}\n");
    out->len = strlen(out->body);
    out->hold = o->hold;
}

static http_server *serve(orders *o)
{
    http_limits lim = { .max_body = 4096, .max_unsent = 1u << 20,
                        .timeout = 10, .max_connections = 16 };
    char err[200];
    http_server *s = http_start("127.0.0.1", 0, &lim, handler, o, err,
                                sizeof err);

    assert_non_null(s);
    return s;
}

/* A client that has sent GET /. */
static int ask(const http_server *s)
{
    static const char get[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)http_port(s));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
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

static void a_held_reply_waits_for_its_hold(void **state)
{
    orders o = { 5, 0 };
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
    fd = ask(s);
    assert_non_null(strstr(got(fd, 2000, buf, sizeof buf), "HTTP/1.1 200"));
    close(fd);
    http_stop(s);
}

static void a_hold_that_cannot_be_met_is_refused(void **state)
{
    orders o = { 7, 0 };
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
    fd = ask(s);
    assert_non_null(strstr(got(fd, 2000, buf, sizeof buf), "HTTP/1.1 503"));
    close(fd);
    http_stop(s);
}

static void a_stream_sends_what_is_durable(void **state)
{
    orders o = { 12, 1 };
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
    orders o = { 9, 1 };
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
    orders o = { 20, 0 };
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_held_reply_waits_for_its_hold),
        cmocka_unit_test(a_hold_that_cannot_be_met_is_refused),
        cmocka_unit_test(a_stream_sends_what_is_durable),
        cmocka_unit_test(a_stream_whose_hold_fails_ends),
        cmocka_unit_test(stopping_answers_a_held_reply),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
