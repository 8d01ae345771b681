return principle { id = "h", title = "Hostile", items = {
  { id = "bad", violated = function(case)
      while true do end
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
