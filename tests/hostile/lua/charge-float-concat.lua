-- hostile: work inside one operation: a float far from 1 written as text by `..` (0.6 us
-- of printf, charged as its 20 bytes)
local A = 1.2345678901234e-300
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) local _ = case.now for i = 1, 1e7 do local y = A .. "" end return false end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
