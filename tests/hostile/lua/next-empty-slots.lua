-- hostile: next() over a table of 100,000 empty slots walks them all in C for the price
-- of one call: a predicate ran for about 20 s on its "1,000,000 instruction" budget;
-- each slot skipped is now charged
local T = { table.unpack({}, 1, 100000) }
return principle { id = "h", items = {
  { id = "bad", done = function(case) local _ = case.now while true do next(T) end end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
