/*
 * test_words.c -- utterances cut into words (engine/lang/words.c): case
 * folding beyond ASCII, contractions, stems, flags, sentences and
 * clauses, questions, typos, ill-formed UTF-8, empty and very long
 * texts, and the budget.
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
#include "words.h"

typedef struct fixture {
    pb__stemmer *st;
    pb__lexicon lx;
    pb__words w;
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

    pb__words_free(&f->w);
    pb__lexicon_free(&f->lx);
    pb__stemmer_free(f->st);
    free(f);
    return 0;
}

static pb__words *cut(fixture *f, const char *text)
{
    assert_int_equal(pb__words_make(&f->w, f->st, &f->lx, 1, text,
                                    strlen(text), NULL), 0);
    return &f->w;
}

/* The folded forms, joined by spaces. */
static const char *folds(const pb__words *w)
{
    static char buf[4096];
    size_t i, used = 0;

    buf[0] = '\0';
    for (i = 0; i < w->n; i++)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s",
                                 i ? " " : "", pb__words_fold(w, i));
    return buf;
}

static const char *stems(const pb__words *w)
{
    static char buf[4096];
    size_t i, used = 0;

    buf[0] = '\0';
    for (i = 0; i < w->n; i++)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s",
                                 i ? " " : "", pb__words_stem(w, i));
    return buf;
}

static void test_contractions(void **state)
{
    static const char *const rows[][2] = {
        { "I'll look into that for you",
          "i will look into that for you" },
        { "I can't help with that", "i can not help with that" },
        { "I won't, she shan't, they cannot",
          "i will not she shall not they can not" },
        { "Don't, isn't, couldn't, ain't",
          "do not is not could not is not" },
        { "We're sure you've got it; I'm done, I'd say",
          "we are sure you have got it i am done i would say" },
        { "Let's go: it's late, that's it, what's up",
          "let us go it is late that is it what is up" },
        { "The customer's order, John’s parcel",
          "the customer order john parcel" },
        { "o'clock rock'n'roll customers' 'quoted'",
          "o'clock rock'n'roll customers quoted" },
        { "I’ll WON’T", "i will will not" },
    };
    fixture *f = *state;
    size_t i;

    for (i = 0; i < sizeof rows / sizeof *rows; i++)
        assert_string_equal(folds(cut(f, rows[i][0])), rows[i][1]);
}

static void test_spans(void **state)
{
    fixture *f = *state;
    const char *text = "Well, I can't.";
    pb__words *w = cut(f, text);

    assert_int_equal(w->n, 4);
    assert_int_equal(w->tok[0].first, 0);
    assert_int_equal(w->tok[0].end, 4);
    /* "can" and "not" both stand for the bytes of "can't" */
    assert_int_equal(w->tok[2].first, 8);
    assert_int_equal(w->tok[2].end, 13);
    assert_int_equal(w->tok[3].first, 8);
    assert_int_equal(w->tok[3].end, 13);
}

static void test_stems(void **state)
{
    fixture *f = *state;

    assert_string_equal(stems(cut(f, "Looking looked looks LOOK")),
                        "look look look look");
    assert_string_equal(stems(cut(f, "issued refunds accounts receiving")),
                        "issu refund account receiv");
    /* words with a digit are their own stems */
    assert_string_equal(stems(cut(f, "orders 4870952797 B3BLRKKZQQ")),
                        "order 4870952797 b3blrkkzqq");
    /* one stem, one id */
    cut(f, "refund refunds refunded");
    assert_int_equal(f->w.tok[0].id, f->w.tok[1].id);
    assert_int_equal(f->w.tok[0].id, f->w.tok[2].id);
    assert_string_equal(pb__lexicon_term(&f->lx, f->w.tok[0].id), "refund");
}

/* The stem cache keeps the words in use however many others pass
 * through it (one client's made-up words), and takes new ones after
 * them; what is not used goes. */
