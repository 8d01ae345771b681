/*
 * test_phrase.c -- phrases of words found in real utterances
 * (engine/lang/phrase.c): stems, gaps, sentences, alternatives, typos,
 * negation, N of M, what a phrase may not be, long texts and the
 * budget; and a list's index (phraseidx.c) against searching each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"
#include "phrase.h"
#include "phraseidx.h"
#include "words.h"

typedef struct fixture {
    pb__stemmer *st;
    pb__lexicon lx;
    pb__words w;
    pb__scratch scratch;
    char span[512];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);

    if (f == NULL || (f->st = pb__stemmer_new()) == NULL) {
        free(f);
        return -1;
    }
    pb__lexicon_init(&f->lx, NULL);
    pb__words_init(&f->w);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    pb__scratch_free(&f->scratch);
    pb__words_free(&f->w);
    pb__lexicon_free(&f->lx);
    pb__stemmer_free(f->st);
    free(f);
    return 0;
}

static pb__phrase *compile(fixture *f, const char *phrase, unsigned need)
{
    pb__phrase *p = NULL;
    const char *why = NULL;
    int r = pb__phrase_compile(f->st, &f->lx, phrase, strlen(phrase), need,
                               NULL, &p, &why);

    if (r != 0)
        fail_msg("'%s': %d %s", phrase, r, why ? why : "");
    return p;
}

/* The text the phrase matched in, or NULL. */
static const char *find_gap(fixture *f, const char *phrase, unsigned need,
                            unsigned gap, const char *text)
{
    pb__phrase *p = compile(f, phrase, need);
    pb__phrase_hit hit;
    int r;

    assert_int_equal(pb__words_make(&f->w, f->st, &f->lx, 0, text,
                                    strlen(text), NULL), 0);
    r = pb__phrase_find(p, &f->w, 0, gap, &f->scratch, NULL, &hit);
    pb__phrase_free(p);
    assert_true(r == 0 || r == 1);
    if (r == 0)
        return NULL;
    snprintf(f->span, sizeof f->span, "%.*s", (int)(hit.end - hit.first),
             text + hit.first);
    return f->span;
}

static const char *find(fixture *f, const char *phrase, const char *text)
{
    return find_gap(f, phrase, 0, PB__GAP_DEFAULT, text);
}

#define HIT(f, phrase, text, span) \
    do { \
        const char *s_ = find(f, phrase, text); \
        if (s_ == NULL || strcmp(s_, span) != 0) \
            fail_msg("'%s' in '%s': %s, want '%s'", phrase, text, \
                     s_ ? s_ : "no match", span); \
    } while (0)

#define MISS(f, phrase, text) \
    do { \
        const char *s_ = find(f, phrase, text); \
        if (s_ != NULL) \
            fail_msg("'%s' in '%s': matched '%s'", phrase, text, s_); \
    } while (0)

static void test_real_utterances(void **state)
{
    fixture *f = *state;

    HIT(f, "look into", "I'll look into that for you", "look into");
    HIT(f, "look into", "I can look into that for you", "look into");
    HIT(f, "look into", "I'm looking into it now", "looking into");
    HIT(f, "look up", "let me look that up for you", "look that up");
    HIT(f, "help you with", "I can help you with that", "help you with");
    HIT(f, "take care of", "I'll take care of it", "take care of");
    /* irregular forms have stems of their own */
    MISS(f, "take care of", "All taken care of!");
    HIT(f, "take|taken care of", "All taken care of!", "taken care of");
    HIT(f, "issue refund", "Okay I have issued you a refund",
        "issued you a refund");
    HIT(f, "flag account manager", "I will flag the account for a manager "
        "to review", "flag the account for a manager");
    MISS(f, "help you with", "Can I help you? With what");
    MISS(f, "look into", "Look! We went into the shop");
}

static void test_gap(void **state)
{
    fixture *f = *state;
    const char *text = "I will personally and carefully look into it";

    assert_null(find_gap(f, "will look", 0, 2, text));
    assert_string_equal(find_gap(f, "will look", 0, 3, text),
                        "will personally and carefully look");
    assert_null(find_gap(f, "will look", 0, 0, text));
    assert_string_equal(find_gap(f, "carefully look", 0, 0, text),
                        "carefully look");
    /* in order only */
    assert_null(find(f, "into look", text));
    /* the tightest span */
    assert_string_equal(find(f, "look into", "look look into"),
                        "look into");
}

static void test_sentences(void **state)
{
    fixture *f = *state;

    MISS(f, "take care of", "Take care. Of course I will.");
    MISS(f, "help with", "I can help! With what?");
    /* a comma is no sentence end */
    HIT(f, "help with", "I can help, with pleasure", "help, with");
}

static void test_alternatives(void **state)
{
    fixture *f = *state;

    HIT(f, "look|check into", "I'll check into it.", "check into");
    HIT(f, "look|check into", "Looking into it", "Looking into");
    MISS(f, "look|check into", "I'll peek into it.");
    /* an alternative of two words */
    HIT(f, "i'll|we'll check", "We will check now", "We will check");
    HIT(f, "i'll|we'll check", "I'll check now", "I'll check");
    /* a contraction alone is its words */
    HIT(f, "i'll check", "I will double check", "I will double check");
    /* a place with only punctuation is no place */
    HIT(f, "look - into", "look into", "look into");
}

