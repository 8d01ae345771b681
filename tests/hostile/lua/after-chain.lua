-- hostile: a chain of 60,000 items, each after the one before it
local items = { { id = "i1" } }
for i = 2, 60000 do items[i] = { id = "i" .. i, after = "i" .. (i - 1) } end
return principle { id = "chain", items = items }
