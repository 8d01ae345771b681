-- hostile: an endless loop in a predicate
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) while true do end end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
