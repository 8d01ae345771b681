-- hostile: work inside one operation: a __newindex chain of 1,900 tables, walked on every store
local P = {} for i = 1, 1900 do P = setmetatable({}, { __newindex = P }) end
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) for i = 1, 1e7 do P[1] = nil end return false end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
