return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      local co = coroutine.wrap(function() while true do coroutine.yield() end end) return true
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
