-- hostile: setmetatable on the case
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) setmetatable(case, { __index = function() return true end }) return true end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
