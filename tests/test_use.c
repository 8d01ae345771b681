/*
 * test_use.c -- `use "name"`: principle files share lib/name.lua of their
 * folder (docs/authoring.md, "Sharing data between files").
 *
 * Each file gets its own run of the lib file (changing what it got
 * changes nothing for the others); `use` works only while a file loads,
 * only for plain names, and a lib file's errors, budget and bytes are
 * checked as a principle file's are.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "playbook.h"

typedef struct fixture {
    pb_engine *e;
    pb_case *c;
    pb_error err;
    char dir[64];
    char files[16][64]; /* written, to remove */
    int nfiles;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char lib[96];

    assert_non_null(f);
    f->e = pb_engine_new();
    assert_non_null(f->e);
    snprintf(f->dir, sizeof f->dir, "/tmp/pb-use-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(lib, sizeof lib, "%s/lib", f->dir);
    assert_int_equal(mkdir(lib, 0700), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char path[160];
    int i;

    pb_case_free(f->c);
    pb_engine_free(f->e);
    for (i = 0; i < f->nfiles; i++) {
        snprintf(path, sizeof path, "%s/%s", f->dir, f->files[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/lib", f->dir);
    rmdir(path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void write_file(fixture *f, const char *name, const char *src)
{
    char path[160];
    FILE *fp;
    int i;

    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(src, 1, strlen(src), fp), strlen(src));
    assert_int_equal(fclose(fp), 0);
    for (i = 0; i < f->nfiles; i++)
        if (strcmp(f->files[i], name) == 0)
            return;
    snprintf(f->files[f->nfiles++], sizeof f->files[0], "%s", name);
}

/* Loads dir/name; its status. */
static pb_status load(fixture *f, const char *name)
{
    char path[160];

    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    memset(&f->err, 0, sizeof f->err);
    return pb_engine_load(f->e, path, &f->err);
}

/* Loading name fails at line with a message holding needle. */
static void load_fails(fixture *f, const char *name, int line,
                       const char *needle)
{
    pb_status st = load(f, name);

    if (st != PB_INPUT)
        fail_msg("%s: status %s", name, pb_strstatus(st));
    if (f->err.line != line || strstr(f->err.message, needle) == NULL)
        fail_msg("%s: line %d '%s', want line %d and '%s'", name,
                 f->err.line, f->err.message, line, needle);
}

static pb_state state_of(fixture *f, const char *ref)
{
    long i = pb_engine_find_item(f->e, ref);
    pb_item_info in;

    assert_true(i >= 0);
    pb_case_item(f->c, (size_t)i, &in);
    return in.state;
}

static const char WORDS[] =
    "-- shared\n"
    "x = 'a global of the lib'\n"
    "return { greet = { 'hello', 'good morning' }, n = 2 }\n";

static void shared_data(void **state)
{
    fixture *f = *state;

    write_file(f, "lib/words.lua", WORDS);
    /* a changes its copy: b's is its own. */
    write_file(f, "a.lua",
               "local w = use 'words'\n"
               "w.greet[1] = 'zzz'\n"
               "assert(x == nil, 'the lib leaked a global')\n"
               "return principle { id = 'a', items = { { id = 'i',\n"
               "  done = function(case) return case:has('a.greeted') end } },\n"
               "  detect = { { on = 'customer.said', pattern = w.greet,\n"
               "               emit = 'a.greeted' } } }\n");
    write_file(f, "b.lua",
               "local w = use 'words'\n"
               "return principle { id = 'b', items = { { id = 'i',\n"
               "  done = function(case) return case:has('b.greeted') end } },\n"
               "  detect = { { on = 'customer.said', pattern = w.greet,\n"
               "               emit = 'b.greeted' } } }\n");
    assert_int_equal(pb_engine_load(f->e, f->dir, &f->err), PB_OK);
    assert_int_equal(pb_engine_nprinciples(f->e), 2);
    f->c = pb_case_new(f->e, NULL, NULL, &f->err);
    assert_non_null(f->c);
    assert_int_equal(pb_case_append(f->c, 1, "customer.said", "Hello!",
                                    NULL, 0, &f->err), PB_OK);
    assert_int_equal(state_of(f, "a.i"), PB_OPEN);
    assert_int_equal(state_of(f, "b.i"), PB_DONE);
}

static void bad_names(void **state)
{
    fixture *f = *state;
    static const char *const names[] = {"../words", "", "a.b", "1x",
                                        "lib/words", "words.lua"};
    char src[128], path[160];
    size_t i;

    write_file(f, "lib/words.lua", WORDS);
    for (i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(src, sizeof src,
                 "local w = use '%s'\n"
                 "return principle { id = 'p', items = { { id = 'i' } } }\n",
                 names[i]);
        write_file(f, "p.lua", src);
        load_fails(f, "p.lua", 1, "is not a name");
    }
    write_file(f, "q.lua", "local w = use 'nope'\n"
                           "return principle { id = 'q', items = "
                           "{ { id = 'i' } } }\n");
    load_fails(f, "q.lua", 1, "use 'nope': ");
    assert_non_null(strstr(f->err.message, "lib/nope.lua"));
    /* Nothing waits on a FIFO nobody writes to. */
    snprintf(path, sizeof path, "%s/lib/fifo.lua", f->dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    snprintf(f->files[f->nfiles++], sizeof f->files[0], "lib/fifo.lua");
    write_file(f, "s.lua", "local w = use 'fifo'\n"
                           "return principle { id = 's', items = "
                           "{ { id = 'i' } } }\n");
    load_fails(f, "s.lua", 1, "not a regular file");
    write_file(f, "r.lua", "local w = use(42)\n"
                           "return principle { id = 'r', items = "
                           "{ { id = 'i' } } }\n");
    load_fails(f, "r.lua", 1, "is not a name");
}

/* Only while a file loads: a predicate cannot read files. */
static void only_while_loading(void **state)
{
    fixture *f = *state;
    long i;
    pb_item_info in;

    write_file(f, "lib/words.lua", WORDS);
    write_file(f, "late.lua",
               "return principle { id = 'late', items = { { id = 'i',\n"
               "  done = function(case) return use('words').n == 2 end } } }\n");
    assert_int_equal(load(f, "late.lua"), PB_OK);
    f->c = pb_case_new(f->e, NULL, NULL, &f->err);
    assert_non_null(f->c);
    assert_int_equal(pb_case_append(f->c, 1, "customer.said", "hi", NULL, 0,
                                    &f->err), PB_OK);
    i = pb_engine_find_item(f->e, "late.i");
    pb_case_item(f->c, (size_t)i, &in);
    assert_int_equal(in.state, PB_ERROR);
    assert_non_null(strstr(in.error, "late.lua:2: "));
    assert_non_null(strstr(in.error, "only while the file loads"));
}

/* A principle given as text looks next to the name it was given. */
static void from_text(void **state)
{
    fixture *f = *state;
    static const char src[] =
        "local w = use 'words'\n"
        "return principle { id = 'p', items = { { id = 'i' } } }\n";
    char name[160];

    write_file(f, "lib/words.lua", WORDS);
    assert_int_equal(pb_engine_load_buffer(f->e, "nowhere/p.lua", src,
                                           strlen(src), &f->err), PB_INPUT);
    assert_int_equal(f->err.line, 1);
    assert_non_null(strstr(f->err.message, "nowhere/lib/words.lua"));
    snprintf(name, sizeof name, "%s/p.lua", f->dir);
    assert_int_equal(pb_engine_load_buffer(f->e, name, src, strlen(src),
                                           &f->err), PB_OK);
}

/* A lib file is checked as a principle file is, and its errors say
 * where in it. */
static void lib_errors(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *lib, *needle;
    } rows[] = {
        {"return {\n  a = = 1 }\n",
         "use 'bad': /tmp/pb-use-"}, /* the path in full, then */
        {"return {\n  a = = 1 }\n", "lib/bad.lua:2: unexpected symbol"},
        {"local t = nil\nreturn t.x\n", "lib/bad.lua:2: attempt to index"},
        {"while true do end\n", "instruction budget exceeded"},
        {"return { 'ok',\n '\xff' }\n", "lib/bad.lua:2: not UTF-8"},
        {"return use 'bad'\n", "attempt to call a nil value (global 'use')"},
        {"return principle {}\n", "(global 'principle')"},
        {"\x1bLua", "use 'bad': attempt to load a binary chunk"},
    };
    char src[] = "local w = use 'bad'\n"
                 "return principle { id = 'p', items = { { id = 'i' } } }\n";
    size_t i;

    write_file(f, "p.lua", src);
    for (i = 0; i < sizeof rows / sizeof *rows; i++) {
        write_file(f, "lib/bad.lua", rows[i].lib);
        load_fails(f, "p.lua", 1, rows[i].needle);
    }
    assert_int_equal(pb_engine_nprinciples(f->e), 0);
}

/* With bare names (playbook serve's engine), no folder of the server's
 * in what the engine says: the file's errors, its lib file's, the
 * principle's file. */
static void bare_names(void **state)
{
    fixture *f = *state;
    char good[] = "local w = use 'words'\n"
                  "return principle { id = 'p', items = { { id = 'i' } } }\n";

    pb_engine_set_bare_names(f->e, 1);
    write_file(f, "p.lua", "return principle {\n  id = = 1 }\n");
    load_fails(f, "p.lua", 2, "unexpected symbol");
    assert_string_equal(f->err.file, "p.lua");
    write_file(f, "p.lua", "local w = use 'bad'\nreturn 1\n");
    write_file(f, "lib/bad.lua", "local t = nil\nreturn t.x\n");
    load_fails(f, "p.lua", 1, "lib/bad.lua:2: attempt to index");
    assert_null(strstr(f->err.message, f->dir));
    assert_null(strstr(f->err.file, f->dir));
    write_file(f, "lib/words.lua", WORDS);
    write_file(f, "p.lua", good);
    assert_int_equal(load(f, "p.lua"), PB_OK);
    assert_int_equal(pb_engine_nprinciples(f->e), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(shared_data, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_names, setup, teardown),
        cmocka_unit_test_setup_teardown(only_while_loading, setup, teardown),
        cmocka_unit_test_setup_teardown(from_text, setup, teardown),
        cmocka_unit_test_setup_teardown(lib_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(bare_names, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
