-- Callback: on the phone, make sure you can call the customer back if
-- the line drops.
--
-- Shows `applies`, a `collects` item with its default prompt, a prompt
-- computed from the case, and a function detector that turns a number
-- the customer says into the fact `callback_number`.

-- "07700 900123" or "+44 7700 900123": seven digits or more.
local function phone_number(text)
  local number = text:match("%+?%d[%d ]*%d")
  if number and #number:gsub("%D", "") >= 7 then return number end
  return nil
end

return principle {
  id = "callback", title = "Keep a way back to the customer", order = 60,
  why = "If the call drops, the customer should not have to start again.",
  applies = function(case) return case.channel == "phone" end,
  items = {
    { id = "callback_number", must = true, collects = "callback_number" },
    { id = "read_back", must = true, after = { "callback_number" },
      prompt = function(case)
        local number = case.facts.callback_number
        if number then return "Read the number back: " .. number .. "." end
        return "Read the callback number back to the customer."
      end,
      done = function(case)
        local number = case.facts.callback_number
        if not number then return false end
        for e in case:events("agent.said") do
          -- only what the agent said once the number was known
          if case:known("callback_number", e) and e.text
             and e.text:find(number, 1, true) then
            return true
          end
        end
        return false
      end },
  },
  detect = {
    { on = "customer.said", fn = function(case, event)
        if case.facts.callback_number or not event.text then return nil end
        local number = phone_number(event.text)
        if number then return "fact", { name = "callback_number" }, number end
      end },
  },
}
