-- hostile: the most phrases a principle may have (1,000), each of 6
-- alternatives and needing 2 of 3 words (no single word rules one out), against a 1 MB utterance: the
-- principle's detectors share one call's budget on each event: a warning
local w = {}
for i = 1, 1000 do w[i] = { "parcel|refund|issued|order|late|boots word" .. i .. " zz" .. i, need = 2 } end
return principle { id = "h", title = "Hostile", items = { { id = "a" } },
  detect = {
    { on = "customer.said", emit = "x.y", words = w },
    { on = "customer.said", emit = "x.z",
      examples = { "my parcel is late", "I want a refund for the boots" } },
  } }
