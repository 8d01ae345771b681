-- hostile: one 5 MiB string returned under 32 attribute names, by four detectors: Lua
-- counts it once, the engine copied it 128 times an event (6.5 GB over ten events);
-- a detected event's attributes are now at most 1 MiB together, charged as copied
local big = string.rep("x", 5 * 1024 * 1024)
local attrs = {}
for i = 1, 32 do attrs["a" .. i] = big end
local det = {}
for i = 1, 4 do
  det[i] = { on = "customer.said", fn = function(case, event) return "x.big", attrs end }
end
return principle {
  id = "h",
  items = { { id = "a", done = function(case) return case:has("x.big") end } },
  detect = det,
}
