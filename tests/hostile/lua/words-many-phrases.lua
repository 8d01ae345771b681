-- hostile: 20,000 phrases (a principle keeps at most 1,000)
local w = {}
for i = 1, 20000 do w[i] = "phrase " .. i end
return principle { id = "h", title = "Hostile", items = { { id = "a" } },
  detect = { { on = "customer.said", emit = "x.y",
               words = w } } }
