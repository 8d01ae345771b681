-- Ask: targeted questions for the essential facts; never ask for what
-- you already know.
--
-- Which facts a case needs depends on its topic: that map is data, below.
-- Each needed fact gets its own item, named after the fact, done as soon
-- as the fact is known (from the case file or a `fact` event).

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

-- How agents ask for a fact, and how customers give it, in plain words.
-- Lists, not maps: the first match wins, so the order must be fixed.
local asking = {
  { "order_id", { "order id", "order number" } },
  { "delivery_address", { "address" } },
  { "return_reason", { "reason for the return", "why .* return" } },
  { "account_id", { "account id", "account number", "username" } },
  { "invoice_id", { "invoice number", "invoice id" } },
  { "refund_reason", { "reason for the refund" } },
  { "identity_verified", { "verify your identity", "security question" } },
  { "product", { "which product", "what device", "which model" } },
  { "error_message", { "error message", "what does the error say" } },
  { "steps_tried", { "what have you tried", "have you tried" } },
  { "patient_name", { "patient's name", "your full name", "your name" } },
  { "date_of_birth", { "date of birth", "birth date" } },
  { "urgency", { "how urgent", "how soon", "in pain", "emergency" } },
}

local giving = {
  { "order_id", "order ?i?d?:? *#?(%d[%w%-]+)" },
  { "order_id", "order number:? *#?(%w[%w%-]+)" },
  { "account_id", "username is ([%w_%.%-]+)" },
  { "account_id", "username:? *([%w_%.%-]+)" },
  { "invoice_id", "invoice n?u?m?b?e?r?:? *#?(%a*%-?%d[%w%-]*)" },
}

local function needed(case)
  return needs[case.topic or "default"] or needs.default
end

-- The same as sets: `applies` asks this for every fact item on every event.
local needs_set = {}
for topic, facts in pairs(needs) do
  needs_set[topic] = {}
  for _, f in ipairs(facts) do needs_set[topic][f] = true end
end

-- The set for a case, remembered per case object: `applies` runs for
-- every fact item after every event, and the topic never changes.
local set_of = setmetatable({}, { __mode = "k" })

local function needs_fact(case, fact)
  local set = set_of[case]
  if not set then
    set = needs_set[case.topic or "default"] or needs_set.default
    set_of[case] = set
  end
  return set[fact] == true
end

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

-- One item per fact any topic needs; it applies when this topic needs it.
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
    applies = function(case) return needs_fact(case, f) end,
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
    -- "Could I have your order number?" -> agent.asked fact=order_id
    { on = "agent.said", fn = function(case, event)
        local text = event.text and event.text:lower()
        if not text or not text:find("?", 1, true) then return nil end
        for _, a in ipairs(asking) do
          for _, p in ipairs(a[2]) do
            if text:find(p) then return "agent.asked", { fact = a[1] } end
          end
        end
      end },
    -- "Order ID: 3348917502" -> fact order_id
    { on = "customer.said", fn = function(case, event)
        local text = event.text and event.text:lower()
        if not text then return nil end
        for _, g in ipairs(giving) do
          local v = text:match(g[2])
          if v and not case.facts[g[1]] then return "fact", { name = g[1] }, v end
        end
      end },
  },
}
