/*
 * test_follow.c -- an agent's streams (engine/serve/follow.h): 32 at
 * most, all their tokens together; one more ends their oldest, or
 * itself while one of theirs is still ending; another agent's and a
 * lead's are not touched.  The
 * HTTP layer is stubbed: a stream is a number, and ending one is
 * recorded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "follow.h"

#define MAX_STREAMS 200

/* The streams: ended[k] says whether stream k was ended. */
static http_stream *streams[MAX_STREAMS];
static int ended[MAX_STREAMS];

static size_t index_of(const http_stream *s)
{
    size_t k = (size_t)((const char *)s - (const char *)streams);

    assert_true(k < MAX_STREAMS);
    return k;
}

static http_stream *stream(size_t k)
{
    return (http_stream *)((char *)streams + k);
}

void http_stream_end(http_stream *s)
{
    ended[index_of(s)]++;
}

int http_stream_send(http_stream *s, const char *data, size_t len,
                     unsigned long long hold)
{
    (void)s, (void)data, (void)len, (void)hold;
    return 0;
}

int auth_has(const auth *a, const auth_user *u)
{
    (void)a, (void)u;
    return 1;
}

static auth_user user(const char *name, auth_role role)
{
    auth_user u;

    memset(&u, 0, sizeof u);
    strcpy(u.name, name);
    u.role = role;
    return u;
}

static int count_ended(size_t from, size_t to)
{
    int n = 0;

    for (; from < to; from++)
        n += ended[from] != 0;
    return n;
}

static void test_oldest_ends(void **state)
{
    follow *f = follow_new();
    auth_user amira = user("amira", AUTH_AGENT), ben = user("ben", AUTH_AGENT),
              lena = user("lena", AUTH_LEAD), boss = user("amira", AUTH_LEAD);
    size_t k;

    (void)state;
    memset(ended, 0, sizeof ended);
    for (k = 0; k < FOLLOW_MAX_AGENT; k++)
        assert_int_equal(follow_add(f, "C-1", stream(k), 0, &amira), 0);
    /* others' streams, a lead of the same name included, and streams
     * without tokens count for nobody */
    for (k = 100; k < 140; k++)
        assert_int_equal(follow_add(f, "C-2", stream(k), 0,
                                    k < 110 ? &ben : k < 130 ? &lena : &boss),
                         0);
    for (k = 140; k < 150; k++)
        assert_int_equal(follow_add(f, "C-3", stream(k), 0, NULL), 0);
    assert_int_equal(count_ended(0, MAX_STREAMS), 0);
    /* a 33rd: the oldest ends; a 34th, the first still there and
     * ending: the 34th itself, not the first again nor the next */
    assert_int_equal(follow_add(f, "C-1", stream(32), 0, &amira), 0);
    assert_int_equal(ended[0], 1);
    assert_int_equal(follow_add(f, "C-1", stream(33), 0, &amira), 1);
    assert_int_equal(ended[0], 1);
    assert_int_equal(ended[33], 1);
    assert_int_equal(count_ended(0, MAX_STREAMS), 2);
    /* once both have gone, a new one ends the next oldest */
    follow_remove(f, stream(0));
    follow_remove(f, stream(33));
    assert_int_equal(follow_add(f, "C-1", stream(34), 0, &amira), 0);
    assert_int_equal(ended[1], 1);
    assert_int_equal(count_ended(0, MAX_STREAMS), 3);
    assert_int_equal(count_ended(100, 150), 0);
    follow_free(f);
}

static void test_ending_bounded(void **state)
{
    follow *f = follow_new();
    auth_user amira = user("amira", AUTH_AGENT);
    size_t k;

    (void)state;
    memset(ended, 0, sizeof ended);
    /* clients that never read: what is ended is never gone.  Past the
     * 32, the first new one ends the oldest, every other one itself:
     * never more than 32 open and one ended for want of room */
    for (k = 0; k < FOLLOW_MAX_AGENT + 50; k++)
        assert_int_equal(follow_add(f, "C-1", stream(k), 0, &amira),
                         k > FOLLOW_MAX_AGENT);
    assert_int_equal(ended[0], 1);
    assert_int_equal(count_ended(1, FOLLOW_MAX_AGENT + 1), 0);
    assert_int_equal(count_ended(FOLLOW_MAX_AGENT + 1, FOLLOW_MAX_AGENT + 50),
                     49);
    follow_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oldest_ends),
        cmocka_unit_test(test_ending_bounded),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
