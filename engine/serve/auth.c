/*
 * auth.c -- the token file and the check of a request's token.  The
 * file holds hashes, so a copy of it grants nothing; a token is 32
 * random bytes, so a plain SHA-256 is enough (no guessing to slow down).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "auth.h"
#include "error.h"
#include "file.h"
#include "sha256.h"

#define MAX_USERS 10000

struct auth {
    auth_user *v;
    size_t n;
};

static int name_ok(const char *s, size_t n)
{
    size_t i;

    if (n == 0 || n > AUTH_MAX_NAME)
        return 0;
    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' ||
              s[i] == '.' || s[i] == '@'))
            return 0;
    return 1;
}

static int hex_ok(const char *s, size_t n)
{
    size_t i;

    if (n != 64)
        return 0;
    for (i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static int role_of(const char *s, size_t n, auth_role *out)
{
    if (n == 5 && memcmp(s, "agent", 5) == 0)
        *out = AUTH_AGENT;
    else if (n == 4 && memcmp(s, "lead", 4) == 0)
        *out = AUTH_LEAD;
    else
        return -1;
    return 0;
}

/* The next word of a line: its start and length; *p moves past it. */
static size_t word(const char **p, const char **start)
{
    size_t n;

    *p += strspn(*p, " \t");
    *start = *p;
    n = strcspn(*p, " \t");
    *p += n;
    return n;
}

static pb_status parse_line(const char *path, int line, const char *s,
                            auth_user *u, pb_error *err)
{
    const char *w[3];
    size_t n[3], k;

    for (k = 0; k < 3; k++)
        n[k] = word(&s, &w[k]);
    s += strspn(s, " \t");
    if (n[2] == 0 || *s != '\0')
        return pb__error(err, PB_INPUT, path, line, "want ROLE NAME SHA256 "
                         "(playbook serve --add-token makes them)");
    if (role_of(w[0], n[0], &u->role) != 0)
        return pb__error(err, PB_INPUT, path, line, "unknown role '%.*s' "
                         "(agent or lead)", (int)(n[0] > 32 ? 32 : n[0]),
                         w[0]);
    if (!name_ok(w[1], n[1]))
        return pb__error(err, PB_INPUT, path, line, "bad name (1 to %d "
                         "letters, digits, _ - . @)", AUTH_MAX_NAME);
    if (!hex_ok(w[2], n[2]))
        return pb__error(err, PB_INPUT, path, line, "bad hash (64 hex "
                         "digits, lowercase)");
    memcpy(u->name, w[1], n[1]);
    u->name[n[1]] = '\0';
    memcpy(u->hash, w[2], 64);
    u->hash[64] = '\0';
    return PB_OK;
}

pb_status auth_load(const char *path, auth **out, pb_error *err)
{
    char *buf, *p, *eol;
    size_t len;
    auth *a;
    int line = 0;
    pb_status st = PB_OK;

    *out = NULL;
    if ((st = pb__read_file(path, 1u << 20, &buf, &len, err)) != PB_OK)
        return st;
    if ((a = calloc(1, sizeof *a)) == NULL) {
        free(buf);
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    }
    for (p = buf; st == PB_OK && p < buf + len; p = eol + 1) {
        line++;
        if ((eol = memchr(p, '\n', (size_t)(buf + len - p))) == NULL)
            eol = buf + len;
        if (memchr(p, '\0', (size_t)(eol - p)) != NULL) {
            st = pb__error(err, PB_INPUT, path, line, "a NUL byte");
            break;
        }
        *eol = '\0';
        if (eol > p && eol[-1] == '\r')
            eol[-1] = '\0';
        if (p[strspn(p, " \t")] == '\0' || p[strspn(p, " \t")] == '#')
            continue;
        if (a->n == MAX_USERS) {
            st = pb__error(err, PB_INPUT, path, line, "more than %d tokens",
                           MAX_USERS);
            break;
        }
        if (a->n % 64 == 0) {
            auth_user *v = realloc(a->v, (a->n + 64) * sizeof *v);

            if (v == NULL) {
                st = pb__error(err, PB_NOMEM, "", 0, "out of memory");
                break;
            }
            a->v = v;
        }
        if ((st = parse_line(path, line, p, &a->v[a->n], err)) == PB_OK)
            a->n++;
    }
    free(buf);
    if (st != PB_OK) {
        auth_free(a);
        return st;
    }
    *out = a;
    return PB_OK;
}

void auth_free(auth *a)
{
    if (a == NULL)
        return;
    free(a->v);
    free(a);
}

size_t auth_count(const auth *a) { return a->n; }

/* Equal without an early exit: how long a compare takes says nothing
 * about how much of a hash was right. */
static int same_hash(const char *x, const char *y)
{
    unsigned char d = 0;
    size_t i;

    for (i = 0; i < 64; i++)
        d |= (unsigned char)(x[i] ^ y[i]);
    return d == 0;
}

int auth_has(const auth *a, const auth_user *u)
{
    size_t i;

    for (i = 0; a != NULL && i < a->n; i++)
        if (strcmp(a->v[i].hash, u->hash) == 0)
            return strcmp(a->v[i].name, u->name) == 0 &&
                   a->v[i].role == u->role;
    return 0;
}

const auth_user *auth_check(const auth *a, const char *authorization)
{
    const auth_user *found = NULL;
    char hex[PB__SHA256_HEX];
    const char *t;
    size_t i, n;

    if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7))
        return NULL;
    t = authorization + 7 + strspn(authorization + 7, " ");
    n = strcspn(t, " \t");
    if (n == 0 || n > 256 || t[n + strspn(t + n, " \t")] != '\0')
        return NULL;
    pb__sha256_hex(t, n, hex);
    for (i = 0; i < a->n; i++)     /* every entry, found or not */
        if (same_hash(hex, a->v[i].hash) && found == NULL)
            found = &a->v[i];
    return found;
}

pb_status auth_add(const char *path, const char *role_name, char token[65],
                   pb_error *err)
{
    const char *colon = strchr(role_name, ':');
    unsigned char r[32];
    char hex[PB__SHA256_HEX], line[256];
    auth_role role;
    size_t i;
    int fd, n, ok;

    if (colon == NULL || role_of(role_name, (size_t)(colon - role_name),
                                 &role) != 0 ||
        !name_ok(colon + 1, strlen(colon + 1)))
        return pb__error(err, PB_INPUT, "", 0, "bad --add-token '%.80s' "
                         "(ROLE:NAME, ROLE agent or lead, NAME 1 to %d "
                         "letters, digits, _ - . @)", role_name,
                         AUTH_MAX_NAME);
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
        return pb__error(err, PB_IO, "", 0, "no random source");
    for (i = 0; i < sizeof r; i++)
        snprintf(token + 2 * i, 3, "%02x", r[i]);
    pb__sha256_hex(token, 64, hex);
    n = snprintf(line, sizeof line, "%s %s %s\n",
                 role == AUTH_LEAD ? "lead" : "agent", colon + 1, hex);
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return pb__error(err, PB_IO, path, 0, "cannot write: %s",
                         strerror(errno));
    ok = write(fd, line, (size_t)n) == n && fsync(fd) == 0;
    if (close(fd) != 0)
        ok = 0;
    if (!ok)
        return pb__error(err, PB_IO, path, 0, "cannot write: %s",
                         strerror(errno));
    return PB_OK;
}
