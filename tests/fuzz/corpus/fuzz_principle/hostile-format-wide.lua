return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      return string.format('%99d%-99s%.99f', 1, 'x', 1.5) ~= nil
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
