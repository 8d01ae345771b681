return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      return string.rep('', 3e9) == '' and string.rep('', 3e9, '') == ''
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
