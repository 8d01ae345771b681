-- Every item burns its whole budget, on every event: the cost of a file
-- grows with its item count, not only with the budget.
local t = {}
for i = 1, 40 do
  t[i] = { id = "i" .. i, done = function(case) while true do end end }
end
return principle { id = "burn", items = t }
