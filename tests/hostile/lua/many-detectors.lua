-- hostile: 30,000 detectors of a type no event has (each event once
-- looked at every one of them)
local d = {}
for i = 1, 30000 do d[i] = { on = "x.never", pattern = "zz", emit = "x.z" } end
return { id = "dets", items = { { id = "a" } }, detect = d } -- a plain
-- table: checked after the chunk, outside its budget
