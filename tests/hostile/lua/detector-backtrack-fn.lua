-- hostile: catastrophic backtracking in a detector function
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
  detect = {
    { on = "customer.said", fn = function(case, event)
        if event.text:find(("a-"):rep(4) .. "b") then return "x.matched" end
      end },
  },
}
