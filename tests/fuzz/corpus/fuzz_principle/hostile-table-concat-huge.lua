return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      local t = {} for i = 1, 1e5 do t[i] = ('x'):rep(100) end return #table.concat(t, ('y'):rep(100)) > 0
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
