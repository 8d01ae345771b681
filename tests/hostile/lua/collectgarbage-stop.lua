-- hostile: collectgarbage("stop"), then allocation
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) collectgarbage("stop") return true end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
