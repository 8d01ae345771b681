/*
 * auth.h -- who may use `playbook serve` (docs/api.md, "Tokens"): bearer
 * tokens from a file that keeps only their SHA-256, each with a role
 * and a name.  An agent reaches the cases they handle; a lead reaches
 * every case.
 */
#ifndef PB_AUTH_H
#define PB_AUTH_H

#include "playbook.h"

#define AUTH_MAX_NAME 64

typedef enum { AUTH_AGENT, AUTH_LEAD } auth_role;

typedef struct auth_user {
    char name[AUTH_MAX_NAME + 1];
    auth_role role;
    char hash[65];          /* SHA-256 of the token, hex */
} auth_user;

typedef struct auth auth;

/* Reads the token file: "ROLE NAME SHA256" per line, # comments.
 * PB_INPUT with the file and line of a bad line, PB_IO when it cannot
 * be read. */
pb_status auth_load(const char *path, auth **out, pb_error *err);
void auth_free(auth *a);
size_t auth_count(const auth *a);

/* Whether a still holds u: the same token, name and role. */
int auth_has(const auth *a, const auth_user *u);

/* The user an Authorization header ("Bearer TOKEN") names, or NULL. */
const auth_user *auth_check(const auth *a, const char *authorization);

/* A new token for "ROLE:NAME": its hash appended to path (created 0600,
 * synced), the token itself (64 hex digits) into token, shown once. */
pb_status auth_add(const char *path, const char *role_name, char token[65],
                   pb_error *err);

#endif
