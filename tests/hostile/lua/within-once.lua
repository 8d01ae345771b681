-- hostile: a detector that counts from a type seen once, at the start
-- (each utterance once walked back through the whole case to find it)
return principle { id = "once", items = { { id = "a" } }, detect = {
  { on = "customer.said", pattern = "zzz", emit = "x.late",
    after = "agent.explained", within = 5 },
} }
