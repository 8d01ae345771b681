-- Explain: explain the solution in a way this customer can follow, and
-- check that they did.
--
-- A solution is an offer ("I can reset it for you"), work done ("I have
-- issued you a refund", or the system's own record: "A refund has been
-- made."), a value handed over ("your username is rdomingo1"), or, since
-- many contacts are questions, an answer: a plain statement that speaks
-- to what the customer asked ("We charge 4.99.").  It explains when it
-- says how things go: conditions, times, what to do, what happens next.

local talk = use "talk"
local text = talk.text

-- Verbs of work done for the customer, as the agent or the system says
-- them: "I have issued", "has been updated", "was made".
local doing = "issue|refund|process|send|sent|generate|create|update|change|reset|cancel|credit|apply|renew|schedule|book|replace|ship|submit|make|made|add|remove|fix|place|extend|waive|give|given|unlock|restore|activate"

local done_work = {
  "i have " .. doing, "we have " .. doing, "been " .. doing, "was " .. doing,
  "were " .. doing,
  "all taken care", "all set", "taken care of", "is your new", "here is your",
}

local offering = {
  "i can " .. doing .. "|offer|get", "we can " .. doing .. "|offer|get",
  "what i can do", "what we can do", "i recommend", "i would recommend",
  "we recommend", "i suggest", "i would suggest", "how about",
  "i will " .. doing, "you can",
}

-- A value the agent hands over: an id, a code, an address.
local function gives_value(s)
  if s:find("?", 1, true) or not (s:find("[%d@]") or s:find("%u%u")) then
    return false
  end
  for tok in s:gmatch("[%w@%._%-]+") do
    if tok:find("[%d@]") or tok:find("%u%u") then
      local shape = text.shape(tok)
      if shape == "id" or shape == "email" then return true end
    end
  end
  return false
end

-- Checking who the customer is sets up a fix; it is not one ("I've sent
-- a code to your phone to verify your identity").
local verifying = { "verify", "identity", "security", "validate", "confirm your" }

-- "I do want to get this sorted": the agent speaks of themselves.
local function about_me(s)
  local w = s:lower():gsub("^%W*", ""):gsub("^ok%a*%W+", ""):gsub("^so%W+", ""):gsub("^well%W+", "")
  return w:match("^i%f[%W]") ~= nil
end

-- Every phrase that decides a sentence, in the order they decide it
-- (asking, taking on, feeling, restating or verifying is no solution;
-- work done or under way is; "we cannot" is not; an offer is), so one
-- look at a sentence says which (`kind`).
local deciding, kind = {}, {}
local function decide(list, k)
  for _, p in ipairs(list) do
    if not kind[p] then
      kind[p] = k
      deciding[#deciding + 1] = p
    end
  end
end
decide(talk.requesting, "no")
decide(talk.owning, "no")
decide(talk.feeling, "no")
decide(talk.framing, "no")
decide(verifying, "no")
decide(done_work, "yes")
decide(talk.pending_words, "yes")
decide(talk.unable, "refuse")
decide(offering, "yes")
-- Read once (text.phrases): asked about at every agent sentence.
local deciding_p, done_work_p = text.phrases(deciding), text.phrases(done_work)
local able_p = text.phrases(talk.able)

-- Does sentence s answer or solve?  Work done, work under way ("it is
-- being processed"), a value handed over or an offer always do; a plain
-- statement does when it speaks to what the customer said (`said()`) or
-- gives a figure, unless the turn opened with feelings (`feeling`: "Four
-- calls is far too long to wait" validates).
local function solves(s, said, feeling)
  if s:find("?", 1, true) or talk.opens_question(s) then return false end
  local p, negated = text.has(s, deciding_p, 1)
  local k = p and kind[p]
  if k == "no" then return false end
  if k == "yes" or gives_value(s) then return true end
  if k == "refuse" then
    local rest = s:match("[Bb]ut (.*)") or s:match("[Hh]owever,? (.*)")
    return rest ~= nil and text.has(rest, able_p, 3) ~= nil
  end
  if negated and text.has(negated, able_p, 0) then return false end
  if #talk.content(s) < 2 then return false end
  if s:find("%d") then return true end
  if feeling or about_me(s) then return false end
  local _, n = text.echo(s, said())
  return n >= 1
end

-- Yes to a check of understanding.
local affirming = { "yes", "yeah", "yep", "okay", "ok", "got it", "makes sense",
                    "understood", "sure", "clear", "right", "perfect" }
local affirming_p = text.phrases(affirming)

-- The customer saying what they will do or what they heard.
local saying_back = { "so i", "so we", "you said" }

-- How things go: conditions and causes, times, what to do, what happens.
local explaining = {
  "if", "since", "because", "depends", "based on", "so that", "unless",
  "as long as", "when you", "shortly", "tomorrow", "until", "24/7", "you will need", "you need to",
  "you should", "you can", "you have to", "you will", "you'll", "please use",
  "please contact", "please check", "please call", "please go", "please make",
  "recommend", "suggest", "make sure", "be sure", "always", "simply", "then",
  "first", "next", "finally", "after that", "should be", "should not",
  "will be", "will come", "will arrive", "will call", "will contact",
  "will receive", "i will need", "feel free", "may vary",
}
local explaining_p = text.phrases(explaining)

-- A time: a due phrase ("less than a week", "by Friday"), or a length
-- with a figure ("7 days"); not "have a great day".
local function duration(s)
  if due.find(s) then return true end
  return s:find("%d") ~= nil and
         text.has(s, { "day", "week", "hour", "minute", "month", "year" }, 0) ~= nil
end

local function explains(s)
  if s:find("?", 1, true) or talk.opens_question(s) then return false end
  return text.has(s, explaining_p, 1) ~= nil or duration(s)
end

return principle {
  id = "explain", title = "Explain so it lands", order = 30,
  why = "A solution only helps if this customer can follow it; check that they did.",
  items = {
    { id = "propose", must = true,
      prompt = "Propose a solution to the real problem.",
      done = function(case) return case:has("agent.proposed") end },
    { id = "explain_steps", must = true, after = { "propose" },
      prompt = "Explain the steps in plain words, one at a time.",
      done = function(case) return case:has("agent.explained") end },
    { id = "check_understanding", must = true, after = { "explain_steps" },
      prompt = "Check the customer can follow the steps: ask them to say what they will do.",
      done = function(case) return case:has("customer.understood") end },
  },
  detect = {
    -- The first sentence that solves is the proposal; a later one that
    -- explains (or the same) is the explanation.
    { on = "agent.said", unless = "agent.proposed", fn = function(case, event)
        local before
        local function said()
          before = before or talk.customer_before(case, event)
          return before
        end
        local sentences = talk.sentences(event.text)
        local feeling = talk.empathy(sentences[1])
        for _, s in ipairs(sentences) do
          if solves(s, said, feeling) then return "agent.proposed", nil, s end
        end
      end },
    { on = "agent.action", unless = "agent.proposed", fn = function(case, event)
        if text.has(event.text, done_work_p, 1) then
          return "agent.proposed"
        end
      end },
    { on = "agent.said", after = "agent.proposed", unless = "agent.explained", fn = function(case, event)
        for _, s in ipairs(talk.sentences(event.text)) do
          if explains(s) then return "agent.explained", nil, s end
        end
      end },
    { on = "agent.said", emit = "agent.checked_understanding", pattern = {
        "does that make sense", "is that clear", "can you tell me what you'll do",
        "could you repeat", "can you walk me through", "does that sound",
        "any questions", "do you follow" } },
    -- ... and the customer's first reply to it agrees: "Does that make
    -- sense?" - "Okay. Got it." (a check answered, in the rubric's words).
    { on = "customer.said", after = "agent.checked_understanding", unless = "customer.understood",
      fn = function(case, event)
        local c = case:last("agent.checked_understanding")
        for e in case:recent("customer.said", event) do
          if e.n > c.n then return nil end -- not the first reply since
          break
        end
        if text.has(event.text, affirming_p, 0) then return "customer.understood" end
      end },
    -- The customer says the answer back in their own words ("so I get 6
    -- months to return"): two or more of its content words, or one in
    -- a say-back ("so I'll watch for the email"); not a question.
    { on = "customer.said", after = "agent.proposed", unless = "customer.understood",
      fn = function(case, event)
        local p = case:first("agent.proposed")
        local said = event.text
        if said:find("?", 1, true)
           or talk.opens_question(said) or #talk.content(said) < 2 then
          return nil
        end
        local _, negated = text.has(said, { "need", "want", "enough", "sufficient", "help" }, 1)
        if negated then return nil end -- "I don't need anything else"
        local parts = {}
        for e in case:recent("agent.said", event) do
          if e.t < p.t or #parts == 12 then break end
          if e.text then parts[#parts + 1] = e.text end
        end
        local _, n = text.echo(table.concat(parts, " "), event.text)
        if n >= 2 or (n == 1 and text.has(event.text, saying_back, 1)) then
          return "customer.understood"
        end
      end },
  },
}