static void test_stem_cache(void **state)
{
    fixture *f = *state;
    char word[16], out[PB__WORD_MAX + 1];
    unsigned i, k, n;

    pb__stemmer_stem(f->st, "delivery", 8, out, NULL);
    assert_string_equal(out, "deliveri");
    for (i = 0; i < 200000; i++) {
        for (k = i, n = 0; n < 6; n++, k /= 26)
            word[n] = (char)('a' + k % 26);
        memcpy(word + n, "zq", 3);
        pb__stemmer_stem(f->st, word, strlen(word), out, NULL);
        if (i % 1000 == 0)
            pb__stemmer_stem(f->st, "delivery", 8, out, NULL);
    }
    assert_true(pb__stemmer_has(f->st, "delivery"));
    assert_false(pb__stemmer_has(f->st, "aaaaaazq")); /* the first, unused */
    pb__stemmer_stem(f->st, "parcels", 7, out, NULL);
    assert_string_equal(out, "parcel");
    assert_true(pb__stemmer_has(f->st, "parcels"));
}

static void test_folding(void **state)
{
    fixture *f = *state;

    /* Latin-1, Latin Extended-A, Greek, Cyrillic */
    assert_string_equal(folds(cut(f, "ÉCOLE Ærø ŁÓDŹ ŒUVRE Ÿ İ")),
                        "école ærø łódź œuvre ÿ i");
    assert_string_equal(folds(cut(f, "ΟΔΥΣΣΕΥΣ Ἀθηνᾶ Άλφα")),
                        "οδυσσευσ ἀθηνᾶ άλφα");
    assert_string_equal(folds(cut(f, "ПРИВЕТ Ёлка ЄҐ Ӂ")),
                        "привет ёлка єґ ӂ");
    assert_string_equal(folds(cut(f, "Straße STRASSE ſ")),
                        "straße strasse s");
    /* the same word in any case has one id */
    cut(f, "Ёлка ёлка ЁЛКА");
    assert_int_equal(f->w.tok[0].id, f->w.tok[2].id);
    assert_true(f->w.tok[2].flags & PB__TOK_UPPER);
    assert_false(f->w.tok[1].flags & PB__TOK_UPPER);
    /* letters without case and digits are not upper case */
    cut(f, "1234 LTKOYPMLPU");
    assert_false(f->w.tok[0].flags & PB__TOK_UPPER);
    assert_true(f->w.tok[1].flags & PB__TOK_UPPER);
}

static void test_flags(void **state)
{
    fixture *f = *state;
    pb__words *w = cut(f, "I never said that, but it is not broken. "
                          "Nobody 2day!");

    /* i never said that | but it is not broken | nobody 2day */
    assert_string_equal(folds(w),
                        "i never said that but it is not broken nobody 2day");
    assert_true(w->tok[0].flags & PB__TOK_STOP);
    assert_true(w->tok[1].flags & PB__TOK_NEGATOR);
    assert_false(w->tok[1].flags & PB__TOK_STOP);
    assert_false(w->tok[2].flags & (PB__TOK_STOP | PB__TOK_NEGATOR));
    assert_true(w->tok[4].flags & PB__TOK_CLAUSE);     /* after , and but */
    assert_false(w->tok[4].flags & PB__TOK_SENTENCE);
    assert_true(w->tok[7].flags & PB__TOK_NEGATOR);
    assert_true(w->tok[9].flags & PB__TOK_SENTENCE);
    assert_true(w->tok[10].flags & PB__TOK_DIGIT);
    assert_int_equal(w->nsentences, 2);
    assert_int_equal(w->tok[8].sentence, 0);
    assert_int_equal(w->tok[9].sentence, 1);
    assert_int_equal(w->tok[3].clause, 0);
    assert_int_equal(w->tok[4].clause, 1);
    assert_int_equal(w->tok[9].clause, 2);
    /* "but" alone starts a clause */
    w = cut(f, "fine but slow");
    assert_int_equal(w->tok[1].clause, 1);
    /* glued punctuation breaks nothing */
    w = cut(f, "It costs 3.50 at a@b.com, 10:30");
    assert_int_equal(w->nsentences, 1);
    assert_string_equal(folds(w), "it costs 3 50 at a b com 10 30");
    assert_int_equal(w->tok[8].clause, 1);
}

