/*
 * test_file.c -- opening and reading input files (engine/base/file.c): only
 * regular files, and never waiting on the open of a FIFO or a device.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

typedef struct dir {
    char path[64], file[96];
} dir;

static int setup(void **state)
{
    dir *d = calloc(1, sizeof *d);

    if (d == NULL)
        return -1;
    snprintf(d->path, sizeof d->path, "/tmp/pb-file-XXXXXX");
    if (mkdtemp(d->path) == NULL) {
        free(d);
        return -1;
    }
    /* A hang is a failure, not a stuck test run. */
    alarm(20);
    *state = d;
    return 0;
}

static int teardown(void **state)
{
    dir *d = *state;
    char cmd[96];

    alarm(0);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->path);
    if (system(cmd) != 0)
        return -1;
    free(d);
    return 0;
}

static const char *in(dir *d, const char *name)
{
    snprintf(d->file, sizeof d->file, "%s/%s", d->path, name);
    return d->file;
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void refused(const char *path, pb_status want, const char *message)
{
    pb_error err;
    char *buf = (char *)&buf;
    size_t len = 7;
    int fd = 0;

    memset(&err, 0, sizeof err);
    assert_int_equal(pb__open_input(path, 0, &fd, &err), want);
    assert_int_equal(fd, -1);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, 0);
    assert_string_equal(err.message, message);
    memset(&err, 0, sizeof err);
    assert_int_equal(pb__read_file(path, 1024, &buf, &len, &err), want);
    assert_string_equal(err.message, message);
}

static void test_regular(void **state)
{
    dir *d = *state;
    char path[96];
    pb_error err;
    struct stat sb;
    char *buf;
    size_t len;
    int fd, flags;

    snprintf(path, sizeof path, "%s", in(d, "a.xml"));
    write_file(path, "hello", 5);
    assert_int_equal(pb__open_input(path, 0, &fd, &err), PB_OK);
    assert_true(fd >= 0);
    flags = fcntl(fd, F_GETFL);
    assert_int_equal(flags & O_NONBLOCK, 0); /* blocking again */
    assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    assert_int_equal(fstat(fd, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    close(fd);
    assert_int_equal(pb__read_file(path, 1024, &buf, &len, &err), PB_OK);
    assert_int_equal(len, 5);
    assert_string_equal(buf, "hello");
    free(buf);

    /* Through a symlink to a regular file: fine. */
    assert_int_equal(symlink(path, in(d, "link.xml")), 0);
    assert_int_equal(pb__read_file(in(d, "link.xml"), 1024, &buf, &len,
                                   &err), PB_OK);
    assert_int_equal(len, 5);
    free(buf);

    /* Empty, at the cap, over the cap. */
    write_file(path, "", 0);
    assert_int_equal(pb__read_file(path, 5, &buf, &len, &err), PB_OK);
    assert_int_equal(len, 0);
    assert_string_equal(buf, "");
    free(buf);
    write_file(path, "12345", 5);
    assert_int_equal(pb__read_file(path, 5, &buf, &len, &err), PB_OK);
    assert_int_equal(len, 5);
    free(buf);
    write_file(path, "123456", 6);
    assert_int_equal(pb__read_file(path, 5, &buf, &len, &err), PB_INPUT);
    assert_string_equal(err.message, "file too large (over 5 bytes)");
}

/* A FIFO with nobody writing: open(O_RDONLY) alone would wait for ever. */
static void test_fifo(void **state)
{
    dir *d = *state;
    char fifo[96];

    snprintf(fifo, sizeof fifo, "%s", in(d, "zz.xml"));
    assert_int_equal(mkfifo(fifo, 0600), 0);
    refused(fifo, PB_INPUT, "not a regular file");

    /* Through a symlink, the same. */
    assert_int_equal(symlink(fifo, in(d, "to-fifo.xml")), 0);
    refused(in(d, "to-fifo.xml"), PB_INPUT, "not a regular file");
}

/* Journals are read without following links (nofollow). */
static void test_nofollow(void **state)
{
    dir *d = *state;
    char path[96], msg[128];
    pb_error err;
    char *buf;
    size_t len;
    int fd;

    snprintf(path, sizeof path, "%s", in(d, "secret"));
    write_file(path, "secret", 6);
    assert_int_equal(symlink(path, in(d, "link")), 0);
    assert_int_equal(pb__open_input(in(d, "link"), 1, &fd, &err), PB_IO);
    assert_int_equal(fd, -1);
    snprintf(msg, sizeof msg, "cannot open: %s", strerror(ELOOP));
    assert_string_equal(err.message, msg);
    assert_int_equal(pb__read_input(in(d, "link"), 1, 64, &buf, &len, &err),
                     PB_IO);
    assert_int_equal(pb__read_input(path, 1, 64, &buf, &len, &err), PB_OK);
    assert_int_equal(len, 6);
    free(buf);
}

/* A FIFO with a writer that never writes nor closes: read() would wait. */
static void test_fifo_with_writer(void **state)
{
    dir *d = *state;
    char fifo[96];
    int rfd, wfd;

    snprintf(fifo, sizeof fifo, "%s", in(d, "busy.lua"));
    assert_int_equal(mkfifo(fifo, 0600), 0);
    rfd = open(fifo, O_RDONLY | O_NONBLOCK);
    assert_true(rfd >= 0);
    wfd = open(fifo, O_WRONLY | O_NONBLOCK);
    assert_true(wfd >= 0);
    refused(fifo, PB_INPUT, "not a regular file");
    close(wfd);
    close(rfd);
}

/* Devices: /dev/zero would be read to the cap, a terminal for ever. */
static void test_devices(void **state)
{
    (void)state;
    refused("/dev/zero", PB_INPUT, "not a regular file");
    refused("/dev/null", PB_INPUT, "not a regular file");
}

static void test_folder_and_missing(void **state)
{
    dir *d = *state;
    char msg[128];

    snprintf(msg, sizeof msg, "cannot read: %s", strerror(EISDIR));
    refused(d->path, PB_IO, msg);
    snprintf(msg, sizeof msg, "cannot open: %s", strerror(ENOENT));
    refused(in(d, "missing.xml"), PB_IO, msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_regular, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nofollow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_with_writer, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_devices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folder_and_missing, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
