/*
 * lineedit.c -- lines typed on a terminal (lineedit.h): libedit with a
 * session-only history, Tab completion from the words its user gives,
 * and Ctrl-C that clears the line instead of ending the program.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <histedit.h>

#include "lineedit.h"
#include "text.h"

#define MAX_CANDIDATES 512

struct lineedit {
    EditLine *el;
    History *hist;
    FILE *out;
    lineedit_words *words;
    void *ud;
    char prompt[64];
};

static unsigned char complete(EditLine *el, int ch)
{
    const LineInfo *li = el_line(el);
    const char *cand[MAX_CANDIDATES], *match[MAX_CANDIDATES];
    const char *words[LINEEDIT_WORDS + 1], *suffix = " ";
    char line[256], *p, *start = line;
    size_t n, nm = 0, i, plen, common;
    int nwords = 0;
    lineedit *ed = NULL;

    (void)ch;
    el_get(el, EL_CLIENTDATA, &ed);
    if (ed == NULL || li->cursor - li->buffer >= (long)sizeof line)
        return CC_REFRESH_BEEP;
    memcpy(line, li->buffer, (size_t)(li->cursor - li->buffer));
    line[li->cursor - li->buffer] = '\0';
    /* The words before the one under the cursor. */
    for (p = line; nwords < LINEEDIT_WORDS + 1;) {
        while (*p == ' ')
            p++;
        start = p;
        while (*p && *p != ' ')
            p++;
        if (*p == '\0')
            break;
        *p++ = '\0';
        words[nwords++] = start;
    }
    if (nwords > LINEEDIT_WORDS)
        return CC_REFRESH_BEEP;
    while (*start == ' ')
        start++;
    plen = strlen(start);
    n = ed->words(ed->ud, words, nwords, cand, MAX_CANDIDATES, &suffix);
    for (i = 0; i < n; i++)
        if (strncmp(cand[i], start, plen) == 0 && nm < MAX_CANDIDATES)
            match[nm++] = cand[i];
    if (nm == 0)
        return CC_REFRESH_BEEP;
    common = strlen(match[0]);
    for (i = 1; i < nm; i++) {
        size_t k = 0;

        while (k < common && match[i][k] == match[0][k])
            k++;
        common = k;
    }
    if (common > plen || nm == 1) {
        char add[160];

        snprintf(add, sizeof add, "%.*s%s", (int)(common - plen),
                 match[0] + plen, nm == 1 ? suffix : "");
        el_insertstr(el, add);
        return CC_REFRESH;
    }
    /* Ambiguous and nothing to add: list them under the line. */
    fputc('\n', ed->out);
    for (i = 0; i < nm; i++) {
        pb__text_put(ed->out, match[i]);
        fputs(i + 1 < nm ? "  " : "\n", ed->out);
    }
    return CC_REDISPLAY;
}

static char *prompt(EditLine *el)
{
    lineedit *ed = NULL;

    el_get(el, EL_CLIENTDATA, &ed);
    return ed ? ed->prompt : (char *)"> ";
}

/* Ctrl-C clears the line instead of ending the session. */
static void on_interrupt(int sig)
{
    (void)sig;
}

lineedit *lineedit_open(const char *prog, FILE *out, lineedit_words *words,
                        void *ud)
{
    lineedit *ed = calloc(1, sizeof *ed);
    HistEvent ev;
    struct sigaction sa;

    if (ed == NULL)
        return NULL;
    ed->out = out;
    ed->words = words;
    ed->ud = ud;
    ed->el = el_init(prog, stdin, stdout, stderr);
    ed->hist = history_init();
    if (ed->el == NULL || ed->hist == NULL) {
        lineedit_close(ed);
        return NULL;
    }
    history(ed->hist, &ev, H_SETSIZE, 500);
    history(ed->hist, &ev, H_SETUNIQUE, 1);
    el_set(ed->el, EL_CLIENTDATA, ed);
    el_set(ed->el, EL_EDITOR, "emacs");
    el_set(ed->el, EL_PROMPT, prompt);
    el_set(ed->el, EL_HIST, history, ed->hist);
    el_set(ed->el, EL_SIGNAL, 1);
    /* The wide call: the narrow one copies the strings and never frees
     * them (libedit 3.1). */
    el_wset(ed->el, EL_ADDFN, L"pb-complete", L"complete the word",
            complete);
    el_set(ed->el, EL_BIND, "^I", "pb-complete", NULL);
    el_source(ed->el, NULL); /* ~/.editrc: vi mode, say */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    return ed;
}

void lineedit_close(lineedit *ed)
{
    if (ed == NULL)
        return;
    if (ed->el)
        el_end(ed->el);
    if (ed->hist)
        history_end(ed->hist);
    free(ed);
}

int lineedit_read(lineedit *ed, const char *prompt, const char **line,
                  size_t *len)
{
    int count = 0;

    snprintf(ed->prompt, sizeof ed->prompt, "%s", prompt);
    errno = 0;
    *line = el_gets(ed->el, &count);
    if (*line == NULL && count < 0 && errno == EINTR)
        return LINEEDIT_INTERRUPTED;
    if (*line == NULL || count <= 0)
        return LINEEDIT_END;
    if (count > 1) {
        HistEvent ev;

        history(ed->hist, &ev, H_ENTER, *line);
    }
    *len = (size_t)count;
    return LINEEDIT_LINE;
}
