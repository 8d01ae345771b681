return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      return string.format('%q %q %q', 1/0, -1/0, 0/0) ~= nil
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
