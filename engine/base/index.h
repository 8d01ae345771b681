/*
 * index.h -- a hash index over names held in an array of the caller's
 * (internal): facts, items, principles, event types, root causes.
 *
 * Open addressing with linear probing over SipHash, keyed once per
 * process so that clients cannot pick names that collide.  A slot holds a
 * position in the caller's array, never a pointer, so the array may be
 * reallocated freely; the caller says how to read the name at a
 * position.  Finding a name costs one hash and nearly always one strcmp.
 */
#ifndef PB_INDEX_H
#define PB_INDEX_H

#include <stddef.h>

typedef struct pb__index {
    size_t *slots; /* position + 1; 0 is an empty slot */
    size_t nslots; /* 0, or a power of two at least twice n */
    size_t n;
} pb__index;

/* FNV-1a of a name, for sets of names.  Anyone can compute it, so the
 * index hashes with a key of its own (index.c). */
size_t pb__hash(const char *name);

/* The name at position pos of the caller's array. */
typedef const char *(*pb__index_key)(const void *array, size_t pos);

/* The position of name, or -1. */
long pb__index_find(const pb__index *ix, const char *name,
                    pb__index_key key, const void *array);
/* Adds pos, whose name must not be in the index yet: 0, or -1 when out
 * of memory (the index is then as it was). */
int pb__index_add(pb__index *ix, size_t pos, pb__index_key key,
                  const void *array);
/* Makes room for n names, so that adding up to n cannot fail: 0, or -1
 * when out of memory (the index is then as it was). */
int pb__index_reserve(pb__index *ix, size_t n, pb__index_key key,
                      const void *array);
/* Takes name out, if it is there: call it while the caller's array still
 * holds name at its position.  The other names keep theirs. */
void pb__index_remove(pb__index *ix, const char *name, pb__index_key key,
                      const void *array);
/* Empties the index, keeping its slots for the next adds. */
void pb__index_clear(pb__index *ix);
void pb__index_free(pb__index *ix);

#endif
