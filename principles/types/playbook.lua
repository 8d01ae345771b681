---@meta playbook
-- The authoring API of Playbook principle files, for the Lua Language
-- Server (completion, hover, type checks in your editor). The engine never
-- loads this file. What each name does: docs/authoring.md. `.luarc.json`
-- beside your principles points the language server here and switches
-- off the Lua libraries the sandbox does not have (io, os, debug,
-- coroutine, package), so using one is flagged as you type.
--
-- tests/test_api.c checks that every name the engine gives principle
-- code is declared here, and that nothing else is.

-- ---------------------------------------------------------------------
-- principle { ... }: docs/authoring.md "Principle fields"

---@class pb.Principle
---@field id string Stable identifier: letters, digits and `_`. Items are referred to as `id.item`.
---@field title? string Shown to people. Defaults to the id.
---@field why? string One sentence on why the principle matters.
---@field order? number Where it sits in the checklist, lower first. Default 100.
---@field applies? fun(case: pb.Case): boolean When false, none of its items are listed or scored.
---@field items pb.Item[] At least one item, in the order they should be done.
---@field detect? (pb.Detector|pb.DetectorFn)[] Detectors: plain utterances to typed events.

---@class pb.Item
---@field id string Unique within the principle.
---@field prompt? string|fun(case: pb.Case): string What the agent is told while the item is open.
---@field must? boolean Counts for the score. Default false.
---@field later? boolean May be done after the call; the case waits for it. Default false.
---@field after? string|string[] Items of the same principle that come first.
---@field applies? fun(case: pb.Case): boolean When false, the item is absent.
---@field done? fun(case: pb.Case): boolean True once done (latches).
---@field violated? fun(case: pb.Case): boolean True once done wrong (latches).
---@field collects? string A fact name: the item is done once the fact is known.

---A phrase for `words` and the text library: words separated by spaces,
---matched on stems; `{ "phrase", need = N }` needs only N of its words.
---@alias pb.Phrase string|{ [1]: string, need: integer }

---A phrase, a list of them, or a list read once by `text.phrases`.
---@alias pb.Phrases pb.Phrase|pb.Phrase[]|pb.PhraseList

---A function detector: returns the type of the event to add, its
---attributes and its text (default: the text read), or nil to add nothing.
---@alias pb.DetectorFn fun(case: pb.Case, event: pb.Event): (string?, table<string, string|number>?, string?)

---docs/authoring.md "Detectors"
---@class pb.Detector
---@field on string The recorded event type to read.
---@field pattern? string|string[] Lua patterns, matched without regard to case.
---@field words? pb.Phrases Phrases matched on words, whatever their form.
---@field gap? integer With `words`: other words allowed between two of a phrase, 0 to 8. Default 2.
---@field examples? string[] Utterances it should recognise.
---@field threshold? number With `examples`: how close (0 to 1). Default 0.5.
---@field emit? string The type of the event to add.
---@field within? number Seconds since the last event of the `after` type.
---@field after? string The reference type for `within`.
---@field unless? string Not run once the case has an event of this type.
---@field fn? pb.DetectorFn Decides what to add.

-- ---------------------------------------------------------------------
-- The case and its events: docs/authoring.md "The case object"

---The case, read-only.
---@class pb.Case
---@field topic string? The case topic ("delivery", "billing", ...).
---@field channel string? "phone", "chat", ...
---@field now number Time of the last event, in seconds since the case started.
---@field closed boolean True once the case is closed.
---@field facts table<string, string> The facts known now; nil when unknown.
local Case = {}

---True if an event of that type happened (and its text matches `pattern`).
---@param type string
---@param pattern? string
---@return boolean
function Case:has(type, pattern) end

---How many events of that type (whose text matches `pattern`).
---@param type string
---@param pattern? string
---@return integer
function Case:count(type, pattern) end

---The first event of that type, or nil.
---@param type string
---@return pb.Event?
function Case:first(type) end

---The last event of that type, or nil.
---@param type string
---@return pb.Event?
function Case:last(type) end

---True when an `a` happened and no `b` had happened before the first `a`.
---@param a string
---@param b string
---@return boolean
function Case:before(a, b) end

---True if an utterance recorded by `who` matches `pattern`.
---@param who "customer"|"agent"|"any"
---@param pattern string
---@return boolean
function Case:said(who, pattern) end

---The item's state: "done", "open", "waiting", "skipped", "violated",
---"error" or "absent".
---@param ref string "principle.item"
---@return string
function Case:state(ref) end

---The events (or those of one type), in timeline order.
---@param type? string
---@return fun(): pb.Event?
function Case:events(type) end

---The events of that type, newest first, from just before `event`.
---@param type string
---@param event? pb.Event
---@return fun(): pb.Event?
function Case:recent(type, event) end

---The fact's value now, or just before `event`; nil when unknown.
---@param name string
---@param event? pb.Event
---@return string?
function Case:known(name, event) end

---An event of the case, read-only.
---@class pb.Event
---@field t number Time in seconds.
---@field type string "customer.said", "fact", ...
---@field text string? The text, or nil.
---@field attr table<string, string> Its attributes (nil when absent).
---@field n integer Position in the timeline, from 1.
---@field detected boolean True if a detector added it.
---@field by string? Id of the principle whose detector added it.

