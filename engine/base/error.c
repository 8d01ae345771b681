/* error.c -- status messages and error records. */
#include <stdio.h>
#include <string.h>

#include "error.h"

const char *pb_strstatus(pb_status s)
{
    switch (s) {
#define PB__XX(name, msg) case PB_##name: return msg;
    PB_STATUS_MAP(PB__XX)
#undef PB__XX
    }
    return "unknown status";
}

pb_status pb__verror(pb_error *err, pb_status status, const char *file,
                     int line, const char *fmt, va_list ap)
{
    if (err == NULL)
        return status;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    return status;
}

pb_status pb__error(pb_error *err, pb_status status, const char *file,
                    int line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    pb__verror(err, status, file, line, fmt, ap);
    va_end(ap);
    return status;
}

const char *pb_error_text(const pb_error *err, char *buf, size_t size)
{
    if (err->file[0] && err->line > 0)
        snprintf(buf, size, "%s:%d: %s", err->file, err->line, err->message);
    else if (err->file[0])
        snprintf(buf, size, "%s: %s", err->file, err->message);
    else
        snprintf(buf, size, "%s", err->message);
    return buf;
}
