-- hostile: require
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) require("os").execute("touch pwned-require") return true end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
