-- hostile: work inside one operation: an __index chain of 1,900 tables, walked on every access
local P = {} for i = 1, 1900 do P = setmetatable({}, { __index = P }) end
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) local y for i = 1, 1e7 do y = P.x end return y end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
