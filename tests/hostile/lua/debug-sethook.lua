-- hostile: debug.sethook, to turn the instruction budget off
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) debug.sethook() while true do end end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
