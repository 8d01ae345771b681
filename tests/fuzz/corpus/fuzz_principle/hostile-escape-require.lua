return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      return require('os')
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
