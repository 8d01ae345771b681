/*
 * test_synclog.c -- the file store's sync log (engine/serve/synclog.h):
 * what a journal lacks after a crash is put back from it, torn or past
 * its end; a checkpoint ends what it puts back; a full log checkpoints;
 * a record with a name out of the folder ends it, one with a hole is
 * left out; a journal another program holds stops the start and leaves
 * the log; one server per folder; the command line's putting back.
 * The server's writes are played by hand: the bytes written to the
 * journal, then the same noted in the log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "synclog.h"

typedef struct fixture {
    char dir[64];
    int dirfd;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);

    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/pb-synclog.XXXXXX");
    if (mkdtemp(f->dir) == NULL ||
        (f->dirfd = open(f->dir, O_RDONLY | O_DIRECTORY)) < 0) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];

    close(f->dirfd);
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* DIR/name made to hold text. */
static void put(fixture *f, const char *name, const char *text)
{
    int fd = openat(f->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* What DIR/name holds, or "(none)". */
static const char *get(fixture *f, const char *name)
{
    static char buf[256];
    int fd = openat(f->dirfd, name, O_RDONLY);
    ssize_t n;

    if (fd < 0)
        return "(none)";
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static void cut(fixture *f, const char *name, off_t len)
{
    int fd = openat(f->dirfd, name, O_WRONLY);

    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, len), 0);
    close(fd);
}

/* The server appends text to the journal of case id: the write, then
 * its record in the log. */
static void append(fixture *f, synclog *l, const char *id, const char *text)
{
    char name[64];
    struct stat sb;
    int fd;

    snprintf(name, sizeof name, "%s.xml.journal", id);
    fd = openat(f->dirfd, name, O_WRONLY | O_CREAT | O_APPEND, 0600);
    assert_true(fd >= 0);
    assert_int_equal(fstat(fd, &sb), 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_int_equal(synclog_add(l, name, (long long)sb.st_size, text,
                                 strlen(text)), 0);
}

/* What was added, made durable through the log alone. */
static void sync_log(synclog *l)
{
    int whole;

    synclog_take(l);
    assert_int_equal(synclog_sync(l, &whole), 0);
    assert_int_equal(whole, 0);
}

static synclog *open_log(fixture *f, synclog_recovery *rec)
{
    pb_error err;
    synclog *l = synclog_open(f->dirfd, f->dir, rec, &err);

    if (l == NULL)
        fail_msg("%s", err.message);
    return l;
}

static void test_lost_torn_and_past_the_end(void **state)
{
    fixture *f = *state;
    synclog_recovery rec;
    synclog *l;

    put(f, "A-1.xml", "<case/>");
    put(f, "A-2.xml", "<case/>");
    put(f, "A-3.xml", "<case/>");
    put(f, "A-1.xml.journal", "old.");  /* synced before the log */
    l = open_log(f, &rec);
    assert_int_equal(rec.logged, 0);
    append(f, l, "A-1", "one.");
    append(f, l, "A-2", "two.");
    append(f, l, "A-1", "three.");
    append(f, l, "A-3", "four.");
    sync_log(l);
    synclog_close(l, 0);                /* the machine stops */
    cut(f, "A-1.xml.journal", 4);       /* none of it reached the disk */
    cut(f, "A-2.xml.journal", 2);       /* torn */
    put(f, "A-3.xml.journal", "four.lost"); /* its cut lost */
    l = open_log(f, &rec);
    assert_string_equal(get(f, "A-1.xml.journal"), "old.one.three.");
    assert_string_equal(get(f, "A-2.xml.journal"), "two.");
    assert_string_equal(get(f, "A-3.xml.journal"), "four.");
    assert_int_equal(rec.logged, 4);
    assert_int_equal(rec.writes, 3);    /* A-3's was there */
    assert_int_equal(rec.cases, 3);
    assert_int_equal(rec.skipped, 0);
    synclog_close(l, 1);
    /* after a clean stop, nothing to put back */
    l = open_log(f, &rec);
    assert_int_equal(rec.logged, 0);
    synclog_close(l, 1);
}

/* After a checkpoint the journals hold what the log held: a cut made
 * then is not undone. */
static void test_checkpoint_ends_the_log(void **state)
{
    fixture *f = *state;
    synclog_recovery rec;
    synclog *l;

    put(f, "B-1.xml", "<case/>");
    l = open_log(f, &rec);
    append(f, l, "B-1", "before.");
    sync_log(l);
    synclog_take(l);
    assert_int_equal(synclog_checkpoint(l), 0);
    cut(f, "B-1.xml.journal", 0);       /* the case file took it all */
    synclog_close(l, 0);
    l = open_log(f, &rec);
    assert_string_equal(get(f, "B-1.xml.journal"), "");
    assert_int_equal(rec.logged, 0);
    /* and what follows a checkpoint is put back from where it went */
    append(f, l, "B-1", "after.");
    sync_log(l);
    synclog_close(l, 0);
    cut(f, "B-1.xml.journal", 0);
    l = open_log(f, &rec);
    assert_string_equal(get(f, "B-1.xml.journal"), "after.");
    assert_int_equal(rec.logged, 1);
    synclog_close(l, 1);
}

/* More than the log holds: the sync is a checkpoint. */
static void test_full_log_checkpoints(void **state)
{
    fixture *f = *state;
    synclog_recovery rec;
    synclog *l;
    char *big = malloc(1 << 20);
    int whole = 0, i;

    assert_non_null(big);
    memset(big, 'x', (1 << 20) - 1);
    big[(1 << 20) - 1] = '\0';
    put(f, "C-1.xml", "<case/>");
    l = open_log(f, &rec);
    for (i = 0; i < 5; i++)
        append(f, l, "C-1", big);
    synclog_take(l);
    assert_int_equal(synclog_sync(l, &whole), 0);
    assert_int_equal(whole, 1);
    synclog_close(l, 0);
    l = open_log(f, &rec);
    assert_int_equal(rec.logged, 0);
    synclog_close(l, 1);
    free(big);
}

/* A record with a hole is left out; one with a name out of the folder
 * ends the log; nothing is written for a case that does not exist. */
static void test_holes_and_names(void **state)
{
    fixture *f = *state;
    synclog_recovery rec;
    synclog *l;

    put(f, "D-1.xml", "<case/>");
    put(f, "D-2.xml", "<case/>");
    put(f, "D-1.xml.journal", "abc");
    l = open_log(f, &rec);
    assert_int_equal(synclog_add(l, "NOPE.xml.journal", 0, "x", 1), 0);
    assert_int_equal(synclog_add(l, "D-1.xml.journal", 100, "y", 1), 0);
    assert_int_equal(synclog_add(l, "../D-2.xml.journal", 0, "z", 1), 0);
    assert_int_equal(synclog_add(l, "D-2.xml.journal", 0, "w", 1), 0);
    sync_log(l);
    synclog_close(l, 0);
    l = open_log(f, &rec);
    assert_int_equal(rec.logged, 2);    /* the bad name ended it */
    assert_int_equal(rec.skipped, 2);
    assert_int_equal(rec.cases, 0);
    assert_string_equal(get(f, "D-1.xml.journal"), "abc");
    assert_string_equal(get(f, "NOPE.xml.journal"), "(none)");
    assert_string_equal(get(f, "D-2.xml.journal"), "(none)");
    synclog_close(l, 1);
}

/* A journal another program holds stops the start, after the others
 * are put back; the log is kept, and the next start finishes. */
static void test_held_journal(void **state)
{
    fixture *f = *state;
    synclog_recovery rec;
    synclog *l;
    pb_error err;
    int held;

    put(f, "E-1.xml", "<case/>");
    put(f, "E-2.xml", "<case/>");
    l = open_log(f, &rec);
    append(f, l, "E-1", "one.");
    append(f, l, "E-2", "two.");
    sync_log(l);
    synclog_close(l, 0);
    cut(f, "E-1.xml.journal", 0);
    cut(f, "E-2.xml.journal", 0);
    held = openat(f->dirfd, "E-1.xml.journal", O_RDONLY);
    assert_true(held >= 0);
    assert_int_equal(flock(held, LOCK_EX), 0);
    assert_null(synclog_open(f->dirfd, f->dir, &rec, &err));
    assert_non_null(strstr(err.message, "E-1.xml.journal is in use"));
    assert_string_equal(get(f, "E-1.xml.journal"), "");
    assert_string_equal(get(f, "E-2.xml.journal"), "two.");
    close(held);
    l = open_log(f, &rec);
    assert_string_equal(get(f, "E-1.xml.journal"), "one.");
    assert_int_equal(rec.cases, 1);
    synclog_close(l, 1);
}

static void test_one_server_a_folder(void **state)
{
    fixture *f = *state;
    synclog_recovery rec;
    synclog *l = open_log(f, &rec);
    pb_error err;

    assert_null(synclog_open(f->dirfd, f->dir, &rec, &err));
    assert_non_null(strstr(err.message, "in use by another server"));
    /* the command line leaves a held log to its server */
    assert_int_equal(synclog_recover(f->dir, &rec, &err), PB_OK);
    assert_int_equal(rec.logged, 0);
    synclog_close(l, 1);
}

/* playbook event and live: a folder without a log is left as it is; a
 * log no server holds is put back, once. */
static void test_command_line(void **state)
{
    fixture *f = *state;
    synclog_recovery rec;
    synclog *l;
    pb_error err;

    assert_int_equal(synclog_recover(f->dir, &rec, &err), PB_OK);
    assert_string_equal(get(f, "sync.log"), "(none)");
    put(f, "F-1.xml", "<case/>");
    l = open_log(f, &rec);
    append(f, l, "F-1", "one.");
    sync_log(l);
    synclog_close(l, 0);
    cut(f, "F-1.xml.journal", 0);
    assert_int_equal(synclog_recover(f->dir, &rec, &err), PB_OK);
    assert_string_equal(get(f, "F-1.xml.journal"), "one.");
    assert_int_equal(rec.cases, 1);
    cut(f, "F-1.xml.journal", 0);       /* the next command line's own */
    assert_int_equal(synclog_recover(f->dir, &rec, &err), PB_OK);
    assert_int_equal(rec.logged, 0);
    assert_string_equal(get(f, "F-1.xml.journal"), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lost_torn_and_past_the_end,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_ends_the_log, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_full_log_checkpoints, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_holes_and_names, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_held_journal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_server_a_folder, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_command_line, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
