-- hostile: io.open
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) local f = io.open("pwned-io", "w") f:write("x") f:close() return true end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
