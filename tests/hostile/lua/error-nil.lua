-- hostile: a predicate that errors with nil
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) error(nil) end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
