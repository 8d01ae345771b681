/*
 * panel.c -- the table of the panel's files.  A path is looked up, never
 * joined to a folder, so no request can name anything else.
 */
#include <string.h>

#include "panel.h"

static const struct {
    const char *path, *type;
    const unsigned char *data;
    const size_t *len;
} files[] = {
    { "/", "text/html; charset=utf-8", panel_index_html,
      &panel_index_html_len },
    { "/favicon.svg", "image/svg+xml", panel_favicon_svg,
      &panel_favicon_svg_len },
    { "/panel.css", "text/css; charset=utf-8", panel_panel_css,
      &panel_panel_css_len },
    { "/panel.js", "text/javascript; charset=utf-8", panel_panel_js,
      &panel_panel_js_len },
};

int panel_find(const char *path, const char **type, const char **data,
               size_t *len)
{
    size_t i;

    for (i = 0; i < sizeof files / sizeof files[0]; i++)
        if (strcmp(path, files[i].path) == 0) {
            *type = files[i].type;
            *data = (const char *)files[i].data;
            *len = *files[i].len;
            return 0;
        }
    return -1;
}
