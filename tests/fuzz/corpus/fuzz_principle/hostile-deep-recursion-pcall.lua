return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      local function f() return pcall(f) end return f()
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
