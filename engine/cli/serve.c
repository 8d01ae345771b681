/*
 * serve.c -- `playbook serve`: the JSON API of docs/api.md over HTTP,
 * until SIGINT or SIGTERM.  The server (engine/serve/) runs on a thread
 * of its own; this thread only waits for the signal, so the cases are
 * touched by one thread alone.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "clock.h"
#include "file.h"

#include "cli.h"

#define PING 15 /* seconds */
#define MAX_OPEN 4096   /* cases: about 200 MB of them (docs/api.md) */
#define SPARE_FILES 64  /* files neither a case's nor a connection's */

static const char help[] =
    "usage: playbook serve [-p DIR] [--data DIR | --database CONNINFO]\n"
    "                      [--followups-cache FILE] [--followups-budget MS]\n"
    "                      [--listen ADDR:PORT] [--tokens FILE]\n"
    "                      [--max-body BYTES] [--max-unsent BYTES]\n"
    "                      [--max-open N] [--max-open-bytes BYTES]\n"
    "                      [--max-connections N] [--timeout SECS]\n"
    "                      [--agent-share MS] [--agent-disk BYTES]\n"
    "       playbook serve --tokens FILE --add-token ROLE:NAME\n"
    "\n"
    "Serves the JSON API of docs/api.md over HTTP: create cases, record\n"
    "their events (one or a batch, or a line of `playbook live`), read\n"
    "and follow their checklists (Server-Sent Events), check, skip, undo,\n"
    "end the contact, close; the follow-ups due, the principles, the\n"
    "replay of a posted scenario.  At / it serves the agent panel, the\n"
    "checklist in a browser beside the call (docs/agents.md).\n"
    "Cases are case files in the data folder, which every other verb\n"
    "reads; an event is acknowledged (200) only once it is on disk.  Stops\n"
    "on SIGINT or SIGTERM, saving every case.  SIGHUP reads the principles\n"
    "and tokens again (cases already open keep their principles; when\n"
    "anything fails to load, nothing changes).  docs/deploy.md runs it for\n"
    "a team.\n"
    "\n"
    "  -p, --principles DIR   principle folder or file; repeat to combine\n"
    "                         (default: $PLAYBOOK_PRINCIPLES, else the\n"
    "                         installed library, else ./principles)\n"
    "      --data DIR         where the cases are kept (default: ./cases),\n"
    "                         with followups.cache: what the follow-ups\n"
    "                         listing found in them, for after a restart\n"
    "      --database CONNINFO  keep them in PostgreSQL instead, shared by\n"
    "                         several servers (libpq's \"host=... dbname=...\"\n"
    "                         or a postgresql:// URI; docs/deploy.md)\n"
    "      --followups-cache FILE  keep what the follow-ups listing found\n"
    "                         in FILE instead (default: DIR/followups.cache\n"
    "                         with --data, none with --database); one file\n"
    "                         per server\n"
    "      --followups-budget MS  the longest a follow-ups listing reads\n"
    "                         cases for, every other request waiting:\n"
    "                         the cases left are counted in its answer and\n"
    "                         read by the next listings (default 250)\n"
    "      --listen ADDR:PORT where to listen (default 127.0.0.1:8080;\n"
    "                         port 0 picks a free one, printed on start);\n"
    "                         an address other than 127.x needs --tokens\n"
    "      --tokens FILE      bearer tokens (their SHA-256), with roles:\n"
    "                         every request then needs one; an agent sees\n"
    "                         the cases they handle, a lead every case\n"
    "      --add-token ROLE:NAME  make a token (ROLE agent or lead), add\n"
    "                         its hash to --tokens FILE and print it once\n"
    "      --agent-share MS   with --tokens, the milliseconds of the\n"
    "                         server's time each agent may use a second\n"
    "                         (all their tokens together, at most a\n"
    "                         second's worth saved up); past it their\n"
    "                         requests get 429 with Retry-After (default\n"
    "                         250; 0: no limit; leads have none)\n"
    "      --agent-disk BYTES with --tokens, the events each agent may add\n"
    "                         to the cases a minute, counted as\n"
    "                         --max-open-bytes counts them (at most a\n"
    "                         minute's worth saved up); past it their\n"
    "                         requests that write get 429 with\n"
    "                         Retry-After (default 1048576, 1 MiB; 0: no\n"
    "                         limit; leads have none)\n"
    "      --max-body BYTES   largest request body (default 65536)\n"
    "      --max-unsent BYTES answers and live updates held for clients\n"
    "                         that have not read them yet, all together;\n"
    "                         past it a new request gets 503 and a\n"
    "                         follower that does not read is let go\n"
    "                         (default 268435456, 256 MiB)\n"
    "      --max-open N       cases kept open in memory at once; past it\n"
    "                         the least recently used is let go and read\n"
    "                         again when next named (default 4096, or\n"
    "                         with --data what the limit on open files\n"
    "                         leaves)\n"
    "      --max-open-bytes BYTES  events the open cases hold, all\n"
    "                         together (each event's type, text and\n"
    "                         attributes, and 64 bytes; in memory one to\n"
    "                         five times that): past it the least\n"
    "                         recently used are let go as above (default\n"
    "                         268435456, 256 MiB)\n"
    "      --max-connections N  connections open at once (default 1000);\n"
    "                         past three quarters of it, each new one\n"
    "                         closes the oldest that waits for a request,\n"
    "                         one that showed no token first\n"
    "      --timeout SECS     a connection idle this long is closed, and\n"
    "                         one whose request has not come whole in\n"
    "                         this long (default 30)\n"
    "\n"
    "example:\n"
    "  playbook serve --data cases &\n"
    "  curl -s -X POST localhost:8080/v1/cases \\\n"
    "      -d '{\"id\": \"T-1\", \"topic\": \"delivery\"}'\n"
    "\n"
    "Exit: 0 stopped by a signal, 2 bad usage or the server could not\n"
    "start (the address is in use, the data folder cannot be used).\n";

