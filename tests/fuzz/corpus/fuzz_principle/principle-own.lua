-- Own: take responsibility for the issue until it is resolved; commit to
-- a date; no cold hand-offs.

-- "by tomorrow 10am", "by Friday", "within 48 hours", "less than a week",
-- "within 3-5 business days", "by the end of the week" -> the due phrase.
local due_patterns = {
  "by (tomorrow[%w: ]*)", "by (%a+day[%w: ]*)", "by (%d+[%d:]*%s*[ap]?m?)",
  "(within %d+ ?%- ?%d+ %a+ days)", "(within %d+ ?%- ?%d+ %a+)",
  "(within %d+ to %d+ %a+ days)", "(within %d+ to %d+ %a+)",
  "(within %d+ %a+)", "(in %d+ %a+)", "(less than an? %a+)", "(under an? %a+)",
  "(within the %a+)", "(by the end of the %a+)", "(end of the %a+)",
  "(tomorrow)", "(today)", "(end of day)",
}

-- An agent's promise: "I'll", "you'll have", "we will".
local promising = {
  "i'll", "i will", "you'll have", "you will have", "we'll", "we will",
}

-- The customer asked when: an answer with a time in it is a commitment
-- ("how long till it is refunded?" "less than a week").
local asking_when = {
  "how long", "how much long", "how much time", "how soon", "when will",
  "when can", "when do", "when does", "when is", "when would",
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
        "i'll handle this", "i will handle this",
        -- taking the question on, in plain words
        "i will answer", "i'll answer", "let me help you with",
        "i will indicate", "i'll find out", "i will find out",
        "i'll look into", "i will look into" } },
    -- A commitment is a promise, or the answer to "when?", with a time in it.
    { on = "agent.said", fn = function(case, event)
        local text = event.text and event.text:lower()
        if not text then return nil end
        local due = due_in(text)
        if not due then return nil end
        for _, p in ipairs(promising) do
          if text:find(p, 1, true) then return "agent.committed", { due = due } end
        end
        local q = case:last("customer.said")
        local qt = q and q.text and q.text:lower()
        if not qt then return nil end
        for _, p in ipairs(asking_when) do
          if qt:find(p, 1, true) then return "agent.committed", { due = due } end
        end
      end },
    { on = "agent.said", emit = "case.escalated", pattern = {
        "i'm escalating", "i am escalating", "i've escalated", "i have escalated",
        "i'll escalate", "i will escalate", "escalating this to",
        "let my manager know", "let my supervisor know", "i have notified",
        "i've notified", "passed this to my", "passed it to my",
        "passed this on to my", "passed it on to my" } },
    -- What the agent's system did: "The manager has been notified."
    { on = "agent.action", emit = "case.escalated", pattern = {
        "manager has been notified", "supervisor has been notified",
        "has been escalated", "escalated to" } },
    { on = "customer.said", emit = "case.resolved", pattern = {
        "that fixed it", "it works now", "it's working now", "problem solved",
        "that worked", "that solves it" } },
    -- A question answered: the customer thanks the agent after the answer,
    -- or says there is nothing else.
    { on = "customer.said", emit = "case.resolved", after = "agent.proposed", pattern = {
        "perfect%W+thank", "great%W*thank", "thanks for your help",
        "thank you for your help", "that helps", "that answers", "that's all",
        "that is all", "nothing else" } },
  },
}
