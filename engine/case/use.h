/*
 * use.h -- `use "name"`: what several principle files share, written
 * once in lib/name.lua next to them (internal; docs/authoring.md,
 * "Sharing data between files").
 */
#ifndef PB_USE_H
#define PB_USE_H

#include <lua.h>

#include "sandbox.h"

/* A principle file, or a lib file one uses, at most. */
#define PB__PRINCIPLE_MAX_BYTES (4u * 1024u * 1024u)

/*
 * Pushes the `use` function for the principle file at path (the name a
 * principle given as text was given: its folder is where `use` looks),
 * shown as shown (its lib files' names are shown from its folder).
 * Lib files get the safe library and what the table at index libs holds
 * (due, text).  It works while *loading (the returned flag, 1 now) is
 * set: the caller clears it once the file's top level has run.
 */
int *pb__use_openlib(lua_State *L, pb__sandbox *sb, const char *path,
                     const char *shown, int libs);

#endif
