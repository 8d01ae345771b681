/*
 * load.c -- a load on `playbook serve` for `make bench` (docs/performance.md,
 * "Serving agents"): clients that each keep one HTTP/1.1 connection open
 * and send requests one after another, as fast as the server answers.
 *
 *   load PORT cases N                 makes cases L-0 .. L-(N-1)
 *   load PORT events CLIENTS N SECS   posts an utterance to a random one
 *                                     of the N cases, from each client
 *   load PORT feed CLIENTS N SECS     the same, as a feeder (speech to
 *                                     text, a CRM) posts: asking for a
 *                                     minimal answer (Prefer:
 *                                     return=minimal)
 *   load PORT fill CLIENTS N EVENTS   posts EVENTS utterances to each of
 *                                     the N cases, in rounds (the
 *                                     customer, then the agent): cases of
 *                                     a known length, for their memory
 *   load PORT static CLIENTS SECS     gets /favicon.svg: the floor, HTTP
 *                                     and nothing else
 *   load PORT fanout FOLLOWERS        FOLLOWERS streams on case L-0, then
 *                                     one event: when each sees it
 *
 * Prints "requests N seconds S rate R/s p50 X ms p99 Y ms" (fanout:
 * "followers N p50 X ms p99 Y ms max Z ms"); exits 1 when a request
 * fails.  Loopback only.
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dial(void)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        perror("load: connect");
        exit(1);
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n <= 0) {
            perror("load: write");
            exit(1);
        }
        buf += n;
        len -= (size_t)n;
    }
}

/* Reads what fd has after the `have` bytes at buf (size in all, one
 * kept for a NUL): the new count; exits when fd is closed. */
static size_t read_more(int fd, char *buf, size_t have, size_t size)
{
    ssize_t n = read(fd, buf + have, size - 1 - have);

    if (n <= 0) {
        fprintf(stderr, "load: the server closed a connection\n");
        exit(1);
    }
    have += (size_t)n;
    buf[have] = '\0';
    return have;
}

/* One whole answer on fd (headers, then Content-Length bytes): its
 * status. */
static int answer(int fd)
{
    static __thread char buf[1 << 16];
    size_t have = 0, body, need;
    char *end, *cl;
    int status;

    do
        have = read_more(fd, buf, have, sizeof buf);
    while ((end = strstr(buf, "\r\n\r\n")) == NULL);
    status = atoi(buf + 9);
    cl = strcasestr(buf, "content-length:");
    body = cl != NULL && cl < end ? strtoul(cl + 15, NULL, 10) : 0;
    need = (size_t)(end + 4 - buf) + body;
    if (need > sizeof buf - 1) {
        fprintf(stderr, "load: an answer of %zu bytes\n", need);
        exit(1);
    }
    while (have < need)
        have = read_more(fd, buf, have, need + 1);
    return status;
}

/* Sends a request, with the header lines in extra, and reads its
 * answer: its status.  The request goes in one write, as HTTP clients
 * send a small one (wrk, curl, browsers): two would be two TCP
 * segments, the server woken for each. */
static int request(int fd, const char *method, const char *path,
                   const char *body, const char *extra)
{
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Content-Type: application/json\r\n%s"
                     "Content-Length: %zu\r\n\r\n%s", method, path, extra,
                     body ? strlen(body) : 0, body ? body : "");

    if (n < 0 || (size_t)n >= sizeof req) {
        fprintf(stderr, "load: a request longer than %zu bytes\n", sizeof req);
        exit(1);
    }
    send_all(fd, req, (size_t)n);
    return answer(fd);
}

enum { STATIC, EVENTS, FEED };

typedef struct client {
    pthread_t th;
    int kind, ncases;
    double until;
    unsigned seed;
    double *lat;
    size_t n, cap;
} client;

static const char *const said[] = {
    "My parcel is a week late and I need it for Saturday.",
    "So what I'm hearing is the parcel has not arrived yet.",
    "Yes, exactly, and nobody answers my emails.",
    "Could I have your order number, please?",
    "I can send a replacement today by express courier.",
    "I'll see this through myself and call you tomorrow at ten.",
};

