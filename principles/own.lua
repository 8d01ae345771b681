-- Own: take responsibility for the issue until it is resolved; commit to
-- a date; no cold hand-offs.

-- "by tomorrow 10am", "by Friday", "within 48 hours" -> the due phrase.
local due_patterns = {
  "by (tomorrow[%w: ]*)", "by (%a+day[%w: ]*)", "by (%d+[%d:]*%s*[ap]?m?)",
  "(within %d+ %a+)", "(in %d+ %a+)", "(tomorrow)", "(today)", "(end of day)",
}

local function due_in(text)
  text = text:lower()
  for _, p in ipairs(due_patterns) do
    local due = text:match(p)
    if due then return (due:gsub("%s+$", "")) end
  end
  return nil
end

return principle {
  id = "own", title = "Own it until it is fixed", order = 40,
  why = "Take responsibility until the issue is resolved, commit to a date, and never hand off cold.",
  items = {
    { id = "take_ownership", must = true,
      prompt = "Take ownership: tell the customer you will see this through.",
      done = function(case) return case:has("agent.owned") end },
    { id = "commit", must = true, after = { "take_ownership" },
      prompt = "Commit to what happens next, with a date or time.",
      done = function(case)
        for e in case:events("agent.committed") do
          if e.attr.due then return true end
        end
        return false
      end },
    { id = "no_cold_handoff",
      prompt = "If you transfer, introduce the case to the colleague first (warm transfer).",
      applies = function(case) return case:has("case.transferred") end,
      done = function(case) return true end,
      violated = function(case)
        for e in case:events("case.transferred") do
          if e.attr.warm == "no" then return true end
        end
        return false
      end },
    { id = "resolve_or_escalate", must = true,
      prompt = "Resolve the issue, or escalate it to someone who can.",
      done = function(case) return case:has("case.resolved") or case:has("case.escalated") end },
  },
  detect = {
    { on = "agent.said", emit = "agent.owned", pattern = {
        "i'll make sure", "i will make sure", "i will personally",
        "i'll personally", "i'll take care of", "i will take care of",
        "leave it with me", "i'll own", "i'm going to handle",
        "i'll see this through", "i will see this through",
        "i'll handle this", "i will handle this" } },
    -- A commitment is an owned promise with a time in it.
    { on = "agent.said", fn = function(case, event)
        local text = event.text and event.text:lower() or ""
        if not (text:find("i'll") or text:find("i will") or text:find("you'll have")
                or text:find("you will have") or text:find("we'll") or text:find("we will")) then
          return nil
        end
        local due = due_in(text)
        if due then return "agent.committed", { due = due } end
      end },
    { on = "agent.said", emit = "case.escalated", pattern = {
        "i'm escalating", "i am escalating", "i've escalated", "i have escalated",
        "i'll escalate", "i will escalate", "escalating this to" } },
    { on = "customer.said", emit = "case.resolved", pattern = {
        "that fixed it", "it works now", "it's working now", "problem solved",
        "that worked", "that solves it" } },
  },
}
