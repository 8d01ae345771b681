return principle { id = "h", title = "Hostile", items = {
  { id = "bad", prompt = function(case)
      return {}
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
