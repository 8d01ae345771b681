/*
 * phraseidx.c -- which phrases of a list may be in an utterance
 * (phraseidx.h).
 *
 * The index is a hash table from a stem id to a run of phrase numbers,
 * ascending, in one array; phrases without a key are a bit set of
 * their own, copied into every answer.
 */
#include <stdlib.h>
#include <string.h>

#include "phraseidx.h"

typedef struct slot {
    uint32_t id;          /* PB__TERM_NONE: empty */
    uint32_t first, n;    /* its phrases: of[first .. first + n) */
} slot;

struct pb__phraseidx {
    size_t n;             /* phrases */
    size_t nbits;         /* uint64_t words of a bit set of n */
    uint64_t *always;     /* phrases without a key */
    slot *slots;
    size_t nslots;        /* a power of two */
    uint32_t *of;
    size_t nof;
};

typedef struct pair {
    uint32_t id, phrase;
} pair;

static int cmp_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;

    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->phrase < y->phrase ? -1 : x->phrase > y->phrase;
}

static size_t hash(uint32_t id, size_t nslots)
{
    return (size_t)((id * 2654435761u) & (uint32_t)(nslots - 1));
}

static const slot *find(const pb__phraseidx *ix, uint32_t id)
{
    size_t h;

    for (h = hash(id, ix->nslots); ix->slots[h].id != PB__TERM_NONE;
         h = (h + 1) & (ix->nslots - 1))
        if (ix->slots[h].id == id)
            return &ix->slots[h];
    return NULL;
}

pb__phraseidx *pb__phraseidx_new(pb__phrase *const *ph, size_t n)
{
    pb__phraseidx *ix = calloc(1, sizeof *ix);
    uint32_t ids[PB__PHRASE_MAX_ALTS];
    pair *pairs = NULL;
    slot *s = NULL;         /* the slot of the id being filled */
    size_t npairs = 0, cap = 0, i, k, keys = 0;

    if (ix == NULL)
        return NULL;
    ix->n = n;
    ix->nbits = (n + 63) / 64;
    if ((ix->always = calloc(ix->nbits ? ix->nbits : 1,
                             sizeof *ix->always)) == NULL)
        goto nomem;
    for (i = 0; i < n; i++) {
        size_t nk = pb__phrase_key(ph[i], ids);

        if (nk == 0) {
            ix->always[i / 64] |= (uint64_t)1 << (i % 64);
            continue;
        }
        if (npairs + nk > cap) {
            pair *v;

            cap = (npairs + nk) * 2;
            if ((v = realloc(pairs, cap * sizeof *v)) == NULL)
                goto nomem;
            pairs = v;
        }
        for (k = 0; k < nk; k++) {
            pairs[npairs].id = ids[k];
            pairs[npairs++].phrase = (uint32_t)i;
        }
    }
    if (npairs > 0)
        qsort(pairs, npairs, sizeof *pairs, cmp_pair);
    for (i = 0; i < npairs; i++)
        keys += i == 0 || pairs[i].id != pairs[i - 1].id;
    for (ix->nslots = 4; ix->nslots < 2 * keys; ix->nslots *= 2)
        ;
    if ((ix->slots = malloc(ix->nslots * sizeof *ix->slots)) == NULL ||
        (ix->of = malloc((npairs ? npairs : 1) * sizeof *ix->of)) == NULL)
        goto nomem;
    for (i = 0; i < ix->nslots; i++)
        ix->slots[i].id = PB__TERM_NONE;
    for (i = 0; i < npairs; i++) {
        size_t h;

        /* an alternative twice in one place keys its phrase once */
        if (i > 0 && pairs[i].id == pairs[i - 1].id &&
            pairs[i].phrase == pairs[i - 1].phrase)
            continue;
        if (i == 0 || pairs[i].id != pairs[i - 1].id) {
            for (h = hash(pairs[i].id, ix->nslots);
                 ix->slots[h].id != PB__TERM_NONE;
                 h = (h + 1) & (ix->nslots - 1))
                ;
            s = &ix->slots[h];
            s->id = pairs[i].id;
            s->first = (uint32_t)ix->nof;
            s->n = 0;
        }
        ix->of[ix->nof++] = pairs[i].phrase;
        s->n++;
    }
    free(pairs);
    return ix;
nomem:
    free(pairs);
    pb__phraseidx_free(ix);
    return NULL;
}

void pb__phraseidx_free(pb__phraseidx *ix)
{
    if (ix == NULL)
        return;
    free(ix->always);
    free(ix->slots);
    free(ix->of);
    free(ix);
}

size_t pb__phraseidx_bytes(const pb__phraseidx *ix)
{
    return sizeof *ix + ix->nbits * sizeof *ix->always +
           ix->nslots * sizeof *ix->slots + ix->nof * sizeof *ix->of;
}

int pb__phraseidx_mark(const pb__phraseidx *ix, const pb__words *w,
                       pb__scratch *bits, size_t *left)
{
    size_t need = (ix->nbits ? ix->nbits : 1) * sizeof(uint64_t), i, k;
    uint64_t *b;

    if (bits->size < need) {
        void *v = realloc(bits->p, need);

        if (v == NULL)
            return PB__WORDS_NOMEM;
        bits->p = v;
        bits->size = need;
    }
    b = bits->p;
    if (pb__work(left, 1 + w->n + ix->nbits) != 0)
        return PB__WORDS_BUDGET;
    memcpy(b, ix->always, ix->nbits * sizeof *b);
    for (i = 0; i < w->n; i++) {
        const slot *s;

        if (w->tok[i].id == PB__TERM_NONE ||
            (s = find(ix, w->tok[i].id)) == NULL)
            continue;
        if (pb__work(left, s->n) != 0)
            return PB__WORDS_BUDGET;
        for (k = 0; k < s->n; k++)
            b[ix->of[s->first + k] / 64] |=
                (uint64_t)1 << (ix->of[s->first + k] % 64);
    }
    return 0;
}

size_t pb__phraseidx_next(const pb__phraseidx *ix, const pb__scratch *bits,
                          size_t i)
{
    const uint64_t *b = bits->p;
    uint64_t word;
    size_t k;

    if (i >= ix->n)
        return ix->n;
    k = i / 64;
    word = b[k] & (~(uint64_t)0 << (i % 64));
    while (word == 0) {
        if (++k == ix->nbits)
            return ix->n;
        word = b[k];
    }
    for (i = k * 64; !(word & 0xff); word >>= 8)
        i += 8;
    for (; !(word & 1); word >>= 1)
        i++;
    return i < ix->n ? i : ix->n;
}
