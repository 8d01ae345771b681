/*
 * render.c -- pb_render_replays and pb_render_checklist: the format
 * picks the writer (render_text.c, render_json.c, render_junit.c,
 * render_html.c).
 */
#include "render_html.h"
#include "render_json.h"
#include "render_junit.h"
#include "render_text.h"

/* Text and JSON write to the stream as they go: its state says whether
 * everything reached it. */
static pb_status flushed(FILE *f)
{
    return fflush(f) == 0 && !ferror(f) ? PB_OK : PB_IO;
}

pb_status pb_render_replays(FILE *f, pb_format fmt, unsigned flags,
                            pb_replay *const *replays, size_t n)
{
    switch (fmt) {
    case PB_FORMAT_JUNIT:
        return pb__render_junit(f, replays, n);
    case PB_FORMAT_HTML:
        return pb__render_html(f, replays, n);
    case PB_FORMAT_JSON:
        pb__render_json_replays(f, replays, n);
        return flushed(f);
    default:
        pb__render_text_replays(f, flags, replays, n);
        return flushed(f);
    }
}

pb_status pb_render_checklist(FILE *f, pb_format fmt, unsigned flags,
                              const pb_case *c)
{
    switch (fmt) {
    case PB_FORMAT_JUNIT: /* JUnit reports expectations: only replays */
        return PB_INPUT;
    case PB_FORMAT_HTML:
        return pb__render_html_checklist(f, c);
    case PB_FORMAT_JSON:
        pb__render_json_checklist(f, c, NULL);
        return flushed(f);
    default:
        pb__render_text_checklist(f, flags, c);
        return flushed(f);
    }
}

pb_status pb_render_checklist_memo(FILE *f, const pb_case *c,
                                   pb_render_memo *m)
{
    pb__render_json_checklist(f, c, m);
    return flushed(f);
}
