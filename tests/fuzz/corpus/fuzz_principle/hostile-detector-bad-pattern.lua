return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      return true
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
},
  detect = { { on = "agent.said", pattern = "[", emit = "x.y" } } }
