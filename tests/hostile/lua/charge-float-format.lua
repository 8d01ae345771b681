-- hostile: work inside one operation: C's printf writing 1e308 with 99 decimals (7.8 us,
-- where the result's bytes were charged about 0.1 us)
return principle {
  id = "h", title = "Hostile", order = 1,
  items = {
    { id = "bad", done = function(case) local _ = case.now for i = 1, 1e7 do local y = string.format("%.99f", 1e308) end return false end },
    { id = "good", done = function(case) return case:has("customer.said") end },
  },
}