static void *run(void *arg)
{
    client *c = arg;
    int fd = dial();
    char path[64], body[256];

    while (now() < c->until) {
        double t0 = now();
        int st;

        if (c->kind != STATIC) {
            unsigned k = (unsigned)rand_r(&c->seed) % (unsigned)c->ncases;

            snprintf(path, sizeof path, "/v1/cases/L-%u/events", k);
            snprintf(body, sizeof body, "{\"type\": \"%s.said\", \"text\": "
                     "\"%s\"}", k % 2 ? "agent" : "customer",
                     said[(unsigned)rand_r(&c->seed) % 6]);
            st = request(fd, "POST", path, body, c->kind == FEED
                         ? "Prefer: return=minimal\r\n" : "");
        } else {
            st = request(fd, "GET", "/favicon.svg", NULL, "");
        }
        if (st != 200) {
            fprintf(stderr, "load: status %d\n", st);
            exit(1);
        }
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 4096;
            if ((c->lat = realloc(c->lat, c->cap * sizeof *c->lat)) == NULL)
                exit(1);
        }
        c->lat[c->n++] = now() - t0;
    }
    close(fd);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p)
{
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);

    return n ? v[i] : 0;
}

static void report(double *all, size_t n, double secs)
{
    qsort(all, n, sizeof *all, cmp);
    printf("requests %zu seconds %.2f rate %.0f/s p50 %.3f ms p99 %.3f ms\n",
           n, secs, (double)n / secs, pct(all, n, 0.5) * 1e3,
           pct(all, n, 0.99) * 1e3);
}

static void load(int kind, int nclients, int ncases, double secs)
{
    client *c = calloc((size_t)nclients, sizeof *c);
    double t0 = now(), *all;
    size_t n = 0, i, k;

    for (i = 0; i < (size_t)nclients; i++) {
        c[i].kind = kind;
        c[i].ncases = ncases;
        c[i].until = t0 + secs;
        c[i].seed = (unsigned)i * 7919u + 1;
        pthread_create(&c[i].th, NULL, run, &c[i]);
    }
    for (i = 0; i < (size_t)nclients; i++) {
        pthread_join(c[i].th, NULL);
        n += c[i].n;
    }
    secs = now() - t0;
    all = malloc(n * sizeof *all);
    for (i = 0, n = 0; i < (size_t)nclients; i++) {
        for (k = 0; k < c[i].n; k++)
            all[n++] = c[i].lat[k];
        free(c[i].lat);
    }
    report(all, n, secs);
    free(all);
    free(c);
}

/* Each client posts to the cases k = i, i + CLIENTS, ... in rounds, so
 * every case ends with `events` utterances, whatever the machine's speed
 * (the memory of a case depends on its length, not on the time). */
typedef struct filler {
    pthread_t th;
    int first, step, ncases, events;
} filler;

static void *fill_run(void *arg)
{
    filler *f = arg;
    int fd = dial(), r, k;
    char path[64], body[256];

    for (r = 0; r < f->events; r++)
        for (k = f->first; k < f->ncases; k += f->step) {
            snprintf(path, sizeof path, "/v1/cases/L-%d/events", k);
            snprintf(body, sizeof body, "{\"type\": \"%s.said\", \"text\": "
                     "\"%s\"}", r % 2 ? "agent" : "customer",
                     said[(unsigned)(k + r) % 6]);
            if (request(fd, "POST", path, body, "") != 200) {
                fprintf(stderr, "load: an event refused\n");
                exit(1);
            }
        }
    close(fd);
    return NULL;
}

