-- hostile: a case method asked with a fresh pattern each time starts its
-- scan over: 100,000 events without text, uncharged, per call
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) if not case:has("customer.said") then return false end for i = 1, 1e7 do case:said("any", "zz" .. i) end return false end },
    { id = "bad2", done = function(case) if not case:has("customer.said") then return false end for i = 1, 1e7 do case:has("x.y", "zz" .. i) end return false end },
  },
}
