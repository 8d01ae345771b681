-- hostile: one example of 1 MB (an example is an utterance: at most
-- 1,024 bytes)
local big = string.rep("refund ", 150000)
return principle { id = "h", title = "Hostile", items = { { id = "a" } },
  detect = { { on = "customer.said", emit = "x.y",
               examples = { "a refund please", big } } } }
