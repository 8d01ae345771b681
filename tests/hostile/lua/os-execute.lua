-- hostile: os.execute
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) os.execute("touch pwned-os") return true end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
