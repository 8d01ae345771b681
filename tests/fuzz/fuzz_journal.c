/*
 * fuzz_journal.c -- journals of live cases (playbook.h, "Journal").
 *
 * Every input goes through pb__journal_scan as raw bytes, and then, as
 * the journal of a fixed case file, through pb_casefile_read (the path
 * reports and `playbook event` take: scan, decode each payload, append
 * each event).  Two ways to read an input as that journal:
 *
 *   - starting with FF (the first magic byte): the bytes as they are, so
 *     journals left by `playbook event` are seeds;
 *   - otherwise one payload per line, encoded here as valid records (a
 *     fuzzer will not guess CRCs), indexes from 4 (the events of the case
 *     file) or from N after a first line "@N"; bytes after the last
 *     newline are appended raw, as a torn tail.
 *
 * The encoder follows the format in playbook.h, not the engine's code,
 * so the scan must also accept every record it makes.  A case that reads
 * must survive being saved and read back (fuzz_round_trip in fuzz.h):
 * that is what compaction does with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "journal.h"
#include "playbook.h"

#define CASE_EVENTS 4u

/* A case file as `playbook event` leaves it (four events). */
static const char case_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<scenario id=\"case\" title=\"case\" xmlns=\"urn:playbook:scenario:1\">\n"
    "  <case topic=\"delivery\" channel=\"phone\">\n"
    "    <fact name=\"started_at\">2026-11-26T01:13:27Z</fact>\n"
    "  </case>\n"
    "  <events>\n"
    "    <event t=\"0.648\" type=\"customer.said\">My parcel is a week late!"
    "</event>\n"
    "    <event t=\"0.655\" type=\"agent.said\">So what I'm hearing is the "
    "parcel is late</event>\n"
    "    <event t=\"0.663\" type=\"fact\" name=\"order_id\">A-1042</event>\n"
    "    <event t=\"0.671\" type=\"agent.committed\" due=\"tomorrow 10:00\">"
    "I will call you back.</event>\n"
    "  </events>\n"
    "</scenario>\n";

static pb_schema *schema;
static char dir[256], case_path[300], journal_path[320];

