return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      table.move({}, 1, math.maxinteger, 2) return true
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
