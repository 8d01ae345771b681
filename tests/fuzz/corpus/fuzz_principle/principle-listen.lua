-- Listen: hear the customer out fully; grasp the real problem, not just
-- the surface symptom.
--
-- The real problem is what the customer agrees to when the agent restates
-- it, so a confirmed restatement also records the fact `problem`.

local restating = {
  "so what i'm hearing", "so what i am hearing", "just to confirm",
  "if i understand", "let me make sure i understand", "so you're saying",
  "so you are saying", "to make sure i have this right",
  "just so i understand", "let me repeat", "so to summari[sz]e",
  "if i've got this right", "am i right that",
  -- checking the problem by question: "just to verify you already tried
  -- the code?", but not "just to verify your identity"
  "just to verify [^y]", "just to verify you%f[%W]", "just to verify,",
  "let me verify [^y]", "let me verify you%f[%W]", "let me verify,",
  "just to make sure i",
}

local confirming = {
  "^%W*yes", "^%W*yeah", "^%W*yep", "^%W*right", "^%W*correct", "exactly",
  "that's right", "that is right", "that's correct", "that's it",
}

-- "No, I just want to ..." answers a restatement by correcting it.
local function is_no(text)
  return text:find("^%W*no%f[%W]") ~= nil or text:find("^%W*nope") ~= nil
end

-- The restatement this customer utterance answers: the last
-- agent.restated, at most 60 s before, that the customer has not
-- answered yet.  nil when there is none.
local function answers_restatement(case, event)
  local r = case:last("agent.restated")
  if not r or event.t - r.t > 60 then return nil end
  local c = case:last("customer.confirmed")
  if c and c.n > r.n then return nil end
  c = case:last("customer.corrected")
  if c and c.n > r.n then return nil end
  return r
end

-- "Yes, exactly": the restatement it confirms, or nil.  A reply that
-- starts with "no" confirms nothing, whatever follows.
local function confirms_restatement(case, event)
  local text = event.text and event.text:lower()
  if not text or is_no(text) then return nil end
  for _, p in ipairs(confirming) do
    if text:find(p) then return answers_restatement(case, event) end
  end
  return nil
end

-- Was the problem restated before the first proposal?  A restatement the
-- customer corrected ("No, ...") does not count.
local function proposed_unheard(case)
  local p = case:first("agent.proposed")
  if not p then return false end
  local r = case:first("agent.restated")
  if not r or r.n > p.n then return true end
  if not case:has("customer.corrected") then return false end
  local restated, corrected = 0, 0
  for e in case:events("agent.restated") do
    if e.n > p.n then break end
    restated = restated + 1
  end
  for e in case:events("customer.corrected") do
    if e.n > p.n then break end
    corrected = corrected + 1
  end
  return corrected >= restated
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
    { on = "agent.said", pattern = restating, emit = "agent.restated" },
    { on = "customer.said", fn = function(case, event)
        if confirms_restatement(case, event) then return "customer.confirmed" end
      end },
    -- "No, I just want to see how long they last": the guess was wrong.
    { on = "customer.said", fn = function(case, event)
        local text = event.text and event.text:lower()
        if text and is_no(text) and answers_restatement(case, event) then
          return "customer.corrected"
        end
      end },
    -- The confirmed restatement is the real problem, unless already noted.
    { on = "customer.said", fn = function(case, event)
        if case.facts.problem then return nil end
        local c = case:last("customer.confirmed")
        if c and c.n > event.n then
          local r = case:last("agent.restated")
          if r then return "fact", { name = "problem" }, r.text end
        end
      end },
  },
}
