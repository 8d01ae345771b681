-- hostile: an item whose id is a string for the engine's checks and a table when it is
-- copied (read twice, through __index): lua_tostring gave NULL, and every verb that
-- loads it crashed
local calls = 0
local item = setmetatable({}, { __index = function(_, k)
  if k == "id" then
    calls = calls + 1
    if calls <= 2 then return "a" end
    return {}
  end
  if k == "done" then return function() return false end end
end })
return principle { id = "h", items = { item } }