/* The engines replaced by reloads that cases open still use: each is
 * freed at the first reload that finds none does (they were let go for
 * others, --max-open), or once the store is. */
typedef struct retired {
    pb_engine **v;
    size_t n;
} retired;

/* Tokens from path, which must hold one at least: NULL after saying
 * why. */
static auth *load_tokens(const char *path)
{
    auth *users = NULL;
    pb_error err;

    if (auth_load(path, &users, &err) != PB_OK) {
        cli_print_error(&err);
        return NULL;
    }
    if (auth_count(users) == 0) {
        pb__text_printf(stderr, "playbook serve: %s has no token "
                        "(--add-token ROLE:NAME makes one)\n", path);
        auth_free(users);
        return NULL;
    }
    return users;
}

/* SIGHUP: the principles and the tokens read again and put in place
 * together, or, when any of them fails, neither (docs/api.md,
 * "Reloading the principles"). */
static void reload(api *a, const cli_opts *o, const char *tokens,
                   retired *old)
{
    const char *was = pb_engine_version(a->e);
    auth *users = NULL;
    pb_engine *e, **v;
    char version[16];
    int failed, same;
    size_t i;

    snprintf(version, sizeof version, "%s", was);
    e = cli_engine(o, &failed);
    /* The same principles (a reload for the tokens, say): the engine in
     * use stays, or each reload would leave one more for the cases open
     * to hold (560 KB each). */
    same = e != NULL && !failed && strcmp(pb_engine_version(e), was) == 0;
    if (same) {
        pb_engine_free(e);
        e = a->e;
    }
    if (e != NULL && !failed &&
        (tokens == NULL || (users = load_tokens(tokens)) != NULL) &&
        (same || (v = realloc(old->v, (old->n + 1) * sizeof *v)) != NULL)) {
        api_swap(a, &e, &users);
        if (!same) {
            old->v = v;
            old->v[old->n++] = e;
        }
        for (i = old->n; i-- > 0;)
            if (!api_uses(a, old->v[i])) {
                pb_engine_free(old->v[i]);
                old->v[i] = old->v[--old->n];
            }
        auth_free(users);
        if (same)
            pb__text_printf(stderr, "playbook serve: reloaded: principles "
                            "%s, unchanged%s\n", version,
                            tokens ? "; tokens" : "");
        else
            pb__text_printf(stderr, "playbook serve: reloaded: principles "
                            "%s (were %s; open cases keep theirs)%s\n",
                            pb_engine_version(a->e), version,
                            tokens ? ", tokens" : "");
        return;
    }
    if (same)
        e = NULL;       /* the one in use */
    auth_free(users);
    pb_engine_free(e);
    pb__text_printf(stderr, "playbook serve: not reloaded (see above): "
                    "still principles %s\n", version);
}

