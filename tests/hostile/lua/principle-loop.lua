-- hostile: principle{} called in a loop on a table that takes a while to
-- check (the check is C work the instruction count never saw)
local names, items = {}, {}
for i = 1, 2000 do
  names[i] = "a" .. i
  items[i] = { id = names[i] }
end
for i = 1, 200 do items[2000 + i] = { id = "b" .. i, after = names } end
for _ = 1, 1000 do pcall(principle, { id = "loop", items = items }) end
return principle { id = "loop", items = { { id = "a" } } }
