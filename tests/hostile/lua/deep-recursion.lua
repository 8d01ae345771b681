-- hostile: unbounded recursion
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) local function r(n) return 1 + r(n + 1) end return r(1) > 0 end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
