-- hostile: load asking for binary mode
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) return load("return true", "x", "b")() end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
