/* file.h -- reading whole input files (internal). */
#ifndef PB_FILE_H
#define PB_FILE_H

#include <stddef.h>

#include "playbook.h"

/*
 * Opens path for reading without ever waiting on it, and only when it is
 * a regular file: a FIFO, a device or a socket is PB_INPUT "not a
 * regular file", a folder PB_IO.  With nofollow, a symbolic link is not
 * followed (PB_IO, ELOOP).  *fd (blocking, close-on-exec) is the
 * caller's to close; -1 on failure.
 */
pb_status pb__open_input(const char *path, int nofollow, int *fd,
                         pb_error *err);

/*
 * Reads all of path (opened with pb__open_input), at most max bytes, into
 * a malloc'd buffer that is also NUL-terminated.  PB_IO when it cannot be
 * opened or read, PB_INPUT when it is not a regular file or larger than
 * max, PB_NOMEM.
 */
pb_status pb__read_input(const char *path, int nofollow, size_t max,
                         char **out, size_t *len, pb_error *err);
/* pb__read_input following symbolic links, as for any file named by the
 * user. */
pb_status pb__read_file(const char *path, size_t max, char **out,
                        size_t *len, pb_error *err);

/* The folder path is in ("a/b" -> "a", "b" -> ".", "/b" -> "/"),
 * malloc'd; NULL when out of memory. */
char *pb__folder_of(const char *path);
/* The name of the file path names, without its folder ("a/b" -> "b"). */
const char *pb__file_name(const char *path);

#endif
