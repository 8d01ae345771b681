-- hostile: work inside one operation: arithmetic on a 512 kB numeral,
-- which the string metamethods read whole every time
local S = ("1"):rep(1 << 19)
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) for i = 1, 1e7 do local y = S + 0 end return false end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
