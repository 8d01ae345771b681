/* file.h -- reading whole input files (internal). */
#ifndef PB_FILE_H
#define PB_FILE_H

#include <stddef.h>

#include "playbook.h"

/*
 * Reads all of path, at most max bytes, into a malloc'd buffer that is
 * also NUL-terminated.  PB_IO when it cannot be opened or read, PB_INPUT
 * when it is larger than max, PB_NOMEM.
 */
pb_status pb__read_file(const char *path, size_t max, char **out,
                        size_t *len, pb_error *err);

#endif
