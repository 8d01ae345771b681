-- Ask: targeted questions for the essential facts; never ask for what
-- you already know.
--
-- Which facts a case needs depends on its topic, and for some requests on
-- the request: that map is data, below.  Each needed fact gets its own
-- item, named after the fact, done as soon as the fact is known: from the
-- case file, a `fact` event, a labelled value ("my order id is 48..."),
-- a bare answer to the question just asked ("LTKOYPMLPU"), what the
-- customer volunteers ("because it came in the wrong colour"), or the
-- agent's own system ("Account has been pulled up").

local talk = use "talk"
local text = talk.text

-- A fact marked "?" is needed only once someone in the call names it,
-- or it is known: an invoice number where the business uses invoices.
local needs = {
  delivery            = { "order_id", "delivery_address" },
  returns             = { "order_id", "return_reason" },
  billing             = { "account_id", "invoice_id?" },
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
  -- the store's rules: nothing to look up; one product: that product
  { topic = "default", fact = "abcd_flow", starts = "storewide_query",
    needs = {} },
  { topic = "default", fact = "abcd_flow", starts = "single_item_query",
    needs = { "product" } },
  -- an extension or a change to an order depends on the membership level
  { topic = "billing", fact = "abcd_subflow", starts = "manage_extension",
    needs = { "account_id", "membership_level", "invoice_id?" } },
  { topic = "billing", fact = "abcd_subflow", starts = "manage_create",
    needs = { "account_id", "order_id", "membership_level", "invoice_id?" } },
}

-- Each fact: the forms it is asked for and labelled in (`forms`: "my
-- order id is ...", "could I have your order number?"; a form is a
-- phrase), what a bare answer looks like (`shape`: "id" wants digits or
-- an ALL-CAPS code, "secret" a name or digits, "any" any answer), and
-- the system actions that obtain it; `labels` are more forms a value
-- may follow but that do not ask ("my account is I8XK8HYWND").  A form the customer gave is not
-- asked again; another form of the same fact may be ("your username?",
-- then "and your account ID?"; "your zip code?", then "and your PIN?").
local facts = {
  order_id = { forms = { "order id|number|no" }, labels = { "order" }, shape = "id" },
  delivery_address = { forms = { "address" }, shape = "any" },
  return_reason = { forms = { "reason return", "why return" }, shape = "any", reason = true },
  refund_reason = { forms = { "reason refund", "why refund" }, shape = "any", reason = true },
  account_id = { forms = { "account id|number", "username", "user name", "user id" },
    labels = { "account" },
    shape = "id", actions = { "account has been pulled" } },
  invoice_id = { forms = { "invoice number|id", "invoice" }, shape = "id" },
  identity_verified = {
    forms = { "pin", "security question|answer", "secret question|answer", "maiden name",
              "zip code", "zip", "verify your", "validate" },
    shape = "secret",
    actions = { "identity verification", "verification in progress", "verified" } },
  product = { forms = { "which|what product|item|model|device" }, shape = "any", named = true },
  error_message = { forms = { "error message", "error say" }, shape = "any" },
  steps_tried = { forms = { "what have you try", "have you try" }, shape = "any" },
  patient_name = { forms = { "patient name", "your full name", "your name" }, shape = "any" },
  date_of_birth = { forms = { "date of birth", "birth date" }, shape = "any" },
  urgency = { forms = { "how urgent", "how soon", "in pain", "emergency" }, shape = "any" },
  membership_level = { forms = { "membership" }, shape = "any" },
}

