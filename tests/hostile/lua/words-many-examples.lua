-- hostile: 50,000 examples in one detector (a principle keeps at most
-- 1,000: refused at load, before any is compared with anything)
local ex = {}
for i = 1, 50000 do ex[i] = "example number " .. i end
return principle { id = "h", title = "Hostile", items = { { id = "a" } },
  detect = { { on = "customer.said", emit = "x.y",
               examples = ex } } }
