return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      return true
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
},
  detect = { { on = "agent.said", pattern = { "%f[%w]so%f[%W]", "^%W*yes", "[%z\1-\31]", "(%w+)%1", "%b()" }, emit = "x.y", within = 1e308, after = "customer.said" } } }
