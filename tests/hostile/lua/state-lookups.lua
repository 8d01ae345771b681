-- hostile: 20,000 items and a predicate that asks for an item's state
-- 100,000 times (each lookup once walked every item's name)
local items = {}
for i = 1, 20000 do items[i] = { id = "i" .. i } end
items[1].done = function(case)
  for _ = 1, 100000 do case:state("lookups.i20000") end
  return true
end
return { id = "lookups", items = items } -- a plain table: checked after
-- the chunk, outside its budget (building the table spent most of it)
