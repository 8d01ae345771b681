-- Follow up: make sure the fix actually worked.
--
-- Applies once something was done that needs verifying: an escalation, or
-- a resolution the customer did not confirm working during the call
-- (customer.verified: "it works now", detected below).

local phrases = use "phrases"

local function needs_follow_up(case)
  if case:has("case.escalated") then return true end
  return case:has("case.resolved") and not case:has("customer.verified")
end

-- An answer that leaves something still to happen: a refund on its way
-- is verified when it arrives, not when the customer says thanks.
local pending = {
  "in progress", "being processed", "will be refunded", "will be credited",
  "will arrive", "will be sent", "on its way",
}

local promises = {
  "i'll call you", "i will call you", "i'll follow up", "i will follow up",
  "i'll check in", "i will check in", "i'll get back to you",
  "i will get back to you", "i'll email you", "i will email you",
}

return principle {
  id = "follow_up", title = "Follow up", order = 50,
  why = "A fix is only a fix once the customer has it working.",
  applies = needs_follow_up,
  items = {
    { id = "schedule", must = true,
      prompt = "Schedule a follow-up with the customer, with a date.",
      done = function(case)
        for e in case:events("followup.scheduled") do
          if e.attr.due then return true end
        end
        return false
      end },
    { id = "verify", must = true, after = { "schedule" },
      prompt = function(case)
        local last = case:last("followup.done")
        if last and last.attr.outcome == "not_fixed" then
          return "The last follow-up found it still broken: fix it, then follow up again."
        end
        return "Follow up and confirm the fix worked."
      end,
      done = function(case)
        for e in case:events("followup.done") do
          if e.attr.outcome == "fixed" then return true end
        end
        return false
      end },
  },
  detect = {
    { on = "customer.said", emit = "customer.verified", pattern = phrases.fix_works },
    -- A question answered to the customer's content: thanks after a
    -- proposal ("Perfect. Thanks", "that's all": own counts the case
    -- resolved), with nothing left to happen (no commitment, escalation,
    -- follow-up or pending answer) is verified in the call.  Marked
    -- answer="yes": own.commit does not apply then.
    { on = "customer.said", pattern = phrases.thanks, fn = function(case, event)
        if not case:has("agent.proposed") or case:has("customer.verified")
           or case:has("agent.committed") or case:has("case.escalated")
           or case:has("followup.scheduled") then
          return nil
        end
        local answer = case:last("agent.proposed").text
        if answer and phrases.found(answer:lower(), pending, true) then return nil end
        return "customer.verified", { answer = "yes" }
      end },
    -- "I'll call you back tomorrow at 10" -> followup.scheduled due=...
    -- The due time is the first the engine finds after the promise
    -- (due.find), not anywhere in the turn.
    { on = "agent.said", pattern = promises, fn = function(case, event)
        local text = event.text:lower()
        for _, p in ipairs(promises) do
          local _, stop = text:find(p, 1, true)
          if stop then
            local d = due.find(text, stop + 1)
            if d then return "followup.scheduled", { due = d.text } end
          end
        end
      end },
  },
}
