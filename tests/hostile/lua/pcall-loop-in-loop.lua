-- hostile: an endless loop inside pcall, inside another loop that ignores the error
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) for i = 1, 1e9 do pcall(function() while true do end end) end return true end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
