-- hostile: work inside one operation: %q of control bytes, a printf each
local A = ("\1\2\3"):rep(1000)
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) local _ = case.now for i = 1, 1e7 do local y = string.format("%q", A) end return false end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
