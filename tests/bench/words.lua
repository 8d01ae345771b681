-- For the benchmark (docs/performance.md): six detectors on words and
-- examples, beside the default principles, to see what matching on
-- words costs an event: 53 phrases and 17 examples, a guarded
-- function.  Copy it into a folder with the defaults and pass that
-- folder to the bench.
local own = { "look into", "take care of", "help you with", "make sure",
  "see this through", "handle this", "find out", "look up", "check on",
  "sort this out", "get this fixed", "follow up", "keep you posted",
  "personally make sure", "take ownership", "escalate this",
  "flag the account", "review your account", "get back to you",
  "call you back" }
local more = {}
for i = 1, 20 do more[i] = own[i] .. " x" .. i end
return principle {
  id = "words", order = 99,
  items = { { id = "a", done = function(c) return c:has("x.owned") end } },
  detect = {
    { on = "agent.said", emit = "x.owned", words = own },
    { on = "agent.said", emit = "x.owned2", words = more, gap = 3 },
    { on = "customer.said", emit = "x.cust", words = { "not working",
        "still broken", "never arrived", "wrong colour", "charged twice",
        "want a refund", "cancel my order", "reset my password",
        "can't log in", "locked out", "where is my order", "how long",
        "speak to a manager" } },
    { on = "agent.said", emit = "x.did", examples = {
        "I have issued you a refund", "Your order has been updated",
        "I have generated you a new one", "All taken care of",
        "I have sent you a new password", "The refund has been processed",
        "I have cancelled the order", "Your account is unlocked now",
        "I have changed the address", "The replacement is on its way" } },
    { on = "customer.said", emit = "x.conf", examples = {
        "yes that is right", "exactly", "that's correct", "yes please",
        "correct", "yes it is", "that's it" } },
    { on = "agent.said", fn = function(case, event) return nil end,
      words = { { "let me make sure i understand", need = 4 } } },
  },
}
