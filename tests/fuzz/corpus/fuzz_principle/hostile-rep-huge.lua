return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      return #string.rep('x', 1e9) > 0
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
