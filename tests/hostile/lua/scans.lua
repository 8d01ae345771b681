-- hostile: predicates that look for a phrase in every utterance so far,
-- asked again at each utterance (each call once read the whole case)
return principle { id = "scans", items = {
  { id = "counted", done = function(case)
      return case:count("customer.said", "refund") > 1000000 end },
  { id = "found", done = function(case)
      return case:has("customer.said", "refund") end },
  { id = "said", done = function(case)
      return case:said("customer", "refund") end },
} }
