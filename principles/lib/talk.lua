-- The shape of a conversation, shared by the default principles: which
-- sentences are questions, requests, answers, confirmations and
-- closings.  Built on the engine's word matching (`text`): stems, gaps,
-- typos and negation, so "I can look into that for you" and "let me
-- look that up" are one phrase, and "I can't help" is not "I can help".

-- DEV SHIM BEGIN
local text = text or (function()
-- DEV ONLY: a Lua stand-in for the engine's `text` library while it is built.
local M = {}
local contractions = { ["n't"] = " not", ["'ll"] = " will", ["'re"] = " are", ["'ve"] = " have", ["'m"] = " am", ["'d"] = " would" }
local stop = {}
for w in ("a an the and or but if of to in on at by for with from as is are was were be been being am do does did have has had i me my we our you your he she it its they them their this that these those there here what which who whom how when where why will would shall should can could may might must not no so than too very just also then up out about into over again own same some any all each both few more most other such only s t don now ok okay please yes yeah"):gmatch("%a+") do stop[w] = true end
local neg = { ["not"] = true, no = true, never = true, none = true, nobody = true, nothing = true, nor = true, neither = true, without = true, cannot = true }
local function stem(w)
  if #w <= 3 then return w end
  if w:sub(-3) == "ies" and #w > 4 then return w:sub(1, -4) .. "y" end
  if w:sub(-3) == "ing" and #w > 5 then return w:sub(1, -4) end
  if w:sub(-2) == "ed" and #w > 4 then return w:sub(1, -3) end
  if w:sub(-2) == "ly" and #w > 4 then return w:sub(1, -3) end
  if w:sub(-1) == "s" and w:sub(-2) ~= "ss" then return w:sub(1, -2) end
  if w:sub(-1) == "e" then return w:sub(1, -2) end
  return w
end
function M.tokens(s)
  s = s:lower():gsub("\226\128\153", "'")
  s = s:gsub("can't", "can not"):gsub("won't", "will not"):gsub("let's", "let us"):gsub("n't", " not")
  s = s:gsub("(%a)('%a+)", function(a, c) return a .. (contractions[c] or (c == "'s" and "" or c)) end)
  local out = {}
  local pos = 1
  while true do
    local a, b = s:find("[%w][%w'%.@%-_]*[%w]", pos)
    local a1, b1 = s:find("[%w]", pos)
    if not a1 then break end
    if not a or a > a1 then a, b = a1, b1 end
    local w = s:sub(a, b)
    local brk = s:sub(pos, a - 1):find("[%.,;:!%?]") ~= nil
    local sent = s:sub(pos, a - 1):find("[%.!%?]") ~= nil
    out[#out + 1] = { w = w, s = stem(w), stop = stop[w], neg = neg[w], brk = brk or w == "but", sent = sent }
    pos = b + 1
  end
  return out
end
function M.words(s, content) local t = {} for _, x in ipairs(M.tokens(s)) do if not (content and (x.stop or x.neg)) then t[#t + 1] = x.s end end return t end
local function near(a, b)
  if a == b then return true end
  if #a < 5 or math.abs(#a - #b) > 1 then return false end
  local i = 1
  while i <= #a and a:sub(i, i) == b:sub(i, i) do i = i + 1 end
  local ra, rb = a:sub(i + 1), b:sub(i + 1)
  return ra == rb or a:sub(i) == rb or ra == b:sub(i)
    or (a:sub(i, i) == b:sub(i + 1, i + 1) and a:sub(i + 1, i + 1) == b:sub(i, i) and a:sub(i + 2) == b:sub(i + 2))
end
local function slotmatch(slot, tok)
  for _, alt in ipairs(slot) do
    if alt == "*" or alt == tok.s or alt == tok.w or near(alt, tok.w) then return true end
  end
  return false
end
local compiled = {}
local function compile(p)
  local c = compiled[p]
  if c then return c end
  c = {}
  for word in p:gmatch("%S+") do
    local slot = {}
    for alt in word:gmatch("[^|]+") do
      local t = M.tokens(alt)
      for _, x in ipairs(t) do slot[#slot + 1] = x.s end
      if #t > 1 then slot = { t[1].s } end
    end
    if word == "*" then slot = { "*" } end
    -- expand contractions in phrases: "i'll" -> two slots
    local t = M.tokens(word:gsub("|.*", ""))
    if #t > 1 and not word:find("|", 1, true) then
      for _, x in ipairs(t) do c[#c + 1] = { x.s } end
    else
      c[#c + 1] = slot
    end
    c[#c].negslot = neg[word]
  end
  compiled[p] = c
  return c
end
local function find(toks, c, gap, p0)
  local negd
  for i = 1, #toks do
    if slotmatch(c[1], toks[i]) then
      local j, k, ok = i, 2, true
      while k <= #c do
        local found
        for m = j + 1, math.min(#toks, j + 1 + gap) do
          if toks[m].sent then break end
          if slotmatch(c[k], toks[m]) then found = m break end
        end
        if not found then ok = false break end
        j, k = found, k + 1
      end
      if ok then
        local negated = false
        if not c[1].negslot then
          for m = i - 1, math.max(1, i - 3), -1 do
            if toks[m + 1].brk then break end
            if toks[m].neg then negated = true break end
          end
        end
        if not negated then return i, j end
        negd = negd or true
      end
    end
  end
  return nil, nil, negd
end
function M.has(s, phrases, gap)
  if type(phrases) == "string" then phrases = { phrases } end
  local toks = M.tokens(s)
  local negated
  for _, p in ipairs(phrases) do
    local i, j, neg = find(toks, compile(p), gap or 2)
    if i then return p end
    negated = negated or neg
  end
  return nil, negated
end
function M.question(s)
  local t = s:gsub("%s+$", "")
  if t:sub(-1) == "?" then return true end
  local first = t:lower():match("^%W*(%a+)")
  local q = { is = 1, are = 1, ["do"] = 1, does = 1, did = 1, can = 1, could = 1, would = 1, will = 1, should = 1, may = 1, what = 1, when = 1, where = 1, which = 1, who = 1, why = 1, how = 1 }
  return first ~= nil and q[first] ~= nil
end
function M.content(s)
  local set, n = {}, 0
  for _, x in ipairs(M.tokens(s)) do
    if not x.stop and not x.neg and #x.w > 1 and not set[x.s] then set[x.s] = x.w n = n + 1 end
  end
  return set, n
end
function M.echo(s, ref)
  local r, n = M.content(ref)
  if n == 0 then return 0, 0 end
  local toks = M.tokens(s)
  local hit = 0
  for st, w in pairs(r) do
    for _, x in ipairs(toks) do
      if x.s == st or near(w, x.w) then hit = hit + 1 break end
    end
  end
  return hit / n, hit
end
local function shape_of(v)
  if v:find("^[%w%._%-+]+@[%w%-]+%.[%w%.]+$") then return "email" end
  local digits = select(2, v:gsub("%d", ""))
  if v:find("^%+?[%d%s%(%)%-%.]+$") and digits >= 7 and digits <= 15 and v:find("[%s%(%)%-%.]") then return "phone" end
  if v:find("^%d%d%d%d%-%d%d%-%d%d$") or v:find("^%d%d?/%d%d?/%d%d%d?%d?$") then return "date" end
  if v:find("^%d+$") then return #v >= 5 and "id" or "number" end
  if v:find("%d") and v:find("%a") and #v >= 4 then return "id" end
  if v:find("^%u+$") and #v >= 5 then return "id" end
  if v:find("^[%w%._%-]+$") and v:find("%d") and #v >= 4 then return "id" end
  return nil
end
function M.shape(s)
  local v = s:gsub("^%s+", ""):gsub("[%s%.!]+$", "")
  v = v:gsub("^[Ii]t'?s%s+", ""):gsub("^[Mm]y %a+ is%s+", "")
  if v:find("%s") and not v:find("^%+?[%d%s%(%)%-%.]+$") then return nil end
  return shape_of(v), v
end
function M.value(s, labels)
  local toks = M.tokens(s)
  local raw = s
  for _, l in ipairs(labels) do
    local c = compile(l)
    local i, j = find(toks, c, 0)
    if i then
      -- the text after the label's last word
      local lastw = toks[j].w
      local lo = raw:lower()
      local _, e = lo:find(lastw, 1, true)
      local rest = raw:sub((e or 0) + 1)
      local marked = rest:match("^%s*[:=]")
      rest = rest:gsub("^%s*[:=#]?%s*", ""):gsub("^[Ii][Ss]%s+", ""):gsub("^%s*[:=#]?%s*", "")
      local v = rest:match("^([%w%._%-@+]+)")
      if v and (shape_of(v) or (marked and #v >= 3 and not stop[v:lower()])) then return v end
      v = rest:match("^(%+?[%d%s%(%)%-]+%d)")
      if v and shape_of(v) then return v end
    end
  end
  return nil
end

return M
end)()
-- DEV SHIM END

local talk = { text = text }

-- Sentences of an utterance, trimmed; "?" and "!" end one as "." does.
function talk.sentences(s)
  local out = {}
  for part in (s .. " "):gmatch("(.-[%.!%?]+)%s+") do
    part = part:match("^%s*(.-)%s*$")
    if #part > 0 then out[#out + 1] = part end
  end
  local rest = (s .. " "):gsub("^.*[%.!%?]+%s+", "")
  rest = rest:match("^%s*(.-)%s*$")
  if #rest > 0 and not s:match("[%.!%?]%s*$") then out[#out + 1] = rest end
  if #out == 0 and s:find("%S") then out[1] = s end
  return out
end

-- A question asks something open ("what is your name?"); a yes/no
-- question checks something ("so you want a refund?").
local wh = { what = true, which = true, who = true, whom = true, whose = true,
             where = true, when = true, why = true, how = true }
local aux = { is = true, are = true, ["do"] = true, does = true, did = true,
              can = true, could = true, would = true, will = true, may = true,
              should = true, have = true, has = true }
local function first_word(s)
  local first = s:lower():match("^%W*(%a+)")
  if first == "and" or first == "ok" or first == "okay" or first == "so" then
    first = s:lower():match("^%W*%a+%W+(%a+)")
  end
  return first
end
function talk.wh_question(s)
  return wh[first_word(s)] == true and s:find("?", 1, true) ~= nil
end
-- A sentence that opens as a question: "How can I help?", "Can I get ...".
function talk.opens_question(s)
  local w = first_word(s)
  return wh[w] == true or aux[w] == true
end

-- Yes, correct, exactly: the customer agrees, in the first words of the
-- reply.  "No, ..." corrects.
local agreeing = { "yes", "yeah", "yep", "yup", "correct", "exactly", "right",
                   "absolutely", "indeed", "that is it", "that is right" }
function talk.confirms(s)
  local head = {}
  for w in s:gmatch("%S+") do
    head[#head + 1] = w
    if #head == 3 then break end
  end
  local start = table.concat(head, " ")
  return text.has(start, agreeing, 0) ~= nil and not text.has(start, { "no", "nope" }, 0)
end

-- The customer is done: thanks, "that's all", "nothing else", "no".
local closing = {
  "that is all|it|everything", "that was all|it|everything", "thats all|it",
  "that will be all|it", "nothing else", "no more", "all i need", "all set",
  "i am good", "will be all",
}
function talk.thanks(s) return text.has(s, { "thank", "thx", "thanks", "appreciate" }, 0) ~= nil end
function talk.closing(s)
  if talk.thanks(s) or text.has(s, closing, 1) then return true end
  local w = text.words(s)
  return #w <= 3 and (w[1] == "no" or w[1] == "nope")
end

-- The agent asks for something the customer must give: "may I have your
-- name", "I'll need your email", "can you send me the order number?".
local requesting = {
  "may i have", "can i have", "could i have", "can i get", "could i get",
  "can you give", "could you give", "can you provide", "could you provide",
  "please provide", "i need your", "i will need", "i just need", "need your",
  "can you send", "could you send", "give me", "provide", "send me", "what is your",
  "do you have your", "do you know your", "do you happen to",
}
function talk.request(s) return text.has(s, requesting, 1) ~= nil end

-- Taking the problem on: help, look, check, handle, in the first person.
local owning = {
  "i can help", "i can assist", "i sure can", "happy to help", "glad to help",
  "happy to assist", "glad to assist", "happy to look", "glad to look",
  "help you with", "assist you with", "let me look", "let me check",
  "let me see", "let me pull", "let me find", "let us look", "let me help",
  "look into", "look that up", "look it up", "take care of it",
  "take care of this", "take care of that", "get right on", "leave it with me",
  "i will answer|find|check|look|handle|sort|investigate|indicate|fix|resolve", "i will make sure", "have everything i need to help",
}
function talk.owns(s) return text.has(s, owning, 2) end

-- Feelings, not content: "I'm so sorry", "I can hear how frightening
-- this is", "take your time".
local feeling = {
  "sorry", "apologize", "i understand", "i can hear", "i hear", "i can see",
  "i know how", "i appreciate", "frustrat", "take your time", "no rush",
  "must be", "thank",
}
function talk.empathy(s) return text.has(s, feeling, 1) ~= nil end

-- "That isn't something I can do", "I'm not able to": the agent cannot,
-- and offers nothing instead ("I can't get the old password, but I can
-- make a new one" offers).
local able = { "i can", "we can", "i am able", "we are able", "i am allowed",
               "i could", "we could" }
function talk.refuses(s)
  local yes, no = text.has(s, able, 3)
  return yes == nil and no ~= nil
end

-- How a restatement is framed: "so you need ...", "sounds like ...",
-- "you said ...", "if I understand ...".
local framing = {
  "so you", "sounds like", "you want to", "you would like", "you need me",
  "you need help", "you said", "you mention", "you are saying",
  "if i understand", "so i understand", "just to confirm", "to make sure i", "just to clarify",
  "to wrap up", "let me make sure", "what i hear", "you are looking for",
  "you need to know", "you want to know",
  "you would like to know", "am i right",
}
function talk.restating(s) return text.has(s, framing, 1) end

-- What is left to happen after the call, in the agent's words: money
-- or goods on their way, a message to come, a review.
local pending = {
  "you will receive|get|have|see", "you should be getting|receiving",
  "you should get|receive|see",
  "will arrive", "should arrive", "will contact", "will call", "will email",
  "will be sent|shipped|delivered|processed|credited|refunded|reviewed",
  "will reach out", "will hear", "will review", "in the next", "in progress",
  "being processed", "on its way",
  "refund has been issued|submitted|processed|made", "i have issued refund",
  "issued you refund", "new shipment", "delivery request",
}
function talk.pending(s) return text.has(s, pending, 1) ~= nil end

-- The content words of s, stemmed: no function words ("text.words"
-- with content = true), no chat filler.
local filler = {}
for _, w in ipairs(text.words("okay ok sure great perfect alright right well oh hi hello hey thank thanks welcome sorry apologize apology problem moment sec please glad happy let help assist anything else today good day nice wonderful awesome absolutely certainly course", true)) do
  filler[w] = true
end
function talk.content(s)
  local out = {}
  for _, w in ipairs(text.words(s, true)) do
    if not filler[w] then out[#out + 1] = w end
  end
  return out
end

-- What the customer said before `event`, as one text: their last dozen
-- utterances (case:recent reads back from the event, so this costs the
-- same at the end of a long case as at its start).
function talk.customer_before(case, event)
  local parts = {}
  for e in case:recent("customer.said", event) do
    if e.text then table.insert(parts, 1, e.text) end
    if #parts == 12 then break end
  end
  return table.concat(parts, " \n ")
end

return talk
