/*
 * ascii.h -- the ASCII classes the readers and parsers use (internal).
 *
 * Not <ctype.h>: its answers follow the locale, and a byte of a UTF-8
 * sequence must never count as a letter or a space.  These look at
 * ASCII only; every other byte is in no class and folds to itself.
 */
#ifndef PB_ASCII_H
#define PB_ASCII_H

/* Space, tab and the line ends: the white space trimmed from text and
 * between words (XML's white space). */
static inline int pb__ascii_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Whether s says nothing: NULL, or white space only (a text as a file
 * gives it back: trimmed, then none). */
static inline int pb__ascii_blank(const char *s)
{
    if (s != NULL)
        while (pb__ascii_space(*s))
            s++;
    return s == NULL || *s == '\0';
}

static inline int pb__ascii_digit(int c)
{
    return c >= '0' && c <= '9';
}

static inline int pb__ascii_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The characters of ids and of the words of dotted names: scenario ids,
 * item refs, event types (docs/scenarios.md, docs/import.md). */
static inline int pb__ascii_id(int c)
{
    return pb__ascii_alpha(c) || pb__ascii_digit(c) || c == '_' || c == '-';
}

/* c in lower case: the case folding of commands, speakers and names. */
static inline int pb__ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

#endif
