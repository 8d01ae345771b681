-- Listen: hear the customer out fully; grasp the real problem, not just
-- the surface symptom.
--
-- The real problem is what the customer agrees to when the agent restates
-- it, so a confirmed restatement also records the fact `problem`.

local talk = use "talk"
local text = talk.text

local tags = { "correct", "right", "is that right", "is that correct", "is it" }

-- The words after the last comma: "..., correct?"
local function last_clause(s)
  local from, at = 1, s:find(",", 1, true)
  while at do
    from = at + 1
    at = s:find(",", from, true)
  end
  return s:sub(from)
end

-- An agent sentence that says the customer's problem back: framed as a
-- restatement, or a yes/no question ending in "correct?", that repeats
-- something the customer said; or any yes/no question that repeats
-- three or more of their words.  "What information did you need?" asks,
-- it does not restate.
local function restates(case, event)
  local said
  for _, s in ipairs(talk.sentences(event.text)) do
    if not talk.wh_question(s) then
      local framed = talk.restating(s)
      local tagged = s:sub(-1) == "?" and text.has(last_clause(s), tags, 0)
      local checking = s:find("?", 1, true) and not talk.request(s)
      if framed or tagged or checking then
        said = said or talk.customer_before(case, event)
        if framed and talk.strongly_restating(s) then return s end
        local _, n = text.echo(s, said)
        if n >= (checking and not (framed or tagged) and 3 or 1) then return s end
      end
    end
  end
end

-- Was the problem restated before the first proposal?  A restatement the
-- customer corrected ("No, ...") and did not confirm does not count: a
-- confirmed restatement counts, otherwise the last one before the
-- proposal, unless a correction came after it.
local function proposed_unheard(case)
  local p = case:first("agent.proposed")
  if not p then return false end
  -- A restatement in the same turn as the proposal (same time) counts as
  -- before it, whichever principle's detector ran first.
  local r = case:first("agent.restated")
  if not r or p.t < r.t then return true end
  if not case:has("customer.corrected") then return false end
  for c in case:events("customer.confirmed") do
    if c.t >= r.t and c.t < p.t then return false end
  end
  local restated, corrected = -1, -1
  for e in case:events("agent.restated") do
    if e.t <= p.t then restated = e.t end
  end
  for e in case:events("customer.corrected") do
    if e.t < p.t then corrected = e.t end
  end
  return corrected > restated
end

return principle {
  id = "listen", title = "Listen fully", order = 10,
  why = "Hear the customer out to grasp the real problem, not just the surface symptom.",
  items = {
    { id = "hear_out", must = true,
      prompt = "Let the customer describe the problem in full before you answer.",
      done = function(case) return case:has("customer.said") end },
    { id = "restate", must = true, after = { "hear_out" },
      prompt = "Restate the problem in your own words and get the customer's agreement.",
      done = function(case)
        if not case:has("customer.confirmed") then return false end
        local r = case:first("agent.restated")
        if not r then return false end
        for c in case:events("customer.confirmed") do
          if c.n > r.n then return true end
        end
        return false
      end,
      violated = proposed_unheard },
    { id = "real_problem", must = true, collects = "problem", after = { "restate" },
      prompt = "Find the real problem behind the symptom; note it as the fact 'problem'." },
  },
  detect = {
    { on = "agent.said", unless = "customer.confirmed", fn = function(case, event)
        local s = restates(case, event)
        if s then return "agent.restated", nil, s end
      end },
    -- The customer's next words agree ("yes pls", "correct") or correct
    -- ("No, I just want to see how long they last").
    { on = "customer.said", after = "agent.restated", within = 90, fn = function(case, event)
        local r = case:last("agent.restated")
        for e in case:recent("customer.said", event) do
          if e.n > r.n then return nil end -- not the first reply since
          break
        end
        if talk.confirms(event.text) then return "customer.confirmed" end
        local first = text.words(event.text)[1]
        if first == "no" or first == "nope" then return "customer.corrected" end
      end },
    -- The confirmed restatement is the real problem, unless already noted.
    { on = "customer.said", after = "customer.confirmed", fn = function(case, event)
        if case.facts.problem then return nil end
        local c = case:last("customer.confirmed")
        if c.n > event.n then
          local r = case:last("agent.restated")
          if r then return "fact", { name = "problem" }, r.text end
        end
      end },
  },
}
