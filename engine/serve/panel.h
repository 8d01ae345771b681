/*
 * panel.h -- the agent panel's files (docs/agents.md, "In the browser"),
 * built into the binary from engine/serve/panel/ by tools/embed.sh: the
 * server serves these and nothing else, never a file from disk.
 */
#ifndef PB_PANEL_H
#define PB_PANEL_H

#include <stddef.h>

/* The file served at path ("/", "/panel.js"): its Content-Type, bytes
 * and length; 0, or -1 when there is none. */
int panel_find(const char *path, const char **type, const char **data,
               size_t *len);

/* The bytes, from the generated files (NUL-terminated). */
extern const unsigned char panel_favicon_svg[], panel_index_html[],
    panel_panel_css[], panel_panel_js[];
extern const size_t panel_favicon_svg_len, panel_index_html_len,
    panel_panel_css_len, panel_panel_js_len;

#endif
