-- hostile: work inside one operation, in a function detector: comparing
-- two equal 2 MB strings (made at load time, under the load's budget)
local function D(k) local s = "xx" for i = 1, k do s = s .. s end return s end
local A, B = D(20), D(20)
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
  detect = {
    function(case, event)
      local n = 0
      for i = 1, 300000 do if A == B then n = n + 1 end end
      return nil
    end,
  },
}
