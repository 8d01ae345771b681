-- hostile: work inside one operation: utf8.codes stepping over a megabyte of continuation bytes
local S = "a" .. ("\x80"):rep(1 << 20) local step = utf8.codes(S, true)
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) for i = 1, 1e7 do step(S, 1) end return false end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
