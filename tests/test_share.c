/*
 * test_share.c -- each agent's share of the serving thread and of the
 * data folder (engine/serve/share.h): a name may go while its allowance
 * is not spent, is told how long to wait once it is, gets back `rate` a
 * second up to `most`, and no name pays for another.
 * Times are given, not read, so every figure is exact.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "share.h"

#define NEAR(a, b) assert_true((a) - (b) < 1e-9 && (b) - (a) < 1e-9)

static void test_spent_then_wait(void **state)
{
    share *s = share_new(0.25, 0.25);   /* 250 ms a second */

    (void)state;
    assert_non_null(s);
    NEAR(share_wait(s, "amira", 0), 0);           /* never seen: goes */
    assert_int_equal(share_charge(s, "amira", 0, 0.2), 0);
    NEAR(share_wait(s, "amira", 0), 0);           /* 50 ms left */
    assert_int_equal(share_charge(s, "amira", 0, 0.15), 0);
    NEAR(share_wait(s, "amira", 0), 0.4);         /* 100 ms owed */
    NEAR(share_wait(s, "amira", 0.3), 0.1);       /* 75 ms paid back */
    NEAR(share_wait(s, "amira", 0.4), 0);
    share_free(s);
}

static void test_saved_up_to_a_second(void **state)
{
    share *s = share_new(0.25, 0.25);

    (void)state;
    assert_int_equal(share_charge(s, "amira", 0, 0.25), 0);
    /* an hour idle saves one second's worth, not 900 s */
    assert_int_equal(share_charge(s, "amira", 3600, 0.5), 0);
    NEAR(share_wait(s, "amira", 3600), 1);
    share_free(s);
}

/* The data folder's share: bytes, 60 KiB a minute, a minute's worth
 * saved (serve --agent-disk). */
static void test_bytes_a_minute(void **state)
{
    share *s = share_new(61440.0 / 60, 61440);

    (void)state;
    NEAR(share_wait(s, "amira", 0), 0);
    /* a new name has the whole minute's worth: 60 events of 1 KiB */
    assert_int_equal(share_charge(s, "amira", 0, 60 * 1024.0), 0);
    NEAR(share_wait(s, "amira", 0), 0);
    /* one more goes, in debt by 1 KiB: a second to pay back */
    assert_int_equal(share_charge(s, "amira", 0, 1024), 0);
    NEAR(share_wait(s, "amira", 0), 1);
    NEAR(share_wait(s, "amira", 0.5), 0.5);
    /* a day idle saves one minute's worth, not a day's */
    assert_int_equal(share_charge(s, "amira", 86400, 61440 + 2048), 0);
    NEAR(share_wait(s, "amira", 86400), 2);
    share_free(s);
}

static void test_names_apart(void **state)
{
    share *s = share_new(0.1, 0.1);
    char name[16];
    int i;

    (void)state;
    /* enough names to grow the table and its index */
    for (i = 0; i < 100; i++) {
        snprintf(name, sizeof name, "agent%d", i);
        assert_int_equal(share_charge(s, name, 0, 0.1 + i / 100.0), 0);
    }
    NEAR(share_wait(s, "agent0", 0), 0);
    NEAR(share_wait(s, "agent50", 0), 5);
    NEAR(share_wait(s, "agent99", 0), 9.9);
    NEAR(share_wait(s, "nobody", 0), 0);
    share_free(s);
}

static void test_long_name(void **state)
{
    share *s = share_new(0.1, 0.1);
    char name[100];

    (void)state;
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    assert_int_equal(share_charge(s, name, 0, 1), -1);
    NEAR(share_wait(s, name, 0), 0);
    share_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spent_then_wait),
        cmocka_unit_test(test_saved_up_to_a_second),
        cmocka_unit_test(test_bytes_a_minute),
        cmocka_unit_test(test_names_apart),
        cmocka_unit_test(test_long_name),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
