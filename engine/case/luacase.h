/*
 * luacase.h -- the case as principle code sees it (internal): a
 * read-only object over the C case, one per case.
 */
#ifndef PB_LUACASE_H
#define PB_LUACASE_H

#include "case.h"

int pb__luacase_new(pb_case *c);  /* LUA_OK or an error code */
void pb__luacase_free(pb_case *c);
void pb__luacase_push(pb_case *c); /* pushes the case object */
/* Pushes an event object (may raise: call in protected mode). */
void pb__luacase_push_event(lua_State *L, pb_case *c, size_t ev);

#endif
