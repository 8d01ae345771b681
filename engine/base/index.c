/*
 * index.c -- the hash index over names in a caller's array (index.h).
 */
#include <stdlib.h>
#include <string.h>

#include "index.h"

size_t pb__hash(const char *s)
{
    size_t h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

long pb__index_find(const pb__index *ix, const char *name,
                    pb__index_key key, const void *array)
{
    size_t h, mask = ix->nslots - 1;

    if (ix->n == 0)
        return -1;
    for (h = pb__hash(name) & mask; ix->slots[h]; h = (h + 1) & mask)
        if (strcmp(key(array, ix->slots[h] - 1), name) == 0)
            return (long)(ix->slots[h] - 1);
    return -1;
}

static void put(size_t *slots, size_t nslots, size_t pos, const char *name)
{
    size_t h = pb__hash(name) & (nslots - 1);

    while (slots[h])
        h = (h + 1) & (nslots - 1);
    slots[h] = pos + 1;
}

int pb__index_reserve(pb__index *ix, size_t n, pb__index_key key,
                      const void *array)
{
    size_t nslots = ix->nslots ? ix->nslots : 4, *slots, i;

    while (n * 2 > nslots) {
        if (nslots > (size_t)-1 / 2 / sizeof *slots)
            return -1;
        nslots *= 2;
    }
    if (nslots == ix->nslots)
        return 0;
    if ((slots = calloc(nslots, sizeof *slots)) == NULL)
        return -1;
    for (i = 0; i < ix->nslots; i++)
        if (ix->slots[i])
            put(slots, nslots, ix->slots[i] - 1,
                key(array, ix->slots[i] - 1));
    free(ix->slots);
    ix->slots = slots;
    ix->nslots = nslots;
    return 0;
}

int pb__index_add(pb__index *ix, size_t pos, pb__index_key key,
                  const void *array)
{
    if (pb__index_reserve(ix, ix->n + 1, key, array) != 0)
        return -1;
    put(ix->slots, ix->nslots, pos, key(array, pos));
    ix->n++;
    return 0;
}

/*
 * Linear probing cannot leave a hole where a name was: a later name of
 * the same run would no longer be found.  So each later name of the run
 * that may sit where the hole is (its home slot is not between the hole
 * and where it is) moves into it, leaving its own slot as the hole
 * (Knuth's Algorithm R, TAOCP 6.4).
 */
void pb__index_remove(pb__index *ix, const char *name, pb__index_key key,
                      const void *array)
{
    size_t mask = ix->nslots - 1, hole, j, home;

    if (ix->n == 0)
        return;
    for (hole = pb__hash(name) & mask; ix->slots[hole];
         hole = (hole + 1) & mask)
        if (strcmp(key(array, ix->slots[hole] - 1), name) == 0)
            break;
    if (!ix->slots[hole])
        return;
    for (j = (hole + 1) & mask; ix->slots[j]; j = (j + 1) & mask) {
        home = pb__hash(key(array, ix->slots[j] - 1)) & mask;
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            ix->slots[hole] = ix->slots[j];
            hole = j;
        }
    }
    ix->slots[hole] = 0;
    ix->n--;
}

void pb__index_clear(pb__index *ix)
{
    if (ix->slots)
        memset(ix->slots, 0, ix->nslots * sizeof *ix->slots);
    ix->n = 0;
}

void pb__index_free(pb__index *ix)
{
    free(ix->slots);
    memset(ix, 0, sizeof *ix);
}
