-- Empathy: name the feeling before fixing the problem.
--
-- Two pattern detectors turn plain utterances into the events the items
-- look for.  The second has `within` but no `after`, so it counts from
-- the event the detector above it emits: thanks from the customer
-- within two minutes of an empathetic line.

return principle {
  id = "empathy", title = "Show you understand how they feel", order = 15,
  why = "A customer who feels understood explains more and forgives more.",
  items = {
    { id = "name_feeling", must = true,
      prompt = "Name what the customer feels: \"That sounds really stressful.\"",
      done = function(case) return case:has("agent.empathized") end },
    { id = "felt_heard", after = { "name_feeling" },
      prompt = "Give the customer room to answer before you move on.",
      done = function(case) return case:has("customer.reassured") end },
    { id = "no_blame",
      prompt = "Don't tell the customer what they should have done.",
      done = function(case) return true end,
      violated = function(case) return case:said("agent", "you should have") end },
  },
  detect = {
    { on = "agent.said", emit = "agent.empathized", pattern = {
        "that sounds", "that must be", "i can imagine", "i'm sorry to hear" } },
    { on = "customer.said", emit = "customer.reassured", within = 120,
      pattern = { "thank", "i appreciate", "that helps" } },
  },
}
