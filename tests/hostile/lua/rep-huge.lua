-- hostile: string.rep with a huge count
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) return #string.rep("x", 1e15) > 0 end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
