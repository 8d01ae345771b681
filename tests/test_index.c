/*
 * test_index.c -- the hash index (index.h) against a plain list of the
 * names it should hold: names added, found, taken out and reused, in
 * runs long enough that removals land in the middle of probe runs, where
 * a removal that only emptied its slot would lose the names after it;
 * and names picked to collide under a hash anyone can compute, which do
 * not pile up in the index's slots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "index.h"

#define SLOTS 300

typedef struct names {
    char v[SLOTS][16];
    int used[SLOTS];
} names;

static const char *name_at(const void *array, size_t pos)
{
    return ((const names *)array)->v[pos];
}

/* Every name in use is found at its position, and others are not. */
static void check(const pb__index *ix, const names *ns, unsigned round)
{
    char other[32];
    size_t i, n = 0;

    for (i = 0; i < SLOTS; i++) {
        if (!ns->used[i])
            continue;
        n++;
        assert_int_equal(pb__index_find(ix, ns->v[i], name_at, ns), (long)i);
    }
    assert_int_equal(ix->n, n);
    snprintf(other, sizeof other, "absent-%u", round);
    assert_int_equal(pb__index_find(ix, other, name_at, ns), -1);
}

static void add_remove_reuse(void **state)
{
    static names ns;
    pb__index ix = { NULL, 0, 0 };
    unsigned seed = 7, round, serial = 0;
    size_t pos;

    (void)state;
    memset(&ns, 0, sizeof ns);
    for (round = 0; round < 20000; round++) {
        pos = (size_t)rand_r(&seed) % SLOTS;
        if (ns.used[pos]) {
            pb__index_remove(&ix, ns.v[pos], name_at, &ns);
            ns.used[pos] = 0;
            /* gone, and removing it again changes nothing */
            assert_int_equal(pb__index_find(&ix, ns.v[pos], name_at, &ns),
                             -1);
            pb__index_remove(&ix, ns.v[pos], name_at, &ns);
        } else {
            snprintf(ns.v[pos], sizeof ns.v[pos], "c-%u", serial++);
            ns.used[pos] = 1;
            assert_int_equal(pb__index_add(&ix, pos, name_at, &ns), 0);
        }
        if (round % 97 == 0)
            check(&ix, &ns, round);
    }
    check(&ix, &ns, round);
    pb__index_free(&ix);
}

/* A removal from an empty index, and of the last name. */
static void empty(void **state)
{
    static names ns;
    pb__index ix = { NULL, 0, 0 };

    (void)state;
    memset(&ns, 0, sizeof ns);
    pb__index_remove(&ix, "x", name_at, &ns);
    strcpy(ns.v[0], "x");
    assert_int_equal(pb__index_add(&ix, 0, name_at, &ns), 0);
    pb__index_remove(&ix, "x", name_at, &ns);
    assert_int_equal(ix.n, 0);
    assert_int_equal(pb__index_find(&ix, "x", name_at, &ns), -1);
    pb__index_free(&ix);
}

/* Flooding: 2,000 names whose FNV-1a (pb__hash, which anyone can
 * compute) is the same in its low 12 bits, the index's slots for that
 * many.  Under that hash each add and look-up would compare every name
 * before it (about 4 million in all); under the index's keyed one, a
 * few each.  Counted by how often the index reads a name. */
#define FLOOD 2000

static unsigned long reads;

static const char *flood_at(const void *array, size_t pos)
{
    reads++;
    return ((const char (*)[16])array)[pos];
}

static void picked_names_do_not_pile_up(void **state)
{
    static char v[FLOOD][16];
    pb__index ix = { NULL, 0, 0 };
    unsigned long tried = 0;
    size_t n = 0, i;

    (void)state;
    while (n < FLOOD) {
        unsigned long k = tried++;
        char *p = v[n] + 3;

        memcpy(v[n], "id-", 3);
        do
            *p++ = "0123456789abcdefghijklmnopqrstuvwxyz"[k % 36];
        while ((k /= 36) > 0);
        *p = '\0';
        if ((pb__hash(v[n]) & 0xFFF) == 0)
            n++;
    }
    for (i = 0; i < FLOOD; i++)
        assert_int_equal(pb__index_add(&ix, i, flood_at, v), 0);
    for (i = 0; i < FLOOD; i++)
        assert_int_equal(pb__index_find(&ix, v[i], flood_at, v), (long)i);
    assert_true(reads < 20ul * FLOOD);
    pb__index_free(&ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(add_remove_reuse),
        cmocka_unit_test(empty),
        cmocka_unit_test(picked_names_do_not_pile_up),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
