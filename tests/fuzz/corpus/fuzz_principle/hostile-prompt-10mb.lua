return principle { id = "h", title = "Hostile", items = {
  { id = "bad", prompt = function(case)
      return ('x'):rep(10 * 1024 * 1024)
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
