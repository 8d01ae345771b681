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
  "just to make sure i", "just to clarify", "so you want", "so you'd like",
  "so you would like",
}

-- "Yes, exactly", "that's right": a confirmation, unless the reply starts
-- with "no" ("No, I just want to see how long they last" corrects the
-- restatement).  The phrases found anywhere are written three ways so a
-- plain pattern detector can say that: at the start, after a first word
-- that does not start with "n", or after one that starts with "n" but not
-- "no".
local confirming = {
  "^%W*yes", "^%W*yeah", "^%W*yep", "^%W*right", "^%W*correct",
}
for _, p in ipairs({ "exactly", "that's right", "that is right", "that's correct", "that's it" }) do
  confirming[#confirming + 1] = "^%W*" .. p
  confirming[#confirming + 1] = "^%W*[^%Wn].-" .. p
  confirming[#confirming + 1] = "^%W*n[^%Wo].-" .. p
end

-- Was the problem restated before the first proposal?  A restatement the
-- customer corrected ("No, ...") and did not confirm does not count: a
-- confirmed restatement counts, otherwise the last one before the
-- proposal, unless a correction came after it.
local function proposed_unheard(case)
  if not case:has("agent.proposed") then return false end
  if case:before("agent.proposed", "agent.restated") then return true end
  if not case:has("customer.corrected") then return false end
  local p = case:first("agent.proposed")
  local r = case:first("agent.restated")
  for c in case:events("customer.confirmed") do
    if c.n > r.n and c.n < p.n then return false end
  end
  local restated, corrected = 0, 0
  for e in case:events("agent.restated") do
    if e.n < p.n then restated = e.n end
  end
  for e in case:events("customer.corrected") do
    if e.n < p.n then corrected = e.n end
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
    { on = "agent.said", pattern = restating, emit = "agent.restated" },
    { on = "customer.said", pattern = confirming, emit = "customer.confirmed", within = 60 },
    -- "No, I just want to see how long they last": the guess was wrong.
    { on = "customer.said", pattern = { "^%W*no%f[%W]", "^%W*nope" },
      emit = "customer.corrected", after = "agent.restated", within = 60 },
    -- The confirmed restatement is the real problem, unless already noted.
    { on = "customer.said", fn = function(case, event)
        if not case:has("customer.confirmed") or case.facts.problem then return nil end
        local c = case:last("customer.confirmed")
        if c.n > event.n then
          local r = case:last("agent.restated")
          if r then return "fact", { name = "problem" }, r.text end
        end
      end },
  },
}