static int write_file(const char *path, const void *buf, size_t len)
{
    const char *p = buf;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    if (fd < 0)
        return -1;
    while (len > 0) {
        ssize_t w = write(fd, p, len);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return close(fd);
}

static void cleanup(void)
{
    unlink(journal_path);
    unlink(case_path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *tmp = getenv("TMPDIR");
    pb_error err;

    (void)argc;
    (void)argv;
    snprintf(dir, sizeof dir, "%s/pb-fuzz-journal.XXXXXX",
             tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        fuzz_setup_failed("mkdtemp");
    snprintf(case_path, sizeof case_path, "%s/case.xml", dir);
    snprintf(journal_path, sizeof journal_path, "%s.journal", case_path);
    if (write_file(case_path, case_xml, sizeof case_xml - 1) != 0)
        fuzz_setup_failed("cannot write the case file");
    atexit(cleanup);
    fuzz_principles_read();
    if ((schema = pb_schema_new(&err)) == NULL)
        fuzz_setup_failed("cannot compile the scenario schema");
    return 0;
}

/* CRC-32 as zlib computes it, bit by bit: independent of journal.c. */
static uint32_t crc32(uint32_t crc, const unsigned char *p, size_t n)
{
    int k;

    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (k = 0; k < 8; k++)
            crc = crc & 1 ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
    }
    return ~crc;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* Appends one record for payload to buf (room is the caller's). */
static size_t encode(unsigned char *buf, unsigned long long index,
                     const uint8_t *payload, size_t len)
{
    put32(buf, 0x4a4250ffu); /* FF 50 42 4A */
    put32(buf + 8, (uint32_t)len);
    put32(buf + 12, (uint32_t)index);
    put32(buf + 16, (uint32_t)(index >> 32));
    memcpy(buf + PB__JOURNAL_HEADER, payload, len);
    put32(buf + 4, crc32(crc32(0, buf + 8, 12), buf + PB__JOURNAL_HEADER,
                         len));
    return PB__JOURNAL_HEADER + len;
}

typedef struct scan_state {
    const char *buf;
    size_t len, n;
    unsigned long long prev;
} scan_state;

static pb_status on_record(void *ud, unsigned long long index,
                           const char *payload, size_t len, pb_error *err)
{
    scan_state *s = ud;
    volatile char sink = 0;
    size_t i;

    (void)err;
    if (payload < s->buf || len > s->len ||
        (size_t)(payload - s->buf) > s->len - len)
        fuzz_fail("record payload outside the journal");
    if (s->n > 0 && index <= s->prev)
        fuzz_fail("record indexes go down: %llu after %llu", index,
                  s->prev);
    for (i = 0; i < len; i++) /* every byte readable (ASan) */
        sink ^= payload[i];
    (void)sink;
    s->prev = index;
    s->n++;
    return PB_OK;
}

static size_t scan(const char *buf, size_t len, pb_status *st)
{
    scan_state s;
    pb_error warn, err;
    size_t valid = (size_t)-1;

    memset(&s, 0, sizeof s);
    s.buf = buf;
    s.len = len;
    *st = pb__journal_scan("fuzz.journal", buf, len, on_record, &s, &valid,
                          &warn, &err);
    if (*st == PB_OK && valid > len)
        fuzz_fail("valid length %zu past the %zu bytes", valid, len);
    if (*st == PB_OK && warn.message[0] == '\0' && valid != len)
        fuzz_fail("valid length %zu of %zu bytes, and no warning", valid,
                  len);
    return s.n;
}

/* Lines to records; *nrec gets how many. */
static unsigned char *from_lines(const uint8_t *data, size_t size,
                                 size_t *out_len, size_t *records_len,
                                 size_t *nrec, unsigned long long *first)
{
    unsigned char *buf;
    unsigned long long index = CASE_EVENTS;
    size_t off = 0, len = 0, nl = 0, i;

    for (i = 0; i < size; i++)
        nl += data[i] == '\n';
    buf = malloc(size + (nl + 1) * PB__JOURNAL_HEADER + 1);
    if (buf == NULL)
        return NULL;
    *nrec = 0;
    if (size > 1 && data[0] == '@') {
        const uint8_t *end = memchr(data, '\n', size);

        if (end != NULL) {
            index = 0;
            for (i = 1; data + i < end && data[i] >= '0' && data[i] <= '9';
                 i++)
                index = index * 10 + (unsigned)(data[i] - '0');
            off = (size_t)(end - data) + 1;
        }
    }
    *first = index;
    while (off < size) {
        const uint8_t *end = memchr(data + off, '\n', size - off);

        if (end == NULL)
            break;
        len += encode(buf + len, index++, data + off,
                      (size_t)(end - data) - off);
        (*nrec)++;
        off = (size_t)(end - data) + 1;
    }
    *records_len = len;
    memcpy(buf + len, data + off, size - off); /* a torn tail */
    *out_len = len + size - off;
    return buf;
}

static void read_case(const void *journal, size_t len)
{
    pb_engine *engine = fuzz_engine_new();
    pb_case *c = NULL;
    pb__case_header h;
    pb_error warn, err;

    if (engine == NULL)
        return;
    if (write_file(journal_path, journal, len) != 0)
        fuzz_setup_failed("cannot write the journal");
    if (pb_casefile_read(engine, case_path, &c, &warn, &err) == PB_OK) {
        if (c == NULL)
            fuzz_fail("pb_casefile_read gave PB_OK and no case");
        if (pb_case_nevents(c) < CASE_EVENTS)
            fuzz_fail("the case lost events of its file");
        pb_render_checklist(fuzz_null(), PB_FORMAT_JSON, 0, c);
        memset(&h, 0, sizeof h);
        h.id = "case";
        fuzz_round_trip(schema, c, &h);
    }
    pb_case_free(c);
    pb_engine_free(engine);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *j;
    size_t jlen, rlen, nrec, took;
    unsigned long long first;
    pb_status st;

    scan((const char *)data, size, &st);
    if (size > 0 && data[0] == 0xff) {
        read_case(data, size);
        return 0;
    }
    if ((j = from_lines(data, size, &jlen, &rlen, &nrec, &first)) == NULL)
        return 0;
    /* Records made to the format, with indexes that do not wrap around:
     * all of them must scan, in order. */
    took = scan((const char *)j, rlen, &st);
    if (nrec > 0 && first + (nrec - 1) >= first &&
        (took != nrec || st != PB_OK))
        fuzz_fail("%zu records encoded to the format, the scan took %zu "
                  "(status %s)", nrec, took, pb_strstatus(st));
    read_case(j, jlen);
    free(j);
    return 0;
}
