-- Own: take responsibility for the issue until it is resolved; commit to
-- a date; no cold hand-offs.

local phrases = use "phrases"

-- An agent's promise: "I'll", "you'll have", "we will", "it will arrive".
local promising = {
  "i'll", "i will", "you'll have", "you will have", "we'll", "we will",
  "it'll", "it will",
}

-- The customer asked when: a short answer with a time in it is a
-- commitment ("how much long till it is refunded" - "less than a week").
-- Found in the customer's words as they are (not lowered): "How long",
-- "how much long", "how soon", "When will".
local asking_when = { "ow[%a ]* long", "ow soon", "When ", "when " }

-- The due time of a promise, from the due phrases the engine finds in
-- it (due.find): a deadline ("by Friday noon", "by the end of the
-- week") wherever it is; else the first time frame ("within 3-5
-- business days", "less than a week", "end of day"); else the day it
-- names, today or tomorrow ("I'll call you tomorrow morning" is due
-- tomorrow; follow_up schedules the call itself).  A weekday or an hour
-- without "by" says when something happens, not a date it is due by.
local function due_of(text)
  local frame, day
  local d = due.find(text)
  while d do
    if d.by then return d.text end
    if d.kind == "span" or d.kind == "end" then
      frame = frame or d.text
    elseif d.kind == "day" then
      day = day or d.text:match("^%a+")
    end
    d = due.find(text, d.last + 1)
  end
  return frame or day
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
      -- Not for a question answered in the call with nothing left to
      -- happen (follow_up's customer.verified answer="yes").
      applies = function(case)
        if not case:has("customer.verified") then return true end
        local v = case:last("customer.verified")
        return v.attr.answer ~= "yes" or case:has("agent.committed")
      end,
      done = function(case)
        if not case:has("agent.committed") then return false end
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
    -- A commitment is a promise with a time in it ...
    { on = "agent.said", pattern = promising, fn = function(case, event)
        local when = due_of(event.text)
        if when then return "agent.committed", { due = when } end
      end },
    -- ... or a short answer with a time in it to the customer's "when?".
    { on = "agent.said", fn = function(case, event)
        local text = event.text
        if not text or #text > 40
           or phrases.found(text:lower(), promising, true) then
          return nil
        end
        local q = case:last("customer.said")
        if not (q and q.text and phrases.found(q.text, asking_when)) then
          return nil
        end
        local when = due_of(text)
        if when then return "agent.committed", { due = when } end
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
    { on = "customer.said", emit = "case.resolved", pattern = phrases.fix_works },
    -- A question answered: the customer thanks the agent after the answer,
    -- or says there is nothing else.
    { on = "customer.said", emit = "case.resolved", after = "agent.proposed",
      pattern = phrases.thanks },
  },
}
