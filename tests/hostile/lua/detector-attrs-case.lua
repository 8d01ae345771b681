-- hostile: forty detectors each adding 1,000 KB of attributes to an utterance: each
-- event within bounds, the case not (40 MB of detected events);
-- what detectors add to a case is at most 32 MiB
local big = string.rep("x", 1000 * 1000)
local det = {}
for i = 1, 40 do
  det[i] = { on = "customer.said", fn = function(case, event) return "x.big", { v = big } end }
end
return principle {
  id = "h",
  items = { { id = "a", done = function(case) return case:has("x.big") end } },
  detect = det,
}
