-- hostile: tampering with getmetatable("").__index
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) getmetatable("").__index = { len = function() return 0 end } return true end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
