return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      local function f(n) return f(n + 1) + 1 end return f(1)
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
