-- hostile: a coroutine that never yields back (coroutine is not in the sandbox)
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) local co = coroutine.create(function() while true do end end) coroutine.resume(co) return true end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
