return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      local n = 0 for e in case:events('customer.said') do n = n + #e.text end for e in case:events() do n = n + e.n end return n > 0
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
