/*
 * lineedit.h -- lines typed on a terminal, through libedit: emacs keys
 * (or what ~/.editrc sets), a history kept for this session only (calls
 * hold customers' data), Tab completion and Ctrl-C to clear the line.
 * It knows nothing of what the words mean: its user gives the words
 * that can complete the one under the cursor.
 */
#ifndef PB_LINEEDIT_H
#define PB_LINEEDIT_H

#include <stddef.h>
#include <stdio.h>

typedef struct lineedit lineedit;

/* The words before the one being completed (nwords of them, at most
 * LINEEDIT_WORDS) decide which can complete it: at most max go into out,
 * and the count is returned.  *suffix, " " unless changed, follows a
 * completion that is the only one. */
#define LINEEDIT_WORDS 2
typedef size_t lineedit_words(void *ud, const char *const *words,
                              int nwords, const char **out, size_t max,
                              const char **suffix);

/* An editor reading stdin; completions that are not unique are listed
 * on out.  NULL when out of memory.  Ctrl-C (SIGINT) no longer ends the
 * program once this is called: it interrupts the line being read. */
lineedit *lineedit_open(const char *prog, FILE *out, lineedit_words *words,
                        void *ud);
void lineedit_close(lineedit *ed);

enum { LINEEDIT_END, LINEEDIT_LINE, LINEEDIT_INTERRUPTED };
/* One line typed after prompt: LINEEDIT_LINE with *line (*len bytes, the
 * line end included; valid until the next call), LINEEDIT_INTERRUPTED
 * after Ctrl-C, LINEEDIT_END at the end of the input (Ctrl-D). */
int lineedit_read(lineedit *ed, const char *prompt, const char **line,
                  size_t *len);

#endif
