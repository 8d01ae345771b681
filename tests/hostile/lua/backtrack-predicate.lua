-- hostile: catastrophic backtracking in a predicate
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) return (("a"):rep(300)):find(("a-"):rep(4) .. "b") ~= nil end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