/* "ADDR:PORT" into addr and port. */
static int parse_listen(const char *s, char *addr, size_t size,
                        unsigned *port)
{
    const char *colon = strrchr(s, ':');
    char *end;
    unsigned long p;

    if (colon == NULL || (size_t)(colon - s) >= size || colon == s)
        return -1;
    p = strtoul(colon + 1, &end, 10);
    if (*end != '\0' || end == colon + 1 || p > 65535)
        return -1;
    memcpy(addr, s, (size_t)(colon - s));
    addr[colon - s] = '\0';
    *port = (unsigned)p;
    return 0;
}

/* Whether a --followups-cache can be written: a server that could not
 * would find out only as it stops.  Like the cache itself, no link. */
static int cache_ok(const char *path)
{
    size_t n = strlen(path);
    struct stat sb;
    char *dir;
    int ok;

    if (n == 0 || path[n - 1] == '/' ||
        (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) ||
        (dir = pb__folder_of(path)) == NULL)
        return 0;
    ok = access(dir, W_OK | X_OK) == 0;
    free(dir);
    return ok;
}

static int parse_count(const char *s, unsigned long min, unsigned long max,
                       unsigned long *out)
{
    char *end;

    if (s == NULL)
        return 0;
    *out = strtoul(s, &end, 10);
    return *end == '\0' && end != s && *out >= min && *out <= max ? 0 : -1;
}

/* How long from now until t (on pb__monotonic's clock), in *ts. */
static const struct timespec *until(double t, struct timespec *ts)
{
    double left = t - pb__monotonic();

    if (left < 0)
        left = 0;
    ts->tv_sec = (time_t)left;
    ts->tv_nsec = (long)((left - (double)ts->tv_sec) * 1e9);
    return ts;
}

