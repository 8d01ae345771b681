return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      return load('return 1', 'x', 'b') ~= nil
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
