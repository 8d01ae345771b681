-- hostile: the table a file returns is read by the engine after the file's own call has
-- ended, outside its budget and memory cap: its __index made 256 MiB a read (4.6 GB for
-- `check`); a principle's tables must be plain
local real = { id = "hog", items = { { id = "a", done = function() return false end } } }
local hold = {}
return setmetatable({}, { __index = function(_, k)
  local s = "x"
  for i = 1, 28 do s = s .. s end
  hold[#hold + 1] = s
  return real[k]
end })
