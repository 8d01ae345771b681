-- hostile: a string doubled until the budget (allocation is charged to
-- it) or memory runs out
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) local s = "x" while true do s = s .. s end end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
