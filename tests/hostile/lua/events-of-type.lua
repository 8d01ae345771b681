-- hostile: a predicate asked at each utterance that walks the events of a
-- type seen once (each walk once read the whole case)
return principle { id = "walk", items = {
  { id = "a", done = function(case)
      local n = case:count("customer.said")
      for _ in case:events("agent.explained") do n = n + 1 end
      return n < 0
    end },
} }
