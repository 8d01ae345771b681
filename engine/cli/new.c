/*
 * new.c -- `playbook new principle NAME [DIR]`: a commented principle to
 * start from and a first scenario that exercises it, both of which load
 * and pass as written, so a team lead begins from something that works
 * (docs/authoring.md, "Starting a principle").
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char help[] =
    "usage: playbook new principle NAME [DIR]\n"
    "\n"
    "Writes DIR/NAME.lua, a principle with one item and one detector and\n"
    "comments on every field, and DIR/NAME.xml, a scenario where the\n"
    "agent does what the item asks.  Both work as written:\n"
    "\n"
    "  playbook check NAME.lua\n"
    "  playbook replay -p NAME.lua NAME.xml\n"
    "\n"
    "Then change them into what your team needs (docs/authoring.md).\n"
    "When DIR has no .luarc.json, one is written too: it points the Lua\n"
    "Language Server at the engine's definitions, for completion and\n"
    "checks as you type (docs/authoring.md, \"Editor support\").\n"
    "NAME is the principle's id: letters, digits and _, starting with a\n"
    "letter, at most 64.  DIR defaults to the current folder, and is made\n"
    "when it is not there (its parent must be).  An existing file is never\n"
    "overwritten: nothing is written then.\n"
    "\n"
    "Exit: 0 written, 2 bad usage or a file that exists or cannot be\n"
    "written.\n";

/* %1$s is the name in both. */
static const char lua_text[] =
    "-- %1$s.lua: a principle for Playbook, to change into your team's own.\n"
    "-- docs/authoring.md explains every field.  The quick loop:\n"
    "--   playbook check %1$s.lua                   does it load?\n"
    "--   playbook replay -p %1$s.lua %1$s.xml      does it do what you mean?\n"
    "return principle {\n"
    "  -- id: what reports, scenarios and stats name it by; keep it once\n"
    "  -- scenarios use it.  title: a few words, as the checklist heads it.\n"
    "  id = \"%1$s\",\n"
    "  title = \"Check before promising\",\n"
    "  -- why: the reason, which agents see beside the checklist.\n"
    "  why = \"A promise made before checking is a promise we may break.\",\n"
    "  -- items: what the agent should do, in checklist order.\n"
    "  items = {\n"
    "    -- must = true: it counts for the score.  prompt: what the\n"
    "    -- checklist tells the agent while it is open.\n"
    "    { id = \"check_first\", must = true,\n"
    "      prompt = \"Say you are checking before you promise anything.\",\n"
    "      -- done: true once the case shows it happened.  case:has(TYPE)\n"
    "      -- is whether an event of that type was recorded or detected.\n"
    "      done = function(case) return case:has(\"agent.checked\") end },\n"
    "  },\n"
    "  -- detect: detectors turn what was said into events the items read.\n"
    "  detect = {\n"
    "    -- on: the event it reads.  words: phrases, their words in order a\n"
    "    -- few apart (\"let me just check\" counts).  emit: what it adds.\n"
    "    { on = \"agent.said\",\n"
    "      words = { \"let me check\", \"I will look into\", \"checking now\" },\n"
    "      emit = \"agent.checked\" },\n"
    "  },\n"
    "}\n";

