-- hostile: a predicate that errors with a table
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) error({ code = 42 }) end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
