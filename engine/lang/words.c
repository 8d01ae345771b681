/*
 * words.c -- an utterance cut into words (words.h).
 */
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

#include "index.h"
#include "utf8.h"
#include "words.h"

/* Case folding and letters. */

unsigned long pb__fold_char(unsigned long c)
{
    if (c < 0x80)
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    if (c < 0x100) {
        if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
            return c + 32;
        return c == 0xB5 ? 0x3BC : c;               /* micro -> mu */
    }
    if (c < 0x180) {                                /* Latin Extended-A */
        if (c == 0x130)
            return 'i';                             /* I with dot */
        if (c == 0x178)
            return 0xFF;
        if (c == 0x17F)
            return 's';                             /* long s */
        if ((c < 0x138 || (c >= 0x14A && c < 0x178)) && c % 2 == 0)
            return c + 1;
        if (((c >= 0x139 && c < 0x149) || (c >= 0x179 && c < 0x17F)) &&
            c % 2 == 1)
            return c + 1;
        return c;
    }
    if (c >= 0x370 && c < 0x400) {                  /* Greek */
        if (c == 0x386)
            return 0x3AC;
        if (c >= 0x388 && c <= 0x38A)
            return c + 37;
        if (c == 0x38C)
            return 0x3CC;
        if (c == 0x38E || c == 0x38F)
            return c + 63;
        if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
            return c + 32;
        return c == 0x3C2 ? 0x3C3 : c;              /* final sigma */
    }
    if (c >= 0x400 && c < 0x530) {                  /* Cyrillic */
        if (c < 0x410)
            return c + 80;
        if (c < 0x430)
            return c + 32;
        if (c == 0x4C0)
            return 0x4CF;
        if (((c >= 0x460 && c < 0x482) || (c >= 0x48A && c < 0x4C0) ||
             c >= 0x4D0) && c % 2 == 0)
            return c + 1;
        if (c >= 0x4C1 && c < 0x4CF && c % 2 == 1)
            return c + 1;
        return c;
    }
    if (c >= 0x1E00 && c < 0x1F00) {                /* Latin Ext. Add. */
        if (c == 0x1E9E)
            return 0xDF;                            /* capital sharp s */
        if ((c < 0x1E96 || c >= 0x1EA0) && c % 2 == 0)
            return c + 1;
        return c;
    }
    if (c >= 0x1F00 && c < 0x2000) {                /* Greek Extended */
        unsigned long lo = c & 0xF;

        if (c < 0x1F70 && lo >= 8 && (c >> 4) != 0x1F5)
            return (c & 0xF0) == 0x10 || (c & 0xF0) == 0x40
                       ? (lo < 0xE ? c - 8 : c) : c - 8;
        if (c == 0x1F59 || c == 0x1F5B || c == 0x1F5D || c == 0x1F5F)
            return c - 8;
        if (c >= 0x1F88 && c < 0x1FB0 && lo >= 8)
            return c - 8;
        switch (c) {
        case 0x1FB8: case 0x1FB9: case 0x1FD8: case 0x1FD9:
        case 0x1FE8: case 0x1FE9:
            return c - 8;
        case 0x1FBA: case 0x1FBB:
            return c - 74;
        case 0x1FC8: case 0x1FC9: case 0x1FCA: case 0x1FCB:
            return c - 86;
        case 0x1FDA: case 0x1FDB:
            return c - 100;
        case 0x1FEA: case 0x1FEB:
            return c - 112;
        case 0x1FF8: case 0x1FF9:
            return c - 128;
        case 0x1FFA: case 0x1FFB:
            return c - 126;
        case 0x1FEC:
            return 0x1FE5;
        case 0x1FBC: case 0x1FCC: case 0x1FFC:
            return c - 9;
        default:
            return c;
        }
    }
    return c;
}

