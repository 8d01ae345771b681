return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      return select('#', table.unpack({}, 1, 1e7)) > 0
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
