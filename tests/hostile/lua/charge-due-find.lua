-- hostile: work inside one operation: due.find over "1 in 2 in 3 ...", where every word
-- starts a run that may read as a due time, and every length of it is tried
local t = {}
for i = 1, 2000 do t[i] = (i % 2 == 0) and "in" or tostring(i) end
local S = table.concat(t, " ")
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) local _ = case.now for i = 1, 1e7 do local y = due.find(S) end return false end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