/* 1 a letter, 2 a digit, 0 anything else. */
static int word_class(unsigned long c)
{
    if (c < 0x80) {
        if (c >= '0' && c <= '9')
            return 2;
        return (c | 32) >= 'a' && (c | 32) <= 'z';
    }
    if (c < 0xC0 || c == 0xD7 || c == 0xF7 || c == PB__UTF8_BAD)
        return 0;
    /* Punctuation, symbols, arrows, box drawing, spaces, private use,
     * variation selectors, specials, emoji, tags. */
    if ((c >= 0x2000 && c < 0x2C00) || (c >= 0x2E00 && c < 0x2E80) ||
        (c >= 0x3000 && c < 0x3040) || (c >= 0xE000 && c < 0xF900) ||
        (c >= 0xFE00 && c < 0xFE10) || (c >= 0xFE30 && c < 0xFE70) ||
        (c >= 0xFF00 && c < 0xFF10) || (c >= 0xFF1A && c < 0xFF21) ||
        (c >= 0xFF3B && c < 0xFF41) || (c >= 0xFF5B && c < 0xFF66) ||
        (c >= 0xFFF0 && c < 0x10000) || (c >= 0x1F000 && c < 0x20000) ||
        c >= 0xE0000)
        return 0;
    return 1;
}

