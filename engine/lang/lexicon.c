/*
 * lexicon.c -- terms by id (lexicon.h).
 */
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"

void pb__lexicon_init(pb__lexicon *lx, const pb__lexicon *parent)
{
    memset(lx, 0, sizeof *lx);
    lx->parent = parent;
    lx->base = parent ? pb__lexicon_size(parent) : 0;
}

void pb__lexicon_free(pb__lexicon *lx)
{
    if (lx == NULL)
        return;
    free(lx->pool);
    free(lx->off);
    pb__index_free(&lx->ix);
    pb__lexicon_init(lx, NULL);
}

static const char *term_key(const void *lexicon, size_t pos)
{
    const pb__lexicon *lx = lexicon;

    return lx->pool + lx->off[pos];
}

static uint32_t find_own(const pb__lexicon *lx, const char *s)
{
    long pos = pb__index_find(&lx->ix, s, term_key, lx);

    return pos < 0 ? PB__TERM_NONE : lx->base + (uint32_t)pos;
}

uint32_t pb__lexicon_find(const pb__lexicon *lx, const char *s)
{
    uint32_t id = PB__TERM_NONE;

    for (; lx != NULL && id == PB__TERM_NONE; lx = lx->parent)
        id = find_own(lx, s);
    return id;
}

uint32_t pb__lexicon_intern(pb__lexicon *lx, const char *s)
{
    uint32_t id = pb__lexicon_find(lx, s);
    size_t len = strlen(s) + 1;

    if (id != PB__TERM_NONE)
        return id;
    if (pb__lexicon_size(lx) >= PB__LEXICON_MAX)
        return PB__TERM_NONE;
    if (lx->n == lx->cap) {
        size_t cap = lx->cap ? lx->cap * 2 : 64, *v;

        if ((v = realloc(lx->off, cap * sizeof *v)) == NULL)
            return PB__TERM_NONE;
        lx->off = v;
        lx->cap = cap;
    }
    if (len > lx->size - lx->used) {
        size_t size = lx->size ? lx->size : 1024;
        char *p;

        while (size - lx->used < len)
            size *= 2;
        if ((p = realloc(lx->pool, size)) == NULL)
            return PB__TERM_NONE;
        lx->pool = p;
        lx->size = size;
    }
    memcpy(lx->pool + lx->used, s, len);
    lx->off[lx->n] = lx->used;
    if (pb__index_add(&lx->ix, lx->n, term_key, lx) != 0)
        return PB__TERM_NONE;
    lx->used += len;
    return lx->base + (uint32_t)lx->n++;
}

const char *pb__lexicon_term(const pb__lexicon *lx, uint32_t id)
{
    for (; lx != NULL; lx = lx->parent)
        if (id >= lx->base && id - lx->base < lx->n)
            return lx->pool + lx->off[id - lx->base];
    return NULL;
}

uint32_t pb__lexicon_size(const pb__lexicon *lx)
{
    return lx->base + (uint32_t)lx->n;
}

size_t pb__lexicon_bytes(const pb__lexicon *lx)
{
    return lx->size + lx->cap * sizeof *lx->off +
           lx->ix.nslots * sizeof *lx->ix.slots;
}
