return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      return (('('):rep(100000)):match('%b()') ~= nil
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
