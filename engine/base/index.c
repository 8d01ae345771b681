/*
 * index.c -- the hash index over names in a caller's array (index.h).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "index.h"

size_t pb__hash(const char *s)
{
    size_t h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/*
 * The indexes' hash is keyed.  Names come from clients (case ids, event
 * types, facts, a statistics file's groups), and under a hash anyone can
 * compute they could pick thousands that land in one run of slots, so
 * that every look-up compares them all (hash flooding: each of n adds
 * costs n).  SipHash-1-3 (Aumasson and Bernstein, as Python, Rust and
 * Redis use it) under a key drawn once per process, which only the
 * process knows, spreads any names.  The key is the one value shared by
 * every index, read-only once drawn.
 */
static uint64_t hash_key[2];
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void draw_key(void)
{
    struct timespec a, b;

    if (getrandom(hash_key, sizeof hash_key, GRND_NONBLOCK) ==
        (ssize_t)sizeof hash_key)
        return;
    /* no entropy yet (early boot): what differs between runs */
    clock_gettime(CLOCK_REALTIME, &a);
    clock_gettime(CLOCK_MONOTONIC, &b);
    hash_key[0] = ((uint64_t)a.tv_sec << 30) ^ (uint64_t)a.tv_nsec ^
                  ((uint64_t)getpid() << 40);
    hash_key[1] = ((uint64_t)b.tv_nsec * 0x9E3779B97F4A7C15u) ^
                  (uint64_t)(uintptr_t)&a;
}

#define ROTL(x, n) (((x) << (n)) | ((x) >> (64 - (n))))
#define SIPROUND                                                        \
    do {                                                                \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);       \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                          \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                          \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);       \
    } while (0)

static size_t keyed_hash(const char *name)
{
    const unsigned char *p = (const unsigned char *)name;
    uint64_t v0, v1, v2, v3, m = 0;
    size_t len = 0;

    pthread_once(&key_once, draw_key);
    v0 = hash_key[0] ^ 0x736f6d6570736575u;
    v1 = hash_key[1] ^ 0x646f72616e646f6du;
    v2 = hash_key[0] ^ 0x6c7967656e657261u;
    v3 = hash_key[1] ^ 0x7465646279746573u;
    for (; *p; p++) {
        m |= (uint64_t)*p << (8 * (len & 7));
        if ((++len & 7) == 0) {
            v3 ^= m;
            SIPROUND;
            v0 ^= m;
            m = 0;
        }
    }
    m |= (uint64_t)len << 56;
    v3 ^= m;
    SIPROUND;
    v0 ^= m;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return (size_t)(v0 ^ v1 ^ v2 ^ v3);
}

long pb__index_find(const pb__index *ix, const char *name,
                    pb__index_key key, const void *array)
{
    size_t h, mask = ix->nslots - 1;

    if (ix->n == 0)
        return -1;
    for (h = keyed_hash(name) & mask; ix->slots[h]; h = (h + 1) & mask)
        if (strcmp(key(array, ix->slots[h] - 1), name) == 0)
            return (long)(ix->slots[h] - 1);
    return -1;
}

static void put(size_t *slots, size_t nslots, size_t pos, const char *name)
{
    size_t h = keyed_hash(name) & (nslots - 1);

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
    for (hole = keyed_hash(name) & mask; ix->slots[hole];
         hole = (hole + 1) & mask)
        if (strcmp(key(array, ix->slots[hole] - 1), name) == 0)
            break;
    if (!ix->slots[hole])
        return;
    for (j = (hole + 1) & mask; ix->slots[j]; j = (j + 1) & mask) {
        home = keyed_hash(key(array, ix->slots[j] - 1)) & mask;
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
