-- hostile: string.dump, to make bytecode (absent)
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) return load(string.dump(function() return true end))() end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
