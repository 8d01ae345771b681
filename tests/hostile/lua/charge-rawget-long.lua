-- hostile: work inside one operation: rawget with a long key equal to another (the data is made at load time, under
-- the load's own budget; the predicate's loop must be charged)
local function D(k) local s = "xx" for i = 1, k do s = s .. s end return s end
local A, B = D(19), D(19) local T = { [A] = 1 }
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) local n = 0 for i = 1, 300000 do n = n + (rawget(T, B) or 0) end return false end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
