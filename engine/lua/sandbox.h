/*
 * sandbox.h -- the Lua state principle code runs in (internal).
 *
 * A security boundary: principle files come from team leads.  Only safe
 * parts of base, string, table, math and utf8 are reachable; every file
 * gets its own environment; every call has a budget that all the work it
 * does is charged to, and every principle (an account) a memory cap
 * (docs/hardening.md, "The budget model").
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
/* instructions: the budget of one call; memory: the cap of one account.
 * 0 leaves a limit as it is. */
void pb__sandbox_set_limits(pb__sandbox *sb, size_t instructions,
                            size_t memory);

/*
 * Opens a memory account for one principle: what its calls allocate is
 * charged to it, up to the memory cap, so one principle cannot take the
 * memory the others need.  Account 0 is the engine's, uncapped.  Returns
 * 0 when out of memory.
 */
unsigned pb__sandbox_account(pb__sandbox *sb);

/*
 * Pushes a fresh environment for one principle file: the safe library,
 * plus whatever the table at index `extra` holds (0 for nothing), tables
 * among it read-only like the libraries.
 * Globals can be written until pb__sandbox_freeze.  Returns LUA_OK or an
 * error code with the message pushed instead.
 */
int pb__sandbox_newenv(pb__sandbox *sb, int extra);
/* Makes the environment at index idx read-only. */
void pb__sandbox_freeze(lua_State *L, int idx);

/*
 * Calls the function below nargs arguments, like lua_pcall, under a fresh
 * budget, charging memory to account.  On error a message string (never
 * another type) is left on the stack, naming file:line where Lua knows
 * them.
 */
int pb__sandbox_call(pb__sandbox *sb, unsigned account, int nargs,
                     int nresults);

/* Compiles a text chunk like luaL_loadbufferx under a fresh budget
 * (Lua's parser is not linear in every input). */
int pb__sandbox_load(pb__sandbox *sb, unsigned account, const char *src,
                     size_t len, const char *name);

/* Called by the vendored Lua (luai_charge, engine/vendor/lua/llimits.h)
 * for work done inside one operation: n bytes compared or parser steps.
 * With canraise, raises the budget error once the budget is spent. */
void pb__lua_charge(lua_State *L, size_t n, int canraise);

/* Called by the vendored Lua (luai_chargefloat) where a float is written
 * as text, len bytes of it: charges what C's printf spends on it, which
 * grows with the exponent and the digits; raises once the budget is
 * spent. */
void pb__lua_charge_float(lua_State *L, double n, size_t len);

/* Runs f in protected mode with one light userdata argument. */
int pb__sandbox_cpcall(pb__sandbox *sb, lua_CFunction f, void *ud);

#endif
