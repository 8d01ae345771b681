-- hostile: 60,000 items collecting 60,000 facts (live once compared each
-- fact name with all those before it at start-up)
local items = {}
for i = 1, 60000 do items[i] = { id = "i" .. i, collects = "f" .. i } end
return principle { id = "col", items = items }
