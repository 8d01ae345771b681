return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      string.upper = function() return 'x' end return true
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