static const char xml_text[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!-- A first scenario for %1$s.lua (docs/scenarios.md): the events of\n"
    "     a call and what the checklist should show.  Replay it with\n"
    "     playbook replay -p %1$s.lua %1$s.xml -->\n"
    "<scenario xmlns=\"urn:playbook:scenario:1\" id=\"%1$s-first\"\n"
    "          title=\"The agent checks before promising\">\n"
    "  <case topic=\"delivery\" channel=\"phone\"/>\n"
    "  <events>\n"
    "    <event t=\"0\" type=\"customer.said\">My parcel has not arrived."
    "</event>\n"
    "    <event t=\"0:08\" type=\"agent.said\">I'm sorry. Let me check where "
    "it is.</event>\n"
    "    <event t=\"0:30\" type=\"agent.said\">It left the depot this "
    "morning.</event>\n"
    "  </events>\n"
    "  <expect>\n"
    "    <!-- open before the agent checked, done after -->\n"
    "    <item ref=\"%1$s.check_first\" state=\"open\" at=\"0:05\"/>\n"
    "    <item ref=\"%1$s.check_first\" state=\"done\"/>\n"
    "    <score principle=\"%1$s\" min=\"1\"/>\n"
    "  </expect>\n"
    "</scenario>\n";

/* %1$s is the folder of the definitions, as a JSON string's content. */
static const char luarc_text[] =
    "{\n"
    "  \"runtime\": {\n"
    "    \"version\": \"Lua 5.4\",\n"
    "    \"builtin\": {\n"
    "      \"basic\": \"disable\", \"coroutine\": \"disable\", "
    "\"debug\": \"disable\",\n"
    "      \"io\": \"disable\", \"os\": \"disable\", "
    "\"package\": \"disable\"\n"
    "    }\n"
    "  },\n"
    "  \"workspace\": { \"library\": [\"%1$s\"], "
    "\"checkThirdParty\": false }\n"
    "}\n";

/* fmt with name for each %1$s in it, malloc'd; NULL when out of
 * memory. */
static char *filled(const char *fmt, const char *name)
{
    int n = snprintf(NULL, 0, fmt, name);
    char *s = n < 0 ? NULL : malloc((size_t)n + 1);

    if (s != NULL)
        snprintf(s, (size_t)n + 1, fmt, name);
    return s;
}

/* DIR/NAME.EXT, or NAME.EXT without a DIR; malloc'd. */
static char *joined(const char *dir, const char *name, const char *ext)
{
    size_t n = (dir ? strlen(dir) : 0) + strlen(name) + strlen(ext) + 2;
    char *s = malloc(n);

    if (s != NULL)
        snprintf(s, n, "%s%s%s%s", dir ? dir : "", dir ? "/" : "", name,
                 ext);
    return s;
}

/* The absolute folder of the engine's editor definitions, escaped for
 * a JSON string; NULL when there are none (or the path has a control
 * character).  In buf. */
static const char *definitions(char *buf, size_t n)
{
    char types[PATH_MAX], *real;
    const char *p;
    size_t k = 0;

    snprintf(types, sizeof types, "%s/types/playbook.lua",
             cli_default_principles());
    if ((real = realpath(types, NULL)) == NULL)
        return NULL;
    *strrchr(real, '/') = '\0';
    for (p = real; *p && k + 3 < n; p++) {
        if ((unsigned char)*p < 0x20)
            break;
        if (*p == '"' || *p == '\\')
            buf[k++] = '\\';
        buf[k++] = *p;
    }
    buf[k] = '\0';
    k = *p == '\0';
    free(real);
    return k ? buf : NULL;
}

static int name_ok(const char *s)
{
    size_t i;

    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return 0;
    for (i = 1; s[i] != '\0'; i++)
        if (i == 64 || !((s[i] >= 'a' && s[i] <= 'z') ||
                         (s[i] >= 'A' && s[i] <= 'Z') ||
                         (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

static const char *const taken = "exists; not overwritten (choose "
                                 "another name, or move it away)";

/* Whether path exists, after saying so. */
static int exists(const char *path)
{
    if (access(path, F_OK) != 0)
        return 0;
    pb__text_printf(stderr, "playbook new: %s: %s\n", path, taken);
    return 1;
}

/* Creates path with text, never over an existing file: 0, or -1 after
 * saying why. */
static int write_new(const char *path, const char *text)
{
    size_t len = strlen(text), off = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    ssize_t n;

    if (fd < 0) {
        pb__text_printf(stderr, "playbook new: %s: %s\n", path,
                        errno == EEXIST ? taken : strerror(errno));
        return -1;
    }
    while (off < len && (n = write(fd, text + off, len - off)) > 0)
        off += (size_t)n;
    if (off < len || close(fd) != 0) {
        pb__text_printf(stderr, "playbook new: %s: cannot write: %s\n", path,
                        strerror(errno));
        unlink(path);
        return -1;
    }
    return 0;
}

int cli_new(int argc, char **argv)
{
    char *lua = NULL, *xml = NULL, *lua_path = NULL, *xml_path = NULL;
    char *rc_path = NULL, *luarc = NULL, types[2 * PATH_MAX];
    const char *name, *dir, *defs;
    int rc = EXIT_BAD, made = 0;
    cli_opts o;

    switch (cli_parse(argc, argv, "new", "", NULL, help, &o)) {
    case 1: rc = EXIT_OK; goto done;
    case -1: goto done;
    }
    if (o.nargs < 2 || o.nargs > 3 || strcmp(o.args[0], "principle") != 0) {
        cli_usage_error("new", "say what to make: new principle NAME [DIR]");
        goto done;
    }
    name = o.args[1];
    dir = o.nargs == 3 ? o.args[2] : NULL;
    if (!name_ok(name)) {
        cli_usage_error("new", "'%s' cannot be a principle id (letters, "
                        "digits and _, starting with a letter, at most 64)",
                        name);
        goto done;
    }
    if ((lua = filled(lua_text, name)) == NULL ||
        (xml = filled(xml_text, name)) == NULL ||
        (lua_path = joined(dir, name, ".lua")) == NULL ||
        (xml_path = joined(dir, name, ".xml")) == NULL ||
        (rc_path = joined(dir, ".luarc", ".json")) == NULL) {
        fprintf(stderr, "playbook new: out of memory\n");
        goto done;
    }
    /* Editor support, unless the folder has its own settings. */
    if (access(rc_path, F_OK) != 0 &&
        (defs = definitions(types, sizeof types)) != NULL &&
        (luarc = filled(luarc_text, defs)) == NULL) {
        fprintf(stderr, "playbook new: out of memory\n");
        goto done;
    }
    /* Both, or neither. */
    if (exists(lua_path) || exists(xml_path))
        goto done;
    if (dir != NULL && mkdir(dir, 0755) == 0)
        made = 1;
    else if (dir != NULL && errno != EEXIST) {
        pb__text_printf(stderr, "playbook new: %s: cannot make the folder: "
                        "%s\n", dir, strerror(errno));
        goto done;
    }
    if (write_new(lua_path, lua) != 0)
        goto undo;
    if (write_new(xml_path, xml) != 0) {
        unlink(lua_path);
        goto undo;
    }
    if (luarc != NULL && write_new(rc_path, luarc) != 0) {
        unlink(lua_path);
        unlink(xml_path);
        goto undo;
    }
    pb__text_printf(stdout, "wrote %s and %s\n", lua_path, xml_path);
    if (luarc != NULL)
        pb__text_printf(stdout, "wrote %s: editor support from %s\n",
                        rc_path, types);
    pb__text_printf(stdout, "next:\n  playbook check %s\n"
                    "  playbook replay -p %s %s\n", lua_path, lua_path,
                    xml_path);
    rc = EXIT_OK;
    goto done;
undo:
    if (made)
        rmdir(dir);
done:
    free(lua);
    free(xml);
    free(lua_path);
    free(xml_path);
    free(rc_path);
    free(luarc);
    free(o.args);
    return rc;
}
