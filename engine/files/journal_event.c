/* journal_event.c -- an event as a journal record's payload, in JSON:
 * written with the engine's writer (every session writes one per
 * event), read with json-c (journal_event.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "calltime.h"
#include "error.h"
#include "journal_event.h"
#include "jsonw.h"
#include "membuf.h"

pb_status pb__journal_event_encode(const pb_event_info *ev, char **out,
                                   size_t *len, pb_error *err)
{
    pb__membuf m;
    pb__json j;
    char tb[64];
    size_t k;
    FILE *f = pb__membuf_open(&m, 256);

    *out = NULL;
    if (f == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    pb__json_init(&j, f);
    pb__json_open(&j, '{');
    pb__json_kstr(&j, "t", pb__time_seconds(ev->t, tb, sizeof tb));
    pb__json_kstr(&j, "type", ev->type);
    if (ev->text != NULL)
        pb__json_kstr(&j, "text", ev->text);
    if (ev->nattrs > 0) {
        pb__json_key(&j, "attrs");
        pb__json_open(&j, '{');
        for (k = 0; k < ev->nattrs; k++)
            pb__json_kstr(&j, ev->attrs[k].name, ev->attrs[k].value);
        pb__json_close(&j, '}');
    }
    pb__json_close(&j, '}');
    if (fclose(f) != 0 || m.buf == NULL) {
        free(m.buf);
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
    }
    *out = m.buf;
    *len = m.len;
    return PB_OK;
}

void pb__journal_event_free(pb__journal_event *ev)
{
    json_object_put(ev->root);
    free(ev->attrs);
}

/* A JSON string as C text: NULL when it holds a NUL, which C text would
 * silently cut. */
static const char *c_text(json_object *v)
{
    const char *s = json_object_get_string(v);

    return strlen(s) == (size_t)json_object_get_string_len(v) ? s : NULL;
}

/* o[key] into *out (NULL when absent); -1 when it is not C text. */
static int json_str(json_object *o, const char *key, const char **out)
{
    json_object *v;

    *out = NULL;
    if (!json_object_object_get_ex(o, key, &v))
        return 0;
    if (!json_object_is_type(v, json_type_string))
        return -1;
    return (*out = c_text(v)) != NULL ? 0 : -1;
}

int pb__journal_event_decode(const char *payload, size_t len,
                             pb__journal_event *ev)
{
    json_tokener *tok = json_tokener_new();
    json_object *attrs;
    const char *t;

    memset(ev, 0, sizeof *ev);
    if (tok == NULL || len > (size_t)INT32_MAX)
        goto bad;
    ev->root = json_tokener_parse_ex(tok, payload, (int)len);
    if (ev->root == NULL || json_tokener_get_error(tok) !=
        json_tokener_success || json_tokener_get_parse_end(tok) != len ||
        !json_object_is_type(ev->root, json_type_object))
        goto bad;
    if (json_str(ev->root, "t", &t) != 0 ||
        json_str(ev->root, "type", &ev->type) != 0 ||
        json_str(ev->root, "text", &ev->text) != 0 || t == NULL ||
        ev->type == NULL || pb_time_parse(t, &ev->t) != PB_OK)
        goto bad;
    if (json_object_object_get_ex(ev->root, "attrs", &attrs)) {
        size_t n = 0;

        if (!json_object_is_type(attrs, json_type_object))
            goto bad;
        ev->attrs = calloc((size_t)json_object_object_length(attrs) + 1,
                           sizeof *ev->attrs);
        if (ev->attrs == NULL)
            goto bad;
        json_object_object_foreach(attrs, key, val) {
            if (!json_object_is_type(val, json_type_string))
                goto bad;
            ev->attrs[n].name = key;
            if ((ev->attrs[n++].value = c_text(val)) == NULL)
                goto bad;
        }
        ev->nattrs = n;
    }
    json_tokener_free(tok);
    return 0;
bad:
    json_tokener_free(tok);
    pb__journal_event_free(ev);
    memset(ev, 0, sizeof *ev);
    return -1;
}