-- ---------------------------------------------------------------------
-- Libraries: docs/authoring.md "Due times", "The text library",
-- "Sharing data between files"

---Declares a principle; a principle file returns it.
---@param spec pb.Principle
---@return pb.Principle
function principle(spec) end

---Runs lib/NAME.lua of this folder and returns what it returns (at load
---time only).
---@param name string
---@return any
function use(name) end

---A due phrase found by `due.find`.
---@class pb.Due
---@field text string The phrase in lower case: "friday noon".
---@field first integer Where it starts in the text, "by" included.
---@field last integer Where it ends.
---@field by boolean True when "by" comes before it (a deadline).
---@field kind "span"|"end"|"day"|"weekday"|"time"|"date"

due = {}

---The first due phrase in `text` at or after byte `init`, or nil.
---@param text string
---@param init? integer
---@return pb.Due?
function due.find(text, init) end

---A list of phrases read once (`text.phrases`).
---@class pb.PhraseList

text = {}

---The first of `phrases` found in `s`; when none, nil and the first
---found only negated.
---@param s string
---@param phrases pb.Phrases
---@param gap? integer
---@return string?, string?
function text.has(s, phrases, gap) end

---The best score (0 to 1) of `s` against the examples, and its index.
---@param s string
---@param examples string|string[]
---@return number, integer?
function text.similar(s, examples) end

---True when `s` is a question.
---@param s string
---@return boolean
function text.question(s) end

---The share (0 to 1) of `ref`'s distinct content stems that `s` has,
---and how many.
---@param s string
---@param ref string
---@return number, integer
function text.echo(s, ref) end

---The stems of `s`, in order; with `content`, only words worth repeating.
---@param s string
---@param content? boolean
---@return string[]
function text.words(s, content) end

---The value after one of `labels` ("order number is 4870952797"), or nil.
---@param s string
---@param labels pb.Phrases
---@return string?
function text.value(s, labels) end

---"email", "phone", "date", "number" or "id" when the whole of `s` is a
---single value, else nil.
---@param s string
---@return string?
function text.shape(s) end

---The sentences of `s`.
---@param s string
---@return string[]
function text.sentences(s) end

---`list` read once, for `text.has` and `text.value`.
---@param list pb.Phrases
---@return pb.PhraseList
function text.phrases(list) end

-- ---------------------------------------------------------------------
-- The sandbox's base library: docs/authoring.md "The sandbox". The
-- language server's own is switched off (.luarc.json), so print, dofile,
-- require and the like are flagged as unknown.

---@generic T
---@param v? T
---@param message? any
---@return T
function assert(v, message, ...) end

---@param message any
---@param level? integer
function error(message, level) end

---@param object any
---@return table|false|nil
function getmetatable(object) end

---@generic V
---@param t V[]
---@return fun(t: V[], i: integer): integer, V
function ipairs(t) end

---@param t table
---@param index? any
---@return any, any
function next(t, index) end

---@generic K, V
---@param t table<K, V>
---@return fun(t: table<K, V>, k?: K): K, V
function pairs(t) end

---@param f function
---@return boolean, any
function pcall(f, ...) end

---@param a any
---@param b any
---@return boolean
function rawequal(a, b) end

---@param t table
---@param index any
---@return any
function rawget(t, index) end

---@param v table|string
---@return integer
function rawlen(v) end

---@param t table
---@param index any
---@param value any
---@return table
function rawset(t, index, value) end

---@param index integer|"#"
---@return any
function select(index, ...) end

---Refuses `__gc`.
---@param t table
---@param mt? table
---@return table
function setmetatable(t, mt) end

---@param e any
---@param base? integer
---@return number?
function tonumber(e, base) end

---@param v any
---@return string
function tostring(v) end

---@param v any
---@return "nil"|"number"|"string"|"boolean"|"table"|"function"|"thread"|"userdata"
function type(v) end

---The handler is called after the failed call has unwound.
---@param f function
---@param msgh function
---@return boolean, any
function xpcall(f, msgh, ...) end

---Text chunks only; the code runs in this file's environment.
---@param chunk string
---@param chunkname? string
---@param mode? "t"
---@param env? table
---@return function?, string?
function load(chunk, chunkname, mode, env) end

---@type string
_VERSION = "Lua 5.4"

---This file's globals.
---@type table
_G = {}

-- string: the sandbox has all of it but these.

---@deprecated Not in the sandbox.
function string.dump() end

---@deprecated Not in the sandbox.
function string.pack() end

---@deprecated Not in the sandbox.
function string.packsize() end

---@deprecated Not in the sandbox.
function string.unpack() end

-- math: all of Lua 5.4's, and these of Lua 5.3 (kept by the engine's
-- build, LUA_COMPAT_5_3).

---@param x number
---@return number
function math.cosh(x) end

---@param x number
---@return number
function math.sinh(x) end

---@param x number
---@return number
function math.tanh(x) end

---@param x number
---@param y number
---@return number
function math.pow(x, y) end

---@param y number
---@param x number
---@return number
function math.atan2(y, x) end

---@param x number
---@return number
function math.log10(x) end

---@param x number
---@return number, integer
function math.frexp(x) end

---@param m number
---@param e integer
---@return number
function math.ldexp(m, e) end
