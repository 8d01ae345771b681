return principle { id = "h", title = "Hostile", items = {
  { id = "bad", done = function(case)
      for p, c in utf8.codes('ab\xff') do end return true
    end },
  { id = "good", done = function(case) return case:has("customer.said") end },
} }