static void test_questions(void **state)
{
    static const struct { const char *text; int q; } rows[] = {
        { "Is that right?", 1 },
        { "so you need me to reset your two-factor authentication?", 1 },
        { "Can you tell me in your own words what happens next", 1 },
        { "Okay, what is your order number", 1 },
        { "Thanks. Could I have your email", 1 },
        { "Is that right? Thanks.", 1 },
        { "That's it, yes.", 0 },
        { "I have issued you a refund.", 0 },
        { "What?!", 1 },
        { "", 0 },
        { "???", 0 },
        { "It arrived (did it?)", 1 },
        /* a wh-word before a subject opens a clause */
        { "So what I'm hearing is you were billed twice for March.", 0 },
        { "What you need is a new card", 0 },
        { "When you get a chance, restart it", 0 },
        { "Where is it now", 1 },
        { "How can I help", 1 },
        { "How we fix it is simple", 0 },
        { "Would you like a refund", 1 },
    };
    fixture *f = *state;
    size_t i;

    for (i = 0; i < sizeof rows / sizeof *rows; i++) {
        pb__words *w = cut(f, rows[i].text);

        if (pb__words_question(w) != rows[i].q)
            fail_msg("'%s': %d, want %d", rows[i].text,
                     pb__words_question(w), rows[i].q);
        assert_int_equal(pb__words_question(w), rows[i].q);
    }
}

static void test_typo(void **state)
{
    (void)state;
    assert_true(pb__words_typo("account", 7, "acount", 6));   /* removed */
    assert_true(pb__words_typo("acount", 6, "account", 7));   /* added */
    assert_true(pb__words_typo("receive", 7, "recieve", 7));  /* swapped */
    assert_true(pb__words_typo("parcel", 6, "parsel", 6));    /* changed */
    assert_false(pb__words_typo("parcel", 6, "parcel", 6));   /* equal */
    assert_false(pb__words_typo("parcel", 6, "pacrle", 6));
    assert_false(pb__words_typo("parcel", 6, "parcels2", 8));
    assert_true(pb__words_typo("a", 1, "", 0));
}

static void test_bad_utf8(void **state)
{
    static const char bad[] = "bad \xff\xfe utf8 \xc3 caf\xc3\xa9 \xe2\x80"
                              "cut \xed\xa0\x80 \xf4\x90\x80\x80 end\xc3";
    fixture *f = *state;
    pb__words *w;
    size_t i;

    assert_int_equal(pb__words_make(&f->w, f->st, &f->lx, 1, bad,
                                    sizeof bad - 1, NULL), 0);
    w = &f->w;
    assert_string_equal(folds(w), "bad utf8 café cut end");
    /* every byte, alone */
    for (i = 0; i < 256; i++) {
        char c = (char)i;

        assert_int_equal(pb__words_make(&f->w, f->st, &f->lx, 1, &c, 1,
                                        NULL), 0);
    }
}

static void test_empty(void **state)
{
    fixture *f = *state;

    assert_int_equal(pb__words_make(&f->w, f->st, &f->lx, 1, "", 0, NULL),
                     0);
    assert_int_equal(f->w.n, 0);
    assert_int_equal(pb__words_question(&f->w), 0);
    assert_int_equal(cut(f, " ... !!! -- ")->n, 0);
}

/* 10,000 words, and one run of 100,000 letters: linear, and a word too
 * long to be one stands for itself, cut. */
static void test_long(void **state)
{
    fixture *f = *state;
    size_t n = 10000 * 8, i;
    char *text = malloc(100001);
    size_t left = (size_t)-1, used;

    assert_non_null(text);
    for (i = 0; i < n; i += 8)
        memcpy(text + i, "parcel. ", 8);
    assert_int_equal(pb__words_make(&f->w, f->st, &f->lx, 1, text, n,
                                    &left), 0);
    assert_int_equal(f->w.n, 10000);
    assert_int_equal(f->w.nsentences, 10000);
    used = (size_t)-1 - left;
    assert_true(used >= 10000 * PB__WORD_STEPS &&
                used <= 10000 * (PB__WORD_STEPS + 2));
    memset(text, 'a', 100000);
    assert_int_equal(pb__words_make(&f->w, f->st, &f->lx, 1, text, 100000,
                                    NULL), 0);
    assert_int_equal(f->w.n, 1);
    assert_int_equal(f->w.tok[0].fold_len, PB__WORD_MAX);
    assert_int_equal(f->w.tok[0].end, 100000);
    free(text);
}

static void test_budget(void **state)
{
    fixture *f = *state;
    const char *text = "one two three four five six seven eight";
    size_t left = 3 * PB__WORD_STEPS + 5;

    assert_int_equal(pb__words_make(&f->w, f->st, &f->lx, 1, text,
                                    strlen(text), &left), PB__WORDS_BUDGET);
    assert_int_equal(left, 0);
    assert_true(f->w.n < 8);
}

