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
}

local confirming = {
  "^%W*yes", "^%W*yeah", "^%W*yep", "^%W*right", "^%W*correct", "exactly",
  "that's right", "that is right", "that's correct", "that's it",
}

-- Was this utterance a confirmation of a restatement made just before?
local function confirms_restatement(case, event)
  local r = case:last("agent.restated")
  if not r or event.t - r.t > 60 then return nil end
  for _, p in ipairs(confirming) do
    if event.text and event.text:lower():find(p) then return r end
  end
  return nil
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
      violated = function(case) return case:before("agent.proposed", "agent.restated") end },
    { id = "real_problem", must = true, collects = "problem", after = { "restate" },
      prompt = "Find the real problem behind the symptom; note it as the fact 'problem'." },
  },
  detect = {
    { on = "agent.said", pattern = restating, emit = "agent.restated" },
    { on = "customer.said", pattern = confirming, emit = "customer.confirmed", within = 60 },
    -- The confirmed restatement is the real problem, unless already noted.
    { on = "customer.said", fn = function(case, event)
        if case.facts.problem then return nil end
        local r = confirms_restatement(case, event)
        if r then return "fact", { name = "problem" }, r.text end
      end },
  },
}