static void fill(int nclients, int ncases, int events)
{
    filler *f = calloc((size_t)nclients, sizeof *f);
    int i;

    for (i = 0; i < nclients; i++) {
        f[i].first = i;
        f[i].step = nclients;
        f[i].ncases = ncases;
        f[i].events = events;
        pthread_create(&f[i].th, NULL, fill_run, &f[i]);
    }
    for (i = 0; i < nclients; i++)
        pthread_join(f[i].th, NULL);
    printf("events %d to each of %d cases\n", events, ncases);
    free(f);
}

/* Waits on fd for the next "event: case" past what it has read. */
static void next_event(int fd)
{
    char buf[1 << 16];
    size_t have = 0;
    char *e;
    int in_event = 0;

    for (;;) {
        have = read_more(fd, buf, have, sizeof buf);
        /* an event starts with its name and ends with a blank line
         * after its data, which can be longer than buf: a case that
         * has many events */
        if (!in_event && (e = strstr(buf, "event: case")) != NULL) {
            have -= (size_t)(e - buf);
            memmove(buf, e, have + 1);
            in_event = 1;
        }
        if (in_event && strstr(buf, "\n\n"))
            return;
        /* the last bytes kept: a mark may be cut between two reads */
        if (have > sizeof buf / 2) {
            memmove(buf, buf + have - 16, 17);
            have = 16;
        }
    }
}

static void fanout(int n)
{
    static const char get[] = "GET /v1/cases/L-0/stream HTTP/1.1\r\n"
                              "Host: 127.0.0.1\r\n\r\n";
    int *fd = malloc((size_t)n * sizeof *fd), post;
    double *lat = malloc((size_t)n * sizeof *lat), t0;
    int i;

    for (i = 0; i < n; i++) {
        fd[i] = dial();
        send_all(fd[i], get, sizeof get - 1);
        next_event(fd[i]);    /* the case as it is */
    }
    post = dial();
    t0 = now();
    if (request(post, "POST", "/v1/cases/L-0/events",
                "{\"type\": \"customer.said\", \"text\": \"Hello?\"}",
                "") != 200)
        exit(1);
    for (i = 0; i < n; i++) {
        next_event(fd[i]);
        lat[i] = now() - t0;
        close(fd[i]);
    }
    close(post);
    qsort(lat, (size_t)n, sizeof *lat, cmp);
    printf("followers %d p50 %.3f ms p99 %.3f ms max %.3f ms\n", n,
           pct(lat, (size_t)n, 0.5) * 1e3, pct(lat, (size_t)n, 0.99) * 1e3,
           lat[n - 1] * 1e3);
    free(fd);
    free(lat);
}

int main(int argc, char **argv)
{
    if (argc < 4)
        goto usage;
    port = atoi(argv[1]);
    if (strcmp(argv[2], "cases") == 0) {
        int fd = dial(), i, n = atoi(argv[3]);
        char body[128];

        for (i = 0; i < n; i++) {
            snprintf(body, sizeof body, "{\"id\": \"L-%d\", \"topic\": "
                     "\"delivery\", \"channel\": \"phone\"}", i);
            if (request(fd, "POST", "/v1/cases", body, "") != 201)
                exit(1);
        }
        close(fd);
    } else if ((strcmp(argv[2], "events") == 0 ||
                strcmp(argv[2], "feed") == 0) && argc == 6) {
        load(argv[2][0] == 'e' ? EVENTS : FEED, atoi(argv[3]), atoi(argv[4]),
             atof(argv[5]));
    } else if (strcmp(argv[2], "fill") == 0 && argc == 6) {
        fill(atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
    } else if (strcmp(argv[2], "static") == 0 && argc == 5) {
        load(STATIC, atoi(argv[3]), 1, atof(argv[4]));
    } else if (strcmp(argv[2], "fanout") == 0) {
        fanout(atoi(argv[3]));
    } else {
        goto usage;
    }
    return 0;
usage:
    fprintf(stderr, "usage: load PORT cases N | events CLIENTS N SECS | "
            "feed CLIENTS N SECS | fill CLIENTS N EVENTS | static CLIENTS SECS | "
            "fanout FOLLOWERS\n");
    return 2;
}
