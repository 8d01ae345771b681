return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      return true
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
},
  detect = { { on = "customer.said", fn = function(case, e) while true do end end } } }
