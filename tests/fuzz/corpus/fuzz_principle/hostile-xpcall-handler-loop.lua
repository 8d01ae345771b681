return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      xpcall(function() while true do end end, function(m) while true do end end) return true
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
