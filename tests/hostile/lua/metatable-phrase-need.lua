-- hostile: text.has read a phrase's `need` through __index, which ran Lua code in the
-- middle of the call: a text call made there moved the argument buffer the outer call
-- was filling (heap use after free under ASan); `need` is now read raw
local big = {}
for i = 1, 5000 do big[i] = "w" .. i end
local mt = { __index = function(t, k)
  if k == "need" then pcall(text.has, "hello", big) end
  return nil
end }
local list = {}
for i = 1, 3 do list[i] = setmetatable({ "hello there" }, mt) end
return principle { id = "uaf", items = { { id = "a",
  done = function(case) return text.has("hello there", list) ~= nil end } } }
