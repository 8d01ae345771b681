return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      table.sort(setmetatable({}, {__len = function() return 20000 end, __index = rawlen})) return true
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
