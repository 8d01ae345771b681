/*
 * sandbox.h -- the Lua state principle code runs in (internal).
 *
 * A security boundary: principle files come from team leads.  Only safe
 * parts of base, string, table, math and utf8 are reachable; every file
 * gets its own environment; every call has an instruction budget, and the
 * whole state a memory cap.
 */
#ifndef PB_SANDBOX_H
#define PB_SANDBOX_H

#include <stddef.h>
#include <lua.h>

#include "budget.h"

typedef struct pb__sandbox pb__sandbox;

pb__sandbox *pb__sandbox_new(size_t memory);
void pb__sandbox_free(pb__sandbox *sb);
lua_State *pb__sandbox_lua(pb__sandbox *sb);
pb__budget *pb__sandbox_budget(pb__sandbox *sb);
/* How many calls into principle code so far (the benchmark's floor). */
size_t pb__sandbox_calls(const pb__sandbox *sb);
void pb__sandbox_set_limits(pb__sandbox *sb, size_t instructions,
                            size_t memory);

/*
 * Pushes a fresh environment for one principle file: the safe library,
 * plus whatever the table at index `extra` holds (0 for nothing).
 * Globals can be written until pb__sandbox_freeze.  Returns LUA_OK or an
 * error code with the message pushed instead.
 */
int pb__sandbox_newenv(pb__sandbox *sb, int extra);
/* Makes the environment at index idx read-only. */
void pb__sandbox_freeze(lua_State *L, int idx);

/*
 * Calls the function below nargs arguments, like lua_pcall, under the
 * instruction budget.  On error a message string (never another type) is
 * left on the stack, naming file:line where Lua knows them.
 */
int pb__sandbox_call(pb__sandbox *sb, int nargs, int nresults);

/* Runs f in protected mode with one light userdata argument. */
int pb__sandbox_cpcall(pb__sandbox *sb, lua_CFunction f, void *ud);

#endif