static void test_typos(void **state)
{
    fixture *f = *state;

    HIT(f, "account", "my acount is locked", "acount");
    HIT(f, "receive", "I will recieve it tomorrow", "recieve");
    HIT(f, "reset password", "can you reset my pasword", "reset my pasword");
    HIT(f, "two factor authentication",
        "sounds like you ned me to reset your two-factor authenticaton?",
        "two-factor authenticaton");
    /* short words and function words need the exact stem */
    MISS(f, "card", "my cart is full");
    MISS(f, "where", "there it is");
    /* two typos are too many */
    MISS(f, "account", "my acont is locked");
    /* a letter changed away, the word's only one; swapped; one more */
    HIT(f, "membership", "my membershup level", "membershup");
    HIT(f, "membership", "my mebmership level", "mebmership");
    HIT(f, "invoice", "the invoicex number", "invoicex");
    MISS(f, "membership", "my ship level membrs");
}

static void test_negation(void **state)
{
    fixture *f = *state;

    MISS(f, "help with", "I can't help with that");
    MISS(f, "help you with", "I'm not able to help you with that");
    MISS(f, "issue refund", "I have never issued a refund");
    MISS(f, "receive", "I did not recieve it");
    /* another clause: the negator is not the phrase's */
    HIT(f, "help with", "I can't do that, but I can help with this",
        "help with");
    HIT(f, "help with", "No, I can help with that", "help with");
    /* too far back */
    HIT(f, "help with", "I don't think anyone here can help with that",
        "help with");
    /* the phrase says the negation itself */
    HIT(f, "not working", "it is still not working", "not working");
    HIT(f, "not working", "it still isn't working", "isn't working");
    HIT(f, "never arrived", "My parcel never arrived", "never arrived");
    /* a negator between the phrase's words negates it too */
    MISS(f, "i can help", "I'm afraid I can't help with refunds");
    MISS(f, "we can accept", "we cannot accept the return");
    HIT(f, "we can accept", "we can still accept the return",
        "we can still accept");
}

static void test_need(void **state)
{
    fixture *f = *state;
    const char *phrase = "let me make sure i understand";

    /* the first place it has enough words */
    assert_string_equal(find_gap(f, phrase, 4, 2,
                                 "Let me make sure I've got this right"),
                        "Let me make sure");
    assert_string_equal(find_gap(f, phrase, 4, 2,
                                 "let me be sure that I get this"),
                        "let me be sure that I");
    assert_string_equal(find_gap(f, phrase, 4, 2,
                                 "so just to make sure I understand you"),
                        "make sure I understand");
    assert_null(find_gap(f, phrase, 4, 2, "let me check"));
    assert_null(find_gap(f, phrase, 6, 2, "let me be sure I understand"));
    assert_string_equal(find_gap(f, phrase, 6, 2,
                                 "let me make sure I understand"),
                        "let me make sure I understand");
    /* a negated start does not count, a later one may */
    assert_null(find_gap(f, "issue refund today", 2, 2,
                         "I have not issued a refund"));
}

static void test_bad_phrases(void **state)
{
    fixture *f = *state;
    pb__phrase *p;
    const char *why;
    char big[PB__PHRASE_MAX_BYTES + 2];
    size_t i, n = 0;

    assert_int_equal(pb__phrase_compile(f->st, &f->lx, "...", 3, 0, NULL, &p,
                                        &why), -3);
    assert_string_equal(why, "has no words");
    assert_null(p);
    assert_int_equal(pb__phrase_compile(f->st, &f->lx, "", 0, 0, NULL, &p,
                                        &why), -3);
    assert_int_equal(pb__phrase_compile(f->st, &f->lx, "a b c", 5, 4, NULL,
                                        &p, &why), -3);
    assert_string_equal(why, "needs more words than it has");
    memset(big, 'a', sizeof big);
    assert_int_equal(pb__phrase_compile(f->st, &f->lx, big, sizeof big, 0,
                                        NULL, &p, &why), -3);
    assert_string_equal(why, "is longer than 1024 bytes");
    /* 33 words */
    for (i = 0; i < 33; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "w%zu ", i);
    assert_int_equal(pb__phrase_compile(f->st, &f->lx, big, n, 0, NULL, &p,
                                        &why), -3);
    assert_string_equal(why, "has more than 32 words");
    /* 300 alternatives */
    for (i = 0, n = 0; i < 300; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "a|");
    assert_int_equal(pb__phrase_compile(f->st, &f->lx, big, n, 0, NULL, &p,
                                        &why), -3);
    assert_string_equal(why, "has more than 256 words and alternatives");
    /* the words it has */
    p = compile(f, "look|check into it's", 0);
    assert_int_equal(pb__phrase_words(p), 4);
    assert_string_equal(pb__phrase_text(p), "look|check into it's");
    assert_true(pb__phrase_bytes(p) > 20);
    pb__phrase_free(p);
}

