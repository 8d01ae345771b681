-- hostile: a __gc finalizer that loops (finalizers run with hooks off)
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) setmetatable({}, { __gc = function() while true do end end }) return true end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
