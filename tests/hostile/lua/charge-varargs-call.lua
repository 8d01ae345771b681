-- hostile: work inside one operation: 100,000 arguments passed on by every call
local big = {} for i = 1, 100000 do big[i] = i end local function id() end local function f(...) for i = 1, 1e7 do id(...) end end
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) f(table.unpack(big)) return false end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