/* 10,000 words of text: one pass, charged about a step a word. */
static void test_long_text(void **state)
{
    fixture *f = *state;
    size_t n = 10000, i, left = 1000000, used;
    char *text = malloc(n * 7 + 20);
    pb__phrase *p = compile(f, "look into it", 0);
    pb__phrase_hit hit;

    assert_non_null(text);
    for (i = 0; i < n; i++)
        memcpy(text + i * 7, "look i ", 7);
    memcpy(text + n * 7, "look into it", 13);
    assert_int_equal(pb__words_make(&f->w, f->st, &f->lx, 0, text,
                                    strlen(text), NULL), 0);
    assert_int_equal(pb__phrase_find(p, &f->w, 0, 2, &f->scratch, &left, &hit),
                     1);
    assert_int_equal(hit.tok_first, 2 * n);
    used = 1000000 - left;
    assert_true(used < 200000);
    /* and a budget too small for it */
    left = 1000;
    assert_int_equal(pb__phrase_find(p, &f->w, 0, 2, &f->scratch, &left, &hit),
                     PB__WORDS_BUDGET);
    pb__phrase_free(p);
    free(text);
}


/* A list's index gives the answer searching each phrase in order does,
 * on every utterance, and looks at fewer phrases. */
static void test_index(void **state)
{
    static const char *const phrases[] = {
        "look into", "i can help", "help you with", "sorry", "apologize",
        "refund has been issued|submitted|processed", "you will receive|get",
        "what is your", "so you", "not working", "i|we can not",
        "order id|number|no", "frustrat", "in the next", "all set",
        "let me check|look|see", "thank", "account has been pulled",
        "is that right", "the", "pin", "verify your", "zip code",
        "i will answer|find|check|look", "give me", "what i hear",
    };
    static const char *const texts[] = {
        "I can look into that for you.", "I'm so sorry to hear that!",
        "Your refund has been issued and you will receive it in 3 days.",
        "What is your order number?", "So you need a new password, right?",
        "It's not working at all", "I can't help with that, I apologise",
        "I am very frustated", "Thanks, that's all.", "ok",
        "Let me check the account. Account has been pulled up.",
        "Could you verify your zip code and pin?", "Is that right?",
        "I will look for it in the next hour", "you're all set",
        "Please give me a moment", "What I hear is the boots are late.",
        "", "Hi, my parcel still has not arrived and it is a gift.",
        "we cannot accept returns", "The the the the",
    };
    fixture *f = *state;
    size_t n = sizeof phrases / sizeof *phrases, t, i, looked = 0, linear = 0;
    pb__phrase *ph[sizeof phrases / sizeof *phrases];
    pb__phraseidx *ix;
    pb__scratch bits = { NULL, 0 };
    pb__phrase_hit hit;

    for (i = 0; i < n; i++)
        ph[i] = compile(f, phrases[i], 0);
    ix = pb__phraseidx_new(ph, n);
    assert_non_null(ix);
    for (t = 0; t < sizeof texts / sizeof *texts; t++) {
        size_t want = n, got = n;

        assert_int_equal(pb__words_make(&f->w, f->st, &f->lx, 0, texts[t],
                                        strlen(texts[t]), NULL), 0);
        for (i = 0; i < n && want == n; i++, linear++)
            if (pb__phrase_find(ph[i], &f->w, 0, 2, &f->scratch, NULL,
                                &hit) == 1)
                want = i;
        assert_int_equal(pb__phraseidx_mark(ix, &f->w, &bits, NULL), 0);
        for (i = pb__phraseidx_next(ix, &bits, 0); i < n;
             i = pb__phraseidx_next(ix, &bits, i + 1)) {
            looked++;
            if (pb__phrase_find(ph[i], &f->w, 0, 2, &f->scratch, NULL,
                                &hit) == 1) {
                got = i;
                break;
            }
        }
        if (got != want)
            fail_msg("'%s': the index finds %s, each phrase in turn %s",
                     texts[t], got < n ? phrases[got] : "none",
                     want < n ? phrases[want] : "none");
    }
    /* it looks at fewer than half the phrases one by one would */
    if (looked * 2 > linear)
        fail_msg("looked at %zu phrases, one by one %zu", looked, linear);
    /* a budget too small to mark the candidates */
    {
        size_t left = 2;

        assert_int_equal(pb__phraseidx_mark(ix, &f->w, &bits, &left),
                         PB__WORDS_BUDGET);
    }
    pb__scratch_free(&bits);
    pb__phraseidx_free(ix);
    for (i = 0; i < n; i++)
        pb__phrase_free(ph[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_utterances),
        cmocka_unit_test(test_gap),
        cmocka_unit_test(test_sentences),
        cmocka_unit_test(test_alternatives),
        cmocka_unit_test(test_typos),
        cmocka_unit_test(test_negation),
        cmocka_unit_test(test_need),
        cmocka_unit_test(test_bad_phrases),
        cmocka_unit_test(test_long_text),
        cmocka_unit_test(test_index),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
