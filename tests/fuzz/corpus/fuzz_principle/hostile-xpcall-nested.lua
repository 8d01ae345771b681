return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      local function h(m) return xpcall(error, h, m) end return xpcall(error, h, 'x')
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
