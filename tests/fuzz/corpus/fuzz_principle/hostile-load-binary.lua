return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      local fn, msg = load('\27LuaT\0') return fn == nil
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
