-- hostile: 2,000 items share one after list naming 2,000 others (ids of
-- 100 bytes): a few hundred bytes that once meant 4 million copies.
local names, items = {}, {}
for i = 1, 2000 do
  names[i] = ("n"):rep(100) .. i
  items[i] = { id = names[i] }
end
for i = 1, 2000 do items[2000 + i] = { id = "b" .. i, after = names } end
return principle { id = "shared", items = items }
