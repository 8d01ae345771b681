return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      return case:said('agent', 'my name') or case:last('agent.said') or case:first('x') or case:before('a', 'b') or case:has('fact')
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
