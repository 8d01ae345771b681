-- hostile: string.rep of an empty string 3e9 times (stock Lua loops for seconds)
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) return string.rep("", 3e9) == "" and string.rep("", 3e9, "") == "" end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
