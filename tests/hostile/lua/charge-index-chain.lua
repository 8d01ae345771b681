-- hostile: work inside one operation: __index chain with a long key (the data is made at load time, under
-- the load's own budget; the predicate's loop must be charged)
local function D(k) local s = "xx" for i = 1, k do s = s .. s end return s end
local A, B = D(19), D(19) local P = setmetatable({}, { __index = { [A] = 1 } }) for i = 1, 100 do P = setmetatable({}, { __index = P }) end
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) for i = 1, 300000 do local _ = P[B] end return false end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