int cli_serve(int argc, char **argv)
{
    const char *data = NULL, *listen = NULL, *max_body = NULL,
               *max_unsent = NULL, *max_open = NULL, *timeout = NULL,
               *tokens = NULL, *add_token = NULL, *database = NULL,
               *cache = NULL, *budget = NULL, *agent_share = NULL,
               *max_conns = NULL, *max_open_bytes = NULL,
               *agent_disk = NULL;
    const cli_option own[] = {
        { "--data", &data, NULL }, { "--database", &database, NULL },
        { "--followups-cache", &cache, NULL },
        { "--followups-budget", &budget, NULL },
        { "--listen", &listen, NULL },
        { "--max-body", &max_body, NULL },
        { "--max-unsent", &max_unsent, NULL },
        { "--max-open", &max_open, NULL },
        { "--max-open-bytes", &max_open_bytes, NULL },
        { "--max-connections", &max_conns, NULL },
        { "--timeout", &timeout, NULL },
        { "--tokens", &tokens, NULL }, { "--add-token", &add_token, NULL },
        { "--agent-share", &agent_share, NULL },
        { "--agent-disk", &agent_disk, NULL },
        { NULL, NULL, NULL }
    };
    char token[65], *due_cache = NULL;
    unsigned long body = 65536, unsent = 256ul << 20, secs = 30,
                  open_cases = MAX_OPEN, budget_ms = 250, share_ms = 250,
                  conns = 1000, open_bytes = 256ul << 20,
                  disk = 1ul << 20;
    char addr[64] = "127.0.0.1", msg[1200], said[600];
    unsigned port = 8080;
    http_limits lim;
    struct rlimit files = { RLIM_INFINITY, RLIM_INFINITY };
    http_server *srv = NULL;
    pb_error err;
    double every, next;
    struct timespec wait;
    retired old = { NULL, 0 };
    sigset_t set;
    cli_opts o;
    api a;
    int failed = 0, rc = EXIT_BAD, sig;

    memset(&a, 0, sizeof a);
    pthread_mutex_init(&a.mu, NULL);
    switch (cli_parse(argc, argv, "serve", "p", own, help, &o)) {
    case 1: rc = EXIT_OK; goto done;
    case -1: goto done;
    }
    if (o.nargs > 0) {
        cli_usage_error("serve", "unexpected operand '%s'", o.args[0]);
        goto done;
    }
    /* The server's folders are not its clients' business. */
    o.bare_names = 1;
    if (add_token != NULL) {
        if (tokens == NULL) {
            cli_usage_error("serve", "--add-token needs --tokens FILE");
        } else if (auth_add(tokens, add_token, token, &err) != PB_OK) {
            cli_print_error(&err);
        } else {
            /* The only time the token is shown: the file has its hash. */
            printf("%s\n", token);
            rc = EXIT_OK;
        }
        goto done;
    }
    if (data != NULL && database != NULL) {
        cli_usage_error("serve", "--data and --database: one store or the "
                        "other");
        goto done;
    }
    if (listen != NULL && parse_listen(listen, addr, sizeof addr, &port)) {
        cli_usage_error("serve", "bad --listen '%s' (ADDR:PORT, e.g. "
                        "127.0.0.1:8080)", listen);
        goto done;
    }
    if (parse_count(max_body, 64, 64ul << 20, &body) != 0) {
        cli_usage_error("serve", "bad --max-body '%s' (64 bytes to 64 "
                        "MiB)", max_body);
        goto done;
    }
    if (parse_count(max_unsent, 1ul << 20, 64ul << 30, &unsent) != 0) {
        cli_usage_error("serve", "bad --max-unsent '%s' (1 MiB to 64 "
                        "GiB)", max_unsent);
        goto done;
    }
    if (parse_count(max_open, 1, 1ul << 24, &open_cases) != 0) {
        cli_usage_error("serve", "bad --max-open '%s' (1 to 16777216)",
                        max_open);
        goto done;
    }
    if (parse_count(max_open_bytes, 1ul << 20, 1ul << 40, &open_bytes) != 0) {
        cli_usage_error("serve", "bad --max-open-bytes '%s' (1 MiB to 1 "
                        "TiB)", max_open_bytes);
        goto done;
    }
    if (parse_count(max_conns, 16, 1000000, &conns) != 0) {
        cli_usage_error("serve", "bad --max-connections '%s' (16 to "
                        "1000000)", max_conns);
        goto done;
    }
    if (parse_count(timeout, 1, 3600, &secs) != 0) {
        cli_usage_error("serve", "bad --timeout '%s' (1 to 3600 seconds)",
                        timeout);
        goto done;
    }
    if (parse_count(budget, 1, 3600000, &budget_ms) != 0) {
        cli_usage_error("serve", "bad --followups-budget '%s' (1 to "
                        "3600000 ms)", budget);
        goto done;
    }
    a.due_budget = (double)budget_ms / 1000;
    if (parse_count(agent_share, 0, 1000, &share_ms) != 0) {
        cli_usage_error("serve", "bad --agent-share '%s' (0 to 1000 ms)",
                        agent_share);
        goto done;
    }
    if (parse_count(agent_disk, 0, 1ul << 40, &disk) != 0) {
        cli_usage_error("serve", "bad --agent-disk '%s' (0 to 1 TiB a "
                        "minute)", agent_disk);
        goto done;
    }
    if (cache != NULL && !cache_ok(cache)) {
        cli_usage_error("serve", "--followups-cache '%s': not a file in a "
                        "folder this user can write", cache);
        goto done;
    }
    if (tokens == NULL && strncmp(addr, "127.", 4) != 0) {
        cli_usage_error("serve", "listening on %s without --tokens would let "
                        "anyone who reaches it use every case", addr);
        goto done;
    }
    if (tokens != NULL && (a.auth = load_tokens(tokens)) == NULL)
        goto done;
    if (tokens != NULL && share_ms > 0 &&
        (a.share = share_new((double)share_ms / 1000,
                             (double)share_ms / 1000)) == NULL)
        goto done;
    if (tokens != NULL && disk > 0 &&
        (a.disk = share_new((double)disk / 60, (double)disk)) == NULL)
        goto done;
    if ((a.e = cli_engine(&o, &failed)) == NULL)
        goto done;
    if (failed)
        goto done;   /* a server must not run with a principle missing */
    if ((a.fol = follow_new()) == NULL)
        goto done;
    a.log = stderr;
    if (database == NULL && data == NULL)
        data = "cases";
    /* what the follow-ups of the cases were found to be, kept across
     * restarts (docs/api.md, GET /v1/followups) */
    if (cache != NULL) {
        a.due_cache = cache;
    } else if (database == NULL) {
        if ((due_cache = malloc(strlen(data) + 17)) == NULL)
            goto done;
        sprintf(due_cache, "%s/followups.cache", data);
        a.due_cache = due_cache;
    }
    /* Blocked before any thread starts (the store's sync thread, its
     * watcher, the server's), so each inherits the mask and the signals
     * come here: a thread that took one would end the process, as a
     * SIGHUP sent while a reload ran did (the sync thread then was). */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    /* Each open case of the file store holds its journal open, and each
     * connection a socket: the soft limit on files (1024 under systemd)
     * would stop the server at about a thousand cases, so it takes the
     * hard one, and the default --max-open stays inside it. */
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 &&
        files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &files) != 0)
            getrlimit(RLIMIT_NOFILE, &files);
    }
    /* ... and so do the connections, with room for 64 cases */
    if (files.rlim_cur != RLIM_INFINITY &&
        files.rlim_cur < conns + SPARE_FILES + 64) {
        unsigned long room = files.rlim_cur > SPARE_FILES + 64 + 16
                             ? files.rlim_cur - SPARE_FILES - 64 : 16;

        if (max_conns != NULL) {
            cli_usage_error("serve", "--max-connections %lu: the limit on "
                            "open files leaves room for %lu", conns, room);
            goto done;
        }
        conns = room;
    }
    said[0] = '\0';
    a.st = database != NULL
           ? store_open_pg(a.e, database, &err)
           : store_open_files(a.e, data, said, sizeof said, &err);
    if (a.st == NULL || store_watch(a.st, api_changed, &a, &err) != 0) {
        cli_print_error(&err);
        goto done;
    }
    if (said[0] != '\0')
        pb__text_printf(stderr, "playbook serve: %s\n", said);
    if (max_open == NULL && database == NULL &&
        files.rlim_cur != RLIM_INFINITY &&
        files.rlim_cur < open_cases + conns + SPARE_FILES)
        open_cases = files.rlim_cur > conns + SPARE_FILES + 64
                     ? files.rlim_cur - conns - SPARE_FILES : 64;
    store_set_max_open(a.st, open_cases);
    store_set_max_bytes(a.st, open_bytes);
    lim.max_body = body;
    lim.max_unsent = unsent;
    lim.timeout = (unsigned)secs;
    lim.max_connections = (unsigned)conns;
    srv = http_start(addr, port, &lim, api_handle, &a, msg, sizeof msg);
    if (srv == NULL) {
        pb__text_printf(stderr, "playbook serve: %s\n", msg);
        goto done;
    }
    a.srv = srv;
    store_on_durable(a.st, api_durable, &a);
    printf("playbook serve: listening on http://%s:%u\n", addr,
           http_port(srv));
    fflush(stdout);
    /* An idle stream gets a comment every PING seconds, well inside the
     * timeouts of proxies (nginx: 60 s) and of the server itself; slow
     * clients are cut off at the same tick.  The tick keeps its time
     * whatever signals come: reloads in a loop must not put it off. */
    every = secs / 2 < PING ? (double)(secs / 2) : PING;
    if (every == 0)
        every = 0.5;
    next = pb__monotonic() + every;
    while ((sig = sigtimedwait(&set, NULL, until(next, &wait))) != SIGINT &&
           sig != SIGTERM) {
        if (sig == SIGHUP)
            reload(&a, &o, tokens, &old);
        if (pb__monotonic() >= next) {
            http_ping(srv, ": ping\n\n", 8);
            http_reap(srv);
            next = pb__monotonic() + every;
        }
    }
    rc = EXIT_OK;
done:
    if (a.st != NULL)
        store_on_durable(a.st, NULL, NULL); /* the last replies go */
    http_stop(srv);     /* then: its streams leave a.fol */
    if (rc == EXIT_OK && a.due_cache != NULL &&
        (a.due != NULL ||
         (a.due = followups_new(a.due_cache, a.due_budget, a.log)) != NULL)) {
        /* what its open cases promise, kept for after a restart */
        followups_hold(a.due, a.st, pb_engine_version(a.e));
        store_close_cases(a.st);
        followups_held(a.due, a.st);
    }
    store_close(a.st);  /* then its watcher, which reads a.fol */
    follow_free(a.fol);
    auth_free(a.auth);
    share_free(a.share);
    share_free(a.disk);
    pb_schema_free(a.schema);
    followups_free(a.due);
    free(due_cache);
    pb_engine_free(a.e);
    while (old.n > 0)
        pb_engine_free(old.v[--old.n]);
    free(old.v);
    pthread_mutex_destroy(&a.mu);
    free(o.args);
    return rc;
}
