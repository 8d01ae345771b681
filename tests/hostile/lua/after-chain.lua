-- hostile: a chain of 30,000 items, each after the one before it
local items = { { id = "i1" } }
local prev = "i1"
for i = 2, 30000 do
  local id = "i" .. i
  items[i] = { id = id, after = prev }
  prev = id
end
return { id = "chain", items = items } -- a plain table: checked after the
-- chunk, outside its budget (building the table spent most of it)