/* An ASCII letter or digit: what glues punctuation ("3.5"). */
static int ascii_alnum(char c)
{
    return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

static int apostrophe(unsigned long c)
{
    return c == '\'' || c == 0x2019 || c == 0x2BC;
}

/* Appends cp as UTF-8: its length (1 to 4). */
static size_t put_utf8(char *o, unsigned long c)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | c >> 6);
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | c >> 12);
        o[1] = (char)(0x80 | (c >> 6 & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | c >> 18);
    o[1] = (char)(0x80 | (c >> 12 & 0x3F));
    o[2] = (char)(0x80 | (c >> 6 & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Words by their folded form. */

static int in_list(const char *const *list, size_t n, const char *w)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int r = strcmp(list[mid], w);

        if (r == 0)
            return 1;
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* Sorted (strcmp). */
static const char *const negators[] = {
    "cannot", "neither", "never", "no", "nobody", "none", "nor", "not",
    "nothing", "without",
};

/* English function words; no negator among them.  Sorted. */
static const char *const stopwords[] = {
    "a", "about", "above", "after", "again", "all", "also", "am", "an",
    "and", "any", "are", "as", "at", "be", "because", "been", "before",
    "being", "below", "between", "both", "but", "by", "can", "could",
    "did", "do", "does", "doing", "down", "during", "each", "few", "for",
    "from", "further", "had", "has", "have", "having", "he", "her", "here",
    "hers", "herself", "him", "himself", "his", "how", "i", "if", "in",
    "into", "is", "it", "its", "itself", "just", "let", "may", "me",
    "might", "more", "most", "must", "my", "myself", "of", "off", "on",
    "once", "only", "or", "other", "our", "ours", "ourselves", "out",
    "over", "own", "same", "shall", "she", "should", "so", "some", "such",
    "than", "that", "the", "their", "theirs", "them", "themselves", "then",
    "there", "these", "they", "this", "those", "through", "to", "too",
    "under", "until", "up", "us", "very", "was", "we", "were", "what",
    "when", "where", "which", "while", "who", "whom", "why", "will",
    "with", "would", "you", "your", "yours", "yourself", "yourselves",
};

/* Words before "'s" that make it "is", not a possessive.  Sorted. */
static const char *const is_before[] = {
    "everyone", "everything", "he", "here", "how", "it", "nobody",
    "nothing", "she", "somebody", "someone", "something", "that", "there",
    "this", "what", "when", "where", "who", "why",
};

/* Auxiliaries and wh-words that open a question.  Sorted. */
static const char *const askers[] = {
    "are", "can", "could", "did", "do", "does", "how", "is", "may",
    "should", "what", "when", "where", "which", "who", "why", "will",
    "would",
};

/* Said before a question without making one.  Sorted. */
static const char *const openers[] = {
    "ah", "alright", "and", "but", "great", "hello", "hey", "hi", "now",
    "oh", "ok", "okay", "right", "so", "sorry", "sure", "then", "thanks",
    "uh", "um", "well",
};

static unsigned word_flags(const char *fold)
{
    unsigned f = 0;

    if (in_list(negators, COUNT(negators), fold))
        f |= PB__TOK_NEGATOR;
    if (in_list(stopwords, COUNT(stopwords), fold))
        f |= PB__TOK_STOP;
    return f;
}

/* The stemmer and its cache. */

/*
 * The cache keeps two generations of words: new words go into the
 * current one, and a word found in the last one is copied into it.
 * Once the current one is full it becomes the last one, and the one
 * before is dropped.  So a word in use stays however many others come
 * and go (one client's made-up words pass through), and the words kept
 * stay bounded (docs/hardening.md, "What is defended").
 */
#define GEN_MAX (1u << 15)          /* words a generation keeps */
#define GEN_POOL (2u << 20)         /* their bytes */

typedef struct stem_gen {
    char *pool;                     /* word NUL stem NUL flags, for each */
    size_t used, size;
    size_t *off;                    /* each word's place in pool */
    size_t n, cap;
    pb__index ix;
} stem_gen;

struct pb__stemmer {
    struct sb_stemmer *sb;
    stem_gen gen[2];
    int cur;                        /* the generation new words go to */
};

static const char *cache_key(const void *gen, size_t pos)
{
    const stem_gen *g = gen;

    return g->pool + g->off[pos];
}

pb__stemmer *pb__stemmer_new(void)
{
    pb__stemmer *st = calloc(1, sizeof *st);

    if (st == NULL)
        return NULL;
    if ((st->sb = sb_stemmer_new("english", "UTF_8")) == NULL) {
        free(st);
        return NULL;
    }
    return st;
}

void pb__stemmer_free(pb__stemmer *st)
{
    int i;

    if (st == NULL)
        return;
    sb_stemmer_delete(st->sb);
    for (i = 0; i < 2; i++) {
        free(st->gen[i].pool);
        free(st->gen[i].off);
        pb__index_free(&st->gen[i].ix);
    }
    free(st);
}

/* Keeps word -> stem and flags in the current generation, the last one
 * dropped first when it is full; no memory keeps nothing. */
static void cache_put(pb__stemmer *st, const char *word, size_t len,
                      const char *stem, size_t slen, unsigned flags)
{
    size_t need = len + slen + 3;
    stem_gen *g = &st->gen[st->cur];

    if (g->n >= GEN_MAX || g->used + need > GEN_POOL) {
        st->cur = !st->cur;
        g = &st->gen[st->cur];
        g->n = 0;
        g->used = 0;
        pb__index_clear(&g->ix);
    }
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 256, *v;

        if ((v = realloc(g->off, cap * sizeof *v)) == NULL)
            return;
        g->off = v;
        g->cap = cap;
    }
    if (need > g->size - g->used) {
        size_t size = g->size ? g->size : 8192;
        char *p;

        while (size - g->used < need)
            size *= 2;
        if ((p = realloc(g->pool, size)) == NULL)
            return;
        g->pool = p;
        g->size = size;
    }
    memcpy(g->pool + g->used, word, len);
    g->pool[g->used + len] = '\0';
    memcpy(g->pool + g->used + len + 1, stem, slen);
    g->pool[g->used + len + 1 + slen] = '\0';
    g->pool[g->used + len + 2 + slen] = (char)flags;
    g->off[g->n] = g->used;
    if (pb__index_add(&g->ix, g->n, cache_key, g) != 0)
        return;
    g->used += need;
    g->n++;
}

/* The cached stem of key (len bytes) into out, its length; or -1. */
static long cached(pb__stemmer *st, const char *key, size_t len, char *out,
                   unsigned *flags)
{
    int i;

    for (i = 0; i < 2; i++) {
        stem_gen *g = &st->gen[i ? !st->cur : st->cur];
        long pos = pb__index_find(&g->ix, key, cache_key, g);
        const char *stem;
        size_t slen;
        unsigned f;

        if (pos < 0)
            continue;
        stem = g->pool + g->off[pos] + len + 1;
        slen = strlen(stem);
        f = (unsigned char)stem[slen + 1];
        memcpy(out, stem, slen + 1);
        if (i == 1)               /* in use: into the current one */
            cache_put(st, key, len, out, slen, f);
        if (flags)
            *flags = f;
        return (long)slen;
    }
    return -1;
}

int pb__stemmer_has(pb__stemmer *st, const char *word)
{
    int i;

    for (i = 0; i < 2; i++)
        if (pb__index_find(&st->gen[i].ix, word, cache_key, &st->gen[i]) >= 0)
            return 1;
    return 0;
}

size_t pb__stemmer_stem(pb__stemmer *st, const char *word, size_t len,
                        char *out, unsigned *flags)
{
    const sb_symbol *s;
    char key[PB__WORD_MAX + 1];
    size_t i, slen;
    unsigned f;
    long got;

    for (i = 0; i < len; i++)
        if (word[i] >= '0' && word[i] <= '9')
            break;
    if (len > PB__WORD_MAX || i < len) {
        len = len > PB__WORD_MAX ? PB__WORD_MAX : len;
        memcpy(out, word, len);
        out[len] = '\0';
        if (flags)
            *flags = 0;
        return len;
    }
    memcpy(key, word, len);
    key[len] = '\0';
    if ((got = cached(st, key, len, out, flags)) >= 0)
        return (size_t)got;
    f = word_flags(key);
    if (flags)
        *flags = f;
    s = sb_stemmer_stem(st->sb, (const sb_symbol *)word, (int)len);
    if (s == NULL) {                     /* out of memory: the word */
        memcpy(out, word, len);
        out[len] = '\0';
        return len;
    }
    slen = (size_t)sb_stemmer_length(st->sb);
    if (slen > PB__WORD_MAX)
        slen = PB__WORD_MAX;
    memcpy(out, s, slen);
    out[slen] = '\0';
    cache_put(st, word, len, out, slen, f);
    return slen;
}

/* The tokens. */

void pb__words_init(pb__words *w)
{
    memset(w, 0, sizeof *w);
}

void pb__words_free(pb__words *w)
{
    if (w == NULL)
        return;
    free(w->tok);
    free(w->pool);
    pb__words_init(w);
}

/* Room for n more bytes in the pool: 0 or -1. */
static int pool_room(pb__words *w, size_t n)
{
    size_t size;
    char *p;

    if (n <= w->size - w->used)
        return 0;
    if (w->used + n > UINT32_MAX)
        return -1;
    size = w->size ? w->size : 256;
    while (size - w->used < n)
        size *= 2;
    if ((p = realloc(w->pool, size)) == NULL)
        return -1;
    w->pool = p;
    w->size = size;
    return 0;
}

/* What the tokenizer knows between tokens. */
typedef struct cutter {
    pb__words *w;
    pb__stemmer *st;
    pb__lexicon *lx;
    int intern;
    uint32_t first, end;    /* the word being emitted */
    unsigned upper;         /* PB__TOK_UPPER when all its letters were */
    int clause, sentence;   /* a break was seen before it */
} cutter;

/* Empties w for new words, keeping its room. */
static void words_reset(pb__words *w)
{
    w->n = w->used = w->nsentences = 0;
    w->qmark = 0;
    memset(w->seen, 0, sizeof w->seen);
    w->lens = 0;
    w->letters = 0;
}

/* Notes what w now has in token t: its id, and the length and letters
 * of a word a typo may be in. */
static void note_token(pb__words *w, const pb__token *t)
{
    if (t->id != PB__TERM_NONE)
        w->seen[t->id / 64 % 8] |= (uint64_t)1 << (t->id % 64);
    if (!pb__words_typo_ok(t))
        return;
    w->lens |= (uint64_t)1 << (t->fold_len < 63 ? t->fold_len : 63);
    w->letters |= t->mask;
}

/* Adds one word (folded, len bytes) as a token. */
static int emit(cutter *k, const char *fold, size_t len)
{
    pb__words *w = k->w;
    pb__token *t;
    char stem[PB__WORD_MAX + 1];
    size_t slen, i, letters = 0;
    unsigned flags = k->upper, wflags;

    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        pb__token *v;

        if (cap > UINT32_MAX ||
            (v = realloc(w->tok, cap * sizeof *v)) == NULL)
            return PB__WORDS_NOMEM;
        w->tok = v;
        w->cap = cap;
    }
    slen = pb__stemmer_stem(k->st, fold, len, stem, &wflags);
    if (pool_room(w, len + slen + 2) != 0)
        return PB__WORDS_NOMEM;
    t = &w->tok[w->n];
    t->first = k->first;
    t->end = k->end;
    t->fold = (uint32_t)w->used;
    memcpy(w->pool + w->used, fold, len);
    w->pool[w->used + len] = '\0';
    w->used += len + 1;
    if (slen == len && memcmp(stem, fold, len) == 0) {
        t->stem = t->fold;
    } else {
        t->stem = (uint32_t)w->used;
        memcpy(w->pool + w->used, stem, slen + 1);
        w->used += slen + 1;
    }
    for (i = 0; i < len; i++) {
        letters += ((unsigned char)fold[i] & 0xC0) != 0x80;
        if (fold[i] >= '0' && fold[i] <= '9')
            flags |= PB__TOK_DIGIT;
    }
    flags |= wflags;
    t->mask = pb__words_mask(fold, len);
    if (len == 3 && memcmp(fold, "but", 3) == 0)
        k->clause = 1;
    if (k->sentence && w->n > 0) {
        flags |= PB__TOK_SENTENCE | PB__TOK_CLAUSE;
        w->nsentences++;
    } else if (k->clause && w->n > 0) {
        flags |= PB__TOK_CLAUSE;
    }
    if (w->n == 0)
        w->nsentences = 1;
    t->sentence = (uint32_t)(w->nsentences - 1);
    t->clause = w->n == 0 ? 0
              : w->tok[w->n - 1].clause + ((flags & PB__TOK_CLAUSE) != 0);
    k->clause = k->sentence = 0;
    t->letters = (uint16_t)(letters > UINT16_MAX ? UINT16_MAX : letters);
    t->fold_len = (uint16_t)(len > UINT16_MAX ? UINT16_MAX : len);
    t->flags = (uint16_t)flags;
    t->id = PB__TERM_NONE;
    if (k->lx != NULL) {
        const char *s = w->pool + t->stem;

        t->id = k->intern ? pb__lexicon_intern(k->lx, s)
                          : pb__lexicon_find(k->lx, s);
        if (k->intern && t->id == PB__TERM_NONE)
            return PB__WORDS_NOMEM;
    }
    note_token(w, t);
    w->n++;
    return 0;
}

static int emit_str(cutter *k, const char *s)
{
    return emit(k, s, strlen(s));
}

static int ends_with(const char *s, size_t len, const char *tail)
{
    size_t n = strlen(tail);

    return len >= n && memcmp(s + len - n, tail, n) == 0;
}

/* The word(s) a folded word stands for: contractions expanded. */
static int emit_word(cutter *k, char *fold, size_t len)
{
    static const struct { const char *tail, *word; } tails[] = {
        { "'ll", "will" }, { "'re", "are" }, { "'ve", "have" },
        { "'m", "am" }, { "'d", "would" },
    };
    size_t i;
    int r;

    if (memchr(fold, '\'', len) == NULL || len > PB__WORD_MAX) {
        if (len == 6 && memcmp(fold, "cannot", 6) == 0) {
            if ((r = emit_str(k, "can")) != 0)
                return r;
            return emit_str(k, "not");
        }
        return emit(k, fold, len);
    }
    if (ends_with(fold, len, "n't")) {
        static const struct { const char *base, *word; } odd[] = {
            { "ai", "is" }, { "ca", "can" }, { "sha", "shall" },
            { "wo", "will" },
        };
        size_t blen = len - 3;

        fold[blen] = '\0';
        for (i = 0; i < COUNT(odd); i++)
            if (strcmp(fold, odd[i].base) == 0)
                break;
        if (i < COUNT(odd))
            r = emit_str(k, odd[i].word);
        else
            r = blen > 0 ? emit(k, fold, blen) : 0;
        return r != 0 ? r : emit_str(k, "not");
    }
    for (i = 0; i < COUNT(tails); i++) {
        size_t n = strlen(tails[i].tail);

        if (len > n && ends_with(fold, len, tails[i].tail)) {
            if ((r = emit(k, fold, len - n)) != 0)
                return r;
            return emit_str(k, tails[i].word);
        }
    }
    if (len > 2 && ends_with(fold, len, "'s")) {
        fold[len - 2] = '\0';
        if (strcmp(fold, "let") == 0) {
            if ((r = emit_str(k, "let")) != 0)
                return r;
            return emit_str(k, "us");
        }
        if ((r = emit(k, fold, len - 2)) != 0)
            return r;
        if (in_list(is_before, COUNT(is_before), fold))
            return emit_str(k, "is");
        return 0;                              /* a possessive */
    }
    return emit(k, fold, len);
}

int pb__words_make(pb__words *w, pb__stemmer *st, pb__lexicon *lx,
                   int intern, const char *text, size_t len, size_t *left)
{
    cutter k = { w, st, lx, intern, 0, 0, 0, 0, 0 };
    char buf[PB__WORD_MAX * 2 + 8];
    size_t i = 0, blen = 0;
    int qmark = 0, cased, r;

    words_reset(w);
    if (len > UINT32_MAX)
        len = UINT32_MAX;
    while (i < len) {
        unsigned long c;
        size_t n = pb__utf8_next(text + i, len - i, &c), j;
        int cls = word_class(c);

        if (cls == 0) {
            /* Punctuation between a letter or digit and the next, with
             * nothing else between ("3.5", "b.com", "10:30"), breaks
             * nothing. */
            int glued = i > 0 && i + n < len && ascii_alnum(text[i - 1]) &&
                        ascii_alnum(text[i + n]);

            if (!glued) {
                if (c == '.' || c == '!' || c == '?')
                    k.sentence = 1;
                if (c == ',' || c == ';' || c == ':' || c == '.' ||
                    c == '!' || c == '?')
                    k.clause = 1;
            }
            if (c == '?')
                qmark = 1;
            i += n;
            continue;
        }
        /* A word: letters and digits, and apostrophes between a letter
         * or digit and a letter. */
        k.first = (uint32_t)i;
        k.upper = PB__TOK_UPPER;
        cased = 0;
        blen = 0;
        if (pb__work(left, PB__WORD_STEPS) != 0)
            return PB__WORDS_BUDGET;
        for (;;) {
            unsigned long f = pb__fold_char(c);

            if (cls == 1 && f == c)
                k.upper = 0;
            cased |= f != c;
            if (apostrophe(c))
                f = '\'';
            if (blen + 4 < sizeof buf)
                blen += put_utf8(buf + blen, f);
            else
                blen = sizeof buf;       /* too long to be a word */
            i += n;
            if (i >= len)
                break;
            n = pb__utf8_next(text + i, len - i, &c);
            cls = word_class(c);
            if (cls == 0 && apostrophe(c) && i + n < len) {
                unsigned long d;

                pb__utf8_next(text + i + n, len - i - n, &d);
                if (word_class(d) == 1) {
                    cls = 3;             /* an apostrophe inside */
                }
            }
            if (cls == 0)
                break;
            if ((i & 15) == 0 && pb__work(left, 1) != 0)
                return PB__WORDS_BUDGET;
        }
        k.end = (uint32_t)i;
        if (!cased)
            k.upper = 0;
        if (blen >= sizeof buf) {
            /* One run too long to be a word: its first bytes stand for
             * it, cut on a whole character. */
            for (j = PB__WORD_MAX; j > 0 && (buf[j] & 0xC0) == 0x80; j--)
                ;
            blen = j;
        }
        buf[blen] = '\0';
        qmark = 0;
        if ((r = emit_word(&k, buf, blen)) != 0)
            return r;
    }
    w->qmark = qmark;
    return 0;
}

int pb__words_range(pb__words *out, const pb__words *w, const char *text,
                    size_t first, size_t end)
{
    size_t lo, hi, k, n;

    words_reset(out);
    for (lo = 0; lo < w->n && w->tok[lo].first < first; lo++)
        if (w->tok[lo].end > first)
            return -1;                  /* a word across the edge */
    for (hi = lo; hi < w->n && w->tok[hi].end <= end; hi++)
        ;
    if (hi < w->n && w->tok[hi].first < end)
        return -1;
    n = hi - lo;
    if (n > out->cap) {
        pb__token *v = realloc(out->tok, n * sizeof *v);

        if (v == NULL)
            return PB__WORDS_NOMEM;
        out->tok = v;
        out->cap = n;
    }
    for (k = 0; k < n; k++) {
        const pb__token *t = &w->tok[lo + k];
        pb__token *o = &out->tok[k];
        size_t flen = t->fold_len, slen = strlen(w->pool + t->stem);

        if (pool_room(out, flen + slen + 2) != 0)
            return PB__WORDS_NOMEM;
        *o = *t;
        o->first -= (uint32_t)first;
        o->end -= (uint32_t)first;
        o->sentence -= w->tok[lo].sentence;
        o->clause -= w->tok[lo].clause;
        if (k == 0)          /* a text's first word starts nothing */
            o->flags &= (uint16_t)~(PB__TOK_SENTENCE | PB__TOK_CLAUSE);
        o->fold = (uint32_t)out->used;
        memcpy(out->pool + out->used, w->pool + t->fold, flen + 1);
        out->used += flen + 1;
        if (t->stem == t->fold) {
            o->stem = o->fold;
        } else {
            o->stem = (uint32_t)out->used;
            memcpy(out->pool + out->used, w->pool + t->stem, slen + 1);
            out->used += slen + 1;
        }
        note_token(out, o);
    }
    out->n = n;
    out->nsentences = n ? out->tok[n - 1].sentence + 1 : 0;
    /* a '?' after the last word, as cutting the range would see it */
    for (k = n ? first + out->tok[n - 1].end : first; k < end; k++)
        if (text[k] == '?')
            out->qmark = 1;
    return 0;
}

/* Questions. */

/* The first token from i that is not an opener ("so", "okay"), within
 * the same sentence, or n. */
static size_t past_openers(const pb__words *w, size_t i)
{
    size_t s = w->tok[i].sentence;

    while (i < w->n && w->tok[i].sentence == s &&
           in_list(openers, COUNT(openers), pb__words_fold(w, i)))
        i++;
    return i < w->n && w->tok[i].sentence == s ? i : w->n;
}

/* Subjects after which a wh-word opens a clause, not a question ("so
 * what I'm hearing is", "what you need is").  Sorted. */
static const char *const subjects[] = {
    "he", "i", "it", "she", "they", "we", "you",
};
static const char *const whs[] = {
    "how", "what", "when", "where", "which", "who", "why",
};

static int asks(const pb__words *w, size_t i)
{
    const char *first;

    i = past_openers(w, i);
    if (i >= w->n || !in_list(askers, COUNT(askers),
                              first = pb__words_fold(w, i)))
        return 0;
    return !in_list(whs, COUNT(whs), first) || i + 1 >= w->n ||
           w->tok[i + 1].sentence != w->tok[i].sentence ||
           !in_list(subjects, COUNT(subjects), pb__words_fold(w, i + 1));
}

int pb__words_question(const pb__words *w)
{
    size_t last;

    if (w->n == 0)
        return 0;
    if (w->qmark)
        return 1;
    for (last = w->n - 1; last > 0 && !(w->tok[last].flags &
                                        PB__TOK_SENTENCE); last--)
        ;
    return asks(w, 0) || asks(w, last);
}

/* Typos. */

uint32_t pb__words_mask(const char *w, size_t len)
{
    uint32_t m = 0;
    size_t i;

    for (i = 0; i < len; i++)
        m |= w[i] >= 'a' && w[i] <= 'z' ? 1u << (w[i] - 'a') : 1u << 26;
    return m;
}

int pb__words_typo(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i = 0;

    if (alen > blen + 1 || blen > alen + 1)
        return 0;
    while (i < alen && i < blen && a[i] == b[i])
        i++;
    if (alen == blen) {
        if (i == alen)
            return 0;                              /* equal */
        /* one changed, or two swapped */
        if (memcmp(a + i + 1, b + i + 1, alen - i - 1) == 0)
            return 1;
        return i + 1 < alen && a[i] == b[i + 1] && a[i + 1] == b[i] &&
               memcmp(a + i + 2, b + i + 2, alen - i - 2) == 0;
    }
    if (alen > blen)                               /* one removed */
        return memcmp(a + i + 1, b + i, blen - i) == 0;
    return memcmp(a + i, b + i + 1, alen - i) == 0;  /* one added */
}
