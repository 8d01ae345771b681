-- Ask: targeted questions for the essential facts; never ask for what
-- you already know.
--
-- Which facts a case needs depends on its topic: that map is data, below.
-- Each needed fact gets its own item, named after the fact, done as soon
-- as the fact is known (from the case file or a `fact` event).

local phrases = use "phrases"

local needs = {
  delivery            = { "order_id", "delivery_address" },
  returns             = { "order_id", "return_reason" },
  billing             = { "account_id", "invoice_id" },
  refund              = { "order_id", "refund_reason" },
  account_access      = { "account_id", "identity_verified" },
  technical           = { "product", "error_message", "steps_tried" },
  medical_appointment = { "patient_name", "date_of_birth", "urgency" },
  default             = { "account_id" },
}

-- Finer needs for some requests within a topic.  An imported ABCD chat
-- carries the customer's request as the facts abcd_flow and abcd_subflow
-- (case file facts).  For a case of the row's topic, the first row whose
-- fact starts with the row's value wins.
local requests = {
  -- looking up a refund that exists: its order, not why it was asked for
  { topic = "refund", fact = "abcd_subflow", starts = "refund_status",
    needs = { "order_id" } },
  -- a question about the store's rules or about one product: nothing to
  -- look up
  { topic = "default", fact = "abcd_flow", starts = "storewide_query",
    needs = {} },
  { topic = "default", fact = "abcd_flow", starts = "single_item_query",
    needs = {} },
}

-- How agents ask for a fact, and how customers give it, in plain words.
-- Lists, not maps: the first match wins, so the order must be fixed.
-- Only the facts the case needs are looked for: "may I have your name"
-- is not a patient's name in a returns chat.
local asking = {
  { fact = "order_id", said = { "order id", "order number" } },
  { fact = "delivery_address", said = { "address" } },
  { fact = "return_reason", said = { "reason for the return", "why .* return" } },
  { fact = "account_id", said = { "account id", "account number", "username" } },
  { fact = "invoice_id", said = { "invoice number", "invoice id" } },
  { fact = "refund_reason", said = { "reason for the refund" } },
  { fact = "identity_verified", said = { "verify your identity", "security question" } },
  { fact = "product", said = { "which product", "what device", "which model" } },
  { fact = "error_message", said = { "error message", "what does the error say" } },
  { fact = "steps_tried", said = { "what have you tried", "have you tried" } },
  { fact = "patient_name", said = { "patient's name", "your full name", "your name" } },
  { fact = "date_of_birth", said = { "date of birth", "birth date" } },
  { fact = "urgency", said = { "how urgent", "how soon", "in pain", "emergency" } },
}

