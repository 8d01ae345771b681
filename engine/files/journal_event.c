/* journal_event.c -- an event as a journal record's payload, in JSON
 * through json-c (journal_event.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "calltime.h"
#include "error.h"
#include "journal_event.h"
#include "writer.h"

pb_status pb__journal_event_encode(const pb_event_info *ev, char **out,
                                   size_t *len, pb_error *err)
{
    json_object *o = json_object_new_object(), *a = NULL, *v;
    const char *s;
    char tb[64];
    size_t k;
    int bad = o == NULL;

    *out = NULL;
    if (!bad) {
        v = json_object_new_string(pb__time_seconds(ev->t, tb, sizeof tb));
        bad |= v == NULL || json_object_object_add(o, "t", v) != 0;
        v = json_object_new_string(ev->type);
        bad |= v == NULL || json_object_object_add(o, "type", v) != 0;
    }
    if (!bad && ev->text != NULL) {
        v = json_object_new_string(ev->text);
        bad |= v == NULL || json_object_object_add(o, "text", v) != 0;
    }
    if (!bad && ev->nattrs > 0) {
        a = json_object_new_object();
        bad |= a == NULL || json_object_object_add(o, "attrs", a) != 0;
        for (k = 0; !bad && k < ev->nattrs; k++) {
            v = json_object_new_string(ev->attrs[k].value);
            bad |= v == NULL || json_object_object_add(
                                    a, ev->attrs[k].name, v) != 0;
        }
    }
    if (!bad && (s = json_object_to_json_string_ext(
                     o, JSON_C_TO_STRING_PLAIN |
                            JSON_C_TO_STRING_NOSLASHESCAPE)) != NULL &&
        (*out = strdup(s)) != NULL)
        *len = strlen(s);
    json_object_put(o);
    if (*out == NULL)
        return pb__error(err, PB_NOMEM, "", 0, "out of memory");
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
