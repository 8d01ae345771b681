-- hostile: catastrophic backtracking in a detector's declared pattern
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
  detect = {
    { on = "customer.said", pattern = "a-a-a-a-b", emit = "x.matched" },
  },
}
