-- Follow up: make sure the fix actually worked.
--
-- Applies once something was done that needs verifying: an escalation, or
-- a resolution the customer did not confirm working during the call
-- (customer.verified: "it works now", detected below).

local phrases = use "phrases"
local talk = use "talk"
local text = talk.text

local function needs_follow_up(case)
  if case:has("case.escalated") or case:has("case.pending") then return true end
  -- a fix recorded as done, not yet seen working by the customer
  for e in case:events("case.resolved") do
    if not e.detected then return not case:has("customer.verified") end
  end
  return false
end

-- The agent promises to come back: "I'll call you tomorrow at 10",
-- "I'll message you here on Friday".
local promising = {
  "i will call|message|email|text|contact|ring|phone|check|follow|write",
  "i will get back", "i will reach out", "we will call|message|email|text|contact|check|follow",
}

return principle {
  id = "follow_up", title = "Follow up", order = 50,
  why = "A fix is only a fix once the customer has it working.",
  applies = needs_follow_up,
  items = {
    -- later: both can happen after the call; the case stays open until
    -- they are done (or skipped)
    { id = "schedule", must = true, later = true,
      prompt = "Schedule a follow-up with the customer, with a date.",
      done = function(case)
        for e in case:events("followup.scheduled") do
          if e.attr.due then return true end
        end
        return false
      end },
    { id = "verify", must = true, later = true, after = { "schedule" },
      prompt = function(case)
        local last = case:last("followup.done")
        if last and last.attr.outcome == "not_fixed" then
          return "The last follow-up found it still broken: fix it, then follow up again."
        end
        return "Follow up and confirm the fix worked."
      end,
      -- a follow-up found it fixed, or the customer said it works after
      -- one was set
      done = function(case)
        for e in case:events("followup.done") do
          if e.attr.outcome == "fixed" then return true end
        end
        local s = case:first("followup.scheduled")
        local v = case:last("customer.verified")
        return s ~= nil and v ~= nil and v.n > s.n
      end },
  },
  detect = {
    { on = "customer.said", emit = "customer.verified", pattern = phrases.fix_works },
    -- "I'll call you back tomorrow at 10" -> followup.scheduled due=...
    -- The due time is the first the engine finds after the promise
    -- (due.find), not anywhere in the turn.
    { on = "agent.said", words = promising, fn = function(case, event)
        for _, sen in ipairs(talk.sentences(event.text)) do
          if not talk.opens_question(sen) and text.has(sen, promising, 2) then
            local d = due.find(sen)
            if d then return "followup.scheduled", { due = d.text }, sen end
          end
        end
      end },
  },
}