-- Every way of asking, whatever the fact: the asking detector runs only
-- on what matches one.
local any_asking = {}
for _, a in ipairs(asking) do
  for _, p in ipairs(a.said) do any_asking[#any_asking + 1] = p end
end

-- Chat agents often ask without a question mark: "would you give me your
-- account ID", "please provide the order number".  Plain phrases.
local requesting = {
  "would you give me", "you would give me", "could you give me",
  "can you give me", "please give me", "may i have", "can i have",
  "could i have", "can i get", "could i get", "can you provide",
  "could you provide", "would you provide", "please provide",
  "please send me", "i'd just need your", "i just need your",
  "i'll need your", "i will need your", "i need your",
}

local giving = {
  { fact = "order_id", pattern = "order ?i?d?:? *#?(%d[%w%-]+)" },
  { fact = "order_id", pattern = "order number:? *#?(%w[%w%-]+)" },
  { fact = "account_id", pattern = "username is ([%w_%.%-]+)" },
  { fact = "account_id", pattern = "username:? *([%w_%.%-]+)" },
  { fact = "invoice_id", pattern = "invoice n?u?m?b?e?r?:? *#?(%a*%-?%d[%w%-]*)" },
}

-- Replies that answer nothing: the customer asks back, says no or does
-- not know.
local not_answers = {
  "^%W*no%f[%W]", "^%W*nope", "don't know", "dont know", "do not know",
  "not sure", "no idea", "one moment", "one sec", "just a moment",
  "hold on", "let me check", "let me look", "^%W*ok%W*$", "^%W*okay%W*$",
  "^%W*sure%W*$", "^%W*yes%W*$", "^%W*thanks?%W*$",
}

-- A bare reply as the value of the fact asked for, or nil when it does
-- not look like one.  Identifiers need digits; an e-mail address is not
-- an order number.
local function answer_value(fact, text)
  if fact == "order_id" or fact == "invoice_id" then
    if text:find("@", 1, true) then return nil end
    return text:match("%f[%w]([%w%-]*%d%d%d[%w%-]*)")
  elseif fact == "account_id" then
    return text:match("^%s*([%w_%.%-]+)[%s%.!]*$")
  end
  local v = text:match("^%s*(.-)%s*$")
  if #v < 2 or #v > 300 then return nil end
  return v
end

-- The facts a case needs: its request's (see `requests`), else its
-- topic's.
local function needed(case)
  local topic = needs[case.topic] and case.topic or "default"
  for _, r in ipairs(requests) do
    if r.topic == topic then
      local v = case.facts[r.fact]
      if v and v:sub(1, #r.starts) == r.starts then return r.needs end
    end
  end
  return needs[topic]
end

-- For each list of needed facts, made once at load: the same as a set,
-- and the asking rows of just those facts, in `asking` order.
local plans = {}
local function plan(list)
  local set, asks = {}, {}
  for _, f in ipairs(list) do set[f] = true end
  for _, a in ipairs(asking) do
    if set[a.fact] then asks[#asks + 1] = a end
  end
  plans[list] = { set = set, asking = asks }
end
for _, facts in pairs(needs) do plan(facts) end
for _, r in ipairs(requests) do plan(r.needs) end

local function missing(case)
  local out = {}
  for _, f in ipairs(needed(case)) do
    if not case.facts[f] then out[#out + 1] = f:gsub("_", " ") end
  end
  return out
end

local items = {
  { id = "essentials", must = true,
    prompt = function(case)
      return "Ask for what this case still needs: " .. table.concat(missing(case), ", ") .. "."
    end,
    done = function(case) return #missing(case) == 0 end },
}

-- One item per fact any topic needs; it applies when this case needs it.
local seen = {}
for _, facts in pairs(needs) do
  for _, f in ipairs(facts) do seen[f] = true end
end
local names = {}
for f in pairs(seen) do names[#names + 1] = f end
table.sort(names)
for _, f in ipairs(names) do
  items[#items + 1] = {
    id = f, collects = f,
    applies = function(case) return plans[needed(case)].set[f] == true end,
  }
end

items[#items + 1] = {
  id = "no_repeat",
  prompt = "Don't ask for what the customer has already told you.",
  done = function(case) return true end,
  -- Checked after every event and latched once true, so only the newest
  -- question needs looking at.
  violated = function(case)
    local e = case:last("agent.asked")
    local f = e and e.attr.fact
    return f ~= nil and case:known(f, e) ~= nil
  end,
}

return principle {
  id = "ask", title = "Ask targeted questions", order = 20,
  why = "Get the essential facts with targeted questions; never ask for what you already know.",
  items = items,
  detect = {
    -- "Could I have your order number?", "please provide the order ID"
    -- -> agent.asked fact=order_id, for the facts this case needs.
    { on = "agent.said", pattern = any_asking, fn = function(case, event)
        local text = event.text:lower()
        for _, a in ipairs(plans[needed(case)].asking) do
          if phrases.found(text, a.said) then
            if text:find("?", 1, true) or phrases.found(text, requesting, true) then
              return "agent.asked", { fact = a.fact }
            end
            return nil
          end
        end
      end },
    -- "Order ID: 3348917502" -> fact order_id.  Otherwise a bare reply
    -- right after the question ("I got the wrong size." after "may I ask
    -- the reason for the return?") -> the fact asked for: the last
    -- agent.asked, at most 60 s before, when the fact is still unknown and
    -- the agent has not moved on since (a short "please" is not moving on).
    { on = "customer.said", fn = function(case, event)
        local text = event.text
        if not text then return nil end
        local low = text:lower()
        local labelled = false
        for _, g in ipairs(giving) do
          local v = low:match(g.pattern)
          if v then
            if not case.facts[g.fact] then return "fact", { name = g.fact }, v end
            labelled = true
          end
        end
        if labelled then return nil end
        local a = case:last("agent.asked")
        if not a or event.t - a.t > 60 then return nil end
        local f = a.attr.fact
        if not f or case.facts[f] then return nil end
        local s = case:last("agent.said")
        if s and s.n > a.n and s.text
           and (#s.text > 20 or s.text:find("?", 1, true)) then
          return nil
        end
        if low:find("?", 1, true) or phrases.found(low, not_answers) then return nil end
        local v = answer_value(f, text)
        if v then return "fact", { name = f }, v end
      end },
  },
}
