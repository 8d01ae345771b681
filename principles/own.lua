-- Own: take responsibility for the issue until it is resolved; commit to
-- a date; no cold hand-offs.

local phrases = use "phrases"
local talk = use "talk"
local text = talk.text

-- An agent's promise: something will happen, whoever does it ("I'll",
-- "we will", "an automated message will call you").
local promising = { "'ll ", " will ", "shall ", "going to " }

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

local escalating = {
  "escalate", "flag manager|supervisor|review", "let my manager|supervisor know",
  "notify manager|supervisor", "manager|supervisor has|have been notified",
  "pass to my|a manager|supervisor|specialist|team", "transfer to specialist|team",
}


-- What is left: money, goods or a review (case.pending, followed up),
-- or only a message on its way (case.message_pending: a code, a label).
local function pending_type(s)
  if text.has(s, { "label", "code", "link", "email", "confirmation", "password", "message" }, 0) then
    return "case.message_pending"
  end
  return "case.pending"
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
      -- Not when the problem was solved in the call and nothing is left
      -- to happen after it (nothing pending, no escalation).
      applies = function(case)
        return not case:has("case.resolved") or case:has("case.pending")
          or case:has("case.message_pending") or case:has("case.escalated")
          or case:has("agent.committed")
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
    -- later: a call that ends with neither leaves the case open for the
    -- next contact
    { id = "resolve_or_escalate", must = true, later = true,
      prompt = "Resolve the issue, or escalate it to someone who can.",
      done = function(case) return case:has("case.resolved") or case:has("case.escalated") end },
  },
  detect = {
    -- "I can look into that for you", "let me check", "happy to help":
    -- said, not asked ("How can I help you?" is a greeting).
    -- Once is enough: `unless` stops a detector once its event is in the
    -- case.  The words guard each function: it runs only where one is
    -- said.
    { on = "agent.said", words = talk.owning, gap = 2, unless = "agent.owned", fn = function(case, event)
        for _, sen in ipairs(talk.sentences(event.text)) do
          if not talk.opens_question(sen) and talk.owns(sen) then
            return "agent.owned", nil, sen
          end
        end
      end },
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
    -- "I will escalate this", "I will flag the account for a manager to
    -- review", "let my supervisor know": handed to someone who can.
    { on = "agent.said", words = escalating, gap = 4, unless = "case.escalated", fn = function(case, event)
        for _, sen in ipairs(talk.sentences(event.text)) do
          -- "I can escalate to my manager if you'd like" only offers
          if not talk.opens_question(sen) and text.has(sen, escalating, 4)
             and not text.has(sen, { "if you", "would you like", "do you want" }, 1) then
            return "case.escalated", nil, sen
          end
        end
      end },
    -- What the agent's system did: "The manager has been notified."
    { on = "agent.action", emit = "case.escalated", pattern = {
        "manager has been notified", "supervisor has been notified",
        "has been escalated", "escalated to" } },
    -- Something left to happen after the call: money or goods on their
    -- way, a message to come, someone else's review.  follow_up follows
    -- up on all but messages.
    { on = "agent.said", words = talk.pending_words, gap = 1, unless = "case.pending", fn = function(case, event)
        for _, sen in ipairs(talk.sentences(event.text)) do
          if not talk.opens_question(sen) and talk.pending(sen) then
            return pending_type(sen), nil, sen
          end
        end
      end },
    { on = "agent.action", words = "refund|credit|purchase|order|shipment be|has|have|was|were made|issue|place|submit|sent",
      fn = function(case, event) return pending_type(event.text) end },
    { on = "customer.said", emit = "case.resolved", pattern = phrases.fix_works },
    -- A question answered or a fix done: after a proposal the customer
    -- thanks the agent or says there is nothing else.
    { on = "customer.said", after = "agent.proposed", unless = "case.resolved", fn = function(case, event)
        if talk.closing(event.text) then
          return "case.resolved"
        end
      end },
  },
}
