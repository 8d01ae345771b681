/* error.h -- filling a pb_error (internal). */
#ifndef PB_ERROR_H
#define PB_ERROR_H

#include <stdarg.h>

#include "playbook.h"

#if defined(__GNUC__)
#define PB__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define PB__PRINTF(f, a)
#endif

/* Sets err (when not NULL) and returns status, so callers can write
 * `return pb__error(err, PB_INPUT, file, line, "...")`. */
pb_status pb__error(pb_error *err, pb_status status, const char *file,
                    int line, const char *fmt, ...) PB__PRINTF(5, 6);
pb_status pb__verror(pb_error *err, pb_status status, const char *file,
                     int line, const char *fmt, va_list ap);

#endif
