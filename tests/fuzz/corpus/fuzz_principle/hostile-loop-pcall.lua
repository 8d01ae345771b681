return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      while true do pcall(function() while true do end end) end
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
