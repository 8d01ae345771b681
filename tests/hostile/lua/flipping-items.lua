-- hostile: items that come and go at every fact event, so the timeline
-- holds ten changes per event (reports once looked at every change for
-- every event)
local items = {}
for i = 1, 10 do
  items[i] = { id = "i" .. i,
    applies = function(case) return case:count("fact") % 2 == 0 end }
end
return principle { id = "flip", items = items }
