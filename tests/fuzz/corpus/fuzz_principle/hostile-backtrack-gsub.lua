return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      return (('a'):rep(5000)):gsub('(.-)(.-)(.-)(.-)x', '%4') ~= nil
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
