-- Follow up: make sure the fix actually worked.
--
-- Applies once something was done that needs verifying: an escalation, or
-- a resolution the customer did not confirm working during the call
-- (customer.verified: "it works now", detected below).

local function needs_follow_up(case)
  if case:has("case.escalated") then return true end
  return case:has("case.resolved") and not case:has("customer.verified")
end

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
    { on = "customer.said", emit = "customer.verified", pattern = {
        "that fixed it", "it works now", "it's working now", "working again",
        "problem solved", "that worked", "that solves it" } },
    -- "I'll call you back tomorrow at 10" -> followup.scheduled due=...
    -- The due time is read after the promise, not anywhere in the turn.
    { on = "agent.said", fn = function(case, event)
        local text = event.text and event.text:lower() or ""
        for _, p in ipairs(promises) do
          local _, stop = text:find(p, 1, true)
          if stop then
            local rest = text:sub(stop + 1)
            local due = rest:match("(tomorrow[%w: ]*)") or rest:match("(%a+day[%w: ]*)")
                        or rest:match("(in %d+ %a+)") or rest:match("(within %d+ %a+)")
            if due then return "followup.scheduled", { due = (due:gsub("%s+$", "")) } end
          end
        end
      end },
  },
}