-- The forms of fact f that sentence s names, as one string ("" if none).
local function forms_in(f, s)
  local forms = facts[f].forms
  if not text.has(s, forms, 2) then return "" end -- one look, mostly
  local out = {}
  for _, form in ipairs(forms) do
    if text.has(s, form, 2) then out[#out + 1] = form end
  end
  return table.concat(out, ";")
end

-- The facts a case needs: its request's (see `requests`), else its
-- topic's.  The list, with "?" facts, is filtered in `needed`.
local function listed(case)
  local topic = needs[case.topic] and case.topic or "default"
  for _, r in ipairs(requests) do
    if r.topic == topic then
      local v = case.facts[r.fact]
      if v and v:sub(1, #r.starts) == r.starts then return r.needs end
    end
  end
  return needs[topic]
end

-- The keys of t, sorted: tables built from them keep one order.
local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks)
  return ks
end

-- Every form of every fact: a sentence that names none asks for none
-- (they guard the detector of questions, and are read once for its
-- look at each sentence).
local any_form = {}
for _, name in ipairs(sorted_keys(facts)) do
  for _, form in ipairs(facts[name].forms) do any_form[#any_form + 1] = form end
end
local any_form_p = text.phrases(any_form)

-- The optional facts of each list ("invoice_id?" -> "invoice_id"), made
-- once: most lists have none, and are their own answer.
local optional, any_optional = {}, {}
local function note_optional(list)
  for _, f in ipairs(list) do
    local name = f:match("^(.-)%?$")
    if name then
      optional[list] = optional[list] or {}
      optional[list][#optional[list] + 1] = name
      any_optional[name] = true
    end
  end
end
for _, list in pairs(needs) do note_optional(list) end
for _, r in ipairs(requests) do note_optional(r.needs) end

-- Every form of an optional fact, and every system action any fact
-- reads: the words that guard their detectors (in a fixed order).
local optional_forms, action_words = {}, {}
for _, name in ipairs(sorted_keys(any_optional)) do
  for _, form in ipairs(facts[name].forms) do optional_forms[#optional_forms + 1] = form end
end
for _, name in ipairs(sorted_keys(facts)) do
  for _, a in ipairs(facts[name].actions or {}) do action_words[#action_words + 1] = a end
end

local function needed(case)
  local list = listed(case)
  if not optional[list] then return list end
  local out = {}
  for _, f in ipairs(list) do
    local name = f:match("^(.-)%?$")
    if not name then
      out[#out + 1] = f
    elseif case.facts[name] or case:has("fact.named." .. name) then
      out[#out + 1] = name
    end
  end
  return out
end

local function needs_fact(case, f)
  for _, n in ipairs(needed(case)) do
    if n == f then return true end
  end
  return false
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

-- One item per fact any topic or request needs; it applies when this
-- case needs it.
local seen = {}
local function see(list)
  for _, f in ipairs(list) do seen[f:gsub("%?$", "")] = true end
end
for _, list in pairs(needs) do see(list) end
for _, r in ipairs(requests) do see(r.needs) end
for _, f in ipairs(sorted_keys(seen)) do
  items[#items + 1] = {
    id = f, collects = f,
    applies = function(case) return needs_fact(case, f) end,
  }
end

-- Whether the customer gave fact f, in one of the forms the agent now
-- asks for (`asked`, "form;form"), before event e.  A fact from the case
-- file counts in every form; what the agent's own system found
-- ("Account has been pulled up") in none.  It looks back over the last
-- 64 facts at most.
local function given(case, f, asked, e)
  if case:known(f, e) == nil then return false end
  local any, looked = false, 0
  for x in case:recent("fact", e) do
    looked = looked + 1
    if looked > 64 then return true end -- a long list of facts: assume so
    if x.attr.name == f then
      any = true
      if x.attr.from ~= "system" then
        if not x.attr.form then return true end
        for form in asked:gmatch("[^;]+") do
          if x.attr.form:find(form, 1, true) then return true end
        end
      end
    end
  end
  return not any
end

items[#items + 1] = {
  id = "no_repeat",
  prompt = "Don't ask for what the customer has already told you.",
  done = function(case) return true end,
  -- Checked after every event and latched once true, so only the newest
  -- question needs looking at.
  violated = function(case)
    local e = case:last("agent.asked")
    if not e then return false end
    for f in (e.attr.facts or e.attr.fact or ""):gmatch("%S+") do
      if given(case, f, e.attr["form_" .. f] or "", e) then return true end
    end
    return false
  end,
}

-- Replies that answer nothing: no, not sure, wait.
local not_answers = { "no", "nope", "not sure", "no idea", "one moment", "hold on",
                      "let me check", "i do not know", "i do not have" }

-- A bare reply as the value of fact f, or nil when it does not look like
-- one: an id needs digits or an ALL-CAPS code, a secret a name, digits
-- or an address.
local function bare_value(f, reply)
  local shape = facts[f].shape
  if reply:find("?", 1, true) or text.has(reply, not_answers, 0) then return nil end
  -- "Username: cminh730" is a value of another fact's form
  if reply:find("^%s*%a[%a ]*:") then return nil end
  local tokens = {}
  for tok in reply:gmatch("[^%s,;]+") do tokens[#tokens + 1] = tok end
  if shape == "any" then
    local v = talk.trim(reply)
    if #v >= 2 and #v <= 300 then return v end
    return nil
  end
  if #tokens > 4 then return nil end
  for i, tok in ipairs(tokens) do
    local s = text.shape(tok)
    if s == "id" or s == "number" and #tok >= 5 then return tok end
    if shape == "secret" and (s or (tok:match("^%u%l%l+$")
                                   and #text.words(tok, true) > 0)) then
      return tok
    end
  end
  return nil
end

-- A product named by the customer: a brand mid-sentence ("the Calvin
-- Klein jacket") or a price ("the $94 boots").
local function names_product(s)
  if s:find("%$%d") then return true end
  if text.has(s, { "my name", "i am", "this is" }, 0) then return false end
  local first, named, plain = true, false, false
  for w in s:gmatch("%a[%w']*") do
    if not first and w:match("^%u%l") and w ~= "I" then named = true end
    if w:match("^%l") then plain = true end
    first = false
  end
  return named and plain
end

-- "because it came in the wrong colour": the reason, as said.
local function reason_in(s)
  return s:match("[Bb]ecause%s+(.-)[%.!%?]*$") or s:match("[Ss]ince%s+(.-)[%.!%?]*$")
      or s:match("[Dd]ue to%s+(.-)[%.!%?]*$")
end

-- Someone names an optional fact ("invoice"): it becomes needed.
local function named(case, event)
  for _, name in ipairs(optional[listed(case)] or {}) do
    if not case:has("fact.named." .. name)
       and text.has(event.text, facts[name].forms, 2) then
      return "fact.named." .. name
    end
  end
end

return principle {
  id = "ask", title = "Ask targeted questions", order = 20,
  why = "Get the essential facts with targeted questions; never ask for what you already know.",
  items = items,
  detect = {
    { on = "customer.said", words = optional_forms, fn = named },
    { on = "agent.said", words = optional_forms, fn = named },
    -- "Could I have your order number?", "I'll need your username and
    -- email" -> agent.asked fact=account_id, for the facts this case needs.
    { on = "agent.said", words = any_form, gap = 2, fn = function(case, event)
        local asked, attrs = {}, {}
        for _, s in ipairs(talk.sentences(event.text)) do
          if text.has(s, any_form_p, 2)
             and (s:find("?", 1, true) or talk.request(s)) and not talk.restating(s) then
            for _, f in ipairs(needed(case)) do
              local forms = forms_in(f, s)
              if forms ~= "" and not attrs["form_" .. f] then
                asked[#asked + 1] = f
                attrs["form_" .. f] = forms
              end
            end
          end
        end
        if #asked > 0 then
          attrs.fact, attrs.facts = asked[1], table.concat(asked, " ")
          return "agent.asked", attrs
        end
      end },
    -- What the customer says: a labelled value, a volunteered reason or
    -- product, or a bare answer to the question just asked (at most 60 s
    -- before, the agent not having moved on since).
    { on = "customer.said", fn = function(case, event)
        local s = event.text
        if not s then return nil end
        local want = {}
        for _, f in ipairs(needed(case)) do
          if not case.facts[f] then want[#want + 1] = f end
        end
        for _, f in ipairs(want) do
          local d = facts[f]
          local v = text.value(s, d.forms) or d.labels and text.value(s, d.labels)
          -- a secret is often a name: "my security answer is Martinez"
          if not v and d.shape == "secret" and text.has(s, d.forms, 2) then
            v = s:match("%f[%a][Ii]s%s+(%u%a%a+)")
          end
          if v then return "fact", { name = f, form = forms_in(f, s) }, v end
          if d.reason then v = reason_in(s) end
          if not v and d.named and names_product(s) then v = s end
          if v then return "fact", { name = f }, v end
        end
        local a = case:last("agent.asked")
        if not a or event.t - a.t > 60 then return nil end
        local last = case:last("agent.said")
        if last and last.n > a.n and last.text
           and (#last.text > 20 or last.text:find("?", 1, true)) then
          return nil
        end
        for f in (a.attr.facts or a.attr.fact or ""):gmatch("%S+") do
          if facts[f] and not case.facts[f] then
            local v = bare_value(f, s)
            if v then return "fact", { name = f, form = a.attr["form_" .. f] }, v end
          end
        end
      end },
    -- What the agent's system records: "Account has been pulled up",
    -- "Identity verification in progress".
    { on = "agent.action", words = action_words, fn = function(case, event)
        for _, f in ipairs(needed(case)) do
          local d = facts[f]
          if d.actions and not case.facts[f] and text.has(event.text, d.actions, 1) then
            return "fact", { name = f, from = "system" }, event.text
          end
        end
      end },
  },
}
