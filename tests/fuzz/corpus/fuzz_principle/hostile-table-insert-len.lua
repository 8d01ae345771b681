return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      table.insert(setmetatable({}, {__len = function() return 1e6 end}), 1, 'x') return true
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
