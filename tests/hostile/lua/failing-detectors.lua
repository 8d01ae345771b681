-- hostile: detectors that fail at every fact event with a 1000-byte
-- message (each failure once kept as a case warning, without end)
local d = {}
for i = 1, 4 do
  d[i] = { on = "fact", fn = function() error(("x"):rep(1000), 0) end }
end
return principle { id = "warns", items = { { id = "a" } }, detect = d }
