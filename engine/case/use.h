/*
 * use.h -- `use "name"`: what several principle files share, written
 * once in lib/name.lua next to them (internal; docs/authoring.md,
 * "Sharing data between files").
 */
#ifndef PB_USE_H
#define PB_USE_H

#include <lua.h>

#include "sandbox.h"

/*
 * Pushes the `use` function for the principle file at path (NULL for a
 * principle given as text, which has no folder: `use` then fails).  It
 * works while *loading (the returned flag, 1 now) is set: the caller
 * clears it once the file's top level has run.
 */
int *pb__use_openlib(lua_State *L, pb__sandbox *sb, const char *path);

#endif
