-- hostile: work inside one operation: sorting long equal strings (the data is made at load time, under
-- the load's own budget; the predicate's loop must be charged)
local function D(k) local s = "xx" for i = 1, k do s = s .. s end return s end
local A = D(16) local T = {} for i = 1, 40 do T[i] = A .. "" end
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) for i = 1, 100000 do table.sort(T) end return false end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
