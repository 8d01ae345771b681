return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      return select('#', string.byte(('x'):rep(1e6), 1, -1)) > 0
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
