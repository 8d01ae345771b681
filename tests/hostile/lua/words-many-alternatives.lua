-- hostile: one phrase of 10,000 alternatives (a phrase is at most 1,024
-- bytes and 256 words and alternatives)
local alts = {}
for i = 1, 10000 do alts[i] = "w" .. i end
return principle { id = "h", title = "Hostile", items = { { id = "a" } },
  detect = { { on = "customer.said", emit = "x.y",
               words = { "look into", table.concat(alts, "|") } } } }