static void test_lexicon(void **state)
{
    pb__lexicon parent, child;
    uint32_t a, b, c;

    (void)state;
    pb__lexicon_init(&parent, NULL);
    a = pb__lexicon_intern(&parent, "refund");
    b = pb__lexicon_intern(&parent, "order");
    assert_int_equal(pb__lexicon_intern(&parent, "refund"), a);
    pb__lexicon_init(&child, &parent);
    assert_int_equal(pb__lexicon_find(&child, "order"), b);
    c = pb__lexicon_intern(&child, "parcel");
    assert_int_equal(c, 2);
    assert_int_equal(pb__lexicon_find(&parent, "parcel"), PB__TERM_NONE);
    assert_string_equal(pb__lexicon_term(&child, a), "refund");
    assert_string_equal(pb__lexicon_term(&child, c), "parcel");
    assert_null(pb__lexicon_term(&parent, c));
    assert_int_equal(pb__lexicon_size(&child), 3);
    pb__lexicon_free(&child);
    pb__lexicon_free(&parent);
}

/* A range's words taken from its text's are the words cutting the range
 * gives: every token, field by field, and what the words say as a
 * whole.  The ranges are sentences as text.sentences finds them, and a
 * few that are not. */
static void test_range(void **state)
{
    static const struct { const char *text; size_t a, b; } cases[] = {
        { "Hi, my parcel is late. Can you help? I can't wait!", 23, 36 },
        { "Hi, my parcel is late. Can you help? I can't wait!", 37, 50 },
        { "Hi, my parcel is late. Can you help? I can't wait!", 0, 22 },
        { "That is correct.Is there more, or not?", 16, 38 },
        { "I'll check.(1) Thanks", 0, 14 },
        { "I'll check.(1) Thanks", 15, 21 },
        { "ok...  what's your ORDER number??", 7, 33 },
        { "Is it 3.5 kg? Yes", 0, 13 },
        { "no words here ... !!", 14, 20 },
    };
    fixture *f = *state;
    pb__words whole, part;
    size_t k, i;

    pb__words_init(&whole);
    pb__words_init(&part);
    pb__lexicon_intern(&f->lx, "check");
    pb__lexicon_intern(&f->lx, "order");
    for (k = 0; k < sizeof cases / sizeof *cases; k++) {
        const char *t = cases[k].text;
        size_t a = cases[k].a, b = cases[k].b;

        assert_int_equal(pb__words_make(&whole, f->st, &f->lx, 0, t,
                                        strlen(t), NULL), 0);
        assert_int_equal(pb__words_make(&f->w, f->st, &f->lx, 0, t + a,
                                        b - a, NULL), 0);
        assert_int_equal(pb__words_range(&part, &whole, t, a, b), 0);
        if (part.n != f->w.n)
            fail_msg("'%.*s': %zu words, cut %zu", (int)(b - a), t + a,
                     part.n, f->w.n);
        for (i = 0; i < part.n; i++) {
            const pb__token *x = &part.tok[i], *y = &f->w.tok[i];

            if (x->first != y->first || x->end != y->end ||
                x->id != y->id || x->sentence != y->sentence ||
                x->clause != y->clause || x->mask != y->mask ||
                x->fold_len != y->fold_len || x->letters != y->letters ||
                x->flags != y->flags ||
                strcmp(pb__words_fold(&part, i), pb__words_fold(&f->w, i)) ||
                strcmp(pb__words_stem(&part, i), pb__words_stem(&f->w, i)))
                fail_msg("'%.*s': word %zu ('%s') differs", (int)(b - a),
                         t + a, i, pb__words_fold(&f->w, i));
        }
        assert_int_equal(part.nsentences, f->w.nsentences);
        assert_int_equal(part.qmark, f->w.qmark);
        assert_int_equal(pb__words_question(&part),
                         pb__words_question(&f->w));
        assert_memory_equal(part.seen, f->w.seen, sizeof part.seen);
    }
    /* a range across a word is refused */
    assert_int_equal(pb__words_range(&part, &whole, cases[8].text, 1, 6),
                     -1);
    pb__words_free(&whole);
    pb__words_free(&part);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_contractions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spans, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stems, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stem_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_questions, setup, teardown),
        cmocka_unit_test(test_typo),
        cmocka_unit_test_setup_teardown(test_bad_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long, setup, teardown),
        cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
        cmocka_unit_test(test_lexicon),
        cmocka_unit_test_setup_teardown(test_range, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
