/*
 * replay.c -- runs a fuzz target over files without libFuzzer.
 *
 *   fuzz_scenario [-v] FILE|FOLDER...
 *
 * Each FILE, and each regular file directly inside each FOLDER (in name
 * order, dot files skipped), is read whole and handed to
 * LLVMFuzzerTestOneInput once.  A crash is the sanitizers' business: in
 * an ASan build they report and exit non-zero.  Exit status 0 when every
 * input ran, 1 when a file could not be read, 2 on bad usage.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_MAX_BYTES (16u * 1024u * 1024u)

/*
 * ASan's defaults for the replay, when it is built with ASan (without, it
 * is never called): a pointer into a frame that has returned is caught
 * wherever the frame's memory went, not only when a redzone happens to be
 * there (fuzz_command's suggest-returns-a-pointer-into-its-stack).
 * ASAN_OPTIONS still overrides.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_stack_use_after_return=1";
}

static int verbose;
static size_t ran;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0, n;

    if (f == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    do {
        if (len == cap) {
            unsigned char *b;

            cap = cap ? cap * 2 : 4096;
            if (cap > REPLAY_MAX_BYTES + 1 ||
                (b = realloc(buf, cap)) == NULL) {
                fprintf(stderr, "replay: %s: too big\n", path);
                free(buf);
                fclose(f);
                return -1;
            }
            buf = b;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    if (ferror(f)) {
        fprintf(stderr, "replay: %s: read error\n", path);
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    if (verbose)
        fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
    /* An exact-size copy, so ASan sees reads past the end of the input. */
    {
        unsigned char *exact = malloc(len ? len : 1);

        if (exact == NULL) {
            free(buf);
            return -1;
        }
        if (len)
            memcpy(exact, buf, len);
        free(buf);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
    ran++;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, i;
    int rc = 0;

    if (d == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        char **v;

        if (de->d_name[0] == '.')
            continue;
        if ((v = realloc(names, (n + 1) * sizeof *v)) == NULL ||
            (v[n] = strdup(de->d_name)) == NULL) {
            names = v ? v : names;
            rc = -1;
            break;
        }
        names = v;
        n++;
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof *names, cmp_names);
    for (i = 0; i < n; i++) {
        size_t len = strlen(path) + strlen(names[i]) + 2;
        char *full = malloc(len);
        struct stat sb;

        if (full == NULL) {
            rc = -1;
        } else {
            snprintf(full, len, "%s/%s", path, names[i]);
            if (stat(full, &sb) == 0 && S_ISREG(sb.st_mode) &&
                run_file(full) != 0)
                rc = -1;
        }
        free(full);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    struct stat sb;
    int i, rc = 0, first = 1;

    if (argc > 1 && strcmp(argv[1], "-v") == 0) {
        verbose = 1;
        first = 2;
    }
    if (argc <= first) {
        fprintf(stderr, "usage: %s [-v] FILE|FOLDER...\n", argv[0]);
        return 2;
    }
    LLVMFuzzerInitialize(&argc, &argv);
    for (i = first; i < argc; i++) {
        if (stat(argv[i], &sb) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            rc = 1;
        } else if (S_ISDIR(sb.st_mode) ? run_dir(argv[i]) != 0
                                       : run_file(argv[i]) != 0) {
            rc = 1;
        }
    }
    fprintf(stderr, "replay: %zu input%s\n", ran, ran == 1 ? "" : "s");
    return rc;
}
